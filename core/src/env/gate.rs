//! Deploy gates: windows (allow/deny, freezes), `next_open`, and approvals.
//!
//! Semantics: deny windows and freezes beat allow windows; if an environment has allow windows
//! it is open only inside one; without windows it is open. Time is always an argument.

use super::config::{ApprovalRule, Config, Environment, Freeze, Problem, Site, Window, WindowKind};
use super::error::Error;
use super::schedule::{format_duration, seconds};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// How far `next_open` looks ahead: 8 years, enough for a yearly or leap-day window.
pub const NEXT_OPEN_HORIZON_DAYS: i64 = 8 * 366;
/// At most this many window boundaries are stepped over by `next_open` (a deny window every
/// minute would otherwise make the 8-year search long).
const MAX_STEPS: usize = 10_000;

/// One approval record: who approved and the groups they belong to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Approval {
    /// The approver's user name (compared case-insensitively).
    pub who: String,
    /// Groups of the approver.
    #[serde(default)]
    pub groups: Vec<String>,
}

impl std::str::FromStr for Approval {
    type Err = Error;

    /// `USER` or `USER:GROUP[,GROUP…]`.
    fn from_str(s: &str) -> Result<Approval, Error> {
        let (who, groups) = s.split_once(':').unwrap_or((s, ""));
        if who.trim().is_empty() {
            return Err(Error::InvalidArgument(format!("approval {s:?} must be USER or USER:GROUP")));
        }
        let groups = groups.split(',').map(str::trim).filter(|g| !g.is_empty()).map(String::from).collect();
        Ok(Approval { who: who.trim().to_string(), groups })
    }
}

impl Approval {
    /// Approval records from JSON, as the bindings receive them: `null`, or a list whose items
    /// are `{"who": USER, "groups": [GROUP…]}` objects or `"USER[:GROUP,…]"` strings.
    ///
    /// ```
    /// let list = gitops_kit::env::Approval::list_from_json(&serde_json::json!(["ann:sre", {"who": "bo"}])).unwrap();
    /// assert_eq!((list[0].groups.len(), list[1].who.as_str()), (1, "bo"));
    /// ```
    ///
    /// # Errors
    /// `env.invalid-argument` for any other shape.
    pub fn list_from_json(value: &serde_json::Value) -> Result<Vec<Approval>, Error> {
        let items = match value {
            serde_json::Value::Null => return Ok(Vec::new()),
            serde_json::Value::Array(items) => items,
            _ => return Err(Error::InvalidArgument("approvals must be a list".into())),
        };
        items
            .iter()
            .enumerate()
            .map(|(i, item)| match item {
                serde_json::Value::String(s) => s.parse(),
                _ => serde_json::from_value(item.clone()).map_err(|e| {
                    Error::InvalidArgument(format!(
                        "approvals[{i}] must be \"USER[:GROUP]\" or {{\"who\": str, \"groups\": [str]}}: {e}"
                    ))
                }),
            })
            .collect()
    }
}

/// An approval that does not count, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IgnoredApproval {
    /// The approver.
    pub who: String,
    /// `self-approval` or `not-in-group`.
    pub reason: String,
}

/// Whether the approval requirement is met.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApprovalOutcome {
    /// Approvers needed.
    pub required: u32,
    /// Valid distinct approvers received.
    pub received: u32,
    /// Whether `received >= required`.
    pub met: bool,
    /// Groups approvers must belong to (any).
    pub groups: Vec<String>,
    /// Valid approvers, sorted.
    pub approvers: Vec<String>,
    /// Approvals that do not count, sorted by approver.
    pub ignored: Vec<IgnoredApproval>,
}

/// The window that decided a gate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WindowHit {
    /// `allow`, `deny` or `freeze`.
    pub kind: String,
    /// The window's description.
    pub description: Option<String>,
    /// Cron or RRULE text (none for freezes).
    pub expression: Option<String>,
    /// Zone its times are read in.
    pub timezone: String,
    /// Start of this occurrence (UTC, RFC 3339).
    pub start: String,
    /// End of this occurrence (exclusive).
    pub end: String,
    /// For allow windows with `overrun`: until when a promotion started inside may finish.
    pub overrun_until: Option<String>,
    /// File of the window entry.
    pub file: String,
    /// Line of the window entry.
    pub line: u32,
    /// Column of the window entry.
    pub column: u32,
    /// JSON pointer of the window entry.
    pub pointer: String,
}

