"""`fiscal project` end to end: the workbook a budget officer gets, read back with openpyxl
(a different library from the one that wrote it)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import BUNDLED_INPUTS, BUNDLED_RULES, run_fiscal
from tests.excel_helpers import id_row

REVENUE_CATEGORIES = {
    "local_tax": "own_source",
    "local_consumption_tax": "own_source",
    "non_tax_revenue": "own_source",
    "local_shared_tax_ordinary": "general_grants",
    "local_shared_tax_special": "general_grants",
    "real_estate_grant": "general_grants",
    "fire_safety_grant": "general_grants",
    "national_subsidy": "specific_grants",
    "other_revenue": "other_revenue",
    "agreement_inflow": "specific_grants",
    "national_subsidy_co_funding": "obligations",
    "agreement_co_funding": "obligations",
}


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("project")
    done = run_fiscal("project", cwd=folder)
    assert done.returncode == 0, done.stderr
    return folder / "fiscal-projection.xlsx", done.stdout


def rows(path: Path, sheet: str) -> list[dict[str, object]]:
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    values = list(book[sheet].iter_rows(values_only=True))
    top = id_row(values)  # below the bilingual label row of a summary sheet
    header = [str(h) for h in values[top]]
    out = []
    for row in values[top + 1 :]:
        if row[0] is None:  # the chart-data block below the Summary table
            break
        out.append(dict(zip(header, row, strict=False)))
    book.close()
    return out


def test_default_run_writes_the_workbook_in_the_current_folder(workbook: tuple[Path, str]) -> None:
    path, stdout = workbook
    assert path.exists()
    assert "Wrote fiscal-projection.xlsx" in stdout
    assert "Seoul" in stdout and "All regions" in stdout
    book = openpyxl.load_workbook(path, read_only=True)
    assert book.sheetnames == [
        "Summary",
        "National",
        "Regions",
        "Ledger",
        "Agreements",
        "Affordability",
        "Pools",
        "Parameters",
        "Provenance",
    ]


def test_every_ledger_amount_is_a_whole_number_of_won(workbook: tuple[Path, str]) -> None:
    ledger = rows(workbook[0], "Ledger")
    cells = {(r["region"], r["year"], r["item"]) for r in ledger}
    assert len(cells) == 17 * 6 * len(REVENUE_CATEGORIES)  # every region x year x item
    for row in ledger:
        amount = row["amount_krw"]
        assert isinstance(amount, int), row
        assert amount >= 0


def test_ledger_reconciles_with_summary_to_the_won(workbook: tuple[Path, str]) -> None:
    totals: dict[tuple[str, int, str], int] = defaultdict(int)
    for row in rows(workbook[0], "Ledger"):
        key = (str(row["region"]), int(row["year"]), REVENUE_CATEGORIES[str(row["item"])])  # type: ignore[call-overload]
        totals[key] += int(row["amount_krw"])  # type: ignore[call-overload]
    summary = rows(workbook[0], "Summary")
    checked = 0
    for row in summary:
        if row["region"] == "TOTAL":
            continue
        region, year = str(row["region"]), int(row["year"])  # type: ignore[call-overload]
        for category in (
            "own_source",
            "general_grants",
            "specific_grants",
            "other_revenue",
            "obligations",
        ):
            assert row[f"{category}_krw"] == totals[(region, year, category)], (region, year)
        revenues = ("own_source", "general_grants", "specific_grants", "other_revenue")
        revenue = sum(totals[(region, year, c)] for c in revenues)
        assert row["total_revenue_krw"] == revenue
        assert row["net_after_commitments_krw"] == revenue - totals[(region, year, "obligations")]
        checked += 1
    assert checked == 17 * 6
    # The national row of each year is the sum of its regions.
    for row in summary:
        if row["region"] == "TOTAL":
            year = row["year"]
            regions = [r for r in summary if r["year"] == year and r["region"] != "TOTAL"]
            assert row["total_revenue_krw"] == sum(int(r["total_revenue_krw"]) for r in regions)  # type: ignore[call-overload]


def test_every_pool_is_fully_distributed(workbook: tuple[Path, str]) -> None:
    by_item_year: dict[tuple[str, int], int] = defaultdict(int)
    for row in rows(workbook[0], "Ledger"):
        by_item_year[(str(row["item"]), int(row["year"]))] += int(row["amount_krw"])  # type: ignore[call-overload]
    pools = rows(workbook[0], "Pools")
    assert {p["rule"] for p in pools} == {
        "local_consumption_tax",
        "local_shared_tax_ordinary",
        "local_shared_tax_special",
        "real_estate_grant",
        "fire_safety_grant",
    }
    for pool in pools:
        assert pool["unallocated_krw"] == 0
        assert pool["distributed_krw"] == pool["pool_krw"]
        assert by_item_year[(str(pool["item"]), int(pool["year"]))] == pool["pool_krw"]  # type: ignore[call-overload]


def test_ledger_sources_point_at_real_lines(workbook: tuple[Path, str]) -> None:
    kinds = set()
    for row in rows(workbook[0], "Ledger"):
        rule, source = str(row["rule"]), str(row["source"])
        if rule == "agreements":  # no agreement pays this region in this year
            assert row["amount_krw"] == 0 and Path(source).is_dir()
            continue
        file, _, line = source.rpartition(":")
        text = Path(file).read_text(encoding="utf-8").splitlines()
        written = text[int(line) - 1].strip()
        if rule.startswith("input:"):
            assert written == f"{row['region']}:"
            kinds.add("input")
        elif rule.startswith("agreement:"):
            project = rule.rpartition("/")[2]
            starts = (f"- id: {project}", f"{project}:", "- effective")
            assert written.startswith(starts)
            kinds.add("agreement")
        else:
            assert written == f"id: {rule}"
            kinds.add("rule")
    assert kinds == {"input", "agreement", "rule"}


def test_parameters_sheet_lists_each_value_used_with_its_line(workbook: tuple[Path, str]) -> None:
    params = rows(workbook[0], "Parameters")
    vat = [p for p in params if p["parameter"] == "local_consumption_tax.vat_share"]
    assert [(p["effective"], p["value"]) for p in vat] == [("2023-01-01", 0.253)]
    file, _, line = str(vat[0]["source"]).rpartition(":")
    assert "2023-01-01" in Path(file).read_text(encoding="utf-8").splitlines()[int(line) - 1]
    weights = {
        p["part"]: p["value"]
        for p in params
        if p["parameter"] == "local_consumption_tax.class_weight"
    }
    assert weights["capital"] == 1 and weights["province"] == 3


def test_provenance_records_hashes_of_every_rule_and_input_file(workbook: tuple[Path, str]) -> None:
    book = openpyxl.load_workbook(workbook[0], read_only=True)
    values = [r for r in book["Provenance"].iter_rows(values_only=True)]
    pairs = {r[0]: r[1] for r in values if r[0] and r[1]}
    assert pairs["fiscal version"]
    assert pairs["command line"].startswith("fiscal project")
    assert "rules git commit" in pairs
    hashes = {(r[0], r[1]): r[2] for r in values if r[0] in ("rules", "inputs")}
    expected_rules = sorted(p for p in BUNDLED_RULES.rglob("*.yaml"))
    assert len([k for k in hashes if k[0] == "rules"]) == len(expected_rules)
    for path in expected_rules:
        key = ("rules", path.relative_to(BUNDLED_RULES).as_posix())
        assert hashes[key] == hashlib.sha256(path.read_bytes()).hexdigest()
    national = BUNDLED_INPUTS / "national.yaml"
    assert hashes[("inputs", "national.yaml")] == hashlib.sha256(national.read_bytes()).hexdigest()


def test_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    target = tmp_path / "mine.xlsx"
    target.write_bytes(b"a user's own file")
    done = run_fiscal("project", "-o", target)
    assert done.returncode == 1
    assert "--force" in done.stderr
    assert "Traceback" not in done.stderr
    assert target.read_bytes() == b"a user's own file"
    assert list(tmp_path.iterdir()) == [target]  # no temp file left behind
    forced = run_fiscal("project", "-o", target, "--force", "--quiet")
    assert forced.returncode == 0, forced.stderr
    assert target.read_bytes()[:2] == b"PK"


def test_year_range_options_shape_the_projection(tmp_path: Path) -> None:
    out = tmp_path / "short.xlsx"
    done = run_fiscal("project", "--from", "2026", "--to", "2028", "-o", out, "-q")
    assert done.returncode == 0, done.stderr
    years = {row["year"] for row in rows(out, "Ledger")}
    assert years == {2026, 2027, 2028}


def test_years_beyond_the_inputs_grow_from_the_last_given_value(tmp_path: Path) -> None:
    out = tmp_path / "long.xlsx"
    done = run_fiscal("project", "--to", "2032", "-o", out, "-q")
    assert done.returncode == 0, done.stderr
    assert max(int(r["year"]) for r in rows(out, "Ledger")) == 2032  # type: ignore[call-overload]


def test_a_reversed_year_range_is_a_usage_error(tmp_path: Path) -> None:
    done = run_fiscal("project", "--from", "2030", "--to", "2025", "-o", tmp_path / "x.xlsx")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_years_before_the_inputs_are_a_user_error_naming_the_file(tmp_path: Path) -> None:
    done = run_fiscal("project", "--from", "2020", "-o", tmp_path / "x.xlsx")
    assert done.returncode == 1
    assert "no value for 2020" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "x.xlsx").exists()
