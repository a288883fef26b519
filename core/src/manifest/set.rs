//! [`ManifestSet`]: every Kubernetes object of some inputs (strings, files, directories,
//! standard input, git trees), in input order, with the problems found along the way.

use super::error::Error;
use super::load::{KeepAll, Loader};
use super::resource::{Problem, Resource, ResourceSummary};
use crate::git::Repo;
use crate::yaml::{ParseOptions, Source};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// File name endings read from directories and git trees.
const MANIFEST_EXTENSIONS: [&str; 3] = ["yaml", "yml", "json"];

/// Where manifests come from, as written on a command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SourceSpec {
    /// A file or a directory (read recursively).
    Path(PathBuf),
    /// Standard input, written `-`.
    Stdin,
    /// A path (file or directory) in a git tree, written `git:REF:PATH`.
    Git {
        /// Branch, tag, or commit.
        rev: String,
        /// Path in the tree; empty for the whole tree.
        path: String,
    },
}

impl SourceSpec {
    /// Reads a command-line source: `-`, `git:REF:PATH` (or `git:REF` for the whole tree), or a path.
    ///
    /// ```
    /// use gitops_kit::manifest::SourceSpec;
    /// assert_eq!(SourceSpec::parse("-").unwrap(), SourceSpec::Stdin);
    /// assert_eq!(
    ///     SourceSpec::parse("git:origin/stg:deploy/web").unwrap(),
    ///     SourceSpec::Git { rev: "origin/stg".into(), path: "deploy/web".into() }
    /// );
    /// ```
    ///
    /// # Errors
    /// `manifest.invalid-source` for an empty argument or `git:` without a ref.
    pub fn parse(arg: &str) -> Result<SourceSpec, Error> {
        let invalid = |message: &str| Error::InvalidSource {
            source_name: arg.to_string(),
            message: message.to_string(),
        };
        if arg.is_empty() {
            return Err(invalid("empty source"));
        }
        if arg == "-" {
            return Ok(SourceSpec::Stdin);
        }
        if let Some(rest) = arg.strip_prefix("git:") {
            let (rev, path) = rest.split_once(':').unwrap_or((rest, ""));
            if rev.is_empty() {
                return Err(invalid("expected git:REF:PATH"));
            }
            return Ok(SourceSpec::Git { rev: rev.to_string(), path: path.trim_matches('/').to_string() });
        }
        Ok(SourceSpec::Path(PathBuf::from(arg)))
    }

    /// Reads several command-line sources (see [`SourceSpec::parse`]).
    ///
    /// ```
    /// use gitops_kit::manifest::SourceSpec;
    /// let specs = SourceSpec::parse_all(&["-", "deploy/"]).unwrap();
    /// assert_eq!(specs[0], SourceSpec::Stdin);
    /// assert!(SourceSpec::parse_all(&["ok.yaml", ""]).is_err());
    /// ```
    ///
    /// # Errors
    /// The first malformed source (`manifest.invalid-source`).
    pub fn parse_all<S: AsRef<str>>(args: &[S]) -> Result<Vec<SourceSpec>, Error> {
        args.iter().map(|s| SourceSpec::parse(s.as_ref())).collect()
    }
}

/// Where `git:` sources are read from. The repository is opened only when a source needs it,
/// so commands without `git:` sources work outside any repository.
#[derive(Clone)]
pub enum RepoChoice {
    /// The repository containing the current directory.
    Discover,
    /// The repository at exactly this path.
    Open(PathBuf),
    /// An already open repository.
    Given(Repo),
}

impl RepoChoice {
    /// `Open(dir)` when a directory is given, else `Discover` (the CLI's `--repo DIR`).
    #[must_use]
    pub fn from_dir(dir: Option<&Path>) -> RepoChoice {
        dir.map_or(RepoChoice::Discover, |d| RepoChoice::Open(d.to_path_buf()))
    }

    /// The repository for `sources`: `None` when none of them is a `git:` source.
    ///
    /// ```
    /// use gitops_kit::manifest::{RepoChoice, SourceSpec};
    /// let sources = [SourceSpec::parse("deploy/").unwrap()];
    /// assert!(RepoChoice::Open("/no/such/repo".into()).for_sources(&sources).unwrap().is_none());
    /// ```
    ///
    /// # Errors
    /// `git.open` when a `git:` source needs a repository that cannot be opened.
    pub fn for_sources(self, sources: &[SourceSpec]) -> Result<Option<Repo>, crate::git::Error> {
        if !sources.iter().any(|s| matches!(s, SourceSpec::Git { .. })) {
            return Ok(None);
        }
        Ok(Some(match self {
            RepoChoice::Discover => Repo::discover(".")?,
            RepoChoice::Open(dir) => Repo::open(dir)?,
            RepoChoice::Given(repo) => repo,
        }))
    }
}

