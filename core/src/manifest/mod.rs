//! Kubernetes manifests: objects with their identity and location, read from strings, files,
//! directories, standard input and git trees.
//!
//! `kind: List` and `*List` documents are flattened into their items; empty documents are
//! skipped; documents that are not Kubernetes objects are reported as [`Problem`]s.

mod error;
mod id;
mod load;
mod resource;
mod set;

pub use error::Error;
pub use id::ResourceId;
pub(crate) use load::{DocumentFilter, Loaded, Loader, Skipped};
pub use resource::{Problem, Resource, ResourceSummary};
pub use set::{ManifestSet, RepoChoice, SourceSpec, has_manifest_extension, manifest_files_below};
