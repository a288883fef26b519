//! The two sides of a diff, loaded so that only the objects that may differ stay in memory.
//!
//! A loaded object costs about three times its text (its tree), and most objects of two
//! versions of a manifest set are byte-identical, which the diff counts as unchanged without
//! looking inside. So OLD is loaded keeping none of its plain objects, only where each one
//! starts and a digest of its identity; NEW is loaded leaving out every object with an OLD
//! partner of the same identity, and not even reading a document whose whole text equals its
//! partner's. Once both sides are read (and so the CRDs in them known), each pair is checked
//! against what the diff itself would decide for it — identity keys unique on both sides, no
//! warning, no match through the default namespace. Pairs that pass are counted when
//! byte-identical and otherwise compared in batches, parsed again from where their documents
//! start; everything else is parsed again and kept whole. The findings of the batches and of
//! the whole part merge into exactly the report of the full sets (`tests/diff_inputs.rs` holds
//! every conformance vector and generated sets to that).

use super::{
    Crds, DiffError, DiffOptions, DiffReport, Findings, Format, Rendered, compare_sets, finish,
    key_namespace, output, schema, write_report,
};
use crate::Location;
use crate::manifest::{
    DocumentFilter, Loaded, Loader, ManifestSet, RepoChoice, Resource, Skipped, SourceSpec,
};
use crate::yaml::{ParseOptions, Source};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::hash::BuildHasher;
use std::path::Path;
use std::sync::Arc;

/// Pairs of differing objects parsed and compared at a time: their trees are freed before the
/// next batch, so memory holds a batch, not a side.
const PAIRS_PER_BATCH: usize = 128;

/// OLD and NEW as a diff needs them: byte-identical pairs counted, pairs of differing objects
/// remembered to be parsed again in batches, everything else (unpaired objects, duplicates,
/// CRDs, documents granit read) kept whole.
///
/// ```
/// use gitops_kit::diff::{DiffInputs, DiffOptions};
/// let old = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata: {x: '1'}\n";
/// let new = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata: {x: '2'}\n";
/// let inputs = DiffInputs::from_texts(old, new, &DiffOptions::default()).unwrap();
/// assert_eq!(inputs.identical(), 1); // `a`: counted, never kept
/// assert_eq!(inputs.kept(), (0, 0)); // `b`: parsed again while diffing
/// let report = inputs.diff();
/// assert_eq!((report.summary.changed, report.summary.unchanged), (1, 1));
/// ```
pub struct DiffInputs {
    options: DiffOptions,
    old: ManifestSet,
    new: ManifestSet,
    crds: Crds,
    pairs: Vec<(Skipped<Digest>, Skipped<Pairing>)>,
    identical: usize,
}

impl DiffInputs {
    /// Loads two lists of command-line sources (files, directories, `-`, `git:REF:PATH`); the
    /// repository for `git:` sources is `repo_dir`, or the one holding the current directory.
    ///
    /// ```
    /// use gitops_kit::diff::{DiffInputs, DiffOptions, Format};
    /// let shop = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/shop");
    /// let inputs = DiffInputs::load(&[shop], &[shop], None, &DiffOptions::default()).unwrap();
    /// // Byte-identical objects are counted, not kept (objects read with a problem, such as a
    /// // kustomization without a name, are kept whole).
    /// assert_eq!(inputs.identical() + inputs.kept().0, 6);
    /// let mut out = Vec::new();
    /// let report = inputs.diff();
    /// inputs.write(&report, Format::Text, false, &mut out).unwrap();
    /// assert!(String::from_utf8(out).unwrap().contains("6 unchanged"));
    /// ```
    ///
    /// # Errors
    /// Source, git and YAML errors.
    pub fn load<S: AsRef<str>>(
        old: &[S],
        new: &[S],
        repo_dir: Option<&Path>,
        options: &DiffOptions,
    ) -> Result<DiffInputs, crate::Error> {
        let (old, new) = (SourceSpec::parse_all(old)?, SourceSpec::parse_all(new)?);
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
        Self::build(options, |l| l.source_strict(text(old, "<old>")), |l| l.source_strict(text(new, "<new>")))
    }

