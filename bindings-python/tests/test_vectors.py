"""Runs every conformance vector of ``tests/vectors/**`` through the Python API.

The Rust (``core/tests/vectors.rs``) and Node runners run the same files; a vector that passes
in one front end and fails in another is a bug. Format: ``tests/vectors/README.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import gitops_kit

VECTORS = Path(__file__).resolve().parents[2] / "tests" / "vectors"
FILES = sorted(VECTORS.rglob("*.yaml"))


def strict_equal(got: Any, want: Any) -> bool:
    """``==`` that also tells ``True`` from ``1`` and ``1`` from ``1.0``, at every depth
    (key order does not matter, as in JSON)."""
    if type(got) is not type(want):
        return False
    if isinstance(want, dict):
        return got.keys() == want.keys() and all(strict_equal(got[k], want[k]) for k in want)
    if isinstance(want, list):
        return len(got) == len(want) and all(map(strict_equal, got, want))
    return bool(got == want)


def test_vectors_found() -> None:
    assert VECTORS.is_dir(), VECTORS
    assert len(FILES) >= 20


@pytest.mark.parametrize("path", FILES, ids=[str(f.relative_to(VECTORS)) for f in FILES])
def test_vector(path: Path) -> None:
    vector = gitops_kit.yaml_to_json(path.read_text(encoding="utf-8"), str(path))[0]
    function = getattr(gitops_kit, vector["call"])
    args = vector.get("args") or {}
    expect = vector["expect"]
    if "error" in expect:
        with pytest.raises(gitops_kit.GitopsKitError) as info:
            function(**args)
        err = info.value
        got = {"code": err.code, "file": err.file, "line": err.line, "column": err.column}
        for key, want in expect["error"].items():
            assert got[key] == want, f"error {key}: got {got[key]!r}, want {want!r} ({err})"
    else:
        result = function(**args)
        assert result == expect["result"]
        assert strict_equal(result, expect["result"]), (result, expect["result"])
