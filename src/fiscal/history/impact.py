"""What a rule change does to each region's money: two projections compared, cell by cell.

Both versions are projected over the same years with the same inputs; the difference
of every budget item, of total revenue and of the two fiscal ratios is taken per
region and year, with national totals. Regions are matched by id, so a region added or
removed counts from or to zero. Amounts stay whole won (int); ratios are floats.

Attribution: when several rule objects changed, each change is also applied alone to
the old rules (one at a time) and projected against the old ones, so an auditor sees
which change moved which won. The parts need not add up to the whole: the equalisation
grant, for one, depends on the revenue the other rules produce. What is left over is
reported as the interaction of the changes.

Pure: projections in, rows out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from fiscal.engine.money import Int64Array
from fiscal.engine.projection import Projection

TOTAL = "TOTAL"
TOTAL_REVENUE = "total_revenue"
RATIOS = ("independence_ratio", "autonomy_ratio")
RATIO_TOLERANCE = 1e-12
Unit = Literal["won", "ratio"]


@dataclass(frozen=True)
class ImpactRow:
    """The old and new value of one measure of one region (or ``TOTAL``) in one year."""

    region: str
    year: int
    measure: str  # a budget item id, total_revenue, independence_ratio or autonomy_ratio
    unit: Unit
    old: int | float
    new: int | float

    @property
    def change(self) -> int | float:
        """New minus old: won for an amount, a fraction (not points) for a ratio."""
        return self.new - self.old


@dataclass(frozen=True)
class Impact:
    """What a rule change does to every region's budget over the projected years.

    - ``years``: the years both versions were projected over.
    - ``regions``: region ids of the new version, then those only the old one has.
    - ``measures``: budget item ids of either version, then ``total_revenue``.
    - ``money``: region rows in won that changed, largest change first.
    - ``ratios``: 재정자립도 and 재정자주도 rows that changed, largest change first.
    - ``national``: the ``TOTAL`` row of every measure that changed, for every year.
    """

    years: list[int]
    regions: list[str]
    measures: list[str]
    money: list[ImpactRow]  # region rows in won that changed, largest change first
    ratios: list[ImpactRow]  # region ratio rows that changed, largest change first
    national: list[ImpactRow]  # TOTAL rows of every measure that changed, for every year

    def national_change(self, measure: str, year: int) -> int | float:
        """The national change of ``measure`` in ``year``; 0 when it did not change."""
        for row in self.national:
            if row.measure == measure and row.year == year:
                return row.change
        return 0

    @property
    def changed(self) -> bool:
        """Whether any region's money or ratio moved."""
        return bool(self.money or self.ratios)


@dataclass(frozen=True)
class Attribution:
    """One changed rule object applied alone to the old rules, and what it did."""

    kind: str
    id: str
    impact: Impact | None
    reason: str | None = None  # why it could not be applied alone
    fields: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The changed rule object as a report names it: ``parameter local_shared_tax.rate``."""
        return f"{self.kind} {self.id}"


def _cells(projection: Projection) -> dict[tuple[str, str], Int64Array]:
    """``(region id, measure) -> won by year`` for every item and total revenue."""
    out: dict[tuple[str, str], Int64Array] = {}
    for r, region in enumerate(projection.regions):
        for item, values in projection.amounts.items():
            out[(region.id, item)] = values[r]
        out[(region.id, TOTAL_REVENUE)] = projection.headline.total_revenue[r]
        out[(region.id, "_own")] = projection.headline.own_source[r]
        out[(region.id, "_general")] = projection.headline.general_grants[r]
    return out


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def budget_impact(old: Projection, new: Projection) -> Impact:
    """Every change of a budget item, total revenue and the two ratios, by region and year."""
    if old.years != new.years:
        raise ValueError("both projections must cover the same years")
    years = new.years
    regions = new.region_ids + [r for r in old.region_ids if r not in new.region_ids]
    items = list(new.amounts) + [i for i in old.amounts if i not in new.amounts]
    measures = [*items, TOTAL_REVENUE]
    a, b = _cells(old), _cells(new)
    zero = np.zeros(len(years), dtype=np.int64)

    def won(cells: dict[tuple[str, str], Int64Array], region: str, measure: str) -> Int64Array:
        """A region's won by year for a measure; zeros when that version has no such cell."""
        return cells.get((region, measure), zero)

    money: list[ImpactRow] = []
    ratios: list[ImpactRow] = []
    for region in regions:
        for measure in measures:
            before, after = won(a, region, measure), won(b, region, measure)
            for y, year in enumerate(years):
                if before[y] != after[y]:
                    money.append(
                        ImpactRow(region, year, measure, "won", int(before[y]), int(after[y]))
                    )
        for y, year in enumerate(years):
            pair = []
            for cells in (a, b):
                own, general = won(cells, region, "_own")[y], won(cells, region, "_general")[y]
                total = won(cells, region, TOTAL_REVENUE)[y]
                pair.append((_ratio(int(own), int(total)), _ratio(int(own + general), int(total))))
            for k, name in enumerate(RATIOS):
                if abs(pair[1][k] - pair[0][k]) > RATIO_TOLERANCE:
                    ratios.append(ImpactRow(region, year, name, "ratio", pair[0][k], pair[1][k]))

    region_order = {r: i for i, r in enumerate(regions)}
    measure_order = {m: i for i, m in enumerate([*measures, *RATIOS])}

    def largest_first(row: ImpactRow) -> tuple[float, int, int, int]:
        """Largest absolute change first; ties by region, year and measure order."""
        return (-abs(row.change), region_order[row.region], row.year, measure_order[row.measure])

    money.sort(key=largest_first)
    ratios.sort(key=largest_first)
    changed = [m for m in measures if any(row.measure == m for row in money)]
    national: list[ImpactRow] = []
    for y, year in enumerate(years):
        for measure in changed:
            before_sum = sum(int(won(a, r, measure)[y]) for r in regions)
            after_sum = sum(int(won(b, r, measure)[y]) for r in regions)
            national.append(ImpactRow(TOTAL, year, measure, "won", before_sum, after_sum))
        if changed:
            sums = []
            for cells in (a, b):
                own = sum(int(won(cells, r, "_own")[y]) for r in regions)
                general = sum(int(won(cells, r, "_general")[y]) for r in regions)
                total = sum(int(won(cells, r, TOTAL_REVENUE)[y]) for r in regions)
                sums.append((_ratio(own, total), _ratio(own + general, total)))
            for k, name in enumerate(RATIOS):
                national.append(ImpactRow(TOTAL, year, name, "ratio", sums[0][k], sums[1][k]))
    return Impact(years, regions, measures, money, ratios, national)


def interaction(
    together: Impact, parts: list[Attribution], measure: str = TOTAL_REVENUE
) -> dict[int, int | float]:
    """By year: the change of all changes together less the sum of each applied alone."""
    out: dict[int, int | float] = {}
    for year in together.years:
        alone = sum(p.impact.national_change(measure, year) for p in parts if p.impact is not None)
        out[year] = together.national_change(measure, year) - alone
    return out
