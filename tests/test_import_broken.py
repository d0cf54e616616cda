"""Broken workbooks: each mistake is reported at its cell (`Sheet!Cell: message`), the
import exits 1, and no YAML file changes.

Every case starts from a real template made by `fiscal template ... --prefill` and
breaks it the way a person or a mail server would: a share mistyped, a header renamed,
cells merged, a formula never calculated, a macro-enabled or encrypted file, a zip
bomb.
"""

from __future__ import annotations

import struct
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.excel_helpers import (
    Rows,
    address,
    copy_data,
    edit_cells,
    find_row,
    fingerprint,
    read_rows,
    rewrite,
    run_cli,
    set_cell,
)

GANGWON = "2019-gangwon-eco-tourism"
GYEONGBUK = "2019-gyeongbuk-smart-farm"
DAEGU = "2023-daegu-urban-air-mobility"
JEONBUK = "2024-jeonbuk-public-private-culture"
CENTRAL = "2026-central-mega-region-transit"


@dataclass
class Setup:
    rules: Path
    inputs: Path
    books: dict[str, Path]  # kind -> prefilled template
    rows: dict[str, Rows]  # kind -> its cells


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Setup:
    base = tmp_path_factory.mktemp("broken")
    rules, inputs = copy_data(base)
    books = {}
    for kind in ("agreements", "inputs"):
        books[kind] = base / f"{kind}.xlsx"
        done = run_cli(
            "template", kind, "--prefill", "--rules", rules, "--inputs", inputs, "-o", books[kind]
        )
        assert done.code == 0, done.err
    return Setup(rules, inputs, books, {k: read_rows(p) for k, p in books.items()})


Build = Callable[[Setup, Path], str]  # writes the broken book, returns where the problem is


@dataclass
class Case:
    name: str
    build: Build
    message: str


def cell(
    kind: str,
    sheet: str,
    match: dict[str, Any],
    key: str,
    value: Any,
    at: tuple[dict[str, Any], str] | None = None,
    **options: Any,
) -> Build:
    """Set one cell; the problem is at that cell, or at ``at`` = (match, key)."""

    def build(s: Setup, target: Path) -> str:
        where = ""

        def change(rows: Rows) -> None:
            nonlocal where
            r = find_row(rows, sheet, **match)
            where = set_cell(rows, sheet, r, key, value)
            if at is not None:
                where = address(rows, sheet, find_row(rows, sheet, **at[0]), at[1])

        rewrite(s.books[kind], target, change, **options)
        return f"{sheet}!{where}"

    return build


def rows_edit(kind: str, change: Callable[[Rows], str]) -> Build:
    def build(s: Setup, target: Path) -> str:
        where = ""

        def run(rows: Rows) -> None:
            nonlocal where
            where = change(rows)

        rewrite(s.books[kind], target, run)
        return where

    return build


def in_excel(kind: str, change: Callable[[Any, Rows], str]) -> Build:
    """Edit with openpyxl, which (like a program that does not calculate) saves formulas
    without a value."""

    def build(s: Setup, target: Path) -> str:
        where = ""

        def run(book: Any) -> None:
            nonlocal where
            where = change(book, s.rows[kind])

        edit_cells(s.books[kind], target, run)
        return where

    return build


def raw(make: Callable[[Setup, Path], None]) -> Build:
    def build(s: Setup, target: Path) -> str:
        make(s, target)
        return str(target.name)

    return build


def _row(rows: Rows, sheet: str, **match: Any) -> int:
    return find_row(rows, sheet, **match) + 1


def merge_parties(book: Any, rows: Rows) -> str:
    r = _row(rows, "Parties", agreement=DAEGU, party="msit")
    book["Parties"].merge_cells(f"A{r}:A{r + 1}")
    return f"Parties!A{r}"


def uncalculated_formula(book: Any, rows: Rows) -> str:
    r = _row(rows, "Projects", agreement=DAEGU)
    book["Projects"][f"E{r}"] = "=100000000000+50000000000"
    return f"Projects!E{r}"


def error_value(s: Setup, target: Path) -> str:
    rows = s.rows["agreements"]
    r = _row(rows, "Shares", agreement=DAEGU, party="daegu")
    rewrite(s.books["agreements"], target, lambda rows: None,
            formulas={("Shares", f"E{r}"): ("=1/0", "#DIV/0!")})  # fmt: skip
    return f"Shares!E{r}"


def data_in_the_example_row(rows: Rows) -> str:
    rows["Agreements"][2][0] = "2027-my-agreement"
    return "Agreements!A3"


