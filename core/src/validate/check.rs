//! The structural checker: walks a located object against a compiled schema (without
//! recursion) and reports type, enum, required, format, range and unknown-field findings at the
//! offending node.

use super::finding::{Finding, Severity};
use super::rules::syntax;
use super::schema::{Compiled, Extra, Format, SchemaId, types};
use crate::yaml::{NodeKind, NodeRef, ScalarValue, escape_pointer_token};
use std::borrow::Cow;

/// Which arena a frame's schema lives in: the version's built-in schemas or the CRDs'.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arena {
    Builtin,
    Crd,
}

/// The schemas a walk can use.
pub(crate) struct Schemas<'a> {
    pub builtin: &'a Compiled,
    pub crds: &'a Compiled,
    pub strict: bool,
}

impl Schemas<'_> {
    fn arena(&self, arena: Arena) -> &Compiled {
        match arena {
            Arena::Builtin => self.builtin,
            Arena::Crd => self.crds,
        }
    }
}

/// One token of a JSON pointer: a key, an index, or nothing (the walk's root).
enum Token<'d> {
    Root,
    Key(Cow<'d, str>),
    Index(usize),
}

/// A step of the path from the object root, kept in an arena so pointers are only built for
/// findings.
struct Frame<'d> {
    parent: u32,
    token: Token<'d>,
    /// The key node that introduced this value (missing fields are reported there).
    key: Option<NodeRef<'d>>,
}

struct Walk<'a, 'd> {
    schemas: &'a Schemas<'a>,
    frames: Vec<Frame<'d>>,
    out: &'a mut Vec<Finding>,
}

impl<'d> Walk<'_, 'd> {
    fn pointer(&self, mut frame: u32) -> String {
        let mut tokens = Vec::new();
        while frame != u32::MAX {
            let f = &self.frames[frame as usize];
            match &f.token {
                Token::Key(k) => tokens.push(escape_pointer_token(k)),
                Token::Index(i) => tokens.push(i.to_string()),
                Token::Root => {}
            }
            frame = f.parent;
        }
        tokens.iter().rev().fold(String::new(), |mut acc, t| {
            acc.push('/');
            acc.push_str(t);
            acc
        })
    }

    fn report(&mut self, rule: &'static str, node: &NodeRef<'d>, frame: u32, message: String) {
        let pointer = self.pointer(frame);
        self.out.push(Finding::at(rule, node, pointer, message));
    }
}

