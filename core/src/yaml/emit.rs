//! Writes JSON values as block-style YAML text for output (reports, new files). Scalars that
//! Kubernetes would read as something else (`"yes"`, `"0755"`, `"1e3"`) are quoted.

use super::resolve::{ScalarValue, resolve_plain};
use serde_json::Value;
use std::fmt::Write as _;

/// Deepest value written; deeper values are written in JSON flow style on one line.
const MAX_BLOCK_DEPTH: usize = 256;

/// Renders a JSON value as YAML (two-space indentation, sequences indented under their key).
///
/// ```
/// let v = serde_json::json!({"metadata": {"name": "web", "labels": {"tier": "yes"}}, "ports": [80, 443]});
/// assert_eq!(gitops_kit::yaml::to_yaml_string(&v),
///     "metadata:\n  name: web\n  labels:\n    tier: \"yes\"\nports:\n  - 80\n  - 443\n");
/// ```
#[must_use]
pub fn to_yaml_string(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(m) if !m.is_empty() => write_mapping(&mut out, m, 0, false),
        Value::Array(a) if !a.is_empty() => write_sequence(&mut out, a, 0),
        other => {
            write_inline(&mut out, other, 0);
            out.push('\n');
        }
    }
    out
}

fn indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

/// Writes the entries of `map` at `level`. With `after_dash`, the first entry continues the
/// line of a sequence dash (`- name: web`) and the rest align under it.
fn write_mapping(out: &mut String, map: &serde_json::Map<String, Value>, level: usize, after_dash: bool) {
    for (i, (k, v)) in map.iter().enumerate() {
        if i == 0 && after_dash {
            out.push(' ');
        } else {
            indent(out, level);
        }
        write_key(out, k);
        out.push(':');
        write_value(out, v, level, ValueAfter::Key);
    }
}

fn write_sequence(out: &mut String, items: &[Value], level: usize) {
    for v in items {
        indent(out, level);
        out.push('-');
        write_value(out, v, level, ValueAfter::Dash);
    }
}

/// What a value follows on its line: a `key:` or a sequence `-`.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ValueAfter {
    Key,
    Dash,
}

/// A value after `key:` or `-` at `level`: nested collections go on the next lines (a mapping
/// after a dash starts on the dash line), everything else stays inline.
fn write_value(out: &mut String, v: &Value, level: usize, after: ValueAfter) {
    match v {
        Value::Object(m) if !m.is_empty() && level < MAX_BLOCK_DEPTH => {
            if after == ValueAfter::Dash {
                write_mapping(out, m, level + 1, true);
            } else {
                out.push('\n');
                write_mapping(out, m, level + 1, false);
            }
        }
        Value::Array(a) if !a.is_empty() && level < MAX_BLOCK_DEPTH => {
            out.push('\n');
            write_sequence(out, a, level + 1);
        }
        other => {
            out.push(' ');
            write_inline(out, other, level + 1);
            out.push('\n');
        }
    }
}

/// Scalars, empty collections, and (past the depth cap) whole values as JSON flow.
fn write_inline(out: &mut String, v: &Value, level: usize) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            let _ = write!(out, "{n}");
        }
        Value::String(s) => write_string(out, s, level),
        Value::Array(a) if a.is_empty() => out.push_str("[]"),
        Value::Object(m) if m.is_empty() => out.push_str("{}"),
        other => out.push_str(&serde_json::to_string(other).unwrap_or_default()),
    }
}

fn write_key(out: &mut String, k: &str) {
    if plain_is_safe(k) {
        out.push_str(k);
    } else {
        out.push_str(&serde_json::to_string(k).unwrap_or_default());
    }
}

fn write_string(out: &mut String, s: &str, level: usize) {
    if plain_is_safe(s) {
        out.push_str(s);
    } else if is_literal_block_friendly(s) {
        write_literal_block(out, s, level);
    } else {
        // JSON string escaping is valid YAML double-quoted style.
        out.push_str(&serde_json::to_string(s).unwrap_or_default());
    }
}

/// Whether `s` can be written unquoted and still read back as the same string by Kubernetes.
fn plain_is_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if !matches!(resolve_plain(s), ScalarValue::Str(_)) {
        return false;
    }
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) || first.is_whitespace() {
        // `-`, `?`, `:` may start a plain scalar when followed by a non-space, but keep it simple.
        return false;
    }
    if s.ends_with(char::is_whitespace) || s.contains(": ") || s.contains(" #") || s.ends_with(':') {
        return false;
    }
    !s.chars().any(|c| c.is_control() || matches!(c, '\u{feff}' | '\u{2028}' | '\u{2029}' | '\u{85}'))
}

/// Multi-line text without trailing spaces or control characters reads best as a `|` block.
fn is_literal_block_friendly(s: &str) -> bool {
    s.contains('\n')
        && !s.starts_with([' ', '\n'])
        && !s.chars().any(|c| c.is_control() && c != '\n')
        && s.lines().all(|l| !l.ends_with([' ', '\t']))
}

fn write_literal_block(out: &mut String, s: &str, level: usize) {
    let trailing = s.len() - s.trim_end_matches('\n').len();
    out.push_str(match trailing {
        0 => "|-",
        1 => "|",
        _ => "|+",
    });
    for line in s.trim_end_matches('\n').split('\n') {
        out.push('\n');
        if !line.is_empty() {
            indent(out, level.max(1));
            out.push_str(line);
        }
    }
    for _ in 1..trailing {
        out.push('\n');
    }
}
