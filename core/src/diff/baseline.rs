//! Stable change ids and the acknowledged-drift baseline (reference d.21).
//!
//! Every reported change carries an `id`: the first 16 hex digits of SHA-256 over
//!
//! ```text
//! gitops-kit/diff-id/v1 LF group LF kind LF namespace LF name LF path LF op LF old LF new
//! ```
//!
//! where `group` is the API group of the identity (empty for core), `namespace` is empty for
//! cluster-scoped objects, `path` and `op` are as reported, and `old`/`new` are the reported
//! values as canonical JSON (object keys sorted by their UTF-8 bytes, no whitespace, numbers as
//! JSON writes them, `null` when absent). The id does not depend on files, lines, the
//! apiVersion or the order of the inputs, so it is the same across runs, machines and
//! platforms. A hidden Secret value is not printed and not part of `old`/`new`; instead `old` is
//! `hidden:` followed by a hex digest of both values and `new` is empty. The digest is
//! HMAC-SHA256 keyed by `secret_key` when one is given, else by a random key of the run — an
//! unkeyed hash would let anyone holding an id test guesses of a weak Secret value. So the ids
//! of Secret value changes are stable across runs only with a key: acknowledging them in a
//! baseline needs `--secret-key-env` (without it they are reported again on the next run, which
//! is the safe side). Added, removed and renamed objects get a
//! resource id the same way, with an empty path, the change (`added`, `removed`, `renamed`) as
//! op, the OLD name (renamed) or `null` as old and the apiVersion as new: acknowledging such an
//! object acknowledges that it exists (or not), not its content.
//!
//! A baseline file (`gitops-kit/diff-baseline/v1`) lists ids the team has accepted, each with an
//! optional note and expiry. Changes with an active id are left out of `resources` and the exit
//! code and listed under `acknowledged`. When the value changes again, the id changes, and the
//! change is reported again.

use super::fingerprint::hex;
use super::{DiffReport, Error, Op, ResourceDiff, ResourceRef, SecretKey, Warning};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::path::Path;

/// The baseline file schema name.
pub const BASELINE_SCHEMA: &str = "gitops-kit/diff-baseline/v1";

