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
# A reference to another workbook: Excel saves [1]Sheet!A1, '[1]My sheet'!A1 or [1]!Name
# (an index into the workbook's external links); other programs may save [Budget.xlsx].
_EXTERNAL = re.compile(r"(?:^|[^\w\]\[])'?\[(?:\d+|[^\]\[]*\.xl\w*)\]", re.I)
HIDDEN_SHOWN = 20  # hidden cells with data listed per sheet; the rest are counted


class SheetRefused(Exception):
    """The sheet cannot be read; ``problem`` says where and why."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass(frozen=True)
class Bounds:
    """How large a sheet may be before it is refused, unread.

    - ``rows``, ``columns``: the last row and column a cell may sit in.
    - ``cells``: the dense grid a reader would allocate: last row x last column.
    """

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
        """The style number of a 0-based cell; 0 (the default) when none was kept."""
        styles = self.styles.get(row)
        return styles[column] if styles is not None and column < len(styles) else 0


def column_number(letters: str) -> int:
    """The 1-based number of Excel column letters: A -> 1, AA -> 27."""
    number = 0
    for ch in letters.upper():
        number = number * 26 + ord(ch) - 64
    return number


class _Scanner:
    """expat handlers, kept to one call per cell on the common path: a national Ledger
    has a million cells, and each Python call counts."""

    def __init__(self, name: str, bounds: Bounds, keep_styles: bool) -> None:
        self.scan = SheetScan(name)
        self.bounds = bounds
        self.keep_styles = keep_styles
        self.row = 0  # 1-based current row
        self.column = 0
        self.rows_seen: set[int] = set()
        self.in_row: set[int] = set()
        self.cell: Cell = (-1, -1)
        self.counted: Cell = (-1, -1)  # the last hidden cell counted (a cell has <f> and <v>)
        self.formula: list[str] = []
        self.columns: dict[str, int] = {}
        self.zero_height = False
        parser = expat.ParserCreate()
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.buffer_text = True
        parser.StartElementHandler = self.start
        self.parser = parser

    def refuse(self, row: int, column: int, message: str) -> SheetRefused:
        """The refusal of the whole sheet, at a 1-based cell."""
        where = SourcePos.cell(self.scan.name, max(row, 1), max(column, 1))
        return SheetRefused(Problem(where, message))

    def bound(self, row: int, column: int, area: int) -> None:
        """Refuse a cell beyond the sheet's bounds before any reader allocates room for it."""
        b = self.bounds
        if row > b.rows or column > b.columns or area > b.cells:
            raise self.refuse(
                row,
                column,
                f"the sheet has a cell here, far beyond any table (at most {b.rows:,} rows, "
                f"{b.columns:,} columns and {b.cells:,} cells from A1 to the last one); clear "
                "the cells beyond your data",
            )

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        """An opening XML tag: a row, cell, formula, hidden column or the sheet's dimension."""
        if ":" in tag:
            tag = tag.rpartition(":")[2]
        if tag == "c":
            self.start_cell(attrs)
        elif tag == "v" or tag == "is":
            if self.scan.hidden_rows or self.scan.hidden_columns:
                self.data()
        elif tag == "row":
            self.start_row(attrs)
        elif tag == "f":
            self.data()
            self.formula = []
            self.scan.formulas[self.cell] = ""
            self.parser.CharacterDataHandler = self.formula.append
            self.parser.EndElementHandler = self.end_formula
        elif tag == "col" and (_true(attrs.get("hidden")) or _zero(attrs.get("width"))):
            first, last = _int(attrs.get("min")), _int(attrs.get("max"))
            last = min(last, self.bounds.columns)  # a whole-sheet range is one element
            self.scan.hidden_columns.update(range(first - 1, last))
        elif tag == "dimension":
            self.dimension(attrs.get("ref", ""))
        elif tag == "sheetFormatPr":
            self.zero_height = _true(attrs.get("zeroHeight"))  # rows hidden unless sized

    def data(self) -> None:
        """The current cell holds something: count it if a person cannot see it."""
        r, c = cell = self.cell
        scan = self.scan
        if cell != self.counted and (r in scan.hidden_rows or c in scan.hidden_columns):
            self.counted = cell
            scan.hidden_count += 1
            if len(scan.hidden_cells) < HIDDEN_SHOWN:
                scan.hidden_cells.append(cell)

    def end_formula(self, tag: str) -> None:
        """The end of a formula: keep its text, noting one that reads another workbook."""
        if tag.rpartition(":")[2] != "f":
            return
        self.parser.CharacterDataHandler = None
        self.parser.EndElementHandler = None
        text = "".join(self.formula)
        self.scan.formulas[self.cell] = text
        if _EXTERNAL.search(text):
            self.scan.external.append((self.cell, text))

    def dimension(self, ref: str) -> None:
        """Refuse a sheet whose declared used range reaches beyond the bounds."""
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
        """A new row: refuse it written twice, check bounds, note it hidden."""
        row = _int(attrs.get("r")) or self.row + 1
        if row in self.rows_seen:
            raise self.refuse(
                row,
                1,
                "row written twice in the sheet's XML; readers would disagree which counts: "
                "save it again from Excel",
            )
        self.rows_seen.add(row)
        if row > self.scan.last_row:
            self.bound(row, 1, row * self.scan.last_column)
            self.scan.last_row = row
        self.row, self.column = row, 0
        self.in_row = set()
        height = attrs.get("ht")
        if (
            _true(attrs.get("hidden"))
            or _zero(height)
            or (self.zero_height and not (_true(attrs.get("customHeight")) and height))
        ):
            self.scan.hidden_rows.add(row - 1)

    def start_cell(self, attrs: dict[str, str]) -> None:
        """A new cell: refuse a broken or misplaced reference, count it, note hidden data."""
        ref = attrs.get("r")
        row = self.row
        if ref is None:
            column = self.column + 1
            if row == 0:
                raise self.refuse(1, column, "a cell outside any row: save it again from Excel")
        else:
            match = _REF.fullmatch(ref)
            if match is None:
                raise self.refuse(row, self.column + 1, f"a cell with a broken reference {ref!r}")
            letters = match[1]
            column = self.columns.get(letters) or self.column_of(letters)
            if int(match[2]) != row:
                # Excel writes each cell inside its own row; readers differ on one that is not.
                raise self.refuse(
                    int(match[2]),
                    column,
                    f"this cell is written inside row {row}'s XML, not its own row's; "
                    "readers would disagree where it is: save it again from Excel",
                )
        scan = self.scan
        if column > scan.last_column:
            # The grid a reader builds runs from A1 to the last row and the last column.
            if column > self.bounds.columns or scan.last_row * column > self.bounds.cells:
                self.bound(row, column, scan.last_row * column)
            scan.last_column = column
        in_row = self.in_row
        if column in in_row:
            raise self.refuse(
                row,
                column,
                "this cell is written twice in the sheet's XML (two <c> elements); readers "
                "would disagree which value counts: save it again from Excel",
            )
        in_row.add(column)
        self.column = column
        scan.cells += 1
        self.cell = (row - 1, column - 1)
        if self.keep_styles:
            style = attrs.get("s")
            if style and style != "0":
                styles = scan.styles.get(row - 1)
                if styles is None:
                    styles = scan.styles[row - 1] = array("I")
                if len(styles) < column:
                    styles.extend(bytes(4 * (column - len(styles))))
                styles[column - 1] = _int(style)

    def column_of(self, letters: str) -> int:
        """The number of column letters, remembered for the next cell in that column."""
        number = self.columns[letters] = column_number(letters)
        return number


