"""Validation from Python: the ``gitops-kit/validate/v1`` report, options, errors, threads."""

from __future__ import annotations

import concurrent.futures
from pathlib import Path

import pytest

import gitops_kit

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "shop"
CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: shop}\ndatta: {k: v}\n"


def test_text_report_is_located() -> None:
    report = gitops_kit.validate(text=CM, file="cm.yaml")
    assert report["schema"] == "gitops-kit/validate/v1"
    assert list(report) == ["schema", "summary", "findings"]
    assert report["summary"] == {
        "files": 1, "resources": 1, "errors": 1, "warnings": 0, "infos": 0, "suppressed": 0,
    }
    (f,) = report["findings"]
    assert (f["rule"], f["line"], f["column"], f["end_line"], f["end_column"]) == ("GK-S006", 4, 1, 4, 6)
    assert f["pointer"] == "/datta"
    assert f["resource"] == {"apiVersion": "v1", "kind": "ConfigMap", "namespace": "shop", "name": "a"}
    assert gitops_kit.validate_text(CM, "cm.yaml") == report


def test_options() -> None:
    assert gitops_kit.validate(text=CM, strict=False)["findings"] == []
    assert gitops_kit.validate(text=CM, skip_rules=["GK-S006"])["findings"] == []
    old = gitops_kit.validate(text=CM, kubernetes_version="1.27")
    assert old["findings"][0]["rule"] == "GK-S006"
    config = "validation:\n  rules:\n    GK-S006: warning\n"
    assert gitops_kit.validate(text=CM, config_text=config)["findings"][0]["severity"] == "warning"
    assert gitops_kit.validate_text(CM, "cm.yaml", {"strict": False})["findings"] == []


def test_sources_and_paths(tmp_path: Path) -> None:
    report = gitops_kit.validate(EXAMPLES)
    assert report["summary"]["files"] == 6
    assert report["summary"]["errors"] == 0
    same = gitops_kit.validate([str(EXAMPLES)])
    assert same == report
    (tmp_path / "broken.yaml").write_text("kind: [x\n")
    broken = gitops_kit.validate(tmp_path)
    assert [f["rule"] for f in broken["findings"]] == ["GK-S001"]
    crd = tmp_path / "crd"
    crd.mkdir()
    (crd / "crd.yaml").write_text(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: ws.example.com}\n"
        "spec:\n  group: example.com\n  scope: Namespaced\n  names: {kind: W, plural: ws}\n  versions:\n"
        "    - name: v1\n      served: true\n      storage: true\n      schema:\n        openAPIV3Schema:\n"
        "          type: object\n          properties:\n            spec: {type: object, properties: {size: {type: integer}}}\n"
    )
    cr = "apiVersion: example.com/v1\nkind: W\nmetadata: {name: w, namespace: shop}\nspec: {size: x}\n"
    assert [f["rule"] for f in gitops_kit.validate(text=cr)["findings"]] == ["GK-S007"]
    assert [f["rule"] for f in gitops_kit.validate(text=cr, crds=[crd])["findings"]] == ["GK-S008"]


def test_errors() -> None:
    with pytest.raises(gitops_kit.ValidateError) as info:
        gitops_kit.validate(text=CM, kubernetes_version="1.2")
    assert info.value.code == "validate.unknown-version"
    with pytest.raises(gitops_kit.ManifestError) as missing:
        gitops_kit.validate("/nonexistent/x.yaml")
    assert missing.value.code == "manifest.not-found"
    with pytest.raises(gitops_kit.ValidateError) as config:
        gitops_kit.validate(text=CM, config_text="validation:\n  rules:\n    GK-S006: loud\n")
    assert config.value.code == "validate.config"
    assert config.value.line == 3
    with pytest.raises(TypeError):
        gitops_kit.validate()
    with pytest.raises(TypeError):
        gitops_kit.validate(EXAMPLES, text=CM)


def test_catalog_and_versions() -> None:
    versions = gitops_kit.kubernetes_versions()
    assert versions[0] == "1.27" and versions[-1] == "1.37"
    rules = {r["id"]: r for r in gitops_kit.validation_rules()}
    assert rules["GK-S006"]["severity"] == "error"
    assert rules["GK-G011"]["severity"] is None


def test_threads_release_the_gil() -> None:
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        reports = list(pool.map(lambda _: gitops_kit.validate(EXAMPLES), range(8)))
    assert all(r == reports[0] for r in reports)
