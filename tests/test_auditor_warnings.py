"""An auditor's warnings in `fiscal diff`, on a real git repository (tests/history_repo.py):
a signed agreement edited in place without an amendment is named, with the committed
years it rewrites; a change that adds or clears affordability breaches says which."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.conftest import run_fiscal
from tests.history_repo import HistoryRepo, build_history_repo


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> HistoryRepo:
    return build_history_repo(tmp_path_factory.mktemp("auditor"))


def diff(repo: HistoryRepo, old: str, new: str) -> dict[str, Any]:
    done = run_fiscal("diff", old, new, "--rules", "rules/korea", "--inputs", "inputs",
                      "--format", "json", cwd=repo.root)  # fmt: skip
    assert done.returncode == 3, done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def test_a_signed_agreement_edited_in_place_is_named_with_the_years_it_rewrites(
    repo: HistoryRepo,
) -> None:
    warnings = diff(repo, "v2", "v3")["warnings"]
    edited = [w for w in warnings if "edited in place" in w]
    assert len(edited) == 1, warnings
    assert edited[0].startswith("agreement '2025-southeast-hydrogen-corridor' was signed 20")
    assert "its shares of project 'hydrogen-pipeline'" in edited[0]
    assert "changes money already committed for 2025" in edited[0]
    assert "record the change as an amendment instead" in edited[0]


def test_a_change_to_rates_only_names_no_agreement(repo: HistoryRepo) -> None:
    warnings = diff(repo, "v1", "v2")["warnings"]
    assert not [w for w in warnings if "edited in place" in w]


def test_the_review_workbook_holds_old_and_new_values_as_numbers(
    repo: HistoryRepo, tmp_path: Path
) -> None:
    out = tmp_path / "review.xlsx"
    done = run_fiscal("diff", "v1", "v2", "--rules", "rules/korea", "--inputs", "inputs",
                      "-o", out, cwd=repo.root)  # fmt: skip
    assert done.returncode == 3, done.stderr
    book = openpyxl.load_workbook(out, read_only=True)
    rows = list(book["Changes"].iter_rows(values_only=True))
    book.close()
    header = rows[0]
    old, new = header.index("old"), header.index("new")
    subsidy = [r for r in rows[1:] if r[1] == "national_subsidy.rate"]
    assert subsidy and subsidy[0][old] == 0.6 and subsidy[0][new] == 0.65
    vat = [r for r in rows[1:] if r[1] == "local_consumption_tax.vat_share"]
    assert vat and vat[0][new] == 0.3


def test_history_shows_the_reference_of_each_change(repo: HistoryRepo) -> None:
    done = run_fiscal("history", "local_consumption_tax.vat_share", "--rules", "rules/korea",
                      "--format", "markdown", cwd=repo.root)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "| reference |" in done.stdout
    assert "VAT Act art. 72 as amended (test)" in done.stdout
