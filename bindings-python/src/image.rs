//! Images: references, lints, sites in manifests, format-preserving rewrites, tag schemes and
//! linking images to commits. Every function converts its arguments, calls one core function
//! with the GIL released and returns the core's JSON shape as plain Python data.

use crate::convert::{from_py, parse_options, result_to_py};
use crate::errors::OrRaise;
use crate::git::PyRepo;
use gitops_kit::git::Repo;
use gitops_kit::image::{
    self, Aliases, CommitFacts, ImageEdit, LintOptions, ParseMode, SetOptions, SiteOptions, TagScheme,
};
use gitops_kit::manifest::ManifestSet;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::PyString;
use std::collections::BTreeMap;
use std::path::PathBuf;

fn json_arg(obj: Option<&Bound<'_, PyAny>>) -> PyResult<serde_json::Value> {
    obj.map_or(Ok(serde_json::Value::Null), from_py)
}

/// Settings dict (or None) to an options struct, through the core's JSON reader.
macro_rules! settings {
    ($py:expr, $obj:expr, $ty:ty) => {
        image::options_from_json::<$ty>(&json_arg($obj)?).or_raise($py)?
    };
}

/// A core result to plain Python data.
macro_rules! ser {
    ($py:expr, $value:expr) => {
        result_to_py($py, serde_json::to_value($value))
    };
}

/// A Repo, or a path opened exactly.
fn repo_arg(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Repo> {
    if let Ok(r) = obj.cast::<PyRepo>() {
        return Ok(r.get().inner.clone());
    }
    if obj.is_instance_of::<PyString>() || obj.hasattr("__fspath__")? {
        let path: PathBuf = obj.extract()?;
        return py.detach(|| Repo::open(path)).or_raise(py);
    }
    Err(PyTypeError::new_err(format!(
        "repo must be a Repo, str or os.PathLike, not {}",
        obj.get_type().name()?
    )))
}

fn paths_arg(obj: &Bound<'_, PyAny>) -> PyResult<Vec<PathBuf>> {
    if obj.is_instance_of::<PyString>() || obj.hasattr("__fspath__")? {
        return Ok(vec![obj.extract()?]);
    }
    obj.try_iter()
        .map_err(|_| PyTypeError::new_err("paths must be str, os.PathLike or a sequence of them"))?
        .map(|p| p?.extract::<PathBuf>())
        .collect()
}

/// Parses an image reference (mode 'normalize' — Docker Hub defaults — or 'strict'); never raises
/// for an invalid reference: the dict has valid=False and error={'code', 'message'}. Keys: input,
/// valid, mode, domain, path, tag, digest, name, canonical, familiar, pinned, spans, error.
#[pyfunction]
#[pyo3(signature = (reference, mode = "normalize"))]
fn parse_image<'py>(py: Python<'py>, reference: &str, mode: &str) -> PyResult<Bound<'py, PyAny>> {
    let mode = ParseMode::from_name(mode).or_raise(py)?;
    ser!(py, &image::parse_report(reference, mode))
}

/// Lints a reference: a list of {'code', 'severity', 'message'} (image.latest-tag,
/// image.missing-tag, image.mutable-tag, image.tag-and-digest, …). settings: {'mutable_tags': [...],
/// 'mode': 'normalize' | 'strict'}. Raises for an invalid reference.
#[pyfunction]
#[pyo3(signature = (reference, settings = None))]
fn lint_image<'py>(
    py: Python<'py>,
    reference: &str,
    settings: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let options = settings!(py, settings, LintOptions);
    ser!(py, &image::lint(reference, &options).or_raise(py)?)
}

/// Turns a branch name into a legal tag ('feature/login' -> 'feature-login').
#[pyfunction]
#[pyo3(signature = (branch, lowercase = false))]
fn sanitize_tag(py: Python<'_>, branch: &str, lowercase: bool) -> PyResult<String> {
    image::sanitize_tag(branch, lowercase).or_raise(py)
}

