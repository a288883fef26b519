//! Linking images to the commits they were built from (and back), with evidence and a
//! confidence, and ordering candidates by git order on a branch (first parent), never by build
//! time.

use super::Error;
use super::reference::{ImageRef, ParseMode};
use super::scheme::{CommitFacts, ParsedTag, TagScheme, commit_facts};
use crate::git::Repo;
use serde::Serialize;
use std::collections::HashMap;

/// One piece of evidence for (or against) a link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LinkEvidence {
    /// `scheme-sha`, `git-tag`, `first-parent`, `commit-time`.
    pub kind: String,
    /// Whether it supports the link.
    pub supports: bool,
    /// What was checked.
    pub detail: String,
}

/// `gitops-kit/image-link/v1`: the code commit an image was built from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    /// `gitops-kit/image-link/v1`.
    pub schema: &'static str,
    /// The image reference.
    pub image: String,
    /// The tag read through the scheme.
    pub parsed: ParsedTag,
    /// Full id of the commit.
    pub commit: String,
    /// `high` (≥ 12 hex digits or a git tag, and on the branch when one is given), `medium`
    /// (7–11 digits), `low` (fewer, or not on the branch's first-parent history).
    pub confidence: String,
    /// The checks made.
    pub evidence: Vec<LinkEvidence>,
}

fn evidence(kind: &str, supports: bool, detail: String) -> LinkEvidence {
    LinkEvidence { kind: kind.to_string(), supports, detail }
}

/// Resolves a parsed tag to a commit: by its `sha` field (prefix resolution), else by its
/// `semver` field (git tag `vX.Y.Z` or `X.Y.Z`).
fn resolve_commit(parsed: &ParsedTag, repo: &Repo) -> Result<(String, LinkEvidence, u8), crate::Error> {
    if let Some(sha) = parsed.fields.get("sha") {
        let id = repo.find_commit_by_prefix(sha)?;
        let strength = match sha.len() {
            12.. => 2,
            7..=11 => 1,
            _ => 0,
        };
        return Ok((
            id.clone(),
            evidence("scheme-sha", true, format!("{sha} is a prefix of exactly one commit, {id}")),
            strength,
        ));
    }
    if let Some(v) = parsed.fields.get("semver") {
        for name in [format!("v{v}"), v.clone()] {
            if let Ok(id) = repo.resolve(&format!("refs/tags/{name}")) {
                return Ok((
                    id.clone(),
                    evidence("git-tag", true, format!("git tag {name} points at {id}")),
                    2,
                ));
            }
        }
        return Err(Error::SchemeMismatch {
            tag: parsed.tag.clone(),
            scheme: parsed.scheme.clone(),
            message: format!("no git tag v{v} or {v} in the code repository"),
        }
        .into());
    }
    Err(Error::SchemeMismatch {
        tag: parsed.tag.clone(),
        scheme: parsed.scheme.clone(),
        message: "the scheme has neither {sha} nor {semver}: it cannot name a commit".into(),
    }
    .into())
}

fn tag_of(image: &str, scheme: &TagScheme) -> Result<String, Error> {
    let r = ImageRef::parse(image, ParseMode::Normalize)?;
    r.tag.ok_or_else(|| Error::SchemeMismatch {
        tag: String::new(),
        scheme: scheme.as_str().to_string(),
        message: format!("{image:?} has no tag to read"),
    })
}

/// Finds the code commit `image` was built from: its tag is parsed with `scheme`, the `sha`
/// field resolved as a prefix in `repo` (an ambiguous prefix is a `git.ambiguous-prefix` error
/// listing the candidates) or the `semver` field as a git tag. With `branch`, the commit is
/// checked against the branch's first-parent history; a `ts` field is compared with the commit
/// time.
///
/// # Errors
/// Reference, scheme and git errors.
pub fn link(
    image: &str,
    scheme: &TagScheme,
    repo: &Repo,
    branch: Option<&str>,
) -> Result<Link, crate::Error> {
    let tag = tag_of(image, scheme)?;
    let parsed = scheme.parse_tag(&tag)?;
    let (commit, first, mut strength) = resolve_commit(&parsed, repo)?;
    let mut ev = vec![first];
    if let Some(branch) = branch {
        let on = repo.log(None, branch, true)?.iter().any(|c| c.id == commit);
        ev.push(evidence(
            "first-parent",
            on,
            if on {
                format!("{commit} is on the first-parent history of {branch}")
            } else {
                format!("{commit} is not on the first-parent history of {branch}")
            },
        ));
        if !on {
            strength = 0;
        }
    }
    if let Some(ts) = parsed.fields.get("ts").and_then(|t| t.parse::<i64>().ok()) {
        let facts = commit_facts(repo, &commit, None, None, None)?;
        let ok = ts >= facts.time;
        ev.push(evidence(
            "commit-time",
            ok,
            format!("tag time {ts} {} commit time {}", if ok { ">=" } else { "<" }, facts.time),
        ));
    }
    let confidence = ["low", "medium", "high"][usize::from(strength.min(2))].to_string();
    Ok(Link {
        schema: "gitops-kit/image-link/v1",
        image: image.to_string(),
        parsed,
        commit,
        confidence,
        evidence: ev,
    })
}

/// The reverse link: the tag the scheme gives the commit `rev`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TagsForCommit {
    /// The facts rendered from.
    pub facts: CommitFacts,
    /// The rendered tag.
    pub tag: String,
}

/// Renders the tag of the commit `rev` in `repo` (see [`TagScheme::render`]).
///
/// # Errors
/// Git errors, and `image.scheme-mismatch` when a field has no value.
pub fn tags_for_commit(
    scheme: &TagScheme,
    repo: &Repo,
    rev: &str,
    branch: Option<&str>,
    build: Option<u64>,
    pr: Option<u64>,
) -> Result<TagsForCommit, crate::Error> {
    let facts = commit_facts(repo, rev, branch, build, pr)?;
    let tag = scheme.render(&facts)?;
    Ok(TagsForCommit { facts, tag })
}

/// A candidate tag placed in git order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GitOrderEntry {
    /// The tag.
    pub tag: String,
    /// Its commit.
    pub commit: String,
    /// 0 for the branch tip, counting first-parent commits back; `null` when not on the branch.
    pub position: Option<usize>,
}

/// Orders tags by where their commits are on `branch`'s first-parent history, newest first
/// (tags whose commits are not on it come last, in input order). The first entry is "newest".
///
/// # Errors
/// Scheme errors for a tag that does not fit, git errors (an ambiguous prefix included).
pub fn order_by_git(
    tags: &[String],
    scheme: &TagScheme,
    repo: &Repo,
    branch: &str,
) -> Result<Vec<GitOrderEntry>, crate::Error> {
    let positions: HashMap<String, usize> =
        repo.log(None, branch, true)?.into_iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    let mut out = Vec::new();
    for tag in tags {
        let parsed = scheme.parse_tag(tag)?;
        let (commit, _, _) = resolve_commit(&parsed, repo)?;
        out.push(GitOrderEntry { tag: tag.clone(), position: positions.get(&commit).copied(), commit });
    }
    out.sort_by_key(|e| e.position.unwrap_or(usize::MAX));
    Ok(out)
}
