//! What the diff knows about Kubernetes types: scopes, list merge keys, quantity fields, integer
//! fields, server defaults and impact classes, for built-in kinds and for CRDs found in the input.
//!
//! Paths here are "schema paths": field names joined by `.`, list elements written `[]`. Pod
//! specs wherever they are embedded (Deployment `spec.template.spec`, CronJob
//! `spec.jobTemplate.spec.template.spec`, …) are rewritten to `POD`, init and ephemeral
//! containers to `POD.containers`, and PVC specs (also StatefulSet `volumeClaimTemplates[].spec`)
//! to `PVC`, so one rule covers every place a type appears.

use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::LazyLock;

/// Built-in kinds by (group, kind) and whether they are namespaced.
const BUILTIN: &[(&str, &str, bool)] = &[
    ("", "Pod", true),
    ("", "Service", true),
    ("", "ConfigMap", true),
    ("", "Secret", true),
    ("", "ServiceAccount", true),
    ("", "PersistentVolumeClaim", true),
    ("", "Endpoints", true),
    ("", "LimitRange", true),
    ("", "ResourceQuota", true),
    ("", "ReplicationController", true),
    ("", "PodTemplate", true),
    ("", "Event", true),
    ("", "Namespace", false),
    ("", "Node", false),
    ("", "PersistentVolume", false),
    ("apps", "Deployment", true),
    ("apps", "StatefulSet", true),
    ("apps", "DaemonSet", true),
    ("apps", "ReplicaSet", true),
    ("apps", "ControllerRevision", true),
    ("batch", "Job", true),
    ("batch", "CronJob", true),
    ("autoscaling", "HorizontalPodAutoscaler", true),
    ("policy", "PodDisruptionBudget", true),
    ("networking.k8s.io", "Ingress", true),
    ("networking.k8s.io", "NetworkPolicy", true),
    ("networking.k8s.io", "IngressClass", false),
    ("discovery.k8s.io", "EndpointSlice", true),
    ("rbac.authorization.k8s.io", "Role", true),
    ("rbac.authorization.k8s.io", "RoleBinding", true),
    ("rbac.authorization.k8s.io", "ClusterRole", false),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding", false),
    ("storage.k8s.io", "StorageClass", false),
    ("storage.k8s.io", "CSIDriver", false),
    ("storage.k8s.io", "VolumeAttachment", false),
    ("scheduling.k8s.io", "PriorityClass", false),
    ("apiextensions.k8s.io", "CustomResourceDefinition", false),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration", false),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration", false),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy", false),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding", false),
    ("apiregistration.k8s.io", "APIService", false),
    ("coordination.k8s.io", "Lease", true),
    ("certificates.k8s.io", "CertificateSigningRequest", false),
    ("node.k8s.io", "RuntimeClass", false),
    ("flowcontrol.apiserver.k8s.io", "FlowSchema", false),
    ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration", false),
];

/// Whether a kind is namespaced: `Some` for built-in kinds, `None` when unknown.
#[must_use]
pub fn builtin_scope(group: &str, kind: &str) -> Option<bool> {
    BUILTIN.iter().find(|(g, k, _)| *g == group && *k == kind).map(|(_, _, n)| *n)
}

/// Where a kind embeds a pod spec (schema path of the pod spec).
fn pod_spec_root(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "Pod" => "spec",
        "Deployment"
        | "StatefulSet"
        | "DaemonSet"
        | "ReplicaSet"
        | "Job"
        | "ReplicationController"
        | "Rollout" => "spec.template.spec",
        "CronJob" => "spec.jobTemplate.spec.template.spec",
        "PodTemplate" => "template.spec",
        _ => return None,
    })
}

