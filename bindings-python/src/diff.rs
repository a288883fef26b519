//! Semantic diff of manifest sets: `diff` (sources) and `diff_texts` (two strings), and their
//! rendered outputs `diff_render` / `diff_texts_render` (text, json, markdown, unified, patch).

use crate::convert::{from_py, to_py};
use crate::errors::OrRaise;
use gitops_kit::diff::{self as core_diff, DiffOptions};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::{PyBytes, PyString};
use std::path::PathBuf;

fn options_from_py(py: Python<'_>, options: Option<&Bound<'_, PyAny>>) -> PyResult<DiffOptions> {
    let value = match options {
        Some(o) if !o.is_none() => from_py(o)?,
        _ => serde_json::Value::Null,
    };
    DiffOptions::from_json(&value).or_raise(py)
}

/// One source as the CLI reads it: a `str` (`-`, `git:REF:PATH` or a path) or an `os.PathLike`.
fn source(obj: &Bound<'_, PyAny>) -> PyResult<String> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(s.to_cow()?.into_owned());
    }
    if obj.hasattr("__fspath__")? {
        let path: PathBuf = obj.extract()?;
        return Ok(path.to_string_lossy().into_owned());
    }
    Err(PyTypeError::new_err(format!("a source must be str or os.PathLike, not {}", obj.get_type().name()?)))
}

fn sources(obj: &Bound<'_, PyAny>) -> PyResult<Vec<String>> {
    if obj.is_instance_of::<PyString>() || obj.hasattr("__fspath__")? {
        return Ok(vec![source(obj)?]);
    }
    if obj.is_instance_of::<PyBytes>() {
        return Err(PyTypeError::new_err(
            "sources must be str, os.PathLike or a sequence of them, not bytes",
        ));
    }
    obj.try_iter()
        .map_err(|_| PyTypeError::new_err("sources must be str, os.PathLike or a sequence of them"))?
        .map(|item| source(&item?))
        .collect()
}

/// Diffs OLD sources against NEW sources (files, directories, `"-"`, `"git:REF:PATH"`; a str or a
/// list), returning the `gitops-kit/diff/v1` report as a dict. `options`: mode ("apply",
/// "strict" or "ownership"), namespace, ignore (list of rules), hide (output-only rules), manager
/// (ownership mode's managers), show_foreign, set_semantics, baseline (a baseline file path or
/// dict), show_secrets, explain, fail_on, pod_specs, renames, lenient, secret_key, config (a
/// gitops-kit.yaml path whose `diff:` section is read). `repo` is the repository for git sources
/// (default: the one containing the current directory).
#[pyfunction]
#[pyo3(signature = (old, new, options = None, repo = None))]
#[pyo3(text_signature = "(old, new, options=None, repo=None)")]
fn diff<'py>(
    py: Python<'py>,
    old: &Bound<'py, PyAny>,
    new: &Bound<'py, PyAny>,
    options: Option<&Bound<'py, PyAny>>,
    repo: Option<PathBuf>,
) -> PyResult<Bound<'py, PyAny>> {
    let (old, new) = (sources(old)?, sources(new)?);
    let options = options_from_py(py, options)?;
    let report = py
        .detach(|| {
            core_diff::diff_sources(&old, &new, repo.as_deref(), &options).and_then(|r| {
                serde_json::to_value(&r).map_err(|e| gitops_kit::Error::InvalidArgument(e.to_string()))
            })
        })
        .or_raise(py)?;
    to_py(py, &report)
}

/// Diffs two YAML/JSON texts (named `<old>` and `<new>` in locations); same report as `diff`.
#[pyfunction]
#[pyo3(signature = (old, new, options = None))]
#[pyo3(text_signature = "(old, new, options=None)")]
fn diff_texts<'py>(
    py: Python<'py>,
    old: PyBackedStr,
    new: PyBackedStr,
    options: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let options = options_from_py(py, options)?;
    let report = py
        .detach(|| {
            core_diff::diff_texts(&old, &new, &options).and_then(|r| {
                serde_json::to_value(&r).map_err(|e| gitops_kit::Error::InvalidArgument(e.to_string()))
            })
        })
        .or_raise(py)?;
    to_py(py, &report)
}

