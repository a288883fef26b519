//! The finding model: one located record per problem, the summary, and the report.

use crate::manifest::Resource;
use crate::yaml::{NodeRef, Source, Span};
use std::collections::BTreeMap;
use std::sync::Arc;

/// How serious a finding is. `error` fails CI by default; `warning` fails with
/// `--fail-on warning`; `info` only with `--fail-on info`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Informational.
    Info,
    /// Should be fixed.
    Warning,
    /// Must be fixed.
    Error,
}

impl Severity {
    /// `error`, `warning` or `info`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    /// Reads `error`, `warning` or `info`.
    ///
    /// # Errors
    /// `validate.invalid-argument` for anything else.
    pub fn parse(text: &str) -> Result<Severity, super::Error> {
        match text {
            "error" => Ok(Severity::Error),
            "warning" => Ok(Severity::Warning),
            "info" => Ok(Severity::Info),
            other => Err(super::Error::InvalidArgument(format!(
                "unknown severity {other:?} (expected error, warning or info)"
            ))),
        }
    }
}

/// Who a finding is about: the identity of the Kubernetes object.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct ResourceRef {
    /// `apiVersion`.
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.namespace`, if set.
    pub namespace: Option<String>,
    /// `metadata.name` (or the `generateName` prefix).
    pub name: String,
}

impl ResourceRef {
    /// The identity of a resource.
    #[must_use]
    pub fn of(resource: &Resource) -> ResourceRef {
        let id = resource.id();
        ResourceRef {
            api_version: id.api_version(),
            kind: id.kind.clone(),
            namespace: id.namespace.clone(),
            name: id.name.clone(),
        }
    }
}

/// One problem, located: rule, severity, message, help, where (file, start and end, JSON
/// pointer) and which object.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Finding {
    /// Rule id (`GK-S005`).
    pub rule: String,
    /// Severity after configuration.
    pub severity: Severity,
    /// What is wrong, at this place.
    pub message: String,
    /// How to fix it (the rule's help text).
    pub help: String,
    /// Input name.
    pub file: String,
    /// 1-based line of the offending node.
    pub line: u32,
    /// 1-based column of the offending node.
    pub column: u32,
    /// 1-based line of the node's end.
    pub end_line: u32,
    /// 1-based column just past the node's end.
    pub end_column: u32,
    /// JSON pointer of the node within the object (or the document).
    pub pointer: String,
    /// The object, when the finding is about one.
    pub resource: Option<ResourceRef>,
}

impl Finding {
    /// A finding at a node of a resource's document; severity is the rule's default.
    pub(crate) fn at(rule: &'static str, node: &NodeRef<'_>, pointer: String, message: String) -> Finding {
        let name = node.document().source().name();
        Finding::at_span(rule, name, node.span(), pointer, message)
    }

    /// A finding at a span of a file.
    pub(crate) fn at_span(
        rule: &'static str,
        file: &str,
        span: Span,
        pointer: String,
        message: String,
    ) -> Finding {
        let info = super::catalog::rule(rule);
        Finding {
            rule: rule.to_string(),
            severity: info.map_or(Severity::Error, |r| r.severity.unwrap_or(Severity::Info)),
            message,
            help: info.map(|r| r.help.to_string()).unwrap_or_default(),
            file: file.to_string(),
            line: span.start.line,
            column: span.start.column,
            end_line: span.end.line,
            end_column: span.end.column,
            pointer,
            resource: None,
        }
    }

    /// Overrides the severity (rules whose severity depends on the case).
    #[must_use]
    pub(crate) fn severity(mut self, severity: Severity) -> Finding {
        self.severity = severity;
        self
    }

    fn sort_key(&self) -> (&str, u32, u32, &str, &str, &str) {
        (&self.file, self.line, self.column, &self.rule, &self.pointer, &self.message)
    }
}

/// Counts of a report.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    /// Inputs read.
    pub files: usize,
    /// Kubernetes objects validated.
    pub resources: usize,
    /// Findings of severity `error`.
    pub errors: usize,
    /// Findings of severity `warning`.
    pub warnings: usize,
    /// Findings of severity `info`.
    pub infos: usize,
    /// Findings silenced by a `gitops-kit.io/ignore` annotation or a config exclude.
    pub suppressed: usize,
}

/// The `gitops-kit/validate/v1` report: summary and findings sorted by file, line, column, rule.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Report {
    /// Always `gitops-kit/validate/v1`.
    pub schema: &'static str,
    /// Kubernetes version whose schemas were used (`1.37`; not in the JSON, which is exactly
    /// `schema`, `summary`, `findings`).
    #[serde(skip)]
    pub kubernetes_version: String,
    /// Counts.
    pub summary: Summary,
    /// Every finding.
    pub findings: Vec<Finding>,
    /// The texts read, for excerpts in text output (not serialized).
    #[serde(skip)]
    pub(crate) sources: BTreeMap<String, Arc<Source>>,
    /// Every object validated, with its file (for JUnit and TAP; not serialized).
    #[serde(skip)]
    pub(crate) resources: Vec<(String, ResourceRef)>,
}

impl Report {
    pub(crate) fn new(kubernetes_version: String, files: usize, resources: usize) -> Report {
        Report {
            schema: "gitops-kit/validate/v1",
            kubernetes_version,
            summary: Summary { files, resources, ..Summary::default() },
            findings: Vec::new(),
            sources: BTreeMap::new(),
            resources: Vec::new(),
        }
    }

    /// Sorts the findings and counts them.
    pub(crate) fn finish(&mut self) {
        self.findings.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.findings.dedup();
        let count = |s| self.findings.iter().filter(|f| f.severity == s).count();
        self.summary.errors = count(Severity::Error);
        self.summary.warnings = count(Severity::Warning);
        self.summary.infos = count(Severity::Info);
    }

    /// Whether some finding is at or above `level` (the CLI exits 1 then).
    #[must_use]
    pub fn fails(&self, level: Severity) -> bool {
        self.findings.iter().any(|f| f.severity >= level)
    }

    /// The report as JSON (the CLI's `-o json`).
    #[must_use]
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// The source text of an input, when it was read.
    #[must_use]
    pub fn source(&self, file: &str) -> Option<&Arc<Source>> {
        self.sources.get(file)
    }
}
