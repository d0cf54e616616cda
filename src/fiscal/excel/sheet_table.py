"""A template sheet read back as rows of parsed cells, every problem at its cell.

The header must be the template's: the column names in row 1 in their order (a renamed,
missing or moved column is refused, because every value after it would land in the
wrong field), the notes in row 2 and the example in row 3, which are never imported.
Blank rows are skipped. Merged cells in the data area, error values, formulas without
a saved value and cells that do not read as their column's kind are problems at their
cell; the rest of the sheet is still read, so one run reports everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fiscal.errors import Problem, SourcePos, column_letter
from fiscal.excel.cells import BLANK, Parsed, fail, parse, text_of
from fiscal.excel.sheet_layout import (
    FIRST_DATA_ROW,
    LISTS_SHEET,
    META_SHEET,
    Column,
    SheetSpec,
)
from fiscal.excel.sheet_scan import HIDDEN_SHOWN
from fiscal.excel.xlsx_reader import Book, Sheet

YEAR_VALUE = Column("value", "won", "", "", what="value")


@dataclass
class Row:
    """One data row: parsed cells by column key, and by year for the year columns."""

    number: int  # as Excel shows it
    cells: dict[str, Parsed]
    years: dict[int, Parsed] = field(default_factory=dict)
    usable: bool = True
    texts: dict[str, str | None] = field(default_factory=dict)  # the cells as typed

    def value(self, key: str) -> object:
        """The parsed value of the column ``key`` in this row."""
        return self.cells[key].value


@dataclass
class Table:
    """The rows read from one template sheet.

    - ``spec``: the sheet's layout: name and columns.
    - ``rows``: the data rows, in sheet order.
    - ``years``: the year columns after the fixed ones (a Series or Regional sheet).
    - ``complete``: false when rows had to be skipped (merged cells).
    """

    spec: SheetSpec
    rows: list[Row]
    years: list[int] = field(default_factory=list)
    complete: bool = True  # false when rows had to be skipped (merged cells)

    def pos(self, row: Row | int, key: str) -> SourcePos:
        """The Sheet!Cell of column ``key`` in ``row`` (a row or its Excel number)."""
        number = row if isinstance(row, int) else row.number
        return SourcePos.cell(self.spec.name, number, self.spec.column(key))

    def year_pos(self, row: Row, year: int) -> SourcePos:
        """The Sheet!Cell of ``year``'s column in ``row``."""
        index = self.years.index(year)
        return SourcePos.cell(self.spec.name, row.number, len(self.spec.columns) + 1 + index)


# Named so a person can search for it, and so every such finding reads alike: what the
# import reads must be what the person who checked the workbook saw.
HIDDEN = "hidden content"


def hidden_sheet(sheet: Sheet, template: bool) -> Problem:
    """The refusal of a hidden sheet: a template's sheet must be seen; another must go."""
    how = (
        "very hidden (Excel's Unhide does not even list it)"
        if sheet.state == "veryHidden"
        else "hidden"
    )
    where = SourcePos.cell(sheet.name, 1, 1)
    if template:
        return Problem(
            where,
            f"{HIDDEN}: the sheet is {how}; the import reads only what a person can see: "
            "unhide it and check it, or copy your rows into a fresh template",
        )
    return Problem(
        where,
        f"{HIDDEN}: the sheet is {how} and is not one of the template's; nothing in it would "
        "be imported: delete it, or unhide it and check what it holds",
    )


def invisible_format(code: str) -> bool:
    """A number format that shows nothing, whatever the value: ``;;;``, ``"";"";""``."""
    return bool(code) and code.replace('""', "").strip(";") == ""


