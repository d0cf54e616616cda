"""A scenario's workbook says what the scenario changed, and names it by its title.

The Scenario sheet lists each change at the scenario's file:line with the value before
and after; the Ledger rows those changes moved name the scenario's lines; the Parameters
row of an overridden value cites the scenario; `fiscal verify` makes the same workbook
again. Terminal, JSON and the Summary name the scenario by its title.
"""

from __future__ import annotations

import json
from pathlib import Path

from python_calamine import CalamineWorkbook

from fiscal import api
from tests.conftest import run_fiscal

TITLE = "VAT 5% lower in 2026"
SCENARIO = f"""\
title: {TITLE}
forecast:
  national.vat_base:
    2026: {{change: -0.05}}
  private_consumption:
    2027: {{change: 0.01}}
parameters:
  local_consumption_tax.vat_share:
    2028-01-01: 0.30
"""


def _rows(book: Path, sheet: str) -> list[list[object]]:
    rows: list[list[object]] = (
        CalamineWorkbook.from_path(str(book)).get_sheet_by_name(sheet).to_python()
    )
    return rows


def _made(tmp_path: Path) -> tuple[Path, Path]:
    scenario = tmp_path / "vat-cut.yaml"
    scenario.write_text(SCENARIO)
    book = tmp_path / "out.xlsx"
    done = run_fiscal("project", "--scenario", scenario, "--output", book, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert TITLE in done.stdout and "vat-cut" not in done.stdout
    return scenario, book


def test_the_scenario_sheet_lists_each_change_with_its_line_and_values(tmp_path: Path) -> None:
    _, book = _made(tmp_path)
    header, *rows = _rows(book, "Scenario")
    assert header[:7] == ["scenario_source", "kind", "name", "region", "years", "was", "now"]
    vat = next(r for r in rows if r[2] == "national.vat_base")
    assert vat[:5] == ["vat-cut.yaml:4", "national series", "national.vat_base", "", "2026"]
    assert vat[5] == 109_192_500_000_000 and vat[6] == 109_192_500_000_000 * 95 // 100
    assert str(vat[7]).endswith("national.yaml:15")
    consumption = [r for r in rows if r[2] == "private_consumption"]
    assert len(consumption) == 17  # every region, 2027
    assert all(r[0] == "vat-cut.yaml:6" and r[4] == "2027" for r in consumption)
    assert all(round(float(r[5]) * 1.01) == r[6] for r in consumption)  # type: ignore[arg-type]
    (share,) = [r for r in rows if r[1] == "parameter"]
    assert share[:7] == [
        "vat-cut.yaml:9", "parameter", "local_consumption_tax.vat_share", "",
        "from 2028-01-01", 0.253, 0.3,
    ]  # fmt: skip


def test_ledger_and_parameters_rows_the_scenario_moved_cite_it(tmp_path: Path) -> None:
    _, book = _made(tmp_path)
    header, *ledger = _rows(book, "Ledger")
    assert header[-1] == "scenario_source"
    cited = {(r[1], int(r[2]), r[3]): r[-1] for r in ledger}  # type: ignore[call-overload]
    assert all(r[0] == TITLE for r in ledger)
    assert cited[("seoul", 2025, "local_consumption_tax")] == ""
    assert cited[("seoul", 2026, "local_consumption_tax")] == "vat-cut.yaml:4"
    assert cited[("busan", 2027, "local_consumption_tax")] == "vat-cut.yaml:6"
    assert cited[("busan", 2028, "local_consumption_tax")] == "vat-cut.yaml:9"
    # The ordinary grant counts the local consumption tax: the VAT change reaches it too.
    assert cited[("busan", 2026, "local_shared_tax_ordinary")] == "vat-cut.yaml:4"
    assert cited[("busan", 2026, "local_tax")] == ""  # an input the scenario left alone
    parameters = _rows(book, "Parameters")
    (overridden,) = [
        r for r in parameters if r[0] == "local_consumption_tax.vat_share" and r[2] == "2028-01-01"
    ]
    assert overridden[7] == "vat-cut.yaml:9"
    summary = _rows(book, "Provenance")
    assert any(TITLE in map(str, row) for row in summary)


def test_verify_makes_the_same_scenario_workbook_again(tmp_path: Path) -> None:
    _, book = _made(tmp_path)
    done = run_fiscal("verify", book, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "OK: every figure matches" in done.stdout


def test_json_and_the_api_name_the_scenario_by_its_title(tmp_path: Path) -> None:
    scenario = tmp_path / "vat-cut.yaml"
    scenario.write_text(SCENARIO)
    done = run_fiscal("compare", scenario, "--json", "-o", tmp_path / "c.xlsx")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["scenarios"] == [TITLE]
    result = api.project(scenario=scenario)
    assert result.scenario == TITLE and result.scenario_file == scenario
    assert {c.kind for c in result.changes} == {
        "national series",
        "regional indicator",
        "parameter",
    }
