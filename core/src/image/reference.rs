//! The image reference grammar of `distribution/reference` (v0.6.0) and `go-digest` (v1.0.0),
//! written by hand so that every part keeps its byte span in the input.
//!
//! ```text
//! reference      := name [ ":" tag ] [ "@" digest ]
//! name           := [ domain "/" ] remote-name
//! domain         := host [ ":" port ]         host := domain-name | "[" IPv6 "]"
//! remote-name    := path-component ( "/" path-component )*      (≤ 255 bytes)
//! path-component := [a-z0-9]+ ( separator [a-z0-9]+ )*   separator := "." | "_" | "__" | "-"+
//! tag            := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
//! digest         := algorithm ":" hex            (sha256/sha384/sha512, lowercase hex of the exact length)
//! ```

use super::Error;
use serde::Serialize;
use std::ops::Range;

/// Docker Hub's canonical domain.
pub const DOCKER_HUB: &str = "docker.io";
const LEGACY_HUB: &str = "index.docker.io";
const OFFICIAL_PREFIX: &str = "library/";
/// Longest repository path (the domain is not counted, as in `distribution/reference` v0.6.0).
pub const MAX_PATH_LEN: usize = 255;
/// Longest tag.
pub const MAX_TAG_LEN: usize = 128;

/// How a reference string is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParseMode {
    /// `ParseNormalizedNamed`: Docker Hub defaults (`nginx` → `docker.io/library/nginx`,
    /// `index.docker.io` → `docker.io`); the form to use for anything a user wrote.
    #[default]
    Normalize,
    /// `Parse`: the grammar only, no defaults (`user/app` has the domain `user`).
    Strict,
}

impl ParseMode {
    /// `normalize` or `strict`.
    ///
    /// # Errors
    /// `image.invalid-argument` for another name.
    pub fn from_name(name: &str) -> Result<ParseMode, Error> {
        match name {
            "normalize" | "normalise" | "docker" => Ok(ParseMode::Normalize),
            "strict" => Ok(ParseMode::Strict),
            other => Err(Error::InvalidArgument(format!(
                "unknown parse mode {other:?} (expected \"normalize\" or \"strict\")"
            ))),
        }
    }
}

/// Byte ranges of the parts of a reference in the input string (`None` for absent parts; the
/// domain is `None` when it was supplied by normalisation).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct RefSpans {
    /// The whole name (domain and path as written).
    pub name: [usize; 2],
    /// The domain, when written in the input.
    pub domain: Option<[usize; 2]>,
    /// The repository path as written (without an inserted `library/`).
    pub path: [usize; 2],
    /// The tag, without the `:`.
    pub tag: Option<[usize; 2]>,
    /// The digest, without the `@`.
    pub digest: Option<[usize; 2]>,
}

/// A parsed image reference.
///
/// ```
/// use gitops_kit::image::{ImageRef, ParseMode};
/// let r = ImageRef::parse("nginx:1.25", ParseMode::Normalize).unwrap();
/// assert_eq!((r.domain.as_str(), r.path.as_str(), r.tag.as_deref()), ("docker.io", "library/nginx", Some("1.25")));
/// assert_eq!(r.canonical(), "docker.io/library/nginx:1.25");
/// assert_eq!(r.familiar(), "nginx:1.25");
/// assert_eq!(r.spans.tag, Some([6, 10]));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImageRef {
    /// The input string.
    pub input: String,
    /// How it was read.
    pub mode: ParseMode,
    /// Registry domain (`docker.io`, `ghcr.io`, `localhost:5000`, `[::1]:5000`); empty when the
    /// grammar found none (strict `nginx`, normalised `foo_bar.com/app`).
    pub domain: String,
    /// Repository path (`library/nginx`).
    pub path: String,
    /// Tag, if any.
    pub tag: Option<String>,
    /// Digest (`sha256:…`), if any.
    pub digest: Option<String>,
    /// Byte spans of the parts in `input`.
    pub spans: RefSpans,
}

impl ImageRef {
    /// Parses `input` in `mode`.
    ///
    /// # Errors
    /// The rule broken: `image.invalid-reference` (format), `image.uppercase-repository`,
    /// `image.name-too-long`, `image.name-empty`, `image.hex-identifier`, `image.digest-format`,
    /// `image.digest-length`, `image.digest-algorithm`.
    pub fn parse(input: &str, mode: ParseMode) -> Result<ImageRef, Error> {
        match mode {
            ParseMode::Strict => parse_strict(input),
            ParseMode::Normalize => parse_normalized(input),
        }
    }