/// Validates `root` (an object or any value below one) against `schema`. `pointer_prefix` is the
/// JSON pointer of `root` within its object.
pub(crate) fn check(
    schemas: &Schemas<'_>,
    root: NodeRef<'_>,
    root_key: Option<NodeRef<'_>>,
    pointer_prefix: &str,
    arena: Arena,
    schema: SchemaId,
    out: &mut Vec<Finding>,
) {
    let mut walk = Walk { schemas, frames: Vec::new(), out };
    let prefix: Vec<&str> = pointer_prefix.split('/').skip(1).collect();
    let mut parent = u32::MAX;
    for token in prefix {
        let t = token.replace("~1", "/").replace("~0", "~");
        walk.frames.push(Frame { parent, token: Token::Key(Cow::Owned(t)), key: None });
        parent = (walk.frames.len() - 1) as u32;
    }
    walk.frames.push(Frame { parent, token: Token::Root, key: root_key });
    let mut stack: Vec<(NodeRef<'_>, Arena, SchemaId, u32)> =
        vec![(root, arena, schema, (walk.frames.len() - 1) as u32)];
    while let Some((node, arena, sid, frame)) = stack.pop() {
        let compiled = schemas.arena(arena);
        let s = compiled.node(sid);
        if s.is_trivial() {
            continue;
        }
        let (type_rule, field_rule) = match arena {
            Arena::Builtin => ("GK-S005", "GK-S006"),
            Arena::Crd => ("GK-S008", "GK-S008"),
        };
        match node.kind() {
            NodeKind::Scalar => scalar(&mut walk, &node, arena, sid, frame, type_rule),
            NodeKind::Sequence => {
                if s.types & types::ARRAY == 0 {
                    let msg = format!("expected {}, found an array", types::describe(s.types));
                    walk.report(type_rule, &node, frame, msg);
                    continue;
                }
                let n = node.len() as u64;
                if s.min_items.is_some_and(|m| n < m) || s.max_items.is_some_and(|m| n > m) {
                    let msg = format!("array has {n} items, outside [{:?}, {:?}]", s.min_items, s.max_items);
                    walk.report(type_rule, &node, frame, msg);
                }
                let Some(items) = s.items else { continue };
                for (i, item) in node.items().enumerate().rev() {
                    walk.frames.push(Frame { parent: frame, token: Token::Index(i), key: None });
                    stack.push((item, arena, items, (walk.frames.len() - 1) as u32));
                }
            }
            NodeKind::Mapping => {
                if s.types & types::OBJECT == 0 {
                    let msg = format!("expected {}, found an object", types::describe(s.types));
                    walk.report(type_rule, &node, frame, msg);
                    continue;
                }
                for (k, v) in node.entries().rev() {
                    let Some(key) = k.key_string() else { continue };
                    if let Some(hazard) = k.hazard() {
                        let msg = format!(
                            "key {:?} is read by Kubernetes as {key:?}: {}",
                            k.source_text(),
                            hazard.describe()
                        );
                        walk.frames.push(Frame { parent: frame, token: Token::Key(key.clone()), key: None });
                        let f = (walk.frames.len() - 1) as u32;
                        walk.report("GK-S003", &k, f, msg);
                    }
                    let child = match s.property(&key) {
                        Some(id) => Some(id),
                        None => match s.extra {
                            Extra::Schema(id) => Some(id),
                            Extra::Open => None,
                            Extra::Closed => {
                                if schemas.strict {
                                    walk.frames.push(Frame {
                                        parent: frame,
                                        token: Token::Key(key.clone()),
                                        key: None,
                                    });
                                    let f = (walk.frames.len() - 1) as u32;
                                    let msg =
                                        format!("unknown field {key:?}{}", suggestion(&key, &s.properties));
                                    walk.report(field_rule, &k, f, msg);
                                }
                                None
                            }
                        },
                    };
                    if let Some(id) = child {
                        walk.frames.push(Frame { parent: frame, token: Token::Key(key), key: Some(k) });
                        stack.push((v, arena, id, (walk.frames.len() - 1) as u32));
                    }
                }
                for name in &s.required {
                    if node.get(name).is_none() {
                        // Reported at the key that introduced this mapping (or its first key).
                        let at =
                            walk.frames[frame as usize].key.or_else(|| node.entries().next().map(|(k, _)| k));
                        let at = at.unwrap_or(node);
                        let msg = format!("missing required field {name:?}");
                        walk.report(type_rule, &at, frame, msg);
                    }
                }
            }
        }
    }
}

/// Did you mean…: the declared property closest to an unknown one (edit distance ≤ 2).
fn suggestion(key: &str, properties: &[(Box<str>, SchemaId)]) -> String {
    properties
        .iter()
        .map(|(p, _)| (edit_distance(key, p), p))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, p)| format!(" (did you mean {p:?}?)"))
        .unwrap_or_default()
}

