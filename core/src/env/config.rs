//! The `gitops-kit.yaml` model and its loader: one pass over the located YAML tree that
//! validates every entry and records where it came from.

use super::error::{ConfigErrorKind as K, Error};
use super::schedule::{self, Cron, MAX_WINDOW_SECONDS, RRule, Schedule, Zone};
use crate::Location;
use crate::yaml::{self, Document, NodeKind, NodeRef, ScalarValue, escape_pointer_token};
use jiff::Timestamp;
use serde::Serialize;
use serde_json::{Map, Value};

/// Where a configuration entry is: file, 1-based line and column, and its JSON pointer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Site {
    /// The file name as given.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// JSON pointer in the file.
    pub pointer: String,
}

impl Site {
    pub(crate) fn location(&self) -> Location {
        Location { file: self.file.clone(), line: self.line, column: self.column }
    }
}

/// One problem found while checking a configuration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// Stable code (`env.unknown-key`, `env.never-open`, …).
    pub code: String,
    /// Explanation.
    pub message: String,
    /// File name.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
    /// JSON pointer.
    pub pointer: String,
}

/// Where an environment deploys.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Target {
    /// Cluster name.
    pub cluster: Option<String>,
    /// Namespace.
    pub namespace: Option<String>,
}

/// A manifest-branch name or glob (`*` and `?` do not cross `/`, `**` does, `[a-z]` classes).
#[derive(Debug, Clone)]
pub struct BranchPattern {
    /// The pattern as written.
    pub text: String,
    pub(crate) regex: Option<regex::Regex>,
    /// Where it is written.
    pub site: Site,
}

impl BranchPattern {
    /// Whether this is a glob rather than an exact name.
    #[must_use]
    pub fn is_glob(&self) -> bool {
        self.regex.is_some()
    }

    /// The text matched by each wildcard, if `branch` matches.
    #[must_use]
    pub fn captures(&self, branch: &str) -> Option<Vec<String>> {
        match &self.regex {
            None => (self.text == branch).then(Vec::new),
            Some(re) => re.captures(branch).map(|c| {
                c.iter().skip(1).map(|m| m.map(|m| m.as_str().to_string()).unwrap_or_default()).collect()
            }),
        }
    }
}

/// Translates a branch glob into an anchored regex with one group per wildcard.
fn glob_regex(glob: &str) -> Result<regex::Regex, String> {
    let mut re = String::from("^");
    let chars: Vec<char> = glob.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' if chars.get(i + 1) == Some(&'*') => {
                re.push_str("(.*)");
                i += 1;
            }
            '*' => re.push_str("([^/]*)"),
            '?' => re.push_str("[^/]"),
            '[' => {
                let close =
                    chars[i + 1..].iter().position(|c| *c == ']').ok_or("unterminated [ in the pattern")?;
                let body: String = chars[i + 1..i + 1 + close].iter().collect();
                let body = body.strip_prefix('!').map_or(body.clone(), |b| format!("^{b}"));
                if body.is_empty() || body == "^" {
                    return Err("empty [] class in the pattern".to_string());
                }
                re.push('[');
                re.push_str(&body.replace('\\', "\\\\").replace('[', "\\["));
                re.push(']');
                i += close + 1;
            }
            c => re.push_str(&regex::escape(&c.to_string())),
        }
        i += 1;
    }
    re.push('$');
    regex::Regex::new(&re).map_err(|e| format!("the pattern does not compile: {e}"))
}

/// Allow or deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WindowKind {
    /// Deploys only inside such windows.
    Allow,
    /// No deploys inside such windows.
    Deny,
}

/// A recurring allow or deny window.
#[derive(Debug, Clone)]
pub struct Window {
    /// Allow or deny.
    pub kind: WindowKind,
    /// When it starts.
    pub schedule: Schedule,
    /// The cron or RRULE text.
    pub expression: String,
    /// Elapsed seconds it lasts.
    pub duration: i64,
    /// Zone its start times are read in.
    pub zone: Zone,
    /// Free text.
    pub description: Option<String>,
    /// Where it is written.
    pub site: Site,
}

/// A one-off freeze `[from, to)`.
#[derive(Debug, Clone)]
pub struct Freeze {
    /// First frozen instant.
    pub from: Timestamp,
    /// First instant after the freeze.
    pub to: Timestamp,
    /// The zone `from` and `to` were read in.
    pub zone: Zone,
    /// Free text.
    pub description: Option<String>,
    /// Where it is written.
    pub site: Site,
}

/// The deploy windows of an environment.
#[derive(Debug, Clone, Default)]
pub struct Windows {
    /// Allow windows (if any, deploys only inside one).
    pub allow: Vec<Window>,
    /// Deny windows (beat allow windows).
    pub deny: Vec<Window>,
    /// One-off freezes.
    pub freezes: Vec<Freeze>,
    /// Seconds a promotion started inside an allow window may run past its end.
    pub overrun: i64,
    /// Where the `windows:` key is, if written.
    pub site: Option<Site>,
}

impl Windows {
    /// Whether there is any window or freeze.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.allow.is_empty() && self.deny.is_empty() && self.freezes.is_empty()
    }
}

/// Approval requirements.
#[derive(Debug, Clone, Serialize)]
pub struct ApprovalRule {
    /// Distinct approvers needed.
    pub required: u32,
    /// Groups approvers must belong to (any of them); empty means anyone.
    pub groups: Vec<String>,
    /// Whether the change's author cannot approve it.
    pub prevent_self_approval: bool,
    /// Choices of a manual judgement.
    pub judgement_choices: Vec<String>,
    /// Where it is written.
    #[serde(skip)]
    pub site: Site,
}

