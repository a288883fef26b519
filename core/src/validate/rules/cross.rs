//! Cross-object rules over the whole input: duplicate objects (GK-S016), Services that select
//! nothing (GK-R002), dangling references (GK-R003, GK-G009), Service target ports (GK-R004),
//! readiness probes behind Services (GK-R005) and replicas fought over with an HPA (GK-G004).

use super::At;
use super::references;
use super::{containers, pod_labels, pod_spec, string_map, tok};
use crate::manifest::Resource;
use crate::validate::finding::{Finding, ResourceRef};
use crate::yaml::{NodeRef, ScalarValue};
use std::collections::{HashMap, HashSet};

pub(crate) struct Workload<'a> {
    pub resource: &'a Resource,
    pub labels: Vec<(String, String)>,
}

pub(crate) fn ns(r: &Resource) -> &str {
    r.id().namespace.as_deref().unwrap_or("")
}

pub(crate) fn push(
    out: &mut Vec<Finding>,
    r: &Resource,
    rule: &'static str,
    node: &NodeRef<'_>,
    pointer: String,
    message: String,
) {
    let mut f = Finding::at(rule, node, pointer, message);
    f.resource = Some(ResourceRef::of(r));
    out.push(f);
}

/// Runs the cross-object rules. `bundles` are the file sets that one kustomization builds
/// together (GK-S016's scope across files).
/// Whether a kustomization building `file` generates the `kind` (`ConfigMap`, `Secret`) named
/// `name` (`configMapGenerator`, `secretGenerator`): arguments file, kind, name.
pub(crate) type Generated<'g> = dyn Fn(&str, &str, &str) -> bool + 'g;

/// Runs the cross-object rules.
pub(crate) fn check(
    resources: &[Resource],
    bundles: &[HashSet<String>],
    generated: &Generated<'_>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    duplicates(resources, bundles, &mut out);
    let workloads: Vec<Workload<'_>> = resources
        .iter()
        .filter(|r| r.id().kind != "PodTemplate" && pod_spec(&r.node(), &r.id().kind).is_some())
        .map(|r| Workload { resource: r, labels: string_map(pod_labels(&r.node(), &r.id().kind)) })
        .collect();
    // Workloads by (namespace, label, value): a Service's candidates come from its first
    // selector pair, so matching stays linear in the input.
    let mut by_label: HashMap<(&str, &str, &str), Vec<&Workload<'_>>> = HashMap::new();
    for w in &workloads {
        for (k, v) in &w.labels {
            by_label.entry((ns(w.resource), k.as_str(), v.as_str())).or_default().push(w);
        }
    }
    let index = Index::new(resources, bundles);
    let mut backed: HashSet<*const Resource> = HashSet::new();
    for svc in resources.iter().filter(|r| r.id().group.is_empty() && r.id().kind == "Service") {
        service(svc, &by_label, &index, &mut backed, &mut out);
    }
    for w in &workloads {
        if backed.contains(&std::ptr::from_ref(w.resource)) {
            readiness(w.resource, &mut out);
        }
    }
    for r in resources {
        let root = r.node();
        match (r.id().group.as_str(), r.id().kind.as_str()) {
            ("autoscaling", "HorizontalPodAutoscaler") => hpa(r, &root, resources, &index, &mut out),
            ("networking.k8s.io", "Ingress") => ingress(r, &root, &index, &mut out),
            ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding") => {
                references::binding(r, &root, &index, &mut out);
            }
            ("policy", "PodDisruptionBudget") => {
                references::selector(r, &root, "/spec/selector/matchLabels", &workloads, &index, &mut out);
            }
            ("networking.k8s.io", "NetworkPolicy") => {
                references::selector(r, &root, "/spec/podSelector/matchLabels", &workloads, &index, &mut out);
            }
            _ => {}
        }
    }
    for w in &workloads {
        let file = w.resource.file();
        let has = |kind: &str, ns: &str, name: &str| index.has(kind, ns, name) || generated(file, kind, name);
        config_refs(w.resource, &has, &mut out);
        references::pod(w.resource, &index, &mut out);
    }
    out
}

