//! Rules that need the environment of the run (`--env`/`--branch`): namespaces of the
//! environment (GK-G006, second half), replicas the policy forbids (GK-G004), single replicas
//! without a PodDisruptionBudget in production (GK-R009), and image tags that do not match the
//! commit recorded for the environment (GK-G003).
//!
//! GK-G003 checks, for every image site (containers of any pod template, image volumes) whose
//! repository is a configured `images:` entry
//! (registry aliases resolved):
//! 1. a tagged image's tag has the entry's `tag_scheme` (a preview: the previews' scheme);
//! 2. with `commit`, the tag's `{sha}` and the commit agree (one is a prefix of the other);
//! 3. with `code_repo`, the tag links to a commit as `gitops-kit image link` does (`{sha}` as a
//!    unique prefix, else `{semver}` as a git tag), that commit is `commit` when one is given,
//!    and it is reachable from one of the environment's `allowed_code_refs` (else its
//!    `code_branch`; `origin/REF` is tried when `REF` is not a local ref).
//!
//! Digest-only references cannot be linked offline and are not checked, nor are images whose
//! entry has no tag scheme (nothing in their tag names a commit).

use super::At;
use super::cross::push;
use super::{pod_labels, string_map};
use crate::git::Repo;
use crate::image::{ImageRef, ParseMode, link};
use crate::manifest::Resource;
use crate::validate::environment::EnvContext;
use crate::validate::finding::{Finding, Severity};
use crate::yaml::{NodeKind, NodeRef};
use std::collections::{HashMap, HashSet};

/// The commit and code repository GK-G003 compares tags with.
pub(crate) struct Provenance {
    /// `commit`, lowercase.
    pub commit: Option<String>,
    /// The opened code repository.
    pub repo: Option<Repo>,
    /// Commits reachable from each ref, computed once.
    reachable: HashMap<String, HashSet<String>>,
}

impl Provenance {
    /// Checks `commit` and opens `code_repo`.
    pub fn new(
        commit: Option<&str>,
        code_repo: Option<&std::path::Path>,
    ) -> Result<Provenance, crate::Error> {
        let commit = commit.map(str::to_ascii_lowercase);
        if let Some(c) = &commit
            && !(4..=40).contains(&c.len())
        {
            return Err(bad(format!("commit {c:?} must be 4 to 40 hex digits")));
        }
        if let Some(c) = &commit
            && !c.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(bad(format!("commit {c:?} must be 4 to 40 hex digits")));
        }
        let repo = code_repo.map(Repo::open).transpose()?;
        Ok(Provenance { commit, repo, reachable: HashMap::new() })
    }

    /// Whether `id` is reachable from `rev` (or `origin/rev`) in the code repository.
    fn reachable_from(&mut self, rev: &str, id: &str) -> Result<bool, crate::Error> {
        let Some(repo) = &self.repo else { return Ok(false) };
        if !self.reachable.contains_key(rev) {
            let log = match repo.log(None, rev, false) {
                Ok(log) => log,
                Err(first) => repo.log(None, &format!("origin/{rev}"), false).map_err(|_| first)?,
            };
            self.reachable.insert(rev.to_string(), log.into_iter().map(|c| c.id).collect());
        }
        Ok(self.reachable.get(rev).is_some_and(|set| set.contains(id)))
    }
}

fn bad(message: String) -> crate::Error {
    crate::validate::Error::InvalidArgument(message).into()
}

/// Runs the environment rules; `earlier` are the findings so far (a `spec.replicas` GK-G004
/// already reported for an HPA is not reported twice).
pub(crate) fn check(
    resources: &[Resource],
    env: &EnvContext,
    provenance: &mut Provenance,
    earlier: &[Finding],
) -> Result<Vec<Finding>, crate::Error> {
    let mut out = Vec::new();
    for r in resources {
        namespace(r, env, &mut out);
        if env.forbid_replicas {
            replicas(r, env, earlier, &mut out);
        }
        images(r, env, provenance, &mut out)?;
    }
    if env.production {
        single_replica(resources, env, &mut out);
    }
    Ok(out)
}

