"""One pass, no cascades: `fiscal import` reports each real mistake in a workbook once,
says nothing of what only follows from it, and still runs every check that can run.

Each case counts the lines of the report: exactly the mistakes made, no more.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.excel_helpers import Rows, copy_data, find_row, read_rows, rewrite, run_cli, set_cell

HYDROGEN = "2025-southeast-hydrogen-corridor"
DAEGU = "2023-daegu-urban-air-mobility"


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("cascades")
    rules, inputs = copy_data(base)
    book = base / "agreements.xlsx"
    done = run_cli(
        "template", "agreements", "--prefill", "--rules", rules, "--inputs", inputs, "-o", book
    )
    assert done.code == 0, done.err
    return rules, book


def reported(made: tuple[Path, Path], tmp_path: Path, change: Callable[[Rows], None]) -> list[str]:
    rules, book = made
    target = rewrite(book, tmp_path / "edited.xlsx", change)
    done = run_cli("import", target, "--rules", rules, "--force")
    assert done.code == 1
    assert "Traceback" not in done.err
    return [line for line in done.err.splitlines() if "!" in line.split(":")[0]]


def test_one_unreadable_total_is_one_problem_not_thirteen(
    made: tuple[Path, Path], tmp_path: Path
) -> None:
    where = ""

    def change(rows: Rows) -> None:
        nonlocal where
        row = find_row(rows, "Projects", agreement=HYDROGEN)
        where = set_cell(rows, "Projects", row, "total_krw", "three hundred billion")

    lines = reported(made, tmp_path, change)
    assert lines == [
        f"Projects!{where}: expected a whole number of won, got 'three hundred billion'"
    ]


def test_an_unreadable_project_id_does_not_make_its_shares_orphans(
    made: tuple[Path, Path], tmp_path: Path
) -> None:
    def change(rows: Rows) -> None:
        row = find_row(rows, "Projects", agreement=HYDROGEN)
        set_cell(rows, "Projects", row, "project", "Hydrogen Pipeline!")

    lines = reported(made, tmp_path, change)
    assert len(lines) == 1, lines
    assert "is not a valid id" in lines[0]


def test_a_share_sum_is_still_checked_beside_an_unreadable_date(
    made: tuple[Path, Path], tmp_path: Path
) -> None:
    def change(rows: Rows) -> None:
        set_cell(rows, "Agreements", find_row(rows, "Agreements", id=DAEGU), "signed", "soon")
        share = find_row(rows, "Shares", agreement=DAEGU, party="daegu")
        set_cell(rows, "Shares", share, "share", "10%")

    lines = reported(made, tmp_path, change)
    assert len(lines) == 2, lines
    assert any("expected a date such as 2025-03-20, got 'soon'" in line for line in lines)
    assert any("shares sum to" in line for line in lines), lines


def test_every_mistake_in_a_workbook_of_many_is_said_once(
    made: tuple[Path, Path], tmp_path: Path
) -> None:
    def change(rows: Rows) -> None:
        set_cell(rows, "Agreements", find_row(rows, "Agreements", id=DAEGU), "signed", "soon")
        share = find_row(rows, "Shares", agreement=DAEGU, party="daegu")
        set_cell(rows, "Shares", share, "share", "10%")
        row = find_row(rows, "Projects", agreement=HYDROGEN)
        set_cell(rows, "Projects", row, "total_krw", "three hundred billion")
        status = find_row(rows, "Agreements", id=HYDROGEN)
        set_cell(rows, "Agreements", status, "status", "signd")

    lines = reported(made, tmp_path, change)
    assert len(lines) == 4, lines
    assert any("did you mean 'signed'" in line for line in lines), lines
    assert len(set(lines)) == len(lines)
    assert read_rows(made[1])  # the template itself is untouched
