//! Format-preserving image rewrites: every change is a byte-span edit of one scalar (or the
//! insertion/removal of one kustomization `images:` key), so comments, quotes, blank lines,
//! block scalars, anchors, `---` separators, CRLF line ends and document order stay as written.

use super::Error;
use super::lint::Aliases;
use super::reference::{ImageRef, ParseMode, is_valid_tag};
use super::sites::{SiteOptions, walk};
use crate::Location;
use crate::yaml::{self, Edit, NodeKind, NodeRef, ScalarStyle, ScalarValue, resolve_plain};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One requested change: images of the repository `selector` get `new`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImageEdit {
    /// A repository (`nginx` matches `docker.io/library/nginx:1.25`); with a tag or digest, only
    /// images with exactly that tag or digest match.
    pub selector: String,
    /// `:tag`, `@digest`, `:tag@digest`, or a full reference (renames the repository).
    pub new: String,
}

impl ImageEdit {
    /// Edits from JSON: a list of `"SELECTOR=NEW"` strings or `{"selector", "new"}` objects.
    ///
    /// # Errors
    /// `image.invalid-argument` for anything else.
    pub fn list_from_json(value: &serde_json::Value) -> Result<Vec<ImageEdit>, Error> {
        let items = value.as_array().ok_or_else(|| {
            Error::InvalidArgument(
                "edits must be a list of \"SELECTOR=NEW\" strings or {selector, new} objects".into(),
            )
        })?;
        items
            .iter()
            .map(|item| match item {
                serde_json::Value::String(s) => ImageEdit::parse(s),
                other => serde_json::from_value(other.clone())
                    .map_err(|e| Error::InvalidArgument(format!("invalid edit {other}: {e}"))),
            })
            .collect()
    }

    /// Parses `SELECTOR=NEW`, or the kustomize shorthand `SELECTOR:TAG` / `SELECTOR@DIGEST`.
    ///
    /// # Errors
    /// `image.invalid-argument` for a malformed argument.
    pub fn parse(spec: &str) -> Result<ImageEdit, Error> {
        if let Some((selector, new)) = spec.split_once('=') {
            return Ok(ImageEdit { selector: selector.to_string(), new: new.to_string() });
        }
        let r = ImageRef::parse(spec, ParseMode::Normalize)?;
        let name_end = r.spans.name[1];
        if name_end == spec.len() {
            return Err(Error::InvalidArgument(format!(
                "{spec:?} must be SELECTOR=NEW, SELECTOR:TAG or SELECTOR@DIGEST"
            )));
        }
        Ok(ImageEdit { selector: spec[..name_end].to_string(), new: spec[name_end..].to_string() })
    }
}

/// Options of [`set_images`].
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SetOptions {
    /// Refuse to write `latest`, or a reference with neither tag nor digest.
    #[serde(alias = "forbidLatest")]
    pub forbid_latest: bool,
    /// Registry aliases (`mirror → target`), on top of the Docker Hub defaults.
    pub aliases: BTreeMap<String, String>,
    /// Extra image field paths per kind.
    #[serde(alias = "extraPaths")]
    pub extra_paths: Vec<super::sites::ExtraPath>,
}

/// One image value changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImageChange {
    /// Input name.
    pub file: String,
    /// 0-based document index.
    pub document: usize,
    /// 1-based line of the old value.
    pub line: u32,
    /// 1-based column of the old value.
    pub column: u32,
    /// JSON pointer of the value (for kustomization entries: of the `images` item).
    pub pointer: String,
    /// `containers`, `initContainers`, `ephemeralContainers`, `volumes`, `extra` or `kustomization`.
    pub field: String,
    /// The selector that matched.
    pub selector: String,
    /// Old reference (for kustomization entries: the effective image before).
    pub old: String,
    /// New reference.
    pub new: String,
}

/// The result of [`set_images`] on one text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SetResult {
    /// The rewritten text (identical to the input when nothing matched).
    pub text: String,
    /// What changed, in text order.
    pub changes: Vec<ImageChange>,
    /// Selectors that matched no image.
    pub unmatched: Vec<String>,
}

