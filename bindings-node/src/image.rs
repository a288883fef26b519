//! Images: `parseImage`, `lintImage`, `sanitizeTag`, `sameRepository`, `imageSites`,
//! `loadImageSites`(`Sync`), `setImages`, `setImagesInPaths`(`Sync`), `renderTag`, `parseTag`,
//! `tagForCommit`(`Sync`), `linkImage`(`Sync`), `orderByGit`(`Sync`).
//!
//! Results have exactly the keys of the core's JSON (the CLI's `-o json`); settings objects
//! accept the core's keys or their camelCase forms (`forbidLatest`, `extraPaths`, `mutableTags`).

use crate::convert::{Json, json_from_js};
use crate::errors::Outcome;
use crate::options::parse_options;
use crate::task::{Work, run};
use crate::yaml::STRING_INPUT;
use gitops_kit::git::Repo;
use gitops_kit::image::{
    self, Aliases, CommitFacts, ImageEdit, LintOptions, ParseMode, SetOptions, SiteOptions, TagScheme,
};
use gitops_kit::manifest::ManifestSet;
use napi::Env;
use napi::bindgen_prelude::{AsyncTask, Either, ToNapiValue, Unknown};
use napi_derive::napi;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// An image-module result as an [`Outcome`].
fn img<T>(result: Result<T, image::Error>) -> Outcome<T> {
    Ok(result.map_err(gitops_kit::Error::from)?)
}

fn js_json(env: &Env, value: Option<Unknown<'_>>, what: &str) -> Outcome<serde_json::Value> {
    match value {
        Some(v) => json_from_js(env, v, what),
        None => Ok(serde_json::Value::Null),
    }
}

/// A settings object (or `undefined`/`null`) as a core options struct.
macro_rules! settings {
    ($env:expr, $value:expr, $ty:ty) => {
        js_json($env, $value, "settings").and_then(|v| img(image::options_from_json::<$ty>(&v)))
    };
}

/// A core result as JSON text for JS.
macro_rules! to_json {
    ($value:expr) => {
        Json::of($value)
    };
}

fn paths(p: Either<String, Vec<String>>) -> Vec<String> {
    match p {
        Either::A(one) => vec![one],
        Either::B(many) => many,
    }
}

/// Parses an image reference (`mode` `'normalize'` — Docker Hub defaults, the default — or
/// `'strict'`). Never throws for an invalid reference: `valid` is false and `error` says why.
#[napi(
    catch_unwind,
    ts_args_type = "reference: string, mode?: 'normalize' | 'strict' | undefined | null",
    ts_return_type = "{ input: string; valid: boolean; mode: 'normalize' | 'strict'; domain: string | null; path: string | null; tag: string | null; digest: string | null; name: string | null; canonical: string | null; familiar: string | null; pinned: string | null; spans: { name: [number, number]; domain: [number, number] | null; path: [number, number]; tag: [number, number] | null; digest: [number, number] | null } | null; error: { code: string; message: string } | null }"
)]
pub fn parse_image<'env>(
    env: &'env Env,
    reference: String,
    mode: Option<String>,
) -> napi::Result<Unknown<'env>> {
    run(env, || {
        let mode = img(ParseMode::from_name(mode.as_deref().unwrap_or("normalize")))?;
        to_json!(&image::parse_report(&reference, mode))
    })
}

/// Lints a reference: `[{code, severity, message}]` (`image.latest-tag`, `image.missing-tag`,
/// `image.mutable-tag`, `image.tag-and-digest`, …). Throws for an invalid reference.
#[napi(
    catch_unwind,
    ts_args_type = "reference: string, settings?: { mutableTags?: string[]; mode?: 'normalize' | 'strict' } | undefined | null",
    ts_return_type = "Array<{ code: string; severity: 'error' | 'warning' | 'info'; message: string }>"
)]
pub fn lint_image<'env>(
    env: &'env Env,
    reference: String,
    settings: Option<Unknown<'env>>,
) -> napi::Result<Unknown<'env>> {
    let options = settings!(env, settings, LintOptions);
    run(env, || to_json!(&img(image::lint(&reference, &options?))?))
}

