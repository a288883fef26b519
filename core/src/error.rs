//! The crate-wide error type and its stable codes.
//!
//! Each module owns a `thiserror` enum ([`crate::yaml::Error`], [`crate::manifest::Error`],
//! [`crate::git::Error`]); [`Error`] wraps them so callers can use one `Result` type. Every error
//! has a stable, dotted [`Error::code`] (`yaml.parse`, `git.ref-not-found`, …) that the CLI prints
//! and the Python and Node bindings expose as `.code`. Codes never change meaning once released.

use std::fmt;

/// A position in a named input: the file (or `<string>`, `<stdin>`, `git:REF:PATH`), with
/// 1-based line and column (columns count Unicode scalar values, like most editors).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Location {
    /// Name of the input as given by the caller.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub column: u32,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// Any error of the library.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Malformed YAML or JSON, or an input that breaks a limit.
    #[error(transparent)]
    Yaml(#[from] crate::yaml::Error),
    /// A manifest source could not be read or named.
    #[error(transparent)]
    Manifest(#[from] crate::manifest::Error),
    /// A git repository operation failed.
    #[error(transparent)]
    Git(#[from] crate::git::Error),
    /// Image references, image sites and rewrites, tag schemes and linking.
    #[error(transparent)]
    Image(#[from] crate::image::Error),
    /// Environment configuration and deploy gates.
    #[error(transparent)]
    Env(#[from] crate::env::Error),
    /// Semantic diff of manifest sets.
    #[error(transparent)]
    Diff(#[from] crate::diff::Error),
    /// Schema and policy validation.
    #[error(transparent)]
    Validate(#[from] crate::validate::Error),
    /// An argument of an API call is malformed (unknown option, wrong type).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}

impl Error {
    /// The stable machine-readable code of this error, e.g. `yaml.duplicate-key`.
    ///
    /// ```
    /// let err = gitops_kit::yaml::parse_str("a: [1", "x.yaml").unwrap_err();
    /// assert_eq!(gitops_kit::Error::from(err).code(), "yaml.parse");
    /// ```
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Error::Yaml(e) => e.code(),
            Error::Manifest(e) => e.code(),
            Error::Git(e) => e.code(),
            Error::Image(e) => e.code(),
            Error::Env(e) => e.code(),
            Error::Diff(e) => e.code(),
            Error::Validate(e) => e.code(),
            Error::InvalidArgument(_) => "invalid-argument",
        }
    }

    /// Where in the input the error is, when it is about a position in a file.
    #[must_use]
    pub fn location(&self) -> Option<&Location> {
        match self {
            Error::Yaml(e) => Some(e.location()),
            Error::Manifest(e) => e.location(),
            Error::Image(e) => e.location(),
            Error::Env(e) => e.location(),
            Error::Diff(e) => e.location(),
            Error::Validate(e) => e.location(),
            Error::Git(_) | Error::InvalidArgument(_) => None,
        }
    }
}

/// `Result` with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