/// One environment.
#[derive(Debug, Clone)]
pub struct Environment {
    /// Its name (the key under `environments:`).
    pub name: String,
    /// Where the name is written.
    pub site: Site,
    /// Manifest branch (exact or glob).
    pub manifest_branch: BranchPattern,
    /// Code branch.
    pub code_branch: Option<String>,
    /// Cluster and namespace.
    pub target: Target,
    /// Environments this one promotes from, with their sites.
    pub after: Vec<(String, Site)>,
    /// Promotion settings as JSON (`mode` always present).
    pub promotion: Value,
    /// Approval requirements.
    pub approvals: Option<ApprovalRule>,
    /// Deploy windows.
    pub windows: Windows,
    /// Effective policy: defaults overridden by the environment's own.
    pub policy: Value,
    /// Guards as JSON.
    pub guards: Value,
}

/// Preview environments.
#[derive(Debug, Clone)]
pub struct Previews {
    /// Branch pattern (`pr-*`).
    pub pattern: BranchPattern,
    /// Namespace template (`shop-pr-{pr}`).
    pub namespace_template: String,
    /// Image tag scheme of previews.
    pub tag_scheme: Option<String>,
    /// Time to live, seconds.
    pub ttl: Option<i64>,
    /// Cluster previews deploy to.
    pub cluster: Option<String>,
}

/// A loaded, validated `gitops-kit.yaml`.
#[derive(Debug)]
pub struct Config {
    pub(crate) doc: Document,
    pub(crate) file: String,
    pub(crate) environments: Vec<Environment>,
    pub(crate) order: Vec<usize>,
    pub(crate) previews: Option<Previews>,
    pub(crate) default_zone: Zone,
    pub(crate) default_policy: Value,
    pub(crate) warnings: Vec<Problem>,
}

/// Keys of the root mapping.
const ROOT_KEYS: &[&str] =
    &["version", "service", "code", "images", "defaults", "environments", "previews", "validation", "diff"];
const ENV_KEYS: &[&str] = &[
    "manifest_branch",
    "code_branch",
    "target",
    "after",
    "promotion",
    "approvals",
    "windows",
    "policy",
    "guards",
];
const POLICY_KEYS: &[&str] =
    &["forbid_latest", "require_digest", "forbid_replicas", "allowed_tag_pattern", "allowed_code_refs"];
const GUARD_KEYS: &[&str] = &["forbid_scale_to_zero", "forbid_workload_removal", "forbid_service_removal"];

/// Collects problems while walking the tree.
pub(crate) struct Ctx {
    file: String,
    pub(crate) errors: Vec<(K, Site, String)>,
    /// Environment names referenced outside `after:` (verified_in, same_digest_as).
    pending_refs: Vec<(String, Site)>,
}

fn child(ptr: &str, key: &str) -> String {
    format!("{ptr}/{}", escape_pointer_token(key))
}

impl Ctx {
    fn site(&self, node: NodeRef<'_>, ptr: &str) -> Site {
        let span = node.span();
        Site {
            file: self.file.clone(),
            line: span.start.line,
            column: span.start.column,
            pointer: ptr.to_string(),
        }
    }

    fn error(&mut self, kind: K, node: NodeRef<'_>, ptr: &str, message: impl Into<String>) {
        let site = self.site(node, ptr);
        self.errors.push((kind, site, message.into()));
    }

    /// Checks that `node` is a mapping with only `allowed` keys and every `required` key.
    fn mapping(&mut self, node: NodeRef<'_>, ptr: &str, allowed: &[&str], required: &[&str]) -> bool {
        if node.kind() != NodeKind::Mapping {
            self.error(K::InvalidValue, node, ptr, format!("{} must be a mapping", name_of(ptr)));
            return false;
        }
        for (k, _) in node.entries() {
            let key = k.key_string().map(|s| s.into_owned()).unwrap_or_default();
            if !allowed.contains(&key.as_str()) {
                let msg = format!(
                    "unknown key {key:?} in {}; expected one of: {}",
                    name_of(ptr),
                    allowed.join(", ")
                );
                self.error(K::UnknownKey, k, &child(ptr, &key), msg);
            }
        }
        for key in required {
            if node.get(key).is_none() {
                self.error(K::MissingKey, node, ptr, format!("{} needs the key {key:?}", name_of(ptr)));
            }
        }
        true
    }

    fn string(&mut self, node: NodeRef<'_>, ptr: &str) -> Option<String> {
        match node.value() {
            Ok(Some(ScalarValue::Null)) | Ok(None) | Err(_) => {
                self.error(K::InvalidValue, node, ptr, format!("{} must be a string", name_of(ptr)));
                None
            }
            Ok(Some(_)) => node.as_str().map(str::to_string),
        }
    }

    fn boolean(&mut self, node: NodeRef<'_>, ptr: &str) -> Option<bool> {
        if let Ok(Some(ScalarValue::Bool(b))) = node.value() {
            return Some(b);
        }
        self.error(K::InvalidValue, node, ptr, format!("{} must be true or false", name_of(ptr)));
        None
    }

    fn count(&mut self, node: NodeRef<'_>, ptr: &str) -> Option<u32> {
        if let Ok(Some(ScalarValue::Int(n))) = node.value()
            && let Ok(n) = u32::try_from(n)
        {
            return Some(n);
        }
        self.error(K::InvalidValue, node, ptr, format!("{} must be a non-negative integer", name_of(ptr)));
        None
    }

