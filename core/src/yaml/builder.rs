//! Builds [`Document`]s from located events with an explicit stack (no recursion), one document
//! at a time, enforcing the [`Limits`] and the duplicate-key policy and applying aliases and
//! merge keys the way go-yaml v2 (Kubernetes) does.

use super::error::{Error, ErrorKind, Warning};
use super::events::{Event, EventSource, Located};
use super::fast::FastEvents;
use super::limits::{DuplicateKeys, ParseOptions};
use super::source::Source;
use super::tree::{Document, NodeData, NodeId, NodeRef, ScalarStyle, TextRef};
use crate::error::Location;
use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

/// The documents of a YAML stream, parsed one at a time.
///
/// ```
/// use std::sync::Arc;
/// use gitops_kit::yaml::{Documents, ParseOptions, Source};
/// let source = Arc::new(Source::new("s.yaml", "a: 1\n---\nb: 2\n".to_string()));
/// let names: Vec<String> = Documents::new(&source, &ParseOptions::default())
///     .map(|d| d.unwrap().root().unwrap().entries().next().unwrap().0.as_str().unwrap().to_string())
///     .collect();
/// assert_eq!(names, ["a", "b"]);
/// ```
pub struct Documents<'s> {
    source: &'s Arc<Source>,
    events: FastEvents<'s>,
    options: ParseOptions,
    index: usize,
    finished: bool,
    pending_error: Option<Error>,
    /// Growable buffers reused from one document to the next (most streams hold many small
    /// documents: growing fresh vectors for each would dominate the cost).
    buffers: Buffers,
}

#[derive(Default)]
struct Buffers {
    nodes: Vec<super::tree::Node>,
    meta: Vec<u8>,
    children: Vec<NodeId>,
    strings: String,
    frames: Vec<Frame>,
    scratch: Vec<NodeId>,
    sizes: Vec<u64>,
    heights: Vec<u32>,
    anchors: HashMap<usize, NodeId>,
}

impl<'s> Documents<'s> {
    /// Starts parsing `source`. Input-wide checks (size, binary content) are reported by the
    /// first call to `next`.
    #[must_use]
    pub fn new(source: &'s Arc<Source>, options: &ParseOptions) -> Documents<'s> {
        let text = source.text();
        let pending_error = check_input(source, options);
        let options = capped(options);
        Documents {
            source,
            events: FastEvents::new(text, options.limits.max_depth),
            options,
            index: 0,
            finished: false,
            pending_error,
            buffers: Buffers::default(),
        }
    }
}

/// Where a document of a stream starts, taken by [`Documents::resume_point`] before reading
/// it: [`Documents::resume`] parses the stream again from there, without the documents before
/// (diff keeps only the documents that differ and parses them again when needed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Resume {
    // u32: the input-size limit keeps sources far below 4 GiB (many are kept at once).
    offset: u32,
    index: u32,
}

impl Resume {
    /// Byte offset where the document's reading starts.
    pub(crate) fn offset(self) -> usize {
        self.offset as usize
    }
}

impl<'s> Documents<'s> {
    /// The point before the next document, when the reader can restart there on its own
    /// (`None` under granit, whose state is not positional, or after an error).
    pub(crate) fn resume_point(&self) -> Option<Resume> {
        if self.finished || self.pending_error.is_some() {
            return None;
        }
        let (offset, done) = self.events.boundary()?;
        let (offset, index) = (u32::try_from(offset).ok()?, u32::try_from(self.index).ok()?);
        (done == self.index).then_some(Resume { offset, index })
    }

    /// The byte range of the next document, when it starts at a fast boundary (see
    /// [`Documents::resume_point`]) and the document limit allows one more.
    pub(crate) fn next_document_range(&self) -> Option<std::ops::Range<usize>> {
        let at = self.resume_point()?;
        let start = at.offset as usize;
        let end = self.events.document_end_at(start)?;
        (self.index < self.options.limits.max_documents).then_some(start..end)
    }

    /// Skips the next document without reading it. Only for a range from
    /// [`Documents::next_document_range`] whose bytes equal those of a document that was read
    /// without error with the same options: reading it would give the same result.
    pub(crate) fn skip_document(&mut self, range: &std::ops::Range<usize>) {
        self.events.skip_document(range.end);
        self.index += 1;
    }

