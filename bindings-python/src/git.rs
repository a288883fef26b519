//! The `Repo` class: git reads and worktree-free commits without a checkout.

use crate::convert::{from_py, parse_options, result_to_py};
use crate::errors::OrRaise;
use gitops_kit::git::{CommitRequest, FileChange, Repo, Signature};
use gitops_kit::manifest::ManifestSet;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyMapping, PyString, PyTuple};
use std::path::PathBuf;

/// A git repository, read and written without a checkout and without the git CLI.
///
/// Repo(path) opens the repository at exactly `path` (a work tree root, its .git directory or a
/// bare repository); Repo.discover(path) also searches parent directories. A Repo may be shared
/// between threads; every method releases the GIL. Errors are GitError with codes such as
/// 'git.ref-not-found', 'git.path-not-found' or 'git.conflict'.
#[pyclass(frozen, name = "Repo", module = "gitops_kit")]
pub struct PyRepo {
    pub inner: Repo,
}

fn signature_from_py(py: Python<'_>, role: &str, obj: &Bound<'_, PyAny>) -> PyResult<Signature> {
    let json = from_py(obj)?;
    serde_json::from_value(json)
        .map_err(|e| {
            gitops_kit::Error::InvalidArgument(format!(
                "{role} must be a dict with name, email, time and offset_minutes: {e}"
            ))
        })
        .or_raise(py)
}

/// One change: `{"path": str, "data": bytes | str | None}` or `(path, data)`; None deletes.
fn change_from_py(index: usize, obj: &Bound<'_, PyAny>) -> PyResult<FileChange> {
    let shape_error = || {
        PyTypeError::new_err(format!(
            "changes[{index}] must be a dict {{'path': str, 'data': bytes | str | None}} or a (path, data) tuple"
        ))
    };
    let (path, data) = if let Ok(t) = obj.cast::<PyTuple>() {
        if t.len() != 2 {
            return Err(shape_error());
        }
        (t.get_item(0)?, t.get_item(1)?)
    } else if let Ok(m) = obj.cast::<PyMapping>() {
        if !m.contains("path")? || !m.contains("data")? {
            return Err(shape_error());
        }
        (m.get_item("path")?, m.get_item("data")?)
    } else {
        return Err(shape_error());
    };
    let path: String = path.extract()?;
    if data.is_none() {
        return Ok(FileChange::Delete { path });
    }
    let data = if let Ok(b) = data.cast::<PyBytes>() {
        b.as_bytes().to_vec()
    } else if let Ok(s) = data.cast::<PyString>() {
        s.to_cow()?.into_owned().into_bytes()
    } else {
        return Err(PyTypeError::new_err(format!("changes[{index}]['data'] must be bytes, str or None")));
    };
    Ok(FileChange::Write { path, data })
}

#[pymethods]
impl PyRepo {
    /// Opens the repository at exactly `path`.
    #[new]
    fn new(py: Python<'_>, path: PathBuf) -> PyResult<PyRepo> {
        let inner = py.detach(|| Repo::open(&path)).or_raise(py)?;
        Ok(PyRepo { inner })
    }

    /// Opens the repository containing `path`, searching `path` and then its parents like git.
    #[staticmethod]
    #[pyo3(signature = (path = PathBuf::from(".")))]
    #[pyo3(text_signature = "(path='.')")]
    fn discover(py: Python<'_>, path: PathBuf) -> PyResult<PyRepo> {
        let inner = py.detach(|| Repo::discover(&path)).or_raise(py)?;
        Ok(PyRepo { inner })
    }

    /// The work tree root, or the git directory of a bare repository.
    #[getter]
    fn path(&self) -> String {
        self.inner.path().display().to_string()
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let path = PyString::new(py, &self.inner.path().display().to_string());
        Ok(format!("Repo({})", path.repr()?))
    }

    /// The full hex id of the commit `rev` names (branch, tag, remote branch, id or prefix).
    fn resolve(&self, py: Python<'_>, rev: String) -> PyResult<String> {
        py.detach(|| self.inner.resolve(&rev)).or_raise(py)
    }

    /// Paths of the files at or under `prefix` (a directory, "" for the root, or a file) at
    /// `rev`, recursively, sorted.
    #[pyo3(signature = (rev, prefix = String::new()))]
    #[pyo3(text_signature = "($self, rev, prefix='')")]
    fn list_files(&self, py: Python<'_>, rev: String, prefix: String) -> PyResult<Vec<String>> {
        py.detach(|| self.inner.list_files(&rev, &prefix)).or_raise(py)
    }