/// A diff of two texts rendered as the CLI prints it: `format` is "text" (dyff-like, the
/// default), "json", "markdown", "unified" (a unified YAML diff of the normalized documents) or
/// "patch" (the `gitops-kit/diff-patch/v1` RFC 6902 JSON Patch report, as JSON text). Secret
/// values are placeholders in every format unless `show_secrets` is set.
#[pyfunction]
#[pyo3(signature = (old, new, options = None, format = String::from("text")))]
#[pyo3(text_signature = "(old, new, options=None, format='text')")]
fn diff_texts_render(
    py: Python<'_>,
    old: PyBackedStr,
    new: PyBackedStr,
    options: Option<&Bound<'_, PyAny>>,
    format: String,
) -> PyResult<String> {
    let options = options_from_py(py, options)?;
    let format = core_diff::Format::parse(&format).or_raise(py)?;
    let rendered = py.detach(|| core_diff::render_texts(&old, &new, &options, format)).or_raise(py)?;
    Ok(rendered.output)
}

/// Diffs OLD sources against NEW sources (as `diff`) and renders the result as `diff_texts_render`
/// does; returns `(output, exit_code)` with the CLI's exit code (0 no differences, 1 differences,
/// 2 errors).
#[pyfunction]
#[pyo3(signature = (old, new, options = None, format = String::from("text"), repo = None))]
#[pyo3(text_signature = "(old, new, options=None, format='text', repo=None)")]
fn diff_render<'py>(
    py: Python<'py>,
    old: &Bound<'py, PyAny>,
    new: &Bound<'py, PyAny>,
    options: Option<&Bound<'py, PyAny>>,
    format: String,
    repo: Option<PathBuf>,
) -> PyResult<(String, i32)> {
    let (old, new) = (sources(old)?, sources(new)?);
    let options = options_from_py(py, options)?;
    let format = core_diff::Format::parse(&format).or_raise(py)?;
    let rendered = py
        .detach(|| core_diff::render_sources(&old, &new, repo.as_deref(), &options, format, false))
        .or_raise(py)?;
    Ok((rendered.output, rendered.exit_code))
}

/// The `gitops-kit/diff-baseline/v1` baseline accepting every counted change of `report` (a
/// `diff` / `diff_texts` report dict): its reported, already acknowledged and hidden
/// (`hidden_ids`) changes. `previous` (a baseline dict or a file path) keeps its notes and
/// expiries. Write it with `json.dump` and pass it back as the `baseline` option.
#[pyfunction]
#[pyo3(signature = (report, previous = None))]
#[pyo3(text_signature = "(report, previous=None)")]
fn diff_baseline<'py>(
    py: Python<'py>,
    report: &Bound<'py, PyAny>,
    previous: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let report = from_py(report)?;
    let previous = match previous {
        Some(p) if p.is_none() => serde_json::Value::Null,
        Some(p) if !p.is_instance_of::<PyString>() && p.hasattr("__fspath__")? => {
            let path: PathBuf = p.extract()?;
            serde_json::Value::String(path.to_string_lossy().into_owned())
        }
        Some(p) => from_py(p)?,
        None => serde_json::Value::Null,
    };
    let previous =
        core_diff::Baseline::from_option(&previous).map_err(gitops_kit::Error::from).or_raise(py)?;
    let baseline = core_diff::Baseline::from_report_json(&report, previous.as_ref());
    let value = serde_json::to_value(&baseline)
        .map_err(|e| gitops_kit::Error::InvalidArgument(e.to_string()))
        .or_raise(py)?;
    to_py(py, &value)
}

/// Adds the diff functions to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(diff, m)?)?;
    m.add_function(wrap_pyfunction!(diff_texts, m)?)?;
    m.add_function(wrap_pyfunction!(diff_texts_render, m)?)?;
    m.add_function(wrap_pyfunction!(diff_render, m)?)?;
    m.add_function(wrap_pyfunction!(diff_baseline, m)?)?;
    Ok(())
}
