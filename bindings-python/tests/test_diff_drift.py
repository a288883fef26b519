"""Drift features of the Python diff binding: ownership mode, output-only filters, set semantics,
change ids and acknowledged-drift baselines."""

from __future__ import annotations

import hashlib
import hmac
import json
from pathlib import Path

import pytest

import gitops_kit

LIVE = """apiVersion: apps/v1
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
"""
DESIRED = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers:
      - {name: app, image: "app:2"}
"""
CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: shop}\ndata: {mode: %s}\n"


def test_ownership_mode_counts_foreign_changes_without_reporting_them() -> None:
    report = gitops_kit.diff_texts(LIVE, DESIRED, {"mode": "ownership"})
    assert report["mode"] == "ownership"
    assert report["summary"]["foreign"] == 1
    assert [c["path"] for c in report["resources"][0]["changes"]] == [
        "spec.template.spec.containers[name=app].image"
    ]
    assert "foreign" not in report
    shown = gitops_kit.diff_texts(LIVE, DESIRED, {"mode": "ownership", "show_foreign": True})
    (sidecar,) = shown["foreign"][0]["changes"]
    assert sidecar["foreign"] == "webhook"
    text = gitops_kit.diff_texts_render(LIVE, DESIRED, {"mode": "ownership"}, "text")
    assert "1 foreign changes (not shown; --show-foreign lists them)" in text
    assert "istio-proxy" not in text


def test_hide_keeps_the_exit_code_and_ignore_does_not() -> None:
    old, new = CM % "blue", CM % "green"
    hidden = gitops_kit.diff_texts(old, new, {"hide": ["data.mode"]})
    assert (hidden["exit_code"], hidden["summary"]["hidden"], hidden["resources"]) == (1, 1, [])
    assert hidden["warnings"][0]["code"] == "diff.hidden-changes"
    ignored = gitops_kit.diff_texts(old, new, {"ignore": ["data.mode"]})
    assert (ignored["exit_code"], ignored["summary"]["ignored"]) == (0, 1)
    assert "hidden" not in ignored["summary"]


def test_baselines_accept_hidden_changes_by_id() -> None:
    old, new = CM % "blue", CM % "green"
    hidden = gitops_kit.diff_texts(old, new, {"hide": ["data.mode"]})
    assert len(hidden["hidden_ids"]) == 1 and "green" not in str(hidden)
    baseline = gitops_kit.diff_baseline(hidden)
    assert [c["id"] for c in baseline["changes"]] == hidden["hidden_ids"]
    again = gitops_kit.diff_texts(old, new, {"hide": ["data.mode"], "baseline": baseline})
    assert (again["exit_code"], again["summary"]["acknowledged"]) == (0, 1)


def test_set_semantics_option() -> None:
    old = "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec:\n  metrics: [{type: A}, {type: B}]\n"
    new = old.replace("[{type: A}, {type: B}]", "[{type: B}, {type: A}]")
    assert gitops_kit.diff_texts(old, new)["exit_code"] == 1
    assert gitops_kit.diff_texts(old, new, {"set_semantics": "hpa-metrics-set"})["exit_code"] == 0
    with pytest.raises(gitops_kit.DiffError) as err:
        gitops_kit.diff_texts(old, new, {"set_semantics": "metrics"})
    assert err.value.code == "diff.invalid-argument"


def test_change_id_is_the_documented_hash() -> None:
    report = gitops_kit.diff_texts(CM % "blue", CM % "green")
    change = report["resources"][0]["changes"][0]
    text = "gitops-kit/diff-id/v1\n\nConfigMap\nshop\nc\ndata.mode\nchanged\n" + json.dumps("blue") + "\n" + json.dumps("green")
    assert change["id"] == hashlib.sha256(text.encode()).hexdigest()[:16]


def test_hidden_secret_id_hashes_the_values_without_showing_them() -> None:
    old = "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: shop}\ndata: {password: aHVudGVyMg==}\n"
    new = old.replace("data: {password: aHVudGVyMg==}", "stringData: {password: hunter3}")
    values = b'gitops-kit/secret-values/v1\n"aHVudGVyMg=="\n"aHVudGVyMw=="'

    def documented_id(digest: str) -> str:
        text = "gitops-kit/diff-id/v1\n\nSecret\nshop\ndb\ndata.password\nchanged\nhidden:" + digest + "\n"
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    keyed = gitops_kit.diff_texts(old, new, {"secret_key": "k"})["resources"][0]["changes"][0]
    assert keyed["id"] == documented_id(hmac.new(b"k", values, hashlib.sha256).hexdigest())
    # Without a key the values are keyed by a random key of the run: an unkeyed hash could be
    # brute-forced from the id.
    unkeyed = gitops_kit.diff_texts(old, new)["resources"][0]["changes"][0]
    assert unkeyed["id"] != documented_id(hashlib.sha256(values).hexdigest())
    for change in (keyed, unkeyed):
        assert "hunter" not in json.dumps(change) and "aHVudGVy" not in json.dumps(change)


def test_baseline_round_trip_through_a_file(tmp_path: Path) -> None:
    old, new = CM % "blue", CM % "green"
    report = gitops_kit.diff_texts(old, new)
    baseline = gitops_kit.diff_baseline(report)
    assert baseline["schema"] == "gitops-kit/diff-baseline/v1"
    baseline["changes"][0]["note"] = "switch accepted"
    path = tmp_path / "drift.json"
    path.write_text(json.dumps(baseline))
    acked = gitops_kit.diff_texts(old, new, {"baseline": str(path)})
    assert (acked["exit_code"], acked["summary"]["acknowledged"]) == (0, 1)
    assert acked["acknowledged"][0]["note"] == "switch accepted"
    assert gitops_kit.diff_texts(old, new, {"baseline": baseline})["exit_code"] == 0
    again = gitops_kit.diff_texts(old, CM % "red", {"baseline": baseline})
    assert again["exit_code"] == 1, "a new value is a new id"
    kept = gitops_kit.diff_baseline(acked, path)
    assert kept["changes"] == baseline["changes"]


def test_bad_baselines_raise_diff_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema": "nope"}')
    for value in [str(bad), {"schema": "gitops-kit/diff-baseline/v1", "changes": ["xyz"]}, str(tmp_path / "missing.json")]:
        with pytest.raises(gitops_kit.DiffError) as err:
            gitops_kit.diff_texts(CM % "a", CM % "b", {"baseline": value})
        assert err.value.code == "diff.invalid-baseline"
    with pytest.raises(gitops_kit.DiffError):
        gitops_kit.diff_baseline({}, {"schema": "x"})
