//! The two sides of a diff, loaded so that only the objects that may differ stay in memory.
//!
//! A loaded object costs about three times its text (its tree), and most objects of two
//! versions of a manifest set are byte-identical, which the diff counts as unchanged without
//! looking inside. So OLD is loaded keeping none of its plain objects, only where each one
//! starts; NEW is loaded leaving out every object whose text equals the OLD object of the same
//! identity. Once both sides are read (and so the CRDs in them known), the pairs left out are
//! checked against what the diff itself would decide for them — identity keys unique on both
//! sides, no warning, no match through the default namespace — and whatever does not pass, and
//! every OLD object without a partner, is parsed again from where its document starts. The
//! diff of the two reduced sets plus the count of pairs left out is exactly the diff of the
//! full sets (a test holds every conformance vector to that).
//!
//! ```
//! use gitops_kit::diff::{DiffInputs, DiffOptions};
//! let old = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata: {x: '1'}\n";
//! let new = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata: {x: '2'}\n";
//! let options = DiffOptions::default();
//! let inputs = DiffInputs::from_texts(old, new, &options).unwrap();
//! assert_eq!((inputs.old().len(), inputs.new().len()), (1, 1)); // only `b` is kept
//! let report = inputs.diff(&options);
//! assert_eq!((report.summary.changed, report.summary.unchanged), (1, 1));
//! ```

use super::{DiffOptions, DiffReport, Format, Rendered, key_namespace, render_report, schema};
use crate::manifest::{DocumentFilter, Loaded, Loader, ManifestSet, RepoChoice, Resource, Skipped, SourceSpec};
use crate::yaml::{ParseOptions, Source};
use rayon::prelude::*;
use std::collections::HashMap;
use std::hash::BuildHasher;
use std::path::Path;
use std::sync::Arc;

/// OLD and NEW, with the objects byte-identical on both sides left out and counted.
pub struct DiffInputs {
    old: ManifestSet,
    new: ManifestSet,
    identical: usize,
}

impl DiffInputs {
    /// Loads two lists of command-line sources (files, directories, `-`, `git:REF:PATH`); the
    /// repository for `git:` sources is `repo_dir`, or the one holding the current directory.
    ///
    /// # Errors
    /// Source, git and YAML errors.
    pub fn load<S: AsRef<str>>(
        old: &[S],
        new: &[S],
        repo_dir: Option<&Path>,
        options: &DiffOptions,
    ) -> Result<DiffInputs, crate::Error> {
        let specs = |args: &[S]| {
            args.iter().map(|s| SourceSpec::parse(s.as_ref())).collect::<Result<Vec<_>, _>>()
        };
        let (old, new) = (specs(old)?, specs(new)?);
        let all: Vec<SourceSpec> = old.iter().chain(&new).cloned().collect();
        let repo = RepoChoice::from_dir(repo_dir).for_sources(&all)?;
        let repo = repo.as_ref();
        Self::build(options, |l| l.specs(&old, repo), |l| l.specs(&new, repo))
    }

    /// Loads two texts, named `<old>` and `<new>` in locations.
    ///
    /// # Errors
    /// YAML errors of either text.
    pub fn from_texts(old: &str, new: &str, options: &DiffOptions) -> Result<DiffInputs, crate::Error> {
        let text = |text: &str, name: &str| Arc::new(Source::new(name, text.to_string()));
        Self::build(
            options,
            |l| l.source_strict(text(old, "<old>")),
            |l| l.source_strict(text(new, "<new>")),
        )
    }

    /// Two sets loaded whole (nothing left out).
    #[must_use]
    pub fn from_sets(old: ManifestSet, new: ManifestSet) -> DiffInputs {
        DiffInputs { old, new, identical: 0 }
    }

    /// The OLD objects kept (those that may differ).
    #[must_use]
    pub fn old(&self) -> &ManifestSet {
        &self.old
    }

    /// The NEW objects kept.
    #[must_use]
    pub fn new(&self) -> &ManifestSet {
        &self.new
    }

    /// Pairs of byte-identical objects left out (counted as unchanged by [`DiffInputs::diff`]).
    #[must_use]
    pub fn identical(&self) -> usize {
        self.identical
    }

    /// The diff of the two sides: the same report as [`super::diff`] of the whole sets.
    #[must_use]
    pub fn diff(&self, options: &DiffOptions) -> DiffReport {
        super::diff_counting(&self.old, &self.new, options, self.identical)
    }

