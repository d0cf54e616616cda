"""One streaming pass over a worksheet's XML, before any reader builds a grid from it.

calamine and openpyxl build a sheet as a dense grid from A1 to its last cell, so one cell
at ``XFD1048576`` asks for 17 billion cells (and aborts the process), and a forged
``<dimension>`` can do as much. The scan reads the XML as it is inflated, chunk by chunk,
with expat (no document type reaches it: those are refused first), and stops at the
first cell beyond the bounds, before anything is allocated for it. On the way it notes
what a grid of values does not show: duplicate cells (two ``<c r="B2">``, which readers
resolve differently), rows and columns hidden with data in them, formulas (and whether
one names another workbook), and each cell's style, so verify can compare the number
format a reader sees.
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass, field
from xml.parsers import expat

from fiscal.errors import Problem, SourcePos, column_letter

Cell = tuple[int, int]  # 0-based row, column
_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})")
# A reference to another workbook: [1]Sheet!A1, '[1]My sheet'!A1, [1]!Name, or a path.
_EXTERNAL = re.compile(r"(?:^|[^\w\]\[])'?\[\d+\]|'?[A-Za-z]:\\|'?\w+://|\.xls[xmb]?\]", re.I)
HIDDEN_SHOWN = 20  # hidden cells with data listed per sheet; the rest are counted


class SheetRefused(Exception):
    """The sheet cannot be read; ``problem`` says where and why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True)
class Bounds:
    rows: int
    columns: int
    cells: int  # the dense grid a reader would allocate: last row x last column


@dataclass
class SheetScan:
    """What one worksheet's XML holds besides its values."""

    name: str
    last_row: int = 0  # 1-based, 0 when the sheet is empty
    last_column: int = 0
    cells: int = 0
    formulas: dict[Cell, str] = field(default_factory=dict)
    external: list[tuple[Cell, str]] = field(default_factory=list)
    hidden_rows: set[int] = field(default_factory=set)  # 0-based
    hidden_columns: set[int] = field(default_factory=set)
    hidden_cells: list[Cell] = field(default_factory=list)  # with data, the first few
    hidden_count: int = 0
    styles: dict[int, array[int]] = field(default_factory=dict)  # row -> style of each column

    def style(self, row: int, column: int) -> int:
        styles = self.styles.get(row)
        return styles[column] if styles is not None and column < len(styles) else 0


