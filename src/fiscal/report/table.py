"""Tables, and workbooks made of them: the plain data every writer takes.

The report layer (and :mod:`fiscal.history`) decides what a workbook shows: its tables,
which rows are totals, the small blocks placed beside a table, the charts and where
they go. The writers (:mod:`fiscal.excel.workbook`) only lay those out in cells and
formats, so they need nothing from the engine or the rules, and a change to what a
workbook shows is made in one place, next to the table it changes.

This module imports nothing from ``fiscal``: writers, renderers and the JSON output
can all depend on it without depending on each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

Kind = Literal["text", "won", "ratio", "year", "share"]
# How a table shows its money: whole won (the Ledger, agreement flows) or million won
# (백만원, summary sheets). The cell always holds the exact whole won; only the number
# format scales (``#,##0,,`` drops six digits on screen), so a sum or a copy is exact.
Unit = Literal["won", "million"]
UNIT_LABELS: dict[Unit, str] = {"won": "won / 원", "million": "million won / 백만원"}
Cell = str | int | float
# The document timestamp of an unstamped workbook (xlsxwriter dates its zip entries
# 1980-01-31 on its own); a constant keeps two runs byte-identical.
FIXED_TIME = datetime(2000, 1, 1)
# How a cell outside a table is shown: a column kind, a header or title, or no format at all.
Style = Literal["text", "won", "ratio", "year", "share", "header", "title"] | None


@dataclass(frozen=True)
class Column:
    """One column of a table.

    - ``name``: its header, a snake_case id (``total_revenue``).
    - ``kind``: how its cells are shown: text, won, ratio, year or share.
    - ``width``: column width in characters in a workbook (the writer widens it to fit
      its header and values).
    - ``label``: what a reader calls it, in Korean and English (``재정자립도 / Independence
      ratio``), shown above the id in a workbook; empty for a machine-read table.
    """

    name: str
    kind: Kind
    width: int = 14
    label: str = ""


@dataclass(frozen=True)
class Table:
    """Rows of plain values under named columns: money an ``int`` of won, ratios floats.

    ``total_rows`` (row indexes) are shown bold under a rule; in ``ratio_rows`` the money
    columns hold a ratio (a diff's impact rows mix won and ratio measures). ``unit`` is
    how its money is shown (the cells hold whole won either way).

    A table whose columns carry labels has two header rows in a workbook: the labels
    people read, then the ids programs read (``fiscal verify``, pandas with
    ``header=1``). A table without labels (the Ledger) has the id row alone.
    """

    name: str
    columns: list[Column]
    rows: list[tuple[Cell, ...]]
    total_rows: frozenset[int] = frozenset()
    ratio_rows: frozenset[int] = frozenset()
    unit: Unit = "won"

    def column(self, name: str) -> int:
        """The index of the column named ``name``."""
        return [c.name for c in self.columns].index(name)

    @property
    def header_rows(self) -> int:
        """Rows above the first row of data in a workbook: labels (if any) and ids."""
        return 2 if any(c.label for c in self.columns) else 1


@dataclass(frozen=True)
class Placed:
    """One cell placed on a sheet (0-based row and column), outside any table."""

    row: int
    col: int
    value: Cell
    style: Style = None


# A chart's reference to cells: [sheet, first row, first column, last row, last column],
# or [sheet, row, column] for one cell, as spreadsheet programs store it.
CellRange = list[str | int]


@dataclass(frozen=True)
class Series:
    """One series of a chart, drawn from cells of the workbook.

    - ``name``: the legend's label, or the cell that holds it.
    - ``categories``: the cells of the x axis (years, regions).
    - ``values``: the cells plotted.
    - ``options``: fill, gap or marker, as xlsxwriter takes them.
    """

    name: str | CellRange
    categories: CellRange
    values: CellRange
    options: dict[str, object] = field(default_factory=dict)  # fill, gap, marker


@dataclass(frozen=True)
class Chart:
    """A native chart drawn from cells of the workbook, anchored at (row, col)."""

    type: Literal["column", "bar", "line"]
    series: list[Series]
    title: str
    y_axis: dict[str, object]
    size: tuple[int, int]  # width, height in pixels
    at: tuple[int, int]
    stacked: bool = False
    x_axis: dict[str, object] | None = None
    legend: str | None = None  # its position


@dataclass(frozen=True)
class Sheet:
    """A worksheet: tables side by side (the first is the sheet's own: its header row is
    frozen and filtered), cells placed around them, charts, and column widths for a
    sheet laid out by hand."""

    name: str
    tables: list[tuple[Table, int]] = field(default_factory=list)  # and its first column
    cells: list[Placed] = field(default_factory=list)  # written in this order
    charts: list[Chart] = field(default_factory=list)
    widths: dict[int, int] = field(default_factory=dict)
    freeze_header: bool = True


@dataclass(frozen=True)
class Look:
    """The formats a workbook's cells are shown in, where kinds of workbook differ."""

    ratio: str = "0.0%"  # number format of a ratio
    header_top: bool = True  # headers aligned to the top of their cell


@dataclass(frozen=True)
class Book:
    """A whole workbook: document properties, timestamp (None: the fixed date of an
    unstamped run), sheets in order."""

    properties: dict[str, str]
    created: datetime | None
    sheets: list[Sheet]
    look: Look = Look()


def table_sheet(table: Table) -> Sheet:
    """A sheet holding one table alone, named after it."""
    return Sheet(table.name, [(table, 0)])


def key_value_sheet(
    rows: Sequence[tuple[str, str]], role: str, files: Sequence[tuple[str, str, str]]
) -> Sheet:
    """The Provenance sheet of any workbook: ``rows`` of key and value, a blank row, then
    ``files`` (their ``role``, path and sha256)."""
    cells = [Placed(0, 0, "key", "header"), Placed(0, 1, "value", "header")]
    row = 1
    for key, value in rows:
        cells += [Placed(row, 0, key), Placed(row, 1, value)]
        row += 1
    row += 1
    cells += [
        Placed(row, 0, role, "header"),
        Placed(row, 1, "file", "header"),
        Placed(row, 2, "sha256", "header"),
    ]
    for who, path, sha256 in files:
        row += 1
        cells += [Placed(row, 0, who), Placed(row, 1, path), Placed(row, 2, sha256)]
    return Sheet("Provenance", cells=cells, widths={0: 24, 1: 70, 2: 66})
