//! A fast event source for the block-style YAML that manifests are made of, in front of
//! granit-parser.
//!
//! Rendered Kubernetes manifests use a small part of YAML: block mappings and sequences, plain
//! and quoted one-line scalars, one-line flow collections, literal and folded block scalars,
//! comments and document markers. This scanner reads that subset line by line and produces
//! exactly the events (texts, styles and byte spans) granit-parser produces for it, several
//! times faster. It never reports an error: a document holding anything else (anchors,
//! aliases, tags, multi-line plain or quoted scalars, complex keys, tabs, directives, or a
//! syntax error) makes it hand the whole stream to granit, which re-reads the documents
//! already delivered without emitting them again. So granit stays the only judge of what is
//! valid YAML and of every error message; the fast path only saves time, and the differential
//! test (`tests` below, and over the whole corpus) holds it to granit's answers.
//!
//! A document is scanned completely into a queue before any of its events is delivered, so a
//! fall-back never happens in the middle of a document the tree builder is reading.

use super::events::{Event, EventSource, Granit, Located, SyntaxError};
use super::tree::ScalarStyle;
use memchr::memmem;
use std::borrow::Cow;
use std::collections::VecDeque;
use std::sync::LazyLock;

/// The input is outside the fast subset: let granit read it.
struct Bail;

type Scan<T> = Result<T, Bail>;

/// Deepest nesting the fast path handles; deeper documents go to granit (and its limits).
const MAX_FAST_DEPTH: usize = 64;

/// YAML limits implicit keys to 1024 characters; longer ones are left to granit.
const MAX_IMPLICIT_KEY: usize = 1024;

/// One physical line: `[start, end)` without its line break, `content` after the indentation.
#[derive(Clone, Copy)]
struct Line {
    start: usize,
    end: usize,
    content: usize,
}

impl Line {
    fn indent(&self) -> usize {
        self.content - self.start
    }
}

/// Fast events for the common subset, granit for everything else.
pub(crate) struct FastEvents<'a> {
    text: &'a str,
    bytes: &'a [u8],
    /// Start of the next line to scan.
    pos: usize,
    queue: VecDeque<Located<'a>>,
    documents_done: usize,
    fallback: Option<Fallback<'a>>,
    stream_ended: bool,
    max_depth: usize,
    depth: usize,
}

/// granit over the whole text, skipping the documents the fast path already delivered.
struct Fallback<'a> {
    granit: Granit<'a>,
    documents_to_skip: usize,
}

