"""Every workbook `fiscal` writes of tables, written with xlsxwriter from a :class:`Book`.

The report layer builds the book (:mod:`fiscal.report.workbooks` for projections,
comparisons and sweeps, :mod:`fiscal.history.report` for rule diffs); this module only
lays its tables, cells and charts out, so it imports nothing but the table types.

xlsxwriter writes native charts, number formats, frozen panes and document properties
and is about twice as fast as openpyxl at our sizes (see ``benchmarks/``). Every text
cell is written as a string (never a formula), so a name or title that starts with
``=``, ``+``, ``-`` or ``@`` cannot run in a spreadsheet program. Every amount is a
whole number of won; Excel holds integers exactly up to 2^53, and a larger amount is
written as its exact digits, as text, rather than rounded. A table shown in million won
(``Table.unit``) keeps the whole won in its cells: only the number format (``#,##0,,``)
scales what is shown.

Made to be read and printed: a labelled table has its label row above its id row, both
repeated on every printed page and frozen on screen; columns are as wide as their
header and their values (no ``###``, no header wrapped over the data); the autofilter
covers the data rows and leaves out the total rows after them; pages are landscape and
fit the width of the sheet.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import Any

from fiscal.excel.xlsxbook import new_workbook
from fiscal.report.table import Book, Chart, Kind, Look, Sheet, Style, Table, Unit

EXACT_LIMIT = 2**53
# Number formats of money by unit: the trailing commas scale the shown figure by 1,000 each.
MONEY_FORMATS: dict[Unit, str] = {"won": "#,##0", "million": "#,##0,,"}
# Rows looked at to size a column: enough to see every kind of value, cheap at 100,000 rows.
_SIZED_ROWS = 5000
_MAX_WIDTH = 60  # a longer text (a title, a source) is cut on screen, not wrapped
_LABEL_LINES = 3  # a label wraps to at most this many lines, in a row made tall enough


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
        self.won = book.add_format({"num_format": MONEY_FORMATS["won"]})
        self.ratio = book.add_format({"num_format": look.ratio})
        self.share = book.add_format({"num_format": "0.0000##"})
        self.year = book.add_format({"num_format": "0"})
        self.text = book.add_format({})
        self.total = book.add_format({"bold": True, "num_format": "#,##0", "top": 1})
        self.total_ratio = book.add_format({"bold": True, "num_format": look.ratio, "top": 1})
        self.total_text = book.add_format({"bold": True, "top": 1})
        # Added after the formats above, so a book without labels keeps its styles part.
        self._label: Any = None
        self._ids: Any = None
        self._million: Any = None
        self._total_million: Any = None
        self._book = book
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

    def of(self, kind: Kind, bold: bool = False, unit: Unit = "won") -> Any:
        """The cell format of a column ``kind``; ``bold`` for a total row; money in ``unit``."""
        if kind == "won" and unit == "million":
            return self.total_million if bold else self.million
        if bold:
            return self._bold.get(kind, self.total_text)
        return self._plain[kind]

    @property
    def million(self) -> Any:
        """The format of money shown in millions of won (made the first time it is used)."""
        if self._million is None:
            self._million = self._book.add_format({"num_format": MONEY_FORMATS["million"]})
        return self._million

    @property
    def total_million(self) -> Any:
        """The same for a total row: bold, with a rule above (made when first used)."""
        if self._total_million is None:
            self._total_million = self._book.add_format(
                {"bold": True, "num_format": MONEY_FORMATS["million"], "top": 1}
            )
        return self._total_million

    @property
    def label(self) -> Any:
        """A label row's cell: bold on blue, wrapped inside a row made tall enough."""
        if self._label is None:
            self._label = self._book.add_format(
                {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}
                | {"valign": "top"}
            )
        return self._label

    @property
    def ids(self) -> Any:
        """The id row under the labels: small, grey, never wrapped."""
        if self._ids is None:
            self._ids = self._book.add_format(
                {"font_size": 8, "font_color": "#595959", "bg_color": "#F2F2F2", "border": 1}
            )
        return self._ids

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
    label_lines = 0
    widths = dict(spec.widths)
    for index, (table, col0) in enumerate(spec.tables):
        lines, table_widths = _write_table(sheet, fmt, table, col0)
        label_lines = max(label_lines, lines)
        widths.update(table_widths)
        data = _data_rows(table)
        if index == 0 and data:
            top = table.header_rows - 1  # the id row carries the filter buttons
            sheet.autofilter(top, col0, top + data, col0 + len(table.columns) - 1)
    if label_lines:
        sheet.set_row(0, 15 * label_lines)
    wider: dict[int, int] = {}
    for placed in spec.cells:
        _write_cell(sheet, placed.row, placed.col, placed.value, fmt.style(placed.style))
        if placed.style in ("won", "ratio", "share", "year", "text", None):
            # A number too wide for its column shows ###: widen the column to fit.
            kind: Kind = placed.style or "text"
            need = _shown_width(placed.value, kind, "won") + 2
            if need > widths.get(placed.col, 8) and need > wider.get(placed.col, 0):
                wider[placed.col] = min(need, _MAX_WIDTH)
    for c, width in sorted(wider.items()):
        sheet.set_column(c, c, width)
    header = max((t.header_rows for t, _ in spec.tables[:1]), default=1)
    if spec.freeze_header:
        sheet.freeze_panes(header, 0)
    used = max([*widths, *wider, -1]) + 1  # columns in use
    _page_setup(sheet, header if spec.tables else 0, used)
    for chart in spec.charts:
        _insert_chart(workbook, sheet, chart)


