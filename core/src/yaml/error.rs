//! Errors of YAML parsing, conversion and span editing; each carries a location and an excerpt.

use crate::error::Location;
use std::fmt;

/// What went wrong, without the location.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The text is not well-formed YAML (or JSON).
    Syntax(String),
    /// The input is not UTF-8.
    Encoding(String),
    /// The input looks like a binary file (it contains NUL bytes).
    Binary,
    /// A mapping has the same key twice; `first` is where the key appeared before.
    DuplicateKey {
        /// The key as Kubernetes reads it.
        key: String,
        /// The earlier occurrence.
        first: Location,
    },
    /// A limit of [`crate::yaml::Limits`] was exceeded.
    Limit {
        /// Which limit (`max_depth`, `max_nodes`, …).
        limit: &'static str,
        /// Its value.
        value: usize,
    },
    /// An alias refers to an anchor that encloses it, or to no anchor.
    Alias(String),
    /// A mapping key that Kubernetes cannot turn into a JSON object key.
    Key(String),
    /// A scalar whose explicit tag does not fit its text (`!!int abc`), or a value JSON cannot hold.
    Value(String),
    /// A merge key (`<<`) whose value is not a mapping or a list of mappings.
    Merge(String),
    /// A span edit that is out of range, not on a character boundary, or overlaps another.
    Edit(String),
    /// A JSON pointer or document index that names nothing.
    Pointer(String),
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::Syntax(m)
            | ErrorKind::Encoding(m)
            | ErrorKind::Alias(m)
            | ErrorKind::Key(m)
            | ErrorKind::Value(m)
            | ErrorKind::Merge(m)
            | ErrorKind::Edit(m)
            | ErrorKind::Pointer(m) => f.write_str(m),
            ErrorKind::Binary => f.write_str("binary file (contains NUL bytes), not YAML"),
            ErrorKind::DuplicateKey { key, first } => {
                write!(f, "duplicate mapping key {key:?} (first defined at {first})")
            }
            ErrorKind::Limit { limit, value } => {
                write!(f, "input exceeds the limit {limit} = {value}")
            }
        }
    }
}

/// A YAML error: what, where (file, 1-based line and column) and a short excerpt of the line.
///
/// ```
/// let err = gitops_kit::yaml::parse_str("a: 1\na: 2\n", "dup.yaml").unwrap_err();
/// assert_eq!(err.code(), "yaml.duplicate-key");
/// assert_eq!((err.location().line, err.location().column), (2, 1));
/// assert!(err.to_string().starts_with("dup.yaml:2:1: duplicate mapping key \"a\""));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    location: Location,
    excerpt: String,
}

impl Error {
    /// An error of `kind` at `location`, with an excerpt of the offending line (may be empty).
    #[must_use]
    pub fn new(kind: ErrorKind, location: Location, excerpt: String) -> Error {
        Error { kind, location, excerpt }
    }

    /// The stable code: `yaml.parse`, `yaml.encoding`, `yaml.binary`, `yaml.duplicate-key`,
    /// `yaml.limit`, `yaml.alias`, `yaml.key`, `yaml.value`, `yaml.merge`, `yaml.edit` or
    /// `yaml.pointer`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self.kind {
            ErrorKind::Syntax(_) => "yaml.parse",
            ErrorKind::Encoding(_) => "yaml.encoding",
            ErrorKind::Binary => "yaml.binary",
            ErrorKind::DuplicateKey { .. } => "yaml.duplicate-key",
            ErrorKind::Limit { .. } => "yaml.limit",
            ErrorKind::Alias(_) => "yaml.alias",
            ErrorKind::Key(_) => "yaml.key",
            ErrorKind::Value(_) => "yaml.value",
            ErrorKind::Merge(_) => "yaml.merge",
            ErrorKind::Edit(_) => "yaml.edit",
            ErrorKind::Pointer(_) => "yaml.pointer",
        }
    }

    /// What went wrong.
    #[must_use]
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// Where: file, line, column.
    #[must_use]
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// The offending line with a caret under the column.
    #[must_use]
    pub fn excerpt(&self) -> &str {
        &self.excerpt
    }

    /// The message without the location.
    #[must_use]
    pub fn message(&self) -> String {
        self.kind.to_string()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.kind)
    }
}

impl std::error::Error for Error {}

/// A problem that did not stop parsing (a duplicate key under the last-wins policy).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    /// Stable code, same namespace as errors (`yaml.duplicate-key`).
    pub code: &'static str,
    /// Human-readable message.
    pub message: String,
    /// Where.
    pub location: Location,
}
