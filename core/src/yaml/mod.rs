//! Located YAML: parse YAML streams and JSON into trees where every node has a span, read
//! scalars as Kubernetes does, enforce limits, and edit text by spans.
//!
//! The pipeline is `events` (granit-parser behind a small trait) → `builder` (explicit stack, no
//! recursion, limits, duplicate keys, aliases and merges) → [`Document`] (an arena of 24-byte
//! nodes holding byte offsets; lines and columns are computed from the [`Source`] on demand).
//!
//! ```
//! use gitops_kit::yaml;
//! let text = "kind: ConfigMap\ndata:\n  debug: yes   # YAML 1.1 boolean!\n";
//! let docs = yaml::parse_str(text, "cm.yaml").unwrap();
//! let debug = docs[0].root().unwrap().pointer("/data/debug").unwrap();
//! assert_eq!(debug.to_json().unwrap(), serde_json::json!(true));
//! assert_eq!(debug.hazard(), Some(yaml::Hazard::Yaml11Bool));
//! assert_eq!(debug.span().start.line, 3);
//! ```

mod builder;
mod edit;
mod emit;
mod error;
mod events;
mod fast;
mod inspect;
mod json;
mod limits;
mod resolve;
mod source;
mod tree;

pub use builder::Documents;
pub(crate) use builder::Resume;
pub use edit::{Edit, apply_edits};
pub use emit::to_yaml_string;
pub use error::{Error, ErrorKind, Warning};
pub use inspect::{
    FlatSpan, HazardSite, NodeLocation, escape_pointer_token, hazards, hazards_of, locate, to_json_documents,
};
pub use limits::{DuplicateKeys, Limits, MAX_DEPTH_CAP, ParseOptions};
pub use resolve::{Hazard, ScalarValue, plain_hazard, resolve_plain};
pub use source::{Pos, Source, Span};
pub use tree::{Document, NodeId, NodeKind, NodeRef, ScalarStyle};

use std::sync::Arc;

/// Parses every document of `text` (named `name` in errors) with the default options.
///
/// ```
/// let docs = gitops_kit::yaml::parse_str("a: 1\n---\n---\nb: [1, 2]\n", "s.yaml").unwrap();
/// assert_eq!(docs.len(), 3);
/// assert!(docs[1].root().is_none()); // an empty document
/// ```
///
/// # Errors
/// The first syntax, encoding, limit or duplicate-key error, located.
pub fn parse_str(text: &str, name: &str) -> Result<Vec<Document>, Error> {
    parse_str_with(text, name, &ParseOptions::default())
}

/// [`parse_str`] with explicit options.
///
/// # Errors
/// As [`parse_str`].
pub fn parse_str_with(text: &str, name: &str, options: &ParseOptions) -> Result<Vec<Document>, Error> {
    let source = Arc::new(Source::new(name, text.to_string()));
    Documents::new(&source, options).collect()
}
