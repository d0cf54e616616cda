"""The Provenance sheet names folders that travel: relative to the workbook's folder, or
as fiscal's bundled data, never an absolute path showing a user's home or site-packages.

Each workbook is made by the real `fiscal project`, read back cell by cell, and checked
by the real `fiscal verify` after its project folder is copied elsewhere.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from tests.conftest import BUNDLED_INPUTS, BUNDLED_RULES, REPO, run_fiscal

SCENARIO = BUNDLED_INPUTS / "scenarios" / "lct-30pct-2027.yaml"


def provenance(book: Path) -> dict[str, str]:
    """The key-value rows of a workbook's Provenance sheet, before its file list."""
    rows: dict[str, str] = {}
    sheet = openpyxl.load_workbook(book, read_only=True)["Provenance"]
    for key, value, *_ in sheet.iter_rows(values_only=True):
        if key == "role":
            break
        if key and key != "key":
            rows[str(key)] = "" if value is None else str(value)
    return rows


def every_cell(book: Path) -> list[tuple[str, str]]:
    """Every text cell of every sheet, as ``(Sheet!cell, text)``."""
    found = []
    for sheet in openpyxl.load_workbook(book, read_only=True):
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    found.append((f"{sheet.title}!{cell.coordinate}", cell.value))
    return found


def machine_paths(book: Path, *folders: Path) -> list[tuple[str, str]]:
    """Cells naming this machine: one of ``folders`` (as given and resolved), the home
    folder, site-packages, or fiscal's own checkout."""
    marks = {"site-packages", str(Path.home()), str(REPO)}
    for folder in folders:
        marks |= {str(folder), str(folder.resolve())}
    return [(where, text) for where, text in every_cell(book) if any(m in text for m in marks)]


def own_project(folder: Path) -> Path:
    """A project folder: its own rules, inputs and a scenario, as a user keeps them."""
    shutil.copytree(BUNDLED_RULES, folder / "rules")
    shutil.copytree(
        BUNDLED_INPUTS, folder / "inputs", ignore=shutil.ignore_patterns("*.py", "scenarios")
    )
    (folder / "scenarios").mkdir()
    shutil.copy(SCENARIO, folder / "scenarios" / "lct-30.yaml")
    return folder


def project_in(folder: Path) -> Path:
    """`fiscal project` run in ``folder`` with relative paths, writing into ``out/``."""
    done = run_fiscal(
        "project", "--rules", "rules", "--inputs", "inputs",
        "--scenario", "scenarios/lct-30.yaml", "-o", "out/korea.xlsx", "-q", cwd=folder,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return folder / "out" / "korea.xlsx"


@pytest.fixture(scope="module")
def own(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = own_project(tmp_path_factory.mktemp("project"))
    (folder / "out").mkdir()
    return project_in(folder)


def test_a_workbook_of_the_bundled_data_names_it_as_bundled_and_nothing_of_the_machine(
    tmp_path: Path,
) -> None:
    done = run_fiscal("project", "--scenario", SCENARIO, "-o", "korea.xlsx", "-q", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    book = tmp_path / "korea.xlsx"
    rows = provenance(book)
    assert rows["rules path"] == "bundled: rules/korea"
    assert rows["inputs path"] == "bundled: examples/korea-2025"
    assert rows["scenario file"] == "bundled: examples/korea-2025/scenarios/lct-30pct-2027.yaml"
    assert "working folder" not in rows
    # The command line is recorded as typed; the scenario was typed as an absolute path.
    cells = [c for c in machine_paths(book, tmp_path) if c[0] != "Provenance!B3"]
    assert cells == []


def test_a_workbook_of_a_users_project_names_its_folders_from_the_workbooks_folder(
    own: Path,
) -> None:
    rows = provenance(own)
    assert rows["rules path"] == "../rules"
    assert rows["inputs path"] == "../inputs"
    assert rows["scenario file"] == "../scenarios/lct-30.yaml"
    assert "working folder" not in rows
    assert machine_paths(own, own.parent.parent) == []


def test_a_project_folder_copied_elsewhere_with_its_workbook_still_verifies(
    own: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "received" / "project"
    shutil.copytree(own.parent.parent, copy)
    done = run_fiscal("verify", copy / "out" / "korea.xlsx", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "OK: every figure matches" in done.stdout
    # It was the copy that was read: an edit there is named, from the copy.
    vat = copy / "rules" / "parameters" / "local_consumption_tax" / "vat_share.yaml"
    vat.write_text(vat.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    done = run_fiscal("verify", copy / "out" / "korea.xlsx", cwd=tmp_path)
    assert done.returncode == 4, done.stdout + done.stderr
    assert "vat_share.yaml" in done.stdout and "changed since the workbook was made" in done.stdout


def test_a_workbook_of_the_bundled_data_verifies_wherever_it_is_taken(
    tmp_path: Path,
) -> None:
    made, taken = tmp_path / "made", tmp_path / "taken" / "far"
    made.mkdir()
    taken.mkdir(parents=True)
    done = run_fiscal("project", "-o", "korea.xlsx", "-q", cwd=made)
    assert done.returncode == 0, done.stdout + done.stderr
    shutil.move(made / "korea.xlsx", taken / "korea.xlsx")
    done = run_fiscal("verify", taken / "korea.xlsx", cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "OK: every figure matches" in done.stdout


def test_a_workbook_moved_without_its_folders_says_so_and_what_to_name(
    own: Path, tmp_path: Path
) -> None:
    alone = tmp_path / "mail" / "korea.xlsx"
    alone.parent.mkdir()
    shutil.copy(own, alone)
    done = run_fiscal("verify", alone, cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    err = " ".join(done.stderr.split())
    assert "the rules folder '../rules' is not there" in err and "--rules" in err
    assert "the inputs folder '../inputs' is not there" in err and "--inputs" in err
    project = own.parent.parent
    done = run_fiscal(
        "verify", alone, "--rules", project / "rules", "--inputs", project / "inputs", cwd=tmp_path
    )
    # The folders named, the scenario is still looked for from the workbook's folder.
    assert done.returncode != 0, done.stdout + done.stderr
    assert "is not there from the workbook's folder" not in done.stderr
    assert "lct-30.yaml" in done.stdout + done.stderr


def test_the_same_projection_made_in_two_folders_has_the_same_provenance_sheet(
    tmp_path: Path,
) -> None:
    books = []
    for name in ("alice", "bob/deeper"):
        folder = own_project(tmp_path / name)
        (folder / "out").mkdir()
        books.append(project_in(folder))
    sheets = [
        [tuple(r) for r in openpyxl.load_workbook(b, read_only=True)["Provenance"].values]
        for b in books
    ]
    assert sheets[0] == sheets[1]
    assert ("run time (UTC)", "not stamped (use --stamp-time)") in {r[:2] for r in sheets[0]}


def test_an_older_workbook_recording_absolute_paths_still_verifies(own: Path) -> None:
    project = own.parent.parent
    older = own.with_name("older.xlsx")
    book = openpyxl.load_workbook(own)
    sheet = book["Provenance"]
    absolute = {
        "rules path": project / "rules",
        "inputs path": project / "inputs",
        "scenario file": project / "scenarios" / "lct-30.yaml",
    }
    for row in sheet.iter_rows(min_col=1, max_col=2):
        if row[0].value in absolute:
            row[1].value = str(absolute[str(row[0].value)].resolve())
    book.save(older)
    done = run_fiscal("verify", older, cwd=project.parent)
    assert done.returncode == 0, done.stdout + done.stderr
