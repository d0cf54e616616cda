"""Terminal output with rich: summary tables and problem lists."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from fiscal.errors import Problem

if TYPE_CHECKING:
    from fiscal.engine.projection import Projection

BILLION = 10**9


def console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, no_color="NO_COLOR" in os.environ, highlight=False)


def problems(found: list[Problem], header: str | None = None) -> None:
    out = console(stderr=True)
    if header:
        out.print(f"[bold red]{header}[/]")
    for problem in found:
        where, message = escape(str(problem.where)), escape(problem.message)
        out.print(f"[bold]{where}[/]: {message}" if where else message, soft_wrap=True)
    files = {p.where.file for p in found if p.where.file}
    noun = "problem" if len(found) == 1 else "problems"
    suffix = f" in {len(files)} file{'s' if len(files) != 1 else ''}" if files else ""
    out.print(f"[red]{len(found)} {noun}{suffix}.[/]")


def _bn(amount: int) -> str:
    return f"{amount / BILLION:,.0f}"


def projection_summary(projection: Projection) -> Table:
    """Regions x headline figures: the first year's money, both ratios over the horizon."""
    head = projection.headline
    first, last = projection.years[0], projection.years[-1]
    table = Table(
        title=f"{projection.scenario}: {first} in billion won; ratios {first} → {last}",
        title_justify="left",
    )
    table.add_column("Region", no_wrap=True)
    for label in ("Total", "Own", "General", "Specific", "Co-fund"):
        table.add_column(label, justify="right", no_wrap=True)
    table.add_column("Indep. %", justify="right", no_wrap=True)
    table.add_column("Auton. %", justify="right", no_wrap=True)

    def row(label: str, rows: slice | int, style: str | None = None) -> None:
        def money(values: object) -> int:
            return int(values[rows, 0].sum())  # type: ignore[index]

        total0, total1 = money(head.total_revenue), int(head.total_revenue[rows, -1].sum())
        own0, own1 = money(head.own_source), int(head.own_source[rows, -1].sum())
        gen0, gen1 = money(head.general_grants), int(head.general_grants[rows, -1].sum())
        table.add_row(
            label,
            _bn(total0),
            _bn(own0),
            _bn(gen0),
            _bn(money(head.specific_grants)),
            _bn(money(head.obligations)),
            f"{_pct(own0, total0)} → {_pct(own1, total1)}",
            f"{_pct(own0 + gen0, total0)} → {_pct(own1 + gen1, total1)}",
            style=style,
        )

    for r, region in enumerate(projection.regions):
        row(region.name.en, slice(r, r + 1))
    table.add_section()
    row("All regions", slice(None), style="bold")
    return table


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}" if whole else "–"


def is_terminal() -> bool:
    return sys.stdout.isatty()