/// What the input defines: objects by (kind, namespace, name), plus the Secrets that objects of
/// the input produce (SealedSecret, ExternalSecret, cert-manager Certificate), and the files
/// that define each kind per namespace (GK-R003 only judges a kind that the files applied with
/// the referencing object manage).
pub(crate) struct Index<'a> {
    names: HashSet<(&'a str, &'a str, &'a str)>,
    kinds: HashMap<(&'a str, &'a str), HashSet<&'a str>>,
    /// Namespaces holding custom resources (whose operators may create pods).
    custom: HashSet<&'a str>,
    bundles: &'a [HashSet<String>],
}

impl<'a> Index<'a> {
    fn new(resources: &'a [Resource], bundles: &'a [HashSet<String>]) -> Index<'a> {
        let mut index =
            Index { names: HashSet::new(), kinds: HashMap::new(), custom: HashSet::new(), bundles };
        for r in resources {
            let kind = r.id().kind.as_str();
            // ClusterRoles are cluster-scoped even when a stray namespace is written on one.
            let ns = if kind == "ClusterRole" { "" } else { ns(r) };
            index.names.insert((kind, ns, r.id().name.as_str()));
            index.kinds.entry((kind, ns)).or_default().insert(r.file());
            if let Some(secret) = references::produced_secret(r) {
                index.names.insert(("Secret", ns, secret));
                index.kinds.entry(("Secret", ns)).or_default().insert(r.file());
            }
            let group = r.id().group.as_str();
            if group.contains('.') && !group.ends_with(".k8s.io") {
                index.custom.insert(ns);
            }
        }
        index
    }

    /// An object of this kind, namespace and name is in the input; an object written without
    /// a namespace counts for every namespace (it lands in the one it is applied to).
    pub fn has(&self, kind: &str, ns: &str, name: &str) -> bool {
        self.names.contains(&(kind, ns, name)) || self.names.contains(&(kind, "", name))
    }

    /// The files applied together with `file` (itself, or the files of a kustomization listing
    /// it) define at least one object of this kind in this namespace (or without a namespace).
    pub fn manages(&self, kind: &str, ns: &str, file: &str) -> bool {
        [ns, ""].iter().filter_map(|n| self.kinds.get(&(kind, *n))).any(|files| {
            files.contains(file)
                || self
                    .bundles
                    .iter()
                    .any(|b| b.contains(file) && b.iter().any(|f| files.contains(f.as_str())))
        })
    }

    /// Both files are listed by one kustomization.
    pub fn together(&self, a: &str, b: &str) -> bool {
        self.bundles.iter().any(|set| set.contains(a) && set.contains(b))
    }

    /// Custom resources live in this namespace: an operator may create pods there.
    pub fn has_custom(&self, ns: &str) -> bool {
        self.custom.contains(ns)
    }
}

/// GK-S016, scoped to what is applied together: one file (a `kubectl apply -f` unit, or a
/// rendered `kustomize build`/`helm template` piped in), or the files one kustomization lists
/// (kustomize itself then fails with "already registered id"). Other files of a directory are
/// treated as alternatives (install variants, examples, test fixtures) and never collide.
/// Group, kind, namespace and name.
type Identity<'a> = (&'a str, &'a str, &'a str, &'a str);

fn duplicates(resources: &[Resource], bundles: &[HashSet<String>], out: &mut Vec<Finding>) {
    // The first definition of each identity, and later ones in files not applied with it (kept
    // only when some identity repeats, so the common case allocates nothing per object).
    let mut seen: HashMap<Identity<'_>, (&Resource, Vec<&Resource>)> = HashMap::new();
    let together = |a: &str, b: &str| a == b || bundles.iter().any(|set| set.contains(a) && set.contains(b));
    for r in resources.iter().filter(|r| !r.id().generate_name) {
        let id = r.id();
        let key = (id.group.as_str(), id.kind.as_str(), ns(r), id.name.as_str());
        let Some((first, others)) = seen.get_mut(&key) else {
            seen.insert(key, (r, Vec::new()));
            continue;
        };
        match std::iter::once(&*first).chain(others.iter()).find(|e| together(e.file(), r.file())) {
            Some(earlier) => {
                let at = r.node().at("/metadata/name").unwrap_or_else(|| r.node());
                let loc = earlier.location();
                let msg = format!("{}/{} {:?} is defined twice (first at {loc})", id.group, id.kind, id.name);
                push(out, r, "GK-S016", &at, "/metadata/name".into(), msg);
            }
            None => others.push(r),
        }
    }
}

