//! The `Repo` class: git without a checkout (reads at any revision, logs, tags, commits).
//!
//! Each read has a synchronous method and an `…Async` twin that runs on the libuv thread pool;
//! both run the same job (a closure over a clone of the thread-safe core handle).

use crate::convert::{IntoJs, Json};
use crate::errors::Outcome;
use crate::options::parse_options;
use crate::task::{Work, call, run};
use gitops_kit::git;
use gitops_kit::manifest::ManifestSet;
use napi::Env;
use napi::bindgen_prelude::{AsyncTask, Buffer, Either, ToNapiValue, Unknown};
use napi_derive::napi;

/// A file read from a tree.
#[napi(object)]
pub struct TreeFile {
    /// Repository-relative path with `/` separators.
    pub path: String,
    /// The content (for a symbolic link: its target).
    pub data: Buffer,
}

/// A file that differs between two trees (keys as in the CLI's JSON).
#[napi(object)]
pub struct ChangedPath {
    /// Repository-relative path.
    pub path: String,
    /// What happened to it.
    #[napi(ts_type = "'added' | 'modified' | 'deleted'")]
    pub change: String,
}

/// One commit of `Repo.log` (keys as in the CLI's JSON).
#[napi(object)]
pub struct CommitInfo {
    /// Full hex id.
    pub id: String,
    /// Author name.
    #[napi(js_name = "author_name")]
    pub author_name: String,
    /// Author email.
    #[napi(js_name = "author_email")]
    pub author_email: String,
    /// Author time, seconds since the Unix epoch.
    pub time: i64,
    /// First paragraph of the message, lines joined by spaces.
    pub subject: String,
    /// Full hex ids of all parents, in order.
    pub parents: Vec<String>,
}

/// Options of `Repo.log`.
#[napi(object)]
pub struct LogOptions {
    /// Leave out commits reachable from this revision (`git log exclude..to`).
    pub exclude: Option<String>,
    /// Follow only the first parent of merges (`git log --first-parent`).
    pub first_parent: Option<bool>,
}

/// An identity and time stamp of a commit's author or committer. The time is always given by
/// the caller; nothing reads the clock.
#[napi(object)]
pub struct Signature {
    /// Name; non-empty, without `<`, `>` or newlines.
    pub name: String,
    /// Email, without angle brackets.
    pub email: String,
    /// Seconds since the Unix epoch (not negative).
    pub time: i64,
    /// Offset of the local time zone from UTC in minutes, e.g. `120` for `+0200`.
    pub offset_minutes: i32,
}

/// One file change of a commit: `data` writes the file (creating directories); no `data`
/// deletes it.
#[napi(object)]
pub struct FileChange {
    /// Repository-relative path with `/` separators.
    pub path: String,
    /// New content (a string is written as UTF-8). Absent or `null`: delete the file.
    pub data: Option<Either<Buffer, String>>,
}

/// A commit to write on top of a branch, without a checkout.
#[napi(object)]
pub struct CommitRequest {
    /// Branch to commit to, `stg` or `refs/heads/stg`; it must exist.
    pub branch: String,
    /// Changes applied to the tree of the branch tip; each path at most once.
    pub changes: Vec<FileChange>,
    /// Commit message (a final newline is added if missing).
    pub message: String,
    /// Author identity and time.
    pub author: Signature,
    /// Committer identity and time; default: the author.
    pub committer: Option<Signature>,
    /// The tip the changes are based on (full id). If the branch has moved, nothing is written
    /// and `git.conflict` is thrown. Default: the tip read now (the update is still a
    /// compare-and-swap against it).
    pub expected_tip: Option<String>,
}

impl From<Signature> for git::Signature {
    fn from(s: Signature) -> git::Signature {
        git::Signature { name: s.name, email: s.email, time: s.time, offset_minutes: s.offset_minutes }
    }
}

impl From<CommitRequest> for git::CommitRequest {
    fn from(r: CommitRequest) -> git::CommitRequest {
        let changes = r
            .changes
            .into_iter()
            .map(|c| match c.data {
                None => git::FileChange::Delete { path: c.path },
                Some(Either::A(buffer)) => git::FileChange::Write { path: c.path, data: buffer.to_vec() },
                Some(Either::B(text)) => git::FileChange::Write { path: c.path, data: text.into_bytes() },
            })
            .collect();
        git::CommitRequest {
            branch: r.branch,
            changes,
            message: r.message,
            author: r.author.into(),
            committer: r.committer.map(Into::into),
            expected_tip: r.expected_tip,
        }
    }
}