/// Turns a branch name into a legal tag (`feature/login` → `feature-login`).
#[napi(catch_unwind, ts_return_type = "string")]
pub fn sanitize_tag(env: &Env, branch: String, lowercase: Option<bool>) -> napi::Result<Unknown<'_>> {
    run(env, || img(image::sanitize_tag(&branch, lowercase.unwrap_or(false))))
}

/// Whether two references name the same repository after normalisation and registry aliases
/// (`{'mirror.example.com': 'registry.example.com'}`, on top of the Docker Hub defaults).
#[napi(
    catch_unwind,
    ts_args_type = "a: string, b: string, aliases?: Record<string, string> | undefined | null",
    ts_return_type = "boolean"
)]
pub fn same_repository<'env>(
    env: &'env Env,
    a: String,
    b: String,
    aliases: Option<Unknown<'env>>,
) -> napi::Result<Unknown<'env>> {
    let pairs = settings!(env, aliases, BTreeMap<String, String>);
    let result = crate::task::call(env, || {
        let pairs = pairs?;
        let aliases = Aliases::from_pairs(pairs.iter().map(|(a, t)| (a.as_str(), t.as_str())));
        img(image::same_repository(&a, &b, &aliases))
    })?;
    result.into_unknown(env)
}

/// The `gitops-kit/images/v1` report of one text. `settings.extraPaths`: `[{kind, pointer}]`.
#[napi(
    catch_unwind,
    ts_args_type = "text: string, file?: string | undefined | null, settings?: { extraPaths?: Array<{ kind: string; pointer: string }> } | undefined | null",
    ts_return_type = "{ schema: string; sites: Array<{ image: string; file: string; document: number; line: number; column: number; end_line: number; end_column: number; resource: { apiVersion: string; kind: string; namespace: string | null; name: string }; container: string | null; field: string; pointer: string; style: string }> }"
)]
pub fn image_sites<'env>(
    env: &'env Env,
    text: String,
    file: Option<String>,
    settings: Option<Unknown<'env>>,
) -> napi::Result<Unknown<'env>> {
    let options = settings!(env, settings, SiteOptions);
    run(env, || {
        let set = ManifestSet::from_str(&text, file.as_deref().unwrap_or(STRING_INPUT))?;
        to_json!(&image::sites(&set, &options?))
    })
}

fn load_sites(
    paths: Vec<String>,
    settings: Outcome<SiteOptions>,
    options: Outcome<gitops_kit::yaml::ParseOptions>,
) -> Outcome<Json> {
    let set = ManifestSet::load_args(&paths, None, &options?)?;
    to_json!(&image::sites(&set, &settings?))
}

/// The `gitops-kit/images/v1` report of files and directories, off the main thread.
#[napi(
    catch_unwind,
    ts_args_type = "paths: string | Array<string>, settings?: { extraPaths?: Array<{ kind: string; pointer: string }> } | undefined | null, options?: ParseOptions | undefined | null",
    ts_return_type = "Promise<{ schema: string; sites: Array<Record<string, any>> }>"
)]
pub fn load_image_sites(
    env: &Env,
    paths: Either<String, Vec<String>>,
    settings: Option<Unknown<'_>>,
    options: Option<Unknown<'_>>,
) -> AsyncTask<Work<Json>> {
    let settings = settings!(env, settings, SiteOptions);
    let options = parse_options(env, options);
    let paths = self::paths(paths);
    Work::spawn(move || load_sites(paths, settings, options))
}

