"""The one workbook writer: a book of tables, cells and charts as a spreadsheet shows it.

Every workbook of tables (projection, comparison, sweep, diff) goes through
:func:`fiscal.excel.workbook.write_book`; these tests write small books and read the
real .xlsx back with openpyxl.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from fiscal.excel.workbook import write_book
from fiscal.report.table import (
    Book,
    Chart,
    Column,
    Look,
    Placed,
    Series,
    Sheet,
    Table,
    key_value_sheet,
    table_sheet,
)

TABLE = Table(
    "Impact",
    [Column("region", "text", 11), Column("unit", "text", 7), Column("change", "won", 22)],
    [("seoul", "won", 1_000_000), ("seoul", "ratio", 0.0125), ("TOTAL", "won", -5)],
    total_rows=frozenset({2}),
    ratio_rows=frozenset({1}),
)


def _write(tmp_path: Path, *sheets: Sheet, look: Look | None = None) -> openpyxl.Workbook:
    path = tmp_path / "book.xlsx"
    write_book(path, Book({"title": "test"}, None, list(sheets), look or Look()))
    return openpyxl.load_workbook(path)


def test_a_table_has_a_frozen_filtered_header_and_cells_in_their_kinds(tmp_path: Path) -> None:
    sheet = _write(tmp_path, table_sheet(TABLE))["Impact"]
    assert [c.value for c in sheet[1]] == ["region", "unit", "change"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:C3"  # the filter stops above the total row
    assert sheet.column_dimensions["C"].width == pytest.approx(22, abs=1)
    assert (sheet["C2"].value, sheet["C2"].number_format) == (1_000_000, "#,##0")


def test_ratio_rows_show_money_columns_as_ratios_and_total_rows_bold(tmp_path: Path) -> None:
    sheet = _write(tmp_path, table_sheet(TABLE), look=Look(ratio="0.00%"))["Impact"]
    assert sheet["C3"].number_format == "0.00%"
    assert not sheet["C3"].font.bold
    assert sheet["A4"].font.bold and sheet["C4"].font.bold
    assert sheet["C4"].number_format == "#,##0"
    assert sheet["C4"].border.top.style == "thin"


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    table = Table("T", [Column("name", "text")], [("=1+1",), ("@SUM(A1)",)])
    cells = [Placed(5, 0, "=HYPERLINK(1)", "title")]
    sheet = _write(tmp_path, Sheet("T", [(table, 0)], cells))["T"]
    assert [sheet["A2"].data_type, sheet["A3"].data_type, sheet["A6"].data_type] == ["s"] * 3
    assert sheet["A6"].value == "=HYPERLINK(1)"


def test_an_amount_beyond_what_a_spreadsheet_holds_exactly_is_written_as_its_digits(
    tmp_path: Path,
) -> None:
    # A spreadsheet number is a double: 2**53 + 1 would read back as 2**53. Projections
    # far ahead (--to 2200) pass 2**53 won, and must stay exact to the won.
    table = Table("T", [Column("amount", "won")], [(2**53 + 1,), (-(2**53) - 1,), (2**53 - 1,)])
    sheet = _write(tmp_path, table_sheet(table))["T"]
    assert sheet["A2"].value == "9007199254740993"
    assert sheet["A3"].value == "-9007199254740993"
    assert sheet["A4"].value == 2**53 - 1  # still a number below the limit


def test_digits_past_2_53_on_a_million_won_sheet_say_they_are_won(tmp_path: Path) -> None:
    # The column shows won in millions (#,##0,,); text is not scaled by a number format,
    # so the exact digits must say their unit or read a million times too large.
    table = Table("T", [Column("amount", "won")], [(2**53 + 1,), (5_000_000,)], unit="million")
    sheet = _write(tmp_path, table_sheet(table))["T"]
    values = [row[0].value for row in sheet.iter_rows(min_row=1) if row[0].value is not None]
    assert "9007199254740993 won" in values
    assert 5_000_000 in values  # an ordinary amount stays an exact number of won


def test_tables_side_by_side_placed_cells_and_a_chart(tmp_path: Path) -> None:
    right = Table("Right", [Column("x", "year", 7)], [(2025,)])
    chart = Chart(
        "line",
        [Series(["Both", 0, 0], ["Both", 1, 0, 3, 0], ["Both", 1, 2, 3, 2])],
        "A chart",
        {"num_format": "0%"},
        (400, 300),
        (6, 0),
    )
    cells = [Placed(8, 4, "header", "header"), Placed(9, 4, 0.5, "ratio")]
    book = _write(tmp_path, Sheet("Both", [(TABLE, 0), (right, 4)], cells, [chart]))
    sheet = book["Both"]
    assert (sheet["E1"].value, sheet["E2"].value, sheet["E2"].number_format) == ("x", 2025, "0")
    assert sheet.auto_filter.ref == "A1:C3"  # its own table above its total, not the one beside
    assert sheet["E9"].font.bold and sheet["E10"].number_format == "0.0%"
    assert len(sheet._charts) == 1


def test_the_provenance_sheet_lists_keys_then_files(tmp_path: Path) -> None:
    sheet = _write(
        tmp_path, key_value_sheet([("fiscal version", "0.1")], "role", [("rules", "a.yaml", "ab")])
    )["Provenance"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows == [
        ["key", "value", None],
        ["fiscal version", "0.1", None],
        [None, None, None],
        ["role", "file", "sha256"],
        ["rules", "a.yaml", "ab"],
    ]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref is None