    /// The content of the file at `path` at `rev`.
    fn read_file<'py>(&self, py: Python<'py>, rev: String, path: String) -> PyResult<Bound<'py, PyBytes>> {
        let data = py.detach(|| self.inner.read_file(&rev, &path)).or_raise(py)?;
        Ok(PyBytes::new(py, &data))
    }

    /// `(path, content)` of every file at or under `prefix` at `rev`, sorted by path.
    #[pyo3(signature = (rev, prefix = String::new()))]
    #[pyo3(text_signature = "($self, rev, prefix='')")]
    fn read_files<'py>(
        &self,
        py: Python<'py>,
        rev: String,
        prefix: String,
    ) -> PyResult<Vec<(String, Bound<'py, PyBytes>)>> {
        let files = py.detach(|| self.inner.read_files(&rev, &prefix)).or_raise(py)?;
        Ok(files.into_iter().map(|f| (f.path, PyBytes::new(py, &f.data))).collect())
    }

    /// Files that differ between the trees of two revisions: a list of dicts `{path, change}`
    /// with change 'added', 'modified' or 'deleted', sorted by path (renames are a deletion and
    /// an addition).
    fn changed_paths<'py>(
        &self,
        py: Python<'py>,
        from_rev: String,
        to_rev: String,
    ) -> PyResult<Bound<'py, PyAny>> {
        let changes = py.detach(|| self.inner.changed_paths(&from_rev, &to_rev)).or_raise(py)?;
        result_to_py(py, serde_json::to_value(&changes))
    }

    /// Commits reachable from `rev` but not from `exclude`, newest first (`git log
    /// exclude..rev`); `first_parent` follows only first parents. A list of dicts with id,
    /// author_name, author_email, time, subject and parents.
    #[pyo3(signature = (rev, *, exclude = None, first_parent = false))]
    fn log<'py>(
        &self,
        py: Python<'py>,
        rev: String,
        exclude: Option<String>,
        first_parent: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let commits = py.detach(|| self.inner.log(exclude.as_deref(), &rev, first_parent)).or_raise(py)?;
        result_to_py(py, serde_json::to_value(&commits))
    }

    /// Short names of the tags pointing at the commit `rev` names, sorted.
    fn tags_pointing_at(&self, py: Python<'_>, rev: String) -> PyResult<Vec<String>> {
        py.detach(|| self.inner.tags_pointing_at(&rev)).or_raise(py)
    }

    /// The full id of the one commit whose id starts with `prefix` (4 to 40 hex digits).
    fn find_commit_by_prefix(&self, py: Python<'_>, prefix: String) -> PyResult<String> {
        py.detach(|| self.inner.find_commit_by_prefix(&prefix)).or_raise(py)
    }

    /// Writes a commit on top of `branch` without a checkout and moves the branch to it with a
    /// compare-and-swap; returns the new commit id.
    ///
    /// `changes` is a sequence of `{"path": str, "data": bytes | str | None}` (or `(path, data)`
    /// tuples); None deletes the file. `author` and `committer` are dicts with name, email, time
    /// (seconds since the epoch) and offset_minutes; committer None means the author. If
    /// `expected_tip` is given and the branch no longer points there, nothing is written and
    /// GitError with code 'git.conflict' is raised.
    #[pyo3(signature = (branch, changes, message, author, *, committer = None, expected_tip = None))]
    #[allow(clippy::too_many_arguments)]
    fn commit(
        &self,
        py: Python<'_>,
        branch: String,
        changes: &Bound<'_, PyAny>,
        message: String,
        author: &Bound<'_, PyAny>,
        committer: Option<&Bound<'_, PyAny>>,
        expected_tip: Option<String>,
    ) -> PyResult<String> {
        if changes.is_instance_of::<PyString>() || changes.is_instance_of::<PyBytes>() {
            return Err(PyTypeError::new_err("changes must be a sequence of changes"));
        }
        let changes = changes
            .try_iter()?
            .enumerate()
            .map(|(i, c)| change_from_py(i, &c?))
            .collect::<PyResult<Vec<_>>>()?;
        let request = CommitRequest {
            branch,
            changes,
            message,
            author: signature_from_py(py, "author", author)?,
            committer: committer.map(|c| signature_from_py(py, "committer", c)).transpose()?,
            expected_tip,
        };
        py.detach(|| self.inner.commit(&request)).or_raise(py)
    }

    /// The resource summaries of the manifests at `path` ("" for the whole tree) at `rev`, read
    /// without a checkout; inputs are named `git:REV:PATH`.
    #[pyo3(signature = (rev, path = String::new(), options = None))]
    #[pyo3(text_signature = "($self, rev, path='', options=None)")]
    fn load_manifests<'py>(
        &self,
        py: Python<'py>,
        rev: String,
        path: String,
        options: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let options = parse_options(py, options)?;
        let summaries = py
            .detach(|| ManifestSet::from_git(&self.inner, &rev, &path, &options).map(|s| s.summaries()))
            .or_raise(py)?;
        result_to_py(py, serde_json::to_value(&summaries))
    }
}

/// Adds the `Repo` class to the module.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyRepo>()
}
