//! Conversion of located nodes to `serde_json::Value` with Kubernetes' scalar rules, without
//! recursion (the tree is a DAG whose expanded size was bounded while it was built).

use super::builder::error_at;
use super::error::{Error, ErrorKind};
use super::resolve::ScalarValue;
use super::tree::{NodeKind, NodeRef};
use serde_json::{Map, Number, Value};

pub(crate) fn value_error(node: &NodeRef<'_>, message: String) -> Error {
    error_at(node.document().source(), node.byte_range().start, ErrorKind::Value(message))
}

/// JSON of a scalar as `sigs.k8s.io/yaml` writes it: integral floats print as integers.
fn scalar_json(node: &NodeRef<'_>) -> Result<Value, Error> {
    Ok(match node.value()? {
        None | Some(ScalarValue::Null) => Value::Null,
        Some(ScalarValue::Bool(b)) => Value::Bool(b),
        Some(ScalarValue::Int(i)) => Value::from(i),
        Some(ScalarValue::UInt(u)) => Value::from(u),
        Some(ScalarValue::Float(f)) => {
            if !f.is_finite() {
                let msg =
                    format!("{:?} is not a finite number; JSON cannot hold it", node.as_str().unwrap_or(""));
                return Err(value_error(node, msg));
            }
            if f.fract() == 0.0 && f.abs() < 1e15 {
                Value::from(f as i64)
            } else {
                Number::from_f64(f).map_or(Value::Null, Value::Number)
            }
        }
        Some(ScalarValue::Str(s)) => Value::String(s.to_string()),
    })
}

enum Open<'d> {
    Seq { items: Vec<NodeRef<'d>>, next: usize, out: Vec<Value> },
    Map { entries: Vec<(NodeRef<'d>, NodeRef<'d>)>, next: usize, out: Map<String, Value> },
}

fn open(node: NodeRef<'_>) -> Open<'_> {
    match node.kind() {
        NodeKind::Mapping => {
            let entries: Vec<_> = node.entries().collect();
            Open::Map { out: Map::with_capacity(entries.len()), entries, next: 0 }
        }
        _ => {
            let items: Vec<_> = node.items().collect();
            Open::Seq { out: Vec::with_capacity(items.len()), items, next: 0 }
        }
    }
}

pub(crate) fn to_json(root: NodeRef<'_>) -> Result<Value, Error> {
    if root.kind() == NodeKind::Scalar {
        return scalar_json(&root);
    }
    let mut stack = vec![open(root)];
    // Keys of the mappings on the stack whose value is being built.
    let mut pending_keys: Vec<String> = Vec::new();
    loop {
        let top = stack.last_mut().expect("stack holds the root until it is returned");
        let child = match top {
            Open::Seq { items, next, .. } => items.get(*next).copied().map(|c| (None, c)),
            Open::Map { entries, next, .. } => entries.get(*next).copied().map(|(k, v)| (Some(k), v)),
        };
        let Some((key, child)) = child else {
            let done = match stack.pop().expect("non-empty") {
                Open::Seq { out, .. } => Value::Array(out),
                Open::Map { out, .. } => Value::Object(out),
            };
            match stack.last_mut() {
                None => return Ok(done),
                Some(parent) => push_into(parent, &mut pending_keys, done),
            }
            continue;
        };
        match top {
            Open::Seq { next, .. } | Open::Map { next, .. } => *next += 1,
        }
        let key = key.map(|k| k.key_string().unwrap_or_default().into_owned());
        if child.kind() == NodeKind::Scalar {
            let value = scalar_json(&child)?;
            match (stack.last_mut().expect("non-empty"), key) {
                (Open::Seq { out, .. }, _) => out.push(value),
                (Open::Map { out, .. }, Some(k)) => {
                    out.insert(k, value);
                }
                (Open::Map { .. }, None) => unreachable!("mapping children come with keys"),
            }
        } else {
            if let Some(k) = key {
                pending_keys.push(k);
            }
            stack.push(open(child));
        }
    }
}

fn push_into(parent: &mut Open<'_>, pending_keys: &mut Vec<String>, value: Value) {
    match parent {
        Open::Seq { out, .. } => out.push(value),
        Open::Map { out, .. } => {
            let key = pending_keys.pop().unwrap_or_default();
            out.insert(key, value);
        }
    }
}