    /// Parses `source` from a [`Resume`] point taken while parsing the same source with the
    /// same options: the documents delivered are those that followed that point.
    pub(crate) fn resume(source: &'s Arc<Source>, options: &ParseOptions, at: Resume) -> Documents<'s> {
        let options = capped(options);
        Documents {
            source,
            events: FastEvents::resume(
                source.text(),
                options.limits.max_depth,
                at.offset as usize,
                at.index as usize,
            ),
            options,
            index: at.index as usize,
            finished: false,
            // The input-wide checks passed when the point was taken.
            pending_error: None,
            buffers: Buffers::default(),
        }
    }
}

/// The options with the depth limit held under [`super::limits::MAX_DEPTH_CAP`].
fn capped(options: &ParseOptions) -> ParseOptions {
    let mut options = options.clone();
    options.limits.max_depth = options.limits.max_depth.min(super::limits::MAX_DEPTH_CAP);
    options
}

fn check_input(source: &Source, options: &ParseOptions) -> Option<Error> {
    let text = source.text();
    if text.len() > options.limits.max_input_bytes {
        let kind = ErrorKind::Limit { limit: "max_input_bytes", value: options.limits.max_input_bytes };
        return Some(error_at(source, 0, kind));
    }
    text.find('\0').map(|at| error_at(source, at, ErrorKind::Binary))
}

/// An error located at a byte offset of `source`.
pub(crate) fn error_at(source: &Source, offset: usize, kind: ErrorKind) -> Error {
    let pos = source.position(offset);
    Error::new(
        kind,
        Location { file: source.name().to_string(), line: pos.line, column: pos.column },
        source.excerpt(pos.line, pos.column),
    )
}

impl Iterator for Documents<'_> {
    type Item = Result<Document, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }
        if let Some(e) = self.pending_error.take() {
            self.finished = true;
            return Some(Err(e));
        }
        let result = self.next_document();
        match result {
            Ok(Some(doc)) => Some(Ok(doc)),
            Ok(None) => {
                self.finished = true;
                None
            }
            Err(e) => {
                self.finished = true;
                Some(Err(e))
            }
        }
    }
}

impl<'s> Documents<'s> {
    fn next_event(&mut self) -> Result<Option<Located<'s>>, Error> {
        match self.events.next_event() {
            None => Ok(None),
            Some(Ok(e)) => Ok(Some(e)),
            Some(Err(e)) => {
                let source = self.source;
                let offset = e.offset.unwrap_or_else(|| {
                    // Fall back to line/column when the parser gives no byte offset.
                    let line_start: usize = source
                        .text()
                        .split_inclusive('\n')
                        .take(e.line.saturating_sub(1))
                        .map(str::len)
                        .sum();
                    let col: usize =
                        source.text()[line_start..].chars().take(e.column0).map(char::len_utf8).sum();
                    line_start + col
                });
                let kind = if e.depth_limit {
                    ErrorKind::Limit { limit: "max_depth", value: self.options.limits.max_depth }
                } else {
                    ErrorKind::Syntax(clean_message(&e.message))
                };
                Err(error_at(source, offset, kind))
            }
        }
    }

    fn next_document(&mut self) -> Result<Option<Document>, Error> {
        loop {
            let Some(located) = self.next_event()? else {
                return Ok(None);
            };
            match located.event {
                Event::StreamEnd => return Ok(None),
                Event::DocumentStart => {
                    if self.index >= self.options.limits.max_documents {
                        let kind = ErrorKind::Limit {
                            limit: "max_documents",
                            value: self.options.limits.max_documents,
                        };
                        return Err(error_at(self.source, located.start, kind));
                    }
                    let doc = self.build_document(located.start)?;
                    self.index += 1;
                    return Ok(Some(doc));
                }
                _ => {}
            }
        }
    }

    fn build_document(&mut self, start: usize) -> Result<Document, Error> {
        let buffers = std::mem::take(&mut self.buffers);
        let mut builder = Builder::new(self.source, self.index, start, self.options.clone(), buffers);
        loop {
            let end = match self.next_event()? {
                None => self.source.text().len(),
                Some(Located { event: Event::DocumentEnd, end, .. }) => end,
                Some(located) => {
                    builder.feed(located)?;
                    continue;
                }
            };
            let (doc, buffers) = builder.finish(end);
            self.buffers = buffers;
            return Ok(doc);
        }
    }
}