def without_sheet(name: str) -> Callable[[Rows], str]:
    def change(rows: Rows) -> str:
        del rows[name]
        return "broken.xlsx"

    return change


def renamed_header(sheet: str, col: int, text: str) -> Callable[[Rows], str]:
    def change(rows: Rows) -> str:
        rows[sheet][0][col] = text
        return f"{sheet}!{chr(ord('A') + col)}1"

    return change


def unknown_column(rows: Rows) -> str:
    for r, row in enumerate(rows["Agreements"]):
        row.append("comments" if r == 0 else "")
    return "Agreements!I1"


def drop_row(kind_sheet: str, at: tuple[str, str], **match: Any) -> Callable[[Rows], str]:
    def change(rows: Rows) -> str:
        rows[kind_sheet].pop(find_row(rows, kind_sheet, **match))
        sheet, key = at
        r = find_row(rows, sheet, indicator="population")
        return f"{sheet}!{chr(ord('A') + rows[sheet][0].index(key))}{r + 1}"

    return change


def version(rows: Rows) -> str:
    meta = rows["fiscal"]
    next(r for r in meta if r[0] == "template_version")[1] = "0"
    return "broken.xlsx"


def with_macros(s: Setup, target: Path) -> None:
    with zipfile.ZipFile(s.books["agreements"]) as source, zipfile.ZipFile(target, "w") as out:
        for item in source.infolist():
            out.writestr(item, source.read(item))
        out.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 not really a macro")


def encrypted(s: Setup, target: Path) -> None:
    # Excel saves a password-protected workbook as an OLE container with these streams.
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)
    target.write_bytes(ole + "EncryptionInfo".encode("utf-16-le") + bytes(64) +
                       "EncryptedPackage".encode("utf-16-le"))  # fmt: skip