/// Appends `v` as canonical JSON: sorted keys, no whitespace.
fn canonical(v: &Value, out: &mut String) {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                canonical(&m[k], out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                canonical(item, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

/// Digest of a hidden Secret value pair (never printed: it only feeds the change id). Without
/// a key it is keyed by a random key of this process: an unkeyed hash would let anyone holding
/// an id test guesses of a weak value offline.
pub(crate) fn secret_digest(old: Option<&Value>, new: Option<&Value>, key: Option<&SecretKey>) -> String {
    let mut text = String::from("gitops-kit/secret-values/v1\n");
    canonical(old.unwrap_or(&Value::Null), &mut text);
    text.push('\n');
    canonical(new.unwrap_or(&Value::Null), &mut text);
    key.unwrap_or_else(|| SecretKey::for_this_run()).mac_hex(text.as_bytes())
}

fn op_name(op: Op) -> String {
    serde_json::to_value(op).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// The id of one change (see the module documentation for the algorithm).
///
/// ```
/// use gitops_kit::diff::{change_id, Op, ResourceRef};
/// let r = ResourceRef { group: "apps".into(), kind: "Deployment".into(), namespace: Some("shop".into()),
///     name: "web".into(), api_version: "apps/v1".into() };
/// let id = change_id(&r, "spec.replicas", Op::Changed, &2.into(), &3.into(), None);
/// assert_eq!(id.len(), 16);
/// assert_eq!(id, change_id(&r, "spec.replicas", Op::Changed, &2.into(), &3.into(), None));
/// assert_ne!(id, change_id(&r, "spec.replicas", Op::Changed, &2.into(), &4.into(), None));
/// ```
#[must_use]
pub fn change_id(
    resource: &ResourceRef,
    path: &str,
    op: Op,
    old: &Value,
    new: &Value,
    secret_digest: Option<&str>,
) -> String {
    id_of(resource, path, &op_name(op), old, new, secret_digest)
}

fn id_of(r: &ResourceRef, path: &str, op: &str, old: &Value, new: &Value, digest: Option<&str>) -> String {
    let mut text = String::from("gitops-kit/diff-id/v1\n");
    for part in [r.group.as_str(), &r.kind, r.namespace.as_deref().unwrap_or(""), &r.name, path, op] {
        text.push_str(part);
        text.push('\n');
    }
    match digest {
        Some(d) => {
            text.push_str("hidden:");
            text.push_str(d);
            text.push('\n');
        }
        None => {
            canonical(old, &mut text);
            text.push('\n');
            canonical(new, &mut text);
        }
    }
    hex(&Sha256::digest(text.as_bytes())[..8])
}

/// Sets the id of every change and of every added, removed or renamed object.
pub(crate) fn assign_ids(resources: &mut [ResourceDiff]) {
    for r in resources {
        for c in &mut r.changes {
            c.id = id_of(&r.resource, &c.path, &op_name(c.op), &c.old, &c.new, c.secret_digest.as_deref());
        }
        let change = serde_json::to_value(r.change)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        if change != "changed" {
            let old = r.renamed_from.clone().map_or(Value::Null, Value::String);
            let new = Value::String(r.resource.api_version.clone());
            r.id = Some(id_of(&r.resource, "", &change, &old, &new, None));
        }
    }
}

/// One accepted change of a baseline.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BaselineEntry {
    /// The change id.
    pub id: String,
    /// The object, for people reading the file (`Kind namespace/name`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// The field path, for people reading the file (absent for whole objects).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Why it was accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// When the acceptance ends: a date (`2027-01-31`, the end of that day in UTC) or an RFC 3339
    /// timestamp.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    #[serde(skip)]
    until: Option<jiff::Timestamp>,
}

/// A `gitops-kit/diff-baseline/v1` file: the ids of accepted (acknowledged) changes.
///
/// ```
/// use gitops_kit::diff::{diff_texts, Baseline, DiffOptions};
/// let old = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: '1'}\n";
/// let new = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: '2'}\n";
/// let report = diff_texts(old, new, &DiffOptions::default()).unwrap();
/// assert_eq!(report.exit_code, 1);
/// let options = DiffOptions { baseline: Some(Baseline::from_report(&report, None)), ..Default::default() };
/// let again = diff_texts(old, new, &options).unwrap();
/// assert_eq!((again.exit_code, again.summary.acknowledged), (0, 1));
/// let changed_again = diff_texts(old, &new.replace("'2'", "'3'"), &options).unwrap();
/// assert_eq!(changed_again.exit_code, 1, "a new value is a new id");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Baseline {
    /// `gitops-kit/diff-baseline/v1`.
    pub schema: &'static str,
    /// Accepted changes.
    pub changes: Vec<BaselineEntry>,
}

fn end_of(expires: &str) -> Option<jiff::Timestamp> {
    if let Ok(t) = expires.parse::<jiff::Timestamp>() {
        return Some(t);
    }
    let date = expires.parse::<jiff::civil::Date>().ok()?;
    date.tomorrow().ok()?.to_zoned(jiff::tz::TimeZone::UTC).ok().map(|z| z.timestamp())
}

impl Baseline {
    /// Reads a baseline from JSON: `{"schema": "gitops-kit/diff-baseline/v1", "changes": [...]}`
    /// where each change is an id string or `{id, resource?, path?, note?, expires?}`.
    /// `source_name` names the input in errors.
    ///
    /// # Errors
    /// `diff.invalid-baseline` for another schema, unknown keys, wrong types or a bad expiry.
    pub fn from_json(value: &Value, source_name: &str) -> Result<Baseline, Error> {
        let bad = |m: String| Error::InvalidBaseline { source_name: source_name.to_string(), message: m };
        let map = value.as_object().ok_or_else(|| bad("a baseline is a JSON object".into()))?;
        match map.get("schema").and_then(Value::as_str) {
            Some(BASELINE_SCHEMA) => {}
            other => return Err(bad(format!("schema must be {BASELINE_SCHEMA:?}, not {other:?}"))),
        }
        if let Some(k) = map.keys().find(|k| !matches!(k.as_str(), "schema" | "changes")) {
            return Err(bad(format!("unknown key {k:?}")));
        }
        let items = match map.get("changes") {
            None | Some(Value::Null) => &Vec::new(),
            Some(Value::Array(items)) => items,
            Some(_) => return Err(bad("changes must be a list".into())),
        };
        let changes = items.iter().map(|i| entry(i).map_err(&bad)).collect::<Result<_, _>>()?;
        Ok(Baseline { schema: BASELINE_SCHEMA, changes })
    }

    /// Reads a baseline option as the bindings pass it: a file path (string), the parsed
    /// object, or null (no baseline).
    ///
    /// ```
    /// let b = gitops_kit::diff::Baseline::from_option(&serde_json::json!(
    ///     {"schema": "gitops-kit/diff-baseline/v1", "changes": ["0123456789abcdef"]})).unwrap();
    /// assert_eq!(b.unwrap().changes[0].id, "0123456789abcdef");
    /// ```
    ///
    /// # Errors
    /// As [`Baseline::from_path`] and [`Baseline::from_json`].
    pub fn from_option(value: &Value) -> Result<Option<Baseline>, Error> {
        match value {
            Value::Null => Ok(None),
            Value::String(path) => Baseline::from_path(Path::new(path)).map(Some),
            other => Baseline::from_json(other, "<baseline>").map(Some),
        }
    }

    /// Reads a baseline file.
    ///
    /// # Errors
    /// `diff.invalid-baseline` when it cannot be read, is not JSON, or as [`Baseline::from_json`].
    pub fn from_path(path: &Path) -> Result<Baseline, Error> {
        let name = path.display().to_string();
        let bad = |m: String| Error::InvalidBaseline { source_name: name.clone(), message: m };
        let text = std::fs::read_to_string(path).map_err(|e| bad(format!("cannot read: {e}")))?;
        let value: Value = serde_json::from_str(&text).map_err(|e| bad(format!("not JSON: {e}")))?;
        Baseline::from_json(&value, &name)
    }

    /// The baseline accepting every change of `report` that counts (reported, hidden by `hide`
    /// rules, and already acknowledged ones; foreign changes are never counted, so never
    /// listed), keeping the notes and expiries of `previous`.
    ///
    /// ```
    /// use gitops_kit::diff::{Baseline, DiffOptions, diff_texts};
    /// let old = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {mode: blue}\n";
    /// let new = old.replace("blue", "green");
    /// let drift = diff_texts(old, &new, &DiffOptions::default()).unwrap();
    /// assert_eq!(drift.exit_code, 1);
    /// // Accept the drift: written as a file, read back, the same change no longer counts.
    /// let text = Baseline::from_report(&drift, None).to_json_text();
    /// let baseline = Baseline::from_json(&serde_json::from_str(&text).unwrap(), "b.json").unwrap();
    /// let options = DiffOptions { baseline: Some(baseline), ..DiffOptions::default() };
    /// let again = diff_texts(old, &new, &options).unwrap();
    /// assert_eq!((again.exit_code, again.summary.acknowledged), (0, 1));
    /// // A further change of the value is reported again.
    /// assert_eq!(diff_texts(old, &old.replace("blue", "red"), &options).unwrap().exit_code, 1);
    /// ```
    #[must_use]
    pub fn from_report(report: &DiffReport, previous: Option<&Baseline>) -> Baseline {
        let mut value = serde_json::to_value(report).unwrap_or(Value::Null);
        // The hidden changes are added whole (with resource and path), not by id alone.
        if let Some(map) = value.as_object_mut() {
            map.remove("hidden_ids");
        }
        if let Some(acked) = value.get_mut("acknowledged").and_then(Value::as_array_mut) {
            acked.extend(report.hidden_changes.iter().filter_map(|h| serde_json::to_value(h).ok()));
        } else if let Some(map) = value.as_object_mut() {
            let hidden = report.hidden_changes.iter().filter_map(|h| serde_json::to_value(h).ok()).collect();
            map.insert("acknowledged".into(), Value::Array(hidden));
        }
        Baseline::from_report_json(&value, previous)
    }

    /// As [`Baseline::from_report`], from the JSON form of a report (what the bindings hold);
    /// changes hidden by `hide` rules are there as `hidden_ids` and accepted by id.
    #[must_use]
    pub fn from_report_json(report: &Value, previous: Option<&Baseline>) -> Baseline {
        let kept: HashMap<&str, &BaselineEntry> =
            previous.map(|b| b.changes.iter().map(|e| (e.id.as_str(), e)).collect()).unwrap_or_default();
        let mut changes = Vec::new();
        let mut add = |id: Option<&str>, resource: Option<String>, path: Option<&str>| {
            let Some(id) = id else { return };
            let old = kept.get(id);
            changes.push(BaselineEntry {
                id: id.to_string(),
                resource,
                path: path.map(str::to_string),
                note: old.and_then(|e| e.note.clone()),
                expires: old.and_then(|e| e.expires.clone()),
                until: old.and_then(|e| e.until),
            });
        };
        let empty = Vec::new();
        let list = |k: &str| report.get(k).and_then(Value::as_array).unwrap_or(&empty);
        for r in list("resources") {
            let name = display(r.get("resource").unwrap_or(&Value::Null));
            add(r.get("id").and_then(Value::as_str), Some(name.clone()), None);
            for c in r.get("changes").and_then(Value::as_array).unwrap_or(&empty) {
                let path = c.get("path").and_then(Value::as_str);
                add(c.get("id").and_then(Value::as_str), Some(name.clone()), path);
            }
        }
        for a in list("acknowledged") {
            let resource = a.get("resource").and_then(Value::as_str).unwrap_or_default().to_string();
            add(a.get("id").and_then(Value::as_str), Some(resource), a.get("path").and_then(Value::as_str));
        }
        for id in list("hidden_ids") {
            add(id.as_str(), None, None);
        }
        changes.sort_by(|a, b| (&a.resource, &a.path, &a.id).cmp(&(&b.resource, &b.path, &b.id)));
        changes.dedup_by(|a, b| a.id == b.id);
        Baseline { schema: BASELINE_SCHEMA, changes }
    }

    /// The file text (pretty JSON, ending with a newline).
    #[must_use]
    pub fn to_json_text(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_default();
        s.push('\n');
        s
    }

    /// Writes the file.
    ///
    /// # Errors
    /// `diff.invalid-baseline` when it cannot be written.
    pub fn write(&self, path: &Path) -> Result<(), Error> {
        std::fs::write(path, self.to_json_text()).map_err(|e| Error::InvalidBaseline {
            source_name: path.display().to_string(),
            message: format!("cannot write: {e}"),
        })
    }
}

fn entry(v: &Value) -> Result<BaselineEntry, String> {
    let mut e = BaselineEntry {
        id: String::new(),
        resource: None,
        path: None,
        note: None,
        expires: None,
        until: None,
    };
    match v {
        Value::String(id) => e.id.clone_from(id),
        Value::Object(m) => read_entry(m, &mut e)?,
        _ => return Err("a change is an id string or an object with an id".into()),
    }
    let is_hex = e.id.len() == 16 && e.id.bytes().all(|b| b.is_ascii_hexdigit());
    if !is_hex {
        return Err(format!("{:?} is not a change id (16 hex digits)", e.id));
    }
    if let Some(x) = &e.expires {
        e.until = Some(end_of(x).ok_or_else(|| format!("expires {x:?} is not a date or an RFC 3339 time"))?);
    }
    Ok(e)
}

fn read_entry(m: &Map<String, Value>, e: &mut BaselineEntry) -> Result<(), String> {
    for (k, v) in m {
        let s = match v {
            Value::String(s) => Some(s.clone()),
            Value::Null => None,
            _ => return Err(format!("{k} must be a string")),
        };
        match k.as_str() {
            "id" => e.id = s.unwrap_or_default(),
            "resource" => e.resource = s,
            "path" => e.path = s,
            "note" => e.note = s,
            "expires" => e.expires = s,
            other => return Err(format!("unknown key {other:?} in a change")),
        }
    }
    Ok(())
}

/// `Kind namespace/name` of an identity.
pub(crate) fn display_ref(r: &ResourceRef) -> String {
    display(&serde_json::to_value(r).unwrap_or(Value::Null))
}

fn display(r: &Value) -> String {
    let s = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or_default();
    match r.get("namespace").and_then(Value::as_str) {
        Some(ns) => format!("{} {ns}/{}", s("kind"), s("name")),
        None => format!("{} {}", s("kind"), s("name")),
    }
}

/// A change left out because a baseline accepts it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Acknowledged {
    /// The change id.
    pub id: String,
    /// The object (`Kind namespace/name`).
    pub resource: String,
    /// The field path (absent for a whole object).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The baseline's note.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// Leaves out of `report.resources` every change `baseline` accepts at `now`; expired entries
/// that still match a change become `diff.baseline-expired` warnings.
pub(crate) fn apply(report: &mut DiffReport, baseline: &Baseline, now: jiff::Timestamp) {
    let by_id: HashMap<&str, &BaselineEntry> = baseline.changes.iter().map(|e| (e.id.as_str(), e)).collect();
    let mut acknowledged = Vec::new();
    let mut warnings = Vec::new();
    let mut accepts = |id: &str, resource: &ResourceRef, path: Option<&str>| -> bool {
        let Some(e) = by_id.get(id) else { return false };
        let name = display_ref(resource);
        if e.until.is_some_and(|t| t <= now) {
            warnings.push(Warning {
                code: "diff.baseline-expired".into(),
                message: format!(
                    "baseline entry {id} ({name}{}) expired {}; the change is reported again",
                    path.map(|p| format!(" {p}")).unwrap_or_default(),
                    e.expires.as_deref().unwrap_or_default()
                ),
                location: None,
            });
            return false;
        }
        acknowledged.push(Acknowledged {
            id: id.to_string(),
            resource: name,
            path: path.map(str::to_string),
            note: e.note.clone(),
        });
        true
    };
    // A changed object all of whose changes are accepted is in its accepted state: unchanged.
    let mut now_unchanged = 0;
    report.resources.retain_mut(|r| {
        let resource = r.resource.clone();
        r.changes.retain(|c| !accepts(&c.id, &resource, Some(&c.path)));
        let whole_accepted = r.id.as_deref().is_some_and(|id| accepts(id, &resource, None));
        super::recompute_impact(r);
        let keep = match r.change {
            super::ChangeKind::Changed => !r.changes.is_empty(),
            _ => !(whole_accepted && r.changes.is_empty()),
        };
        now_unchanged += usize::from(!keep && r.change == super::ChangeKind::Changed);
        keep
    });
    report.summary.unchanged += now_unchanged;
    report.summary.acknowledged = acknowledged.len();
    report.acknowledged = acknowledged;
    report.warnings.extend(warnings);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn canonical_sorts_keys_at_every_level() {
        let mut s = String::new();
        canonical(&json!({"b": [{"y": 1, "x": "é"}], "a": null}), &mut s);
        assert_eq!(s, r#"{"a":null,"b":[{"x":"é","y":1}]}"#);
    }

    #[test]
    fn id_is_the_documented_hash() {
        let r = ResourceRef {
            group: "apps".into(),
            kind: "Deployment".into(),
            namespace: Some("shop".into()),
            name: "web".into(),
            api_version: "apps/v1".into(),
        };
        let text = "gitops-kit/diff-id/v1\napps\nDeployment\nshop\nweb\nspec.replicas\nchanged\n2\n3";
        let want = hex(&Sha256::digest(text.as_bytes())[..8]);
        assert_eq!(change_id(&r, "spec.replicas", Op::Changed, &json!(2), &json!(3), None), want);
    }

    #[test]
    fn baselines_parse_and_reject() {
        let ok = json!({"schema": BASELINE_SCHEMA, "changes": ["0123456789abcdef",
            {"id": "fedcba9876543210", "note": "HPA", "expires": "2027-01-31"}]});
        let b = Baseline::from_json(&ok, "b.json").unwrap();
        assert_eq!(b.changes.len(), 2);
        assert_eq!(b.changes[1].until, "2027-02-01T00:00:00Z".parse().ok());
        for bad in [
            json!({"schema": "x", "changes": []}),
            json!({"schema": BASELINE_SCHEMA, "changes": ["xyz"]}),
            json!({"schema": BASELINE_SCHEMA, "changes": [{"id": "0123456789abcdef", "expires": "soon"}]}),
            json!({"schema": BASELINE_SCHEMA, "changes": [{"id": "0123456789abcdef", "by": "me"}]}),
            json!({"schema": BASELINE_SCHEMA, "extra": 1}),
            json!([]),
        ] {
            let e = Baseline::from_json(&bad, "b.json").unwrap_err();
            assert_eq!(e.code(), "diff.invalid-baseline", "{bad}");
        }
    }
}
