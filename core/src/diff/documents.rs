//! The normalized documents behind a [`DiffReport`]: what the unified and patch outputs show.
//!
//! The report keeps no documents (it would double the memory of a large diff for the JSON and
//! text outputs, which never need them). These outputs rebuild them for the reported objects
//! only, from the two sets the report was computed from: the object at the reported location is
//! normalized with the same `kubernetes` profile, the ignore rules remove their paths from both
//! sides, the identity (`apiVersion`, `kind`, `metadata.name`, effective `metadata.namespace`)
//! is written back first, and Secret values are replaced by placeholders.

use super::ignore::{RuleSeg, glob};
use super::schema::{self, CrdInfo, ListType};
use super::{ChangeKind, DiffOptions, DiffReport, ResourceDiff, SecretKey, normalize};
use crate::Location;
use crate::manifest::{ManifestSet, Resource};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Placeholder of a hidden Secret value that is the same on both sides (or has only one side).
pub const HIDDEN: &str = "<hidden>";
/// Placeholder of a hidden Secret value on the NEW side when it differs from the OLD one. It
/// says only "changed": no hash, so nothing can be brute-forced from it.
pub const HIDDEN_CHANGED: &str = "<hidden: changed>";

/// One reported object with its normalized documents (`None` on the side that lacks it).
pub(crate) struct DocPair<'r> {
    pub diff: &'r ResourceDiff,
    pub old: Option<Value>,
    pub new: Option<Value>,
    /// Some Secret value was replaced by a placeholder.
    pub hidden: bool,
    /// Objects whose value could not be read (`yaml.value`): `(code, message)`.
    pub problems: Vec<(String, String)>,
}

/// What the documents of one report need to know beyond the report.
pub(crate) struct Context<'s> {
    old: HashMap<(&'s str, u32, u32), &'s Resource>,
    new: HashMap<(&'s str, u32, u32), &'s Resource>,
    crds: HashMap<(String, String), CrdInfo>,
}

fn by_location(set: &ManifestSet) -> HashMap<(&str, u32, u32), &Resource> {
    set.resources()
        .iter()
        .map(|r| {
            let s = r.span().start;
            ((r.file(), s.line, s.column), r)
        })
        .collect()
}

impl<'s> Context<'s> {
    pub(crate) fn new(old: &'s ManifestSet, new: &'s ManifestSet) -> Context<'s> {
        Context { old: by_location(old), new: by_location(new), crds: super::crd_infos(old, new) }
    }

    pub(crate) fn crd(&self, r: &ResourceDiff) -> Option<&CrdInfo> {
        self.crds.get(&(r.resource.group.clone(), r.resource.kind.clone()))
    }
}

fn find<'s>(
    index: &HashMap<(&'s str, u32, u32), &'s Resource>,
    at: Option<&Location>,
) -> Option<&'s Resource> {
    let l = at?;
    index.get(&(l.file.as_str(), l.line, l.column)).copied()
}

/// The normalized documents of every object in `report` (same order).
pub(crate) fn pairs<'r>(
    report: &'r DiffReport,
    ctx: &Context<'_>,
    options: &DiffOptions,
) -> Vec<DocPair<'r>> {
    report.resources.iter().map(|r| pair(r, ctx, options)).collect()
}

fn pair<'r>(r: &'r ResourceDiff, ctx: &Context<'_>, options: &DiffOptions) -> DocPair<'r> {
    let mut problems = Vec::new();
    let mut read = |res: &Resource, old_side: bool| -> Option<Value> {
        match res.to_json() {
            Ok(v) => Some(document(r, res, v, old_side)),
            Err(e) => {
                problems.push((e.code().to_string(), format!("{}: {e}", res.id())));
                None
            }
        }
    };
    // Added objects have no OLD side, removed ones no NEW side (their locations say so too).
    let mut old = find(&ctx.old, r.old_location.as_ref())
        .filter(|_| r.change != ChangeKind::Added)
        .and_then(|res| read(res, true));
    let mut new = find(&ctx.new, r.new_location.as_ref())
        .filter(|_| r.change != ChangeKind::Removed)
        .and_then(|res| read(res, false));
    let scope_obj = new.as_ref().or(old.as_ref()).cloned();
    for doc in [&mut old, &mut new].into_iter().flatten() {
        strip_ignored(doc, r, scope_obj.as_ref(), options);
    }
    let hidden = is_secret(r)
        && !options.show_secrets
        && mask_secrets(old.as_mut(), new.as_mut(), options.secret_key.as_ref());
    DocPair { diff: r, old, new, hidden, problems }
}

