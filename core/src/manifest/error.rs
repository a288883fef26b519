//! Errors of loading manifests from files, directories, streams and git trees.

use crate::error::Location;

/// A manifest source could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The path does not exist.
    #[error("{path}: no such file or directory")]
    NotFound {
        /// The path as given.
        path: String,
    },
    /// Reading failed.
    #[error("{path}: {message}")]
    Io {
        /// The path as given.
        path: String,
        /// The operating system's message.
        message: String,
    },
    /// A source argument is malformed (`git:REF:PATH` without a path, …).
    #[error("invalid source {source_name:?}: {message}")]
    InvalidSource {
        /// The source as given.
        source_name: String,
        /// What is wrong.
        message: String,
    },
    /// A file failed to parse.
    #[error(transparent)]
    Yaml(#[from] crate::yaml::Error),
    /// Reading from git failed.
    #[error(transparent)]
    Git(#[from] crate::git::Error),
}

impl Error {
    /// Stable code: `manifest.not-found`, `manifest.io`, `manifest.invalid-source`, or the code
    /// of the underlying YAML or git error.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotFound { .. } => "manifest.not-found",
            Error::Io { .. } => "manifest.io",
            Error::InvalidSource { .. } => "manifest.invalid-source",
            Error::Yaml(e) => e.code(),
            Error::Git(e) => e.code(),
        }
    }

    /// The location in a file, for parse errors.
    #[must_use]
    pub fn location(&self) -> Option<&Location> {
        match self {
            Error::Yaml(e) => Some(e.location()),
            _ => None,
        }
    }

    pub(crate) fn io(path: &std::path::Path, e: &std::io::Error) -> Error {
        let path = path.display().to_string();
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::NotFound { path }
        } else {
            Error::Io { path, message: e.to_string() }
        }
    }
}
