//! Semantic, Kubernetes-aware diff of two manifest sets, and offline drift detection against a
//! `kubectl get -o yaml` export.
//!
//! Objects are matched by identity (group, kind, namespace, name; the version is not part of
//! it). Fields are compared the way Kubernetes reads them: lists by their merge keys,
//! quantities and numbers by value, server defaults and null/empty/absent equivalences per
//! field, Secret values hidden. Every change carries its path, JSON pointer, impact class and the
//! file/line/column of both sides.
//!
//! ```
//! use gitops_kit::diff::{diff_texts, DiffOptions};
//! let old = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - {name: app, image: 'app:1', resources: {limits: {cpu: 1000m}}}\n";
//! let new = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      containers:\n      - {name: app, image: 'app:2', resources: {limits: {cpu: '1'}}}\n";
//! let report = diff_texts(old, new, &DiffOptions::default()).unwrap();
//! let change = &report.resources[0].changes[0];
//! assert_eq!(change.path, "spec.template.spec.containers[name=app].image");
//! assert_eq!(change.new_location.as_ref().unwrap().line, 8);
//! assert_eq!(report.exit_code, 1);
//! ```
//!
//! Drift against a live export: [`Mode::Ownership`] reads the live `managedFields`, so fields a
//! mutating webhook or another manager added are `foreign` (counted, not failing); `hide` rules
//! filter outputs without changing the verdict; a [`Baseline`] acknowledges known drift by
//! change id ([`change_id`]).
//!
//! ```
//! use gitops_kit::diff::{diff_texts, DiffOptions, Mode};
//! let live = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  uid: x\n  managedFields:\n  - {manager: argocd-controller, fieldsV1: {f:data: {f:a: {}}}}\ndata: {a: '1', injected: 'yes'}\n";
//! let desired = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: '1'}\n";
//! let options = DiffOptions { mode: Mode::Ownership, show_foreign: true, ..Default::default() };
//! let report = diff_texts(live, desired, &options).unwrap();
//! assert_eq!((report.exit_code, report.summary.foreign), (0, 1));
//! assert_eq!(report.foreign[0].changes[0].foreign.as_deref(), Some("webhook"));
//! ```

mod baseline;
mod compare;
mod documents;
pub mod duration;
mod error;
mod fingerprint;
pub mod ignore;
mod inputs;
mod normalize;
mod output;
pub mod patch;
pub mod quantity;
mod rename;
pub mod render;
pub mod schema;
mod unified;

pub use baseline::{Acknowledged, BASELINE_SCHEMA, Baseline, BaselineEntry, change_id};
pub use documents::{HIDDEN, HIDDEN_CHANGED};
pub use error::Error;
pub use fingerprint::SecretKey;
pub use ignore::IgnoreRule;
pub use inputs::DiffInputs;
pub use normalize::STEPS;
pub use output::{Format, Rendered, render_report, render_sets, render_sources, render_texts, write_report};
pub use patch::{PATCH_SCHEMA, PatchOp, PatchReport, ResourcePatch, json_patch, patch};
pub use unified::{CONTEXT_LINES, unified};

use crate::Location;
use crate::manifest::{ManifestSet, Resource};
use crate::yaml::ParseOptions;
use compare::{Engine, RawChange, Setup};
use normalize::Prepared;
use rayon::prelude::*;
use serde_json::Value;
use std::collections::hash_map::Entry as Slot;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

/// The report schema name.
pub const SCHEMA: &str = "gitops-kit/diff/v1";

/// Which fields are compared.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// When OLD is a live export: only fields NEW (desired) or OLD's last-applied annotation sets.
    #[default]
    Apply,
    /// Every field, minus the normalization profile.
    Strict,
    /// When OLD is a live export: the live `managedFields` decide. Fields the desired side sets
    /// and live-only fields owned by one of our managers ([`DiffOptions::managers`]) are
    /// compared; live-only fields another manager (or, with no owner, a webhook) wrote are
    /// `foreign`: counted in the summary, left out of the exit code and the outputs.
    Ownership,
}

impl Mode {
    /// Reads `apply`, `strict` or `ownership`.
    ///
    /// ```
    /// assert_eq!(gitops_kit::diff::Mode::parse("ownership").unwrap(), gitops_kit::diff::Mode::Ownership);
    /// ```
    ///
    /// # Errors
    /// `diff.invalid-argument` for another name.
    pub fn parse(s: &str) -> Result<Mode, Error> {
        Ok(match s {
            "apply" => Mode::Apply,
            "strict" => Mode::Strict,
            "ownership" => Mode::Ownership,
            other => {
                return Err(Error::InvalidArgument(format!(
                    "mode must be apply, strict or ownership, not {other:?}"
                )));
            }
        })
    }
}

/// Field managers that apply a desired state from git (ownership mode's default "ours"):
/// Argo CD (server-side and client-side apply), Flux (kustomize and helm controllers), Helm,
/// `kubectl apply` (server-side `kubectl`, client-side `kubectl-client-side-apply`) and
/// gitops-kit. `kubectl-edit`, `kubectl-patch` and controllers are not among them: their fields
/// are foreign.
pub const DEFAULT_MANAGERS: [&str; 8] = [
    "argocd-controller",
    "argocd-application-controller",
    "kustomize-controller",
    "helm-controller",
    "helm",
    "kubectl",
    "kubectl-client-side-apply",
    "gitops-kit",
];

/// Named set-semantics rules ([`DiffOptions::set_semantics`]).
pub const SET_SEMANTICS_RULES: [(&str, &str); 1] =
    [("hpa-metrics-set", "HorizontalPodAutoscaler:spec.metrics")];

/// What a change does to the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Impact {
    /// The pod template changes: pods are replaced.
    Rollout,
    /// Only `spec.replicas`.
    Scale,
    /// Only metadata.
    Metadata,
    /// A field the API server refuses to update: apply fails, recreate needed.
    Immutable,
    /// Removal of a PVC, PV, Namespace or CRD.
    Destructive,
    /// Any other configuration change.
    Config,
}

impl Impact {
    /// Reads `rollout`, `scale`, `metadata`, `immutable`, `destructive`, `config`.
    ///
    /// # Errors
    /// `diff.invalid-argument` for another name.
    pub fn parse(s: &str) -> Result<Impact, Error> {
        Ok(match s {
            "rollout" => Impact::Rollout,
            "scale" => Impact::Scale,
            "metadata" => Impact::Metadata,
            "immutable" => Impact::Immutable,
            "destructive" => Impact::Destructive,
            "config" => Impact::Config,
            other => return Err(Error::InvalidArgument(format!("unknown impact class {other:?}"))),
        })
    }
}

/// What happened to one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Op {
    /// Only NEW has it.
    Added,
    /// Only OLD has it.
    Removed,
    /// Both have it, with different values.
    Changed,
    /// The order of an ordered list changed (env).
    Moved,
    /// A value has the wrong type for its field (`containerPort: "8080"`).
    TypeError,
}