# Columns a landscape A4 page holds at a size still read without a lens.
_PAGE_COLUMNS = 20


def _page_setup(sheet: Any, header_rows: int, columns: int = 0) -> None:
    """Printed landscape on A4, the header rows on every page; one page wide, or two for a
    sheet too wide to read on one (the Agreements sheet's 28 columns)."""
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1 if columns <= _PAGE_COLUMNS else 2, 0)  # as many pages tall as need
    # A printed page says which sheet it is and where it falls.
    sheet.set_header("&L&A")
    sheet.set_footer("&RPage &P of &N")
    if header_rows:
        sheet.repeat_rows(0, header_rows - 1)


def _data_rows(table: Table) -> int:
    """The rows the autofilter covers: all but the total rows that close the table."""
    rows = len(table.rows)
    while rows and rows - 1 in table.total_rows:
        rows -= 1
    return rows


def _write_table(
    sheet: Any, fmt: _Formats, table: Table, col0: int = 0
) -> tuple[int, dict[int, int]]:
    """A table with its header rows at the top of ``sheet``, from column ``col0``: the one
    table-to-cells writer of every workbook. Returns the lines its label row needs and
    the width of each of its columns."""
    labelled = table.header_rows == 2
    lines = 0
    widths: dict[int, int] = {}
    for c, column in enumerate(table.columns, start=col0):
        width = widths[c] = _width(table, c - col0)
        if labelled:
            sheet.write_string(0, c, column.label, fmt.label)
            sheet.write_string(1, c, column.name, fmt.ids)
            lines = max(lines, -(-_text_width(column.label) // max(width - 1, 1)))
        else:
            sheet.write_string(0, c, column.name, fmt.header)
        sheet.set_column(c, c, width)
    kinds = [column.kind for column in table.columns]
    plain = [fmt.of(kind, unit=table.unit) for kind in kinds]
    # Won shown in millions: an amount written as text (past 2^53) says it is in won.
    scaled = [kind == "won" and table.unit == "million" for kind in kinds]
    first = table.header_rows
    for i, row in enumerate(table.rows):
        bold, ratios = i in table.total_rows, i in table.ratio_rows
        formats = _row_formats(fmt, kinds, bold, ratios, table.unit) if bold or ratios else plain
        for c, (value, cell_format) in enumerate(zip(row, formats, strict=True), start=col0):
            _write_cell(sheet, i + first, c, value, cell_format, scaled[c - col0])
    return min(lines, _LABEL_LINES), widths


def _width(table: Table, index: int) -> int:
    """A column's width in characters: its own, widened to its id, to its label over at
    most three lines, and to the widest value shown (so no cell shows ``###``)."""
    column = table.columns[index]
    width = max(column.width, len(column.name) + 2)
    if column.label:
        width = max(width, min(_longest_word(column.label), _MAX_WIDTH) + 2)
        width = max(width, -(-_text_width(column.label) // _LABEL_LINES) + 2)
    rows = table.rows[:_SIZED_ROWS] + [table.rows[i] for i in sorted(table.total_rows)]
    shown = max((_shown_width(row[index], column.kind, table.unit) for row in rows), default=0)
    return min(max(width, shown + 2), _MAX_WIDTH)


def _shown_width(value: object, kind: Kind, unit: Unit) -> int:
    """How many characters a cell shows (a total is bold: one more)."""
    if isinstance(value, str):
        return _text_width(value)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0
    if kind == "won" and isinstance(value, int):
        if abs(value) >= EXACT_LIMIT:
            return len(str(value))
        shown = round(value / 1_000_000) if unit == "million" else value
        return len(f"{shown:,}") + 1
    if kind in ("ratio", "share"):
        return 9
    return len(str(value)) + 1


def _text_width(text: str) -> int:
    """Columns a text takes: Hangul and other wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _longest_word(text: str) -> int:
    return max((_text_width(word) for word in text.split()), default=0)


def _row_formats(
    fmt: _Formats, kinds: list[Kind], bold: bool, ratios: bool, unit: Unit
) -> list[Any]:
    """A total row is bold; in a row of ratios the money columns are shown as ratios."""
    shown: list[Kind] = ["ratio" if ratios and kind == "won" else kind for kind in kinds]
    return [fmt.of(kind, bold, unit) for kind in shown]


def _write_cell(
    sheet: Any, row: int, col: int, value: object, cell_format: Any, scaled: bool = False
) -> None:
    """One cell: text, yes/no, a number, or an amount past 2^53 as its exact digits.

    ``scaled``: the column shows won in millions, so digits written as text carry their
    unit ("... won"), or they would read a million times too large."""
    if isinstance(value, str):
        sheet.write_string(row, col, value, cell_format)
    elif isinstance(value, bool):
        sheet.write_string(row, col, "yes" if value else "no", cell_format)
    elif isinstance(value, int):
        if abs(value) >= EXACT_LIMIT:
            # A spreadsheet number would round it (a projection far ahead passes 2^53
            # won): the exact digits, as text, keep it to the won.
            sheet.write_string(row, col, f"{value} won" if scaled else str(value), cell_format)
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
