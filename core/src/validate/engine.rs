//! The validation run: parse every input, resolve each object's schema (built-in or CRD), run
//! the structural checker and the rules, then apply configuration and suppressions.

use super::bundle;
use super::check::{self, Arena, Schemas};
use super::config::{Params, glob_match};
use super::finding::{Finding, Report, ResourceRef, Severity};
use super::load::{Input, Parsed, parse_all, read_sources};
use super::rules::At;
use super::rules::{self, Ctx};
use super::schema::Compiled;
use super::{Error, Options};
use crate::manifest::{Problem, Resource};
use crate::yaml::{Source, Span};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

/// Annotation listing rules to silence on an object: `GK-S006,GK-G001 -- reason`.
pub const IGNORE_ANNOTATION: &str = "gitops-kit.io/ignore";

/// What the kustomizations of the input say about its files.
#[derive(Default)]
struct Kustomizations {
    /// The files each kustomization builds together: its `resources` that are files, plus, for a
    /// directory entry, what that directory's kustomization builds (recursively).
    bundles: Vec<HashSet<String>>,
    /// Patch files (`patches[].path`, `patchesStrategicMerge`, `patchesJson6902[].path`):
    /// partial objects, not validated as objects.
    patches: HashSet<String>,
    /// What a kustomization building a file adds to its objects when it renders them.
    provided: HashMap<String, Provided>,
}

/// Fields a kustomization fills in (so their absence in a base file is no finding): the
/// namespace (`namespace:`), selectors and template labels (`commonLabels`, or `labels` with
/// `includeSelectors: true`), and metadata labels (`commonLabels`, `labels`).
#[derive(Default, Clone)]
struct Provided {
    namespace: bool,
    selector: bool,
    labels: HashSet<String>,
    /// `configMapGenerator` / `secretGenerator` entries: (kind, name).
    generates: HashSet<(&'static str, String)>,
}

impl Provided {
    fn read(root: &crate::yaml::NodeRef<'_>) -> Provided {
        let mut p = Provided {
            namespace: root.get_str("namespace").is_some_and(|n| !n.is_empty()),
            ..Provided::default()
        };
        if let Some(common) = root.get("commonLabels") {
            p.labels.extend(common.entries().filter_map(|(k, _)| k.as_str().map(str::to_string)));
            p.selector |= !p.labels.is_empty();
        }
        for entry in super::rules::list(root.get("labels")) {
            let keys: Vec<String> = entry
                .get("pairs")
                .map(|m| m.entries().filter_map(|(k, _)| k.as_str().map(str::to_string)).collect())
                .unwrap_or_default();
            p.selector |= !keys.is_empty()
                && entry.get("includeSelectors").and_then(|v| v.as_str()).is_some_and(|v| v == "true");
            p.labels.extend(keys);
        }
        for (field, kind) in [("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret")] {
            let names = super::rules::list(root.get(field)).into_iter().filter_map(|g| g.get_str("name"));
            p.generates.extend(names.map(|n| (kind, n.to_string())));
        }
        p
    }

