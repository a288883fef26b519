//! The field comparison of one matched object pair: per-field semantics (quantities, numbers,
//! integer and IntOrString fields, null/empty/absent, server and CRD defaults), lists matched by
//! merge keys, apply-mode ownership, secrets hidden, ignore rules applied symmetrically.

use super::ignore::{IgnoreRule, RuleSeg, glob};
use super::schema::{self, CrdInfo, ListType};
use super::{Mode, Op, duration, quantity};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

static EMPTY_OBJECT: std::sync::LazyLock<Value> = std::sync::LazyLock::new(|| Value::Object(Map::new()));
static EMPTY_ARRAY: std::sync::LazyLock<Value> = std::sync::LazyLock::new(|| Value::Array(Vec::new()));

/// One step of the path being compared.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Seg<'a> {
    Key(&'a str),
    Elem {
        old_index: Option<usize>,
        new_index: Option<usize>,
        keys: Option<&'a [String]>,
        old: Option<&'a Value>,
        new: Option<&'a Value>,
    },
}

/// A difference found, before locations and impact are attached.
#[derive(Debug, Clone)]
pub(crate) struct RawChange {
    pub path: String,
    pub old_ptr: Option<String>,
    pub new_ptr: Option<String>,
    pub op: Op,
    pub old: Option<Value>,
    pub new: Option<Value>,
    pub raw_schema: String,
    pub canon: String,
    pub note: Option<String>,
    pub hidden: bool,
    pub ambiguous: bool,
    pub manager: Option<String>,
    /// Ownership mode: a live-only field another manager (or a webhook) owns.
    pub foreign: Option<String>,
    /// Index of the output-only (`hide`) rule that matched.
    pub hidden_by: Option<usize>,
    /// Digest of the hidden Secret values (feeds the change id only).
    pub secret_digest: Option<String>,
    /// Keyed fingerprints of the hidden OLD and NEW values (with a `secret_key` only).
    pub fingerprints: (Option<String>, Option<String>),
}

/// A change an ignore rule removed.
#[derive(Debug, Clone)]
pub(crate) struct Suppressed {
    pub rule: usize,
    pub change: RawChange,
}

/// A warning about the input (duplicate merge keys).
#[derive(Debug, Clone)]
pub(crate) struct RawWarning {
    pub code: &'static str,
    pub message: String,
    pub old_ptr: Option<String>,
    pub new_ptr: Option<String>,
}

/// Settings of one comparison.
pub(crate) struct Setup<'a> {
    pub group: &'a str,
    pub kind: &'a str,
    pub builtin: bool,
    pub crd: Option<&'a CrdInfo>,
    pub secret: bool,
    pub old_live: bool,
    pub mode: Mode,
    pub show_secrets: bool,
    pub version_skew: bool,
    pub explain: bool,
    pub pod_roots: Vec<String>,
    pub rules: Vec<(usize, &'a IgnoreRule)>,
    /// Output-only rules: matching changes still count but are left out of outputs.
    pub hides: Vec<(usize, &'a IgnoreRule)>,
    pub managed: Vec<(String, &'a Value)>,
    /// Ownership mode: globs of the field managers that apply the desired state.
    pub ours: &'a [String],
    /// Raw paths of lists compared as sets (order-insensitive).
    pub set_paths: Vec<String>,
    pub secret_key: Option<&'a super::SecretKey>,
}

/// The comparison state.
pub(crate) struct Engine<'a> {
    s: Setup<'a>,
    path: Vec<Seg<'a>>,
    raw: String,
    /// Canonical schema path of each level of `path` (computed once per node).
    canons: Vec<String>,
    old_ptr: Vec<String>,
    new_ptr: Vec<String>,
    atomic_owned: bool,
    pending_note: Option<String>,
    ambiguous: bool,
    /// The hide rule whose subtree is being compared.
    hiding: Option<usize>,
    pub changes: Vec<RawChange>,
    pub suppressed: Vec<Suppressed>,
    pub explains: Vec<(String, String)>,
    pub warnings: Vec<RawWarning>,
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::Bool(b) => !b,
        Value::Number(n) => n.as_f64() == Some(0.0),
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
    }
}

fn numbers_equal(a: &serde_json::Number, b: &serde_json::Number) -> bool {
    match (a.as_i64(), b.as_i64()) {
        (Some(x), Some(y)) => x == y,
        _ => match (a.as_u64(), b.as_u64()) {
            (Some(x), Some(y)) => x == y,
            _ => a.as_f64() == b.as_f64(),
        },
    }
}

