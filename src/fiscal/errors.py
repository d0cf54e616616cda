"""Problems found in user input, collected and reported together.

A :class:`Problem` is a value, not an exception: loaders return lists of them so a
user sees every mistake of a run at once, sorted by file and line. A
:class:`UserError` carries such a list out of the shell when a command cannot go on.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
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
        """A place in a file on disk, its path shown as :func:`display_path` gives it."""
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
        """Order of a report: by file, then line, then column, then wording."""
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
    try:
        cwd = os.getcwd()
    except OSError:
        return str(path)
    return _display_path(str(path), cwd)


@lru_cache(maxsize=65536)
def _display_path(path: str, cwd: str) -> str:
    # Resolving asks the file system for every part of the path: once per file, not
    # once per key of a ruleset of thousands of files.
    absolute = os.path.abspath(os.path.join(cwd, path))
    if absolute.startswith(cwd.rstrip(os.sep) + os.sep):
        # Inside the current folder as written (getcwd has no symlinks): no need to
        # ask the file system about each part of the path.
        return os.path.relpath(absolute, cwd)
    p = Path(path)
    try:
        return str(p.resolve().relative_to(_resolved(cwd)))
    except (ValueError, OSError):
        return str(p)


@lru_cache(maxsize=64)
def _resolved(folder: str) -> Path:
    return Path(folder).resolve()


def column_letter(column: int) -> str:
    """Excel's name of a 1-based column: 1 -> A, 27 -> AA."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters or "A"
