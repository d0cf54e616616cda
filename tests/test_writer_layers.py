"""The workbook writers lay out tables the report layer built: they know nothing of the
engine, the rules or rule history, so a change to what a workbook shows is made in the
report layer, and a change to how cells are written is made in one writer."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

SRC = REPO / "src" / "fiscal"


def _imports(path: Path) -> set[str]:
    """Every fiscal module ``path`` imports, at the top or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("fiscal"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("fiscal")}
    return found


@pytest.mark.parametrize("module", ["excel/workbook.py", "excel/xlsxbook.py"])
def test_workbook_writers_import_only_the_table_types(module: str) -> None:
    assert _imports(SRC / module) <= {"fiscal.excel.xlsxbook", "fiscal.report.table"}


def test_the_table_types_import_nothing_from_fiscal() -> None:
    assert _imports(SRC / "report" / "table.py") == set()


def test_one_writer_turns_tables_into_cells() -> None:
    """No other module of the excel package writes a table's header and rows to a sheet."""
    writers = [
        p.name
        for p in (SRC / "excel").glob("*.py")
        if "def _write_table" in p.read_text(encoding="utf-8")
        or "def write_table" in p.read_text(encoding="utf-8")
    ]
    assert writers == ["workbook.py"]