pub(crate) fn selects(selector: &[(String, String)], labels: &[(String, String)]) -> bool {
    !selector.is_empty() && selector.iter().all(|s| labels.contains(s))
}

/// Pod labels controllers add themselves (a Service may select one StatefulSet pod by name):
/// pod templates never carry them, so selectors are matched without them.
const CONTROLLER_POD_LABELS: &[&str] = &[
    "statefulset.kubernetes.io/pod-name",
    "apps.kubernetes.io/pod-index",
    "controller-revision-hash",
    "pod-template-hash",
    "pod-template-generation",
    "batch.kubernetes.io/job-completion-index",
    "batch.kubernetes.io/job-name",
    "batch.kubernetes.io/controller-uid",
    "job-name",
    "controller-uid",
];

fn service(
    svc: &Resource,
    by_label: &HashMap<(&str, &str, &str), Vec<&Workload<'_>>>,
    index: &Index<'_>,
    backed: &mut HashSet<*const Resource>,
    out: &mut Vec<Finding>,
) {
    let root = svc.node();
    let Some(sel_node) = root.at("/spec/selector") else { return };
    let mut selector = string_map(Some(sel_node));
    selector.retain(|(k, _)| !CONTROLLER_POD_LABELS.contains(&k.as_str()));
    if selector.is_empty() {
        return;
    }
    let (k, v) = &selector[0];
    let candidates = by_label.get(&(ns(svc), k.as_str(), v.as_str())).map_or(&[][..], Vec::as_slice);
    let targets: Vec<&Workload<'_>> =
        candidates.iter().copied().filter(|w| selects(&selector, &w.labels)).collect();
    if targets.is_empty() {
        // Operators create the pods of their custom resources (Prometheus, Alertmanager, …).
        if !index.has_custom(ns(svc)) {
            let msg = "Service selector matches no workload in the input".to_string();
            push(out, svc, "GK-R002", &sel_node, "/spec/selector".into(), msg);
        }
        return;
    }
    let mut declared: HashSet<String> = HashSet::new();
    for w in &targets {
        backed.insert(std::ptr::from_ref(w.resource));
        let wr = w.resource.node();
        if let Some((spec, sp)) = pod_spec(&wr, &w.resource.id().kind) {
            for c in containers(&spec, sp) {
                for p in super::list(c.node.get("ports")).into_iter() {
                    if let Some(n) = p.get("name").and_then(|n| n.as_str()) {
                        declared.insert(n.to_string());
                    }
                }
            }
        }
    }
    let Some(ports) = root.at("/spec/ports") else { return };
    for (i, port) in ports.items().enumerate() {
        let Some(target) = port.get("targetPort") else { continue };
        if let Ok(Some(ScalarValue::Str(name))) = target.value()
            && !declared.contains(name)
        {
            let msg = format!("targetPort {name:?} is not a port name of the selected pods");
            push(out, svc, "GK-R004", &target, format!("/spec/ports/{i}/targetPort"), msg);
        }
    }
}

fn readiness(r: &Resource, out: &mut Vec<Finding>) {
    let root = r.node();
    let Some((spec, sp)) = pod_spec(&root, &r.id().kind) else { return };
    for c in containers(&spec, sp).into_iter().filter(|c| !c.init) {
        if c.node.get("readinessProbe").is_none() {
            let at = c.node.get_entry("name").map_or(c.node, |(k, _)| k);
            let msg = "container behind a Service has no readinessProbe".to_string();
            push(out, r, "GK-R005", &at, format!("{}/readinessProbe", c.pointer), msg);
        }
    }
}

