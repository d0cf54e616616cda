"""`fiscal verify`: a projection workbook made again from its provenance, cell by cell.

Workbooks are made with the real command in a real git repository, then changed the
way they get changed: a Ledger figure typed over in a spreadsheet program (openpyxl
stands in for Excel), a rule file edited after the run, the rules moved to another
folder. Exit code 0 when everything matches, 4 when not, 1 on a user error.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import BUNDLED_INPUTS, BUNDLED_RULES, run_fiscal
from tests.excel_helpers import git_repo

VAT = "parameters/local_consumption_tax/vat_share.yaml"
SCENARIO = BUNDLED_INPUTS / "scenarios" / "lct-30pct-2027.yaml"


@dataclass
class Made:
    repo: Path
    rules: Path
    inputs: Path
    book: Path  # fiscal project --scenario ... --by mega-region, in the repository's folder


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Made:
    repo, rules, inputs = git_repo(tmp_path_factory.mktemp("verify"))
    scenario = repo / "lct-30pct-2027.yaml"
    shutil.copy(SCENARIO, scenario)
    book = repo / "out" / "korea.xlsx"
    book.parent.mkdir()
    done = run_fiscal(
        "project", "--rules", rules, "--inputs", inputs, "--scenario", scenario,
        "--by", "mega-region", "-o", book, "-q", cwd=repo,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return Made(repo, rules, inputs, book)


def beside(made: Made, tmp_path: Path, name: str) -> Path:
    """Where a hand-edited copy is saved: beside the workbook it was made from. Its
    Provenance sheet names the rules and inputs from its own folder (``../rules``), so
    it is verified from there; a copy taken elsewhere alone needs --rules and --inputs."""
    return made.book.parent / f"{tmp_path.name}-{name}"


def edited(source: Path, target: Path, sheet: str, cell: str, value: object) -> Path:
    book = openpyxl.load_workbook(source)
    book[sheet][cell] = value
    book.save(target)
    return target


def ledger_row(book: Path, region: str, year: int, item: str) -> int:
    rows = openpyxl.load_workbook(book, read_only=True)["Ledger"].iter_rows(values_only=True)
    for number, row in enumerate(rows, start=1):
        if row[1:4] == (region, year, item):
            return number
    raise AssertionError("no such Ledger row")


def test_a_fresh_workbook_matches_in_every_cell(made: Made, tmp_path: Path) -> None:
    done = run_fiscal("verify", made.book, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "OK: every figure matches" in done.stdout
    figures = int(re.search(r"\(([\d,]+) Ledger figures", done.stdout)[1].replace(",", ""))  # type: ignore[index]
    assert figures > 1000


def test_a_ledger_figure_typed_over_is_named_by_its_cell_and_row(
    made: Made, tmp_path: Path
) -> None:
    row = ledger_row(made.book, "busan", 2027, "local_consumption_tax")
    book = edited(made.book, beside(made, tmp_path, "typed.xlsx"), "Ledger", f"E{row}", 1_000_000)
    done = run_fiscal("verify", book, cwd=tmp_path)
    assert done.returncode == 4, done.stdout + done.stderr
    assert f"Ledger!E{row}: edited by hand: the workbook has 1,000,000, recomputed " in done.stdout
    assert "(busan 2027 local_consumption_tax)" in done.stdout
    assert "MISMATCH: 1 cell edited by hand" in done.stdout
    assert "Traceback" not in done.stderr


def test_an_edit_on_any_sheet_is_found_and_json_lists_it(made: Made, tmp_path: Path) -> None:
    book = edited(made.book, beside(made, tmp_path, "summary.xlsx"), "Consolidated", "F3", 7)
    done = run_fiscal("verify", book, "--json", cwd=tmp_path)
    assert done.returncode == 4
    found = json.loads(done.stdout)
    assert found["matches"] is False
    assert [c["cell"] for c in found["cells"]] == ["Consolidated!F3"]
    assert found["cells"][0]["workbook"] == 7
    assert isinstance(found["cells"][0]["recomputed"], int)


def test_a_rule_changed_since_is_named_and_a_hand_edit_is_still_told_apart(
    made: Made, tmp_path: Path
) -> None:
    row = ledger_row(made.book, "seoul", 2025, "local_tax")
    book = edited(made.book, beside(made, tmp_path, "both.xlsx"), "Ledger", f"E{row}", 42)
    vat = made.rules / VAT
    before = vat.read_text(encoding="utf-8")
    vat.write_text(before.replace("{value: 0.253,", "{value: 0.26,"), encoding="utf-8")
    try:
        done = run_fiscal("verify", book, cwd=tmp_path)
    finally:
        vat.write_text(before, encoding="utf-8")
    assert done.returncode == 4, done.stdout + done.stderr
    assert f"{VAT}: changed since the workbook was made" in done.stdout
    # Recomputed from the recorded commit: only the typed-over cell is a hand edit.
    assert f"Ledger!E{row}: edited by hand: the workbook has 42" in done.stdout
    assert "MISMATCH: 1 file changed, 1 cell edited by hand, " in done.stdout
    assert "cells would change with the current files" in done.stdout


def test_without_git_a_missing_or_new_file_is_named_even_if_nothing_can_be_recomputed(
    tmp_path: Path,
) -> None:
    rules, inputs = tmp_path / "rules", tmp_path / "inputs"
    shutil.copytree(BUNDLED_RULES, rules)
    shutil.copytree(BUNDLED_INPUTS, inputs, ignore=shutil.ignore_patterns("*.py", "scenarios"))
    done = run_fiscal("project", "--rules", rules, "--inputs", inputs, "-o", "a.xlsx", "-q",
                      cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    (inputs / "regional" / "population.yaml").unlink()
    (rules / "agreements" / "2099-new.yaml").write_text("id: x\n", encoding="utf-8")
    done = run_fiscal("verify", "a.xlsx", cwd=tmp_path)
    assert done.returncode == 4, done.stdout + done.stderr
    assert "inputs/regional/population.yaml: recorded in the workbook, but no longer there" in (
        done.stdout
    )
    assert "rules/agreements/2099-new.yaml: not in the workbook's provenance" in done.stdout
    assert "cannot recompute the workbook from the current files" in done.stdout


def test_the_rules_read_from_another_folder_still_match(made: Made, tmp_path: Path) -> None:
    moved_rules, moved_inputs = tmp_path / "elsewhere" / "rules", tmp_path / "elsewhere" / "in"
    shutil.copytree(made.rules, moved_rules)
    shutil.copytree(made.inputs, moved_inputs)
    done = run_fiscal(
        "verify", made.book, "--rules", moved_rules, "--inputs", moved_inputs, cwd=tmp_path
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # The figures were recomputed from the moved copies, and every one of them matched.
    assert "OK: every figure matches" in done.stdout
    assert "every file has its recorded hash" in done.stdout


def test_a_comparison_or_a_file_that_is_no_workbook_is_a_user_error(tmp_path: Path) -> None:
    compare = tmp_path / "compare.xlsx"
    done = run_fiscal("compare", SCENARIO, "-o", compare, "-q", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    done = run_fiscal("verify", compare, cwd=tmp_path)
    assert done.returncode == 1
    assert (
        "compare.xlsx: no Ledger sheet: fiscal verify checks the workbooks of fiscal project"
        in (done.stderr)
    )
    text = tmp_path / "notes.xlsx"
    text.write_text("hello\n", encoding="utf-8")
    done = run_fiscal("verify", text, cwd=tmp_path)
    assert done.returncode == 1 and "not an Excel workbook (.xlsx)" in done.stderr


def test_a_workbook_of_rules_as_of_a_day_is_verified_against_that_commit(
    made: Made, tmp_path: Path
) -> None:
    book = tmp_path / "as-of.xlsx"
    day = subprocess.run(
        ["git", "-C", str(made.repo), "log", "-1", "--format=%cs"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    done = run_fiscal("project", "--rules", made.rules, "--inputs", made.inputs,
                      "--rules-as-of", day, "-o", book, "-q", cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    vat = made.rules / VAT
    before = vat.read_text(encoding="utf-8")
    vat.write_text(before + "\n# an uncommitted comment\n", encoding="utf-8")
    try:
        done = run_fiscal("verify", book, cwd=tmp_path)
    finally:
        vat.write_text(before, encoding="utf-8")
    assert done.returncode == 0, done.stdout + done.stderr
    # Verified against the commit of that day, not the edited working tree.
    commit = subprocess.run(
        ["git", "-C", str(made.repo), "rev-parse", "HEAD"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert f"rules {commit}" in done.stdout
    assert "OK: every figure matches" in done.stdout


# --- what a reader sees (round two) ----------------------------------------------------------


def part_of(book: Path, sheet: str) -> str:
    """The zip part of a worksheet, from the workbook's own list of sheets."""
    with zipfile.ZipFile(book) as package:
        listed = package.read("xl/workbook.xml").decode()
        rels = package.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet name="{sheet}" sheetId="\d+" r:id="(rId\d+)"', listed)
    assert rid is not None
    target = re.search(rf'Id="{rid[1]}" [^>]*Target="([^"]+)"', rels)
    assert target is not None
    return "xl/" + target[1]


