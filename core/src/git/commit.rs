//! Writing commits without a work tree: blobs, then trees, then the commit, then a
//! compare-and-swap update of the branch.

use std::collections::HashSet;

use gix::ObjectId;
use gix::objs::tree::EntryKind;
use gix::refs::transaction::{PreviousValue, RefEdit};
use gix::refs::{FullName, Target};

use super::error::render;
use super::path::check_write_path;
use super::tree::{Located, locate};
use super::{CommitRequest, Error, FileChange, Repo, Signature};

/// Largest accepted time zone offset, in minutes (git's format allows `±HHMM`).
const MAX_OFFSET_MINUTES: i32 = 24 * 60 - 1;

/// The full reference name of a branch given as `stg` or `refs/heads/stg`.
fn branch_ref(branch: &str) -> Result<FullName, Error> {
    let full = if branch.starts_with("refs/") {
        if !branch.starts_with("refs/heads/") {
            return Err(Error::invalid(format!(
                "'{branch}' is not a branch: commits can only be written to refs/heads/*"
            )));
        }
        branch.to_owned()
    } else {
        format!("refs/heads/{branch}")
    };
    FullName::try_from(full.as_str())
        .map_err(|e| Error::invalid(format!("'{}' is not a valid branch name: {e}", branch.escape_debug())))
}

fn check_signature(role: &str, sig: &Signature) -> Result<gix::actor::Signature, Error> {
    let bad = |s: &str| s.contains(['<', '>', '\n', '\r', '\0']);
    if sig.name.trim().is_empty() {
        return Err(Error::invalid(format!("{role} name is empty")));
    }
    if bad(&sig.name) {
        return Err(Error::invalid(format!(
            "{role} name '{}' contains '<', '>', a newline or NUL",
            sig.name.escape_debug()
        )));
    }
    if bad(&sig.email) {
        return Err(Error::invalid(format!(
            "{role} email '{}' contains '<', '>', a newline or NUL",
            sig.email.escape_debug()
        )));
    }
    if sig.time < 0 {
        return Err(Error::invalid(format!("{role} time {} is before 1970", sig.time)));
    }
    if sig.offset_minutes.abs() > MAX_OFFSET_MINUTES {
        return Err(Error::invalid(format!(
            "{role} time zone offset {} minutes is out of range (±{MAX_OFFSET_MINUTES})",
            sig.offset_minutes
        )));
    }
    Ok(gix::actor::Signature {
        name: sig.name.trim().into(),
        email: sig.email.trim().into(),
        time: gix::date::Time { seconds: sig.time, offset: sig.offset_minutes * 60 },
    })
}

fn check_message(message: &str) -> Result<String, Error> {
    if message.trim().is_empty() {
        return Err(Error::invalid("commit message is empty"));
    }
    if message.contains('\0') {
        return Err(Error::invalid("commit message contains a NUL byte"));
    }
    let mut message = message.to_owned();
    if !message.ends_with('\n') {
        message.push('\n');
    }
    Ok(message)
}

/// Check paths, and that no path repeats or lies inside another path of the same request
/// (which would make the result depend on the order of changes).
fn check_changes(changes: &[FileChange]) -> Result<(), Error> {
    if changes.is_empty() {
        return Err(Error::invalid("commit has no file changes"));
    }
    let mut seen = HashSet::with_capacity(changes.len());
    for change in changes {
        let path = change.path();
        check_write_path(path)?;
        if !seen.insert(path) {
            return Err(Error::invalid(format!("path '{path}' appears more than once in the commit")));
        }
    }
    for change in changes {
        let path = change.path();
        for (i, _) in path.match_indices('/') {
            let parent = &path[..i];
            if seen.contains(parent) {
                return Err(Error::invalid(format!(
                    "the commit changes both '{parent}' and '{path}' inside it"
                )));
            }
        }
    }
    Ok(())
}

fn parse_tip(git: &gix::Repository, tip: &str) -> Result<ObjectId, Error> {
    let hex_len = git.object_hash().len_in_hex();
    if tip.len() != hex_len || !super::repo::is_hex(tip) {
        return Err(Error::invalid(format!(
            "expected tip '{}' must be a full commit id ({hex_len} hex digits)",
            tip.escape_debug()
        )));
    }
    ObjectId::from_hex(tip.to_ascii_lowercase().as_bytes())
        .map_err(|e| Error::invalid(format!("expected tip '{tip}': {e}")))
}

/// The commit the branch points at now.
fn read_tip(git: &gix::Repository, branch: &FullName) -> Result<ObjectId, Error> {
    let name = branch.as_bstr().to_string();
    let reference = git
        .try_find_reference(name.as_str())
        .map_err(|e| Error::from_gix(format!("reading branch '{name}'"), &e))?;
    let Some(reference) = reference else {
        return Err(Error::RefNotFound {
            rev: name,
            message: "the branch does not exist; create it before committing to it".into(),
        });
    };
    match reference.target() {
        gix::refs::TargetRef::Object(id) => Ok(id.to_owned()),
        gix::refs::TargetRef::Symbolic(to) => Err(Error::unsupported(format!(
            "branch '{name}' is a symbolic reference to '{to}'; commit to the branch it points to"
        ))),
    }
}

