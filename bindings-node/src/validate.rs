//! Validation: `validate`, `validateAsync`, `validateText`, `kubernetesVersions`,
//! `validationRules`. Reports have exactly the keys of `gitops-kit validate -o json`.

use crate::convert::{Json, json_from_js};
use crate::errors::{Failure, Outcome};
use crate::task::{Work, run};
use crate::yaml::STRING_INPUT;
use gitops_kit::validate::{self as engine, Options};
use napi::Env;
use napi::bindgen_prelude::{AsyncTask, Either, Unknown};
use napi_derive::napi;

/// Options of `validate`, `validateAsync` and `validateText`. Unknown keys throw
/// `invalid-argument`.
#[napi(object)]
pub struct ValidateOptions {
    /// Kubernetes version of the schemas (`1.33`); default: the config's, else the newest.
    pub kubernetes_version: Option<String>,
    /// Unknown fields are errors (default `true`).
    pub strict: Option<bool>,
    /// Files or directories with CustomResourceDefinitions.
    pub crds: Option<Vec<String>>,
    /// Path of a gitops-kit.yaml with a `validation:` section.
    pub config: Option<String>,
    /// Text of such a configuration.
    pub config_text: Option<String>,
    /// Rule ids not to run.
    pub skip_rules: Option<Vec<String>>,
    /// Repository directory for `git:REF:PATH` sources (default: the one containing the
    /// current directory).
    pub repo: Option<String>,
    /// Validate for this environment of the config's `environments:` (GK-G003, GK-G006,
    /// GK-R009; GK-G002 is an error in production).
    pub environment: Option<String>,
    /// Validate for the environment this manifest branch deploys to (exact, glob, preview).
    pub branch: Option<String>,
    /// The code commit recorded for the environment (GK-G003).
    pub commit: Option<String>,
    /// Code repository directory to link image tags to commits in (GK-G003).
    pub code_repo: Option<String>,
    /// Baseline sources to compare overlays with (GK-G010), e.g. `git:stg:deploy`.
    pub against: Option<Vec<String>>,
    /// A baseline text (named `<against>`).
    pub against_text: Option<String>,
}

