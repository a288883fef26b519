"""Environments from Python: load_config, resolve, gate, check_config, the EnvConfig class, and
the JSON Schema of gitops-kit.yaml (schemas/gitops-kit.schema.json)."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import gitops_kit

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "examples" / "gitops-kit.yaml"
SCHEMA = json.loads((ROOT / "schemas" / "gitops-kit.schema.json").read_text(encoding="utf-8"))
VECTORS = sorted((ROOT / "tests" / "vectors" / "env").glob("*.yaml"))


def sample() -> gitops_kit.EnvConfig:
    return gitops_kit.load_config(SAMPLE.read_text(encoding="utf-8"), "gitops-kit.yaml")


def test_load_and_order() -> None:
    cfg = sample()
    assert cfg.file == "gitops-kit.yaml"
    assert repr(cfg) == "EnvConfig('gitops-kit.yaml')"
    assert cfg.order() == ["dev", "stg", "prd"]
    assert cfg.next("dev") == ["stg"]
    assert cfg.previous("prd") == ["stg"]
    assert cfg.warnings() == []
    from_file = gitops_kit.load_config_file(SAMPLE)
    assert from_file.file.endswith("gitops-kit.yaml")


def test_resolve_matches_the_cli_schema() -> None:
    cfg = sample()
    prd = cfg.resolve("prd")
    assert prd is not None
    assert prd["schema"] == "gitops-kit/env/v1"
    assert prd["target"] == {"cluster": "prd-eu-1", "namespace": "orders"}
    assert prd["promotion"]["mode"] == "pr"
    assert gitops_kit.resolve(cfg, "nothing") is None
    preview = gitops_kit.resolve(SAMPLE.read_text(encoding="utf-8"), "pr-5")
    assert preview is not None and preview["preview"] is not None
    assert preview["preview"]["namespace"] == "orders-pr-5"


def test_gate_with_approvals_and_self_approval() -> None:
    cfg = sample()
    at = "2026-12-01T09:00:00Z"  # Tuesday 10:00 in Berlin, inside business hours
    closed = cfg.gate(at=at, environment="prd", approvals=["ann:sre", {"who": "ben", "groups": ["sre"]}], author="Ben")
    assert closed["open"] is False
    assert [r["code"] for r in closed["reasons"]] == ["approvals"]
    assert closed["approvals"] is not None
    assert closed["approvals"]["ignored"] == [{"who": "ben", "reason": "self-approval"}]
    opened = gitops_kit.gate(cfg, "prd", at, ["ann:sre", "ben:orders-owners"], "cat")
    assert opened["open"] is True and opened["reasons"] == []
    assert opened["window"] is not None and opened["window"]["overrun_until"] == "2026-12-01T15:30:00Z"


def test_gate_next_open_and_errors() -> None:
    cfg = sample()
    friday = cfg.gate("prd", "2026-11-27T10:00:00Z")
    assert friday["open"] is False and friday["next_open"] == "2026-12-01T08:00:00Z"
    with pytest.raises(gitops_kit.EnvError) as info:
        cfg.gate("qa", "2026-11-27T10:00:00Z")
    assert info.value.code == "env.no-such-environment"
    with pytest.raises(gitops_kit.EnvError) as info:
        cfg.gate("prd", "2026-11-27 10:00")
    assert info.value.code == "env.invalid-argument"
    with pytest.raises(gitops_kit.EnvError):
        cfg.gate("prd", "2026-11-27T10:00:00Z", approvals=[{"who": "x", "group": "typo"}])
    with pytest.raises(TypeError):
        gitops_kit.resolve(42, "prd")  # type: ignore[arg-type]


def test_config_errors_are_located() -> None:
    text = "version: 1\nenvironments:\n  dev:\n    manifest_branch: dev\n    colour: red\n"
    with pytest.raises(gitops_kit.EnvError) as info:
        gitops_kit.load_config(text, "c.yaml")
    err = info.value
    assert isinstance(err, gitops_kit.GitopsKitError)
    assert (err.code, err.file, err.line, err.column) == ("env.unknown-key", "c.yaml", 5, 5)
    report = gitops_kit.check_config(text, "c.yaml")
    assert report["valid"] is False and report["errors"][0]["pointer"] == "/environments/dev/colour"
    with pytest.raises(gitops_kit.YamlError):
        gitops_kit.load_config("environments: [\n")


def test_sections_for_other_modules() -> None:
    cfg = gitops_kit.load_config("version: 1\nenvironments: {}\nvalidation: {rules: {a: error}}\n")
    assert cfg.section("validation") == {"rules": {"a": "error"}}
    assert cfg.section("diff") is None


def test_threads_share_a_config() -> None:
    cfg = sample()
    results: list[bool] = []

    def work() -> None:
        for _ in range(50):
            results.append(cfg.gate("prd", "2026-12-24T10:00:00Z")["open"])

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [False] * 200


def test_the_reference_sample_validates_against_the_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    data = gitops_kit.yaml_to_json(SAMPLE.read_text(encoding="utf-8"))[0]
    jsonschema.validate(data, SCHEMA, cls=jsonschema.Draft202012Validator)


def vector_configs() -> list[tuple[str, Any, bool]]:
    """(name, config data, loads) of every env vector that carries a configuration."""
    out = []
    for path in VECTORS:
        vector = gitops_kit.yaml_to_json(path.read_text(encoding="utf-8"))[0]
        args = vector["args"]
        text = args.get("config") or args.get("text")
        if not isinstance(text, str):
            continue
        try:
            documents = gitops_kit.yaml_to_json(text)
        except gitops_kit.YamlError:
            continue
        if not documents:
            continue
        data = documents[0]
        loads = gitops_kit.check_config(text)["valid"]
        out.append((path.stem, data, loads))
    return out


def test_schema_agrees_with_the_loader_on_structure() -> None:
    """Every configuration the loader accepts validates against the schema; the structural
    errors (unknown keys, missing keys, bad durations, cron field counts, versions, tag schemes)
    are rejected by the schema too."""
    validator = jsonschema.Draft202012Validator(SCHEMA)
    structural = {
        "config-unknown-key",
        "config-unknown-root-key",
        "config-missing-key",
        "config-bad-cron-fields",
        "config-bad-duration",
        "config-version",
        "config-bad-tag-scheme",
        "config-bad-tag-placeholder",
        "config-unanchored-tag-pattern",
        "config-bad-mode",
        "config-bad-approvals",
        "config-bad-preview-template",
        "config-bad-freeze-time",
    }
    seen = set()
    for name, data, loads in vector_configs():
        errors = list(validator.iter_errors(data))
        if loads:
            assert errors == [], (name, [e.message for e in errors])
        if name in structural:
            seen.add(name)
            assert errors, f"{name}: the schema accepts what the loader rejects"
    assert seen == structural