/// Parser messages carry their own "at line X column Y"; our location says it already.
fn clean_message(message: &str) -> String {
    let m = message.trim();
    match m.find(" at byte ").or_else(|| m.find(" at line ")) {
        Some(i) => m[..i].to_string(),
        None => m.to_string(),
    }
}

fn clear<T>(mut v: Vec<T>) -> Vec<T> {
    v.clear();
    v
}

struct Frame {
    id: NodeId,
    is_mapping: bool,
    flow: bool,
    scratch_start: usize,
}

struct Builder<'s> {
    source: &'s Arc<Source>,
    options: ParseOptions,
    doc: Document,
    frames: Vec<Frame>,
    /// Children of the open collections, in order; each frame owns a tail of it.
    scratch: Vec<NodeId>,
    /// Expanded size of each node (aliases counted in full); 0 while a collection is open.
    sizes: Vec<u64>,
    /// Expanded height of each node.
    heights: Vec<u32>,
    anchors: HashMap<usize, NodeId>,
}

impl<'s> Builder<'s> {
    fn new(source: &'s Arc<Source>, index: usize, start: usize, options: ParseOptions, b: Buffers) -> Self {
        Builder {
            source,
            options,
            doc: Document {
                source: Arc::clone(source),
                index,
                start: start as u32,
                end: start as u32,
                nodes: b.nodes,
                children: b.children,
                strings: b.strings,
                meta: b.meta,
                tags: Vec::new(),
                root: None,
                warnings: Vec::new(),
            },
            frames: b.frames,
            scratch: b.scratch,
            sizes: b.sizes,
            heights: b.heights,
            anchors: b.anchors,
        }
    }

    /// The finished document, with exactly-sized copies of the arena vectors, and the emptied
    /// buffers for the next document.
    fn finish(mut self, end: usize) -> (Document, Buffers) {
        fn exact<T: Copy>(buffer: &mut Vec<T>) -> Vec<T> {
            let out = buffer.as_slice().to_vec();
            buffer.clear();
            std::mem::replace(buffer, out)
        }
        self.doc.end = end.max(self.doc.start as usize) as u32;
        let buffers = Buffers {
            nodes: exact(&mut self.doc.nodes),
            meta: exact(&mut self.doc.meta),
            children: exact(&mut self.doc.children),
            strings: {
                let out = self.doc.strings.as_str().to_string();
                let mut buffer = std::mem::replace(&mut self.doc.strings, out);
                buffer.clear();
                buffer
            },
            frames: clear(self.frames),
            scratch: clear(self.scratch),
            sizes: clear(self.sizes),
            heights: clear(self.heights),
            anchors: {
                let mut a = self.anchors;
                a.clear();
                a
            },
        };
        // An empty document parses as one empty plain scalar: report it as having no root.
        if let Some(root) = self.doc.root {
            let r = self.doc.node(root);
            if r.style() == Some(ScalarStyle::Plain) && r.tag().is_none() && r.as_str() == Some("") {
                self.doc.root = None;
            }
        }
        (self.doc, buffers)
    }

    fn fail(&self, offset: usize, kind: ErrorKind) -> Error {
        error_at(self.source, offset, kind)
    }

    fn limit(&self, offset: usize, limit: &'static str, value: usize) -> Error {
        self.fail(offset, ErrorKind::Limit { limit, value })
    }

    fn feed(&mut self, located: Located<'s>) -> Result<(), Error> {
        let Located { event, start, end } = located;
        match event {
            Event::Scalar { text, style, anchor, tag } => {
                let id = self.push_scalar(&text, style, tag, start, end)?;
                self.register_anchor(anchor, id);
                self.sizes.push(1);
                self.heights.push(1);
                self.attach(id);
            }
            Event::SequenceStart { anchor, flow } => self.open(anchor, flow, false, start)?,
            Event::MappingStart { anchor, flow } => self.open(anchor, flow, true, start)?,
            Event::SequenceEnd | Event::MappingEnd => self.close(end)?,
            Event::Alias { anchor } => {
                let Some(&target) = self.anchors.get(&anchor) else {
                    return Err(self.fail(start, ErrorKind::Alias("alias to an unknown anchor".into())));
                };
                if self.sizes[target.0 as usize] == 0 {
                    let msg = "alias refers to a collection that contains it (recursive alias)";
                    return Err(self.fail(start, ErrorKind::Alias(msg.into())));
                }
                self.check_expansion(target, start)?;
                self.attach(target);
            }
            Event::DocumentStart | Event::DocumentEnd | Event::StreamEnd => {}
        }
        Ok(())
    }

