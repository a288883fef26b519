//! Object-level rules: names (GK-S011), labels (GK-S012), annotations (GK-S013), ConfigMap and
//! Secret keys (GK-S015), required labels (GK-G005), namespaces (GK-G006), live-cluster fields
//! (GK-G007), plain Secrets (GK-SEC009), RBAC (GK-SEC010), PDBs (GK-R008).

use super::At;
use super::{Ctx, as_int, syntax, tok};
use crate::yaml::{NodeKind, NodeRef, ScalarValue};

/// Kinds whose objects are not namespaced (built-in API).
const CLUSTER_SCOPED: &[&str] = &[
    "Namespace",
    "Node",
    "PersistentVolume",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "StorageClass",
    "PriorityClass",
    "IngressClass",
    "RuntimeClass",
    "CSIDriver",
    "CSINode",
    "VolumeAttachment",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "MutatingAdmissionPolicy",
    "MutatingAdmissionPolicyBinding",
    "APIService",
    "CertificateSigningRequest",
    "FlowSchema",
    "PriorityLevelConfiguration",
    "ComponentStatus",
    "DeviceClass",
    "ResourceSlice",
    "VolumeAttributesClass",
    "ClusterTrustBundle",
    "IPAddress",
    "ServiceCIDR",
    "StorageVersion",
    "StorageVersionMigration",
    "SelfSubjectReview",
    "TokenReview",
    "SubjectAccessReview",
    "SelfSubjectAccessReview",
    "SelfSubjectRulesReview",
    "ComponentStatusList",
];

/// Kinds whose names are path segments (RBAC allows `:`), not DNS subdomains.
const PATH_SEGMENT_NAMES: &[&str] = &["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"];

/// Runs every object-level rule.
pub(crate) fn check(ctx: &mut Ctx<'_>) {
    name(ctx);
    service_ports(ctx);
    labels(ctx);
    annotations(ctx);
    config_keys(ctx);
    live_fields(ctx);
    namespace(ctx);
    required_labels(ctx);
    plain_secret(ctx);
    rbac(ctx);
    pdb(ctx);
}

fn name(ctx: &mut Ctx<'_>) {
    let Some(node) = ctx.root.at("/metadata/name") else { return };
    let Some(name) = node.as_str() else { return };
    let kind = ctx.kind();
    let result = match kind {
        "Service" => syntax::dns1035_label(name),
        "Namespace" => syntax::dns1123_label(name),
        "CronJob" if name.len() > 52 => Err(format!("must be at most 52 characters (has {})", name.len())),
        k if PATH_SEGMENT_NAMES.contains(&k) => {
            if name.is_empty() || name == "." || name == ".." || name.contains(['/', '%']) {
                Err("must not be '.', '..' or contain '/' or '%'".into())
            } else {
                Ok(())
            }
        }
        _ => syntax::dns1123_subdomain(name),
    };
    if let Err(why) = result {
        ctx.report("GK-S011", &node, "/metadata/name", format!("{kind} name {name:?} is invalid: {why}"));
    }
}

/// Label maps: the object's, the pod template's, and selectors' matchLabels.
fn labels(ctx: &mut Ctx<'_>) {
    let root = ctx.root;
    let mut maps = vec!["/metadata/labels".to_string()];
    for p in [
        "/spec/template/metadata/labels",
        "/spec/selector/matchLabels",
        "/spec/jobTemplate/spec/template/metadata/labels",
    ] {
        maps.push(p.to_string());
    }
    if ctx.kind() == "Service" {
        maps.push("/spec/selector".into());
    }
    for pointer in maps {
        let Some(map) = root.at(&pointer).filter(|n| n.kind() == NodeKind::Mapping) else { continue };
        for (k, v) in map.entries() {
            let Some(key) = k.key_string() else { continue };
            let child = format!("{pointer}/{}", tok(&key));
            if let Err(why) = syntax::qualified_name(&key) {
                ctx.report("GK-S012", &k, &child, format!("label key {key:?} is invalid: {why}"));
            }
            if let Ok(Some(ScalarValue::Str(value))) = v.value()
                && let Err(why) = syntax::label_value(value)
            {
                ctx.report("GK-S012", &v, &child, format!("label value {value:?} is invalid: {why}"));
            }
        }
    }
}

