//! Validation: schemas for every embedded Kubernetes version, CRDs, syntax rules and the rule
//! catalog. Returns the `gitops-kit/validate/v1` report as plain Python data.

use crate::convert::{from_py, to_py};
use crate::errors::OrRaise;
use gitops_kit::validate::{self as engine, Options};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};
use serde_json::{Map, Value};
use std::path::PathBuf;

fn is_path_like(obj: &Bound<'_, PyAny>) -> PyResult<bool> {
    obj.hasattr("__fspath__")
}

fn one_source(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(s.to_cow()?.into_owned());
    }
    if is_path_like(obj)? {
        return Ok(obj.extract::<PathBuf>()?.display().to_string());
    }
    Err(PyTypeError::new_err(format!("a source must be str or os.PathLike, not {}", obj.get_type().name()?)))
}

fn sources(obj: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    if obj.is_instance_of::<PyString>() || is_path_like(obj)? {
        return Ok(vec![one_source(obj)?]);
    }
    if obj.is_instance_of::<PyBytes>() {
        return Err(PyTypeError::new_err(
            "sources must be str, os.PathLike or a sequence of them, not bytes",
        ));
    }
    obj.try_iter()
        .map_err(|_| PyTypeError::new_err("sources must be str, os.PathLike or a sequence of them"))?
        .map(|item| one_source(&item?))
        .collect()
}

fn options_from(py: Python<'_>, options: Option<&Bound<'_, PyAny>>) -> PyResult<Options> {
    let json = match options {
        None => Value::Null,
        Some(obj) => from_py(obj)?,
    };
    Options::from_json(&json).or_raise(py)
}

/// Validates files, directories, ``-`` (stdin) and ``git:REF:PATH`` sources, or a ``text``,
/// and returns the ``gitops-kit/validate/v1`` report (``schema``, ``summary``, ``findings``).
/// Options: ``kubernetes_version`` (default: newest embedded), ``strict`` (default True),
/// ``crds`` (paths of CRDs), ``config`` (path of a gitops-kit.yaml), ``config_text``,
/// ``skip_rules``; ``repo`` serves ``git:`` sources. For an environment of the config's
/// ``environments:``: ``environment`` (or ``branch``, resolved like ``gitops-kit env resolve``),
/// ``commit`` (the commit recorded for it), ``code_repo`` (links image tags to commits);
/// ``against`` (baseline sources) or ``against_text`` compare overlays (GK-G010).
#[pyfunction]
#[pyo3(signature = (
    sources = None, *, text = None, file = String::from("<string>"), kubernetes_version = None,
    strict = None, crds = None, config = None, config_text = None, skip_rules = None, repo = None,
    environment = None, branch = None, commit = None, code_repo = None, against = None,
    against_text = None
))]
#[pyo3(
    text_signature = "(sources=None, *, text=None, file='<string>', kubernetes_version=None, strict=None, crds=None, config=None, config_text=None, skip_rules=None, repo=None, environment=None, branch=None, commit=None, code_repo=None, against=None, against_text=None)"
)]
#[allow(clippy::too_many_arguments)]
fn validate<'py>(
    py: Python<'py>,
    sources: Option<&Bound<'py, PyAny>>,
    text: Option<String>,
    file: String,
    kubernetes_version: Option<String>,
    strict: Option<bool>,
    crds: Option<&Bound<'py, PyAny>>,
    config: Option<&Bound<'py, PyAny>>,
    config_text: Option<String>,
    skip_rules: Option<Vec<String>>,
    repo: Option<&Bound<'py, PyAny>>,
    environment: Option<String>,
    branch: Option<String>,
    commit: Option<String>,
    code_repo: Option<&Bound<'py, PyAny>>,
    against: Option<&Bound<'py, PyAny>>,
    against_text: Option<String>,
) -> PyResult<Bound<'py, PyAny>> {
    let mut map = Map::new();
    for (key, value) in
        [("environment", environment), ("branch", branch), ("commit", commit), ("against_text", against_text)]
    {
        if let Some(v) = value {
            map.insert(key.into(), Value::String(v));
        }
    }
    if let Some(c) = code_repo {
        map.insert("code_repo".into(), Value::String(one_source(c)?));
    }
    if let Some(a) = against {
        map.insert("against".into(), Value::from(self::sources(a)?));
    }
    if let Some(v) = kubernetes_version {
        map.insert("kubernetes_version".into(), Value::String(v));
    }
    if let Some(s) = strict {
        map.insert("strict".into(), Value::Bool(s));
    }
    if let Some(c) = crds {
        map.insert("crds".into(), Value::from(self::sources(c)?));
    }
    if let Some(c) = config {
        map.insert("config".into(), Value::String(one_source(c)?));
    }
    if let Some(t) = config_text {
        map.insert("config_text".into(), Value::String(t));
    }
    if let Some(s) = skip_rules {
        map.insert("skip_rules".into(), Value::from(s));
    }
    let options = Options::from_json(&Value::Object(map)).or_raise(py)?;
    let repo = repo.map(|r| r.extract::<PathBuf>()).transpose()?;
    let report = match (sources, text) {
        (Some(_), Some(_)) => return Err(PyTypeError::new_err("give sources or text, not both")),
        (None, None) => return Err(PyTypeError::new_err("give sources or text")),
        (None, Some(text)) => py.detach(|| engine::validate_str(&text, &file, &options)).or_raise(py)?,
        (Some(s), None) => {
            let list = self::sources(s)?;
            py.detach(|| engine::validate(&list, repo.as_deref(), &options)).or_raise(py)?
        }
    };
    to_py(py, &report.to_json())
}

/// The report of one text (the conformance vectors' form): ``options`` is a mapping with the
/// keys of :func:`validate`.
#[pyfunction]
#[pyo3(signature = (text, file = String::from("<string>"), options = None))]
#[pyo3(text_signature = "(text, file='<string>', options=None)")]
fn validate_text<'py>(
    py: Python<'py>,
    text: String,
    file: String,
    options: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let options = options_from(py, options)?;
    let report = py.detach(|| engine::validate_str(&text, &file, &options)).or_raise(py)?;
    to_py(py, &report.to_json())
}

/// The Kubernetes versions with embedded schemas, oldest first.
#[pyfunction]
fn kubernetes_versions() -> Vec<String> {
    engine::kubernetes_versions()
}

/// The rule catalog: a list of dicts with ``id``, ``severity`` (None when off by default),
/// ``title`` and ``help``.
#[pyfunction]
fn validation_rules(py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
    let value = serde_json::to_value(engine::rules()).unwrap_or(Value::Null);
    to_py(py, &value)
}

/// Adds the validation functions to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(validate, m)?)?;
    m.add_function(wrap_pyfunction!(validate_text, m)?)?;
    m.add_function(wrap_pyfunction!(kubernetes_versions, m)?)?;
    m.add_function(wrap_pyfunction!(validation_rules, m)?)?;
    Ok(())
}
