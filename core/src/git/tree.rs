//! Listing and reading files at a revision, and comparing the trees of two revisions.

use gix::ObjectId;
use gix::bstr::{BStr, ByteSlice};
use gix::objs::tree::EntryMode;

use super::path::normalize_read_path;
use super::repo::peel_commit;
use super::{Change, ChangedPath, Error, Repo, TreeFile};

/// What a path names in a tree.
pub(crate) enum Located {
    /// A directory with this tree id.
    Tree(ObjectId),
    /// A blob (regular, executable or symbolic link).
    File { oid: ObjectId, mode: EntryMode },
    /// A submodule (gitlink) entry.
    Submodule,
    /// Nothing of that name.
    Missing,
    /// The first `n` components name a file, so the path cannot exist below it.
    Blocked(usize),
}

/// Find what `path` (normalized, `""` = root) names in the tree `root`.
pub(crate) fn locate(
    repo: &Repo,
    git: &gix::Repository,
    root: ObjectId,
    path: &str,
) -> Result<Located, Error> {
    if path.is_empty() {
        return Ok(Located::Tree(root));
    }
    let mut current = root;
    let mut components = path.split('/').enumerate().peekable();
    while let Some((index, name)) = components.next() {
        let tree = find_tree(repo, git, current, path)?;
        let decoded = tree.decode().map_err(|e| Error::from_gix(format!("decoding tree {current}"), &e))?;
        let Some(entry) = decoded.entries.iter().find(|e| e.filename == BStr::new(name)) else {
            return Ok(Located::Missing);
        };
        let (mode, oid) = (entry.mode, entry.oid.to_owned());
        let last = components.peek().is_none();
        if mode.is_tree() {
            if last {
                return Ok(Located::Tree(oid));
            }
            current = oid;
        } else if !last {
            return Ok(Located::Blocked(index + 1));
        } else if mode.is_blob_or_symlink() {
            return Ok(Located::File { oid, mode });
        } else {
            return Ok(Located::Submodule);
        }
    }
    Ok(Located::Missing)
}

fn find_tree<'r>(
    repo: &Repo,
    git: &'r gix::Repository,
    id: ObjectId,
    path: &str,
) -> Result<gix::Tree<'r>, Error> {
    git.find_tree(id).map_err(|e| {
        if e.is_not_found() {
            repo.missing_object(format!("tree {id} (of '{path}')"))
        } else {
            Error::from_gix(format!("reading tree {id} (of '{path}')"), &e)
        }
    })
}

pub(crate) fn read_blob(
    repo: &Repo,
    git: &gix::Repository,
    oid: ObjectId,
    path: &str,
    rev: &str,
) -> Result<Vec<u8>, Error> {
    match git.find_blob(oid) {
        Ok(mut blob) => Ok(std::mem::take(&mut blob.data)),
        Err(e) if e.is_not_found() => {
            Err(repo.missing_object(format!("blob {oid} of '{path}' at revision '{rev}'")))
        }
        Err(e) => Err(Error::from_gix(format!("reading '{path}' at revision '{rev}'"), &e)),
    }
}

pub(crate) fn path_string(path: &BStr) -> String {
    match path.to_str() {
        Ok(s) => s.to_owned(),
        Err(_) => path.to_str_lossy().into_owned(),
    }
}

/// Entries `(path, blob id)` of the files at or under `prefix` in the tree of `rev`, sorted.
fn files_under(
    repo: &Repo,
    git: &gix::Repository,
    rev: &str,
    prefix: &str,
) -> Result<Vec<(String, ObjectId)>, Error> {
    let prefix = normalize_read_path("prefix", prefix)?;
    let commit = peel_commit(git, rev)?;
    let root = commit
        .tree_id()
        .map_err(|e| Error::from_gix(format!("reading the tree of revision '{rev}'"), &e))?
        .detach();
    let tree_id = match locate(repo, git, root, prefix)? {
        Located::Tree(id) => id,
        Located::File { oid, .. } => return Ok(vec![(prefix.to_owned(), oid)]),
        Located::Submodule => {
            return Err(Error::invalid(format!(
                "prefix '{prefix}' names a submodule at revision '{rev}', which has no files here"
            )));
        }
        Located::Missing | Located::Blocked(_) => {
            return Err(Error::PathNotFound { rev: rev.to_owned(), path: prefix.to_owned() });
        }
    };
    let tree = find_tree(repo, git, tree_id, prefix)?;
    let mut recorder = gix::traverse::tree::Recorder::default();
    tree.traverse().depthfirst(&mut recorder).map_err(|e| {
        if e.is_not_found() {
            repo.missing_object(format!("a tree under '{prefix}' at revision '{rev}'"))
        } else {
            Error::from_gix(format!("listing '{prefix}' at revision '{rev}'"), &e)
        }
    })?;
    let mut out: Vec<(String, ObjectId)> = recorder
        .records
        .into_iter()
        .filter(|e| e.mode.is_blob_or_symlink())
        .map(|e| {
            let rel = path_string(e.filepath.as_ref());
            let full = if prefix.is_empty() { rel } else { format!("{prefix}/{rel}") };
            (full, e.oid)
        })
        .collect();
    if !out.is_sorted_by(|a, b| a.0 <= b.0) {
        out.sort_by(|a, b| a.0.cmp(&b.0));
    }
    Ok(out)
}