/// What happened to one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeKind {
    /// Only in NEW.
    Added,
    /// Only in OLD.
    Removed,
    /// In both, with differences.
    Changed,
    /// Paired with a differently named object of the same kind (see `renamed_from`).
    Renamed,
}

/// Options of a diff.
#[derive(Debug, Clone, Default)]
pub struct DiffOptions {
    /// `apply` (default), `strict` or `ownership`.
    pub mode: Mode,
    /// Namespace of namespaced objects that have none (default `default`).
    pub namespace: Option<String>,
    /// Ignore rules.
    pub ignore: Vec<IgnoreRule>,
    /// Output-only filters (same syntax as `ignore`): matching changes are left out of every
    /// output but still count toward the exit code; the report says how many
    /// (`summary.hidden` and a `diff.hidden-changes` warning).
    pub hide: Vec<IgnoreRule>,
    /// Ownership mode: globs of our field managers (empty: [`DEFAULT_MANAGERS`]).
    pub managers: Vec<String>,
    /// Ownership mode: list foreign changes in the report (`foreign`) and the outputs.
    pub show_foreign: bool,
    /// Lists compared as sets, order ignored: `Kind:path` (`HorizontalPodAutoscaler:spec.metrics`)
    /// or a named rule of [`SET_SEMANTICS_RULES`] (`hpa-metrics-set`).
    pub set_semantics: Vec<String>,
    /// Accepted changes: left out of the resources and the exit code, listed as `acknowledged`.
    pub baseline: Option<Baseline>,
    /// Show Secret values instead of hiding them.
    pub show_secrets: bool,
    /// Record which normalization step equalized what (`explain` in the report).
    pub explain: bool,
    /// Only changes of these impact classes make the exit code 1.
    pub fail_on: Vec<Impact>,
    /// Extra pod-spec locations in custom kinds, `Kind:path` (`Rollout:spec.template.spec` is built in).
    pub pod_specs: Vec<String>,
    /// Pair removed and added objects as renames (default on).
    pub no_renames: bool,
    /// How YAML is read.
    pub parse: ParseOptions,
    /// Key of the fingerprints of hidden Secret values (`old_fingerprint`/`new_fingerprint`);
    /// none by default. Never read from a config file.
    pub secret_key: Option<SecretKey>,
}

fn str_list(v: &Value, key: &str) -> Result<Vec<String>, Error> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| Error::InvalidArgument(format!("{key} must hold strings")))
            })
            .collect(),
        _ => Err(Error::InvalidArgument(format!("{key} must be a string or a list of strings"))),
    }
}

impl DiffOptions {
    /// Reads options from JSON (the Python and Node bindings pass them this way): `mode`
    /// (`apply`, `strict`, `ownership`), `namespace`, `ignore` (list of rules), `hide` (list of
    /// output-only rules), `manager` (ownership mode's managers, a name/glob or a list),
    /// `show_foreign`, `set_semantics` (`Kind:path` or `hpa-metrics-set`, one or a list),
    /// `baseline` (a baseline file path, or the parsed `gitops-kit/diff-baseline/v1` object),
    /// `show_secrets`, `explain`, `fail_on` (class or list), `pod_specs`, `renames` (bool),
    /// `lenient`, `config` (a gitops-kit.yaml path whose `diff:` section is read first),
    /// `secret_key` (a string: the key of Secret fingerprints; never read from the config file).
    /// camelCase keys are accepted too.
    ///
    /// ```
    /// let o = gitops_kit::diff::DiffOptions::from_json(&serde_json::json!({
    ///     "mode": "ownership", "failOn": "immutable", "manager": "argocd-*",
    ///     "hide": ["metadata.labels"], "setSemantics": "hpa-metrics-set"})).unwrap();
    /// assert_eq!(o.mode, gitops_kit::diff::Mode::Ownership);
    /// assert_eq!((o.managers.len(), o.hide.len(), o.set_semantics.len()), (1, 1, 1));
    /// ```
    ///
    /// # Errors
    /// `diff.invalid-argument` for unknown keys or wrong types, `diff.invalid-rule`, or config errors.
    pub fn from_json(value: &Value) -> Result<DiffOptions, crate::Error> {
        let mut o = DiffOptions::default();
        let Some(map) = value.as_object() else {
            if value.is_null() {
                return Ok(o);
            }
            return Err(Error::InvalidArgument("options must be a mapping".into()).into());
        };
        if let Some(path) = map.get("config").and_then(Value::as_str) {
            o = DiffOptions::from_config_file(Path::new(path))?;
        }
        let mut map = map.clone();
        for k in ["secret_key", "secretKey"] {
            match map.remove(k) {
                Some(Value::String(key)) => o.secret_key = Some(SecretKey::new(key)?),
                Some(Value::Null) | None => {}
                Some(_) => return Err(Error::InvalidArgument(format!("{k} must be a string")).into()),
            }
        }
        o.apply_json(&map, None)?;
        Ok(o)
    }

    /// Applies option keys; a relative `baseline` path is read from `base` (the config file's
    /// directory) when given, else from the current directory.
    fn apply_json(
        &mut self,
        map: &serde_json::Map<String, Value>,
        base: Option<&Path>,
    ) -> Result<(), crate::Error> {
        let bool_of = |v: &Value, k: &str| {
            v.as_bool().ok_or_else(|| Error::InvalidArgument(format!("{k} must be a boolean")))
        };
        for (k, v) in map {
            match k.as_str() {
                "config" => {}
                "mode" => {
                    let name = v.as_str().ok_or_else(|| {
                        Error::InvalidArgument("mode must be apply, strict or ownership".into())
                    })?;
                    self.mode = Mode::parse(name)?;
                }
                "namespace" => self.namespace = v.as_str().map(str::to_string),
                "ignore" => self.ignore.extend(rules(v)?),
                "hide" => self.hide.extend(rules(v)?),
                "manager" | "managers" => self.managers = str_list(v, k)?,
                "show_foreign" | "showForeign" => self.show_foreign = bool_of(v, k)?,
                "set_semantics" | "setSemantics" => {
                    self.set_semantics = str_list(v, k)?;
                    for s in &self.set_semantics {
                        set_semantics_path(s)?;
                    }
                }
                "baseline" => {
                    let v = match (v, base) {
                        (Value::String(p), Some(dir)) if Path::new(p).is_relative() => {
                            Value::String(dir.join(p).display().to_string())
                        }
                        _ => v.clone(),
                    };
                    self.baseline = Baseline::from_option(&v)?;
                }
                "show_secrets" | "showSecrets" => self.show_secrets = bool_of(v, k)?,
                "explain" => self.explain = bool_of(v, k)?,
                "renames" => self.no_renames = !bool_of(v, k)?,
                "lenient" => {
                    if bool_of(v, k)? {
                        self.parse = ParseOptions::lenient();
                    }
                }
                "fail_on" | "failOn" => {
                    self.fail_on =
                        str_list(v, k)?.iter().map(|s| Impact::parse(s)).collect::<Result<_, _>>()?;
                }
                "pod_specs" | "podSpecs" => self.pod_specs = str_list(v, k)?,
                other => return Err(Error::InvalidArgument(format!("unknown diff option {other:?}")).into()),
            }
        }
        Ok(())
    }

