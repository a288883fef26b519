//! Semantic diff of manifest sets: `diff` (async) / `diffSync` over sources, `diffTexts` over
//! two strings, `diffTextsRender` / `diffRender` for the text, json, markdown, unified and patch
//! outputs.

use crate::convert::{Json, json_from_js};
use crate::errors::Outcome;
use crate::task::{Work, run};
use gitops_kit::diff::{self as core_diff, DiffOptions};
use napi::Env;
use napi::bindgen_prelude::{AsyncTask, Either, Unknown};
use napi_derive::napi;

fn options(env: &Env, options: Option<Unknown<'_>>) -> Outcome<DiffOptions> {
    let json = match options {
        Some(value) => json_from_js(env, value, "options")?,
        None => serde_json::Value::Null,
    };
    Ok(DiffOptions::from_json(&json)?)
}

fn list(v: Either<String, Vec<String>>) -> Vec<String> {
    match v {
        Either::A(s) => vec![s],
        Either::B(v) => v,
    }
}

fn stdin_unsupported() -> gitops_kit::manifest::Error {
    gitops_kit::manifest::Error::InvalidSource {
        source_name: "-".into(),
        message: "standard input is not read by the Node binding; read it and call diffTexts".into(),
    }
}

fn sources_job(
    old: Vec<String>,
    new: Vec<String>,
    options: Outcome<DiffOptions>,
    repo: Option<String>,
) -> Outcome<Json> {
    let options = options?;
    if old.iter().chain(&new).any(|s| s == "-") {
        return Err(stdin_unsupported().into());
    }
    let report = core_diff::diff_sources(&old, &new, repo.as_deref().map(std::path::Path::new), &options)?;
    Json::of(&report)
}

/// Diffs two YAML/JSON texts (named `<old>` and `<new>` in locations) and returns the
/// `gitops-kit/diff/v1` report (same keys as `gitops-kit diff -o json`).
///
/// Throws a located YAML error, or `diff.invalid-argument` / `diff.invalid-rule` for bad options.
#[napi(
    catch_unwind,
    ts_args_type = "oldText: string, newText: string, options?: { mode?: 'apply' | 'strict' | 'ownership', namespace?: string, ignore?: Array<string | Record<string, string>>, hide?: Array<string | Record<string, string>>, manager?: string | string[], showForeign?: boolean, setSemantics?: string | string[], baseline?: string | { schema: 'gitops-kit/diff-baseline/v1', changes: Array<string | { id: string, resource?: string, path?: string, note?: string, expires?: string }> }, showSecrets?: boolean, explain?: boolean, failOn?: string | string[], podSpecs?: string[], renames?: boolean, lenient?: boolean, config?: string, secretKey?: string } | undefined | null",
    ts_return_type = "Record<string, any>"
)]
pub fn diff_texts<'env>(
    env: &'env Env,
    old: String,
    new: String,
    options: Option<Unknown<'env>>,
) -> napi::Result<Unknown<'env>> {
    let options = self::options(env, options);
    run(env, || {
        let report = core_diff::diff_texts(&old, &new, &options?)?;
        Json::of(&report)
    })
}

/// A diff of two texts rendered as the CLI prints it: `format` is `'text'` (dyff-like, the
/// default), `'json'`, `'markdown'`, `'unified'` (a unified YAML diff of the normalized
/// documents) or `'patch'` (the `gitops-kit/diff-patch/v1` RFC 6902 JSON Patch report, as JSON
/// text). Secret values are placeholders in every format unless `showSecrets` is set.
///
/// Throws what `diffTexts` throws, or `diff.invalid-argument` for an unknown format.
#[napi(
    catch_unwind,
    ts_args_type = "oldText: string, newText: string, options?: Record<string, any> | undefined | null, format?: 'text' | 'json' | 'markdown' | 'unified' | 'patch' | undefined | null"
)]
pub fn diff_texts_render(
    env: &Env,
    old: String,
    new: String,
    options: Option<Unknown<'_>>,
    format: Option<String>,
) -> napi::Result<String> {
    let options = self::options(env, options);
    crate::task::call(env, || {
        let format =
            core_diff::Format::parse(format.as_deref().unwrap_or("text")).map_err(gitops_kit::Error::from)?;
        Ok(core_diff::render_texts(&old, &new, &options?, format)?.output)
    })
}

/// `{output, exitCode}`: the rendered diff and the CLI's exit code of its report.
fn render_job(
    old: Vec<String>,
    new: Vec<String>,
    options: Outcome<DiffOptions>,
    format: Option<String>,
    repo: Option<String>,
) -> Outcome<Json> {
    let options = options?;
    let format =
        core_diff::Format::parse(format.as_deref().unwrap_or("text")).map_err(gitops_kit::Error::from)?;
    if old.iter().chain(&new).any(|s| s == "-") {
        return Err(stdin_unsupported().into());
    }
    let repo = repo.as_deref().map(std::path::Path::new);
    let r = core_diff::render_sources(&old, &new, repo, &options, format, false)?;
    Json::of(&serde_json::json!({"output": r.output, "exitCode": r.exit_code}))
}

