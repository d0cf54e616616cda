"""What the projection, comparison and sweep workbooks show, as :class:`Book` values.

Each function decides a workbook's sheets: the tables of :mod:`fiscal.report.tables`,
which rows are totals, the small pivots placed beside or below a table to feed a chart,
and the charts. :func:`fiscal.excel.workbook.write_book` writes the result.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from decimal import Decimal
from pathlib import Path

from fiscal.engine.projection import Projection
from fiscal.report.comparison import Compared, compare_table, national_table
from fiscal.report.labels import for_people, item_labels
from fiscal.report.provenance import PortableNames, Provenance, portable_sources
from fiscal.report.sweep import SweepPoint, sweep_table
from fiscal.report.table import (
    Book,
    Cell,
    CellRange,
    Chart,
    Column,
    Placed,
    Series,
    Sheet,
    Style,
    Table,
    key_value_sheet,
    table_sheet,
)
from fiscal.report.tables import (
    HEADLINE_LABELS,
    TOTAL_ID,
    affordability,
    agreement_totals,
    agreements,
    ledger,
    national,
    parameters,
    pools,
    regions,
    summary,
    view_summary,
)
from fiscal.report.views import View
from fiscal.rules.ruleset import Ruleset
from fiscal.rules.scenarios import ScenarioChange

_CHART_COLORS = ["#1f4e79", "#2e75b6", "#9dc3e6", "#c55a11", "#7f7f7f"]
# Ten colours a reader tells apart (Tableau 10), for charts of at most ten named lines:
# the five highest in blues and greens, the five lowest in reds and browns.
_HIGH_COLORS = ["#1f77b4", "#17becf", "#2ca02c", "#9467bd", "#7f7f7f"]
_LOW_COLORS = ["#d62728", "#ff7f0e", "#8c564b", "#e377c2", "#bcbd22"]
# A chart names at most this many regions (xlsxwriter stops at 255 series, and a reader
# long before): the five highest and five lowest, said in the title.
_EACH_END = 5
# A column or bar chart shows at most this many categories (regions, units).
_MOST_BARS = 30
# A stacked chart has at most this many series: the largest, and the others together.
_MOST_SERIES = 10


def projection_book(
    projection: Projection,
    ruleset: Ruleset,
    provenance: Provenance,
    consolidated: View | None = None,
    changes: Sequence[ScenarioChange] = (),
) -> Book:
    """Summary (with charts), Scenario (what a scenario changed), Consolidated (grouped
    other than by region), National, Regions, Ledger, Agreements, Affordability, Pools,
    Parameters and Provenance."""
    # File:line named from the folder of the rules and inputs: the same in any folder.
    names = PortableNames(ruleset.root, Path(provenance.inputs_path or ruleset.root))

    def travels(table: Table, *columns: str) -> Table:
        """``table`` with the file:line in ``columns`` (default ``source``) named from the
        rules and inputs folders, so the workbook reads the same wherever it is opened."""
        rows = table.rows
        for column in columns or ("source",):
            rows = portable_sources(names, rows, table.column(column))
        return dataclasses.replace(table, rows=rows)

    sheets = [_summary_sheet(projection, summary(projection, ruleset))]
    if changes:
        sheets.append(
            table_sheet(travels(scenario_table(changes), "scenario_source", "changes_source"))
        )
    if consolidated is not None and consolidated.by != "region":
        sheets.append(table_sheet(for_people(view_summary(consolidated), "million")))
    sheets += [
        table_sheet(for_people(national(projection), "million")),
        table_sheet(
            for_people(regions(projection, ruleset), "million", item_labels(ruleset.items))
        ),
        # The Ledger is read by programs row by row: one id header row, whole won.
        table_sheet(
            travels(ledger_citing(projection, changes), "source", "scenario_source")
            if changes
            else travels(ledger(projection))
        ),
        _agreements_sheet(projection, travels),
        table_sheet(for_people(affordability(projection))),
        table_sheet(for_people(pools(projection), "million")),
        table_sheet(for_people(travels(parameters(projection)))),
        provenance_sheet(provenance),
    ]
    return Book(
        {
            "title": f"fiscal projection: {provenance.scenario}",
            "subject": f"Regional budgets {projection.years[0]}-{projection.years[-1]}",
            "author": f"fiscal {provenance.fiscal_version}",
            "comments": f"rules {provenance.rules_git.describe()}",
        },
        provenance.created,
        sheets,
    )


def scenario_table(changes: Sequence[ScenarioChange]) -> Table:
    """The Scenario sheet: each change a scenario made, at its file:line, old and new."""
    columns = [
        Column("scenario_source", "text", 34),
        Column("kind", "text", 18),
        Column("name", "text", 38),
        Column("region", "text", 14),
        Column("years", "text", 24),
        Column("was", "won", 22),
        Column("now", "won", 22),
        Column("changes_source", "text", 52),
    ]
    rows: list[tuple[Cell, ...]] = []
    ratios: set[int] = set()
    for change in changes:
        if isinstance(change.was, Decimal) or isinstance(change.now, Decimal):
            ratios.add(len(rows))  # a parameter's rate or share, not money
        rows.append(
            (
                str(change.where),
                change.kind,
                change.name,
                change.region,
                change.years,
                _number(change.was),
                _number(change.now),
                str(change.changes),
            )
        )
    return Table("Scenario", columns, rows, ratio_rows=frozenset(ratios))


def _number(value: int | Decimal | None) -> Cell:
    if value is None:
        return ""
    return float(value) if isinstance(value, Decimal) else value


def ledger_citing(projection: Projection, changes: Sequence[ScenarioChange]) -> Table:
    """The Ledger; under a scenario, each row its changes made names the scenario's lines.

    A row is changed when its item reads, in its year, a series, indicator or parameter
    the scenario changed, or another item so changed (an equalisation grant counts the
    local consumption tax a VAT change moved). Sharing and equalisation divide one pool,
    so a change to one region's indicator moves every region's row.
    """
    table = ledger(projection)
    if not changes:
        return table
    touched: dict[tuple[str, int], set[str]] = {}
    # An item read straight from an indicator changes only in the regions changed.
    by_region: dict[tuple[str, int, str], set[str]] = {}
    for change in changes:
        where = str(change.where)
        if change.kind in ("national series", "regional indicator") and change.years.isdigit():
            touched.setdefault((change.name, int(change.years)), set()).add(where)
            key = (change.name, int(change.years), change.region)
            by_region.setdefault(key, set()).add(where)
    scenario_lines = {str(c.where) for c in changes if c.kind == "parameter"}
    for use in projection.parameter_uses:
        if str(use.value.source) in scenario_lines:
            for year in use.years:
                touched.setdefault((use.ref, year), set()).add(str(use.value.source))
    by_item: dict[tuple[str, int], set[str]] = {}
    for year in projection.years:
        # Items in the order the rules made them: an item's inputs come before it.
        for item, trace in projection.traces.items():
            cited: set[str] = set()
            for name in (*trace.inputs, *trace.parameters):
                cited |= touched.get((name, year), set()) | by_item.get((name, year), set())
            if cited:
                by_item[(item, year)] = cited
    at = {name: table.column(name) for name in ("region", "year", "item")}
    rows = []
    for row in table.rows:
        item, year, region = str(row[at["item"]]), int(row[at["year"]]), str(row[at["region"]])
        trace = projection.traces[item]
        if trace.kind == "input":
            found = set().union(*(by_region.get((n, year, region), set()) for n in trace.inputs))
        else:
            found = by_item.get((item, year), set())
        rows.append((*row, "; ".join(sorted(found))))
    return dataclasses.replace(
        table, columns=[*table.columns, Column("scenario_source", "text", 34)], rows=rows
    )


def with_totals(table: Table, column: str) -> Table:
    """``table`` with its rows whose ``column`` is the total's id shown as totals."""
    at = table.column(column)
    totals = frozenset(i for i, row in enumerate(table.rows) if row[at] == TOTAL_ID)
    return dataclasses.replace(table, total_rows=totals)