    /// The options the inputs were loaded for (and are diffed with).
    #[must_use]
    pub fn options(&self) -> &DiffOptions {
        &self.options
    }

    /// Pairs of byte-identical objects left out (counted as unchanged by [`DiffInputs::diff`]).
    #[must_use]
    pub fn identical(&self) -> usize {
        self.identical
    }

    /// Objects kept whole on each side (the rest is parsed again while diffing, or identical).
    #[must_use]
    pub fn kept(&self) -> (usize, usize) {
        (self.old.len(), self.new.len())
    }

    /// The diff of the two sides: the same report as [`super::diff`] of the whole sets.
    #[must_use]
    pub fn diff(&self) -> DiffReport {
        let mut found = Findings::default();
        // Most pairs differ: one allocation for their reports, not a doubling per batch.
        found.reserve(self.pairs.len());
        for batch in self.pairs.chunks(PAIRS_PER_BATCH) {
            match self.parse_pairs(batch) {
                Ok((old, new)) => found.merge(compare_sets(&old, &new, &self.options, &self.crds)),
                Err(error) => found.errors.push(reparse_error(&error)),
            }
        }
        found.merge(compare_sets(&self.old, &self.new, &self.options, &self.crds));
        found.add_unchanged(self.identical);
        finish(found, &self.options)
    }

    /// The diff rendered in `format` (`color` only affects [`Format::Text`]), with its exit code.
    ///
    /// ```
    /// use gitops_kit::diff::{DiffInputs, DiffOptions, Format};
    /// let old = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: '1'}\n";
    /// let new = old.replace("'1'", "'2'");
    /// let inputs = DiffInputs::from_texts(old, &new, &DiffOptions::default()).unwrap();
    /// let r = inputs.render(Format::Unified, false);
    /// assert!(r.output.contains("-  a: \"1\"\n+  a: \"2\""), "{}", r.output);
    /// assert_eq!(r.exit_code, 1);
    /// ```
    #[must_use]
    pub fn render(&self, format: Format, color: bool) -> Rendered {
        let report = self.diff();
        let output = output::written(|out| self.write(&report, format, color, out));
        Rendered { output, exit_code: report.exit_code }
    }

    /// Writes `report` (from [`DiffInputs::diff`]) in `format` to `out`; the outputs that show
    /// documents (unified, patch) parse again the objects of the reported pairs.
    ///
    /// # Errors
    /// Errors of `out`.
    pub fn write(
        &self,
        report: &DiffReport,
        format: Format,
        color: bool,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        if !matches!(format, Format::Unified | Format::Patch) || self.pairs.is_empty() {
            return write_report(report, &self.old, &self.new, &self.options, format, color, out);
        }
        let starts: HashSet<(&str, u32, u32)> = report
            .resources
            .iter()
            .chain(&report.foreign)
            .flat_map(|r| [&r.old_location, &r.new_location])
            .flatten()
            .map(|l| (l.file.as_str(), l.line, l.column))
            .collect();
        let shown: Vec<&(Skipped<Digest>, Skipped<Pairing>)> =
            self.pairs.iter().filter(|(o, _)| starts.contains(&start_of(o))).collect();
        let (mut old, mut new) = (self.old.resources().to_vec(), self.new.resources().to_vec());
        for (o, n) in shown {
            // Parsed before with the same options: an error here leaves the pair unshown.
            old.extend(o.parse(&self.options.parse).unwrap_or_default());
            new.extend(n.parse(&self.options.parse).unwrap_or_default());
        }
        let (old, new) = (ManifestSet::from_resources(old), ManifestSet::from_resources(new));
        write_report(report, &old, &new, &self.options, format, color, out)
    }