    fn merge(&mut self, other: &Provided) {
        self.namespace |= other.namespace;
        self.selector |= other.selector;
        self.labels.extend(other.labels.iter().cloned());
        self.generates.extend(other.generates.iter().cloned());
    }
}

/// Reads the kustomizations from the raw inputs (a kustomization may lack `apiVersion`/`kind`
/// and is no object then). File names come back as the inputs carry them (`./base/cm.yaml`).
fn kustomizations(inputs: &[Input]) -> Kustomizations {
    let mut entries: HashMap<String, Vec<String>> = HashMap::new();
    let mut provides: HashMap<String, Provided> = HashMap::new();
    let mut patches: Vec<String> = Vec::new();
    for input in inputs {
        let base = input.name.rsplit(['/', '\\']).next().unwrap_or(&input.name);
        if !matches!(base, "kustomization.yaml" | "kustomization.yml" | "Kustomization") {
            continue;
        }
        let Ok(text) = std::str::from_utf8(&input.bytes) else { continue };
        let Ok(docs) = crate::yaml::parse_str(text, &input.name) else { continue };
        let Some(root) = docs.first().and_then(crate::yaml::Document::root) else { continue };
        let dir = Path::new(&input.name).parent().map(Path::to_path_buf).unwrap_or_default();
        let resolve = |rel: &str| normalize(&dir.join(rel.trim()));
        let paths = |field: &str, key: Option<&str>| {
            super::rules::list(root.get(field))
                .into_iter()
                .filter_map(|n| match key {
                    Some(k) => n.get(k).and_then(|p| p.as_str()),
                    None => n.as_str(),
                })
                // Inline patches are YAML text, not paths.
                .filter(|p| !p.contains('\n') && !p.trim().is_empty())
                .map(resolve)
                .collect::<Vec<String>>()
        };
        patches.extend(paths("patches", Some("path")));
        patches.extend(paths("patchesJson6902", Some("path")));
        patches.extend(paths("patchesStrategicMerge", None));
        entries.insert(normalize(&dir), paths("resources", None));
        provides.insert(normalize(&dir), Provided::read(&root));
    }
    let names: HashMap<String, &str> =
        inputs.iter().map(|i| (normalize(Path::new(&i.name)), i.name.as_str())).collect();
    let named = |f: &String| names.get(f).map(|n| (*n).to_string());
    let mut bundles = Vec::new();
    let mut provided: HashMap<String, Provided> = HashMap::new();
    for dir in entries.keys() {
        let files: HashSet<String> =
            bundle_files(dir, &entries, &mut HashSet::new()).iter().filter_map(named).collect();
        if let Some(p) = provides.get(dir) {
            for f in &files {
                provided.entry(f.clone()).or_default().merge(p);
            }
        }
        bundles.push(files);
    }
    Kustomizations { bundles, patches: patches.iter().filter_map(named).collect(), provided }
}

/// Whether a kustomization building the finding's file fills in what the finding says is
/// missing: then the rendered object has it and the finding would be a false positive.
fn kustomize_provides(f: &Finding, provided: &HashMap<String, Provided>, required_labels: &[String]) -> bool {
    let Some(p) = provided.get(&f.file) else { return false };
    match f.rule.as_str() {
        "GK-G006" => p.namespace && f.pointer == "/metadata",
        "GK-S005" => p.selector && f.pointer == "/spec" && f.message == "missing required field \"selector\"",
        "GK-G005" => required_labels.iter().all(|l| p.labels.contains(l)),
        _ => false,
    }
}

fn bundle_files(
    dir: &str,
    entries: &HashMap<String, Vec<String>>,
    seen: &mut HashSet<String>,
) -> HashSet<String> {
    let mut files = HashSet::new();
    if !seen.insert(dir.to_string()) {
        return files; // a cycle: kustomize rejects it, nothing more to add here
    }
    for entry in entries.get(dir).into_iter().flatten() {
        if entries.contains_key(entry) {
            files.extend(bundle_files(entry, entries, seen));
        } else {
            files.insert(entry.clone());
        }
    }
    files
}

/// Lexically resolves `.` and `..` (inputs are named by the paths walked, not canonical paths).
fn normalize(path: &std::path::Path) -> String {
    use std::path::Component;
    let mut parts: Vec<Component<'_>> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(parts.last(), Some(Component::Normal(_))) => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.iter().collect::<std::path::PathBuf>().display().to_string()
}

/// Kinds that are tool configuration, not API objects (never validated).
fn is_tool_config(r: &Resource) -> bool {
    let g = r.id().group.as_str();
    r.id().version == "builtin"
        || g == "kustomize.config.k8s.io"
        || g == "config.kubernetes.io"
        || g.ends_with(".kpt.dev")
}

/// Files that are tool configuration by name (Helm charts and values, kustomize, gitops-kit).
fn is_tool_file(name: &str) -> bool {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    matches!(
        base,
        "Chart.yaml"
            | "Chart.lock"
            | "kustomization.yaml"
            | "kustomization.yml"
            | "Kustomization"
            | "gitops-kit.yaml"
            | "gitops-kit.yml"
    ) || (base.starts_with("values") && (base.ends_with(".yaml") || base.ends_with(".yml")))
}

/// Runs a validation over read inputs.
pub(crate) fn run(
    inputs: Vec<Input>,
    repo_dir: Option<&Path>,
    options: &Options,
) -> Result<Report, crate::Error> {
    let config = options.config.clone().unwrap_or_default();
    let version = bundle::resolve_version(
        options.kubernetes_version.as_deref().or(config.kubernetes_version.as_deref()),
    )?;
    let builtin = bundle::compiled(&version)
        .ok_or_else(|| Error::UnknownVersion { version: version.clone(), available: String::new() })?;
    let strict = options.strict.or(config.strict).unwrap_or(true);
    let mut params = config.params()?;
    // The environment adjusts the parameters before any rule runs.
    let env = super::environment::resolve(options, &mut params)?;
    let mut provenance =
        rules::env::Provenance::new(options.commit.as_deref(), options.code_repo.as_deref())?;
    let baseline = read_baseline(options, repo_dir)?;
    for id in &options.skip_rules {
        if super::catalog::rule(id).is_none() {
            return Err(Error::UnknownRule(id.clone()).into());
        }
    }

    let file_count = inputs.len();
    let kustomize = kustomizations(&inputs);
    let parsed = parse_all(inputs);
    let mut findings = Vec::new();
    let mut sources: HashMap<String, Arc<Source>> = HashMap::new();
    let mut resources: Vec<Resource> = Vec::new();
    // Objects and problems of a parsed set (or of the documents before a syntax error).
    let mut take_set = |set: &crate::manifest::ManifestSet, findings: &mut Vec<Finding>| {
        let tool_file = set.files().first().is_some_and(|f| is_tool_file(f));
        for problem in set.problems() {
            if let Some(f) = problem_finding(problem, tool_file) {
                findings.push(f);
            }
        }
        if !tool_file {
            resources.extend(set.resources().iter().filter(|r| !is_tool_config(r)).cloned());
        }
    };
    for p in parsed {
        match p {
            Parsed::Set(set) => take_set(&set, &mut findings),
            Parsed::Failed { error, source, partial } => {
                take_set(&partial, &mut findings);
                let not_validated = if partial.is_empty() {
                    "the file was not validated"
                } else {
                    "the objects before it were validated, the rest of the file was not"
                };
                let loc = error.location();
                let span = source
                    .as_ref()
                    .map_or_else(|| point(loc.line, loc.column), |s| line_rest(s, loc.line, loc.column));
                findings.push(Finding::at_span(
                    "GK-S001",
                    &loc.file,
                    span,
                    String::new(),
                    format!("{}; {not_validated}", error.message()),
                ));
                if let Some(s) = source {
                    sources.insert(loc.file.clone(), s);
                }
            }
        }
    }

    // Kustomize patch files are partial objects: they are not validated as objects.
    let patches = &kustomize.patches;
    if !patches.is_empty() {
        resources.retain(|r| !patches.contains(r.file()));
        findings.retain(|f| !patches.contains(&f.file) || f.rule == "GK-S001");
    }
    let mut crds = Compiled::default();
    let mut crd_scopes = HashMap::new();
    let mut extra_crds = Vec::new();
    if !options.crds.is_empty() {
        for p in parse_all(read_sources(&options.crds, None)?) {
            match p {
                Parsed::Set(set) => extra_crds.extend(set.resources().iter().cloned()),
                Parsed::Failed { error, .. } => return Err(crate::manifest::Error::Yaml(error).into()),
            }
        }
    }
    for r in resources.iter().chain(&extra_crds) {
        add_crd(r, &mut crds, &mut crd_scopes);
    }
    let served = served_versions(builtin);
    let schemas = Schemas { builtin, crds: &crds, strict };

    let per_resource: Vec<Vec<Finding>> = resources
        .par_iter()
        .map(|r| check_resource(r, &schemas, &served, &version, &params, &crd_scopes))
        .collect();
    findings.extend(per_resource.into_iter().flatten());
    let generated = |file: &str, kind: &str, name: &str| {
        kustomize.provided.get(file).is_some_and(|p| p.generates.iter().any(|(k, n)| *k == kind && n == name))
    };
    findings.extend(rules::cross::check(&resources, &kustomize.bundles, &generated));
    if let Some(env) = &env {
        let more = rules::env::check(&resources, env, &mut provenance, &findings)?;
        findings.extend(more);
        if env.production {
            // The catalog: GK-G002 is an error in production (config severities still apply).
            for f in findings.iter_mut().filter(|f| f.rule == "GK-G002") {
                f.severity = Severity::Error;
            }
        }
    }
    if let Some((set, label)) = &baseline {
        findings.extend(rules::overlay::check(&resources, set, label, &params.overlay_allowed));
    }

    for r in &resources {
        sources.entry(r.file().to_string()).or_insert_with(|| Arc::clone(r.document().source()));
    }
    let mut report = Report::new(version, file_count, resources.len());
    report.resources = resources.iter().map(|r| (r.file().to_string(), ResourceRef::of(r))).collect();
    let ignores = ignore_sets(&resources);
    let skip: HashSet<&str> = options.skip_rules.iter().map(String::as_str).collect();
    findings.retain(|f| !kustomize_provides(f, &kustomize.provided, &params.required_labels));
    for mut f in findings {
        let setting = config.rules.get(&f.rule).copied().unwrap_or_default();
        let default_on = super::catalog::rule(&f.rule).is_some_and(|r| r.severity.is_some());
        if skip.contains(f.rule.as_str())
            || setting.enabled == Some(false)
            || (!default_on && setting.enabled != Some(true))
        {
            continue;
        }
        if let Some(s) = setting.severity {
            f.severity = s;
        }
        let ignored = f
            .resource
            .as_ref()
            .and_then(|r| ignores.get(r))
            .is_some_and(|set| set.contains(&f.rule) || set.contains("*"));
        let excluded = config
            .exclude
            .iter()
            .any(|e| glob_match(&e.path, &f.file) && (e.rules.is_empty() || e.rules.contains(&f.rule)));
        if ignored || excluded {
            report.summary.suppressed += 1;
            continue;
        }
        report.findings.push(f);
    }
    let used: HashSet<&str> = report.findings.iter().map(|f| f.file.as_str()).collect();
    report.sources = sources.into_iter().filter(|(k, _)| used.contains(k.as_str())).collect();
    report.finish();
    Ok(report)
}

/// The GK-G010 baseline (`against` sources, or `against_text`) and its name in messages.
fn read_baseline(
    options: &Options,
    repo_dir: Option<&Path>,
) -> Result<Option<(crate::manifest::ManifestSet, String)>, crate::Error> {
    let lenient = crate::yaml::ParseOptions::lenient();
    let mut set = crate::manifest::ManifestSet::new();
    let mut names = options.against.clone();
    if !options.against.is_empty() {
        set.extend(crate::manifest::ManifestSet::load_args(&options.against, repo_dir, &lenient)?);
    }
    if let Some(text) = &options.against_text {
        set.extend(crate::manifest::ManifestSet::from_str_with(text, "<against>", &lenient)?);
        names.push("<against>".into());
    }
    Ok((!names.is_empty()).then(|| (set, names.join(", "))))
}

fn point(line: u32, column: u32) -> Span {
    let p = crate::yaml::Pos { offset: 0, line, column };
    Span { start: p, end: p }
}

/// From `column` to the end of the line (or one character at the line's end).
fn line_rest(source: &Source, line: u32, column: u32) -> Span {
    let text = source.line_text(line);
    let len = text.trim_end().chars().count() as u32;
    let start = crate::yaml::Pos { offset: 0, line, column };
    let end = crate::yaml::Pos { offset: 0, line, column: (len + 1).max(column + 1) };
    Span { start, end }
}

fn problem_finding(p: &Problem, tool_file: bool) -> Option<Finding> {
    let (rule, message) = match p.code {
        "yaml.duplicate-key" => ("GK-S002", p.message.clone()),
        "manifest.not-an-object" | "manifest.missing-name" | "manifest.invalid-field" if !tool_file => {
            ("GK-S004", p.message.clone())
        }
        _ => return None,
    };
    let mut f = Finding::at_span(rule, &p.file, point(p.line, p.column), String::new(), message);
    // The key's length, from the message (`duplicate mapping key "image" …`).
    let key_len = p.message.split('"').nth(1).map_or(1, |k| k.chars().count() as u32);
    f.end_column = p.column + key_len.max(1);
    Some(f)
}

/// `group/Kind` → GA and pre-release versions served by this Kubernetes version.
fn served_versions(c: &Compiled) -> HashMap<(String, String), Vec<String>> {
    let mut out: HashMap<(String, String), Vec<String>> = HashMap::new();
    for gvk in c.kinds.keys() {
        let (api, kind) = gvk.rsplit_once('/').unwrap_or(("", gvk));
        let (group, version) = api.rsplit_once('/').unwrap_or(("", api));
        out.entry((group.to_string(), kind.to_string())).or_default().push(version.to_string());
    }
    for v in out.values_mut() {
        v.sort();
    }
    out
}

fn add_crd(r: &Resource, crds: &mut Compiled, scopes: &mut HashMap<String, bool>) {
    if r.id().kind != "CustomResourceDefinition" || r.id().group != "apiextensions.k8s.io" {
        return;
    }
    let root = r.node();
    let (Some(group), Some(kind)) = (
        root.at("/spec/group").and_then(|n| n.as_str()),
        root.at("/spec/names/kind").and_then(|n| n.as_str()),
    ) else {
        return;
    };
    scopes.insert(
        format!("{group}/{kind}"),
        root.at("/spec/scope").and_then(|n| n.as_str()) != Some("Cluster"),
    );
    let shared = root.at("/spec/validation/openAPIV3Schema");
    for v in super::rules::list(root.at("/spec/versions")).into_iter() {
        let Some(name) = v.get("name").and_then(|n| n.as_str()) else { continue };
        let Some(schema) = v.at("/schema/openAPIV3Schema").or(shared) else { continue };
        let Ok(json) = schema.to_json() else { continue };
        let id = crds.add_crd_schema(&json);
        crds.kinds.insert(format!("{group}/{name}/{kind}"), id);
    }
}

/// Groups of the Kubernetes API itself: those with embedded schemas, and removed ones.
fn is_builtin_group(group: &str, served: &HashMap<(String, String), Vec<String>>) -> bool {
    const REMOVED: [&str; 3] = ["extensions", "settings.k8s.io", "authentication.k8s.io"];
    REMOVED.contains(&group) || served.keys().any(|(g, _)| g == group)
}

fn check_resource(
    r: &Resource,
    schemas: &Schemas<'_>,
    served: &HashMap<(String, String), Vec<String>>,
    version: &str,
    params: &Params,
    crd_scopes: &HashMap<String, bool>,
) -> Vec<Finding> {
    let id = r.id();
    let root = r.node();
    let gvk = format!("{}/{}", id.api_version(), id.kind);
    let mut out = Vec::new();
    let api_node = root.get("apiVersion").unwrap_or(root);
    if let Some(&sid) = schemas.crds.kinds.get(&gvk) {
        check_custom(schemas, root, sid, &mut out);
    } else if let Some(&sid) = schemas.builtin.kinds.get(&gvk) {
        check::check(schemas, root, None, "", Arena::Builtin, sid, &mut out);
        let versions = served.get(&(id.group.clone(), id.kind.clone()));
        let ga = versions.into_iter().flatten().find(|v| !v.contains("alpha") && !v.contains("beta"));
        if let (Some(ga), true) = (ga, id.version.contains("alpha") || id.version.contains("beta")) {
            let msg = format!(
                "{} is a pre-release API for {}; {} is served by Kubernetes {version}",
                id.api_version(),
                id.kind,
                ga
            );
            out.push(
                Finding::at("GK-S009", &api_node, "/apiVersion".into(), msg).severity(Severity::Warning),
            );
        }
    } else if is_builtin_group(&id.group, served) && served.contains_key(&(id.group.clone(), id.kind.clone()))
    {
        let list = served[&(id.group.clone(), id.kind.clone())].join(", ");
        let msg = format!(
            "{} {} is not served by Kubernetes {version} (served versions: {list})",
            id.api_version(),
            id.kind
        );
        out.push(Finding::at("GK-S009", &api_node, "/apiVersion".into(), msg));
    } else if is_builtin_group(&id.group, served)
        && crd_scopes.get(&format!("{}/{}", id.group, id.kind)).is_none()
    {
        let msg = format!("no schema for {} {} in Kubernetes {version}", id.api_version(), id.kind);
        out.push(Finding::at("GK-S009", &api_node, "/apiVersion".into(), msg));
    } else {
        let msg = format!(
            "no schema for {} {}: add its CustomResourceDefinition to the input or pass --crd",
            id.api_version(),
            id.kind
        );
        out.push(Finding::at("GK-S007", &api_node, "/apiVersion".into(), msg));
    }
    let mut ctx = Ctx { resource: r, root, params, crd_scopes, out: Vec::new() };
    rules::meta::check(&mut ctx);
    rules::pod::check(&mut ctx);
    out.extend(ctx.out);
    let who = ResourceRef::of(r);
    for f in &mut out {
        f.resource = Some(who.clone());
    }
    out
}

/// A custom resource: `metadata` against ObjectMeta, everything else against the CRD schema.
fn check_custom(schemas: &Schemas<'_>, root: crate::yaml::NodeRef<'_>, sid: u32, out: &mut Vec<Finding>) {
    let crd = schemas.crds.node(sid);
    let meta = schemas.builtin.named.get("io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta").copied();
    for (k, v) in root.entries() {
        let Some(key) = k.key_string() else { continue };
        let pointer = format!("/{}", crate::yaml::escape_pointer_token(&key));
        match key.as_ref() {
            "apiVersion" | "kind" => {}
            "metadata" => {
                if let Some(m) = meta {
                    check::check(schemas, v, Some(k), &pointer, Arena::Builtin, m, out);
                }
            }
            _ => match crd.property(&key) {
                Some(child) => check::check(schemas, v, Some(k), &pointer, Arena::Crd, child, out),
                None if crd.extra == super::schema::Extra::Closed && schemas.strict => {
                    out.push(Finding::at("GK-S008", &k, pointer, format!("unknown field {key:?}")));
                }
                None => {
                    if let super::schema::Extra::Schema(child) = crd.extra {
                        check::check(schemas, v, Some(k), &pointer, Arena::Crd, child, out);
                    }
                }
            },
        }
    }
    for name in &crd.required {
        if root.get(name).is_none() {
            let at = root.entries().next().map_or(root, |(k, _)| k);
            out.push(Finding::at("GK-S008", &at, String::new(), format!("missing required field {name:?}")));
        }
    }
}

/// Rules silenced per object by the ignore annotation.
fn ignore_sets(resources: &[Resource]) -> HashMap<ResourceRef, HashSet<String>> {
    let mut out: HashMap<ResourceRef, HashSet<String>> = HashMap::new();
    for r in resources {
        let Some(text) = r.node().at("/metadata/annotations").and_then(|a| a.get_str(IGNORE_ANNOTATION))
        else {
            continue;
        };
        let ids = text.split_once("--").map_or(text, |(ids, _)| ids);
        let set = out.entry(ResourceRef::of(r)).or_default();
        set.extend(ids.split([',', ' ']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string));
    }
    out
}
