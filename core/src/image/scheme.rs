//! Tag schemes: templates such as `{branch}-{sha:12}-{ts}`, `sha-{sha:7}`, `v{semver}` or
//! `pr-{pr}-{sha:7}` that render a tag from a commit and parse a tag back into its fields.
//!
//! Fields: `{branch}` (sanitised with [`super::sanitize_tag`], cut to fit), `{sha}` / `{sha:N}`
//! (the first N of 40 lowercase hex digits, 4 ≤ N ≤ 40), `{ts}` (commit author time, Unix
//! seconds), `{semver}` (highest `vX.Y.Z[-pre]` git tag on the commit, without `v` and build
//! metadata), `{pr}` and `{build}` (numbers supplied by the caller).

use super::Error;
use super::lint::sanitize_tag;
use super::reference::{MAX_TAG_LEN, is_valid_tag};
use crate::git::Repo;
use serde::Serialize;
use std::collections::BTreeMap;

/// Longest semver rendered (longer pre-releases are refused at render time).
const MAX_SEMVER: usize = 64;
const MAX_NUMBER: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Branch,
    Sha(usize),
    Ts,
    Semver,
    Pr,
    Build,
}

impl Field {
    fn name(self) -> &'static str {
        match self {
            Field::Branch => "branch",
            Field::Sha(_) => "sha",
            Field::Ts => "ts",
            Field::Semver => "semver",
            Field::Pr => "pr",
            Field::Build => "build",
        }
    }

    /// Longest rendering, `None` when the field is cut to fit (branch).
    fn max_len(self) -> Option<usize> {
        match self {
            Field::Branch => None,
            Field::Sha(n) => Some(n),
            Field::Semver => Some(MAX_SEMVER),
            Field::Ts | Field::Pr | Field::Build => Some(MAX_NUMBER),
        }
    }

    fn accepts(self, s: &str) -> bool {
        match self {
            Field::Branch => {
                !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b))
            }
            Field::Sha(n) => s.len() == n && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')),
            Field::Ts | Field::Pr | Field::Build => {
                !s.is_empty() && s.len() <= MAX_NUMBER && s.bytes().all(|b| b.is_ascii_digit())
            }
            Field::Semver => parse_semver(s).is_some_and(|v| v.build.is_none()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Field(Field),
}

/// A validated tag scheme.
///
/// ```
/// use gitops_kit::image::{CommitFacts, TagScheme};
/// let scheme = TagScheme::parse("{branch}-{sha:12}-{ts}").unwrap();
/// let facts = CommitFacts {
///     sha: "4be1c2a9d0f3aa11bb22cc33dd44ee55ff667788".into(),
///     branch: Some("feature/login".into()),
///     time: 1718000000,
///     ..Default::default()
/// };
/// let tag = scheme.render(&facts).unwrap();
/// assert_eq!(tag, "feature-login-4be1c2a9d0f3-1718000000");
/// let parsed = scheme.parse_tag(&tag).unwrap();
/// assert_eq!(parsed.fields["sha"], "4be1c2a9d0f3");
/// assert_eq!(parsed.fields["branch"], "feature-login");
/// assert!(TagScheme::parse("{branch}:{sha}").is_err()); // ':' can never be in a tag
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagScheme {
    text: String,
    segments: Vec<Segment>,
}

/// What a scheme renders from: a commit and the caller's extra numbers.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CommitFacts {
    /// Full commit id (40 hex).
    pub sha: String,
    /// Branch the commit was built from.
    pub branch: Option<String>,
    /// Commit author time, Unix seconds.
    pub time: i64,
    /// Git tags pointing at the commit.
    pub tags: Vec<String>,
    /// CI build number.
    pub build: Option<u64>,
    /// Pull-request number.
    pub pr: Option<u64>,
}

/// One component of a sort key: a number or a text, compared in order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(untagged)]
pub enum SortPart {
    /// Numbers sort numerically.
    Num(u64),
    /// Texts sort bytewise.
    Text(String),
}

/// A tag read back through a scheme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ParsedTag {
    /// The tag.
    pub tag: String,
    /// The scheme text.
    pub scheme: String,
    /// Field values by name (`branch`, `sha`, `ts`, `semver`, `pr`, `build`).
    pub fields: BTreeMap<String, String>,
    /// Compare two tags of one scheme by this: `ts`, `build`, semver (major, minor, patch,
    /// release after pre-release, pre-release), `pr` — whichever the scheme has, in that order.
    pub sort_key: Vec<SortPart>,
}