/// Rewrites a raw schema path (`spec.template.spec.initContainers[].image`) to its canonical
/// form (`POD.containers[].image`).
#[must_use]
pub fn canonical(kind: &str, raw: &str, extra_pod_roots: &[String]) -> String {
    let roots = pod_spec_root(kind).into_iter().chain(extra_pod_roots.iter().map(String::as_str));
    for root in roots {
        if let Some(rest) = raw.strip_prefix(root)
            && (rest.is_empty() || rest.starts_with('.'))
        {
            let rest = rest
                .strip_prefix(".initContainers")
                .or_else(|| rest.strip_prefix(".ephemeralContainers"))
                .map_or_else(|| rest.to_string(), |r| format!(".containers{r}"));
            return format!("POD{rest}");
        }
    }
    let pvc = match kind {
        "PersistentVolumeClaim" => raw.strip_prefix("spec"),
        "StatefulSet" => raw.strip_prefix("spec.volumeClaimTemplates[].spec"),
        _ => None,
    };
    if let Some(rest) = pvc.filter(|r| r.is_empty() || r.starts_with('.')) {
        return format!("PVC{rest}");
    }
    format!("{kind}:{raw}")
}

/// How a list is matched between the two sides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListType {
    /// Elements matched by position; the list is replaced as a whole on apply.
    Atomic,
    /// Elements matched by the values of these keys; `ordered` lists also report reorders.
    Map {
        /// Merge keys (`containerPort`, `protocol`).
        keys: Vec<String>,
        /// Order is meaningful (env: `$(VAR)` sees only earlier entries).
        ordered: bool,
    },
    /// Scalar elements compared as a set.
    Set,
}

/// Built-in list types by canonical path (reference b.7).
static LIST_TYPES: LazyLock<HashMap<&'static str, ListType>> = LazyLock::new(|| {
    let map = |keys: &[&str], ordered| ListType::Map {
        keys: keys.iter().map(|k| k.to_string()).collect(),
        ordered,
    };
    let name = || map(&["name"], false);
    HashMap::from([
        ("POD.containers", name()),
        ("POD.volumes", name()),
        ("POD.imagePullSecrets", name()),
        ("POD.schedulingGates", name()),
        ("POD.resourceClaims", name()),
        ("POD.containers[].ports", map(&["containerPort", "protocol"], false)),
        ("POD.containers[].env", map(&["name"], true)),
        ("POD.containers[].volumeMounts", map(&["mountPath"], false)),
        ("POD.containers[].volumeDevices", map(&["devicePath"], false)),
        ("POD.containers[].resizePolicy", map(&["resourceName"], false)),
        ("POD.hostAliases", map(&["ip"], false)),
        ("POD.topologySpreadConstraints", map(&["topologyKey", "whenUnsatisfiable"], false)),
        ("Service:spec.ports", map(&["port", "protocol"], false)),
        ("ServiceAccount:secrets", name()),
        ("ServiceAccount:imagePullSecrets", name()),
        ("ValidatingWebhookConfiguration:webhooks", name()),
        ("MutatingWebhookConfiguration:webhooks", name()),
        ("OWNER_REFERENCES", map(&["uid"], false)),
        ("SET", ListType::Set),
    ])
});

/// The list type of a canonical path of a built-in kind (reference b.7).
#[must_use]
pub fn builtin_list_type(canon: &str) -> Option<&'static ListType> {
    if canon.ends_with("metadata.ownerReferences") {
        return LIST_TYPES.get("OWNER_REFERENCES");
    }
    if canon.ends_with("metadata.finalizers") {
        return LIST_TYPES.get("SET");
    }
    LIST_TYPES.get(canon)
}

/// Default of a merge key that the server fills in (`protocol: TCP`).
#[must_use]
pub fn key_default(key: &str) -> Option<Value> {
    (key == "protocol").then(|| json!("TCP"))
}

/// Whether the values of a map at this canonical path are quantities.
#[must_use]
pub fn is_quantity_map(canon: &str) -> bool {
    matches!(
        canon,
        "POD.containers[].resources.limits"
            | "POD.containers[].resources.requests"
            | "POD.resources.limits"
            | "POD.resources.requests"
            | "POD.overhead"
            | "PVC.resources.requests"
            | "PVC.resources.limits"
            | "PersistentVolume:spec.capacity"
            | "ResourceQuota:spec.hard"
            | "LimitRange:spec.limits[].max"
            | "LimitRange:spec.limits[].min"
            | "LimitRange:spec.limits[].default"
            | "LimitRange:spec.limits[].defaultRequest"
            | "LimitRange:spec.limits[].maxLimitRequestRatio"
    )
}