    fn new_node(
        &mut self,
        start: usize,
        end: usize,
        data: NodeData,
        tag: Option<String>,
    ) -> Result<NodeId, Error> {
        if self.doc.nodes.len() >= self.options.limits.max_nodes {
            return Err(self.limit(start, "max_nodes", self.options.limits.max_nodes));
        }
        Ok(self.doc.push_node(start, end, data, tag))
    }

    fn push_scalar(
        &mut self,
        text: &str,
        style: ScalarStyle,
        tag: Option<String>,
        start: usize,
        end: usize,
    ) -> Result<NodeId, Error> {
        if text.len() > self.options.limits.max_scalar_bytes {
            return Err(self.limit(start, "max_scalar_bytes", self.options.limits.max_scalar_bytes));
        }
        // The parser reports an empty node (`a:`) as "~"; keep what the source says: nothing.
        let text_ref = if style == ScalarStyle::Plain && start == end {
            TextRef { start: start as u32, len: 0, owned: false }
        } else {
            self.store_text(text)
        };
        let data = NodeData::Scalar { text: text_ref, style, tagged: tag.is_some() };
        self.new_node(start, end, data, tag)
    }

    /// Scalars the parser borrowed from the source are referenced in place; others are copied
    /// into the document's buffer.
    fn store_text(&mut self, text: &str) -> TextRef {
        let src = self.source.text();
        {
            let s = text;
            let offset = (s.as_ptr() as usize).wrapping_sub(src.as_ptr() as usize);
            if offset <= src.len() && offset + s.len() <= src.len() {
                return TextRef { start: offset as u32, len: s.len() as u32, owned: false };
            }
        }
        let start = self.doc.strings.len() as u32;
        self.doc.strings.push_str(text);
        TextRef { start, len: text.len() as u32, owned: true }
    }

    fn register_anchor(&mut self, anchor: usize, id: NodeId) {
        if anchor != 0 {
            self.anchors.insert(anchor, id);
        }
    }

    fn attach(&mut self, id: NodeId) {
        if self.frames.is_empty() {
            self.doc.root = Some(id);
        } else {
            self.scratch.push(id);
        }
    }

    fn open(&mut self, anchor: usize, flow: bool, is_mapping: bool, start: usize) -> Result<(), Error> {
        if self.frames.len() >= self.options.limits.max_depth {
            return Err(self.limit(start, "max_depth", self.options.limits.max_depth));
        }
        let data = if is_mapping {
            NodeData::Mapping { first: 0, len: 0, flow }
        } else {
            NodeData::Sequence { first: 0, len: 0, flow }
        };
        let id = self.new_node(start, start, data, None)?;
        self.sizes.push(0);
        self.heights.push(0);
        self.register_anchor(anchor, id);
        self.frames.push(Frame { id, is_mapping, flow, scratch_start: self.scratch.len() });
        Ok(())
    }

