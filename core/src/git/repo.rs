//! Opening repositories, the thread-safe [`Repo`] handle, and resolving revisions to commits.

use std::fmt;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use super::Error;
use super::error::render;

/// Configuration applied to every handle, so that per-thread handles get the same caches
/// (caches set by method calls are not inherited by `to_thread_local()`).
const CONFIG_OVERRIDES: [&str; 1] = ["gitoxide.objects.cacheLimit=16m"];

/// How many idle per-thread handles (with warm caches) a [`Repo`] keeps for reuse.
const POOL_MAX: usize = 4;

/// Longest revision string accepted.
const MAX_REV_LEN: usize = 1024;

/// A git repository opened for reading trees, walking history and writing commits without a
/// checkout. Bare and non-bare repositories work the same; the work tree is never touched.
///
/// `Repo` is cheap to clone (an `Arc`), `Send` and `Sync`: share one per repository across
/// threads. Each call borrows a thread-local `gix` handle from a small pool, so caches stay warm
/// between calls. Refs and objects changed by other processes are seen by the next call.
///
/// All revisions accept what `git rev-parse` accepts (`stg`, `origin/prd`, `v1.2`, `HEAD`,
/// `dev~3`, a full or short commit id) and are always peeled to a commit.
///
/// # Example
///
/// ```
/// use gitops_kit::git::{CommitRequest, FileChange, Repo, Signature};
///
/// // A bare repository whose branch `stg` holds one empty commit.
/// let dir = tempfile::tempdir()?;
/// let git = gix::init_bare(dir.path())?;
/// let empty_tree = git.write_object(gix::objs::Tree::empty())?.detach();
/// let sig = gix::actor::SignatureRef {
///     name: "Bot".into(),
///     email: "bot@example.com".into(),
///     time: "1700000000 +0000",
/// };
/// let root = git.new_commit_as(sig, sig, "init\n", empty_tree, None::<gix::ObjectId>)?.id;
/// let must_not_exist = gix::refs::transaction::PreviousValue::MustNotExist;
/// git.reference("refs/heads/stg", root, must_not_exist, "init")?;
///
/// let repo = Repo::open(dir.path())?;
/// let base = repo.resolve("stg")?;
/// let bot = Signature {
///     name: "Bot".into(),
///     email: "bot@example.com".into(),
///     time: 1_700_000_100,
///     offset_minutes: 60,
/// };
/// let id = repo.commit(&CommitRequest {
///     branch: "stg".into(),
///     changes: vec![FileChange::Write {
///         path: "apps/web/deploy.yaml".into(),
///         data: b"kind: Deployment\n".to_vec(),
///     }],
///     message: "web: add deployment".into(),
///     author: bot,
///     committer: None,
///     expected_tip: Some(base),
/// })?;
///
/// assert_eq!(repo.resolve("stg")?, id);
/// assert_eq!(repo.list_files("stg", "apps")?, ["apps/web/deploy.yaml"]);
/// assert_eq!(repo.read_file("stg", "apps/web/deploy.yaml")?, b"kind: Deployment\n");
/// assert_eq!(repo.log(None, "stg", false)?[0].subject, "web: add deployment");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Repo {
    inner: Arc<Inner>,
}

struct Inner {
    shared: gix::ThreadSafeRepository,
    path: PathBuf,
    partial_clone: bool,
    pool: Mutex<Vec<gix::Repository>>,
}

impl fmt::Debug for Repo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Repo").field("path", &self.inner.path).finish_non_exhaustive()
    }
}

fn open_options() -> gix::open::Options {
    // `isolated`: ignore system/global config and GIT_* variables, so results do not depend on
    // the environment (the repository's own config is still read).
    gix::open::Options::isolated().config_overrides(CONFIG_OVERRIDES)
}

fn open_error(path: &Path, err: &gix::Error) -> Error {
    if err.is_unsupported() {
        Error::unsupported(format!(
            "repository at '{}' cannot be opened by this build: {}",
            path.display(),
            render(err)
        ))
    } else {
        Error::Open { path: path.display().to_string(), message: render(err) }
    }
}