/// Whether values of this object are Secret values (a core `Secret`).
fn is_secret(r: &ResourceDiff) -> bool {
    r.resource.kind == "Secret" && r.resource.group.is_empty()
}

/// The normalized object with its identity written back first.
fn document(r: &ResourceDiff, res: &Resource, value: Value, old_side: bool) -> Value {
    let prepared = normalize::prepare(&res.id().kind, value);
    let mut body = match prepared.value {
        Value::Object(m) => m,
        _ => Map::new(),
    };
    let mut out = Map::new();
    out.insert("apiVersion".into(), Value::String(res.api_version()));
    out.insert("kind".into(), Value::String(res.id().kind.clone()));
    // The matched identity, not the spelling: a defaulted namespace is not a difference.
    let name = match (&r.renamed_from, old_side) {
        (Some(from), true) => from.clone(),
        _ => r.resource.name.clone(),
    };
    let mut meta = Map::new();
    meta.insert("name".into(), Value::String(name));
    if let Some(ns) = &r.resource.namespace {
        meta.insert("namespace".into(), Value::String(ns.clone()));
    }
    if let Some(Value::Object(rest)) = body.remove("metadata") {
        // An annotation map left empty by normalization (last-applied dropped) equals none.
        meta.extend(rest.into_iter().filter(|(k, v)| {
            !(matches!(k.as_str(), "annotations" | "labels") && v.as_object().is_some_and(Map::is_empty))
        }));
    }
    out.insert("metadata".into(), Value::Object(meta));
    out.extend(body);
    Value::Object(out)
}

/// Replaces Secret `data` values by placeholders on both sides; the NEW placeholder differs
/// only when the value changed. With a key, each placeholder carries the value's keyed
/// fingerprint instead (`<hidden: hmac-sha256:...>`). Returns whether anything was hidden.
fn mask_secrets(old: Option<&mut Value>, new: Option<&mut Value>, key: Option<&SecretKey>) -> bool {
    let old_data = old.as_ref().and_then(|d| d.get("data")).cloned();
    let keyed = |v: &Value| key.map(|k| format!("<hidden: {}>", k.fingerprint(v)));
    let mut hidden = false;
    if let Some(new) = new
        && let Some(data) = new.get_mut("data")
    {
        hidden |= mask(data, |name, v| {
            let before = old_data.as_ref().and_then(|o| if name.is_empty() { Some(o) } else { o.get(name) });
            let changed = before.is_some_and(|b| b != v);
            keyed(v).unwrap_or_else(|| (if changed { HIDDEN_CHANGED } else { HIDDEN }).into())
        });
    }
    if let Some(old) = old
        && let Some(data) = old.get_mut("data")
    {
        hidden |= mask(data, |_, v| keyed(v).unwrap_or_else(|| HIDDEN.into()));
    }
    hidden
}

/// Masks every value of a `data` mapping (or `data` itself when it is not a mapping: key "").
fn mask(data: &mut Value, placeholder: impl Fn(&str, &Value) -> String) -> bool {
    match data {
        Value::Null => false,
        Value::Object(m) => {
            for (k, v) in m.iter_mut() {
                *v = Value::String(placeholder(k, v));
            }
            !m.is_empty()
        }
        other => {
            *other = Value::String(placeholder("", other));
            true
        }
    }
}

/// Removes the paths of the ignore rules that select this object, from one document. Rules
/// that depend on a live field manager are not applied here (ownership is only known during
/// the comparison); rules without a path ignore the whole object's changes, so a resource they
/// select is never reported as changed.
fn strip_ignored(doc: &mut Value, r: &ResourceDiff, scope_obj: Option<&Value>, options: &DiffOptions) {
    let ns = r.resource.namespace.as_deref().unwrap_or("");
    let rules: Vec<&[RuleSeg]> = options
        .ignore
        .iter()
        .filter(|rule| rule.manager.is_none() && !rule.segs.is_empty())
        .filter(|rule| rule.selects(&r.resource.group, &r.resource.kind, ns, &r.resource.name, scope_obj))
        .map(|rule| rule.segs.as_slice())
        .collect();
    if !rules.is_empty() {
        strip(doc, &rules, 0);
    }
}

