"""The hand-written stubs match the native module (``mypy.stubtest``) and type-check real use."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("mypy")

USAGE = Path(__file__).resolve().parent / "typing_usage.py"


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=cwd, capture_output=True, text=True, timeout=600
    )


def test_stubtest(tmp_path: Path) -> None:
    out = run(tmp_path, "mypy.stubtest", "gitops_kit")  # its cache goes to tmp_path
    assert out.returncode == 0, out.stdout + out.stderr


def test_stubs_type_check_real_use(tmp_path: Path) -> None:
    out = run(tmp_path, "mypy", "--strict", "--cache-dir", str(tmp_path / "cache"), str(USAGE))
    assert out.returncode == 0, out.stdout + out.stderr
