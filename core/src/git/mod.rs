//! Git without a checkout, backed by gitoxide (`gix`).
//!
//! [`Repo`] reads trees and blobs at any revision, compares trees, walks commit ranges, finds
//! tags and commits by id prefix, and writes commits to a branch with a compare-and-swap ref
//! update, all without a work tree and without running the git CLI. Every failure is an
//! [`Error`] with a stable [`code`](Error::code).
//!
//! Paths are repository-relative, use `/`, and are returned sorted by bytes (the order of
//! `git ls-tree -r`). Paths that are not valid UTF-8 are converted lossily.
//!
//! Not supported: reftable reference storage (refused on open), lazily fetching blobs of
//! partial clones (`git.unsupported` when one is missing), and `from..to` ranges on shallow
//! clones (`git.unsupported`, as the result would silently be wrong).

mod commit;
mod error;
mod log;
mod path;
mod repo;
mod tree;

pub use error::Error;
pub use repo::Repo;

/// A file read from a tree: its repository-relative path and its bytes.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct TreeFile {
    /// Repository-relative path with `/` separators.
    pub path: String,
    /// The blob's content (for a symbolic link: the link target).
    pub data: Vec<u8>,
}

/// How a path changed between two trees.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Change {
    /// The path exists only in the new tree.
    Added,
    /// The path exists in both trees with different content or mode.
    Modified,
    /// The path exists only in the old tree.
    Deleted,
}

/// A file that differs between two trees (see [`Repo::changed_paths`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ChangedPath {
    /// Repository-relative path with `/` separators.
    pub path: String,
    /// What happened to it.
    pub change: Change,
}

/// One commit of a [`Repo::log`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CommitInfo {
    /// Full hex id.
    pub id: String,
    /// Author name (`%an`).
    pub author_name: String,
    /// Author email (`%ae`).
    pub author_email: String,
    /// Author time, seconds since the Unix epoch (`%at`).
    pub time: i64,
    /// First paragraph of the message, lines joined by spaces (`%s`).
    pub subject: String,
    /// Full hex ids of all parents, in order (`%P`).
    pub parents: Vec<String>,
}

/// An identity and time stamp for a commit's author or committer.
///
/// Time is always given by the caller; the library never reads the clock.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Signature {
    /// Name; must be non-empty and contain no `<`, `>` or newline.
    pub name: String,
    /// Email, without angle brackets.
    pub email: String,
    /// Seconds since the Unix epoch (not negative).
    pub time: i64,
    /// Offset of the local time zone from UTC in minutes, e.g. `120` for `+0200`.
    pub offset_minutes: i32,
}

/// One change to a file in a [`CommitRequest`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FileChange {
    /// Create or replace the file at `path` (missing directories are created; an executable
    /// file stays executable).
    Write {
        /// Repository-relative path with `/` separators.
        path: String,
        /// New content.
        data: Vec<u8>,
    },
    /// Remove the file at `path` (an error if it does not exist; directories that become empty
    /// disappear, as in git).
    Delete {
        /// Repository-relative path with `/` separators.
        path: String,
    },
}

impl FileChange {
    /// The path this change is about.
    #[must_use]
    pub fn path(&self) -> &str {
        match self {
            FileChange::Write { path, .. } | FileChange::Delete { path } => path,
        }
    }
}

/// A commit to write on top of a branch without a checkout (see [`Repo::commit`]).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CommitRequest {
    /// Branch to commit to: `stg` or `refs/heads/stg`. It must exist.
    pub branch: String,
    /// File changes, applied to the tree of the branch tip. Each path may appear once.
    pub changes: Vec<FileChange>,
    /// Commit message; a final newline is added if missing.
    pub message: String,
    /// Author identity and time.
    pub author: Signature,
    /// Committer identity and time; `None` means the author.
    pub committer: Option<Signature>,
    /// The tip the changes were based on (full hex id). If the branch no longer points there,
    /// nothing is written and [`Error::Conflict`] is returned. `None` uses the tip read now
    /// (the ref update is still a compare-and-swap against it).
    pub expected_tip: Option<String>,
}
