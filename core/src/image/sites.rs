//! Where images are in manifests: every `containers`, `initContainers` and
//! `ephemeralContainers` list at any depth (so Pod, Deployment, StatefulSet, DaemonSet,
//! ReplicaSet, Job, CronJob's `jobTemplate` and pod templates inside custom resources are all
//! covered, like kustomize's legacy walk but with ephemeral containers), image volumes
//! (`volumes[].image.reference`), and extra field paths per kind (scalar `spec.image` of an
//! operator's resource, for example).

use crate::manifest::ManifestSet;
use crate::yaml::{NodeKind, NodeRef, ScalarStyle, ScalarValue, escape_pointer_token};
use serde::Serialize;

/// Container list keys of a pod spec.
pub const CONTAINER_KEYS: [&str; 3] = ["containers", "initContainers", "ephemeralContainers"];

/// An extra place where a kind keeps an image: a JSON pointer to a scalar, `*` matching any
/// sequence index or mapping key (`/spec/image`, `/spec/components/*/image`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraPath {
    /// Kind the path applies to, or `*` for every kind.
    pub kind: String,
    /// JSON pointer with optional `*` tokens.
    pub pointer: String,
}

impl ExtraPath {
    /// Parses `Kind:/pointer` (the CLI's `--field` form).
    ///
    /// # Errors
    /// `image.invalid-argument` without a `:` followed by a pointer starting with `/`.
    pub fn parse(spec: &str) -> Result<ExtraPath, super::Error> {
        match spec.split_once(':') {
            Some((kind, pointer)) if !kind.is_empty() && pointer.starts_with('/') => {
                Ok(ExtraPath { kind: kind.to_string(), pointer: pointer.to_string() })
            }
            _ => Err(super::Error::InvalidArgument(format!(
                "field path {spec:?} must look like Kind:/json/pointer (Kind may be *)"
            ))),
        }
    }
}

/// Options of [`sites`] and of rewrites.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SiteOptions {
    /// Extra image field paths per kind.
    #[serde(alias = "extraPaths")]
    pub extra_paths: Vec<ExtraPath>,
}

