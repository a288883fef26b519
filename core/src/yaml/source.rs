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
/// Keeps a sparse index of line starts (one every 16 lines) so that nodes can
/// store byte offsets only and positions are computed on demand: this keeps the tree small
/// (see `DESIGN.md`, memory near the input size), and the index itself a small fraction of the
/// text (a full index was an eighth of it for manifests).
#[derive(Debug)]
pub struct Source {
    name: String,
    text: String,
    /// Byte offset of lines 1, 1 + LINE_STRIDE, 1 + 2 × LINE_STRIDE, …
    checkpoints: Vec<u32>,
}

/// Lines between two entries of the line index; a position scans at most this many lines.
const LINE_STRIDE: usize = 16;

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
        // Offsets are u32: the input-size limit keeps sources far below 4 GiB.
        let newlines = memchr::memchr_iter(b'\n', text.as_bytes());
        let mut checkpoints = vec![0];
        checkpoints.extend(
            newlines
                .skip(LINE_STRIDE - 1)
                .step_by(LINE_STRIDE)
                .map(|i| u32::try_from(i + 1).unwrap_or(u32::MAX)),
        );
        checkpoints.shrink_to_fit();
        Source { name: name.into(), text, checkpoints }
    }

    /// The 1-based line holding `offset` and the offset where that line starts.
    fn line_of(&self, offset: usize) -> (usize, usize) {
        let block = match self.checkpoints.binary_search(&(offset as u32)) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let from = self.checkpoints[block] as usize;
        let between = &self.text.as_bytes()[from..offset];
        let newlines = memchr::memchr_iter(b'\n', between).count();
        let line_start = memchr::memrchr(b'\n', between).map_or(from, |i| from + i + 1);
        (block * LINE_STRIDE + newlines + 1, line_start)
    }

    /// The offset where a 1-based line starts, if the text has that line.
    fn line_start(&self, line: u32) -> Option<usize> {
        let index = (line as usize).saturating_sub(1);
        let from = *self.checkpoints.get(index / LINE_STRIDE)? as usize;
        match index % LINE_STRIDE {
            0 => Some(from),
            n => memchr::memchr_iter(b'\n', &self.text.as_bytes()[from..]).nth(n - 1).map(|i| from + i + 1),
        }
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
        let (line, line_start) = self.line_of(offset);
        let column = self.text[line_start..offset].chars().count() + 1;
        Pos { offset, line: line as u32, column: column as u32 }
    }

    /// The span between two byte offsets.
    #[must_use]
    pub fn span(&self, start: usize, end: usize) -> Span {
        Span { start: self.position(start), end: self.position(end) }
    }

    /// The text of a 1-based line, without its line break (empty past the end).
    #[must_use]
    pub fn line_text(&self, line: u32) -> &str {
        let Some(start) = self.line_start(line) else {
            return "";
        };
        let rest = &self.text[start..];
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Positions and line texts from the sparse index equal those of a plain scan, at every
    /// offset, across stride boundaries, with multi-byte characters and a missing final newline.
    #[test]
    fn sparse_index_matches_a_plain_scan() {
        let mut text = String::new();
        for i in 0..70 {
            text.push_str(&"é".repeat(i % 3));
            text.push_str(&format!("line {i}"));
            if i % 7 != 0 {
                text.push('\n');
            } else {
                text.push_str("\n\n");
            }
        }
        text.push_str("last");
        let src = Source::new("t", text.clone());
        let (mut line, mut column) = (1u32, 1u32);
        for (offset, c) in text.char_indices() {
            let pos = src.position(offset);
            assert_eq!((pos.line, pos.column), (line, column), "offset {offset}");
            if c == '\n' {
                (line, column) = (line + 1, 1);
            } else {
                column += 1;
            }
        }
        assert_eq!(src.position(text.len()).line, line);
        for (i, expected) in text.split('\n').enumerate() {
            assert_eq!(src.line_text(i as u32 + 1), expected, "line {}", i + 1);
        }
        assert_eq!(src.line_text(line + 1), "");
        assert_eq!(src.line_text(0), src.line_text(1));
    }
}
