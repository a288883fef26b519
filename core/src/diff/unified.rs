//! `-o unified`: a unified YAML diff per reported object, of the normalized documents: OLD as
//! the semantic diff compared it, and OLD with the reported changes applied (the NEW document,
//! where values the diff found equal keep OLD's spelling), as YAML, with Secret values as
//! placeholders. It shows exactly what `-o patch` does.

use super::documents::{self, Context, DocPair, ListTypes};
use super::patch::{Coverage, operations};
use super::{ChangeKind, DiffOptions, DiffReport};
use crate::Location;
use crate::manifest::ManifestSet;
use crate::yaml::to_yaml_string;
use serde_json::Value;
use similar::TextDiff;
use std::fmt::Write as _;

/// Lines of context around each change.
pub const CONTEXT_LINES: usize = 3;

/// The unified diff of every object in `report` (computed by [`crate::diff::diff`] from `old`
/// and `new` with the same `options`): one `--- old/<apiVersion>/<kind>/<namespace>/<name>` /
/// `+++ new/...` header pair per added, removed, changed or renamed object (`/dev/null` for the
/// missing side; the file and line follow a tab), then hunks with 3 lines of context.
/// Unchanged objects are not printed. The NEW document is OLD with the report's changes applied
/// (as [`crate::diff::patch()`] does), so values the diff found equal show no difference. Secret
/// values are `<hidden>` on the OLD side and `<hidden>` or `<hidden: changed>` on the NEW side
/// (each side's keyed fingerprint with `secret_key`) unless `show_secrets` is set. Errors of the
/// report (duplicate identities) follow as `# error[code]: ...` lines, which patch tools skip.
///
/// ```
/// use gitops_kit::diff::{diff, unified, DiffOptions};
/// use gitops_kit::manifest::ManifestSet;
/// let old = ManifestSet::from_str("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: '1'}\n", "old.yaml").unwrap();
/// let new = ManifestSet::from_str("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: '2'}\n", "new.yaml").unwrap();
/// let options = DiffOptions::default();
/// let text = unified(&diff(&old, &new, &options), &old, &new, &options);
/// assert_eq!(text, "--- old/v1/ConfigMap/default/c\told.yaml:1\n+++ new/v1/ConfigMap/default/c\tnew.yaml:1\n\
///     @@ -4,4 +4,4 @@\n   name: c\n   namespace: default\n data:\n-  a: \"1\"\n+  a: \"2\"\n");
/// ```
#[must_use]
pub fn unified(report: &DiffReport, old: &ManifestSet, new: &ManifestSet, options: &DiffOptions) -> String {
    let ctx = Context::new(old, new);
    let mut out = String::new();
    for pair in documents::pairs(report, &ctx, options) {
        let lists = ListTypes::new(pair.diff, ctx.crd(pair.diff), options);
        let (_, effective) = operations(&pair, &lists, Some(&Coverage::of(pair.diff)));
        resource(&pair, effective.as_ref(), &mut out);
    }
    for e in &report.errors {
        let _ = writeln!(out, "# error[{}]: {}: {}", e.code, e.resource, e.message);
    }
    out
}

fn side_name(pair: &DocPair<'_>, old_side: bool) -> String {
    let missing = if old_side {
        pair.diff.change == ChangeKind::Added
    } else {
        pair.diff.change == ChangeKind::Removed
    };
    if missing {
        return "/dev/null".into();
    }
    let prefix = if old_side { "old" } else { "new" };
    let at = if old_side { &pair.diff.old_location } else { &pair.diff.new_location };
    let file = at.as_ref().map_or_else(String::new, |l: &Location| format!("\t{}:{}", l.file, l.line));
    format!("{prefix}/{}{file}", documents::display_name(pair.diff, old_side))
}

fn resource(pair: &DocPair<'_>, effective_new: Option<&Value>, out: &mut String) {
    for (code, message) in &pair.problems {
        let _ = writeln!(out, "# warning[{code}]: {message}");
    }
    let text = |d: Option<&Value>| d.map_or_else(String::new, to_yaml_string);
    let (old, new) = (text(pair.old.as_ref()), text(effective_new));
    let _ = writeln!(out, "--- {}", side_name(pair, true));
    let _ = writeln!(out, "+++ {}", side_name(pair, false));
    let diff = TextDiff::from_lines(&old, &new);
    for hunk in diff.unified_diff().context_radius(CONTEXT_LINES).iter_hunks() {
        let _ = write!(out, "{hunk}");
    }
}