/// `loadImageSites` on the calling thread.
#[napi(
    catch_unwind,
    ts_args_type = "paths: string | Array<string>, settings?: { extraPaths?: Array<{ kind: string; pointer: string }> } | undefined | null, options?: ParseOptions | undefined | null",
    ts_return_type = "{ schema: string; sites: Array<Record<string, any>> }"
)]
pub fn load_image_sites_sync<'env>(
    env: &'env Env,
    paths: Either<String, Vec<String>>,
    settings: Option<Unknown<'env>>,
    options: Option<Unknown<'env>>,
) -> napi::Result<Unknown<'env>> {
    let settings = settings!(env, settings, SiteOptions);
    let options = parse_options(env, options);
    run(env, || load_sites(self::paths(paths), settings, options))
}

fn edits_from_js(env: &Env, edits: Unknown<'_>) -> Outcome<Vec<ImageEdit>> {
    img(ImageEdit::list_from_json(&json_from_js(env, edits, "edits")?))
}

/// Rewrites images in one text with byte-span edits only. `edits`: `['nginx=:1.27']` or
/// `[{selector, new}]`; `settings`: `{forbidLatest, aliases, extraPaths}`. Throws
/// `image.forbidden` (located) for `latest` when forbidden, `image.invalid-reference` for a bad
/// new reference.
#[napi(
    catch_unwind,
    ts_args_type = "text: string, edits: Array<string | { selector: string; new: string }>, file?: string | undefined | null, settings?: { forbidLatest?: boolean; aliases?: Record<string, string>; extraPaths?: Array<{ kind: string; pointer: string }> } | undefined | null",
    ts_return_type = "{ text: string; changes: Array<{ file: string; document: number; line: number; column: number; pointer: string; field: string; selector: string; old: string; new: string }>; unmatched: string[] }"
)]
pub fn set_images<'env>(
    env: &'env Env,
    text: String,
    edits: Unknown<'env>,
    file: Option<String>,
    settings: Option<Unknown<'env>>,
) -> napi::Result<Unknown<'env>> {
    let edits = edits_from_js(env, edits);
    let options = settings!(env, settings, SetOptions);
    run(env, || {
        let file = file.as_deref().unwrap_or(STRING_INPUT);
        to_json!(&image::set_images(&text, file, &edits?, &options?)?)
    })
}

fn set_in_paths(
    paths: Vec<String>,
    edits: Outcome<Vec<ImageEdit>>,
    options: Outcome<SetOptions>,
    in_place: bool,
) -> Outcome<Json> {
    let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
    to_json!(&image::set_images_in_paths(&paths, &edits?, &options?, in_place)?)
}

/// `setImages` over files and directories, off the main thread; with `inPlace` changed files
/// are written. Resolves to the `gitops-kit/image-set/v1` report.
#[napi(
    catch_unwind,
    ts_args_type = "paths: string | Array<string>, edits: Array<string | { selector: string; new: string }>, settings?: { forbidLatest?: boolean; aliases?: Record<string, string>; extraPaths?: Array<{ kind: string; pointer: string }> } | undefined | null, inPlace?: boolean | undefined | null",
    ts_return_type = "Promise<{ schema: string; files: Array<{ file: string; changes: Array<Record<string, any>>; text: string | null }>; unmatched: string[]; written: boolean }>"
)]
pub fn set_images_in_paths(
    env: &Env,
    paths: Either<String, Vec<String>>,
    edits: Unknown<'_>,
    settings: Option<Unknown<'_>>,
    in_place: Option<bool>,
) -> AsyncTask<Work<Json>> {
    let edits = edits_from_js(env, edits);
    let options = settings!(env, settings, SetOptions);
    let paths = self::paths(paths);
    Work::spawn(move || set_in_paths(paths, edits, options, in_place.unwrap_or(false)))
}