    fn strings<'d>(&mut self, node: NodeRef<'d>, ptr: &str) -> Vec<(String, NodeRef<'d>, String)> {
        if node.kind() != NodeKind::Sequence {
            self.error(K::InvalidValue, node, ptr, format!("{} must be a list of strings", name_of(ptr)));
            return Vec::new();
        }
        let mut out = Vec::new();
        for (i, item) in node.items().enumerate() {
            let p = format!("{ptr}/{i}");
            if let Some(s) = self.string(item, &p) {
                out.push((s, item, p));
            }
        }
        out
    }

    fn duration(&mut self, node: NodeRef<'_>, ptr: &str, min: i64) -> Option<i64> {
        let text = self.string(node, ptr)?;
        match schedule::parse_duration(&text) {
            Ok(s) if s < min || s > MAX_WINDOW_SECONDS => {
                let msg = format!("{} {text:?} must be between {min}s and 366d", name_of(ptr));
                self.error(K::InvalidDuration, node, ptr, msg);
                None
            }
            Ok(s) => Some(s),
            Err(e) => {
                self.error(K::InvalidDuration, node, ptr, e);
                None
            }
        }
    }

    fn zone(&mut self, node: NodeRef<'_>, ptr: &str) -> Option<Zone> {
        let name = self.string(node, ptr)?;
        match Zone::new(&name) {
            Ok(z) => Some(z),
            Err(e) => {
                self.error(K::InvalidTimezone, node, ptr, e);
                None
            }
        }
    }

    /// A validated node as JSON (null when it cannot be converted).
    fn json(node: NodeRef<'_>) -> Value {
        node.to_json().unwrap_or(Value::Null)
    }
}

/// `/environments/prd/windows` → `environments.prd.windows` for messages.
fn name_of(ptr: &str) -> String {
    if ptr.is_empty() {
        return "the file".to_string();
    }
    ptr.trim_start_matches('/').replace('/', ".")
}

impl Ctx {
    fn branch_pattern(&mut self, node: NodeRef<'_>, ptr: &str) -> Option<BranchPattern> {
        let text = self.string(node, ptr)?;
        let site = self.site(node, ptr);
        if text.is_empty() {
            self.error(K::InvalidPattern, node, ptr, "a branch name cannot be empty");
            return None;
        }
        if !text.contains(['*', '?', '[']) {
            return Some(BranchPattern { text, regex: None, site });
        }
        match glob_regex(&text) {
            Ok(re) => Some(BranchPattern { text, regex: Some(re), site }),
            Err(e) => {
                self.error(K::InvalidPattern, node, ptr, format!("branch pattern {text:?}: {e}"));
                None
            }
        }
    }

    fn tag_scheme(&mut self, node: NodeRef<'_>, ptr: &str) -> Option<String> {
        let scheme = self.string(node, ptr)?;
        // The image module owns tag schemes: one parser decides what renders legal tags.
        if let Err(e) = crate::image::TagScheme::parse(&scheme) {
            self.error(K::InvalidTagScheme, node, ptr, e.to_string());
            return None;
        }
        Some(scheme)
    }

    fn policy(&mut self, node: NodeRef<'_>, ptr: &str) -> Map<String, Value> {
        let mut out = Map::new();
        if !self.mapping(node, ptr, POLICY_KEYS, &[]) {
            return out;
        }
        for (k, v) in node.entries() {
            let key = k.key_string().map(|s| s.into_owned()).unwrap_or_default();
            let p = child(ptr, &key);
            let value = match key.as_str() {
                "allowed_tag_pattern" => {
                    let Some(pattern) = self.string(v, &p) else { continue };
                    let anchored = pattern.starts_with('^') && pattern.ends_with('$');
                    if let Err(e) = regex::Regex::new(&pattern) {
                        self.error(
                            K::InvalidPattern,
                            v,
                            &p,
                            format!("allowed_tag_pattern does not compile: {e}"),
                        );
                    } else if !anchored {
                        let msg = format!(
                            "allowed_tag_pattern {pattern:?} must be anchored: start with ^ and end with $"
                        );
                        self.error(K::InvalidPattern, v, &p, msg);
                    }
                    Value::String(pattern)
                }
                "allowed_code_refs" => {
                    Value::Array(self.strings(v, &p).into_iter().map(|(s, _, _)| Value::String(s)).collect())
                }
                _ if POLICY_KEYS.contains(&key.as_str()) => match self.boolean(v, &p) {
                    Some(b) => Value::Bool(b),
                    None => continue,
                },
                _ => continue,
            };
            out.insert(key, value);
        }
        out
    }

    fn window(&mut self, kind: WindowKind, node: NodeRef<'_>, ptr: &str, env_zone: &Zone) -> Option<Window> {
        let keys = ["cron", "rrule", "dtstart", "dtend", "duration", "timezone", "description"];
        if !self.mapping(node, ptr, &keys, &[]) {
            return None;
        }
        let zone = match node.get("timezone") {
            Some(z) => self.zone(z, &child(ptr, "timezone"))?,
            None => env_zone.clone(),
        };
        let description = node.get("description").and_then(|d| self.string(d, &child(ptr, "description")));
        let site = self.site(node, ptr);
        let (schedule, expression, duration) = match (node.get("cron"), node.get("rrule")) {
            (Some(c), None) => {
                let p = child(ptr, "cron");
                let text = self.string(c, &p)?;
                let cron = match text.parse::<Cron>() {
                    Ok(cron) => Some(cron),
                    Err(e) => {
                        self.error(K::InvalidCron, c, &p, e);
                        None
                    }
                };
                for extra in ["dtstart", "dtend"] {
                    if let Some(n) = node.get(extra) {
                        self.error(
                            K::InvalidValue,
                            n,
                            &child(ptr, extra),
                            format!("{extra} belongs to rrule windows"),
                        );
                    }
                }
                let duration = match node.get("duration") {
                    Some(d) => self.duration(d, &child(ptr, "duration"), 1),
                    None => {
                        self.error(K::MissingKey, node, ptr, format!("{} needs a duration", name_of(ptr)));
                        None
                    }
                };
                (Schedule::Cron(cron?), text, duration?)
            }
            (None, Some(r)) => self.rrule_window(node, r, ptr, &zone)?,
            _ => {
                self.error(
                    K::InvalidValue,
                    node,
                    ptr,
                    format!("{} needs exactly one of cron or rrule", name_of(ptr)),
                );
                return None;
            }
        };
        Some(Window { kind, schedule, expression, duration, zone, description, site })
    }

