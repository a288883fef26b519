//! One module per subcommand.

pub mod convert;
pub mod diff;
pub mod env;
pub mod image;
pub mod manifests;
pub mod tag;
pub mod validate;