struct Semver<'a> {
    major: u64,
    minor: u64,
    patch: u64,
    pre: Option<&'a str>,
    build: Option<&'a str>,
}

fn parse_semver(s: &str) -> Option<Semver<'_>> {
    let (rest, build) = match s.split_once('+') {
        Some((r, b)) => (r, Some(b)),
        None => (s, None),
    };
    let (core, pre) = match rest.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (rest, None),
    };
    let num = |x: &str| -> Option<u64> {
        (!x.is_empty() && x.bytes().all(|b| b.is_ascii_digit()) && (x == "0" || !x.starts_with('0')))
            .then(|| x.parse().ok())
            .flatten()
    };
    let mut parts = core.split('.');
    let v = Semver {
        major: num(parts.next()?)?,
        minor: num(parts.next()?)?,
        patch: num(parts.next()?)?,
        pre,
        build,
    };
    let ident_ok = |p: &str| {
        !p.is_empty()
            && p.split('.')
                .all(|i| !i.is_empty() && i.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
    };
    (parts.next().is_none() && pre.is_none_or(ident_ok) && build.is_none_or(ident_ok)).then_some(v)
}

impl TagScheme {
    /// Parses and validates a scheme: known fields, literals of legal tag characters, a field
    /// between any two fields' boundaries (so tags parse back), a legal first character, at least
    /// one field, each field once, and a longest rendering within 128 characters.
    ///
    /// # Errors
    /// `image.invalid-scheme` naming the problem.
    pub fn parse(text: &str) -> Result<TagScheme, Error> {
        let fail = |m: String| Error::InvalidScheme { scheme: text.to_string(), message: m };
        let mut segments = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            if let Some(after) = rest.strip_prefix('{') {
                let close = after.find('}').ok_or_else(|| fail("a '{' is not closed".into()))?;
                let spec = &after[..close];
                let field = match spec.split_once(':') {
                    Some(("sha", n)) => {
                        let n: usize = n.parse().map_err(|_| fail(format!("{{sha:{n}}} needs a number")))?;
                        if !(4..=40).contains(&n) {
                            return Err(fail(format!("{{sha:{n}}}: the length must be 4 to 40")));
                        }
                        Field::Sha(n)
                    }
                    None if spec == "sha" => Field::Sha(40),
                    None if spec == "branch" => Field::Branch,
                    None if spec == "ts" => Field::Ts,
                    None if spec == "semver" => Field::Semver,
                    None if spec == "pr" => Field::Pr,
                    None if spec == "build" => Field::Build,
                    _ => {
                        return Err(fail(format!(
                            "unknown field {{{spec}}} (known: branch, sha, sha:N, ts, semver, pr, build)"
                        )));
                    }
                };
                if matches!(segments.last(), Some(Segment::Field(_))) {
                    return Err(fail(format!(
                        "{{{spec}}} follows another field directly: put a literal between them so tags parse back"
                    )));
                }
                if segments.iter().any(|s| matches!(s, Segment::Field(f) if f.name() == field.name())) {
                    return Err(fail(format!("field {{{}}} appears twice", field.name())));
                }
                segments.push(Segment::Field(field));
                rest = &after[close + 1..];
            } else {
                let end = rest.find('{').unwrap_or(rest.len());
                let lit = &rest[..end];
                if let Some(bad) =
                    lit.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
                {
                    return Err(fail(format!(
                        "{bad:?} can never appear in a tag (allowed: A-Z a-z 0-9 _ . -)"
                    )));
                }
                segments.push(Segment::Literal(lit.to_string()));
                rest = &rest[end..];
            }
        }
        if let Some(Segment::Literal(l)) = segments.first()
            && l.starts_with(['.', '-'])
        {
            return Err(fail("a tag cannot start with '.' or '-'".into()));
        }
        if !segments.iter().any(|s| matches!(s, Segment::Field(_))) {
            return Err(fail("no field: every commit would get the same (mutable) tag".into()));
        }
        let fixed: usize = segments
            .iter()
            .map(|s| match s {
                Segment::Literal(l) => l.len(),
                Segment::Field(f) => f.max_len().unwrap_or(1),
            })
            .sum();
        if fixed > MAX_TAG_LEN {
            return Err(fail(format!(
                "the longest rendering has {fixed} characters; tags are limited to 128"
            )));
        }
        Ok(TagScheme { text: text.to_string(), segments })
    }

    /// The scheme as written.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Names of the fields, in order.
    #[must_use]
    pub fn fields(&self) -> Vec<&'static str> {
        self.segments
            .iter()
            .filter_map(|s| match s {
                Segment::Field(f) => Some(f.name()),
                Segment::Literal(_) => None,
            })
            .collect()
    }

    /// Renders the tag of `facts`.
    ///
    /// # Errors
    /// `image.scheme-mismatch` when a field has no value (no branch, no semver tag on the
    /// commit, no PR or build number) or the commit id is not 40 hex digits.
    pub fn render(&self, facts: &CommitFacts) -> Result<String, Error> {
        let missing = |m: String| Error::SchemeMismatch {
            tag: facts.sha.clone(),
            scheme: self.text.clone(),
            message: m,
        };
        let sha = facts.sha.to_ascii_lowercase();
        if sha.len() != 40 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(missing(format!("{:?} is not a full 40-digit commit id", facts.sha)));
        }
        let mut fixed = String::new();
        let mut values: Vec<Option<String>> = Vec::new();
        for s in &self.segments {
            let v = match s {
                Segment::Literal(l) => Some(l.clone()),
                Segment::Field(Field::Sha(n)) => Some(sha[..*n].to_string()),
                Segment::Field(Field::Ts) => {
                    if facts.time < 0 {
                        return Err(missing("the commit time is before 1970".into()));
                    }
                    Some(facts.time.to_string())
                }
                Segment::Field(Field::Pr) => {
                    Some(facts.pr.ok_or_else(|| missing("no pull-request number".into()))?.to_string())
                }
                Segment::Field(Field::Build) => {
                    Some(facts.build.ok_or_else(|| missing("no build number".into()))?.to_string())
                }
                Segment::Field(Field::Semver) => Some(highest_semver(&facts.tags).ok_or_else(|| {
                    missing(format!("no semver tag (vX.Y.Z) points at the commit (tags: {:?})", facts.tags))
                })?),
                Segment::Field(Field::Branch) => None,
            };
            if let Some(v) = &v {
                fixed.push_str(v);
            }
            values.push(v);
        }
        let budget = MAX_TAG_LEN.saturating_sub(fixed.len());
        let mut tag = String::new();
        for v in values {
            match v {
                Some(v) => tag.push_str(&v),
                None => {
                    let branch = facts.branch.as_deref().ok_or_else(|| missing("no branch".into()))?;
                    let clean = sanitize_tag(branch, false)?;
                    tag.push_str(clean[..budget.min(clean.len())].trim_end_matches(['.', '-']));
                }
            }
        }
        if !is_valid_tag(&tag) {
            return Err(missing(format!("rendered {tag:?}, which is not a legal tag")));
        }
        Ok(tag)
    }

    /// Reads `tag` back into its fields and sort key.
    ///
    /// # Errors
    /// `image.scheme-mismatch` when the tag does not have the scheme's shape.
    pub fn parse_tag(&self, tag: &str) -> Result<ParsedTag, Error> {
        let mut values = Vec::new();
        if !match_from(&self.segments, tag, 0, &mut values) {
            return Err(Error::SchemeMismatch {
                tag: tag.to_string(),
                scheme: self.text.clone(),
                message: "the tag does not have the scheme's shape".into(),
            });
        }
        let fields: BTreeMap<String, String> =
            values.iter().map(|(f, v)| (f.name().to_string(), v.clone())).collect();
        let mut sort_key = Vec::new();
        let num = |k: &str| fields.get(k).and_then(|v| v.parse::<u64>().ok());
        if let Some(ts) = num("ts") {
            sort_key.push(SortPart::Num(ts));
        }
        if let Some(b) = num("build") {
            sort_key.push(SortPart::Num(b));
        }
        if let Some(v) = fields.get("semver").and_then(|s| parse_semver(s)) {
            sort_key.extend([SortPart::Num(v.major), SortPart::Num(v.minor), SortPart::Num(v.patch)]);
            sort_key.push(SortPart::Num(u64::from(v.pre.is_none())));
            sort_key.push(SortPart::Text(v.pre.unwrap_or_default().to_string()));
        }
        if let Some(pr) = num("pr") {
            sort_key.push(SortPart::Num(pr));
        }
        Ok(ParsedTag { tag: tag.to_string(), scheme: self.text.clone(), fields, sort_key })
    }
}

