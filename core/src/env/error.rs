//! Errors of the environment configuration and of gate decisions.

use crate::Location;

/// What is wrong with a configuration entry; each kind has its own stable code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ConfigErrorKind {
    /// A key the schema does not know (`env.unknown-key`).
    UnknownKey,
    /// A required key is absent (`env.missing-key`).
    MissingKey,
    /// A value of the wrong type or out of range (`env.invalid-value`).
    InvalidValue,
    /// `after`, `verified_in` or `same_digest_as` names no environment (`env.unknown-environment`).
    UnknownEnvironment,
    /// The `after` graph has a cycle (`env.cycle`).
    Cycle,
    /// Not an IANA time zone name (`env.invalid-timezone`).
    InvalidTimezone,
    /// A malformed 5-field cron expression (`env.invalid-cron`).
    InvalidCron,
    /// A malformed or out-of-range duration (`env.invalid-duration`).
    InvalidDuration,
    /// A malformed or unsupported RRULE (`env.invalid-rrule`).
    InvalidRrule,
    /// A malformed date-time (`env.invalid-time`).
    InvalidTime,
    /// A tag scheme that could render an illegal image tag (`env.invalid-tag-scheme`).
    InvalidTagScheme,
    /// A branch glob or tag pattern that does not compile or is not anchored (`env.invalid-pattern`).
    InvalidPattern,
    /// Two environments claim the same branch name or pattern (`env.duplicate-branch`).
    DuplicateBranch,
    /// An unsupported `version` (`env.unsupported-version`).
    UnsupportedVersion,
}

impl ConfigErrorKind {
    /// The stable dotted code.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            ConfigErrorKind::UnknownKey => "env.unknown-key",
            ConfigErrorKind::MissingKey => "env.missing-key",
            ConfigErrorKind::InvalidValue => "env.invalid-value",
            ConfigErrorKind::UnknownEnvironment => "env.unknown-environment",
            ConfigErrorKind::Cycle => "env.cycle",
            ConfigErrorKind::InvalidTimezone => "env.invalid-timezone",
            ConfigErrorKind::InvalidCron => "env.invalid-cron",
            ConfigErrorKind::InvalidDuration => "env.invalid-duration",
            ConfigErrorKind::InvalidRrule => "env.invalid-rrule",
            ConfigErrorKind::InvalidTime => "env.invalid-time",
            ConfigErrorKind::InvalidTagScheme => "env.invalid-tag-scheme",
            ConfigErrorKind::InvalidPattern => "env.invalid-pattern",
            ConfigErrorKind::DuplicateBranch => "env.duplicate-branch",
            ConfigErrorKind::UnsupportedVersion => "env.unsupported-version",
        }
    }
}

/// Errors of this module.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The configuration file is invalid at a located entry.
    #[error("{location}: {message}")]
    Config {
        /// What is wrong.
        kind: ConfigErrorKind,
        /// Where (file, line, column of the offending key or value).
        location: Location,
        /// JSON pointer of the offending entry.
        pointer: String,
        /// Explanation.
        message: String,
    },
    /// A branch matches the patterns of two environments: the configuration is ambiguous.
    #[error("{location}: branch {branch:?} matches the patterns of both {first:?} and {second:?}")]
    AmbiguousBranch {
        /// The branch asked about.
        branch: String,
        /// The first environment whose pattern matches.
        first: String,
        /// The second one (its pattern's location is `location`).
        second: String,
        /// Location of the second pattern.
        location: Location,
    },
    /// An environment name given as an argument is not in the configuration.
    #[error("no environment named {0:?} in the configuration")]
    NoSuchEnvironment(String),
    /// An argument was malformed (a time, an approval record).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The configuration file could not be read.
    #[error("cannot read {path}: {message}")]
    Io {
        /// The path as given.
        path: String,
        /// The operating system's message.
        message: String,
    },
}

impl Error {
    /// Stable code of the error.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Error::Config { kind, .. } => kind.code(),
            Error::AmbiguousBranch { .. } => "env.ambiguous-branch",
            Error::NoSuchEnvironment(_) => "env.no-such-environment",
            Error::InvalidArgument(_) => "env.invalid-argument",
            Error::Io { .. } => "env.io",
        }
    }

    /// Where in an input the error is, if it is about a position.
    #[must_use]
    pub fn location(&self) -> Option<&crate::Location> {
        match self {
            Error::Config { location, .. } | Error::AmbiguousBranch { location, .. } => Some(location),
            _ => None,
        }
    }
}