    /// `domain/path`, or `path` when the domain is empty.
    #[must_use]
    pub fn name(&self) -> String {
        if self.domain.is_empty() { self.path.clone() } else { format!("{}/{}", self.domain, self.path) }
    }

    /// The fully qualified form: `docker.io/library/nginx:1.25@sha256:…`.
    #[must_use]
    pub fn canonical(&self) -> String {
        with_suffix(self.name(), self.tag.as_deref(), self.digest.as_deref())
    }

    /// The short name Docker prints: `docker.io/` and a single-level `library/` removed.
    #[must_use]
    pub fn familiar_name(&self) -> String {
        if self.domain != DOCKER_HUB {
            return self.name();
        }
        match self.path.strip_prefix(OFFICIAL_PREFIX) {
            Some(rest) if !rest.contains('/') => rest.to_string(),
            _ => self.path.clone(),
        }
    }

    /// The familiar form with tag and digest: `nginx:1.25`.
    #[must_use]
    pub fn familiar(&self) -> String {
        with_suffix(self.familiar_name(), self.tag.as_deref(), self.digest.as_deref())
    }

    /// `name@digest` (the tag dropped: runtimes pull by digest), when there is a digest.
    #[must_use]
    pub fn pinned(&self) -> Option<String> {
        self.digest.as_ref().map(|d| format!("{}@{d}", self.name()))
    }

    /// The repository with the tag and digest given (`None` drops that part).
    #[must_use]
    pub fn with_parts(&self, tag: Option<&str>, digest: Option<&str>) -> String {
        with_suffix(self.name(), tag, digest)
    }
}

fn with_suffix(mut name: String, tag: Option<&str>, digest: Option<&str>) -> String {
    if let Some(t) = tag {
        name.push(':');
        name.push_str(t);
    }
    if let Some(d) = digest {
        name.push('@');
        name.push_str(d);
    }
    name
}

fn invalid(input: &str) -> Error {
    Error::InvalidReference { input: input.to_string(), rule: "format".into() }
}

/// Positions of the name, tag and digest in a reference string (grammar of the whole reference).
struct Split {
    name: Range<usize>,
    tag: Option<Range<usize>>,
    digest: Option<Range<usize>>,
}

fn split_reference(s: &str) -> Option<Split> {
    let (before_digest, digest) = match s.find('@') {
        Some(at) => (&s[..at], Some(at + 1..s.len())),
        None => (s, None),
    };
    if let Some(d) = &digest
        && !is_digest_syntax(&s[d.clone()])
    {
        return None;
    }
    // The last ':' starts a tag unless a '/' follows it (then it is a port separator).
    let (name, tag) = match before_digest.rfind(':') {
        Some(colon) if !before_digest[colon..].contains('/') && !before_digest[colon..].contains(']') => {
            (0..colon, Some(colon + 1..before_digest.len()))
        }
        _ => (0..before_digest.len(), None),
    };
    if let Some(t) = &tag
        && !is_tag(&s[t.clone()])
    {
        return None;
    }
    Some(Split { name, tag, digest })
}

/// Splits a name into (domain, remote-name) per the grammar: a leading component that is a
/// valid host (with optional port) followed by `/` and a valid remote name is the domain.
fn split_name(name: &str) -> Option<(Option<usize>, &str)> {
    if let Some(slash) = domain_end(name)
        && is_remote_name(&name[slash + 1..])
    {
        return Some((Some(slash), &name[slash + 1..]));
    }
    is_remote_name(name).then_some((None, name))
}

/// Where the domain candidate ends (the index of the `/` after it), if the start is a domain.
fn domain_end(name: &str) -> Option<usize> {
    let slash = if name.starts_with('[') {
        let close = name.find(']')?;
        close + 1 + name[close + 1..].find('/')?
    } else {
        name.find('/')?
    };
    is_domain(&name[..slash]).then_some(slash)
}

fn parse_strict(input: &str) -> Result<ImageRef, Error> {
    let parsed = split_reference(input).and_then(|sp| split_name(&input[sp.name.clone()]).map(|n| (sp, n)));
    let Some((sp, (domain_slash, path))) = parsed else {
        if input.is_empty() {
            return Err(Error::InvalidReference { input: String::new(), rule: "name-empty".into() });
        }
        let lower = input.to_ascii_lowercase();
        let lower_ok = split_reference(&lower).is_some_and(|sp| split_name(&lower[sp.name]).is_some());
        if lower_ok {
            return Err(Error::InvalidReference { input: input.into(), rule: "uppercase-repository".into() });
        }
        return Err(invalid(input));
    };
    if path.len() > MAX_PATH_LEN {
        return Err(Error::InvalidReference { input: input.into(), rule: "name-too-long".into() });
    }
    let digest = match &sp.digest {
        Some(d) => Some(validate_digest(input, &input[d.clone()])?),
        None => None,
    };
    let path_start = domain_slash.map_or(sp.name.start, |s| s + 1);
    Ok(ImageRef {
        input: input.to_string(),
        mode: ParseMode::Strict,
        domain: domain_slash.map_or(String::new(), |s| input[..s].to_string()),
        path: path.to_string(),
        tag: sp.tag.as_ref().map(|t| input[t.clone()].to_string()),
        digest,
        spans: RefSpans {
            name: [sp.name.start, sp.name.end],
            domain: domain_slash.map(|s| [0, s]),
            path: [path_start, sp.name.end],
            tag: sp.tag.map(|t| [t.start, t.end]),
            digest: sp.digest.map(|d| [d.start, d.end]),
        },
    })
}

