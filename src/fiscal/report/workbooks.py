"""What the projection, comparison and sweep workbooks show, as :class:`Book` values.

Each function decides a workbook's sheets: the tables of :mod:`fiscal.report.tables`,
which rows are totals, the small pivots placed beside or below a table to feed a chart,
and the charts. :func:`fiscal.excel.workbook.write_book` writes the result.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from decimal import Decimal

from fiscal.engine.projection import Projection
from fiscal.report.comparison import Compared, compare_table, national_table
from fiscal.report.provenance import Provenance
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
    sheets = [_summary_sheet(projection, summary(projection, ruleset))]
    if changes:
        sheets.append(table_sheet(scenario_table(changes)))
    if consolidated is not None and consolidated.by != "region":
        sheets.append(table_sheet(view_summary(consolidated)))
    sheets += [
        table_sheet(national(projection)),
        table_sheet(regions(projection, ruleset)),
        table_sheet(ledger_citing(projection, changes)),
        _agreements_sheet(projection),
        table_sheet(affordability(projection)),
        table_sheet(pools(projection)),
        table_sheet(parameters(projection)),
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


def _summary_sheet(projection: Projection, summary_table: Table) -> Sheet:
    """Revenue composition by region (first year) and independence ratio over the years."""
    table = with_totals(summary_table, "region")
    n_regions = len(projection.regions)
    n_years = len(projection.years)
    name_col = table.column("region_en")
    first, last = 1, n_regions  # rows of the first year's regions (header is row 0)
    composition = Chart(
        "column",
        [
            Series(
                HEADLINE_LABELS[key],
                [table.name, first, name_col, last, name_col],
                [table.name, first, table.column(f"{key}_krw"), last, table.column(f"{key}_krw")],
                {"fill": {"color": _CHART_COLORS[index]}, "gap": 60},
            )
            for index, key in enumerate(
                ["own_source", "general_grants", "specific_grants", "other_revenue"]
            )
        ],
        f"Revenue composition by region, {projection.years[0]} (won)",
        {"num_format": '#,##0,,,,"tn"', "major_gridlines": {"visible": True}},
        (900, 420),
        (1, len(table.columns) + 1),
        stacked=True,
        legend="bottom",
    )
    # A pivot of the independence ratio (regions x years) below the table feeds the line chart.
    top = len(table.rows) + 3
    independence = projection.headline.independence
    pivot = _pivot(
        top,
        0,
        "Fiscal independence ratio by region and year",
        projection.years,
        [
            (region.name.en, [float(independence[r, y]) for y in range(n_years)])
            for r, region in enumerate(projection.regions)
        ],
        "ratio",
    )
    trend = Chart(
        "line",
        [
            Series(
                [table.name, top + 1 + r, 0],
                [table.name, top, 1, top, n_years],
                [table.name, top + 1 + r, 1, top + 1 + r, n_years],
                {"marker": {"type": "circle", "size": 4}},
            )
            for r in range(n_regions)
        ],
        "Fiscal independence ratio (재정자립도) by year",
        {"num_format": "0%", "min": 0},
        (900, 460),
        (23, len(table.columns) + 1),
        legend="right",
    )
    return Sheet(table.name, [(table, 0)], pivot, [composition, trend])


def _pivot(
    top: int,
    left: int,
    title: str,
    years: Sequence[int],
    rows: list[tuple[str, list[Cell]]],
    kind: Style,
) -> list[Placed]:
    """A titled block: ``region`` and the years across, a row per name below."""
    cells = [Placed(top - 1, left, title, "title"), Placed(top, left, "region", "header")]
    cells += [Placed(top, left + 1 + y, year, "header") for y, year in enumerate(years)]
    for i, (name, values) in enumerate(rows):
        cells.append(Placed(top + 1 + i, left, name))
        cells += [Placed(top + 1 + i, left + 1 + y, value, kind) for y, value in enumerate(values)]
    return cells


def _agreements_sheet(projection: Projection) -> Sheet:
    """Flows on the left, per-agreement totals and present values to the right, then a chart
    of the central money each region receives by year."""
    flows = agreements(projection)
    totals = agreement_totals(projection)
    col0 = len(flows.columns) + 1
    tables = [(flows, 0), (totals, col0)]
    inflow = projection.amounts.get("agreement_inflow")
    if inflow is None:
        return Sheet(flows.name, tables)
    receiving = [r for r in range(len(projection.regions)) if inflow[r].any()]
    top = len(totals.rows) + 3
    years = projection.years
    pivot = _pivot(
        top,
        col0,
        "Central agreement money received, by region and year",
        years,
        [
            (projection.regions[r].name.en, [int(inflow[r, y]) for y in range(len(years))])
            for r in receiving
        ],
        "won",
    )
    if not receiving:
        return Sheet(flows.name, tables, pivot)
    last_col = col0 + len(years)
    chart = Chart(
        "column",
        [
            Series(
                ["Agreements", top + 1 + i, col0],
                ["Agreements", top, col0 + 1, top, last_col],
                ["Agreements", top + 1 + i, col0 + 1, top + 1 + i, last_col],
            )
            for i in range(len(receiving))
        ],
        "Central commitments by year, stacked by region (won)",
        {"num_format": '#,##0,,,"bn"'},
        (760, 380),
        (top + len(receiving) + 3, col0),
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
    table = with_totals(table, table.columns[1].name)  # the unit column: region, class, ...
    return Book(
        {"title": "fiscal comparison", "author": f"fiscal {provenance.fiscal_version}"},
        provenance.created,
        [
            _compare_sheet(comparisons, table),
            table_sheet(national_table(comparisons)),
            provenance_sheet(provenance),
        ],
    )


def _compare_sheet(comparisons: list[Compared], table: Table) -> Sheet:
    """Change in total revenue by unit (last year), and independence baseline vs scenarios."""
    base = comparisons[0].baseline
    last = len(base.years) - 1
    top = len(table.rows) + 3
    col0 = 0
    n = len(comparisons)
    cells = [
        Placed(top - 1, col0, f"Last year ({base.years[-1]}) by {base.by}", "title"),
        Placed(top, col0, base.by, "header"),
        Placed(top, col0 + 1, "independence baseline", "header"),
    ]
    for s, c in enumerate(comparisons):
        name = c.scenario.scenario
        cells += [
            Placed(top, col0 + 2 + s, f"{name}: total revenue change", "header"),
            Placed(top, col0 + 2 + n + s, f"{name}: independence", "header"),
        ]
    for u, unit in enumerate(base.units):
        row = top + 1 + u
        cells += [
            Placed(row, col0, unit.en),
            Placed(row, col0 + 1, float(base.headline.independence[u, last]), "ratio"),
        ]
        for s, c in enumerate(comparisons):
            change = int(c.scenario.headline.total_revenue[u, last]) - int(
                c.baseline.headline.total_revenue[u, last]
            )
            cells += [
                Placed(row, col0 + 2 + s, change, "won"),
                Placed(
                    row, col0 + 2 + n + s, float(c.scenario.headline.independence[u, last]), "ratio"
                ),
            ]
    first_row, last_row = top + 1, top + len(base.units)
    units: CellRange = ["Compare", first_row, col0, last_row, col0]
    change_chart = Chart(
        "column",
        [
            Series(
                ["Compare", top, col0 + 2 + s],
                units,
                ["Compare", first_row, col0 + 2 + s, last_row, col0 + 2 + s],
            )
            for s in range(n)
        ],
        f"Change in total revenue by {base.by}, {base.years[-1]} (won)",
        {"num_format": '#,##0,,,"bn"'},
        (900, 420),
        (last_row + 3, col0),
        legend="bottom",
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
        f"Fiscal independence ratio, baseline against scenario, {base.years[-1]}",
        {"num_format": "0%", "min": 0},
        (900, 420),
        (last_row + 25, col0),
        legend="bottom",
    )
    return Sheet(table.name, [(table, 0)], cells, [change_chart, ratio_chart])


def sweep_book(
    parameter: str,
    regions: list[tuple[str, str]],
    points: list[SweepPoint],
    provenance: Provenance,
) -> Book:
    """One row per value and region (last year), a chart, Provenance."""
    table = sweep_table(points, regions)
    # Pivot: values down, regions across (independence ratio), feeding a line per region.
    col0 = len(table.columns) + 1
    cells = [Placed(0, col0, f"{parameter} (independence ratio by region)", "header")]
    cells += [Placed(0, col0 + 1 + r, name, "header") for r, (_, name) in enumerate(regions)]
    for i, point in enumerate(points):
        cells.append(Placed(1 + i, col0, float(point.value), "share"))
        cells += [
            Placed(1 + i, col0 + 1 + r, float(point.independence[r]), "ratio")
            for r in range(len(regions))
        ]
    chart = Chart(
        "line",
        [
            Series(
                ["Sweep", 0, col0 + 1 + r],
                ["Sweep", 1, col0, len(points), col0],
                ["Sweep", 1, col0 + 1 + r, len(points), col0 + 1 + r],
            )
            for r in range(len(regions))
        ],
        f"Fiscal independence ratio by value of {parameter}",
        {"num_format": "0%"},
        (900, 460),
        (len(points) + 3, col0),
        x_axis={"name": parameter},
    )
    return Book(
        {"title": f"fiscal sweep of {parameter}", "author": f"fiscal {provenance.fiscal_version}"},
        provenance.created,
        [Sheet(table.name, [(table, 0)], cells, [chart]), provenance_sheet(provenance)],
    )