    /// Reads the `diff:` section of a `gitops-kit.yaml` (same keys as [`DiffOptions::from_json`]).
    ///
    /// # Errors
    /// `manifest.io`-style read errors as `diff.invalid-config`, YAML errors, bad options.
    pub fn from_config_file(path: &Path) -> Result<DiffOptions, crate::Error> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| Error::InvalidConfig {
            location: Location { file: name.clone(), line: 1, column: 1 },
            message: format!("cannot read config: {e}"),
        })?;
        let docs = crate::yaml::parse_str(&text, &name)?;
        let Some(root) = docs.first().and_then(|d| d.root()) else { return Ok(DiffOptions::default()) };
        match root.get("diff") {
            Some(section) => DiffOptions::from_section(section, &name),
            None => Ok(DiffOptions::default()),
        }
    }

    /// Reads the `diff:` section of an already loaded [`crate::env::Config`] (errors are located
    /// in its file).
    ///
    /// ```
    /// let cfg = gitops_kit::env::Config::from_str(
    ///     "version: 1\nenvironments: {dev: {manifest_branch: dev}}\ndiff:\n  mode: ownership\n", "g.yaml").unwrap();
    /// let o = gitops_kit::diff::DiffOptions::from_config(&cfg).unwrap();
    /// assert_eq!(o.mode, gitops_kit::diff::Mode::Ownership);
    /// ```
    ///
    /// # Errors
    /// `diff.invalid-config` (located) for bad options.
    pub fn from_config(config: &crate::env::Config) -> Result<DiffOptions, crate::Error> {
        match config.diff() {
            Some(section) => DiffOptions::from_section(section, config.file()),
            None => Ok(DiffOptions::default()),
        }
    }

    /// Options from a located `diff:` mapping of the file `name`.
    fn from_section(section: crate::yaml::NodeRef<'_>, name: &str) -> Result<DiffOptions, crate::Error> {
        let mut o = DiffOptions::default();
        let at = |n: &crate::yaml::NodeRef<'_>, message: String| {
            let s = n.span().start;
            crate::Error::from(Error::InvalidConfig {
                location: Location { file: name.to_string(), line: s.line, column: s.column },
                message,
            })
        };
        let value = section.to_json()?;
        let Some(map) = value.as_object() else {
            return Err(at(&section, "diff: must be a mapping".into()));
        };
        let base = Path::new(name).parent();
        o.apply_json(map, base).map_err(|e| at(&section, format!("diff: {e}")))?;
        Ok(o)
    }
}

fn rules(v: &Value) -> Result<Vec<IgnoreRule>, Error> {
    let items = match v {
        Value::Array(items) => items.clone(),
        Value::Null => Vec::new(),
        other => vec![other.clone()],
    };
    items.iter().map(IgnoreRule::from_json).collect()
}

/// `(kind, raw path)` of a set-semantics entry (`Kind:path` or a named rule).
fn set_semantics_path(entry: &str) -> Result<(&str, String), Error> {
    let text = SET_SEMANTICS_RULES.iter().find(|(n, _)| *n == entry).map_or(entry, |(_, t)| t);
    match text.split_once(':') {
        Some((kind, path)) if !kind.is_empty() && !path.is_empty() => Ok((kind, path.replace("[*]", "[]"))),
        _ => Err(Error::InvalidArgument(format!(
            "set_semantics entry {entry:?} is not Kind:path or one of {}",
            SET_SEMANTICS_RULES.map(|r| r.0).join(", ")
        ))),
    }
}

/// Paths (`[]` for every element) of the pod specs `entries` (`pod_specs`, `Kind:path`) declare
/// in objects of `kind`, sorted.
pub(crate) fn pod_roots(entries: &[String], kind: &str) -> Vec<String> {
    let mut roots: Vec<String> = entries
        .iter()
        .filter_map(|s| s.split_once(':'))
        .filter(|(k, _)| *k == kind)
        .map(|(_, p)| p.replace("[*]", "[]"))
        .collect();
    roots.sort();
    roots
}

/// Raw paths of the lists of `kind` that `entries` (`set_semantics`) compare as sets.
pub(crate) fn set_semantics_paths(entries: &[String], kind: &str) -> Vec<String> {
    entries
        .iter()
        .filter_map(|s| set_semantics_path(s).ok())
        .filter(|(k, _)| *k == kind)
        .map(|(_, p)| p)
        .collect()
}

/// A resource's identity as reported.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct ResourceRef {
    /// Group of the identity (empty for core); sorts first.
    #[serde(skip)]
    pub group: String,
    /// `kind`.
    pub kind: String,
    /// Effective namespace (null for cluster-scoped kinds).
    pub namespace: Option<String>,
    /// `metadata.name`.
    pub name: String,
    /// `apiVersion` (of NEW when both sides have the object).
    #[serde(rename = "apiVersion")]
    pub api_version: String,
}

/// One field change.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct FieldChange {
    /// Dotted path with list elements selected by merge key (`spec.ports[port=80,protocol=TCP].targetPort`) or `[N]`.
    pub path: String,
    /// JSON pointer of the field in NEW (in OLD when NEW lacks it).
    pub pointer: String,
    /// Stable id of the change (identity, path, op and values; see [`change_id`]), for baselines.
    pub id: String,
    /// What happened.
    pub op: Op,
    /// OLD value (null when absent or hidden).
    pub old: Value,
    /// NEW value (null when absent or hidden).
    pub new: Value,
    /// Impact class.
    pub impact: Impact,
    /// A Secret value changed; values are not shown.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub hidden: bool,
    /// The list element has duplicate merge keys; the last one was compared.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub ambiguous: bool,
    /// An explanation (re-key, type error, reference following a rename, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The live field manager owning the OLD field (from `managedFields`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub manager: Option<String>,
    /// Ownership mode: the manager that owns this live-only field (`webhook` when none does).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub foreign: Option<String>,
    /// Index of the `hide` rule that leaves the change out of outputs.
    #[serde(skip)]
    pub(crate) hidden_by: Option<usize>,
    /// Digest of hidden Secret values: feeds the id, never printed.
    #[serde(skip)]
    pub(crate) secret_digest: Option<String>,
    /// Keyed fingerprint of the hidden OLD value (with `secret_key` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_fingerprint: Option<String>,
    /// Keyed fingerprint of the hidden NEW value (with `secret_key` only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new_fingerprint: Option<String>,
    /// Where the OLD value is.
    pub old_location: Option<Location>,
    /// Where the NEW value is.
    pub new_location: Option<Location>,
}

