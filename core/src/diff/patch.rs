//! RFC 6902 JSON Patch per reported object (`-o patch`): applied in order to the OLD
//! normalized document, the operations yield the NEW normalized document as the semantic diff
//! sees it. A structural difference is patched only where the report has a change: values the
//! diff found equal (`1000m` and `1`, a server default only one side spells out, a live-only
//! field apply mode does not own) keep OLD's spelling, so the patch and the unified output
//! show the report's changes and nothing else. The identity (`apiVersion`, `kind`,
//! `metadata.name`, `metadata.namespace`) is written first into both documents, so a rename or
//! an apiVersion move is a `replace`.
//!
//! Lists that Kubernetes merges by key (containers by `name`, ports by `port`+`protocol`, CRD
//! list-map keys) are matched by key, and every operation addresses the index the element has
//! at the moment the operation applies: removals first, from the highest index down; then, in a
//! list whose order matters (env), NEW's order is built left to right with `move` and `add`,
//! each element's own changes following its move; in the others OLD's order stays and new
//! elements are appended. Other lists are compared by position.

use super::documents::{self, Context, DocPair, ListTypes};
use super::{ChangeKind, DiffError, DiffOptions, DiffReport, ResourceDiff, ResourceRef, Warning};
use crate::manifest::ManifestSet;
use crate::yaml::escape_pointer_token;
use serde_json::{Map, Value};
use std::collections::HashSet;

/// The patch schema name.
pub const PATCH_SCHEMA: &str = "gitops-kit/diff-patch/v1";

/// One RFC 6902 operation (`add`, `remove`, `replace`, `move`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PatchOp {
    /// `add`, `remove`, `replace` or `move`.
    pub op: &'static str,
    /// Source pointer of a `move`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// Target pointer (`""` is the whole document).
    pub path: String,
    /// Value of `add` and `replace`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value: Option<Value>,
}

/// The patch of one object.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ResourcePatch {
    /// Identity (as in the diff report).
    pub resource: ResourceRef,
    /// added, removed, changed or renamed.
    pub change: ChangeKind,
    /// The OLD name of a renamed object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// Some values are Secret placeholders: the patch is not applicable to a real object.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
    /// Operations, in the order they apply.
    pub patch: Vec<PatchOp>,
}

/// The `gitops-kit/diff-patch/v1` report.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PatchReport {
    /// `gitops-kit/diff-patch/v1`.
    pub schema: &'static str,
    /// Same as the diff report's: 0 no differences, 1 differences, 2 errors.
    pub exit_code: i32,
    /// One entry per reported object, in the report's order.
    pub resources: Vec<ResourcePatch>,
    /// `diff.patch-hidden-values` when a Secret value is a placeholder, `yaml.value` for an
    /// object that could not be read, plus the diff's own warnings.
    pub warnings: Vec<Warning>,
    /// Identities that could not be diffed.
    pub errors: Vec<DiffError>,
}

/// The JSON Patch of every object in `report` (computed by [`crate::diff::diff`] from `old` and
/// `new` with the same `options`): an added object is one `add` of the whole document at `""`,
/// a removed one a `remove` of `""`, a changed or renamed one the operations from its OLD
/// normalized document to its NEW one (see the module documentation). Secret values stay
/// placeholders (`<hidden>`, `<hidden: changed>`, or keyed fingerprints) unless `show_secrets` is
/// set; the patch then carries the warning `diff.patch-hidden-values` because applying it would
/// write the placeholders.
///
/// ```
/// use gitops_kit::diff::{diff, patch, DiffOptions};
/// use gitops_kit::manifest::ManifestSet;
/// let old = ManifestSet::from_str("kind: ConfigMap\napiVersion: v1\nmetadata: {name: c}\ndata: {a: '1'}\n", "<old>").unwrap();
/// let new = ManifestSet::from_str("kind: ConfigMap\napiVersion: v1\nmetadata: {name: c}\ndata: {a: '2'}\n", "<new>").unwrap();
/// let options = DiffOptions::default();
/// let report = diff(&old, &new, &options);
/// let p = patch(&report, &old, &new, &options);
/// assert_eq!(serde_json::to_value(&p.resources[0].patch).unwrap(),
///     serde_json::json!([{"op": "replace", "path": "/data/a", "value": "2"}]));
/// ```
#[must_use]
pub fn patch(
    report: &DiffReport,
    old: &ManifestSet,
    new: &ManifestSet,
    options: &DiffOptions,
) -> PatchReport {
    let ctx = Context::new(old, new);
    let mut out = PatchReport {
        schema: PATCH_SCHEMA,
        exit_code: report.exit_code,
        resources: Vec::new(),
        warnings: report.warnings.clone(),
        errors: report.errors.clone(),
    };
    for pair in documents::pairs(report, &ctx, options) {
        let lists = ListTypes::new(pair.diff, ctx.crd(pair.diff), options);
        for (code, message) in &pair.problems {
            out.warnings.push(Warning { code: code.clone(), message: message.clone(), location: None });
        }
        out.resources.push(resource_patch(&pair, &lists));
    }
    if out.resources.iter().any(|r| r.hidden) {
        out.warnings.push(Warning {
            code: "diff.patch-hidden-values".into(),
            message: "Secret values are shown as placeholders (<hidden>, <hidden: changed>): the patch \
                      documents the change but cannot be applied as is; use show_secrets for an \
                      applicable patch"
                .into(),
            location: None,
        });
    }
    out
}

