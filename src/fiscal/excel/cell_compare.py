"""How a cell of a workbook compares with the cell fiscal would write: what a reader sees.

`fiscal verify` (:mod:`fiscal.excel.verify`) writes the workbook again from the recorded
files and compares the two cell by cell with these: the value (money exact to the won,
ratios to a relative 1e-12, since a spreadsheet program may move a ratio's last digit on
saving), the number format it is shown with, a formula Excel would recalculate on
opening, and sheets or figures hidden since fiscal wrote them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fiscal.errors import Problem, SourcePos

_RELATIVE = 1e-12  # a ratio re-saved by a spreadsheet program may move in its last digit


def cell_text(value: Any) -> str:
    """A cell's value as text; an empty cell is the empty string."""
    return "" if value is None else str(value)


@dataclass(frozen=True)
class CellDifference:
    """One cell whose workbook value is not what the recorded files recompute.

    - ``sheet``: the sheet.
    - ``row``, ``column``: the 0-based cell.
    - ``workbook``: the value the workbook holds.
    - ``recomputed``: the value fiscal computes from the files now.
    - ``context``: for a Ledger row, its region, year and item.
    """

    sheet: str
    row: int  # 0-based
    column: int
    workbook: Any
    recomputed: Any
    context: str = ""  # for a Ledger row: region, year and item

    @property
    def where(self) -> SourcePos:
        """The difference's Sheet!Cell."""
        return SourcePos.cell(self.sheet, self.row + 1, self.column + 1)


@dataclass(frozen=True)
class Shown:
    """A cell as a person sees it in a spreadsheet program, when its value alone does not
    say it: the number format it is shown with, or the formula Excel recalculates on
    opening (fiscal's workbooks ask for a full recalculation on load, so the value cached
    in the file is not what is shown)."""

    value: Any
    number_format: str | None = None
    formula: str | None = None

    def __str__(self) -> str:
        text = show(self.value)
        if self.formula is not None:
            return f"the formula ={self.formula} (cached {text}; Excel shows its result)"
        if self.number_format is not None:
            return f"{text} shown with the number format {self.number_format!r}"
        return f"{text} as a value"


def seen_differently(
    have: Any, wrote: Any, r: int, c: int, got: Any, want: Any
) -> tuple[Shown, Shown] | None:
    """How the cell differs in what a reader sees, though its value may be the same."""
    formula = have.formulas.get((r, c))
    if formula is not None and (r, c) not in wrote.formulas:
        return Shown(got, formula=formula), Shown(want)
    if got is None and want is None:
        return None  # an empty cell shows nothing, whatever its format
    shown_as, written_as = have.number_format(r, c), wrote.number_format(r, c)
    if shown_as != written_as:
        return Shown(got, number_format=shown_as), Shown(want, number_format=written_as)
    return None


def hidden_since_written(where: SourcePos, have: Any, wrote: Any) -> list[Problem]:
    """A sheet, or figures on it, hidden since fiscal wrote it: a reader would not see them."""
    found = []
    if have.state != wrote.state:
        found.append(
            Problem(where, f"sheet {have.name!r} is {have.state}; fiscal wrote it {wrote.state}")
        )
    hidden = have.scan.hidden_count if have.scan is not None else 0
    if hidden and not (wrote.scan is not None and wrote.scan.hidden_count):
        first = have.scan.hidden_cells[0]
        at = SourcePos.cell(have.name, first[0] + 1, first[1] + 1)
        found.append(
            Problem(at, f"{hidden:,} cells with figures are in rows or columns hidden by hand")
        )
    return found


def normal(value: Any, rewrite: list[tuple[str, str]]) -> Any:
    """A cell's value made comparable: empty is None, numbers are floats (as a spreadsheet
    holds them), and the recorded folder names in text are rewritten to the ones given."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        for old, new in rewrite:
            value = value.replace(old, new)
        return value
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return float(value)
    return str(value)


def same(a: Any, b: Any) -> bool:
    """Whether two normal values read the same: whole numbers (money) exactly, other
    numbers (ratios) to a relative 1e-12."""
    if a == b:
        return True
    if isinstance(a, float) and isinstance(b, float):
        if a.is_integer() and b.is_integer():
            return False  # money: exact to the won
        return abs(a - b) <= _RELATIVE * max(abs(a), abs(b))
    return False


def ledger_context(sheet: Any, row: int) -> str:
    """``seoul 2026 local_consumption_tax`` for a row of the Ledger."""
    header = [cell_text(sheet.value(0, c)) for c in range(sheet.width)]
    parts = []
    for key in ("region", "year", "item"):
        if key in header and row > 0:
            value = sheet.value(row, header.index(key))
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            parts.append(cell_text(value))
    return " ".join(p for p in parts if p)


def show(value: Any) -> str:
    """A cell value as the difference report shows it."""
    if value is None:
        return "an empty cell"
    if isinstance(value, Shown):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return f"{int(value):,}"
        return repr(value)
    return repr(value)
