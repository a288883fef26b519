//! Errors of the diff module.

use crate::Location;

/// Errors of [`crate::diff`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An option was malformed.
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// An ignore rule could not be read.
    #[error("invalid ignore rule {rule}: {message}")]
    InvalidRule {
        /// The rule as given.
        rule: String,
        /// What is wrong.
        message: String,
    },
    /// The `diff:` section of a config file is malformed.
    #[error("{location}: {message}")]
    InvalidConfig {
        /// Where.
        location: Location,
        /// What is wrong.
        message: String,
    },
    /// A baseline file (`gitops-kit/diff-baseline/v1`) could not be read or written.
    #[error("invalid baseline {source_name}: {message}")]
    InvalidBaseline {
        /// The file (or `<object>` for a parsed value).
        source_name: String,
        /// What is wrong.
        message: String,
    },
}

impl Error {
    /// Stable code of the error.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidArgument(_) => "diff.invalid-argument",
            Error::InvalidRule { .. } => "diff.invalid-rule",
            Error::InvalidConfig { .. } => "diff.invalid-config",
            Error::InvalidBaseline { .. } => "diff.invalid-baseline",
        }
    }

    /// Where in an input the error is, if it is about a position.
    #[must_use]
    pub fn location(&self) -> Option<&crate::Location> {
        match self {
            Error::InvalidConfig { location, .. } => Some(location),
            _ => None,
        }
    }
}