/// Identity of the resource holding an image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiteResource {
    /// `apiVersion`.
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.namespace`, if set.
    pub namespace: Option<String>,
    /// `metadata.name`.
    pub name: String,
}

/// One image value in a manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImageSite {
    /// The image reference as written (after unquoting).
    pub image: String,
    /// Input name.
    pub file: String,
    /// 0-based document index in the file.
    pub document: usize,
    /// 1-based line of the value.
    pub line: u32,
    /// 1-based column of the value.
    pub column: u32,
    /// Line where the value ends.
    pub end_line: u32,
    /// Column where the value ends (exclusive).
    pub end_column: u32,
    /// The resource.
    pub resource: SiteResource,
    /// Container (or image volume) name, when the site is in a list of named items.
    pub container: Option<String>,
    /// `containers`, `initContainers`, `ephemeralContainers`, `volumes` or `extra`.
    pub field: String,
    /// JSON pointer of the value in the document.
    pub pointer: String,
    /// How the value is written: `plain`, `single-quoted`, `double-quoted`, `literal`, `folded`.
    pub style: ScalarStyle,
}

/// `gitops-kit/images/v1`: the image sites of a manifest set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SitesReport {
    /// `gitops-kit/images/v1`.
    pub schema: &'static str,
    /// Sites in input order (file, then position).
    pub sites: Vec<ImageSite>,
}

/// An image value found in a document tree.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RawSite<'d> {
    pub node: NodeRef<'d>,
    pub container: Option<&'d str>,
    pub field: &'static str,
}

pub(crate) struct FoundSite<'d> {
    pub raw: RawSite<'d>,
    pub pointer: String,
}

fn string_scalar(node: NodeRef<'_>) -> Option<&str> {
    match node.value() {
        Ok(Some(ScalarValue::Str(s))) => Some(s),
        _ => None,
    }
}

/// Every image value under `root`, in document order, with its JSON pointer. `kind` selects the
/// extra paths that apply. Walks with an explicit stack (no recursion).
pub(crate) fn walk<'d>(root: NodeRef<'d>, kind: &str, options: &SiteOptions) -> Vec<FoundSite<'d>> {
    let mut out = Vec::new();
    let mut stack: Vec<(NodeRef<'d>, String)> = vec![(root, String::new())];
    while let Some((node, pointer)) = stack.pop() {
        match node.kind() {
            NodeKind::Mapping => {
                let mut children = Vec::new();
                for (k, v) in node.entries() {
                    let Some(key) = k.key_string() else { continue };
                    let child = format!("{pointer}/{}", escape_pointer_token(&key));
                    let field = CONTAINER_KEYS.iter().find(|c| **c == key).copied();
                    if let Some(field) = field {
                        collect_list(v, &child, field, "image", &mut out);
                    } else if key == "volumes" {
                        collect_volumes(v, &child, &mut out);
                    }
                    children.push((v, child));
                }
                stack.extend(children.into_iter().rev());
            }
            NodeKind::Sequence => {
                let children: Vec<_> =
                    node.items().enumerate().map(|(i, v)| (v, format!("{pointer}/{i}"))).collect();
                stack.extend(children.into_iter().rev());
            }
            NodeKind::Scalar => {}
        }
    }
    for extra in options.extra_paths.iter().filter(|e| e.kind == "*" || e.kind == kind) {
        for (node, pointer) in expand(root, &extra.pointer) {
            if node.kind() == NodeKind::Scalar
                && string_scalar(node).is_some()
                && !out.iter().any(|s| s.pointer == pointer)
            {
                out.push(FoundSite { raw: RawSite { node, container: None, field: "extra" }, pointer });
            }
        }
    }
    out.sort_by_key(|s| (s.raw.node.byte_range().start, s.pointer.clone()));
    out
}

fn collect_list<'d>(
    list: NodeRef<'d>,
    pointer: &str,
    field: &'static str,
    key: &str,
    out: &mut Vec<FoundSite<'d>>,
) {
    if list.kind() != NodeKind::Sequence {
        return;
    }
    for (i, item) in list.items().enumerate() {
        if item.kind() != NodeKind::Mapping {
            continue;
        }
        let Some(image) = item.get(key) else { continue };
        if image.kind() == NodeKind::Scalar && string_scalar(image).is_some() {
            let container = item.get_str("name");
            out.push(FoundSite {
                raw: RawSite { node: image, container, field },
                pointer: format!("{pointer}/{i}/{key}"),
            });
        }
    }
}

fn collect_volumes<'d>(list: NodeRef<'d>, pointer: &str, out: &mut Vec<FoundSite<'d>>) {
    for (i, item) in list.items().enumerate() {
        let Some(reference) = item.get("image").and_then(|img| img.get("reference")) else { continue };
        if reference.kind() == NodeKind::Scalar && string_scalar(reference).is_some() {
            out.push(FoundSite {
                raw: RawSite { node: reference, container: item.get_str("name"), field: "volumes" },
                pointer: format!("{pointer}/{i}/image/reference"),
            });
        }
    }
}

/// Nodes matching a pointer with `*` tokens.
fn expand<'d>(root: NodeRef<'d>, pattern: &str) -> Vec<(NodeRef<'d>, String)> {
    let mut current = vec![(root, String::new())];
    let Some(rest) = pattern.strip_prefix('/') else {
        return if pattern.is_empty() { current } else { Vec::new() };
    };
    for raw in rest.split('/') {
        let token = raw.replace("~1", "/").replace("~0", "~");
        let mut next = Vec::new();
        for (node, ptr) in current {
            match node.kind() {
                NodeKind::Mapping => {
                    for (k, v) in node.entries() {
                        let Some(key) = k.key_string() else { continue };
                        if token == "*" || *key == *token {
                            next.push((v, format!("{ptr}/{}", escape_pointer_token(&key))));
                        }
                    }
                }
                NodeKind::Sequence => {
                    for (i, v) in node.items().enumerate() {
                        if token == "*" || token.parse::<usize>().ok() == Some(i) {
                            next.push((v, format!("{ptr}/{i}")));
                        }
                    }
                }
                NodeKind::Scalar => {}
            }
        }
        current = next;
    }
    current
}

/// Every image of a manifest set (`CustomResourceDefinition` objects are skipped: their schemas
/// describe containers, they hold none).
///
/// ```
/// use gitops_kit::image::{sites, SiteOptions};
/// use gitops_kit::manifest::ManifestSet;
/// let text = "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: backup}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n          - name: run\n            image: \"busybox:1.36\"\n";
/// let set = ManifestSet::from_str(text, "cron.yaml").unwrap();
/// let report = sites(&set, &SiteOptions::default());
/// let site = &report.sites[0];
/// assert_eq!((site.image.as_str(), site.line, site.column), ("busybox:1.36", 11, 20));
/// assert_eq!(site.pointer, "/spec/jobTemplate/spec/template/spec/containers/0/image");
/// ```
#[must_use]
pub fn sites(set: &ManifestSet, options: &SiteOptions) -> SitesReport {
    let mut out = Vec::new();
    for resource in set.resources() {
        let id = resource.id();
        if id.kind == "CustomResourceDefinition" {
            continue;
        }
        let identity = SiteResource {
            api_version: id.api_version(),
            kind: id.kind.clone(),
            namespace: id.namespace.clone(),
            name: id.name.clone(),
        };
        for found in walk(resource.node(), &id.kind, options) {
            let node = found.raw.node;
            let span = node.span();
            out.push(ImageSite {
                image: string_scalar(node).unwrap_or_default().to_string(),
                file: resource.file().to_string(),
                document: resource.document_index(),
                line: span.start.line,
                column: span.start.column,
                end_line: span.end.line,
                end_column: span.end.column,
                resource: identity.clone(),
                container: found.raw.container.map(str::to_string),
                field: found.raw.field.to_string(),
                pointer: found.pointer,
                style: node.style().unwrap_or(ScalarStyle::Plain),
            });
        }
    }
    SitesReport { schema: "gitops-kit/images/v1", sites: out }
}
