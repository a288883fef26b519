//! The located document tree: an arena of nodes with byte spans, walked without recursion.
//!
//! Aliases are resolved while building: an alias becomes a second reference to the anchored
//! node, so the tree is a DAG whose expanded size was checked against the limits when it was
//! built. Merge keys (`<<`) are applied while building as go-yaml v2 applies them. Consumers
//! therefore see plain mappings, sequences and scalars only.

use super::error::Warning;
use super::resolve::{self, Hazard, ScalarValue};
use super::source::{Source, Span};
use std::borrow::Cow;
use std::sync::Arc;

/// Index of a node in its [`Document`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub(crate) u32);

/// How a scalar was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ScalarStyle {
    /// Unquoted.
    Plain,
    /// `'single quoted'`.
    SingleQuoted,
    /// `"double quoted"`.
    DoubleQuoted,
    /// `|` block.
    Literal,
    /// `>` block.
    Folded,
}

/// The three kinds of node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NodeKind {
    /// A scalar.
    Scalar,
    /// A sequence.
    Sequence,
    /// A mapping.
    Mapping,
}

/// Where a scalar's text lives: in the source (most scalars) or in the document's own buffer
/// (scalars with escapes or folded lines).
#[derive(Debug, Clone, Copy)]
pub(crate) struct TextRef {
    pub start: u32,
    pub len: u32,
    pub owned: bool,
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum NodeData {
    Scalar {
        text: TextRef,
        style: ScalarStyle,
        tagged: bool,
    },
    /// `first..first+len` in `children`.
    Sequence {
        first: u32,
        len: u32,
        flow: bool,
    },
    /// `first..first+2*len` in `children`: key, value, key, value, …
    Mapping {
        first: u32,
        len: u32,
        flow: bool,
    },
}

/// 16 bytes per node (offsets only; lines and columns come from the [`Source`] on demand) plus
/// one byte of kind, style and flags in `Document::meta`. A manifest set keeps every node of
/// every document, so this layout is what keeps memory near the input size.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Node {
    pub start: u32,
    pub end: u32,
    /// Scalar: text start; collection: first child index.
    a: u32,
    /// Scalar: text length; collection: item or entry count.
    b: u32,
}

const KIND_MASK: u8 = 0b11;
const KIND_SCALAR: u8 = 0;
const KIND_SEQUENCE: u8 = 1;
const KIND_MAPPING: u8 = 2;
/// Scalar style in bits 2..=4; for collections bit 2 is "flow".
const STYLE_SHIFT: u8 = 2;
const FLOW: u8 = 1 << 2;
const OWNED: u8 = 1 << 5;
const TAGGED: u8 = 1 << 6;

fn style_code(style: ScalarStyle) -> u8 {
    match style {
        ScalarStyle::Plain => 0,
        ScalarStyle::SingleQuoted => 1,
        ScalarStyle::DoubleQuoted => 2,
        ScalarStyle::Literal => 3,
        ScalarStyle::Folded => 4,
    }
}

fn style_of(code: u8) -> ScalarStyle {
    match code {
        1 => ScalarStyle::SingleQuoted,
        2 => ScalarStyle::DoubleQuoted,
        3 => ScalarStyle::Literal,
        4 => ScalarStyle::Folded,
        _ => ScalarStyle::Plain,
    }
}

/// The packed form of a node's kind-specific part: meta byte and the two payload words.
fn encode(data: NodeData) -> (u8, u32, u32) {
    match data {
        NodeData::Scalar { text, style, .. } => (
            KIND_SCALAR | (style_code(style) << STYLE_SHIFT) | if text.owned { OWNED } else { 0 },
            text.start,
            text.len,
        ),
        NodeData::Sequence { first, len, flow } => (KIND_SEQUENCE | if flow { FLOW } else { 0 }, first, len),
        NodeData::Mapping { first, len, flow } => (KIND_MAPPING | if flow { FLOW } else { 0 }, first, len),
    }
}

/// One YAML document of a stream, with every node located.
#[derive(Debug)]
pub struct Document {
    pub(crate) source: Arc<Source>,
    pub(crate) index: usize,
    pub(crate) start: u32,
    pub(crate) end: u32,
    pub(crate) nodes: Vec<Node>,
    /// Kind, style and flags of each node (see the `KIND_*` constants).
    pub(crate) meta: Vec<u8>,
    pub(crate) children: Vec<NodeId>,
    pub(crate) strings: String,
    /// Explicit tags of the (rare) tagged nodes, in node order.
    pub(crate) tags: Vec<(NodeId, String)>,
    pub(crate) root: Option<NodeId>,
    pub(crate) warnings: Vec<Warning>,
}

