"""`fiscal import`: a template comes back as YAML, changing exactly what staff changed.

Each test works in a real git repository holding copies of the bundled rules and
inputs, makes the workbook with `fiscal template`, edits it as staff would, imports it
and reads `git diff`.
"""

from __future__ import annotations

import errno
import os
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.excel_helpers import (
    Rows,
    edit_cells,
    find_row,
    fingerprint,
    git,
    git_repo,
    read_rows,
    rewrite,
    run_cli,
    set_cell,
)

DAEGU = "2023-daegu-urban-air-mobility"
JEONBUK = "2024-jeonbuk-public-private-culture"


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, Path]:
    monkeypatch.chdir(tmp_path)
    return git_repo(tmp_path)


def template(kind: str, rules: Path, inputs: Path, path: Path, *extra: str) -> Path:
    done = run_cli("template", kind, "--rules", rules, "--inputs", inputs, "-o", path, *extra)
    assert done.code == 0, done.err
    return path


def do_import(book: Path, rules: Path, inputs: Path, *extra: str) -> Any:
    return run_cli("import", book, "--rules", rules, "--inputs", inputs, *extra)


def diff_lines(repo: Path) -> list[str]:
    """The changed lines of `git diff` (without the file headers)."""
    return [
        line
        for line in git(repo, "diff", "--unified=0").splitlines()
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


@pytest.mark.parametrize("kind", ["agreements", "inputs"])
def test_an_untouched_prefilled_template_changes_no_byte(
    repo: tuple[Path, Path, Path], kind: str
) -> None:
    root, rules, inputs = repo
    before = fingerprint(rules, inputs)
    book = template(kind, rules, inputs, root.parent / f"{kind}.xlsx", "--prefill")
    done = do_import(book, rules, inputs)
    assert done.code == 0, done.err
    assert "0 added, 0 changed, 0 removed" in done.out
    assert git(root, "status", "--porcelain") == ""
    assert fingerprint(rules, inputs) == before


def test_editing_one_share_changes_exactly_that_line(repo: tuple[Path, Path, Path]) -> None:
    root, rules, inputs = repo
    book = template("agreements", rules, inputs, root.parent / "a.xlsx", "--prefill")

    def edit(workbook: Any) -> None:
        shares = workbook["Shares"]
        for row in shares.iter_rows(min_row=4):
            if row[0].value == DAEGU and row[3].value in ("daegu", "molit"):
                row[4].value = {"daegu": 0.45, "molit": 0.3}[row[3].value]

    edit_cells(book, book, edit)
    done = do_import(book, rules, inputs)
    assert done.code == 0, done.err
    assert f"changed  repo/rules/agreements/{DAEGU}.yaml (2 lines)" in done.out
    assert "1 changed" in done.out and "5 unchanged" in done.out
    assert diff_lines(root) == [
        "-      molit: 0.25",
        "+      molit: 0.3",
        "-      daegu: 0.5",
        "+      daegu: 0.45",
    ]


def test_editing_one_population_figure_changes_exactly_that_line(
    repo: tuple[Path, Path, Path],
) -> None:
    root, rules, inputs = repo
    book = template("inputs", rules, inputs, root.parent / "i.xlsx", "--prefill")

    def edit(workbook: Any) -> None:
        for row in workbook["Regional"].iter_rows(min_row=4):
            if row[0].value == "population" and row[1].value == "sejong":
                row[3].value = 400_000  # 2026

    edit_cells(book, book, edit)
    done = do_import(book, rules, inputs)
    assert done.code == 0, done.err
    assert "changed  repo/inputs/regional/population.yaml (1 line)" in done.out
    changed = diff_lines(root)
    assert len(changed) == 2 and changed[0].startswith("-    2026: ")
    assert changed[1] == "+    2026: 400000"


def test_deleting_an_agreements_rows_removes_its_file(repo: tuple[Path, Path, Path]) -> None:
    root, rules, inputs = repo
    book = template("agreements", rules, inputs, root.parent / "a.xlsx", "--prefill")

    def drop(rows: Rows) -> None:
        for sheet in ("Agreements", "Parties", "Projects", "Shares", "Schedules", "Amendments"):
            column = 0
            rows[sheet] = [r for i, r in enumerate(rows[sheet]) if i < 3 or r[column] != JEONBUK]

    rewrite(book, book, drop)
    done = do_import(book, rules, inputs)
    assert done.code == 0, done.err
    assert f"removed  repo/rules/agreements/{JEONBUK}.yaml" in done.out
    assert not (rules / "agreements" / f"{JEONBUK}.yaml").exists()
    assert git(root, "status", "--porcelain").strip() == f"D rules/agreements/{JEONBUK}.yaml"


def test_a_new_agreement_from_a_blank_template_is_added_and_nothing_else_changes(
    repo: tuple[Path, Path, Path],
) -> None:
    root, rules, inputs = repo
    book = template("agreements", rules, inputs, root.parent / "new.xlsx")
    new_id = "2027-busan-port-logistics"

    def fill(rows: Rows) -> None:
        rows["Agreements"].append(
            [new_id, "부산항 물류 허브 Port logistics hub", "signed", date(2027, 3, 2), "",
             "MOLIT press release 2027-03-02", "confirmed", ""]
        )  # fmt: skip
        rows["Parties"] += [[new_id, "molit", "ministry", ""], [new_id, "busan", "region", ""]]
        rows["Projects"].append(
            [new_id, "", "hub", "Logistics hub", 200_000_000_000, 2027, 2030, "", "", ""]
        )
        rows["Shares"] += [
            [new_id, "", "hub", "molit", 0.6, ""],
            [new_id, "", "hub", "busan", 0.4, ""],
        ]

    rewrite(book, book, fill)
    done = do_import(book, rules, inputs)
    assert done.code == 0, done.err
    assert f"added    repo/rules/agreements/{new_id}.yaml" in done.out
    assert "0 changed, 0 removed, 0 unchanged" in done.out  # the blank template showed none
    text = (rules / "agreements" / f"{new_id}.yaml").read_text(encoding="utf-8")
    assert "title: 부산항 물류 허브 Port logistics hub\n" in text
    assert "    total_krw: 200000000000\n" in text
    assert "      molit: 0.6\n      busan: 0.4\n" in text
    assert run_cli("validate", rules).code == 0
    agreements = run_cli("agreements", new_id, "--rules", rules)
    assert agreements.code == 0, agreements.err
    assert "Port logistics hub" in agreements.out


def test_messy_but_meaningful_cells_are_read_as_meant(repo: tuple[Path, Path, Path]) -> None:
    """Percentages typed as text, won with separators, trailing spaces, dates typed as
    text, blank rows and formulas with saved values: all import to the same YAML."""
    root, rules, inputs = repo
    book = template("agreements", rules, inputs, root.parent / "a.xlsx", "--prefill")

    def mess(rows: Rows) -> None:
        r = find_row(rows, "Shares", agreement=DAEGU, party="daegu")
        set_cell(rows, "Shares", r, "share", "50 %")
        r = find_row(rows, "Shares", agreement=DAEGU, party="molit")
        set_cell(rows, "Shares", r, "share", "0.25")
        r = find_row(rows, "Projects", agreement=DAEGU)
        set_cell(rows, "Projects", r, "total_krw", "150,000,000,000원")
        set_cell(rows, "Projects", r, "title", "Vertiport and corridor infrastructure   ")
        r = find_row(rows, "Agreements", id=DAEGU)
        set_cell(rows, "Agreements", r, "signed", "2023.12.15")
        set_cell(rows, "Agreements", r, "status", "Signed ")
        rows["Parties"].insert(5, [""] * 4)  # blank rows between the data
        rows["Parties"].insert(5, ["   ", "", "", ""])

    formulas: dict[tuple[str, str], tuple[str, Any]] = {}
    rows = read_rows(book)
    r = find_row(rows, "Schedules", agreement=DAEGU, year=2025)
    formulas[("Schedules", f"F{r + 1}")] = ("=2*15000000000", 30_000_000_000)
    rewrite(book, root.parent / "messy.xlsx", mess, formulas=formulas)
    done = do_import(root.parent / "messy.xlsx", rules, inputs)
    assert done.code == 0, done.err
    assert "0 changed" in done.out
    assert git(root, "status", "--porcelain") == ""


def test_a_file_with_uncommitted_changes_is_not_overwritten_without_force(
    repo: tuple[Path, Path, Path],
) -> None:
    root, rules, inputs = repo
    book = template("agreements", rules, inputs, root.parent / "a.xlsx", "--prefill")
    edit_cells(book, book, lambda wb: setattr(wb["Agreements"]["B4"], "value", "Renamed"))
    target = next(p for p in sorted((rules / "agreements").glob("*.yaml")))
    target.write_text(target.read_text(encoding="utf-8") + "# my note\n", encoding="utf-8")
    mine = target.read_bytes()
    done = do_import(book, rules, inputs)
    assert done.code == 1
    assert f"repo/rules/agreements/{target.name}: the file has uncommitted changes" in done.err
    assert target.read_bytes() == mine
    dry = do_import(book, rules, inputs, "--dry-run")
    assert dry.code == 1 and "The import itself would refuse and write nothing" in dry.err
    assert target.read_bytes() == mine
    forced = do_import(book, rules, inputs, "--force")
    assert forced.code == 0, forced.err
    assert "title: Renamed\n" in target.read_text(encoding="utf-8")


def test_an_untracked_file_is_not_removed_without_force(repo: tuple[Path, Path, Path]) -> None:
    root, rules, inputs = repo
    book = template("inputs", rules, inputs, root.parent / "i.xlsx", "--prefill")
    extra = inputs / "regional" / "extra.yaml"
    extra.write_text((inputs / "regional" / "population.yaml").read_text(), encoding="utf-8")
    book2 = template("inputs", rules, inputs, root.parent / "i2.xlsx", "--prefill")

    def drop(rows: Rows) -> None:
        for sheet in ("Indicators", "Regional"):
            rows[sheet] = [r for i, r in enumerate(rows[sheet]) if i < 3 or r[0] != "extra"]

    rewrite(book2, book2, drop)
    done = do_import(book2, rules, inputs)
    assert done.code == 1
    assert "repo/inputs/regional/extra.yaml: the file is not tracked by git" in done.err
    assert extra.exists()
    assert do_import(book, rules, inputs).code == 0  # made before extra.yaml: keeps it


def test_dry_run_checks_and_summarises_but_writes_nothing(repo: tuple[Path, Path, Path]) -> None:
    root, rules, inputs = repo
    book = template("agreements", rules, inputs, root.parent / "a.xlsx", "--prefill")
    edit_cells(book, book, lambda wb: setattr(wb["Agreements"]["B4"], "value", "Renamed"))
    before = fingerprint(rules, inputs)
    done = do_import(book, rules, inputs, "--dry-run")
    assert done.code == 0, done.err
    assert done.out.startswith("Dry run, nothing written")
    assert "1 changed" in done.out
    assert fingerprint(rules, inputs) == before


def test_a_deleted_series_leaves_national_yaml_and_a_new_indicator_gets_its_file(
    repo: tuple[Path, Path, Path],
) -> None:
    root, rules, inputs = repo
    book = template("inputs", rules, inputs, root.parent / "i.xlsx", "--prefill")

    def change(rows: Rows) -> None:
        rows["Series"] = [r for i, r in enumerate(rows["Series"]) if i < 3 or r[0] != "vat_base"]
        width = len(rows["Regional"][0])
        rows["Indicators"].append(
            ["households", "Households", "가구 수", "count", "illustrative", "공공데이터 (example)",
             "", "1%"]
        )  # fmt: skip
        regions = [r[1] for r in rows["Regional"][3:] if r[0] == "population"]
        for n, region in enumerate(regions):
            # Grouped by two marks: one mark alone (1,016) could be a decimal, and is refused.
            rows["Regional"].append(["households", region, *[f"{1_000_000 + n:,}"] * (width - 2)])

    rewrite(book, book, change)
    done = do_import(book, rules, inputs)
    assert done.code == 0, done.err
    assert "added    repo/inputs/regional/households.yaml" in done.out
    assert "changed  repo/inputs/national.yaml" in done.out
    national = (inputs / "national.yaml").read_text(encoding="utf-8")
    assert "vat_base" not in national and "internal_tax:" in national
    households = (inputs / "regional" / "households.yaml").read_text(encoding="utf-8")
    assert "growth: 0.01\n" in households and "  jeju:\n    2025: 1000016\n" in households
    assert "ko: 가구 수\n" in households


def test_a_failed_write_leaves_every_file_as_it_was_and_no_temporary_file(
    repo: tuple[Path, Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """All new files are written beside their targets before any is renamed into place,
    so a full disk on the second file leaves the first one untouched too."""
    root, rules, inputs = repo
    book = template("inputs", rules, inputs, root.parent / "i.xlsx", "--prefill")

    def edit(workbook: Any) -> None:
        workbook["National"]["A4"].value = "A new description"
        for row in workbook["Regional"].iter_rows(min_row=4):
            if row[0].value == "population" and row[1].value == "seoul":
                row[2].value = 9_000_000

    edit_cells(book, book, edit)
    before = fingerprint(rules, inputs)
    real_fsync = os.fsync
    calls = []

    def disk_full_on_the_second_file(fd: int) -> None:
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", disk_full_on_the_second_file)
    done = do_import(book, rules, inputs)
    assert done.code == 1, done.out
    assert "cannot write: No space left on device" in done.err
    assert fingerprint(rules, inputs) == before
    assert git(root, "status", "--porcelain", "--ignored") == ""
