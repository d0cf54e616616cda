"""The diff workbook: Changes, Impact, Attribution and the Provenance of both versions.

Written with xlsxwriter like every workbook `fiscal` writes. Every text cell is written
as a string, never a formula, so a title or reference that starts with ``=`` cannot run
in a spreadsheet program; amounts are whole won and refused beyond 2^53 rather than
rounded. The caller makes the write atomic.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fiscal.excel.xlsxbook import new_workbook
from fiscal.history.diff import DiffReport
from fiscal.history.report import (
    attribution_table,
    changes_table,
    impact_table,
    provenance_rows,
    versions_line,
)
from fiscal.report.provenance import document_time
from fiscal.report.tables import Table

EXACT_LIMIT = 2**53


def write_diff_workbook(path: Path, report: DiffReport) -> None:
    book = new_workbook(
        path,
        {
            "title": f"fiscal diff: {versions_line(report)}",
            "author": f"fiscal {report.fiscal_version}",
            "comments": "Rule changes between two versions and their budget impact",
        },
        document_time(report.run_time),
    )
    formats = {
        "header": book.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True}
        ),
        "won": book.add_format({"num_format": "#,##0"}),
        "ratio": book.add_format({"num_format": "0.00%"}),
        "year": book.add_format({"num_format": "0"}),
        "text": book.add_format({}),
    }
    _write_table(book, formats, changes_table(report))
    impact = impact_table(report)
    _write_table(book, formats, impact, ratio_rows=_ratio_rows(impact))
    attribution = attribution_table(report)
    _write_table(book, formats, attribution, ratio_rows=_ratio_rows(attribution))
    _write_provenance(book, formats, report)
    book.close()


def _ratio_rows(table: Table) -> set[int]:
    unit = table.column("unit")
    return {i for i, row in enumerate(table.rows) if row[unit] == "ratio"}


def _write_table(
    book: Any, formats: dict[str, Any], table: Table, ratio_rows: set[int] | None = None
) -> None:
    sheet = book.add_worksheet(table.name)
    ratio_rows = ratio_rows or set()
    for c, column in enumerate(table.columns):
        sheet.write_string(0, c, column.name, formats["header"])
        sheet.set_column(c, c, column.width)
    for r, row in enumerate(table.rows, start=1):
        for c, (column, value) in enumerate(zip(table.columns, row, strict=True)):
            kind = "ratio" if column.kind == "won" and (r - 1) in ratio_rows else column.kind
            _write_cell(sheet, r, c, value, formats.get(kind, formats["text"]))
    sheet.freeze_panes(1, 0)
    if table.rows:
        sheet.autofilter(0, 0, len(table.rows), len(table.columns) - 1)


def _write_cell(sheet: Any, row: int, col: int, value: object, cell_format: Any) -> None:
    if isinstance(value, str):
        sheet.write_string(row, col, value, cell_format)
    elif isinstance(value, bool):
        sheet.write_string(row, col, "yes" if value else "no", cell_format)
    elif isinstance(value, int):
        if abs(value) >= EXACT_LIMIT:
            raise ValueError(f"amount {value} is beyond what a spreadsheet holds exactly")
        sheet.write_number(row, col, value, cell_format)
    elif isinstance(value, float):
        sheet.write_number(row, col, value, cell_format)
    else:
        sheet.write_blank(row, col, None, cell_format)


def _write_provenance(book: Any, formats: dict[str, Any], report: DiffReport) -> None:
    sheet = book.add_worksheet("Provenance")
    sheet.set_column(0, 0, 24)
    sheet.set_column(1, 1, 70)
    sheet.set_column(2, 2, 66)
    sheet.write_string(0, 0, "key", formats["header"])
    sheet.write_string(0, 1, "value", formats["header"])
    row = 1
    for key, value in provenance_rows(report):
        sheet.write_string(row, 0, key)
        sheet.write_string(row, 1, value)
        row += 1
    row += 1
    sheet.write_string(row, 0, "version", formats["header"])
    sheet.write_string(row, 1, "file", formats["header"])
    sheet.write_string(row, 2, "sha256", formats["header"])
    files = [("old rules", f) for f in report.old.files]
    files += [("new rules", f) for f in report.new.files]
    files += [("inputs", f) for f in report.input_files]
    for role, file in files:
        row += 1
        sheet.write_string(row, 0, role)
        sheet.write_string(row, 1, file.path)
        sheet.write_string(row, 2, file.sha256)
    sheet.freeze_panes(1, 0)
