"""The layers of docs/architecture.md are checked by import-linter, and the check bites.

CI runs ``lint-imports`` on the real tree; here we run it on the tree as it is and on a
copy where the engine imports the excel package, which the contracts must refuse.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LINT = Path(sys.executable).with_name("lint-imports")


def _lint(src: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [str(LINT), "--no-cache", "--no-logo", str(REPO / "pyproject.toml")],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_source_tree_keeps_every_import_contract(tmp_path: Path) -> None:
    done = _lint(REPO / "src", tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_an_engine_that_imports_the_excel_package_breaks_the_layers(tmp_path: Path) -> None:
    src = tmp_path / "src"
    shutil.copytree(REPO / "src" / "fiscal", src / "fiscal")
    sharing = src / "fiscal" / "engine" / "sharing.py"
    sharing.write_text(
        sharing.read_text(encoding="utf-8") + "\nimport fiscal.excel.xlsxbook  # noqa\n",
        encoding="utf-8",
    )
    done = _lint(src, tmp_path)
    assert done.returncode == 1, done.stdout
    assert "fiscal.engine is not allowed to import fiscal.excel" in done.stdout
    assert "The engine is pure: no files, no YAML, no workbooks, no shell BROKEN" in done.stdout
    assert "fiscal.engine.sharing -> fiscal.excel.xlsxbook" in done.stdout