fn tree_files(files: Vec<git::TreeFile>) -> Vec<TreeFile> {
    files.into_iter().map(|f| TreeFile { path: f.path, data: f.data.into() }).collect()
}

impl IntoJs for Vec<git::TreeFile> {
    fn into_js(self, env: &Env) -> napi::Result<Unknown<'_>> {
        tree_files(self).into_unknown(env)
    }
}

/// A git repository, read and written without a checkout and without the git CLI. Revisions
/// are branch, tag or remote-branch names, full or short commit ids, or `HEAD`.
///
/// Every method throws (every `…Async` method rejects with) a JS `Error` whose `code` is one
/// of `git.open`, `git.ref-not-found`, `git.object-not-found`, `git.path-not-found`,
/// `git.ambiguous-prefix`, `git.conflict`, `git.unsupported`, `git.invalid-argument`,
/// `git.other`.
#[napi]
pub struct Repo {
    inner: git::Repo,
}

/// The jobs behind each method, shared by the synchronous and asynchronous variants.
impl Repo {
    fn job<T>(
        &self,
        f: impl FnOnce(&git::Repo) -> Outcome<T> + Send + 'static,
    ) -> impl FnOnce() -> Outcome<T> + Send + 'static {
        let repo = self.inner.clone();
        move || f(&repo)
    }

    fn resolve_job(&self, rev: String) -> impl FnOnce() -> Outcome<String> + Send + 'static {
        self.job(move |r| Ok(r.resolve(&rev)?))
    }

    fn list_files_job(
        &self,
        rev: String,
        prefix: Option<String>,
    ) -> impl FnOnce() -> Outcome<Vec<String>> + Send + 'static {
        self.job(move |r| Ok(r.list_files(&rev, prefix.as_deref().unwrap_or(""))?))
    }

    fn read_file_job(&self, rev: String, path: String) -> impl FnOnce() -> Outcome<Vec<u8>> + Send + 'static {
        self.job(move |r| Ok(r.read_file(&rev, &path)?))
    }

    fn read_files_job(
        &self,
        rev: String,
        prefix: Option<String>,
    ) -> impl FnOnce() -> Outcome<Vec<git::TreeFile>> + Send + 'static {
        self.job(move |r| Ok(r.read_files(&rev, prefix.as_deref().unwrap_or(""))?))
    }

    fn changed_paths_job(&self, from: String, to: String) -> impl FnOnce() -> Outcome<Json> + Send + 'static {
        self.job(move |r| Json::of(&r.changed_paths(&from, &to)?))
    }

    fn log_job(
        &self,
        to: String,
        options: Option<LogOptions>,
    ) -> impl FnOnce() -> Outcome<Json> + Send + 'static {
        let (exclude, first_parent) =
            options.map_or((None, false), |o| (o.exclude, o.first_parent.unwrap_or(false)));
        self.job(move |r| {
            let log = r.log(exclude.as_deref(), &to, first_parent)?;
            Json::of(&log)
        })
    }

    fn tags_job(&self, rev: String) -> impl FnOnce() -> Outcome<Vec<String>> + Send + 'static {
        self.job(move |r| Ok(r.tags_pointing_at(&rev)?))
    }

    fn find_commit_job(&self, prefix: String) -> impl FnOnce() -> Outcome<String> + Send + 'static {
        self.job(move |r| Ok(r.find_commit_by_prefix(&prefix)?))
    }

    fn commit_job(&self, request: CommitRequest) -> impl FnOnce() -> Outcome<String> + Send + 'static {
        let request = git::CommitRequest::from(request);
        self.job(move |r| Ok(r.commit(&request)?))
    }

    fn load_manifests_job(
        &self,
        env: &Env,
        rev: String,
        path: Option<String>,
        options: Option<Unknown<'_>>,
    ) -> impl FnOnce() -> Outcome<Json> + Send + 'static {
        let options = parse_options(env, options);
        self.job(move |r| {
            let path = path.as_deref().unwrap_or("");
            let set = ManifestSet::from_git(r, &rev, path, &options?)?;
            Json::of(&set.summaries())
        })
    }
}

#[napi]
impl Repo {
    /// Opens the repository at exactly `path`: a work tree root, its `.git` directory, or a
    /// bare repository (parent directories are not searched).
    ///
    /// Throws `git.open` when `path` is not a repository; `git.unsupported` for reftable
    /// reference storage or SHA-256 repositories.
    #[napi(factory, catch_unwind)]
    pub fn open(env: &Env, path: String) -> napi::Result<Repo> {
        call(env, || Ok(Repo { inner: git::Repo::open(&path)? }))
    }

