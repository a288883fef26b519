//! Every output format of a diff behind one call, so the CLI and the bindings print the same
//! bytes: text, json, markdown, unified and patch.

use super::{DiffInputs, DiffOptions, DiffReport, Error, diff, patch, render, unified};
use crate::manifest::ManifestSet;
use std::path::Path;

/// An output format of `gitops-kit diff -o FORMAT`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One block per change with before → after and file:line:column ([`render::text`]).
    Text,
    /// The `gitops-kit/diff/v1` report, pretty-printed.
    Json,
    /// A pull-request comment ([`render::markdown`]).
    Markdown,
    /// A unified YAML diff of the normalized documents ([`unified()`]).
    Unified,
    /// The `gitops-kit/diff-patch/v1` RFC 6902 JSON Patch report ([`patch()`]).
    Patch,
}

impl Format {
    /// Every format name, as `parse` reads them.
    pub const NAMES: [&'static str; 5] = ["text", "json", "markdown", "unified", "patch"];

    /// Reads a format name.
    ///
    /// ```
    /// use gitops_kit::diff::Format;
    /// assert_eq!(Format::parse("unified").unwrap(), Format::Unified);
    /// assert_eq!(Format::parse("yaml").unwrap_err().code(), "diff.invalid-argument");
    /// ```
    ///
    /// # Errors
    /// `diff.invalid-argument` for another name.
    pub fn parse(name: &str) -> Result<Format, Error> {
        Ok(match name {
            "text" => Format::Text,
            "json" => Format::Json,
            "markdown" => Format::Markdown,
            "unified" => Format::Unified,
            "patch" => Format::Patch,
            other => {
                return Err(Error::InvalidArgument(format!(
                    "format must be one of {}, not {other:?}",
                    Format::NAMES.join(", ")
                )));
            }
        })
    }
}

/// A rendered diff and the exit code of its report (0 no differences, 1 differences, 2 errors).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The output text.
    pub output: String,
    /// The report's exit code.
    pub exit_code: i32,
}

/// Diffs two sets and renders the result (`color` only affects [`Format::Text`]).
///
/// ```
/// use gitops_kit::diff::{render_sets, DiffOptions, Format};
/// use gitops_kit::manifest::ManifestSet;
/// let old = ManifestSet::from_str("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: '1'}\n", "<old>").unwrap();
/// let new = ManifestSet::from_str("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: '2'}\n", "<new>").unwrap();
/// let r = render_sets(&old, &new, &DiffOptions::default(), Format::Patch, false);
/// assert!(r.output.contains("\"schema\": \"gitops-kit/diff-patch/v1\""));
/// assert_eq!(r.exit_code, 1);
/// ```
#[must_use]
pub fn render_sets(
    old: &ManifestSet,
    new: &ManifestSet,
    options: &DiffOptions,
    format: Format,
    color: bool,
) -> Rendered {
    let report = diff(old, new, options);
    Rendered { output: render_report(&report, old, new, options, format, color), exit_code: report.exit_code }
}

/// Renders a report already computed by [`diff`] from `old` and `new` with `options` (for
/// callers that also need the report itself, such as `--write-baseline`).
///
/// ```
/// use gitops_kit::diff::{diff, render_report, DiffOptions, Format};
/// use gitops_kit::manifest::ManifestSet;
/// let old = ManifestSet::from_str("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: '1'}\n", "<old>").unwrap();
/// let new = ManifestSet::from_str("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: '2'}\n", "<new>").unwrap();
/// let options = DiffOptions::default();
/// let report = diff(&old, &new, &options);
/// let text = render_report(&report, &old, &new, &options, Format::Text, false);
/// assert!(text.contains("data.a"));
/// ```
#[must_use]
pub fn render_report(
    report: &DiffReport,
    old: &ManifestSet,
    new: &ManifestSet,
    options: &DiffOptions,
    format: Format,
    color: bool,
) -> String {
    written(|out| write_report(report, old, new, options, format, color, out))
}

/// What `write` writes, as text (every format writes UTF-8; writing to memory cannot fail).
pub(crate) fn written(write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) -> String {
    let mut out = Vec::new();
    let _ = write(&mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// [`render_report`] written to `out`: the JSON formats are streamed, so a large report is
/// never held as text as well (the CLI writes to standard output this way).
///
/// ```
/// use gitops_kit::diff::{diff, write_report, DiffOptions, Format};
/// use gitops_kit::manifest::ManifestSet;
/// let old = ManifestSet::from_str("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: '1'}\n", "<old>").unwrap();
/// let new = ManifestSet::from_str("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: '2'}\n", "<new>").unwrap();
/// let options = DiffOptions::default();
/// let mut out = Vec::new();
/// write_report(&diff(&old, &new, &options), &old, &new, &options, Format::Json, false, &mut out).unwrap();
/// assert!(String::from_utf8(out).unwrap().contains("\"path\": \"data.a\""));
/// ```
///
/// # Errors
/// Errors of `out`.
pub fn write_report(
    report: &DiffReport,
    old: &ManifestSet,
    new: &ManifestSet,
    options: &DiffOptions,
    format: Format,
    color: bool,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    match format {
        Format::Text => out.write_all(render::text(report, color).as_bytes()),
        Format::Json => pretty(report, out),
        Format::Markdown => out.write_all(render::markdown(report).as_bytes()),
        Format::Unified => out.write_all(unified(report, old, new, options).as_bytes()),
        Format::Patch => pretty(&patch(report, old, new, options), out),
    }
}

/// Pretty JSON and a final newline.
fn pretty<T: serde::Serialize>(value: &T, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    out.write_all(b"\n")
}

/// Diffs two texts (named `<old>` and `<new>`) and renders the result without colour.
///
/// ```
/// use gitops_kit::diff::{render_texts, DiffOptions, Format};
/// let old = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: '1'}\n";
/// let r = render_texts(old, old, &DiffOptions::default(), Format::Unified).unwrap();
/// assert_eq!((r.output.as_str(), r.exit_code), ("", 0));
/// ```
///
/// # Errors
/// YAML errors of either text.
pub fn render_texts(
    old: &str,
    new: &str,
    options: &DiffOptions,
    format: Format,
) -> Result<Rendered, crate::Error> {
    Ok(DiffInputs::from_texts(old, new, options)?.render(format, false))
}

/// Diffs two lists of command-line sources (files, directories, `-`, `git:REF:PATH`) and renders
/// the result, as `gitops-kit diff OLD NEW -o FORMAT` prints it.
///
/// ```
/// use gitops_kit::diff::{render_sources, DiffOptions, Format};
/// let dir = std::env::temp_dir().join(format!("gk-render-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir).unwrap();
/// let file = dir.join("cm.yaml");
/// std::fs::write(&file, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n").unwrap();
/// let file = file.display().to_string();
/// let r = render_sources(&[&file], &[&file], None, &DiffOptions::default(), Format::Text, false).unwrap();
/// assert_eq!(r.exit_code, 0);
/// assert!(r.output.ends_with("0 changed, 0 renamed, 1 unchanged, 0 ignored changes\n"));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// ```
///
/// # Errors
/// Source, git and YAML errors.
pub fn render_sources<S: AsRef<str>>(
    old: &[S],
    new: &[S],
    repo_dir: Option<&Path>,
    options: &DiffOptions,
    format: Format,
    color: bool,
) -> Result<Rendered, crate::Error> {
    Ok(DiffInputs::load(old, new, repo_dir, options)?.render(format, color))
}