/// Backtracking match of segments against `tag[pos..]`, longest field values first.
fn match_from(segments: &[Segment], tag: &str, pos: usize, values: &mut Vec<(Field, String)>) -> bool {
    let Some((first, rest)) = segments.split_first() else {
        return pos == tag.len();
    };
    match first {
        Segment::Literal(l) => {
            tag[pos..].starts_with(l.as_str()) && match_from(rest, tag, pos + l.len(), values)
        }
        Segment::Field(f) => {
            for end in (pos + 1..=tag.len()).rev() {
                if !tag.is_char_boundary(end) || !f.accepts(&tag[pos..end]) {
                    continue;
                }
                values.push((*f, tag[pos..end].to_string()));
                if match_from(rest, tag, end, values) {
                    return true;
                }
                values.pop();
            }
            false
        }
    }
}

/// The highest `vX.Y.Z[-pre]` among git tags, without `v` and build metadata.
fn highest_semver(tags: &[String]) -> Option<String> {
    tags.iter()
        .filter_map(|t| {
            let v = parse_semver(t.strip_prefix('v').unwrap_or(t))?;
            Some(((v.major, v.minor, v.patch, v.pre.is_none(), v.pre.map(str::to_string)), v))
        })
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, v)| match v.pre {
            Some(p) => format!("{}.{}.{}-{p}", v.major, v.minor, v.patch),
            None => format!("{}.{}.{}", v.major, v.minor, v.patch),
        })
        .filter(|s| s.len() <= MAX_SEMVER)
}

