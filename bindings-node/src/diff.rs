//! Semantic diff of manifest sets: `diff` (async) / `diffSync` over sources, `diffTexts` over
//! two strings, `diffTextsRender` for the text and markdown outputs.

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

fn sources_job(
    old: Vec<String>,
    new: Vec<String>,
    options: Outcome<DiffOptions>,
    repo: Option<String>,
) -> Outcome<Json> {
    let options = options?;
    if old.iter().chain(&new).any(|s| s == "-") {
        return Err(gitops_kit::manifest::Error::InvalidSource {
            source_name: "-".into(),
            message: "standard input is not read by the Node binding; read it and call diffTexts".into(),
        }
        .into());
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
    ts_args_type = "oldText: string, newText: string, options?: { mode?: 'apply' | 'strict', namespace?: string, ignore?: Array<string | Record<string, string>>, showSecrets?: boolean, explain?: boolean, failOn?: string | string[], podSpecs?: string[], renames?: boolean, lenient?: boolean, config?: string } | undefined | null",
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

/// The text (`format: 'text'`, the default) or `'markdown'` rendering of a diff of two texts.
///
/// Throws what `diffTexts` throws, or `invalid-argument` for an unknown format.
#[napi(
    catch_unwind,
    ts_args_type = "oldText: string, newText: string, options?: Record<string, any> | undefined | null, format?: 'text' | 'markdown' | undefined | null"
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
        let report = core_diff::diff_texts(&old, &new, &options?)?;
        match format.as_deref().unwrap_or("text") {
            "text" => Ok(core_diff::render::text(&report, false)),
            "markdown" => Ok(core_diff::render::markdown(&report)),
            other => Err(gitops_kit::Error::InvalidArgument(format!(
                "format must be text or markdown, not {other:?}"
            ))
            .into()),
        }
    })
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