/// One object with differences.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ResourceDiff {
    /// Identity.
    pub resource: ResourceRef,
    /// added, removed, changed or renamed.
    pub change: ChangeKind,
    /// Stable id of an added, removed or renamed object (see [`change_id`]), for baselines.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The OLD name of a renamed object.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// The OLD apiVersion when it differs from NEW's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old_api_version: Option<String>,
    /// Impact classes of the changes (sorted, unique).
    pub impact: Vec<Impact>,
    /// Where the OLD object starts.
    pub old_location: Option<Location>,
    /// Where the NEW object starts.
    pub new_location: Option<Location>,
    /// Field changes, sorted by path (empty for added and removed objects).
    pub changes: Vec<FieldChange>,
}

/// Counts.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// Objects only in NEW.
    pub added: usize,
    /// Objects only in OLD.
    pub removed: usize,
    /// Objects with field changes.
    pub changed: usize,
    /// Objects paired as renames.
    pub renamed: usize,
    /// Matched objects without differences.
    pub unchanged: usize,
    /// Field changes removed by ignore rules (never counted in the exit code).
    pub ignored: usize,
    /// Ownership mode: live-only field changes other managers own (never counted in the exit
    /// code; listed in `foreign` with `show_foreign`). Present when not zero.
    #[serde(skip_serializing_if = "is_zero")]
    pub foreign: usize,
    /// Changes left out of the outputs by `hide` rules; they still count toward the exit code.
    /// Present when not zero.
    #[serde(skip_serializing_if = "is_zero")]
    pub hidden: usize,
    /// Changes a baseline accepts (never counted in the exit code). Present when not zero.
    #[serde(skip_serializing_if = "is_zero")]
    pub acknowledged: usize,
}

#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// Ignored changes grouped by rule, path and values.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SuppressedGroup {
    /// The rule as written.
    pub rule: String,
    /// Field path.
    pub path: String,
    /// OLD value (null when hidden or absent).
    pub old: Value,
    /// NEW value.
    pub new: Value,
    /// How many objects had this change.
    pub resources: usize,
}

/// A problem that does not stop the diff (duplicate merge key, namespace on a cluster-scoped object).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Warning {
    /// Stable code.
    pub code: String,
    /// What.
    pub message: String,
    /// Where.
    pub location: Option<Location>,
}

/// An identity that could not be diffed (duplicate on one side, unreadable value).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DiffError {
    /// `diff.duplicate-identity`, `yaml.value`.
    pub code: String,
    /// What.
    pub message: String,
    /// The identity (`group/Kind/namespace/name`).
    pub resource: String,
    /// Every place the identity appears.
    pub locations: Vec<Location>,
}

/// Why a field was equalized (`--explain`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Explanation {
    /// The identity.
    pub resource: String,
    /// Field path or pointer.
    pub path: String,
    /// Step name (`quantity-canonical`, `server-default:imagePullPolicy`, `ignore-rule#1`, …).
    pub rule: String,
}

/// The `gitops-kit/diff/v1` report.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct DiffReport {
    /// `gitops-kit/diff/v1`.
    pub schema: &'static str,
    /// Mode used.
    pub mode: Mode,
    /// Counts.
    pub summary: Summary,
    /// 0 no counted differences, 1 differences (or, with `fail_on`, a change of those classes), 2 errors.
    pub exit_code: i32,
    /// Objects with differences, sorted by identity.
    pub resources: Vec<ResourceDiff>,
    /// Ignored changes, grouped.
    pub suppressed: Vec<SuppressedGroup>,
    /// Warnings.
    pub warnings: Vec<Warning>,
    /// Identities that could not be diffed.
    pub errors: Vec<DiffError>,
    /// Equalizations, when `explain` is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<Vec<Explanation>>,
    /// Ownership mode with `show_foreign`: the foreign changes, per object (present when any).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub foreign: Vec<ResourceDiff>,
    /// Changes a baseline accepts (present when any).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub acknowledged: Vec<Acknowledged>,
    /// The changes `hide` rules left out, which still count toward the exit code. Serialized
    /// as `hidden_ids`, their ids only (present when any): outputs never show their paths or
    /// values, yet a baseline built from the report, even from its JSON, accepts them.
    #[serde(rename = "hidden_ids", skip_serializing_if = "Vec::is_empty", serialize_with = "ids_only")]
    pub(crate) hidden_changes: Vec<Acknowledged>,
}

/// Serializes changes as the list of their ids.
fn ids_only<S: serde::Serializer>(changes: &[Acknowledged], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(changes.iter().map(|c| &c.id))
}

/// Diffs two texts (`<old>` and `<new>` are their names in locations).
///
/// # Errors
/// YAML errors of either text.
pub fn diff_texts(old: &str, new: &str, options: &DiffOptions) -> Result<DiffReport, crate::Error> {
    Ok(DiffInputs::from_texts(old, new, options)?.diff())
}

/// Diffs two lists of command-line sources (files, directories, `-`, `git:REF:PATH`), keeping
/// in memory only the objects that may differ ([`DiffInputs`]).
///
/// # Errors
/// Source, git and YAML errors.
pub fn diff_sources<S: AsRef<str>>(
    old: &[S],
    new: &[S],
    repo_dir: Option<&Path>,
    options: &DiffOptions,
) -> Result<DiffReport, crate::Error> {
    Ok(DiffInputs::load(old, new, repo_dir, options)?.diff())
}

/// Indices of an OLD and a NEW entry.
type Pair = (usize, usize);

/// Identity key used for matching: group, kind, namespace ("" when cluster-scoped), name.
/// Borrowed from the resources (or the default namespace), so indexing copies no strings.
type Key<'s> = (&'s str, &'s str, &'s str, &'s str);

/// Identities to entry indices (foldhash: seeded per process, several times faster than SipHash).
type IdentityMap<'s> = HashMap<Key<'s>, usize, foldhash::fast::RandomState>;

struct Entry<'s> {
    res: &'s Resource,
    key: Key<'s>,
    scope_known: bool,
    /// Normalized object, computed only when it is needed (texts differ, rename candidates).
    prepared: Option<Prepared>,
}

struct Side<'s> {
    entries: Vec<Entry<'s>>,
    /// Entries whose identity is unique on this side, by identity.
    by_key: IdentityMap<'s>,
    /// The same entries in input order (hash order is not deterministic).
    unique: Vec<usize>,
    generated: Vec<usize>,
    duplicates: Vec<Key<'s>>,
}

fn location_of(res: &Resource, pointer: Option<&str>) -> Option<Location> {
    let pointer = pointer?;
    let node = res.node();
    // Nearest existing ancestor: normalization may move a value (stringData → data).
    let mut p = pointer.to_string();
    let target = loop {
        if let Some(n) = node.pointer(&p) {
            break n;
        }
        if let Some(alt) = p.strip_prefix("/data/").map(|rest| format!("/stringData/{rest}"))
            && let Some(n) = node.pointer(&alt)
        {
            break n;
        }
        match p.rfind('/') {
            Some(i) => p.truncate(i),
            None => break node,
        }
    };
    let s = target.span().start;
    Some(Location { file: res.file().to_string(), line: s.line, column: s.column })
}

