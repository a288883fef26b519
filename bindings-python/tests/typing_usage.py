"""Typed use of the public API; checked with ``mypy --strict`` by ``test_typing.py`` (never run)."""

from __future__ import annotations

import pathlib

import gitops_kit
from gitops_kit import GitopsKitError, Repo


def summaries(path: pathlib.Path) -> list[str]:
    out = []
    for r in gitops_kit.load_manifests([path, "git:main:deploy"], options={"lenient": True}, repo=path):
        ns = r["namespace"] or "-"
        out.append(f"{r['apiVersion']} {r['kind']} {ns}/{r['name']} {r['file']}:{r['line']}")
    return out


def edit_image(text: str, new: str) -> str:
    loc = gitops_kit.locate(text, "/spec/template/spec/containers/0/image")
    return gitops_kit.apply_edits(text, [{"start": loc["start"], "end": loc["end"], "replacement": new}])


def report(text: str) -> int:
    rep = gitops_kit.manifest_report(text, "x.yaml", {"max_depth": 64})
    return len(rep["resources"]) + len(rep["problems"]) + rep["files"]


def promote(repo: Repo, tip: str) -> str | None:
    author = {"name": "bot", "email": "bot@example.com", "time": 0, "offset_minutes": 0}
    try:
        return repo.commit("stg", [("a.yaml", b"a: 1\n"), {"path": "b.yaml", "data": None}], "m", author, expected_tip=tip)
    except GitopsKitError as e:
        if e.code == "git.conflict":
            return None
        raise


def history(repo: Repo) -> list[tuple[str, int]]:
    changed = [c["path"] for c in repo.changed_paths("v1", "main") if c["change"] != "deleted"]
    files = dict(repo.read_files("main"))
    data: bytes = files["deploy/web.yaml"] + repo.read_file("main", changed[0])
    return [(c["id"][:8], c["time"] + len(data)) for c in repo.log("main", exclude="v1", first_parent=True)]


def scalars(text: str) -> list[str]:
    docs = gitops_kit.yaml_to_json(text)
    hazards = [h["hazard"] + h["pointer"] for h in gitops_kit.yaml_hazards(text)]
    return hazards + [gitops_kit.to_yaml(d) for d in docs] + [gitops_kit.__version__, Repo.discover().path]