fn namespace(r: &Resource, env: &EnvContext, out: &mut Vec<Finding>) {
    let (Some(want), Some(have)) = (&env.namespace, &r.id().namespace) else { return };
    if want == have {
        return;
    }
    let root = r.node();
    let Some(node) = root.at("/metadata/namespace") else { return };
    let msg = if env.preview {
        format!("namespace {have:?} is not the preview namespace {want:?}")
    } else {
        format!("namespace {have:?} is not the namespace of environment {:?} ({want:?})", env.name)
    };
    push(out, r, "GK-G006", &node, "/metadata/namespace".into(), msg);
    if let Some(f) = out.last_mut() {
        f.severity = Severity::Error;
    }
}

const SCALABLE: &[&str] = &["Deployment", "StatefulSet", "ReplicaSet", "ReplicationController"];

fn replicas(r: &Resource, env: &EnvContext, earlier: &[Finding], out: &mut Vec<Finding>) {
    if !SCALABLE.contains(&r.id().kind.as_str()) {
        return;
    }
    let root = r.node();
    let Some((k, _)) = root.get("spec").and_then(|s| s.get_entry("replicas")) else { return };
    let (file, line, column) = (r.file(), k.span().start.line, k.span().start.column);
    if earlier.iter().any(|f| f.rule == "GK-G004" && f.file == file && f.line == line && f.column == column) {
        return;
    }
    let msg = format!(
        "{} {:?} sets spec.replicas, which the policy of environment {:?} forbids (forbid_replicas)",
        r.id().kind,
        r.id().name,
        env.name
    );
    push(out, r, "GK-G004", &k, "/spec/replicas".into(), msg);
}

/// Deployments and StatefulSets that run one pod (an HPA's minReplicas when one scales them,
/// else spec.replicas, default 1) and that no PodDisruptionBudget of their namespace selects.
fn single_replica(resources: &[Resource], env: &EnvContext, out: &mut Vec<Finding>) {
    let ns = |r: &Resource| r.id().namespace.clone().unwrap_or_default();
    let pdbs: Vec<&Resource> = resources
        .iter()
        .filter(|r| r.id().group == "policy" && r.id().kind == "PodDisruptionBudget")
        .collect();
    for r in resources {
        let kind = r.id().kind.as_str();
        if r.id().group != "apps" || !matches!(kind, "Deployment" | "StatefulSet") {
            continue;
        }
        let root = r.node();
        let replicas = root.at("/spec/replicas");
        // An HPA owns the count when it targets the workload.
        let count = match (hpa_min(resources, r), replicas) {
            (Some(min), _) => Some(min),
            (None, Some(n)) => super::as_int(Some(n)),
            (None, None) => Some(1),
        };
        if count != Some(1) {
            continue;
        }
        let labels = string_map(pod_labels(&root, kind));
        let protected = pdbs.iter().any(|p| {
            ns(p) == ns(r) && p.node().at("/spec/selector").is_some_and(|s| selector_matches(&s, &labels))
        });
        if protected {
            continue;
        }
        let at = replicas.or_else(|| root.get_entry("spec").map(|(k, _)| k)).unwrap_or(root);
        let msg = format!(
            "{kind} {:?} runs a single replica and no PodDisruptionBudget selects it (production environment {:?})",
            r.id().name,
            env.name
        );
        push(out, r, "GK-R009", &at, "/spec/replicas".into(), msg);
    }
}

/// `minReplicas` (default 1) of an HPA that scales `w`.
fn hpa_min(resources: &[Resource], w: &Resource) -> Option<i64> {
    resources
        .iter()
        .filter(|h| h.id().group == "autoscaling" && h.id().kind == "HorizontalPodAutoscaler")
        .filter(|h| h.id().namespace == w.id().namespace)
        .find(|h| {
            let t = h.node().at("/spec/scaleTargetRef");
            t.and_then(|t| t.get_str("kind")) == Some(w.id().kind.as_str())
                && t.and_then(|t| t.get_str("name")) == Some(w.id().name.as_str())
        })
        .map(|h| super::as_int(h.node().at("/spec/minReplicas")).unwrap_or(1))
}