/// Diffs two manifest sets: OLD (before, or the live export) and NEW (after, or the desired state).
#[must_use]
pub fn diff(old: &ManifestSet, new: &ManifestSet, options: &DiffOptions) -> DiffReport {
    finish(compare_sets(old, new, options, &crd_infos(old, new)), options)
}

/// CRD facts by (group, kind), as [`crd_infos`] reads them from the inputs.
pub(crate) type Crds = HashMap<(String, String), schema::CrdInfo>;

/// Suppressed changes are grouped by ignore rule, path, and OLD and NEW values as JSON text.
type SuppressedKey = (usize, String, String, String);

/// What comparing two sets found, before the report is finished. [`DiffInputs`] compares
/// its sides in parts and merges their findings; suppressed changes are grouped by (rule,
/// path, OLD and NEW values as JSON) with a count and the values.
#[derive(Default)]
pub(crate) struct Findings {
    resources: Vec<ResourceDiff>,
    foreign: Vec<ResourceDiff>,
    unchanged: usize,
    ignored: usize,
    foreign_changes: usize,
    suppressed: BTreeMap<SuppressedKey, (usize, Value, Value)>,
    warnings: Vec<Warning>,
    errors: Vec<DiffError>,
    explain: Vec<Explanation>,
}

impl Findings {
    /// Adds the findings of another part of the same inputs.
    pub(crate) fn merge(&mut self, other: Findings) {
        self.resources.extend(other.resources);
        self.foreign.extend(other.foreign);
        self.unchanged += other.unchanged;
        self.ignored += other.ignored;
        self.foreign_changes += other.foreign_changes;
        for (k, (count, old, new)) in other.suppressed {
            self.suppressed.entry(k).or_insert((0, old, new)).0 += count;
        }
        self.warnings.extend(other.warnings);
        self.errors.extend(other.errors);
        self.explain.extend(other.explain);
    }

    /// Room for `n` more changed objects.
    pub(crate) fn reserve(&mut self, n: usize) {
        self.resources.reserve_exact(n);
    }

    /// Counts `n` more unchanged objects.
    pub(crate) fn add_unchanged(&mut self, n: usize) {
        self.unchanged += n;
    }
}

/// Matches and compares two sets (CRD facts `crds` may come from a larger whole).
pub(crate) fn compare_sets(
    old: &ManifestSet,
    new: &ManifestSet,
    options: &DiffOptions,
    crds: &Crds,
) -> Findings {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let default_ns = options.namespace.clone().unwrap_or_else(|| "default".into());
    // Both sides are indexed at once (one per core).
    let ((mut old_side, old_errors, old_warnings), (mut new_side, new_errors, new_warnings)) =
        rayon::join(|| side(old, crds, &default_ns), || side(new, crds, &default_ns));
    errors.extend(old_errors.into_iter().chain(new_errors));
    warnings.extend(old_warnings.into_iter().chain(new_warnings));
    // A duplicated identity is not diffed on either side.
    let dups: HashSet<Key<'_>> = old_side.duplicates.iter().chain(&new_side.duplicates).copied().collect();
    if !dups.is_empty() {
        for side in [&mut old_side, &mut new_side] {
            side.by_key.retain(|k, _| !dups.contains(k));
            let Side { unique, by_key, entries, .. } = side;
            unique.retain(|&i| by_key.contains_key(&entries[i].key));
        }
    }

    // Match; objects of unknown scope without a namespace also match the default namespace.
    let mut pairs: Vec<(usize, usize)> = Vec::new();
    let mut matched_old = vec![false; old_side.entries.len()];
    let mut matched_new = vec![false; new_side.entries.len()];
    for &ni in &new_side.unique {
        let e = &new_side.entries[ni];
        let key = e.key;
        let oi = old_side.by_key.get(&key).copied().or_else(|| {
            if e.scope_known {
                None
            } else if key.2.is_empty() {
                old_side.by_key.get(&(key.0, key.1, default_ns.as_str(), key.3)).copied()
            } else if key.2 == default_ns {
                old_side.by_key.get(&(key.0, key.1, "", key.3)).copied()
            } else {
                None
            }
        });
        if let Some(oi) = oi.filter(|&oi| !matched_old[oi]) {
            pairs.push((oi, ni));
            matched_old[oi] = true;
            matched_new[ni] = true;
        }
    }
    // Unmatched entries in identity order, so rename pairing does not depend on input order.
    let unmatched = |side: &Side<'_>, matched: &[bool]| -> Vec<usize> {
        let mut v: Vec<usize> = side.unique.iter().copied().filter(|&i| !matched[i]).collect();
        v.sort_by_key(|&i| side.entries[i].key);
        v
    };
    let unmatched_old = unmatched(&old_side, &matched_old);
    let mut unmatched_new = unmatched(&new_side, &matched_new);
    // Fast path: byte-identical objects cannot differ, so they are never converted or compared.
    let (same, pairs): (Vec<Pair>, Vec<Pair>) = pairs.into_iter().partition(|&(oi, ni)| {
        let (o, n) = (old_side.entries[oi].res, new_side.entries[ni].res);
        !options.explain
            && o.id().version == n.id().version
            && o.node().source_text() == n.node().source_text()
    });
    let rename_candidates = !options.no_renames && !unmatched_old.is_empty() && !unmatched_new.is_empty();
    // Rename candidates are normalized up front (they are compared with many others); matched
    // pairs are normalized inside their comparison, so each value is built, compared and freed
    // on one thread.
    if rename_candidates {
        prepare(&mut old_side, &unmatched_old, &mut errors);
        prepare(&mut new_side, &unmatched_new, &mut errors);
    }
    let renames = if rename_candidates {
        let ok = |side: &Side<'_>, idx: &[usize]| -> Vec<usize> {
            idx.iter().copied().filter(|&i| side.entries[i].prepared.is_some()).collect()
        };
        let (uo, un) = (ok(&old_side, &unmatched_old), ok(&new_side, &unmatched_new));
        rename::pair(&old_side.entries, &new_side.entries, &uo, &un, |e| {
            (&e.key, e.prepared.as_ref().map_or(&Value::Null, |p| &p.value))
        })
    } else {
        Vec::new()
    };
    let renamed_old: BTreeSet<usize> = renames.iter().map(|r| r.0).collect();
    let renamed_new: BTreeSet<usize> = renames.iter().map(|r| r.1).collect();
    unmatched_new.extend(new_side.generated.iter().copied());

    let compare_matched = |&(oi, ni): &Pair| -> Compared {
        let (o, n) = (&old_side.entries[oi], &new_side.entries[ni]);
        match (prepared(o.res), prepared(n.res)) {
            (Ok(op), Ok(np)) => compare_pair(o, &op, n, &np, false, options, crds),
            (a, b) => Compared::failed([a.err(), b.err()].into_iter().flatten().collect()),
        }
    };
    let compare_renamed = |&(oi, ni): &Pair| -> Compared {
        let (o, n) = (&old_side.entries[oi], &new_side.entries[ni]);
        match (o.prepared.as_ref(), n.prepared.as_ref()) {
            (Some(op), Some(np)) => compare_pair(o, op, n, np, true, options, crds),
            _ => Compared::failed(Vec::new()),
        }
    };
    let compared: Vec<Compared> =
        pairs.par_iter().map(compare_matched).chain(renames.par_iter().map(compare_renamed)).collect();

    let mut found = Findings { unchanged: same.len(), warnings, errors, ..Findings::default() };
    for c in compared {
        for (rule, ch) in c.suppressed {
            let k = (rule, ch.path, json_text(&ch.old), json_text(&ch.new));
            found.suppressed.entry(k).or_insert((0, ch.old, ch.new)).0 += 1;
            found.ignored += 1;
        }
        found.warnings.extend(c.warnings);
        if let Some(f) = c.foreign {
            found.foreign_changes += f.changes.len();
            if options.show_foreign {
                found.foreign.push(f);
            }
        }
        if options.explain {
            found.explain.extend(c.explains);
        }
        if c.failed {
            found.errors.extend(c.errors);
            continue;
        }
        match c.diff {
            Some(d) => found.resources.push(d),
            None => found.unchanged += 1,
        }
    }
    for &oi in unmatched_old.iter().filter(|i| !renamed_old.contains(i)) {
        found.resources.push(whole(&old_side.entries[oi], ChangeKind::Removed));
    }
    for &ni in unmatched_new.iter().filter(|i| !renamed_new.contains(i)) {
        found.resources.push(whole(&new_side.entries[ni], ChangeKind::Added));
    }
    for &oi in &old_side.generated {
        found.resources.push(whole(&old_side.entries[oi], ChangeKind::Removed));
    }
    found
}

