//! Black-box tests of `gitops-kit image …` and `gitops-kit tag …`.

mod common;
use common::*;

#[test]
fn help_everywhere() {
    for args in [
        &["image", "--help"][..],
        &["image", "parse", "--help"],
        &["image", "lint", "--help"],
        &["image", "list", "--help"],
        &["image", "set", "--help"],
        &["image", "link", "--help"],
        &["tag", "--help"],
        &["tag", "render", "--help"],
        &["tag", "parse", "--help"],
    ] {
        let out = run(args);
        assert!(out.status.success(), "{args:?}");
        assert!(stdout(&out).contains("Usage: gitops-kit"), "{args:?}");
    }
}

#[test]
fn parse_json_contract_and_exit_codes() {
    let out = run(&["image", "parse", "-o", "json", "nginx", "ghcr.io/Org/app"]);
    assert_eq!(out.status.code(), Some(1), "one invalid reference exits 1");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = v.as_array().unwrap();
    for key in ["input", "valid", "domain", "path", "tag", "digest", "canonical", "familiar", "error"] {
        assert!(list[0].get(key).is_some(), "missing {key}");
    }
    assert_eq!(list[0]["canonical"], "docker.io/library/nginx");
    assert_eq!(list[0]["familiar"], "nginx");
    assert_eq!(list[1]["valid"], false);
    assert_eq!(list[1]["error"]["code"], "image.uppercase-repository");

    let ok = run(&["image", "parse", "user/app:1.0"]);
    assert_eq!(ok.status.code(), Some(0));
    assert_eq!(stdout(&ok), "user/app:1.0\tdocker.io/user/app:1.0\n");
    let strict = run(&["image", "parse", "--strict", "-o", "json", "user/app:1.0"]);
    let v: serde_json::Value = serde_json::from_slice(&strict.stdout).unwrap();
    assert_eq!(v[0]["domain"], "user");
}

#[test]
fn lint_exits_1_on_latest() {
    let out = run(&["image", "lint", "nginx:latest", "ghcr.io/org/app:v1.2.3"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("error[image.latest-tag]"), "{}", stdout(&out));
    assert_eq!(run(&["image", "lint", "ghcr.io/org/app:v1.2.3"]).status.code(), Some(0));
}

#[test]
fn list_examples_json() {
    let out = run(&["image", "list", "-o", "json", examples().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "gitops-kit/images/v1");
    let sites = v["sites"].as_array().unwrap();
    assert_eq!(sites.len(), 3);
    let web = &sites[0];
    for key in ["image", "file", "line", "column", "resource", "container", "pointer"] {
        assert!(web.get(key).is_some(), "missing {key}");
    }
    assert_eq!(web["resource"]["kind"], "Deployment");
    assert_eq!(web["resource"]["apiVersion"], "apps/v1");
    assert_eq!(web["pointer"], "/spec/template/spec/containers/0/image");
    let text = run(&["image", "list", examples().to_str().unwrap()]);
    assert!(stdout(&text).ends_with("3 images\n"));
}

#[test]
fn set_prints_then_writes_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("d.yaml");
    let other = dir.path().join("other.yaml");
    let text = "kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: a\n        image: \"nginx:1.25\" # keep\n";
    std::fs::write(&file, text).unwrap();
    std::fs::write(&other, "kind: Pod\nspec:\n  containers:\n  - image: redis:7\n").unwrap();
    let dirs = dir.path().to_str().unwrap();

    let out = run(&["image", "set", "nginx=:1.27", dirs]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out), text.replace("1.25", "1.27"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text, "not written without --in-place");

    let out = run(&["image", "set", "--in-place", "docker.io/library/nginx=:1.27", dirs]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("d.yaml:7:16: nginx:1.25 -> nginx:1.27"), "{}", stdout(&out));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), text.replace("1.25", "1.27"));

    let none = run(&["image", "set", "ghcr.io/none=:1", dirs]);
    assert_eq!(none.status.code(), Some(1));
    assert!(stderr(&none).contains("no image matched"));

    let forbidden = run(&["image", "set", "--forbid-latest", "redis=:latest", dirs]);
    assert_eq!(forbidden.status.code(), Some(2));
    assert!(stderr(&forbidden).starts_with("error[image.forbidden]: "), "{}", stderr(&forbidden));
    assert!(stderr(&forbidden).contains("other.yaml:4:12"), "{}", stderr(&forbidden));

    let bad = run(&["image", "set", "nginx=:a/b", dirs]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).starts_with("error[image.invalid-reference]"));
    assert_eq!(run(&["image", "set", dirs]).status.code(), Some(2));
}

#[test]
fn tag_render_parse_and_link() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    git(p, &["init", "-q", "-b", "main"]);
    git(p, &["commit", "-q", "--allow-empty", "-m", "one"]);
    let head = git(p, &["rev-parse", "HEAD"]);
    let repo = p.to_str().unwrap();
    let scheme = "{branch}-{sha:12}-{ts}";

    let out = run(&["tag", "render", "--scheme", scheme, "--repo", repo, "--rev", "main"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let tag = stdout(&out).trim().to_string();
    assert_eq!(tag, format!("main-{}-1718000000", &head[..12]));

    let parsed = run(&["tag", "parse", "--scheme", scheme, "-o", "json", &tag, "bad"]);
    assert_eq!(parsed.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&parsed.stdout).unwrap();
    assert_eq!(v["results"][0]["parsed"]["fields"]["sha"], &head[..12]);
    assert_eq!(v["results"][1]["error"]["code"], "image.scheme-mismatch");

    let image = format!("ghcr.io/org/app:{tag}");
    let link = run(&["image", "link", &image, "--scheme", scheme, "--code-repo", repo, "-o", "json"]);
    assert_eq!(link.status.code(), Some(0), "{}", stderr(&link));
    let v: serde_json::Value = serde_json::from_slice(&link.stdout).unwrap();
    assert_eq!(v["schema"], "gitops-kit/image-link/v1");
    assert_eq!(v["commit"], head.as_str());
    assert_eq!(v["confidence"], "high");

    let bad_scheme = run(&["tag", "parse", "--scheme", "{branch}/{sha}", "x"]);
    assert_eq!(bad_scheme.status.code(), Some(2));
    assert!(stderr(&bad_scheme).starts_with("error[image.invalid-scheme]"));
}
