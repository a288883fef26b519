//! The result of parsing one reference, valid or not, as the CLI prints it.

use super::reference::{ImageRef, ParseMode, RefSpans};
use serde::Serialize;

/// Why a reference is invalid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefError {
    /// Stable code (`image.invalid-reference`, `image.digest-length`, …).
    pub code: String,
    /// Human message, naming the broken rule.
    pub message: String,
}

/// One entry of `gitops-kit image parse -o json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParseReport {
    /// The input string.
    pub input: String,
    /// Whether it parsed.
    pub valid: bool,
    /// `normalize` or `strict`.
    pub mode: ParseMode,
    /// Registry domain (may be empty), `null` when invalid.
    pub domain: Option<String>,
    /// Repository path.
    pub path: Option<String>,
    /// Tag.
    pub tag: Option<String>,
    /// Digest.
    pub digest: Option<String>,
    /// `domain/path`.
    pub name: Option<String>,
    /// Fully qualified form.
    pub canonical: Option<String>,
    /// Short form (`nginx:1.25`).
    pub familiar: Option<String>,
    /// `name@digest` when there is a digest.
    pub pinned: Option<String>,
    /// Byte spans of the parts in `input`.
    pub spans: Option<RefSpans>,
    /// Why it is invalid.
    pub error: Option<RefError>,
}

/// Parses `input` and reports every form, or the error, without failing.
///
/// ```
/// use gitops_kit::image::{parse_report, ParseMode};
/// let bad = parse_report("app:feature/login", ParseMode::Normalize);
/// assert!(!bad.valid);
/// assert_eq!(bad.error.unwrap().code, "image.invalid-reference");
/// ```
#[must_use]
pub fn parse_report(input: &str, mode: ParseMode) -> ParseReport {
    match ImageRef::parse(input, mode) {
        Ok(r) => ParseReport {
            input: input.to_string(),
            valid: true,
            mode,
            name: Some(r.name()),
            canonical: Some(r.canonical()),
            familiar: Some(r.familiar()),
            pinned: r.pinned(),
            domain: Some(r.domain),
            path: Some(r.path),
            tag: r.tag,
            digest: r.digest,
            spans: Some(r.spans),
            error: None,
        },
        Err(e) => ParseReport {
            input: input.to_string(),
            valid: false,
            mode,
            domain: None,
            path: None,
            tag: None,
            digest: None,
            name: None,
            canonical: None,
            familiar: None,
            pinned: None,
            spans: None,
            error: Some(RefError { code: e.code().to_string(), message: e.to_string() }),
        },
    }
}