/// Changes of one file of [`set_images_in_paths`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileChange {
    /// The path.
    pub file: String,
    /// What changed.
    pub changes: Vec<ImageChange>,
    /// The new text, when the file was not written in place.
    pub text: Option<String>,
}

/// `gitops-kit/image-set/v1`: the changes across files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SetReport {
    /// `gitops-kit/image-set/v1`.
    pub schema: &'static str,
    /// Files with at least one change, in the order read.
    pub files: Vec<FileChange>,
    /// Selectors that matched nothing in any file.
    pub unmatched: Vec<String>,
    /// Whether the files were written.
    pub written: bool,
}

/// What to write: parts of a reference or a whole one.
#[derive(Debug, Clone)]
enum NewImage {
    Tag(String),
    Digest(String),
    TagDigest(String, String),
    Full(ImageRef),
}

struct Prepared {
    selector: String,
    repository: String,
    tag: Option<String>,
    digest: Option<String>,
    new: NewImage,
}

fn prepare(edit: &ImageEdit, aliases: &Aliases) -> Result<Prepared, Error> {
    let sel = ImageRef::parse(&edit.selector, ParseMode::Normalize)?;
    let digest_of = |d: &str| -> Result<String, Error> {
        let probe = format!("x@{d}");
        Ok(ImageRef::parse(&probe, ParseMode::Normalize)
            .map_err(|e| match e {
                Error::InvalidReference { rule, .. } => {
                    Error::InvalidReference { input: edit.new.clone(), rule }
                }
                other => other,
            })?
            .digest
            .unwrap_or_default())
    };
    let tag_of = |t: &str| -> Result<String, Error> {
        if is_valid_tag(t) {
            Ok(t.to_string())
        } else {
            Err(Error::InvalidReference { input: edit.new.clone(), rule: "format".into() })
        }
    };
    let new = if let Some(rest) = edit.new.strip_prefix(':') {
        match rest.split_once('@') {
            Some((t, d)) => NewImage::TagDigest(tag_of(t)?, digest_of(d)?),
            None => NewImage::Tag(tag_of(rest)?),
        }
    } else if let Some(d) = edit.new.strip_prefix('@') {
        NewImage::Digest(digest_of(d)?)
    } else {
        NewImage::Full(ImageRef::parse(&edit.new, ParseMode::Normalize)?)
    };
    Ok(Prepared {
        selector: edit.selector.clone(),
        repository: aliases.repository(&sel),
        tag: sel.tag,
        digest: sel.digest,
        new,
    })
}

impl Prepared {
    fn matches(&self, r: &ImageRef, aliases: &Aliases) -> bool {
        aliases.repository(r) == self.repository
            && (self.tag.is_none() || self.tag == r.tag)
            && (self.digest.is_none() || self.digest == r.digest)
    }

    /// The new value of an image written as `old` (its name kept as written for part edits).
    fn apply(&self, old: &ImageRef) -> String {
        let name = &old.input[old.spans.name[0]..old.spans.name[1]];
        let join = |t: Option<&str>, d: Option<&str>| {
            let mut s = name.to_string();
            if let Some(t) = t {
                s = format!("{s}:{t}");
            }
            if let Some(d) = d {
                s = format!("{s}@{d}");
            }
            s
        };
        match &self.new {
            NewImage::Tag(t) => join(Some(t), None),
            NewImage::Digest(d) => join(None, Some(d)),
            NewImage::TagDigest(t, d) => join(Some(t), Some(d)),
            NewImage::Full(r) => r.input.clone(),
        }
    }
}

