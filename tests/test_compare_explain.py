"""Comparison, explanation and consolidation: every figure recomputed independently."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fiscal import api
from fiscal.engine.consolidation import Grouping, consolidate
from fiscal.report.explain import explain
from fiscal.report.views import view
from tests.conftest import BUNDLED_INPUTS, run_fiscal
from tests.excel_helpers import id_row

SCENARIOS = BUNDLED_INPUTS / "scenarios"
YEARS = list(range(2025, 2031))


def sheet_rows(path: Path, sheet: str) -> list[dict[str, object]]:
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    values = list(book[sheet].iter_rows(values_only=True))
    book.close()
    top = id_row(values)  # below the bilingual label row of a summary sheet
    header = [str(h) for h in values[top] if h is not None]
    out = []
    for row in values[top + 1 :]:
        if row[0] is None:
            break
        out.append(dict(zip(header, row, strict=False)))
    return out


def test_compare_sheet_matches_independent_projections(tmp_path: Path) -> None:
    scenario = SCENARIOS / "lst-rate-22pct.yaml"
    out = tmp_path / "compare.xlsx"
    done = run_fiscal("compare", scenario, "-o", out, "--by", "mega-region")
    assert done.returncode == 0, done.stderr
    assert "Local shared tax at 22% of internal taxes from 2027 against baseline" in done.stdout
    rules, inputs = api.load_rules(), api.load_inputs()
    base = view(api.project(rules, inputs, None, YEARS).projection, rules, "mega-region")
    scen = view(api.project(rules, inputs, scenario, YEARS).projection, rules, "mega-region")
    units = [u.id for u in base.units]
    rows = sheet_rows(out, "Compare")
    assert len(rows) == len(YEARS) * (len(units) + 1)
    for row in rows:
        y = YEARS.index(int(row["year"]))  # type: ignore[call-overload]
        if row["mega_region"] == "TOTAL":
            pick: slice = slice(None)
        else:
            u = units.index(str(row["mega_region"]))
            pick = slice(u, u + 1)
        for name in ("total_revenue", "own_source", "general_grants", "obligations"):
            b = int(getattr(base.headline, name)[pick, y].sum())
            s = int(getattr(scen.headline, name)[pick, y].sum())
            assert row[f"{name}_baseline_krw"] == b
            assert row[f"{name}_scenario_krw"] == s
            assert row[f"{name}_change_krw"] == s - b
    book = openpyxl.load_workbook(out)
    assert len(book["Compare"]._charts) == 2


def test_a_scenario_that_changes_nothing_shows_zero_change(tmp_path: Path) -> None:
    same = tmp_path / "same.yaml"
    same.write_text("title: The rules as they are\n", encoding="utf-8")
    out = tmp_path / "compare.xlsx"
    assert run_fiscal("compare", same, "-o", out, "-q").returncode == 0
    for row in sheet_rows(out, "Compare"):
        for key, value in row.items():
            if key.endswith("_change_krw") or key.endswith("_change_pp"):
                assert value == 0, (key, row)


def test_explain_agrees_with_the_ledger_for_every_item_of_a_region() -> None:
    rules, inputs = api.load_rules(), api.load_inputs()
    projection = api.project(rules, inputs, None, YEARS).projection
    r = projection.region_ids.index("jeonnam")
    for item in projection.amounts:
        found = explain(projection, rules, inputs, "jeonnam", 2027, item)
        assert found["amount_krw"] == int(projection.amounts[item][r, 2])
        steps = {s["step"]: s["value"] for s in found["steps"]}
        if found["rule"]["kind"] in ("sharing", "equalisation"):
            floor = steps["whole won of the quota (floor)"]
            extra = steps["won added by largest remainder"]
            assert floor + extra == found["amount_krw"]
            quota = steps["quota = pool x key / sum of keys"]
            if isinstance(quota, dict):  # not whole won: the exact fraction beside its decimal
                quota = Fraction(quota["numerator"], quota["denominator"])
            assert abs(quota - found["amount_krw"]) <= 1
            assert found["national_bases"] and found["parameters"]
        if found["rule"]["kind"] == "equalisation":
            assert found["amount_krw"] <= steps["fiscal gap = need - counted revenue"]
        for parameter in found["parameters"]:
            file, _, line = parameter["source"].rpartition(":")
            assert parameter["effective"] in Path(file).read_text().splitlines()[int(line) - 1]


def test_explain_json_and_unknown_region(tmp_path: Path) -> None:
    done = run_fiscal("explain", "busan", "2026", "local_consumption_tax", "--format", "json")
    assert done.returncode == 0, done.stderr
    import json

    found = json.loads(done.stdout)
    assert found["region"]["id"] == "busan" and found["amount_krw"] > 0
    bad = run_fiscal("explain", "atlantis", "2026", "local_consumption_tax")
    assert bad.returncode == 1 and "unknown region 'atlantis'" in bad.stderr


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=1, max_value=12),
    st.integers(min_value=1, max_value=5),
    st.data(),
)
def test_consolidated_figures_are_exact_sums_of_their_regions(
    regions: int, groups: int, data: st.DataObject
) -> None:
    membership = np.zeros((groups, regions), dtype=np.int64)
    owner = data.draw(st.lists(st.integers(0, groups - 1), min_size=regions, max_size=regions))
    for r, g in enumerate(owner):
        membership[g, r] = 1
    amounts = np.asarray(
        data.draw(
            st.lists(
                st.lists(st.integers(0, 2**52), min_size=3, max_size=3),
                min_size=regions,
                max_size=regions,
            )
        ),
        dtype=np.int64,
    )
    grouping = Grouping(
        "group", [f"g{i}" for i in range(groups)], [""] * groups, [""] * groups, membership
    )
    out = consolidate({"x": amounts}, grouping)["x"]
    for g in range(groups):
        members = [r for r in range(regions) if owner[r] == g]
        expected = [sum(int(amounts[r, y]) for r in members) for y in range(3)]
        assert out[g].tolist() == expected
    assert int(out.sum()) == int(amounts.sum())


@pytest.mark.parametrize("by", ["mega-region", "class"])
def test_views_by_group_add_up_to_the_regions(by: str) -> None:
    rules, inputs = api.load_rules(), api.load_inputs()
    projection = api.project(rules, inputs, None, YEARS).projection
    grouped = view(projection, rules, by)  # type: ignore[arg-type]
    for item, values in projection.amounts.items():
        assert np.array_equal(grouped.amounts[item].sum(axis=0), values.sum(axis=0))
    head = grouped.headline
    expected = head.own_source / head.total_revenue
    assert np.allclose(head.independence, expected)
    if by == "mega-region":
        assert [u.id for u in grouped.units][:5] == [
            "capital_area",
            "southeast",
            "daegyeong",
            "central",
            "honam",
        ]


def test_sweep_local_consumption_share_raises_own_source_monotonically(tmp_path: Path) -> None:
    from datetime import date
    from decimal import Decimal

    from fiscal.report.sweep import sweep

    rules, inputs = api.load_rules(), api.load_inputs()
    values = [Decimal("0.20"), Decimal("0.25"), Decimal("0.30"), Decimal("0.35")]
    points = list(
        sweep(rules, inputs, YEARS, "local_consumption_tax.vat_share", values, date(2025, 1, 1))
    )
    own = [int(p.own_source.sum()) for p in points]
    assert own == sorted(own) and len(set(own)) == len(own)
    out = tmp_path / "sweep.xlsx"
    done = run_fiscal(
        "sweep",
        "--param",
        "local_consumption_tax.vat_share",
        "--values",
        "0.25,0.30",
        "-o",
        out,
        "-q",
    )
    assert done.returncode == 0, done.stderr
    rows = sheet_rows(out, "Sweep")
    assert len(rows) == 2 * 17