/// The report from the findings of the whole inputs: renames' references collapsed, ids,
/// baseline, sorting, counts, exit code, hidden changes.
pub(crate) fn finish(found: Findings, options: &DiffOptions) -> DiffReport {
    let mut report = DiffReport {
        schema: SCHEMA,
        mode: options.mode,
        summary: Summary {
            unchanged: found.unchanged,
            ignored: found.ignored,
            foreign: found.foreign_changes,
            ..Summary::default()
        },
        exit_code: 0,
        resources: found.resources,
        suppressed: Vec::new(),
        warnings: found.warnings,
        errors: found.errors,
        explain: options.explain.then_some(found.explain),
        foreign: found.foreign,
        acknowledged: Vec::new(),
        hidden_changes: Vec::new(),
    };
    collapse_rename_references(&mut report.resources);
    baseline::assign_ids(&mut report.resources);
    baseline::assign_ids(&mut report.foreign);
    report.foreign.sort_by(|a, b| a.resource.cmp(&b.resource));
    if let Some(b) = &options.baseline {
        baseline::apply(&mut report, b, jiff::Timestamp::now());
    }
    report.suppressed = found
        .suppressed
        .into_iter()
        .map(|(k, (count, old, new))| SuppressedGroup {
            rule: options.ignore.get(k.0).map(|r| r.text.clone()).unwrap_or_default(),
            path: k.1,
            old,
            new,
            resources: count,
        })
        .collect();
    report.resources.sort_by(|a, b| {
        a.resource.cmp(&b.resource).then(loc_key(&a.old_location).cmp(&loc_key(&b.old_location)))
    });
    for r in &report.resources {
        match r.change {
            ChangeKind::Added => report.summary.added += 1,
            ChangeKind::Removed => report.summary.removed += 1,
            ChangeKind::Changed => report.summary.changed += 1,
            ChangeKind::Renamed => report.summary.renamed += 1,
        }
    }
    report.warnings.sort_by(|a, b| {
        (loc_key(&a.location), &a.code, &a.message).cmp(&(loc_key(&b.location), &b.code, &b.message))
    });
    report.warnings.dedup();
    report.errors.sort_by(|a, b| a.resource.cmp(&b.resource));
    if let Some(ex) = report.explain.as_mut() {
        ex.sort();
    }
    report.exit_code = exit_code(&report, &options.fail_on);
    hide_filtered(&mut report);
    report
}

/// Impact classes of a changed or renamed object, from its (remaining) changes.
pub(crate) fn recompute_impact(r: &mut ResourceDiff) {
    if matches!(r.change, ChangeKind::Changed | ChangeKind::Renamed) {
        let set: BTreeSet<Impact> = r.changes.iter().map(|c| c.impact).collect();
        r.impact = set.into_iter().collect();
    }
}

/// Leaves changes matched by `hide` rules out of the report (after the exit code counted them)
/// and says how many there are.
fn hide_filtered(report: &mut DiffReport) {
    let mut hidden = Vec::new();
    report.resources.retain_mut(|r| {
        let before = r.changes.len();
        let name = baseline::display_ref(&r.resource);
        r.changes.retain(|c| {
            if c.hidden_by.is_none() {
                return true;
            }
            hidden.push(Acknowledged {
                id: c.id.clone(),
                resource: name.clone(),
                path: Some(c.path.clone()),
                note: None,
            });
            false
        });
        if r.changes.len() == before {
            return true;
        }
        recompute_impact(r);
        r.change != ChangeKind::Changed || !r.changes.is_empty()
    });
    let count = hidden.len();
    report.hidden_changes = hidden;
    if count > 0 {
        report.summary.hidden = count;
        report.warnings.push(Warning {
            code: "diff.hidden-changes".into(),
            message: format!(
                "{count} hidden change{} exist: output-only filters (hide) leave them out, they still count toward the exit code",
                if count == 1 { "" } else { "s" }
            ),
            location: None,
        });
    }
}

fn loc_key(l: &Option<Location>) -> Option<(&str, u32, u32)> {
    l.as_ref().map(|l| (l.file.as_str(), l.line, l.column))
}

fn json_text(v: &Value) -> String {
    serde_json::to_string(v).unwrap_or_default()
}

fn exit_code(report: &DiffReport, fail_on: &[Impact]) -> i32 {
    if !report.errors.is_empty() {
        return 2;
    }
    let failing = if fail_on.is_empty() {
        !report.resources.is_empty()
    } else {
        report.resources.iter().any(|r| r.impact.iter().any(|i| fail_on.contains(i)))
    };
    i32::from(failing)
}

pub(crate) fn crd_infos(old: &ManifestSet, new: &ManifestSet) -> HashMap<(String, String), schema::CrdInfo> {
    let mut out = HashMap::new();
    for set in [old, new] {
        for r in set.resources() {
            if r.id().kind == "CustomResourceDefinition"
                && r.id().group == "apiextensions.k8s.io"
                && let Ok(v) = r.to_json()
                && let Some((k, info)) = schema::crd_info(&v)
            {
                out.insert(k, info);
            }
        }
    }
    out
}