/// Deep equality where numbers compare by value (`1` = `1.0`).
pub(crate) fn loose_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => numbers_equal(x, y),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| loose_eq(a, b))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| loose_eq(v, w)))
        }
        _ => a == b,
    }
}

fn escape(token: &str) -> String {
    crate::yaml::escape_pointer_token(token)
}

fn key_string(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

/// The value of merge key `k` of a list element, with the server default (`protocol: TCP`).
fn key_value(elem: &Value, k: &str) -> Value {
    elem.get(k).filter(|v| !v.is_null()).cloned().or_else(|| schema::key_default(k)).unwrap_or(Value::Null)
}

fn dotted_key(k: &str) -> String {
    if k.is_empty() || k.contains(['.', '[', ']', '"', ' ', '/']) {
        format!("[\"{}\"]", k.replace('"', "\\\""))
    } else {
        k.to_string()
    }
}

impl<'a> Engine<'a> {
    pub(crate) fn new(setup: Setup<'a>) -> Engine<'a> {
        Engine {
            s: setup,
            path: Vec::new(),
            raw: String::new(),
            canons: Vec::new(),
            old_ptr: Vec::new(),
            new_ptr: Vec::new(),
            atomic_owned: false,
            pending_note: None,
            ambiguous: false,
            hiding: None,
            changes: Vec::new(),
            suppressed: Vec::new(),
            explains: Vec::new(),
            warnings: Vec::new(),
        }
    }

    fn canon(&self) -> &str {
        self.canons.last().map_or("", String::as_str)
    }

    fn parent_canon(&self) -> &str {
        match self.canons.len() {
            0 | 1 => "",
            n => &self.canons[n - 2],
        }
    }

    fn push_canon(&mut self) {
        self.canons.push(schema::canonical(self.s.kind, &self.raw, &self.s.pod_roots));
    }

    fn last_key(&self) -> &'a str {
        match self.path.last() {
            Some(Seg::Key(k)) => k,
            _ => "",
        }
    }

    /// The display path: `spec.ports[port=80,protocol=TCP].targetPort`.
    pub(crate) fn display_path(&self) -> String {
        let mut out = String::new();
        for seg in &self.path {
            match seg {
                Seg::Key(k) => {
                    let d = dotted_key(k);
                    if !out.is_empty() && !d.starts_with('[') {
                        out.push('.');
                    }
                    out.push_str(&d);
                }
                Seg::Elem { old_index, new_index, keys, old, new } => {
                    let elem = new.or(*old);
                    match (keys, elem) {
                        (Some(keys), Some(e)) if !keys.is_empty() => {
                            let parts: Vec<String> = keys
                                .iter()
                                .map(|k| format!("{k}={}", key_string(&key_value(e, k))))
                                .collect();
                            out.push_str(&format!("[{}]", parts.join(",")));
                        }
                        _ => out.push_str(&format!("[{}]", new_index.or(*old_index).unwrap_or(0))),
                    }
                }
            }
        }
        out
    }

    fn explain(&mut self, rule: impl Into<String>) {
        if self.s.explain {
            let path = self.display_path();
            self.explains.push((rule.into(), path));
        }
    }

    fn ptr(tokens: &[String]) -> String {
        tokens.iter().fold(String::new(), |mut acc, t| {
            acc.push('/');
            acc.push_str(t);
            acc
        })
    }

    /// The keyed fingerprint of a hidden value, when a key is set.
    fn fingerprint(&self, hidden: bool, value: Option<&Value>) -> Option<String> {
        let key = self.s.secret_key.filter(|_| hidden)?;
        value.map(|v| key.fingerprint(v))
    }

    fn record(&mut self, op: Op, old: Option<&Value>, new: Option<&Value>, hidden: bool) {
        self.record_as(op, old, new, hidden, None);
    }

    fn record_as(
        &mut self,
        op: Op,
        old: Option<&Value>,
        new: Option<&Value>,
        hidden: bool,
        foreign: Option<String>,
    ) {
        let canon = self.canon().to_string();
        let mut note = self.pending_note.clone();
        if self.s.old_live && new.is_none() && old.is_some() && !self.s.builtin && self.s.mode == Mode::Strict
        {
            note.get_or_insert_with(|| "live-only, possibly defaulted (schema unknown)".into());
        }
        let manager = if self.s.old_live && old.is_some() { self.owner() } else { None };
        let mut change = RawChange {
            path: self.display_path(),
            old_ptr: old.map(|_| Self::ptr(&self.old_ptr)),
            new_ptr: new.map(|_| Self::ptr(&self.new_ptr)),
            op,
            old: if hidden { None } else { old.cloned() },
            new: if hidden { None } else { new.cloned() },
            raw_schema: self.raw.clone(),
            canon,
            note,
            hidden,
            ambiguous: self.ambiguous,
            manager,
            foreign,
            hidden_by: self.hiding,
            secret_digest: hidden.then(|| super::baseline::secret_digest(old, new, self.s.secret_key)),
            fingerprints: (self.fingerprint(hidden, old), self.fingerprint(hidden, new)),
        };
        if let Some(rule) = self.manager_rule(&self.s.rules, &change) {
            self.suppressed.push(Suppressed { rule, change });
            return;
        }
        if change.hidden_by.is_none() {
            change.hidden_by = self.manager_rule(&self.s.hides, &change);
        }
        self.changes.push(change);
    }

    /// The index of a manager rule of `rules` that owns the changed field, if any.
    fn manager_rule(&self, rules: &[(usize, &IgnoreRule)], change: &RawChange) -> Option<usize> {
        if rules.is_empty() {
            return None;
        }
        let owner = change.manager.as_deref().map(str::to_string).or_else(|| self.owner())?;
        rules
            .iter()
            .find(|(_, r)| r.manager.as_deref().is_some_and(|m| glob(m, &owner)) && r.segs.is_empty())
            .map(|(i, _)| *i)
    }

    /// The live field manager owning the current path (deepest match in `managedFields`).
    fn owner(&self) -> Option<String> {
        let mut best: Option<(usize, &str)> = None;
        for (manager, fields) in &self.s.managed {
            let depth = owned_depth(fields, &self.path);
            if depth > 0 && best.is_none_or(|(d, _)| depth > d) {
                best = Some((depth, manager));
            }
        }
        best.map(|(_, m)| m.to_string())
    }

    /// Index of the path rule of `rules` matching the current path, if any.
    fn path_rule(&self, rules: &[(usize, &IgnoreRule)]) -> Option<usize> {
        rules.iter().find(|(_, r)| !r.segs.is_empty() && self.rule_matches(r)).map(|(i, _)| *i)
    }

    fn rule_matches(&self, rule: &IgnoreRule) -> bool {
        if rule.segs.len() != self.path.len() {
            return false;
        }
        let owner_ok = rule.manager.as_deref().is_none_or(|m| self.owner().is_some_and(|o| glob(m, &o)));
        owner_ok
            && rule.segs.iter().zip(&self.path).all(|(rs, seg)| match (rs, seg) {
                (RuleSeg::Key(g), Seg::Key(k)) => glob(g, k),
                (RuleSeg::Key(t), Seg::Elem { old_index, new_index, .. }) => {
                    t.parse::<usize>().is_ok_and(|n| *old_index == Some(n) || *new_index == Some(n))
                }
                (RuleSeg::Index(n), Seg::Elem { old_index, new_index, .. }) => {
                    *old_index == Some(*n) || *new_index == Some(*n)
                }
                (RuleSeg::Select(pairs), Seg::Elem { old, new, .. }) => {
                    // Selected on the desired element when there is one (symmetric evaluation).
                    new.or(*old).is_some_and(|e| {
                        pairs.iter().all(|(k, g)| glob(g, &key_string(e.get(k).unwrap_or(&Value::Null))))
                    })
                }
                (RuleSeg::Any, Seg::Elem { .. }) => true,
                _ => false,
            })
    }

    /// Compares two whole objects (already normalized).
    pub(crate) fn run(&mut self, old: &'a Value, new: &'a Value, last_applied: Option<&'a Value>) {
        self.node(Some(old), Some(new), last_applied, None, None);
    }

    fn with_key(
        &mut self,
        k: &'a str,
        old: Option<&'a Value>,
        new: Option<&'a Value>,
        la: Option<&'a Value>,
        holders: (Option<&'a Value>, Option<&'a Value>),
    ) {
        let raw_len = self.raw.len();
        if !self.raw.is_empty() {
            self.raw.push('.');
        }
        self.raw.push_str(k);
        self.push_canon();
        self.path.push(Seg::Key(k));
        self.old_ptr.push(escape(k));
        self.new_ptr.push(escape(k));
        self.node(old, new, la, holders.0, holders.1);
        self.new_ptr.pop();
        self.old_ptr.pop();
        self.path.pop();
        self.canons.pop();
        self.raw.truncate(raw_len);
    }

    #[allow(clippy::too_many_arguments)]
    fn with_elem(
        &mut self,
        old: Option<(usize, &'a Value)>,
        new: Option<(usize, &'a Value)>,
        keys: Option<&'a [String]>,
        la: Option<&'a Value>,
        holders: (Option<&'a Value>, Option<&'a Value>),
    ) {
        let raw_len = self.raw.len();
        self.raw.push_str("[]");
        self.push_canon();
        self.path.push(Seg::Elem {
            old_index: old.map(|o| o.0),
            new_index: new.map(|n| n.0),
            keys,
            old: old.map(|o| o.1),
            new: new.map(|n| n.1),
        });
        self.old_ptr.push(old.map_or_else(String::new, |o| o.0.to_string()));
        self.new_ptr.push(new.map_or_else(String::new, |n| n.0.to_string()));
        self.node(old.map(|o| o.1), new.map(|n| n.1), la, holders.0, holders.1);
        self.new_ptr.pop();
        self.old_ptr.pop();
        self.path.pop();
        self.canons.pop();
        self.raw.truncate(raw_len);
    }

    fn node(
        &mut self,
        old: Option<&'a Value>,
        new: Option<&'a Value>,
        la: Option<&'a Value>,
        old_holder: Option<&'a Value>,
        new_holder: Option<&'a Value>,
    ) {
        if !self.path.is_empty()
            && !self.s.rules.is_empty()
            && let Some(rule) = self.path_rule(&self.s.rules)
        {
            self.suppress(rule, old, new, la, old_holder, new_holder);
            return;
        }
        if !self.path.is_empty()
            && self.hiding.is_none()
            && !self.s.hides.is_empty()
            && let Some(rule) = self.path_rule(&self.s.hides)
        {
            // Output-only: compared as usual, the changes are only marked.
            self.hiding = Some(rule);
            self.node_body(old, new, la, old_holder, new_holder);
            self.hiding = None;
            return;
        }
        self.node_body(old, new, la, old_holder, new_holder);
    }

    fn node_body(
        &mut self,
        old: Option<&'a Value>,
        new: Option<&'a Value>,
        la: Option<&'a Value>,
        old_holder: Option<&'a Value>,
        new_holder: Option<&'a Value>,
    ) {
        if self.s.secret
            && !self.s.show_secrets
            && self.path.len() == 2
            && matches!(self.path[0], Seg::Key("data"))
        {
            return self.secret_value(old, new);
        }
        match (old, new) {
            (None, None) => {}
            (Some(o), Some(n)) => self.both(o, n, la, old_holder, new_holder),
            (Some(o), None) => self.one_sided(true, o, la, old_holder, new_holder),
            (None, Some(n)) => self.one_sided(false, n, la, old_holder, new_holder),
        }
    }

    fn suppress(
        &mut self,
        rule: usize,
        old: Option<&'a Value>,
        new: Option<&'a Value>,
        la: Option<&'a Value>,
        oh: Option<&'a Value>,
        nh: Option<&'a Value>,
    ) {
        let saved_rules = std::mem::take(&mut self.s.rules);
        let start = self.changes.len();
        self.node(old, new, la, oh, nh);
        self.s.rules = saved_rules;
        let hidden: Vec<RawChange> = self.changes.drain(start..).collect();
        if !hidden.is_empty() {
            self.explain(format!("ignore-rule#{}", rule + 1));
        }
        self.suppressed.extend(hidden.into_iter().map(|change| Suppressed { rule, change }));
    }

    fn secret_value(&mut self, old: Option<&'a Value>, new: Option<&'a Value>) {
        let op = match (old, new) {
            (Some(o), Some(n)) if o == n => return,
            (Some(_), Some(_)) => Op::Changed,
            (Some(_), None) => Op::Removed,
            (None, Some(_)) => Op::Added,
            (None, None) => return,
        };
        self.record(op, old, new, true);
    }

    /// Whether `a` and `b` are equal under the current path's rules, recording nothing.
    fn equal_silent(
        &mut self,
        a: &'a Value,
        b: &'a Value,
        oh: Option<&'a Value>,
        nh: Option<&'a Value>,
    ) -> bool {
        let (c, s, e, w) =
            (self.changes.len(), self.suppressed.len(), self.explains.len(), self.warnings.len());
        let saved_explain = self.s.explain;
        self.s.explain = false;
        self.both(a, b, Some(b), oh, nh);
        self.s.explain = saved_explain;
        let equal = self.changes.len() == c;
        self.changes.truncate(c);
        self.suppressed.truncate(s);
        self.explains.truncate(e);
        self.warnings.truncate(w);
        equal
    }

    fn default_here(&self, holder: Option<&'a Value>) -> Option<&'a Value> {
        let canon = self.canon();
        if (self.s.builtin || canon.starts_with("POD") || canon.starts_with("PVC"))
            && let Some(d) = schema::server_default(canon, holder)
        {
            return Some(d);
        }
        self.s.crd.and_then(|c| c.defaults.get(&self.raw))
    }

    fn one_sided(
        &mut self,
        on_old: bool,
        v: &'a Value,
        la: Option<&'a Value>,
        oh: Option<&'a Value>,
        nh: Option<&'a Value>,
    ) {
        if self.s.version_skew {
            return self.explain("version-skew");
        }
        if v.is_null() {
            return self.explain("null-absent");
        }
        let in_pod_or_builtin = self.s.builtin || self.canon().starts_with("POD");
        if in_pod_or_builtin && is_empty(v) && !schema::is_free_form_map(self.parent_canon()) {
            return self.explain("omitempty");
        }
        if self.s.secret
            && !self.s.show_secrets
            && self.path.len() == 1
            && matches!(self.path[0], Seg::Key("data"))
        {
            let empty: &'a Value = &EMPTY_OBJECT;
            return if on_old { self.both(v, empty, la, oh, nh) } else { self.both(empty, v, la, oh, nh) };
        }
        // A keyed list only one side has: compare element by element, so each element gets its
        // own path (and ignore rules and ownership apply per element).
        if v.is_array() && matches!(self.list_type(), Some(ListType::Map { .. })) {
            let empty: &'a Value = &EMPTY_ARRAY;
            return if on_old { self.both(v, empty, la, oh, nh) } else { self.both(empty, v, la, oh, nh) };
        }
        // The field is missing on one side: the server would fill in its default there.
        let missing_holder = if on_old { nh } else { oh };
        if let Some(d) = self.default_here(missing_holder) {
            let (o, n) = if on_old { (v, d) } else { (d, v) };
            if self.equal_silent(o, n, oh, nh) {
                return self.explain(format!("server-default:{}", self.last_key()));
            }
            let saved = self.pending_note.replace(format!(
                "{} side omits it; the server default applies",
                if on_old { "new" } else { "old" }
            ));
            self.both(o, n, la, oh, nh);
            self.pending_note = saved;
            return;
        }
        if on_old && self.s.old_live {
            if schema::is_allocated(self.canon()) {
                return self.explain("server-allocated");
            }
            if self.s.mode == Mode::Apply && la.is_none() && !self.atomic_owned {
                return self.explain("not-owned");
            }
            if self.s.mode == Mode::Ownership && !self.atomic_owned {
                return self.live_only_owned(v, la);
            }
        }
        if on_old {
            self.record(Op::Removed, Some(v), None, false);
        } else {
            self.record(Op::Added, None, Some(v), false);
        }
    }

    /// Ownership mode: a field only the live object has. Ours (one of the `ours` managers owns
    /// it): applying the desired state removes it, so it is a change. Another manager's, or no
    /// manager's (a mutating webhook): foreign. Without `managedFields`, as apply mode.
    fn live_only_owned(&mut self, v: &'a Value, la: Option<&'a Value>) {
        if self.s.managed.is_empty() {
            if la.is_none() {
                return self.explain("not-owned");
            }
            return self.record(Op::Removed, Some(v), None, false);
        }
        // Managers that own keys of this map, not the map: each key has its own owner.
        if v.as_object().is_some_and(|m| !m.is_empty())
            && self.s.managed.iter().any(|(_, f)| owns_children_only(f, &self.path))
        {
            let empty: &'a Value = &EMPTY_OBJECT;
            return self.both(v, empty, la, None, None);
        }
        match self.owner() {
            Some(m) if self.s.ours.iter().any(|g| glob(g, &m)) => {
                let saved = self
                    .pending_note
                    .replace(format!("owned by {m}, which applies the desired state: applying removes it"));
                self.record(Op::Removed, Some(v), None, false);
                self.pending_note = saved;
            }
            Some(m) => self.record_as(Op::Removed, Some(v), None, false, Some(m)),
            None => self.record_as(Op::Removed, Some(v), None, false, Some("webhook".into())),
        }
    }

    fn both(
        &mut self,
        o: &'a Value,
        n: &'a Value,
        la: Option<&'a Value>,
        oh: Option<&'a Value>,
        nh: Option<&'a Value>,
    ) {
        match (o, n) {
            (Value::Object(om), Value::Object(nm)) => {
                for (k, nv) in nm {
                    self.with_key(k, om.get(k), Some(nv), la.and_then(|l| l.get(k)), (Some(o), Some(n)));
                }
                for (k, ov) in om {
                    if !nm.contains_key(k) {
                        self.with_key(k, Some(ov), None, la.and_then(|l| l.get(k)), (Some(o), Some(n)));
                    }
                }
            }
            (Value::Array(oa), Value::Array(na)) => self.list(oa, na, la),
            _ => self.leaf(o, n, oh, nh),
        }
    }

    fn leaf(&mut self, o: &'a Value, n: &'a Value, _oh: Option<&'a Value>, _nh: Option<&'a Value>) {
        let canon = self.canon();
        let key = self.last_key();
        let quantity_field = schema::is_quantity_map(self.parent_canon())
            || schema::is_quantity_field(canon)
            || self.is_crd_quantity(key);
        let builtin = self.s.builtin || canon.starts_with("POD") || canon.starts_with("PVC");
        let int_field = builtin && schema::is_int_field(canon, key);
        if quantity_field && let (Some(a), Some(b)) = (quantity::of_json(o), quantity::of_json(n)) {
            if quantity::round_up_milli(a) == quantity::round_up_milli(b) {
                if o != n {
                    self.explain("quantity-canonical");
                }
                return;
            }
            return self.record(Op::Changed, Some(o), Some(n), false);
        }
        if int_field && (o.is_string() || n.is_string()) && o != n {
            let bad = if n.is_string() { "new" } else { "old" };
            let saved = self
                .pending_note
                .replace(format!("type error on the {bad} side: {key} must be an integer, not a string"));
            self.record(Op::TypeError, Some(o), Some(n), false);
            self.pending_note = saved;
            return;
        }
        if schema::is_int_or_string(key) && (o.is_number() && n.is_string() || o.is_string() && n.is_number())
        {
            let saved = self.pending_note.replace(
                "IntOrString: a number is a port number, a string is a named port; they differ".into(),
            );
            self.record(Op::Changed, Some(o), Some(n), false);
            self.pending_note = saved;
            return;
        }
        if let (Value::Number(a), Value::Number(b)) = (o, n)
            && numbers_equal(a, b)
        {
            if a != b {
                self.explain("number-canonical");
            }
            return;
        }
        if o != n && self.is_duration_field() {
            let (a, b) = (o.as_str().and_then(duration::parse), n.as_str().and_then(duration::parse));
            if a.is_some() && a == b {
                return self.explain("duration-canonical");
            }
        }
        if o != n {
            self.record(Op::Changed, Some(o), Some(n), false);
        }
    }

    /// The CRD's schema types the field (whose last key is `key`) as a quantity, or as a value
    /// of a quantity map.
    fn is_crd_quantity(&self, key: &str) -> bool {
        let Some(crd) = self.s.crd else { return false };
        let parent = self.raw.strip_suffix(key).and_then(|p| p.strip_suffix('.'));
        crd.quantities.contains(&self.raw) || parent.is_some_and(|p| crd.quantity_maps.contains(p))
    }

    /// The field is a Go duration: by the CRD's schema, or a known field of a common CRD.
    fn is_duration_field(&self) -> bool {
        self.s.crd.is_some_and(|c| c.durations.contains(&self.raw))
            || schema::is_known_duration_field(self.s.group, self.s.kind, &self.raw)
    }

    fn list_type(&self) -> Option<&'a ListType> {
        let canon = self.canon();
        let builtin_path = self.s.builtin || canon.starts_with("POD") || canon.starts_with("PVC");
        if builtin_path && let Some(t) = schema::builtin_list_type(canon) {
            return Some(t);
        }
        if let Some(t) = self.s.crd.and_then(|c| c.lists.get(&self.raw)) {
            return Some(t);
        }
        schema::builtin_list_type(canon).filter(|t| **t == ListType::Set)
    }

    fn list(&mut self, oa: &'a [Value], na: &'a [Value], la: Option<&'a Value>) {
        if self.s.set_paths.contains(&self.raw) {
            let start = self.changes.len();
            self.set(oa, na);
            if self.changes.len() == start && oa != na {
                self.explain("set-semantics");
            }
            return;
        }
        match self.list_type() {
            None | Some(ListType::Atomic) => self.atomic(oa, na, la),
            Some(ListType::Set) => self.set(oa, na),
            Some(ListType::Map { keys, ordered }) => self.map_list(oa, na, la, keys, *ordered),
        }
    }

    fn atomic(&mut self, oa: &'a [Value], na: &'a [Value], la: Option<&'a Value>) {
        let saved = self.atomic_owned;
        // Apply replaces an atomic list the desired side sets, so live-only items are owned.
        self.atomic_owned = true;
        for i in 0..oa.len().max(na.len()) {
            let la_i = la.and_then(|l| l.get(i));
            self.with_elem(oa.get(i).map(|v| (i, v)), na.get(i).map(|v| (i, v)), None, la_i, (None, None));
        }
        self.atomic_owned = saved;
    }

    fn set(&mut self, oa: &'a [Value], na: &'a [Value]) {
        for (i, v) in oa.iter().enumerate() {
            if !na.iter().any(|w| loose_eq(v, w)) {
                self.with_elem(Some((i, v)), None, None, None, (None, None));
            }
        }
        for (i, v) in na.iter().enumerate() {
            if !oa.iter().any(|w| loose_eq(v, w)) {
                self.with_elem(None, Some((i, v)), None, None, (None, None));
            }
        }
    }

    fn index_by_key(
        &mut self,
        items: &'a [Value],
        keys: &[String],
        is_new: bool,
    ) -> BTreeMap<String, Vec<usize>> {
        let mut map: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, e) in items.iter().enumerate() {
            map.entry(elem_key(e, keys)).or_default().push(i);
        }
        for (k, idx) in &map {
            if idx.len() > 1 {
                self.raw.push_str("[]");
                let ptr = |i: usize, base: &[String]| format!("{}/{i}", Self::ptr(base));
                let (op, np) = if is_new {
                    (None, Some(ptr(idx[idx.len() - 1], &self.new_ptr)))
                } else {
                    (Some(ptr(idx[idx.len() - 1], &self.old_ptr)), None)
                };
                self.raw.truncate(self.raw.len() - 2);
                let message = format!(
                    "duplicate key {}[{k}] on the {} side ({} entries); the last one wins",
                    self.display_path(),
                    if is_new { "new" } else { "old" },
                    idx.len()
                );
                self.warnings.push(RawWarning {
                    code: "diff.duplicate-merge-key",
                    message,
                    old_ptr: op,
                    new_ptr: np,
                });
            }
        }
        map
    }

    fn map_list(
        &mut self,
        oa: &'a [Value],
        na: &'a [Value],
        la: Option<&'a Value>,
        keys: &'a [String],
        ordered: bool,
    ) {
        let old_idx = self.index_by_key(oa, keys, false);
        let new_idx = self.index_by_key(na, keys, true);
        let la_items: Option<&'a [Value]> = la.and_then(Value::as_array).map(Vec::as_slice);
        let la_find =
            |k: &str| la_items.and_then(|items| items.iter().rev().find(|e| elem_key(e, keys) == k));
        let name_of = |e: &Value| e.get("name").and_then(Value::as_str).map(str::to_string);
        let old_only: Vec<&String> = old_idx.keys().filter(|k| !new_idx.contains_key(*k)).collect();
        let new_only: Vec<&String> = new_idx.keys().filter(|k| !old_idx.contains_key(*k)).collect();
        let names_old: Vec<String> =
            old_only.iter().filter_map(|k| name_of(&oa[*old_idx[*k].last().unwrap_or(&0)])).collect();
        let names_new: Vec<String> =
            new_only.iter().filter_map(|k| name_of(&na[*new_idx[*k].last().unwrap_or(&0)])).collect();
        // New order first (then old-only elements), effective element = last of duplicates.
        let mut seen = std::collections::BTreeSet::new();
        for e in na {
            let k = elem_key(e, keys);
            if !seen.insert(k.clone()) {
                continue;
            }
            let ni = *new_idx[&k].last().unwrap_or(&0);
            let oi = old_idx.get(&k).and_then(|v| v.last().copied());
            let dup = new_idx[&k].len() > 1 || old_idx.get(&k).is_some_and(|v| v.len() > 1);
            let saved_amb = self.ambiguous;
            self.ambiguous |= dup;
            let note = if oi.is_none() {
                name_of(&na[ni])
                    .filter(|n| names_old.contains(n))
                    .map(|n| format!("probable re-key (same name `{n}`)"))
            } else {
                None
            };
            let note = note.or_else(|| self.pending_note.clone());
            let saved_note = std::mem::replace(&mut self.pending_note, note);
            self.with_elem(
                oi.map(|i| (i, &oa[i])),
                Some((ni, &na[ni])),
                Some(keys),
                la_find(&k),
                (None, None),
            );
            self.pending_note = saved_note;
            self.ambiguous = saved_amb;
        }
        for k in old_only {
            let oi = *old_idx[k].last().unwrap_or(&0);
            let note = name_of(&oa[oi])
                .filter(|n| names_new.contains(n))
                .map(|n| format!("probable re-key (same name `{n}`)"));
            let note = note.or_else(|| self.pending_note.clone());
            let saved_note = std::mem::replace(&mut self.pending_note, note);
            self.with_elem(Some((oi, &oa[oi])), None, Some(keys), la_find(k), (None, None));
            self.pending_note = saved_note;
        }
        if ordered {
            self.order(oa, na, keys, &old_idx, &new_idx);
        }
    }

    /// Reports a reorder of common elements in an ordered map list (env).
    fn order(
        &mut self,
        oa: &'a [Value],
        na: &'a [Value],
        keys: &[String],
        old_idx: &BTreeMap<String, Vec<usize>>,
        new_idx: &BTreeMap<String, Vec<usize>>,
    ) {
        let common = |items: &[Value], other: &BTreeMap<String, Vec<usize>>| -> Vec<String> {
            let mut seen = std::collections::BTreeSet::new();
            items
                .iter()
                .map(|e| elem_key(e, keys))
                .filter(|k| other.contains_key(k) && seen.insert(k.clone()))
                .collect()
        };
        let (o, n) = (common(oa, new_idx), common(na, old_idx));
        if o == n {
            return;
        }
        let refs =
            na.iter().any(|e| e.get("value").and_then(Value::as_str).is_some_and(|v| v.contains("$(")));
        let note = if refs {
            "order changed: $(VAR) references only see entries defined before them"
        } else {
            "order changed; env order matters for $(VAR) references"
        };
        let saved = self.pending_note.replace(note.into());
        let (ov, nv) = (Value::from(o), Value::from(n));
        self.record(Op::Moved, Some(&ov), Some(&nv), false);
        self.pending_note = saved;
    }
}

/// The merge-key string of a list element: `name=app` or `containerPort=53,protocol=UDP`.
fn elem_key(e: &Value, keys: &[String]) -> String {
    let mut out = String::new();
    for (i, k) in keys.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(k);
        out.push('=');
        out.push_str(&key_string(&key_value(e, k)));
    }
    out
}

/// The `fieldsV1` entry of one path step below `node`, if the manager has one.
fn step<'v>(node: &'v Value, seg: &Seg<'_>) -> Option<&'v Value> {
    match seg {
        Seg::Key(k) => node.get(format!("f:{k}")),
        Seg::Elem { keys: Some(keys), old, new, .. } if !keys.is_empty() => {
            let elem = old.or(*new);
            node.as_object().and_then(|m| {
                m.iter().find_map(|(fk, fv)| {
                    let json = fk.strip_prefix("k:")?;
                    let parsed: Value = serde_json::from_str(json).ok()?;
                    let obj = parsed.as_object()?;
                    let e = elem?;
                    obj.iter().all(|(k, v)| loose_eq(&key_value(e, k), v)).then_some(fv)
                })
            })
        }
        Seg::Elem { old, new, .. } => {
            let elem = old.or(*new);
            node.as_object().and_then(|m| {
                m.iter().find_map(|(fk, fv)| {
                    let parsed: Value = serde_json::from_str(fk.strip_prefix("v:")?).ok()?;
                    elem.is_some_and(|e| loose_eq(e, &parsed)).then_some(fv)
                })
            })
        }
    }
}

/// Whether a manager's `fieldsV1` entry for exactly `path` lists children but not the node
/// itself (no `.`): it owns some keys of a map, not the map.
fn owns_children_only(fields: &Value, path: &[Seg<'_>]) -> bool {
    let mut node = fields;
    for seg in path {
        match step(node, seg) {
            Some(n) => node = n,
            None => return false,
        }
    }
    node.as_object().is_some_and(|m| !m.is_empty() && !m.contains_key("."))
}

/// How deep `path` reaches into a manager's `fieldsV1` tree (0: not owned).
fn owned_depth(fields: &Value, path: &[Seg<'_>]) -> usize {
    let mut node = fields;
    for (depth, seg) in path.iter().enumerate() {
        match step(node, seg) {
            Some(n) => node = n,
            // Owning a parent as a whole (an atomic list, a `.` entry) owns the child.
            None => {
                return if depth > 0 && node.as_object().is_some_and(|m| m.is_empty() || m.contains_key(".")) {
                    depth
                } else {
                    0
                };
            }
        }
    }
    path.len()
}