    fn local_time(&mut self, node: NodeRef<'_>, ptr: &str) -> Option<jiff::civil::DateTime> {
        let text = self.string(node, ptr)?;
        match schedule::parse_local(&text) {
            Ok(dt) => Some(dt),
            Err(e) => {
                self.error(K::InvalidTime, node, ptr, e);
                None
            }
        }
    }

    fn rrule_window(
        &mut self,
        node: NodeRef<'_>,
        r: NodeRef<'_>,
        ptr: &str,
        zone: &Zone,
    ) -> Option<(Schedule, String, i64)> {
        let Some(dtstart_node) = node.get("dtstart") else {
            self.error(K::MissingKey, node, ptr, format!("{} needs dtstart with rrule", name_of(ptr)));
            return None;
        };
        let start = self.local_time(dtstart_node, &child(ptr, "dtstart"));
        let p = child(ptr, "rrule");
        let text = self.string(r, &p)?;
        let rule = start.and_then(|s| match RRule::parse(&text, s) {
            Ok(rule) => Some(rule),
            Err(e) => {
                self.error(K::InvalidRrule, r, &p, e);
                None
            }
        });
        let duration = match (node.get("duration"), node.get("dtend")) {
            (Some(d), None) => self.duration(d, &child(ptr, "duration"), 1),
            (None, Some(e)) => {
                let pe = child(ptr, "dtend");
                let end = self.local_time(e, &pe)?;
                let secs = zone.instant(end).as_second() - zone.instant(start?).as_second();
                if !(1..=MAX_WINDOW_SECONDS).contains(&secs) {
                    self.error(
                        K::InvalidDuration,
                        e,
                        &pe,
                        "dtend must be after dtstart and within 366d of it",
                    );
                    None
                } else {
                    Some(secs)
                }
            }
            _ => {
                self.error(
                    K::InvalidValue,
                    node,
                    ptr,
                    format!("{} needs exactly one of duration or dtend", name_of(ptr)),
                );
                None
            }
        };
        Some((Schedule::RRule(rule?), text, duration?))
    }

    fn freeze(&mut self, node: NodeRef<'_>, ptr: &str, env_zone: &Zone) -> Option<Freeze> {
        if !self.mapping(node, ptr, &["from", "to", "timezone", "description"], &["from", "to"]) {
            return None;
        }
        let zone = match node.get("timezone") {
            Some(z) => self.zone(z, &child(ptr, "timezone"))?,
            None => env_zone.clone(),
        };
        let mut instant = |key: &str| -> Option<Timestamp> {
            let n = node.get(key)?;
            let p = child(ptr, key);
            let text = self.string(n, &p)?;
            // An explicit offset wins over the zone.
            if let Ok(t) = text.parse::<Timestamp>() {
                return Some(t);
            }
            self.local_time(n, &p).map(|dt| zone.instant(dt))
        };
        let (from, to) = (instant("from"), instant("to"));
        let (from, to) = (from?, to?);
        if to <= from {
            let n = node.get("to").unwrap_or(node);
            self.error(K::InvalidTime, n, &child(ptr, "to"), "a freeze must end after it starts");
            return None;
        }
        let description = node.get("description").and_then(|d| self.string(d, &child(ptr, "description")));
        Some(Freeze { from, to, zone, description, site: self.site(node, ptr) })
    }

    fn windows(&mut self, node: NodeRef<'_>, ptr: &str, default_zone: &Zone) -> Windows {
        let mut out = Windows { site: Some(self.site(node, ptr)), ..Windows::default() };
        if !self.mapping(node, ptr, &["timezone", "allow", "deny", "freezes", "overrun"], &[]) {
            return out;
        }
        let zone = match node.get("timezone") {
            Some(z) => self.zone(z, &child(ptr, "timezone")).unwrap_or_else(|| default_zone.clone()),
            None => default_zone.clone(),
        };
        for (key, kind) in [("allow", WindowKind::Allow), ("deny", WindowKind::Deny)] {
            let Some(list) = node.get(key) else { continue };
            let p = child(ptr, key);
            if list.kind() != NodeKind::Sequence {
                self.error(K::InvalidValue, list, &p, format!("{} must be a list of windows", name_of(&p)));
                continue;
            }
            for (i, item) in list.items().enumerate() {
                if let Some(w) = self.window(kind, item, &format!("{p}/{i}"), &zone) {
                    if kind == WindowKind::Allow { &mut out.allow } else { &mut out.deny }.push(w);
                }
            }
        }
        if let Some(list) = node.get("freezes") {
            let p = child(ptr, "freezes");
            if list.kind() == NodeKind::Sequence {
                for (i, item) in list.items().enumerate() {
                    if let Some(f) = self.freeze(item, &format!("{p}/{i}"), &zone) {
                        out.freezes.push(f);
                    }
                }
            } else {
                self.error(K::InvalidValue, list, &p, "windows.freezes must be a list");
            }
        }
        if let Some(o) = node.get("overrun") {
            out.overrun = self.duration(o, &child(ptr, "overrun"), 0).unwrap_or(0);
        }
        out
    }