def external_reference(formula: str) -> bool:
    """Whether a formula (of a cell or a defined name) reads another workbook."""
    return _EXTERNAL.search(formula) is not None


def _true(value: str | None) -> bool:
    return value in ("1", "true")


def _zero(value: str | None) -> bool:
    """A height or width of 0: the row or column is there but cannot be seen."""
    try:
        return value is not None and float(value) == 0
    except ValueError:
        return False


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
        """Scan the next chunk of the sheet's XML; corrupt XML refuses the sheet."""
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
        """The scan so far; complete after the final chunk."""
        return self._scanner.scan


# The plain shapes Excel and xlsxwriter write, which the fast path reads with one regular
# expression per chunk (C speed); any other shape sends the sheet to expat.
_ROW_OR_CELL = re.compile(
    rb'<row r="([0-9]{1,7})"(?: spans="[0-9:]*")?(?: s="[0-9]+" customFormat="1")?'
    rb'(?: ht="[0-9.]+")?(?: customHeight="1")?(?: x14ac:dyDescent="[0-9.]+")?\s*(/?)>'
    rb'|<c r="([A-Z]{1,3})([0-9]{1,7})"(?: s="([0-9]+)")?(?: t="[a-zA-Z]+")?'
    rb'(?: cm="[0-9]+")?(?: vm="[0-9]+")?\s*/?>'
)
_DIMENSION = re.compile(rb'<dimension ref="([A-Z0-9:$]{1,32})"\s*/>')
# Formulas, anything hidden (a height or width of 0 hides as well), comments and CDATA,
# a second dimension, prefixed elements or tags broken across lines. Plain substring tests:
# a regular expression with these alternatives costs more than the rest of the scan.
_IRREGULAR = (
    b"<!", b"<f", b":f", b":c", b":row", b"dimension", b"hidden=", b"zeroHeight", b' ht="0',
    b' width="0', b"<c\n", b"<c\r", b"<c\t", b"<row\n", b"<row\r", b"<row\t",
)  # fmt: skip


