//! Values crossing the boundary.
//!
//! Structured results travel as JSON text: the core serializes them (with serde, the same bytes
//! as the CLI's JSON output) and JavaScript's own `JSON.parse` builds the value. So keys are the
//! core's keys, integers are plain JS numbers (napi's `serde_json::Value` conversion would turn
//! integers above 2^32 into strings or BigInts), and nesting is not capped at napi's 128 levels.
//! Free-form JS input (`toYaml` values, parse options) goes the other way through
//! `JSON.stringify`, so `undefined` properties are dropped as JSON does.

use crate::errors::{Failure, Outcome};
use napi::bindgen_prelude::{Buffer, Function, JsObjectValue, ToNapiValue, Unknown};
use napi::{Env, JSON, ValueType};

/// A serialized JSON text, turned into a JS value with `JSON.parse`.
#[derive(Debug)]
pub struct Json(String);

impl Json {
    /// Serializes a core result (on the worker thread, off the JS thread).
    pub fn of<T: serde::Serialize + ?Sized>(value: &T) -> Outcome<Json> {
        serde_json::to_string(value)
            .map(Json)
            .map_err(|e| Failure::internal(&format!("result is not JSON: {e}")))
    }
}

/// A result computed by the core that becomes a JS value on the JS thread.
pub trait IntoJs: Send + 'static {
    /// The JS value.
    fn into_js(self, env: &Env) -> napi::Result<Unknown<'_>>;
}

impl IntoJs for Json {
    fn into_js(self, env: &Env) -> napi::Result<Unknown<'_>> {
        let json: JSON = env.get_global()?.get_named_property_unchecked("JSON")?;
        let parse: Function<String, Unknown> = json.get_named_property_unchecked("parse")?;
        parse.call(self.0)
    }
}

impl IntoJs for String {
    fn into_js(self, env: &Env) -> napi::Result<Unknown<'_>> {
        self.into_unknown(env)
    }
}

impl IntoJs for Vec<String> {
    fn into_js(self, env: &Env) -> napi::Result<Unknown<'_>> {
        self.into_unknown(env)
    }
}

impl IntoJs for Vec<u8> {
    fn into_js(self, env: &Env) -> napi::Result<Unknown<'_>> {
        Buffer::from(self).into_unknown(env)
    }
}

/// Reads an arbitrary JS value as JSON data (through `JSON.stringify`).
///
/// # Errors
/// `invalid-argument` when the value has no JSON form (`undefined`, a function, a symbol, a
/// BigInt, a cycle) or nests deeper than 128 levels.
pub fn json_from_js(env: &Env, value: Unknown<'_>, what: &str) -> Outcome<serde_json::Value> {
    let not_json = |why: &str| Failure::invalid_argument(format!("{what} is not JSON data: {why}"));
    match value.get_type() {
        Ok(ValueType::Undefined | ValueType::Function | ValueType::Symbol) => {
            return Err(not_json("undefined, functions and symbols have no JSON form"));
        }
        Ok(_) => {}
        Err(e) => return Err(not_json(&e.reason)),
    }
    let json: JSON = env
        .get_global()
        .and_then(|global| global.get_named_property_unchecked("JSON"))
        .map_err(|e| not_json(&e.reason))?;
    let text = json.stringify(value).map_err(|e| not_json(&e.reason))?;
    serde_json::from_str(&text).map_err(|e| not_json(&e.to_string()))
}
