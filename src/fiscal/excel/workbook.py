"""The projection workbook, written with xlsxwriter.

xlsxwriter writes native charts, number formats, frozen panes and document properties
and is about twice as fast as openpyxl at our sizes (see ``benchmarks/``). Every text
cell is written as a string (never a formula), so a name or title that starts with
``=``, ``+``, ``-`` or ``@`` cannot run in a spreadsheet program. Every amount is a
whole number of won; Excel holds integers exactly up to 2^53, and a larger amount is
refused rather than rounded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fiscal.engine.projection import Projection
from fiscal.excel.xlsxbook import new_workbook
from fiscal.report.comparison import Compared
from fiscal.report.provenance import Provenance
from fiscal.report.sweep import SweepPoint, sweep_table
from fiscal.report.tables import (
    HEADLINE_LABELS,
    Column,
    Table,
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

EXACT_LIMIT = 2**53
_CHART_COLORS = ["#1f4e79", "#2e75b6", "#9dc3e6", "#c55a11", "#7f7f7f"]


class _Formats:
    def __init__(self, book: Any) -> None:
        self.header = book.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}
        )
        self.title = book.add_format({"bold": True, "font_size": 13})
        self.note = book.add_format({"italic": True, "font_color": "#595959"})
        self.won = book.add_format({"num_format": "#,##0"})
        self.ratio = book.add_format({"num_format": "0.0%"})
        self.share = book.add_format({"num_format": "0.0000##"})
        self.year = book.add_format({"num_format": "0"})
        self.text = book.add_format({})
        self.total = book.add_format({"bold": True, "num_format": "#,##0", "top": 1})
        self.total_ratio = book.add_format({"bold": True, "num_format": "0.0%", "top": 1})
        self.total_text = book.add_format({"bold": True, "top": 1})

    def of(self, column: Column, bold: bool = False) -> Any:
        if bold:
            return {"won": self.total, "ratio": self.total_ratio}.get(column.kind, self.total_text)
        return {
            "won": self.won,
            "ratio": self.ratio,
            "share": self.share,
            "year": self.year,
        }.get(column.kind, self.text)


def write_projection(
    path: Path,
    projection: Projection,
    ruleset: Ruleset,
    provenance: Provenance,
    consolidated: View | None = None,
) -> None:
    """Write the projection workbook to ``path`` (the caller makes the write atomic)."""
    book = new_workbook(
        path,
        {
            "title": f"fiscal projection: {provenance.scenario}",
            "subject": f"Regional budgets {projection.years[0]}-{projection.years[-1]}",
            "author": f"fiscal {provenance.fiscal_version}",
            "comments": f"rules {provenance.rules_git.describe()}",
        },
        provenance.created,
    )
    fmt = _Formats(book)
    summary_table = summary(projection, ruleset)
    sheet = _write_table(book, fmt, summary_table, bold_rows=_total_rows(summary_table))
    _summary_charts(book, sheet, fmt, projection, summary_table)
    if consolidated is not None and consolidated.by != "region":
        _write_table(book, fmt, view_summary(consolidated))
    _write_table(book, fmt, national(projection))
    _write_table(book, fmt, regions(projection, ruleset))
    _write_table(book, fmt, ledger(projection))
    _write_agreements(book, fmt, projection)
    _write_table(book, fmt, affordability(projection))
    _write_table(book, fmt, pools(projection))
    _write_table(book, fmt, parameters(projection))
    _write_provenance(book, fmt, provenance)
    book.close()


def _total_rows(table: Table) -> set[int]:
    region = table.column("region")
    return {i for i, row in enumerate(table.rows) if row[region] == "TOTAL"}


def _write_table(
    book: Any,
    fmt: _Formats,
    table: Table,
    bold_rows: set[int] | None = None,
    sheet: Any = None,
    col0: int = 0,
) -> Any:
    """Write a table with a header row; a new sheet unless one is given (then at ``col0``)."""
    first_on_sheet = sheet is None
    if sheet is None:
        sheet = book.add_worksheet(table.name)
    bold_rows = bold_rows or set()
    for c, column in enumerate(table.columns, start=col0):
        sheet.write_string(0, c, column.name, fmt.header)
        sheet.set_column(c, c, column.width)
    for r, row in enumerate(table.rows, start=1):
        bold = (r - 1) in bold_rows
        for c, (column, value) in enumerate(zip(table.columns, row, strict=True), start=col0):
            _write_cell(sheet, r, c, value, fmt.of(column, bold))
    if first_on_sheet:
        sheet.freeze_panes(1, 0)
        if table.rows:
            sheet.autofilter(0, 0, len(table.rows), len(table.columns) - 1)
    return sheet


def _write_cell(sheet: Any, row: int, col: int, value: object, cell_format: Any) -> None:
    if isinstance(value, str):
        sheet.write_string(row, col, value, cell_format)
    elif isinstance(value, int):
        if abs(value) >= EXACT_LIMIT:
            # A spreadsheet number would round it (a projection far ahead passes 2^53
            # won): the exact digits, as text, keep it to the won.
            sheet.write_string(row, col, str(value), cell_format)
        else:
            sheet.write_number(row, col, value, cell_format)
    elif isinstance(value, float):
        sheet.write_number(row, col, value, cell_format)
    else:
        sheet.write_blank(row, col, None, cell_format)


def _summary_charts(
    book: Any, sheet: Any, fmt: _Formats, projection: Projection, table: Table
) -> None:
    """Revenue composition by region (first year) and independence ratio over the years."""
    n_regions = len(projection.regions)
    n_years = len(projection.years)
    name_col = table.column("region_en")
    first, last = 1, n_regions  # rows of the first year's regions (header is row 0)
    composition = book.add_chart({"type": "column", "subtype": "stacked"})
    for index, key in enumerate(
        ["own_source", "general_grants", "specific_grants", "other_revenue"]
    ):
        col = table.column(f"{key}_krw")
        composition.add_series(
            {
                "name": HEADLINE_LABELS[key],
                "categories": [table.name, first, name_col, last, name_col],
                "values": [table.name, first, col, last, col],
                "fill": {"color": _CHART_COLORS[index]},
                "gap": 60,
            }
        )
    composition.set_title({"name": f"Revenue composition by region, {projection.years[0]} (won)"})
    composition.set_y_axis({"num_format": '#,##0,,,,"tn"', "major_gridlines": {"visible": True}})
    composition.set_legend({"position": "bottom"})
    composition.set_size({"width": 900, "height": 420})
    anchor_col = len(table.columns) + 1
    sheet.insert_chart(1, anchor_col, composition)

    # A pivot of the independence ratio (regions x years) below the table feeds the line chart.
    top = len(table.rows) + 3
    sheet.write_string(top - 1, 0, "Fiscal independence ratio by region and year", fmt.title)
    sheet.write_string(top, 0, "region", fmt.header)
    for y, year in enumerate(projection.years):
        sheet.write_number(top, 1 + y, year, fmt.header)
    for r, region in enumerate(projection.regions):
        sheet.write_string(top + 1 + r, 0, region.name.en)
        for y in range(n_years):
            sheet.write_number(
                top + 1 + r, 1 + y, float(projection.headline.independence[r, y]), fmt.ratio
            )
    trend = book.add_chart({"type": "line"})
    for r in range(n_regions):
        trend.add_series(
            {
                "name": [table.name, top + 1 + r, 0],
                "categories": [table.name, top, 1, top, n_years],
                "values": [table.name, top + 1 + r, 1, top + 1 + r, n_years],
                "marker": {"type": "circle", "size": 4},
            }
        )
    trend.set_title({"name": "Fiscal independence ratio (재정자립도) by year"})
    trend.set_y_axis({"num_format": "0%", "min": 0})
    trend.set_legend({"position": "right"})
    trend.set_size({"width": 900, "height": 460})
    sheet.insert_chart(23, anchor_col, trend)


def _write_agreements(book: Any, fmt: _Formats, projection: Projection) -> None:
    """Flows on the left, per-agreement totals and present values to the right, then a chart
    of the central money each region receives by year."""
    flows = agreements(projection)
    sheet = _write_table(book, fmt, flows)
    totals = agreement_totals(projection)
    col0 = len(flows.columns) + 1
    _write_table(book, fmt, totals, sheet=sheet, col0=col0)

    inflow = projection.amounts.get("agreement_inflow")
    if inflow is None:
        return
    receiving = [r for r in range(len(projection.regions)) if inflow[r].any()]
    top = len(totals.rows) + 3
    sheet.write_string(top - 1, col0, "Central agreement money received, by region and year",
                       fmt.title)  # fmt: skip
    sheet.write_string(top, col0, "region", fmt.header)
    for y, year in enumerate(projection.years):
        sheet.write_number(top, col0 + 1 + y, year, fmt.header)
    for i, r in enumerate(receiving):
        sheet.write_string(top + 1 + i, col0, projection.regions[r].name.en)
        for y in range(len(projection.years)):
            sheet.write_number(top + 1 + i, col0 + 1 + y, int(inflow[r, y]), fmt.won)
    if not receiving:
        return
    chart = book.add_chart({"type": "column", "subtype": "stacked"})
    last_col = col0 + len(projection.years)
    for i in range(len(receiving)):
        chart.add_series(
            {
                "name": ["Agreements", top + 1 + i, col0],
                "categories": ["Agreements", top, col0 + 1, top, last_col],
                "values": ["Agreements", top + 1 + i, col0 + 1, top + 1 + i, last_col],
            }
        )
    chart.set_title({"name": "Central commitments by year, stacked by region (won)"})
    chart.set_y_axis({"num_format": '#,##0,,,"bn"'})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 760, "height": 380})
    sheet.insert_chart(top + len(receiving) + 3, col0, chart)


def _write_provenance(book: Any, fmt: _Formats, provenance: Provenance) -> None:
    sheet = book.add_worksheet("Provenance")
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 70)
    sheet.set_column(2, 2, 66)
    sheet.write_string(0, 0, "key", fmt.header)
    sheet.write_string(0, 1, "value", fmt.header)
    row = 1
    for key, value in provenance.rows():
        sheet.write_string(row, 0, key)
        sheet.write_string(row, 1, value)
        row += 1
    row += 1
    sheet.write_string(row, 0, "role", fmt.header)
    sheet.write_string(row, 1, "file", fmt.header)
    sheet.write_string(row, 2, "sha256", fmt.header)
    for file in provenance.files:
        row += 1
        sheet.write_string(row, 0, file.role)
        sheet.write_string(row, 1, file.path)
        sheet.write_string(row, 2, file.sha256)
    sheet.freeze_panes(1, 0)


def write_comparison(path: Path, comparisons: list[Compared], provenance: Provenance) -> None:
    """The comparison workbook: Compare (with charts), Compare national, Provenance."""
    from fiscal.report.comparison import compare_table, national_table

    book = new_workbook(
        path,
        {"title": "fiscal comparison", "author": f"fiscal {provenance.fiscal_version}"},
        provenance.created,
    )
    fmt = _Formats(book)
    table = compare_table(comparisons)
    unit_col = 1
    totals = {i for i, row in enumerate(table.rows) if row[unit_col] == "TOTAL"}
    sheet = _write_table(book, fmt, table, bold_rows=totals)
    _compare_charts(book, sheet, fmt, comparisons, table)
    _write_table(book, fmt, national_table(comparisons))
    _write_provenance(book, fmt, provenance)
    book.close()


def _compare_charts(
    book: Any, sheet: Any, fmt: _Formats, comparisons: list[Compared], table: Table
) -> None:
    """Change in total revenue by unit (last year), and independence baseline vs scenarios."""
    base = comparisons[0].baseline
    last = len(base.years) - 1
    top = len(table.rows) + 3
    col0 = 0
    sheet.write_string(top - 1, col0, f"Last year ({base.years[-1]}) by {base.by}", fmt.title)
    sheet.write_string(top, col0, base.by, fmt.header)
    sheet.write_string(top, col0 + 1, "independence baseline", fmt.header)
    for s, c in enumerate(comparisons):
        sheet.write_string(
            top, col0 + 2 + s, f"{c.scenario.scenario}: total revenue change", fmt.header
        )
        sheet.write_string(
            top, col0 + 2 + len(comparisons) + s, f"{c.scenario.scenario}: independence", fmt.header
        )
    for u, unit in enumerate(base.units):
        row = top + 1 + u
        sheet.write_string(row, col0, unit.en)
        sheet.write_number(row, col0 + 1, float(base.headline.independence[u, last]), fmt.ratio)
        for s, c in enumerate(comparisons):
            change = int(c.scenario.headline.total_revenue[u, last]) - int(
                c.baseline.headline.total_revenue[u, last]
            )
            sheet.write_number(row, col0 + 2 + s, change, fmt.won)
            sheet.write_number(
                row,
                col0 + 2 + len(comparisons) + s,
                float(c.scenario.headline.independence[u, last]),
                fmt.ratio,
            )
    first_row, last_row = top + 1, top + len(base.units)
    change_chart = book.add_chart({"type": "column"})
    for s in range(len(comparisons)):
        change_chart.add_series(
            {
                "name": ["Compare", top, col0 + 2 + s],
                "categories": ["Compare", first_row, col0, last_row, col0],
                "values": ["Compare", first_row, col0 + 2 + s, last_row, col0 + 2 + s],
            }
        )
    change_chart.set_title(
        {"name": f"Change in total revenue by {base.by}, {base.years[-1]} (won)"}
    )
    change_chart.set_y_axis({"num_format": '#,##0,,,"bn"'})
    change_chart.set_legend({"position": "bottom"})
    change_chart.set_size({"width": 900, "height": 420})
    sheet.insert_chart(last_row + 3, col0, change_chart)
    ratio_chart = book.add_chart({"type": "column"})
    ratio_chart.add_series(
        {
            "name": "baseline",
            "categories": ["Compare", first_row, col0, last_row, col0],
            "values": ["Compare", first_row, col0 + 1, last_row, col0 + 1],
        }
    )
    for s in range(len(comparisons)):
        col = col0 + 2 + len(comparisons) + s
        ratio_chart.add_series(
            {
                "name": ["Compare", top, col],
                "categories": ["Compare", first_row, col0, last_row, col0],
                "values": ["Compare", first_row, col, last_row, col],
            }
        )
    ratio_chart.set_title(
        {"name": f"Fiscal independence ratio, baseline against scenario, {base.years[-1]}"}
    )
    ratio_chart.set_y_axis({"num_format": "0%", "min": 0})
    ratio_chart.set_legend({"position": "bottom"})
    ratio_chart.set_size({"width": 900, "height": 420})
    sheet.insert_chart(last_row + 25, col0, ratio_chart)


def write_sweep(
    path: Path,
    parameter: str,
    regions: list[tuple[str, str]],
    points: list[SweepPoint],
    provenance: Provenance,
) -> None:
    """The sweep workbook: one row per value and region (last year), a chart, Provenance."""
    book = new_workbook(
        path,
        {"title": f"fiscal sweep of {parameter}", "author": f"fiscal {provenance.fiscal_version}"},
        provenance.created,
    )
    fmt = _Formats(book)
    table = sweep_table(points, regions)
    columns = table.columns
    sheet = _write_table(book, fmt, table)
    # Pivot: values down, regions across (independence ratio), feeding a line per region.
    col0 = len(columns) + 1
    sheet.write_string(0, col0, f"{parameter} (independence ratio by region)", fmt.header)
    for r, (_, name) in enumerate(regions):
        sheet.write_string(0, col0 + 1 + r, name, fmt.header)
    for i, point in enumerate(points):
        sheet.write_number(1 + i, col0, float(point.value), fmt.share)
        for r in range(len(regions)):
            sheet.write_number(1 + i, col0 + 1 + r, float(point.independence[r]), fmt.ratio)
    chart = book.add_chart({"type": "line"})
    for r in range(len(regions)):
        chart.add_series(
            {
                "name": ["Sweep", 0, col0 + 1 + r],
                "categories": ["Sweep", 1, col0, len(points), col0],
                "values": ["Sweep", 1, col0 + 1 + r, len(points), col0 + 1 + r],
            }
        )
    chart.set_title({"name": f"Fiscal independence ratio by value of {parameter}"})
    chart.set_x_axis({"name": parameter})
    chart.set_y_axis({"num_format": "0%"})
    chart.set_size({"width": 900, "height": 460})
    sheet.insert_chart(len(points) + 3, col0, chart)
    _write_provenance(book, fmt, provenance)
    book.close()
