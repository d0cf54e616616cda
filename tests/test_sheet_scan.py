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
from fiscal.excel.sheet_scan import Bounds, FastScan, SheetRefused, SheetScan, StreamingScan

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


def both(xml: bytes, chunk: int) -> tuple[object, object]:
    """The fast scan (None if it hands over) and the expat scan of the same XML, each as
    what it found or the refusal it raised."""

    def outcome(scanner: FastScan | StreamingScan) -> object:
        try:
            for i in range(0, len(xml), chunk):
                if scanner.feed(xml[i : i + chunk]) is False:
                    return None
            if scanner.feed(b"", final=True) is False:
                return None
        except SheetRefused as refused:
            return str(refused.problem)
        found = scanner.result
        styles = {r: list(s) for r, s in found.styles.items() if any(s)}
        return (found.cells, found.last_row, found.last_column, styles)

    return outcome(FastScan("S", SMALL, True)), outcome(StreamingScan("S", SMALL, True))


SMALL = Bounds(rows=60, columns=30, cells=600)


@given(
    st.lists(
        st.tuples(
            st.integers(min_value=1, max_value=80),
            st.lists(st.tuples(st.integers(1, 40), st.integers(0, 3)), max_size=6),
        ),
        max_size=12,
    ),
    st.integers(min_value=1, max_value=200),
)
def test_the_fast_scan_finds_what_expat_finds_or_hands_the_sheet_over(
    rows: list[tuple[int, list[tuple[int, int]]]], chunk: int
) -> None:
    body = b""
    for number, cells in rows:
        body += b'<row r="%d" spans="1:9">' % number
        for column, style in cells:
            ref = f"{column_letter(column)}{number}".encode()
            body += b'<c r="%s" s="%d" t="n"><v>1</v></c>' % (ref, style)
        body += b"</row>"
    xml = HEAD + b'<dimension ref="A1"/><sheetData>' + body + b"</sheetData></worksheet>"
    fast, slow = both(xml, chunk)
    assert fast is None or fast == slow
    numbers = [number for number, _ in rows]
    plain = numbers == sorted(set(numbers)) and all(
        len({c for c, _ in cells}) == len(cells) for _, cells in rows
    )
    if plain:  # the shape Excel writes: read by the fast path itself
        assert fast is not None


@pytest.mark.parametrize(
    "odd",
    [
        b'<row r="1"><c s="1" r="A1"><v>1</v></c></row>',  # attributes in another order
        b'<row r="1"><c r="A1"><f>B1</f><v>1</v></c></row>',  # a formula
        b'<row r="1" hidden="1"><c r="A1"><v>1</v></c></row>',
        b'<row r="1"><!-- <c r="A1"> --><c r="A1"><v>1</v></c></row>',
        b'<row r="2"><c r="A2"><v>1</v></c></row><row r="1"><c r="A1"><v>1</v></c></row>',
        b'<row r="1"><c r="A1"><v>1</v></c><c r="A1"><v>2</v></c></row>',
    ],
)
def test_any_other_shape_is_handed_to_expat(odd: bytes) -> None:
    xml = HEAD + b"<sheetData>" + odd + b"</sheetData></worksheet>"
    fast, _ = both(xml, 1 << 16)
    assert fast is None