def totals_last(table: Table, column: str) -> Table:
    """``table`` with its total rows (``column`` is the total's id) moved after the others,
    in their order, and shown as totals: the autofilter then sorts and filters the data
    rows without the totals mixed in."""
    at = table.column(column)
    data = [row for row in table.rows if row[at] != TOTAL_ID]
    totals = [row for row in table.rows if row[at] == TOTAL_ID]
    moved = dataclasses.replace(table, rows=data + totals)
    return dataclasses.replace(
        moved, total_rows=frozenset(range(len(data), len(data) + len(totals)))
    )


def _ends(order: Sequence[int]) -> list[tuple[int, str]]:
    """From indexes sorted highest first: the five highest and the five lowest, each with
    its colour (all of them, in order, when there are ten or fewer)."""
    if len(order) <= 2 * _EACH_END:
        colors = _HIGH_COLORS + _LOW_COLORS
        return [(index, colors[i]) for i, index in enumerate(order)]
    high = [(index, _HIGH_COLORS[i]) for i, index in enumerate(order[:_EACH_END])]
    low = [(index, _LOW_COLORS[i]) for i, index in enumerate(order[-_EACH_END:])]
    return high + low


def _which(count: int, noun: str) -> str:
    """What a capped chart shows, for its title."""
    if count <= 2 * _EACH_END:
        return f"all {count} {noun}"
    return f"five highest and five lowest of {count} {noun}"


