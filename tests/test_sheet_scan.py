"""The worksheet scan that runs before any reader builds a grid: what it refuses and notes.

Readers build a sheet as a dense grid from A1 to the last row and the last column, so the
bound is on that area, not on any one cell: a cell at A1000000 and another at XFD1 ask for
as much as one at XFD1000000.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fiscal.errors import column_letter
from fiscal.excel.sheet_scan import Bounds, SheetRefused, SheetScan, StreamingScan

BOUNDS = Bounds(rows=1_048_576, columns=16_384, cells=8_000_000)
HEAD = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def scan(rows: bytes, head: bytes = b"", chunk: int = 7) -> SheetScan:
    """Scan a sheet fed in small chunks, as it comes out of the zip."""
    xml = HEAD + head + b"<sheetData>" + rows + b"</sheetData></worksheet>"
    scanner = StreamingScan("S", BOUNDS, keep_styles=True)
    for i in range(0, len(xml), chunk):
        scanner.feed(xml[i : i + chunk])
    scanner.feed(b"", final=True)
    return scanner.result


def refusal(rows: bytes, head: bytes = b"") -> str:
    with pytest.raises(SheetRefused) as caught:
        scan(rows, head)
    return str(caught.value.problem)


def test_two_far_cells_in_different_directions_are_bounded_by_the_grid_they_span() -> None:
    far = b'<row r="1000000"><c r="A1000000"><v>1</v></c></row>'
    assert scan(far).last_row == 1_000_000  # one long narrow column is allowed
    message = refusal(b'<row r="1"><c r="XFD1"><v>1</v></c></row>' + far)
    assert message.startswith("S!A1000000: the sheet has a cell here, far beyond any table")


def test_a_cell_inside_another_rows_xml_is_refused() -> None:
    message = refusal(b'<row r="2"><c r="B5"><v>1</v></c></row>')
    assert message.startswith("S!B5: this cell is written inside row 2's XML")


def test_a_row_written_twice_is_refused() -> None:
    row = b'<row r="2"><c r="B2"><v>1</v></c></row>'
    assert refusal(row + row).startswith("S!A2: row written twice")


def test_hidden_rows_and_columns_with_data_are_noted_and_empty_ones_are_not() -> None:
    found = scan(
        b'<row r="1" hidden="1"><c r="A1"><v>1</v></c><c r="B1" s="2"/></row>'
        b'<row r="2"><c r="C2"><f>A1</f><v>1</v></c><c r="D2"><v>4</v></c></row>',
        head=b'<cols><col min="3" max="3" hidden="1"/></cols>',
    )
    assert found.hidden_cells == [(0, 0), (1, 2)]
    assert found.hidden_count == 2
    assert found.formulas == {(1, 2): "A1"}
    assert found.style(0, 1) == 2 and found.style(1, 3) == 0


@given(st.integers(min_value=1, max_value=16_384), st.integers(min_value=1, max_value=1_048_576))
def test_any_one_cell_is_refused_exactly_when_its_grid_is_too_big(column: int, row: int) -> None:
    ref = f"{column_letter(column)}{row}".encode()
    rows = b'<row r="%d"><c r="%s"><v>1</v></c></row>' % (row, ref)
    if row * column > BOUNDS.cells:
        assert refusal(rows).startswith(f"S!{ref.decode()}: ")
    else:
        assert scan(rows, chunk=1 << 16).cells == 1