/// The reported changes of one object, by pointer: a structural difference between the two
/// documents is kept only where the semantic diff reported a change, so values it found equal
/// (`1000m` and `1`, a server default on one side, a live-only field apply mode does not own)
/// keep OLD's spelling instead of showing as noise.
pub(crate) struct Coverage {
    pointers: Vec<String>,
}

/// Whether pointer `a` is `b` or one of its ancestors.
fn ancestor_or_self(a: &str, b: &str) -> bool {
    b.strip_prefix(a).is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

impl Coverage {
    pub(crate) fn of(r: &ResourceDiff) -> Coverage {
        // The identity written into the documents is always shown (renames, apiVersion moves).
        let identity = ["/apiVersion", "/kind", "/metadata/name", "/metadata/namespace"];
        let pointers =
            r.changes.iter().map(|c| c.pointer.clone()).chain(identity.map(String::from)).collect();
        Coverage { pointers }
    }

    fn covers(&self, ptr: &str) -> bool {
        !ptr.is_empty() && self.pointers.iter().any(|c| ancestor_or_self(c, ptr) || ancestor_or_self(ptr, c))
    }

    /// Whether a reported change is at `ptr` or above it (not only below it).
    fn covers_whole(&self, ptr: &str) -> bool {
        self.pointers.iter().any(|c| ancestor_or_self(c, ptr))
    }
}

/// The operations turning the OLD document of `pair` into its NEW one as the semantic diff sees
/// it, and that document (OLD with the operations applied). With `coverage` `None`, every
/// structural difference is kept and the document is NEW itself.
pub(crate) fn operations(
    pair: &DocPair<'_>,
    lists: &ListTypes<'_>,
    coverage: Option<&Coverage>,
) -> (Vec<PatchOp>, Option<Value>) {
    let mut ops = Vec::new();
    match (&pair.old, &pair.new) {
        (None, Some(n)) => {
            ops.push(op("add", String::new(), Some(n.clone())));
            (ops, Some(n.clone()))
        }
        (Some(_), None) => {
            ops.push(op("remove", String::new(), None));
            (ops, None)
        }
        (Some(o), Some(n)) => {
            let mut w = Walk::new(lists, coverage);
            let effective = diff_values(o, n, &mut w, &mut ops);
            (ops, Some(effective))
        }
        (None, None) => (ops, None),
    }
}

fn resource_patch(pair: &DocPair<'_>, lists: &ListTypes<'_>) -> ResourcePatch {
    let coverage = Coverage::of(pair.diff);
    let (ops, _) = operations(pair, lists, Some(&coverage));
    ResourcePatch {
        resource: pair.diff.resource.clone(),
        change: pair.diff.change,
        renamed_from: pair.diff.renamed_from.clone(),
        hidden: pair.hidden,
        patch: ops,
    }
}

/// The JSON Patch turning `old` into `new` (plain JSON values, lists by position).
///
/// ```
/// use serde_json::json;
/// let ops = gitops_kit::diff::json_patch(&json!({"a": [1, 2, 3], "b": 1}), &json!({"a": [1, 3], "c": 2}));
/// assert_eq!(serde_json::to_value(&ops).unwrap(), json!([
///     {"op": "replace", "path": "/a/1", "value": 3},
///     {"op": "remove", "path": "/a/2"},
///     {"op": "remove", "path": "/b"},
///     {"op": "add", "path": "/c", "value": 2},
/// ]));
/// ```
#[must_use]
pub fn json_patch(old: &Value, new: &Value) -> Vec<PatchOp> {
    let lists = ListTypes::none();
    let mut ops = Vec::new();
    diff_values(old, new, &mut Walk::new(&lists, None), &mut ops);
    ops
}

fn op(name: &'static str, path: String, value: Option<Value>) -> PatchOp {
    PatchOp { op: name, from: None, path, value }
}

/// Where the walk is: the pointer operations use (indices of the document as the operations
/// so far left it), the pointers of the same place in OLD and in NEW (which the report's
/// pointers use), and the raw schema path (`spec.ports[]`) that decides how lists are matched.
struct Walk<'l, 'a> {
    ptr: String,
    old_ptr: String,
    new_ptr: String,
    raw: String,
    lists: &'l ListTypes<'a>,
    coverage: Option<&'l Coverage>,
}

/// Tokens of one step: in the patched document, in OLD, in NEW, and the schema path step.
struct Step<'t> {
    at: &'t str,
    old: &'t str,
    new: &'t str,
    raw: &'t str,
}