    fn approvals(&mut self, node: NodeRef<'_>, ptr: &str) -> Option<ApprovalRule> {
        let keys = ["required", "groups", "prevent_self_approval", "judgement_choices"];
        if !self.mapping(node, ptr, &keys, &["required"]) {
            return None;
        }
        let required = node.get("required").and_then(|n| self.count(n, &child(ptr, "required")))?;
        let mut list = |key: &str| {
            node.get(key)
                .map(|n| self.strings(n, &child(ptr, key)).into_iter().map(|(s, _, _)| s).collect())
                .unwrap_or_default()
        };
        let groups = list("groups");
        let judgement_choices = list("judgement_choices");
        let prevent_self_approval = match node.get("prevent_self_approval") {
            Some(n) => self.boolean(n, &child(ptr, "prevent_self_approval")).unwrap_or(true),
            None => true,
        };
        Some(ApprovalRule {
            required,
            groups,
            prevent_self_approval,
            judgement_choices,
            site: self.site(node, ptr),
        })
    }

    fn promotion(&mut self, node: Option<NodeRef<'_>>, ptr: &str, refs: &mut Vec<(String, Site)>) -> Value {
        let mut out = Map::new();
        out.insert("mode".into(), Value::String("manual".into()));
        let Some(node) = node else { return Value::Object(out) };
        if !self.mapping(node, ptr, &["mode", "from_code_branch", "require", "on_diverged"], &[]) {
            return Value::Object(out);
        }
        for (k, v) in node.entries() {
            let key = k.key_string().map(|s| s.into_owned()).unwrap_or_default();
            let p = child(ptr, &key);
            let choices: &[&str] = match key.as_str() {
                "mode" => &["auto-commit", "auto-merge-pr", "pr", "manual"],
                "on_diverged" => &["refuse", "warn", "allow"],
                "from_code_branch" => &[],
                "require" => {
                    out.insert(key, self.requirements(v, &p, refs));
                    continue;
                }
                _ => continue,
            };
            let Some(s) = self.string(v, &p) else { continue };
            if !choices.is_empty() && !choices.contains(&s.as_str()) {
                self.error(K::InvalidValue, v, &p, format!("{key} must be one of: {}", choices.join(", ")));
            }
            out.insert(key, Value::String(s));
        }
        Value::Object(out)
    }

    fn requirements(&mut self, node: NodeRef<'_>, ptr: &str, refs: &mut Vec<(String, Site)>) -> Value {
        if !self.mapping(node, ptr, &["verified_in", "soak", "same_digest_as"], &[]) {
            return Value::Null;
        }
        if let Some(n) = node.get("verified_in") {
            for (s, item, p) in self.strings(n, &child(ptr, "verified_in")) {
                refs.push((s, self.site(item, &p)));
            }
        }
        if let Some(n) = node.get("same_digest_as") {
            let p = child(ptr, "same_digest_as");
            if let Some(s) = self.string(n, &p) {
                refs.push((s, self.site(n, &p)));
            }
        }
        if let Some(n) = node.get("soak") {
            self.duration(n, &child(ptr, "soak"), 0);
        }
        Ctx::json(node)
    }
}

impl Ctx {
    fn images(&mut self, node: NodeRef<'_>) {
        let ptr = "/images";
        if node.kind() != NodeKind::Sequence {
            self.error(K::InvalidValue, node, ptr, "images must be a list");
            return;
        }
        let mut seen: Vec<String> = Vec::new();
        let keys = ["id", "repository", "tag_scheme", "sort", "registry_aliases"];
        for (i, item) in node.items().enumerate() {
            let p = format!("{ptr}/{i}");
            if !self.mapping(item, &p, &keys, &["id", "repository"]) {
                continue;
            }
            if let Some(id_node) = item.get("id")
                && let Some(id) = self.string(id_node, &child(&p, "id"))
            {
                if seen.contains(&id) {
                    self.error(
                        K::InvalidValue,
                        id_node,
                        &child(&p, "id"),
                        format!("image id {id:?} is used twice"),
                    );
                }
                seen.push(id);
            }
            if let Some(n) = item.get("repository") {
                self.string(n, &child(&p, "repository"));
            }
            if let Some(n) = item.get("tag_scheme") {
                self.tag_scheme(n, &child(&p, "tag_scheme"));
            }
            if let Some(n) = item.get("registry_aliases") {
                self.strings(n, &child(&p, "registry_aliases"));
            }
            if let Some(n) = item.get("sort") {
                let ps = child(&p, "sort");
                if let Some(s) = self.string(n, &ps) {
                    let ok = matches!(s.as_str(), "git-order" | "semver" | "semver-strict" | "lexical")
                        || s.strip_prefix("numeric:").is_some_and(|v| !v.is_empty());
                    if !ok {
                        let msg =
                            "sort must be git-order, semver, semver-strict, numeric:<placeholder> or lexical";
                        self.error(K::InvalidValue, n, &ps, msg);
                    }
                }
            }
        }
    }

