//! Conversions between Python objects and `serde_json::Value`, without recursion.
//!
//! Python to JSON accepts `None`, `bool`, `int` (64-bit), finite `float`, `str`, mappings with
//! `str` keys and sequences (not `str`/`bytes`); anything else is a `TypeError`. Nesting deeper
//! than [`MAX_DEPTH`] (including a container that contains itself) is a `ValueError`, because
//! the core serializes and drops JSON values recursively.

use crate::errors::OrRaise;
use gitops_kit::yaml::ParseOptions;
use pyo3::exceptions::{PyRuntimeError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{
    PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyMapping, PySequence, PyString, PyTuple,
};
use serde_json::{Map, Number, Value};

/// Deepest nesting of lists and dicts accepted from Python (CPython's default recursion limit).
pub const MAX_DEPTH: usize = 1000;

/// A Python container being converted: its remaining children and the converted ones.
enum Frame<'py> {
    Seq { items: std::vec::IntoIter<Bound<'py, PyAny>>, out: Vec<Value> },
    Map { items: std::vec::IntoIter<(String, Bound<'py, PyAny>)>, out: Map<String, Value>, key: String },
}

impl<'py> Frame<'py> {
    fn next_child(&mut self) -> Option<Bound<'py, PyAny>> {
        match self {
            Frame::Seq { items, .. } => items.next(),
            Frame::Map { items, key, .. } => items.next().map(|(k, v)| {
                *key = k;
                v
            }),
        }
    }

    fn push(&mut self, value: Value) {
        match self {
            Frame::Seq { out, .. } => out.push(value),
            Frame::Map { out, key, .. } => {
                out.insert(std::mem::take(key), value);
            }
        }
    }

    fn finish(self) -> Value {
        match self {
            Frame::Seq { out, .. } => Value::Array(out),
            Frame::Map { out, .. } => Value::Object(out),
        }
    }
}

/// A classified Python object: a finished JSON value or a container to descend into.
enum Node<'py> {
    Leaf(Value),
    Open(Frame<'py>),
}

fn seq_frame(items: Vec<Bound<'_, PyAny>>) -> Node<'_> {
    Node::Open(Frame::Seq { out: Vec::with_capacity(items.len()), items: items.into_iter() })
}

fn map_frame<'py>(items: &Bound<'py, PyList>) -> PyResult<Node<'py>> {
    let mut pairs = Vec::with_capacity(items.len());
    for item in items.iter() {
        let (key, value): (Bound<'py, PyAny>, Bound<'py, PyAny>) = item.extract()?;
        let key = match key.cast::<PyString>() {
            Ok(s) => s.to_cow()?.into_owned(),
            Err(_) => {
                return Err(PyTypeError::new_err(format!(
                    "mapping keys must be str to convert to JSON, not {}",
                    type_name(&key)
                )));
            }
        };
        pairs.push((key, value));
    }
    Ok(Node::Open(Frame::Map {
        out: Map::with_capacity(pairs.len()),
        items: pairs.into_iter(),
        key: String::new(),
    }))
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type().name().map_or_else(|_| "object".to_string(), |n| n.to_string())
}

fn classify<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Node<'py>> {
    if obj.is_none() {
        return Ok(Node::Leaf(Value::Null));
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Node::Leaf(Value::Bool(b.is_true())));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Node::Leaf(Value::from(i)));
        }
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Node::Leaf(Value::from(u)));
        }
        return Err(PyValueError::new_err("integer out of range for JSON (it must fit in 64 bits)"));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Number::from_f64(f.value())
            .map(|n| Node::Leaf(Value::Number(n)))
            .ok_or_else(|| PyValueError::new_err("NaN and infinity cannot be converted to JSON"));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Node::Leaf(Value::String(s.to_cow()?.into_owned())));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        return map_frame(&d.items());
    }
    if let Ok(l) = obj.cast::<PyList>() {
        return Ok(seq_frame(l.iter().collect()));
    }
    if let Ok(t) = obj.cast::<PyTuple>() {
        return Ok(seq_frame(t.iter().collect()));
    }
    if obj.is_instance_of::<PyBytes>() || obj.is_instance_of::<PyByteArray>() {
        return Err(PyTypeError::new_err(format!(
            "{} cannot be converted to JSON (decode it to str first)",
            type_name(obj)
        )));
    }
    if let Ok(m) = obj.cast::<PyMapping>() {
        return map_frame(&m.items()?);
    }
    if let Ok(s) = obj.cast::<PySequence>() {
        let items = s.try_iter()?.collect::<PyResult<Vec<_>>>()?;
        return Ok(seq_frame(items));
    }
    Err(PyTypeError::new_err(format!("{} cannot be converted to JSON", type_name(obj))))
}