/// The namespace part of an identity key (`scope`: namespaced or not, `None` when unknown):
/// the written namespace or `default` for namespaced kinds, `cluster` (the empty namespace) for
/// cluster-scoped ones, what is written (or `cluster`) when the scope is unknown. The flag is
/// set when a cluster-scoped object names a namespace, which is then ignored. Generic so the
/// loader of [`DiffInputs`] applies the same rule to hashed namespaces.
pub(crate) fn key_namespace<T: Copy>(
    scope: Option<bool>,
    written: Option<T>,
    default: T,
    cluster: T,
) -> (T, bool) {
    match (scope, written) {
        (Some(true), ns) => (ns.unwrap_or(default), false),
        (Some(false), ns) => (cluster, ns.is_some()),
        (None, ns) => (ns.unwrap_or(cluster), false),
    }
}

/// Indexes one side by identity; duplicate identities become errors.
fn side<'s>(
    set: &'s ManifestSet,
    crds: &HashMap<(String, String), schema::CrdInfo>,
    default_ns: &'s str,
) -> (Side<'s>, Vec<DiffError>, Vec<Warning>) {
    let mut errors = Vec::new();
    let mut warnings = Vec::new();
    let mut entries = Vec::with_capacity(set.len());
    let mut generated = Vec::new();
    for res in set.resources() {
        let id = res.id();
        let scope = schema::builtin_scope(&id.group, &id.kind)
            .or_else(|| crds.get(&(id.group.clone(), id.kind.clone())).map(|c| c.namespaced));
        let (namespace, ignored) = key_namespace(scope, id.namespace.as_deref(), default_ns, "");
        if let (true, Some(ns)) = (ignored, &id.namespace) {
            warnings.push(Warning {
                code: "diff.namespace-on-cluster-scoped".into(),
                message: format!("{} is cluster-scoped; metadata.namespace {ns:?} is ignored", id.kind),
                location: location_of(res, Some("/metadata/namespace")),
            });
        }
        let key = (id.group.as_str(), id.kind.as_str(), namespace, id.name.as_str());
        if id.generate_name {
            generated.push(entries.len());
        }
        entries.push(Entry { res, key, scope_known: scope.is_some(), prepared: None });
    }
    // One hash per object: the first index of every identity, and the identities seen twice.
    let mut by_key: IdentityMap<'s> = HashMap::with_capacity_and_hasher(entries.len(), Default::default());
    let mut repeated: Vec<(Key<'s>, Vec<usize>)> = Vec::new();
    let mut duplicated = vec![false; entries.len()];
    for (i, e) in entries.iter().enumerate().filter(|(_, e)| !e.res.id().generate_name) {
        match by_key.entry(e.key) {
            Slot::Vacant(v) => {
                v.insert(i);
            }
            Slot::Occupied(o) => {
                let first = *o.get();
                duplicated[i] = true;
                if duplicated[first] {
                    if let Some(r) = repeated.iter_mut().find(|r| r.0 == e.key) {
                        r.1.push(i);
                    }
                } else {
                    duplicated[first] = true;
                    repeated.push((e.key, vec![first, i]));
                }
            }
        }
    }
    repeated.sort();
    for (key, idx) in &repeated {
        by_key.remove(key);
        errors.push(DiffError {
            code: "diff.duplicate-identity".into(),
            message: format!(
                "{} appears {} times in one input; it is not diffed",
                display_key(key),
                idx.len()
            ),
            resource: display_key(key),
            locations: idx.iter().map(|&i| entries[i].res.location()).collect(),
        });
    }
    let unique =
        (0..entries.len()).filter(|&i| !duplicated[i] && !entries[i].res.id().generate_name).collect();
    let duplicates = repeated.into_iter().map(|(k, _)| k).collect();
    (Side { entries, by_key, unique, generated, duplicates }, errors, warnings)
}

/// Converts and normalizes the objects at `idx` (in parallel); unreadable values become errors.
fn prepare(side: &mut Side<'_>, idx: &[usize], errors: &mut Vec<DiffError>) {
    let done: Vec<(usize, Result<Prepared, DiffError>)> =
        idx.par_iter().map(|&i| (i, prepared(side.entries[i].res))).collect();
    for (i, p) in done {
        match p {
            Ok(p) => side.entries[i].prepared = Some(p),
            Err(e) => errors.push(e),
        }
    }
}

/// An object as JSON, normalized; a value JSON cannot hold is an error of that object.
fn prepared(r: &Resource) -> Result<Prepared, DiffError> {
    r.to_json().map(|v| normalize::prepare(&r.id().kind, v)).map_err(|e| DiffError {
        code: e.code().to_string(),
        message: e.to_string(),
        resource: r.id().to_string(),
        locations: vec![r.location()],
    })
}

fn display_key(k: &Key<'_>) -> String {
    format!("{}/{}/{}/{}", k.0, k.1, k.2, k.3)
}

fn resource_ref(e: &Entry<'_>) -> ResourceRef {
    ResourceRef {
        group: e.key.0.to_string(),
        kind: e.key.1.to_string(),
        namespace: (!e.key.2.is_empty()).then(|| e.key.2.to_string()),
        name: e.key.3.to_string(),
        api_version: e.res.api_version(),
    }
}

fn whole(e: &Entry<'_>, change: ChangeKind) -> ResourceDiff {
    let destructive = change == ChangeKind::Removed && schema::destructive_removal(e.key.1);
    let loc = Some(e.res.location());
    ResourceDiff {
        resource: resource_ref(e),
        change,
        id: None,
        renamed_from: None,
        old_api_version: None,
        impact: if destructive { vec![Impact::Destructive] } else { Vec::new() },
        old_location: if change == ChangeKind::Removed { loc.clone() } else { None },
        new_location: if change == ChangeKind::Added { loc } else { None },
        changes: Vec::new(),
    }
}

/// Ownership mode's "ours" when no manager is given.
static DEFAULT_OURS: std::sync::LazyLock<Vec<String>> =
    std::sync::LazyLock::new(|| DEFAULT_MANAGERS.iter().map(|m| (*m).to_string()).collect());

/// The rules whose scope selects an object (read from the desired side), with their indices.
fn scoped<'r>(rules: &'r [IgnoreRule], key: &Key<'_>, desired: &Value) -> Vec<(usize, &'r IgnoreRule)> {
    rules.iter().enumerate().filter(|(_, r)| r.selects(key.0, key.1, key.2, key.3, Some(desired))).collect()
}

#[derive(Default)]
struct Compared {
    diff: Option<ResourceDiff>,
    /// Ownership mode: the foreign changes of the object.
    foreign: Option<ResourceDiff>,
    suppressed: Vec<(usize, FieldChange)>,
    warnings: Vec<Warning>,
    explains: Vec<Explanation>,
    /// An object could not be normalized: neither changed nor unchanged.
    failed: bool,
    errors: Vec<DiffError>,
}

