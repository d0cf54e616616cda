"""Opening an untrusted .xlsx safely and reading its cells.

Staff send workbooks by mail; a workbook is a zip of XML and may be anything. Only a
regular file is opened (a device or a named pipe would never end or never start), and no
more than the size limit is read. Before a parser sees it, :func:`check_package` checks
it as a zip, for every reader alike (import, verify): the number of parts, no two of one
name, their total uncompressed size as the central directory declares it, and then every
part is inflated once, counting the bytes that really come out against a bound for each
part and for all, and checked against its CRC. Each worksheet is scanned as it inflates
(:mod:`fiscal.excel.sheet_scan`): a cell or a ``<dimension>`` beyond the bounds, a cell
written twice, or a formula naming another workbook is refused before calamine builds a
dense grid. Macros (``vbaProject.bin``), encryption (an OLE container with
``EncryptionInfo``), links to other workbooks (``xl/externalLinks/``), XML that declares
a document type or entities (Excel never writes one; entity expansion is the "billion
laughs" attack and external entities read local files) and files that are not Excel
workbooks are refused with a message that says what to do.

Cell values are read with python-calamine (Rust, fast, no XML entity expansion; about
6x faster than openpyxl read-only on large sheets, see the docs page). calamine reports
a formula's cached value but shows a formula without one, or an error value such as
``#DIV/0!``, as an empty cell; so when a worksheet contains formulas or error values,
openpyxl (read-only, with defusedxml guarding its XML parser) is asked which cells
those are. Merged cells come from calamine.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Generator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

from fiscal.errors import Problem, SourcePos, UserError
from fiscal.excel.sheet_scan import (
    Bounds,
    FastScan,
    SheetRefused,
    SheetScan,
    StreamingScan,
    external_reference,
    number_formats,
)
from fiscal.source.yaml_reader import Unread, read_capped

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_PARTS = 2_000
MAX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_PART = 50 * 1024 * 1024
MAX_ROWS = 100_000
MAX_COLUMNS = 500
# The dense grid calamine and openpyxl build, A1 to the last cell: a template's sheets are
# narrow, so 2 million cells (about 100 MB as Python values) is far beyond any import.
MAX_CELLS = 2_000_000
_FORMULA_OR_ERROR = re.compile(rb"<(?:\w+:)?f[\s>/]|\st=[\"']e[\"']")
_DOCTYPE = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MACRO_TYPES = (b"macroEnabled", b"vbaProject")

Cell = tuple[int, int]  # 0-based row, column


@dataclass(frozen=True)
class Limits:
    """How big a workbook may be before it is refused unread (sizes in bytes)."""

    file_bytes: int = MAX_FILE_BYTES
    uncompressed: int = MAX_UNCOMPRESSED  # all parts together, as inflated
    part: int = MAX_PART  # one part, as inflated: what a reader holds in memory at once
    rows: int = MAX_ROWS
    columns: int = MAX_COLUMNS
    cells: int = MAX_CELLS  # a sheet's last row x its last column
    what: str = "a workbook to import"  # named in the refusal


IMPORT_LIMITS = Limits()


@dataclass
class Sheet:
    """One worksheet's cells from A1, with what calamine alone cannot tell."""

    name: str
    rows: list[list[Any]]
    merged: list[tuple[Cell, Cell]] = field(default_factory=list)
    errors: dict[Cell, str] = field(default_factory=dict)  # error values, e.g. #DIV/0!
    uncached: dict[Cell, str] = field(default_factory=dict)  # formulas without a saved value
    visible: bool = True
    state: str = "visible"  # or "hidden", or "veryHidden" (not listed by Excel's Unhide)
    scan: SheetScan | None = None  # formulas, hidden rows and columns, cell styles
    formats: list[str] = field(default_factory=list)  # number format of each cell style

    def value(self, row: int, column: int) -> Any:
        """The value at a 0-based cell, or None outside the used area."""
        if row < len(self.rows) and column < len(self.rows[row]):
            value = self.rows[row][column]
            return None if value == "" else value
        return None

    def number_format(self, row: int, column: int) -> str:
        """The number format a spreadsheet shows the 0-based cell with."""
        style = self.scan.style(row, column) if self.scan is not None else 0
        return self.formats[style] if style < len(self.formats) else "General"

    @property
    def formulas(self) -> dict[Cell, str]:
        """Each 0-based cell's formula, without its ``=``; empty when the sheet was not scanned."""
        return self.scan.formulas if self.scan is not None else {}

    @property
    def height(self) -> int:
        """Rows from A1 to the last used one."""
        return len(self.rows)

    @property
    def width(self) -> int:
        """Columns from A to the last used one in any row."""
        return max((len(r) for r in self.rows), default=0)