impl Repo {
    /// Open the repository at exactly `path`: a work tree root, its `.git` directory, or a bare
    /// repository. Parent directories are not searched (see [`Repo::discover`]).
    ///
    /// # Errors
    ///
    /// `git.open` if `path` is not a repository; `git.unsupported` for reftable reference
    /// storage or an object format this build lacks (SHA-256).
    pub fn open(path: impl AsRef<Path>) -> Result<Repo, Error> {
        let path = path.as_ref();
        let shared =
            gix::ThreadSafeRepository::open_opts(path, open_options()).map_err(|e| open_error(path, &e))?;
        Repo::from_shared(path, shared)
    }

    /// Open the repository containing `path`, searching `path` and then its parents like git.
    ///
    /// # Errors
    ///
    /// As [`Repo::open`]; `git.open` also when no parent is a repository.
    pub fn discover(path: impl AsRef<Path>) -> Result<Repo, Error> {
        let path = path.as_ref();
        let shared = gix::ThreadSafeRepository::discover_opts(
            path,
            gix::discover::upwards::Options::default(),
            gix::sec::trust::Mapping { full: open_options(), reduced: open_options() },
        )
        .map_err(|e| open_error(path, &e))?;
        Repo::from_shared(path, shared)
    }

    fn from_shared(given: &Path, shared: gix::ThreadSafeRepository) -> Result<Repo, Error> {
        let local = shared.to_thread_local();
        let partial_clone = {
            let config = local.config_snapshot();
            if let Some(storage) = config.string("extensions.refStorage")
                && !storage.eq_ignore_ascii_case(b"files")
            {
                return Err(Error::unsupported(format!(
                    "repository at '{}' stores references as '{storage}' (extensions.refStorage); \
                     only the 'files' backend is supported: convert it with \
                     `git refs migrate --ref-format=files`",
                    given.display()
                )));
            }
            // Older git marks partial clones with `extensions.partialClone`, newer git with
            // `remote.<name>.promisor = true`.
            config.string("extensions.partialClone").is_some()
                || local
                    .remote_names()
                    .iter()
                    .any(|name| config.boolean(format!("remote.{name}.promisor").as_str()).unwrap_or(false))
        };
        let path = shared.work_dir().unwrap_or_else(|| shared.git_dir()).to_path_buf();
        Ok(Repo { inner: Arc::new(Inner { shared, path, partial_clone, pool: Mutex::new(vec![local]) }) })
    }

    /// The repository's directory: the work tree root, or the git directory of a bare repository.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Resolve `rev` to the full hex id of a commit, peeling annotated tags.
    ///
    /// A short hex id counts only commits, so a blob sharing the prefix does not make it
    /// ambiguous (like `git rev-parse <rev>^{commit}`).
    ///
    /// # Errors
    ///
    /// `git.ref-not-found` if nothing has that name, `git.ambiguous-prefix` if a short id
    /// matches several commits, `git.invalid-argument` if `rev` is malformed or names a tree or
    /// blob, `git.object-not-found` if a full id is not in the repository.
    pub fn resolve(&self, rev: &str) -> Result<String, Error> {
        let repo = self.handle();
        Ok(peel_commit(&repo, rev)?.id.to_string())
    }

    /// Borrow a thread-local handle from the pool (or make one).
    pub(crate) fn handle(&self) -> Handle<'_> {
        let pooled = self.inner.pool.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop();
        Handle {
            repo: Some(pooled.unwrap_or_else(|| self.inner.shared.to_thread_local())),
            pool: &self.inner.pool,
        }
    }

    /// Whether the repository is a partial clone (blobs may be missing locally).
    pub(crate) fn is_partial_clone(&self) -> bool {
        self.inner.partial_clone
    }

    /// The error for a missing object, explaining partial clones.
    pub(crate) fn missing_object(&self, what: String) -> Error {
        if self.is_partial_clone() {
            Error::unsupported(format!(
                "{what} is missing: the repository is a partial clone and objects are not \
                 fetched on demand; use a full clone"
            ))
        } else {
            Error::ObjectNotFound { what }
        }
    }
}