def _axis_bounds(values: Sequence[float], step: float = 0.1) -> dict[str, object]:
    """An axis from just below the lowest value to just above the highest, on steps of
    ``step``: lines 20 points apart are drawn apart, not flattened at the top of 0-100%."""
    if not values:
        return {}
    low = max(0.0, step * int(min(values) / step))
    high = step * (int(max(values) / step) + 1)
    return {"min": round(low, 6), "max": round(high, 6)}


def _summary_sheet(projection: Projection, summary_table: Table) -> Sheet:
    """Revenue composition by region (first year) and independence ratio over the years,
    shown in million won (the cells hold whole won)."""
    table = for_people(totals_last(summary_table, "region"), "million")
    h = table.header_rows
    n_regions = len(projection.regions)
    n_years = len(projection.years)
    name_col = table.column("region_en")
    head = projection.headline
    # The first year's regions, the largest first when there are more than a chart shows.
    shown = sorted(range(n_regions), key=lambda r: -int(head.total_revenue[r, 0]))
    shown = sorted(shown[:_MOST_BARS]) if n_regions > _MOST_BARS else list(range(n_regions))
    charts_at = len(table.columns) + 1
    composition_rows: list[tuple[int, int]]
    cells: list[Placed] = []
    if n_regions <= _MOST_BARS:
        # Region rows of the first year are the table's first rows (totals come last).
        composition_rows = [(h, h + n_regions - 1)]
        composition_sheet_cols = {
            key: table.column(f"{key}_krw")
            for key in ["own_source", "general_grants", "specific_grants", "other_revenue"]
        }
        category_col = name_col
        composition_title = f"Revenue composition by region, {projection.years[0]} (trillion won)"
    else:
        composition_rows = []
        composition_sheet_cols = {}
        category_col = 0
        composition_title = ""
    # A pivot of the independence ratio (regions x years) below the table feeds the line
    # chart: the national ratio first, then the regions from the highest in the last year.
    top = h + len(table.rows) + 3
    independence = head.independence
    total = head.total_revenue.sum(axis=0)
    own = head.own_source.sum(axis=0)
    national_ratio = [float(own[y] / total[y]) if total[y] else 0.0 for y in range(n_years)]
    order = sorted(range(n_regions), key=lambda r: (-float(independence[r, -1]), r))
    pivot = _pivot(
        top,
        0,
        "Fiscal independence ratio (재정자립도) by region and year, highest first",
        projection.years,
        [("All regions (national)", national_ratio)]
        + [
            (projection.regions[r].name.en, [float(independence[r, y]) for y in range(n_years)])
            for r in order
        ],
        "ratio",
    )
    row_of = {r: top + 2 + i for i, r in enumerate(order)}
    lines = [
        Series(
            [table.name, row_of[r], 0],
            [table.name, top, 1, top, n_years],
            [table.name, row_of[r], 1, row_of[r], n_years],
            {
                "marker": {"type": "circle", "size": 5, "fill": {"color": color}},
                "line": {"color": color, "width": 2},
            },
        )
        for r, color in _ends(order)
    ]
    lines.append(
        Series(
            [table.name, top + 1, 0],
            [table.name, top, 1, top, n_years],
            [table.name, top + 1, 1, top + 1, n_years],
            {"line": {"color": "#000000", "width": 3, "dash_type": "dash"}},
        )
    )
    plotted = [float(independence[r, y]) for r, _ in _ends(order) for y in range(n_years)]
    trend = Chart(
        "line",
        lines,
        f"Fiscal independence ratio (재정자립도): {_which(n_regions, 'regions')}, "
        f"by {projection.years[-1]}, and the national ratio (dashed)",
        {"num_format": "0%", **_axis_bounds(plotted + national_ratio)},
        (900, 460),
        (h + 23, charts_at),
        legend="right",
    )
    if not composition_rows:
        # Too many regions for one chart: the largest, in a block beside the pivot.
        left = n_years + 2
        keys = ["own_source", "general_grants", "specific_grants", "other_revenue"]
        cells.append(
            Placed(
                top - 1,
                left,
                f"Revenue composition of the {_MOST_BARS} largest regions, "
                f"{projection.years[0]} (won)",
                "title",
            )
        )
        cells.append(Placed(top, left, "region", "header"))
        cells += [
            Placed(top, left + 1 + k, HEADLINE_LABELS[key], "header") for k, key in enumerate(keys)
        ]
        for i, r in enumerate(shown):
            cells.append(Placed(top + 1 + i, left, projection.regions[r].name.en))
            cells += [
                Placed(top + 1 + i, left + 1 + k, int(getattr(head, key)[r, 0]), "won")
                for k, key in enumerate(keys)
            ]
        composition_rows = [(top + 1, top + len(shown))]
        composition_sheet_cols = {key: left + 1 + k for k, key in enumerate(keys)}
        category_col = left
        composition_title = (
            f"Revenue composition of the {_MOST_BARS} largest of {n_regions} regions, "
            f"{projection.years[0]} (trillion won)"
        )
    first, last = composition_rows[0]
    composition = Chart(
        "column",
        [
            Series(
                HEADLINE_LABELS[key],
                [table.name, first, category_col, last, category_col],
                [table.name, first, col, last, col],
                {"fill": {"color": _CHART_COLORS[index]}, "gap": 60},
            )
            for index, (key, col) in enumerate(composition_sheet_cols.items())
        ],
        composition_title,
        {"num_format": '#,##0,,,,"tn"', "major_gridlines": {"visible": True}},
        (900, 420),
        (h, charts_at),
        stacked=True,
        legend="bottom",
    )
    return Sheet(table.name, [(table, 0)], pivot + cells, [composition, trend])