/// Whether two references name the same repository after normalisation and registry aliases
/// (aliases: {'mirror.example.com': 'registry.example.com'}, added to the Docker Hub defaults).
#[pyfunction]
#[pyo3(signature = (a, b, aliases = None))]
fn same_repository(py: Python<'_>, a: &str, b: &str, aliases: Option<&Bound<'_, PyAny>>) -> PyResult<bool> {
    let pairs = settings!(py, aliases, BTreeMap<String, String>);
    let aliases = Aliases::from_pairs(pairs.iter().map(|(a, t)| (a.as_str(), t.as_str())));
    image::same_repository(a, b, &aliases).or_raise(py)
}

/// The gitops-kit/images/v1 report of one text: {'schema', 'sites': [...]}.
/// settings: {'extra_paths': [{'kind': 'Runner', 'pointer': '/spec/image'}]}.
#[pyfunction]
#[pyo3(signature = (text, file = String::from("<string>"), settings = None))]
#[pyo3(text_signature = "(text, file='<string>', settings=None)")]
fn image_sites<'py>(
    py: Python<'py>,
    text: PyBackedStr,
    file: String,
    settings: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let options = settings!(py, settings, SiteOptions);
    let report = py
        .detach(|| ManifestSet::from_str(&text, &file).map(|set| image::sites(&set, &options)))
        .or_raise(py)?;
    ser!(py, &report)
}

/// The gitops-kit/images/v1 report of files and directories (as `gitops-kit image list`).
#[pyfunction]
#[pyo3(signature = (paths, settings = None, options = None))]
fn load_image_sites<'py>(
    py: Python<'py>,
    paths: &Bound<'py, PyAny>,
    settings: Option<&Bound<'py, PyAny>>,
    options: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let site_options = settings!(py, settings, SiteOptions);
    let parse = parse_options(py, options)?;
    let paths: Vec<String> = paths_arg(paths)?.iter().map(|p| p.display().to_string()).collect();
    let report = py
        .detach(|| ManifestSet::load_args(&paths, None, &parse).map(|set| image::sites(&set, &site_options)))
        .or_raise(py)?;
    ser!(py, &report)
}

/// Rewrites images in one text with byte-span edits only. edits: ['nginx=:1.27', ...] or
/// [{'selector', 'new'}]. settings: {'forbid_latest', 'aliases', 'extra_paths'}. Returns
/// {'text', 'changes', 'unmatched'}.
#[pyfunction]
#[pyo3(signature = (text, edits, file = String::from("<string>"), settings = None))]
#[pyo3(text_signature = "(text, edits, file='<string>', settings=None)")]
fn set_images<'py>(
    py: Python<'py>,
    text: PyBackedStr,
    edits: &Bound<'py, PyAny>,
    file: String,
    settings: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let edits = ImageEdit::list_from_json(&from_py(edits)?).or_raise(py)?;
    let options = settings!(py, settings, SetOptions);
    let result = py.detach(|| image::set_images(&text, &file, &edits, &options)).or_raise(py)?;
    ser!(py, &result)
}

/// set_images over files and directories; with in_place=True changed files are written.
/// Returns the gitops-kit/image-set/v1 report {'schema', 'files', 'unmatched', 'written'}.
#[pyfunction]
#[pyo3(signature = (paths, edits, settings = None, in_place = false))]
fn set_images_in_paths<'py>(
    py: Python<'py>,
    paths: &Bound<'py, PyAny>,
    edits: &Bound<'py, PyAny>,
    settings: Option<&Bound<'py, PyAny>>,
    in_place: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let paths = paths_arg(paths)?;
    let edits = ImageEdit::list_from_json(&from_py(edits)?).or_raise(py)?;
    let options = settings!(py, settings, SetOptions);
    let report = py.detach(|| image::set_images_in_paths(&paths, &edits, &options, in_place)).or_raise(py)?;
    ser!(py, &report)
}

