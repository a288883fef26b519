//! One Kubernetes object read from a manifest, with its located node, and the problems found
//! in documents that are not Kubernetes objects.

use super::id::ResourceId;
use crate::error::Location;
use crate::yaml::{Document, NodeId, NodeKind, NodeRef, Span};
use std::sync::Arc;

/// A Kubernetes object: its identity, where it was written, and its located YAML node.
#[derive(Debug, Clone)]
pub struct Resource {
    pub(crate) id: ResourceId,
    pub(crate) doc: Arc<Document>,
    pub(crate) node: NodeId,
}

impl Resource {
    /// Who the object is.
    #[must_use]
    pub fn id(&self) -> &ResourceId {
        &self.id
    }

    /// The object's `apiVersion`.
    #[must_use]
    pub fn api_version(&self) -> String {
        self.id.api_version()
    }

    /// The input it was read from (file path, `<stdin>`, `git:REF:PATH`).
    #[must_use]
    pub fn file(&self) -> &str {
        self.doc.source().name()
    }

    /// 0-based index of its document in the file's YAML stream.
    #[must_use]
    pub fn document_index(&self) -> usize {
        self.doc.index()
    }

    /// The located node of the object (a document root, or an item of a `List`).
    #[must_use]
    pub fn node(&self) -> NodeRef<'_> {
        self.doc.node(self.node)
    }

    /// The document holding the object.
    #[must_use]
    pub fn document(&self) -> &Arc<Document> {
        &self.doc
    }

    /// Where the object starts and ends.
    #[must_use]
    pub fn span(&self) -> Span {
        self.node().span()
    }

    /// File, line and column of the object's start.
    #[must_use]
    pub fn location(&self) -> Location {
        let start = self.span().start;
        Location { file: self.file().to_string(), line: start.line, column: start.column }
    }

    /// The object as Kubernetes reads it.
    ///
    /// # Errors
    /// `yaml.value` for values JSON cannot hold (`.inf`) or scalars that do not fit their tag.
    pub fn to_json(&self) -> Result<serde_json::Value, crate::yaml::Error> {
        self.node().to_json()
    }

    /// The summary the CLI prints and the bindings return, with the keys of
    /// `gitops-kit/manifests/v1`.
    #[must_use]
    pub fn summary(&self) -> ResourceSummary {
        let location = self.location();
        ResourceSummary {
            api_version: self.api_version(),
            kind: self.id.kind.clone(),
            namespace: self.id.namespace.clone(),
            name: self.id.name.clone(),
            generate_name: self.id.generate_name,
            file: location.file,
            document: self.document_index(),
            line: location.line,
            column: location.column,
        }
    }
}

/// A flat, serializable view of a [`Resource`] (`gitops-kit/manifests/v1`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceSummary {
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.namespace` or null.
    pub namespace: Option<String>,
    /// `metadata.name`, or the `generateName` prefix.
    pub name: String,
    /// Whether `name` is a `generateName` prefix.
    pub generate_name: bool,
    /// Input name.
    pub file: String,
    /// 0-based document index in the file.
    pub document: usize,
    /// 1-based line of the object's start.
    pub line: u32,
    /// 1-based column of the object's start.
    pub column: u32,
}

/// A document that could not be read as a Kubernetes object; reported, never dropped silently.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Problem {
    /// Stable code: `manifest.not-an-object`, `manifest.missing-name`, `manifest.invalid-field`,
    /// or a YAML warning code such as `yaml.duplicate-key`.
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
    /// Input name.
    pub file: String,
    /// 0-based document index in the file.
    pub document: usize,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

impl Problem {
    fn at(node: &NodeRef<'_>, code: &'static str, message: String) -> Problem {
        let start = node.span().start;
        Problem {
            code,
            message,
            file: node.document().source().name().to_string(),
            document: node.document().index(),
            line: start.line,
            column: start.column,
        }
    }
}

/// Reads the objects of one document: the root object, or the items of a `List`/`*List`.
pub(crate) fn resources_of(doc: &Arc<Document>, out: &mut Vec<Resource>, problems: &mut Vec<Problem>) {
    for w in doc.warnings() {
        problems.push(Problem {
            code: w.code,
            message: w.message.clone(),
            file: w.location.file.clone(),
            document: doc.index(),
            line: w.location.line,
            column: w.location.column,
        });
    }
    let Some(root) = doc.root() else { return };
    if let Some(items) = list_items(&root) {
        for item in items.items() {
            read_object(doc, &item, out, problems);
        }
        return;
    }
    read_object(doc, &root, out, problems);
}

/// `kind: List` and every `*List` kind with an `items` sequence are flattened.
fn list_items<'d>(root: &NodeRef<'d>) -> Option<NodeRef<'d>> {
    let kind = root.get_str("kind")?;
    let items = root.get("items")?;
    (kind.ends_with("List") && root.get_str("apiVersion").is_some() && items.kind() == NodeKind::Sequence)
        .then_some(items)
}

fn read_object(
    doc: &Arc<Document>,
    node: &NodeRef<'_>,
    out: &mut Vec<Resource>,
    problems: &mut Vec<Problem>,
) {
    if node.kind() != NodeKind::Mapping {
        problems.push(Problem::at(
            node,
            "manifest.not-an-object",
            "document is not a mapping, so not a Kubernetes object".into(),
        ));
        return;
    }
    let (api_version, kind) = (node.get_str("apiVersion"), node.get_str("kind"));
    let (Some(api_version), Some(kind)) = (api_version, kind) else {
        let missing: Vec<&str> = [("apiVersion", api_version), ("kind", kind)]
            .iter()
            .filter(|(_, v)| v.is_none_or(str::is_empty))
            .map(|(k, _)| *k)
            .collect();
        let message = format!("not a Kubernetes object: no string {}", missing.join(" or "));
        problems.push(Problem::at(node, "manifest.not-an-object", message));
        return;
    };
    let metadata = node.get("metadata");
    let field = |key: &str| metadata.and_then(|m| m.get_str(key)).map(str::to_string);
    let (name, generate_name) = match (field("name"), field("generateName")) {
        (Some(name), _) => (name, false),
        (None, Some(prefix)) => (prefix, true),
        (None, None) => {
            problems.push(Problem::at(
                node,
                "manifest.missing-name",
                format!("{kind} has no metadata.name or metadata.generateName"),
            ));
            (String::new(), false)
        }
    };
    let (group, version) = ResourceId::split_api_version(api_version);
    let id = ResourceId {
        group: group.to_string(),
        version: version.to_string(),
        kind: kind.to_string(),
        namespace: field("namespace").filter(|n| !n.is_empty()),
        name,
        generate_name,
    };
    out.push(Resource { id, doc: Arc::clone(doc), node: node.id() });
}