@dataclass
class Book:
    """A workbook read whole: its file and its worksheets by name, in workbook order."""

    path: Path
    sheets: dict[str, Sheet]

    def sheet(self, name: str) -> Sheet | None:
        """The sheet named ``name``; None when the workbook has none."""
        return self.sheets.get(name)


def read_book(path: Path, limits: Limits = IMPORT_LIMITS, styles: bool = True) -> Book:
    """Read every sheet of the workbook at ``path``; raise UserError if it cannot be read.

    With ``styles``, each cell's number format is kept too: verify compares them, and the
    import refuses a value shown with a format that hides it."""
    data = _read_file(path, limits)
    package = check_package(data, SourcePos.of(path), limits, styles)
    return _read_cells(path, data, package, limits)


def _refuse(where: SourcePos, message: str) -> UserError:
    return UserError([Problem(where, message)])


def _read_file(path: Path, limits: Limits) -> bytes:
    where = SourcePos.of(path)
    try:
        data = read_capped(path, limits.file_bytes)
        if isinstance(data, Unread):
            unread = data
            if unread.kind == "folder":
                raise _refuse(where, "expected a workbook file, found a folder")
            if unread.kind == "special":  # a device (/dev/zero), a named pipe, a socket
                raise _refuse(
                    where,
                    "not a regular file (a device, a named pipe or a socket); give a workbook file",
                )
            if unread.kind == "too large":
                limit = f"{limits.file_bytes:,}"
                raise _refuse(
                    where, f"file is {unread.size:,} bytes; {limits.what} is at most {limit}"
                )
            raise _refuse(where, f"file grew past {limits.file_bytes:,} bytes while read")
    except FileNotFoundError:
        raise _refuse(where, "file not found") from None
    except PermissionError:
        raise _refuse(where, "permission denied: cannot read this file") from None
    except OSError as exc:
        raise _refuse(where, f"cannot read file: {exc.strerror or exc}") from None
    if data.startswith(_OLE_MAGIC):
        if "EncryptionInfo".encode("utf-16-le") in data:
            raise _refuse(
                where,
                "the workbook is password-protected (encrypted); open it in Excel, remove "
                "the password (File > Info > Protect Workbook > Encrypt with Password) and "
                "save it as .xlsx",
            )
        raise _refuse(
            where,
            "this is an old-style .xls workbook (or another OLE file); open it in Excel and "
            "save it as .xlsx (Excel Workbook)",
        )
    if not data.startswith(b"PK\x03\x04"):
        what = "it is empty" if not data else _what_is(data)
        raise _refuse(where, f"not an Excel workbook (.xlsx): {what}")
    return data


def _what_is(data: bytes) -> str:
    head = data[:512].lstrip()
    if head.startswith((b"%PDF",)):
        return "it is a PDF file"
    if head[:1] in (b"<",):
        return "it looks like an HTML or XML file; save it from Excel as .xlsx"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return "its content is not a zip package"
    return "it looks like a text or CSV file; open it in Excel and save it as .xlsx"


@dataclass
class Package:
    """What the checks of the zip package found, for the readers that come after."""

    needs_metadata: bool  # some worksheet has formulas or error values
    states: dict[str, str]  # sheet name -> visible, hidden or veryHidden
    scans: dict[str, SheetScan]  # sheet name -> what its XML holds
    formats: list[str]  # number format of each cell style


