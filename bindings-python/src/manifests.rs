//! Kubernetes manifests from text, files, directories, standard input and git trees.

use crate::convert::{parse_options, result_to_py, to_py};
use crate::errors::OrRaise;
use crate::git::PyRepo;
use gitops_kit::manifest::{ManifestSet, RepoChoice, SourceSpec};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyBytes, PyString};
use std::path::PathBuf;

/// The resource summaries of one text: a list of dicts with apiVersion, kind, namespace, name,
/// generateName, file, document, line and column (the `gitops-kit/manifests/v1` resources).
#[pyfunction]
#[pyo3(signature = (text, file = String::from("<string>"), options = None))]
#[pyo3(text_signature = "(text, file='<string>', options=None)")]
fn parse_manifests<'py>(
    py: Python<'py>,
    text: PyBackedStr,
    file: String,
    options: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let options = parse_options(py, options)?;
    let summaries = py
        .detach(|| ManifestSet::from_str_with(&text, &file, &options).map(|s| s.summaries()))
        .or_raise(py)?;
    result_to_py(py, serde_json::to_value(&summaries))
}

/// The whole `gitops-kit/manifests/v1` report of one text: a dict with schema, files, resources
/// and problems (documents that are not Kubernetes objects, lenient duplicate keys).
#[pyfunction]
#[pyo3(signature = (text, file = String::from("<string>"), options = None))]
#[pyo3(text_signature = "(text, file='<string>', options=None)")]
fn manifest_report<'py>(
    py: Python<'py>,
    text: PyBackedStr,
    file: String,
    options: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let options = parse_options(py, options)?;
    let report =
        py.detach(|| ManifestSet::from_str_with(&text, &file, &options).map(|s| s.report())).or_raise(py)?;
    to_py(py, &report)
}

fn is_path_like(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    obj.hasattr("__fspath__")
}

/// One source: a `str` is read as on the command line (`-`, `git:REF:PATH`, or a path); an
/// `os.PathLike` is always a path.
fn source_from_py(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<SourceSpec> {
    if let Ok(s) = obj.cast::<PyString>() {
        return SourceSpec::parse(&s.to_cow()?).or_raise(py);
    }
    if is_path_like(obj)? {
        return Ok(SourceSpec::Path(obj.extract::<PathBuf>()?));
    }
    Err(PyTypeError::new_err(format!(
        "a manifest source must be str or os.PathLike, not {}",
        obj.get_type().name()?
    )))
}

fn sources_from_py(py: Python<'_>, paths: &Bound<'_, PyAny>) -> PyResult<Vec<SourceSpec>> {
    if paths.is_instance_of::<PyString>() || is_path_like(paths)? {
        return Ok(vec![source_from_py(py, paths)?]);
    }
    if paths.is_instance_of::<PyBytes>() {
        return Err(PyTypeError::new_err("paths must be str, os.PathLike or a sequence of them, not bytes"));
    }
    paths
        .try_iter()
        .map_err(|_| PyTypeError::new_err("paths must be str, os.PathLike or a sequence of them"))?
        .map(|item| source_from_py(py, &item?))
        .collect()
}

/// Where `git:` sources are read from: a [`Repo`] object, a path opened exactly, or (None)
/// the repository containing the current directory.
fn repo_from_py(repo: Option<&Bound<'_, PyAny>>) -> PyResult<RepoChoice> {
    let Some(obj) = repo else {
        return Ok(RepoChoice::Discover);
    };
    if let Ok(r) = obj.cast::<PyRepo>() {
        return Ok(RepoChoice::Given(r.get().inner.clone()));
    }
    if obj.is_instance_of::<PyString>() || is_path_like(obj)? {
        return Ok(RepoChoice::Open(obj.extract::<PathBuf>()?));
    }
    Err(PyTypeError::new_err(format!(
        "repo must be a Repo, str or os.PathLike, not {}",
        obj.get_type().name()?
    )))
}

fn load(
    specs: &[SourceSpec],
    repo: RepoChoice,
    options: &gitops_kit::yaml::ParseOptions,
) -> Result<ManifestSet, gitops_kit::Error> {
    let repo = repo.for_sources(specs)?;
    Ok(ManifestSet::load(specs, repo.as_ref(), options)?)
}

/// The resource summaries of files, directories (every .yaml/.yml/.json below, sorted), standard
/// input (`"-"`) and git trees (`"git:REF:PATH"`), in the order given, as the CLI reads them.
/// `repo` serves `git:` sources and is opened only when one is given: a Repo, a path opened
/// exactly, or (None) the repository containing the current directory.
#[pyfunction]
#[pyo3(signature = (paths, options = None, repo = None))]
fn load_manifests<'py>(
    py: Python<'py>,
    paths: &Bound<'py, PyAny>,
    options: Option<&Bound<'py, PyAny>>,
    repo: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let specs = sources_from_py(py, paths)?;
    let options = parse_options(py, options)?;
    let repo = repo_from_py(repo)?;
    let summaries = py.detach(|| load(&specs, repo, &options).map(|s| s.summaries())).or_raise(py)?;
    result_to_py(py, serde_json::to_value(&summaries))
}

/// Adds the manifest functions to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(parse_manifests, m)?)?;
    m.add_function(wrap_pyfunction!(manifest_report, m)?)?;
    m.add_function(wrap_pyfunction!(load_manifests, m)?)?;
    Ok(())
}
