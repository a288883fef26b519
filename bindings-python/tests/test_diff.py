"""Tests of the diff functions of the Python binding (the scenarios run as vectors)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

import gitops_kit

OLD = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  template:
    spec:
      containers:
      - {name: app, image: "app:1", resources: {limits: {cpu: 1000m}}}
---
apiVersion: v1
kind: Secret
metadata: {name: db, namespace: shop}
stringData: {password: hunter2}
"""
NEW = OLD.replace("app:1", "app:2").replace("1000m", '"1"').replace("hunter2", "swordfish")


def test_diff_texts_returns_the_json_report() -> None:
    report = gitops_kit.diff_texts(OLD, NEW)
    assert report["schema"] == "gitops-kit/diff/v1"
    assert report["exit_code"] == 1
    assert report["summary"]["changed"] == 2
    web = report["resources"][1]
    assert web["resource"] == {"kind": "Deployment", "namespace": "shop", "name": "web", "apiVersion": "apps/v1"}
    (image,) = web["changes"]
    assert image["path"] == "spec.template.spec.containers[name=app].image"
    assert image["new_location"] == {"file": "<new>", "line": 8, "column": 28}
    secret = report["resources"][0]["changes"][0]
    assert secret["hidden"] is True and secret["old"] is None and secret["new"] is None
    assert "hunter2" not in repr(report) and "swordfish" not in repr(report)


def test_options_dict_and_errors() -> None:
    strict = gitops_kit.diff_texts(OLD, OLD, {"mode": "strict", "ignore": ["spec.replicas"], "fail_on": "rollout"})
    assert strict["mode"] == "strict" and strict["exit_code"] == 0
    with pytest.raises(gitops_kit.DiffError) as info:
        gitops_kit.diff_texts(OLD, NEW, {"mode": "sideways"})
    assert info.value.code == "diff.invalid-argument"
    with pytest.raises(gitops_kit.DiffError) as info:
        gitops_kit.diff_texts(OLD, NEW, {"ignore": ["a[b"]})
    assert info.value.code == "diff.invalid-rule"
    with pytest.raises(gitops_kit.YamlError) as yaml_info:
        gitops_kit.diff_texts("a: [1", NEW)
    assert yaml_info.value.line == 1
    with pytest.raises(TypeError):
        gitops_kit.diff_texts(OLD, NEW, {"ignore": [object()]})


def test_render_text_and_markdown() -> None:
    text = gitops_kit.diff_texts_render(OLD, NEW)
    assert "+ app:2  <new>:8:28" in text and "changed (hidden)" in text
    md = gitops_kit.diff_texts_render(OLD, NEW, format="markdown")
    assert md.startswith("### gitops-kit diff") and "swordfish" not in md
    with pytest.raises(ValueError):
        gitops_kit.diff_texts_render(OLD, NEW, format="html")


def test_diff_sources_files_dirs_and_git(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "app.yaml").write_text(OLD)
    (tmp_path / "b.yaml").write_text(NEW)
    report = gitops_kit.diff(tmp_path / "a", [str(tmp_path / "b.yaml")])
    change = report["resources"][1]["changes"][0]
    assert change["old_location"]["file"] == str(tmp_path / "a" / "app.yaml")
    assert report == gitops_kit.diff([tmp_path / "a"], tmp_path / "b.yaml")

    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e"}
    repo = tmp_path / "repo"
    repo.mkdir()
    git = lambda *a: subprocess.run(["git", *a], cwd=repo, env=env, check=True, capture_output=True)  # noqa: E731
    git("init", "-q", "-b", "prd")
    (repo / "app.yaml").write_text(OLD)
    git("add", ".")
    git("commit", "-q", "-m", "one")
    git("checkout", "-q", "-b", "stg")
    (repo / "app.yaml").write_text(NEW)
    git("commit", "-q", "-am", "two")
    report = gitops_kit.diff("git:prd:", "git:stg:", repo=repo)
    assert report["summary"]["changed"] == 2
    assert report["resources"][1]["changes"][0]["new_location"]["file"] == "git:stg:app.yaml"
    with pytest.raises(TypeError):
        gitops_kit.diff(b"x", "y")