def hidden_cells(sheet: Sheet) -> list[Problem]:
    """A problem for each cell with data in a hidden row or column (the first few), or
    shown with a number format that shows nothing."""
    scan = sheet.scan
    if scan is None:
        return []
    found = []
    invisible = {i for i, code in enumerate(sheet.formats) if invisible_format(code)}
    unseen = 0
    for r, styles in sorted(scan.styles.items()) if invisible else ():
        for c, style in enumerate(styles):
            if style not in invisible or sheet.value(r, c) is None:
                continue
            unseen += 1
            if unseen <= HIDDEN_SHOWN:
                found.append(
                    Problem(
                        SourcePos.cell(sheet.name, r + 1, c + 1),
                        f"{HIDDEN}: this cell holds data shown with the number format "
                        f"{sheet.formats[style]!r}, which shows nothing; the import reads only "
                        "what a person can see: give it the template's format",
                    )
                )
    if unseen > HIDDEN_SHOWN:
        found.append(
            Problem(
                SourcePos.cell(sheet.name, 1, 1),
                f"{HIDDEN}: and {unseen - HIDDEN_SHOWN:,} more cells shown with a format "
                "that shows nothing",
            )
        )
    if not scan.hidden_count:
        return found
    for r, c in scan.hidden_cells:
        line = "row" if r in scan.hidden_rows else "column"
        found.append(
            Problem(
                SourcePos.cell(sheet.name, r + 1, c + 1),
                f"{HIDDEN}: this cell holds data in a hidden {line}; the import reads only what "
                "a person can see: unhide it (Home > Format > Hide & Unhide) and check it, or "
                "clear it",
            )
        )
    more = scan.hidden_count - len(scan.hidden_cells)
    if more:
        found.append(
            Problem(
                SourcePos.cell(sheet.name, 1, 1),
                f"{HIDDEN}: and {more:,} more cells with data in hidden rows or columns",
            )
        )
    return found


def hidden_sheets(book: Book, specs: tuple[SheetSpec, ...]) -> list[Problem]:
    """Hidden sheets the template did not make: the template hides only its own two."""
    known = {spec.name for spec in specs} | {META_SHEET, LISTS_SHEET}
    return [
        hidden_sheet(sheet, template=False)
        for sheet in book.sheets.values()
        if not sheet.visible and sheet.name not in known
    ]


def notes_text(column: Column) -> str:
    """A column's note row: its English, then its Korean explanation."""
    return f"{column.en}\n{column.ko}"


def read_table(
    sheet: Sheet,
    spec: SheetSpec,
    problems: list[Problem],
    allow_none: frozenset[str] = frozenset(),
    written: list[list[str | None]] | None = None,
) -> Table | None:
    """The data rows of ``sheet`` read as ``spec``; None when its header is not the template's.

    ``written`` are the notes and example rows the template recorded (see :func:`header_rows`).
    """
    if not sheet.visible:
        problems.append(hidden_sheet(sheet, template=True))
        return None
    problems.extend(hidden_cells(sheet))
    fixed = len(spec.columns)
    header_ok = True

    def at(row: int, col: int) -> SourcePos:  # 0-based in, Excel's numbering out
        """The Sheet!Cell of a 0-based row and column."""
        return SourcePos.cell(spec.name, row + 1, col + 1)

    for c, column in enumerate(spec.columns):
        found = text_of(sheet.value(0, c))
        if found is None:
            problems.append(
                Problem(at(0, c), f"missing header {column.key!r}; use the template's header row")
            )
            header_ok = False
        elif found.lower() != column.key:
            problems.append(
                Problem(
                    at(0, c),
                    f"expected the header {column.key!r} here, found {found!r}: do not rename, "
                    "move or delete the template's columns",
                )
            )
            header_ok = False
    years: list[int] = []
    width = max(sheet.width, fixed)
    extra_from = fixed
    if spec.years:
        c = fixed
        while c < width and sheet.value(0, c) is not None:
            parsed = parse(Column("year", "year", "", ""), sheet.value(0, c))
            if parsed.value is None or parsed.message:
                problems.append(
                    Problem(
                        at(0, c), f"expected a year as the header of this column: {parsed.message}"
                    )
                )
                header_ok = False
            elif years and parsed.value != years[-1] + 1:
                problems.append(
                    Problem(
                        at(0, c),
                        f"year columns must run one year apart; {parsed.value} follows {years[-1]}",
                    )
                )
                header_ok = False
            else:
                years.append(parsed.value)
            c += 1
        if not years:
            problems.append(
                Problem(at(0, fixed), "no year columns: put years (2025, 2026, ...) in the header")
            )
            header_ok = False
        extra_from = c
    for c in range(extra_from, width):
        found = text_of(sheet.value(0, c))
        if found is not None:
            problems.append(
                Problem(
                    at(0, c),
                    f"unknown column {found!r}: the template has no such column; remove it",
                )
            )
            header_ok = False
        elif any(sheet.value(r, c) is not None for r in range(FIRST_DATA_ROW - 1, sheet.height)):
            first = next(
                r for r in range(FIRST_DATA_ROW - 1, sheet.height) if sheet.value(r, c) is not None
            )
            problems.append(
                Problem(
                    at(first, c),
                    f"data in column {column_letter(c + 1)}, which has no header: "
                    "move it into the table or delete it",
                )
            )
            header_ok = False
    if not header_ok:
        return None
    if not _template_rows_intact(sheet, spec, problems, written):
        return None

    table = Table(spec, [], years)
    merged_rows: set[int] = set()
    for (r0, c0), (r1, c1) in sheet.merged:
        if r1 >= FIRST_DATA_ROW - 1:
            span = f"{column_letter(c0 + 1)}{r0 + 1}:{column_letter(c1 + 1)}{r1 + 1}"
            problems.append(
                Problem(
                    at(r0, c0),
                    f"merged cells {span} in the data area: unmerge them and fill every cell",
                )
            )
            merged_rows.update(range(max(r0, FIRST_DATA_ROW - 1), r1 + 1))
            table.complete = False
    total = fixed + len(years)
    for r in range(FIRST_DATA_ROW - 1, sheet.height):
        if r in merged_rows:
            continue
        raws = [sheet.value(r, c) for c in range(total)]
        if all(_blank(raw) for raw in raws) and not any(
            (r, c) in sheet.errors or (r, c) in sheet.uncached for c in range(total)
        ):
            continue
        row = Row(r + 1, {})
        for c, column in enumerate(spec.columns):
            parsed = _cell(sheet, r, c, column, column.key in allow_none)
            row.cells[column.key] = parsed
            row.texts[column.key] = text_of(sheet.value(r, c))
        for i, year in enumerate(years):
            row.years[year] = _cell(sheet, r, fixed + i, YEAR_VALUE, False)
        for c, column in enumerate(spec.columns):
            parsed = row.cells[column.key]
            if parsed.message:
                problems.append(Problem(at(r, c), parsed.message))
            elif parsed.blank and column.required:
                problems.append(Problem(at(r, c), f"missing {column.key}: {column.en}"))
                row.cells[column.key] = fail("")
            if not row.cells[column.key].usable:
                row.usable = False
        for i, year in enumerate(years):
            parsed = row.years[year]
            if parsed.message:
                problems.append(Problem(at(r, fixed + i), parsed.message))
            if not parsed.usable:
                row.usable = False
        table.rows.append(row)
    return table


