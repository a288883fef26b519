//! Black-box tests of `gitops-kit diff`: sources, formats, exit codes, secrets, rules, git refs.

mod common;
use common::*;

use std::path::Path;
use std::process::Command;

const OLD: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  replicas: 2\n  template:\n    spec:\n      containers:\n      - {name: app, image: 'app:1', resources: {limits: {cpu: 1000m}}}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: shop}\nstringData: {password: hunter2}\n";
const NEW: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  replicas: 3\n  template:\n    spec:\n      containers:\n      - {name: app, image: 'app:2', resources: {limits: {cpu: '1'}}}\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: shop}\nstringData: {password: swordfish}\n";

fn write_pair(dir: &Path) -> (String, String) {
    let (a, b) = (dir.join("old.yaml"), dir.join("new.yaml"));
    std::fs::write(&a, OLD).unwrap();
    std::fs::write(&b, NEW).unwrap();
    (a.to_str().unwrap().to_string(), b.to_str().unwrap().to_string())
}

#[test]
fn text_output_has_paths_values_and_locations_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = write_pair(dir.path());
    let out = run(&["diff", &a, &b]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("spec.template.spec.containers[name=app].image  [rollout]"), "{text}");
    assert!(text.contains(&format!("- app:1  {a}:9:")), "{text}");
    assert!(text.contains(&format!("+ app:2  {b}:9:")), "{text}");
    assert!(text.contains("data.password  [config]\n    changed (hidden)"), "{text}");
    assert!(!text.contains("cpu"), "equal quantities are not drift: {text}");
    assert!(!text.contains('\u{1b}'), "no colour when not a terminal");
}

#[test]
fn no_output_format_leaks_a_secret_value() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = write_pair(dir.path());
    for format in ["text", "json", "markdown", "unified", "patch"] {
        let out = run(&["diff", &a, &b, "-o", format, "--explain"]);
        let s = stdout(&out);
        for secret in ["hunter2", "swordfish", "aHVudGVyMg", "c3dvcmRmaXNo", "7 bytes", "9 bytes"] {
            assert!(!s.contains(secret), "{format} leaks {secret}: {s}");
        }
    }
    let shown = stdout(&run(&["diff", &a, &b, "--show-secrets"]));
    assert!(shown.contains("c3dvcmRmaXNo"), "--show-secrets shows the (base64) value: {shown}");
}

#[test]
fn json_report_follows_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = write_pair(dir.path());
    let out = run(&["diff", &a, &b, "-o", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "gitops-kit/diff/v1");
    assert_eq!(v["summary"]["changed"], 2);
    assert_eq!(v["exit_code"], 1);
    let web = &v["resources"][1];
    assert_eq!(web["resource"]["kind"], "Deployment");
    let image = &web["changes"][1];
    assert_eq!(image["pointer"], "/spec/template/spec/containers/0/image");
    assert_eq!(image["old_location"]["file"], a.as_str());
    assert_eq!(image["new_location"]["line"], 9);
    assert_eq!(web["changes"][0]["path"], "spec.replicas");
    assert_eq!(web["changes"][0]["impact"], "scale");
}

#[test]
fn identical_inputs_exit_0_and_ignored_changes_do_not_count() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = write_pair(dir.path());
    let out = run(&["diff", &a, &a]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let c = dir.path().join("c.yaml");
    std::fs::write(&c, OLD.replace("replicas: 2", "replicas: 5")).unwrap();
    let ignored = run(&["diff", &a, c.to_str().unwrap(), "--ignore", "spec.replicas"]);
    assert_eq!(ignored.status.code(), Some(0), "{}", stdout(&ignored));
    assert!(stdout(&ignored).contains("1 resources: spec.replicas 2 → 5 (suppressed by spec.replicas)"));
    let scoped =
        run(&["diff", &a, c.to_str().unwrap(), "--ignore", "{path: spec.replicas, kind: StatefulSet}"]);
    assert_eq!(scoped.status.code(), Some(1), "a rule for another kind does not apply");
}

