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
    from rich.console import Console, ConsoleOptions, RenderableType, RenderResult


def to_rich(report: DiffReport, top: int = DEFAULT_TOP) -> list[RenderableType]:
    """A rule diff for the terminal: changes, national change by year, the ``top`` largest.

    Each change applied alone follows when there is more than one.
    """
    from rich.markup import escape
    from rich.table import Table as RichTable

    parts: list[RenderableType] = [f"[bold]Warning:[/] {escape(w)}" for w in report.warnings]
    title = f"Rule changes: {versions_line(report)}"
    if not report.changes:
        parts.append(f"No rule changes: {escape(versions_line(report))}.")
        return parts
    changes = RichTable(title=escape(title), title_justify="left", show_lines=False)
    for name in ("Change", "Rule object", "What", "Old", "New", "Where", "Reference"):
        changes.add_column(name, overflow="fold")
    for c in report.changes:
        changes.add_row(
            c.action,
            escape(f"{c.kind} {c.id}"),
            escape(what(c)),
            escape(show(c.old)),
            escape(show(c.new)),
            escape(where_pair(c)),
            escape(c.reference or ""),
        )
    parts.append(changes)
    impact = report.impact
    if impact is None:
        return parts
    if not impact.changed:
        parts.append("No region's budget changes.")
        return parts
    header, rows = national_by_year(impact)
    national = RichTable(
        title=f"National change by year (won, new - old; inputs {escape(report.inputs_label)})",
        title_justify="left",
    )
    national.add_column("Measure", no_wrap=True)
    for year in header:
        national.add_column(year, justify="right", no_wrap=True)
    for row in rows:
        national.add_row(*[escape(x) for x in row])
    parts.append(national)
    largest = RichTable(
        title=f"Largest changes by region and year ({min(top, len(impact.money))} of "
        f"{len(impact.money)})",
        title_justify="left",
    )
    for name, justify in (("Region", "left"), ("Year", "left"), ("Item", "left")):
        largest.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for name in ("Old", "New", "Change"):
        largest.add_column(name, justify="right", no_wrap=True)
    for r in [*impact.money[:top], *impact.ratios[: max(0, top // 3)]]:
        largest.add_row(
            r.region, str(r.year), r.measure, cell(r, "old"), cell(r, "new"), cell(r, "change")
        )
    parts.append(largest)
    if report.attribution:
        alone = RichTable(
            title="Each change alone, applied to the old rules: total revenue change",
            title_justify="left",
        )
        alone.add_column("Change", overflow="fold")
        for year_number in impact.years:
            alone.add_column(str(year_number), justify="right", no_wrap=True)
        alone.add_column("Note", overflow="fold")
        for row in attribution_rows(report):
            alone.add_row(*[escape(x) for x in row])
        parts.append(alone)
    return parts


def history_rich(history: History) -> RenderableType:
    """A rule object's history as a terminal table; commits that could not be read at the end."""
    from rich.markup import escape
    from rich.table import Table as RichTable

    table = RichTable(
        title=escape(f"History of {history.ident} in {history.rules_path or '.'}"),
        title_justify="left",
        caption=escape(f"Warning: {history.warning}") if history.warning else None,
        caption_justify="left",
        caption_style="bold",
    )
    rows = [[escape(x) for x in row] for row in history_rows(history)]
    rows += [
        [c.short, c.day, c.author, c.subject, escape(why), *[""] * (len(HISTORY_HEADER) - 5)]
        for c, why in history.unreadable
    ]
    # Ids, dates and values are never cut or broken; text columns fold. When even that
    # does not fit (11 columns at 80), each change is stacked as "field  value" lines.
    whole = {name: max([len(name), *(len(r[i]) for r in rows)]) for i, name in
             enumerate(HISTORY_HEADER) if name in _UNBROKEN}  # fmt: skip
    for name in HISTORY_HEADER:
        table.add_column(
            name.capitalize(), overflow="fold", no_wrap=name in whole, min_width=whole.get(name)
        )
    for row in rows:
        table.add_row(*row)
    stacked = RichTable(
        title=table.title, title_justify="left", caption=table.caption,
        caption_justify="left", caption_style="bold", show_header=False, show_lines=True,
    )  # fmt: skip
    stacked.add_column(overflow="fold")
    for row in rows:
        stacked.add_row(
            "\n".join(f"{n}: {v}" for n, v in zip(HISTORY_HEADER, row, strict=True) if v)
        )
    # Room for the unbroken columns, a few characters for each text column, and borders.
    needed = sum(whole.values()) + 6 * (len(HISTORY_HEADER) - len(whole)) + 3 * len(HISTORY_HEADER)
    return _ByWidth(table, stacked, needed)


_UNBROKEN = ("commit", "date", "effective", "old", "new")


class _ByWidth:
    """``wide`` where ``needed`` columns are there, else ``narrow`` (decided at print time)."""

    def __init__(self, wide: RenderableType, narrow: RenderableType, needed: int) -> None:
        self.wide, self.narrow, self.needed = wide, narrow, needed

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.wide if options.max_width >= self.needed else self.narrow
