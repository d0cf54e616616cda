"""The fiscal ratios the terminal shows are the engine's: one convention for a region with no
revenue (0, as in the workbook and JSON), and totals that are ratios of summed money."""

from __future__ import annotations

import io

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from rich.console import Console

from fiscal.engine.indicators import headline
from fiscal.report import terminal
from fiscal.report.views import Unit, View
from fiscal.rules.types import Category

CATEGORIES = {
    "tax": Category.own_source,
    "grant": Category.general_grant,
    "aid": Category.specific_grant,
}


def _view(tax: list[list[int]], grant: list[list[int]], aid: list[list[int]]) -> View:
    amounts = {
        name: np.array(values, dtype=np.int64)
        for name, values in (("tax", tax), ("grant", grant), ("aid", aid))
    }
    shape = amounts["tax"].shape
    units = [Unit(f"r{i}", f"Region {i}", f"지역{i}") for i in range(shape[0])]
    return View(
        "region", "baseline", [2025 + y for y in range(shape[1])], units, amounts,
        headline(amounts, CATEGORIES, shape),
    )  # fmt: skip


def _rows(view: View, year: int) -> dict[str, list[str]]:
    """The summary table's rows for one year (the terminal shows a table per year)."""
    out = io.StringIO()
    Console(file=out, width=200, no_color=True).print(terminal.projection_summary(view, [year]))
    rows = {}
    for line in out.getvalue().splitlines():
        cells = [c.strip() for c in line.strip("│┃ ").split("│")]
        if cells and cells[0].startswith(("Region", "All regions")):
            rows[cells[0]] = cells
    return rows


def test_a_region_without_revenue_shows_the_engines_zero_ratios() -> None:
    view = _view(tax=[[0, 0], [30, 60]], grant=[[0, 0], [50, 20]], aid=[[0, 0], [20, 20]])
    assert view.headline.independence[0, 0] == 0.0  # the engine's convention
    first, last = _rows(view, 2025), _rows(view, 2026)
    assert first["Region 0"][-2:] == last["Region 0"][-2:] == ["0.0", "0.0"]
    assert first["Region 1"][-2:] == ["30.0", "80.0"]
    assert last["Region 1"][-2:] == ["60.0", "80.0"]


money = st.integers(min_value=0, max_value=10**13)


@given(st.lists(st.tuples(money, money, money, money, money, money), min_size=1, max_size=5))
def test_terminal_ratios_are_the_engines_and_totals_are_ratios_of_sums(
    regions: list[tuple[int, int, int, int, int, int]],
) -> None:
    tax = [[r[0], r[3]] for r in regions]
    grant = [[r[1], r[4]] for r in regions]
    aid = [[r[2], r[5]] for r in regions]
    view = _view(tax, grant, aid)
    head = view.headline
    whole = _view(
        [[sum(r[0] for r in regions), sum(r[3] for r in regions)]],
        [[sum(r[1] for r in regions), sum(r[4] for r in regions)]],
        [[sum(r[2] for r in regions), sum(r[5] for r in regions)]],
    )
    for y, year in enumerate(view.years):
        rows = _rows(view, year)
        for u in range(len(regions)):
            indep = f"{100 * head.independence[u, y]:.1f}"
            auton = f"{100 * head.autonomy[u, y]:.1f}"
            assert rows[f"Region {u}"][-2:] == [indep, auton]
        assert rows["All regions"][-2:] == _rows(whole, year)["Region 0"][-2:]