/// A label selector (`matchLabels` and `matchExpressions`) against pod labels; `{}` selects
/// every pod.
fn selector_matches(selector: &NodeRef<'_>, labels: &[(String, String)]) -> bool {
    if selector.kind() != NodeKind::Mapping {
        return false;
    }
    let get = |k: &str| labels.iter().find(|(lk, _)| lk == k).map(|(_, v)| v.as_str());
    let exact = string_map(selector.get("matchLabels")).iter().all(|(k, v)| get(k) == Some(v.as_str()));
    let expressions = super::list(selector.get("matchExpressions")).into_iter().all(|e| {
        let key = e.get_str("key").unwrap_or_default();
        let values: Vec<String> =
            super::list(e.get("values")).into_iter().filter_map(|v| v.as_str().map(str::to_string)).collect();
        match e.get_str("operator") {
            Some("In") => get(key).is_some_and(|v| values.iter().any(|x| x == v)),
            Some("NotIn") => get(key).is_none_or(|v| !values.iter().any(|x| x == v)),
            Some("Exists") => get(key).is_some(),
            Some("DoesNotExist") => get(key).is_none(),
            _ => false,
        }
    });
    exact && expressions
}

fn images(
    r: &Resource,
    env: &EnvContext,
    provenance: &mut Provenance,
    out: &mut Vec<Finding>,
) -> Result<(), crate::Error> {
    if env.images.is_empty() {
        return Ok(());
    }
    // Every image site the image module knows: containers of any pod template (init and
    // ephemeral ones, CronJobs, custom resources) and image volumes.
    let sites = crate::image::image_sites_of(r.node(), &r.id().kind, &crate::image::SiteOptions::default());
    for site in sites {
        let node = site.raw.node;
        let Some(image) = node.as_str() else { continue };
        for problem in image_problems(image, env, provenance)? {
            push(out, r, "GK-G003", &node, site.pointer.clone(), problem);
        }
    }
    Ok(())
}

/// What is wrong with one image reference for the environment (empty when nothing is).
fn image_problems(image: &str, env: &EnvContext, p: &mut Provenance) -> Result<Vec<String>, crate::Error> {
    let Ok(reference) = ImageRef::parse(image, ParseMode::Normalize) else { return Ok(Vec::new()) };
    let Some(configured) = env.images.iter().find(|i| i.matches(&reference)) else { return Ok(Vec::new()) };
    let (Some(tag), Some(scheme)) = (reference.tag.as_deref(), configured.scheme.as_ref()) else {
        return Ok(Vec::new());
    };
    let id = &configured.id;
    let parsed = match scheme.parse_tag(tag) {
        Ok(parsed) => parsed,
        Err(_) => {
            return Ok(vec![format!(
                "tag {tag:?} of image {id:?} does not have its tag scheme {:?}",
                scheme.as_str()
            )]);
        }
    };
    let mut problems = Vec::new();
    if let (Some(commit), Some(sha)) = (&p.commit, parsed.fields.get("sha"))
        && !commit.starts_with(sha.as_str())
        && !sha.starts_with(commit.as_str())
    {
        problems.push(format!(
            "tag {tag:?} of image {id:?} was built from commit {sha}, not from {commit}, the commit recorded for environment {:?}",
            env.name
        ));
    }
    let Some(repo) = &p.repo else { return Ok(problems) };
    let linked = match link(image, scheme, repo, None) {
        Ok(l) => l.commit,
        Err(e) => {
            problems
                .push(format!("tag {tag:?} of image {id:?} links to no commit of the code repository: {e}"));
            return Ok(problems);
        }
    };
    if let Some(commit) = p.commit.clone()
        && !parsed.fields.contains_key("sha")
        && !linked.starts_with(&commit)
    {
        problems.push(format!(
            "tag {tag:?} of image {id:?} links to commit {linked}, not to {commit}, the commit recorded for environment {:?}",
            env.name
        ));
    }
    let refs = env.code_refs.clone();
    if !refs.is_empty() {
        let mut reachable = false;
        for rev in &refs {
            reachable |= p.reachable_from(rev, &linked)?;
        }
        if !reachable {
            problems.push(format!(
                "tag {tag:?} of image {id:?} links to commit {linked}, which is not reachable from {} (allowed code refs of environment {:?})",
                refs.join(", "),
                env.name
            ));
        }
    }
    Ok(problems)
}
