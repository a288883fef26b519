//! Loading sources into a [`ManifestSet`] with a [`DocumentFilter`] that may leave objects out.
//!
//! Every document is parsed (so every error is found) but an object the filter skips is not
//! kept: only where its document starts is remembered, as a [`Skipped`], and it can be parsed
//! again from there on its own. A diff uses this to hold in memory only the objects that
//! differ; the public loaders of [`ManifestSet`] use [`KeepAll`].

use super::error::Error;
use super::resource::{Resource, resources_of};
use super::set::{ManifestSet, SourceSpec, has_manifest_extension, manifest_files_below, too_large};
use crate::git::Repo;
use crate::yaml::{Documents, ParseOptions, Resume, Source};
use rayon::prelude::*;
use std::collections::HashMap;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;

/// Decides, object by object while loading, which objects are left out of the set.
pub(crate) trait DocumentFilter: Sync {
    /// What is remembered of a left-out object.
    type Tag: Send;

    /// Whether [`DocumentFilter::skip_text`] may skip anything (finding a document's end costs
    /// a scan of its lines, wasted when it cannot).
    const SKIPS_TEXT: bool = false;

    /// `Some` leaves `resource` out. Asked only for an object that is its document's whole
    /// root (not a `List` item), in a document without problems that can be parsed again on
    /// its own.
    fn skip(&self, resource: &Resource) -> Option<Self::Tag>;

    /// `Some` leaves out, without reading it, the next document, whose whole text (markers and
    /// comments included) is `text`, with the byte range of its object within `text`. Only
    /// for a text equal to that of a document read before with the same options and left out
    /// by [`DocumentFilter::skip`]: reading it would give the same object.
    fn skip_text(&self, text: &str) -> Option<(Self::Tag, std::ops::Range<usize>)> {
        let _ = text;
        None
    }
}

/// The filter that keeps every object.
pub(crate) struct KeepAll;

impl DocumentFilter for KeepAll {
    type Tag = std::convert::Infallible;

    fn skip(&self, _: &Resource) -> Option<Self::Tag> {
        None
    }
}

/// An object a filter left out: where its document starts, to parse it again.
pub(crate) struct Skipped<T> {
    pub(crate) source: Arc<Source>,
    at: Resume,
    /// Byte range of the object's text in `source`.
    root: (u32, u32),
    /// End of the document's whole text (it starts at `at`).
    end: u32,
    pub(crate) tag: T,
}

impl<T> Skipped<T> {
    /// Where the object's text is in its source.
    pub(crate) fn root_range(&self) -> std::ops::Range<usize> {
        self.root.0 as usize..self.root.1 as usize
    }

    /// Where the document's whole text is in its source (for [`DocumentFilter::skip_text`]).
    pub(crate) fn document_range(&self) -> std::ops::Range<usize> {
        self.at.offset()..self.end as usize
    }

    /// The objects of the document again (the one object that was left out).
    ///
    /// # Errors
    /// The document's YAML error; none is expected, it parsed before with the same options.
    pub(crate) fn parse(&self, options: &ParseOptions) -> Result<Vec<Resource>, crate::yaml::Error> {
        let mut out = Vec::with_capacity(1);
        let mut problems = Vec::new();
        if let Some(doc) = Documents::resume(&self.source, options, self.at).next() {
            resources_of(&Arc::new(doc?), &mut out, &mut problems);
        }
        Ok(out)
    }
}

/// What a load produced: the objects kept, those left out, and the sources read in order.
pub(crate) struct Loaded<T> {
    pub(crate) set: ManifestSet,
    pub(crate) skipped: Vec<Skipped<T>>,
    sources: Vec<Arc<Source>>,
}

impl<T> Default for Loaded<T> {
    fn default() -> Self {
        Loaded { set: ManifestSet::new(), skipped: Vec::new(), sources: Vec::new() }
    }
}

impl<T> Loaded<T> {
    fn extend(&mut self, other: Loaded<T>) {
        self.set.extend(other.set);
        self.skipped.extend(other.skipped);
        self.sources.extend(other.sources);
    }