def truncated(s: Setup, target: Path) -> None:
    data = s.books["agreements"].read_bytes()
    target.write_bytes(data[: len(data) // 2])


def csv_file(s: Setup, target: Path) -> None:
    target.write_text("id,title,status\n2027-x,Port,signed\n", encoding="utf-8")


def word_document(s: Setup, target: Path) -> None:
    with zipfile.ZipFile(target, "w") as out:
        out.writestr("[Content_Types].xml", "<Types/>")
        out.writestr("word/document.xml", "<document/>")


def zip_bomb(s: Setup, target: Path) -> None:
    """A workbook whose central directory declares a part of 4 GB."""
    data = bytearray(s.books["agreements"].read_bytes())
    at = data.index(b"PK\x01\x02")  # the first central directory entry
    struct.pack_into("<I", data, at + 24, 0xFFFF_FFF0)  # its uncompressed size
    target.write_bytes(bytes(data))


A, IN = "agreements", "inputs"
CASES = [
    Case("share above 100%",
         cell(A, "Shares", {"agreement": DAEGU, "party": "daegu"}, "share", 1.2),
         "cost share 120% is above 100%"),
    Case("shares that do not sum to 100%",
         cell(A, "Shares", {"agreement": DAEGU, "party": "daegu"}, "share", "40%",
              at=({"agreement": DAEGU, "party": "molit"}, "share")),
         "cost shares sum to 90%; expected 100%"),
    Case("share typed as 60 without a percent sign",
         cell(A, "Shares", {"agreement": JEONBUK, "party": "molit"}, "share", "40"),
         "cost share 4000% is above 100%; write 40% or 0.4 if you meant that"),
    Case("unknown region",
         cell(A, "Parties", {"agreement": JEONBUK, "party": "jeonbuk"}, "party", "jeonbuk-do"),
         "unknown region 'jeonbuk-do'; did you mean 'jeonbuk'?"),
    Case("unknown ministry",
         cell(A, "Parties", {"agreement": GYEONGBUK, "party": "mafra"}, "party", "agriculture"),
         "unknown ministry 'agriculture'; expected one of"),
    Case("duplicate agreement id",
         cell(A, "Agreements", {"id": JEONBUK}, "id", DAEGU),
         f"agreement '{DAEGU}' is already on row"),
    Case("schedule in won that misses the total",
         cell(A, "Schedules", {"agreement": DAEGU, "year": 2028}, "amount_krw", "20,000,000,000",
              at=({"agreement": DAEGU, "year": 2024}, "amount_krw")),
         "schedule sums to 145,000,000,000 won; the total is 150,000,000,000 won"),
    Case("schedule year outside the project",
         cell(A, "Schedules", {"agreement": DAEGU, "year": 2028}, "year", 2029),
         "year 2029 is outside the project years 2024-2028"),
    Case("year out of range",
         cell(A, "Projects", {"agreement": DAEGU}, "first_year", 3024),
         "year 3024 is outside 1900-2200"),
    Case("status not in the list",
         cell(A, "Agreements", {"id": DAEGU}, "status", "singed"),
         "status 'singed' is not one of: proposed, signed, amended, terminated"),
    Case("terminated without a date",
         cell(A, "Agreements", {"id": GYEONGBUK}, "terminated", "",
              at=({"id": GYEONGBUK}, "status")),
         "a terminated agreement needs its termination date"),
    Case("date that is not a date",
         cell(A, "Agreements", {"id": DAEGU}, "signed", "March 2023"),
         "expected a date such as 2025-03-20, got 'March 2023'"),
    Case("won with decimals",
         cell(A, "Projects", {"agreement": DAEGU}, "total_krw", "150000000000.5"),
         "expected a whole number of won, got '150000000000.5'"),
    Case("won beyond what a spreadsheet number holds",
         cell(A, "Projects", {"agreement": DAEGU}, "total_krw", float(2**60)),
         "total 1152921504606846976 is too large for a spreadsheet number to hold to the won; "
         "type it as text"),
    Case("words in a won column",
         cell(A, "Projects", {"agreement": DAEGU}, "total_krw", "lots"),
         "expected a whole number of won, got 'lots'"),
    Case("an id with capitals and spaces",
         cell(A, "Projects", {"agreement": JEONBUK}, "project", "Culture Hub"),
         "'Culture Hub' is not a valid id: use lowercase letters, digits, '_' and '-', starting "
         "with a letter or digit (did you mean 'culture-hub'?)"),
    Case("unknown agreement on another sheet",
         cell(A, "Parties", {"agreement": JEONBUK, "party": "molit"}, "agreement", "2024-jeonbuk"),
         "unknown agreement '2024-jeonbuk': add it on the Agreements sheet first"),
    Case("missing title",
         cell(A, "Agreements", {"id": DAEGU}, "title", "   "),
         "missing title: Title."),
    Case("private partner without a name",
         cell(A, "Parties", {"agreement": JEONBUK, "party": "jeonju-culture-partners"}, "name", "",
              at=({"agreement": JEONBUK, "party": "jeonju-culture-partners"}, "party")),
         "private partner 'jeonju-culture-partners' needs a name"),
    Case("shares of a project not on Projects",
         cell(A, "Shares", {"agreement": DAEGU, "party": "daegu"}, "project", "uam",),
         f"no row on the Projects sheet for project 'uam' of agreement '{DAEGU}'"),
    Case("amendment date that no amendment has",
         cell(A, "Projects", {"agreement": GANGWON, "amendment": date(2021, 1, 1)}, "amendment",
              date(2021, 2, 1)),
         f"agreement '{GANGWON}' has no amendment effective 2021-02-01"),
    Case("schedule row with a share and an amount",
         cell(A, "Schedules", {"agreement": DAEGU, "year": 2024}, "share", 0.1,
              at=({"agreement": DAEGU, "year": 2024}, "amount_krw")),
         "give the year's share of the total or its amount in won, not both"),
    Case("renamed header", rows_edit(A, renamed_header("Agreements", 2, "state")),
         "expected the header 'status' here, found 'state'"),
    Case("missing header", rows_edit(A, renamed_header("Parties", 3, "")),
         "missing header 'name'"),
    Case("unknown column", rows_edit(A, unknown_column),
         "unknown column 'comments': the template has no such column"),
    Case("data typed in the example row", rows_edit(A, data_in_the_example_row),
         "row 3 is the template's example and is never imported"),
    Case("missing sheet", rows_edit(A, without_sheet("Parties")),
         "sheet 'Parties' is missing"),
    Case("template of another version", rows_edit(A, version),
         "made with template version 0"),
    Case("merged cells", in_excel(A, merge_parties),
         "merged cells A{r}:A{r1} in the data area: unmerge them and fill every cell"),
    Case("formula without a saved value", in_excel(A, uncalculated_formula),
         "the formula =100000000000+50000000000 has no saved value"),
    Case("error value", error_value, "the cell shows the error #DIV/0!"),
    Case("macros", raw(with_macros), "the workbook contains macros (.xlsm)"),
    Case("password", raw(encrypted), "the workbook is password-protected (encrypted)"),
    Case("corrupt", raw(truncated), "the file is corrupt"),
    Case("csv", raw(csv_file), "not an Excel workbook (.xlsx): it looks like a text or CSV file"),
    Case("word", raw(word_document), "not an Excel workbook (.xlsx): it is a Word document"),
    Case("zip bomb", raw(zip_bomb), "refusing to read it: the workbook says it unpacks to"),
    Case("inputs: gap in the years",
         cell(IN, "Regional", {"indicator": "population", "region": "sejong"}, "2027", ""),
         "no value for 2027 between 2025 and 2030: the years of a row may not have gaps"),
    Case("inputs: unknown region",
         cell(IN, "Regional", {"indicator": "local_tax", "region": "seoul"}, "region", "seol"),
         "unknown region 'seol'; did you mean 'seoul'?"),
    Case("inputs: implausible growth",
         cell(IN, "Series", {"series": "vat_base"}, "growth", "3"),
         "growth 300% a year is out of range (-100% to 100%); write 3% or 0.03 if you meant that"),
    Case("inputs: negative value",
         cell(IN, "Regional", {"indicator": "population", "region": "jeju"}, "2025", -5),
         "value -5 is negative; expected 0 or more"),
    Case("inputs: a region left out",
         rows_edit(IN, drop_row("Regional", ("Indicators", "indicator"),
                               indicator="population", region="jeju")),
         "no values for region(s) jeju: add a row for each on the Regional sheet"),
    Case("won typed with one ambiguous mark",
         cell(A, "Projects", {"agreement": DAEGU}, "total_krw", "150.000"),
         "'150.000' could be 150000 or 150 (the mark read as thousands or as decimals)"),
    Case("won with a decimal comma",
         cell(A, "Projects", {"agreement": DAEGU}, "total_krw", "20000000000,5"),
         "expected a whole number of won, got '20000000000,5': ',' here marks a decimal part"),
    Case("inputs: a population with a decimal comma",
         cell(IN, "Regional", {"indicator": "population", "region": "jeju"}, "2025", "9285,5"),
         "expected a whole number, got '9285,5': ',' here marks a decimal part"),
    Case("inputs: a count as a number with a fraction",
         cell(IN, "Regional", {"indicator": "population", "region": "jeju"}, "2025", 9285.5),
         "expected a whole number, got 9285.5: a whole number has no decimal part"),
    Case("inputs: a year header that is not a year",
         rows_edit(IN, renamed_header("Regional", 2, "Year 2025")),
         "expected a year as the header of this column"),
]  # fmt: skip


def test_the_table_has_at_least_25_broken_workbooks() -> None:
    assert len(CASES) >= 25


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_broken_workbook_is_refused_at_its_cell_and_changes_nothing(
    case: Case, setup: Setup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    before = fingerprint(setup.rules, setup.inputs)
    target = tmp_path / "broken.xlsx"
    where = case.build(setup, target)
    message = case.message
    if "{r}" in message:
        row = int("".join(ch for ch in where.split("!")[1] if ch.isdigit()))
        message = message.format(r=row, r1=row + 1)
    done = run_cli("import", target, "--rules", setup.rules, "--inputs", setup.inputs, "--force")
    assert done.code == 1, done.out
    assert "Traceback" not in done.err
    assert f"{where}: {message}" in done.err, done.err
    assert fingerprint(setup.rules, setup.inputs) == before


def test_every_problem_is_reported_in_one_run_sorted_by_sheet_and_cell(
    setup: Setup, tmp_path: Path
) -> None:
    target = tmp_path / "many.xlsx"

    def many(rows: Rows) -> None:
        set_cell(
            rows,
            "Shares",
            find_row(rows, "Shares", agreement=DAEGU, party="daegu"),
            "share",
            "120%",
        )
        set_cell(rows, "Agreements", find_row(rows, "Agreements", id=JEONBUK), "signed", "soon")
        set_cell(rows, "Parties", find_row(rows, "Parties", agreement=GANGWON, party="gangwon"),
                 "kind", "province")  # fmt: skip
        set_cell(rows, "Projects", find_row(rows, "Projects", agreement=CENTRAL), "last_year", 2026)

    rewrite(setup.books["agreements"], target, many)
    done = run_cli("import", target, "--rules", setup.rules, "--force")
    assert done.code == 1
    lines = [line for line in done.err.splitlines() if "!" in line.split(":")[0]]
    where = [line.split(":")[0] for line in lines]
    assert where == sorted(where, key=lambda w: (w.split("!")[0], int(w[w.rindex("!") + 2 :])))
    text = done.err
    assert "cost share 120% is above 100%" in text
    assert "expected a date such as 2025-03-20, got 'soon'" in text
    assert "kind 'province' is not one of: ministry, region, private" in text
    assert "first year 2027 is after last year 2026" in text
    assert "problems in 4 sheets." in text