fn check_policy(new: &str, options: &SetOptions, node: NodeRef<'_>) -> Result<(), Error> {
    if !options.forbid_latest {
        return Ok(());
    }
    let r = ImageRef::parse(new, ParseMode::Normalize)?;
    let latest = r.digest.is_none() && r.tag.as_deref().is_none_or(|t| t.eq_ignore_ascii_case("latest"));
    if latest {
        let span = node.span();
        return Err(Error::Forbidden {
            location: Location {
                file: node.document().source().name().to_string(),
                line: span.start.line,
                column: span.start.column,
            },
            message: format!("refusing to write {new:?}: `latest` (or no tag) is forbidden by the policy"),
        });
    }
    Ok(())
}

/// Whether a plain scalar `s` would not read back as the same string (Kubernetes resolution,
/// YAML indicators, flow punctuation).
fn needs_quotes(s: &str) -> bool {
    let Some(first) = s.chars().next() else { return true };
    !matches!(resolve_plain(s), ScalarValue::Str(_))
        || "-?:,[]{}#&*!|>'\"%@`".contains(first)
        || s.contains(": ")
        || s.contains(" #")
        || s.ends_with(':')
        || s.contains(['[', ']', '{', '}', ','])
        || s.starts_with(char::is_whitespace)
        || s.ends_with(char::is_whitespace)
}

fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The edit that makes the scalar `node` read `new`, in the node's own style.
fn scalar_edit(node: NodeRef<'_>, new: &str) -> Result<Edit, Error> {
    let range = node.byte_range();
    let replacement = match node.style().unwrap_or(ScalarStyle::Plain) {
        ScalarStyle::Plain if needs_quotes(new) => double_quoted(new),
        ScalarStyle::Plain => new.to_string(),
        ScalarStyle::SingleQuoted => format!("'{}'", new.replace('\'', "''")),
        ScalarStyle::DoubleQuoted => double_quoted(new),
        ScalarStyle::Literal | ScalarStyle::Folded => {
            // Keep the header and indentation: replace the one content line.
            let source = node.source_text();
            let old = node.as_str().unwrap_or_default().trim_end();
            // The span may or may not include the `|`/`>` header line; skip it when present.
            let body_start = if source.starts_with(['|', '>']) {
                source.find('\n').map_or(source.len(), |i| i + 1)
            } else {
                0
            };
            let Some(at) = source[body_start..].find(old).filter(|_| !old.is_empty() && !old.contains('\n'))
            else {
                return Err(Error::InvalidArgument(format!(
                    "{}: a multi-line block scalar image cannot be edited in place",
                    node.document().source().name()
                )));
            };
            let start = range.start + body_start + at;
            return Ok(Edit { range: start..start + old.len(), replacement: new.to_string() });
        }
    };
    Ok(Edit { range, replacement })
}

fn location_of(node: NodeRef<'_>) -> (u32, u32) {
    let s = node.span();
    (s.start.line, s.start.column)
}

fn is_kustomization(root: NodeRef<'_>, file: &str) -> bool {
    let kind = root.get_str("kind");
    let api = root.get_str("apiVersion").unwrap_or_default();
    matches!(kind, Some("Kustomization" | "Component"))
        || api.starts_with("kustomize.config.k8s.io")
        || (kind.is_none()
            && Path::new(file)
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| matches!(n, "kustomization.yaml" | "kustomization.yml" | "Kustomization")))
}