def check_package(data: bytes, where: SourcePos, limits: Limits, styles: bool = False) -> Package:
    """Check a workbook's zip package before any parser reads it.

    Every reader of an .xlsx comes through here. The parts are counted and their declared
    sizes added up; then every part is inflated once, in chunks, counting the bytes that
    really come out (a part may declare 1 KB and inflate to gigabytes), against a bound
    for each part and for all together. Worksheets are scanned as they inflate (see
    :mod:`fiscal.excel.sheet_scan`), so a cell far beyond any table is refused before a
    reader allocates a grid for it.
    """
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError):
        raise _refuse(where, "the file is corrupt: it is not a readable zip package") from None
    with package:
        infos = package.infolist()
        if len(infos) > MAX_PARTS:
            raise _refuse(where, f"the package has {len(infos):,} parts; refusing to read it")
        declared = sum(i.file_size for i in infos)
        if declared > limits.uncompressed:
            raise _refuse(
                where,
                f"refusing to read it: the workbook says it unpacks to {declared:,} bytes, "
                f"more than {limits.what} may (limit {limits.uncompressed:,}); a zip bomb?",
            )
        seen: dict[str, str] = {}
        for info in infos:
            # Part names are case-insensitive (ECMA-376 part 2); readers take the first or
            # the last of two, so what one shows another may not.
            key = info.filename.lower()
            if key in seen:
                raise _refuse(
                    where,
                    f"the package holds two parts named {info.filename!r}; readers disagree "
                    "which counts, so it is refused: save it again from Excel",
                )
            seen[key] = info.filename
        names = set(seen.values())
        if any(i.flag_bits & 0x1 for i in infos):
            raise _refuse(where, "the package is encrypted; remove the password and save as .xlsx")
        if any(n.lower().endswith(".bin") and "vba" in n.lower() for n in names):
            raise _refuse(
                where,
                "the workbook contains macros (.xlsm); macros are never run or imported. "
                "Save it as .xlsx (Excel Workbook) and import that",
            )
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            other = (
                "a Word document"
                if "word/document.xml" in names
                else ("a spreadsheet in another format" if "content.xml" in names else "a zip file")
            )
            raise _refuse(where, f"not an Excel workbook (.xlsx): it is {other}; save it as .xlsx")
        links = sorted(n for n in names if n.lower().startswith("xl/externallinks/"))
        if links:
            raise _refuse(
                where,
                f"the workbook links to another workbook (part {links[0]}): its figures would "
                "come from a file that is not here. Break the links (Data > Edit Links > Break "
                "Link) and save it again",
            )
        return _inflate_all(package, infos, where, limits, styles)


def _inflate_all(
    package: zipfile.ZipFile,
    infos: list[zipfile.ZipInfo],
    where: SourcePos,
    limits: Limits,
    styles: bool,
) -> Package:
    total = 0

    def chunks(info: zipfile.ZipInfo, again: bool = False) -> Generator[bytes]:
        """The part as it inflates; ``again`` for a second reading, not counted twice."""
        nonlocal total
        size = 0
        try:
            with package.open(info) as part:
                dtd_tail = b""
                while chunk := part.read(1 << 16):
                    size += len(chunk)
                    total += 0 if again else len(chunk)
                    if size > limits.part:
                        raise _refuse(
                            where,
                            f"refusing to read it: part {info.filename} unpacks to more than "
                            f"{limits.part:,} bytes, more than {limits.what} may hold in one part",
                        )
                    if total > limits.uncompressed:
                        raise _refuse(
                            where,
                            "refusing to read it: the workbook unpacks to more than it says "
                            f"(more than {limits.uncompressed:,} bytes)",
                        )
                    if _DOCTYPE.search(dtd_tail + chunk):
                        raise _refuse(
                            where,
                            f"refusing to read it: part {info.filename} declares an XML "
                            "document type or entities (<!DOCTYPE>, <!ENTITY>), which Excel "
                            "never writes; an XML entity attack? Save it again from Excel",
                        )
                    dtd_tail = chunk[-16:]
                    yield chunk
        except (zipfile.BadZipFile, EOFError, OSError, NotImplementedError) as exc:
            raise _refuse(
                where, f"the file is corrupt: part {info.filename} cannot be read ({exc})"
            ) from None

    def whole(name: str) -> bytes:
        """A zip part's bytes, read under the same limits; empty when the part is missing."""
        info = next((i for i in infos if i.filename == name), None)
        return b"".join(chunks(info)) if info is not None else b""

    # The small parts that say which sheet is which part, and how each is shown.
    sheets = _sheet_parts(whole("xl/workbook.xml"), whole("xl/_rels/workbook.xml.rels"), where)
    formats = number_formats(whole("xl/styles.xml")) if styles else []
    by_part = {part: name for name, (part, _) in sheets.items()}
    bounds = Bounds(limits.rows, limits.columns, limits.cells)
    scans: dict[str, SheetScan] = {}
    needs_metadata = False

    def scan_sheet(sheet: str, info: zipfile.ZipInfo) -> tuple[SheetScan, bool]:
        """The sheet's scan, and whether it has formulas or error values. The plain shape
        Excel writes is read fast; anything else is read again with expat."""
        try:
            fast = FastScan(sheet, bounds, styles)
            plain, needs, tail = True, False, b""
            inflating = chunks(info)
            for chunk in inflating:
                needs = needs or _FORMULA_OR_ERROR.search(tail + chunk) is not None
                tail = chunk[-16:]
                if not fast.feed(chunk):
                    plain = False
                    inflating.close()
                    break
            if plain and fast.feed(b"", final=True):
                return fast.result, needs
            slow = StreamingScan(sheet, bounds, styles)
            needs, tail = False, b""
            for chunk in chunks(info, again=True):
                needs = needs or _FORMULA_OR_ERROR.search(tail + chunk) is not None
                tail = chunk[-16:]
                slow.feed(chunk)
            slow.feed(b"", final=True)
            return slow.result, needs
        except SheetRefused as refused:
            raise UserError([refused.problem]) from None

    for info in infos:
        sheet = by_part.get(info.filename)
        if sheet is not None:
            scans[sheet], found = scan_sheet(sheet, info)
            needs_metadata = needs_metadata or found
            continue
        tail = b""
        for chunk in chunks(info):
            if info.filename.startswith("xl/worksheets/") and not needs_metadata:
                needs_metadata = _FORMULA_OR_ERROR.search(tail + chunk) is not None
                tail = chunk[-16:]
            if info.filename == "[Content_Types].xml" and any(m in chunk for m in _MACRO_TYPES):
                raise _refuse(
                    where,
                    "the workbook is macro-enabled (.xlsm); save it as .xlsx "
                    "(Excel Workbook) and import that",
                )
    external = [(name, at, f) for name, s in scans.items() for at, f in s.external]
    if external:
        raise UserError(
            [
                Problem(
                    SourcePos.cell(name, at[0] + 1, at[1] + 1),
                    f"the formula ={formula} reads another workbook; its figure would come "
                    "from a file that is not here: type the value instead",
                )
                for name, at, formula in external
            ]
        )
    states = {name: state for name, (_, state) in sheets.items()}
    return Package(needs_metadata, states, scans, formats)


