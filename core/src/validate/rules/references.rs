//! GK-R003, dangling references beyond HPA→target and Ingress→Service: RBAC bindings → roles
//! and ServiceAccounts, pods → ServiceAccount and PersistentVolumeClaims, Ingress TLS →
//! Secret, PodDisruptionBudget and NetworkPolicy selectors → pods.
//!
//! Partial sets are normal in GitOps repositories (a namespace's ServiceAccounts or Secrets are
//! often managed elsewhere), so a reference is only judged when the files applied together with
//! the referencing object (its own file, or the files of a kustomization that lists it) manage
//! the referenced kind in that namespace, i.e. define at least one object of it there (an object
//! written without a namespace counts for any). Selectors are only judged against the workloads
//! of those files, and not at all in a namespace holding custom resources (operators create
//! pods). Objects every cluster or namespace has (the `default` ServiceAccount, built-in
//! `system:*`, `cluster-admin`, `admin`, `edit`, `view` roles) are never missing; Secrets that an
//! object of the input produces (SealedSecret, ExternalSecret, cert-manager Certificate, or
//! cert-manager's Ingress annotations) count as present. ConfigMap and Secret references of pods
//! are GK-G009's.

use super::At;
use super::cross::{Index, Workload, ns, push, selects};
use super::{list, pod_spec, string_map};
use crate::manifest::Resource;
use crate::validate::finding::Finding;
use crate::yaml::NodeRef;

/// ClusterRoles and Roles the API server creates in every cluster (besides `system:*`).
const BUILTIN_ROLES: &[&str] =
    &["cluster-admin", "admin", "edit", "view", "extension-apiserver-authentication-reader"];

/// The Secret an object of the input makes the cluster create, if any.
pub(crate) fn produced_secret(r: &Resource) -> Option<&str> {
    let root = r.node();
    let named = |pointer: &str| root.at(pointer).and_then(|n| n.as_str());
    match (r.id().group.as_str(), r.id().kind.as_str()) {
        ("bitnami.com", "SealedSecret") => named("/spec/template/metadata/name").or(Some(&r.id().name)),
        ("external-secrets.io", "ExternalSecret") => named("/spec/target/name").or(Some(&r.id().name)),
        ("cert-manager.io", "Certificate") => named("/spec/secretName"),
        _ => None,
    }
}

/// `default` (every namespace has it) or empty (means `default`).
fn is_default(name: &str) -> bool {
    name.is_empty() || name == "default"
}

fn report(out: &mut Vec<Finding>, r: &Resource, node: &NodeRef<'_>, pointer: String, message: String) {
    push(out, r, "GK-R003", node, pointer, message);
}

/// RoleBinding/ClusterRoleBinding → Role/ClusterRole, and subjects → ServiceAccounts.
pub(crate) fn binding(r: &Resource, root: &NodeRef<'_>, index: &Index<'_>, out: &mut Vec<Finding>) {
    let kind = r.id().kind.as_str();
    if let Some(role) = root.get("roleRef")
        && let (Some(role_kind), Some(name_node)) = (role.get_str("kind"), role.get("name"))
        && let Some(name) = name_node.as_str()
    {
        // A RoleBinding's Role is in its namespace; ClusterRoles are cluster-scoped.
        let role_ns = if role_kind == "Role" { ns(r) } else { "" };
        let builtin = BUILTIN_ROLES.contains(&name) || name.starts_with("system:");
        if !builtin && index.manages(role_kind, role_ns, r.file()) && !index.has(role_kind, role_ns, name) {
            let msg = format!("{kind} references {role_kind} {name:?}, which is not in the input");
            report(out, r, &name_node, "/roleRef/name".into(), msg);
        }
    }
    for (i, subject) in list(root.get("subjects")).into_iter().enumerate() {
        if subject.get_str("kind") != Some("ServiceAccount") {
            continue;
        }
        let Some(name_node) = subject.get("name") else { continue };
        let Some(name) = name_node.as_str() else { continue };
        let sa_ns = subject.get_str("namespace").unwrap_or(ns(r));
        if !is_default(name)
            && index.manages("ServiceAccount", sa_ns, r.file())
            && !index.has("ServiceAccount", sa_ns, name)
        {
            let who = if sa_ns.is_empty() { name.to_string() } else { format!("{sa_ns}/{name}") };
            let msg = format!("{kind} binds ServiceAccount {who}, which is not in the input");
            report(out, r, &name_node, format!("/subjects/{i}/name"), msg);
        }
    }
}

