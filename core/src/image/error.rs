//! Errors of the image module, with stable codes.

use crate::Location;

/// Errors of image references, rewrites, tag schemes and linking.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A reference breaks the grammar; `rule` names the rule (see [`Error::code`]).
    #[error("invalid image reference {input:?}: {}", rule_message(rule))]
    InvalidReference {
        /// The reference as given.
        input: String,
        /// `format`, `uppercase-repository`, `name-too-long`, `name-empty`, `hex-identifier`,
        /// `digest-format`, `digest-length` or `digest-algorithm`.
        rule: String,
    },
    /// An argument was malformed (an edit without `=`, an unknown mode, an empty branch).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// A tag scheme that cannot be used (unknown field, could render an illegal tag, ambiguous).
    #[error("invalid tag scheme {scheme:?}: {message}")]
    InvalidScheme {
        /// The scheme text.
        scheme: String,
        /// Why it is rejected.
        message: String,
    },
    /// A tag that the scheme does not describe, or a commit the scheme cannot render.
    #[error("tag {tag:?} does not fit scheme {scheme:?}: {message}")]
    SchemeMismatch {
        /// The tag (or what was being rendered).
        tag: String,
        /// The scheme text.
        scheme: String,
        /// Why.
        message: String,
    },
    /// A rewrite the policy forbids (`latest` or no tag where `latest` is forbidden).
    #[error("{location}: {message}")]
    Forbidden {
        /// Where the site is.
        location: Location,
        /// What was refused.
        message: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {message}")]
    Io {
        /// The path.
        path: String,
        /// The operating system's message.
        message: String,
    },
}

fn rule_message(rule: &str) -> &'static str {
    match rule {
        "uppercase-repository" => "repository name must be lowercase",
        "name-too-long" => "repository name must not be more than 255 characters",
        "name-empty" => "repository name must have at least one component",
        "hex-identifier" => "cannot specify 64-byte hexadecimal strings as a repository name",
        "digest-format" => "invalid checksum digest format",
        "digest-length" => "invalid checksum digest length",
        "digest-algorithm" => "unsupported digest algorithm",
        _ => "invalid reference format",
    }
}

impl Error {
    /// Stable code of the error.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidReference { rule, .. } => match rule.as_str() {
                "uppercase-repository" => "image.uppercase-repository",
                "name-too-long" => "image.name-too-long",
                "name-empty" => "image.name-empty",
                "hex-identifier" => "image.hex-identifier",
                "digest-format" => "image.digest-format",
                "digest-length" => "image.digest-length",
                "digest-algorithm" => "image.digest-algorithm",
                _ => "image.invalid-reference",
            },
            Error::InvalidArgument(_) => "image.invalid-argument",
            Error::InvalidScheme { .. } => "image.invalid-scheme",
            Error::SchemeMismatch { .. } => "image.scheme-mismatch",
            Error::Forbidden { .. } => "image.forbidden",
            Error::Io { .. } => "image.io",
        }
    }

    /// Where in an input the error is, if it is about a position.
    #[must_use]
    pub fn location(&self) -> Option<&crate::Location> {
        match self {
            Error::Forbidden { location, .. } => Some(location),
            _ => None,
        }
    }

    /// The human message of a reference error's rule (`invalid reference format`, …).
    #[must_use]
    pub fn rule_message(&self) -> Option<&'static str> {
        match self {
            Error::InvalidReference { rule, .. } => Some(rule_message(rule)),
            _ => None,
        }
    }
}