impl Document {
    /// The input this document came from.
    #[must_use]
    pub fn source(&self) -> &Arc<Source> {
        &self.source
    }

    /// 0-based position of the document in its stream.
    #[must_use]
    pub fn index(&self) -> usize {
        self.index
    }

    /// The span of the whole document.
    #[must_use]
    pub fn span(&self) -> Span {
        self.source.span(self.start as usize, self.end as usize)
    }

    /// The root node; `None` for an empty document (only comments, or nothing).
    #[must_use]
    pub fn root(&self) -> Option<NodeRef<'_>> {
        self.root.map(|id| NodeRef { doc: self, id })
    }

    /// A node by id.
    ///
    /// # Panics
    /// If `id` does not belong to this document.
    #[must_use]
    pub fn node(&self, id: NodeId) -> NodeRef<'_> {
        assert!((id.0 as usize) < self.nodes.len(), "node id from another document");
        NodeRef { doc: self, id }
    }

    /// Problems that did not stop parsing (duplicate keys under the last-wins policy).
    #[must_use]
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Number of nodes stored (aliases share nodes, so this is below the expanded size).
    #[must_use]
    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    /// Appends a node; `tag` is recorded on the side (tags are rare).
    pub(crate) fn push_node(
        &mut self,
        start: usize,
        end: usize,
        data: NodeData,
        tag: Option<String>,
    ) -> NodeId {
        let id = NodeId(self.nodes.len() as u32);
        let (mut meta, a, b) = encode(data);
        if let Some(tag) = tag {
            meta |= TAGGED;
            self.tags.push((id, tag));
        }
        self.nodes.push(Node { start: start as u32, end: end as u32, a, b });
        self.meta.push(meta);
        id
    }

    /// Stores the kind-specific part of a node (a collection, once its children are known).
    pub(crate) fn set_data(&mut self, id: NodeId, data: NodeData) {
        let i = id.0 as usize;
        let (meta, a, b) = encode(data);
        self.meta[i] = meta | (self.meta[i] & TAGGED);
        let node = &mut self.nodes[i];
        node.a = a;
        node.b = b;
    }

    /// The kind-specific part of a node, decoded.
    pub(crate) fn data(&self, id: NodeId) -> NodeData {
        let i = id.0 as usize;
        let (meta, node) = (self.meta[i], self.nodes[i]);
        match meta & KIND_MASK {
            KIND_SEQUENCE => NodeData::Sequence { first: node.a, len: node.b, flow: meta & FLOW != 0 },
            KIND_MAPPING => NodeData::Mapping { first: node.a, len: node.b, flow: meta & FLOW != 0 },
            _ => NodeData::Scalar {
                text: TextRef { start: node.a, len: node.b, owned: meta & OWNED != 0 },
                style: style_of((meta >> STYLE_SHIFT) & 0b111),
                tagged: meta & TAGGED != 0,
            },
        }
    }

    pub(crate) fn tag_of(&self, id: NodeId) -> Option<&str> {
        let i = self.tags.binary_search_by_key(&id, |(n, _)| *n).ok()?;
        Some(&self.tags[i].1)
    }

    pub(crate) fn text_of(&self, t: TextRef) -> &str {
        let (s, e) = (t.start as usize, (t.start + t.len) as usize);
        if t.owned { &self.strings[s..e] } else { &self.source.text()[s..e] }
    }
}

/// A node of a [`Document`]: cheap to copy, gives located access to values.
///
/// ```
/// let docs = gitops_kit::yaml::parse_str("spec:\n  replicas: 3\n  paused: off\n", "d.yaml").unwrap();
/// let root = docs[0].root().unwrap();
/// let replicas = root.get("spec").unwrap().get("replicas").unwrap();
/// assert_eq!(replicas.as_str(), Some("3"));
/// assert_eq!((replicas.span().start.line, replicas.span().start.column), (2, 13));
/// assert_eq!(root.pointer("/spec/paused").unwrap().to_json().unwrap(), serde_json::json!(false));
/// ```
#[derive(Debug, Clone, Copy)]
pub struct NodeRef<'d> {
    doc: &'d Document,
    id: NodeId,
}

