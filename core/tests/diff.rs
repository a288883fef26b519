//! Integration tests of `gitops_kit::diff` through its public API (the scenarios of the
//! reference are conformance vectors in `tests/vectors/diff`).

use gitops_kit::diff::{self, ChangeKind, DiffOptions, Impact, Op, diff_texts};
use gitops_kit::manifest::ManifestSet;
use serde_json::json;

fn opts(v: serde_json::Value) -> DiffOptions {
    DiffOptions::from_json(&v).unwrap()
}

#[test]
fn identical_sets_have_no_differences() {
    let examples = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/shop");
    let report = diff::diff_sources(&[examples], &[examples], None, &DiffOptions::default()).unwrap();
    assert_eq!(report.exit_code, 0);
    assert!(report.resources.is_empty());
    assert_eq!(report.summary.unchanged, 6);
}

#[test]
fn document_order_does_not_change_the_report() {
    let a = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: '1'}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata: {k: '1'}\n";
    let b1 = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: '2'}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata: {k: '3'}\n";
    let b2 = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\ndata: {k: '3'}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {k: '2'}\n";
    let r1 = diff_texts(a, b1, &DiffOptions::default()).unwrap();
    let r2 = diff_texts(a, b2, &DiffOptions::default()).unwrap();
    let names =
        |r: &diff::DiffReport| r.resources.iter().map(|r| r.resource.name.clone()).collect::<Vec<_>>();
    assert_eq!(names(&r1), ["a", "b"]);
    assert_eq!(names(&r2), ["a", "b"]);
    assert_eq!(r1.resources[0].changes[0].new, r2.resources[0].changes[0].new);
}

#[test]
fn crd_list_map_keys_and_scope_are_honoured() {
    let crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: gws.example.com}\nspec:\n  group: example.com\n  scope: Cluster\n  names: {kind: Gateway}\n  versions:\n  - name: v1\n    storage: true\n    schema:\n      openAPIV3Schema:\n        type: object\n        properties:\n          spec:\n            type: object\n            properties:\n              listeners:\n                type: array\n                x-kubernetes-list-type: map\n                x-kubernetes-list-map-keys: [name]\n                items: {type: object}\n";
    let old = format!(
        "{crd}---\napiVersion: example.com/v1\nkind: Gateway\nmetadata: {{name: gw}}\nspec:\n  listeners: [{{name: a, port: 1}}, {{name: b, port: 2}}]\n"
    );
    let new = format!(
        "{crd}---\napiVersion: example.com/v1\nkind: Gateway\nmetadata: {{name: gw, namespace: x}}\nspec:\n  listeners: [{{name: b, port: 3}}, {{name: a, port: 1}}]\n"
    );
    let r = diff_texts(&old, &new, &DiffOptions::default()).unwrap();
    assert_eq!(r.resources.len(), 1, "cluster-scoped CR: the namespace is ignored for matching");
    assert_eq!(r.resources[0].resource.namespace, None);
    let paths: Vec<&str> = r.resources[0].changes.iter().map(|c| c.path.as_str()).collect();
    assert_eq!(paths, ["spec.listeners[name=b].port"]);
    assert_eq!(r.warnings[0].code, "diff.namespace-on-cluster-scoped");
}

#[test]
fn finalizers_are_a_set_and_owner_references_keyed_by_uid() {
    let old = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  finalizers: [x, y]\n  ownerReferences: [{uid: '1', name: p, kind: K, apiVersion: v1}, {uid: '2', name: q, kind: K, apiVersion: v1}]\n";
    let new = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  finalizers: [y, x]\n  ownerReferences: [{uid: '2', name: q, kind: K, apiVersion: v1}, {uid: '1', name: p2, kind: K, apiVersion: v1}]\n";
    let r = diff_texts(old, new, &DiffOptions::default()).unwrap();
    let c = &r.resources[0].changes;
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].path, "metadata.ownerReferences[uid=1].name");
    assert_eq!(c[0].impact, Impact::Metadata);
}

#[test]
fn similar_objects_pair_as_renames() {
    let old = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: '1', b: '2', c: '3', d: '4'}\n";
    let new = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app-settings}\ndata: {a: '1', b: '2', c: '3', d: '5'}\n";
    let r = diff_texts(old, new, &DiffOptions::default()).unwrap();
    assert_eq!(r.resources.len(), 1);
    assert_eq!(r.resources[0].change, ChangeKind::Renamed);
    assert_eq!(r.resources[0].renamed_from.as_deref(), Some("settings"));
    let off = diff_texts(old, new, &opts(json!({"renames": false}))).unwrap();
    assert_eq!((off.summary.added, off.summary.removed), (1, 1));
}