/// Diffs OLD sources against NEW sources (as `diff`) off the main thread and renders the result
/// as `diffTextsRender` does: `{output, exitCode}` with the CLI's exit code (0 no differences,
/// 1 differences, 2 errors).
///
/// Rejects with source, git and YAML errors, bad options, or `diff.invalid-argument` for an
/// unknown format.
#[napi(
    catch_unwind,
    ts_args_type = "oldSources: string | Array<string>, newSources: string | Array<string>, options?: Record<string, any> | undefined | null, format?: 'text' | 'json' | 'markdown' | 'unified' | 'patch' | undefined | null, repo?: string | undefined | null",
    ts_return_type = "Promise<{ output: string, exitCode: number }>"
)]
pub fn diff_render(
    env: &Env,
    old: Either<String, Vec<String>>,
    new: Either<String, Vec<String>>,
    options: Option<Unknown<'_>>,
    format: Option<String>,
    repo: Option<String>,
) -> AsyncTask<Work<Json>> {
    let options = self::options(env, options);
    let (old, new) = (list(old), list(new));
    Work::spawn(move || render_job(old, new, options, format, repo))
}

/// `diffRender` on the calling thread (blocks the event loop while files are read).
///
/// Throws what `diffRender` rejects with.
#[napi(
    catch_unwind,
    ts_args_type = "oldSources: string | Array<string>, newSources: string | Array<string>, options?: Record<string, any> | undefined | null, format?: 'text' | 'json' | 'markdown' | 'unified' | 'patch' | undefined | null, repo?: string | undefined | null",
    ts_return_type = "{ output: string, exitCode: number }"
)]
pub fn diff_render_sync<'env>(
    env: &'env Env,
    old: Either<String, Vec<String>>,
    new: Either<String, Vec<String>>,
    options: Option<Unknown<'env>>,
    format: Option<String>,
    repo: Option<String>,
) -> napi::Result<Unknown<'env>> {
    let options = self::options(env, options);
    let (old, new) = (list(old), list(new));
    run(env, || render_job(old, new, options, format, repo))
}

/// Diffs OLD sources against NEW sources (files, directories, `git:REF:PATH`; a string or an
/// array) off the main thread. `repo` serves `git:` sources (default: the repository containing
/// the current directory).
///
/// Rejects with source, git and YAML errors, or bad options.
#[napi(
    catch_unwind,
    ts_args_type = "oldSources: string | Array<string>, newSources: string | Array<string>, options?: Record<string, any> | undefined | null, repo?: string | undefined | null",
    ts_return_type = "Promise<Record<string, any>>"
)]
pub fn diff(
    env: &Env,
    old: Either<String, Vec<String>>,
    new: Either<String, Vec<String>>,
    options: Option<Unknown<'_>>,
    repo: Option<String>,
) -> AsyncTask<Work<Json>> {
    let options = self::options(env, options);
    let (old, new) = (list(old), list(new));
    Work::spawn(move || sources_job(old, new, options, repo))
}

/// `diff` on the calling thread (blocks the event loop while files are read).
///
/// Throws what `diff` rejects with.
#[napi(
    catch_unwind,
    ts_args_type = "oldSources: string | Array<string>, newSources: string | Array<string>, options?: Record<string, any> | undefined | null, repo?: string | undefined | null",
    ts_return_type = "Record<string, any>"
)]
pub fn diff_sync<'env>(
    env: &'env Env,
    old: Either<String, Vec<String>>,
    new: Either<String, Vec<String>>,
    options: Option<Unknown<'env>>,
    repo: Option<String>,
) -> napi::Result<Unknown<'env>> {
    let options = self::options(env, options);
    let (old, new) = (list(old), list(new));
    run(env, || sources_job(old, new, options, repo))
}

/// The `gitops-kit/diff-baseline/v1` baseline accepting every counted change of `report` (a
/// `diff` / `diffTexts` report): its reported, already acknowledged and hidden (`hidden_ids`)
/// changes. `previous` (a baseline object or a file path) keeps its notes and expiries. Write it
/// with `JSON.stringify` and pass it back as the `baseline` option.
///
/// Throws `diff.invalid-baseline` when `previous` is not a readable baseline.
#[napi(
    catch_unwind,
    ts_args_type = "report: Record<string, any>, previous?: string | Record<string, any> | undefined | null",
    ts_return_type = "{ schema: 'gitops-kit/diff-baseline/v1', changes: Array<{ id: string, resource?: string, path?: string, note?: string, expires?: string }> }"
)]
pub fn diff_baseline<'env>(
    env: &'env Env,
    report: Unknown<'env>,
    previous: Option<Unknown<'env>>,
) -> napi::Result<Unknown<'env>> {
    let report = json_from_js(env, report, "report");
    let previous = match previous {
        Some(p) => json_from_js(env, p, "previous"),
        None => Ok(serde_json::Value::Null),
    };
    run(env, || {
        let previous = core_diff::Baseline::from_option(&previous?).map_err(gitops_kit::Error::from)?;
        Json::of(&core_diff::Baseline::from_report_json(&report?, previous.as_ref()))
    })
}
