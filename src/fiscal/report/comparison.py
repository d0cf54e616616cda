"""Comparing scenarios with a baseline: the same units, years and figures, side by side.

Money changes are exact differences of whole won; ratio changes are in percentage
points. A scenario identical to the baseline shows zero change everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from fiscal.engine.projection import Projection
from fiscal.report.table import Cell, Column, Table
from fiscal.report.tables import tax_ratio_text
from fiscal.report.views import View

MONEY = ("total_revenue", "own_source", "general_grants", "specific_grants", "obligations")
RATIOS = ("independence", "autonomy")
TOTAL_ID = "TOTAL"


@dataclass(frozen=True)
class Compared:
    """One scenario against the baseline."""

    baseline: View
    scenario: View
    baseline_projection: Projection
    scenario_projection: Projection


def compare_table(comparisons: list[Compared]) -> Table:
    """Per scenario, unit and year: each headline figure in both, and the change."""
    first = comparisons[0].baseline
    columns = [
        Column("scenario", "text", 26),
        Column(first.by.replace("-", "_"), "text", 14),
        Column("name_en", "text", 20),
        Column("year", "year", 7),
    ]
    for name in MONEY:
        columns += [
            Column(f"{name}_baseline_krw", "won", 20),
            Column(f"{name}_scenario_krw", "won", 20),
            Column(f"{name}_change_krw", "won", 18),
        ]
    for name in RATIOS:
        columns += [
            Column(f"{name}_baseline", "ratio", 11),
            Column(f"{name}_scenario", "ratio", 11),
            Column(f"{name}_change_pp", "share", 11),
        ]
    rows: list[tuple[Cell, ...]] = []
    for c in comparisons:
        base, scen = c.baseline.headline, c.scenario.headline
        for y, year in enumerate(c.baseline.years):
            units = [(u.id, u.en, slice(i, i + 1)) for i, u in enumerate(c.baseline.units)]
            units.append((TOTAL_ID, "All regions", slice(None)))
            for unit_id, name, rows_of in units:
                cells: list[Cell] = [c.scenario.scenario, unit_id, name, year]
                for metric in MONEY:
                    b = int(getattr(base, metric)[rows_of, y].sum())
                    s = int(getattr(scen, metric)[rows_of, y].sum())
                    cells += [b, s, s - b]
                for metric in RATIOS:
                    b_ratio = _ratio(base, metric, rows_of, y)
                    s_ratio = _ratio(scen, metric, rows_of, y)
                    cells += [b_ratio, s_ratio, 100 * (s_ratio - b_ratio)]
                rows.append(tuple(cells))
    return Table("Compare", columns, rows)


def _ratio(head: object, metric: str, rows: slice, year: int) -> float:
    """A ratio recomputed from summed money (so totals are ratios of sums)."""
    total = int(head.total_revenue[rows, year].sum())  # type: ignore[attr-defined]
    own = int(head.own_source[rows, year].sum())  # type: ignore[attr-defined]
    general = int(head.general_grants[rows, year].sum())  # type: ignore[attr-defined]
    if not total:
        return 0.0
    return own / total if metric == "independence" else (own + general) / total


def national_table(comparisons: list[Compared]) -> Table:
    """Per scenario and year: the tax ratio and disparity, baseline against scenario."""
    columns = [
        Column("scenario", "text", 26),
        Column("year", "year", 7),
        Column("tax_ratio_baseline", "text", 12),
        Column("tax_ratio_scenario", "text", 12),
        Column("local_tax_share_change_pp", "share", 12),
        Column("cv_before_baseline", "share", 11),
        Column("cv_before_scenario", "share", 11),
        Column("cv_after_baseline", "share", 11),
        Column("cv_after_scenario", "share", 11),
    ]
    rows: list[tuple[Cell, ...]] = []
    for c in comparisons:
        b, s = c.baseline_projection.measures, c.scenario_projection.measures
        if b is None or s is None:
            continue
        for y, year in enumerate(c.baseline.years):
            rows.append(
                (
                    c.scenario.scenario,
                    year,
                    tax_ratio_text(float(b.local_tax_share[y])),
                    tax_ratio_text(float(s.local_tax_share[y])),
                    100 * float(s.local_tax_share[y] - b.local_tax_share[y]),
                    float(b.cv_before_transfers[y]),
                    float(s.cv_before_transfers[y]),
                    float(b.cv_after_transfers[y]),
                    float(s.cv_after_transfers[y]),
                )
            )
    return Table("Compare national", columns, rows)