/// A workload's ServiceAccount and PersistentVolumeClaims.
pub(crate) fn pod(r: &Resource, index: &Index<'_>, out: &mut Vec<Finding>) {
    let root = r.node();
    let Some((spec, sp)) = pod_spec(&root, &r.id().kind) else { return };
    let ns = ns(r);
    for field in ["serviceAccountName", "serviceAccount"] {
        let Some(node) = spec.get(field) else { continue };
        let Some(name) = node.as_str() else { continue };
        if !is_default(name)
            && index.manages("ServiceAccount", ns, r.file())
            && !index.has("ServiceAccount", ns, name)
        {
            let msg = format!("ServiceAccount {name:?} is not in the input");
            report(out, r, &node, format!("{sp}/{field}"), msg);
        }
        break; // serviceAccount is the deprecated alias: only the field Kubernetes reads
    }
    if !index.manages("PersistentVolumeClaim", ns, r.file()) {
        return;
    }
    // A StatefulSet replaces the pod volumes named like its claim templates with per-pod claims.
    let templates: Vec<&str> = list(root.at("/spec/volumeClaimTemplates"))
        .into_iter()
        .filter_map(|t| t.at("/metadata/name").and_then(|n| n.as_str()))
        .collect();
    for (i, vol) in list(spec.get("volumes")).into_iter().enumerate() {
        if vol.get_str("name").is_some_and(|n| templates.contains(&n)) {
            continue;
        }
        let Some(node) = vol.at("/persistentVolumeClaim/claimName") else { continue };
        let Some(name) = node.as_str() else { continue };
        if !index.has("PersistentVolumeClaim", ns, name) {
            let msg = format!("PersistentVolumeClaim {name:?} is not in the input");
            report(out, r, &node, format!("{sp}/volumes/{i}/persistentVolumeClaim/claimName"), msg);
        }
    }
}

/// Ingress TLS certificates → Secrets (unless cert-manager's annotations make it create them).
pub(crate) fn ingress_tls(r: &Resource, root: &NodeRef<'_>, index: &Index<'_>, out: &mut Vec<Finding>) {
    let annotations = string_map(root.at("/metadata/annotations"));
    let shim = ["cert-manager.io/issuer", "cert-manager.io/cluster-issuer", "kubernetes.io/tls-acme"];
    if annotations.iter().any(|(k, _)| shim.contains(&k.as_str()))
        || !index.manages("Secret", ns(r), r.file())
    {
        return;
    }
    for (i, tls) in list(root.at("/spec/tls")).into_iter().enumerate() {
        let Some(node) = tls.get("secretName") else { continue };
        let Some(name) = node.as_str() else { continue };
        if !index.has("Secret", ns(r), name) {
            let msg = format!("Ingress TLS Secret {name:?} is not in the input");
            report(out, r, &node, format!("/spec/tls/{i}/secretName"), msg);
        }
    }
}

/// A PodDisruptionBudget's or NetworkPolicy's `matchLabels` that select no pod of the input
/// (judged only when the selector has no `matchExpressions` and the namespace has workloads).
pub(crate) fn selector(
    r: &Resource,
    root: &NodeRef<'_>,
    pointer: &str,
    workloads: &[Workload<'_>],
    index: &Index<'_>,
    out: &mut Vec<Finding>,
) {
    let Some(node) = root.at(pointer) else { return };
    if index.has_custom(ns(r)) {
        return; // pods of operator-managed custom resources (Prometheus, …) are not in the input
    }
    let parent = pointer.trim_end_matches("/matchLabels");
    if root.at(parent).and_then(|p| p.get("matchExpressions")).is_some() {
        return;
    }
    let wanted = string_map(Some(node));
    let mut same_ns = workloads
        .iter()
        .filter(|w| {
            ns(w.resource) == ns(r)
                && (w.resource.file() == r.file() || index.together(w.resource.file(), r.file()))
        })
        .peekable();
    if wanted.is_empty() || same_ns.peek().is_none() {
        return;
    }
    if !same_ns.any(|w| selects(&wanted, &w.labels)) {
        let kind = &r.id().kind;
        let msg = format!("{kind} selector matches no pods of the workloads in the input");
        report(out, r, &node, pointer.to_string(), msg);
    }
}
