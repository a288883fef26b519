//! GK-G010: environment overlays that differ from a baseline (another environment's manifests,
//! `--against git:stg:deploy`) in fields outside an allow-list.
//!
//! The semantic diff of [`crate::diff`] compares the baseline (OLD) with the validated objects
//! (NEW) in strict mode, with the allow-list as its ignore rules, so everything it still reports
//! lies outside the allow-list. Objects are paired by group, kind and name: a baseline object
//! takes the namespace of the one validated object of that group, kind and name, because
//! environments live in different namespaces (the namespace field itself is then compared like
//! any other field). Each remaining field change is one finding at the field in the validated
//! file (at its nearest existing parent when only the baseline has it); an object on one side
//! only is one finding. Values are never printed (Secret values stay hidden, as in the diff), and
//! a Secret's changed value is located at its `data`/`stringData` key so that no excerpt shows it.

use super::At;
use crate::diff::{ChangeKind, DiffOptions, IgnoreRule, Mode, Op, ResourceDiff, diff};
use crate::manifest::{ManifestSet, Resource};
use crate::validate::finding::{Finding, ResourceRef};
use crate::yaml::{NodeRef, Pos, Span};
use std::collections::HashMap;

/// Findings of the validated objects against the baseline named `label`.
pub(crate) fn check(
    validated: &[Resource],
    baseline: &ManifestSet,
    label: &str,
    allowed: &[IgnoreRule],
) -> Vec<Finding> {
    let old = ManifestSet::from_resources(aligned(validated, baseline.resources()));
    let new = ManifestSet::from_resources(validated.to_vec());
    let options = DiffOptions { mode: Mode::Strict, ignore: allowed.to_vec(), ..DiffOptions::default() };
    let report = diff(&old, &new, &options);
    let by_start: HashMap<(&str, u32, u32), &Resource> =
        validated.iter().map(|r| ((r.file(), r.span().start.line, r.span().start.column), r)).collect();
    let mut out = Vec::new();
    for rd in &report.resources {
        let target =
            rd.new_location.as_ref().and_then(|l| by_start.get(&(l.file.as_str(), l.line, l.column)));
        match (rd.change, target) {
            (ChangeKind::Removed, _) => out.extend(removed(rd, label)),
            (ChangeKind::Added, Some(r)) => {
                let what =
                    format!("{} {:?} is not in the baseline {label}", rd.resource.kind, rd.resource.name);
                out.push(at_name(r, what));
            }
            (_, Some(r)) => changed(rd, r, label, &mut out),
            (_, None) => {}
        }
    }
    out
}

/// Baseline objects, each in the namespace of the one validated object with its group, kind and
/// name (when there is exactly one).
fn aligned(validated: &[Resource], baseline: &[Resource]) -> Vec<Resource> {
    let mut namespaces: HashMap<(&str, &str, &str), Vec<&Option<String>>> = HashMap::new();
    for r in validated {
        let id = r.id();
        namespaces
            .entry((id.group.as_str(), id.kind.as_str(), id.name.as_str()))
            .or_default()
            .push(&id.namespace);
    }
    baseline
        .iter()
        .map(|b| {
            let mut b = b.clone();
            let id = b.id();
            if let Some([ns]) =
                namespaces.get(&(id.group.as_str(), id.kind.as_str(), id.name.as_str())).map(Vec::as_slice)
            {
                let ns = (*ns).clone();
                b.id.namespace = ns;
            }
            b
        })
        .collect()
}

fn with_resource(mut f: Finding, r: &Resource) -> Finding {
    f.resource = Some(ResourceRef::of(r));
    f
}

/// A finding at the object's `metadata.name` (or its start).
fn at_name(r: &Resource, message: String) -> Finding {
    let root = r.node();
    let node = root.at("/metadata/name").unwrap_or(root);
    with_resource(Finding::at("GK-G010", &node, "/metadata/name".into(), message), r)
}

fn removed(rd: &ResourceDiff, label: &str) -> Option<Finding> {
    let loc = rd.old_location.as_ref()?;
    let p = Pos { offset: 0, line: loc.line, column: loc.column };
    let message = format!(
        "{} {:?} of the baseline {label} is not in the validated manifests",
        rd.resource.kind, rd.resource.name
    );
    let mut f = Finding::at_span("GK-G010", &loc.file, Span { start: p, end: p }, String::new(), message);
    f.end_column = f.column + 1;
    f.resource = Some(ResourceRef {
        api_version: rd.resource.api_version.clone(),
        kind: rd.resource.kind.clone(),
        namespace: rd.resource.namespace.clone(),
        name: rd.resource.name.clone(),
    });
    Some(f)
}

fn changed(rd: &ResourceDiff, r: &Resource, label: &str, out: &mut Vec<Finding>) {
    if let Some(from) = &rd.renamed_from {
        out.push(at_name(
            r,
            format!("{} {:?} is named {from:?} in the baseline {label}", rd.resource.kind, rd.resource.name),
        ));
    }
    let root = r.node();
    for c in &rd.changes {
        let how = match c.op {
            Op::Added => "is not in the baseline",
            Op::Removed => "is only in the baseline",
            Op::Changed | Op::TypeError => "differs from the baseline",
            Op::Moved => "is ordered differently from the baseline",
        };
        let node = secret_safe(r, root, &c.pointer).unwrap_or_else(|| nearest(root, &c.pointer));
        let message = format!("{} {how} {label} and is not an allowed overlay difference", c.path);
        out.push(with_resource(Finding::at("GK-G010", &node, c.pointer.clone(), message), r));
    }
}

/// For a Secret's values, the `data`/`stringData` key: a text excerpt of the value's line
/// would print the value.
fn secret_safe<'d>(r: &Resource, root: NodeRef<'d>, pointer: &str) -> Option<NodeRef<'d>> {
    if !r.id().group.is_empty() || r.id().kind != "Secret" {
        return None;
    }
    let field = pointer.strip_prefix('/')?.split('/').next()?;
    if !matches!(field, "data" | "stringData") {
        return None;
    }
    root.get_entry(field).map(|(k, _)| k).or(Some(root))
}

/// The node at `pointer`, else its nearest existing ancestor.
fn nearest<'d>(root: NodeRef<'d>, pointer: &str) -> NodeRef<'d> {
    let mut p = pointer;
    loop {
        if let Some(n) = root.pointer(p) {
            return n;
        }
        match p.rfind('/') {
            Some(i) => p = &p[..i],
            None => return root,
        }
    }
}