/// Converts a Python object into a JSON value (see the module docs for what is accepted).
pub fn from_py(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    let mut stack = match classify(obj)? {
        Node::Leaf(v) => return Ok(v),
        Node::Open(frame) => vec![frame],
    };
    loop {
        let Some(top) = stack.last_mut() else {
            return Err(PyRuntimeError::new_err("JSON conversion lost its state"));
        };
        if let Some(child) = top.next_child() {
            match classify(&child)? {
                Node::Leaf(v) => top.push(v),
                Node::Open(frame) => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(PyValueError::new_err(format!(
                            "value nested deeper than {MAX_DEPTH} levels (or containing itself) \
                             cannot be converted to JSON"
                        )));
                    }
                    stack.push(frame);
                }
            }
            continue;
        }
        let Some(done) = stack.pop() else {
            return Err(PyRuntimeError::new_err("JSON conversion lost its state"));
        };
        let value = done.finish();
        match stack.last_mut() {
            Some(parent) => parent.push(value),
            None => return Ok(value),
        }
    }
}

/// A Python container being filled from JSON: the container and the JSON children left.
enum Fill<'a, 'py> {
    Seq(Bound<'py, PyList>, std::slice::Iter<'a, Value>),
    Map(Bound<'py, PyDict>, serde_json::map::Iter<'a>),
}

/// The Python object for one JSON value; containers come back empty, with their children to fill.
fn start<'a, 'py>(py: Python<'py>, value: &'a Value) -> PyResult<(Bound<'py, PyAny>, Option<Fill<'a, 'py>>)> {
    Ok(match value {
        Value::Null => (py.None().into_bound(py), None),
        Value::Bool(b) => (PyBool::new(py, *b).to_owned().into_any(), None),
        Value::Number(n) => {
            let obj = if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any()
            };
            (obj, None)
        }
        Value::String(s) => (PyString::new(py, s).into_any(), None),
        Value::Array(items) => {
            let list = PyList::empty(py);
            (list.clone().into_any(), Some(Fill::Seq(list, items.iter())))
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            (dict.clone().into_any(), Some(Fill::Map(dict, map.iter())))
        }
    })
}

/// Converts a JSON value into plain Python objects (`dict`, `list`, `str`, `int`, `float`,
/// `bool`, `None`), keeping the order of object keys.
pub fn to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    let (root, fill) = start(py, value)?;
    let mut stack: Vec<Fill<'_, 'py>> = fill.into_iter().collect();
    while let Some(top) = stack.last_mut() {
        let next = match top {
            Fill::Seq(list, items) => match items.next() {
                Some(child) => {
                    let (obj, fill) = start(py, child)?;
                    list.append(obj)?;
                    fill
                }
                None => {
                    stack.pop();
                    continue;
                }
            },
            Fill::Map(dict, items) => match items.next() {
                Some((key, child)) => {
                    let (obj, fill) = start(py, child)?;
                    dict.set_item(key, obj)?;
                    fill
                }
                None => {
                    stack.pop();
                    continue;
                }
            },
        };
        stack.extend(next);
    }
    Ok(root)
}

/// Converts a serialized core result (summaries, hazards, …: the JSON the CLI prints) to
/// Python objects. Takes the `serde_json::to_value` result so that this crate needs no `serde`.
pub fn result_to_py<'py>(py: Python<'py>, value: serde_json::Result<Value>) -> PyResult<Bound<'py, PyAny>> {
    let value = value.map_err(|e| PyRuntimeError::new_err(format!("cannot serialize a result: {e}")))?;
    to_py(py, &value)
}

/// Parse options from `None` or a mapping, read by the core (`lenient`, `max_depth`, …).
pub fn parse_options(py: Python<'_>, options: Option<&Bound<'_, PyAny>>) -> PyResult<ParseOptions> {
    let json = match options {
        None => Value::Null,
        Some(obj) => from_py(obj)?,
    };
    ParseOptions::from_json(&json).or_raise(py)
}

/// Drops a JSON value without recursion. `serde_json::Value`'s own `Drop` recurses once per
/// level, and the core may return values as deep as the caller's `max_depth` allows.
pub fn drop_deep(value: Value) {
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => stack.extend(map.into_iter().map(|(_, v)| v)),
            _ => {}
        }
    }
}