/// Rewrites the images matching the edits' selectors in one text (all documents).
///
/// ```
/// use gitops_kit::image::{set_images, ImageEdit, SetOptions};
/// let text = "kind: Pod\nmetadata: {name: web}\nspec:\n  containers:\n  - name: web\n    image: 'nginx:1.25' # pinned\n";
/// let edits = [ImageEdit { selector: "docker.io/library/nginx".into(), new: ":1.27".into() }];
/// let out = set_images(text, "pod.yaml", &edits, &SetOptions::default()).unwrap();
/// assert_eq!(out.text, text.replace("'nginx:1.25'", "'nginx:1.27'"));
/// assert_eq!(out.changes[0].line, 6);
/// ```
///
/// # Errors
/// A YAML error for text that does not parse; an image error for an invalid selector or new
/// reference; `image.forbidden` for `latest` when `forbid_latest` is set.
pub fn set_images(
    text: &str,
    file: &str,
    edits: &[ImageEdit],
    options: &SetOptions,
) -> Result<SetResult, crate::Error> {
    use rayon::prelude::*;
    let aliases = Aliases::from_pairs(options.aliases.iter().map(|(a, t)| (a.as_str(), t.as_str())));
    let prepared = edits.iter().map(|e| prepare(e, &aliases)).collect::<Result<Vec<_>, _>>()?;
    let ctx = Context {
        file,
        prepared: &prepared,
        aliases: &aliases,
        options,
        site_options: SiteOptions { extra_paths: options.extra_paths.clone() },
    };
    let needles = needles(&prepared, options);
    // Documents are parsed one by one (in parallel); a document whose text cannot hold a match
    // is not parsed at all. That is what makes rewriting a large stream fast.
    let chunks = split_documents(text);
    let mut doc_base = 0;
    let mut work = Vec::new();
    for c in &chunks {
        let body = &text[c.range.clone()];
        let candidate = c.documents > 0
            && needles
                .as_ref()
                .is_none_or(|n| body.contains('\\') || n.iter().any(|n| holds_component(body, n)));
        if candidate {
            work.push((c.range.clone(), doc_base, c.lines_before));
        }
        doc_base += c.documents;
    }
    let results: Vec<Result<ChunkResult, crate::Error>> = work
        .par_iter()
        .map(|(range, docs, lines)| rewrite_chunk(&ctx, text, range.clone(), *docs, *lines))
        .collect();
    let mut span_edits = Vec::new();
    let mut changes = Vec::new();
    let mut used = BTreeSet::new();
    for r in results {
        let r = match r {
            Ok(r) => r,
            // A syntax error in one document: report it located in the whole text.
            Err(crate::Error::Yaml(e)) => return Err(yaml::parse_str(text, file).err().unwrap_or(e).into()),
            Err(e) => return Err(e),
        };
        span_edits.extend(r.edits);
        changes.extend(r.changes);
        used.extend(r.used);
    }
    changes.sort_by_key(|c| (c.line, c.column));
    let unmatched = prepared
        .iter()
        .enumerate()
        .filter(|(i, _)| !used.contains(i))
        .map(|(_, p)| p.selector.clone())
        .collect();
    let text =
        if span_edits.is_empty() { text.to_string() } else { yaml::apply_edits(text, &span_edits, file)? };
    Ok(SetResult { text, changes, unmatched })
}

/// What every document of one call shares.
struct Context<'a> {
    file: &'a str,
    prepared: &'a [Prepared],
    aliases: &'a Aliases,
    options: &'a SetOptions,
    site_options: SiteOptions,
}

struct ChunkResult {
    edits: Vec<Edit>,
    changes: Vec<ImageChange>,
    used: BTreeSet<usize>,
}

/// Texts one of which any matching document must contain: the last path component of each
/// selector's repository (`nginx` of `docker.io/library/nginx`). `None` (no filtering) when an
/// alias maps repository paths, which could rename that component.
fn needles(prepared: &[Prepared], options: &SetOptions) -> Option<Vec<String>> {
    if options.aliases.iter().any(|(a, t)| a.contains('/') || t.contains('/')) {
        return None;
    }
    Some(prepared.iter().map(|p| p.repository.rsplit('/').next().unwrap_or_default().to_string()).collect())
}

/// Whether `needle` occurs in `body` as a whole path component: not preceded or followed by a
/// character that could continue the component (`svc-2` is not in `svc-20` or `team-svc-2`).
fn holds_component(body: &str, needle: &str) -> bool {
    let part = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-');
    let bytes = body.as_bytes();
    body.match_indices(needle).any(|(at, _)| {
        let before = at.checked_sub(1).map(|i| bytes[i]);
        let after = bytes.get(at + needle.len()).copied();
        !before.is_some_and(part) && !after.is_some_and(part)
    })
}

