//! Node bindings of gitops-kit (npm package `gitops-kit`), built with napi-rs.
//!
//! The bindings are thin: each function converts its arguments, makes one call into the core
//! crate and converts the result. Structured results have exactly the keys of the core's (and
//! the CLI's) JSON. Errors are JS `Error`s with the core's stable `code` and, when located,
//! `file`, `line` and `column` ([`errors`]). Calls that read files or git have a
//! promise-returning variant that runs on the libuv thread pool ([`task`]).

mod convert;
pub mod diff;
pub mod env;
mod errors;
pub mod git;
pub mod image;
pub mod manifests;
pub mod options;
mod task;
pub mod validate;
pub mod yaml;
