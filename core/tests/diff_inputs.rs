//! `DiffInputs` leaves byte-identical objects out of memory; its report must be exactly the
//! report of the whole sets. Checked on every diff conformance vector and on generated sets
//! built to hit the cases where leaving a pair out would change the answer (duplicates,
//! namespace defaulting, unknown scopes, CRDs, generated names, lists, documents granit reads).

use gitops_kit::diff::{DiffInputs, DiffOptions, Format, diff, render_sets};
use gitops_kit::manifest::ManifestSet;
use serde_json::Value;
use std::path::Path;

/// The whole-set report and the `DiffInputs` report, as JSON.
fn both_reports(old: &str, new: &str, options: &DiffOptions) -> Option<(Value, Value, usize)> {
    let whole_old = ManifestSet::from_str_with(old, "<old>", &options.parse).ok()?;
    let whole_new = ManifestSet::from_str_with(new, "<new>", &options.parse).ok()?;
    let whole = serde_json::to_value(diff(&whole_old, &whole_new, options)).unwrap();
    let inputs = DiffInputs::from_texts(old, new, options).expect("both texts parsed whole");
    let lean = serde_json::to_value(inputs.diff()).unwrap();
    // The outputs that show documents parse the reported pairs again.
    for format in [Format::Unified, Format::Patch] {
        let expected = render_sets(&whole_old, &whole_new, options, format, false).output;
        assert_eq!(inputs.render(format, false).output, expected, "{format:?}");
    }
    Some((whole, lean, inputs.identical()))
}

#[test]
fn every_diff_vector_gives_the_same_report_from_diff_inputs() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/diff");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let docs = gitops_kit::yaml::to_json_documents(&text, "vector", &Default::default()).unwrap();
        let vector = &docs[0];
        if !vector["call"].as_str().is_some_and(|c| c.starts_with("diff_texts")) {
            continue;
        }
        let args = &vector["args"];
        let Ok(options) = DiffOptions::from_json(&args["options"]) else { continue };
        let (old, new) = (args["old"].as_str().unwrap_or(""), args["new"].as_str().unwrap_or(""));
        if let Some((whole, lean, _)) = both_reports(old, new, &options) {
            assert_eq!(whole, lean, "{}", path.display());
            checked += 1;
        }
    }
    assert!(checked > 50, "only {checked} vectors checked");
}

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const CRD: &str = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: widgets.example.com}\nspec:\n  group: example.com\n  scope: Namespaced\n  names: {kind: Widget, plural: widgets}\n";

/// One document drawn from a small space, so that sides share identities and texts often.
fn document(rng: &mut Rng) -> String {
    let kind = rng.pick(&[
        "v1|ConfigMap",
        "v1|Namespace",
        "example.com/v1|Widget",
        "rbac.authorization.k8s.io/v1|ClusterRole",
    ]);
    let (api, kind) = kind.split_once('|').unwrap();
    let name = rng.pick(&["a", "b"]);
    let namespace = rng.pick(&["", "", "  namespace: default\n", "  namespace: other\n"]);
    let value = rng.pick(&["1", "2"]);
    match rng.next() % 10 {
        0 => CRD.to_string(),
        1 => format!(
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: {api}\n  kind: {kind}\n  metadata: {{name: {name}}}\n"
        ),
        2 => format!("apiVersion: {api}\nkind: {kind}\nmetadata:\n  generateName: {name}-\n"),
        // An anchor: granit reads this document and the rest of its file.
        3 if rng.next().is_multiple_of(3) => format!(
            "apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: {name}\n{namespace}data: &d {{v: '{value}'}}\n"
        ),
        _ => format!(
            "apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: {name}\n{namespace}data: {{v: '{value}'}}\n"
        ),
    }
}

/// OLD: a few random documents. NEW: OLD's documents mostly kept as they are (so identical
/// pairs are common), some replaced, dropped or joined by new ones.
fn sides(rng: &mut Rng) -> (String, String) {
    let old: Vec<String> = (0..rng.next() % 7).map(|_| document(rng)).collect();
    let mut new = Vec::new();
    for doc in &old {
        match rng.next() % 10 {
            0 => {}
            1 | 2 => new.push(document(rng)),
            _ => new.push(doc.clone()),
        }
    }
    if rng.next().is_multiple_of(3) {
        new.push(document(rng));
    }
    (old.join("---\n"), new.join("---\n"))
}

#[test]
fn generated_sets_give_the_same_report_from_diff_inputs() {
    let option_sets = [
        DiffOptions::default(),
        DiffOptions { namespace: Some("other".into()), ..Default::default() },
        DiffOptions { explain: true, ..Default::default() },
    ];
    let mut identical = 0;
    for seed in 1..=1500u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let (old, new) = sides(&mut rng);
        let options = &option_sets[(seed % 3) as usize];
        let (whole, lean, skipped) = both_reports(&old, &new, options).expect("generated texts parse");
        assert_eq!(whole, lean, "seed {seed}\n--- old\n{old}\n--- new\n{new}");
        identical += skipped;
    }
    // The generator must exercise the left-out path, not only the fall-backs.
    assert!(identical > 500, "only {identical} pairs left out");
}

/// Every file of the shared corpus (skipped when absent) against itself and against its
/// documents in reverse order: real YAML (block scalars, anchors, lists, JSON) through both
/// ways of diffing.
#[test]
fn corpus_files_give_the_same_report_from_diff_inputs() {
    let dir = std::env::var_os("GITOPS_KIT_CORPUS")
        .map_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"), Into::into);
    if !dir.is_dir() {
        return;
    }
    let options = DiffOptions::default();
    let mut checked = 0;
    for file in gitops_kit::manifest::manifest_files_below(&dir).unwrap_or_default() {
        let Ok(text) = std::fs::read_to_string(&file) else { continue };
        let mut documents: Vec<&str> = text.split("\n---\n").collect();
        documents.reverse();
        let reversed = documents.join("\n---\n");
        for new in [text.as_str(), reversed.as_str()] {
            let Ok(whole_old) = ManifestSet::from_str_with(&text, "<old>", &options.parse) else { continue };
            let Ok(whole_new) = ManifestSet::from_str_with(new, "<new>", &options.parse) else { continue };
            let whole = serde_json::to_value(diff(&whole_old, &whole_new, &options)).unwrap();
            let inputs = DiffInputs::from_texts(&text, new, &options).expect("parsed whole");
            let lean = serde_json::to_value(inputs.diff()).unwrap();
            assert_eq!(whole, lean, "{}", file.display());
            checked += 1;
        }
    }
    eprintln!("corpus: {checked} diffs checked");
}