/// The answer of [`Config::gate`]: `gitops-kit/gate/v1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Gate {
    /// `gitops-kit/gate/v1`.
    pub schema: &'static str,
    /// The environment asked about.
    pub environment: String,
    /// The instant asked about (UTC, RFC 3339).
    pub at: String,
    /// Whether a deploy may start now.
    pub open: bool,
    /// Why it is closed (empty when open), each with the config entry that decided.
    pub reasons: Vec<Problem>,
    /// The window that decided (the freeze or deny window that closes it, or the allow window
    /// that opens it); null when no window applies.
    pub window: Option<WindowHit>,
    /// When closed by time: the next instant windows and freezes allow a deploy (approvals are
    /// still needed then); null when open, when only approvals are missing, or when no opening
    /// exists within 8 years.
    pub next_open: Option<String>,
    /// The approval evaluation, when the environment requires approvals.
    pub approvals: Option<ApprovalOutcome>,
}

fn add(t: Timestamp, secs: i64) -> Timestamp {
    t.checked_add(seconds(secs)).unwrap_or(Timestamp::MAX)
}

/// The latest start of `w` at or before `at`.
///
/// Local → instant is monotonic (gaps map to their end, folds to their first occurrence), so a
/// local start at or before `at`'s local time is at or before `at`. Only when `at` lies in the
/// second occurrence of a fold can later local times map before it: then up to [`FOLD_SCAN`]
/// candidates after `at`'s local time are tried first.
fn latest_start(w: &Window, at: Timestamp) -> Option<Timestamp> {
    let local = w.zone.local(at);
    let oldest = local.date().checked_sub(jiff::Span::new().days(w.duration / 86_400 + 2)).ok()?;
    if w.zone.instant(local) != at {
        let mut cursor = local.checked_add(jiff::Span::new().hours(3)).ok()?;
        for _ in 0..FOLD_SCAN {
            let Some(c) = w.schedule.latest_at_or_before(cursor, oldest) else { break };
            if c <= local {
                break;
            }
            let s = w.zone.instant(c);
            if s <= at {
                return Some(s);
            }
            cursor = c.checked_sub(jiff::Span::new().seconds(1)).ok()?;
        }
    }
    w.schedule.latest_at_or_before(local, oldest).map(|c| w.zone.instant(c))
}

/// Candidates tried inside a fold (3 hours of minutes).
const FOLD_SCAN: usize = 181;

/// The occurrence of `w` active at `at`, as `(start, end)`.
fn active(w: &Window, at: Timestamp) -> Option<(Timestamp, Timestamp)> {
    let start = latest_start(w, at)?;
    let end = add(start, w.duration);
    (at < end).then_some((start, end))
}

/// The first start of `w` strictly after `after` and not after `horizon`.
fn next_start(w: &Window, after: Timestamp, horizon: Timestamp) -> Option<Timestamp> {
    // Local times up to `after`'s map at or before it; the first later one that maps after it
    // (a fold can map a few later local times before it) is the answer.
    let newest = w.zone.local(horizon).date().tomorrow().ok()?;
    let mut cursor = w.zone.local(after);
    for _ in 0..=FOLD_SCAN {
        let c = w.schedule.earliest_after(cursor, newest)?;
        let s = w.zone.instant(c);
        if s > after {
            return (s <= horizon).then_some(s);
        }
        cursor = c;
    }
    None
}

/// What applies at one instant.
struct State<'a> {
    freezes: Vec<&'a Freeze>,
    denies: Vec<(&'a Window, Timestamp, Timestamp)>,
    allow: Option<(&'a Window, Timestamp, Timestamp)>,
}

fn evaluate(env: &Environment, at: Timestamp, with_freezes: bool) -> State<'_> {
    let freezes = if with_freezes {
        env.windows.freezes.iter().filter(|f| f.from <= at && at < f.to).collect()
    } else {
        Vec::new()
    };
    let denies = env.windows.deny.iter().filter_map(|w| active(w, at).map(|(s, e)| (w, s, e))).collect();
    // Of several active allow windows report the one lasting longest.
    let allow = env.windows.allow.iter().filter_map(|w| active(w, at).map(|(s, e)| (w, s, e))).fold(
        None,
        |best: Option<(&Window, Timestamp, Timestamp)>, c| match best {
            Some(b) if b.2 >= c.2 => Some(b),
            _ => Some(c),
        },
    );
    State { freezes, denies, allow }
}