    fn concat(parts: Vec<Result<Loaded<T>, Error>>) -> Result<Loaded<T>, Error> {
        let mut all = Loaded::default();
        // Sized once: records of skipped objects are most of what a diff keeps of a side.
        let ok = || parts.iter().filter_map(|p| p.as_ref().ok());
        all.set.resources.reserve_exact(ok().map(|p| p.set.resources.len()).sum());
        all.skipped.reserve_exact(ok().map(|p| p.skipped.len()).sum());
        for part in parts {
            all.extend(part?);
        }
        Ok(all)
    }

    /// Puts objects parsed again from skipped documents back into the set, in input order.
    pub(crate) fn restore(&mut self, resources: Vec<Resource>) {
        if resources.is_empty() {
            return;
        }
        let ordinal: HashMap<*const Source, usize> =
            self.sources.iter().enumerate().map(|(i, s)| (Arc::as_ptr(s), i)).collect();
        let all = &mut self.set.resources;
        all.extend(resources);
        all.sort_by_cached_key(|r| {
            let doc = r.document();
            let source = ordinal.get(&Arc::as_ptr(doc.source())).copied().unwrap_or(usize::MAX);
            (source, doc.index(), r.node().byte_range().start)
        });
    }
}

/// Loads sources with one filter and one set of parse options.
pub(crate) struct Loader<'f, F> {
    pub(crate) options: &'f ParseOptions,
    pub(crate) filter: &'f F,
}

