"""Every public function, method and class under ``src/fiscal/`` says what it means.

Public is a name not starting with ``_``, at any depth: a nested helper or a method of a
private class is read by the next engineer too. The docstring is for the reader of the
code (a budget officer, template staff member or auditor reading along), so the test
lists every one missing, with its file and line, rather than stopping at the first.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import REPO

PACKAGE = REPO / "src" / "fiscal"

Definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


def _undocumented(package: Path) -> list[str]:
    missing: list[str] = []
    for path in sorted(package.rglob("*.py")):
        relative = path.relative_to(package).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, Definition)
                and not node.name.startswith("_")
                and ast.get_docstring(node) is None
            ):
                missing.append(f"{relative}:{node.lineno}: {node.name}")
    return missing


def test_every_public_function_and_class_has_a_docstring() -> None:
    missing = _undocumented(PACKAGE)
    assert not missing, f"{len(missing)} without a docstring:\n" + "\n".join(missing)


def test_the_check_finds_nested_and_method_definitions_without_one(tmp_path: Path) -> None:
    # Otherwise the first test could pass by not looking (in subpackages too).
    (tmp_path / "engine").mkdir()
    (tmp_path / "engine" / "bare.py").write_text("def bare():\n    pass\n")
    (tmp_path / "mod.py").write_text(
        '"""A module."""\n'
        "class A:\n"
        '    """Documented."""\n'
        "    def method(self):\n"
        "        def inner():\n"
        "            pass\n"
        "def _private():\n"
        "    pass\n"
    )
    assert _undocumented(tmp_path) == [
        "engine/bare.py:1: bare",
        "mod.py:4: method",
        "mod.py:5: inner",
    ]
