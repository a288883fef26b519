//! # gitops-kit
//!
//! GitOps primitives for Kubernetes, shared by the `gitops-kit` CLI and the Python and Node
//! packages: located YAML ([`yaml`]), Kubernetes manifests ([`manifest`]) and git without a
//! checkout ([`git`]).
//!
//! ```
//! let set = gitops_kit::manifest::ManifestSet::from_str(
//!     "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  namespace: shop\n",
//!     "web.yaml",
//! ).unwrap();
//! let web = &set.resources()[0];
//! assert_eq!(web.id().to_string(), "apps/Deployment/shop/web");
//! assert_eq!(web.location().line, 1);
//! ```
#![warn(missing_docs)]

pub mod diff;
pub mod env;
mod error;
pub mod git;
pub mod image;
pub mod manifest;
pub mod validate;
pub mod yaml;

pub use error::{Error, Location, Result};