/// The Kubernetes objects of a set of inputs.
///
/// ```
/// use gitops_kit::manifest::ManifestSet;
/// let text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: a}\n---\nfoo: bar\n";
/// let set = ManifestSet::from_str(text, "l.yaml").unwrap();
/// assert_eq!(set.resources().len(), 1);
/// assert_eq!(set.resources()[0].location().line, 4);
/// assert_eq!(set.problems()[0].code, "manifest.not-an-object");
/// ```
#[derive(Debug, Clone, Default)]
pub struct ManifestSet {
    pub(super) resources: Vec<Resource>,
    pub(super) problems: Vec<Problem>,
    pub(super) files: Vec<String>,
}

impl ManifestSet {
    /// An empty set.
    #[must_use]
    pub fn new() -> ManifestSet {
        ManifestSet::default()
    }

    /// Objects of one YAML or JSON text named `name`.
    ///
    /// # Errors
    /// The first YAML error, located.
    #[allow(clippy::should_implement_trait)]
    pub fn from_str(text: &str, name: &str) -> Result<ManifestSet, Error> {
        ManifestSet::from_str_with(text, name, &ParseOptions::default())
    }

    /// [`ManifestSet::from_str`] with parse options.
    ///
    /// # Errors
    /// The first YAML error, located.
    pub fn from_str_with(text: &str, name: &str, options: &ParseOptions) -> Result<ManifestSet, Error> {
        ManifestSet::from_source(Arc::new(Source::new(name, text.to_string())), options)
    }

    /// Objects of raw bytes (checked for UTF-8 and binary content).
    ///
    /// # Errors
    /// `yaml.encoding`, `yaml.binary`, or the first YAML error.
    pub fn from_bytes(bytes: Vec<u8>, name: &str, options: &ParseOptions) -> Result<ManifestSet, Error> {
        Ok(keep_all(options).bytes(bytes, name)?.set)
    }

    /// Objects of an already read [`Source`]; the caller keeps its handle (for excerpts of
    /// errors, say) without copying the text.
    ///
    /// # Errors
    /// The first YAML error, located.
    pub fn from_source(source: Arc<Source>, options: &ParseOptions) -> Result<ManifestSet, Error> {
        match ManifestSet::from_source_partial(source, options) {
            (set, None) => Ok(set),
            (_, Some(error)) => Err(error.into()),
        }
    }

    /// The objects of the documents of `source` up to its first YAML error, and that error:
    /// validators use it to check what parsed and report the rest.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use gitops_kit::{manifest::ManifestSet, yaml::Source};
    /// let text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nkind: [\n";
    /// let (set, error) = ManifestSet::from_source_partial(Arc::new(Source::new("x.yaml", text.into())), &Default::default());
    /// assert_eq!(set.len(), 1);
    /// assert_eq!(error.unwrap().location().line, 5);
    /// ```
    #[must_use]
    pub fn from_source_partial(
        source: Arc<Source>,
        options: &ParseOptions,
    ) -> (ManifestSet, Option<crate::yaml::Error>) {
        let (loaded, error) = keep_all(options).source(source);
        (loaded.set, error)
    }

    /// Objects of everything readable from `reader` (standard input), named `name`.
    ///
    /// # Errors
    /// `manifest.io` when reading fails, or the first YAML error.
    pub fn from_reader(reader: impl Read, name: &str, options: &ParseOptions) -> Result<ManifestSet, Error> {
        Ok(keep_all(options).reader(reader, name)?.set)
    }

    /// Objects of a file, or of every `.yaml`/`.yml`/`.json` file below a directory (sorted by
    /// path, hidden directories skipped, files parsed in parallel).
    ///
    /// # Errors
    /// `manifest.not-found`, `manifest.io`, or the first YAML error in path order.
    pub fn from_path(path: impl AsRef<Path>, options: &ParseOptions) -> Result<ManifestSet, Error> {
        Ok(keep_all(options).path(path.as_ref())?.set)
    }

    /// Objects of a file or directory in a git tree at `rev`, read without a checkout. Inputs
    /// are named `git:REV:PATH`.
    ///
    /// # Errors
    /// Git errors (`git.ref-not-found`, `git.path-not-found` for a path absent at `rev`, …), or
    /// the first YAML error.
    pub fn from_git(
        repo: &Repo,
        rev: &str,
        path: &str,
        options: &ParseOptions,
    ) -> Result<ManifestSet, Error> {
        Ok(keep_all(options).git(repo, rev, path)?.set)
    }

