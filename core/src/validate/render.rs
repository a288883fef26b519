//! Renderers of a [`Report`]: compiler-style text with excerpts, JSON, JUnit XML, SARIF 2.1.0,
//! GitHub workflow commands and TAP 13.

use super::finding::{Finding, Report, ResourceRef, Severity};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Output formats of `gitops-kit validate -o`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// `file:line:col: error[GK-S005]: message` with an excerpt and caret.
    Text,
    /// The `gitops-kit/validate/v1` JSON report.
    Json,
    /// JUnit XML: one test suite per file, one test case per object.
    Junit,
    /// SARIF 2.1.0 with real regions (GitHub code scanning).
    Sarif,
    /// GitHub Actions `::error file=…` workflow commands.
    Github,
    /// TAP 13: one test per object.
    Tap,
}

impl OutputFormat {
    /// Reads `text`, `json`, `junit`, `sarif`, `github` or `tap`.
    ///
    /// # Errors
    /// `validate.invalid-argument` for another name.
    pub fn parse(name: &str) -> Result<OutputFormat, super::Error> {
        Ok(match name {
            "text" => OutputFormat::Text,
            "json" => OutputFormat::Json,
            "junit" => OutputFormat::Junit,
            "sarif" => OutputFormat::Sarif,
            "github" => OutputFormat::Github,
            "tap" => OutputFormat::Tap,
            other => {
                return Err(super::Error::InvalidArgument(format!(
                    "unknown output format {other:?} (text, json, junit, sarif, github, tap)"
                )));
            }
        })
    }
}

/// Renders a report.
///
/// ```
/// use gitops_kit::validate::{render, validate_str, Options, OutputFormat};
/// let report = validate_str("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: Shop\n", "ns.yaml", &Options::default()).unwrap();
/// let text = render(&report, OutputFormat::Github);
/// assert!(text.starts_with("::error file=ns.yaml,line=4,col=9,endLine=4,endColumn=13,title=GK-S011::"));
/// ```
#[must_use]
pub fn render(report: &Report, format: OutputFormat) -> String {
    match format {
        OutputFormat::Text => text(report),
        OutputFormat::Json => {
            // Straight from the structs: no intermediate `Value` tree.
            let mut s = serde_json::to_string_pretty(report).unwrap_or_default();
            s.push('\n');
            s
        }
        OutputFormat::Junit => junit(report),
        OutputFormat::Sarif => {
            let mut s = serde_json::to_string_pretty(&sarif(report)).unwrap_or_default();
            s.push('\n');
            s
        }
        OutputFormat::Github => github(report),
        OutputFormat::Tap => tap(report),
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// The summary line shared by text output.
fn summary_line(report: &Report) -> String {
    let s = &report.summary;
    format!(
        "{}, {}, {} ({} suppressed) in {} and {} (Kubernetes {})",
        plural(s.errors, "error"),
        plural(s.warnings, "warning"),
        plural(s.infos, "info"),
        s.suppressed,
        plural(s.files, "file"),
        plural(s.resources, "resource"),
        report.kubernetes_version
    )
}

fn text(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let _ = writeln!(
            out,
            "{}:{}:{}: {}[{}]: {}",
            f.file,
            f.line,
            f.column,
            f.severity.as_str(),
            f.rule,
            f.message
        );
        if let Some(source) = report.source(&f.file) {
            let line = source.line_text(f.line).trim_end_matches(['\n', '\r']);
            let width = f.line.to_string().len();
            let start = f.column.saturating_sub(1) as usize;
            let end = if f.end_line == f.line {
                (f.end_column.saturating_sub(1) as usize).max(start + 1)
            } else {
                line.chars().count().max(start + 1)
            };
            let _ = writeln!(out, "{:width$} |", "");
            let _ = writeln!(out, "{} | {line}", f.line);
            let _ = writeln!(out, "{:width$} | {}{}", "", " ".repeat(start), "^".repeat(end - start));
        }
        if let Some(r) = &f.resource {
            let _ = writeln!(out, "  = in {} {}", r.kind, identity(r));
        }
        if !f.help.is_empty() {
            let _ = writeln!(out, "  = help: {}", f.help);
        }
    }
    let _ = writeln!(out, "{}", summary_line(report));
    out
}

fn identity(r: &ResourceRef) -> String {
    match &r.namespace {
        Some(ns) => format!("{ns}/{}", r.name),
        None => r.name.clone(),
    }
}

fn xml(text: &str) -> String {
    let mut s = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => s.push_str("&amp;"),
            '<' => s.push_str("&lt;"),
            '>' => s.push_str("&gt;"),
            '"' => s.push_str("&quot;"),
            '\'' => s.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {}
            c => s.push(c),
        }
    }
    s
}

/// Test cases per file: every object (with or without findings), then file-level findings.
/// Per file: test case name → the object and its findings.
type Cases<'r> = BTreeMap<&'r str, BTreeMap<String, (Option<&'r ResourceRef>, Vec<&'r Finding>)>>;

fn cases(report: &Report) -> Cases<'_> {
    let mut files: Cases<'_> = BTreeMap::new();
    for (file, r) in &report.resources {
        files.entry(file).or_default().entry(case_name(Some(r))).or_insert((Some(r), Vec::new()));
    }
    for f in &report.findings {
        files
            .entry(&f.file)
            .or_default()
            .entry(case_name(f.resource.as_ref()))
            .or_insert((f.resource.as_ref(), Vec::new()))
            .1
            .push(f);
    }
    files
}

