//! Black-box tests of `gitops-kit env`: output schemas, exit codes and located errors.

mod common;
use common::*;

use std::path::{Path, PathBuf};
use std::process::Output;

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/gitops-kit.yaml")
}

fn run(args: &[&str]) -> Output {
    run_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
}

fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn help_everywhere() {
    for args in [
        &["env", "--help"][..],
        &["env", "resolve", "--help"],
        &["env", "gate", "--help"],
        &["env", "list", "--help"],
        &["env", "check-config", "--help"],
    ] {
        let o = run(args);
        assert!(o.status.success(), "{args:?}");
        assert!(text(&o.stdout).contains("Usage: gitops-kit env"), "{args:?}");
    }
}

#[test]
fn resolve_json_and_exit_codes() {
    let cfg = sample();
    let cfg = cfg.to_str().unwrap();
    let o = run(&["env", "resolve", "stg", "--config", cfg, "-o", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let v = json(&o);
    assert_eq!(v["schema"], "gitops-kit/env/v1");
    assert_eq!(v["environment"], "stg");
    assert_eq!(v["target"], serde_json::json!({"cluster": "stg-1", "namespace": "orders-stg"}));
    assert_eq!(v["promotion"]["from_code_branch"], "stg");
    assert_eq!(v["preview"], serde_json::Value::Null);
    let pr = json(&run(&["env", "resolve", "pr-17", "--config", cfg, "-o", "json"]));
    assert_eq!(pr["preview"]["namespace"], "orders-pr-17");
    let none = run(&["env", "resolve", "feature/x", "--config", cfg]);
    assert_eq!(none.status.code(), Some(1));
    assert!(text(&none.stdout).contains("no environment or preview matches"));
}

#[test]
fn config_defaults_to_the_current_directory() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(sample(), dir.path().join("gitops-kit.yaml")).unwrap();
    let o = run_in(dir.path(), &["env", "list"]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(out.starts_with("ENVIRONMENT"), "{out}");
    assert!(out.contains("prd: allow: cron \"0 9 * * 1-4\" for 7h (Europe/Berlin)"), "{out}");
    let missing = run_in(dir.path(), &["env", "list", "--config", "nope.yaml"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        text(&missing.stderr).starts_with("error[env.io]: cannot read nope.yaml"),
        "{}",
        text(&missing.stderr)
    );
}

#[test]
fn gate_open_and_closed() {
    let cfg = sample();
    let cfg = cfg.to_str().unwrap();
    let base = ["env", "gate", "prd", "--config", cfg, "-o", "json"];
    // Tuesday 10:00 Berlin, two approvers from the groups, neither the author.
    let mut args = base.to_vec();
    args.extend([
        "--at",
        "2026-12-01T09:00:00Z",
        "--approved-by",
        "ann:sre",
        "--approved-by",
        "ben:orders-owners",
        "--author",
        "cat",
    ]);
    let o = run(&args);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    let v = json(&o);
    assert_eq!(v["schema"], "gitops-kit/gate/v1");
    assert_eq!(v["open"], true);
    assert_eq!(v["window"]["kind"], "allow");
    // Self-approval does not count: closed, exit 1, with the reason.
    let mut args = base.to_vec();
    args.extend([
        "--at",
        "2026-12-01T09:00:00Z",
        "--approved-by",
        "ann:sre",
        "--approved-by",
        "ben:sre",
        "--author",
        "ben",
    ]);
    let o = run(&args);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(v["reasons"][0]["code"], "approvals");
    assert_eq!(v["approvals"]["ignored"][0], serde_json::json!({"who": "ben", "reason": "self-approval"}));
    // Friday: closed by the US freeze and outside windows; text names the next opening.
    let o = run(&["env", "gate", "prd", "--config", cfg, "--at", "2026-11-27T10:00:00Z"]);
    assert_eq!(o.status.code(), Some(1));
    let out = text(&o.stdout);
    assert!(
        out.contains("CLOSED")
            && out.contains("freeze: frozen from")
            && out.contains("next open: 2026-12-01T08:00:00Z"),
        "{out}"
    );
}

#[test]
fn gate_without_at_reads_the_clock() {
    let cfg = sample();
    let o = run(&["env", "gate", "dev", "--config", cfg.to_str().unwrap(), "-o", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let at = json(&o)["at"].as_str().unwrap().to_string();
    assert!(at.starts_with("20") && at.ends_with('Z'), "{at}");
}

#[test]
fn usage_errors_exit_2() {
    let cfg = sample();
    let cfg = cfg.to_str().unwrap();
    let bad_time = run(&["env", "gate", "prd", "--config", cfg, "--at", "tomorrow"]);
    assert_eq!(bad_time.status.code(), Some(2));
    assert!(text(&bad_time.stderr).starts_with("error[env.invalid-argument]"));
    let unknown = run(&["env", "gate", "qa", "--config", cfg]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(text(&unknown.stderr).starts_with("error[env.no-such-environment]"));
}

#[test]
fn check_config_lists_located_errors() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("gitops-kit.yaml");
    std::fs::write(&bad, "version: 1\nenvironments:\n  a: {manifest_branch: a, after: [b]}\n  b:\n    manifest_branch: b\n    after: [a]\n    windows: {timezone: Europe/Paris, allow: [{cron: \"0 9 * * 1-5\", duration: 8 hours}]}\n").unwrap();
    let o = run_in(dir.path(), &["env", "check-config"]);
    assert_eq!(o.status.code(), Some(1));
    let out = text(&o.stdout);
    assert!(out.contains("error[env.cycle]: gitops-kit.yaml:6:13: "), "{out}");
    assert!(out.contains("error[env.invalid-duration]: gitops-kit.yaml:7:79: "), "{out}");
    let o = run_in(dir.path(), &["env", "check-config", "-o", "json"]);
    let v = json(&o);
    assert_eq!(v["schema"], "gitops-kit/env-config/v1");
    assert_eq!(v["valid"], false);
    assert_eq!(v["errors"].as_array().unwrap().len(), 2);
    let good = run(&["env", "check-config", sample().to_str().unwrap()]);
    assert_eq!(good.status.code(), Some(0), "{}", text(&good.stdout));
    // Loading commands stop at the first error with the standard error line.
    let o = run_in(dir.path(), &["env", "list"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o.stderr).starts_with("error[env.cycle]: gitops-kit.yaml:6:13: "), "{}", text(&o.stderr));
}
