"""An import writes and removes only files inside its target folder.

The hidden ``fiscal`` sheet of a prefilled template lists the agreement ids it showed,
so that a row deleted in Excel means "remove this agreement". Those ids come from a
file that went out by mail and came back: each is checked as an id before it becomes a
path, and nothing outside the ruleset's ``agreements/`` folder (or the inputs' folder)
is ever written or removed, whatever the workbook says.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from fiscal.files.paths import file_for_id
from fiscal.ids import is_id
from fiscal.rules.types import Id
from tests.excel_helpers import edit_cells, fingerprint, git, git_repo, run_cli


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, Path, Path]:
    return git_repo(tmp_path)


def prefilled(tmp_path: Path, rules: Path, inputs: Path, kind: str = "agreements") -> Path:
    book = tmp_path / f"{kind}.xlsx"
    done = run_cli("template", kind, "--prefill", "--rules", rules, "--inputs", inputs, "-o", book)
    assert done.code == 0, done.err
    return book


def with_hidden_entry(source: Path, target: Path, key: str, value: str) -> tuple[Path, int]:
    """The template with one more (key, value) row on its hidden sheet, and that row."""
    row = 0

    def add(book: Any) -> None:
        nonlocal row
        sheet = book["fiscal"]
        row = sheet.max_row + 1
        sheet.cell(row=row, column=1, value=key)
        sheet.cell(row=row, column=2, value=value)

    edit_cells(source, target, add)
    return target, row


@pytest.mark.parametrize(
    "hostile",
    ["../ruleset", "../../notes/keep", "ABSOLUTE", "agreements/../../ruleset", "a/b", ".hidden"],
)
def test_an_agreement_id_on_the_hidden_sheet_that_is_not_an_id_is_refused_and_nothing_is_touched(
    tmp_path: Path, repo: tuple[Path, Path, Path], hostile: str
) -> None:
    top, rules, inputs = repo
    notes = top / "notes"
    notes.mkdir()
    (notes / "keep.yaml").write_text("precious: true\n", encoding="utf-8")
    git(top, "add", ".")
    git(top, "commit", "-q", "-m", "notes")
    if hostile == "ABSOLUTE":
        hostile = str(rules / "ruleset")
    book, row = with_hidden_entry(
        prefilled(tmp_path, rules, inputs), tmp_path / "hostile.xlsx", "agreement", hostile
    )
    before = fingerprint(top)

    done = run_cli("import", book, "--rules", rules, "--inputs", inputs)

    assert done.code == 1, done.out + done.err
    assert f"fiscal!B{row}" in done.err
    assert "not an agreement id" in done.err
    assert "Traceback" not in done.err
    assert fingerprint(top) == before
    assert (rules / "ruleset.yaml").is_file()
    assert (notes / "keep.yaml").is_file()


def test_a_dry_run_with_a_hostile_id_is_refused_too(
    tmp_path: Path, repo: tuple[Path, Path, Path]
) -> None:
    _, rules, inputs = repo
    book, row = with_hidden_entry(
        prefilled(tmp_path, rules, inputs), tmp_path / "hostile.xlsx", "agreement", "../ruleset"
    )
    done = run_cli("import", book, "--rules", rules, "--inputs", inputs, "--dry-run")
    assert done.code == 1
    assert f"fiscal!B{row}" in done.err


def test_a_hostile_indicator_id_on_the_hidden_sheet_is_refused(
    tmp_path: Path, repo: tuple[Path, Path, Path]
) -> None:
    top, rules, inputs = repo
    book, row = with_hidden_entry(
        prefilled(tmp_path, rules, inputs, "inputs"),
        tmp_path / "hostile.xlsx",
        "indicator",
        "../national",
    )
    before = fingerprint(top)
    done = run_cli("import", book, "--rules", rules, "--inputs", inputs)
    assert done.code == 1, done.out + done.err
    assert f"fiscal!B{row}" in done.err
    assert fingerprint(top) == before


def test_a_regional_folder_that_is_a_symlink_out_of_the_inputs_is_not_written_through(
    tmp_path: Path, repo: tuple[Path, Path, Path]
) -> None:
    _, rules, inputs = repo
    book = prefilled(tmp_path, rules, inputs, "inputs")
    elsewhere = tmp_path / "elsewhere"
    (inputs / "regional").rename(elsewhere)
    os.symlink(elsewhere, inputs / "regional")
    before = fingerprint(elsewhere)

    done = run_cli("import", book, "--rules", rules, "--inputs", inputs, "--force")

    assert done.code == 1, done.out + done.err
    assert "lies outside" in done.err and "symbolic links" in done.err
    assert fingerprint(elsewhere) == before


def delete_agreement(gone: str) -> Callable[[Any], None]:
    """An edit in Excel: every row of agreement ``gone`` deleted, on every sheet."""

    def edit(workbook: Any) -> None:
        for name in workbook.sheetnames:
            sheet = workbook[name]
            header = [c.value for c in sheet[1]]
            column = "id" if name == "Agreements" else "agreement"
            if name == "fiscal" or column not in header:
                continue
            at = header.index(column) + 1
            for r in range(sheet.max_row, 1, -1):
                if sheet.cell(row=r, column=at).value == gone:
                    sheet.delete_rows(r)

    return edit


def test_a_dry_run_lists_the_files_it_would_remove_as_well_as_those_it_would_write(
    tmp_path: Path, repo: tuple[Path, Path, Path]
) -> None:
    _, rules, inputs = repo
    book = prefilled(tmp_path, rules, inputs)
    gone = sorted((rules / "agreements").glob("*.yaml"))[0].stem
    edited = edit_cells(book, tmp_path / "edited.xlsx", delete_agreement(gone))
    done = run_cli("import", edited, "--rules", rules, "--inputs", inputs, "--dry-run")
    assert done.code == 0, done.err
    removal = [line for line in done.out.splitlines() if line.strip().startswith("removed ")]
    assert len(removal) == 1 and removal[0].endswith(f"{gone}.yaml"), done.out
    assert (rules / "agreements" / f"{gone}.yaml").is_file()


MODEL_ID: TypeAdapter[str] = TypeAdapter(Id)


@settings(deadline=None)
@given(st.text(max_size=40))
def test_no_text_that_passes_the_id_check_names_a_file_outside_its_folder(text: str) -> None:
    folder = Path("/srv/rules/agreements")
    try:
        MODEL_ID.validate_python(text)
        model_allows = True
    except ValidationError:
        model_allows = False
    assert is_id(text) == model_allows  # one id check: the models' and the paths' agree
    if is_id(text):
        target = file_for_id(folder, text)
        assert target.parent == folder
        assert Path(os.path.normpath(target)).parent == folder
        assert "/" not in text and not text.startswith(".")
    else:
        with pytest.raises(ValueError):
            file_for_id(folder, text)


@settings(deadline=None)
@given(st.from_regex(r"[a-z0-9][a-z0-9_\-]{0,79}", fullmatch=True))
def test_every_id_the_models_allow_passes_the_path_check(text: str) -> None:
    assert MODEL_ID.validate_python(text) == text
    assert is_id(text)