def _sheet_parts(
    workbook_xml: bytes, rels_xml: bytes, where: SourcePos
) -> dict[str, tuple[str, str]]:
    """Sheet name -> (its part in the zip, its state: visible, hidden or veryHidden)."""
    sheets: list[tuple[str, str, str]] = []
    targets: dict[str, str] = {}
    external: list[str] = []
    defined: list[str] = []  # the text of each defined name, a formula

    def text(data: str) -> None:
        """Collect the text of the defined name being read."""
        defined[-1] += data

    def end(tag: str) -> None:
        """The end of a defined name: note it when it reads another workbook."""
        if tag.rpartition(":")[2] == "definedName":
            parser.CharacterDataHandler = None
            if external_reference(defined[-1]):
                external.append(defined[-1])

    def start(tag: str, attrs: dict[str, str]) -> None:
        """Note each defined name, sheet (with its state), external link and relationship."""
        name = tag.rpartition(":")[2]
        if name == "definedName":
            defined.append("")
            parser.CharacterDataHandler = text
        elif name == "sheet":
            rid = next((v for k, v in attrs.items() if k.rpartition(":")[2] == "id"), "")
            sheets.append((attrs.get("name", ""), rid, attrs.get("state", "visible")))
        elif name == "externalReference":
            external.append("externalReference")
        elif name == "Relationship":
            targets[attrs.get("Id", "")] = attrs.get("Target", "")
            if attrs.get("Type", "").endswith("/externalLink"):
                external.append(attrs.get("Target", ""))

    for xml in (workbook_xml, rels_xml):
        parser = expat.ParserCreate()
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        try:
            parser.Parse(xml, True)
        except expat.ExpatError as exc:
            raise _refuse(
                where, f"the file is corrupt: its list of sheets cannot be read ({exc})"
            ) from None
    if external:
        raise _refuse(
            where,
            "the workbook links to another workbook: its figures would come from a file that "
            "is not here. Break the links (Data > Edit Links > Break Link) and save it again",
        )
    found: dict[str, tuple[str, str]] = {}
    for name, rid, state in sheets:
        target = targets.get(rid, "")
        part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        found[name] = (posixpath.normpath(part), state)
    return found


