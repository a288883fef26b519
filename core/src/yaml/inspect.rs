//! Whole-text helpers shared by the CLI and the bindings: YAML to Kubernetes JSON, the
//! YAML 1.1/1.2 hazards of a text, and the located node at a JSON pointer.

use super::builder::Documents;
use super::error::{Error, ErrorKind};
use super::limits::ParseOptions;
use super::resolve::Hazard;
use super::source::{Source, Span};
use super::tree::{Document, NodeKind, NodeRef};
use std::sync::Arc;

fn documents(text: &str, file: &str, options: &ParseOptions) -> Result<Vec<Document>, Error> {
    let source = Arc::new(Source::new(file, text.to_string()));
    Documents::new(&source, options).collect()
}

/// Every document of `text` as Kubernetes reads it; empty documents are `null`.
///
/// ```
/// use gitops_kit::yaml::{to_json_documents, ParseOptions};
/// let docs = to_json_documents("a: 0755\nb: off\n---\n", "x.yaml", &ParseOptions::default()).unwrap();
/// assert_eq!(docs, vec![serde_json::json!({"a": 493, "b": false}), serde_json::Value::Null]);
/// ```
///
/// # Errors
/// The first parse or conversion error, located.
pub fn to_json_documents(
    text: &str,
    file: &str,
    options: &ParseOptions,
) -> Result<Vec<serde_json::Value>, Error> {
    documents(text, file, options)?
        .iter()
        .map(|d| d.root().map_or(Ok(serde_json::Value::Null), |r| r.to_json()))
        .collect()
}

/// A plain scalar that Kubernetes and YAML 1.2 tools read differently.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct HazardSite {
    /// Input name.
    pub file: String,
    /// 0-based document index.
    pub document: usize,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// JSON pointer of the value (of the key's value, for a key).
    pub pointer: String,
    /// Whether the scalar is a mapping key (`on:`) rather than a value.
    pub key: bool,
    /// The scalar as written.
    pub text: String,
    /// Which hazard.
    pub hazard: Hazard,
    /// Explanation.
    pub message: String,
}

/// Escapes a JSON pointer token (`~` → `~0`, `/` → `~1`).
#[must_use]
pub fn escape_pointer_token(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// Every hazardous plain scalar of a document, in document order, walked without recursion.
#[must_use]
pub fn hazards_of(doc: &Document) -> Vec<HazardSite> {
    let mut out = Vec::new();
    let Some(root) = doc.root() else { return out };
    let mut stack: Vec<(NodeRef<'_>, String)> = vec![(root, String::new())];
    let mut seen = std::collections::HashSet::new();
    let site = |node: &NodeRef<'_>, pointer: &str, key: bool, hazard: Hazard| {
        let start = node.span().start;
        HazardSite {
            file: doc.source().name().to_string(),
            document: doc.index(),
            line: start.line,
            column: start.column,
            pointer: pointer.to_string(),
            key,
            text: node.as_str().unwrap_or_default().to_string(),
            hazard,
            message: hazard.describe().to_string(),
        }
    };
    while let Some((node, pointer)) = stack.pop() {
        // Shared (aliased) nodes are reported once, at their first path.
        if !seen.insert(node.id()) {
            continue;
        }
        match node.kind() {
            NodeKind::Scalar => {
                if let Some(h) = node.hazard() {
                    out.push(site(&node, &pointer, false, h));
                }
            }
            NodeKind::Sequence => {
                for (i, item) in node.items().enumerate().rev() {
                    stack.push((item, format!("{pointer}/{i}")));
                }
            }
            NodeKind::Mapping => {
                for (k, v) in node.entries().rev() {
                    let child =
                        format!("{pointer}/{}", escape_pointer_token(&k.key_string().unwrap_or_default()));
                    stack.push((v, child.clone()));
                    if let Some(h) = k.hazard() {
                        out.push(site(&k, &child, true, h));
                    }
                }
            }
        }
    }
    out.sort_by_key(|s| (s.line, s.column));
    out
}

/// [`hazards_of`] for every document of a text.
///
/// # Errors
/// The first parse error, located.
pub fn hazards(text: &str, file: &str, options: &ParseOptions) -> Result<Vec<HazardSite>, Error> {
    Ok(documents(text, file, options)?.iter().flat_map(hazards_of).collect())
}

/// The location of the node at a JSON pointer in one document of a text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct NodeLocation {
    /// Input name.
    pub file: String,
    /// 0-based document index.
    pub document: usize,
    /// `scalar`, `sequence` or `mapping`.
    pub kind: &'static str,
    /// The node's span (byte offsets, lines, columns).
    #[serde(flatten)]
    pub span: FlatSpan,
    /// The node's source text.
    pub text: String,
}

/// A span as flat fields: `start`/`end` byte offsets, `line`/`column`, `end_line`/`end_column`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct FlatSpan {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// 1-based line of the start.
    pub line: u32,
    /// 1-based column of the start.
    pub column: u32,
    /// 1-based line of the end.
    pub end_line: u32,
    /// 1-based column of the end (exclusive).
    pub end_column: u32,
}

impl From<Span> for FlatSpan {
    fn from(s: Span) -> FlatSpan {
        FlatSpan {
            start: s.start.offset,
            end: s.end.offset,
            line: s.start.line,
            column: s.start.column,
            end_line: s.end.line,
            end_column: s.end.column,
        }
    }
}

/// Finds the node at `pointer` in document `document` of `text`.
///
/// ```
/// use gitops_kit::yaml::{locate, ParseOptions};
/// let loc = locate("a:\n  b: [x, 'y']\n", "f.yaml", 0, "/a/b/1", &ParseOptions::default()).unwrap();
/// assert_eq!((loc.span.line, loc.span.column, loc.text.as_str()), (2, 10, "'y'"));
/// ```
///
/// # Errors
/// A parse error, or `yaml.pointer` when the document or pointer does not exist.
pub fn locate(
    text: &str,
    file: &str,
    document: usize,
    pointer: &str,
    options: &ParseOptions,
) -> Result<NodeLocation, Error> {
    let docs = documents(text, file, options)?;
    let not_found = |what: String| {
        let source = Source::new(file, String::new());
        super::builder::error_at(&source, 0, ErrorKind::Pointer(what))
    };
    let doc = docs
        .get(document)
        .ok_or_else(|| not_found(format!("no document {document} (the text has {})", docs.len())))?;
    let node = doc
        .root()
        .and_then(|r| r.pointer(pointer))
        .ok_or_else(|| not_found(format!("no node at {pointer:?} in document {document}")))?;
    Ok(NodeLocation {
        file: file.to_string(),
        document,
        kind: match node.kind() {
            NodeKind::Scalar => "scalar",
            NodeKind::Sequence => "sequence",
            NodeKind::Mapping => "mapping",
        },
        span: node.span().into(),
        text: node.source_text().to_string(),
    })
}