impl<'l, 'a> Walk<'l, 'a> {
    fn new(lists: &'l ListTypes<'a>, coverage: Option<&'l Coverage>) -> Walk<'l, 'a> {
        let empty = String::new;
        Walk { ptr: empty(), old_ptr: empty(), new_ptr: empty(), raw: empty(), lists, coverage }
    }

    fn child<T>(&mut self, step: &Step<'_>, f: impl FnOnce(&mut Self) -> T) -> T {
        let lens = (self.ptr.len(), self.old_ptr.len(), self.new_ptr.len(), self.raw.len());
        for (buf, token) in
            [(&mut self.ptr, step.at), (&mut self.old_ptr, step.old), (&mut self.new_ptr, step.new)]
        {
            buf.push('/');
            buf.push_str(&escape_pointer_token(token));
        }
        if !step.raw.starts_with('[') && !self.raw.is_empty() {
            self.raw.push('.');
        }
        self.raw.push_str(step.raw);
        let out = f(self);
        self.ptr.truncate(lens.0);
        self.old_ptr.truncate(lens.1);
        self.new_ptr.truncate(lens.2);
        self.raw.truncate(lens.3);
        out
    }

    fn at(&self, token: &str) -> String {
        format!("{}/{}", self.ptr, escape_pointer_token(token))
    }

    /// Whether a difference at these OLD/NEW pointers is one the report has.
    fn shown(&self, old_ptr: Option<&str>, new_ptr: Option<&str>) -> bool {
        self.coverage
            .is_none_or(|c| old_ptr.is_some_and(|p| c.covers(p)) || new_ptr.is_some_and(|p| c.covers(p)))
    }

    fn member(&self, base: &str, k: &str) -> String {
        format!("{base}/{}", escape_pointer_token(k))
    }
}

/// Appends the operations turning `old` into `new` at the walk's place and returns the value
/// they leave there.
fn diff_values(old: &Value, new: &Value, w: &mut Walk<'_, '_>, ops: &mut Vec<PatchOp>) -> Value {
    if old == new {
        return old.clone();
    }
    match (old, new) {
        (Value::Object(o), Value::Object(n)) => Value::Object(diff_objects(o, n, w, ops)),
        // Without a report to follow, NEW's order is NEW itself.
        (Value::Array(o), Value::Array(n)) if w.coverage.is_some() && w.lists.is_set(&w.raw) => {
            Value::Array(diff_set(o, n, w, ops))
        }
        (Value::Array(o), Value::Array(n)) => Value::Array(match w.lists.keys(&w.raw) {
            Some((keys, ordered)) if unique_keys(o, keys) && unique_keys(n, keys) => {
                // Without a report to follow, NEW's order is NEW itself.
                if ordered || w.coverage.is_none() {
                    diff_keyed(o, n, keys, w, ops)
                } else {
                    diff_unordered(o, n, keys, w, ops)
                }
            }
            _ => diff_positional(o, n, w, ops),
        }),
        _ if w.shown(Some(&w.old_ptr), Some(&w.new_ptr)) => {
            ops.push(op("replace", w.ptr.clone(), Some(new.clone())));
            new.clone()
        }
        _ => old.clone(),
    }
}

fn diff_objects(
    o: &Map<String, Value>,
    n: &Map<String, Value>,
    w: &mut Walk<'_, '_>,
    ops: &mut Vec<PatchOp>,
) -> Map<String, Value> {
    // The result keeps OLD's member order and appends added members, as `add` does.
    let mut out = Map::new();
    for (k, ov) in o {
        match n.get(k) {
            Some(nv) => {
                let v = w.child(&Step { at: k, old: k, new: k, raw: k }, |w| diff_values(ov, nv, w, ops));
                out.insert(k.clone(), v);
            }
            None if w.shown(Some(&w.member(&w.old_ptr, k)), None) => {
                if let Some(v) = remove_reported_part(k, ov, w, ops) {
                    out.insert(k.clone(), v);
                }
            }
            None => {
                out.insert(k.clone(), ov.clone());
            }
        }
    }
    for (k, nv) in n.iter().filter(|(k, _)| !o.contains_key(*k)) {
        if w.shown(None, Some(&w.member(&w.new_ptr, k))) {
            ops.push(op("add", w.at(k), Some(nv.clone())));
            out.insert(k.clone(), nv.clone());
        }
    }
    out
}