/// Child selector for rule matching: a mapping key, or a list index with its element.
enum Child<'a> {
    Key(&'a str),
    Elem(usize, &'a Value),
}

fn seg_matches(seg: &RuleSeg, child: &Child<'_>) -> bool {
    match (seg, child) {
        (RuleSeg::Key(g), Child::Key(k)) => glob(g, k),
        (RuleSeg::Key(t), Child::Elem(i, _)) => t.parse::<usize>().is_ok_and(|n| n == *i),
        (RuleSeg::Index(n), Child::Elem(i, _)) => n == i,
        (RuleSeg::Select(pairs), Child::Elem(_, e)) => {
            pairs.iter().all(|(k, g)| glob(g, &key_string(e.get(k).unwrap_or(&Value::Null))))
        }
        (RuleSeg::Any, Child::Elem(..)) => true,
        _ => false,
    }
}

/// Walks `v` at `depth` with the rules whose first `depth` segments matched the path so far.
fn strip(v: &mut Value, rules: &[&[RuleSeg]], depth: usize) {
    // Which rules match each child, and whether one of them ends there (the child is removed).
    let verdict = |child: &Child<'_>| -> (bool, Vec<&[RuleSeg]>) {
        let next: Vec<&[RuleSeg]> =
            rules.iter().copied().filter(|r| r.get(depth).is_some_and(|s| seg_matches(s, child))).collect();
        (next.iter().any(|r| r.len() == depth + 1), next)
    };
    match v {
        Value::Object(m) => {
            let mut drop = Vec::new();
            for (k, child) in m.iter_mut() {
                let (remove, next) = verdict(&Child::Key(k));
                if remove {
                    drop.push(k.clone());
                } else if !next.is_empty() {
                    strip(child, &next, depth + 1);
                }
            }
            for k in drop {
                m.shift_remove(&k);
            }
        }
        Value::Array(items) => {
            let mut keep = Vec::with_capacity(items.len());
            for (i, mut child) in std::mem::take(items).into_iter().enumerate() {
                let (remove, next) = verdict(&Child::Elem(i, &child));
                if remove {
                    continue;
                }
                if !next.is_empty() {
                    strip(&mut child, &next, depth + 1);
                }
                keep.push(child);
            }
            *items = keep;
        }
        _ => {}
    }
}

pub(crate) fn key_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

/// How the lists of one object are matched, as the comparison matches them.
pub(crate) struct ListTypes<'a> {
    kind: &'a str,
    builtin: bool,
    crd: Option<&'a CrdInfo>,
    pod_roots: Vec<String>,
    /// Every list by position (plain JSON, no Kubernetes types).
    positional: bool,
    /// Raw paths of lists compared as sets (`set_semantics`).
    sets: Vec<String>,
}

impl<'a> ListTypes<'a> {
    pub(crate) fn new(r: &'a ResourceDiff, crd: Option<&'a CrdInfo>, options: &DiffOptions) -> ListTypes<'a> {
        let kind = r.resource.kind.as_str();
        let pod_roots = super::pod_roots(&options.pod_specs, kind);
        let builtin = schema::builtin_scope(&r.resource.group, kind).is_some();
        let sets = super::set_semantics_paths(&options.set_semantics, kind);
        ListTypes { kind, builtin, crd, pod_roots, positional: false, sets }
    }

    /// Whether the list at raw schema path `raw` is compared as a set (`set_semantics`).
    pub(crate) fn is_set(&self, raw: &str) -> bool {
        !self.positional && self.sets.iter().any(|s| s == raw)
    }

    /// No list is keyed: every list is compared by position (plain JSON).
    pub(crate) fn none() -> ListTypes<'static> {
        ListTypes {
            kind: "",
            builtin: false,
            crd: None,
            pod_roots: Vec::new(),
            positional: true,
            sets: Vec::new(),
        }
    }

    /// Merge keys of the list at raw schema path `raw` (`spec.template.spec.containers`) and
    /// whether its order matters (env), if it is a map list.
    pub(crate) fn keys(&self, raw: &str) -> Option<(&'a [String], bool)> {
        if self.positional {
            return None;
        }
        let canon = schema::canonical(self.kind, raw, &self.pod_roots);
        let builtin_path = self.builtin || canon.starts_with("POD") || canon.starts_with("PVC");
        let t = builtin_path
            .then(|| schema::builtin_list_type(&canon))
            .flatten()
            .or_else(|| self.crd.and_then(|c| c.lists.get(raw)));
        match t {
            Some(ListType::Map { keys, ordered }) if !keys.is_empty() => Some((keys.as_slice(), *ordered)),
            _ => None,
        }
    }
}

/// The merge-key string of a list element (`name=app`), with the server's key defaults.
pub(crate) fn elem_key(e: &Value, keys: &[String]) -> String {
    let mut out = String::new();
    for (i, k) in keys.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let v = e.get(k).filter(|v| !v.is_null()).cloned().or_else(|| schema::key_default(k));
        out.push_str(k);
        out.push('=');
        out.push_str(&key_string(&v.unwrap_or(Value::Null)));
    }
    out
}