impl Repo {
    /// Paths of all files (blobs and symbolic links, not submodules) at or under `prefix` in
    /// the tree of `rev`, recursively, sorted by path. `prefix` is a repository-relative
    /// directory (`""` for the root, a trailing `/` is allowed) or a single file.
    ///
    /// # Errors
    ///
    /// `git.path-not-found` if `prefix` does not exist at `rev`; `git.invalid-argument` for a
    /// malformed prefix; the errors of [`Repo::resolve`].
    pub fn list_files(&self, rev: &str, prefix: &str) -> Result<Vec<String>, Error> {
        let git = self.handle();
        Ok(files_under(self, &git, rev, prefix)?.into_iter().map(|(path, _)| path).collect())
    }

    /// Read all files at or under `prefix` in the tree of `rev` (as [`Repo::list_files`]),
    /// with their content, sorted by path.
    ///
    /// # Errors
    ///
    /// As [`Repo::list_files`]; `git.object-not-found` if a blob is missing (`git.unsupported`
    /// in a partial clone).
    pub fn read_files(&self, rev: &str, prefix: &str) -> Result<Vec<TreeFile>, Error> {
        let git = self.handle();
        let entries = files_under(self, &git, rev, prefix)?;
        let mut out = Vec::with_capacity(entries.len());
        for (path, oid) in entries {
            let data = read_blob(self, &git, oid, &path, rev)?;
            out.push(TreeFile { path, data });
        }
        Ok(out)
    }

    /// Read the file at `path` in the tree of `rev`.
    ///
    /// # Errors
    ///
    /// `git.path-not-found` if there is no such file; `git.invalid-argument` if `path` is
    /// malformed or names a directory or submodule; the errors of [`Repo::resolve`].
    pub fn read_file(&self, rev: &str, path: &str) -> Result<Vec<u8>, Error> {
        let path = normalize_read_path("path", path)?;
        if path.is_empty() {
            return Err(Error::invalid("path is empty: name a file, not the root directory"));
        }
        let git = self.handle();
        let commit = peel_commit(&git, rev)?;
        let root = commit
            .tree_id()
            .map_err(|e| Error::from_gix(format!("reading the tree of revision '{rev}'"), &e))?
            .detach();
        match locate(self, &git, root, path)? {
            Located::File { oid, .. } => read_blob(self, &git, oid, path, rev),
            Located::Tree(_) => {
                Err(Error::invalid(format!("path '{path}' is a directory at revision '{rev}', not a file")))
            }
            Located::Submodule => {
                Err(Error::invalid(format!("path '{path}' is a submodule at revision '{rev}', not a file")))
            }
            Located::Missing | Located::Blocked(_) => {
                Err(Error::PathNotFound { rev: rev.to_owned(), path: path.to_owned() })
            }
        }
    }

    /// Files that differ between the trees of `from_rev` and `to_rev`, sorted by path, like
    /// `git diff --no-renames --name-status from to`: a rename is a deletion and an addition.
    /// Only files (blobs and symbolic links) are reported, not directories or submodules.
    ///
    /// # Errors
    ///
    /// The errors of [`Repo::resolve`] for either revision; `git.object-not-found` for a
    /// missing tree.
    pub fn changed_paths(&self, from_rev: &str, to_rev: &str) -> Result<Vec<ChangedPath>, Error> {
        use gix::diff::tree::recorder::Change as Rec;

        let git = self.handle();
        let tree_of = |rev: &str| -> Result<gix::Tree<'_>, Error> {
            let commit = peel_commit(&git, rev)?;
            commit.tree().map_err(|e| {
                if e.is_not_found() {
                    self.missing_object(format!("the tree of revision '{rev}'"))
                } else {
                    Error::from_gix(format!("reading the tree of revision '{rev}'"), &e)
                }
            })
        };
        let old = tree_of(from_rev)?;
        let new = tree_of(to_rev)?;
        let mut recorder = gix::diff::tree::Recorder::default();
        let mut state = gix::diff::tree::State::default();
        gix::diff::tree(
            gix::objs::TreeRefIter::from_bytes(&old.data, git.object_hash()),
            gix::objs::TreeRefIter::from_bytes(&new.data, git.object_hash()),
            &mut state,
            &git.objects,
            &mut recorder,
        )
        .map_err(|e| {
            let e = gix::Error::from_error(e);
            if e.is_not_found() {
                self.missing_object(format!("a tree of '{from_rev}' or '{to_rev}'"))
            } else {
                Error::from_gix(format!("comparing '{from_rev}' with '{to_rev}'"), &e)
            }
        })?;
        let file = EntryMode::is_blob_or_symlink;
        let mut out: Vec<ChangedPath> = recorder
            .records
            .into_iter()
            .filter_map(|record| {
                let (path, change) = match record {
                    Rec::Addition { entry_mode, path, .. } if file(&entry_mode) => (path, Change::Added),
                    Rec::Deletion { entry_mode, path, .. } if file(&entry_mode) => (path, Change::Deleted),
                    Rec::Modification { previous_entry_mode, entry_mode, path, .. } => {
                        match (file(&previous_entry_mode), file(&entry_mode)) {
                            (true, true) => (path, Change::Modified),
                            (true, false) => (path, Change::Deleted),
                            (false, true) => (path, Change::Added),
                            (false, false) => return None,
                        }
                    }
                    _ => return None,
                };
                Some(ChangedPath { path: path_string(path.as_ref()), change })
            })
            .collect();
        out.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(out)
    }
}
