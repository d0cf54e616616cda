"""`fiscal template`: the workbook staff fill in, as a spreadsheet program sees it."""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest

from tests.excel_helpers import copy_data, hidden_sheets, read_rows, run_cli

AGREEMENT_SHEETS = ["Instructions", "Agreements", "Parties", "Amendments", "Projects", "Shares",
                    "Schedules", "Lists", "fiscal"]  # fmt: skip
INPUT_SHEETS = ["Instructions", "National", "Series", "Indicators", "Regional", "Lists", "fiscal"]
HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return copy_data(tmp_path_factory.mktemp("data"))


@pytest.fixture(scope="module")
def agreements_book(tmp_path_factory: pytest.TempPathFactory, data: tuple[Path, Path]) -> Path:
    path = tmp_path_factory.mktemp("books") / "agreements.xlsx"
    done = run_cli("template", "agreements", "--prefill", "--rules", data[0], "-o", path)
    assert done.code == 0, done.err
    return path


@pytest.fixture(scope="module")
def inputs_book(tmp_path_factory: pytest.TempPathFactory, data: tuple[Path, Path]) -> Path:
    path = tmp_path_factory.mktemp("books") / "inputs.xlsx"
    done = run_cli(
        "template", "inputs", "--prefill", "--rules", data[0], "--inputs", data[1], "-o", path
    )
    assert done.code == 0, done.err
    return path


def test_the_agreements_template_has_instructions_one_sheet_per_table_and_hidden_lists(
    agreements_book: Path,
) -> None:
    book = openpyxl.load_workbook(agreements_book)
    assert book.sheetnames == AGREEMENT_SHEETS
    assert hidden_sheets(agreements_book) == {"Lists", "fiscal"}
    instructions = " ".join(
        str(c.value) for row in book["Instructions"].iter_rows() for c in row if c.value
    )
    assert "Percentages: type 60% or 0.6" in instructions
    assert HANGUL.search(instructions), "the instructions are in Korean too"
    assert "central_split" in instructions  # every column is explained


def test_header_rows_hold_names_notes_and_an_example_and_are_frozen_and_protected(
    agreements_book: Path,
) -> None:
    book = openpyxl.load_workbook(agreements_book)
    sheet = book["Shares"]
    assert [c.value for c in sheet[1]] == [
        "agreement", "amendment", "project", "party", "share", "central_split"
    ]  # fmt: skip
    assert "60% or 0.6" in sheet["E2"].value and HANGUL.search(sheet["E2"].value)
    assert sheet["A3"].value == "2027-busan-port-logistics"  # the grey example row
    assert sheet.freeze_panes == "A4"
    assert sheet.protection.sheet
    assert sheet["A1"].protection.locked
    assert not sheet["A4"].protection.locked, "data cells stay editable"
    assert not sheet.column_dimensions["A"].protection.locked, "so do the rows below the data"


def test_cells_carry_number_formats_for_won_percentages_and_dates(agreements_book: Path) -> None:
    book = openpyxl.load_workbook(agreements_book)
    projects, shares, agreements = book["Projects"], book["Shares"], book["Agreements"]
    assert projects["E4"].number_format == "#,##0"  # total_krw
    assert isinstance(projects["E4"].value, int)
    assert shares["E4"].number_format.endswith("%")
    assert agreements["D4"].number_format == "yyyy-mm-dd"


def test_closed_lists_are_drop_downs(agreements_book: Path) -> None:
    book = openpyxl.load_workbook(agreements_book)
    lists = read_rows(agreements_book)["Lists"]
    columns = {name: [row[i] for row in lists[1:] if row[i] != ""] for i, name in
               enumerate(lists[0])}  # fmt: skip
    assert "seoul" in columns["regions"] and "jeju" in columns["regions"]
    assert columns["kinds"] == ["ministry", "region", "private"]
    assert columns["status"] == ["proposed", "signed", "amended", "terminated"]
    assert 2025 in columns["years"]

    def validations(sheet: str) -> dict[str, str]:
        return {
            str(v.sqref).split(":")[0]: v.formula1 or ""
            for v in book[sheet].data_validations.dataValidation
        }

    assert validations("Agreements")["C4"].startswith("Lists!$E$")  # status
    assert validations("Parties")["C4"].startswith("Lists!$G$")  # party kind
    assert "D4" in validations("Schedules")  # years
    stop = {str(v.sqref).split(":")[0]: v.errorStyle or "stop" for v in
            book["Parties"].data_validations.dataValidation}  # fmt: skip
    assert stop["C4"] == "stop" and stop["B4"] == "information"  # private ids may be new


def test_the_inputs_template_has_year_columns_filled_from_the_inputs(inputs_book: Path) -> None:
    rows = read_rows(inputs_book)
    assert list(rows) == INPUT_SHEETS
    regional = rows["Regional"]
    assert regional[0][:8] == ["indicator", "region", 2025, 2026, 2027, 2028, 2029, 2030]
    seoul = next(r for r in regional[3:] if r[:2] == ["population", "seoul"])
    assert seoul[2] == 9331828
    series = rows["Series"]
    assert series[0][:9] == ["series", "label_en", "label_ko", "unit", "status", "source", "note",
                             "growth", 2025]  # fmt: skip
    assert any(r[0] == "vat_base" and r[7] == 0.035 for r in series[3:])


def test_a_blank_template_has_only_the_header_rows(tmp_path: Path, data: tuple[Path, Path]) -> None:
    path = tmp_path / "blank.xlsx"
    done = run_cli("template", "agreements", "--rules", data[0], "-o", path)
    assert done.code == 0, done.err
    assert "blank" in done.out
    rows = read_rows(path)
    assert all(len(rows[s]) == 3 for s in ("Agreements", "Parties", "Projects", "Shares"))


def test_an_existing_file_is_not_overwritten_without_force(
    tmp_path: Path, data: tuple[Path, Path]
) -> None:
    path = tmp_path / "mine.xlsx"
    path.write_bytes(b"precious")
    done = run_cli("template", "agreements", "--rules", data[0], "-o", path)
    assert done.code == 1
    assert "file exists; not overwritten" in done.err
    assert path.read_bytes() == b"precious"
    assert run_cli("template", "agreements", "--rules", data[0], "-o", path, "--force").code == 0
    assert path.read_bytes().startswith(b"PK")
    assert [p.name for p in tmp_path.iterdir()] == ["mine.xlsx"], "no temporary file is left"


def test_an_unknown_template_kind_is_a_usage_error(tmp_path: Path) -> None:
    done = run_cli("template", "parameters", "-o", tmp_path / "x.xlsx")
    assert done.code == 2
    assert not (tmp_path / "x.xlsx").exists()
