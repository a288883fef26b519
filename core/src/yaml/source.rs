//! Input text with a name and a line index, and the positions computed from it.

use serde::Serialize;

/// A position in a [`Source`]: byte offset plus 1-based line and column.
///
/// Columns count Unicode scalar values from the start of the line, starting at 1, as editors do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Pos {
    /// Byte offset from the start of the source.
    pub offset: usize,
    /// 1-based line.
    pub line: u32,
    /// 1-based column in characters.
    pub column: u32,
}

/// A located range of a source: start inclusive, end exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Span {
    /// First byte of the range.
    pub start: Pos,
    /// One past the last byte of the range.
    pub end: Pos,
}

impl Span {
    /// The byte range of this span, for slicing the source text.
    #[must_use]
    pub fn range(&self) -> std::ops::Range<usize> {
        self.start.offset..self.end.offset
    }
}

/// The text of one input (a file, a string, standard input, a blob at a git ref) with its name.
///
/// Keeps an index of line starts so that nodes can store byte offsets only and positions are
/// computed on demand: this keeps the tree small (see `DESIGN.md`, memory near the input size).
#[derive(Debug)]
pub struct Source {
    name: String,
    text: String,
    line_starts: Vec<u32>,
}

impl Source {
    /// Wraps `text` read from the input called `name`.
    ///
    /// ```
    /// let src = gitops_kit::yaml::Source::new("a.yaml", "a: 1\nb: é\n".to_string());
    /// let pos = src.position(9);
    /// assert_eq!((pos.line, pos.column), (2, 4));
    /// ```
    #[must_use]
    pub fn new(name: impl Into<String>, text: String) -> Source {
        let mut line_starts = Vec::with_capacity(text.len() / 32 + 1);
        line_starts.push(0);
        // Offsets are u32: the input-size limit keeps sources far below 4 GiB.
        let newlines = memchr::memchr_iter(b'\n', text.as_bytes());
        line_starts.extend(newlines.map(|i| u32::try_from(i + 1).unwrap_or(u32::MAX)));
        line_starts.shrink_to_fit();
        Source { name: name.into(), text, line_starts }
    }

    /// The name the input was given (file path, `<string>`, `<stdin>`, `git:REF:PATH`).
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The whole text.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The line and column of a byte offset (clamped to the text, and to a char boundary).
    #[must_use]
    pub fn position(&self, offset: usize) -> Pos {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line_index = match self.line_starts.binary_search(&(offset as u32)) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let line_start = self.line_starts[line_index] as usize;
        let column = self.text[line_start..offset].chars().count() + 1;
        Pos { offset, line: line_index as u32 + 1, column: column as u32 }
    }

    /// The span between two byte offsets.
    #[must_use]
    pub fn span(&self, start: usize, end: usize) -> Span {
        Span { start: self.position(start), end: self.position(end) }
    }

    /// The text of a 1-based line, without its line break (empty past the end).
    #[must_use]
    pub fn line_text(&self, line: u32) -> &str {
        let Some(&start) = self.line_starts.get(line.saturating_sub(1) as usize) else {
            return "";
        };
        let rest = &self.text[start as usize..];
        let line = rest.split('\n').next().unwrap_or("");
        line.strip_suffix('\r').unwrap_or(line)
    }

    /// A one-line excerpt of the source around a position, with a caret under the column, for
    /// error messages. Long lines are cut around the column.
    #[must_use]
    pub fn excerpt(&self, line: u32, column: u32) -> String {
        excerpt_of(self.line_text(line), column)
    }
}

/// Formats `line_text` with a caret under the 1-based `column`, cutting long lines to about 80
/// characters around it. Control characters are shown as `?` so binary input stays printable.
pub(crate) fn excerpt_of(line_text: &str, column: u32) -> String {
    const WIDTH: usize = 80;
    let chars: Vec<char> =
        line_text.chars().map(|c| if c.is_control() && c != '\t' { '?' } else { c }).collect();
    let col = (column.max(1) as usize - 1).min(chars.len());
    let start = col.saturating_sub(WIDTH / 2);
    let end = (start + WIDTH).min(chars.len());
    let shown: String = chars[start..end].iter().collect();
    let caret_pad: String = chars[start..col].iter().map(|c| if *c == '\t' { '\t' } else { ' ' }).collect();
    format!("{shown}\n{caret_pad}^")
}

impl Source {
    /// Reads raw bytes: rejects invalid UTF-8 and binary content with a located error, and drops
    /// a UTF-8 byte-order mark.
    ///
    /// ```
    /// let err = gitops_kit::yaml::Source::from_bytes("bad.yaml", b"a: 1\nb: \xff\n".to_vec()).unwrap_err();
    /// assert_eq!(err.code(), "yaml.encoding");
    /// assert_eq!((err.location().line, err.location().column), (2, 4));
    /// ```
    ///
    /// # Errors
    /// `yaml.encoding` for invalid UTF-8, `yaml.binary` for NUL bytes.
    pub fn from_bytes(name: impl Into<String>, mut bytes: Vec<u8>) -> Result<Source, super::Error> {
        if bytes.starts_with(b"\xEF\xBB\xBF") {
            bytes.drain(..3);
        }
        let name = name.into();
        match String::from_utf8(bytes) {
            Ok(text) => Ok(Source::new(name, text)),
            Err(e) => {
                let valid = e.utf8_error().valid_up_to();
                let bytes = e.as_bytes();
                let kind = if bytes.contains(&0) {
                    super::ErrorKind::Binary
                } else {
                    super::ErrorKind::Encoding(format!("invalid UTF-8 (byte 0x{:02x})", bytes[valid]))
                };
                // Locate within the valid prefix, so the position is exact.
                let prefix = String::from_utf8_lossy(&bytes[..valid]).into_owned();
                let line_start = prefix.rfind('\n').map_or(0, |i| i + 1);
                let line = prefix.matches('\n').count() as u32 + 1;
                let column = prefix[line_start..].chars().count() as u32 + 1;
                let line_end =
                    bytes[valid..].iter().position(|b| *b == b'\n').map_or(bytes.len(), |i| valid + i);
                let line_text = String::from_utf8_lossy(&bytes[line_start..line_end]).into_owned();
                Err(super::Error::new(
                    kind,
                    crate::error::Location { file: name, line, column },
                    excerpt_of(&line_text, column),
                ))
            }
        }
    }
}