impl Compared {
    fn failed(errors: Vec<DiffError>) -> Compared {
        Compared { failed: true, errors, ..Compared::default() }
    }
}

fn compare_pair(
    o: &Entry<'_>,
    op: &Prepared,
    n: &Entry<'_>,
    np: &Prepared,
    renamed: bool,
    options: &DiffOptions,
    crds: &HashMap<(String, String), schema::CrdInfo>,
) -> Compared {
    let version_skew = o.res.id().version != n.res.id().version;
    let id = display_key(&n.key);
    // Equal normalized objects cannot differ.
    if !renamed && !version_skew && op.value == np.value && !options.explain {
        return Compared::default();
    }
    let kind = n.key.1;
    let crd = crds.get(&(n.key.0.to_string(), n.key.1.to_string()));
    let pod_roots = pod_roots(&options.pod_specs, kind);
    let set_paths = set_semantics_paths(&options.set_semantics, kind);
    let setup = Setup {
        group: n.key.0,
        kind,
        builtin: schema::builtin_scope(n.key.0, kind).is_some(),
        crd,
        secret: kind == "Secret" && n.key.0.is_empty(),
        old_live: op.live,
        mode: options.mode,
        show_secrets: options.show_secrets,
        version_skew,
        explain: options.explain,
        pod_roots,
        rules: scoped(&options.ignore, &n.key, &np.value),
        hides: scoped(&options.hide, &n.key, &np.value),
        managed: op.managed.iter().map(|(m, f)| (m.clone(), f)).collect(),
        ours: if options.managers.is_empty() { &DEFAULT_OURS } else { &options.managers },
        set_paths,
        secret_key: options.secret_key.as_ref(),
    };
    let mut engine = Engine::new(setup);
    engine.run(&op.value, &np.value, op.last_applied.as_ref());
    let convert = |c: RawChange| field_change(c, kind, o.res, n.res);
    let mut changes: Vec<FieldChange> = engine.changes.drain(..).map(convert).collect();
    if version_skew {
        changes.push(FieldChange {
            path: "apiVersion".into(),
            pointer: "/apiVersion".into(),
            op: Op::Changed,
            old: Value::String(o.res.api_version()),
            new: Value::String(n.res.api_version()),
            id: String::new(),
            impact: Impact::Config,
            hidden: false,
            ambiguous: false,
            note: Some("apiVersion differs; fields only one version has are not compared".into()),
            manager: None,
            foreign: None,
            hidden_by: None,
            secret_digest: None,
            old_fingerprint: None,
            new_fingerprint: None,
            old_location: location_of(o.res, Some("/apiVersion")),
            new_location: location_of(n.res, Some("/apiVersion")),
        });
    }
    changes.sort_by(|a, b| a.path.cmp(&b.path).then(a.pointer.cmp(&b.pointer)));
    let (foreign, changes): (Vec<FieldChange>, Vec<FieldChange>) =
        changes.into_iter().partition(|c| c.foreign.is_some());
    let suppressed = engine.suppressed.drain(..).map(|s| (s.rule, convert(s.change))).collect();
    let warnings = engine
        .warnings
        .drain(..)
        .map(|w| Warning {
            code: w.code.into(),
            message: w.message,
            location: location_of(n.res, w.new_ptr.as_deref())
                .or_else(|| location_of(o.res, w.old_ptr.as_deref())),
        })
        .collect();
    let mut explains: Vec<Explanation> = engine
        .explains
        .drain(..)
        .map(|(rule, path)| Explanation { resource: id.clone(), path, rule })
        .collect();
    if options.explain {
        for (side, p) in [("old", op), ("new", np)] {
            explains.extend(p.steps.iter().map(|(rule, ptr)| Explanation {
                resource: id.clone(),
                path: format!("{side}:{ptr}"),
                rule: rule.clone(),
            }));
        }
    }
    let object = |mut changes: Vec<FieldChange>, renamed: bool| {
        // Kept until the report is written: no spare capacity (a change is ~400 bytes).
        changes.shrink_to_fit();
        let mut r = ResourceDiff {
            resource: resource_ref(n),
            change: if renamed { ChangeKind::Renamed } else { ChangeKind::Changed },
            id: None,
            renamed_from: renamed.then(|| o.key.3.to_string()),
            old_api_version: version_skew.then(|| o.res.api_version()),
            impact: Vec::new(),
            old_location: Some(o.res.location()),
            new_location: Some(n.res.location()),
            changes,
        };
        recompute_impact(&mut r);
        r
    };
    let foreign = (!foreign.is_empty()).then(|| object(foreign, false));
    let diff = (!changes.is_empty() || renamed).then(|| object(changes, renamed));
    Compared { diff, foreign, suppressed, warnings, explains, ..Compared::default() }
}

fn field_change(c: RawChange, kind: &str, old: &Resource, new: &Resource) -> FieldChange {
    FieldChange {
        pointer: c.new_ptr.clone().or_else(|| c.old_ptr.clone()).unwrap_or_default(),
        old_location: location_of(old, c.old_ptr.as_deref()),
        new_location: location_of(new, c.new_ptr.as_deref()),
        impact: schema::impact_of(kind, &c.raw_schema, &c.canon),
        path: c.path,
        op: c.op,
        old: c.old.unwrap_or(Value::Null),
        new: c.new.unwrap_or(Value::Null),
        hidden: c.hidden,
        ambiguous: c.ambiguous,
        note: c.note,
        manager: c.manager,
        id: String::new(),
        foreign: c.foreign,
        hidden_by: c.hidden_by,
        secret_digest: c.secret_digest,
        old_fingerprint: c.fingerprints.0,
        new_fingerprint: c.fingerprints.1,
    }
}

/// References that followed a renamed ConfigMap or Secret are marked as such.
fn collapse_rename_references(resources: &mut [ResourceDiff]) {
    let renames: Vec<(String, String, String, Option<String>)> = resources
        .iter()
        .filter(|r| {
            r.change == ChangeKind::Renamed && matches!(r.resource.kind.as_str(), "ConfigMap" | "Secret")
        })
        .filter_map(|r| {
            Some((
                r.resource.kind.clone(),
                r.renamed_from.clone()?,
                r.resource.name.clone(),
                r.resource.namespace.clone(),
            ))
        })
        .collect();
    if renames.is_empty() {
        return;
    }
    for r in resources.iter_mut() {
        for c in &mut r.changes {
            let (Some(old), Some(new)) = (c.old.as_str(), c.new.as_str()) else { continue };
            if let Some((kind, from, to, _)) = renames.iter().find(|(_, from, to, ns)| {
                from == old && to == new && (ns.is_none() || *ns == r.resource.namespace)
            }) {
                c.note = Some(format!("reference follows rename of {kind} {from} → {to}"));
            }
        }
    }
}