/// The object a finding is about.
#[napi(object)]
pub struct FindingResource {
    /// `apiVersion`.
    #[napi(js_name = "apiVersion")]
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.namespace` or `null`.
    #[napi(ts_type = "string | null")]
    pub namespace: Option<String>,
    /// `metadata.name`.
    pub name: String,
}

/// One located finding (snake_case keys, as in the JSON report).
#[napi(object, use_nullable = true)]
pub struct Finding {
    /// Rule id, e.g. `GK-S005`.
    pub rule: String,
    /// `error`, `warning` or `info`.
    #[napi(ts_type = "'error' | 'warning' | 'info'")]
    pub severity: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: String,
    /// Input name.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// 1-based end line.
    #[napi(js_name = "end_line")]
    pub end_line: u32,
    /// 1-based end column (exclusive).
    #[napi(js_name = "end_column")]
    pub end_column: u32,
    /// JSON pointer within the object.
    pub pointer: String,
    /// The object, or `null` for file-level findings.
    pub resource: Option<FindingResource>,
}

/// Counts of a report.
#[napi(object)]
pub struct ValidateSummary {
    /// Inputs read.
    pub files: u32,
    /// Objects validated.
    pub resources: u32,
    /// Findings of severity error.
    pub errors: u32,
    /// Findings of severity warning.
    pub warnings: u32,
    /// Findings of severity info.
    pub infos: u32,
    /// Findings silenced by annotations or config excludes.
    pub suppressed: u32,
}

/// The `gitops-kit/validate/v1` report.
#[napi(object)]
pub struct ValidateReport {
    /// `gitops-kit/validate/v1`.
    pub schema: String,
    /// Counts.
    pub summary: ValidateSummary,
    /// Findings sorted by file, line, column, rule.
    pub findings: Vec<Finding>,
}

/// A rule of the catalog.
#[napi(object)]
pub struct RuleInfo {
    /// Rule id.
    pub id: String,
    /// Default severity, `null` when off by default.
    #[napi(ts_type = "'error' | 'warning' | 'info' | null")]
    pub severity: Option<String>,
    /// Title.
    pub title: String,
    /// How to fix a finding.
    pub help: String,
}

/// Core options (and the repository) from a JS options argument.
fn options(env: &Env, value: Option<Unknown<'_>>) -> Outcome<(Options, Option<String>)> {
    let mut json = match value {
        Some(v) => json_from_js(env, v, "options")?,
        None => serde_json::Value::Null,
    };
    let repo = json
        .as_object_mut()
        .and_then(|m| m.remove("repo"))
        .map(|r| {
            r.as_str().map(str::to_string).ok_or_else(|| Failure::invalid_argument("repo must be a string"))
        })
        .transpose()?;
    Ok((Options::from_json(&json)?, repo))
}

fn validate_sources(
    sources: Either<String, Vec<String>>,
    opts: Outcome<(Options, Option<String>)>,
) -> Outcome<Json> {
    let (options, repo) = opts?;
    let sources = match sources {
        Either::A(s) => vec![s],
        Either::B(list) => list,
    };
    if sources.iter().any(|s| s == "-") {
        return Err(Failure::invalid_argument(
            "standard input is not read by the Node binding; use validateText",
        ));
    }
    let report = engine::validate(&sources, repo.as_deref().map(std::path::Path::new), &options)?;
    Json::of(&report.to_json())
}

/// Validates files, directories and `git:REF:PATH` sources on the calling thread. Files that do
/// not parse are `GK-S001` findings; missing sources, unknown versions or rules, and bad
/// configuration throw (`manifest.not-found`, `validate.unknown-version`, …).
#[napi(
    catch_unwind,
    ts_args_type = "sources: string | Array<string>, options?: ValidateOptions | undefined | null",
    ts_return_type = "ValidateReport"
)]
pub fn validate<'env>(
    env: &'env Env,
    sources: Either<String, Vec<String>>,
    options: Option<Unknown<'env>>,
) -> napi::Result<Unknown<'env>> {
    let opts = self::options(env, options);
    run(env, || validate_sources(sources, opts))
}

/// `validate` off the main thread (libuv pool): a promise of the report.
#[napi(
    catch_unwind,
    ts_args_type = "sources: string | Array<string>, options?: ValidateOptions | undefined | null",
    ts_return_type = "Promise<ValidateReport>"
)]
pub fn validate_async(
    env: &Env,
    sources: Either<String, Vec<String>>,
    options: Option<Unknown<'_>>,
) -> AsyncTask<Work<Json>> {
    let opts = self::options(env, options);
    Work::spawn(move || validate_sources(sources, opts))
}

/// Validates one YAML or JSON text named `file` (default `<string>`).
#[napi(
    catch_unwind,
    ts_args_type = "text: string, file?: string | undefined | null, options?: ValidateOptions | undefined | null",
    ts_return_type = "ValidateReport"
)]
pub fn validate_text<'env>(
    env: &'env Env,
    text: String,
    file: Option<String>,
    options: Option<Unknown<'env>>,
) -> napi::Result<Unknown<'env>> {
    let opts = self::options(env, options);
    run(env, || {
        let (options, _) = opts?;
        let report = engine::validate_str(&text, file.as_deref().unwrap_or(STRING_INPUT), &options)?;
        Json::of(&report.to_json())
    })
}

/// The Kubernetes versions with embedded schemas, oldest first.
#[napi]
pub fn kubernetes_versions() -> Vec<String> {
    engine::kubernetes_versions()
}

/// The rule catalog.
#[napi(catch_unwind, ts_return_type = "Array<RuleInfo>")]
pub fn validation_rules(env: &Env) -> napi::Result<Unknown<'_>> {
    run(env, || Json::of(engine::rules()))
}