def column_number(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


class _Scanner:
    def __init__(self, name: str, bounds: Bounds, keep_styles: bool) -> None:
        self.scan = SheetScan(name)
        self.bounds = bounds
        self.keep_styles = keep_styles
        self.row = 0  # 1-based current row
        self.column = 0
        self.rows_seen: set[int] = set()
        self.in_row: set[int] = set()
        self.cell: Cell | None = None
        self.has_data = False
        self.formula: list[str] | None = None
        self.depth_in_sheet_data = False
        parser = expat.ParserCreate()
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.buffer_text = True
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.text
        self.parser = parser

    def refuse(self, row: int, column: int, message: str) -> SheetRefused:
        where = SourcePos.cell(self.scan.name, max(row, 1), max(column, 1))
        return SheetRefused(Problem(where, message))

    def bound(self, row: int, column: int) -> None:
        b = self.bounds
        if row > b.rows or column > b.columns or row * column > b.cells:
            raise self.refuse(
                row,
                column,
                f"the sheet has a cell here, far beyond any table (at most {b.rows:,} rows, "
                f"{b.columns:,} columns and {b.cells:,} cells from A1 to the last one); clear "
                "the cells beyond your data",
            )

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        name = tag.rpartition(":")[2]
        if name == "c":
            self.start_cell(attrs)
        elif name == "row":
            self.start_row(attrs)
        elif name == "f":
            self.formula = []
        elif name in ("v", "is"):
            self.has_data = True
        elif name == "col" and _true(attrs.get("hidden")):
            first, last = _int(attrs.get("min")), _int(attrs.get("max"))
            last = min(last, self.bounds.columns)  # a whole-sheet range is one element
            self.scan.hidden_columns.update(range(first - 1, last))
        elif name == "dimension":
            self.dimension(attrs.get("ref", ""))

    def dimension(self, ref: str) -> None:
        last = ref.rpartition(":")[2]
        match = _REF.fullmatch(last)
        if match is None:
            return
        row, column = int(match[2]), column_number(match[1])
        b = self.bounds
        if row > b.rows or column > b.columns or row * column > b.cells:
            raise self.refuse(
                row,
                column,
                f"the sheet says its cells reach here (dimension {ref}), far beyond any table "
                f"(at most {b.rows:,} rows, {b.columns:,} columns and {b.cells:,} cells); "
                "clear the cells beyond your data and save it again",
            )

    def start_row(self, attrs: dict[str, str]) -> None:
        row = _int(attrs.get("r")) or self.row + 1
        if row in self.rows_seen:
            raise self.refuse(
                row,
                1,
                "row written twice in the sheet's XML; readers would disagree which "
                "counts: save it again from Excel",
            )
        self.rows_seen.add(row)
        self.bound(row, 1)
        self.row, self.column = row, 0
        self.in_row = set()
        if _true(attrs.get("hidden")):
            self.scan.hidden_rows.add(row - 1)

    def start_cell(self, attrs: dict[str, str]) -> None:
        ref = attrs.get("r")
        row, column = self.row, self.column + 1
        if ref is not None:
            match = _REF.fullmatch(ref)
            if match is None:
                raise self.refuse(self.row, column, f"a cell with a broken reference {ref!r}")
            row, column = int(match[2]), column_number(match[1])
        self.bound(row, column)
        if column in self.in_row:
            raise self.refuse(
                row,
                column,
                "this cell is written twice in the sheet's XML (two <c> elements); readers "
                "would disagree which value counts: save it again from Excel",
            )
        self.in_row.add(column)
        self.column = column
        scan = self.scan
        scan.cells += 1
        scan.last_row = max(scan.last_row, row)
        scan.last_column = max(scan.last_column, column)
        self.cell = (row - 1, column - 1)
        self.has_data = False
        style = _int(attrs.get("s"))
        if self.keep_styles and style:
            styles = scan.styles.setdefault(row - 1, array("I"))
            if len(styles) < column:
                styles.extend([0] * (column - len(styles)))
            styles[column - 1] = style

    def text(self, data: str) -> None:
        if self.formula is not None:
            self.formula.append(data)

    def end(self, tag: str) -> None:
        name = tag.rpartition(":")[2]
        if name == "f" and self.formula is not None and self.cell is not None:
            text = "".join(self.formula)
            self.has_data = True
            self.scan.formulas[self.cell] = text
            if _EXTERNAL.search(text):
                self.scan.external.append((self.cell, text))
            self.formula = None
        elif name == "c" and self.cell is not None:
            r, c = self.cell
            if self.has_data and (r in self.scan.hidden_rows or c in self.scan.hidden_columns):
                self.scan.hidden_count += 1
                if len(self.scan.hidden_cells) < HIDDEN_SHOWN:
                    self.scan.hidden_cells.append(self.cell)
            self.cell = None


def _true(value: str | None) -> bool:
    return value in ("1", "true")


def _int(value: str | None) -> int:
    try:
        return int(value) if value else 0
    except ValueError:
        return 0


class StreamingScan:
    """Feed a worksheet's XML chunk by chunk; :attr:`result` when done."""

    def __init__(self, name: str, bounds: Bounds, keep_styles: bool = False) -> None:
        self._scanner = _Scanner(name, bounds, keep_styles)

    def feed(self, chunk: bytes, final: bool = False) -> None:
        try:
            self._scanner.parser.Parse(chunk, final)
        except expat.ExpatError as exc:
            raise SheetRefused(
                Problem(
                    SourcePos.cell(self._scanner.scan.name, max(self._scanner.row, 1), 1),
                    f"the file is corrupt: the sheet's XML cannot be read "
                    f"({expat.ErrorString(exc.code)})",
                )
            ) from None

    @property
    def result(self) -> SheetScan:
        return self._scanner.scan


# Excel's built-in number formats (ECMA-376 part 1, 18.8.30) that a styles part may name
# by id alone.
BUILTIN_FORMATS = {
    0: "General", 1: "0", 2: "0.00", 3: "#,##0", 4: "#,##0.00", 9: "0%", 10: "0.00%",
    11: "0.00E+00", 12: "# ?/?", 13: "# ??/??", 14: "mm-dd-yy", 15: "d-mmm-yy", 16: "d-mmm",
    17: "mmm-yy", 18: "h:mm AM/PM", 19: "h:mm:ss AM/PM", 20: "h:mm", 21: "h:mm:ss",
    22: "m/d/yy h:mm", 37: "#,##0 ;(#,##0)", 38: "#,##0 ;[Red](#,##0)",
    39: "#,##0.00;(#,##0.00)", 40: "#,##0.00;[Red](#,##0.00)", 45: "mm:ss", 46: "[h]:mm:ss",
    47: "mmss.0", 48: "##0.0E+0", 49: "@",
}  # fmt: skip


def number_formats(styles_xml: bytes) -> list[str]:
    """The number format of each cell style (``s="3"`` on a cell is the fourth)."""
    custom: dict[int, str] = {}
    formats: list[str] = []
    where = {"in_cell_xfs": False}

    def start(tag: str, attrs: dict[str, str]) -> None:
        name = tag.rpartition(":")[2]
        if name == "numFmt":
            custom[_int(attrs.get("numFmtId"))] = attrs.get("formatCode", "")
        elif name == "cellXfs":
            where["in_cell_xfs"] = True
        elif name == "xf" and where["in_cell_xfs"]:
            number = _int(attrs.get("numFmtId"))
            formats.append(custom.get(number) or BUILTIN_FORMATS.get(number, f"format #{number}"))

    def end(tag: str) -> None:
        if tag.rpartition(":")[2] == "cellXfs":
            where["in_cell_xfs"] = False

    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.Parse(styles_xml, True)
    return formats


def describe(cell: Cell) -> str:
    return f"{column_letter(cell[1] + 1)}{cell[0] + 1}"
