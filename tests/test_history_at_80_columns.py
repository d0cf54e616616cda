"""`fiscal history ID` at 80 columns through a pipe: no id, date or value cut or broken.

Eleven columns do not fit in 80, so rich cut them to "…" or broke dates across lines
(201/0-0/1-0/1); each change is then stacked as "Field: value" lines instead.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO
from tests.history_repo import HistoryRepo, build_history_repo


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> HistoryRepo:
    return build_history_repo(tmp_path_factory.mktemp("history80"))


def history_at(columns: int, repo: HistoryRepo) -> str:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": str(columns)}
    env["PYTHONPATH"] = str(REPO / "src") + os.pathsep + env.get("PYTHONPATH", "")
    done = subprocess.run(
        [sys.executable, "-m", "fiscal", "history", "local_consumption_tax.vat_share",
         "--rules", "rules/korea"],
        cwd=repo.root, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("columns", [80, 200])
def test_history_keeps_every_commit_date_and_value_whole(repo: HistoryRepo, columns: int) -> None:
    out = history_at(columns, repo)
    assert "…" not in out
    assert max(len(line) for line in out.splitlines()) <= columns
    for version in ("v1", "v2"):
        assert repo.commits[version][:7] in out
    # The 2026 value added in v2, its date and its reference, each on one line.
    assert "2026-01-01" in out and "0.3" in out
    # A reference is text: it may wrap inside its column (ids, dates and values may not).
    assert all(word in out for word in ["VAT", "Act", "art.", "72", "as", "amended", "(test)"])
    assert "2024-06-15" in out


def test_history_at_80_columns_stacks_each_change(repo: HistoryRepo) -> None:
    out = history_at(80, repo)
    assert "Effective: 2026-01-01" in out
    assert "New: 0.3" in out
