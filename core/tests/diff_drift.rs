//! Drift features of `gitops_kit::diff` through the public API: ownership mode, output-only
//! filters, set semantics, change ids and acknowledged-drift baselines, and the config file.

use gitops_kit::diff::{self, Baseline, DiffOptions, Format, Mode, diff_texts, render_texts};
use serde_json::json;

fn opts(v: serde_json::Value) -> DiffOptions {
    DiffOptions::from_json(&v).unwrap()
}

/// A live Deployment: argocd-controller owns app's image and the label `team`; kubectl-edit
/// added env DEBUG; a webhook injected istio-proxy (no managedFields entry).
const LIVE: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: shop
  uid: 3c3c
  labels: {team: shop}
  managedFields:
  - manager: argocd-controller
    operation: Apply
    fieldsType: FieldsV1
    fieldsV1:
      f:metadata: {f:labels: {f:team: {}}}
      f:spec:
        f:template:
          f:spec:
            f:containers:
              k:{"name":"app"}: {.: {}, f:image: {}, f:name: {}}
  - manager: kubectl-edit
    operation: Update
    fieldsType: FieldsV1
    fieldsV1:
      f:spec:
        f:template:
          f:spec:
            f:containers:
              k:{"name":"app"}:
                f:env:
                  k:{"name":"DEBUG"}: {.: {}, f:name: {}, f:value: {}}
spec:
  template:
    spec:
      containers:
      - name: app
        image: app:1
        env: [{name: DEBUG, value: "1"}]
      - {name: istio-proxy, image: "proxyv2:1.20"}
"#;

const DESIRED: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: shop, labels: {team: shop}}\nspec:\n  template:\n    spec:\n      containers:\n      - {name: app, image: 'app:1'}\n";

#[test]
fn ownership_mode_hides_foreign_fields_and_keeps_ours() {
    let report = diff_texts(LIVE, DESIRED, &opts(json!({"mode": "ownership"}))).unwrap();
    assert_eq!(report.mode, Mode::Ownership);
    assert_eq!((report.exit_code, report.summary.foreign), (0, 2), "{report:#?}");
    assert!(report.resources.is_empty() && report.foreign.is_empty());
    let shown = diff_texts(LIVE, DESIRED, &opts(json!({"mode": "ownership", "showForeign": true}))).unwrap();
    assert_eq!(shown.exit_code, 0, "listing foreign changes does not count them");
    let owners: Vec<(&str, &str)> = shown.foreign[0]
        .changes
        .iter()
        .map(|c| (c.path.as_str(), c.foreign.as_deref().unwrap_or_default()))
        .collect();
    assert_eq!(
        owners,
        [
            ("spec.template.spec.containers[name=app].env[name=DEBUG]", "kubectl-edit"),
            ("spec.template.spec.containers[name=istio-proxy]", "webhook"),
        ]
    );
    // The same live object in strict mode: both count.
    let strict = diff_texts(LIVE, DESIRED, &opts(json!({"mode": "strict"}))).unwrap();
    assert_eq!(strict.exit_code, 1);
}

#[test]
fn ownership_mode_reports_our_live_only_fields_and_honours_manager() {
    let desired = DESIRED.replace(", labels: {team: shop}", "");
    let ours = diff_texts(LIVE, &desired, &opts(json!({"mode": "ownership"}))).unwrap();
    assert_eq!(ours.exit_code, 1);
    let c = &ours.resources[0].changes[0];
    assert_eq!((c.path.as_str(), c.foreign.as_deref()), ("metadata.labels.team", None));
    assert!(c.note.as_deref().unwrap_or_default().contains("applying removes it"));
    let theirs =
        diff_texts(LIVE, &desired, &opts(json!({"mode": "ownership", "manager": "flux-*"}))).unwrap();
    assert_eq!((theirs.exit_code, theirs.summary.foreign), (0, 3));
}

#[test]
fn ownership_mode_without_managed_fields_is_apply_mode() {
    let live = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, uid: x}\ndata: {a: '1', extra: '2'}\n";
    let desired = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: '1'}\n";
    let r = diff_texts(live, desired, &opts(json!({"mode": "ownership"}))).unwrap();
    assert_eq!((r.exit_code, r.summary.foreign), (0, 0));
    let strict = diff_texts(live, desired, &opts(json!({"mode": "strict"}))).unwrap();
    assert_eq!(strict.exit_code, 1);
}

#[test]
fn foreign_changes_in_text_and_markdown() {
    let hidden = render_texts(LIVE, DESIRED, &opts(json!({"mode": "ownership"})), Format::Text).unwrap();
    assert!(
        hidden.output.contains("2 foreign changes (not shown; --show-foreign lists them)"),
        "{}",
        hidden.output
    );
    assert!(!hidden.output.contains("istio-proxy"));
    let o = opts(json!({"mode": "ownership", "show_foreign": true}));
    let text = render_texts(LIVE, DESIRED, &o, Format::Text).unwrap().output;
    assert!(text.contains("foreign (webhook): not counted"), "{text}");
    let md = render_texts(LIVE, DESIRED, &o, Format::Markdown).unwrap().output;
    assert!(md.contains("foreign (not counted)") && md.contains("istio-proxy"), "{md}");
    // Unified and patch show only what counts: OLD stays as it is for foreign fields.
    let patch = render_texts(LIVE, DESIRED, &o, Format::Patch).unwrap().output;
    assert!(!patch.contains("istio-proxy"), "{patch}");
}

