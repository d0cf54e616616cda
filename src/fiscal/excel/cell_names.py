"""Cells that name a region, party, status or kind, read as the names people type.

Template staff write ``Seoul``, ``서울`` or ``부산광역시`` in a region column and ``체결`` in
the status column (the note beside it lists ``signed(체결)``). Once the ruleset is known,
:func:`resolve_names` rewrites each such cell to the id it names, so the files written
hold ids; the cell's reading problem ("not a valid id") goes, because there was no
mistake. A name that is still unknown keeps its problem and gets a "did you mean" from
the checks that know the list. This module reads and writes no file.
"""

from __future__ import annotations

from collections.abc import Mapping

from fiscal.errors import Problem
from fiscal.excel.agreement_rows import EVIDENCE, KINDS, STATUSES
from fiscal.excel.cells import Parsed
from fiscal.excel.sheet_table import Table
from fiscal.rules.names import (
    Known,
    Names,
    kind_names,
    party_names,
    region_names,
    status_names,
)
from fiscal.rules.ruleset import Ruleset

EVIDENCE_KO = {"confirmed": "확인", "unconfirmed": "미확인", "illustrative": "예시"}


def names_by_list(ruleset: Ruleset) -> dict[str, Names]:
    """The names of each closed or known list, by the ``choices`` key of its columns."""
    parties = party_names(ruleset)
    return {
        "regions": region_names(ruleset),
        "parties": parties,
        "share_parties": Names("party", (*parties.known, Known("central", "central", "국비"))),
        "status": status_names(STATUSES),
        "kinds": kind_names(KINDS),
        "evidence": Names("evidence", (Known(e, e, EVIDENCE_KO.get(e)) for e in EVIDENCE)),
    }


def resolve_names(
    tables: Mapping[str, Table], names: Mapping[str, Names], problems: list[Problem]
) -> None:
    """Rewrite every cell that names a known thing to its id, in place; drop its problem."""
    for table in tables.values():
        for column in table.spec.columns:
            known_names = names.get(column.choices or "")
            if known_names is None:
                continue
            for row in table.rows:
                typed = row.texts.get(column.key)
                known = known_names.get(typed) if typed else None
                if known is None or row.cells[column.key].value == known.id:
                    continue
                row.cells[column.key] = Parsed(known.id)
                at = table.pos(row, column.key)
                problems[:] = [p for p in problems if p.where != at]
                row.usable = all(c.usable for c in row.cells.values()) and all(
                    y.usable for y in row.years.values()
                )


__all__ = ["EVIDENCE_KO", "names_by_list", "resolve_names"]
