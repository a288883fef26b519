//! Core errors as JS `Error` objects carrying `code` and, when the error is located, `file`,
//! `line` and `column`.
//!
//! A `napi::Error` only carries a code and a message, so the JS object is built here (on the JS
//! thread, where an `Env` is at hand) and handed to napi as a reference: napi then throws, or
//! rejects a promise with, exactly that object.

use gitops_kit::Location;
use napi::bindgen_prelude::{JsObjectValue, Status};
use napi::{Env, JsValue};
use std::any::Any;

/// Code of failures that are bugs rather than bad input (a panic caught at the boundary).
const INTERNAL: &str = "internal";

/// An error on its way to JavaScript: code, message and optional location. It is plain data,
/// so it can be produced on a worker thread and turned into a JS object later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    code: String,
    message: String,
    location: Option<Location>,
}

impl Failure {
    /// An `invalid-argument` failure (the core's code for malformed API arguments).
    pub fn invalid_argument(message: impl Into<String>) -> Failure {
        gitops_kit::Error::InvalidArgument(message.into()).into()
    }

    /// An `internal` failure: a bug in gitops-kit rather than bad input.
    pub fn internal(what: &str) -> Failure {
        Failure {
            code: INTERNAL.to_string(),
            message: format!("internal error (a bug in gitops-kit, please report it): {what}"),
            location: None,
        }
    }

    /// The failure for a panic payload caught at the boundary.
    pub fn panic(payload: &(dyn Any + Send)) -> Failure {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_string());
        Failure::internal(&what)
    }

    /// The JS `Error` object for this failure, as a `napi::Error` that napi throws (or rejects
    /// with) unchanged.
    pub fn into_napi(self, env: &Env) -> napi::Error {
        self.build(env).unwrap_or_else(|_| {
            // Only reachable when the JS engine cannot allocate the object; keep code + message.
            napi::Error::new(Status::GenericFailure, format!("[{}] {}", self.code, self.message))
        })
    }

    fn build(&self, env: &Env) -> napi::Result<napi::Error> {
        let mut error = env.create_error(napi::Error::new(Status::GenericFailure, &self.message))?;
        error.set_named_property("code", self.code.as_str())?;
        if let Some(location) = &self.location {
            error.set_named_property("file", location.file.as_str())?;
            error.set_named_property("line", location.line)?;
            error.set_named_property("column", location.column)?;
        }
        Ok(napi::Error::from(error.to_unknown()))
    }
}

impl From<gitops_kit::Error> for Failure {
    fn from(error: gitops_kit::Error) -> Failure {
        Failure {
            code: error.code().to_string(),
            location: error.location().cloned(),
            message: error.to_string(),
        }
    }
}

macro_rules! from_module_error {
    ($($error:ty),*) => {$(
        impl From<$error> for Failure {
            fn from(error: $error) -> Failure {
                gitops_kit::Error::from(error).into()
            }
        }
    )*};
}

from_module_error!(gitops_kit::yaml::Error, gitops_kit::manifest::Error, gitops_kit::git::Error);

/// `Result` of the work done for one call, before conversion to JS.
pub type Outcome<T> = Result<T, Failure>;
