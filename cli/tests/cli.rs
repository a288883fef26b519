//! Black-box tests of the `gitops-kit` binary: output, exit codes and error format.

mod common;
use common::*;

#[test]
fn version_and_help() {
    let v = run(&["--version"]);
    assert!(v.status.success());
    assert!(stdout(&v).starts_with("gitops-kit "));
    for cmd in ["manifests", "convert"] {
        let h = run(&[cmd, "--help"]);
        assert!(h.status.success(), "{cmd} --help");
        assert!(stdout(&h).contains("Usage: gitops-kit"), "{cmd}");
    }
}

#[test]
fn manifests_text_lists_every_object_with_location() {
    let out = run(&["manifests", examples().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("KIND"), "{text}");
    assert!(text.contains("Deployment  shop       web"), "{text}");
    assert!(text.contains("worker/worker.yaml:19:5"), "{text}");
    assert!(text.contains("warning[manifest.not-an-object]"), "{text}");
    assert!(text.ends_with("6 resources, 1 problems in 6 files\n"), "{text}");
}

#[test]
fn manifests_json_follows_the_schema() {
    let out = run(&["manifests", "-o", "json", examples().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "gitops-kit/manifests/v1");
    assert_eq!(v["files"], 6);
    let resources = v["resources"].as_array().unwrap();
    assert_eq!(resources.len(), 6);
    let web = resources.iter().find(|r| r["kind"] == "Deployment" && r["name"] == "web").unwrap();
    for key in ["apiVersion", "kind", "namespace", "name", "file", "document", "line", "column"] {
        assert!(web.get(key).is_some(), "missing {key}");
    }
    assert_eq!((web["line"].as_u64(), web["column"].as_u64()), (Some(2), Some(1)));
    assert_eq!(v["problems"][0]["code"], "manifest.not-an-object");
}

#[test]
fn parse_errors_exit_2_with_code_and_location() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.yaml");
    std::fs::write(&bad, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [a\n").unwrap();
    let out = run(&["manifests", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.starts_with("error[yaml.parse]: "), "{err}");
    assert!(err.contains("bad.yaml:"), "{err}");
    assert!(err.contains("  | "), "excerpt missing: {err}");
    assert!(stdout(&out).is_empty());
}

#[test]
fn missing_file_and_usage_errors_exit_2() {
    let out = run(&["manifests", "/definitely/not/here.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("error[manifest.not-found]: "));
    assert_eq!(run(&["manifests"]).status.code(), Some(2));
    assert_eq!(run(&["no-such-command"]).status.code(), Some(2));
    assert_eq!(run(&["manifests", "-o", "xml", "x"]).status.code(), Some(2));
}

#[test]
fn binary_input_is_an_error_not_a_crash() {
    let out = run_stdin(&["manifests", "-"], "apiVersion: v1\0\0\0");
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("error[yaml.binary]: <stdin>:1:"), "{}", stderr(&out));
}

#[test]
fn hostile_input_fails_fast() {
    let deep = "- ".repeat(100_000) + "x\n";
    let out = run_stdin(&["manifests", "-"], &deep);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).starts_with("error[yaml.limit]: "), "{}", stderr(&out));
}

#[test]
fn stdin_and_lenient_duplicates() {
    let text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n";
    let strict = run_stdin(&["manifests", "-"], text);
    assert_eq!(strict.status.code(), Some(2));
    assert!(stderr(&strict).contains("<stdin>:5:3"), "{}", stderr(&strict));
    let lenient = run_stdin(&["manifests", "--lenient", "-o", "json", "-"], text);
    assert_eq!(lenient.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&lenient.stdout).unwrap();
    assert_eq!(v["resources"][0]["name"], "b");
    assert_eq!(v["problems"][0]["code"], "yaml.duplicate-key");
}

#[test]
fn git_sources_read_a_ref_without_checkout() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    git(repo, &["init", "-q", "-b", "main"]);
    std::fs::create_dir_all(repo.join("deploy")).unwrap();
    std::fs::write(repo.join("deploy/cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: one\n")
        .unwrap();
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "one"]);
    git(repo, &["branch", "stg"]);
    std::fs::write(repo.join("deploy/cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: two\n")
        .unwrap();
    git(repo, &["commit", "-q", "-am", "two"]);

    let out = run(&["manifests", "--repo", repo.to_str().unwrap(), "-o", "json", "git:stg:deploy"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["resources"][0]["name"], "one");
    assert_eq!(v["resources"][0]["file"], "git:stg:deploy/cm.yaml");

    let missing = run(&["manifests", "--repo", repo.to_str().unwrap(), "git:nope:deploy"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).starts_with("error[git.ref-not-found]"), "{}", stderr(&missing));
}

#[test]
fn convert_prints_what_kubernetes_reads() {
    let out = run_stdin(&["convert", "-"], "a: 0755\nb: on\n---\nc: *x\n");
    assert_eq!(out.status.code(), Some(2), "unknown anchor must fail");
    let out = run_stdin(&["convert", "-"], "base: &b {x: 1}\nm:\n  <<: *b\n  z: yes\n");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), "{\"base\":{\"x\":1},\"m\":{\"x\":1,\"z\":true}}\n");
    let out = run_stdin(&["convert", "-o", "yaml", "-"], "v: '0644'\n");
    assert_eq!(stdout(&out), "---\nv: \"0644\"\n");
}