/// Renders a tag from commit facts {'sha', 'branch', 'time', 'tags', 'build', 'pr'}.
#[pyfunction]
fn render_tag(py: Python<'_>, scheme: &str, facts: &Bound<'_, PyAny>) -> PyResult<String> {
    let scheme = TagScheme::parse(scheme).or_raise(py)?;
    let facts = settings!(py, Some(facts), CommitFacts);
    scheme.render(&facts).or_raise(py)
}

/// Parses a tag back through a scheme: {'tag', 'scheme', 'fields', 'sort_key'}.
#[pyfunction]
fn parse_tag<'py>(py: Python<'py>, scheme: &str, tag: &str) -> PyResult<Bound<'py, PyAny>> {
    let scheme = TagScheme::parse(scheme).or_raise(py)?;
    ser!(py, &scheme.parse_tag(tag).or_raise(py)?)
}

/// The tag a scheme gives the commit `rev` of a repository: {'facts', 'tag'}.
#[pyfunction]
#[pyo3(signature = (scheme, repo, rev = "HEAD", branch = None, build = None, pr = None))]
fn tag_for_commit<'py>(
    py: Python<'py>,
    scheme: &str,
    repo: &Bound<'py, PyAny>,
    rev: &str,
    branch: Option<&str>,
    build: Option<u64>,
    pr: Option<u64>,
) -> PyResult<Bound<'py, PyAny>> {
    let scheme = TagScheme::parse(scheme).or_raise(py)?;
    let repo = repo_arg(py, repo)?;
    let result = py.detach(|| image::tags_for_commit(&scheme, &repo, rev, branch, build, pr)).or_raise(py)?;
    ser!(py, &result)
}

/// The code commit an image was built from (gitops-kit/image-link/v1): {'schema', 'image',
/// 'parsed', 'commit', 'confidence', 'evidence'}. An ambiguous short sha raises GitError
/// 'git.ambiguous-prefix' listing the candidates.
#[pyfunction]
#[pyo3(signature = (image, scheme, repo, branch = None))]
fn link_image<'py>(
    py: Python<'py>,
    image: &str,
    scheme: &str,
    repo: &Bound<'py, PyAny>,
    branch: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let scheme = TagScheme::parse(scheme).or_raise(py)?;
    let repo = repo_arg(py, repo)?;
    let result = py.detach(|| image::link(image, &scheme, &repo, branch)).or_raise(py)?;
    ser!(py, &result)
}

/// Orders tags by their commits' first-parent position on `branch`, newest first:
/// [{'tag', 'commit', 'position'}].
#[pyfunction]
fn order_by_git<'py>(
    py: Python<'py>,
    tags: Vec<String>,
    scheme: &str,
    repo: &Bound<'py, PyAny>,
    branch: &str,
) -> PyResult<Bound<'py, PyAny>> {
    let scheme = TagScheme::parse(scheme).or_raise(py)?;
    let repo = repo_arg(py, repo)?;
    let result = py.detach(|| image::order_by_git(&tags, &scheme, &repo, branch)).or_raise(py)?;
    ser!(py, &result)
}

/// Adds the image functions to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(parse_image, m)?)?;
    m.add_function(wrap_pyfunction!(lint_image, m)?)?;
    m.add_function(wrap_pyfunction!(sanitize_tag, m)?)?;
    m.add_function(wrap_pyfunction!(same_repository, m)?)?;
    m.add_function(wrap_pyfunction!(image_sites, m)?)?;
    m.add_function(wrap_pyfunction!(load_image_sites, m)?)?;
    m.add_function(wrap_pyfunction!(set_images, m)?)?;
    m.add_function(wrap_pyfunction!(set_images_in_paths, m)?)?;
    m.add_function(wrap_pyfunction!(render_tag, m)?)?;
    m.add_function(wrap_pyfunction!(parse_tag, m)?)?;
    m.add_function(wrap_pyfunction!(tag_for_commit, m)?)?;
    m.add_function(wrap_pyfunction!(link_image, m)?)?;
    m.add_function(wrap_pyfunction!(order_by_git, m)?)?;
    Ok(())
}