    /// One batch of pairs, parsed again as two small sets.
    fn parse_pairs(
        &self,
        batch: &[(Skipped<Digest>, Skipped<Pairing>)],
    ) -> Result<(ManifestSet, ManifestSet), crate::yaml::Error> {
        let parse = &self.options.parse;
        let parsed: Vec<(Vec<Resource>, Vec<Resource>)> = batch
            .par_iter()
            .map(|(o, n)| Ok((o.parse(parse)?, n.parse(parse)?)))
            .collect::<Result<_, _>>()?;
        let (old, new): (Vec<Vec<Resource>>, Vec<Vec<Resource>>) = parsed.into_iter().unzip();
        let set = |v: Vec<Vec<Resource>>| ManifestSet::from_resources(v.into_iter().flatten().collect());
        Ok((set(old), set(new)))
    }

    fn build<E: Into<crate::Error>>(
        options: &DiffOptions,
        load_old: impl FnOnce(&Loader<'_, OldSide>) -> Result<Loaded<Digest>, E>,
        load_new: impl FnOnce(&Loader<'_, NewSide<'_>>) -> Result<Loaded<Pairing>, E>,
    ) -> Result<DiffInputs, crate::Error> {
        let hasher = Hasher::default();
        let old_side = OldSide { hasher: &hasher };
        let mut old = load_old(&Loader { options: &options.parse, filter: &old_side }).map_err(Into::into)?;
        let new_side = NewSide::new(&old, &hasher);
        let mut new = load_new(&Loader { options: &options.parse, filter: &new_side }).map_err(Into::into)?;
        let crds = super::crd_infos(&old.set, &new.set);
        let checks = Checks::new(&old, &new, &hasher, &crds, options);
        let mut old_records: Vec<Option<Skipped<Digest>>> = old.skipped.drain(..).map(Some).collect();
        let mut pairs = Vec::new();
        let mut identical = 0;
        let mut whole_new = Vec::new();
        for record in new.skipped.drain(..) {
            let partner = record.tag.partner as usize;
            let plain = checks.pair_is_plain(&record.tag.digest);
            // `explain` lists the equalizations of every pair: identical ones are compared too.
            match (plain, record.tag.identical && !options.explain) {
                (true, true) => {
                    identical += 1;
                    old_records[partner] = None;
                }
                (true, false) => match old_records[partner].take() {
                    Some(o) => pairs.push((o, record)),
                    // Unreachable with unique keys; kept whole rather than lost if it happens.
                    None => whole_new.push(record),
                },
                (false, _) => whole_new.push(record),
            }
        }
        let parse = &options.parse;
        let whole_old: Vec<Skipped<Digest>> = old_records.into_iter().flatten().collect();
        let again_old = parse_again(&whole_old, parse)?;
        let again_new = parse_again(&whole_new, parse)?;
        old.restore(again_old);
        new.restore(again_new);
        Ok(DiffInputs { options: options.clone(), old: old.set, new: new.set, crds, pairs, identical })
    }
}

/// Where a left-out object starts: file, line, column (as report locations say).
fn start_of<T>(s: &Skipped<T>) -> (&str, u32, u32) {
    let pos = s.source.position(s.root_range().start);
    (s.source.name(), pos.line, pos.column)
}

/// A document that parsed once failing to parse again: reported, never expected.
fn reparse_error(error: &crate::yaml::Error) -> DiffError {
    let l = error.location();
    DiffError {
        code: error.code().to_string(),
        message: error.to_string(),
        resource: String::new(),
        locations: vec![Location { file: l.file.clone(), line: l.line, column: l.column }],
    }
}

/// Skipped objects parsed again (in parallel), in their order.
fn parse_again<T: Sync>(
    skipped: &[Skipped<T>],
    options: &ParseOptions,
) -> Result<Vec<Resource>, crate::yaml::Error> {
    let parsed: Vec<Result<Vec<Resource>, crate::yaml::Error>> =
        skipped.par_iter().map(|s| s.parse(options)).collect();
    let mut out = Vec::with_capacity(parsed.len());
    for p in parsed {
        out.extend(p?);
    }
    Ok(out)
}

/// An identity as hashes: (group, kind), the written namespace (0 when there is none; hashes
/// of namespaces are odd), the name; and the scope when the kind is built in. Equal identities
/// have equal digests; unequal ones almost never do, and when they do the checks only become
/// stricter (a pair is parsed again for nothing).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Digest {
    group_kind: u64,
    namespace: u64,
    name: u64,
    builtin_scope: Option<bool>,
}

