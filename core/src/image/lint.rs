//! Lints on image references, repository matching with a registry alias table, and turning
//! branch names into legal tags.

use super::Error;
use super::reference::{ImageRef, MAX_TAG_LEN, ParseMode};
use serde::Serialize;

/// Tag names that are moved on purpose (never pin one of these).
pub const MUTABLE_TAGS: &[&str] = &[
    "latest",
    "dev",
    "develop",
    "development",
    "main",
    "master",
    "stable",
    "stg",
    "staging",
    "prd",
    "prod",
    "production",
    "test",
    "testing",
    "edge",
    "nightly",
    "canary",
    "beta",
    "alpha",
    "head",
    "trunk",
    "release",
    "current",
    "snapshot",
];

/// One lint finding on a reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Lint {
    /// `image.latest-tag`, `image.missing-tag`, `image.mutable-tag`, `image.tag-and-digest`,
    /// `image.empty-domain`, `image.numeric-tag`, `image.describe-tag`.
    pub code: String,
    /// `error`, `warning` or `info`.
    pub severity: String,
    /// What is wrong and why it matters.
    pub message: String,
}

/// Options of [`lint`].
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LintOptions {
    /// Tag names treated as mutable in addition to [`MUTABLE_TAGS`] (compared case-insensitively).
    #[serde(alias = "mutableTags")]
    pub mutable_tags: Vec<String>,
    /// Parse mode (default normalize).
    pub mode: ParseMode,
}

fn finding(code: &str, severity: &str, message: String) -> Lint {
    Lint { code: code.to_string(), severity: severity.to_string(), message }
}

/// Lints one reference: `latest`, a missing tag, mutable tag names, tag and digest both present,
/// an empty domain after normalisation, an all-digit tag (reads as a semver major), a
/// `git describe` tag (sorts before its release under semver). Sorted by code.
///
/// ```
/// use gitops_kit::image::{lint, LintOptions};
/// let codes: Vec<String> = lint("nginx", &LintOptions::default()).unwrap().into_iter().map(|l| l.code).collect();
/// assert_eq!(codes, ["image.missing-tag"]);
/// ```
///
/// # Errors
/// The parse error when the reference is invalid.
pub fn lint(input: &str, options: &LintOptions) -> Result<Vec<Lint>, Error> {
    let r = ImageRef::parse(input, options.mode)?;
    let mut out = Vec::new();
    match (&r.tag, &r.digest) {
        (None, None) => out.push(finding(
            "image.missing-tag",
            "error",
            "no tag and no digest: the runtime pulls `latest`, which can change at any time".into(),
        )),
        (Some(t), Some(_)) => out.push(finding(
            "image.tag-and-digest",
            "info",
            format!("both tag {t:?} and a digest: the digest wins, the tag is only a label"),
        )),
        _ => {}
    }
    if let Some(tag) = &r.tag {
        let lower = tag.to_ascii_lowercase();
        if lower == "latest" {
            if r.digest.is_none() {
                out.push(finding(
                    "image.latest-tag",
                    "error",
                    "tag `latest` is mutable and makes rollbacks impossible".into(),
                ));
            }
        } else if r.digest.is_none()
            && (MUTABLE_TAGS.contains(&lower.as_str())
                || options.mutable_tags.iter().any(|m| m.eq_ignore_ascii_case(tag)))
        {
            out.push(finding(
                "image.mutable-tag",
                "warning",
                format!("tag {tag:?} names a moving target; use an immutable tag or a digest"),
            ));
        }
        if tag.len() >= 7 && tag.bytes().all(|b| b.is_ascii_digit()) {
            out.push(finding(
                "image.numeric-tag",
                "info",
                format!("tag {tag:?} is all digits: a short SHA here reads as a semver major version"),
            ));
        }
        if is_describe(tag) {
            out.push(finding(
                "image.describe-tag",
                "warning",
                format!("tag {tag:?} looks like `git describe`: semver sorts it before its base release"),
            ));
        }
    }
    if r.domain.is_empty() && r.mode == ParseMode::Normalize {
        out.push(finding(
            "image.empty-domain",
            "warning",
            format!(
                "{:?} has no registry after normalisation: the first component is not a valid host",
                r.path
            ),
        ));
    }
    out.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(out)
}

/// `v1.2.3-14-g2414721` or `1.2.3-4-gabcdef0-dirty`.
fn is_describe(tag: &str) -> bool {
    let parts: Vec<&str> = tag.trim_end_matches("-dirty").rsplitn(3, '-').collect();
    parts.len() == 3
        && parts[0].len() > 4
        && parts[0].starts_with('g')
        && parts[0][1..].bytes().all(|b| b.is_ascii_hexdigit())
        && !parts[1].is_empty()
        && parts[1].bytes().all(|b| b.is_ascii_digit())
}

/// Registries (or repository prefixes) that are the same thing under another name.
///
/// The defaults make `index.docker.io` and `registry-1.docker.io` equal to `docker.io`; entries
/// added with [`Aliases::with`] map a mirror (a domain, or a domain and path prefix, matched at
/// `/` boundaries) onto the name it mirrors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aliases {
    pairs: Vec<(String, String)>,
}

