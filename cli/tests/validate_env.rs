//! Black-box tests of `gitops-kit validate --env/--branch/--commit/--code-repo/--against`: the
//! rules that need the environment (GK-G003, GK-G006, GK-R009, GK-G002 in production) and the
//! overlay baseline (GK-G010), in text and JSON, with real git repositories made by the git CLI.

mod common;
use common::*;

use std::path::Path;

const CONFIG: &str = r#"version: 1
images:
  - id: web
    repository: registry.example.com/shop/web
    tag_scheme: "{branch}-{sha:12}"
environments:
  stg: {manifest_branch: stg, code_branch: stg, target: {namespace: shop-stg}}
  prd:
    manifest_branch: prd
    after: [stg]
    target: {namespace: shop}
    policy: {allowed_code_refs: [stg]}
previews: {branch_pattern: "pr-*", namespace_template: "shop-pr-{pr}"}
validation:
  rules: {GK-G005: off}
"#;

fn deployment(namespace: &str, image: &str) -> String {
    format!(
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: {namespace}
spec:
  replicas: 1
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      securityContext: {{runAsNonRoot: true, seccompProfile: {{type: RuntimeDefault}}}}
      containers:
        - name: web
          image: {image}
          resources: {{requests: {{cpu: 100m, memory: 128Mi}}}}
          securityContext: {{allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {{drop: [ALL]}}}}
"
    )
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", stdout(out), stderr(out)))
}

/// `(rule, severity, line, column, message)` of every finding.
fn findings(report: &serde_json::Value) -> Vec<(String, String, u64, u64, String)> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["rule"].as_str().unwrap().to_string(),
                f["severity"].as_str().unwrap().to_string(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
                f["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn env_rules_in_text_and_json() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "gitops-kit.yaml", CONFIG);
    write(tmp.path(), "web.yaml", &deployment("shop-stg", "nginx:stable"));
    let args = ["validate", "web.yaml", "--config", "gitops-kit.yaml", "--env", "prd"];
    let text = run_in(tmp.path(), &args);
    assert_eq!(text.status.code(), Some(1), "{}", stderr(&text));
    let out = stdout(&text);
    assert!(out.contains("web.yaml:5:14: error[GK-G006]: namespace \"shop-stg\" is not the namespace of environment \"prd\" (\"shop\")"), "{out}");
    assert!(out.contains("web.yaml:7:13: info[GK-R009]"), "{out}");
    // GK-G002 is an error in production.
    assert!(out.contains("web.yaml:15:18: error[GK-G002]"), "{out}");

    let report = json(&run_in(tmp.path(), &[&args[..], &["-o", "json"]].concat()));
    let rules: Vec<(String, String)> = findings(&report).into_iter().map(|f| (f.0, f.1)).collect();
    assert_eq!(
        rules,
        [("GK-G006", "error"), ("GK-R009", "info"), ("GK-G002", "error")]
            .map(|(a, b)| (a.to_string(), b.to_string()))
    );

    // In stg (not production) the namespace fits, GK-R009 does not run and GK-G002 is a warning.
    let stg = json(&run_in(
        tmp.path(),
        &["validate", "web.yaml", "--config", "gitops-kit.yaml", "--env", "stg", "-o", "json"],
    ));
    let stg: Vec<(String, String)> = findings(&stg).into_iter().map(|f| (f.0, f.1)).collect();
    assert_eq!(stg, [("GK-G002".to_string(), "warning".to_string())]);

    // --branch resolves through previews.
    let pr = json(&run_in(
        tmp.path(),
        &["validate", "web.yaml", "--config", "gitops-kit.yaml", "--branch", "pr-4", "-o", "json"],
    ));
    assert!(findings(&pr).iter().any(|f| f.0 == "GK-G006" && f.4.contains("\"shop-pr-4\"")), "{pr}");
}

#[test]
fn env_errors_are_clear_and_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "gitops-kit.yaml", CONFIG);
    write(tmp.path(), "only-validation.yaml", "validation:\n  strict: true\n");
    write(tmp.path(), "web.yaml", &deployment("shop", "nginx:1.25.3"));
    let unknown = run_in(tmp.path(), &["validate", "web.yaml", "--config", "gitops-kit.yaml", "--env", "qa"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains(
            "error[validate.unknown-environment]: no environment \"qa\" (known environments: stg, prd)"
        ),
        "{}",
        stderr(&unknown)
    );
    let missing =
        run_in(tmp.path(), &["validate", "web.yaml", "--config", "only-validation.yaml", "--env", "prd"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).starts_with("error[validate.config]: only-validation.yaml:1:1: "),
        "{}",
        stderr(&missing)
    );
    let no_config = run_in(tmp.path(), &["validate", "web.yaml", "--env", "prd"]);
    assert_eq!(no_config.status.code(), Some(2));
    let no_env = run_in(tmp.path(), &["validate", "web.yaml", "--commit", "abcdef1"]);
    assert_eq!(no_env.status.code(), Some(2));
    assert!(stderr(&no_env).contains("need an environment"), "{}", stderr(&no_env));
}

/// A code repository: `main` with one commit, `stg` with a second, `feature` with a third.
fn code_repo(dir: &Path) -> (String, String, String) {
    git(dir, &["init", "-q", "-b", "main"]);
    write(dir, "src.txt", "one\n");
    git(dir, &["add", "."]);
    git(dir, &["commit", "-q", "-m", "one"]);
    let main = git(dir, &["rev-parse", "HEAD"]);
    git(dir, &["checkout", "-q", "-b", "stg"]);
    write(dir, "src.txt", "two\n");
    git(dir, &["commit", "-q", "-am", "two"]);
    let stg = git(dir, &["rev-parse", "HEAD"]);
    git(dir, &["checkout", "-q", "-b", "feature"]);
    write(dir, "src.txt", "three\n");
    git(dir, &["commit", "-q", "-am", "three"]);
    let feature = git(dir, &["rev-parse", "HEAD"]);
    (main, stg, feature)
}