    fn close(&mut self, end_event_end: usize) -> Result<(), Error> {
        let Some(frame) = self.frames.pop() else {
            return Ok(());
        };
        // Most mappings need no rewriting (no duplicate keys, no merges): their children are
        // copied straight from the scratch stack, without an intermediate allocation.
        let rewritten = if frame.is_mapping { self.rewritten_mapping(&frame)? } else { None };
        let first = self.doc.children.len();
        match rewritten {
            Some(children) => self.doc.children.extend_from_slice(&children),
            None => self.doc.children.extend_from_slice(&self.scratch[frame.scratch_start..]),
        }
        self.scratch.truncate(frame.scratch_start);

        let mut size: u64 = 1;
        let mut height: u32 = 0;
        for c in &self.doc.children[first..] {
            size = size.saturating_add(self.sizes[c.0 as usize]);
            height = height.max(self.heights[c.0 as usize]);
        }
        let start = self.doc.nodes[frame.id.0 as usize].start as usize;
        let depth_limit = self.options.limits.max_depth;
        if self.frames.len() + height as usize > depth_limit {
            return Err(self.limit(start, "max_depth", depth_limit));
        }
        self.sizes[frame.id.0 as usize] = size;
        self.heights[frame.id.0 as usize] = height + 1;
        self.check_expansion(frame.id, start)?;

        // Block collections end where their last child ends (the parser's end event sits at the
        // next token, past blank lines and comments); flow collections end after `]` or `}`.
        let end = match (frame.flow, self.doc.children[first..].last()) {
            (false, Some(last)) => self.doc.nodes[last.0 as usize].end as usize,
            (false, None) => start,
            (true, _) => end_event_end,
        };
        let count = (self.doc.children.len() - first) as u32;
        let first = first as u32;
        self.doc.nodes[frame.id.0 as usize].end = end as u32;
        let data = if frame.is_mapping {
            NodeData::Mapping { first, len: count / 2, flow: frame.flow }
        } else {
            NodeData::Sequence { first, len: count, flow: frame.flow }
        };
        self.doc.set_data(frame.id, data);
        self.attach(frame.id);
        Ok(())
    }

    /// Aliases and merges share nodes; their expanded size must stay within the budget.
    fn check_expansion(&self, id: NodeId, offset: usize) -> Result<(), Error> {
        let limit = self.options.limits.max_alias_expansion;
        let budget = (self.doc.nodes.len() as u64).saturating_add(limit as u64);
        if self.sizes[id.0 as usize] > budget {
            return Err(self.limit(offset, "max_alias_expansion", limit));
        }
        Ok(())
    }