def repacked(source: Path, target: Path, change: Callable[[str, bytes], bytes]) -> Path:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            new.writestr(info.filename, change(info.filename, old.read(info)))
    return target


def money_cell(book: Path) -> tuple[str, str]:
    """A Ledger amount cell as the sheet's XML writes it, and its address."""
    part = part_of(book, "Ledger")
    with zipfile.ZipFile(book) as package:
        xml = package.read(part).decode()
    found = re.search(r'<c r="(E\d+)" s="\d+"><v>[1-9]\d{6,}</v></c>', xml)
    assert found is not None
    return found[0], found[1]


@pytest.mark.parametrize(
    "number_format",
    ['"46,000"', "#,##0,,", '#,##0;#,##0;"0"'],
    ids=["a literal", "scaled to millions", "a section for negatives"],
)
def test_a_money_cell_shown_with_another_number_format_is_found(
    made: Made, tmp_path: Path, number_format: str
) -> None:
    _, address = money_cell(made.book)
    book = openpyxl.load_workbook(made.book)
    book["Ledger"][address].number_format = number_format
    changed = beside(made, tmp_path, "format.xlsx")
    book.save(changed)
    done = run_fiscal("verify", changed, cwd=tmp_path)
    assert done.returncode == 4, done.stdout + done.stderr
    line = next(li for li in done.stdout.splitlines() if li.startswith(f"Ledger!{address}:"))
    assert f"shown with the number format {number_format!r}" in line
    assert "shown with the number format '#,##0'" in line
    assert "OK" not in done.stdout


