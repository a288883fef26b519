//! The rule catalog's checks, one file per family. Per-object rules see one [`Ctx`]; the
//! cross-object rules of [`cross`] see the whole input set; [`env`] needs the environment of
//! the run and [`overlay`] a baseline to compare with.

pub(crate) mod cross;
pub(crate) mod env;
pub(crate) mod meta;
pub(crate) mod overlay;
pub(crate) mod pod;
pub(crate) mod references;
pub(crate) mod syntax;

use super::config::Params;
use super::finding::Finding;
use crate::manifest::Resource;
use crate::yaml::{NodeRef, ScalarValue};

/// What a per-object rule sees.
pub(crate) struct Ctx<'a> {
    pub resource: &'a Resource,
    pub root: NodeRef<'a>,
    pub params: &'a Params,
    /// Namespaced custom kinds (`group/Kind`) known from CRDs, and cluster-scoped ones.
    pub crd_scopes: &'a std::collections::HashMap<String, bool>,
    pub out: Vec<Finding>,
}

impl<'a> Ctx<'a> {
    pub fn kind(&self) -> &'a str {
        &self.resource.id().kind
    }

    pub fn group(&self) -> &'a str {
        &self.resource.id().group
    }

    /// Reports `rule` at `node` (the pointer is relative to the object).
    pub fn report(&mut self, rule: &'static str, node: &NodeRef<'_>, pointer: &str, message: String) {
        self.out.push(Finding::at(rule, node, pointer.to_string(), message));
    }
}

/// The pod spec of a workload and its pointer.
pub(crate) fn pod_spec<'d>(root: &NodeRef<'d>, kind: &str) -> Option<(NodeRef<'d>, &'static str)> {
    let pointer = match kind {
        "Pod" => "/spec",
        "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet" | "ReplicationController" | "Job" => {
            "/spec/template/spec"
        }
        "CronJob" => "/spec/jobTemplate/spec/template/spec",
        "PodTemplate" => "/template/spec",
        _ => return None,
    };
    root.at(pointer).filter(|n| n.kind() == crate::yaml::NodeKind::Mapping).map(|n| (n, pointer))
}

/// Labels of the pods a workload creates.
pub(crate) fn pod_labels<'d>(root: &NodeRef<'d>, kind: &str) -> Option<NodeRef<'d>> {
    match kind {
        "Pod" => root.at("/metadata/labels"),
        "CronJob" => root.at("/spec/jobTemplate/spec/template/metadata/labels"),
        "PodTemplate" => root.at("/template/metadata/labels"),
        _ => pod_spec(root, kind).and_then(|_| root.at("/spec/template/metadata/labels")),
    }
}

/// A container of a pod spec.
pub(crate) struct Container<'d> {
    pub node: NodeRef<'d>,
    pub pointer: String,
    pub init: bool,
}

/// Containers, init containers and ephemeral containers of a pod spec.
pub(crate) fn containers<'d>(spec: &NodeRef<'d>, spec_pointer: &str) -> Vec<Container<'d>> {
    let mut out = Vec::new();
    for (field, init) in [("initContainers", true), ("containers", false), ("ephemeralContainers", true)] {
        if let Some(list) = spec.get(field) {
            for (i, node) in list.items().enumerate() {
                out.push(Container { node, pointer: format!("{spec_pointer}/{field}/{i}"), init });
            }
        }
    }
    out
}

/// A scalar as Kubernetes reads it: `true` for `true`, `yes`, `on`.
pub(crate) fn is_true(node: Option<NodeRef<'_>>) -> bool {
    matches!(node.and_then(|n| n.value().ok().flatten()), Some(ScalarValue::Bool(true)))
}

/// A scalar integer.
pub(crate) fn as_int(node: Option<NodeRef<'_>>) -> Option<i64> {
    match node?.value().ok()?? {
        ScalarValue::Int(i) => Some(i),
        _ => None,
    }
}

/// String entries of a string map (labels, selectors).
pub(crate) fn string_map<'d>(node: Option<NodeRef<'d>>) -> Vec<(String, String)> {
    node.map(|n| {
        n.entries()
            .filter_map(|(k, v)| {
                let key = k.key_string()?.into_owned();
                let value = match v.value().ok()?? {
                    ScalarValue::Str(s) => s.to_string(),
                    _ => v.as_str()?.to_string(),
                };
                Some((key, value))
            })
            .collect()
    })
    .unwrap_or_default()
}

/// Escaped pointer token.
pub(crate) fn tok(key: &str) -> String {
    crate::yaml::escape_pointer_token(key)
}

/// Items of an optional sequence, collected (the tree's iterators borrow the node handle).
pub(crate) fn list<'d>(node: Option<NodeRef<'d>>) -> Vec<NodeRef<'d>> {
    node.map(|n| n.items().collect()).unwrap_or_default()
}

/// Literal JSON pointers without escapes, walked without allocating (the rules' hot path).
pub(crate) trait At<'d> {
    /// The node at `path` (`/spec/template/spec`); only `~`-free tokens.
    fn at(&self, path: &str) -> Option<NodeRef<'d>>;
}

impl<'d> At<'d> for NodeRef<'d> {
    fn at(&self, path: &str) -> Option<NodeRef<'d>> {
        let mut node = *self;
        for token in path.strip_prefix('/')?.split('/') {
            node = match node.kind() {
                crate::yaml::NodeKind::Mapping => node.get(token)?,
                crate::yaml::NodeKind::Sequence => node.items().nth(token.parse::<usize>().ok()?)?,
                crate::yaml::NodeKind::Scalar => return None,
            };
        }
        Some(node)
    }
}
