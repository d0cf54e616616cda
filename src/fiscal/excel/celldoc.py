"""Data built from workbook cells, remembering the cell of every value.

The rule checks (pydantic models, :func:`fiscal.rules.agreement_checks.check_agreement`)
point at a place in the data such as ``("projects", 0, "shares", "busan")`` and ask the
document where that is. A :class:`CellDoc` answers with the cell the value came from,
so the same checks that report ``file.yaml:12`` for a YAML file report ``Shares!E7`` for
a workbook.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fiscal.errors import SourcePos
from fiscal.source.yaml_reader import Path_, YamlDoc


@dataclass
class CellDoc(YamlDoc):
    """A document whose positions are workbook cells."""

    cells: dict[Path_, SourcePos] = field(default_factory=dict)
    fallback: SourcePos = field(default_factory=lambda: SourcePos(""))

    @staticmethod
    def new(fallback: SourcePos) -> CellDoc:
        """An empty document whose every position is ``fallback`` until cells are put in it."""
        return CellDoc(Path(fallback.file), None, fallback=fallback)

    def put(self, loc: tuple[Any, ...], where: SourcePos) -> None:
        """Record the cell of ``loc`` (the first cell given for it wins)."""
        if loc not in self.cells:
            self.cells[loc] = where
            self.positions[loc] = (where.line, where.column)

    def pos(self, loc: Path_ = ()) -> SourcePos:
        """The cell of ``loc``, or of its nearest recorded parent, or the fallback cell."""
        loc = tuple(loc)
        while loc and loc not in self.cells:
            loc = loc[:-1]
        return self.cells.get(loc, self.fallback)