    /// Opens the repository containing `path` (default: the current directory), searching its
    /// parents like git does.
    ///
    /// Throws like `Repo.open`; `git.open` also when no parent is a repository.
    #[napi(factory, catch_unwind)]
    pub fn discover(env: &Env, path: Option<String>) -> napi::Result<Repo> {
        let path = path.unwrap_or_else(|| ".".to_string());
        call(env, || Ok(Repo { inner: git::Repo::discover(&path)? }))
    }

    /// The repository's directory: the work tree root, or the git directory of a bare
    /// repository.
    #[napi(getter, catch_unwind)]
    pub fn path(&self) -> String {
        self.inner.path().display().to_string()
    }

    /// The full commit id `rev` names (annotated tags are peeled).
    ///
    /// Throws `git.ref-not-found`, `git.ambiguous-prefix`, `git.invalid-argument` (a malformed
    /// name, or one naming a tree or blob) or `git.object-not-found`.
    #[napi(catch_unwind)]
    pub fn resolve(&self, env: &Env, rev: String) -> napi::Result<String> {
        call(env, self.resolve_job(rev))
    }

    /// `resolve` off the main thread.
    #[napi(catch_unwind, ts_return_type = "Promise<string>")]
    pub fn resolve_async(&self, rev: String) -> AsyncTask<Work<String>> {
        Work::spawn(self.resolve_job(rev))
    }

    /// Paths of all files at or under `prefix` (a directory or a file; default: the whole
    /// tree) at `rev`, recursively, sorted.
    ///
    /// Throws `git.path-not-found` when `prefix` does not exist at `rev`,
    /// `git.invalid-argument` for a malformed prefix, or the errors of `resolve`.
    #[napi(catch_unwind)]
    pub fn list_files(&self, env: &Env, rev: String, prefix: Option<String>) -> napi::Result<Vec<String>> {
        call(env, self.list_files_job(rev, prefix))
    }

    /// `listFiles` off the main thread.
    #[napi(catch_unwind, ts_return_type = "Promise<Array<string>>")]
    pub fn list_files_async(&self, rev: String, prefix: Option<String>) -> AsyncTask<Work<Vec<String>>> {
        Work::spawn(self.list_files_job(rev, prefix))
    }

    /// The content of the file at `path` at `rev`.
    ///
    /// Throws `git.path-not-found` when there is no such file, `git.invalid-argument` when
    /// `path` is malformed or names a directory or submodule, or the errors of `resolve`.
    #[napi(catch_unwind)]
    pub fn read_file(&self, env: &Env, rev: String, path: String) -> napi::Result<Buffer> {
        Ok(call(env, self.read_file_job(rev, path))?.into())
    }

    /// `readFile` off the main thread.
    #[napi(catch_unwind, ts_return_type = "Promise<Buffer>")]
    pub fn read_file_async(&self, rev: String, path: String) -> AsyncTask<Work<Vec<u8>>> {
        Work::spawn(self.read_file_job(rev, path))
    }

    /// Every file at or under `prefix` (default: the whole tree) at `rev`, with its content,
    /// sorted by path.
    ///
    /// Throws like `listFiles`; `git.object-not-found` when a blob is missing.
    #[napi(catch_unwind)]
    pub fn read_files(&self, env: &Env, rev: String, prefix: Option<String>) -> napi::Result<Vec<TreeFile>> {
        Ok(tree_files(call(env, self.read_files_job(rev, prefix))?))
    }

    /// `readFiles` off the main thread.
    #[napi(catch_unwind, ts_return_type = "Promise<Array<TreeFile>>")]
    pub fn read_files_async(
        &self,
        rev: String,
        prefix: Option<String>,
    ) -> AsyncTask<Work<Vec<git::TreeFile>>> {
        Work::spawn(self.read_files_job(rev, prefix))
    }

