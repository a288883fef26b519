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
    with pytest.raises(gitops_kit.DiffError) as info:
        gitops_kit.diff_texts_render(OLD, NEW, format="html")
    assert info.value.code == "diff.invalid-argument"


# Every spelling of the Secret values of OLD and NEW: plain, base64, and their lengths.
SECRETS = ["hunter2", "aHVudGVyMg", "swordfish", "c3dvcmRmaXNo", "7 bytes", "9 bytes", "length"]


def apply_patch(doc: object, ops: list[dict[str, object]]) -> object:
    """A tiny RFC 6902 applier (add, remove, replace, move) for the tests."""

    def split(path: str) -> tuple[str, str]:
        parent, _, last = path.rpartition("/")
        return parent, last.replace("~1", "/").replace("~0", "~")

    def container(root: object, pointer: str) -> object:
        node = root
        for token in [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]:
            node = node[int(token)] if isinstance(node, list) else node[token]  # type: ignore[index]
        return node

    def take(root: object, path: str) -> object:
        parent, last = split(path)
        node = container(root, parent)
        return node.pop(int(last)) if isinstance(node, list) else node.pop(last)  # type: ignore[attr-defined]

    def put(root: object, path: str, value: object) -> object:
        if path == "":
            return value
        parent, last = split(path)
        node = container(root, parent)
        if isinstance(node, list):
            assert int(last) <= len(node), path
            node.insert(int(last), value)
        else:
            node[last] = value  # type: ignore[index]
        return root

    for op in ops:
        path = str(op["path"])
        if op["op"] == "remove":
            doc = None if path == "" else (take(doc, path), doc)[1]
        elif op["op"] == "replace":
            if path != "":
                take(doc, path)
            doc = put(doc, path, op["value"])
        elif op["op"] == "add":
            doc = put(doc, path, op["value"])
        elif op["op"] == "move":
            doc = put(doc, path, take(doc, str(op["from"])))
    return doc


def test_render_unified() -> None:
    text = gitops_kit.diff_texts_render(OLD, NEW, format="unified")
    assert text.startswith("--- old/v1/Secret/shop/db\t<old>:10\n+++ new/v1/Secret/shop/db\t<new>:10\n")
    assert "-  password: <hidden>\n+  password: \"<hidden: changed>\"\n" in text
    assert "-          image: app:1\n+          image: app:2\n" in text
    assert "cpu: \"1\"" not in text, "equal quantities are no change"
    assert gitops_kit.diff_texts_render(OLD, OLD, format="unified") == ""


def test_render_patch_applies_to_the_old_document() -> None:
    import json

    report = json.loads(gitops_kit.diff_texts_render(OLD, NEW, {"show_secrets": True}, format="patch"))
    assert report["schema"] == "gitops-kit/diff-patch/v1" and report["warnings"] == []
    web = report["resources"][1]
    assert web["patch"] == [{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "app:2"}]
    # The OLD normalized document becomes NEW's; the equal quantity keeps OLD's spelling.
    container = {"name": "app", "image": "app:1", "resources": {"limits": {"cpu": "1000m"}}}
    old_doc = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "shop"},
               "spec": {"template": {"spec": {"containers": [container]}}}}
    new_doc = apply_patch(old_doc, web["patch"])
    new_container = new_doc["spec"]["template"]["spec"]["containers"][0]  # type: ignore[index]
    assert new_container == {**container, "image": "app:2"}
    added = json.loads(gitops_kit.diff_texts_render("", NEW, format="patch"))["resources"]
    removed = json.loads(gitops_kit.diff_texts_render(NEW, "", format="patch"))["resources"]
    for a, r in zip(added, removed):
        assert r["patch"] == [{"op": "remove", "path": ""}]
        doc = apply_patch(None, a["patch"])
        assert isinstance(doc, dict) and doc["metadata"]["name"] == a["resource"]["name"]
        assert apply_patch(doc, r["patch"]) is None
    service = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  ports: %s\n"
    ports_old = service % "[{port: 1}, {port: 2}, {port: 3}]"
    ports_new = service % "[{port: 3, name: c}, {port: 4}]"
    (svc,) = json.loads(gitops_kit.diff_texts_render(ports_old, ports_new, format="patch"))["resources"]
    doc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "default"},
           "spec": {"ports": [{"port": 1}, {"port": 2}, {"port": 3}]}}
    patched = apply_patch(doc, svc["patch"])
    assert patched["spec"]["ports"] == [{"port": 3, "name": "c"}, {"port": 4}]  # type: ignore[index]


def test_unified_and_patch_never_show_a_secret_value() -> None:
    for fmt in ["unified", "patch"]:
        for a, b in [(OLD, NEW), (NEW, OLD), ("", NEW), (OLD, "")]:
            out = gitops_kit.diff_texts_render(a, b, format=fmt)
            for secret in SECRETS:
                assert secret not in out, (fmt, secret, out)
    patch = gitops_kit.diff_texts_render(OLD, NEW, format="patch")
    assert '"code": "diff.patch-hidden-values"' in patch
    shown = gitops_kit.diff_texts_render(OLD, NEW, {"show_secrets": True}, format="unified")
    assert "c3dvcmRmaXNo" in shown


def test_diff_render_sources_returns_output_and_exit_code(tmp_path: Path) -> None:
    (tmp_path / "old.yaml").write_text(OLD)
    (tmp_path / "new.yaml").write_text(NEW)
    output, code = gitops_kit.diff_render(tmp_path / "old.yaml", tmp_path / "new.yaml", format="unified")
    assert code == 1 and f"--- old/v1/Secret/shop/db\t{tmp_path / 'old.yaml'}:10\n" in output
    assert gitops_kit.diff_render(tmp_path / "old.yaml", [tmp_path / "old.yaml"], format="patch")[1] == 0
    with pytest.raises(gitops_kit.DiffError):
        gitops_kit.diff_render(tmp_path / "old.yaml", tmp_path / "new.yaml", format="html")


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


def test_secret_key_adds_keyed_fingerprints() -> None:
    report = gitops_kit.diff_texts(OLD, NEW, {"secret_key": "k"})
    (password,) = report["resources"][0]["changes"]
    # printf %s hunter2 | openssl dgst -sha256 -hmac k
    assert password["old_fingerprint"] == "hmac-sha256:0cd9cde64b418f83"
    assert password["new_fingerprint"] != password["old_fingerprint"]
    assert gitops_kit.diff_texts(OLD, NEW, {"secret_key": "k"}) == report
    unified = gitops_kit.diff_texts_render(OLD, NEW, {"secret_key": "k"}, format="unified")
    assert '-  password: "<hidden: hmac-sha256:0cd9cde64b418f83>"' in unified
    for secret in SECRETS:
        assert secret not in repr(report) and secret not in unified
    with pytest.raises(gitops_kit.DiffError) as info:
        gitops_kit.diff_texts(OLD, NEW, {"secret_key": ""})
    assert info.value.code == "diff.invalid-argument"