fn parse_normalized(input: &str) -> Result<ImageRef, Error> {
    if input.len() == 64 && input.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(Error::InvalidReference { input: input.into(), rule: "hex-identifier".into() });
    }
    // splitDockerDomain: the first component is a domain only if it has '.' or ':', is
    // `localhost`, or has an uppercase letter.
    let (explicit, remainder_start) = match input.find('/') {
        Some(i) => {
            let first = &input[..i];
            let is_domain = first.contains(['.', ':'])
                || first == "localhost"
                || first.bytes().any(|b| b.is_ascii_uppercase());
            if is_domain { (Some(first), i + 1) } else { (None, 0) }
        }
        None => (None, 0),
    };
    let mut domain = explicit.unwrap_or(DOCKER_HUB);
    if domain == LEGACY_HUB {
        domain = DOCKER_HUB;
    }
    let remainder = &input[remainder_start..];
    let inserted = if domain == DOCKER_HUB && !remainder.contains('/') { OFFICIAL_PREFIX } else { "" };
    let remote = remainder.find(':').map_or(remainder, |c| &remainder[..c]);
    let remote_name = format!("{inserted}{remote}");
    if remote_name.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(Error::InvalidReference { input: input.into(), rule: "uppercase-repository".into() });
    }
    let rebuilt = format!("{domain}/{inserted}{remainder}");
    let strict = parse_strict(&rebuilt).map_err(|e| match e {
        Error::InvalidReference { rule, .. } => Error::InvalidReference { input: input.into(), rule },
        other => other,
    })?;
    // Map spans of `rebuilt` back onto `input`: everything after the remainder start is shared.
    let shift = |r: [usize; 2]| -> [usize; 2] {
        let offset = domain.len() + 1 + inserted.len();
        [(r[0].max(offset) - offset) + remainder_start, (r[1] - offset) + remainder_start]
    };
    let name_end = strict.spans.name[1] - (domain.len() + 1 + inserted.len()) + remainder_start;
    let (domain_span, path_span) = if strict.domain.is_empty() {
        (None, [0, name_end])
    } else if explicit.is_some() {
        (Some([0, remainder_start - 1]), [remainder_start, name_end])
    } else {
        (None, [0, name_end])
    };
    Ok(ImageRef {
        input: input.to_string(),
        mode: ParseMode::Normalize,
        spans: RefSpans {
            name: [0, name_end],
            domain: domain_span,
            path: path_span,
            tag: strict.spans.tag.map(shift),
            digest: strict.spans.digest.map(shift),
        },
        ..strict
    })
}

fn validate_digest(input: &str, digest: &str) -> Result<String, Error> {
    let fail = |rule: &str| Error::InvalidReference { input: input.into(), rule: rule.into() };
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return Err(fail("digest-format"));
    };
    let size = match algorithm {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => {
            // go-digest: an unknown algorithm in the digest's own (lowercase) grammar is
            // "unsupported"; anything else is a format error.
            let lower_alg = !algorithm.is_empty()
                && algorithm.split(['.', '+', '_', '-']).all(|c| {
                    !c.is_empty() && c.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                });
            let encoded_ok = hex.bytes().all(|b| b.is_ascii_alphanumeric() || b"=_-".contains(&b));
            return Err(fail(if lower_alg && encoded_ok { "digest-algorithm" } else { "digest-format" }));
        }
    };
    if hex.len() != size {
        return Err(fail("digest-length"));
    }
    if !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(fail("digest-format"));
    }
    Ok(digest.to_string())
}

/// Whether `s` is a legal tag: `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
///
/// ```
/// assert!(gitops_kit::image::is_valid_tag("v1.2.3-rc.1"));
/// assert!(!gitops_kit::image::is_valid_tag("feature/login"));
/// ```
#[must_use]
pub fn is_valid_tag(s: &str) -> bool {
    is_tag(s)
}