#[test]
fn g003_links_tags_to_commits_of_the_code_repository() {
    let tmp = tempfile::tempdir().unwrap();
    let code = tmp.path().join("code");
    std::fs::create_dir(&code).unwrap();
    let (main, stg, feature) = code_repo(&code);
    write(tmp.path(), "gitops-kit.yaml", CONFIG);
    let image = |sha: &str| format!("registry.example.com/shop/web:stg-{}", &sha[..12]);
    let check = |sha: &str, extra: &[&str]| {
        write(tmp.path(), "web.yaml", &deployment("shop", &image(sha)).replace("replicas: 1", "replicas: 2"));
        let mut args =
            vec!["validate", "web.yaml", "--config", "gitops-kit.yaml", "--env", "prd", "-o", "json"];
        args.extend(["--code-repo", code.to_str().unwrap()]);
        args.extend(extra);
        let report = json(&run_in(tmp.path(), &args));
        findings(&report)
            .into_iter()
            .filter(|f| f.0 == "GK-G003")
            .map(|f| (f.2, f.3, f.4))
            .collect::<Vec<_>>()
    };
    // Built from stg (and main, an ancestor of stg): reachable from the allowed code ref.
    assert_eq!(check(&stg, &[]), []);
    assert_eq!(check(&main, &[]), []);
    assert_eq!(check(&stg, &["--commit", &stg]), []);
    // Built from a feature branch that never reached stg.
    let off = check(&feature, &[]);
    assert_eq!(off.len(), 1, "{off:?}");
    assert_eq!((off[0].0, off[0].1), (15, 18));
    assert!(
        off[0].2.contains(&format!("links to commit {feature}, which is not reachable from stg")),
        "{off:?}"
    );
    // Not the commit recorded for the environment.
    let wrong = check(&stg, &["--commit", &main]);
    assert!(wrong.len() == 1 && wrong[0].2.contains("not from"), "{wrong:?}");
    // A sha no commit has.
    let none = check("0000000000000000000000000000000000000000", &[]);
    assert!(none.len() == 1 && none[0].2.contains("links to no commit of the code repository"), "{none:?}");
}

#[test]
fn g010_compares_with_a_git_baseline() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path();
    git(repo, &["init", "-q", "-b", "stg"]);
    let base = deployment("shop-stg", "registry.example.com/shop/web:stg-aaaaaaaaaaaa");
    write(repo, "deploy/web.yaml", &base.replace("cpu: 100m", "cpu: 50m"));
    let secret = |ns: &str, value: &str| {
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata: {{name: web, namespace: {ns}}}\ndata:\n  password: {value}\n"
        )
    };
    write(repo, "deploy/secret.yaml", &secret("shop-stg", "c2VjcmV0"));
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", "stg"]);
    // The working tree is prd: other namespace, image and resources (allowed), another
    // strategy (not allowed), and a changed ConfigMap value.
    let prd = deployment("shop", "registry.example.com/shop/web:stg-bbbbbbbbbbbb")
        .replace("spec:\n  replicas: 1", "spec:\n  replicas: 1\n  strategy: {type: Recreate}");
    write(repo, "deploy/web.yaml", &prd);
    write(repo, "deploy/secret.yaml", &secret("shop", "b3RoZXI="));
    let out = run_in(
        repo,
        &[
            "validate",
            "deploy",
            "--against",
            "git:stg:deploy",
            "--repo",
            ".",
            "-o",
            "json",
            "--skip-rule",
            "GK-G005,GK-G002,GK-SEC009",
        ],
    );
    let report = json(&out);
    let g010: Vec<_> = findings(&report).into_iter().filter(|f| f.0 == "GK-G010").collect();
    assert_eq!(g010.len(), 2, "{g010:?}");
    // The Secret's value is located at its data key; the Deployment's strategy at the field.
    assert_eq!((g010[0].2, g010[0].3), (4, 1), "{g010:?}");
    assert!(g010[0].4.starts_with("data.password differs from the baseline git:stg:deploy"), "{g010:?}");
    // The baseline has the server default (RollingUpdate): the diff compares with it.
    assert_eq!((g010[1].2, g010[1].3), (8, 20), "{g010:?}");
    assert!(g010[1].4.starts_with("spec.strategy.type differs from the baseline"), "{g010:?}");
    assert_eq!(g010[0].1, "info");
    // Secret values never reach the output, in any format.
    for format in ["text", "json", "sarif", "github"] {
        let args = [
            "validate",
            "deploy",
            "--against",
            "git:stg:deploy",
            "--repo",
            ".",
            "-o",
            format,
            "--skip-rule",
            "GK-SEC009",
        ];
        let printed = stdout(&run_in(repo, &args));
        assert!(printed.contains("GK-G010"), "{printed}");
        assert!(!printed.contains("c2VjcmV0") && !printed.contains("b3RoZXI="), "{format}: {printed}");
    }
}

#[test]
fn list_rules_shows_the_environment_rules() {
    let rules = stdout(&run(&["validate", "--list-rules"]));
    for line in ["GK-G003    error", "GK-G010    info", "GK-R009    info"] {
        assert!(rules.contains(line), "{line}: {rules}");
    }
    let help = stdout(&run(&["validate", "--help"]));
    for flag in
        ["--env <NAME>", "--branch <BRANCH>", "--commit <SHA>", "--code-repo <DIR>", "--against <SOURCE>"]
    {
        assert!(help.contains(flag), "{flag}: {help}");
    }
}