/// An OLD-only member `k` with reported changes below it: when the report removes it as a
/// whole, one `remove`; when it removes only some of its elements or keys (a live-only env
/// entry another manager owns stays), those, and the rest is kept (`Some` of what is left).
fn remove_reported_part(k: &str, ov: &Value, w: &mut Walk<'_, '_>, ops: &mut Vec<PatchOp>) -> Option<Value> {
    let member = w.member(&w.old_ptr, k);
    let partial = w.coverage.is_some_and(|c| !c.covers_whole(&member)) && (ov.is_array() || ov.is_object());
    if partial {
        let mark = ops.len();
        let empty = if ov.is_array() { Value::Array(Vec::new()) } else { Value::Object(Map::new()) };
        let left = w.child(&Step { at: k, old: k, new: k, raw: k }, |w| diff_values(ov, &empty, w, ops));
        if left != empty {
            return Some(left);
        }
        ops.truncate(mark);
    }
    ops.push(op("remove", w.at(k), None));
    None
}

/// Lists by position. Elements are always added and removed (never filtered): skipping one
/// would shift every later index.
fn diff_positional(o: &[Value], n: &[Value], w: &mut Walk<'_, '_>, ops: &mut Vec<PatchOp>) -> Vec<Value> {
    let mut out = Vec::with_capacity(n.len());
    for (i, (ov, nv)) in o.iter().zip(n).enumerate() {
        let t = i.to_string();
        out.push(w.child(&Step { at: &t, old: &t, new: &t, raw: "[]" }, |w| diff_values(ov, nv, w, ops)));
    }
    // Surplus OLD elements from the end, so each index is still valid when it is removed.
    for i in (n.len()..o.len()).rev() {
        ops.push(op("remove", w.at(&i.to_string()), None));
    }
    for (i, nv) in n.iter().enumerate().skip(o.len()) {
        ops.push(op("add", w.at(&i.to_string()), Some(nv.clone())));
        out.push(nv.clone());
    }
    out
}

/// Lists compared as sets (`set_semantics`): OLD's order is kept, OLD elements equal to no NEW
/// element are removed (reported ones, from the highest index down), NEW elements equal to no
/// OLD element are appended.
fn diff_set(o: &[Value], n: &[Value], w: &mut Walk<'_, '_>, ops: &mut Vec<PatchOp>) -> Vec<Value> {
    let in_list = |v: &Value, list: &[Value]| list.iter().any(|x| super::compare::loose_eq(v, x));
    let removed: Vec<usize> = (0..o.len())
        .filter(|&i| !in_list(&o[i], n) && w.shown(Some(&w.member(&w.old_ptr, &i.to_string())), None))
        .collect();
    for i in removed.iter().rev() {
        ops.push(op("remove", w.at(&i.to_string()), None));
    }
    let mut out: Vec<Value> =
        o.iter().enumerate().filter(|(i, _)| !removed.contains(i)).map(|(_, v)| v.clone()).collect();
    for (i, nv) in n.iter().enumerate().filter(|(_, v)| !in_list(v, o)) {
        if w.shown(None, Some(&w.member(&w.new_ptr, &i.to_string()))) {
            ops.push(op("add", w.at(&out.len().to_string()), Some(nv.clone())));
            out.push(nv.clone());
        }
    }
    out
}

/// Duplicate merge keys make matching ambiguous; such a list is patched by position.
fn unique_keys(items: &[Value], keys: &[String]) -> bool {
    let mut seen = std::collections::HashSet::new();
    items.iter().all(|e| seen.insert(documents::elem_key(e, keys)))
}

/// Removes the OLD-only elements of a keyed list that the report removes (others stay: a
/// live-only sidecar apply mode does not own), from the highest index down so each `remove`
/// addresses the list as the ones before it left it; returns their indices.
fn remove_reported(
    o: &[Value],
    keys: &[String],
    wanted: &HashSet<&str>,
    w: &Walk<'_, '_>,
    ops: &mut Vec<PatchOp>,
) -> Vec<usize> {
    let removed: Vec<usize> = (0..o.len())
        .filter(|&i| !wanted.contains(documents::elem_key(&o[i], keys).as_str()))
        .filter(|i| w.shown(Some(&w.member(&w.old_ptr, &i.to_string())), None))
        .collect();
    for i in removed.iter().rev() {
        ops.push(op("remove", w.at(&i.to_string()), None));
    }
    removed
}

