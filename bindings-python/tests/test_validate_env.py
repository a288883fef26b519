"""Validation for an environment from Python: ``environment``, ``branch``, ``commit``,
``code_repo``, ``against`` and ``against_text`` (GK-G003, GK-G006, GK-R009, GK-G010)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

import gitops_kit

CONFIG = """version: 1
images:
  - {id: web, repository: registry.example.com/shop/web, tag_scheme: "{branch}-{sha:12}"}
environments:
  stg: {manifest_branch: stg, code_branch: stg, target: {namespace: shop-stg}}
  prd: {manifest_branch: prd, after: [stg], target: {namespace: shop}, policy: {allowed_code_refs: [stg]}}
previews: {branch_pattern: "pr-*", namespace_template: "shop-pr-{pr}"}
"""


def deployment(namespace: str, image: str, replicas: int = 1) -> str:
    return (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web, namespace: {namespace}}}\n"
        f"spec:\n  replicas: {replicas}\n  selector: {{matchLabels: {{app: web}}}}\n"
        "  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n"
        f"        - {{name: web, image: {image}}}\n"
    )


def rules(report: dict) -> list[tuple[str, str, int, int]]:
    return [(f["rule"], f["severity"], f["line"], f["column"]) for f in report["findings"] if f["rule"][3] == "G" or f["rule"] == "GK-R009"]


def test_environment_rules() -> None:
    text = deployment("shop-stg", "registry.example.com/shop/web:main-3f2a9c1d4e5b")
    skip = ["GK-G005"]
    prd = gitops_kit.validate(text=text, file="web.yaml", config_text=CONFIG, environment="prd", skip_rules=skip)
    assert rules(prd) == [("GK-G006", "error", 3, 34), ("GK-R009", "info", 5, 13)]
    stg = gitops_kit.validate(text=text, config_text=CONFIG, environment="stg", skip_rules=skip)
    assert rules(stg) == []
    preview = gitops_kit.validate(text=text, config_text=CONFIG, branch="pr-3", skip_rules=skip)
    assert "shop-pr-3" in preview["findings"][0]["message"]
    wrong = gitops_kit.validate(text=text, config_text=CONFIG, environment="stg", commit="abcdef1234", skip_rules=skip)
    assert rules(wrong) == [("GK-G003", "error", 11, 30)]
    # The vector form takes the same keys.
    same = gitops_kit.validate_text(text, "<string>", {"config_text": CONFIG, "environment": "stg", "commit": "abcdef1234", "skip_rules": skip})
    assert same == wrong


def test_against(tmp_path: Path) -> None:
    text = deployment("shop-stg", "registry.example.com/shop/web:main-3f2a9c1d4e5b", replicas=2)
    base = deployment("shop", "registry.example.com/shop/web:main-aaaaaaaaaaaa", replicas=5)
    assert rules(gitops_kit.validate(text=text, against_text=base, skip_rules=["GK-G005"])) == []
    changed = base.replace("{name: web, image", "{name: web, args: [--debug], image")
    (tmp_path / "base.yaml").write_text(changed)
    report = gitops_kit.validate(text=text, against=tmp_path / "base.yaml", skip_rules=["GK-G005"])
    (g010,) = [f for f in report["findings"] if f["rule"] == "GK-G010"]
    assert g010["severity"] == "info"
    assert g010["message"].startswith("spec.template.spec.containers[name=web].args is only in the baseline")
    assert str(tmp_path / "base.yaml") in g010["message"]


def test_code_repo(tmp_path: Path) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@e", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@e"}

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=tmp_path, env=env, check=True, capture_output=True, text=True).stdout.strip()

    git("init", "-q", "-b", "stg")
    (tmp_path / "f").write_text("1\n")
    git("add", ".")
    git("commit", "-q", "-m", "one")
    on_stg = git("rev-parse", "HEAD")
    git("checkout", "-q", "-b", "feature")
    git("commit", "-q", "--allow-empty", "-m", "two")
    off_stg = git("rev-parse", "HEAD")

    def g003(sha: str) -> list[str]:
        text = deployment("shop", f"registry.example.com/shop/web:x-{sha[:12]}", replicas=2)
        report = gitops_kit.validate(text=text, config_text=CONFIG, environment="prd", code_repo=tmp_path)
        return [f["message"] for f in report["findings"] if f["rule"] == "GK-G003"]

    assert g003(on_stg) == []
    (message,) = g003(off_stg)
    assert f"links to commit {off_stg}, which is not reachable from stg" in message


def test_errors() -> None:
    with pytest.raises(gitops_kit.ValidateError) as unknown:
        gitops_kit.validate(text="a: 1\n", config_text=CONFIG, environment="qa")
    assert unknown.value.code == "validate.unknown-environment"
    assert "stg, prd" in str(unknown.value)
    with pytest.raises(gitops_kit.ValidateError) as missing:
        gitops_kit.validate(text="a: 1\n", config_text="validation: {}\n", environment="prd")
    assert (missing.value.code, missing.value.line) == ("validate.config", 1)
    with pytest.raises(gitops_kit.ValidateError) as lonely:
        gitops_kit.validate(text="a: 1\n", commit="abcdef1")
    assert lonely.value.code == "validate.invalid-argument"
