//! Integration tests of `gitops_kit::env`: the sample configuration, promotion order, the
//! located sections, and the bounds of `next_open`.

use gitops_kit::env::{Approval, Config, parse_instant};
use std::path::Path;
use std::time::Instant;

fn sample_text() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/gitops-kit.yaml");
    std::fs::read_to_string(path).expect("examples/gitops-kit.yaml")
}

#[test]
fn the_reference_sample_loads() {
    let cfg = Config::from_str(&sample_text(), "gitops-kit.yaml").unwrap();
    assert_eq!(cfg.order(), vec!["dev", "stg", "prd"]);
    assert_eq!(cfg.next("stg").unwrap(), vec!["prd"]);
    assert_eq!(cfg.previous("prd").unwrap(), vec!["stg"]);
    assert!(cfg.warnings().is_empty());
    let prd = cfg.resolve("prd").unwrap().unwrap();
    assert_eq!(prd.target.cluster.as_deref(), Some("prd-eu-1"));
    assert_eq!(prd.promotion["mode"], "pr");
    // Policy: defaults overridden by the environment's own.
    assert_eq!(prd.policy["require_digest"], true);
    assert_eq!(prd.policy["forbid_latest"], true);
    assert_eq!(cfg.resolve("dev").unwrap().unwrap().policy["require_digest"], false);
    let images = cfg.section("images").unwrap();
    assert_eq!(images.span().start.line, 6);
    assert!(cfg.validation().is_none() && cfg.diff().is_none());
}

#[test]
fn validation_and_diff_sections_are_handed_over_located() {
    let text = "version: 1\nenvironments: {}\nvalidation:\n  rules: {latest-tag: error}\ndiff:\n  ignore: [/status]\n";
    let cfg = Config::from_str(text, "c.yaml").unwrap();
    let v = cfg.validation().unwrap();
    assert_eq!((v.span().start.line, v.span().start.column), (4, 3));
    assert_eq!(v.pointer("/rules/latest-tag").unwrap().as_str(), Some("error"));
    assert_eq!(cfg.section_json("diff"), Some(serde_json::json!({"ignore": ["/status"]})));
    assert_eq!(cfg.diff().unwrap().document().source().name(), "c.yaml");
}

#[test]
fn order_is_topological_and_stable() {
    let text = "version: 1\nenvironments:\n  prd: {manifest_branch: prd, after: [stg-eu, stg-us]}\n  stg-us: {manifest_branch: stg-us, after: [dev]}\n  stg-eu: {manifest_branch: stg-eu, after: [dev]}\n  dev: {manifest_branch: dev}\n";
    let cfg = Config::from_str(text, "c.yaml").unwrap();
    assert_eq!(cfg.order(), vec!["dev", "stg-us", "stg-eu", "prd"]);
    assert_eq!(cfg.next("dev").unwrap(), vec!["stg-us", "stg-eu"]);
    assert_eq!(cfg.previous("prd").unwrap(), vec!["stg-us", "stg-eu"]);
    assert_eq!(cfg.next("nope").unwrap_err().code(), "env.no-such-environment");
}

#[test]
fn every_error_is_located_and_check_lists_them_all() {
    let text = "version: 1\nenvironments:\n  a: {manifest_branch: a, after: [x]}\n  b: {manifest_branch: b, colour: red}\n";
    let err = Config::from_str(text, "c.yaml").unwrap_err();
    assert_eq!(err.code(), "env.unknown-environment");
    assert_eq!(err.location().map(|l| (l.line, l.column)), Some((3, 35)));
    assert!(err.to_string().starts_with("c.yaml:3:35: "), "{err}");
    let report = Config::check(text, "c.yaml").unwrap();
    let codes: Vec<&str> = report.errors.iter().map(|e| e.code.as_str()).collect();
    assert_eq!(codes, vec!["env.unknown-environment", "env.unknown-key"]);
    assert!(!report.valid);
}

#[test]
fn next_open_is_bounded_for_a_gate_that_never_opens() {
    // A deny window covering every minute: the search must stop, not spin.
    let text = r#"
version: 1
environments:
  prd:
    manifest_branch: prd
    windows:
      allow: [{cron: "0 9 * * *", duration: 1h}]
      deny: [{cron: "* * * * *", duration: 1m}]
"#;
    let started = Instant::now();
    let cfg = Config::from_str(text, "c.yaml").unwrap();
    assert_eq!(cfg.warnings()[0].code, "env.never-open");
    let gate = cfg.gate("prd", parse_instant("2026-11-30T09:30:00Z").unwrap(), &[], None).unwrap();
    assert!(!gate.open);
    assert_eq!(gate.next_open, None);
    assert_eq!(gate.reasons[0].code, "deny-window");
    // Not a speed goal (that is the bench's job): only proof that the search ends.
    assert!(started.elapsed().as_secs() < 120);
}

#[test]
fn leap_day_windows_are_found_years_ahead() {
    let text = "version: 1\nenvironments:\n  x:\n    manifest_branch: x\n    windows: {allow: [{cron: \"0 0 29 2 *\", duration: 1d}]}\n";
    let cfg = Config::from_str(text, "c.yaml").unwrap();
    assert!(cfg.warnings().is_empty());
    let gate = cfg.gate("x", parse_instant("2026-11-30T00:00:00Z").unwrap(), &[], None).unwrap();
    assert_eq!(gate.next_open.as_deref(), Some("2028-02-29T00:00:00Z"));
}

#[test]
fn approvals_parse_from_cli_and_json_forms() {
    let a: Approval = "alice:sre,dba".parse().unwrap();
    assert_eq!(a.groups, vec!["sre", "dba"]);
    assert!(":sre".parse::<Approval>().is_err());
    let bad = Approval::list_from_json(&serde_json::json!([{"who": "x", "group": "typo"}]));
    assert_eq!(bad.unwrap_err().code(), "env.invalid-argument");
}

#[test]
fn answers_are_deterministic() {
    let cfg = Config::from_str(&sample_text(), "gitops-kit.yaml").unwrap();
    let at = parse_instant("2026-12-24T10:00:00Z").unwrap();
    let a = serde_json::to_string(&cfg.gate("prd", at, &[], None).unwrap()).unwrap();
    let b = serde_json::to_string(&cfg.gate("prd", at, &[], None).unwrap()).unwrap();
    assert_eq!(a, b);
    assert!(a.contains("\"next_open\":\"2026-12-28T08:00:00Z\""), "{a}");
}