def _pivot(
    top: int,
    left: int,
    title: str,
    years: Sequence[int],
    rows: Sequence[tuple[str, Sequence[Cell]]],
    kind: Style,
) -> list[Placed]:
    """A titled block: ``region`` and the years across, a row per name below."""
    cells = [Placed(top - 1, left, title, "title"), Placed(top, left, "region", "header")]
    cells += [Placed(top, left + 1 + y, year, "header") for y, year in enumerate(years)]
    for i, (name, values) in enumerate(rows):
        cells.append(Placed(top + 1 + i, left, name))
        cells += [Placed(top + 1 + i, left + 1 + y, value, kind) for y, value in enumerate(values)]
    return cells


def _agreements_sheet(projection: Projection, travels: Callable[[Table], Table]) -> Sheet:
    """Flows on the left, per-agreement totals and present values to the right, then a chart
    of the central money each region receives by year (the largest receivers by name)."""
    flows = for_people(travels(agreements(projection)))
    totals = for_people(agreement_totals(projection))
    col0 = len(flows.columns) + 1
    tables = [(flows, 0), (totals, col0)]
    inflow = projection.amounts.get("agreement_inflow")
    if inflow is None:
        return Sheet(flows.name, tables)
    receiving = [r for r in range(len(projection.regions)) if inflow[r].any()]
    receiving.sort(key=lambda r: (-int(inflow[r].sum()), r))
    named, rest = receiving[: _MOST_SERIES - 1], receiving[_MOST_SERIES - 1 :]
    if len(rest) == 1:
        named, rest = receiving, []
    top = totals.header_rows + len(totals.rows) + 3
    years = projection.years
    rows: list[tuple[str, list[Cell]]] = [
        (projection.regions[r].name.en, [int(inflow[r, y]) for y in range(len(years))])
        for r in named
    ]
    if rest:
        rows.append(
            (
                f"{len(rest)} other regions",
                [sum(int(inflow[r, y]) for r in rest) for y in range(len(years))],
            )
        )
    pivot = _pivot(
        top, col0, "Central agreement money received, by region and year (won)", years, rows, "won"
    )
    if not receiving:
        return Sheet(flows.name, tables, pivot)
    last_col = col0 + len(years)
    title = "Central commitments by year, stacked by region (billion won)"
    if rest:
        title = (
            f"Central commitments by year: the {len(named)} largest of {len(receiving)} "
            "receiving regions and the others together (billion won)"
        )
    chart = Chart(
        "column",
        [
            Series(
                ["Agreements", top + 1 + i, col0],
                ["Agreements", top, col0 + 1, top, last_col],
                ["Agreements", top + 1 + i, col0 + 1, top + 1 + i, last_col],
            )
            for i in range(len(rows))
        ],
        title,
        {"num_format": '#,##0,,,"bn"'},
        (760, 380),
        (top + len(rows) + 3, col0),
        stacked=True,
        legend="bottom",
    )
    return Sheet(flows.name, tables, pivot, [chart])