impl State<'_> {
    fn open(&self, env: &Environment) -> bool {
        self.freezes.is_empty()
            && self.denies.is_empty()
            && (env.windows.allow.is_empty() || self.allow.is_some())
    }
}

/// The first instant at or after `at` when windows (and freezes, if asked) allow a deploy.
fn next_open(env: &Environment, at: Timestamp, with_freezes: bool) -> Option<Timestamp> {
    let horizon = add(at, NEXT_OPEN_HORIZON_DAYS * 86_400);
    let mut t = at;
    for _ in 0..MAX_STEPS {
        let state = evaluate(env, t, with_freezes);
        if state.open(env) {
            return Some(t);
        }
        // Every active deny and freeze must end first; then, outside allow windows, wait for one.
        let blocked_until =
            state.denies.iter().map(|d| d.2).chain(state.freezes.iter().map(|f| f.to)).max().unwrap_or(t);
        let candidate = if blocked_until > t {
            blocked_until
        } else {
            env.windows.allow.iter().filter_map(|w| next_start(w, t, horizon)).min()?
        };
        if candidate > horizon {
            return None;
        }
        t = candidate;
    }
    None
}

/// `env.never-open` warnings: environments whose recurring windows never let a deploy through
/// (checked over 8 years from a fixed reference instant, freezes aside).
pub(crate) fn never_open_warnings(config: &Config) -> Vec<Problem> {
    let reference: Timestamp = Timestamp::from_second(1_861_920_000).unwrap_or(Timestamp::UNIX_EPOCH); // 2029-01-01
    config
        .environments
        .iter()
        .filter(|e| !(e.windows.allow.is_empty() && e.windows.deny.is_empty()))
        .filter(|e| next_open(e, reference, false).is_none())
        .filter_map(|e| {
            let site = e.windows.site.as_ref()?;
            Some(reason(
                "env.never-open",
                site,
                format!("environment {:?} can never open: its windows leave no time to deploy", e.name),
            ))
        })
        .collect()
}

fn reason(code: &str, site: &Site, message: String) -> Problem {
    Problem {
        code: code.to_string(),
        message,
        file: site.file.clone(),
        line: site.line,
        column: site.column,
        pointer: site.pointer.clone(),
    }
}

fn hit(w: &Window, start: Timestamp, end: Timestamp, overrun: i64) -> WindowHit {
    WindowHit {
        kind: match w.kind {
            WindowKind::Allow => "allow",
            WindowKind::Deny => "deny",
        }
        .to_string(),
        description: w.description.clone(),
        expression: Some(w.expression.clone()),
        timezone: w.zone.name.clone(),
        start: start.to_string(),
        end: end.to_string(),
        overrun_until: (w.kind == WindowKind::Allow && overrun > 0).then(|| add(end, overrun).to_string()),
        file: w.site.file.clone(),
        line: w.site.line,
        column: w.site.column,
        pointer: w.site.pointer.clone(),
    }
}

fn freeze_hit(f: &Freeze) -> WindowHit {
    WindowHit {
        kind: "freeze".to_string(),
        description: f.description.clone(),
        expression: None,
        timezone: f.zone.name.clone(),
        start: f.from.to_string(),
        end: f.to.to_string(),
        overrun_until: None,
        file: f.site.file.clone(),
        line: f.site.line,
        column: f.site.column,
        pointer: f.site.pointer.clone(),
    }
}

fn label(description: Option<&String>) -> String {
    description.map(|d| format!(" ({d})")).unwrap_or_default()
}

