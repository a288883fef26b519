//! Errors of the git layer, each with a stable [`Error::code`].

/// An error of a git operation.
///
/// Every variant has a stable, dotted [`code`](Error::code) (`git.ref-not-found`, …) that front
/// ends expose; messages name the revision, path or branch involved.
///
/// ```
/// use gitops_kit::git::{Error, Repo};
///
/// let dir = tempfile::tempdir()?;
/// let err = Repo::open(dir.path()).unwrap_err();
/// assert_eq!(err.code(), "git.open");
/// assert!(matches!(err, Error::Open { .. }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The path is not a git repository, or it could not be read (`git.open`).
    #[error("cannot open git repository at '{path}': {message}")]
    Open {
        /// The path given by the caller.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// No branch, tag, remote branch or commit of this name exists (`git.ref-not-found`).
    #[error("revision '{rev}' not found: {message}")]
    RefNotFound {
        /// The revision or reference name as given.
        rev: String,
        /// Why the name did not resolve.
        message: String,
    },
    /// An object is missing from the object database (`git.object-not-found`).
    #[error("git object not found: {what}")]
    ObjectNotFound {
        /// Which object: an id, or a description such as a commit id prefix.
        what: String,
    },
    /// A path does not exist in the tree of a revision (`git.path-not-found`).
    #[error("path '{path}' not found at revision '{rev}'")]
    PathNotFound {
        /// The revision whose tree was searched.
        rev: String,
        /// The repository-relative path.
        path: String,
    },
    /// A commit id prefix matches more than one commit (`git.ambiguous-prefix`).
    #[error("commit id prefix '{prefix}' is ambiguous: it matches {} commits ({})", candidates.len(), candidates.join(", "))]
    AmbiguousPrefix {
        /// The prefix as given.
        prefix: String,
        /// Full ids of the matching commits, sorted.
        candidates: Vec<String>,
    },
    /// A branch moved since the caller read it; nothing was changed (`git.conflict`).
    #[error(
        "branch '{branch}' has moved: expected its tip to be {expected} but it is {actual}; re-read the branch and retry"
    )]
    Conflict {
        /// Full reference name of the branch, like `refs/heads/stg`.
        branch: String,
        /// The tip the caller based its change on.
        expected: String,
        /// The tip found in the repository.
        actual: String,
    },
    /// The repository or the request needs a capability this build lacks (`git.unsupported`),
    /// e.g. reftable reference storage, or a range query on a shallow clone.
    #[error("unsupported: {message}")]
    Unsupported {
        /// What is not supported, and what to do about it.
        message: String,
    },
    /// An argument is malformed: a bad path, prefix, branch name or signature
    /// (`git.invalid-argument`).
    #[error("invalid argument: {message}")]
    InvalidArgument {
        /// What is wrong with which argument.
        message: String,
    },
    /// Any other failure reported by the git backend (`git.other`).
    #[error("{context}: {message}")]
    Other {
        /// What was being done, naming the revision or path.
        context: String,
        /// The backend's message, with its causes.
        message: String,
    },
}

impl Error {
    /// The stable machine-readable code of this error, e.g. `git.ref-not-found`.
    ///
    /// Codes never change meaning once released: `git.open`, `git.ref-not-found`,
    /// `git.object-not-found`, `git.path-not-found`, `git.ambiguous-prefix`, `git.conflict`,
    /// `git.unsupported`, `git.invalid-argument`, `git.other`.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Error::Open { .. } => "git.open",
            Error::RefNotFound { .. } => "git.ref-not-found",
            Error::ObjectNotFound { .. } => "git.object-not-found",
            Error::PathNotFound { .. } => "git.path-not-found",
            Error::AmbiguousPrefix { .. } => "git.ambiguous-prefix",
            Error::Conflict { .. } => "git.conflict",
            Error::Unsupported { .. } => "git.unsupported",
            Error::InvalidArgument { .. } => "git.invalid-argument",
            Error::Other { .. } => "git.other",
        }
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Error {
        Error::InvalidArgument { message: message.into() }
    }

    pub(crate) fn unsupported(message: impl Into<String>) -> Error {
        Error::Unsupported { message: message.into() }
    }

    /// Map an erased gix error that needs no special treatment: missing objects become
    /// [`Error::ObjectNotFound`], unsupported features [`Error::Unsupported`], the rest
    /// [`Error::Other`] with `context`.
    pub(crate) fn from_gix(context: impl Into<String>, err: &gix::Error) -> Error {
        let context = context.into();
        if err.is_unsupported() {
            Error::Unsupported { message: format!("{context}: {}", render(err)) }
        } else if err.is_not_found() && !err.is_validation() {
            Error::ObjectNotFound { what: format!("{context}: {}", render(err)) }
        } else {
            Error::Other { context, message: render(err) }
        }
    }
}

/// The message of a gix error with its causes, on one line: each distinct message of the
/// error tree, joined by `: `.
pub(crate) fn render(err: &gix::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for source in err.iter_errors() {
        let text = source.to_string();
        let first = text.lines().next().unwrap_or_default().trim();
        if !first.is_empty() && !parts.iter().any(|p| p == first) {
            parts.push(first.to_owned());
        }
    }
    if parts.is_empty() {
        let text = err.to_string();
        return text.lines().next().unwrap_or_default().trim().to_owned();
    }
    parts.join(": ")
}
