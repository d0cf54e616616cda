"""Every workbook `fiscal` writes of tables, written with xlsxwriter from a :class:`Book`.

The report layer builds the book (:mod:`fiscal.report.workbooks` for projections,
comparisons and sweeps, :mod:`fiscal.history.report` for rule diffs); this module only
lays its tables, cells and charts out, so it imports nothing but the table types.

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

from fiscal.excel.xlsxbook import new_workbook
from fiscal.report.table import Book, Chart, Kind, Look, Sheet, Style, Table

EXACT_LIMIT = 2**53


class _Formats:
    def __init__(self, book: Any, look: Look) -> None:
        # Created in this order in every book: xlsxwriter numbers the formats a book uses
        # as it writes them, so the same cells always give the same styles part.
        header: dict[str, object] = {
            "bold": True,
            "bg_color": "#DDEBF7",
            "border": 1,
            "text_wrap": True,
        }
        if look.header_top:
            header["valign"] = "top"
        self.header = book.add_format(header)
        self.title = book.add_format({"bold": True, "font_size": 13})
        self.won = book.add_format({"num_format": "#,##0"})
        self.ratio = book.add_format({"num_format": look.ratio})
        self.share = book.add_format({"num_format": "0.0000##"})
        self.year = book.add_format({"num_format": "0"})
        self.text = book.add_format({})
        self.total = book.add_format({"bold": True, "num_format": "#,##0", "top": 1})
        self.total_ratio = book.add_format({"bold": True, "num_format": look.ratio, "top": 1})
        self.total_text = book.add_format({"bold": True, "top": 1})
        self._plain = {
            "won": self.won,
            "ratio": self.ratio,
            "share": self.share,
            "year": self.year,
            "text": self.text,
            "header": self.header,
            "title": self.title,
        }
        self._bold = {"won": self.total, "ratio": self.total_ratio}

    def of(self, kind: Kind, bold: bool = False) -> Any:
        """The cell format of a column ``kind``; ``bold`` for a total row."""
        if bold:
            return self._bold.get(kind, self.total_text)
        return self._plain[kind]

    def style(self, style: Style) -> Any:
        """The format of a cell placed outside a table; None for no format."""
        return None if style is None else self._plain[style]


def write_book(path: Path, book: Book) -> None:
    """Write ``book`` to ``path`` (the caller makes the write atomic)."""
    workbook = new_workbook(path, book.properties, book.created)
    fmt = _Formats(workbook, book.look)
    for sheet in book.sheets:
        _write_sheet(workbook, fmt, sheet)
    workbook.close()


def _write_sheet(workbook: Any, fmt: _Formats, spec: Sheet) -> None:
    sheet = workbook.add_worksheet(spec.name)
    for c, width in spec.widths.items():
        sheet.set_column(c, c, width)
    for index, (table, col0) in enumerate(spec.tables):
        _write_table(sheet, fmt, table, col0)
        if index == 0 and table.rows:
            sheet.autofilter(0, col0, len(table.rows), col0 + len(table.columns) - 1)
    for placed in spec.cells:
        _write_cell(sheet, placed.row, placed.col, placed.value, fmt.style(placed.style))
    if spec.freeze_header:
        sheet.freeze_panes(1, 0)
    for chart in spec.charts:
        _insert_chart(workbook, sheet, chart)


def _write_table(sheet: Any, fmt: _Formats, table: Table, col0: int = 0) -> None:
    """A table with its header row at the top of ``sheet``, from column ``col0``: the one
    table-to-cells writer of every workbook."""
    for c, column in enumerate(table.columns, start=col0):
        sheet.write_string(0, c, column.name, fmt.header)
        sheet.set_column(c, c, column.width)
    kinds = [column.kind for column in table.columns]
    plain = [fmt.of(kind) for kind in kinds]
    for i, row in enumerate(table.rows):
        bold, ratios = i in table.total_rows, i in table.ratio_rows
        formats = _row_formats(fmt, kinds, bold, ratios) if bold or ratios else plain
        for c, (value, cell_format) in enumerate(zip(row, formats, strict=True), start=col0):
            _write_cell(sheet, i + 1, c, value, cell_format)


def _row_formats(fmt: _Formats, kinds: list[Kind], bold: bool, ratios: bool) -> list[Any]:
    """A total row is bold; in a row of ratios the money columns are shown as ratios."""
    shown: list[Kind] = ["ratio" if ratios and kind == "won" else kind for kind in kinds]
    return [fmt.of(kind, bold) for kind in shown]


def _write_cell(sheet: Any, row: int, col: int, value: object, cell_format: Any) -> None:
    if isinstance(value, str):
        sheet.write_string(row, col, value, cell_format)
    elif isinstance(value, bool):
        sheet.write_string(row, col, "yes" if value else "no", cell_format)
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


def _insert_chart(workbook: Any, sheet: Any, spec: Chart) -> None:
    kind: dict[str, str] = {"type": spec.type}
    if spec.stacked:
        kind["subtype"] = "stacked"
    chart = workbook.add_chart(kind)
    for series in spec.series:
        chart.add_series(
            {
                "name": series.name,
                "categories": series.categories,
                "values": series.values,
                **series.options,
            }
        )
    chart.set_title({"name": spec.title})
    if spec.x_axis is not None:
        chart.set_x_axis(spec.x_axis)
    chart.set_y_axis(spec.y_axis)
    if spec.legend is not None:
        chart.set_legend({"position": spec.legend})
    chart.set_size({"width": spec.size[0], "height": spec.size[1]})
    sheet.insert_chart(spec.at[0], spec.at[1], chart)
