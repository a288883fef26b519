//! Commit ranges, tags pointing at a commit, and commits by id prefix.

use std::collections::HashSet;

use gix::ObjectId;

use super::repo::{is_hex, peel_commit};
use super::tree::path_string;
use super::{CommitInfo, Error, Repo};

/// Shortest commit id prefix accepted, as in git.
const MIN_PREFIX_LEN: usize = 4;

/// Find the one commit whose id starts with `prefix` (validated hex).
pub(crate) fn commit_by_prefix(git: &gix::Repository, prefix: &str) -> Result<ObjectId, Error> {
    let hex_len = git.object_hash().len_in_hex();
    if prefix.len() < MIN_PREFIX_LEN || prefix.len() > hex_len || !is_hex(prefix) {
        return Err(Error::invalid(format!(
            "commit id prefix '{}' must be {MIN_PREFIX_LEN} to {hex_len} hex digits",
            prefix.escape_debug()
        )));
    }
    let lower = prefix.to_ascii_lowercase();
    let padded = format!("{lower:0<hex_len$}");
    let id = ObjectId::from_hex(padded.as_bytes())
        .map_err(|e| Error::invalid(format!("commit id prefix '{prefix}': {e}")))?;
    let is_commit = |id: &ObjectId| {
        git.try_find_header(*id).ok().flatten().is_some_and(|h| h.kind() == gix::objs::Kind::Commit)
    };
    if prefix.len() == hex_len {
        return if is_commit(&id) {
            Ok(id)
        } else {
            Err(Error::ObjectNotFound { what: format!("commit {lower}") })
        };
    }
    // Built with the repository's hash kind (gix's `Prefix::from_hex` assumes SHA-1).
    let wanted = gix::hash::Prefix::new(&id, prefix.len())
        .map_err(|e| Error::invalid(format!("commit id prefix '{prefix}': {e}")))?;
    let mut candidates = HashSet::new();
    git.objects
        .lookup_prefix(wanted, Some(&mut candidates))
        .map_err(|e| Error::from_gix(format!("looking up commit id prefix '{prefix}'"), &e))?;
    let mut commits: Vec<ObjectId> = candidates.into_iter().filter(is_commit).collect();
    commits.sort();
    match commits.len() {
        0 => Err(Error::ObjectNotFound { what: format!("commit with id prefix '{lower}'") }),
        1 => Ok(commits[0]),
        _ => Err(Error::AmbiguousPrefix {
            prefix: prefix.to_owned(),
            candidates: commits.iter().map(ToString::to_string).collect(),
        }),
    }
}

fn commit_info(commit: &gix::Commit<'_>) -> Result<CommitInfo, Error> {
    let id = commit.id;
    let decoded = commit.decode().map_err(|e| Error::from_gix(format!("decoding commit {id}"), &e))?;
    let author = decoded
        .author()
        .map_err(|e| Error::from_gix(format!("decoding the author of commit {id}"), &e))?
        .trim();
    let time = author
        .time()
        .map_err(|e| Error::from_gix(format!("decoding the author time of commit {id}"), &e))?
        .seconds;
    let subject = decoded.message().summary();
    Ok(CommitInfo {
        id: id.to_string(),
        author_name: path_string(author.name),
        author_email: path_string(author.email),
        time,
        subject: path_string(subject.as_ref()),
        parents: decoded.parents().map(|p| p.to_string()).collect(),
    })
}

impl Repo {
    /// Commits reachable from `to` but not from `from_exclusive`, newest first, like
    /// `git log [--first-parent] from..to` (or `git log to` when `from_exclusive` is `None`).
    ///
    /// With `first_parent`, only the first parent of merges is followed (the history of the
    /// branch itself); [`CommitInfo::parents`] still lists every parent.
    ///
    /// # Errors
    ///
    /// The errors of [`Repo::resolve`] for either revision; `git.unsupported` for a range on a
    /// shallow clone (git and gix would both silently give a wrong answer).
    pub fn log(
        &self,
        from_exclusive: Option<&str>,
        to: &str,
        first_parent: bool,
    ) -> Result<Vec<CommitInfo>, Error> {
        use gix::revision::walk::Sorting;
        use gix::traverse::commit::simple::CommitTimeOrder;

        let git = self.handle();
        let tip = peel_commit(&git, to)?.id;
        let hidden = match from_exclusive {
            Some(from) => {
                let hidden = peel_commit(&git, from)?.id;
                let shallow =
                    git.is_shallow().map_err(|e| Error::from_gix("checking for a shallow clone", &e))?;
                if shallow {
                    return Err(Error::unsupported(format!(
                        "the range '{from}..{to}' cannot be computed reliably in a shallow clone; \
                         fetch the full history (git fetch --unshallow) first"
                    )));
                }
                Some(hidden)
            }
            None => None,
        };
        let mut walk = git.rev_walk([tip]).sorting(Sorting::ByCommitTime(CommitTimeOrder::NewestFirst));
        if let Some(hidden) = hidden {
            walk = walk.with_hidden([hidden]);
        }
        if first_parent {
            walk = walk.first_parent_only();
        }
        let range = match from_exclusive {
            Some(from) => format!("{from}..{to}"),
            None => to.to_owned(),
        };
        let walk =
            walk.all().map_err(|e| Error::from_gix(format!("walking the history of '{range}'"), &e))?;
        let mut out = Vec::new();
        for info in walk {
            let info = info.map_err(|e| {
                if e.is_not_found() {
                    self.missing_object(format!("a commit in the history of '{range}'"))
                } else {
                    Error::from_gix(format!("walking the history of '{range}'"), &e)
                }
            })?;
            let commit = info
                .object()
                .map_err(|e| Error::from_gix(format!("reading commit {} of '{range}'", info.id), &e))?;
            out.push(commit_info(&commit)?);
        }
        Ok(out)
    }

    /// Short names of the tags (lightweight and annotated) that point at the commit `rev`
    /// resolves to, sorted, like `git tag --points-at <rev>`.
    ///
    /// # Errors
    ///
    /// The errors of [`Repo::resolve`]; `git.other` if the references cannot be read.
    pub fn tags_pointing_at(&self, rev: &str) -> Result<Vec<String>, Error> {
        let git = self.handle();
        let target = peel_commit(&git, rev)?.id;
        let refs_error = |e: &gix::Error| Error::from_gix("reading the tags", e);
        let platform = git.references().map_err(|e| refs_error(&e))?;
        let mut names = Vec::new();
        for reference in platform.tags().map_err(|e| refs_error(&e))? {
            let mut reference = reference
                .map_err(|e| Error::Other { context: "reading the tags".into(), message: e.to_string() })?;
            // A tag whose object is missing cannot point at `rev`; skip it like git does.
            let Ok(id) = reference.peel_to_id() else {
                continue;
            };
            if id == target {
                names.push(path_string(reference.name().shorten()));
            }
        }
        names.sort();
        names.dedup();
        Ok(names)
    }

    /// The full id of the one commit whose id starts with `hex_prefix` (4 to 40 hex digits,
    /// any case). Only commits count: a blob or tree sharing the prefix is not an ambiguity.
    ///
    /// # Errors
    ///
    /// `git.invalid-argument` if the prefix is too short, too long or not hex;
    /// `git.object-not-found` if no commit matches; `git.ambiguous-prefix` (with the sorted
    /// candidates) if several do.
    pub fn find_commit_by_prefix(&self, hex_prefix: &str) -> Result<String, Error> {
        let git = self.handle();
        Ok(commit_by_prefix(&git, hex_prefix)?.to_string())
    }
}