    fn previews(&mut self, node: NodeRef<'_>) -> Option<Previews> {
        let ptr = "/previews";
        let keys = ["branch_pattern", "namespace_template", "tag_scheme", "ttl", "cluster"];
        if !self.mapping(node, ptr, &keys, &["branch_pattern", "namespace_template"]) {
            return None;
        }
        let tag_scheme = node.get("tag_scheme").and_then(|n| self.tag_scheme(n, "/previews/tag_scheme"));
        let ttl = node.get("ttl").and_then(|n| self.duration(n, "/previews/ttl", 0));
        let cluster = node.get("cluster").and_then(|n| self.string(n, "/previews/cluster"));
        let pattern = self.branch_pattern(node.get("branch_pattern")?, "/previews/branch_pattern");
        let tnode = node.get("namespace_template")?;
        let namespace_template = self.string(tnode, "/previews/namespace_template")?;
        if let Err(e) = super::preview::check_template(&namespace_template) {
            self.error(K::InvalidValue, tnode, "/previews/namespace_template", e);
        }
        Some(Previews { pattern: pattern?, namespace_template, tag_scheme, ttl, cluster })
    }

    fn environment(
        &mut self,
        name: &str,
        key: NodeRef<'_>,
        node: NodeRef<'_>,
        defaults: &Defaults,
    ) -> Option<Environment> {
        let ptr = child("/environments", name);
        let site = self.site(key, &ptr);
        if !self.mapping(node, &ptr, ENV_KEYS, &["manifest_branch"]) {
            return None;
        }
        let manifest_branch =
            self.branch_pattern(node.get("manifest_branch")?, &child(&ptr, "manifest_branch"));
        let code_branch = node.get("code_branch").and_then(|n| self.string(n, &child(&ptr, "code_branch")));
        let mut target = Target::default();
        if let Some(t) = node.get("target") {
            let p = child(&ptr, "target");
            if self.mapping(t, &p, &["cluster", "namespace"], &[]) {
                target.cluster = t.get("cluster").and_then(|n| self.string(n, &child(&p, "cluster")));
                target.namespace = t.get("namespace").and_then(|n| self.string(n, &child(&p, "namespace")));
            }
        }
        let mut after = Vec::new();
        if let Some(a) = node.get("after") {
            for (s, item, p) in self.strings(a, &child(&ptr, "after")) {
                after.push((s, self.site(item, &p)));
            }
        }
        let mut refs = Vec::new();
        let promotion = self.promotion(node.get("promotion"), &child(&ptr, "promotion"), &mut refs);
        let approvals = node.get("approvals").and_then(|n| self.approvals(n, &child(&ptr, "approvals")));
        let windows = match node.get("windows") {
            Some(w) => self.windows(w, &child(&ptr, "windows"), &defaults.zone),
            None => Windows::default(),
        };
        let mut policy = defaults.policy.clone();
        if let Some(p) = node.get("policy") {
            policy.extend(self.policy(p, &child(&ptr, "policy")));
        }
        let guards = match node.get("guards") {
            Some(g) if self.mapping(g, &child(&ptr, "guards"), GUARD_KEYS, &[]) => {
                for (k, v) in g.entries() {
                    let key = k.key_string().map(|s| s.into_owned()).unwrap_or_default();
                    self.boolean(v, &child(&child(&ptr, "guards"), &key));
                }
                Ctx::json(g)
            }
            _ => Value::Object(Map::new()),
        };
        self.pending_refs.extend(refs);
        Some(Environment {
            name: name.to_string(),
            site,
            manifest_branch: manifest_branch?,
            code_branch,
            target,
            after,
            promotion,
            approvals,
            windows,
            policy: Value::Object(policy),
            guards,
        })
    }
}

struct Defaults {
    zone: Zone,
    policy: Map<String, Value>,
}

impl Ctx {
    fn defaults(&mut self, node: Option<NodeRef<'_>>) -> Defaults {
        let mut out = Defaults { zone: Zone::utc(), policy: Map::new() };
        let Some(node) = node else { return out };
        if !self.mapping(node, "/defaults", &["timezone", "policy"], &[]) {
            return out;
        }
        if let Some(z) = node.get("timezone").and_then(|z| self.zone(z, "/defaults/timezone")) {
            out.zone = z;
        }
        if let Some(p) = node.get("policy") {
            out.policy = self.policy(p, "/defaults/policy");
        }
        out
    }
}

/// Problems of a configuration, for `check-config`.
#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    /// `gitops-kit/env-config/v1`.
    pub schema: &'static str,
    /// The file checked.
    pub file: String,
    /// Whether there are no errors.
    pub valid: bool,
    /// Errors, in file order.
    pub errors: Vec<Problem>,
    /// Warnings (e.g. an environment that can never open).
    pub warnings: Vec<Problem>,
    /// Environment names in promotion order (empty when invalid).
    pub environments: Vec<String>,
}

fn problem(kind_code: &str, site: &Site, message: &str) -> Problem {
    Problem {
        code: kind_code.to_string(),
        message: message.to_string(),
        file: site.file.clone(),
        line: site.line,
        column: site.column,
        pointer: site.pointer.clone(),
    }
}

