//! Located YAML: `yamlToJson`, `yamlHazards`, `locate`, `applyEdits`, `toYaml`.

use crate::convert::{Json, json_from_js};
use crate::errors::Failure;
use crate::options::parse_options;
use crate::task::{call, run};
use gitops_kit::yaml;
use napi::Env;
use napi::bindgen_prelude::Unknown;
use napi_derive::napi;

/// Name of an input given as a string when the caller names no file.
pub const STRING_INPUT: &str = "<string>";

/// A plain scalar that Kubernetes (YAML 1.1) and YAML 1.2 tools read differently.
/// Keys are those of the CLI's JSON output.
#[napi(object)]
pub struct HazardSite {
    /// Input name.
    pub file: String,
    /// 0-based document index.
    pub document: u32,
    /// 1-based line.
    pub line: u32,
    /// 1-based column (in characters).
    pub column: u32,
    /// JSON pointer of the value (of the key's value, for a key).
    pub pointer: String,
    /// Whether the scalar is a mapping key (`on:`) rather than a value.
    pub key: bool,
    /// The scalar as written.
    pub text: String,
    /// `yaml11-bool`, `legacy-octal`, `binary-number`, `underscore-number` or `large-integer`.
    pub hazard: String,
    /// Explanation.
    pub message: String,
}

/// Where a node is: byte offsets into the UTF-8 text (usable with `applyEdits`), and 1-based
/// lines and columns (columns count characters). Keys are those of the CLI's JSON output.
#[napi(object)]
pub struct NodeLocation {
    /// Input name.
    pub file: String,
    /// 0-based document index.
    pub document: u32,
    /// `scalar`, `sequence` or `mapping`.
    #[napi(ts_type = "'scalar' | 'sequence' | 'mapping'")]
    pub kind: String,
    /// Offset of the first byte (UTF-8 bytes, not UTF-16 code units).
    pub start: u32,
    /// Offset one past the last byte.
    pub end: u32,
    /// 1-based line of the start.
    pub line: u32,
    /// 1-based column of the start.
    pub column: u32,
    /// 1-based line of the end.
    #[napi(js_name = "end_line")]
    pub end_line: u32,
    /// 1-based column of the end (exclusive).
    #[napi(js_name = "end_column")]
    pub end_column: u32,
    /// The node's source text.
    pub text: String,
}

/// One replacement of `applyEdits`.
#[napi(object)]
pub struct Edit {
    /// Offset of the first replaced byte (UTF-8 bytes, as in `NodeLocation.start`).
    pub start: f64,
    /// Offset one past the last replaced byte (as in `NodeLocation.end`).
    pub end: f64,
    /// The new text.
    pub replacement: String,
}

/// Every document of a YAML (or JSON) stream as Kubernetes reads it: YAML 1.1 scalars
/// (`yes` is `true`, `0755` is 493), merge keys applied, empty documents as `null`.
///
/// Throws an `Error` with `code` (`yaml.parse`, `yaml.duplicate-key`, `yaml.limit`,
/// `yaml.value`, …) and `file`/`line`/`column`; `invalid-argument` for bad options.
#[napi(
    catch_unwind,
    ts_args_type = "text: string, file?: string | undefined | null, options?: ParseOptions | undefined | null",
    ts_return_type = "Array<unknown>"
)]
pub fn yaml_to_json<'env>(
    env: &'env Env,
    text: String,
    file: Option<String>,
    options: Option<Unknown<'env>>,
) -> napi::Result<Unknown<'env>> {
    let options = parse_options(env, options);
    run(env, || {
        let file = file.as_deref().unwrap_or(STRING_INPUT);
        let docs = yaml::to_json_documents(&text, file, &options?)?;
        Json::of(&docs)
    })
}

/// The plain scalars that Kubernetes (YAML 1.1) and YAML 1.2 tools read differently
/// (`yes`, `0644`, `1_000`, integers beyond 2^53, …), in document order, located.
///
/// Throws like `yamlToJson` when the text does not parse.
#[napi(
    catch_unwind,
    ts_args_type = "text: string, file?: string | undefined | null, options?: ParseOptions | undefined | null",
    ts_return_type = "Array<HazardSite>"
)]
pub fn yaml_hazards<'env>(
    env: &'env Env,
    text: String,
    file: Option<String>,
    options: Option<Unknown<'env>>,
) -> napi::Result<Unknown<'env>> {
    let options = parse_options(env, options);
    run(env, || {
        let file = file.as_deref().unwrap_or(STRING_INPUT);
        Json::of(&yaml::hazards(&text, file, &options?)?)
    })
}

/// The location of the node at a JSON `pointer` (e.g. `/spec/containers/0/image`) in document
/// `document` (default 0) of a YAML text.
///
/// Throws `yaml.pointer` when the document or the node does not exist, or a parse error like
/// `yamlToJson`.
#[napi(
    catch_unwind,
    ts_args_type = "text: string, pointer: string, file?: string | undefined | null, document?: number | undefined | null, options?: ParseOptions | undefined | null",
    ts_return_type = "NodeLocation"
)]
pub fn locate<'env>(
    env: &'env Env,
    text: String,
    pointer: String,
    file: Option<String>,
    document: Option<u32>,
    options: Option<Unknown<'env>>,
) -> napi::Result<Unknown<'env>> {
    let options = parse_options(env, options);
    run(env, || {
        let file = file.as_deref().unwrap_or(STRING_INPUT);
        let document = document.unwrap_or(0) as usize;
        let location = yaml::locate(&text, file, document, &pointer, &options?)?;
        Json::of(&location)
    })
}

/// Replaces byte ranges of `text` and keeps every other byte (comments, quotes, blank lines)
/// identical. Offsets are UTF-8 byte offsets, as returned by `locate`.
///
/// Throws `yaml.edit` (located) when a range is out of bounds, splits a character, or
/// overlaps another; `invalid-argument` when an offset is not a non-negative integer.
#[napi(catch_unwind)]
pub fn apply_edits(env: &Env, text: String, edits: Vec<Edit>, file: Option<String>) -> napi::Result<String> {
    call(env, || {
        let edits = edits
            .into_iter()
            .map(|e| Ok(yaml::Edit { range: offset(e.start)?..offset(e.end)?, replacement: e.replacement }))
            .collect::<Result<Vec<_>, Failure>>()?;
        let file = file.as_deref().unwrap_or(STRING_INPUT);
        Ok(yaml::apply_edits(&text, &edits, file)?)
    })
}

fn offset(value: f64) -> Result<usize, Failure> {
    if value >= 0.0 && value.fract() == 0.0 && value <= u32::MAX as f64 {
        Ok(value as usize)
    } else {
        Err(Failure::invalid_argument(format!("edit offset {value} is not a non-negative integer")))
    }
}

/// Renders JSON data as block-style YAML; strings that Kubernetes would read as something else
/// (`"yes"`, `"0755"`) are quoted.
///
/// Throws `invalid-argument` when `value` has no JSON form (`undefined`, a function, a BigInt,
/// a cycle) or nests deeper than 128 levels.
#[napi(catch_unwind, ts_args_type = "value: unknown")]
pub fn to_yaml(env: &Env, value: Unknown<'_>) -> napi::Result<String> {
    call(env, || Ok(yaml::to_yaml_string(&json_from_js(env, value, "value")?)))
}