class FastScan:
    """The scan of a sheet in the plain shape Excel writes, at regular-expression speed.

    :meth:`feed` returns False as soon as the XML holds anything else (formulas, hidden
    rows or columns, comments, attributes in another order, a prefix): the caller then
    scans the sheet again with :class:`StreamingScan`, which reads any XML. Either way
    the same bounds and refusals apply: the fast path shares the expat scanner's checks.
    """

    def __init__(self, name: str, bounds: Bounds, keep_styles: bool = False) -> None:
        self._core = _Scanner(name, bounds, keep_styles)
        self._columns: dict[bytes, int] = {}
        self._styles: dict[bytes, int] = {}
        self._row_text = b""
        self._carry = b""
        self._seen_dimension = False

    @property
    def result(self) -> SheetScan:
        """The scan so far; complete after the final chunk."""
        return self._core.scan

    def feed(self, chunk: bytes, final: bool = False) -> bool:
        """Scan the next chunk; False when it is not in the plain shape (rescan it with expat)."""
        data = self._carry + chunk
        cut = len(data) if final else data.rfind(b">") + 1
        data, self._carry = data[:cut], data[cut:]
        if len(self._carry) > 1 << 16:  # a tag longer than a chunk: not a plain shape
            return False
        if not self._seen_dimension and b"<dimension" in data:
            self._seen_dimension = True
            match = _DIMENSION.search(data)
            if match is None or len(re.findall(rb"<dimension", data)) != 1:
                return False
            self._core.dimension(match[1].decode())
            data = data[: match.start()] + data[match.end() :]
        if any(mark in data for mark in _IRREGULAR):
            return False
        found = _ROW_OR_CELL.findall(data)
        # Every row and cell tag must be one the expression read (no other shape).
        cells = data.count(b"<c ") + data.count(b"<c>") + data.count(b"<c/")
        rows = data.count(b"<row ") + data.count(b"<row>") + data.count(b"<row/")
        if len(found) != cells + rows:
            return False
        return self._cells(found)

    def _cells(self, found: list[tuple[bytes, ...]]) -> bool:
        # Written for speed (locals, bytes compared as bytes): a million cells pass here.
        core = self._core
        scan = core.scan
        bounds = core.bounds
        columns = self._columns
        styles_of = self._styles
        keep_styles = core.keep_styles
        row, row_text = core.row, self._row_text
        in_row = core.in_row
        last_row, last_column = scan.last_row, scan.last_column
        cells = 0
        styles: array[int] | None = None
        try:
            for row_number, _, letters, digits, style in found:
                if row_number:
                    number = int(row_number)
                    if number <= row:
                        return False  # rows out of order (or twice): expat says which
                    if number > bounds.rows or number * last_column > bounds.cells:
                        core.bound(number, 1, number * last_column)
                    row, row_text, in_row, last_row = number, row_number, set(), number
                    styles = None
                    continue
                if digits != row_text:
                    return False
                column = columns.get(letters)
                if column is None:
                    column = columns[letters] = column_number(letters.decode())
                if column > last_column:
                    if column > bounds.columns or last_row * column > bounds.cells:
                        core.bound(row, column, last_row * column)
                    last_column = column
                if column in in_row:
                    return False  # twice in a row: expat names it
                in_row.add(column)
                cells += 1
                if keep_styles and style and style != b"0":
                    if styles is None:
                        styles = scan.styles.get(row - 1)
                        if styles is None:
                            styles = scan.styles[row - 1] = array("I")
                    if len(styles) < column:
                        styles.extend(bytes(4 * (column - len(styles))))
                    index = styles_of.get(style)
                    if index is None:
                        index = styles_of[style] = int(style)
                    styles[column - 1] = index
        finally:
            scan.cells += cells
            scan.last_column = max(scan.last_column, last_column)
            scan.last_row = max(scan.last_row, last_row)
            core.row, core.in_row, self._row_text = row, in_row, row_text
        return True


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
        """Note each custom number format and each cell style's format, in order."""
        name = tag.rpartition(":")[2]
        if name == "numFmt":
            custom[_int(attrs.get("numFmtId"))] = attrs.get("formatCode", "")
        elif name == "cellXfs":
            where["in_cell_xfs"] = True
        elif name == "xf" and where["in_cell_xfs"]:
            number = _int(attrs.get("numFmtId"))
            formats.append(custom.get(number) or BUILTIN_FORMATS.get(number, f"format #{number}"))

    def end(tag: str) -> None:
        """Leave the list of cell styles."""
        if tag.rpartition(":")[2] == "cellXfs":
            where["in_cell_xfs"] = False

    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.Parse(styles_xml, True)
    return formats


def describe(cell: Cell) -> str:
    """A 0-based cell as Excel names it: (0, 0) -> A1."""
    return f"{column_letter(cell[1] + 1)}{cell[0] + 1}"
