//! Environments: `load_config`, `resolve`, `gate`, `check_config` and the `EnvConfig` class.

use crate::convert::{from_py, result_to_py};
use crate::errors::OrRaise;
use gitops_kit::env::{Approval, Config};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::PyString;
use std::path::PathBuf;
use std::sync::Arc;

/// A loaded, validated gitops-kit.yaml: branch → environment resolution, promotion order and
/// deploy gates. Made by load_config(text, file) or load_config_file(path). Results are plain
/// dicts with the keys of the CLI's JSON (gitops-kit/env/v1, gitops-kit/gate/v1).
#[pyclass(frozen, name = "EnvConfig", module = "gitops_kit")]
pub struct PyEnvConfig {
    inner: Arc<Config>,
}

fn approvals_from_py(py: Python<'_>, approvals: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<Approval>> {
    let json = match approvals {
        Some(obj) => from_py(obj)?,
        None => serde_json::Value::Null,
    };
    Approval::list_from_json(&json).or_raise(py)
}

/// A config argument: an EnvConfig, or YAML text that is loaded first.
fn config_from_py(py: Python<'_>, config: &Bound<'_, PyAny>, file: &str) -> PyResult<Arc<Config>> {
    if let Ok(c) = config.cast::<PyEnvConfig>() {
        return Ok(c.get().inner.clone());
    }
    if let Ok(s) = config.cast::<PyString>() {
        let text = s.to_cow()?.into_owned();
        return py.detach(|| Config::from_str(&text, file)).map(Arc::new).or_raise(py);
    }
    Err(PyTypeError::new_err("config must be an EnvConfig or the YAML text of a gitops-kit.yaml"))
}

fn gate_impl<'py>(
    py: Python<'py>,
    config: &Config,
    environment: &str,
    at: &str,
    approvals: Option<&Bound<'py, PyAny>>,
    author: Option<&str>,
) -> PyResult<Bound<'py, PyAny>> {
    let approvals = approvals_from_py(py, approvals)?;
    let gate = py.detach(|| config.gate_at(environment, at, &approvals, author)).or_raise(py)?;
    result_to_py(py, serde_json::to_value(&gate))
}

#[pymethods]
impl PyEnvConfig {
    /// The file name the configuration was loaded from.
    #[getter]
    fn file(&self) -> String {
        self.inner.file().to_string()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        Ok(format!("EnvConfig({})", PyString::new(py, self.inner.file()).repr()?))
    }

    /// Environment names in promotion order.
    fn order(&self) -> Vec<String> {
        self.inner.order().into_iter().map(String::from).collect()
    }

    /// Environments that promote from `environment`.
    fn next(&self, py: Python<'_>, environment: &str) -> PyResult<Vec<String>> {
        Ok(self.inner.next(environment).or_raise(py)?.into_iter().map(String::from).collect())
    }

    /// Environments `environment` promotes from.
    fn previous(&self, py: Python<'_>, environment: &str) -> PyResult<Vec<String>> {
        Ok(self.inner.previous(environment).or_raise(py)?.into_iter().map(String::from).collect())
    }

    /// The gitops-kit/env/v1 dict of the environment `branch` deploys to, or None.
    fn resolve<'py>(&self, py: Python<'py>, branch: &str) -> PyResult<Bound<'py, PyAny>> {
        let resolution = self.inner.resolve(branch).or_raise(py)?;
        result_to_py(py, serde_json::to_value(&resolution))
    }

    /// The gitops-kit/gate/v1 dict: may `environment` be deployed at `at` (RFC 3339)?
    /// `approvals` is a list of {"who": str, "groups": [str]} dicts or "user:group" strings.
    #[pyo3(signature = (environment, at, approvals = None, author = None))]
    #[pyo3(text_signature = "($self, environment, at, approvals=None, author=None)")]
    fn gate<'py>(
        &self,
        py: Python<'py>,
        environment: &str,
        at: &str,
        approvals: Option<&Bound<'py, PyAny>>,
        author: Option<&str>,
    ) -> PyResult<Bound<'py, PyAny>> {
        gate_impl(py, &self.inner, environment, at, approvals, author)
    }

    /// The gitops-kit/env-list/v1 dict: environments in promotion order with windows in words.
    fn list<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        result_to_py(py, serde_json::to_value(self.inner.list()))
    }

    /// Warnings found while loading (e.g. env.never-open), as dicts with code and location.
    fn warnings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        result_to_py(py, serde_json::to_value(self.inner.warnings()))
    }

    /// A top-level section (e.g. "validation", "diff") as plain data, or None.
    fn section<'py>(&self, py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyAny>> {
        result_to_py(py, serde_json::to_value(self.inner.section_json(name)))
    }
}