/// Lists matched by merge key whose order does not matter (containers, ports): elements keep
/// OLD's order, so a reorder alone is no change; reported removals go from the highest index
/// down, matched elements are compared at their index, NEW-only elements are appended.
fn diff_unordered(
    o: &[Value],
    n: &[Value],
    keys: &[String],
    w: &mut Walk<'_, '_>,
    ops: &mut Vec<PatchOp>,
) -> Vec<Value> {
    let new_keys: Vec<String> = n.iter().map(|e| documents::elem_key(e, keys)).collect();
    let wanted: HashSet<&str> = new_keys.iter().map(String::as_str).collect();
    let removed = remove_reported(o, keys, &wanted, w, ops);
    let new_at: std::collections::HashMap<&str, usize> =
        new_keys.iter().enumerate().map(|(i, k)| (k.as_str(), i)).collect();
    let mut out = Vec::with_capacity(n.len());
    let mut seen = HashSet::new();
    for (oi, ov) in o.iter().enumerate().filter(|(i, _)| !removed.contains(i)) {
        let key = documents::elem_key(ov, keys);
        match new_at.get(key.as_str()) {
            Some(&ni) => {
                seen.insert(ni);
                let (at, ot, nt) = (out.len().to_string(), oi.to_string(), ni.to_string());
                let step = Step { at: &at, old: &ot, new: &nt, raw: "[]" };
                out.push(w.child(&step, |w| diff_values(ov, &n[ni], w, ops)));
            }
            None => out.push(ov.clone()),
        }
    }
    for nv in n.iter().enumerate().filter(|(i, _)| !seen.contains(i)).map(|(_, v)| v) {
        ops.push(op("add", w.at(&out.len().to_string()), Some(nv.clone())));
        out.push(nv.clone());
    }
    out
}

/// Lists matched by merge key whose order matters (env): OLD-only elements are removed from
/// the highest index down, then NEW's order is built left to right (`move` an existing element to its place, `add` a new
/// one), and each element's own changes follow with its final index. An OLD-only element the
/// report does not show as removed (a live-only sidecar apply mode does not own) stays, after
/// NEW's elements.
fn diff_keyed(
    o: &[Value],
    n: &[Value],
    keys: &[String],
    w: &mut Walk<'_, '_>,
    ops: &mut Vec<PatchOp>,
) -> Vec<Value> {
    let new_keys: Vec<String> = n.iter().map(|e| documents::elem_key(e, keys)).collect();
    let wanted: HashSet<&str> = new_keys.iter().map(String::as_str).collect();
    let removed = remove_reported(o, keys, &wanted, w, ops);
    // `current` mirrors the list as the operations so far have left it: (key in NEW, OLD index).
    let mut current: Vec<(Option<&str>, Option<usize>)> = (0..o.len())
        .filter(|i| !removed.contains(i))
        .map(|i| (wanted.get(documents::elem_key(&o[i], keys).as_str()).copied(), Some(i)))
        .collect();
    let mut out = Vec::with_capacity(n.len());
    // Positions before `i` already hold NEW's elements, so a match is always at `i` or later.
    for (i, (k, nv)) in new_keys.iter().zip(n).enumerate() {
        let t = i.to_string();
        match current.iter().skip(i).position(|(ck, _)| *ck == Some(k.as_str())).map(|p| p + i) {
            Some(j) => {
                if j != i {
                    let moved = current.remove(j);
                    current.insert(i, moved);
                    let from = Some(w.at(&j.to_string()));
                    ops.push(PatchOp { op: "move", from, path: w.at(&t), value: None });
                }
                let oi = current[i].1.unwrap_or(i);
                let ot = oi.to_string();
                let step = Step { at: &t, old: &ot, new: &t, raw: "[]" };
                out.push(w.child(&step, |w| diff_values(&o[oi], nv, w, ops)));
            }
            None => {
                current.insert(i, (Some(k.as_str()), None));
                ops.push(op("add", w.at(&t), Some(nv.clone())));
                out.push(nv.clone());
            }
        }
    }
    out.extend(current.iter().skip(n.len()).filter_map(|(_, oi)| oi.map(|oi| o[oi].clone())));
    out
}