/// A document's byte range in a stream, and how many documents (0 or 1) the parser makes of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Chunk {
    pub range: std::ops::Range<usize>,
    pub documents: usize,
    /// Lines before the chunk.
    pub lines_before: u32,
}

fn is_marker(line: &str, marker: &str) -> bool {
    line.strip_prefix(marker).is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', '\t']))
}

/// Splits a YAML stream at document markers: a line starting with `---` opens a document and a
/// line `...` closes one. YAML forbids both at column 0 inside any scalar, so this split is exact
/// without parsing. A chunk counts as a document when it opens with `---` or holds anything but
/// blank lines, comments and directives.
pub(crate) fn split_documents(text: &str) -> Vec<Chunk> {
    let mut chunks = Vec::new();
    let (mut start, mut explicit, mut content) = (0, false, false);
    let (mut pos, mut line_no, mut start_line) = (0, 0u32, 0u32);
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
        let line = text[pos..end].trim_end_matches(['\n', '\r']);
        if is_marker(line, "---") {
            if pos > start {
                let documents = usize::from(explicit || content);
                chunks.push(Chunk { range: start..pos, documents, lines_before: start_line });
            }
            (start, explicit, content, start_line) = (pos, true, false, line_no);
        } else if is_marker(line, "...") {
            let documents = usize::from(explicit || content);
            chunks.push(Chunk { range: start..end, documents, lines_before: start_line });
            (start, explicit, content, start_line) = (end, false, false, line_no + 1);
        } else {
            let t = line.trim_start();
            if !t.is_empty() && !t.starts_with('#') && !line.starts_with('%') {
                content = true;
            }
        }
        pos = end;
        line_no += 1;
    }
    if start < text.len() || chunks.is_empty() {
        let documents = usize::from(explicit || content);
        chunks.push(Chunk { range: start..text.len(), documents, lines_before: start_line });
    }
    chunks
}

/// Rewrites one document (`range` of `text`); edits and positions are for the whole text.
fn rewrite_chunk(
    ctx: &Context<'_>,
    text: &str,
    range: std::ops::Range<usize>,
    doc_base: usize,
    line_base: u32,
) -> Result<ChunkResult, crate::Error> {
    let chunk = &text[range.clone()];
    let shift_error = |e: Error| match e {
        Error::Forbidden { mut location, message } => {
            location.line += line_base;
            Error::Forbidden { location, message }
        }
        other => other,
    };
    let docs = yaml::parse_str(chunk, ctx.file)?;
    let mut out = ChunkResult { edits: Vec::new(), changes: Vec::new(), used: BTreeSet::new() };
    let mut seen = BTreeSet::new();
    for doc in &docs {
        let Some(root) = doc.root() else { continue };
        let document = doc_base + doc.index();
        let kind = root.get_str("kind").unwrap_or_default();
        for found in walk(root, kind, &ctx.site_options) {
            let node = found.raw.node;
            let Some(old) = node.as_str() else { continue };
            let Ok(old_ref) = ImageRef::parse(old, ParseMode::Normalize) else { continue };
            let Some((i, p)) =
                ctx.prepared.iter().enumerate().find(|(_, p)| p.matches(&old_ref, ctx.aliases))
            else {
                continue;
            };
            out.used.insert(i);
            let new = p.apply(&old_ref);
            if new == old || !seen.insert(node.byte_range().start) {
                continue;
            }
            check_policy(&new, ctx.options, node).map_err(shift_error)?;
            out.edits.push(scalar_edit(node, &new)?);
            let (line, column) = location_of(node);
            out.changes.push(ImageChange {
                file: ctx.file.to_string(),
                document,
                line: line + line_base,
                column,
                pointer: found.pointer,
                field: found.raw.field.to_string(),
                selector: p.selector.clone(),
                old: old.to_string(),
                new,
            });
        }
        if is_kustomization(root, ctx.file) {
            let first = out.changes.len();
            kustomization_edits(
                root,
                ctx.file,
                document,
                ctx.prepared,
                ctx.aliases,
                ctx.options,
                chunk,
                &mut out.edits,
                &mut out.changes,
                &mut out.used,
            )
            .map_err(shift_error)?;
            for c in &mut out.changes[first..] {
                c.line += line_base;
            }
        }
    }
    for e in &mut out.edits {
        e.range = e.range.start + range.start..e.range.end + range.start;
    }
    Ok(out)
}

