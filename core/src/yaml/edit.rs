//! Span edits: replace byte ranges of a source text and keep every other byte identical.
//! This is how image references are rewritten without re-serializing a document.

use super::error::{Error, ErrorKind};
use crate::error::Location;
use std::ops::Range;

/// Replace the bytes of `range` with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// Byte range in the original text (e.g. a node's [`crate::yaml::NodeRef::byte_range`]).
    pub range: Range<usize>,
    /// The new bytes.
    pub replacement: String,
}

/// Applies non-overlapping edits to `text`; bytes outside the edited ranges are unchanged.
///
/// ```
/// use gitops_kit::yaml::{apply_edits, parse_str, Edit};
/// let text = "image: nginx:1.25 # pinned\n";
/// let docs = parse_str(text, "d.yaml").unwrap();
/// let image = docs[0].root().unwrap().get("image").unwrap();
/// let out = apply_edits(text, &[Edit { range: image.byte_range(), replacement: "nginx:1.27".into() }], "d.yaml").unwrap();
/// assert_eq!(out, "image: nginx:1.27 # pinned\n");
/// ```
///
/// # Errors
/// `yaml.edit` when a range is out of bounds, not on a character boundary, or overlaps another.
pub fn apply_edits(text: &str, edits: &[Edit], file: &str) -> Result<String, Error> {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.range.start, e.range.end));
    let fail = |at: usize, msg: String| {
        let mut at = at.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let before = &text[..at];
        let line = before.matches('\n').count() as u32 + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) as u32 + 1;
        Error::new(ErrorKind::Edit(msg), Location { file: file.to_string(), line, column }, String::new())
    };
    let mut out = String::with_capacity(text.len());
    let mut cursor = 0;
    for e in sorted {
        let Range { start, end } = e.range.clone();
        if start > end || end > text.len() {
            return Err(fail(
                start.min(text.len()),
                format!("edit range {start}..{end} is outside the text ({} bytes)", text.len()),
            ));
        }
        if !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            return Err(fail(start, format!("edit range {start}..{end} splits a character")));
        }
        if start < cursor {
            return Err(fail(start, format!("edit range {start}..{end} overlaps the previous edit")));
        }
        out.push_str(&text[cursor..start]);
        out.push_str(&e.replacement);
        cursor = end;
    }
    out.push_str(&text[cursor..]);
    Ok(out)
}