    /// The diff rendered in `format` (`color` only affects [`Format::Text`]), with its exit code.
    #[must_use]
    pub fn render(&self, options: &DiffOptions, format: Format, color: bool) -> Rendered {
        let report = self.diff(options);
        let output = render_report(&report, &self.old, &self.new, options, format, color);
        Rendered { output, exit_code: report.exit_code }
    }

    fn build<E: Into<crate::Error>>(
        options: &DiffOptions,
        load_old: impl FnOnce(&Loader<'_, OldSide>) -> Result<Loaded<Digest>, E>,
        load_new: impl FnOnce(&Loader<'_, NewSide<'_>>) -> Result<Loaded<Pairing>, E>,
    ) -> Result<DiffInputs, crate::Error> {
        let hasher = foldhash::fast::RandomState::default();
        // `explain` lists the equalizations of every pair, identical ones included.
        let enabled = !options.explain;
        let old_side = OldSide { hasher: &hasher, enabled };
        let mut old = load_old(&Loader { options: &options.parse, filter: &old_side }).map_err(Into::into)?;
        let new_side = NewSide::new(&old, &hasher);
        let mut new = load_new(&Loader { options: &options.parse, filter: &new_side }).map_err(Into::into)?;
        let checks = Checks::new(&old, &new, &hasher, options);
        let mut partnered = vec![false; old.skipped.len()];
        let mut identical = 0;
        let keep_new: Vec<bool> = new
            .skipped
            .iter()
            .map(|s| {
                let ok = checks.pair_is_identical(&s.tag.digest);
                partnered[s.tag.partner] |= ok;
                identical += usize::from(ok);
                !ok
            })
            .collect();
        let parse = &options.parse;
        let again_old = parse_again(&old.skipped, |i| !partnered[i], parse)?;
        let again_new = parse_again(&new.skipped, |i| keep_new[i], parse)?;
        old.skipped = Vec::new();
        new.skipped = Vec::new();
        old.restore(again_old);
        new.restore(again_new);
        Ok(DiffInputs { old: old.set, new: new.set, identical })
    }
}

/// The skipped objects at the indices `wanted` selects, parsed again (in parallel).
fn parse_again<T: Sync>(
    skipped: &[Skipped<T>],
    wanted: impl Fn(usize) -> bool + Sync,
    options: &ParseOptions,
) -> Result<Vec<Resource>, crate::yaml::Error> {
    let parsed: Vec<Result<Vec<Resource>, crate::yaml::Error>> =
        (0..skipped.len()).into_par_iter().filter(|&i| wanted(i)).map(|i| skipped[i].parse(options)).collect();
    let mut out = Vec::with_capacity(parsed.len());
    for p in parsed {
        out.extend(p?);
    }
    Ok(out)
}

/// An identity as hashes: (group, kind), the written namespace, the name; and the scope when
/// the kind is built in. Equal identities have equal digests; unequal ones almost never do,
/// and when they do the checks only become stricter (a pair is parsed again for nothing).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Digest {
    group_kind: u64,
    namespace: Option<u64>,
    name: u64,
    builtin_scope: Option<bool>,
}

impl Digest {
    fn of(r: &Resource, hasher: &foldhash::fast::RandomState) -> Digest {
        let id = r.id();
        Digest {
            group_kind: hasher.hash_one((&id.group, &id.kind)),
            namespace: id.namespace.as_ref().map(|ns| hasher.hash_one(ns.as_str())),
            name: hasher.hash_one(id.name.as_str()),
            builtin_scope: schema::builtin_scope(&id.group, &id.kind),
        }
    }
}

/// Whether an object may be left out at all: objects named by the server (`generateName`) are
/// always added or removed, and CRDs tell the scope of other kinds.
fn may_leave_out(r: &Resource) -> bool {
    let id = r.id();
    !id.generate_name && !(id.kind == "CustomResourceDefinition" && id.group == "apiextensions.k8s.io")
}

/// OLD: every plain object is left out, remembered by its identity.
struct OldSide<'h> {
    hasher: &'h foldhash::fast::RandomState,
    enabled: bool,
}

impl DocumentFilter for OldSide<'_> {
    type Tag = Digest;

    fn skip(&self, r: &Resource) -> Option<Digest> {
        (self.enabled && may_leave_out(r)).then(|| Digest::of(r, self.hasher))
    }
}

/// A NEW object left out, and the index of its byte-identical OLD partner.
struct Pairing {
    digest: Digest,
    partner: usize,
}

/// NEW: an object is left out when the OLD object of the same identity has the same text.
struct NewSide<'o> {
    hasher: &'o foldhash::fast::RandomState,
    old: &'o [Skipped<Digest>],
    /// OLD objects left out, by identity; `None` when the identity is there twice.
    by_digest: HashMap<Digest, Option<usize>, foldhash::fast::RandomState>,
    /// The text of each OLD object left out (its root node's bytes).
    texts: Vec<std::ops::Range<usize>>,
}