/// Whether this canonical path holds a single quantity (not a map of them).
#[must_use]
pub fn is_quantity_field(canon: &str) -> bool {
    canon == "POD.volumes[].emptyDir.sizeLimit"
}

/// Integer fields of built-in kinds, by field name: a string there is a type error.
#[must_use]
pub fn is_int_field(canon: &str, key: &str) -> bool {
    match key {
        "containerPort"
        | "hostPort"
        | "replicas"
        | "defaultMode"
        | "initialDelaySeconds"
        | "periodSeconds"
        | "timeoutSeconds"
        | "successThreshold"
        | "failureThreshold"
        | "terminationGracePeriodSeconds"
        | "revisionHistoryLimit"
        | "progressDeadlineSeconds"
        | "minReadySeconds"
        | "nodePort"
        | "backoffLimit"
        | "completions"
        | "parallelism"
        | "runAsUser"
        | "runAsGroup"
        | "fsGroup" => true,
        "port" => canon.starts_with("Service:spec.ports[]"),
        "mode" => canon.ends_with("items[].mode"),
        _ => false,
    }
}

/// IntOrString fields: a number and a numeric string are different values there.
#[must_use]
pub fn is_int_or_string(key: &str) -> bool {
    matches!(key, "targetPort" | "maxSurge" | "maxUnavailable" | "port")
}

/// Maps whose keys are data: an empty value there is not the same as an absent key.
#[must_use]
pub fn is_free_form_map(canon: &str) -> bool {
    let last = canon.rsplit(['.', ':']).next().unwrap_or(canon);
    matches!(
        last,
        "labels" | "annotations" | "data" | "binaryData" | "stringData" | "matchLabels" | "nodeSelector"
    ) || canon == "Service:spec.selector"
        || is_quantity_map(canon)
}

/// Values the server allocates: a live-only value there is never drift.
#[must_use]
pub fn is_allocated(canon: &str) -> bool {
    matches!(
        canon,
        "Service:spec.clusterIP"
            | "Service:spec.clusterIPs"
            | "Service:spec.ipFamilies"
            | "Service:spec.ports[].nodePort"
            | "Service:spec.healthCheckNodePort"
            | "PVC.volumeName"
            | "ServiceAccount:secrets"
    )
}

