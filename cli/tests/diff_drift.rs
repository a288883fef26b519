//! Black-box tests of the drift options of `gitops-kit diff`: --mode ownership, --manager,
//! --show-foreign, --hide, --set-semantics, --baseline and --write-baseline.

mod common;
use common::*;

const LIVE: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  uid: 3c3c
  managedFields:
  - manager: argocd-controller
    operation: Apply
    fieldsType: FieldsV1
    fieldsV1:
      f:spec: {f:template: {f:spec: {f:containers: {'k:{"name":"app"}': {.: {}, f:image: {}, f:name: {}}}}}}
spec:
  template:
    spec:
      containers:
      - {name: app, image: "app:1"}
      - {name: istio-proxy, image: "proxyv2:1.20"}
"#;
const DESIRED: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop}\nspec:\n  template:\n    spec:\n      containers:\n      - {name: app, image: 'app:1'}\n";

fn files(dir: &std::path::Path, old: &str, new: &str) -> (String, String) {
    let (a, b) = (dir.join("old.yaml"), dir.join("new.yaml"));
    std::fs::write(&a, old).unwrap();
    std::fs::write(&b, new).unwrap();
    (a.display().to_string(), b.display().to_string())
}

#[test]
fn ownership_mode_hides_webhook_fields_until_asked() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = files(dir.path(), LIVE, DESIRED);
    assert_eq!(run(&["diff", &a, &b, "--mode", "strict"]).status.code(), Some(1));
    let out = run(&["diff", &a, &b, "--mode", "ownership"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("1 foreign changes (not shown; --show-foreign lists them)"),
        "{}",
        stdout(&out)
    );
    let shown = run(&["diff", &a, &b, "--mode", "ownership", "--show-foreign"]);
    assert_eq!(shown.status.code(), Some(0));
    assert!(stdout(&shown).contains("foreign (webhook): not counted"), "{}", stdout(&shown));
    let (_, changed) = files(dir.path(), LIVE, &DESIRED.replace("'app:1'", "'app:2'"));
    let real = run(&["diff", &a, &changed, "--mode", "ownership", "--manager", "argocd-*"]);
    assert_eq!(real.status.code(), Some(1), "a real image change still counts");
}

#[test]
fn hide_reports_hidden_changes_and_keeps_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let old = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels: {helm.sh/chart: x-1.2}\n";
    let (a, b) = files(dir.path(), old, &old.replace("x-1.2", "x-1.3"));
    let rule = r#"metadata.labels["helm.sh/chart"]"#;
    let hidden = run(&["diff", &a, &b, "--hide", rule]);
    assert_eq!(hidden.status.code(), Some(1));
    let text = stdout(&hidden);
    assert!(
        text.contains("warning[diff.hidden-changes]: 1 hidden change exist") && !text.contains("x-1.3"),
        "{text}"
    );
    assert_eq!(run(&["diff", &a, &b, "--ignore", rule]).status.code(), Some(0));
}

#[test]
fn set_semantics_flag() {
    let dir = tempfile::tempdir().unwrap();
    let old = "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec:\n  metrics: [{type: A}, {type: B}]\n";
    let (a, b) = files(dir.path(), old, &old.replace("[{type: A}, {type: B}]", "[{type: B}, {type: A}]"));
    assert_eq!(run(&["diff", &a, &b]).status.code(), Some(1));
    assert_eq!(run(&["diff", &a, &b, "--set-semantics", "hpa-metrics-set"]).status.code(), Some(0));
    let bad = run(&["diff", &a, &b, "--set-semantics", "metrics"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).starts_with("error[diff.invalid-argument]"), "{}", stderr(&bad));
}

#[test]
fn write_baseline_then_baseline_acknowledges_until_the_value_changes() {
    let dir = tempfile::tempdir().unwrap();
    let old = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {mode: blue}\n";
    let (a, b) = files(dir.path(), old, &old.replace("blue", "green"));
    let baseline = dir.path().join("drift.json").display().to_string();
    let first = run(&["diff", &a, &b, "--write-baseline", &baseline]);
    assert_eq!(first.status.code(), Some(1), "writing a baseline does not change the verdict");
    let written: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    assert_eq!(written["schema"], "gitops-kit/diff-baseline/v1");
    assert_eq!(written["changes"][0]["path"], "data.mode");
    let acked = run(&["diff", &a, &b, "--baseline", &baseline, "-o", "json"]);
    assert_eq!(acked.status.code(), Some(0), "{}", stdout(&acked));
    let report: serde_json::Value = serde_json::from_slice(&acked.stdout).unwrap();
    assert_eq!(report["summary"]["acknowledged"], 1);
    let (_, c) = files(dir.path(), old, &old.replace("blue", "red"));
    assert_eq!(run(&["diff", &a, &c, "--baseline", &baseline]).status.code(), Some(1));
    let missing = run(&["diff", &a, &b, "--baseline", "nope.json"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).starts_with("error[diff.invalid-baseline]"), "{}", stderr(&missing));
}