impl Digest {
    fn of(r: &Resource, hasher: &Hasher) -> Digest {
        let id = r.id();
        Digest {
            group_kind: hasher.hash_one((&id.group, &id.kind)),
            namespace: id.namespace.as_ref().map_or(0, |ns| hasher.hash_one(ns.as_str()) | 1),
            name: hasher.hash_one(id.name.as_str()),
            builtin_scope: schema::builtin_scope(&id.group, &id.kind),
        }
    }
}

type Hasher = foldhash::fast::RandomState;

/// Whether an object may be left out at all: objects named by the server (`generateName`) are
/// always added or removed, and CRDs tell the scope of other kinds.
fn may_leave_out(r: &Resource) -> bool {
    let id = r.id();
    let crd = id.kind == "CustomResourceDefinition" && id.group == "apiextensions.k8s.io";
    !id.generate_name && !crd
}

/// OLD: every plain object is left out, remembered by its identity.
struct OldSide<'h> {
    hasher: &'h Hasher,
}

impl DocumentFilter for OldSide<'_> {
    type Tag = Digest;

    fn skip(&self, r: &Resource) -> Option<Digest> {
        may_leave_out(r).then(|| Digest::of(r, self.hasher))
    }
}

/// A NEW object left out, and the index of its byte-identical OLD partner.
struct Pairing {
    digest: Digest,
    partner: u32,
    /// The texts are byte-identical (else the pair is compared, in a batch).
    identical: bool,
}

/// NEW: an object is left out when an OLD object was left out under the same identity.
struct NewSide<'o> {
    hasher: &'o Hasher,
    old: &'o [Skipped<Digest>],
    /// OLD objects left out, by a hash of their digest; [`AMBIGUOUS`] when two share it.
    by_digest: HashMap<u64, u32, Hasher>,
    /// The same, by a hash of their documents' whole texts: a NEW document with the same text
    /// is not even read.
    by_text: HashMap<u64, u32, Hasher>,
}

/// Two OLD objects left out share a digest hash: neither is a partner.
const AMBIGUOUS: u32 = u32::MAX;

impl<'o> NewSide<'o> {
    fn new(old: &'o Loaded<Digest>, hasher: &'o Hasher) -> NewSide<'o> {
        let index = |key: &dyn Fn(&Skipped<Digest>) -> u64| {
            let mut map: HashMap<u64, u32, Hasher> =
                HashMap::with_capacity_and_hasher(old.skipped.len(), Hasher::default());
            for (i, s) in old.skipped.iter().enumerate() {
                let i = u32::try_from(i).unwrap_or(AMBIGUOUS);
                map.entry(key(s)).and_modify(|e| *e = AMBIGUOUS).or_insert(i);
            }
            map
        };
        let by_digest = index(&|s| hasher.hash_one(s.tag));
        let by_text = index(&|s| hasher.hash_one(&s.source.text()[s.document_range()]));
        NewSide { hasher, old: &old.skipped, by_digest, by_text }
    }
}

impl DocumentFilter for NewSide<'_> {
    type Tag = Pairing;
    const SKIPS_TEXT: bool = true;

    fn skip_text(&self, text: &str) -> Option<(Pairing, std::ops::Range<usize>)> {
        let partner = *self.by_text.get(&self.hasher.hash_one(text))?;
        let old = self.old.get(partner as usize)?;
        let range = old.document_range();
        if old.source.text().get(range.clone()) != Some(text) {
            return None;
        }
        let root = old.root_range();
        let pairing = Pairing { digest: old.tag, partner, identical: true };
        Some((pairing, root.start - range.start..root.end - range.start))
    }

    fn skip(&self, r: &Resource) -> Option<Pairing> {
        if !may_leave_out(r) || self.by_digest.is_empty() {
            return None;
        }
        let digest = Digest::of(r, self.hasher);
        let partner = *self.by_digest.get(&self.hasher.hash_one(digest))?;
        let old = self.old.get(partner as usize).filter(|old| old.tag == digest)?;
        // Equal texts are equal objects, identity included. Differing objects are paired by
        // digest (three 64-bit hashes with a per-run seed) and compared by the ordinary diff.
        let identical = old.source.text().get(old.root_range()) == Some(r.node().source_text());
        Some(Pairing { digest, partner, identical })
    }
}

