//! Located YAML: Kubernetes JSON of a text, its YAML 1.1 hazards, nodes by JSON pointer,
//! span edits and YAML output.

use crate::convert::{drop_deep, from_py, parse_options, result_to_py, to_py};
use crate::errors::OrRaise;
use gitops_kit::yaml::{self, Edit};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedStr;
use pyo3::types::PyMapping;
use serde_json::Value;

/// Every document of a YAML (or JSON) text as Kubernetes reads it: a list with one JSON value
/// per document (None for an empty document). Raises YamlError (or InvalidArgumentError for bad
/// options).
#[pyfunction]
#[pyo3(signature = (text, file = String::from("<string>"), options = None))]
#[pyo3(text_signature = "(text, file='<string>', options=None)")]
fn yaml_to_json<'py>(
    py: Python<'py>,
    text: PyBackedStr,
    file: String,
    options: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let options = parse_options(py, options)?;
    let docs = py.detach(|| yaml::to_json_documents(&text, &file, &options)).or_raise(py)?;
    let docs = Value::Array(docs);
    let result = to_py(py, &docs);
    py.detach(|| drop_deep(docs));
    result
}

/// The plain scalars of a text that Kubernetes (YAML 1.1) and YAML 1.2 tools read differently:
/// a list of dicts with file, document, line, column, pointer, key, text, hazard and message.
#[pyfunction]
#[pyo3(signature = (text, file = String::from("<string>"), options = None))]
#[pyo3(text_signature = "(text, file='<string>', options=None)")]
fn yaml_hazards<'py>(
    py: Python<'py>,
    text: PyBackedStr,
    file: String,
    options: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let options = parse_options(py, options)?;
    let sites = py.detach(|| yaml::hazards(&text, &file, &options)).or_raise(py)?;
    result_to_py(py, serde_json::to_value(&sites))
}

/// The node at a JSON pointer in one document of a text: a dict with file, document, kind,
/// start, end (byte offsets), line, column, end_line, end_column and text. Raises YamlError with
/// code 'yaml.pointer' when the document or node does not exist.
#[pyfunction]
#[pyo3(signature = (text, pointer, file = String::from("<string>"), document = 0, options = None))]
#[pyo3(text_signature = "(text, pointer, file='<string>', document=0, options=None)")]
fn locate<'py>(
    py: Python<'py>,
    text: PyBackedStr,
    pointer: String,
    file: String,
    document: usize,
    options: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let options = parse_options(py, options)?;
    let location = py.detach(|| yaml::locate(&text, &file, document, &pointer, &options)).or_raise(py)?;
    result_to_py(py, serde_json::to_value(&location))
}

/// One edit from a mapping `{"start": int, "end": int, "replacement": str}` (byte offsets).
fn edit_from_py(index: usize, obj: &Bound<'_, PyAny>) -> PyResult<Edit> {
    let Ok(map) = obj.cast::<PyMapping>() else {
        return Err(PyTypeError::new_err(format!(
            "edits[{index}] must be a dict with start, end and replacement"
        )));
    };
    let field = |name: &str| -> PyResult<Bound<'_, PyAny>> {
        if map.contains(name)? {
            map.get_item(name)
        } else {
            Err(PyTypeError::new_err(format!(
                "edits[{index}] has no {name:?} (expected start, end and replacement)"
            )))
        }
    };
    let start: usize = field("start")?.extract()?;
    let end: usize = field("end")?.extract()?;
    let replacement: String = field("replacement")?.extract()?;
    Ok(Edit { range: start..end, replacement })
}

/// Applies non-overlapping byte-range edits (`[{"start", "end", "replacement"}]`) to a text;
/// every byte outside the ranges is kept. Raises YamlError with code 'yaml.edit' for a range
/// out of bounds, inside a character, or overlapping another.
#[pyfunction]
#[pyo3(signature = (text, edits, file = String::from("<string>")))]
#[pyo3(text_signature = "(text, edits, file='<string>')")]
fn apply_edits(
    py: Python<'_>,
    text: PyBackedStr,
    edits: &Bound<'_, PyAny>,
    file: String,
) -> PyResult<String> {
    if edits.is_instance_of::<pyo3::types::PyString>() || edits.cast::<PyMapping>().is_ok() {
        return Err(PyTypeError::new_err("edits must be a sequence of dicts"));
    }
    let edits = edits
        .try_iter()?
        .enumerate()
        .map(|(i, item)| edit_from_py(i, &item?))
        .collect::<PyResult<Vec<Edit>>>()?;
    py.detach(|| yaml::apply_edits(&text, &edits, &file)).or_raise(py)
}

/// Writes a JSON-like value (dicts, lists, str, int, float, bool, None) as block-style YAML;
/// strings Kubernetes would read as something else ("yes", "0755") are quoted.
#[pyfunction]
fn to_yaml(py: Python<'_>, value: &Bound<'_, PyAny>) -> PyResult<String> {
    let value = from_py(value)?;
    Ok(py.detach(|| yaml::to_yaml_string(&value)))
}

/// Adds the YAML functions to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(yaml_to_json, m)?)?;
    m.add_function(wrap_pyfunction!(yaml_hazards, m)?)?;
    m.add_function(wrap_pyfunction!(locate, m)?)?;
    m.add_function(wrap_pyfunction!(apply_edits, m)?)?;
    m.add_function(wrap_pyfunction!(to_yaml, m)?)?;
    Ok(())
}