impl<'a> FastEvents<'a> {
    pub fn new(text: &'a str, max_depth: usize) -> FastEvents<'a> {
        let mut events = FastEvents {
            text,
            bytes: text.as_bytes(),
            pos: 0,
            queue: VecDeque::new(),
            documents_done: 0,
            fallback: None,
            stream_ended: false,
            max_depth,
            depth: 0,
        };
        if !fast_path_applies(text) {
            events.fall_back();
        }
        events
    }

    /// A reader that starts at a document boundary `pos` recorded by [`FastEvents::boundary`]
    /// while reading the same `text`, after `documents_done` documents: it yields the same
    /// events from there on (a fall-back still re-reads the stream from its start).
    pub fn resume(text: &'a str, max_depth: usize, pos: usize, documents_done: usize) -> FastEvents<'a> {
        FastEvents {
            text,
            bytes: text.as_bytes(),
            pos,
            queue: VecDeque::new(),
            documents_done,
            fallback: None,
            stream_ended: false,
            max_depth,
            depth: 0,
        }
    }

    /// Where the next document's scan starts, when the fast path is between two documents
    /// (nothing queued, no fall-back): everything after depends on the text from there only.
    pub fn boundary(&self) -> Option<(usize, usize)> {
        (self.fallback.is_none() && self.queue.is_empty() && !self.stream_ended)
            .then_some((self.pos, self.documents_done))
    }

    /// The end of the document that starts at the boundary `pos`, found from its markers
    /// alone (no scan): the next line starting with `---` (the end is that line's start) or
    /// `...` (the end is after that line), or the end of the text. Where the fast reader reads
    /// the document, it ends exactly there: two documents with the same bytes up to that end
    /// read the same. `None` when nothing but comments is left.
    pub fn document_end_at(&self, pos: usize) -> Option<usize> {
        let first = self.content_line(pos)?;
        let from = match self.marker(first) {
            Some(b'.') => return None,
            _ => self.after(first),
        };
        // The end at a line start, if that line is a marker.
        let end_at = |start: usize| -> Option<usize> {
            let line = self.line(start);
            match self.marker(line)? {
                b'-' => Some(line.start),
                _ => Some(self.after(line)),
            }
        };
        if from < self.bytes.len()
            && let Some(end) = end_at(from)
        {
            return Some(end);
        }
        // Candidate lines by SIMD search: a line break followed by `---`, or `...` before it
        // (searched only that far: `...` is rare, and a search to the end of the text for each
        // document would make the whole quadratic).
        static DASHES: LazyLock<memmem::Finder<'static>> = LazyLock::new(|| memmem::Finder::new("\n---"));
        static DOTS: LazyLock<memmem::Finder<'static>> = LazyLock::new(|| memmem::Finder::new("\n..."));
        let mut at = from;
        loop {
            let dashes = DASHES.find(&self.bytes[at..]).map_or(self.bytes.len(), |i| at + i + 1);
            let limit = dashes.min(self.bytes.len());
            let start = DOTS.find(&self.bytes[at..limit]).map_or(dashes, |i| at + i + 1);
            if start >= self.bytes.len() {
                return Some(self.bytes.len());
            }
            if let Some(end) = end_at(start) {
                return Some(end);
            }
            // `----` or `...x`: not a marker; look past it.
            at = start;
        }
    }

    /// Moves past a document at the boundary, to `end` (from [`FastEvents::document_end_at`]),
    /// as if it had been read.
    pub fn skip_document(&mut self, end: usize) {
        self.pos = end;
        self.documents_done += 1;
    }

    fn fall_back(&mut self) {
        self.queue.clear();
        self.fallback = Some(Fallback {
            granit: Granit::new(self.text, self.max_depth),
            documents_to_skip: self.documents_done,
        });
    }

    fn from_fallback(f: &mut Fallback<'a>) -> Option<Result<Located<'a>, SyntaxError>> {
        loop {
            let next = f.granit.next_event()?;
            if f.documents_to_skip == 0 {
                return Some(next);
            }
            match next {
                Ok(Located { event: Event::DocumentEnd, .. }) => f.documents_to_skip -= 1,
                Ok(_) => {}
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

/// Characters that send a whole input to granit: tabs and carriage returns (indentation and
/// line-break rules), a byte-order mark, and the Unicode line breaks of YAML 1.1.
fn fast_path_applies(text: &str) -> bool {
    let b = text.as_bytes();
    memchr::memchr2(b'\t', b'\r', b).is_none()
        && !text.starts_with('\u{feff}')
        && memchr::memmem::find(b, "\u{85}".as_bytes()).is_none()
        && memchr::memmem::find(b, "\u{2028}".as_bytes()).is_none()
        && memchr::memmem::find(b, "\u{2029}".as_bytes()).is_none()
}

impl<'a> EventSource<'a> for FastEvents<'a> {
    fn next_event(&mut self) -> Option<Result<Located<'a>, SyntaxError>> {
        loop {
            if let Some(f) = self.fallback.as_mut() {
                return Self::from_fallback(f);
            }
            if let Some(e) = self.queue.pop_front() {
                return Some(Ok(e));
            }
            if self.stream_ended {
                return None;
            }
            let start = self.pos;
            match self.document() {
                Ok(true) => self.documents_done += 1,
                Ok(false) => {
                    self.stream_ended = true;
                    let end = self.text.len();
                    self.queue.push_back(Located { event: Event::StreamEnd, start: end, end });
                }
                Err(Bail) => {
                    self.pos = start;
                    self.fall_back();
                }
            }
        }
    }
}

// Lines and positions.
impl<'a> FastEvents<'a> {
    fn line(&self, start: usize) -> Line {
        let end = memchr::memchr(b'\n', &self.bytes[start..]).map_or(self.bytes.len(), |i| start + i);
        let content = start + self.bytes[start..end].iter().take_while(|&&b| b == b' ').count();
        Line { start, end, content }
    }

    fn after(&self, line: Line) -> usize {
        (line.end + 1).min(self.bytes.len())
    }

    fn byte(&self, at: usize) -> u8 {
        self.bytes.get(at).copied().unwrap_or(b'\n')
    }

    /// The next line holding something other than spaces or a comment, from `from`.
    fn content_line(&self, mut from: usize) -> Option<Line> {
        while from < self.bytes.len() {
            let line = self.line(from);
            if line.content < line.end && self.bytes[line.content] != b'#' {
                return Some(line);
            }
            from = self.after(line);
        }
        None
    }

    /// `---` or `...` at the start of the line, followed by a space or the end of the line.
    fn marker(&self, line: Line) -> Option<u8> {
        let b = &self.bytes[line.start..line.end];
        if b.len() >= 3 && (b.starts_with(b"---") || b.starts_with(b"...")) && (b.len() == 3 || b[3] == b' ')
        {
            Some(b[0])
        } else {
            None
        }
    }

    /// Only spaces and an optional comment from `at` to the end of `line`.
    fn rest_is_blank(&self, at: usize, line: Line) -> bool {
        let rest = &self.bytes[at..line.end];
        match rest.iter().position(|&b| b != b' ') {
            None => true,
            Some(i) => rest[i] == b'#' && (i > 0 || at == line.content || self.byte(at - 1) == b' '),
        }
    }

    fn skip_spaces(&self, mut at: usize, end: usize) -> usize {
        while at < end && self.bytes[at] == b' ' {
            at += 1;
        }
        at
    }

    fn push(&mut self, event: Event<'a>, start: usize, end: usize) {
        self.queue.push_back(Located { event, start, end });
    }

    fn scalar(&mut self, text: Cow<'a, str>, style: ScalarStyle, start: usize, end: usize) {
        self.push(Event::Scalar { text, style, anchor: 0, tag: None }, start, end);
    }

    fn empty(&mut self, at: usize) {
        self.scalar(Cow::Borrowed("~"), ScalarStyle::Plain, at, at);
    }

    fn enter(&mut self) -> Scan<()> {
        self.depth += 1;
        if self.depth >= MAX_FAST_DEPTH.min(self.max_depth) { Err(Bail) } else { Ok(()) }
    }
}

// Documents and block collections.
impl<'a> FastEvents<'a> {
    /// Scans one document into the queue; `false` at the end of the stream.
    fn document(&mut self) -> Scan<bool> {
        self.depth = 0;
        let Some(first) = self.content_line(self.pos) else {
            return Ok(false);
        };
        match self.marker(first) {
            Some(b'.') => return Err(Bail),
            Some(_) => return self.explicit_document(first),
            None => {}
        }
        if self.bytes[first.content] == b'%' {
            return Err(Bail);
        }
        self.push(Event::DocumentStart, first.content, first.content);
        self.root(first)?;
        self.document_end()
    }

    fn explicit_document(&mut self, marker: Line) -> Scan<bool> {
        if !self.rest_is_blank(marker.start + 3, marker) {
            return Err(Bail);
        }
        self.push(Event::DocumentStart, marker.start, marker.start + 3);
        match self.content_line(self.after(marker)) {
            Some(line) if self.marker(line).is_none() => {
                self.root(line)?;
                self.document_end()
            }
            next => {
                // An empty document: a null at the end of its marker.
                self.empty(marker.start + 3);
                match next {
                    Some(end) if self.marker(end) == Some(b'.') => self.explicit_end(end),
                    _ => {
                        self.push(Event::DocumentEnd, marker.start + 3, marker.start + 3);
                        self.pos = next.map_or(self.bytes.len(), |l| l.start);
                        Ok(true)
                    }
                }
            }
        }
    }

    fn document_end(&mut self) -> Scan<bool> {
        match self.content_line(self.pos) {
            None => {
                let end = self.bytes.len();
                self.push(Event::DocumentEnd, end, end);
                self.pos = end;
                Ok(true)
            }
            Some(line) => match self.marker(line) {
                Some(b'.') => self.explicit_end(line),
                Some(_) => {
                    self.push(Event::DocumentEnd, line.start, line.start);
                    self.pos = line.start;
                    Ok(true)
                }
                None => Err(Bail),
            },
        }
    }

    fn explicit_end(&mut self, line: Line) -> Scan<bool> {
        if !self.rest_is_blank(line.start + 3, line) {
            return Err(Bail);
        }
        self.push(Event::DocumentEnd, line.start, line.start + 3);
        self.pos = self.after(line);
        Ok(true)
    }

    /// The root node starts on `line`: a block mapping or sequence (a scalar root is left to
    /// granit).
    fn root(&mut self, line: Line) -> Scan<()> {
        if self.is_dash(line.content, line) {
            self.sequence(line, line.content, false)
        } else if let Some(colon) = self.key_colon(line.content, line)? {
            self.mapping(line, line.content, colon)
        } else {
            Err(Bail)
        }
    }

    /// `-` followed by a space or the end of the line.
    fn is_dash(&self, at: usize, line: Line) -> bool {
        self.bytes[at] == b'-' && (at + 1 == line.end || self.bytes[at + 1] == b' ')
    }

    /// A block mapping whose first key starts at `key` (column = the mapping's indentation) on
    /// `line`, with its `:` at `colon`.
    fn mapping(&mut self, mut line: Line, key: usize, mut colon: usize) -> Scan<()> {
        self.enter()?;
        let indent = key - line.start;
        self.push(Event::MappingStart { anchor: 0, flow: false }, key, key);
        let mut key = key;
        loop {
            self.key(key, colon)?;
            self.mapping_value(line, indent, colon)?;
            let Some(next) = self.content_line(self.pos) else { break };
            if self.marker(next).is_some() || next.indent() < indent {
                break;
            }
            if next.indent() > indent {
                return Err(Bail);
            }
            if self.is_dash(next.content, next) {
                // A sequence entry at the mapping's indentation after a complete value.
                return Err(Bail);
            }
            line = next;
            key = next.content;
            colon = self.key_colon(key, line)?.ok_or(Bail)?;
        }
        self.push(Event::MappingEnd, self.pos, self.pos);
        self.depth -= 1;
        Ok(())
    }

    /// The key scalar from `key` to `colon`.
    fn key(&mut self, key: usize, colon: usize) -> Scan<()> {
        match self.bytes[key] {
            b'"' | b'\'' => {
                let (text, end) = self.quoted(key, colon)?;
                let style = if self.bytes[key] == b'"' {
                    ScalarStyle::DoubleQuoted
                } else {
                    ScalarStyle::SingleQuoted
                };
                self.scalar(text, style, key, end);
            }
            _ => {
                let end = key + trimmed_len(&self.bytes[key..colon]);
                self.scalar(Cow::Borrowed(&self.text[key..end]), ScalarStyle::Plain, key, end);
            }
        }
        Ok(())
    }

    /// Where the `:` of an implicit key starting at `at` is, `None` when the line holds no key.
    fn key_colon(&self, at: usize, line: Line) -> Scan<Option<usize>> {
        let b = self.bytes;
        let colon = match b[at] {
            b'"' | b'\'' => {
                let (_, end) = self.quoted(at, line.end)?;
                let colon = self.skip_spaces(end, line.end);
                if colon < line.end && b[colon] == b':' { colon } else { return Ok(None) }
            }
            c if starts_plain(c, self.byte(at + 1)) => {
                let mut i = at;
                loop {
                    match memchr::memchr2(b':', b'#', &b[i..line.end]) {
                        None => return Ok(None),
                        Some(j) => {
                            let k = i + j;
                            if b[k] == b'#' {
                                if b[k - 1] == b' ' {
                                    return Ok(None);
                                }
                            } else if k + 1 == line.end || b[k + 1] == b' ' {
                                break k;
                            }
                            i = k + 1;
                        }
                    }
                }
            }
            // Flow collections and block scalars are values; other indicators fail later.
            _ => return Ok(None),
        };
        if colon - at > MAX_IMPLICIT_KEY {
            return Err(Bail);
        }
        let after = colon + 1;
        if after < line.end && b[after] != b' ' {
            return Err(Bail);
        }
        Ok(Some(colon))
    }

    /// The value after `key:` at `colon` on `line`, in a mapping indented by `indent`.
    fn mapping_value(&mut self, line: Line, indent: usize, colon: usize) -> Scan<()> {
        let at = self.skip_spaces(colon + 1, line.end);
        if at < line.end && self.bytes[at] != b'#' {
            return self.inline_value(at, line, indent);
        }
        if at < line.end && self.bytes[at - 1] != b' ' {
            return Err(Bail);
        }
        // Nothing more on the line: a nested block collection, or a null.
        let next = self.content_line(self.after(line));
        match next {
            Some(n) if self.marker(n).is_none() && n.indent() > indent => {
                if self.is_dash(n.content, n) {
                    self.sequence(n, n.content, false)
                } else if let Some(c) = self.key_colon(n.content, n)? {
                    self.mapping(n, n.content, c)
                } else {
                    // A scalar or flow collection on the next line.
                    self.inline_value(n.content, n, indent)
                }
            }
            Some(n) if self.marker(n).is_none() && n.indent() == indent && self.is_dash(n.content, n) => {
                self.sequence(n, n.content, true)
            }
            _ => {
                self.empty(colon);
                self.pos = self.after(line);
                Ok(())
            }
        }
    }

    /// A block sequence whose first `-` is at `dash` on `line`. An indentless sequence (the
    /// value of a key at the same indentation) starts where its first entry starts.
    fn sequence(&mut self, mut line: Line, dash: usize, indentless: bool) -> Scan<()> {
        self.enter()?;
        let indent = dash - line.start;
        let start_event = self.queue.len();
        let (first_line, first_dash) = (line, dash);
        self.push(Event::SequenceStart { anchor: 0, flow: false }, dash, dash);
        let mut dash = dash;
        loop {
            self.entry(line, dash)?;
            let Some(next) = self.content_line(self.pos) else { break };
            if self.marker(next).is_some() || next.indent() < indent {
                break;
            }
            if next.indent() > indent {
                return Err(Bail);
            }
            if !self.is_dash(next.content, next) {
                if indentless {
                    break;
                }
                return Err(Bail);
            }
            line = next;
            dash = next.content;
        }
        if indentless {
            // granit puts an indentless sequence where its scanner stands after the first `-`,
            // its spaces and a comment: the entry's first token (a block scalar's `|`, not its
            // content), or the end of that line.
            let token = self.skip_spaces(first_dash + 1, first_line.end);
            let first =
                if token < first_line.end && self.bytes[token] == b'#' { first_line.end } else { token };
            if let Some(e) = self.queue.get_mut(start_event) {
                e.start = first;
                e.end = first;
            }
        }
        self.push(Event::SequenceEnd, self.pos, self.pos);
        self.depth -= 1;
        Ok(())
    }

    /// One sequence entry after the `-` at `dash`.
    fn entry(&mut self, line: Line, dash: usize) -> Scan<()> {
        let indent = dash - line.start;
        let at = self.skip_spaces(dash + 1, line.end);
        if at == line.end || self.bytes[at] == b'#' {
            // The entry's node starts on a later, deeper line (an empty entry is left to granit).
            let n = self.content_line(self.after(line)).ok_or(Bail)?;
            if self.marker(n).is_some() || n.indent() <= indent {
                return Err(Bail);
            }
            return if self.is_dash(n.content, n) {
                self.sequence(n, n.content, false)
            } else if let Some(c) = self.key_colon(n.content, n)? {
                self.mapping(n, n.content, c)
            } else {
                Err(Bail)
            };
        }
        if self.is_dash(at, line) {
            // `- - x`: a sequence in the entry, indented to its own `-`.
            let column = Line { start: line.start, end: line.end, content: at };
            return self.sequence(column, at, false);
        }
        if let Some(colon) = self.key_colon(at, line)? {
            // `- key: value`: a mapping indented to its first key.
            return self.mapping(line, at, colon);
        }
        self.inline_value(at, line, indent)
    }

    /// A node starting at `at` on `line` (after `key: ` or `- `) that is not a block
    /// collection; `indent` is the parent collection's indentation.
    fn inline_value(&mut self, at: usize, line: Line, indent: usize) -> Scan<()> {
        let b = self.bytes[at];
        match b {
            b'|' | b'>' => return self.block_scalar(at, line, indent),
            b'"' | b'\'' => {
                let (text, end, last) = self.quoted_lines(at, line, indent)?;
                let style = if b == b'"' { ScalarStyle::DoubleQuoted } else { ScalarStyle::SingleQuoted };
                self.scalar(text, style, at, end);
                if !self.rest_is_blank(end, last) {
                    return Err(Bail);
                }
                self.pos = self.after(last);
                return Ok(());
            }
            b'[' | b'{' => {
                let end = self.flow_node(at, line.end)?;
                if !self.rest_is_blank(end, line) {
                    return Err(Bail);
                }
            }
            c if starts_plain(c, self.byte(at + 1)) => return self.plain_value(at, line, indent),
            _ => return Err(Bail),
        }
        self.pos = self.after(line);
        Ok(())
    }

    /// A plain scalar starting at `at`, continued on the following lines that are indented
    /// deeper than the parent collection (`indent`): lines are joined by a space, blank lines
    /// become line breaks.
    fn plain_value(&mut self, at: usize, line: Line, indent: usize) -> Scan<()> {
        let end = self.plain_in_block(at, line)?;
        let mut commented = self.skip_spaces(end, line.end) < line.end;
        let (mut last_end, mut consumed) = (end, self.after(line));
        let mut joined: Option<String> = None;
        let (mut next, mut breaks) = (consumed, 0);
        while next < self.bytes.len() {
            let l = self.line(next);
            if l.content == l.end {
                breaks += 1;
                next = self.after(l);
                continue;
            }
            if l.indent() <= indent || self.bytes[l.content] == b'#' || self.marker(l).is_some() {
                break;
            }
            let first = self.bytes[l.content];
            let indicator =
                matches!(first, b'-' | b'?' | b':') && matches!(self.byte(l.content + 1), b' ' | b'\n');
            if commented || indicator {
                return Err(Bail);
            }
            let e = self.plain_in_block(l.content, l)?;
            let s = joined.get_or_insert_with(|| self.text[at..end].to_string());
            if breaks == 0 {
                s.push(' ');
            }
            s.extend(std::iter::repeat_n('\n', breaks));
            s.push_str(&self.text[l.content..e]);
            commented = self.skip_spaces(e, l.end) < l.end;
            (last_end, breaks) = (e, 0);
            next = self.after(l);
            consumed = next;
        }
        let text = joined.map_or(Cow::Borrowed(&self.text[at..end]), Cow::Owned);
        self.scalar(text, ScalarStyle::Plain, at, last_end);
        self.pos = consumed;
        Ok(())
    }

    /// The end of a one-line plain scalar starting at `at` (trailing spaces and a comment
    /// excluded); a `: ` inside it is left to granit.
    fn plain_in_block(&self, at: usize, line: Line) -> Scan<usize> {
        let b = self.bytes;
        let mut end = line.end;
        let mut i = at;
        while let Some(j) = memchr::memchr2(b':', b'#', &b[i..line.end]) {
            let k = i + j;
            if b[k] == b'#' {
                if b[k - 1] == b' ' {
                    end = k;
                    break;
                }
            } else if k + 1 == line.end || b[k + 1] == b' ' {
                return Err(Bail);
            }
            i = k + 1;
        }
        Ok(at + trimmed_len(&b[at..end]))
    }
}

/// Length of `b` without trailing spaces.
fn trimmed_len(b: &[u8]) -> usize {
    b.iter().rposition(|&c| c != b' ').map_or(0, |i| i + 1)
}

/// Whether a plain scalar may start with `c` (followed by `next`) in block context.
fn starts_plain(c: u8, next: u8) -> bool {
    match c {
        b'-' | b'?' | b':' => next != b' ' && next != b'\n',
        b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\'' | b'"' | b'%'
        | b'@' | b'`' | b' ' => false,
        _ => true,
    }
}

// Scalars.
impl<'a> FastEvents<'a> {
    /// A quoted scalar starting at `at` and closing before `limit` (one line); its text and the
    /// end of its closing quote.
    fn quoted(&self, at: usize, limit: usize) -> Scan<(Cow<'a, str>, usize)> {
        let b = self.bytes;
        let quote = b[at];
        let mut i = at + 1;
        let mut owned: Option<String> = None;
        let mut run = i;
        loop {
            if i >= limit {
                return Err(Bail);
            }
            let c = b[i];
            if c == quote {
                if quote == b'\'' && i + 1 < limit && b[i + 1] == b'\'' {
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(&self.text[run..=i]);
                    i += 2;
                    run = i;
                    continue;
                }
                let text = match owned {
                    None => Cow::Borrowed(&self.text[at + 1..i]),
                    Some(mut s) => {
                        s.push_str(&self.text[run..i]);
                        Cow::Owned(s)
                    }
                };
                return Ok((text, i + 1));
            }
            if c == b'\\' && quote == b'"' {
                let s = owned.get_or_insert_with(String::new);
                s.push_str(&self.text[run..i]);
                i = self.escape(i + 1, limit, s)?;
                run = i;
                continue;
            }
            i += 1;
        }
    }

    /// A quoted scalar starting at `at` on `line` that may continue on deeper lines than the
    /// parent collection (`indent`): its text, the end of its closing quote and the line holding
    /// it. Line breaks fold as YAML says (a space, or the blank lines as breaks); escaped line
    /// breaks are left to granit.
    fn quoted_lines(&self, at: usize, line: Line, indent: usize) -> Scan<(Cow<'a, str>, usize, Line)> {
        if let Ok((text, end)) = self.quoted(at, line.end) {
            return Ok((text, end, line));
        }
        let b = self.bytes;
        let quote = b[at];
        let mut out = String::new();
        let (mut l, mut from) = (line, at + 1);
        loop {
            if let Some(end) = self.quoted_segment(from, l.end, quote, &mut out)? {
                return Ok((Cow::Owned(out), end, l));
            }
            // Folding: the next non-blank line, indented deeper than the parent.
            let mut breaks = 0;
            let mut next = self.after(l);
            loop {
                if next >= b.len() {
                    return Err(Bail);
                }
                l = self.line(next);
                if l.content < l.end {
                    break;
                }
                breaks += 1;
                next = self.after(l);
            }
            if l.indent() <= indent || self.marker(l).is_some() {
                return Err(Bail);
            }
            if breaks == 0 {
                out.push(' ');
            }
            out.extend(std::iter::repeat_n('\n', breaks));
            from = l.content;
        }
    }

    /// Decodes a quoted scalar's text from `from` on one line into `out`: `Some(end after the
    /// closing quote)`, or `None` when the line ends first (its trailing spaces dropped).
    fn quoted_segment(
        &self,
        from: usize,
        line_end: usize,
        quote: u8,
        out: &mut String,
    ) -> Scan<Option<usize>> {
        let b = self.bytes;
        let mut i = from;
        let mut run = i;
        while i < line_end {
            let c = b[i];
            if c == quote {
                if quote == b'\'' && i + 1 < line_end && b[i + 1] == b'\'' {
                    out.push_str(&self.text[run..=i]);
                    i += 2;
                    run = i;
                    continue;
                }
                out.push_str(&self.text[run..i]);
                return Ok(Some(i + 1));
            }
            if c == b'\\' && quote == b'"' {
                out.push_str(&self.text[run..i]);
                if i + 1 >= line_end {
                    return Err(Bail);
                }
                i = self.escape(i + 1, line_end, out)?;
                run = i;
                continue;
            }
            i += 1;
        }
        // An escape right before trailing spaces would make trimming ambiguous.
        let kept = run + trimmed_len(&b[run..line_end]);
        if kept < line_end && kept > run && b[kept - 1] == b'\\' && quote == b'"' {
            return Err(Bail);
        }
        out.push_str(&self.text[run..kept]);
        if run == kept && run > from {
            // Trailing spaces after an escape: trim what was decoded (spaces only).
            while out.ends_with(' ') {
                out.pop();
            }
        }
        Ok(None)
    }

    /// Decodes the escape after a backslash at `at - 1`; returns the position after it.
    fn escape(&self, at: usize, limit: usize, out: &mut String) -> Scan<usize> {
        if at >= limit {
            return Err(Bail);
        }
        let simple = match self.bytes[at] {
            b'0' => '\0',
            b'a' => '\x07',
            b'b' => '\x08',
            b't' => '\t',
            b'n' => '\n',
            b'v' => '\x0b',
            b'f' => '\x0c',
            b'r' => '\r',
            b'e' => '\x1b',
            b' ' => ' ',
            b'"' => '"',
            b'/' => '/',
            b'\\' => '\\',
            b'N' => '\u{85}',
            b'_' => '\u{a0}',
            b'L' => '\u{2028}',
            b'P' => '\u{2029}',
            b'x' => return self.hex_escape(at + 1, 2, limit, out),
            b'u' => return self.hex_escape(at + 1, 4, limit, out),
            b'U' => return self.hex_escape(at + 1, 8, limit, out),
            _ => return Err(Bail),
        };
        out.push(simple);
        Ok(at + 1)
    }

    fn hex_escape(&self, at: usize, digits: usize, limit: usize, out: &mut String) -> Scan<usize> {
        let end = at + digits;
        if end > limit {
            return Err(Bail);
        }
        let hex = std::str::from_utf8(&self.bytes[at..end]).map_err(|_| Bail)?;
        let code = u32::from_str_radix(hex, 16).map_err(|_| Bail)?;
        out.push(char::from_u32(code).ok_or(Bail)?);
        Ok(end)
    }

    /// A literal or folded block scalar whose header starts at `at` on `line`, in a collection
    /// indented by `indent`. Explicit indentation, leading blank lines, whitespace-only lines
    /// longer than the indentation and more-indented folded lines are left to granit.
    fn block_scalar(&mut self, at: usize, line: Line, indent: usize) -> Scan<()> {
        let b = self.bytes;
        let folded = b[at] == b'>';
        let mut i = at + 1;
        let chomp = match self.byte(i) {
            b'-' | b'+' => {
                i += 1;
                b[i - 1]
            }
            _ => b' ',
        };
        if i < line.end && b[i] != b' ' {
            return Err(Bail);
        }
        if !self.rest_is_blank(i, line) {
            return Err(Bail);
        }
        let first = self.line(self.after(line));
        if first.start >= b.len() || first.content == first.end || first.indent() <= indent {
            return Err(Bail);
        }
        let block_indent = first.indent();
        let mut text = String::new();
        let mut pending_breaks = 0usize;
        let mut seen_content = false;
        let mut next = first.start;
        while next < b.len() {
            let l = self.line(next);
            if l.content == l.end {
                if l.indent() > block_indent {
                    return Err(Bail);
                }
                pending_breaks += 1;
                next = self.after(l);
                continue;
            }
            if l.indent() < block_indent {
                break;
            }
            if seen_content {
                if folded {
                    if l.indent() > block_indent {
                        return Err(Bail);
                    }
                    if pending_breaks == 0 {
                        text.push(' ');
                    }
                    text.extend(std::iter::repeat_n('\n', pending_breaks));
                } else {
                    text.extend(std::iter::repeat_n('\n', pending_breaks + 1));
                }
            } else if folded && l.indent() > block_indent {
                return Err(Bail);
            }
            pending_breaks = 0;
            seen_content = true;
            text.push_str(&self.text[l.start + block_indent..l.end]);
            next = self.after(l);
        }
        // Chomping: strip drops the final line break, clip keeps one, keep keeps every trailing
        // one. granit adds the final break even when the input ends without one.
        match chomp {
            b'-' => {}
            b'+' => {
                text.push('\n');
                text.extend(std::iter::repeat_n('\n', pending_breaks));
            }
            _ => text.push('\n'),
        }
        // The span ends where the scanner stopped: after the terminating line's indentation.
        let end = if next < b.len() { self.line(next).content } else { b.len() };
        self.scalar(
            Cow::Owned(text),
            if folded { ScalarStyle::Folded } else { ScalarStyle::Literal },
            first.start + block_indent,
            end,
        );
        self.pos = next.min(b.len());
        Ok(())
    }
}

// Flow collections (on one line).
impl<'a> FastEvents<'a> {
    /// A flow node at `at` ending before `limit`; returns the position after it.
    fn flow_node(&mut self, at: usize, limit: usize) -> Scan<usize> {
        let at = self.skip_spaces(at, limit);
        if at >= limit {
            return Err(Bail);
        }
        match self.bytes[at] {
            b'[' => self.flow_sequence(at, limit),
            b'{' => self.flow_mapping(at, limit),
            _ => self.flow_scalar(at, limit),
        }
    }

    fn flow_scalar(&mut self, at: usize, limit: usize) -> Scan<usize> {
        let c = self.bytes[at];
        if c == b'"' || c == b'\'' {
            let (text, end) = self.quoted(at, limit)?;
            let style = if c == b'"' { ScalarStyle::DoubleQuoted } else { ScalarStyle::SingleQuoted };
            self.scalar(text, style, at, end);
            return Ok(end);
        }
        let next = self.byte(at + 1);
        let flow_indicator_follows = matches!(next, b' ' | b',' | b']' | b'}' | b'\n');
        if !starts_plain(c, next) || c == b':' || c == b'?' || (c == b'-' && flow_indicator_follows) {
            return Err(Bail);
        }
        let b = self.bytes;
        let mut i = at;
        while i < limit {
            match b[i] {
                b',' | b'[' | b']' | b'{' | b'}' => break,
                b':' => {
                    if i + 1 < limit && !matches!(b[i + 1], b' ' | b',' | b']' | b'}') {
                        return Err(Bail);
                    }
                    break;
                }
                b'#' if b[i - 1] == b' ' => return Err(Bail),
                _ => i += 1,
            }
        }
        if i >= limit {
            return Err(Bail);
        }
        let end = at + trimmed_len(&b[at..i]);
        self.scalar(Cow::Borrowed(&self.text[at..end]), ScalarStyle::Plain, at, end);
        Ok(end)
    }

    fn flow_sequence(&mut self, at: usize, limit: usize) -> Scan<usize> {
        self.enter()?;
        self.push(Event::SequenceStart { anchor: 0, flow: true }, at, at + 1);
        let mut i = self.skip_spaces(at + 1, limit);
        if i < limit && self.bytes[i] == b']' {
            self.push(Event::SequenceEnd, i, i + 1);
            self.depth -= 1;
            return Ok(i + 1);
        }
        loop {
            i = self.flow_node(i, limit)?;
            i = self.skip_spaces(i, limit);
            match self.bytes.get(i).filter(|_| i < limit) {
                Some(b',') => {
                    i = self.skip_spaces(i + 1, limit);
                    if i >= limit || self.bytes[i] == b']' {
                        return Err(Bail);
                    }
                }
                Some(b']') => {
                    self.push(Event::SequenceEnd, i, i + 1);
                    self.depth -= 1;
                    return Ok(i + 1);
                }
                _ => return Err(Bail),
            }
        }
    }

    fn flow_mapping(&mut self, at: usize, limit: usize) -> Scan<usize> {
        self.enter()?;
        self.push(Event::MappingStart { anchor: 0, flow: true }, at, at + 1);
        let mut i = self.skip_spaces(at + 1, limit);
        if i < limit && self.bytes[i] == b'}' {
            self.push(Event::MappingEnd, i, i + 1);
            self.depth -= 1;
            return Ok(i + 1);
        }
        loop {
            if i >= limit || matches!(self.bytes[i], b'[' | b'{') {
                return Err(Bail);
            }
            i = self.flow_scalar(i, limit)?;
            i = self.skip_spaces(i, limit);
            if i >= limit || self.bytes[i] != b':' {
                return Err(Bail);
            }
            let colon = i;
            i = self.skip_spaces(i + 1, limit);
            if i < limit && matches!(self.bytes[i], b',' | b'}') {
                self.empty(colon);
            } else {
                i = self.flow_node(i, limit)?;
                i = self.skip_spaces(i, limit);
            }
            match self.bytes.get(i).filter(|_| i < limit) {
                Some(b',') => {
                    i = self.skip_spaces(i + 1, limit);
                    if i >= limit || self.bytes[i] == b'}' {
                        return Err(Bail);
                    }
                }
                Some(b'}') => {
                    self.push(Event::MappingEnd, i, i + 1);
                    self.depth -= 1;
                    return Ok(i + 1);
                }
                _ => return Err(Bail),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// Events as comparable lines. Block collections' end spans are left out: the parser puts
    /// them at the next token and the tree builder never reads them.
    fn describe<'a>(mut source: impl EventSource<'a>) -> Vec<String> {
        let mut out = Vec::new();
        let mut flow = Vec::new();
        while let Some(next) = source.next_event() {
            let e = match next {
                Ok(e) => e,
                Err(e) => {
                    out.push(format!("error {} at {:?}", e.message, e.offset));
                    break;
                }
            };
            let line = match &e.event {
                Event::SequenceStart { flow: f, .. } | Event::MappingStart { flow: f, .. } => {
                    flow.push(*f);
                    format!("{:?} {}..{}", e.event, e.start, e.end)
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    if flow.pop() == Some(true) {
                        format!("{:?} {}..{}", e.event, e.start, e.end)
                    } else {
                        format!("{:?}", e.event)
                    }
                }
                Event::StreamEnd => "StreamEnd".to_string(),
                _ => format!("{:?} {}..{}", e.event, e.start, e.end),
            };
            out.push(line);
        }
        out
    }

    /// The fast source gives granit's events; returns whether it stayed on the fast path.
    fn agrees(text: &str) -> bool {
        let fast = FastEvents::new(text, 128);
        let mut probe = FastEvents::new(text, 128);
        // Where each document ends, found from markers alone, is where the reader ends it.
        let predict = |p: &FastEvents<'_>| p.boundary().and_then(|(pos, _)| p.document_end_at(pos));
        let mut predicted = predict(&probe);
        while let Some(Ok(e)) = probe.next_event() {
            if matches!(e.event, Event::DocumentEnd) {
                if let (Some(end), Some((pos, _))) = (predicted, probe.boundary()) {
                    assert_eq!(end, pos, "document end predicted from markers in {text:?}");
                }
                predicted = predict(&probe);
            }
        }
        let stayed_fast = probe.fallback.is_none();
        let (a, b) = (describe(fast), describe(Granit::new(text, 128)));
        if a != b {
            let i = a.iter().zip(&b).position(|(x, y)| x != y).unwrap_or(a.len().min(b.len()));
            let (x, y) = (a.get(i).cloned().unwrap_or_default(), b.get(i).cloned().unwrap_or_default());
            let c = x.bytes().zip(y.bytes()).position(|(p, q)| p != q).unwrap_or(0);
            let c = c.saturating_sub(60);
            panic!(
                "fast and granit events differ at event {i} for {:?}\nfast:   {:?}\ngranit: {:?}",
                &text[..text.len().min(900)],
                x.get(c..).unwrap_or(&x),
                y.get(c..).unwrap_or(&y)
            );
        }
        stayed_fast
    }

    #[test]
    fn manifest_shapes_stay_on_the_fast_path_with_granits_events() {
        let cases = [
            "a: 1\nb:\n  c: x  # hi\n  d:\n  - e\n  -   f: \"q\"\n      g: |\n        lit\n\n---\nk: [a, {b: c}]\n...\n# end\n",
            "# c\n\n\"a b\": \n'x''y': v  \nc:\n- x\nd: |-\n   t\n  \n   u\ne: >\n  f1\n  f2\n\n  f3\n---\n---\n# only\n",
            "a:\nbb:   # c\n  # d\ncc:\n  x:\n  y:\n",
            "a:\n  - 1\n  -  x: \n     y: 2\nb: {a: }\nc: [ ]\nd: \"x\\ty\\u00e9\\\\\"\n",
            "k:\n- e\nm:\n- a: 1\nn:\n- [x]\n",
            "k: |\n  a\n\n  b\n\n\nz: >-\n  x\n\n  y\n  w\nq: |+\n  a\n\n",
            "--- # x\na: 1\n  # c\n---\nb: x\n...\n---\nc: y",
            "- a\n- b: 1\n  c: 2\n-   - x\n    - y\n",
            "a: 1\n---\n",
            "---\n# c\n\n---\n# d\n",
            "---\n...\n",
            "a: |\n  no final break",
            "a: |-\n  x\n  y\nb: >\n  folded\n  text\n",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  annotations:\n    a/b: 'it''s'\n    c: \"http://x:80/y\"\ndata:\n  k: v:w\n  url: http://a.b/c#frag\n  e: \"\"\n  f: ''\n",
            "spec:\n  containers:\n  - name: app\n    args: [\"--a=1\", -b, 'c d']\n    ports:\n    - {containerPort: 8080, name: http}\n    env:\n    - {name: A, value: \"1\"}\n",
            "  indented: root\n  b: 2\n",
            "a: é ü\nb: \"ü\\x41\"\n",
            "key : v\n\"q\" : 1\n",
            "description: a long\n  text that\n\n  wraps   \n  # comment\nb:\n- x\n  y\n- z # c\n",
            "a:\n  b: one\n    two\n  c: 3\n",
            "a: 'one\n  two''s\n\n   three'\n",
            "b: \"x \\u00e9\n  y\"\n",
            "c:\n  {}\n",
            "d:\n  plain\n  more\n",
            "e:\n  - x `a`\n    `y` [z]\n",
        ];
        for text in cases {
            assert!(agrees(text), "left the fast path: {text:?}");
        }
    }

    #[test]
    fn everything_else_goes_to_granit_with_the_same_answer() {
        let cases = [
            "a: &x 1\nb: *x\n",
            "a: !!str 1\n",
            "a: b # c\n  d\n",
            "a: \"x\\\n  y\"\n",
            "a: \"x\\t  \n  y\"\n",
            "? a\n: b\n",
            "%YAML 1.2\n---\na: 1\n",
            "a:\tb\n",
            "a: 1\r\nb: 2\r\n",
            "a: [1,\n  2]\n",
            "a: b: c\n",
            "- a\nb: 1\n",
            "a: 1\n b: 2\n",
            "plain root\n",
            "a: |2\n   x\n",
            "a: >\n  x\n    more\n  y\n",
            "a: 'unterminated\n",
            "a: [1, 2\n",
            "a: {b: 1, c}\n",
            "- \n- x\n",
            "a: 1\n---\nb: &y 2\n---\nc: 3\n",
            "a: 1\n--- x\n",
            "",
            "# nothing\n",
        ];
        for text in cases {
            agrees(text);
        }
    }

    /// Small edits of manifest-shaped texts (a character deleted, an indicator inserted, a line
    /// re-indented) must never make the two sources disagree, whichever of them reads the result.
    #[test]
    fn mutated_manifests_agree() {
        let seeds = [
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels: {app: web, tier: \"fe\"}\nspec:\n  template:\n    spec:\n      containers:\n      - name: app\n        image: 'r/x:1'\n        args: [\"-c\", x]\n        env:\n        - name: A\n          value: a long\n            plain value\n        command:\n          - |\n            echo hi\n\n            done\n---\nkind: ConfigMap\ndata:\n  k: >-\n    folded\n    text\n  q: \"a\\tb\n    c\"\n...\n",
            "- a: 1\n  b:\n  - x\n  -   y: 2\n      z: [1, {a: b}]\n- - n\n  - m\n# end\n",
            "--- # doc\na:\n  'q k': \"v\"\n  b: 'one\n    two'\n  c: |+\n    kept\n\n  d: {x: [], y: {}}\n  e:\n    - >\n      f\n      g\n    - 'h'\n---\n---\nz: 1\n",
        ];
        let inserts =
            [":", " ", "#", "-", "\"", "'", "{", "[", "]", "|", ">", "\n", "  ", "\\", "&a ", "*", "!", "?"];
        // A small deterministic generator, so a failure names a reproducible case.
        let mut state: u64 = std::env::var("GITOPS_KIT_FUZZ_SEED")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0x9e37_79b9_7f4a_7c15);
        let mut next = |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        // GITOPS_KIT_FUZZ_ROUNDS raises the count for a longer local run.
        let rounds =
            std::env::var("GITOPS_KIT_FUZZ_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(1500);
        // GITOPS_KIT_FUZZ_CORPUS=1 adds the shared corpus's small files as seed texts.
        let mut seeds: Vec<String> = seeds.iter().map(|s| (*s).to_string()).collect();
        let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
        if std::env::var_os("GITOPS_KIT_FUZZ_CORPUS").is_some() && corpus.is_dir() {
            for file in crate::manifest::manifest_files_below(&corpus).unwrap_or_default() {
                if let Ok(text) = std::fs::read_to_string(&file)
                    && text.len() < 8 << 10
                    && !text.contains('\0')
                {
                    seeds.push(text);
                }
            }
        }
        for seed in &seeds {
            for _ in 0..rounds {
                let mut text = seed.clone();
                for _ in 0..1 + next(3) {
                    let at = next(text.len() + 1);
                    let at = (0..=at).rev().find(|&i| text.is_char_boundary(i)).unwrap_or(0);
                    match next(3) {
                        0 if at < text.len() => {
                            text.remove(at);
                        }
                        1 => text.insert_str(at, inserts[next(inserts.len())]),
                        _ => {
                            let line = text[..at].rfind('\n').map_or(0, |i| i + 1);
                            text.insert(line, ' ');
                        }
                    }
                }
                agrees(&text);
            }
        }
    }

    /// Every YAML file of the shared corpus (skipped when absent): the same events, and most
    /// documents on the fast path.
    #[test]
    fn corpus_events_agree() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus");
        if !dir.is_dir() {
            return;
        }
        let (mut files, mut fast, mut bytes, mut fast_bytes) = (0, 0, 0, 0);
        for file in crate::manifest::manifest_files_below(&dir).unwrap_or_default() {
            let Ok(text) = std::fs::read_to_string(&file) else { continue };
            if text.contains('\0') {
                continue;
            }
            files += 1;
            bytes += text.len();
            if agrees(&text) {
                fast += 1;
                fast_bytes += text.len();
            } else {
                eprintln!("slow path: {} ({} bytes)", file.display(), text.len());
            }
        }
        eprintln!(
            "corpus: {fast} of {files} files ({fast_bytes} of {bytes} bytes) entirely on the fast path"
        );
        assert!(files == 0 || fast * 2 > files, "the fast path should cover most manifests");
    }
}