const CM_OLD: &str =
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels: {helm.sh/chart: x-1.2}\ndata: {k: v}\n";
const CM_NEW: &str =
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  labels: {helm.sh/chart: x-1.3}\ndata: {k: w}\n";

#[test]
fn hide_is_output_only_and_ignore_changes_the_verdict() {
    let rule = r#"metadata.labels["helm.sh/chart"]"#;
    let hidden =
        diff_texts(CM_OLD, &CM_NEW.replace("{k: w}", "{k: v}"), &opts(json!({"hide": [rule]}))).unwrap();
    assert_eq!((hidden.exit_code, hidden.summary.hidden, hidden.resources.len()), (1, 1, 0));
    assert_eq!(hidden.warnings[0].code, "diff.hidden-changes");
    let ignored =
        diff_texts(CM_OLD, &CM_NEW.replace("{k: w}", "{k: v}"), &opts(json!({"ignore": [rule]}))).unwrap();
    assert_eq!((ignored.exit_code, ignored.summary.hidden, ignored.summary.ignored), (0, 0, 1));
    // Other changes of the object stay visible; an ignore rule wins over a hide rule.
    let both = diff_texts(CM_OLD, CM_NEW, &opts(json!({"hide": [rule]}))).unwrap();
    assert_eq!(both.resources[0].changes.len(), 1);
    assert_eq!(both.resources[0].changes[0].path, "data.k");
    let won = diff_texts(CM_OLD, CM_NEW, &opts(json!({"hide": [rule], "ignore": [rule]}))).unwrap();
    assert_eq!((won.summary.hidden, won.summary.ignored), (0, 1));
    // fail_on still sees hidden changes.
    let fail = diff_texts(
        CM_OLD,
        &CM_NEW.replace("{k: w}", "{k: v}"),
        &opts(json!({"hide": [rule], "fail_on": "metadata"})),
    )
    .unwrap();
    assert_eq!(fail.exit_code, 1);
    for format in [Format::Unified, Format::Patch, Format::Markdown] {
        let out = render_texts(CM_OLD, CM_NEW, &opts(json!({"hide": [rule]})), format).unwrap().output;
        assert!(!out.contains("x-1.3"), "{format:?}: {out}");
    }
    let md = render_texts(CM_OLD, CM_NEW, &opts(json!({"hide": [rule]})), Format::Markdown).unwrap().output;
    assert!(md.contains("1 hidden change exist"), "{md}");
}

#[test]
fn set_semantics_names_are_checked() {
    let err = DiffOptions::from_json(&json!({"set_semantics": "spec.metrics"})).unwrap_err();
    assert_eq!(err.code(), "diff.invalid-argument");
    assert!(
        DiffOptions::from_json(&json!({"set_semantics": ["hpa-metrics-set", "Foo:spec.items[*].x"]})).is_ok()
    );
}

#[test]
fn ids_do_not_depend_on_files_order_or_mode() {
    let two =
        format!("{CM_OLD}---\napiVersion: v1\nkind: ConfigMap\nmetadata: {{name: b}}\ndata: {{k: '1'}}\n");
    let two_new =
        format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: b}}\ndata: {{k: '2'}}\n---\n{CM_NEW}");
    let a = diff_texts(&two, &two_new, &DiffOptions::default()).unwrap();
    let b = diff_texts(&format!("# comment\n{two}"), &two_new, &opts(json!({"mode": "strict"}))).unwrap();
    let ids = |r: &diff::DiffReport| -> Vec<String> {
        r.resources.iter().flat_map(|r| r.changes.iter().map(|c| c.id.clone())).collect()
    };
    assert_eq!(ids(&a), ids(&b));
    assert_eq!(ids(&a).len(), 3);
    let mut unique = ids(&a);
    unique.dedup();
    assert_eq!(unique.len(), 3);
}