#[test]
fn unknown_scope_objects_match_the_default_namespace() {
    let old =
        "apiVersion: example.com/v1\nkind: Thing\nmetadata: {name: t, namespace: default}\nspec: {a: 1}\n";
    let new = "apiVersion: example.com/v1\nkind: Thing\nmetadata: {name: t}\nspec: {a: 1.0}\n";
    let r = diff_texts(old, new, &DiffOptions::default()).unwrap();
    assert_eq!(r.summary.unchanged, 1);
    let other =
        diff_texts(old, &new.replace("{name: t}", "{name: t, namespace: x}"), &DiffOptions::default());
    assert_eq!(other.unwrap().summary.added, 1);
}

#[test]
fn options_are_validated() {
    let bad = DiffOptions::from_json(&json!({"mode": "loose"})).unwrap_err();
    assert_eq!(bad.code(), "diff.invalid-argument");
    let bad = DiffOptions::from_json(&json!({"colour": true})).unwrap_err();
    assert_eq!(bad.code(), "diff.invalid-argument");
    let bad = DiffOptions::from_json(&json!({"ignore": ["a[b"]})).unwrap_err();
    assert_eq!(bad.code(), "diff.invalid-rule");
    let bad = DiffOptions::from_json(&json!({"ignore": [{"path": "a", "labels": "x in (a)"}]})).unwrap_err();
    assert_eq!(bad.code(), "diff.invalid-rule");
    let ok = DiffOptions::from_json(&json!({"showSecrets": true, "failOn": ["scale", "rollout"]})).unwrap();
    assert!(ok.show_secrets);
    assert_eq!(ok.fail_on, [Impact::Scale, Impact::Rollout]);
}

#[test]
fn secret_values_never_reach_the_report_unless_asked() {
    let old = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {k: aHVudGVyMg==}\n";
    let new = "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {k: swordfish, pw: hunter2}\n";
    for explain in [false, true] {
        let r = diff_texts(old, new, &opts(json!({"explain": explain}))).unwrap();
        let all = format!(
            "{}{}{}",
            serde_json::to_string(&r).unwrap(),
            diff::render::text(&r, true),
            diff::render::markdown(&r)
        );
        for s in ["hunter2", "aHVudGVyMg", "swordfish", "c3dvcmRmaXNo", "\"9\"", "\"7\""] {
            assert!(!all.contains(s), "leaks {s}: {all}");
        }
        assert!(r.resources[0].changes.iter().all(|c| c.hidden && c.old.is_null() && c.new.is_null()));
    }
    let shown = diff_texts(old, new, &opts(json!({"show_secrets": true}))).unwrap();
    assert_eq!(shown.resources[0].changes[0].new, json!("c3dvcmRmaXNo"));
}

#[test]
fn manifest_sets_can_be_diffed_directly_with_located_changes() {
    let a = ManifestSet::from_str("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - {port: 80, targetPort: 8080}\n", "a.yaml").unwrap();
    let b = ManifestSet::from_str("apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports:\n  - {port: 80, targetPort: 9090}\n", "b.yaml").unwrap();
    let r = diff::diff(&a, &b, &DiffOptions::default());
    let c = &r.resources[0].changes[0];
    assert_eq!(c.path, "spec.ports[port=80,protocol=TCP].targetPort");
    assert_eq!(c.op, Op::Changed);
    assert_eq!(c.pointer, "/spec/ports/0/targetPort");
    let (o, n) = (c.old_location.as_ref().unwrap(), c.new_location.as_ref().unwrap());
    assert_eq!((o.file.as_str(), o.line, o.column), ("a.yaml", 6, 28));
    assert_eq!((n.file.as_str(), n.line, n.column), ("b.yaml", 6, 28));
}

#[test]
fn every_explain_step_is_documented() {
    let names: Vec<&str> = diff::STEPS.iter().map(|(n, _)| *n).collect();
    for step in ["quantity-canonical", "omitempty", "not-owned", "drop-status", "fold-string-data"] {
        assert!(names.contains(&step), "{step}");
    }
}