    /// Objects of several sources, in the order given. `repo` serves `git:` sources.
    ///
    /// # Errors
    /// The first error of any source; `manifest.invalid-source` for a git source without a repo.
    pub fn load(
        sources: &[SourceSpec],
        repo: Option<&Repo>,
        options: &ParseOptions,
    ) -> Result<ManifestSet, Error> {
        Ok(keep_all(options).specs(sources, repo)?.set)
    }

    /// Objects of command-line style sources (`-`, `git:REF:PATH`, paths). The repository for
    /// `git:` sources is opened only when one is given: `repo_dir` exactly, or else the
    /// repository containing the current directory.
    ///
    /// ```
    /// use gitops_kit::manifest::ManifestSet;
    /// let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/shop");
    /// let set = ManifestSet::load_args(&[examples], None, &Default::default()).unwrap();
    /// assert_eq!(set.len(), 6);
    /// ```
    ///
    /// # Errors
    /// `manifest.invalid-source` for a malformed source, git errors, or the first load error.
    pub fn load_args<S: AsRef<str>>(
        sources: &[S],
        repo_dir: Option<&Path>,
        options: &ParseOptions,
    ) -> Result<ManifestSet, Error> {
        let specs = SourceSpec::parse_all(sources)?;
        let repo = RepoChoice::from_dir(repo_dir).for_sources(&specs)?;
        ManifestSet::load(&specs, repo.as_ref(), options)
    }

    /// A set of already-read objects (validation hands its validated objects to the diff).
    pub(crate) fn from_resources(resources: Vec<Resource>) -> ManifestSet {
        let mut files: Vec<String> = Vec::new();
        for r in &resources {
            if files.last().map(String::as_str) != Some(r.file()) {
                files.push(r.file().to_string());
            }
        }
        ManifestSet { resources, problems: Vec::new(), files }
    }

    /// Appends the objects, problems and files of `other`.
    pub fn extend(&mut self, other: ManifestSet) {
        self.resources.extend(other.resources);
        self.problems.extend(other.problems);
        self.files.extend(other.files);
    }

    /// The objects, in input order.
    #[must_use]
    pub fn resources(&self) -> &[Resource] {
        &self.resources
    }

    /// Documents that are not Kubernetes objects, and parse warnings.
    #[must_use]
    pub fn problems(&self) -> &[Problem] {
        &self.problems
    }

    /// The inputs read, in order.
    #[must_use]
    pub fn files(&self) -> &[String] {
        &self.files
    }

    /// Number of objects.
    #[must_use]
    pub fn len(&self) -> usize {
        self.resources.len()
    }

    /// Whether there are no objects.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty()
    }

    /// Summaries of every object (the `gitops-kit/manifests/v1` view).
    #[must_use]
    pub fn summaries(&self) -> Vec<ResourceSummary> {
        self.resources.iter().map(Resource::summary).collect()
    }

    /// The `gitops-kit/manifests/v1` JSON report: resources, problems and file count.
    #[must_use]
    pub fn report(&self) -> serde_json::Value {
        serde_json::json!({
            "schema": "gitops-kit/manifests/v1",
            "files": self.files.len(),
            "resources": self.summaries(),
            "problems": self.problems,
        })
    }
}

/// The loader that keeps every object.
fn keep_all(options: &ParseOptions) -> Loader<'_, KeepAll> {
    Loader { options, filter: &KeepAll }
}

pub(super) fn too_large(name: &str, options: &ParseOptions) -> Error {
    let kind =
        crate::yaml::ErrorKind::Limit { limit: "max_input_bytes", value: options.limits.max_input_bytes };
    Error::Yaml(crate::yaml::Error::new(
        kind,
        crate::error::Location { file: name.to_string(), line: 1, column: 1 },
        String::new(),
    ))
}

/// Whether a path names a manifest file by its ending (`.yaml`, `.yml`, `.json`).
#[must_use]
pub fn has_manifest_extension(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| MANIFEST_EXTENSIONS.contains(&e))
}

/// The manifest files (`.yaml`, `.yml`, `.json`) below `root`, sorted, skipping hidden
/// directories and not following directory symlinks (no cycles). Walks with an explicit stack.
///
/// # Errors
/// `manifest.not-found` or `manifest.io` when a directory cannot be read.
pub fn manifest_files_below(root: &Path) -> Result<Vec<PathBuf>, Error> {
    let mut files = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, &e))? {
            let entry = entry.map_err(|e| Error::io(&dir, &e))?;
            let path = entry.path();
            let file_type = entry.file_type().map_err(|e| Error::io(&path, &e))?;
            let hidden = entry.file_name().to_string_lossy().starts_with('.');
            if file_type.is_dir() {
                if !hidden {
                    dirs.push(path);
                }
            } else if has_manifest_extension(&path) && std::fs::metadata(&path).is_ok_and(|m| m.is_file()) {
                files.push(path);
            }
        }
    }
    files.sort();
    Ok(files)
}