fn annotations(ctx: &mut Ctx<'_>) {
    let root = ctx.root;
    for pointer in ["/metadata/annotations", "/spec/template/metadata/annotations"] {
        let Some(map) = root.at(pointer).filter(|n| n.kind() == NodeKind::Mapping) else { continue };
        let mut total = 0usize;
        for (k, v) in map.entries() {
            let Some(key) = k.key_string() else { continue };
            total += key.len() + v.as_str().map_or(0, str::len);
            if let Err(why) = syntax::qualified_name(&key) {
                let child = format!("{pointer}/{}", tok(&key));
                ctx.report("GK-S013", &k, &child, format!("annotation key {key:?} is invalid: {why}"));
            }
        }
        if total > 256 * 1024 {
            ctx.report(
                "GK-S013",
                &map,
                pointer,
                format!("annotations total {total} bytes, above the 256 KiB limit"),
            );
        }
    }
}

fn config_keys(ctx: &mut Ctx<'_>) {
    let kind = ctx.kind();
    if !ctx.group().is_empty() || !matches!(kind, "ConfigMap" | "Secret") {
        return;
    }
    let root = ctx.root;
    for field in ["data", "binaryData", "stringData"] {
        let Some(map) = root.get(field) else { continue };
        for (k, _) in map.entries() {
            let Some(key) = k.key_string() else { continue };
            if let Err(why) = syntax::config_key(&key) {
                let child = format!("/{field}/{}", tok(&key));
                ctx.report("GK-S015", &k, &child, format!("{kind} key {key:?} is invalid: {why}"));
            }
        }
    }
    let size = root.byte_range().len();
    if size > 1 << 20 {
        ctx.report("GK-S015", &root, "", format!("{kind} is {size} bytes, above the 1 MiB object limit"));
    }
}

