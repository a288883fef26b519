//! Black-box tests of `gitops-kit diff -o unified` and `-o patch`: golden outputs, exit codes,
//! drift against a live export, and Secret values that never appear.
//!
//! Golden files live in `tests/diff_outputs/`; after an intended change of the output,
//! regenerate them with the commands in each test (run inside that directory).

mod common;
use common::*;

use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/diff_outputs")
}

fn golden(name: &str) -> String {
    std::fs::read_to_string(fixtures().join(name)).expect("golden file")
}

/// Every spelling of the Secret values of the fixtures: plain, base64, and their lengths.
const SECRETS: [&str; 12] = [
    "hunter2",
    "aHVudGVyMg",
    "correct-horse-battery",
    "Y29ycmVjdC1ob3JzZS1iYXR0ZXJ5",
    "s3cr3t-t0ken",
    "czNjcjN0LXQwa2Vu",
    "old-api-key-value",
    "b2xkLWFwaS1rZXktdmFsdWU",
    "new-api-key-value",
    "bmV3LWFwaS1rZXktdmFsdWU",
    "bytes",
    "length",
];

#[test]
fn unified_output_matches_golden_and_exits_1() {
    // regenerate: gitops-kit diff old new -o unified > expected.unified
    let out = run_in(&fixtures(), &["diff", "old", "new", "-o", "unified"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(stdout(&out), golden("expected.unified"));
}

#[test]
fn unified_output_shows_only_reported_changes() {
    let text = golden("expected.unified");
    // One header pair per object with differences, /dev/null for the missing side.
    assert_eq!(text.matches("\n+++ ").count() + usize::from(text.starts_with("+++ ")), 5, "{text}");
    assert!(
        text.starts_with("--- /dev/null\n+++ new/v1/ConfigMap/shop/features\tnew/app.yaml:44\n"),
        "{text}"
    );
    assert!(text.contains("--- old/v1/ConfigMap/shop/legacy\told/app.yaml:43\n+++ /dev/null\n"), "{text}");
    // Equal quantities (1000m = 1) and the reordered containers are no difference.
    assert!(!text.contains("cpu: \"1\""), "{text}");
    assert!(!text.contains("+        - name: metrics"), "{text}");
    assert!(text.contains(
        "-          image: registry.example.com/web:1.4.0\n+          image: registry.example.com/web:1.5.0\n"
    ));
    assert!(
        text.contains("-  password: <hidden>\n+  password: \"<hidden: changed>\"\n+  token: <hidden>\n"),
        "{text}"
    );
    assert!(text.contains("   user: <hidden>\n"), "an unchanged value has the same placeholder: {text}");
}

#[test]
fn patch_output_matches_golden_and_follows_the_schema() {
    // regenerate: gitops-kit diff old new -o patch > expected.patch.json
    let out = run_in(&fixtures(), &["diff", "old", "new", "-o", "patch"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(stdout(&out), golden("expected.patch.json"));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "gitops-kit/diff-patch/v1");
    let kinds: Vec<(&str, &str)> = v["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["resource"]["kind"].as_str().unwrap(), r["change"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("ConfigMap", "added"),
            ("ConfigMap", "removed"),
            ("Secret", "changed"),
            ("Service", "changed"),
            ("Deployment", "changed")
        ]
    );
    assert_eq!(v["resources"][0]["patch"][0]["path"], "");
    assert_eq!(v["resources"][1]["patch"], serde_json::json!([{"op": "remove", "path": ""}]));
    assert_eq!(v["resources"][2]["hidden"], true);
    assert_eq!(v["warnings"][0]["code"], "diff.patch-hidden-values");
}

#[test]
fn drift_against_a_live_export_patches_only_what_apply_would_change() {
    // regenerate (in drift/): gitops-kit diff live.yaml desired.yaml -o unified > ../drift.unified
    let dir = fixtures().join("drift");
    let out = run_in(&dir, &["diff", "live.yaml", "desired.yaml", "-o", "unified"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert_eq!(stdout(&out), golden("drift.unified"));
    let patch = run_in(&dir, &["diff", "live.yaml", "desired.yaml", "-o", "patch"]);
    assert_eq!(stdout(&patch), golden("drift.patch.json"));
    let v: Value = serde_json::from_slice(&patch.stdout).unwrap();
    // Server defaults and the injected sidecar are not removed: apply mode does not own them.
    assert_eq!(
        v["resources"][1]["patch"],
        serde_json::json!([{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "app:2"}])
    );
}

#[test]
fn no_secret_value_or_length_in_unified_or_patch() {
    let runs = [(fixtures(), ["old", "new"]), (fixtures().join("drift"), ["live.yaml", "desired.yaml"])];
    for (dir, [a, b]) in &runs {
        for format in ["unified", "patch"] {
            for args in
                [vec!["diff", a, b, "-o", format], vec!["diff", b, a, "-o", format, "--mode", "strict"]]
            {
                let out = run_in(dir, &args);
                assert_eq!(out.status.code(), Some(1), "{args:?}: {}", stderr(&out));
                let s = stdout(&out);
                for secret in SECRETS {
                    assert!(!s.contains(secret), "{args:?} leaks {secret}: {s}");
                }
            }
        }
    }
}

#[test]
fn show_secrets_makes_the_patch_applicable() {
    let out = run_in(&fixtures(), &["diff", "old", "new", "-o", "patch", "--show-secrets"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["warnings"], serde_json::json!([]));
    let secret = &v["resources"][2];
    assert!(secret.get("hidden").is_none());
    assert_eq!(secret["patch"][0]["value"], "Y29ycmVjdC1ob3JzZS1iYXR0ZXJ5");
    let unified = stdout(&run_in(&fixtures(), &["diff", "old", "new", "-o", "unified", "--show-secrets"]));
    assert!(unified.contains("+  token: czNjcjN0LXQwa2Vu\n"), "{unified}");
}

#[test]
fn identical_inputs_print_nothing_and_exit_0() {
    let unified = run_in(&fixtures(), &["diff", "old", "old", "-o", "unified"]);
    assert_eq!(unified.status.code(), Some(0), "{}", stderr(&unified));
    assert_eq!(stdout(&unified), "");
    let patch = run_in(&fixtures(), &["diff", "old", "old", "-o", "patch"]);
    assert_eq!(patch.status.code(), Some(0));
    let v: Value = serde_json::from_slice(&patch.stdout).unwrap();
    assert_eq!(v["resources"], serde_json::json!([]));
    assert_eq!(v["exit_code"], 0);
}

#[test]
fn ignore_rules_apply_to_unified_and_patch() {
    let rule = "spec.template.spec.containers[name=app].env";
    let out = run_in(&fixtures(), &["diff", "old", "new", "-o", "unified", "--ignore", rule]);
    let text = stdout(&out);
    assert!(!text.contains("MODE"), "ignored paths leave both documents: {text}");
    assert!(text.contains("+          image: registry.example.com/web:1.5.0"), "{text}");
}

#[test]
fn errors_exit_2_and_are_listed_after_the_diff() {
    let dir = tempfile::tempdir().unwrap();
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: '1'}\n";
    std::fs::write(dir.path().join("a.yaml"), format!("{cm}---\n{cm}")).unwrap();
    std::fs::write(dir.path().join("b.yaml"), cm).unwrap();
    let out = run_in(dir.path(), &["diff", "a.yaml", "b.yaml", "-o", "unified"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("# error[diff.duplicate-identity]: /ConfigMap/default/c:"),
        "{}",
        stdout(&out)
    );
    let bad = run_in(dir.path(), &["diff", "a.yaml", "b.yaml", "-o", "yaml"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn secret_key_env_adds_keyed_fingerprints() {
    let keyed = |args: &[&str]| {
        let mut cmd = bin();
        cmd.current_dir(fixtures()).env("GK_TEST_SECRET_KEY", "k").args(args);
        cmd.output().expect("run gitops-kit")
    };
    let text = stdout(&keyed(&["diff", "old", "new", "--secret-key-env", "GK_TEST_SECRET_KEY"]));
    // printf %s hunter2 | openssl dgst -sha256 -hmac k
    assert!(text.contains("changed (hidden) hmac-sha256:0cd9cde64b418f83 → hmac-sha256:"), "{text}");
    let unified =
        stdout(&keyed(&["diff", "old", "new", "-o", "unified", "--secret-key-env", "GK_TEST_SECRET_KEY"]));
    assert!(unified.contains("-  password: \"<hidden: hmac-sha256:0cd9cde64b418f83>\"\n"), "{unified}");
    for out in [&text, &unified] {
        for secret in SECRETS {
            assert!(!out.contains(secret), "leaks {secret}: {out}");
        }
    }
    let unset = run_in(&fixtures(), &["diff", "old", "new", "--secret-key-env", "GK_TEST_UNSET_VARIABLE"]);
    assert_eq!(unset.status.code(), Some(2));
    assert!(stderr(&unset).contains("GK_TEST_UNSET_VARIABLE is not set"), "{}", stderr(&unset));
}