def _blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _cell(sheet: Sheet, r: int, c: int, column: Column, allow_none: bool) -> Parsed:
    if (r, c) in sheet.errors:
        return fail(
            f"the cell shows the error {sheet.errors[(r, c)]}: fix its formula or type the value"
        )
    if (r, c) in sheet.uncached:
        formula = sheet.uncached[(r, c)]
        return fail(
            f"the formula {formula} has no saved value (the file was written by a program that "
            "does not calculate): open the file in Excel or LibreOffice, let it recalculate and "
            "save it, or type the value instead"
        )
    raw = sheet.value(r, c)
    if _blank(raw):
        return BLANK
    return parse(column, raw, allow_none=allow_none)


def header_rows(spec: SheetSpec) -> list[list[str | None]]:
    """The texts of rows 2 and 3 (notes, example) as the template writes them."""
    return [
        [text_of(notes_text(column)) for column in spec.columns],
        [text_of(column.example) for column in spec.columns],
    ]


def _template_rows_intact(
    sheet: Sheet,
    spec: SheetSpec,
    problems: list[Problem],
    expected: list[list[str | None]] | None,
) -> bool:
    """Rows 2 and 3 are the notes and the example; if rows were inserted or deleted above
    the data, a person's data could sit there and be skipped silently. They are compared
    with what the template says it wrote (its hidden sheet), so rewording a note in a
    later version of fiscal does not turn away the workbooks already out with staff."""
    notes, examples = expected or header_rows(spec)
    for c, text in enumerate(notes[: len(spec.columns)]):
        if text_of(sheet.value(1, c)) != text:
            problems.append(
                Problem(
                    SourcePos.cell(spec.name, 2, c + 1),
                    "row 2 should hold the template's column notes and row 3 its example; "
                    "data starts on row 4. Were rows inserted or deleted above the data?",
                )
            )
            return False
    for c, text in enumerate(examples[: len(spec.columns)]):
        if text_of(sheet.value(2, c)) != text:
            problems.append(
                Problem(
                    SourcePos.cell(spec.name, 3, c + 1),
                    "row 3 is the template's example and is never imported: leave it as it was "
                    "and put your data from row 4",
                )
            )
            return False
    return True