fn hpa(r: &Resource, root: &NodeRef<'_>, resources: &[Resource], index: &Index<'_>, out: &mut Vec<Finding>) {
    let Some(target) = root.at("/spec/scaleTargetRef") else { return };
    let (Some(kind), Some(name)) = (target.get_str("kind"), target.get_str("name")) else { return };
    if !index.has(kind, ns(r), name) {
        // A partial set (the workload lives elsewhere) is not a dangling reference.
        if index.manages(kind, ns(r), r.file()) {
            let msg = format!("HorizontalPodAutoscaler targets {kind} {name:?}, which is not in the input");
            push(out, r, "GK-R003", &target, "/spec/scaleTargetRef".into(), msg);
        }
        return;
    }
    for w in resources.iter().filter(|w| w.id().kind == kind && w.id().name == name && ns(w) == ns(r)) {
        if let Some((k, _)) = w.node().get("spec").and_then(|s| s.get_entry("replicas")) {
            let msg = format!(
                "{kind} {name:?} sets spec.replicas while HorizontalPodAutoscaler {:?} scales it",
                r.id().name
            );
            push(out, w, "GK-G004", &k, "/spec/replicas".into(), msg);
        }
    }
}

fn ingress(r: &Resource, root: &NodeRef<'_>, index: &Index<'_>, out: &mut Vec<Finding>) {
    let mut backends: Vec<(NodeRef<'_>, String)> = Vec::new();
    if let Some(b) = root.at("/spec/defaultBackend/service/name") {
        backends.push((b, "/spec/defaultBackend/service/name".into()));
    }
    for (i, rule) in super::list(root.at("/spec/rules")).into_iter().enumerate() {
        for (j, path) in super::list(rule.at("/http/paths")).into_iter().enumerate() {
            if let Some(b) = path.at("/backend/service/name") {
                backends.push((b, format!("/spec/rules/{i}/http/paths/{j}/backend/service/name")));
            }
        }
    }
    references::ingress_tls(r, root, index, out);
    if !index.manages("Service", ns(r), r.file()) {
        return;
    }
    for (node, pointer) in backends {
        let Some(name) = node.as_str() else { continue };
        if !index.has("Service", ns(r), name) {
            push(
                out,
                r,
                "GK-R003",
                &node,
                pointer,
                format!("Ingress backend Service {name:?} is not in the input"),
            );
        }
    }
}

/// ConfigMaps and Secrets a workload needs (envFrom, env valueFrom, volumes), not optional.
fn config_refs(r: &Resource, has: &dyn Fn(&str, &str, &str) -> bool, out: &mut Vec<Finding>) {
    let root = r.node();
    let Some((spec, sp)) = pod_spec(&root, &r.id().kind) else { return };
    let mut refs: Vec<(&'static str, NodeRef<'_>, String)> = Vec::new();
    let optional = |n: Option<NodeRef<'_>>| super::is_true(n.and_then(|n| n.get("optional")));
    for c in containers(&spec, sp) {
        for (i, from) in super::list(c.node.get("envFrom")).into_iter().enumerate() {
            for (field, kind) in [("configMapRef", "ConfigMap"), ("secretRef", "Secret")] {
                let src = from.get(field);
                if let Some(name) = src.and_then(|s| s.get("name")).filter(|_| !optional(src)) {
                    refs.push((kind, name, format!("{}/envFrom/{i}/{field}/name", c.pointer)));
                }
            }
        }
        for (i, var) in super::list(c.node.get("env")).into_iter().enumerate() {
            for (field, kind) in [("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")] {
                let src = var.get("valueFrom").and_then(|v| v.get(field));
                if let Some(name) = src.and_then(|s| s.get("name")).filter(|_| !optional(src)) {
                    refs.push((kind, name, format!("{}/env/{i}/valueFrom/{field}/name", c.pointer)));
                }
            }
        }
    }
    for (i, vol) in super::list(spec.get("volumes")).into_iter().enumerate() {
        for (field, key, kind) in [("configMap", "name", "ConfigMap"), ("secret", "secretName", "Secret")] {
            let src = vol.get(field);
            if let Some(name) = src.and_then(|s| s.get(key)).filter(|_| !optional(src)) {
                refs.push((kind, name, format!("{sp}/volumes/{i}/{field}/{}", tok(key))));
            }
        }
    }
    for (kind, node, pointer) in refs {
        let Some(name) = node.as_str() else { continue };
        if !has(kind, ns(r), name) {
            let msg = format!("{kind} {name:?} is referenced but not in the input");
            push(out, r, "GK-G009", &node, pointer, msg);
        }
    }
}