impl<'o> NewSide<'o> {
    fn new(old: &'o Loaded<Digest>, hasher: &'o foldhash::fast::RandomState) -> NewSide<'o> {
        let mut by_digest: HashMap<Digest, Option<usize>, _> = HashMap::default();
        for (i, s) in old.skipped.iter().enumerate() {
            by_digest.entry(s.tag).and_modify(|e| *e = None).or_insert(Some(i));
        }
        let texts = old.skipped.iter().map(Skipped::root_range).collect();
        NewSide { hasher, old: &old.skipped, by_digest, texts }
    }
}

impl DocumentFilter for NewSide<'_> {
    type Tag = Pairing;

    fn skip(&self, r: &Resource) -> Option<Pairing> {
        if !may_leave_out(r) || self.by_digest.is_empty() {
            return None;
        }
        let digest = Digest::of(r, self.hasher);
        let partner = (*self.by_digest.get(&digest)?)?;
        let old = &self.old[partner];
        let same = old.source.text().get(self.texts[partner].clone()) == Some(r.node().source_text());
        same.then_some(Pairing { digest, partner })
    }
}

/// An identity key as the diff forms it, in hashes: (group, kind), namespace, name.
type Key = (u64, u64, u64);

/// What the diff would decide about an identical pair, from the identities of both sides.
struct Checks {
    crd_scopes: HashMap<u64, bool>,
    default_ns: u64,
    cluster: u64,
    counts: [HashMap<Key, u32, foldhash::fast::RandomState>; 2],
}

impl Checks {
    fn new(
        old: &Loaded<Digest>,
        new: &Loaded<Pairing>,
        hasher: &foldhash::fast::RandomState,
        options: &DiffOptions,
    ) -> Checks {
        let crd_scopes = super::crd_infos(&old.set, &new.set)
            .into_iter()
            .map(|((group, kind), info)| (hasher.hash_one((&group, &kind)), info.namespaced))
            .collect();
        let default_ns = hasher.hash_one(options.namespace.as_deref().unwrap_or("default"));
        let mut checks =
            Checks { crd_scopes, default_ns, cluster: hasher.hash_one(""), counts: Default::default() };
        let kept = |set: &ManifestSet| -> Vec<Digest> {
            set.resources()
                .iter()
                .filter(|r| !r.id().generate_name)
                .map(|r| Digest::of(r, hasher))
                .collect()
        };
        let old_digests = kept(&old.set).into_iter().chain(old.skipped.iter().map(|s| s.tag));
        let new_digests = kept(&new.set).into_iter().chain(new.skipped.iter().map(|s| s.tag.digest));
        for d in old_digests.collect::<Vec<_>>() {
            *checks.counts[0].entry(checks.key(&d).0).or_default() += 1;
        }
        for d in new_digests.collect::<Vec<_>>() {
            *checks.counts[1].entry(checks.key(&d).0).or_default() += 1;
        }
        checks
    }

    /// The identity key, whether the scope is known, and whether a namespace is ignored.
    fn key(&self, d: &Digest) -> (Key, bool, bool) {
        let scope = d.builtin_scope.or_else(|| self.crd_scopes.get(&d.group_kind).copied());
        let (namespace, ignored) = key_namespace(scope, d.namespace, self.default_ns, self.cluster);
        ((d.group_kind, namespace, d.name), scope.is_some(), ignored)
    }

    fn count(&self, key: &Key) -> u32 {
        self.counts.iter().map(|c| c.get(key).copied().unwrap_or(0)).max().unwrap_or(0)
    }

    /// Whether the diff would pair these two byte-identical objects with each other and report
    /// nothing else about them: a key unique on both sides, no ignored namespace (a warning),
    /// and, for a kind of unknown scope, no object under the other spelling of its key (the
    /// diff matches "no namespace" and the default namespace to each other).
    fn pair_is_identical(&self, d: &Digest) -> bool {
        let (key, scope_known, ignored) = self.key(d);
        let unique = self.counts.iter().all(|c| c.get(&key) == Some(&1));
        let alias = match key.1 {
            _ if scope_known => None,
            ns if ns == self.cluster => Some(self.default_ns),
            ns if ns == self.default_ns => Some(self.cluster),
            _ => None,
        };
        unique && !ignored && alias.is_none_or(|ns| self.count(&(key.0, ns, key.2)) == 0)
    }
}
