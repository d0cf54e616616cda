"""Shared helpers: run the real `fiscal` command in a subprocess, as a user would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
BUNDLED_RULES = REPO / "rules" / "korea"
BUNDLED_INPUTS = REPO / "examples" / "korea-2025"


def run_fiscal(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m fiscal ARGS`` and capture what the user would see."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "120"}
    src = str(REPO / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run(
        [sys.executable, "-m", "fiscal", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def fiscal() -> Callable[..., subprocess.CompletedProcess[str]]:
    return run_fiscal


@pytest.fixture
def rules_copy(tmp_path: Path) -> Path:
    """A private copy of the bundled ruleset that a test may break."""
    target = tmp_path / "rules"
    shutil.copytree(BUNDLED_RULES, target)
    return target


@pytest.fixture
def inputs_copy(tmp_path: Path) -> Path:
    target = tmp_path / "inputs"
    shutil.copytree(BUNDLED_INPUTS, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target
