"""Problems found in user input, collected and reported together.

A :class:`Problem` is a value, not an exception: loaders return lists of them so a
user sees every mistake of a run at once, sorted by file and line. A
:class:`UserError` carries such a list out of the shell when a command cannot go on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class SourcePos:
    """Where a rule, value or input came from: a file and a 1-based line (or a sheet cell).

    For a workbook cell (``sheet`` true), ``file`` is the sheet's name, ``line`` the
    1-based row and ``column`` the 1-based column, shown as Excel writes it: ``Agreements!F7``.
    Sorting then follows sheet, row and column.
    """

    file: str
    line: int = 0
    column: int = 0
    sheet: bool = False

    def __str__(self) -> str:
        if self.sheet:
            if self.line <= 0:
                return self.file
            return f"{self.file}!{column_letter(self.column)}{self.line}"
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}"

    @staticmethod
    def of(path: Path | str, line: int = 0, column: int = 0) -> SourcePos:
        return SourcePos(display_path(path), line, column)

    @staticmethod
    def cell(sheet: str, row: int, column: int) -> SourcePos:
        """A cell of a workbook sheet; ``row`` and ``column`` count from 1 (A1 is 1, 1)."""
        return SourcePos(sheet, row, column, sheet=True)


@dataclass(frozen=True)
class Problem:
    """One user-visible mistake: where it is and what was expected."""

    where: SourcePos
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.where.file, self.where.line, self.where.column, self.message)


class UserError(Exception):
    """A run cannot go on because of mistakes in what the user gave it (exit code 1)."""

    def __init__(self, problems: Iterable[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem(SourcePos(""), problems)]
        self.problems = sorted(problems, key=Problem.sort_key)
        super().__init__("\n".join(str(p) for p in self.problems))


def display_path(path: Path | str) -> str:
    """A path as users want to read it: relative to the current folder when inside it."""
    p = Path(path)
    try:
        return str(p.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return str(p)


def column_letter(column: int) -> str:
    """Excel's name of a 1-based column: 1 -> A, 27 -> AA."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters or "A"