impl<F: DocumentFilter> Loader<'_, F> {
    /// The objects of `source` up to its first YAML error, and that error.
    pub(crate) fn source(&self, source: Arc<Source>) -> (Loaded<F::Tag>, Option<crate::yaml::Error>) {
        let mut loaded = Loaded::default();
        loaded.set.files.push(source.name().to_string());
        let mut documents = Documents::new(&source, self.options);
        loop {
            let at = documents.resume_point();
            if let Some(at) = at
                && let Some(skipped) = self.skip_unread(&source, &mut documents, at)
            {
                loaded.skipped.push(skipped);
                continue;
            }
            let doc = match documents.next() {
                None => break,
                Some(Ok(doc)) => Arc::new(doc),
                Some(Err(error)) => {
                    loaded.sources.push(source);
                    return (loaded, Some(error));
                }
            };
            let (before, problems_before) = (loaded.set.resources.len(), loaded.set.problems.len());
            resources_of(&doc, &mut loaded.set.resources, &mut loaded.set.problems);
            let alone = loaded.set.resources.len() == before + 1
                && loaded.set.problems.len() == problems_before
                && doc.root().map(|r| r.id()) == loaded.set.resources.last().map(|r| r.node);
            // A document read by granit cannot be restarted cheaply: it is kept.
            if alone
                && let (Some(at), Some(after)) = (at, documents.resume_point())
                && let Some(skipped) = self.skip_read(&source, &mut loaded.set.resources, at, after)
            {
                loaded.skipped.push(skipped);
            }
        }
        loaded.sources.push(source);
        (loaded, None)
    }

    /// The next document left out without reading it, when the filter knows its text.
    fn skip_unread(
        &self,
        source: &Arc<Source>,
        documents: &mut Documents<'_>,
        at: Resume,
    ) -> Option<Skipped<F::Tag>> {
        if !F::SKIPS_TEXT {
            return None;
        }
        let range = documents.next_document_range()?;
        let (tag, root) = self.filter.skip_text(&source.text()[range.clone()])?;
        documents.skip_document(&range);
        // Offsets fit in u32: the input-size limit keeps sources far below 4 GiB.
        let root = ((range.start + root.start) as u32, (range.start + root.end) as u32);
        Some(Skipped { source: Arc::clone(source), at, root, end: range.end as u32, tag })
    }

    /// The last object read (its document's only one, between restart points `at` and
    /// `after`) taken out of `resources`, when the filter leaves it out.
    fn skip_read(
        &self,
        source: &Arc<Source>,
        resources: &mut Vec<Resource>,
        at: Resume,
        after: Resume,
    ) -> Option<Skipped<F::Tag>> {
        let tag = self.filter.skip(resources.last()?)?;
        let range = resources.pop()?.node().byte_range();
        let root = (range.start as u32, range.end as u32);
        Some(Skipped { source: Arc::clone(source), at, root, end: after.offset() as u32, tag })
    }

    pub(crate) fn source_strict(&self, source: Arc<Source>) -> Result<Loaded<F::Tag>, Error> {
        match self.source(source) {
            (loaded, None) => Ok(loaded),
            (_, Some(error)) => Err(error.into()),
        }
    }

    /// Objects of raw bytes (checked for size, UTF-8 and binary content).
    pub(crate) fn bytes(&self, bytes: Vec<u8>, name: &str) -> Result<Loaded<F::Tag>, Error> {
        if bytes.len() > self.options.limits.max_input_bytes {
            return Err(too_large(name, self.options));
        }
        self.source_strict(Arc::new(Source::from_bytes(name, bytes)?))
    }

    /// Objects of everything readable from `reader`, named `name`.
    pub(crate) fn reader(&self, mut reader: impl Read, name: &str) -> Result<Loaded<F::Tag>, Error> {
        let mut bytes = Vec::new();
        let limit = self.options.limits.max_input_bytes as u64 + 1;
        reader
            .by_ref()
            .take(limit)
            .read_to_end(&mut bytes)
            .map_err(|e| Error::Io { path: name.to_string(), message: e.to_string() })?;
        self.bytes(bytes, name)
    }

    /// Objects of a file, or of every manifest file below a directory (in parallel).
    pub(crate) fn path(&self, path: &Path) -> Result<Loaded<F::Tag>, Error> {
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, &e))?;
        let files = if meta.is_dir() { manifest_files_below(path)? } else { vec![path.to_path_buf()] };
        let parsed: Vec<Result<Loaded<F::Tag>, Error>> = files
            .par_iter()
            .map(|file| {
                let name = file.display().to_string();
                let size = std::fs::metadata(file).map_err(|e| Error::io(file, &e))?.len();
                if size > self.options.limits.max_input_bytes as u64 {
                    return Err(too_large(&name, self.options));
                }
                let bytes = std::fs::read(file).map_err(|e| Error::io(file, &e))?;
                self.bytes(bytes, &name)
            })
            .collect();
        Loaded::concat(parsed)
    }

    /// Objects of a file or directory in a git tree at `rev`.
    pub(crate) fn git(&self, repo: &Repo, rev: &str, path: &str) -> Result<Loaded<F::Tag>, Error> {
        let files = repo.read_files(rev, path)?;
        if files.is_empty() {
            return Err(Error::NotFound { path: format!("git:{rev}:{path}") });
        }
        let single_file = files.len() == 1 && files[0].path == path;
        let parsed: Vec<Result<Loaded<F::Tag>, Error>> = files
            .into_par_iter()
            .filter(|f| single_file || has_manifest_extension(Path::new(&f.path)))
            .map(|f| self.bytes(f.data, &format!("git:{rev}:{}", f.path)))
            .collect();
        Loaded::concat(parsed)
    }

    /// Objects of several sources, in the order given; `repo` serves `git:` sources.
    pub(crate) fn specs(&self, specs: &[SourceSpec], repo: Option<&Repo>) -> Result<Loaded<F::Tag>, Error> {
        let mut all = Loaded::default();
        for spec in specs {
            all.extend(match spec {
                SourceSpec::Path(p) => self.path(p)?,
                SourceSpec::Stdin => self.reader(std::io::stdin().lock(), "<stdin>")?,
                SourceSpec::Git { rev, path } => {
                    let repo = repo.ok_or_else(|| Error::InvalidSource {
                        source_name: format!("git:{rev}:{path}"),
                        message: "no git repository to read from".into(),
                    })?;
                    self.git(repo, rev, path)?
                }
            });
        }
        Ok(all)
    }
}
