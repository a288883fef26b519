//! Kubernetes manifests: `parseManifests`, `manifestReport`, `loadManifests`(`Sync`).

use crate::convert::Json;
use crate::errors::Outcome;
use crate::options::parse_options;
use crate::task::{Work, run};
use crate::yaml::STRING_INPUT;
use gitops_kit::manifest::{ManifestSet, SourceSpec};
use gitops_kit::yaml::ParseOptions;
use napi::Env;
use napi::bindgen_prelude::{AsyncTask, Either, Unknown};
use napi_derive::napi;

/// A Kubernetes object: identity and where it starts (`gitops-kit/manifests/v1` keys).
#[napi(object)]
pub struct ResourceSummary {
    /// `apiVersion`, e.g. `apps/v1`.
    pub api_version: String,
    /// `kind`, e.g. `Deployment`.
    pub kind: String,
    /// `metadata.namespace`, or `null` when not set.
    #[napi(ts_type = "string | null")]
    pub namespace: Option<String>,
    /// `metadata.name`, or the `metadata.generateName` prefix.
    pub name: String,
    /// Whether `name` is a `generateName` prefix.
    pub generate_name: bool,
    /// Input name (file path, `git:REV:PATH`, or the `file` argument).
    pub file: String,
    /// 0-based document index in the file.
    pub document: u32,
    /// 1-based line of the object's start.
    pub line: u32,
    /// 1-based column of the object's start.
    pub column: u32,
}

/// A document that is not a Kubernetes object, or a warning (a duplicate key read leniently).
#[napi(object)]
pub struct ManifestProblem {
    /// `manifest.not-an-object`, `manifest.missing-name`, `manifest.invalid-field`, or a YAML
    /// warning code such as `yaml.duplicate-key`.
    pub code: String,
    /// What is wrong.
    pub message: String,
    /// Input name.
    pub file: String,
    /// 0-based document index in the file.
    pub document: u32,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

/// The `gitops-kit/manifests/v1` report, as printed by `gitops-kit manifests -o json`.
#[napi(object)]
pub struct ManifestReport {
    /// `gitops-kit/manifests/v1`.
    pub schema: String,
    /// Number of inputs read.
    pub files: u32,
    /// The objects, in input order.
    pub resources: Vec<ResourceSummary>,
    /// Documents that are not objects, and parse warnings.
    pub problems: Vec<ManifestProblem>,
}

/// The Kubernetes objects of one YAML or JSON text (`kind: List` and `*List` are flattened;
/// empty documents are skipped; documents that are not objects are left out — see
/// `manifestReport` for them).
///
/// Throws a YAML error (`yaml.duplicate-key`, `yaml.parse`, …) with `file`/`line`/`column`;
/// `invalid-argument` for bad options.
#[napi(
    catch_unwind,
    ts_args_type = "text: string, file?: string | undefined | null, options?: ParseOptions | undefined | null",
    ts_return_type = "Array<ResourceSummary>"
)]
pub fn parse_manifests<'env>(
    env: &'env Env,
    text: String,
    file: Option<String>,
    options: Option<Unknown<'env>>,
) -> napi::Result<Unknown<'env>> {
    let options = parse_options(env, options);
    run(env, || {
        let file = file.as_deref().unwrap_or(STRING_INPUT);
        let set = ManifestSet::from_str_with(&text, file, &options?)?;
        Json::of(&set.summaries())
    })
}

/// The whole `gitops-kit/manifests/v1` report of one text: objects, problems (documents that
/// are not objects, lenient duplicate keys) and the file count.
///
/// Throws like `parseManifests`.
#[napi(
    catch_unwind,
    ts_args_type = "text: string, file?: string | undefined | null, options?: ParseOptions | undefined | null",
    ts_return_type = "ManifestReport"
)]
pub fn manifest_report<'env>(
    env: &'env Env,
    text: String,
    file: Option<String>,
    options: Option<Unknown<'env>>,
) -> napi::Result<Unknown<'env>> {
    let options = parse_options(env, options);
    run(env, || {
        let file = file.as_deref().unwrap_or(STRING_INPUT);
        let set = ManifestSet::from_str_with(&text, file, &options?)?;
        Json::of(&set.report())
    })
}

/// Loads the objects of files, directories (every `.yaml`/`.yml`/`.json` below, sorted, hidden
/// directories skipped, parsed in parallel) and `git:REV:PATH` sources (read from `repo`, a
/// repository directory; by default the repository containing the current directory), off the
/// main thread.
///
/// Rejects with `manifest.not-found`, `manifest.io`, `manifest.invalid-source` (also for `-`:
/// read standard input yourself and use `parseManifests`), a located YAML error, a git error
/// (`git.open`, `git.ref-not-found`, …), or `invalid-argument` for bad options.
#[napi(
    catch_unwind,
    ts_args_type = "paths: string | Array<string>, options?: ParseOptions | undefined | null, repo?: string | undefined | null",
    ts_return_type = "Promise<Array<ResourceSummary>>"
)]
pub fn load_manifests(
    env: &Env,
    paths: Either<String, Vec<String>>,
    options: Option<Unknown<'_>>,
    repo: Option<String>,
) -> AsyncTask<Work<Json>> {
    let options = parse_options(env, options);
    Work::spawn(move || load(paths, options, repo))
}

/// `loadManifests` on the calling thread (blocks the event loop while files are read).
///
/// Throws what `loadManifests` rejects with.
#[napi(
    catch_unwind,
    ts_args_type = "paths: string | Array<string>, options?: ParseOptions | undefined | null, repo?: string | undefined | null",
    ts_return_type = "Array<ResourceSummary>"
)]
pub fn load_manifests_sync<'env>(
    env: &'env Env,
    paths: Either<String, Vec<String>>,
    options: Option<Unknown<'env>>,
    repo: Option<String>,
) -> napi::Result<Unknown<'env>> {
    let options = parse_options(env, options);
    run(env, || load(paths, options, repo))
}

/// Loads sources as the CLI does: the repository is opened only when a `git:` source needs it.
fn load(
    paths: Either<String, Vec<String>>,
    options: Outcome<ParseOptions>,
    repo: Option<String>,
) -> Outcome<Json> {
    let options = options?;
    let paths = match paths {
        Either::A(path) => vec![path],
        Either::B(paths) => paths,
    };
    if paths.iter().any(|p| SourceSpec::parse(p).is_ok_and(|s| s == SourceSpec::Stdin)) {
        return Err(gitops_kit::manifest::Error::InvalidSource {
            source_name: "-".into(),
            message: "standard input is not read by the Node binding; read it and call parseManifests".into(),
        }
        .into());
    }
    let set = ManifestSet::load_args(&paths, repo.as_deref().map(std::path::Path::new), &options)?;
    Json::of(&set.summaries())
}
