//! Parse options: their TypeScript shape, and their conversion through the core's
//! `ParseOptions::from_json` (so unknown keys and wrong types are reported as
//! `invalid-argument`, as in the Python binding and the CLI).

use crate::convert::json_from_js;
use crate::errors::Outcome;
use napi::Env;
use napi::bindgen_prelude::Unknown;
use napi_derive::napi;

/// Options of every call that parses YAML. All are optional; the defaults are generous enough
/// for the largest real manifests and stop hostile input (`yaml.limit` errors).
///
/// Unknown keys, and values of the wrong type, throw an `invalid-argument` error.
#[napi(object)]
pub struct ParseOptions {
    /// Accept duplicate mapping keys (the last value wins and a warning is recorded), as
    /// `kubectl apply` does. Default `false`: a duplicate key throws `yaml.duplicate-key`.
    pub lenient: Option<bool>,
    /// Deepest nesting of collections, counted after alias expansion. Default 128.
    pub max_depth: Option<u32>,
    /// Most nodes in one document. Default 10,000,000.
    pub max_nodes: Option<u32>,
    /// Most nodes that aliases and merge keys may add to one document. Default 100,000.
    pub max_alias_expansion: Option<u32>,
    /// Longest scalar, in bytes. Default 32 MiB.
    pub max_scalar_bytes: Option<u32>,
    /// Largest input, in bytes. Default 256 MiB.
    pub max_input_bytes: Option<u32>,
    /// Most documents in one stream. Default 100,000.
    pub max_documents: Option<u32>,
}

/// The core options for a JS options argument (`undefined` or `null`: the defaults).
pub fn parse_options(env: &Env, options: Option<Unknown<'_>>) -> Outcome<gitops_kit::yaml::ParseOptions> {
    let json = match options {
        Some(value) => json_from_js(env, value, "options")?,
        None => serde_json::Value::Null,
    };
    Ok(gitops_kit::yaml::ParseOptions::from_json(&json)?)
}