/// An identity key as the diff forms it, in hashes: (group, kind), namespace, name.
type Key = (u64, u64, u64);

/// What the diff would decide about an identical pair, from the identities of both sides.
struct Checks<'h> {
    hasher: &'h Hasher,
    crd_scopes: HashMap<u64, bool>,
    default_ns: u64,
    cluster: u64,
    /// How many objects of each side have a key (by a hash of the key: a collision only
    /// counts more, which parses a pair again for nothing).
    counts: [HashMap<u64, u32, Hasher>; 2],
}

impl<'h> Checks<'h> {
    fn new(
        old: &Loaded<Digest>,
        new: &Loaded<Pairing>,
        hasher: &'h Hasher,
        crds: &Crds,
        options: &DiffOptions,
    ) -> Checks<'h> {
        let crd_scopes = crds
            .iter()
            .map(|((group, kind), info)| (hasher.hash_one((group, kind)), info.namespaced))
            .collect();
        let namespace = |ns: &str| hasher.hash_one(ns) | 1;
        let default_ns = namespace(options.namespace.as_deref().unwrap_or("default"));
        let mut checks = Checks { hasher, crd_scopes, default_ns, cluster: 0, counts: Default::default() };
        let kept = |set: &ManifestSet| -> Vec<Digest> {
            set.resources().iter().filter(|r| !r.id().generate_name).map(|r| Digest::of(r, hasher)).collect()
        };
        let old_side = kept(&old.set).into_iter().chain(old.skipped.iter().map(|s| s.tag));
        let new_side = kept(&new.set).into_iter().chain(new.skipped.iter().map(|s| s.tag.digest));
        let counted = |side: &mut dyn Iterator<Item = Digest>, checks: &Checks<'_>| {
            let mut counts: HashMap<u64, u32, Hasher> = HashMap::default();
            for d in side {
                *counts.entry(checks.slot(&checks.key(&d).0)).or_default() += 1;
            }
            counts
        };
        checks.counts = [counted(&mut { old_side }, &checks), counted(&mut { new_side }, &checks)];
        checks
    }

    fn slot(&self, key: &Key) -> u64 {
        self.hasher.hash_one(key)
    }

    /// The identity key, whether the scope is known, and whether a namespace is ignored.
    fn key(&self, d: &Digest) -> (Key, bool, bool) {
        let scope = d.builtin_scope.or_else(|| self.crd_scopes.get(&d.group_kind).copied());
        let written = (d.namespace != 0).then_some(d.namespace);
        let (namespace, ignored) = key_namespace(scope, written, self.default_ns, self.cluster);
        ((d.group_kind, namespace, d.name), scope.is_some(), ignored)
    }

    fn count(&self, side: usize, key: &Key) -> u32 {
        self.counts[side].get(&self.slot(key)).copied().unwrap_or(0)
    }

    /// Whether the diff would pair these two objects with each other and say nothing else about
    /// them (so a pair can be compared on its own, or counted when identical): a key unique on both sides, no ignored namespace (a warning),
    /// and, for a kind of unknown scope, no object under the other spelling of its key (the
    /// diff matches "no namespace" and the default namespace to each other).
    fn pair_is_plain(&self, d: &Digest) -> bool {
        let (key, scope_known, ignored) = self.key(d);
        let unique = (0..2).all(|side| self.count(side, &key) == 1);
        let alias = match key.1 {
            _ if scope_known => None,
            ns if ns == self.cluster => Some(self.default_ns),
            ns if ns == self.default_ns => Some(self.cluster),
            _ => None,
        };
        unique
            && !ignored
            && alias.is_none_or(|ns| (0..2).all(|side| self.count(side, &(key.0, ns, key.2)) == 0))
    }
}