    /// Files that differ between the trees of `from` and `to`, sorted by path, like
    /// `git diff --no-renames --name-status from to`.
    ///
    /// Throws the errors of `resolve` for either revision.
    #[napi(catch_unwind, ts_return_type = "Array<ChangedPath>")]
    pub fn changed_paths<'env>(
        &self,
        env: &'env Env,
        from: String,
        to: String,
    ) -> napi::Result<Unknown<'env>> {
        run(env, self.changed_paths_job(from, to))
    }

    /// `changedPaths` off the main thread.
    #[napi(catch_unwind, ts_return_type = "Promise<Array<ChangedPath>>")]
    pub fn changed_paths_async(&self, from: String, to: String) -> AsyncTask<Work<Json>> {
        Work::spawn(self.changed_paths_job(from, to))
    }

    /// Commits reachable from `to`, newest first, like `git log [--first-parent] [exclude..]to`.
    ///
    /// Throws the errors of `resolve`; `git.unsupported` for a range in a shallow clone.
    #[napi(catch_unwind, ts_return_type = "Array<CommitInfo>")]
    pub fn log<'env>(
        &self,
        env: &'env Env,
        to: String,
        options: Option<LogOptions>,
    ) -> napi::Result<Unknown<'env>> {
        run(env, self.log_job(to, options))
    }

    /// `log` off the main thread.
    #[napi(catch_unwind, ts_return_type = "Promise<Array<CommitInfo>>")]
    pub fn log_async(&self, to: String, options: Option<LogOptions>) -> AsyncTask<Work<Json>> {
        Work::spawn(self.log_job(to, options))
    }

    /// Short names of the tags (lightweight and annotated) pointing at the commit `rev` names,
    /// sorted, like `git tag --points-at`.
    ///
    /// Throws the errors of `resolve`.
    #[napi(catch_unwind)]
    pub fn tags_pointing_at(&self, env: &Env, rev: String) -> napi::Result<Vec<String>> {
        call(env, self.tags_job(rev))
    }

    /// `tagsPointingAt` off the main thread.
    #[napi(catch_unwind, ts_return_type = "Promise<Array<string>>")]
    pub fn tags_pointing_at_async(&self, rev: String) -> AsyncTask<Work<Vec<String>>> {
        Work::spawn(self.tags_job(rev))
    }

    /// The full id of the one commit whose id starts with `prefix` (4 to 40 hex digits).
    ///
    /// Throws `git.invalid-argument` for a malformed prefix, `git.object-not-found` when no
    /// commit matches, `git.ambiguous-prefix` when several do.
    #[napi(catch_unwind)]
    pub fn find_commit_by_prefix(&self, env: &Env, prefix: String) -> napi::Result<String> {
        call(env, self.find_commit_job(prefix))
    }

    /// `findCommitByPrefix` off the main thread.
    #[napi(catch_unwind, ts_return_type = "Promise<string>")]
    pub fn find_commit_by_prefix_async(&self, prefix: String) -> AsyncTask<Work<String>> {
        Work::spawn(self.find_commit_job(prefix))
    }

    /// Writes a commit on top of `request.branch` with `request.changes` applied, and moves the
    /// branch to it with a compare-and-swap. Returns the new commit id. No work tree, index or
    /// hooks are involved.
    ///
    /// Throws `git.conflict` when the branch tip is not `expectedTip` (or moved meanwhile; the
    /// branch is then untouched), `git.ref-not-found` when the branch does not exist,
    /// `git.path-not-found` when deleting a missing file, `git.invalid-argument` for bad paths,
    /// signatures, an empty message or no changes.
    #[napi(catch_unwind)]
    pub fn commit(&self, env: &Env, request: CommitRequest) -> napi::Result<String> {
        call(env, self.commit_job(request))
    }

    /// `commit` off the main thread.
    #[napi(catch_unwind, ts_return_type = "Promise<string>")]
    pub fn commit_async(&self, request: CommitRequest) -> AsyncTask<Work<String>> {
        Work::spawn(self.commit_job(request))
    }

    /// The Kubernetes objects of the file or directory `path` (default: the whole tree) at
    /// `rev`, read without a checkout; inputs are named `git:REV:PATH`.
    ///
    /// Throws the errors of `resolve`, `git.path-not-found` when `path` does not exist at
    /// `rev`, a located YAML error, or `invalid-argument` for bad options.
    #[napi(
        catch_unwind,
        ts_args_type = "rev: string, path?: string | undefined | null, options?: ParseOptions | undefined | null",
        ts_return_type = "Array<ResourceSummary>"
    )]
    pub fn load_manifests<'env>(
        &self,
        env: &'env Env,
        rev: String,
        path: Option<String>,
        options: Option<Unknown<'env>>,
    ) -> napi::Result<Unknown<'env>> {
        run(env, self.load_manifests_job(env, rev, path, options))
    }

    /// `loadManifests` off the main thread.
    #[napi(
        catch_unwind,
        ts_args_type = "rev: string, path?: string | undefined | null, options?: ParseOptions | undefined | null",
        ts_return_type = "Promise<Array<ResourceSummary>>"
    )]
    pub fn load_manifests_async(
        &self,
        env: &Env,
        rev: String,
        path: Option<String>,
        options: Option<Unknown<'_>>,
    ) -> AsyncTask<Work<Json>> {
        Work::spawn(self.load_manifests_job(env, rev, path, options))
    }
}