fn is_tag(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= MAX_TAG_LEN
        && (b[0].is_ascii_alphanumeric() || b[0] == b'_')
        && b.iter().all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
}

fn is_digest_syntax(s: &str) -> bool {
    let Some((alg, hex)) = s.split_once(':') else {
        return false;
    };
    let alg_ok = alg.split(['-', '_', '+', '.']).all(|c| {
        let b = c.as_bytes();
        !b.is_empty() && b[0].is_ascii_alphabetic() && b.iter().all(u8::is_ascii_alphanumeric)
    });
    alg_ok && hex.len() >= 32 && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

fn is_remote_name(s: &str) -> bool {
    !s.is_empty() && s.split('/').all(is_path_component)
}

fn is_path_component(c: &str) -> bool {
    let b = c.as_bytes();
    let alnum = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    if b.is_empty() || !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if alnum(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !alnum(b[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        let ok = sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|x| x == b'-');
        if !ok {
            return false;
        }
    }
    true
}

fn is_domain(s: &str) -> bool {
    let (host, port) = if let Some(rest) = s.strip_prefix('[') {
        let Some(close) = rest.find(']') else {
            return false;
        };
        if !is_ipv6(&rest[..close]) {
            return false;
        }
        (None, &rest[close + 1..])
    } else {
        match s.find(':') {
            Some(c) => (Some(&s[..c]), &s[c..]),
            None => (Some(s), ""),
        }
    };
    if let Some(h) = host
        && (h.is_empty() || !h.split('.').all(is_host_component))
    {
        return false;
    }
    port.is_empty()
        || (port.len() > 1 && port.starts_with(':') && port[1..].bytes().all(|b| b.is_ascii_digit()))
}

fn is_host_component(c: &str) -> bool {
    let b = c.as_bytes();
    !b.is_empty()
        && b[0].is_ascii_alphanumeric()
        && b[b.len() - 1].is_ascii_alphanumeric()
        && b.iter().all(|&x| x.is_ascii_alphanumeric() || x == b'-')
}

/// Bracket content of an IPv6 host: compressed or full hex groups, no zone, no embedded IPv4.
fn is_ipv6(s: &str) -> bool {
    let group = |g: &str| !g.is_empty() && g.len() <= 4 && g.bytes().all(|b| b.is_ascii_hexdigit());
    match s.split_once("::") {
        None => {
            let groups: Vec<&str> = s.split(':').collect();
            groups.len() == 8 && groups.iter().all(|g| group(g))
        }
        Some((left, right)) => {
            if right.contains("::") {
                return false;
            }
            let side = |p: &str| -> Option<usize> {
                if p.is_empty() {
                    return Some(0);
                }
                let gs: Vec<&str> = p.split(':').collect();
                gs.iter().all(|g| group(g)).then_some(gs.len())
            };
            matches!((side(left), side(right)), (Some(l), Some(r)) if l + r <= 7)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_components() {
        for ok in ["a", "my__app", "my--app", "a.b", "a_b", "a---b"] {
            assert!(is_path_component(ok), "{ok}");
        }
        for bad in ["my___app", "my..app", "my-.app", "-a", "a-", "A", ""] {
            assert!(!is_path_component(bad), "{bad}");
        }
    }

    #[test]
    fn ipv6_forms() {
        assert!(is_ipv6("::1"));
        assert!(is_ipv6("2001:db8:0:0:0:0:0:1"));
        assert!(!is_ipv6("fe80::1%eth0"));
        assert!(!is_ipv6("::ffff:1.2.3.4"));
    }

    #[test]
    fn strict_user_app_has_domain_user() {
        let r = ImageRef::parse("user/app:1.0", ParseMode::Strict).unwrap();
        assert_eq!((r.domain.as_str(), r.path.as_str()), ("user", "app"));
    }

    #[test]
    fn spans_of_normalized_parts() {
        let r = ImageRef::parse("ghcr.io/org/app:v1@sha256:".to_string().as_str(), ParseMode::Normalize);
        assert!(r.is_err());
        let input = format!("ghcr.io/org/app:v1@sha256:{}", "a".repeat(64));
        let r = ImageRef::parse(&input, ParseMode::Normalize).unwrap();
        assert_eq!(r.spans.domain, Some([0, 7]));
        assert_eq!(&input[r.spans.path[0]..r.spans.path[1]], "org/app");
        let t = r.spans.tag.unwrap();
        assert_eq!(&input[t[0]..t[1]], "v1");
        let d = r.spans.digest.unwrap();
        assert_eq!(&input[d[0]..d[1]], format!("sha256:{}", "a".repeat(64)));
    }
}