impl<'d> NodeRef<'d> {
    fn node(&self) -> &'d Node {
        &self.doc.nodes[self.id.0 as usize]
    }

    fn data(&self) -> NodeData {
        self.doc.data(self.id)
    }

    /// The document holding this node.
    #[must_use]
    pub fn document(&self) -> &'d Document {
        self.doc
    }

    /// This node's id.
    #[must_use]
    pub fn id(&self) -> NodeId {
        self.id
    }

    /// Scalar, sequence or mapping.
    #[must_use]
    pub fn kind(&self) -> NodeKind {
        match self.data() {
            NodeData::Scalar { .. } => NodeKind::Scalar,
            NodeData::Sequence { .. } => NodeKind::Sequence,
            NodeData::Mapping { .. } => NodeKind::Mapping,
        }
    }

    /// Byte range in the source (quotes included for quoted scalars).
    #[must_use]
    pub fn byte_range(&self) -> std::ops::Range<usize> {
        let n = self.node();
        n.start as usize..n.end as usize
    }

    /// Located span: byte offsets plus 1-based lines and columns.
    #[must_use]
    pub fn span(&self) -> Span {
        let n = self.node();
        self.doc.source.span(n.start as usize, n.end as usize)
    }

    /// The source text the node was written as (for a scalar: with quotes or block header).
    #[must_use]
    pub fn source_text(&self) -> &'d str {
        &self.doc.source.text()[self.byte_range()]
    }

    /// A scalar's text after unquoting and unescaping; `None` for collections.
    #[must_use]
    pub fn as_str(&self) -> Option<&'d str> {
        match self.data() {
            NodeData::Scalar { text, .. } => Some(self.doc.text_of(text)),
            _ => None,
        }
    }

    /// How the scalar was written; `None` for collections.
    #[must_use]
    pub fn style(&self) -> Option<ScalarStyle> {
        match self.data() {
            NodeData::Scalar { style, .. } => Some(style),
            _ => None,
        }
    }

    /// The explicit tag of a scalar (`tag:yaml.org,2002:str` for `!!str`), if any.
    #[must_use]
    pub fn tag(&self) -> Option<&'d str> {
        match self.data() {
            NodeData::Scalar { tagged: true, .. } => self.doc.tag_of(self.id),
            _ => None,
        }
    }

    /// Whether this is a flow collection (`[a]`, `{a: 1}`).
    #[must_use]
    pub fn is_flow(&self) -> bool {
        matches!(self.data(), NodeData::Sequence { flow: true, .. } | NodeData::Mapping { flow: true, .. })
    }

    /// The scalar's value as Kubernetes reads it (tags honoured, quoted scalars are strings).
    /// Collections give `None`; a tag that does not fit the text gives an error.
    ///
    /// # Errors
    /// `yaml.value` when an explicit tag (`!!int`, `!!bool`, …) does not fit the text.
    pub fn value(&self) -> Result<Option<ScalarValue<'d>>, super::Error> {
        let NodeData::Scalar { text, style, .. } = self.data() else {
            return Ok(None);
        };
        let text = self.doc.text_of(text);
        let Some(tag) = self.tag() else {
            return Ok(Some(if style == ScalarStyle::Plain {
                resolve::resolve_plain(text)
            } else {
                ScalarValue::Str(text)
            }));
        };
        let wanted = tag.strip_prefix("tag:yaml.org,2002:").unwrap_or("");
        let resolved = resolve::resolve_plain(text);
        let fits = match (wanted, resolved) {
            ("int", ScalarValue::Int(_) | ScalarValue::UInt(_))
            | ("float", ScalarValue::Float(_))
            | ("bool", ScalarValue::Bool(_))
            | ("null", ScalarValue::Null) => return Ok(Some(resolved)),
            ("float", ScalarValue::Int(i)) => return Ok(Some(ScalarValue::Float(i as f64))),
            ("int" | "float" | "bool" | "null", _) => false,
            _ => true,
        };
        if fits {
            // !!str, !!binary, !!timestamp, local and unknown tags: the text, as go-yaml v2 does.
            Ok(Some(ScalarValue::Str(text)))
        } else {
            Err(super::json::value_error(self, format!("scalar {text:?} does not fit its tag !!{wanted}")))
        }
    }

    /// The YAML 1.1/1.2 hazard of a plain, untagged scalar.
    #[must_use]
    pub fn hazard(&self) -> Option<Hazard> {
        match self.data() {
            NodeData::Scalar { text, style: ScalarStyle::Plain, tagged: false } => {
                resolve::plain_hazard(self.doc.text_of(text))
            }
            _ => None,
        }
    }

    /// Number of items (sequence) or entries (mapping); 0 for scalars.
    #[must_use]
    pub fn len(&self) -> usize {
        match self.data() {
            NodeData::Scalar { .. } => 0,
            NodeData::Sequence { len, .. } | NodeData::Mapping { len, .. } => len as usize,
        }
    }

    /// Whether the collection is empty (always true for scalars).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Items of a sequence (empty for other kinds).
    pub fn items(&self) -> impl DoubleEndedIterator<Item = NodeRef<'d>> + ExactSizeIterator + 'd {
        let doc = self.doc;
        let ids: &'d [NodeId] = match self.data() {
            NodeData::Sequence { first, len, .. } => &doc.children[first as usize..(first + len) as usize],
            _ => &[],
        };
        ids.iter().map(move |&id| NodeRef { doc, id })
    }

    /// Key/value entries of a mapping, in document order (empty for other kinds).
    pub fn entries(
        &self,
    ) -> impl DoubleEndedIterator<Item = (NodeRef<'d>, NodeRef<'d>)> + ExactSizeIterator + 'd {
        let doc = self.doc;
        let ids: &'d [NodeId] = match self.data() {
            NodeData::Mapping { first, len, .. } => &doc.children[first as usize..(first + 2 * len) as usize],
            _ => &[],
        };
        ids.chunks_exact(2).map(move |kv| (NodeRef { doc, id: kv[0] }, NodeRef { doc, id: kv[1] }))
    }

    /// The JSON object key Kubernetes makes of this scalar (`on` → `"true"`, `0x10` → `"16"`);
    /// `None` for collections, null keys and scalars that do not fit their tag.
    #[must_use]
    pub fn key_string(&self) -> Option<Cow<'d, str>> {
        // Hot path (every key lookup): most keys are plain words that resolve to themselves.
        if let NodeData::Scalar { text, style: ScalarStyle::Plain, tagged: false } = self.data() {
            let text = self.doc.text_of(text);
            if resolve::resolves_to_itself(text) {
                return Some(Cow::Borrowed(text));
            }
        }
        match self.value() {
            Ok(Some(v)) => resolve::key_string(v),
            _ => None,
        }
    }

    /// The value of `key` in a mapping.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<NodeRef<'d>> {
        self.get_entry(key).map(|(_, v)| v)
    }

    /// The key node and value node of `key` in a mapping.
    #[must_use]
    pub fn get_entry(&self, key: &str) -> Option<(NodeRef<'d>, NodeRef<'d>)> {
        if !resolve::resolves_to_itself(key) {
            return self.entries().find(|(k, _)| k.key_string().as_deref() == Some(key));
        }
        // Hot path (rules look up fields all the time): `key` starts like no bool, null or
        // number, so no other spelling resolves to it and an untagged key matches exactly when
        // its text is `key`.
        self.entries().find(|(k, _)| match k.data() {
            NodeData::Scalar { text, tagged: false, .. } => self.doc.text_of(text) == key,
            NodeData::Scalar { tagged: true, .. } => k.key_string().as_deref() == Some(key),
            _ => false,
        })
    }

    /// A scalar child of a mapping as a string (`None` if absent, null or not a string).
    #[must_use]
    pub fn get_str(&self, key: &str) -> Option<&'d str> {
        match self.get(key)?.value() {
            Ok(Some(ScalarValue::Str(s))) => Some(s),
            _ => None,
        }
    }

    /// The node at a JSON pointer (`/spec/template/spec/containers/0/image`; `~1` is `/`, `~0` is `~`).
    #[must_use]
    pub fn pointer(&self, pointer: &str) -> Option<NodeRef<'d>> {
        if pointer.is_empty() {
            return Some(*self);
        }
        let mut node = *self;
        for raw in pointer.strip_prefix('/')?.split('/') {
            let token = raw.replace("~1", "/").replace("~0", "~");
            node = match node.kind() {
                NodeKind::Mapping => node.get(&token)?,
                NodeKind::Sequence => node.items().nth(token.parse::<usize>().ok()?)?,
                NodeKind::Scalar => return None,
            };
        }
        Some(node)
    }

    /// Converts the node to JSON as Kubernetes would (`sigs.k8s.io/yaml`).
    ///
    /// # Errors
    /// `yaml.value` for `.inf`/`.nan` (JSON cannot hold them) or a tag that does not fit.
    pub fn to_json(&self) -> Result<serde_json::Value, super::Error> {
        super::json::to_json(*self)
    }
}