impl Repo {
    /// Write a commit on top of a branch without a checkout, and move the branch to it with a
    /// compare-and-swap: the new tree is the tip's tree with `request.changes` applied.
    /// Returns the new commit's full id. No hooks run; user config is never read.
    ///
    /// # Errors
    ///
    /// - `git.conflict` if the branch tip is not `request.expected_tip`, or moved while the
    ///   commit was written; the branch is then untouched.
    /// - `git.ref-not-found` if the branch does not exist.
    /// - `git.path-not-found` when deleting a file that does not exist.
    /// - `git.invalid-argument` for a bad path (absolute, `..`, `.`, empty component, `.git`),
    ///   a path given twice or inside another changed path, writing over a directory, writing
    ///   below a file, deleting a directory, a bad signature, an empty message or no changes.
    pub fn commit(&self, request: &CommitRequest) -> Result<String, Error> {
        let branch = branch_ref(&request.branch)?;
        let branch_name = branch.as_bstr().to_string();
        let author = check_signature("author", &request.author)?;
        let committer = match &request.committer {
            Some(c) => check_signature("committer", c)?,
            None => author.clone(),
        };
        let message = check_message(&request.message)?;
        check_changes(&request.changes)?;

        let git = self.handle();
        let expected = request.expected_tip.as_deref().map(|t| parse_tip(&git, t)).transpose()?;
        let tip = read_tip(&git, &branch)?;
        if let Some(expected) = expected
            && expected != tip
        {
            return Err(Error::Conflict {
                branch: branch_name,
                expected: expected.to_string(),
                actual: tip.to_string(),
            });
        }
        let base = git.find_commit(tip).map_err(|e| {
            if e.is_not_found() {
                self.missing_object(format!("commit {tip} (tip of '{branch_name}')"))
            } else {
                Error::from_gix(format!("reading commit {tip} (tip of '{branch_name}')"), &e)
            }
        })?;
        let root = base
            .tree_id()
            .map_err(|e| Error::from_gix(format!("reading the tree of commit {tip}"), &e))?
            .detach();

        let mut editor = git
            .edit_tree(root)
            .map_err(|e| Error::from_gix(format!("reading the tree of commit {tip}"), &e))?;
        for change in &request.changes {
            let path = change.path();
            let existing = locate(self, &git, root, path)?;
            if let Located::Blocked(n) = existing {
                if let FileChange::Delete { .. } = change {
                    return Err(Error::PathNotFound { rev: branch_name, path: path.to_owned() });
                }
                let file: Vec<&str> = path.split('/').take(n).collect();
                return Err(Error::invalid(format!(
                    "cannot write '{path}': '{}' is a file (or submodule) on branch \
                     '{branch_name}'",
                    file.join("/")
                )));
            }
            if let Located::Tree(_) = existing {
                return Err(Error::invalid(format!(
                    "'{path}' is a directory on branch '{branch_name}': changes name files"
                )));
            }
            let edit_error = |e: &gix::Error| Error::from_gix(format!("editing '{path}'"), e);
            match change {
                FileChange::Write { data, .. } => {
                    let kind = match existing {
                        Located::File { mode, .. } if mode.is_executable() => EntryKind::BlobExecutable,
                        _ => EntryKind::Blob,
                    };
                    let blob = git
                        .write_blob(data)
                        .map_err(|e| Error::from_gix(format!("writing blob for '{path}'"), &e))?;
                    editor.upsert(path, kind, blob.detach()).map_err(|e| edit_error(&e))?;
                }
                FileChange::Delete { .. } => {
                    if matches!(existing, Located::Missing) {
                        return Err(Error::PathNotFound { rev: branch_name, path: path.to_owned() });
                    }
                    editor.remove(path).map_err(|e| edit_error(&e))?;
                }
            }
        }
        let tree = editor.write().map_err(|e| Error::from_gix("writing the new tree", &e))?.detach();

        let (mut t1, mut t2, mut t3) = Default::default();
        let commit = git
            .new_commit_as(committer.to_ref(&mut t1), author.to_ref(&mut t2), &message, tree, [tip])
            .map_err(|e| Error::from_gix("writing the commit", &e))?;
        let id = commit.id;
        let summary = commit.message().map(|m| m.summary().to_string()).unwrap_or_default();
        let edit = RefEdit::update(
            branch,
            id,
            PreviousValue::MustExistAndMatch(Target::Object(tip)),
            format!("commit: {summary}"),
        );
        match git.edit_references_as([edit], Some(committer.to_ref(&mut t3))) {
            Ok(_) => Ok(id.to_string()),
            Err(err) => Err(self.ref_update_error(&git, &err, &branch_name, tip)),
        }
    }

    fn ref_update_error(
        &self,
        git: &gix::Repository,
        err: &gix::Error,
        branch: &str,
        expected: ObjectId,
    ) -> Error {
        use gix::refs::file::transaction::prepare::ReferenceOutOfDate;
        if let Some(out_of_date) = err.downcast_any_ref::<ReferenceOutOfDate>() {
            return Error::Conflict {
                branch: branch.to_owned(),
                expected: expected.to_string(),
                actual: match &out_of_date.actual {
                    Target::Object(id) => id.to_string(),
                    Target::Symbolic(name) => name.as_bstr().to_string(),
                },
            };
        }
        if err.is_conflict() {
            return match git.try_find_reference(branch).ok().flatten() {
                None => Error::RefNotFound {
                    rev: branch.to_owned(),
                    message: "the branch was deleted while the commit was written".into(),
                },
                Some(r) => Error::Conflict {
                    branch: branch.to_owned(),
                    expected: expected.to_string(),
                    actual: match r.target() {
                        gix::refs::TargetRef::Object(id) => id.to_string(),
                        gix::refs::TargetRef::Symbolic(name) => name.as_bstr().to_string(),
                    },
                },
            };
        }
        if err.is_retryable() {
            return Error::Other {
                context: format!("updating branch '{branch}'"),
                message: format!("the branch is locked by another writer, retry later ({})", render(err)),
            };
        }
        Error::from_gix(format!("updating branch '{branch}'"), err)
    }
}