fn case_name(r: Option<&ResourceRef>) -> String {
    r.map_or_else(|| "(file)".to_string(), |r| format!("{} {}", r.kind, identity(r)))
}

fn junit(report: &Report) -> String {
    let files = cases(report);
    let total: usize = files.values().map(BTreeMap::len).sum();
    let failing: usize = files.values().flat_map(BTreeMap::values).filter(|(_, f)| !f.is_empty()).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ =
        writeln!(out, "<testsuites name=\"gitops-kit validate\" tests=\"{total}\" failures=\"{failing}\">");
    for (file, cases) in &files {
        let fails = cases.values().filter(|(_, f)| !f.is_empty()).count();
        let _ = writeln!(
            out,
            "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{fails}\">",
            xml(file),
            cases.len()
        );
        for (name, (r, findings)) in cases {
            let class = r.map_or_else(|| "file".to_string(), |r| format!("{}@{}", r.kind, r.api_version));
            if findings.is_empty() {
                let _ = writeln!(out, "    <testcase name=\"{}\" classname=\"{}\"/>", xml(name), xml(&class));
                continue;
            }
            let _ = writeln!(out, "    <testcase name=\"{}\" classname=\"{}\">", xml(name), xml(&class));
            for f in findings {
                let msg = format!("{}: {}", f.rule, f.message);
                let body =
                    format!("{}:{}:{}: {} {}\n{}", f.file, f.line, f.column, f.pointer, f.message, f.help);
                let _ = writeln!(
                    out,
                    "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                    xml(&msg),
                    f.severity.as_str(),
                    xml(&body)
                );
            }
            let _ = writeln!(out, "    </testcase>");
        }
        let _ = writeln!(out, "  </testsuite>");
    }
    out.push_str("</testsuites>\n");
    out
}

fn tap(report: &Report) -> String {
    let files = cases(report);
    let mut out = String::from("TAP version 13\n");
    let mut n = 0;
    for (file, cases) in &files {
        for (name, (_, findings)) in cases {
            n += 1;
            if findings.is_empty() {
                let _ = writeln!(out, "ok {n} - {file} {name}");
                continue;
            }
            let _ = writeln!(out, "not ok {n} - {file} {name}");
            let _ = writeln!(out, "  ---");
            let _ = writeln!(out, "  findings:");
            for f in findings {
                let msg = serde_json::to_string(&format!(
                    "{}:{}:{}: {}[{}]: {}",
                    f.file,
                    f.line,
                    f.column,
                    f.severity.as_str(),
                    f.rule,
                    f.message
                ))
                .unwrap_or_default();
                let _ = writeln!(out, "    - {msg}");
            }
            let _ = writeln!(out, "  ...");
        }
    }
    let _ = writeln!(out, "1..{n}");
    out
}

fn gh_escape(text: &str, property: bool) -> String {
    let s = text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A");
    if property { s.replace(':', "%3A").replace(',', "%2C") } else { s }
}

fn github(report: &Report) -> String {
    let mut out = String::new();
    for f in &report.findings {
        let level = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let cols = if f.line == f.end_line {
            format!(",col={},endLine={},endColumn={}", f.column, f.end_line, f.end_column)
        } else {
            format!(",endLine={}", f.end_line)
        };
        let _ = writeln!(
            out,
            "::{level} file={},line={}{cols},title={}::{}",
            gh_escape(&f.file, true),
            f.line,
            gh_escape(&f.rule, true),
            gh_escape(&f.message, false)
        );
    }
    out
}

fn fingerprint(f: &Finding) -> String {
    // FNV-1a over rule, identity and pointer: stable when lines move.
    let r = f
        .resource
        .as_ref()
        .map(|r| format!("{}/{}/{}/{}", r.api_version, r.kind, r.namespace.as_deref().unwrap_or(""), r.name))
        .unwrap_or_default();
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in format!("{}|{}|{}|{}", f.rule, f.file, r, f.pointer).bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

fn sarif(report: &Report) -> serde_json::Value {
    use serde_json::json;
    let mut used: Vec<&str> = report.findings.iter().map(|f| f.rule.as_str()).collect();
    used.sort_unstable();
    used.dedup();
    let rules: Vec<serde_json::Value> = used
        .iter()
        .filter_map(|id| super::catalog::rule(id))
        .map(|r| {
            json!({
                "id": r.id,
                "name": r.title,
                "shortDescription": {"text": r.title},
                "help": {"text": r.help},
                "defaultConfiguration": {"level": level(r.severity.unwrap_or(Severity::Info))},
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = report
        .findings
        .iter()
        .map(|f| {
            json!({
                "ruleId": f.rule,
                "ruleIndex": used.iter().position(|u| *u == f.rule).unwrap_or(0),
                "level": level(f.severity),
                "message": {"text": f.message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": f.file.trim_start_matches("./")},
                    "region": {"startLine": f.line, "startColumn": f.column, "endLine": f.end_line, "endColumn": f.end_column},
                }}],
                "partialFingerprints": {"gitopsKit/v1": fingerprint(f)},
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "gitops-kit", "informationUri": "https://example.invalid/gitops-kit", "version": env!("CARGO_PKG_VERSION"), "rules": rules}},
            "results": results,
        }],
    })
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}