/// Static server defaults by canonical path.
static DEFAULTS: LazyLock<HashMap<String, Value>> = LazyLock::new(|| {
    let mut m: HashMap<String, Value> = HashMap::new();
    for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
        for (field, v) in [
            ("timeoutSeconds", json!(1)),
            ("periodSeconds", json!(10)),
            ("successThreshold", json!(1)),
            ("failureThreshold", json!(3)),
            ("httpGet.scheme", json!("HTTP")),
        ] {
            m.insert(format!("POD.containers[].{probe}.{field}"), v);
        }
    }
    let rolling = json!({"maxUnavailable": "25%", "maxSurge": "25%"});
    let table = [
        ("Deployment:spec.strategy", json!({"type": "RollingUpdate", "rollingUpdate": rolling})),
        ("Deployment:spec.strategy.rollingUpdate", rolling.clone()),
        ("Deployment:spec.strategy.rollingUpdate.maxUnavailable", json!("25%")),
        ("Deployment:spec.strategy.rollingUpdate.maxSurge", json!("25%")),
        ("Deployment:spec.revisionHistoryLimit", json!(10)),
        ("StatefulSet:spec.revisionHistoryLimit", json!(10)),
        ("DaemonSet:spec.revisionHistoryLimit", json!(10)),
        ("Deployment:spec.progressDeadlineSeconds", json!(600)),
        ("Deployment:spec.replicas", json!(1)),
        ("StatefulSet:spec.replicas", json!(1)),
        ("ReplicaSet:spec.replicas", json!(1)),
        ("StatefulSet:spec.podManagementPolicy", json!("OrderedReady")),
        (
            "StatefulSet:spec.updateStrategy",
            json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}),
        ),
        ("StatefulSet:spec.updateStrategy.rollingUpdate", json!({"partition": 0})),
        (
            "StatefulSet:spec.persistentVolumeClaimRetentionPolicy",
            json!({"whenDeleted": "Retain", "whenScaled": "Retain"}),
        ),
        (
            "DaemonSet:spec.updateStrategy",
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}),
        ),
        ("DaemonSet:spec.updateStrategy.rollingUpdate", json!({"maxUnavailable": 1, "maxSurge": 0})),
        ("Job:spec.backoffLimit", json!(6)),
        ("Job:spec.completions", json!(1)),
        ("Job:spec.parallelism", json!(1)),
        ("Job:spec.completionMode", json!("NonIndexed")),
        ("Job:spec.suspend", json!(false)),
        ("CronJob:spec.suspend", json!(false)),
        ("Job:spec.podReplacementPolicy", json!("TerminatingOrFailed")),
        ("CronJob:spec.concurrencyPolicy", json!("Allow")),
        ("CronJob:spec.successfulJobsHistoryLimit", json!(3)),
        ("CronJob:spec.failedJobsHistoryLimit", json!(1)),
        ("POD.restartPolicy", json!("Always")),
        ("POD.terminationGracePeriodSeconds", json!(30)),
        ("POD.dnsPolicy", json!("ClusterFirst")),
        ("POD.securityContext", json!({})),
        ("POD.schedulerName", json!("default-scheduler")),
        ("POD.enableServiceLinks", json!(true)),
        ("POD.containers[].terminationMessagePath", json!("/dev/termination-log")),
        ("POD.containers[].terminationMessagePolicy", json!("File")),
        ("POD.containers[].ports[].protocol", json!("TCP")),
        ("Service:spec.ports[].protocol", json!("TCP")),
        ("POD.volumes[].configMap.defaultMode", json!(420)),
        ("POD.volumes[].secret.defaultMode", json!(420)),
        ("POD.volumes[].projected.defaultMode", json!(420)),
        ("POD.volumes[].downwardAPI.defaultMode", json!(420)),
        ("Service:spec.type", json!("ClusterIP")),
        ("Service:spec.sessionAffinity", json!("None")),
        ("Service:spec.ipFamilyPolicy", json!("SingleStack")),
        ("Service:spec.internalTrafficPolicy", json!("Cluster")),
        ("PVC.volumeMode", json!("Filesystem")),
        ("PULL:Always", json!("Always")),
        ("PULL:IfNotPresent", json!("IfNotPresent")),
    ];
    m.extend(table.into_iter().map(|(k, v)| (k.to_string(), v)));
    m
});

/// The server default of the field at canonical path `canon`, given the object that holds it
/// (for conditional defaults: `imagePullPolicy` depends on the image, a Service port's
/// `targetPort` is its `port`).
#[must_use]
pub fn server_default<'a>(canon: &str, holder: Option<&'a Value>) -> Option<&'a Value> {
    match canon {
        "POD.containers[].imagePullPolicy" => DEFAULTS.get(&format!("PULL:{}", image_pull_policy(holder))),
        "Service:spec.ports[].targetPort" => holder?.get("port"),
        _ => DEFAULTS.get(canon),
    }
}

/// `Always` for `:latest` or untagged images, `IfNotPresent` otherwise (core/v1 defaults.go).
fn image_pull_policy(container: Option<&Value>) -> &'static str {
    let image = container.and_then(|c| c.get("image")).and_then(Value::as_str).unwrap_or("");
    let name = image.split('@').next().unwrap_or(image);
    let last = name.rsplit('/').next().unwrap_or(name);
    if image.contains('@') {
        return "IfNotPresent";
    }
    match last.rsplit_once(':') {
        Some((_, "latest")) | None => "Always",
        Some(_) => "IfNotPresent",
    }
}