def _read_cells(path: Path, data: bytes, package: Package, limits: Limits) -> Book:
    from python_calamine import CalamineError, CalamineWorkbook, SheetVisibleEnum

    where = SourcePos.of(path)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, ValueError, OSError) as exc:
        raise _refuse(where, f"the file is corrupt: {_short(exc)}") from None
    sheets: dict[str, Sheet] = {}
    with workbook:
        for meta in workbook.sheets_metadata:
            if meta.name not in package.scans:
                # Only a worksheet the scan bounded may be read as a grid.
                raise _refuse(
                    where,
                    f"the file is corrupt: sheet {meta.name!r} is not where the workbook says",
                )
            try:
                cal = workbook.get_sheet_by_name(meta.name)
                end_row, end_col = cal.end or (0, 0)
                if end_row >= limits.rows or end_col >= limits.columns:
                    raise _refuse(
                        SourcePos.cell(meta.name, end_row + 1, end_col + 1),
                        f"the sheet's used area reaches this cell, far beyond any table "
                        f"(at most {limits.rows:,} rows and {limits.columns} columns); clear the "
                        "cells beyond your data",
                    )
                rows = cal.to_python(skip_empty_area=False)
                merged = [tuple(r) for r in (cal.merged_cell_ranges or [])]
            except CalamineError as exc:
                raise _refuse(
                    where, f"the file is corrupt: sheet {meta.name!r}: {_short(exc)}"
                ) from None
            state = package.states.get(meta.name, "visible")
            if meta.visible != SheetVisibleEnum.Visible and state == "visible":
                state = "hidden"  # the two readers of the sheet list disagree: trust neither
            sheets[meta.name] = Sheet(
                meta.name,
                rows,
                merged=[(tuple(a), tuple(b)) for a, b in merged],  # type: ignore[misc]
                visible=state == "visible",
                state=state,
                scan=package.scans.get(meta.name),
                formats=package.formats,
            )
    if package.needs_metadata:
        _formula_metadata(path, data, sheets)
    return Book(path, sheets)


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__


def _formula_metadata(path: Path, data: bytes, sheets: dict[str, Sheet]) -> None:
    """Find error values and formulas without a cached value: openpyxl read-only, twice
    (formulas as written, then the values Excel saved), only for workbooks that have any."""
    import openpyxl
    import openpyxl.xml

    if not openpyxl.xml.DEFUSEDXML:  # pragma: no cover - defusedxml is a dependency
        raise _refuse(SourcePos.of(path), "defusedxml is needed to read formulas safely")
    formulas: dict[str, dict[Cell, str]] = {}
    try:
        book = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_links=False
        )
        for name, at, cell in _cells(book, sheets):
            if cell.data_type == "f":
                formulas.setdefault(name, {})[at] = str(cell.value)
        book.close()
        book = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True, keep_links=False
        )
        saved: set[tuple[str, Cell]] = set()
        for name, at, cell in _cells(book, sheets):
            saved.add((name, at))
            if cell.data_type == "e":
                sheets[name].errors[at] = str(cell.value)
        book.close()
        for name, found in formulas.items():
            for at, formula in found.items():
                if (name, at) not in saved:
                    sheets[name].uncached[at] = formula
    except Exception as exc:  # openpyxl raises many kinds on damaged XML
        raise _refuse(SourcePos.of(path), f"the file is corrupt: {_short(exc)}") from None
    for sheet in sheets.values():
        # calamine's area ends at its last value; a row of unsaved formulas may lie beyond.
        for r, c in [*sheet.errors, *sheet.uncached]:
            while len(sheet.rows) <= r:
                sheet.rows.append([])
            row = sheet.rows[r]
            row.extend([""] * (c + 1 - len(row)))


def _cells(book: Any, sheets: dict[str, Sheet]) -> Iterator[tuple[str, Cell, Any]]:
    """Every non-empty cell of the sheets calamine read, no wider than calamine found them
    and no longer than MAX_ROWS (a forged dimension cannot make openpyxl walk far)."""
    for name in book.sheetnames:
        sheet = sheets.get(name)
        if sheet is None or not sheet.height:
            continue
        rows = book[name].iter_rows(
            min_row=1, min_col=1, max_row=sheet.height, max_col=max(sheet.width, 1)
        )
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                if cell.value is not None:
                    yield name, (r, c), cell