/// The facts of the commit `rev` resolves to in `repo`: id, author time and tags; the branch,
/// build and PR numbers come from the caller.
///
/// # Errors
/// The git errors of resolving `rev`.
pub fn commit_facts(
    repo: &Repo,
    rev: &str,
    branch: Option<&str>,
    build: Option<u64>,
    pr: Option<u64>,
) -> Result<CommitFacts, crate::Error> {
    let sha = repo.resolve(rev)?;
    let info = repo
        .log(None, &sha, true)?
        .into_iter()
        .next()
        .ok_or_else(|| Error::InvalidArgument(format!("{rev} has no commit")))?;
    Ok(CommitFacts {
        tags: repo.tags_pointing_at(&sha)?,
        sha,
        branch: branch.map(str::to_string),
        time: info.time,
        build,
        pr,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_bad_schemes() {
        for bad in
            ["{branch}{sha:7}", "{x}", "v{semver}+b", "plain", "{sha:3}", "-{sha}", "{sha}-{sha:7}", "{ts"]
        {
            assert!(TagScheme::parse(bad).is_err(), "{bad}");
        }
        assert!(TagScheme::parse(&format!("{}{{sha}}", "a".repeat(100))).is_err());
    }

    #[test]
    fn semver_sort_keys() {
        let s = TagScheme::parse("v{semver}").unwrap();
        let a = s.parse_tag("v1.2.3-rc.1").unwrap();
        let b = s.parse_tag("v1.2.3").unwrap();
        assert!(a.sort_key < b.sort_key);
        assert!(s.parse_tag("v1.2").is_err());
    }

    #[test]
    fn pr_scheme_round_trip() {
        let s = TagScheme::parse("pr-{pr}-{sha:7}").unwrap();
        let facts = CommitFacts { sha: "a".repeat(40), pr: Some(42), ..Default::default() };
        let tag = s.render(&facts).unwrap();
        assert_eq!(tag, "pr-42-aaaaaaa");
        assert_eq!(s.parse_tag(&tag).unwrap().fields["pr"], "42");
    }

    #[test]
    fn long_branch_is_cut() {
        let s = TagScheme::parse("{branch}-{sha:12}").unwrap();
        let facts = CommitFacts { sha: "b".repeat(40), branch: Some("x".repeat(300)), ..Default::default() };
        let tag = s.render(&facts).unwrap();
        assert_eq!(tag.len(), 128);
    }
}