/// What a CRD in the input says about its kind: scope, list types and defaults by schema path.
#[derive(Debug, Clone, Default)]
pub struct CrdInfo {
    /// `spec.scope == Namespaced`.
    pub namespaced: bool,
    /// `x-kubernetes-list-type` (and map keys) by raw schema path.
    pub lists: BTreeMap<String, ListType>,
    /// Schema `default` values by raw schema path.
    pub defaults: BTreeMap<String, Value>,
    /// Raw schema paths of strings typed as Go durations (`format: duration`, or a `pattern`
    /// of Go duration units as kubebuilder writes for `metav1.Duration`).
    pub durations: BTreeSet<String>,
    /// Raw schema paths of resource quantities (kubebuilder's `resource.Quantity` schema: an
    /// int-or-string with the quantity pattern).
    pub quantities: BTreeSet<String>,
    /// Raw schema paths of maps whose values are quantities (a `ResourceList`, such as
    /// `resources.limits` in a custom resource).
    pub quantity_maps: BTreeSet<String>,
}

/// Reads a CRD object: `((group, kind), info)`.
#[must_use]
pub fn crd_info(crd: &Value) -> Option<((String, String), CrdInfo)> {
    let spec = crd.get("spec")?;
    let group = spec.get("group")?.as_str()?.to_string();
    let kind = spec.get("names")?.get("kind")?.as_str()?.to_string();
    let mut info = CrdInfo {
        namespaced: spec.get("scope").and_then(Value::as_str) != Some("Cluster"),
        ..CrdInfo::default()
    };
    let versions = spec.get("versions").and_then(Value::as_array);
    // The storage version's schema (else the first one) describes the stored object.
    let version = versions.and_then(|vs| {
        vs.iter().find(|v| v.get("storage").and_then(Value::as_bool) == Some(true)).or_else(|| vs.first())
    });
    let schema = version
        .and_then(|v| v.get("schema"))
        .or_else(|| spec.get("validation"))
        .and_then(|s| s.get("openAPIV3Schema"));
    if let Some(schema) = schema {
        walk_schema(schema, String::new(), &mut info, 0);
    }
    Some(((group, kind), info))
}

fn walk_schema(schema: &Value, path: String, info: &mut CrdInfo, depth: usize) {
    if depth > 64 {
        return;
    }
    if let Some(d) = schema.get("default")
        && !path.is_empty()
    {
        info.defaults.insert(path.clone(), d.clone());
    }
    if is_duration_schema(schema) && !path.is_empty() {
        info.durations.insert(path.clone());
    }
    if is_quantity_schema(schema) && !path.is_empty() {
        info.quantities.insert(path.clone());
    }
    if schema.get("additionalProperties").is_some_and(is_quantity_schema) {
        info.quantity_maps.insert(path.clone());
    }
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (k, v) in props {
            let child = if path.is_empty() { k.clone() } else { format!("{path}.{k}") };
            walk_schema(v, child, info, depth + 1);
        }
    }
    if let Some(items) = schema.get("items") {
        let list = match schema.get("x-kubernetes-list-type").and_then(Value::as_str) {
            Some("map") => ListType::Map {
                keys: schema
                    .get("x-kubernetes-list-map-keys")
                    .and_then(Value::as_array)
                    .map(|ks| ks.iter().filter_map(Value::as_str).map(str::to_string).collect())
                    .unwrap_or_default(),
                ordered: false,
            },
            Some("set") => ListType::Set,
            _ => ListType::Atomic,
        };
        info.lists.insert(path.clone(), list);
        walk_schema(items, format!("{path}[]"), info, depth + 1);
    }
}

/// A string schema typed as a Go duration: `format: duration`, or a pattern made of Go's
/// duration units (`^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$`, Flux's CRDs).
fn is_duration_schema(schema: &Value) -> bool {
    let text = |k: &str| schema.get(k).and_then(Value::as_str);
    text("type") == Some("string")
        && (text("format") == Some("duration") || text("pattern").is_some_and(|p| p.contains("ms|s|m|h")))
}