def provenance_sheet(provenance: Provenance) -> Sheet:
    """What made the workbook: key and value, then every file read with its hash."""
    return key_value_sheet(
        provenance.rows(), "role", [(f.role, f.path, f.sha256) for f in provenance.files]
    )


def comparison_book(comparisons: list[Compared], provenance: Provenance) -> Book:
    """Compare (with charts), Compare national, Provenance."""
    table = compare_table(comparisons)
    # The unit column (region, class, ...) names the totals, which go after the data rows.
    table = for_people(totals_last(table, table.columns[1].name), "million")
    return Book(
        {"title": "fiscal comparison", "author": f"fiscal {provenance.fiscal_version}"},
        provenance.created,
        [
            _compare_sheet(comparisons, table),
            table_sheet(for_people(national_table(comparisons))),
            provenance_sheet(provenance),
        ],
    )


def _compare_sheet(comparisons: list[Compared], table: Table) -> Sheet:
    """Change in total revenue by unit (last year) as bars, largest rise first, and
    independence baseline against the scenarios, beside the table's header so a reader
    sees them without scrolling down past thousands of rows."""
    base = comparisons[0].baseline
    last = len(base.years) - 1
    n = len(comparisons)
    col0 = len(table.columns) + 1
    top = 1  # the block's title on the label row, its header on the id row
    first = comparisons[0]

    def change(c: Compared, u: int) -> int:
        """A unit's total revenue in the last year under the scenario less the baseline."""
        return int(c.scenario.headline.total_revenue[u, last]) - int(
            c.baseline.headline.total_revenue[u, last]
        )

    order = sorted(range(len(base.units)), key=lambda u: (-change(first, u), u))
    capped = len(order) > _MOST_BARS
    if capped:
        half = _MOST_BARS // 2
        order = order[:half] + order[-half:]
    which = (
        f"the {_MOST_BARS // 2} largest rises and falls of {len(base.units)}"
        if capped
        else f"every {base.by}"
    )
    cells = [
        Placed(top - 1, col0, f"{base.years[-1]} by {base.by}: {which}", "title"),
        Placed(top, col0, base.by, "header"),
        Placed(top, col0 + 1, "independence baseline", "header"),
    ]
    for s, c in enumerate(comparisons):
        name = c.scenario.scenario
        cells += [
            Placed(top, col0 + 2 + s, f"{name}: total revenue change (won)", "header"),
            Placed(top, col0 + 2 + n + s, f"{name}: independence", "header"),
        ]
    for i, u in enumerate(order):
        row = top + 1 + i
        cells += [
            Placed(row, col0, base.units[u].en),
            Placed(row, col0 + 1, float(base.headline.independence[u, last]), "ratio"),
        ]
        for s, c in enumerate(comparisons):
            cells += [
                Placed(row, col0 + 2 + s, change(c, u), "won"),
                Placed(
                    row, col0 + 2 + n + s, float(c.scenario.headline.independence[u, last]), "ratio"
                ),
            ]
    first_row, last_row = top + 1, top + len(order)
    units: CellRange = ["Compare", first_row, col0, last_row, col0]
    charts_at = col0 + 2 + 2 * n + 1
    height = min(max(300, 120 + 22 * len(order) * n), 900)
    change_chart = Chart(
        "bar",
        [
            Series(
                ["Compare", top, col0 + 2 + s],
                units,
                ["Compare", first_row, col0 + 2 + s, last_row, col0 + 2 + s],
                {"fill": {"color": (_HIGH_COLORS + _LOW_COLORS)[s % 10]}},
            )
            for s in range(n)
        ],
        f"Change in total revenue by {base.by}, {base.years[-1]}: {which} (billion won)",
        {"num_format": '#,##0,,,"bn"', "major_gridlines": {"visible": True}},
        (760, height),
        (top, charts_at),
        legend="bottom",
        x_axis={"reverse": True},  # the largest rise at the top
    )
    ratio_chart = Chart(
        "column",
        [
            Series("baseline", units, ["Compare", first_row, col0 + 1, last_row, col0 + 1]),
            *[
                Series(
                    ["Compare", top, col],
                    units,
                    ["Compare", first_row, col, last_row, col],
                )
                for col in range(col0 + 2 + n, col0 + 2 + 2 * n)
            ],
        ],
        f"Fiscal independence ratio, baseline against scenario, {base.years[-1]}: {which}",
        {"num_format": "0%", "min": 0},
        (760, 420),
        (top + height // 20 + 2, charts_at),
        legend="bottom",
    )
    widths = {col0: 22, col0 + 1: 12}
    widths |= {col0 + 2 + s: 24 for s in range(2 * n)}
    return Sheet(table.name, [(table, 0)], cells, [change_chart, ratio_chart], widths)


def sweep_book(
    parameter: str,
    regions: list[tuple[str, str]],
    points: list[SweepPoint],
    provenance: Provenance,
) -> Book:
    """One row per value and region (last year), a chart, Provenance."""
    table = for_people(sweep_table(points, regions), "million")
    # Pivot: values down, regions across (independence ratio), feeding a line for each of
    # the five highest and five lowest regions at the last value (all, when ten or fewer).
    col0 = len(table.columns) + 1
    h = table.header_rows
    order = sorted(range(len(regions)), key=lambda r: (-float(points[-1].independence[r]), r))
    chosen = _ends(order)
    # The block's header on the label row: the id row holds only ids, for programs.
    cells = [Placed(0, col0, f"{parameter} (independence ratio by region)", "header")]
    cells += [Placed(0, col0 + 1 + i, regions[r][1], "header") for i, (r, _) in enumerate(chosen)]
    for i, point in enumerate(points):
        cells.append(Placed(h + i, col0, float(point.value), "share"))
        cells += [
            Placed(h + i, col0 + 1 + k, float(point.independence[r]), "ratio")
            for k, (r, _) in enumerate(chosen)
        ]
    last = h + len(points) - 1
    chart = Chart(
        "line",
        [
            Series(
                ["Sweep", 0, col0 + 1 + k],
                ["Sweep", h, col0, last, col0],
                ["Sweep", h, col0 + 1 + k, last, col0 + 1 + k],
                {
                    "marker": {"type": "circle", "size": 5, "fill": {"color": color}},
                    "line": {"color": color, "width": 2},
                },
            )
            for k, (_, color) in enumerate(chosen)
        ],
        f"Fiscal independence ratio by value of {parameter}: "
        f"{_which(len(regions), 'regions')} at the last value",
        {
            "num_format": "0%",
            **_axis_bounds([float(p.independence[r]) for p in points for r, _ in chosen]),
        },
        (900, 460),
        (last + 3, col0),
        x_axis={"name": parameter},
        legend="right",
    )
    return Book(
        {"title": f"fiscal sweep of {parameter}", "author": f"fiscal {provenance.fiscal_version}"},
        provenance.created,
        [Sheet(table.name, [(table, 0)], cells, [chart]), provenance_sheet(provenance)],
    )