/// Line ending used at `at` (CRLF if the line there ends with one).
fn eol_at(text: &str, at: usize) -> &'static str {
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    if end > 0 && text.as_bytes().get(end - 1) == Some(&b'\r') { "\r\n" } else { "\n" }
}

/// Start of the line holding byte `at`.
fn line_start(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

/// One past the end of the line holding byte `at` (after its newline).
fn line_end(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |i| at + i + 1)
}

/// Sets (`Some`) or removes (`None`) `key` in the kustomization image entry `entry`.
fn set_key(
    text: &str,
    entry: NodeRef<'_>,
    key: &str,
    value: Option<&str>,
    out: &mut Vec<Edit>,
) -> Result<(), Error> {
    let existing = entry.get_entry(key);
    match (existing, value) {
        (Some((_, v)), Some(value)) => {
            if v.as_str() != Some(value) {
                out.push(scalar_edit(v, value)?);
            }
        }
        (None, None) => {}
        (None, Some(value)) => {
            let rendered = if needs_quotes(value) { double_quoted(value) } else { value.to_string() };
            if entry.is_flow() {
                let end = entry.byte_range().end;
                let close = text[..end].rfind('}').unwrap_or(end);
                let sep = if entry.is_empty() { "" } else { ", " };
                out.push(Edit { range: close..close, replacement: format!("{sep}{key}: {rendered}") });
            } else {
                let (first_key, _) = entry.entries().next().ok_or_else(|| {
                    Error::InvalidArgument("an empty kustomization images entry cannot be edited".into())
                })?;
                let indent = " ".repeat(first_key.span().start.column as usize - 1);
                let (_, last_value) = entry.entries().last().expect("non-empty mapping");
                let after = last_value.byte_range().end;
                let at = line_end(text, after.saturating_sub(1).max(line_start(text, after)));
                let eol = eol_at(text, line_start(text, after));
                let prefix = if at == text.len() && !text.ends_with('\n') { eol } else { "" };
                out.push(Edit {
                    range: at..at,
                    replacement: format!("{prefix}{indent}{key}: {rendered}{eol}"),
                });
            }
        }
        (Some((k, v)), None) => {
            if entry.is_flow() {
                // Remove ", key: value" (or "key: value, " for the first entry).
                let keys: Vec<_> = entry.entries().collect();
                let pos = keys.iter().position(|(kk, _)| kk.byte_range() == k.byte_range()).unwrap_or(0);
                let range = if pos > 0 {
                    keys[pos - 1].1.byte_range().end..v.byte_range().end
                } else if keys.len() > 1 {
                    k.byte_range().start..keys[1].0.byte_range().start
                } else {
                    k.byte_range().start..v.byte_range().end
                };
                out.push(Edit { range, replacement: String::new() });
            } else {
                let start = line_start(text, k.byte_range().start);
                if !text[start..k.byte_range().start].trim().is_empty() {
                    return Err(Error::InvalidArgument(format!(
                        "cannot remove {key:?}: it shares its line with another key"
                    )));
                }
                let end = line_end(text, v.byte_range().end.saturating_sub(1).max(k.byte_range().start));
                out.push(Edit { range: start..end, replacement: String::new() });
            }
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn kustomization_edits(
    root: NodeRef<'_>,
    file: &str,
    document: usize,
    prepared: &[Prepared],
    aliases: &Aliases,
    options: &SetOptions,
    text: &str,
    edits: &mut Vec<Edit>,
    changes: &mut Vec<ImageChange>,
    used: &mut BTreeSet<usize>,
) -> Result<(), Error> {
    let Some(images) = root.get("images").filter(|n| n.kind() == NodeKind::Sequence) else {
        return Ok(());
    };
    for (i, entry) in images.items().enumerate() {
        let Some(name) = entry.get_str("name") else { continue };
        let Ok(name_ref) = ImageRef::parse(name, ParseMode::Normalize) else { continue };
        let Some((pi, p)) = prepared.iter().enumerate().find(|(_, p)| {
            aliases.repository(&name_ref) == p.repository && p.tag.is_none() && p.digest.is_none()
        }) else {
            continue;
        };
        used.insert(pi);
        let old_name = entry.get_str("newName").unwrap_or(name);
        let old_tag = entry.get_str("newTag");
        let old_digest = entry.get_str("digest");
        let (new_name, tag, digest) = match &p.new {
            NewImage::Tag(t) => (None, Some(t.as_str()), None),
            NewImage::Digest(d) => (None, None, Some(d.as_str())),
            NewImage::TagDigest(t, d) => (None, Some(t.as_str()), Some(d.as_str())),
            NewImage::Full(r) => {
                let written = &r.input[r.spans.name[0]..r.spans.name[1]];
                (Some(written), r.tag.as_deref(), r.digest.as_deref())
            }
        };
        let effective_name = new_name.unwrap_or(old_name);
        let join = |n: &str, t: Option<&str>, d: Option<&str>| {
            format!(
                "{n}{}{}",
                t.map(|t| format!(":{t}")).unwrap_or_default(),
                d.map(|d| format!("@{d}")).unwrap_or_default()
            )
        };
        let old = join(old_name, old_tag, old_digest);
        let new = join(effective_name, tag, digest);
        if old == new {
            continue;
        }
        check_policy(&new, options, entry)?;
        let before = edits.len();
        if let Some(n) = new_name {
            set_key(text, entry, "newName", if n == name { None } else { Some(n) }, edits)?;
        }
        set_key(text, entry, "newTag", tag, edits)?;
        set_key(text, entry, "digest", digest, edits)?;
        if edits.len() == before {
            continue;
        }
        let (line, column) = location_of(entry);
        changes.push(ImageChange {
            file: file.to_string(),
            document,
            line,
            column,
            pointer: format!("/images/{i}"),
            field: "kustomization".into(),
            selector: p.selector.clone(),
            old,
            new,
        });
    }
    Ok(())
}

fn files_below(root: &Path, out: &mut Vec<PathBuf>) -> Result<(), Error> {
    let io = |e: std::io::Error| Error::Io { path: root.display().to_string(), message: e.to_string() };
    if !root.is_dir() {
        out.push(root.to_path_buf());
        return Ok(());
    }
    let mut stack = vec![root.to_path_buf()];
    let mut found = Vec::new();
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).map_err(io)? {
            let entry = entry.map_err(io)?;
            let path = entry.path();
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            let ty = entry.file_type().map_err(io)?;
            if ty.is_dir() {
                if !hidden {
                    stack.push(path);
                }
            } else if ty.is_file()
                && path
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| matches!(e, "yaml" | "yml" | "json"))
            {
                found.push(path);
            }
        }
    }
    found.sort();
    out.extend(found);
    Ok(())
}