/// A schema typed as a `resource.Quantity`: an int-or-string whose pattern has the binary
/// suffixes, as kubebuilder writes it (`^(\+|-)?(([0-9]+(\.[0-9]*)?)|…)(([KMGTPE]i)|…)?$`).
fn is_quantity_schema(schema: &Value) -> bool {
    let int_or_string = schema.get("x-kubernetes-int-or-string").and_then(Value::as_bool) == Some(true)
        || schema.get("anyOf").is_some();
    int_or_string && schema.get("pattern").and_then(Value::as_str).is_some_and(|p| p.contains("[KMGTPE]i"))
}

/// Duration fields of widely used CRDs, for inputs that do not carry the CRD (as Argo CD's
/// known types): Flux's reconcile `interval`, `timeout` and `retryInterval`, and cert-manager's
/// Certificate `duration` and `renewBefore`.
///
/// ```
/// use gitops_kit::diff::schema::is_known_duration_field;
/// assert!(is_known_duration_field("kustomize.toolkit.fluxcd.io", "Kustomization", "spec.interval"));
/// assert!(!is_known_duration_field("kustomize.config.k8s.io", "Kustomization", "spec.interval"));
/// ```
#[must_use]
pub fn is_known_duration_field(group: &str, kind: &str, raw: &str) -> bool {
    if group.ends_with(".toolkit.fluxcd.io") {
        return matches!(raw, "spec.interval" | "spec.timeout" | "spec.retryInterval");
    }
    group == "cert-manager.io" && kind == "Certificate" && matches!(raw, "spec.duration" | "spec.renewBefore")
}

/// Impact class of a change at a raw schema path of a kind.
#[must_use]
pub fn impact_of(kind: &str, raw: &str, canon: &str) -> super::Impact {
    use super::Impact;
    let immutable = match kind {
        "Deployment" | "ReplicaSet" | "DaemonSet" => raw.starts_with("spec.selector"),
        "StatefulSet" => {
            raw.starts_with("spec.selector")
                || raw.starts_with("spec.volumeClaimTemplates")
                || raw == "spec.serviceName"
                || raw == "spec.podManagementPolicy"
        }
        "Job" => {
            raw.starts_with("spec.selector")
                || raw.starts_with("spec.template")
                || raw == "spec.completionMode"
        }
        "Service" => raw == "spec.clusterIP" || raw == "spec.clusterIPs",
        "PersistentVolumeClaim" => {
            raw.starts_with("spec.")
                && !raw.starts_with("spec.resources.requests")
                && raw != "spec.volumeAttributesClassName"
        }
        "RoleBinding" | "ClusterRoleBinding" => raw.starts_with("roleRef"),
        _ => false,
    };
    if immutable {
        return Impact::Immutable;
    }
    if raw == "spec.replicas" {
        return Impact::Scale;
    }
    if canon.starts_with("POD") || raw.starts_with("spec.template") || raw.starts_with("spec.jobTemplate") {
        return Impact::Rollout;
    }
    if raw == "metadata" || raw.starts_with("metadata.") {
        return Impact::Metadata;
    }
    Impact::Config
}

/// Kinds whose removal destroys data or many objects.
#[must_use]
pub fn destructive_removal(kind: &str) -> bool {
    matches!(kind, "PersistentVolumeClaim" | "PersistentVolume" | "Namespace" | "CustomResourceDefinition")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_paths() {
        assert_eq!(
            canonical("Deployment", "spec.template.spec.initContainers[].image", &[]),
            "POD.containers[].image"
        );
        assert_eq!(canonical("CronJob", "spec.jobTemplate.spec.template.spec", &[]), "POD");
        assert_eq!(
            canonical("StatefulSet", "spec.volumeClaimTemplates[].spec.resources", &[]),
            "PVC.resources"
        );
        assert_eq!(canonical("Service", "spec.ports", &[]), "Service:spec.ports");
    }

    #[test]
    fn pull_policy_default() {
        assert_eq!(image_pull_policy(Some(&json!({"image": "repo/app:latest"}))), "Always");
        assert_eq!(image_pull_policy(Some(&json!({"image": "localhost:5000/app"}))), "Always");
        assert_eq!(image_pull_policy(Some(&json!({"image": "repo/app:1.2"}))), "IfNotPresent");
    }
}
