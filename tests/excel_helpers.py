"""Helpers for the template and import tests: real workbooks, real git repositories.

Workbooks are made the way staff get them (``fiscal template``) and changed the way
staff change them: cells edited in a spreadsheet program (openpyxl stands in for Excel
and, like a program that does not calculate, saves formulas without a value), or the
whole workbook re-typed with texts, formulas with saved values and blank rows
(xlsxwriter, as Excel itself would save them).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import xlsxwriter
from python_calamine import CalamineWorkbook

from tests.conftest import BUNDLED_INPUTS, BUNDLED_RULES

Rows = dict[str, list[list[Any]]]


@dataclass
class Result:
    code: int
    out: str
    err: str


def run_cli(*args: str | Path) -> Result:
    """Run `fiscal ARGS` in this process (as the console script does) and capture it."""
    from fiscal.cli.app import main

    out, err = io.StringIO(), io.StringIO()
    saved = sys.argv
    sys.argv = ["fiscal", *map(str, args)]
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main()
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else 1
    finally:
        sys.argv = saved
    return Result(code, out.getvalue(), err.getvalue())


def copy_data(target: Path) -> tuple[Path, Path]:
    """Private copies of the bundled rules and inputs under ``target``."""
    rules, inputs = target / "rules", target / "inputs"
    shutil.copytree(BUNDLED_RULES, rules)
    shutil.copytree(
        BUNDLED_INPUTS, inputs, ignore=shutil.ignore_patterns("*.py", "__pycache__", "scenarios")
    )
    return rules, inputs


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    )
    return done.stdout


def git_repo(target: Path) -> tuple[Path, Path, Path]:
    """A git repository holding committed copies of the rules and inputs."""
    repo = target / "repo"
    repo.mkdir()
    rules, inputs = copy_data(repo)
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "tests@example.com")
    git(repo, "config", "user.name", "tests")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "data")
    return repo, rules, inputs


def fingerprint(*folders: Path) -> dict[str, str]:
    """SHA-256 of every file under the folders: equal before and after means nothing changed."""
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest()
        for folder in folders
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def id_row(values: list[Any] | list[tuple[Any, ...]]) -> int:
    """The index of a sheet's id header row: the first whose leading cells (the sheet's
    own table, up to the first empty cell) are all snake_case ids. A summary sheet has a
    row of bilingual labels above it; blocks beside the table have headers of their own."""
    for index, row in enumerate(values[:3]):
        leading = []
        for v in row:
            if v in (None, ""):
                break
            leading.append(str(v))
        if leading and all(re.fullmatch(r"[a-z0-9_]+", v) for v in leading):
            return index
    return 0


def read_rows(path: Path) -> Rows:
    """Every sheet's cells from A1, as calamine reads them."""
    book = CalamineWorkbook.from_path(str(path))
    return {
        name: [list(r) for r in book.get_sheet_by_name(name).to_python(skip_empty_area=False)]
        for name in book.sheet_names
    }


def hidden_sheets(path: Path) -> set[str]:
    book = CalamineWorkbook.from_path(str(path))
    return {m.name for m in book.sheets_metadata if str(m.visible) != "SheetVisibleEnum.Visible"}


def write_rows(
    path: Path,
    rows: Rows,
    *,
    formulas: dict[tuple[str, str], tuple[str, Any]] | None = None,
    hidden: set[str] | None = None,
) -> None:
    """Write ``rows`` as a workbook, every text as text, as Excel would save it.

    ``formulas`` maps (sheet, cell) to (formula, saved value) and replaces that cell.
    """
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    for name, grid in rows.items():
        sheet = book.add_worksheet(name)
        for r, row in enumerate(grid):
            for c, value in enumerate(row):
                if value == "" or value is None:
                    continue
                if isinstance(value, str):
                    sheet.write_string(r, c, value)
                elif isinstance(value, bool):
                    sheet.write_boolean(r, c, value)
                elif isinstance(value, int | float):
                    sheet.write_number(r, c, value)
                elif isinstance(value, datetime | date):
                    moment = (
                        value if isinstance(value, datetime) else datetime(*value.timetuple()[:3])
                    )
                    sheet.write_datetime(r, c, moment, dates)
                else:
                    raise TypeError(value)
        for (sheet_name, cell), (formula, value) in (formulas or {}).items():
            if sheet_name == name:
                sheet.write_formula(cell, formula, None, value)
        if name in (hidden or set()):
            sheet.hide()
    book.close()


def rewrite(source: Path, target: Path, change: Callable[[Rows], None], **options: Any) -> Path:
    """Read ``source``, let ``change`` edit its rows, write them to ``target``."""
    rows = read_rows(source)
    change(rows)
    write_rows(target, rows, hidden=hidden_sheets(source), **options)
    return target


def edit_cells(source: Path, target: Path, change: Callable[[Any], None]) -> Path:
    """Open ``source`` in openpyxl (a spreadsheet program), let ``change`` edit it, save."""
    book = openpyxl.load_workbook(source)
    change(book)
    book.save(target)
    return target


def find_row(rows: Rows, sheet: str, **match: Any) -> int:
    """The 0-based index of the first data row of ``sheet`` whose columns match."""
    header = rows[sheet][0]
    for index, row in enumerate(rows[sheet]):
        if index < 3:
            continue
        if all(row[header.index(key)] == value for key, value in match.items()):
            return index
    raise AssertionError(f"no row of {sheet} with {match}")


def _column(rows: Rows, sheet: str, key: Any) -> int:
    def label(header: Any) -> str:
        whole = isinstance(header, float) and header.is_integer()
        return str(int(header)) if whole else str(header)

    return [label(h) for h in rows[sheet][0]].index(str(key))


def address(rows: Rows, sheet: str, row: int, key: Any) -> str:
    """The Excel address (e.g. 'E7') of a 0-based row's cell in the column named ``key``."""
    return f"{chr(ord('A') + _column(rows, sheet, key))}{row + 1}"


def set_cell(rows: Rows, sheet: str, row: int, key: Any, value: Any) -> str:
    """Set a cell by column name (a year column by its year); return its Excel address."""
    col = _column(rows, sheet, key)
    grid = rows[sheet]
    while len(grid[row]) <= col:
        grid[row].append("")
    grid[row][col] = value
    return address(rows, sheet, row, key)
