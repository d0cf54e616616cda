"""A rule diff and a rule history in the terminal, as rich tables (rich is imported only
when one is drawn)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fiscal.history.changes import show
from fiscal.history.diff import DiffReport
from fiscal.history.log import History
from fiscal.history.report.wording import (
    DEFAULT_TOP,
    HISTORY_HEADER,
    attribution_rows,
    cell,
    history_rows,
    national_by_year,
    versions_line,
    what,
    where_pair,
)

if TYPE_CHECKING:
    from rich.console import RenderableType


def to_rich(
    report: DiffReport, top: int = DEFAULT_TOP, units: str = "auto"
) -> list[RenderableType]:
    """A rule diff for the terminal: changes, national change by year, the ``top`` largest.

    Each change applied alone follows when there is more than one. Every table fits the
    width it is drawn at without cutting a value or id (:mod:`fiscal.report.fitted`).
    """
    from rich.markup import escape

    from fiscal.report.fitted import Col, Fitted, Money

    parts: list[RenderableType] = [f"[bold]Warning:[/] {escape(w)}" for w in report.warnings]
    if not report.changes:
        parts.append(f"No rule changes: {escape(versions_line(report))}.")
        return parts
    changes = Fitted(
        f"Rule changes: {versions_line(report)}",
        [
            Col("Change", "key", "left"),
            Col("Rule object", "key", "left"),
            Col("What", "text", "left"),
            Col("Old", "text", "left"),
            Col("New", "text", "left"),
            Col("Where", "text", "left"),
            Col("Reference", "text", "left", droppable=True),
        ],
    )
    for c in report.changes:
        changes.add(
            c.action,
            f"{c.kind} {c.id}",
            what(c),
            show(c.old),
            show(c.new),
            where_pair(c),
            c.reference or "",
        )
    parts.append(changes)
    impact = report.impact
    if impact is None:
        return parts
    if not impact.changed:
        parts.append("No region's budget changes.")
        return parts
    header, _ = national_by_year(impact)
    national = Fitted(
        f"National change by year ({{unit}}, new - old; inputs {report.inputs_label})",
        [Col("Measure", "key", "left"), *[Col(year) for year in header]],
        units=units,
    )
    measures: list[str] = []
    for found in impact.national:
        if found.measure not in measures:
            measures.append(found.measure)
    for measure in measures:
        cells: list[str | Money] = [measure]
        for year in impact.years:
            hit = [r for r in impact.national if r.measure == measure and r.year == year]
            if not hit:
                cells.append("")
            elif hit[0].unit == "ratio":
                cells.append(cell(hit[0], "change"))
            else:
                cells.append(Money(int(hit[0].change), signed=True))
        national.add(*cells)
    parts.append(national)
    largest = Fitted(
        f"Largest changes by region and year ({min(top, len(impact.money))} of "
        f"{len(impact.money)}; {{unit}})",
        [
            Col("Region", "key", "left"),
            Col("Year", "key", "left"),
            Col("Item", "key", "left"),
            Col("Old"),
            Col("New"),
            Col("Change"),
        ],
        units=units,
    )
    for r in [*impact.money[:top], *impact.ratios[: max(0, top // 3)]]:
        if r.unit == "ratio":
            largest.add(
                r.region, str(r.year), r.measure, cell(r, "old"), cell(r, "new"), cell(r, "change")
            )
        else:
            largest.add(
                r.region,
                str(r.year),
                r.measure,
                Money(int(r.old)),
                Money(int(r.new)),
                Money(int(r.change), signed=True),
            )
    parts.append(largest)
    if report.attribution:
        alone = Fitted(
            "Each change alone, applied to the old rules: total revenue change (won)",
            [
                Col("Change", "text", "left"),
                *[Col(str(year)) for year in impact.years],
                Col("Note", "text", "left", droppable=True),
            ],
        )
        for row in attribution_rows(report):
            alone.add(*row)
        parts.append(alone)
    return parts


_UNBROKEN = ("commit", "date", "effective", "old", "new")


def history_rich(history: History) -> RenderableType:
    """A rule object's history as a terminal table; commits that could not be read at the
    end. Commits and dates are never cut; the other columns fold, and the table stacks one
    block per change when even that does not fit."""
    from fiscal.report.fitted import Col, Fitted

    table = Fitted(
        f"History of {history.ident} in {history.rules_path or '.'}",
        [
            # Ids, dates and values are never cut or broken; the other columns fold.
            Col(name.capitalize(), "key" if name in _UNBROKEN else "text", "left")
            for name in HISTORY_HEADER
        ],
        caption=f"Warning: {history.warning}" if history.warning else None,
    )
    for row in history_rows(history):
        table.add(*row)
    for commit, why in history.unreadable:
        table.add(commit.short, commit.day, commit.author, commit.subject, why)
    return table
