"""The in-place warning of `fiscal diff` and an amendment added in the same commit.

Editing a signed agreement's terms is recorded when the commit also adds an amendment to
that project in force from the first year the edit changes; an amendment that starts
later leaves the earlier committed years rewritten in place, and the warning stays.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import BUNDLED_INPUTS, BUNDLED_RULES, run_fiscal
from tests.history_repo import HYDROGEN, edit, git

AMENDMENT = """\
amendments:
  - effective: {effective}
    reference: "Amendment no. 1 (test)"
    projects:
      hydrogen-pipeline:
        schedule: {{2025: 0.1, 2026: 0.2, 2027: 0.2, 2028: 0.3, 2029: 0.2}}
"""


def in_place_warnings(base: Path, effective: str) -> list[str]:
    """Edit the corridor's 2027 and 2028 schedule (signed 2025-03-20) and add an amendment
    effective ``effective`` in the same commit; the diff's in-place warnings."""
    repo = base / "repo"
    rules = repo / "rules" / "korea"
    shutil.copytree(BUNDLED_RULES, rules)
    shutil.copytree(BUNDLED_INPUTS, repo / "inputs", ignore=shutil.ignore_patterns("*.py"))
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "rules")
    edit(rules / HYDROGEN, "2027: 0.25\n      2028: 0.25\n", "2027: 0.2\n      2028: 0.3\n")
    edit(rules / HYDROGEN, "status: signed\n", "status: amended\n")
    with (rules / HYDROGEN).open("a", encoding="utf-8") as out:
        out.write(AMENDMENT.format(effective=effective))
    git(repo, "commit", "-q", "-am", "Move 5% of the corridor's spending from 2027 to 2028")
    done = run_fiscal("diff", "HEAD~1", "HEAD", "--rules", "rules/korea", "--inputs", "inputs",
                      "--format", "json", cwd=repo)  # fmt: skip
    assert done.returncode == 3, done.stderr
    warnings: list[str] = json.loads(done.stdout)["warnings"]
    return [w for w in warnings if "edited in place" in w]


def test_an_amendment_in_force_from_the_first_changed_year_covers_the_edit(
    tmp_path: Path,
) -> None:
    # Mid-2026 governs from 2027 on: the first year the edit changes.
    assert in_place_warnings(tmp_path, "2026-06-01") == []


@pytest.mark.parametrize("effective", ["2028-01-01", "2027-03-01"])
def test_an_amendment_that_starts_later_leaves_the_warning(tmp_path: Path, effective: str) -> None:
    # Both govern from 2028: the committed 2027 schedule is still rewritten in place.
    warnings = in_place_warnings(tmp_path, effective)
    assert len(warnings) == 1, warnings
    assert "its schedule of project 'hydrogen-pipeline'" in warnings[0]
    assert "already committed for 2027-2028" in warnings[0]