/// `setImagesInPaths` on the calling thread.
#[napi(
    catch_unwind,
    ts_args_type = "paths: string | Array<string>, edits: Array<string | { selector: string; new: string }>, settings?: { forbidLatest?: boolean; aliases?: Record<string, string>; extraPaths?: Array<{ kind: string; pointer: string }> } | undefined | null, inPlace?: boolean | undefined | null",
    ts_return_type = "{ schema: string; files: Array<{ file: string; changes: Array<Record<string, any>>; text: string | null }>; unmatched: string[]; written: boolean }"
)]
pub fn set_images_in_paths_sync<'env>(
    env: &'env Env,
    paths: Either<String, Vec<String>>,
    edits: Unknown<'env>,
    settings: Option<Unknown<'env>>,
    in_place: Option<bool>,
) -> napi::Result<Unknown<'env>> {
    let edits = edits_from_js(env, edits);
    let options = settings!(env, settings, SetOptions);
    run(env, || set_in_paths(self::paths(paths), edits, options, in_place.unwrap_or(false)))
}

/// Renders a tag from commit facts `{sha, branch, time, tags, build, pr}`.
#[napi(
    catch_unwind,
    ts_args_type = "scheme: string, facts: { sha: string; branch?: string | null; time?: number; tags?: string[]; build?: number | null; pr?: number | null }",
    ts_return_type = "string"
)]
pub fn render_tag<'env>(env: &'env Env, scheme: String, facts: Unknown<'env>) -> napi::Result<Unknown<'env>> {
    let facts = js_json(env, Some(facts), "facts");
    run(env, || {
        let scheme = img(TagScheme::parse(&scheme))?;
        let facts: CommitFacts = img(image::options_from_json::<CommitFacts>(&facts?))?;
        img(scheme.render(&facts))
    })
}

/// Parses a tag back through a scheme: `{tag, scheme, fields, sort_key}`.
#[napi(
    catch_unwind,
    ts_return_type = "{ tag: string; scheme: string; fields: Record<string, string>; sort_key: Array<number | string> }"
)]
pub fn parse_tag(env: &Env, scheme: String, tag: String) -> napi::Result<Unknown<'_>> {
    run(env, || to_json!(&img(img(TagScheme::parse(&scheme))?.parse_tag(&tag))?))
}

fn tag_for(
    scheme: String,
    repo: String,
    rev: Option<String>,
    branch: Option<String>,
    build: Option<i64>,
    pr: Option<i64>,
) -> Outcome<Json> {
    let scheme = img(TagScheme::parse(&scheme))?;
    let repo = Repo::open(repo).map_err(gitops_kit::Error::from)?;
    let number = |n: Option<i64>, what: &str| -> Outcome<Option<u64>> {
        n.map(|v| {
            u64::try_from(v)
                .map_err(|_| crate::errors::Failure::invalid_argument(format!("{what} must not be negative")))
        })
        .transpose()
    };
    let result = image::tags_for_commit(
        &scheme,
        &repo,
        rev.as_deref().unwrap_or("HEAD"),
        branch.as_deref(),
        number(build, "build")?,
        number(pr, "pr")?,
    )?;
    to_json!(&result)
}

/// The tag a scheme gives the commit `rev` (default `HEAD`) of the repository at `repo`,
/// off the main thread: `{facts, tag}`.
#[napi(
    catch_unwind,
    ts_args_type = "scheme: string, repo: string, rev?: string | undefined | null, branch?: string | undefined | null, build?: number | undefined | null, pr?: number | undefined | null",
    ts_return_type = "Promise<{ facts: { sha: string; branch: string | null; time: number; tags: string[]; build: number | null; pr: number | null }; tag: string }>"
)]
pub fn tag_for_commit(
    scheme: String,
    repo: String,
    rev: Option<String>,
    branch: Option<String>,
    build: Option<i64>,
    pr: Option<i64>,
) -> AsyncTask<Work<Json>> {
    Work::spawn(move || tag_for(scheme, repo, rev, branch, build, pr))
}