/// Evaluates approval records against a rule; `author` cannot approve when self-approval is
/// prevented. Identities are compared case-insensitively; one person counts once.
#[must_use]
pub fn evaluate_approvals(
    rule: &ApprovalRule,
    approvals: &[Approval],
    author: Option<&str>,
) -> ApprovalOutcome {
    let mut merged: Vec<Approval> = Vec::new();
    for a in approvals {
        match merged.iter_mut().find(|m| m.who.eq_ignore_ascii_case(&a.who)) {
            Some(m) => m.groups.extend(a.groups.iter().cloned()),
            None => merged.push(a.clone()),
        }
    }
    let mut approvers = Vec::new();
    let mut ignored = Vec::new();
    for a in merged {
        let own = rule.prevent_self_approval && author.is_some_and(|au| au.eq_ignore_ascii_case(&a.who));
        let in_group = rule.groups.is_empty() || a.groups.iter().any(|g| rule.groups.contains(g));
        if own {
            ignored.push(IgnoredApproval { who: a.who, reason: "self-approval".into() });
        } else if !in_group {
            ignored.push(IgnoredApproval { who: a.who, reason: "not-in-group".into() });
        } else {
            approvers.push(a.who);
        }
    }
    approvers.sort();
    ignored.sort_by(|a, b| a.who.cmp(&b.who));
    let received = u32::try_from(approvers.len()).unwrap_or(u32::MAX);
    ApprovalOutcome {
        required: rule.required,
        received,
        met: received >= rule.required,
        groups: rule.groups.clone(),
        approvers,
        ignored,
    }
}

impl Config {
    /// May `environment` be deployed at `at`, given approval records and the change's author?
    ///
    /// ```
    /// use gitops_kit::env::{Config, parse_instant};
    /// let cfg = Config::from_str(r#"
    /// version: 1
    /// environments:
    ///   prd:
    ///     manifest_branch: prd
    ///     windows:
    ///       timezone: Europe/Berlin
    ///       allow: [{cron: "0 9 * * 1-4", duration: 7h}]
    /// "#, "gitops-kit.yaml").unwrap();
    /// let friday = parse_instant("2026-11-27T10:00:00Z").unwrap();
    /// let gate = cfg.gate("prd", friday, &[], None).unwrap();
    /// assert!(!gate.open);
    /// assert_eq!(gate.next_open.as_deref(), Some("2026-11-30T08:00:00Z")); // Monday 09:00 CET
    /// ```
    ///
    /// # Errors
    /// `env.no-such-environment` for an unknown name.
    pub fn gate(
        &self,
        environment: &str,
        at: Timestamp,
        approvals: &[Approval],
        author: Option<&str>,
    ) -> Result<Gate, Error> {
        let env =
            self.environment(environment).ok_or_else(|| Error::NoSuchEnvironment(environment.into()))?;
        let state = evaluate(env, at, true);
        let mut reasons = Vec::new();
        for f in &state.freezes {
            let msg = format!(
                "frozen from {} to {} ({}){}",
                f.from,
                f.to,
                f.zone.name,
                label(f.description.as_ref())
            );
            reasons.push(reason("freeze", &f.site, msg));
        }
        for (w, s, e) in &state.denies {
            let msg = format!(
                "inside deny window {:?} ({}) from {s} to {e}{}",
                w.expression,
                w.zone.name,
                label(w.description.as_ref())
            );
            reasons.push(reason("deny-window", &w.site, msg));
        }
        if !env.windows.allow.is_empty() && state.allow.is_none() {
            let site = env.windows.site.as_ref().unwrap_or(&env.site);
            let msg = format!("outside every allow window of {:?}", env.name);
            reasons.push(reason("outside-allow-windows", site, msg));
        }
        let time_open = reasons.is_empty();
        let outcome = env.approvals.as_ref().map(|rule| evaluate_approvals(rule, approvals, author));
        if let (Some(o), Some(rule)) = (&outcome, &env.approvals)
            && !o.met
        {
            let groups =
                if o.groups.is_empty() { String::new() } else { format!(" from {}", o.groups.join(", ")) };
            let ignored: Vec<String> =
                o.ignored.iter().map(|i| format!("{} ({})", i.who, i.reason)).collect();
            let ignored =
                if ignored.is_empty() { String::new() } else { format!("; ignored: {}", ignored.join(", ")) };
            let msg = format!("{} of {} approvals{groups}{ignored}", o.received, o.required);
            reasons.push(reason("approvals", &rule.site, msg));
        }
        let window = if let Some(f) = state.freezes.first() {
            Some(freeze_hit(f))
        } else if let Some((w, s, e)) = state.denies.first() {
            Some(hit(w, *s, *e, 0))
        } else {
            state.allow.map(|(w, s, e)| hit(w, s, e, env.windows.overrun))
        };
        let next = if time_open { None } else { next_open(env, at, true).map(|t| t.to_string()) };
        Ok(Gate {
            schema: "gitops-kit/gate/v1",
            environment: env.name.clone(),
            at: at.to_string(),
            open: reasons.is_empty(),
            reasons,
            window,
            next_open: next,
            approvals: outcome,
        })
    }