fn live_fields(ctx: &mut Ctx<'_>) {
    let root = ctx.root;
    let mut found: Vec<(NodeRef<'_>, String, String)> = Vec::new();
    if let Some((k, _)) = root.get_entry("status") {
        found.push((k, "/status".into(), "status".into()));
    }
    if let Some(meta) = root.get("metadata") {
        for field in
            ["uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink"]
        {
            if let Some((k, v)) = meta.get_entry(field) {
                // `creationTimestamp: null` is what kubectl writes in dry-run output: harmless.
                if matches!(v.value(), Ok(Some(ScalarValue::Null))) {
                    continue;
                }
                found.push((k, format!("/metadata/{field}"), format!("metadata.{field}")));
            }
        }
        let last_applied = "kubectl.kubernetes.io/last-applied-configuration";
        if let Some((k, _)) = meta.get("annotations").and_then(|a| a.get_entry(last_applied)) {
            found.push((k, format!("/metadata/annotations/{}", tok(last_applied)), last_applied.into()));
        }
    }
    for (node, pointer, what) in found {
        ctx.report("GK-G007", &node, &pointer, format!("live-cluster field {what} is committed"));
    }
}

fn namespace(ctx: &mut Ctx<'_>) {
    let kind = ctx.kind();
    let builtin = !ctx.group().contains('.') || ctx.group().ends_with(".k8s.io");
    let namespaced = match ctx.crd_scopes.get(&format!("{}/{kind}", ctx.group())) {
        Some(&namespaced) => namespaced,
        None if builtin => !CLUSTER_SCOPED.contains(&kind) && !kind.ends_with("List"),
        // Unknown custom kinds: we cannot tell.
        None => false,
    };
    if namespaced && ctx.resource.id().namespace.is_none() {
        let at = ctx.root.get_entry("metadata").map_or(ctx.root, |(k, _)| k);
        ctx.report("GK-G006", &at, "/metadata", format!("namespaced {kind} has no metadata.namespace"));
    }
}

fn required_labels(ctx: &mut Ctx<'_>) {
    let kind = ctx.kind();
    let is_workload = super::pod_spec(&ctx.root, kind).is_some() && kind != "Pod" && kind != "PodTemplate";
    if !is_workload && kind != "Service" {
        return;
    }
    let labels = ctx.root.at("/metadata/labels");
    let missing: Vec<&String> =
        ctx.params.required_labels.iter().filter(|l| labels.and_then(|m| m.get(l)).is_none()).collect();
    if missing.is_empty() {
        return;
    }
    let at = ctx.root.get_entry("metadata").map_or(ctx.root, |(k, _)| k);
    let list: Vec<String> = missing.iter().map(|l| format!("{l:?}")).collect();
    ctx.report(
        "GK-G005",
        &at,
        "/metadata/labels",
        format!("{kind} lacks required labels {}", list.join(", ")),
    );
}

fn plain_secret(ctx: &mut Ctx<'_>) {
    if !ctx.group().is_empty() || ctx.kind() != "Secret" {
        return;
    }
    for field in ["data", "stringData"] {
        if let Some((k, v)) = ctx.root.get_entry(field)
            && !v.is_empty()
        {
            let msg = format!("plain Secret with {field} committed to Git: values are only base64-encoded");
            ctx.report("GK-SEC009", &k, &format!("/{field}"), msg);
            return;
        }
    }
}

fn rbac(ctx: &mut Ctx<'_>) {
    if ctx.group() != "rbac.authorization.k8s.io" {
        return;
    }
    let root = ctx.root;
    match ctx.kind() {
        "Role" | "ClusterRole" => {
            let Some(rules) = root.get("rules") else { return };
            for (i, rule) in rules.items().enumerate() {
                for field in ["verbs", "resources", "apiGroups"] {
                    let Some(list) = rule.get(field) else { continue };
                    for (j, item) in list.items().enumerate() {
                        if item.as_str() == Some("*") && field != "apiGroups" {
                            let p = format!("/rules/{i}/{field}/{j}");
                            ctx.report("GK-SEC010", &item, &p, format!("wildcard \"*\" in rule {field}"));
                        }
                    }
                }
            }
        }
        "RoleBinding" | "ClusterRoleBinding" => {
            if let Some(name) = root.at("/roleRef/name")
                && name.as_str() == Some("cluster-admin")
            {
                ctx.report("GK-SEC010", &name, "/roleRef/name", "binding to cluster-admin".into());
            }
            // The API server accepts only ClusterRoles in a ClusterRoleBinding (a Role is
            // namespaced; the schema's enum allows both for RoleBindings).
            if ctx.kind() == "ClusterRoleBinding"
                && let Some(kind) = root.at("/roleRef/kind")
                && kind.as_str() == Some("Role")
            {
                let msg =
                    "ClusterRoleBinding roleRef.kind \"Role\" is not allowed: use ClusterRole".to_string();
                ctx.report("GK-S005", &kind, "/roleRef/kind", msg);
            }
        }
        _ => {}
    }
}

fn pdb(ctx: &mut Ctx<'_>) {
    if ctx.group() != "policy" || ctx.kind() != "PodDisruptionBudget" {
        return;
    }
    let root = ctx.root;
    if let Some(node) = root.at("/spec/maxUnavailable")
        && (as_int(Some(node)) == Some(0) || node.as_str() == Some("0%"))
    {
        ctx.report(
            "GK-R008",
            &node,
            "/spec/maxUnavailable",
            "maxUnavailable 0 never allows a voluntary disruption".into(),
        );
    }
    if let Some(node) = root.at("/spec/minAvailable")
        && node.as_str() == Some("100%")
    {
        ctx.report(
            "GK-R008",
            &node,
            "/spec/minAvailable",
            "minAvailable 100% never allows a voluntary disruption".into(),
        );
    }
}

/// Service port names are DNS labels; a named targetPort is an IANA service name.
fn service_ports(ctx: &mut Ctx<'_>) {
    if !ctx.group().is_empty() || ctx.kind() != "Service" {
        return;
    }
    let Some(ports) = ctx.root.at("/spec/ports") else { return };
    for (i, port) in ports.items().enumerate() {
        if let Some(node) = port.get("name")
            && let Some(name) = node.as_str()
            && let Err(why) = syntax::dns1123_label(name)
        {
            ctx.report(
                "GK-S014",
                &node,
                &format!("/spec/ports/{i}/name"),
                format!("Service port name {name:?} is invalid: {why}"),
            );
        }
        if let Some(node) = port.get("targetPort")
            && let Ok(Some(ScalarValue::Str(name))) = node.value()
            && let Err(why) = syntax::port_name(name)
        {
            let msg = format!("targetPort name {name:?} is invalid: {why}");
            ctx.report("GK-S014", &node, &format!("/spec/ports/{i}/targetPort"), msg);
        }
    }
}