/// `tagForCommit` on the calling thread.
#[napi(
    catch_unwind,
    ts_args_type = "scheme: string, repo: string, rev?: string | undefined | null, branch?: string | undefined | null, build?: number | undefined | null, pr?: number | undefined | null",
    ts_return_type = "{ facts: { sha: string; branch: string | null; time: number; tags: string[]; build: number | null; pr: number | null }; tag: string }"
)]
pub fn tag_for_commit_sync(
    env: &Env,
    scheme: String,
    repo: String,
    rev: Option<String>,
    branch: Option<String>,
    build: Option<i64>,
    pr: Option<i64>,
) -> napi::Result<Unknown<'_>> {
    run(env, || tag_for(scheme, repo, rev, branch, build, pr))
}

fn link_of(image: String, scheme: String, repo: String, branch: Option<String>) -> Outcome<Json> {
    let scheme = img(TagScheme::parse(&scheme))?;
    let repo = Repo::open(repo).map_err(gitops_kit::Error::from)?;
    to_json!(&image::link(&image, &scheme, &repo, branch.as_deref())?)
}

/// The code commit an image was built from (`gitops-kit/image-link/v1`), off the main thread.
/// Rejects with `git.ambiguous-prefix` (listing the candidates) for an ambiguous short sha.
#[napi(
    catch_unwind,
    ts_args_type = "image: string, scheme: string, repo: string, branch?: string | undefined | null",
    ts_return_type = "Promise<{ schema: string; image: string; parsed: { tag: string; scheme: string; fields: Record<string, string>; sort_key: Array<number | string> }; commit: string; confidence: 'high' | 'medium' | 'low'; evidence: Array<{ kind: string; supports: boolean; detail: string }> }>"
)]
pub fn link_image(
    image: String,
    scheme: String,
    repo: String,
    branch: Option<String>,
) -> AsyncTask<Work<Json>> {
    Work::spawn(move || link_of(image, scheme, repo, branch))
}

/// `linkImage` on the calling thread.
#[napi(
    catch_unwind,
    ts_args_type = "image: string, scheme: string, repo: string, branch?: string | undefined | null",
    ts_return_type = "{ schema: string; image: string; parsed: { tag: string; scheme: string; fields: Record<string, string>; sort_key: Array<number | string> }; commit: string; confidence: 'high' | 'medium' | 'low'; evidence: Array<{ kind: string; supports: boolean; detail: string }> }"
)]
pub fn link_image_sync(
    env: &Env,
    image: String,
    scheme: String,
    repo: String,
    branch: Option<String>,
) -> napi::Result<Unknown<'_>> {
    run(env, || link_of(image, scheme, repo, branch))
}

fn order_of(tags: Vec<String>, scheme: String, repo: String, branch: String) -> Outcome<Json> {
    let scheme = img(TagScheme::parse(&scheme))?;
    let repo = Repo::open(repo).map_err(gitops_kit::Error::from)?;
    to_json!(&image::order_by_git(&tags, &scheme, &repo, &branch)?)
}

/// Tags ordered by their commits' first-parent position on `branch`, newest first, off the
/// main thread: `[{tag, commit, position}]`.
#[napi(
    catch_unwind,
    ts_return_type = "Promise<Array<{ tag: string; commit: string; position: number | null }>>"
)]
pub fn order_by_git(
    tags: Vec<String>,
    scheme: String,
    repo: String,
    branch: String,
) -> AsyncTask<Work<Json>> {
    Work::spawn(move || order_of(tags, scheme, repo, branch))
}

/// `orderByGit` on the calling thread.
#[napi(catch_unwind, ts_return_type = "Array<{ tag: string; commit: string; position: number | null }>")]
pub fn order_by_git_sync(
    env: &Env,
    tags: Vec<String>,
    scheme: String,
    repo: String,
    branch: String,
) -> napi::Result<Unknown<'_>> {
    run(env, || order_of(tags, scheme, repo, branch))
}
