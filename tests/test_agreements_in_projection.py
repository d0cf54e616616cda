"""Agreements as a budget officer sees them: in the workbook, the ledger and the terminal."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import BUNDLED_RULES, run_fiscal
from tests.excel_helpers import id_row


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("agreements") / "projection.xlsx"
    done = run_fiscal("project", "-o", out, "-q")
    assert done.returncode == 0, done.stderr
    return out


def table(path: Path, sheet: str, first_column: int = 0) -> list[dict[str, object]]:
    """Rows of the table whose id header starts at ``first_column`` (the row of ids below
    the sheet's bilingual labels, where it has them)."""
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    values = [list(r) for r in wb[sheet].iter_rows(values_only=True)]
    wb.close()
    values = values[id_row([row[first_column:] for row in values]) :]
    header = []
    for cell in values[0][first_column:]:
        if cell is None:
            break
        header.append(str(cell))
    rows = []
    for row in values[1:]:
        cells = row[first_column : first_column + len(header)]
        if cells[0] is None:
            break
        rows.append(dict(zip(header, cells, strict=True)))
    return rows


def test_agreements_sheet_reconciles_with_the_ledger(book: Path) -> None:
    flows = table(book, "Agreements")
    ledger = table(book, "Ledger")
    from_sheet: dict[tuple[str, int, str], int] = defaultdict(int)
    for flow in flows:
        if flow["in_projection"] != "yes" or flow["party_kind"] != "region":
            continue
        item = "agreement_inflow" if flow["flow"] == "central_inflow" else "agreement_co_funding"
        from_sheet[(str(flow["party"]), int(flow["year"]), item)] += int(flow["amount_krw"])  # type: ignore[call-overload]
    from_ledger: dict[tuple[str, int, str], int] = defaultdict(int)
    for row in ledger:
        if str(row["item"]).startswith("agreement_") and row["amount_krw"]:
            key = (str(row["region"]), int(row["year"]), str(row["item"]))  # type: ignore[call-overload]
            from_ledger[key] += int(row["amount_krw"])  # type: ignore[call-overload]
    assert from_ledger == dict(from_sheet)
    assert from_ledger[("busan", 2025, "agreement_inflow")] > 0


def test_each_project_year_is_split_among_parties_to_the_won(book: Path) -> None:
    flows = table(book, "Agreements")
    by_year: dict[tuple[str, int], int] = defaultdict(int)
    central_paid: dict[tuple[str, int], int] = defaultdict(int)
    central_received: dict[tuple[str, int], int] = defaultdict(int)
    for f in flows:
        key = (f"{f['agreement']}/{f['project']}", int(f["year"]))  # type: ignore[call-overload]
        amount = int(f["amount_krw"])  # type: ignore[call-overload]
        if f["flow"] == "cost_share":
            by_year[key] += amount
            if f["party_kind"] in ("ministry", "central"):
                central_paid[key] += amount
        else:
            central_received[key] += amount
    assert central_paid == central_received  # every central won reaches a region
    totals = table(book, "Agreements", first_column=11)
    for row in totals:
        paid = sum(v for (k, _), v in by_year.items() if k.startswith(f"{row['agreement']}/"))
        assert paid == row["total_krw"]
        assert paid == (
            int(row["central_krw"]) + int(row["local_krw"]) + int(row["private_krw"])  # type: ignore[call-overload]
        )


def test_private_money_is_shown_but_is_not_government_revenue(book: Path) -> None:
    flows = table(book, "Agreements")
    private = [f for f in flows if f["party_kind"] == "private"]
    assert private, "the bundled mega-region agreement has a private partner"
    ledger_parties = {str(r["region"]) for r in table(book, "Ledger")}
    assert not {str(f["party"]) for f in private} & ledger_parties


def test_proposed_agreements_commit_no_money(book: Path) -> None:
    flows = table(book, "Agreements")
    proposed = [f for f in flows if f["status"] == "proposed"]
    assert proposed
    assert all(f["in_projection"] == "no" for f in proposed)


def test_affordability_flags_are_in_the_workbook(book: Path) -> None:
    rows = table(book, "Affordability")
    flagged = [r for r in rows if r["flagged"] == "yes"]
    assert flagged
    for row in rows:
        over = float(row["share_of_own_source"]) > float(row["limit"])  # type: ignore[arg-type]
        assert (row["flagged"] == "yes") == over


def test_project_prints_affordability_flags(tmp_path: Path) -> None:
    done = run_fiscal("project", "-o", tmp_path / "x.xlsx")
    assert done.returncode == 0, done.stderr
    assert "Affordability: Daegu 2025" in done.stdout


def test_agreements_command_lists_every_agreement() -> None:
    done = run_fiscal("agreements")
    assert done.returncode == 0, done.stderr
    for agreement in (BUNDLED_RULES / "agreements").glob("*.yaml"):
        assert agreement.stem in done.stdout
    assert "proposed" in done.stdout and "terminated" in done.stdout


def test_agreements_command_shows_one_schedule_by_party_and_year() -> None:
    done = run_fiscal("agreements", "2019-gangwon-eco-tourism")
    assert done.returncode == 0, done.stderr
    assert "molit (ministry)" in done.stdout and "gangwon (region)" in done.stdout
    # Amended to 24 billion over 2020-2023: the year totals add up to it (million won).
    assert "24,000" in done.stdout


def test_an_unknown_agreement_is_a_user_error() -> None:
    done = run_fiscal("agreements", "no-such-agreement")
    assert done.returncode == 1
    assert "unknown agreement 'no-such-agreement'" in done.stderr
    assert "Traceback" not in done.stderr