def test_a_formula_that_kept_the_cached_value_is_found(made: Made, tmp_path: Path) -> None:
    xml, address = money_cell(made.book)
    formula = xml.replace("><v>", "><f>E2*2</f><v>", 1)
    part = part_of(made.book, "Ledger")
    changed = repacked(
        made.book,
        beside(made, tmp_path, "formula.xlsx"),
        lambda name, data: data.replace(xml.encode(), formula.encode()) if name == part else data,
    )
    done = run_fiscal("verify", changed, "--json", cwd=tmp_path)
    assert done.returncode == 4, done.stdout + done.stderr
    cells = {c["cell"]: c for c in json.loads(done.stdout)["cells"]}
    assert cells[f"Ledger!{address}"]["workbook"]["formula"] == "=E2*2"


def provenance_row(book: Path, key: str) -> int:
    rows = openpyxl.load_workbook(book, read_only=True)["Provenance"].iter_rows(values_only=True)
    return next(n for n, row in enumerate(rows, start=1) if row[0] == key)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("2025-2030x", "expected the years as 2025-2030, found '2025-2030x'"),
        ("", "expected the years as 2025-2030, found ''"),
        ("2030-2025", "expected the years as 2025-2030 (first before last, within 1900-2200)"),
        ("1-999999", "expected the years as 2025-2030 (first before last, within 1900-2200)"),
    ],
)
def test_a_damaged_years_cell_is_a_user_error_at_its_cell(
    made: Made, tmp_path: Path, value: str, words: str
) -> None:
    row = provenance_row(made.book, "years")
    book = edited(made.book, tmp_path / "years.xlsx", "Provenance", f"B{row}", value or None)
    done = run_fiscal("verify", book, cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"Provenance!B{row}: {words}" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_removed_years_row_is_a_user_error(made: Made, tmp_path: Path) -> None:
    row = provenance_row(made.book, "years")
    book = openpyxl.load_workbook(made.book)
    book["Provenance"].delete_rows(row)
    changed = tmp_path / "no-years.xlsx"
    book.save(changed)
    done = run_fiscal("verify", changed, cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Provenance!A1: the Provenance sheet has no 'years' row" in done.stderr


def test_one_far_cell_is_refused_before_a_grid_is_built(made: Made, tmp_path: Path) -> None:
    part = part_of(made.book, "Provenance")
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    changed = repacked(
        made.book,
        tmp_path / "far.xlsx",
        lambda name, data: (
            data.replace(b"</sheetData>", far + b"</sheetData>") if name == part else data
        ),
    )
    done = run_fiscal("verify", changed, cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Provenance!XFD1048576: the sheet has a cell here, far beyond any table" in done.stderr


def test_a_workbook_of_whitespace_is_refused_by_its_inflated_size(
    made: Made, tmp_path: Path
) -> None:
    changed = tmp_path / "spaces.xlsx"
    part = part_of(made.book, "Summary")
    with (
        zipfile.ZipFile(made.book) as old,
        zipfile.ZipFile(changed, "w", zipfile.ZIP_DEFLATED) as new,
    ):
        for info in old.infolist():
            data = old.read(info)
            if info.filename != part:
                new.writestr(info.filename, data)
                continue
            head, _, tail = data.partition(b"<sheetData>")
            with new.open(part, "w", force_zip64=True) as out:
                out.write(head + b"<sheetData>")
                for _ in range(256):
                    out.write(b" " * (1 << 20))
                out.write(tail)
    started = time.monotonic()
    done = run_fiscal("verify", changed, cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "refusing to read it: the workbook says it unpacks to" in done.stderr
    assert time.monotonic() - started < 5


def test_a_device_is_refused_before_it_is_read(tmp_path: Path) -> None:
    done = run_fiscal("verify", "/dev/zero", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "/dev/zero: not a regular file" in done.stderr


def test_a_very_hidden_sheet_added_or_a_sheet_hidden_is_named(made: Made, tmp_path: Path) -> None:
    changed = repacked(
        made.book,
        beside(made, tmp_path, "hidden.xlsx"),
        lambda name, data: (
            data.replace(b'<sheet name="Pools"', b'<sheet state="veryHidden" name="Pools"')
            if name == "xl/workbook.xml"
            else data
        ),
    )
    done = run_fiscal("verify", changed, cwd=tmp_path)
    assert done.returncode == 4, done.stdout + done.stderr
    assert "sheet 'Pools' is veryHidden; fiscal wrote it visible" in done.stdout