#[test]
fn hidden_secret_ids_follow_the_value_and_never_reveal_it() {
    let old = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {p: aHVudGVyMg==}\n";
    let new =
        |v: &str| format!("apiVersion: v1\nkind: Secret\nmetadata: {{name: s}}\nstringData: {{p: {v}}}\n");
    let r1 = diff_texts(old, &new("hunter3"), &DiffOptions::default()).unwrap();
    let r2 = diff_texts(old, &new("hunter4"), &DiffOptions::default()).unwrap();
    let (c1, c2) = (&r1.resources[0].changes[0], &r2.resources[0].changes[0]);
    assert!(c1.hidden && c1.old.is_null() && c1.new.is_null());
    assert_ne!(c1.id, c2.id, "a new hidden value is a new id");
    let keyed = diff_texts(old, &new("hunter3"), &opts(json!({"secret_key": "k"}))).unwrap();
    assert_ne!(keyed.resources[0].changes[0].id, c1.id, "with a key the id is keyed too");
    let baseline = Baseline::from_report(&r1, None);
    let text = baseline.to_json_text() + &serde_json::to_string(&r1).unwrap();
    for leak in ["hunter", "aHVudGVy"] {
        assert!(!text.contains(leak), "{text}");
    }
    let acked =
        diff_texts(old, &new("hunter3"), &DiffOptions { baseline: Some(baseline), ..Default::default() })
            .unwrap();
    assert_eq!((acked.exit_code, acked.summary.acknowledged), (0, 1));
}

#[test]
fn baselines_are_written_read_and_keep_notes() {
    let dir = std::env::temp_dir().join(format!("gk-baseline-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("drift.json");
    let report = diff_texts(CM_OLD, CM_NEW, &DiffOptions::default()).unwrap();
    Baseline::from_report(&report, None).write(&path).unwrap();
    let mut read = Baseline::from_path(&path).unwrap();
    assert_eq!(read.changes.len(), 2);
    read.changes[0].note = Some("chart bump, accepted".into());
    let options = opts(json!({"baseline": path.display().to_string()}));
    let again = diff_texts(CM_OLD, CM_NEW, &DiffOptions { baseline: Some(read.clone()), ..options }).unwrap();
    assert_eq!((again.exit_code, again.acknowledged.len()), (0, 2));
    let rewritten = Baseline::from_report(&again, Some(&read));
    assert_eq!(rewritten.changes, read.changes, "acknowledged changes stay, with their notes");
    std::fs::write(&path, "{\"schema\": \"gitops-kit/diff-baseline/v2\"}").unwrap();
    let err = DiffOptions::from_json(&json!({"baseline": path.display().to_string()})).unwrap_err();
    assert_eq!(err.code(), "diff.invalid-baseline");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn config_file_carries_the_new_options() {
    let dir = std::env::temp_dir().join(format!("gk-diffcfg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("gitops-kit.yaml");
    std::fs::write(
        &path,
        "version: 1\nenvironments: {dev: {manifest_branch: dev}}\ndiff:\n  mode: ownership\n  manager: [argocd-*]\n  hide: ['metadata.labels']\n  set_semantics: hpa-metrics-set\n",
    )
    .unwrap();
    let o = DiffOptions::from_config_file(&path).unwrap();
    assert_eq!((o.mode, o.managers.len(), o.hide.len(), o.set_semantics.len()), (Mode::Ownership, 1, 1, 1));
    let cfg = gitops_kit::env::Config::from_path(&path).unwrap();
    assert_eq!(DiffOptions::from_config(&cfg).unwrap().mode, Mode::Ownership);
    // A relative baseline path is read next to the config file.
    std::fs::write(
        dir.join("drift.json"),
        r#"{"schema": "gitops-kit/diff-baseline/v1", "changes": ["0123456789abcdef"]}"#,
    )
    .unwrap();
    std::fs::write(&path, "diff:\n  baseline: drift.json\n").unwrap();
    let o = DiffOptions::from_config_file(&path).unwrap();
    assert_eq!(o.baseline.unwrap().changes[0].id, "0123456789abcdef");
    std::fs::write(&path, "diff:\n  mode: sideways\n").unwrap();
    let err = DiffOptions::from_config_file(&path).unwrap_err();
    assert_eq!((err.code(), err.location().map(|l| l.line)), ("diff.invalid-config", Some(2)));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn baselines_written_with_hide_rules_accept_the_hidden_changes() {
    let rule = r#"metadata.labels["helm.sh/chart"]"#;
    let options = opts(json!({"hide": [rule]}));
    let report = diff_texts(CM_OLD, CM_NEW, &options).unwrap();
    assert_eq!((report.exit_code, report.summary.hidden), (1, 1));
    let baseline = Baseline::from_report(&report, None);
    assert_eq!(baseline.changes.len(), 2, "the hidden change counts, so it is listed");
    let text = serde_json::to_string(&report).unwrap();
    assert!(
        !text.contains("x-1.3") && !text.contains("helm.sh"),
        "hidden changes stay out of the report: {text}"
    );
    // The bindings build baselines from the report's JSON: the hidden change is there by id.
    let from_json = Baseline::from_report_json(&serde_json::to_value(&report).unwrap(), None);
    let mut ids: Vec<&str> = from_json.changes.iter().map(|c| c.id.as_str()).collect();
    let mut expected: Vec<&str> = baseline.changes.iter().map(|c| c.id.as_str()).collect();
    ids.sort();
    expected.sort();
    assert_eq!(ids, expected);
    let again = diff_texts(CM_OLD, CM_NEW, &DiffOptions { baseline: Some(baseline), ..options }).unwrap();
    assert_eq!((again.exit_code, again.summary.acknowledged, again.summary.hidden), (0, 2, 0));
}