impl Config {
    /// Loads and validates a configuration from text; the first problem (in file order) is the error.
    ///
    /// ```
    /// let cfg = gitops_kit::env::Config::from_str(
    ///     "version: 1\nenvironments:\n  dev: {manifest_branch: dev}\n  prd: {manifest_branch: prd, after: [dev]}\n",
    ///     "gitops-kit.yaml",
    /// ).unwrap();
    /// assert_eq!(cfg.order(), vec!["dev", "prd"]);
    /// let err = gitops_kit::env::Config::from_str("version: 1\nenvironments: {dev: {manifest_branch: dev, colour: red}}\n", "c.yaml").unwrap_err();
    /// assert_eq!(err.code(), "env.unknown-key");
    /// ```
    ///
    /// # Errors
    /// `yaml.*` for unreadable YAML, `env.*` for the first invalid entry, located.
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(text: &str, file: &str) -> Result<Config, crate::Error> {
        let (config, mut errors) = load(text, file)?;
        errors.sort_by_key(|e| (e.1.line, e.1.column));
        if let Some((kind, site, message)) = errors.into_iter().next() {
            return Err(
                Error::Config { kind, location: site.location(), pointer: site.pointer, message }.into()
            );
        }
        config.ok_or_else(|| crate::Error::InvalidArgument("empty configuration".into()))
    }

    /// Reads and loads a file.
    ///
    /// # Errors
    /// `env.io` when it cannot be read, otherwise as [`Config::from_str`].
    pub fn from_path(path: &std::path::Path) -> Result<Config, crate::Error> {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Io { path: name.clone(), message: e.to_string() })?;
        Config::from_str(&text, &name)
    }

    /// Checks a configuration and reports every problem instead of stopping at the first.
    ///
    /// # Errors
    /// `yaml.*` when the text is not YAML at all (nothing else can be checked then).
    pub fn check(text: &str, file: &str) -> Result<CheckReport, crate::Error> {
        let (config, mut errors) = load(text, file)?;
        errors.sort_by_key(|e| (e.1.line, e.1.column));
        let errors: Vec<Problem> = errors.iter().map(|(k, s, m)| problem(k.code(), s, m)).collect();
        let (warnings, environments) = match (&config, errors.is_empty()) {
            (Some(c), true) => (c.warnings.clone(), c.order().into_iter().map(str::to_string).collect()),
            _ => (Vec::new(), Vec::new()),
        };
        Ok(CheckReport {
            schema: "gitops-kit/env-config/v1",
            file: file.to_string(),
            valid: errors.is_empty(),
            errors,
            warnings,
            environments,
        })
    }

    /// The file name the configuration was loaded from.
    #[must_use]
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Environments in file order.
    #[must_use]
    pub fn environments(&self) -> &[Environment] {
        &self.environments
    }

    /// One environment by name.
    #[must_use]
    pub fn environment(&self, name: &str) -> Option<&Environment> {
        self.environments.iter().find(|e| e.name == name)
    }

    /// Preview settings.
    #[must_use]
    pub fn previews(&self) -> Option<&Previews> {
        self.previews.as_ref()
    }

    /// The default zone (`defaults.timezone`, else UTC).
    #[must_use]
    pub fn default_zone(&self) -> &Zone {
        &self.default_zone
    }

    /// Warnings found while loading (the configuration is still valid).
    #[must_use]
    pub fn warnings(&self) -> &[Problem] {
        &self.warnings
    }

    /// A top-level section of the file as located YAML (`validation`, `diff`, `images`, …), for
    /// the modules that own it. Positions in it are positions in the configuration file.
    ///
    /// ```
    /// let cfg = gitops_kit::env::Config::from_str(
    ///     "version: 1\nenvironments: {}\nvalidation:\n  strict: true\n", "c.yaml").unwrap();
    /// let v = cfg.section("validation").unwrap();
    /// assert_eq!(v.span().start.line, 4);
    /// assert_eq!(cfg.section_json("validation"), Some(serde_json::json!({"strict": true})));
    /// ```
    #[must_use]
    pub fn section(&self, name: &str) -> Option<NodeRef<'_>> {
        self.doc.root()?.get(name)
    }

    /// A top-level section as JSON (as Kubernetes would read the YAML).
    #[must_use]
    pub fn section_json(&self, name: &str) -> Option<Value> {
        self.section(name)?.to_json().ok()
    }

    /// The located `validation:` section, parsed by the validation module.
    #[must_use]
    pub fn validation(&self) -> Option<NodeRef<'_>> {
        self.section("validation")
    }

    /// The located `diff:` section, parsed by the diff module.
    #[must_use]
    pub fn diff(&self) -> Option<NodeRef<'_>> {
        self.section("diff")
    }

    /// The whole located document.
    #[must_use]
    pub fn document(&self) -> &Document {
        &self.doc
    }
}

