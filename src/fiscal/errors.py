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
    """Where a rule, value or input came from: a file and a 1-based line (or a sheet cell)."""

    file: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}"

    @staticmethod
    def of(path: Path | str, line: int = 0, column: int = 0) -> SourcePos:
        return SourcePos(display_path(path), line, column)


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