    fn node_ref(&self, id: NodeId) -> NodeRef<'_> {
        self.doc.node(id)
    }

    fn is_merge_key(&self, id: NodeId) -> bool {
        match self.doc.data(id) {
            NodeData::Scalar { text, style, tagged } => {
                self.doc.text_of(text) == "<<"
                    && if tagged {
                        self.doc.tag_of(id) == Some("tag:yaml.org,2002:merge")
                    } else {
                        style == ScalarStyle::Plain
                    }
            }
            _ => false,
        }
    }

    /// The JSON object key Kubernetes makes of a key node.
    fn key_of(&self, id: NodeId) -> Result<Cow<'_, str>, Error> {
        let k = self.node_ref(id);
        if let Some(key) = k.key_string() {
            return Ok(key);
        }
        let null_key = || {
            let msg = "a null mapping key is not allowed";
            self.fail(k.byte_range().start, ErrorKind::Key(msg.into()))
        };
        match k.value()? {
            Some(value) => super::resolve::key_string(value).ok_or_else(null_key),
            None => {
                let msg = "mapping keys must be scalars: Kubernetes objects are JSON objects";
                Err(self.fail(k.byte_range().start, ErrorKind::Key(msg.into())))
            }
        }
    }

    /// The key/value ids of a finished mapping when the duplicate-key policy or merge keys
    /// change them; `None` when the entries stand as written (the common case).
    fn rewritten_mapping(&mut self, frame: &Frame) -> Result<Option<Vec<NodeId>>, Error> {
        let pairs = &self.scratch[frame.scratch_start..];
        let count = pairs.len() / 2;
        let mut keys: Vec<Option<Cow<'_, str>>> = Vec::with_capacity(count);
        let mut has_merge = false;
        for kv in pairs.chunks_exact(2) {
            if self.is_merge_key(kv[0]) {
                has_merge = true;
                keys.push(None);
            } else {
                keys.push(Some(self.key_of(kv[0])?));
            }
        }
        // Small mappings (nearly all) compare pairwise; large ones use a hash map.
        let mut duplicates: Vec<(usize, usize)> = Vec::new();
        if count <= 16 {
            for j in 1..count {
                let Some(kj) = &keys[j] else { continue };
                if let Some(i) = (0..j).rev().find(|&i| keys[i].as_ref() == Some(kj)) {
                    duplicates.push((i, j));
                }
            }
        } else {
            let mut seen: HashMap<&str, usize> = HashMap::with_capacity(count);
            for (j, key) in keys.iter().enumerate() {
                let Some(key) = key else { continue };
                if let Some(i) = seen.insert(key, j) {
                    duplicates.push((i, j));
                }
            }
        }
        if duplicates.is_empty() && !has_merge {
            return Ok(None);
        }
        let mut dropped = vec![false; count];
        let mut warnings = Vec::new();
        for &(i, j) in &duplicates {
            let key = keys[j].as_deref().unwrap_or_default().to_string();
            let kind = ErrorKind::DuplicateKey { key, first: self.location_of(pairs[2 * i]) };
            let err = self.fail(self.node_ref(pairs[2 * j]).byte_range().start, kind);
            if self.options.duplicate_keys == DuplicateKeys::Error {
                return Err(err);
            }
            warnings.push(Warning {
                code: "yaml.duplicate-key",
                message: format!("{} (the last value is used)", err.message()),
                location: err.location().clone(),
            });
            dropped[i] = true;
        }
        drop(keys);
        let pairs = self.scratch[frame.scratch_start..].to_vec();
        self.doc.warnings.extend(warnings);
        if !has_merge {
            let kept = pairs.chunks_exact(2).zip(&dropped).filter(|(_, d)| !**d);
            return Ok(Some(kept.flat_map(|(kv, _)| [kv[0], kv[1]]).collect()));
        }
        self.apply_merges(&pairs, &dropped).map(Some)
    }

    /// go-yaml v2 order: entries apply in document order, a merge overwrites the keys set before
    /// it, and in a list of merged mappings earlier ones take precedence.
    fn apply_merges(&mut self, pairs: &[NodeId], dropped: &[bool]) -> Result<Vec<NodeId>, Error> {
        let mut out: Vec<(String, NodeId, NodeId)> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut upsert = |key: String, k: NodeId, v: NodeId, out: &mut Vec<(String, NodeId, NodeId)>| {
            match index.get(&key) {
                Some(&i) => out[i] = (key, k, v),
                None => {
                    index.insert(key.clone(), out.len());
                    out.push((key, k, v));
                }
            }
        };
        let mut merged_size: u64 = 0;
        for (i, kv) in pairs.chunks_exact(2).enumerate() {
            if dropped[i] {
                continue;
            }
            if !self.is_merge_key(kv[0]) {
                let key = self.key_of(kv[0])?.into_owned();
                upsert(key, kv[0], kv[1], &mut out);
                continue;
            }
            let value = self.node_ref(kv[1]);
            let sources: Vec<NodeId> = match value.kind() {
                super::NodeKind::Mapping => vec![value.id()],
                super::NodeKind::Sequence => value.items().map(|n| n.id()).collect(),
                super::NodeKind::Scalar => {
                    let msg = "the value of a merge key (<<) must be a mapping or a list of mappings";
                    return Err(self.fail(value.byte_range().start, ErrorKind::Merge(msg.into())));
                }
            };
            // Earlier mappings of a merge list win; keys keep the order of first appearance.
            let mut from_this_merge: HashMap<String, ()> = HashMap::new();
            for src in sources {
                let m = self.node_ref(src);
                if m.kind() != super::NodeKind::Mapping {
                    let msg = "a merge key (<<) list may only hold mappings";
                    return Err(self.fail(m.byte_range().start, ErrorKind::Merge(msg.into())));
                }
                let entries: Vec<(NodeId, NodeId)> = m.entries().map(|(k, v)| (k.id(), v.id())).collect();
                for (k, v) in entries {
                    merged_size += self.sizes[k.0 as usize] + self.sizes[v.0 as usize];
                    let key = self.key_of(k)?.into_owned();
                    if from_this_merge.insert(key.clone(), ()).is_none() {
                        upsert(key, k, v, &mut out);
                    }
                }
            }
        }
        let limit = self.options.limits.max_alias_expansion as u64;
        if merged_size > limit {
            let at = self.node_ref(pairs[0]).byte_range().start;
            return Err(self.limit(at, "max_alias_expansion", limit as usize));
        }
        Ok(out.into_iter().flat_map(|(_, k, v)| [k, v]).collect())
    }

    fn location_of(&self, id: NodeId) -> Location {
        let pos = self.node_ref(id).span().start;
        Location { file: self.source.name().to_string(), line: pos.line, column: pos.column }
    }
}