    /// [`Config::gate`] with the time as RFC 3339 text (for the bindings and the CLI).
    ///
    /// # Errors
    /// `env.invalid-argument` for a malformed time, otherwise as [`Config::gate`].
    pub fn gate_at(
        &self,
        environment: &str,
        at: &str,
        approvals: &[Approval],
        author: Option<&str>,
    ) -> Result<Gate, Error> {
        self.gate(environment, super::schedule::parse_instant(at)?, approvals, author)
    }
}

/// A window described in words for listings.
pub(crate) fn describe_window(w: &Window) -> String {
    let what = match &w.schedule {
        super::schedule::Schedule::Cron(_) => format!("cron {:?}", w.expression),
        super::schedule::Schedule::RRule(_) => format!("rrule {:?}", w.expression),
    };
    format!("{what} for {} ({}){}", format_duration(w.duration), w.zone.name, label(w.description.as_ref()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::parse_instant;

    fn rule(required: u32, groups: &[&str], prevent: bool) -> ApprovalRule {
        ApprovalRule {
            required,
            groups: groups.iter().map(|g| (*g).to_string()).collect(),
            prevent_self_approval: prevent,
            judgement_choices: Vec::new(),
            site: Site { file: "f".into(), line: 1, column: 1, pointer: String::new() },
        }
    }

    #[test]
    fn approvals_count_distinct_people_in_groups() {
        let list: Vec<Approval> =
            ["Ann:sre", "ann:dev", "bob", "cy:sre"].iter().map(|s| s.parse().unwrap()).collect();
        let o = evaluate_approvals(&rule(2, &["sre"], true), &list, Some("CY"));
        assert_eq!((o.received, o.met), (1, false));
        assert_eq!(o.approvers, vec!["Ann"]);
        assert_eq!(
            o.ignored.iter().map(|i| i.reason.as_str()).collect::<Vec<_>>(),
            vec!["not-in-group", "self-approval"]
        );
        // Self-approval allowed when the rule says so; no groups means anyone.
        let o = evaluate_approvals(&rule(3, &[], false), &list, Some("cy"));
        assert!(o.met && o.ignored.is_empty());
        assert!(evaluate_approvals(&rule(0, &["sre"], true), &[], None).met);
    }

    #[test]
    fn windows_in_a_fold_use_the_first_occurrence() {
        let cfg = Config::from_str(
            "version: 1\nenvironments:\n  x:\n    manifest_branch: x\n    windows:\n      timezone: Europe/Berlin\n      deny: [{cron: \"45 2 * * *\", duration: 10m}]\n",
            "c.yaml",
        )
        .unwrap();
        let env = cfg.environment("x").unwrap();
        let w = &env.windows.deny[0];
        // 2026-10-25 02:45 CEST = 00:45Z; the second 02:45 (CET, 01:45Z) is not a start.
        let second = parse_instant("2026-10-25T01:50:00Z").unwrap();
        assert_eq!(latest_start(w, second).unwrap().to_string(), "2026-10-25T00:45:00Z");
        assert!(active(w, second).is_none());
        assert!(active(w, parse_instant("2026-10-25T00:50:00Z").unwrap()).is_some());
        let after_first = parse_instant("2026-10-25T00:46:00Z").unwrap();
        let horizon = parse_instant("2026-11-01T00:00:00Z").unwrap();
        assert_eq!(next_start(w, after_first, horizon).unwrap().to_string(), "2026-10-26T01:45:00Z");
    }
}