/// Did you mean…: the allowed value closest to a misspelt one (case-insensitive, distance ≤ 2).
fn enum_suggestion<'v>(text: &str, allowed: impl Iterator<Item = &'v str>) -> String {
    let lower = text.to_ascii_lowercase();
    allowed
        .map(|v| (edit_distance(&lower, &v.to_ascii_lowercase()), v))
        .filter(|(d, _)| *d <= 2)
        .min()
        .map(|(_, v)| format!(" (did you mean {v:?}?)"))
        .unwrap_or_default()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

fn scalar<'d>(
    walk: &mut Walk<'_, 'd>,
    node: &NodeRef<'d>,
    arena: Arena,
    sid: SchemaId,
    frame: u32,
    rule: &'static str,
) {
    let s = walk.schemas.arena(arena).node(sid);
    let value = match node.value() {
        Ok(Some(v)) => v,
        Ok(None) => return,
        Err(e) => {
            walk.report(rule, node, frame, e.message());
            return;
        }
    };
    let bit = match value {
        ScalarValue::Null => types::NULL,
        ScalarValue::Bool(_) => types::BOOL,
        ScalarValue::Int(_) | ScalarValue::UInt(_) => types::INT,
        ScalarValue::Float(f) if f.fract() == 0.0 && f.is_finite() => types::INT | types::NUMBER,
        ScalarValue::Float(_) => types::NUMBER,
        ScalarValue::Str(_) => types::STRING,
    };
    // Described only when reported: most scalars are fine.
    let found = || match value {
        ScalarValue::Null => "null".to_string(),
        ScalarValue::Bool(b) => format!("boolean {b}"),
        ScalarValue::Int(i) => format!("integer {i}"),
        ScalarValue::UInt(u) => format!("integer {u}"),
        ScalarValue::Float(_) => format!("number {}", node.source_text()),
        ScalarValue::Str(text) => format!("string {text:?}"),
    };
    if bit == types::NULL {
        // Kubernetes treats an explicit null as an absent optional field.
        return;
    }
    if s.types & bit == 0 {
        let expected = types::describe(s.types);
        if let Some(hazard) = node.hazard().filter(|_| s.types & types::STRING != 0) {
            let msg = format!(
                "expected {expected}, but Kubernetes reads {:?} as {}: {}",
                node.source_text(),
                found(),
                hazard.describe()
            );
            walk.report("GK-S003", node, frame, msg);
            let last = walk.out.len() - 1;
            walk.out[last].severity = Severity::Error;
        } else {
            walk.report(rule, node, frame, format!("expected {expected}, found {}", found()));
        }
        return;
    }
    if !s.enumeration.is_empty() {
        let json = node.to_json().unwrap_or(serde_json::Value::Null);
        if !s.enumeration.contains(&json) {
            // The empty string of the curated built-in enums means "defaulted", not a choice.
            let listed = || s.enumeration.iter().filter(|v| !v.is_null() && v.as_str() != Some(""));
            let allowed: Vec<String> = listed().map(ToString::to_string).collect();
            let near = match value {
                ScalarValue::Str(text) => enum_suggestion(text, listed().filter_map(|v| v.as_str())),
                _ => String::new(),
            };
            let msg = format!("{} is not one of {}{near}", found(), allowed.join(", "));
            walk.report(rule, node, frame, msg);
            return;
        }
    }
    let number = match value {
        ScalarValue::Int(i) => Some(i as f64),
        ScalarValue::UInt(u) => Some(u as f64),
        ScalarValue::Float(f) => Some(f),
        _ => None,
    };
    match (s.format, value) {
        (Format::Int32, ScalarValue::Int(i)) if i32::try_from(i).is_err() => {
            walk.report(rule, node, frame, format!("{i} is out of the int32 range"));
        }
        (Format::Int32 | Format::Int64, ScalarValue::UInt(u)) => {
            walk.report(rule, node, frame, format!("{u} is out of the int64 range"));
        }
        (Format::Quantity, ScalarValue::Str(text)) => {
            if let Err(why) = syntax::check_quantity(text) {
                walk.report("GK-S010", node, frame, format!("invalid quantity {text:?}: {why}"));
            }
        }
        (Format::Byte, ScalarValue::Str(text)) if !is_base64(text) => {
            walk.report(rule, node, frame, "value is not valid base64".into());
        }
        (Format::DateTime, ScalarValue::Str(text)) if !is_rfc3339(text) => {
            walk.report(rule, node, frame, format!("{text:?} is not an RFC 3339 date-time"));
        }
        _ => {}
    }
    if let Some(n) = number
        && (s.minimum.is_some_and(|m| n < m) || s.maximum.is_some_and(|m| n > m))
    {
        let msg = format!("{n} is outside [{}, {}]", fmt_bound(s.minimum), fmt_bound(s.maximum));
        walk.report(rule, node, frame, msg);
    }
    if let ScalarValue::Str(text) = value {
        let len = text.chars().count() as u64;
        if s.min_length.is_some_and(|m| len < m) || s.max_length.is_some_and(|m| len > m) {
            walk.report(
                rule,
                node,
                frame,
                format!("string of {len} characters is outside the allowed length"),
            );
        }
        if let Some(p) = &s.pattern
            && !p.is_match(text)
        {
            walk.report(rule, node, frame, format!("{text:?} does not match the pattern {:?}", p.as_str()));
        }
    }
}

fn fmt_bound(b: Option<f64>) -> String {
    b.map_or_else(|| "-".into(), |v| v.to_string())
}

/// Standard base64 with padding, whitespace tolerated (Kubernetes' decoder accepts line breaks).
pub(crate) fn is_base64(text: &str) -> bool {
    let bytes: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !bytes.len().is_multiple_of(4) {
        return false;
    }
    let pad = bytes.iter().rev().take_while(|&&b| b == b'=').count();
    pad <= 2
        && bytes[..bytes.len() - pad].iter().all(|b| b.is_ascii_alphanumeric() || *b == b'+' || *b == b'/')
}

/// `2024-01-02T03:04:05Z` or with fractional seconds / offset.
fn is_rfc3339(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|s| s.iter().all(u8::is_ascii_digit));
    if b.len() < 20 || !digits(0..4) || b[4] != b'-' || !digits(5..7) || b[7] != b'-' || !digits(8..10) {
        return false;
    }
    if !matches!(b[10], b'T' | b't' | b' ')
        || !digits(11..13)
        || b[13] != b':'
        || !digits(14..16)
        || b[16] != b':'
        || !digits(17..19)
    {
        return false;
    }
    let mut rest = &text[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    matches!(rest, "Z" | "z")
        || (rest.len() == 6
            && matches!(rest.as_bytes()[0], b'+' | b'-')
            && rest.as_bytes()[3] == b':'
            && rest[1..3].bytes().all(|c| c.is_ascii_digit())
            && rest[4..6].bytes().all(|c| c.is_ascii_digit()))
}