impl Default for Aliases {
    fn default() -> Aliases {
        Aliases {
            pairs: vec![
                ("index.docker.io".into(), "docker.io".into()),
                ("registry-1.docker.io".into(), "docker.io".into()),
            ],
        }
    }
}

impl Aliases {
    /// The defaults plus `alias → target` (both without scheme, e.g.
    /// `mirror.example.com/team/api` → `registry.example.com/team/api`).
    #[must_use]
    pub fn with(mut self, alias: &str, target: &str) -> Aliases {
        self.pairs.push((alias.trim_end_matches('/').into(), target.trim_end_matches('/').into()));
        // Longest alias first, so the most specific mapping wins.
        self.pairs.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        self
    }

    /// Aliases from `(alias, target)` pairs, on top of the defaults.
    #[must_use]
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Aliases {
        pairs.into_iter().fold(Aliases::default(), |a, (from, to)| a.with(from, to))
    }

    /// The repository (`domain/path`) of `r` with aliases resolved.
    #[must_use]
    pub fn repository(&self, r: &ImageRef) -> String {
        let name = r.name();
        for (alias, target) in &self.pairs {
            if let Some(rest) = name.strip_prefix(alias.as_str())
                && (rest.is_empty() || rest.starts_with('/'))
            {
                let mapped = format!("{target}{rest}");
                // A Hub alias may need `library/` for official images.
                return match ImageRef::parse(&mapped, ParseMode::Normalize) {
                    Ok(m) => m.name(),
                    Err(_) => mapped,
                };
            }
        }
        name
    }
}

/// Whether two references name the same repository once normalised and aliases resolved
/// (tags and digests are ignored).
///
/// ```
/// use gitops_kit::image::{same_repository, Aliases};
/// let aliases = Aliases::default();
/// assert!(same_repository("nginx", "docker.io/library/nginx:1.25", &aliases).unwrap());
/// assert!(same_repository("registry-1.docker.io/library/nginx", "nginx", &aliases).unwrap());
/// assert!(!same_repository("nginx", "ghcr.io/nginx", &aliases).unwrap());
/// ```
///
/// # Errors
/// The parse error of either reference.
pub fn same_repository(a: &str, b: &str, aliases: &Aliases) -> Result<bool, Error> {
    let a = ImageRef::parse(a, ParseMode::Normalize)?;
    let b = ImageRef::parse(b, ParseMode::Normalize)?;
    Ok(aliases.repository(&a) == aliases.repository(&b))
}

/// Turns a branch (or any ref name) into a legal tag, as docker/metadata-action does for
/// `type=ref,event=branch`: `refs/heads/` is dropped, every character outside `[A-Za-z0-9_.-]`
/// becomes `-`, leading `.` and `-` are removed, the result is cut to 128 characters, and
/// lowercased when `lowercase` is set.
///
/// ```
/// use gitops_kit::image::sanitize_tag;
/// assert_eq!(sanitize_tag("feature/login", false).unwrap(), "feature-login");
/// assert_eq!(sanitize_tag("refs/heads/Fix #12", true).unwrap(), "fix--12");
/// assert!(sanitize_tag("///", false).is_err());
/// ```
///
/// # Errors
/// `image.invalid-argument` when nothing legal remains.
pub fn sanitize_tag(raw: &str, lowercase: bool) -> Result<String, Error> {
    let raw = raw.strip_prefix("refs/heads/").or_else(|| raw.strip_prefix("refs/tags/")).unwrap_or(raw);
    let mapped: String = raw
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') { c } else { '-' })
        .collect();
    let trimmed = mapped.trim_start_matches(['.', '-']);
    let mut out: String = trimmed.chars().take(MAX_TAG_LEN).collect();
    if lowercase {
        out.make_ascii_lowercase();
    }
    if out.is_empty() {
        return Err(Error::InvalidArgument(format!("{raw:?} has no character that may start a tag")));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describe_tags() {
        assert!(is_describe("v1.2.3-14-g2414721"));
        assert!(is_describe("v1.2.3-14-g2414721-dirty"));
        assert!(!is_describe("v1.2.3-rc1"));
    }

    #[test]
    fn mirror_alias() {
        let a = Aliases::default().with("mirror.example.com/team", "registry.example.com/team");
        assert!(
            same_repository("mirror.example.com/team/api:1", "registry.example.com/team/api", &a).unwrap()
        );
        assert!(
            !same_repository("mirror.example.com/teamx/api", "registry.example.com/teamx/api", &a).unwrap()
        );
    }

    #[test]
    fn lint_codes() {
        let l = |s: &str| {
            lint(s, &LintOptions::default()).unwrap().into_iter().map(|l| l.code).collect::<Vec<_>>()
        };
        assert_eq!(l("nginx:latest"), ["image.latest-tag"]);
        assert_eq!(l("nginx:main"), ["image.mutable-tag"]);
        assert_eq!(l("nginx:1.25"), Vec::<String>::new());
        assert_eq!(l("foo_bar.com/app:1.0"), ["image.empty-domain"]);
        let digest = format!("nginx:1.25@sha256:{}", "a".repeat(64));
        assert_eq!(l(&digest), ["image.tag-and-digest"]);
    }
}