/// A pooled thread-local `gix::Repository`, returned to the pool on drop.
pub(crate) struct Handle<'a> {
    repo: Option<gix::Repository>,
    pool: &'a Mutex<Vec<gix::Repository>>,
}

impl Deref for Handle<'_> {
    type Target = gix::Repository;

    fn deref(&self) -> &gix::Repository {
        // Always `Some` until `drop`.
        self.repo.as_ref().unwrap_or_else(|| unreachable!())
    }
}

impl Drop for Handle<'_> {
    fn drop(&mut self) {
        if let Some(repo) = self.repo.take() {
            let mut pool = self.pool.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            if pool.len() < POOL_MAX {
                pool.push(repo);
            }
        }
    }
}

pub(crate) fn check_rev(rev: &str) -> Result<(), Error> {
    if rev.is_empty() {
        return Err(Error::invalid("revision is empty"));
    }
    if rev.len() > MAX_REV_LEN {
        return Err(Error::invalid(format!("revision is longer than {MAX_REV_LEN} bytes")));
    }
    if rev.contains(['\0', '\n', '\r']) {
        return Err(Error::invalid(format!(
            "revision '{}' contains a control character",
            rev.escape_debug()
        )));
    }
    Ok(())
}

pub(crate) fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Resolve `rev` to a commit (see [`Repo::resolve`]).
pub(crate) fn peel_commit<'r>(repo: &'r gix::Repository, rev: &str) -> Result<gix::Commit<'r>, Error> {
    check_rev(rev)?;
    let id = match repo.rev_parse_single(rev) {
        Ok(id) => id.detach(),
        Err(err) => {
            let hex_len = repo.object_hash().len_in_hex();
            if is_hex(rev) && rev.len() >= 4 && rev.len() < hex_len {
                // Not a ref name; maybe a short id shared by a commit and other objects.
                match super::log::commit_by_prefix(repo, rev) {
                    Ok(id) => id,
                    Err(Error::ObjectNotFound { .. }) => {
                        return Err(Error::RefNotFound {
                            rev: rev.to_owned(),
                            message: "no branch, tag or remote branch of that name, \
                                      and no commit id starts with it"
                                .into(),
                        });
                    }
                    Err(other) => return Err(other),
                }
            } else {
                return Err(rev_parse_error(rev, hex_len, &err));
            }
        }
    };
    let object = repo.find_object(id).map_err(|e| {
        if e.is_not_found() {
            Error::ObjectNotFound { what: format!("object {id} (named by revision '{rev}')") }
        } else {
            Error::from_gix(format!("reading object {id} of revision '{rev}'"), &e)
        }
    })?;
    let object =
        object.peel_tags_to_end().map_err(|e| Error::from_gix(format!("peeling tag '{rev}'"), &e))?;
    if object.kind != gix::objs::Kind::Commit {
        return Err(Error::invalid(format!("revision '{rev}' names a {}, not a commit", object.kind)));
    }
    Ok(object.into_commit())
}

fn rev_parse_error(rev: &str, hex_len: usize, err: &gix::Error) -> Error {
    if err.is_not_found() {
        if rev.len() == hex_len && is_hex(rev) {
            return Error::ObjectNotFound {
                what: format!("commit {} (not in the repository)", rev.to_ascii_lowercase()),
            };
        }
        return Error::RefNotFound {
            rev: rev.to_owned(),
            message: "no branch, tag, remote branch or commit id of that name".into(),
        };
    }
    if err.is_validation() {
        // Navigation past the available history (`dev~50`, `dev^2` on a non-merge,
        // `@{-3}`): the revision does not exist rather than being malformed.
        let cause = err.probable_cause().to_string();
        if cause.contains("out of range") {
            return Error::RefNotFound { rev: rev.to_owned(), message: cause };
        }
        return Error::invalid(format!("cannot resolve revision '{rev}': {}", render(err)));
    }
    Error::from_gix(format!("resolving revision '{rev}'"), err)
}