#[test]
fn fail_on_selects_impact_classes() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = write_pair(dir.path());
    let c = dir.path().join("c.yaml");
    std::fs::write(&c, OLD.replace("replicas: 2", "replicas: 5")).unwrap();
    assert_eq!(run(&["diff", &a, c.to_str().unwrap(), "--fail-on", "rollout"]).status.code(), Some(0));
    assert_eq!(run(&["diff", &a, c.to_str().unwrap(), "--fail-on", "rollout,scale"]).status.code(), Some(1));
    let bad = run(&["diff", &a, c.to_str().unwrap(), "--fail-on", "everything"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).starts_with("error[diff.invalid-argument]"), "{}", stderr(&bad));
}

#[test]
fn usage_and_input_errors_exit_2() {
    let only_one = run(&["diff", "x.yaml"]);
    assert_eq!(only_one.status.code(), Some(2));
    let missing = run(&["diff", "/nonexistent/a.yaml", "/nonexistent/b.yaml"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).starts_with("error[manifest."), "{}", stderr(&missing));
    let bad_rule = run(&["diff", "-", "-", "--ignore", "a[b"]);
    assert_eq!(bad_rule.status.code(), Some(2));
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.yaml");
    std::fs::write(&broken, "a: [1\n").unwrap();
    let out = run(&["diff", broken.to_str().unwrap(), broken.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("error[yaml.parse]"), "{}", stderr(&out));
    assert!(run(&["diff", "--help"]).status.success());
}

#[test]
fn stdin_live_list_export_against_a_directory_with_markdown() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("desired")).unwrap();
    std::fs::write(
        dir.path().join("desired/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {a: '1'}\n",
    )
    .unwrap();
    let live = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: cfg, namespace: prod, uid: x, resourceVersion: '9'}\n  data: {a: '2'}\n";
    let out = run_stdin(
        &["diff", "-", dir.path().join("desired").to_str().unwrap(), "-n", "prod", "-o", "markdown"],
        live,
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let md = stdout(&out);
    assert!(md.contains("| ConfigMap | 0 | 0 | 1 | 0 |"), "{md}");
    assert!(md.contains("<details><summary>changed: v1 ConfigMap prod/cfg</summary>"), "{md}");
}

#[test]
fn config_file_diff_section_gives_rules() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = write_pair(dir.path());
    let c = dir.path().join("c.yaml");
    std::fs::write(&c, OLD.replace("replicas: 2", "replicas: 5")).unwrap();
    let cfg = dir.path().join("gitops-kit.yaml");
    std::fs::write(&cfg, "diff:\n  ignore:\n  - spec.replicas\n").unwrap();
    let out = run(&["diff", &a, c.to_str().unwrap(), "--config", cfg.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    std::fs::write(&cfg, "diff:\n  mode: sideways\n").unwrap();
    let bad = run(&["diff", &a, &a, "--config", cfg.to_str().unwrap()]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("gitops-kit.yaml:2:3"), "{}", stderr(&bad));
}

fn git(dir: &Path, args: &[&str]) {
    let ok = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .status()
        .unwrap()
        .success();
    assert!(ok, "git {args:?}");
}

#[test]
fn two_branches_compare_without_checkout() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git(repo, &["init", "-q", "-b", "prd"]);
    std::fs::create_dir_all(repo.join("manifests")).unwrap();
    std::fs::write(repo.join("manifests/app.yaml"), OLD).unwrap();
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "prd"]);
    git(repo, &["checkout", "-q", "-b", "stg"]);
    std::fs::write(repo.join("manifests/app.yaml"), NEW).unwrap();
    git(repo, &["commit", "-q", "-am", "stg"]);
    let r = repo.to_str().unwrap();
    let out = run(&["diff", "--repo", r, "git:prd:manifests", "git:stg:manifests", "-o", "json"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let change = &v["resources"][1]["changes"][0];
    assert_eq!(change["old_location"]["file"], "git:prd:manifests/app.yaml");
    assert_eq!(change["new_location"]["file"], "git:stg:manifests/app.yaml");
    let same = run(&["diff", "--repo", r, "--old", "git:stg:manifests", "--new", "git:stg:manifests"]);
    assert_eq!(same.status.code(), Some(0));
}