/// `old/<apiVersion>/<kind>/<namespace>/<name>` (no namespace segment when cluster-scoped).
pub(crate) fn display_name(r: &ResourceDiff, old_side: bool) -> String {
    let api = match (&r.old_api_version, old_side) {
        (Some(v), true) => v.as_str(),
        _ => r.resource.api_version.as_str(),
    };
    let name = match (&r.renamed_from, old_side) {
        (Some(from), true) => from.as_str(),
        _ => r.resource.name.as_str(),
    };
    let ns = r.resource.namespace.as_deref().map_or_else(String::new, |n| format!("{n}/"));
    format!("{api}/{}/{ns}{name}", r.resource.kind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{IgnoreRule, diff};
    use serde_json::json;

    fn docs(old: &str, new: &str, options: &DiffOptions) -> Vec<(Option<Value>, Option<Value>, bool)> {
        let a = ManifestSet::from_str(old, "<old>").unwrap();
        let b = ManifestSet::from_str(new, "<new>").unwrap();
        let report = diff(&a, &b, options);
        let ctx = Context::new(&a, &b);
        pairs(&report, &ctx, options).into_iter().map(|p| (p.old, p.new, p.hidden)).collect()
    }

    #[test]
    fn identity_first_and_server_metadata_dropped() {
        let old = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, uid: x1, resourceVersion: '3'}\ndata: {a: '1'}\n";
        let new = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: '2'}\n";
        let d = docs(old, new, &DiffOptions::default());
        let want_old = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "default"}, "data": {"a": "1"}});
        assert_eq!(d[0].0.as_ref(), Some(&want_old));
        assert_eq!(d[0].1.as_ref().unwrap()["data"]["a"], "2");
        let keys: Vec<&String> = d[0].1.as_ref().unwrap().as_object().unwrap().keys().collect();
        assert_eq!(keys, ["apiVersion", "kind", "metadata", "data"]);
    }

    #[test]
    fn ignored_paths_leave_both_sides() {
        let old = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n      - {name: app, image: a}\n      - {name: istio-proxy, image: p1}\n";
        let new = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n      - {name: app, image: b}\n      - {name: istio-proxy, image: p2}\n";
        let mut o = DiffOptions::default();
        o.ignore
            .push(IgnoreRule::from_json(&json!("spec.template.spec.containers[name=istio-proxy]")).unwrap());
        o.ignore.push(IgnoreRule::from_json(&json!("/spec/replicas")).unwrap());
        let d = docs(old, new, &o);
        for doc in [d[0].0.as_ref().unwrap(), d[0].1.as_ref().unwrap()] {
            assert_eq!(doc["spec"]["template"]["spec"]["containers"].as_array().unwrap().len(), 1);
            assert!(doc["spec"].get("replicas").is_none());
        }
    }

    #[test]
    fn secret_values_become_placeholders() {
        let old = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {same: aGk=, changed: aHVudGVyMg==, gone: eA==}\n";
        let new = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {same: hi, changed: hunter3, fresh: y}\n";
        let d = docs(old, new, &DiffOptions::default());
        let (o, n, hidden) = &d[0];
        assert!(hidden);
        assert_eq!(o.as_ref().unwrap()["data"], json!({"same": HIDDEN, "changed": HIDDEN, "gone": HIDDEN}));
        assert_eq!(
            n.as_ref().unwrap()["data"],
            json!({"same": HIDDEN, "changed": HIDDEN_CHANGED, "fresh": HIDDEN})
        );
        let keyed =
            docs(old, new, &DiffOptions { secret_key: SecretKey::new("k").ok(), ..DiffOptions::default() });
        let (ko, kn) = (keyed[0].0.as_ref().unwrap(), keyed[0].1.as_ref().unwrap());
        // printf %s hunter2 | openssl dgst -sha256 -hmac k
        assert_eq!(ko["data"]["changed"], "<hidden: hmac-sha256:0cd9cde64b418f83>");
        assert_ne!(ko["data"]["changed"], kn["data"]["changed"]);
        assert_eq!(ko["data"]["same"], kn["data"]["same"]);
        let shown = docs(old, new, &DiffOptions { show_secrets: true, ..DiffOptions::default() });
        assert_eq!(shown[0].1.as_ref().unwrap()["data"]["changed"], "aHVudGVyMw==");
        assert!(!shown[0].2);
    }
}