/// Loads and validates a gitops-kit.yaml from text; raises EnvError (code env.*, with file,
/// line and column) for the first invalid entry.
#[pyfunction]
#[pyo3(signature = (text, file = String::from("<string>")))]
#[pyo3(text_signature = "(text, file='<string>')")]
fn load_config(py: Python<'_>, text: PyBackedStr, file: String) -> PyResult<PyEnvConfig> {
    let config = py.detach(|| Config::from_str(&text, &file)).or_raise(py)?;
    Ok(PyEnvConfig { inner: Arc::new(config) })
}

/// Reads and loads a gitops-kit.yaml file.
#[pyfunction]
fn load_config_file(py: Python<'_>, path: PathBuf) -> PyResult<PyEnvConfig> {
    let config = py.detach(|| Config::from_path(&path)).or_raise(py)?;
    Ok(PyEnvConfig { inner: Arc::new(config) })
}

/// Every problem of a configuration: the gitops-kit/env-config/v1 dict (valid, errors,
/// warnings, environments).
#[pyfunction]
#[pyo3(signature = (text, file = String::from("<string>")))]
#[pyo3(text_signature = "(text, file='<string>')")]
fn check_config<'py>(py: Python<'py>, text: PyBackedStr, file: String) -> PyResult<Bound<'py, PyAny>> {
    let report = py.detach(|| Config::check(&text, &file)).or_raise(py)?;
    result_to_py(py, serde_json::to_value(&report))
}

/// `config.resolve(branch)`; `config` may also be YAML text (named `file` in errors).
#[pyfunction]
#[pyo3(signature = (config, branch, file = String::from("<string>")))]
#[pyo3(text_signature = "(config, branch, file='<string>')")]
fn resolve<'py>(
    py: Python<'py>,
    config: &Bound<'py, PyAny>,
    branch: &str,
    file: String,
) -> PyResult<Bound<'py, PyAny>> {
    let config = config_from_py(py, config, &file)?;
    let resolution = config.resolve(branch).or_raise(py)?;
    result_to_py(py, serde_json::to_value(&resolution))
}

/// `config.gate(environment, at, approvals, author)`; `config` may also be YAML text.
#[pyfunction]
#[pyo3(signature = (config, environment, at, approvals = None, author = None, file = String::from("<string>")))]
#[pyo3(text_signature = "(config, environment, at, approvals=None, author=None, file='<string>')")]
fn gate<'py>(
    py: Python<'py>,
    config: &Bound<'py, PyAny>,
    environment: &str,
    at: &str,
    approvals: Option<&Bound<'py, PyAny>>,
    author: Option<&str>,
    file: String,
) -> PyResult<Bound<'py, PyAny>> {
    let config = config_from_py(py, config, &file)?;
    gate_impl(py, &config, environment, at, approvals, author)
}

/// Adds the functions and the class to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyEnvConfig>()?;
    m.add_function(wrap_pyfunction!(load_config, m)?)?;
    m.add_function(wrap_pyfunction!(load_config_file, m)?)?;
    m.add_function(wrap_pyfunction!(check_config, m)?)?;
    m.add_function(wrap_pyfunction!(resolve, m)?)?;
    m.add_function(wrap_pyfunction!(gate, m)?)?;
    Ok(())
}