/// [`set_images`] over files and directories (every `.yaml`/`.yml`/`.json` below, sorted,
/// hidden directories skipped). Files without a match are never touched. With `write`, changed
/// files are written in place and the report carries no texts; without, each changed file's new
/// text is in the report.
///
/// # Errors
/// `image.io` when a file cannot be read or written; the first error of [`set_images`] (nothing
/// is written when any file fails).
pub fn set_images_in_paths(
    paths: &[PathBuf],
    edits: &[ImageEdit],
    options: &SetOptions,
    write: bool,
) -> Result<SetReport, crate::Error> {
    let mut files = Vec::new();
    for p in paths {
        files_below(p, &mut files)?;
    }
    let mut results = Vec::new();
    let mut matched = BTreeSet::new();
    for path in &files {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Io { path: name.clone(), message: e.to_string() })?;
        let result = set_images(&text, &name, edits, options)?;
        for e in edits {
            if !result.unmatched.contains(&e.selector) {
                matched.insert(e.selector.clone());
            }
        }
        if !result.changes.is_empty() {
            results.push((path, name, result));
        }
    }
    if write {
        for (path, name, result) in &results {
            std::fs::write(path, &result.text)
                .map_err(|e| Error::Io { path: name.clone(), message: e.to_string() })?;
        }
    }
    let unmatched =
        edits.iter().filter(|e| !matched.contains(&e.selector)).map(|e| e.selector.clone()).collect();
    let files = results
        .into_iter()
        .map(|(_, name, r)| FileChange { file: name, changes: r.changes, text: (!write).then_some(r.text) })
        .collect();
    Ok(SetReport { schema: "gitops-kit/image-set/v1", files, unmatched, written: write })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(text: &str, sel: &str, new: &str) -> String {
        let edits = [ImageEdit { selector: sel.into(), new: new.into() }];
        set_images(text, "t.yaml", &edits, &SetOptions::default()).unwrap().text
    }

    #[test]
    fn plain_value_that_needs_quotes_gets_them() {
        let t = "spec:\n  containers:\n  - image: app:1\n";
        assert_eq!(
            set(t, "app", "[::1]:5000/app:2"),
            "spec:\n  containers:\n  - image: \"[::1]:5000/app:2\"\n"
        );
    }

    #[test]
    fn kustomization_insert_and_remove() {
        let t = "kind: Kustomization\nimages:\n- name: nginx\n  digest: sha256:aaaa\n";
        let out = set(t, "nginx", ":1.27");
        assert_eq!(out, "kind: Kustomization\nimages:\n- name: nginx\n  newTag: \"1.27\"\n");
    }

    #[test]
    fn document_split_matches_the_parser() {
        let cases = [
            "",
            "a: 1\n",
            "# only a comment\n",
            "a: 1\n---\n---\nb: [1, 2]\n",
            "%YAML 1.2\n---\na: 1\n...\n# tail\n",
            "--- |\n  text\n--- # c\nb: 2\n...\n...\n",
            "a: |\n  ---not a marker\n  x\nb: 1\r\n---\r\nc: 2\r\n",
        ];
        for text in cases {
            let want = yaml::parse_str(text, "t").unwrap().len();
            let chunks = split_documents(text);
            let got: usize = chunks.iter().map(|c| c.documents).sum();
            assert_eq!(got, want, "{text:?}");
            for c in &chunks {
                assert_eq!(c.lines_before as usize, text[..c.range.start].matches('\n').count(), "{text:?}");
            }
        }
        let corpus = std::env::var_os("GITOPS_KIT_CORPUS").map_or_else(
            || std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"),
            std::path::PathBuf::from,
        );
        let mut files = vec![corpus];
        let mut checked = 0;
        while let Some(p) = files.pop() {
            if p.is_dir() {
                files.extend(std::fs::read_dir(&p).into_iter().flatten().flatten().map(|e| e.path()));
            } else if p.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                let Ok(text) = std::fs::read_to_string(&p) else { continue };
                let Ok(docs) = yaml::parse_str(&text, "t") else { continue };
                let got: usize = split_documents(&text).iter().map(|c| c.documents).sum();
                assert_eq!(got, docs.len(), "{}", p.display());
                checked += 1;
            }
        }
        eprintln!("split checked on {checked} corpus files");
    }

    #[test]
    fn component_prefilter() {
        assert!(holds_component("image: registry.example.com/t/svc-2:v1", "svc-2"));
        assert!(holds_component("image: \"nginx\"", "nginx"));
        assert!(!holds_component("name: team-svc-2\nimage: x/svc-20:v1", "svc-2"));
    }

    #[test]
    fn edit_shorthand() {
        assert_eq!(
            ImageEdit::parse("nginx:1.2").unwrap(),
            ImageEdit { selector: "nginx".into(), new: ":1.2".into() }
        );
        assert!(ImageEdit::parse("nginx").is_err());
    }
}
