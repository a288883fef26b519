//! Black-box tests of `gitops-kit validate`: golden output for every format, exit codes, options.
//! Regenerate the golden files with `UPDATE_GOLDEN=1 cargo test -p gitops-kit-cli --test validate`.

mod common;
use common::*;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/validate")
}

fn run(args: &[&str]) -> Output {
    run_in(&dir(), args)
}

#[test]
fn every_output_format_matches_its_golden_file() {
    for format in ["text", "json", "junit", "sarif", "github", "tap"] {
        let out = run(&["validate", "app.yaml", "broken.yaml", "ok.yaml", "-o", format]);
        assert_eq!(out.status.code(), Some(1), "{format}: {}", stderr(&out));
        let golden = dir().join(format!("expected.{format}"));
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            std::fs::write(&golden, stdout(&out)).unwrap();
        }
        let want = std::fs::read_to_string(&golden).unwrap();
        assert_eq!(stdout(&out), want, "{format} differs from {}", golden.display());
    }
}

#[test]
fn json_report_has_the_documented_shape() {
    let out = run(&["validate", "app.yaml", "-o", "json"]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let keys: Vec<&str> = report.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["schema", "summary", "findings"]);
    assert_eq!(report["schema"], "gitops-kit/validate/v1");
    let summary = report["summary"].as_object().unwrap();
    let keys: Vec<&str> = summary.keys().map(String::as_str).collect();
    assert_eq!(keys, ["files", "resources", "errors", "warnings", "infos", "suppressed"]);
    let first = &report["findings"][0];
    for key in [
        "rule",
        "severity",
        "message",
        "help",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
        "pointer",
        "resource",
    ] {
        assert!(first.get(key).is_some(), "finding lacks {key}: {first}");
    }
    assert_eq!(
        first["resource"],
        serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment", "namespace": "shop", "name": "web"})
    );
    let positions: Vec<(String, u64, u64)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["file"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut sorted = positions.clone();
    sorted.sort();
    assert_eq!(positions, sorted, "findings are sorted");
}

#[test]
fn exit_codes_follow_fail_on() {
    assert_eq!(run(&["validate", "ok.yaml"]).status.code(), Some(0));
    let with_info = run(&["validate", "app.yaml", "--skip-rule", "GK-S005,GK-S006,GK-S010,GK-G001,GK-S003"]);
    assert_eq!(with_info.status.code(), Some(0), "{}", stdout(&with_info));
    let fail_info = run(&[
        "validate",
        "app.yaml",
        "--skip-rule",
        "GK-S005,GK-S006,GK-S010,GK-G001,GK-S003",
        "--fail-on",
        "info",
    ]);
    assert_eq!(fail_info.status.code(), Some(1));
    let missing = run(&["validate", "nope.yaml"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).starts_with("error[manifest.not-found]"), "{}", stderr(&missing));
    let bad_version = run(&["validate", "ok.yaml", "--kubernetes-version", "1.12"]);
    assert_eq!(bad_version.status.code(), Some(2));
    assert!(stderr(&bad_version).contains("validate.unknown-version"), "{}", stderr(&bad_version));
    assert_eq!(run(&["validate", "ok.yaml", "-o", "yaml"]).status.code(), Some(2));
    assert_eq!(run(&["validate", "ok.yaml", "--skip-rule", "GK-X1"]).status.code(), Some(2));
}

#[test]
fn options_change_the_result() {
    let strict = run(&["validate", "app.yaml", "-o", "json"]);
    assert!(stdout(&strict).contains("GK-S006"));
    let relaxed = run(&["validate", "app.yaml", "-o", "json", "--no-strict"]);
    assert!(!stdout(&relaxed).contains("GK-S006"));
    let tmp = tempfile::tempdir().unwrap();
    let config = tmp.path().join("gitops-kit.yaml");
    std::fs::write(
        &config,
        "validation:\n  rules:\n    GK-G001: off\n  exclude:\n    - path: app.yaml\n      rules: [GK-S003]\n",
    )
    .unwrap();
    let out = run(&["validate", "app.yaml", "-o", "json", "--config", config.to_str().unwrap()]);
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rules: Vec<&str> =
        report["findings"].as_array().unwrap().iter().map(|f| f["rule"].as_str().unwrap()).collect();
    assert!(!rules.contains(&"GK-G001") && !rules.contains(&"GK-S003"), "{rules:?}");
    assert_eq!(report["summary"]["suppressed"], 1);
    std::fs::write(&config, "validation:\n  rules:\n    GK-G001: sometimes\n").unwrap();
    let bad = run(&["validate", "app.yaml", "--config", config.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).starts_with("error[validate.config]"), "{}", stderr(&bad));
}

#[test]
fn lists_versions_and_rules() {
    let versions = run(&["validate", "--list-versions"]);
    assert_eq!(versions.status.code(), Some(0));
    assert!(stdout(&versions).starts_with("1.27\n"), "{}", stdout(&versions));
    assert!(stdout(&versions).contains("1.37\n"));
    let rules = run(&["validate", "--list-rules"]);
    assert!(stdout(&rules).contains("GK-G011    off"), "{}", stdout(&rules));
    let help = run(&["validate", "--help"]);
    assert!(stdout(&help).contains("--kubernetes-version"));
}

#[test]
fn stdin_is_a_source() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_gitops-kit"))
        .args(["validate", "-", "-o", "github"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"apiVersion: v1\nkind: Namespace\nmetadata: {name: Shop}\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).starts_with("::error file=<stdin>,line=3,col=18,endLine=3,endColumn=22,title=GK-S011::"),
        "{}",
        stdout(&out)
    );
}

/// Built-in enums with did-you-mean, and GK-S016 scoped to what is applied together: two
/// alternative files of a directory do not collide until a kustomization lists both.
#[test]
fn enums_and_duplicate_scope_from_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    let cm =
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\ndata: {mode: fast}\n";
    let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: web, namespace: shop}\nspec:\n  restartPolicy: Nevr\n  containers: [{name: web, image: nginx:1.27.0}]\n";
    std::fs::write(dir.path().join("install.yaml"), cm).unwrap();
    std::fs::write(dir.path().join("namespace-install.yaml"), cm).unwrap();
    std::fs::write(dir.path().join("pod.yaml"), pod).unwrap();
    let out = run_in(dir.path(), &["validate", ".", "-o", "github", "--fail-on", "error"]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains(
            "file=./pod.yaml,line=5,col=18,endLine=5,endColumn=22,title=GK-S005::string \"Nevr\" is not one of \"Always\", \"OnFailure\", \"Never\" (did you mean \"Never\"?)"
        ),
        "{text}"
    );
    assert!(!text.contains("GK-S016"), "{text}");
    std::fs::write(
        dir.path().join("kustomization.yaml"),
        "resources: [install.yaml, namespace-install.yaml]\npatches: [{path: patch.yaml}]\n",
    )
    .unwrap();
    // The kustomization (no apiVersion/kind) also names a patch: a partial object, not checked.
    let patch = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 3}\n";
    std::fs::write(dir.path().join("patch.yaml"), patch).unwrap();
    let text = stdout(&run_in(dir.path(), &["validate", ".", "-o", "github"]));
    assert!(text.contains("title=GK-S016::/ConfigMap \"settings\" is defined twice"), "{text}");
    assert!(!text.contains("patch.yaml"), "{text}");
}
