"""The Python API: `import fiscal` in a notebook or a script, typed, lazy and exact."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import fiscal
from fiscal import api
from fiscal.api.results import API_COMMAND_LINE
from fiscal.errors import UserError
from tests.conftest import BUNDLED_INPUTS, BUNDLED_RULES, REPO
from tests.history_repo import VAT, edit

YEARS = range(2025, 2028)


@pytest.fixture(scope="module")
def result() -> api.ProjectionResult:
    return fiscal.project(fiscal.load_rules(), fiscal.load_inputs(), years=YEARS)


def _python(code: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    return done.stdout


def test_import_fiscal_loads_nothing_heavy_and_pandas_only_when_a_dataframe_is_asked_for() -> None:
    out = _python(
        "import sys\n"
        "import fiscal\n"
        "heavy = ('pandas', 'numpy', 'pydantic')\n"
        "print('import:', [m for m in heavy if m in sys.modules])\n"
        "result = fiscal.project(years=[2025])\n"
        "print('project:', 'pandas' in sys.modules)\n"
        "result.summary\n"
        "print('summary:', 'pandas' in sys.modules)\n"
    )
    assert "import: []" in out
    assert "project: False" in out
    assert "summary: True" in out


def test_the_top_level_names_are_the_api_and_unknown_names_fail_plainly() -> None:
    assert fiscal.project is api.project
    assert fiscal.load_rules is api.load_rules
    assert fiscal.diff is api.diff
    assert {"project", "load_rules", "load_inputs", "diff", "ProjectionResult"} <= set(dir(fiscal))
    with pytest.raises(AttributeError, match="no attribute 'nonsense'"):
        _ = fiscal.nonsense  # type: ignore[attr-defined]


def test_the_package_is_typed_and_the_wheel_ships_the_marker(tmp_path: Path) -> None:
    assert (REPO / "src" / "fiscal" / "py.typed").is_file()
    pytest.importorskip("hatchling")
    done = subprocess.run(
        [sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {done.stderr[-300:]}")
    (wheel,) = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "fiscal/py.typed" in names
    assert "fiscal/_bundled/rules/korea/ruleset.yaml" in names


def test_summary_is_one_row_per_region_and_year_with_a_national_total_in_whole_won(
    result: api.ProjectionResult,
) -> None:
    summary = result.summary
    assert len(summary) == len(YEARS) * (17 + 1)
    assert str(summary["total_revenue_krw"].dtype) == "int64"
    assert summary["independence_ratio"].between(0, 1).all()
    for year in YEARS:
        rows = summary[summary["year"] == year]
        regions, total = rows[rows["region"] != "TOTAL"], rows[rows["region"] == "TOTAL"]
        assert int(regions["total_revenue_krw"].sum()) == int(total["total_revenue_krw"].iloc[0])


def test_ledger_holds_every_figure_of_the_projection_exactly_with_its_source(
    result: api.ProjectionResult,
) -> None:
    ledger = result.ledger
    assert list(ledger.columns) == [
        "scenario",
        "region",
        "year",
        "item",
        "amount_krw",
        "rule",
        "source",
    ]
    sums = ledger.groupby(["item", "region", "year"])["amount_krw"].sum()
    projection = result.projection
    for item, amounts in projection.amounts.items():
        for r, region in enumerate(projection.region_ids):
            for y, year in enumerate(projection.years):
                assert int(sums[(item, region, year)]) == int(amounts[r, y])
    assert (ledger["source"] != "").all()
    assert ledger["source"].str.contains(r"\.yaml:\d+").any()


def test_every_workbook_sheet_is_a_dataframe_and_consolidation_is_exact(
    result: api.ProjectionResult,
) -> None:
    pools = result.table("pools")
    assert (pools["pool_krw"] == pools["distributed_krw"] + pools["unallocated_krw"]).all()
    assert len(result.table("parameters")) > 0
    by_mega = result.consolidated("mega-region")
    regions = result.summary[result.summary["region"] != "TOTAL"]
    assert int(by_mega["total_revenue_krw"].sum()) == int(regions["total_revenue_krw"].sum())
    with pytest.raises(ValueError, match="unknown table"):
        result.table("nonsense")  # type: ignore[arg-type]
    with pytest.raises(UserError, match="expected one of region"):
        result.view("province")


def test_a_notebook_shows_the_terminal_table_and_a_repl_one_line(
    result: api.ProjectionResult,
) -> None:
    assert repr(result) == "<ProjectionResult baseline: 17 regions, 2025-2027, 12 budget items>"
    html = result._repr_html_()
    assert html.startswith("<pre")
    assert "Jeonnam" in html
    assert "All regions" in html


def test_a_scenario_is_named_and_recorded(result: api.ProjectionResult) -> None:
    path = BUNDLED_INPUTS / "scenarios" / "lct-30pct-2027.yaml"
    scenario = fiscal.project(BUNDLED_RULES, BUNDLED_INPUTS, scenario=path, years=YEARS)
    assert scenario.scenario == "Local consumption tax at 30% of VAT from 2027"
    assert scenario.scenario_file == path
    base_2027 = result.summary.query("year == 2027 and region == 'TOTAL'")["own_source_krw"]
    scen_2027 = scenario.summary.query("year == 2027 and region == 'TOTAL'")["own_source_krw"]
    assert int(scen_2027.iloc[0]) > int(base_2027.iloc[0])


def test_write_makes_the_cli_workbook_never_replaces_a_file_and_records_the_python_call(
    result: api.ProjectionResult, tmp_path: Path
) -> None:
    from python_calamine import CalamineWorkbook

    target = result.write(tmp_path / "api.xlsx")
    book = CalamineWorkbook.from_path(str(target))
    assert {"Summary", "Ledger", "Provenance"} <= set(book.sheet_names)
    provenance = dict(
        (str(row[0]), str(row[1]))
        for row in book.get_sheet_by_name("Provenance").to_python()
        if len(row) > 1
    )
    assert any(value == API_COMMAND_LINE for value in provenance.values())
    with pytest.raises(UserError, match="file exists"):
        result.write(target)
    result.write(target, overwrite=True)


def test_compare_explain_sweep_and_agreements_are_calls_too(result: api.ProjectionResult) -> None:
    same = fiscal.api.compare(result.rules, result.inputs, [None], years=YEARS, by="class")
    assert (same.table.filter(like="_change_krw") == 0).all().all()
    assert "against baseline" in repr(same)

    found = api.explain(result.rules, result.inputs, "jeonnam", 2026, "local_shared_tax_ordinary")
    ledger = result.ledger
    row = ledger.query(
        "region == 'jeonnam' and year == 2026 and item == 'local_shared_tax_ordinary'"
    )
    assert found["amount_krw"] == int(row["amount_krw"].sum())

    swept = api.sweep(
        result.rules, result.inputs, "local_consumption_tax.vat_share", ["0.25", 0.3], years=YEARS
    )
    assert list(swept.table["value"].unique()) == [0.25, 0.3]
    assert len(swept.table) == 2 * 17

    schedules = api.agreements(result.rules)
    assert api.agreement(result.rules, schedules[0].agreement.id) is not None
    with pytest.raises(UserError, match="unknown agreement 'nope'; known: "):
        api.agreement(result.rules, "nope")


def test_validate_collects_every_problem_instead_of_raising(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    shutil.copytree(BUNDLED_RULES, rules)
    assert api.validate(rules).ok
    edit(rules / VAT, "{value: 0.253", "{value: 2.53")
    found = api.validate(rules, tmp_path / "no-inputs")
    assert not found.ok
    messages = [p.message for p in found.problems]
    assert any("2.53 is a ratio outside [0, 1]" in m for m in messages)
    assert any("inputs folder not found" in m for m in messages)


def test_diff_of_two_folders_lists_the_change_and_its_impact(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(BUNDLED_RULES, old)
    shutil.copytree(BUNDLED_RULES, new)
    edit(
        new / VAT,
        '  2023-01-01: {value: 0.253, reference: "hankyung dictionary 지방소비세율; tjmbc"}\n',
        '  2023-01-01: {value: 0.253, reference: "hankyung dictionary 지방소비세율; tjmbc"}\n'
        '  2026-01-01: {value: 0.3, reference: "test"}\n',
    )
    found = fiscal.diff(old, new, rules=old, first_year=2025, last_year=2027)
    assert found.changed
    assert len(found.changes) == 1
    assert "local_consumption_tax.vat_share" in found.changes.to_string()
    assert len(found.impact) > 0
    assert "local_consumption_tax.vat_share" in found._repr_markdown_()
    assert repr(found).endswith(": 1 change>")
    assert '"changes"' in found.to_json()
    same = fiscal.diff(old, old, rules=old, impact=False)
    assert not same.changed
    assert same.changes.empty
