//! Loading manifests from directories and the shared corpus, and YAML round trips.

use gitops_kit::manifest::{ManifestSet, SourceSpec};
use gitops_kit::yaml::{self, ParseOptions};
use std::path::{Path, PathBuf};

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("GITOPS_KIT_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/corpus"));
    dir.is_dir().then_some(dir)
}

#[test]
fn directory_loading_is_sorted_recursive_and_skips_hidden_dirs() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let cm = |name: &str| format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n");
    std::fs::create_dir_all(root.join("b/nested")).unwrap();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::write(root.join("b/nested/z.yml"), cm("z")).unwrap();
    std::fs::write(root.join("a.yaml"), cm("a")).unwrap();
    std::fs::write(root.join("c.json"), r#"{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}"#)
        .unwrap();
    std::fs::write(root.join(".git/hidden.yaml"), cm("hidden")).unwrap();
    std::fs::write(root.join("notes.txt"), "not yaml: [").unwrap();
    let set = ManifestSet::from_path(root, &ParseOptions::default()).unwrap();
    let names: Vec<&str> = set.resources().iter().map(|r| r.id().name.as_str()).collect();
    assert_eq!(names, ["a", "z", "c"]);
    assert_eq!(set.files().len(), 3);
}

#[test]
fn first_error_in_path_order_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("1.yaml"), "a: [").unwrap();
    std::fs::write(dir.path().join("2.yaml"), "b: {").unwrap();
    let err = ManifestSet::from_path(dir.path(), &ParseOptions::default()).unwrap_err();
    assert_eq!(err.code(), "yaml.parse");
    assert!(err.location().unwrap().file.ends_with("1.yaml"));
}

#[test]
fn invalid_utf8_file_is_located() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("latin1.yaml");
    std::fs::write(&path, b"kind: ConfigMap\ndata:\n  city: M\xfcnchen\n").unwrap();
    let err = ManifestSet::from_path(&path, &ParseOptions::default()).unwrap_err();
    assert_eq!(err.code(), "yaml.encoding");
    let loc = err.location().unwrap();
    assert_eq!((loc.line, loc.column), (3, 10));
}

#[test]
fn sources_parse_like_the_cli() {
    assert_eq!(
        SourceSpec::parse("git:main").unwrap(),
        SourceSpec::Git { rev: "main".into(), path: String::new() }
    );
    assert_eq!(SourceSpec::parse("./x").unwrap(), SourceSpec::Path("./x".into()));
    assert_eq!(SourceSpec::parse("git::x").unwrap_err().code(), "manifest.invalid-source");
}

#[test]
fn corpus_loads_and_round_trips() {
    let Some(corpus) = corpus() else {
        eprintln!("corpus absent: skipped");
        return;
    };
    let lenient = ParseOptions::lenient();
    let set = ManifestSet::from_path(&corpus, &lenient).expect("every corpus file parses leniently");
    assert!(set.files().len() > 1000, "{}", set.files().len());
    assert!(set.len() > 2300, "{}", set.len());
    for r in set.resources() {
        let json = r.to_json().unwrap_or_else(|e| panic!("{}: {e}", r.location()));
        // Our YAML output reads back as the same JSON.
        let text = yaml::to_yaml_string(&json);
        let back = yaml::to_json_documents(&text, "roundtrip", &ParseOptions::default())
            .unwrap_or_else(|e| panic!("{}: {e}\n{text}", r.location()));
        assert_eq!(back[0], json, "{}", r.location());
    }
    // Strict mode rejects exactly the files with duplicate keys.
    let strict_failures =
        set.files().iter().filter(|f| ManifestSet::from_path(f, &ParseOptions::default()).is_err()).count();
    assert_eq!(strict_failures, 7);
}