/// Parses and walks the file; returns the model (when the structure allowed building one) and
/// every problem found.
#[allow(clippy::type_complexity)]
fn load(text: &str, file: &str) -> Result<(Option<Config>, Vec<(K, Site, String)>), crate::Error> {
    let mut docs = yaml::parse_str(text, file)?;
    let mut ctx = Ctx { file: file.to_string(), errors: Vec::new(), pending_refs: Vec::new() };
    let whole_file = |message: String| -> crate::Error {
        let location = Location { file: file.to_string(), line: 1, column: 1 };
        Error::Config { kind: K::InvalidValue, location, pointer: String::new(), message }.into()
    };
    if docs.len() != 1 {
        return Err(whole_file(format!("a configuration is one YAML document, found {}", docs.len())));
    }
    let doc = docs.remove(0);
    let Some(root) = doc.root() else {
        return Err(whole_file("the configuration is empty".to_string()));
    };
    if !ctx.mapping(root, "", ROOT_KEYS, &["version", "environments"]) {
        return Ok((None, ctx.errors));
    }
    if let Some(v) = root.get("version")
        && !matches!(v.value(), Ok(Some(ScalarValue::Int(1))))
    {
        ctx.error(K::UnsupportedVersion, v, "/version", "only version: 1 is supported");
    }
    for key in ["service"] {
        if let Some(n) = root.get(key) {
            ctx.string(n, &child("", key));
        }
    }
    if let Some(c) = root.get("code")
        && ctx.mapping(c, "/code", &["repo"], &[])
        && let Some(r) = c.get("repo")
    {
        ctx.string(r, "/code/repo");
    }
    if let Some(i) = root.get("images") {
        ctx.images(i);
    }
    let defaults = ctx.defaults(root.get("defaults"));
    let mut environments = Vec::new();
    if let Some(envs) = root.get("environments") {
        if envs.kind() != NodeKind::Mapping {
            ctx.error(K::InvalidValue, envs, "/environments", "environments must be a mapping of names");
        }
        for (k, v) in envs.entries() {
            let name = k.key_string().map(|s| s.into_owned()).unwrap_or_default();
            if let Some(env) = ctx.environment(&name, k, v, &defaults) {
                environments.push(env);
            }
        }
    }
    let previews = root.get("previews").and_then(|p| ctx.previews(p));
    check_references(&mut ctx, &environments);
    check_duplicate_branches(&mut ctx, &environments);
    let order = match topological_order(&environments) {
        Ok(order) => order,
        Err(site_and_message) => {
            let (site, message) = *site_and_message;
            ctx.errors.push((K::Cycle, site, message));
            Vec::new()
        }
    };
    let mut config = Config {
        doc,
        file: file.to_string(),
        environments,
        order,
        previews,
        default_zone: defaults.zone,
        default_policy: Value::Object(defaults.policy),
        warnings: Vec::new(),
    };
    if ctx.errors.is_empty() {
        config.warnings = super::gate::never_open_warnings(&config);
    }
    Ok((Some(config), ctx.errors))
}

fn check_references(ctx: &mut Ctx, envs: &[Environment]) {
    let known: Vec<&str> = envs.iter().map(|e| e.name.as_str()).collect();
    let mut refs: Vec<(String, Site)> = envs.iter().flat_map(|e| e.after.iter().cloned()).collect();
    refs.append(&mut ctx.pending_refs);
    for (name, site) in refs {
        if !known.contains(&name.as_str()) {
            let msg = format!("no environment named {name:?}; known: {}", known.join(", "));
            ctx.errors.push((K::UnknownEnvironment, site, msg));
        }
    }
}

fn check_duplicate_branches(ctx: &mut Ctx, envs: &[Environment]) {
    for (i, e) in envs.iter().enumerate() {
        if let Some(first) = envs[..i].iter().find(|o| o.manifest_branch.text == e.manifest_branch.text) {
            let msg = format!(
                "environments {:?} and {:?} both use manifest branch {:?}",
                first.name, e.name, e.manifest_branch.text
            );
            ctx.errors.push((K::DuplicateBranch, e.manifest_branch.site.clone(), msg));
        }
    }
}

/// Kahn's algorithm; among ready environments the one declared first goes first, so the order
/// is stable. On a cycle: the site of an `after` entry on it and the cycle in words.
fn topological_order(envs: &[Environment]) -> Result<Vec<usize>, Box<(Site, String)>> {
    let index = |name: &str| envs.iter().position(|e| e.name == name);
    let deps: Vec<Vec<usize>> =
        envs.iter().map(|e| e.after.iter().filter_map(|(n, _)| index(n)).collect()).collect();
    let mut done = vec![false; envs.len()];
    let mut order = Vec::with_capacity(envs.len());
    while order.len() < envs.len() {
        let Some(next) = (0..envs.len()).find(|&i| !done[i] && deps[i].iter().all(|&d| done[d])) else {
            return Err(Box::new(describe_cycle(envs, &deps, &done)));
        };
        done[next] = true;
        order.push(next);
    }
    Ok(order)
}

fn describe_cycle(envs: &[Environment], deps: &[Vec<usize>], done: &[bool]) -> (Site, String) {
    // Every remaining node has an unfinished dependency: walking them must revisit a node.
    let mut path: Vec<usize> = Vec::new();
    let mut at = (0..envs.len()).find(|&i| !done[i]).unwrap_or(0);
    while !path.contains(&at) {
        path.push(at);
        at = deps[at].iter().copied().find(|&d| !done[d]).unwrap_or(at);
    }
    let start = path.iter().position(|&p| p == at).unwrap_or(0);
    let cycle = &path[start..];
    let from = cycle[cycle.len() - 1];
    let site = envs[from]
        .after
        .iter()
        .find(|(n, _)| *n == envs[at].name)
        .map_or_else(|| envs[from].site.clone(), |(_, s)| s.clone());
    let mut names: Vec<&str> = cycle.iter().map(|&i| envs[i].name.as_str()).collect();
    names.push(&envs[at].name);
    (site, format!("the after: graph has a cycle: {} (each waits for the next)", names.join(" → ")))
}

#[cfg(test)]
mod tests {
    use super::glob_regex;

    #[test]
    fn globs() {
        let m = |g: &str, b: &str| glob_regex(g).unwrap().is_match(b);
        assert!(m("pr-*", "pr-1") && !m("pr-*", "pr-1/x") && m("pr-*", "pr-"));
        assert!(m("team/**", "team/a/b") && m("h?", "h1") && !m("h?", "h/"));
        assert!(m("v[0-9].x", "v1.x") && !m("v[0-9].x", "v1yx") && m("a[!b]", "ac") && !m("a[!b]", "ab"));
        assert!(m("a+b(c)", "a+b(c)"));
        assert!(glob_regex("a[").is_err() && glob_regex("a[]").is_err());
    }
}