/// The patch report as JSON text (pretty, with a final newline), as `-o patch` prints it.
///
/// ```
/// use gitops_kit::diff::{diff, patch, patch::to_json_text, DiffOptions};
/// use gitops_kit::manifest::ManifestSet;
/// let set = ManifestSet::from_str("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n", "a.yaml").unwrap();
/// let o = DiffOptions::default();
/// let text = to_json_text(&patch(&diff(&set, &set, &o), &set, &set, &o));
/// assert!(text.starts_with("{\n  \"schema\": \"gitops-kit/diff-patch/v1\",\n  \"exit_code\": 0,"));
/// ```
#[must_use]
pub fn to_json_text(report: &PatchReport) -> String {
    let mut s = serde_json::to_string_pretty(report).unwrap_or_default();
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{DiffOptions, diff};
    use serde_json::json;

    /// A tiny RFC 6902 applier (add, remove, replace, move), strict about indices.
    fn apply(doc: &mut Value, ops: &[PatchOp]) -> Result<(), String> {
        for o in ops {
            match o.op {
                "add" => add(doc, &o.path, o.value.clone().ok_or("add without value")?)?,
                "remove" => {
                    take(doc, &o.path)?;
                }
                "replace" => {
                    take(doc, &o.path)?;
                    add(doc, &o.path, o.value.clone().ok_or("replace without value")?)?;
                }
                "move" => {
                    let v = take(doc, o.from.as_deref().ok_or("move without from")?)?;
                    add(doc, &o.path, v)?;
                }
                other => return Err(format!("unknown op {other}")),
            }
        }
        Ok(())
    }

    fn split(path: &str) -> Result<(String, String), String> {
        let i = path.rfind('/').ok_or_else(|| format!("bad pointer {path:?}"))?;
        let last = path[i + 1..].replace("~1", "/").replace("~0", "~");
        Ok((path[..i].to_string(), last))
    }

    fn add(doc: &mut Value, path: &str, v: Value) -> Result<(), String> {
        if path.is_empty() {
            *doc = v;
            return Ok(());
        }
        let (parent, last) = split(path)?;
        match doc.pointer_mut(&parent).ok_or_else(|| format!("no parent {parent:?}"))? {
            Value::Object(m) => {
                m.insert(last, v);
            }
            Value::Array(a) => {
                let i: usize = last.parse().map_err(|_| format!("bad index {last:?}"))?;
                if i > a.len() {
                    return Err(format!("index {i} out of range at {path}"));
                }
                a.insert(i, v);
            }
            _ => return Err(format!("{parent:?} is not a container")),
        }
        Ok(())
    }

    fn take(doc: &mut Value, path: &str) -> Result<Value, String> {
        if path.is_empty() {
            return Ok(std::mem::take(doc));
        }
        let (parent, last) = split(path)?;
        match doc.pointer_mut(&parent).ok_or_else(|| format!("no parent {parent:?}"))? {
            Value::Object(m) => m.shift_remove(&last).ok_or_else(|| format!("no member {path}")),
            Value::Array(a) => {
                let i: usize = last.parse().map_err(|_| format!("bad index {last:?}"))?;
                (i < a.len()).then(|| a.remove(i)).ok_or_else(|| format!("index {i} out of range at {path}"))
            }
            _ => Err(format!("{parent:?} is not a container")),
        }
    }

    /// Checks that every reported object's patch turns its OLD document into the NEW one the
    /// report describes, and that without filtering the operations turn it into NEW itself.
    fn check_sets(old: &ManifestSet, new: &ManifestSet, options: &DiffOptions, what: &str) -> (usize, usize) {
        let report = diff(old, new, options);
        let p = patch(&report, old, new, options);
        let ctx = Context::new(old, new);
        let pairs = documents::pairs(&report, &ctx, options);
        assert_eq!(pairs.len(), p.resources.len());
        let mut filtered = 0;
        for (pair, rp) in pairs.iter().zip(&p.resources) {
            let lists = ListTypes::new(pair.diff, ctx.crd(pair.diff), options);
            let (_, effective) = operations(pair, &lists, Some(&Coverage::of(pair.diff)));
            let mut doc = pair.old.clone().unwrap_or(Value::Null);
            apply(&mut doc, &rp.patch).unwrap_or_else(|e| panic!("{what}: {e}\n{:#?}", rp.patch));
            assert_eq!(&doc, effective.as_ref().unwrap_or(&Value::Null), "{what}: {:#?}", rp.patch);
            filtered += usize::from(effective != pair.new);
            let (all, whole) = operations(pair, &lists, None);
            assert_eq!(whole, pair.new, "{what}");
            let mut doc = pair.old.clone().unwrap_or(Value::Null);
            apply(&mut doc, &all).unwrap_or_else(|e| panic!("{what}: {e}\n{all:#?}"));
            assert_eq!(&doc, pair.new.as_ref().unwrap_or(&Value::Null), "{what}: {all:#?}");
        }
        (pairs.len(), filtered)
    }

    fn check_texts(old: &str, new: &str, options: &DiffOptions, what: &str) -> (usize, usize) {
        let a = ManifestSet::from_str_with(old, "<old>", &options.parse).expect("old parses");
        let b = ManifestSet::from_str_with(new, "<new>", &options.parse).expect("new parses");
        check_sets(&a, &b, options, what)
    }

    fn deployment_with_env(env: &Value) -> String {
        let d = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "w"},
            "spec": {"template": {"spec": {"containers": [{"name": "app", "image": "a", "env": env}]}}}});
        crate::yaml::to_yaml_string(&d)
    }

    fn service_with_ports(ports: &Value) -> String {
        let s = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"ports": ports}});
        crate::yaml::to_yaml_string(&s)
    }

    fn patch_of(a: &str, b: &str) -> Value {
        let (sa, sb) =
            (ManifestSet::from_str(a, "<old>").unwrap(), ManifestSet::from_str(b, "<new>").unwrap());
        let o = DiffOptions::default();
        check_sets(&sa, &sb, &o, "keyed");
        serde_json::to_value(&patch(&diff(&sa, &sb, &o), &sa, &sb, &o).resources[0].patch).unwrap()
    }

    #[test]
    fn ordered_keyed_lists_remove_move_add_by_current_index() {
        let env = |items: &[(&str, &str)]| {
            Value::Array(items.iter().map(|(n, v)| json!({"name": n, "value": v})).collect())
        };
        let old = deployment_with_env(&env(&[("A", "1"), ("B", "2"), ("C", "3"), ("D", "4")]));
        let new = deployment_with_env(&env(&[("D", "4"), ("E", "5"), ("B", "two")]));
        let at = "/spec/template/spec/containers/0/env";
        assert_eq!(
            patch_of(&old, &new),
            json!([
                {"op": "remove", "path": format!("{at}/2")},
                {"op": "remove", "path": format!("{at}/0")},
                {"op": "move", "from": format!("{at}/1"), "path": format!("{at}/0")},
                {"op": "add", "path": format!("{at}/1"), "value": {"name": "E", "value": "5"}},
                {"op": "replace", "path": format!("{at}/2/value"), "value": "two"},
            ])
        );
    }

    #[test]
    fn unordered_keyed_lists_keep_old_order_and_append() {
        let old = service_with_ports(&json!([
            {"port": 1, "name": "a"}, {"port": 2, "name": "b"}, {"port": 3, "name": "c"}, {"port": 4, "name": "d"}]));
        let new = service_with_ports(
            &json!([{"port": 4, "name": "d"}, {"port": 5, "name": "e"}, {"port": 2, "name": "B"}]),
        );
        assert_eq!(
            patch_of(&old, &new),
            json!([
                {"op": "remove", "path": "/spec/ports/2"},
                {"op": "remove", "path": "/spec/ports/0"},
                {"op": "replace", "path": "/spec/ports/0/name", "value": "B"},
                {"op": "add", "path": "/spec/ports/2", "value": {"port": 5, "name": "e"}},
            ])
        );
        // A reorder alone is no difference for Kubernetes, and none here.
        let reordered = service_with_ports(
            &json!([{"port": 2, "name": "b"}, {"port": 1, "name": "a"}, {"port": 3, "name": "C"}]),
        );
        let first = service_with_ports(
            &json!([{"port": 1, "name": "a"}, {"port": 2, "name": "b"}, {"port": 3, "name": "c"}]),
        );
        assert_eq!(
            patch_of(&first, &reordered),
            json!([{"op": "replace", "path": "/spec/ports/2/name", "value": "C"}])
        );
    }

    #[test]
    fn values_the_diff_found_equal_are_not_patched() {
        let old = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n      - {name: app, image: a, resources: {limits: {cpu: 1000m}}, args: []}\n";
        let new = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n      - {name: app, image: a, resources: {limits: {cpu: '1'}}}\n";
        let (a, b) =
            (ManifestSet::from_str(old, "<old>").unwrap(), ManifestSet::from_str(new, "<new>").unwrap());
        let o = DiffOptions::default();
        let p = patch(&diff(&a, &b, &o), &a, &b, &o);
        assert_eq!(
            serde_json::to_value(&p.resources[0].patch).unwrap(),
            json!([{"op": "replace", "path": "/spec/replicas", "value": 2}])
        );
        check_sets(&a, &b, &o, "equivalences");
    }

    #[test]
    fn added_and_removed_objects_patch_the_root() {
        let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: '1'}\n";
        let report = crate::diff::diff_texts("", cm, &DiffOptions::default()).unwrap();
        let (a, b) =
            (ManifestSet::from_str("", "<old>").unwrap(), ManifestSet::from_str(cm, "<new>").unwrap());
        let p = patch(&report, &a, &b, &DiffOptions::default());
        assert_eq!(p.resources[0].patch[0].op, "add");
        assert_eq!(p.resources[0].patch[0].path, "");
        let back =
            patch(&crate::diff::diff(&b, &a, &DiffOptions::default()), &b, &a, &DiffOptions::default());
        assert_eq!(
            serde_json::to_value(&back.resources[0].patch).unwrap(),
            json!([{"op": "remove", "path": ""}])
        );
    }

    #[test]
    fn hidden_secret_values_warn_and_never_leak() {
        let old = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {password: aHVudGVyMg==}\n";
        let new = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {password: hunter3}\n";
        let a = ManifestSet::from_str(old, "<old>").unwrap();
        let b = ManifestSet::from_str(new, "<new>").unwrap();
        let o = DiffOptions::default();
        let p = patch(&diff(&a, &b, &o), &a, &b, &o);
        let text = to_json_text(&p);
        for leak in ["hunter", "aHVudGVy", "7"] {
            assert!(!text.contains(leak), "{leak} in {text}");
        }
        assert!(p.resources[0].hidden);
        assert_eq!(p.warnings.last().map(|w| w.code.as_str()), Some("diff.patch-hidden-values"));
        assert_eq!(
            serde_json::to_value(&p.resources[0].patch).unwrap(),
            json!([{"op": "replace", "path": "/data/password", "value": "<hidden: changed>"}])
        );
        let shown = DiffOptions { show_secrets: true, ..DiffOptions::default() };
        let p = patch(&diff(&a, &b, &shown), &a, &b, &shown);
        assert!(p.warnings.is_empty());
        assert_eq!(p.resources[0].patch[0].value, Some(json!("aHVudGVyMw==")));
    }

    /// Every diff conformance vector: the patch of each reported object applies.
    #[test]
    fn patch_applies_on_every_diff_vector() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/diff");
        let mut objects = 0;
        let mut files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        for path in files.iter().filter(|p| p.extension().is_some_and(|e| e == "yaml")) {
            let text = std::fs::read_to_string(path).unwrap();
            let v = &crate::yaml::to_json_documents(&text, "vector", &Default::default()).unwrap()[0];
            if v["expect"].get("error").is_some()
                || !v["call"].as_str().unwrap_or("").starts_with("diff_texts")
            {
                continue;
            }
            let args = &v["args"];
            let options = DiffOptions::from_json(&args["options"]).unwrap();
            for opts in [options.clone(), DiffOptions { show_secrets: true, ..options }] {
                let (old, new) = (args["old"].as_str().unwrap(), args["new"].as_str().unwrap());
                let name = path.display().to_string();
                objects += check_texts(old, new, &opts, &name).0;
                objects += check_texts(new, old, &opts, &name).0;
            }
        }
        assert!(objects > 50, "only {objects} objects checked");
    }

    /// A small deterministic generator (xorshift), so failures reproduce.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[self.below(items.len() as u64) as usize]
        }
    }

    fn container(r: &mut Rng, name: &str) -> Value {
        let mut c = json!({"name": name, "image": format!("app:{}", r.below(3))});
        if r.below(2) == 0 {
            let env: Vec<Value> = (0..r.below(4))
                .map(|i| json!({"name": format!("E{}", (i + r.below(3)) % 4), "value": r.pick(&["a", "b"])}))
                .collect();
            c["env"] = Value::Array(env);
        }
        if r.below(2) == 0 {
            let ports: Vec<Value> = (0..r.below(3))
                .map(|_| json!({"containerPort": 8000 + r.below(4), "protocol": r.pick(&["TCP", "UDP"])}))
                .collect();
            c["ports"] = Value::Array(ports);
        }
        if r.below(3) == 0 {
            c["args"] =
                json!((0..r.below(4)).map(|i| format!("--a{}", (i + r.below(2)) % 3)).collect::<Vec<_>>());
        }
        c
    }

    fn deployment(r: &mut Rng) -> Value {
        let mut names = vec!["app", "side", "init", "log", "proxy"];
        let mut containers = Vec::new();
        for _ in 0..1 + r.below(4) {
            let i = r.below(names.len() as u64) as usize;
            let name = names.remove(i);
            containers.push(container(r, name));
        }
        let mut d = json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "labels": {"app": "web"}},
            "spec": {"replicas": r.below(4), "template": {"spec": {"containers": containers}}},
        });
        if r.below(2) == 0 {
            d["metadata"]["labels"]["tier"] = json!(r.pick(&["a", "b"]));
        }
        if r.below(3) == 0 {
            d["spec"]["template"]["spec"]["volumes"] = json!([{"name": "v", "emptyDir": {}}]);
        }
        d
    }

    /// Generated pairs of Deployments (keyed containers, env, ports; positional args): the patch
    /// always applies, whatever was removed, moved, added or changed.
    #[test]
    fn patch_applies_on_generated_cases() {
        let mut r = Rng(0x9e37_79b9_7f4a_7c15);
        let (mut checked, mut filtered) = (0, 0);
        for case in 0..400 {
            let (mut a, b) = (deployment(&mut r), deployment(&mut r));
            // Every other OLD is a live export: apply mode then leaves live-only fields it
            // does not own in place, so the filtered patch keeps them.
            if case % 2 == 0 {
                a["metadata"]["uid"] = json!("u-1");
                a["status"] = json!({"replicas": 1});
            }
            let (ta, tb) = (crate::yaml::to_yaml_string(&a), crate::yaml::to_yaml_string(&b));
            for mode in ["apply", "strict"] {
                let o = DiffOptions::from_json(&json!({"mode": mode})).unwrap();
                let (n, f) = check_texts(&ta, &tb, &o, &format!("case {case}\n{ta}---\n{tb}"));
                checked += n;
                filtered += f;
            }
        }
        assert!(checked > 400, "{checked}");
        // Both paths ran: documents where noise was left out, and documents patched as they are.
        assert!(filtered > 50 && filtered < checked, "{filtered} of {checked}");
    }

    #[test]
    fn json_patch_escapes_pointer_tokens() {
        let ops = json_patch(&json!({"a/b": 1, "c~d": [1]}), &json!({"a/b": 2, "c~d": []}));
        let paths: Vec<&str> = ops.iter().map(|o| o.path.as_str()).collect();
        assert_eq!(paths, ["/a~1b", "/c~0d/0"]);
    }
}
