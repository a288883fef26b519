//! Human outputs of a [`DiffReport`]: text (dyff-like, with file:line:column) and markdown (a
//! PR comment). Both print only what the JSON report holds, so hidden Secret values never
//! appear.

use super::{ChangeKind, DiffReport, FieldChange, Op, ResourceDiff};
use crate::Location;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;

fn loc(l: &Option<Location>) -> String {
    l.as_ref().map_or_else(String::new, |l| format!("{}:{}:{}", l.file, l.line, l.column))
}

/// A value as text: strings bare unless they would read as another type (`"8080"`, `""`).
fn value(v: &Value) -> String {
    match v {
        Value::String(s)
            if !s.is_empty() && serde_json::from_str::<Value>(s).is_err() && !s.contains('\n') =>
        {
            s.clone()
        }
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

fn header(r: &ResourceDiff) -> String {
    let ns = r.resource.namespace.as_deref().map_or_else(String::new, |n| format!("{n}/"));
    let from = r.renamed_from.as_deref().map_or_else(String::new, |f| format!(" (renamed from {f})"));
    format!("{} {} {ns}{}{from}", r.resource.api_version, r.resource.kind, r.resource.name)
}

fn paint(color: bool, code: &str, text: &str) -> String {
    if color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
}

fn change_lines(c: &FieldChange, color: bool, out: &mut String) {
    let impact =
        serde_json::to_value(c.impact).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
    let _ = writeln!(out, "  {}  [{impact}]", paint(color, "1", &c.path));
    if c.hidden {
        let what = match c.op {
            Op::Added => "added",
            Op::Removed => "removed",
            _ => "changed",
        };
        // Keyed fingerprints (opt-in) tell equal from different values without revealing them.
        let fingerprints = match (&c.old_fingerprint, &c.new_fingerprint) {
            (Some(o), Some(n)) => format!(" {o} → {n}"),
            (Some(f), None) | (None, Some(f)) => format!(" {f}"),
            (None, None) => String::new(),
        };
        let _ = writeln!(
            out,
            "    {what} (hidden){fingerprints}  {}",
            loc(if c.new_location.is_some() { &c.new_location } else { &c.old_location })
        );
    } else {
        if c.op != Op::Added {
            let _ =
                writeln!(out, "    {} {}  {}", paint(color, "31", "-"), value(&c.old), loc(&c.old_location));
        }
        if c.op != Op::Removed {
            let _ =
                writeln!(out, "    {} {}  {}", paint(color, "32", "+"), value(&c.new), loc(&c.new_location));
        }
    }
    if c.ambiguous {
        let _ = writeln!(
            out,
            "    ambiguous: duplicate merge keys; the last entry (the effective one) was compared"
        );
    }
    if let Some(note) = &c.note {
        let _ = writeln!(out, "    note: {note}");
    }
    if let Some(f) = &c.foreign {
        let _ = writeln!(out, "    foreign ({f}): not counted");
    } else if let Some(m) = &c.manager {
        let _ = writeln!(out, "    manager: {m}");
    }
}

/// The counts beyond the classic five, when not zero: `, 2 foreign, 1 hidden, 3 acknowledged`.
fn extra_counts(report: &DiffReport) -> String {
    let s = &report.summary;
    let mut out = String::new();
    if s.foreign > 0 {
        let how = if report.foreign.is_empty() { " (not shown; --show-foreign lists them)" } else { "" };
        let _ = write!(out, ", {} foreign changes{how}", s.foreign);
    }
    if s.hidden > 0 {
        let _ = write!(out, ", {} hidden changes (counted)", s.hidden);
    }
    if s.acknowledged > 0 {
        let _ = write!(out, ", {} acknowledged changes", s.acknowledged);
    }
    out
}

fn resource_header(r: &ResourceDiff, color: bool, out: &mut String) {
    let (mark, code) = match r.change {
        ChangeKind::Added => ("+", "32"),
        ChangeKind::Removed => ("-", "31"),
        ChangeKind::Changed => ("~", "33"),
        ChangeKind::Renamed => ("~", "36"),
    };
    let where_ = match (&r.old_location, &r.new_location) {
        (Some(o), Some(n)) => format!("{} → {}", loc(&Some(o.clone())), loc(&Some(n.clone()))),
        (o, n) => loc(if o.is_some() { o } else { n }),
    };
    let _ = writeln!(out, "{} {}  ({where_})", paint(color, code, mark), paint(color, "1", &header(r)));
}

/// The text report: one header per object, one block per change with before → after and
/// locations, then warnings, errors and the summary.
#[must_use]
pub fn text(report: &DiffReport, color: bool) -> String {
    let mut out = String::new();
    for r in &report.resources {
        resource_header(r, color, &mut out);
        if r.impact.contains(&super::Impact::Destructive) {
            let _ = writeln!(out, "  impact: destructive");
        }
        for c in &r.changes {
            change_lines(c, color, &mut out);
        }
    }
    if !report.foreign.is_empty() {
        let _ = writeln!(
            out,
            "foreign changes (live-only fields other managers or webhooks wrote; not counted):"
        );
        for r in &report.foreign {
            resource_header(r, color, &mut out);
            for c in &r.changes {
                change_lines(c, color, &mut out);
            }
        }
    }
    for a in &report.acknowledged {
        let path = a.path.as_deref().map(|p| format!(" {p}")).unwrap_or_default();
        let note = a.note.as_deref().map(|n| format!(": {n}")).unwrap_or_default();
        let _ = writeln!(out, "acknowledged {} {}{path}{note}", a.id, a.resource);
    }
    for g in &report.suppressed {
        let _ = writeln!(
            out,
            "{} resources: {} {} → {} (suppressed by {})",
            g.resources,
            g.path,
            value(&g.old),
            value(&g.new),
            g.rule
        );
    }
    for w in &report.warnings {
        match &w.location {
            Some(_) => {
                let _ = writeln!(out, "warning[{}]: {}: {}", w.code, loc(&w.location), w.message);
            }
            None => {
                let _ = writeln!(out, "warning[{}]: {}", w.code, w.message);
            }
        }
    }
    for e in &report.errors {
        let places: Vec<String> = e.locations.iter().map(|l| loc(&Some(l.clone()))).collect();
        let _ = writeln!(out, "error[{}]: {}: {}", e.code, places.join(", "), e.message);
    }
    if let Some(ex) = &report.explain {
        for e in ex {
            let _ = writeln!(out, "explain: {} {}: {}", e.resource, e.path, e.rule);
        }
    }
    let _ = writeln!(out, "{}", counts(report));
    out
}

/// `N added, N removed, N changed, N renamed, N unchanged, N ignored changes` and the counts
/// only some reports have.
fn counts(report: &DiffReport) -> String {
    let s = &report.summary;
    format!(
        "{} added, {} removed, {} changed, {} renamed, {} unchanged, {} ignored changes{}",
        s.added,
        s.removed,
        s.changed,
        s.renamed,
        s.unchanged,
        s.ignored,
        extra_counts(report)
    )
}

/// A markdown summary for a pull-request comment: counts per kind, then a collapsible block per
/// object.
#[must_use]
pub fn markdown(report: &DiffReport) -> String {
    let mut out = String::new();
    let s = &report.summary;
    let _ = writeln!(
        out,
        "### gitops-kit diff\n\n**{} added, {} removed, {} changed, {} renamed** ({} unchanged, {} ignored changes{})\n",
        s.added,
        s.removed,
        s.changed,
        s.renamed,
        s.unchanged,
        s.ignored,
        extra_counts(report)
    );
    for w in report.warnings.iter().filter(|w| w.code == "diff.hidden-changes") {
        let _ = writeln!(out, "> **Note:** {}\n", w.message);
    }
    let mut per_kind: BTreeMap<&str, [usize; 4]> = BTreeMap::new();
    for r in &report.resources {
        let slot = match r.change {
            ChangeKind::Added => 0,
            ChangeKind::Removed => 1,
            ChangeKind::Changed => 2,
            ChangeKind::Renamed => 3,
        };
        per_kind.entry(&r.resource.kind).or_default()[slot] += 1;
    }
    if !per_kind.is_empty() {
        let _ = writeln!(out, "| Kind | Added | Removed | Changed | Renamed |\n|---|---:|---:|---:|---:|");
        for (k, c) in &per_kind {
            let _ = writeln!(out, "| {k} | {} | {} | {} | {} |", c[0], c[1], c[2], c[3]);
        }
        out.push('\n');
    }
    for r in &report.resources {
        let verb = serde_json::to_value(r.change)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let _ = writeln!(out, "<details><summary>{verb}: {}</summary>\n\n```diff", header(r));
        for c in &r.changes {
            let mut block = String::new();
            change_lines(c, false, &mut block);
            out.push_str(&block.replace("\n    - ", "\n-   ").replace("\n    + ", "\n+   "));
        }
        let _ = writeln!(out, "```\n\n</details>");
    }
    for r in &report.foreign {
        let _ = writeln!(out, "<details><summary>foreign (not counted): {}</summary>\n\n```diff", header(r));
        for c in &r.changes {
            let mut block = String::new();
            change_lines(c, false, &mut block);
            out.push_str(&block.replace("\n    - ", "\n-   ").replace("\n    + ", "\n+   "));
        }
        let _ = writeln!(out, "```\n\n</details>");
    }
    for g in &report.suppressed {
        let _ = writeln!(
            out,
            "- {} resources: `{}` {} → {} (suppressed)",
            g.resources,
            g.path,
            value(&g.old),
            value(&g.new)
        );
    }
    out
}
