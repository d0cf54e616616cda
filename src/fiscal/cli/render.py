"""Terminal output with rich: the console, problem lists, progress, verify's lines.

The tables themselves are built in :mod:`fiscal.report.terminal`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape

from fiscal.errors import Problem

if TYPE_CHECKING:
    from fiscal.excel.verify import Verification


def console(stderr: bool = False) -> Console:
    """The rich console for output (or ``stderr``), without colour when ``NO_COLOR`` is set."""
    return Console(stderr=stderr, no_color="NO_COLOR" in os.environ, highlight=False)


def problems(found: list[Problem], header: str | None = None) -> None:
    """Print every problem with its file:line or Sheet!Cell to stderr, then how many and where."""
    out = console(stderr=True)
    if header:
        out.print(f"[bold red]{header}[/]")
    for problem in found:
        where, message = escape(str(problem.where)), escape(problem.message)
        out.print(f"[bold]{where}[/]: {message}" if where else message, soft_wrap=True)
    # Count the places a reader can open: sheets, and files that exist. An option
    # (--from), an argument (KIND) or a folder that is not there is no file.
    files = {p.where.file for p in found if p.where.sheet or _on_disk(p.where.file)}
    noun = "problem" if len(found) == 1 else "problems"
    place = "sheet" if found and all(p.where.sheet for p in found) else "file"
    suffix = f" in {len(files)} {place}{'s' if len(files) != 1 else ''}" if files else ""
    out.print(f"[red]{len(found)} {noun}{suffix}.[/]")


def _on_disk(place: str) -> bool:
    """Whether a problem's place is a file or folder that exists."""
    if not place or place.startswith("-"):
        return False
    try:
        return os.path.exists(place)
    except (OSError, ValueError):
        return False


@contextmanager
def stages(names: list[str], quiet: bool = False) -> Iterator[Callable[[str], None]]:
    """Progress of a long command: yield ``step(name)``, to call as each stage begins.

    A rich bar on standard error when it is a terminal (so standard output, tables or
    ``--json``, stays clean); nothing in a pipe or with ``quiet``. The bar is transient:
    when the command ends only its result is left."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    out = console(stderr=True)
    show = not quiet and out.is_terminal
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        console=out,
        disable=not show,
        transient=True,
    ) as bar:
        task = bar.add_task(names[0] if names else "", total=len(names))
        started = 0

        def step(name: str) -> None:
            """Show that the stage ``name`` has begun, counting the one before it as done."""
            nonlocal started
            if started:
                bar.advance(task)
            started += 1
            # Draw now: rich redraws ten times a second, so a short stage would never show.
            bar.update(task, description=name, refresh=True)

        yield step
        bar.update(task, completed=len(names))


def verification(result: Verification) -> list[str]:
    """What `fiscal verify` prints: the workbook, each changed file and cell, a verdict."""
    from fiscal.excel.cell_compare import show
    from fiscal.excel.verify import SHOWN

    recorded = result.recorded
    lines = [
        f"{result.workbook}: fiscal {recorded.get('fiscal version') or '?'}, "
        f"{recorded.get('scenario') or '?'}, {recorded.get('years') or '?'}, "
        f"rules {recorded.get('rules git commit') or '?'}"
    ]
    lines += [f"note: {note}" for note in result.notes]
    lines += [str(problem) for problem in result.files + result.sheets]
    what = (
        "edited by hand"
        if result.cause == "edited"
        else "differs from a recomputation with the current files"
    )
    for cell in result.cells[:SHOWN]:
        about = f" ({cell.context})" if cell.context else ""
        lines.append(
            f"{cell.where}: {what}: the workbook has {show(cell.workbook)}, "
            f"recomputed {show(cell.recomputed)}{about}"
        )
    if len(result.cells) > SHOWN:
        lines.append(f"... and {len(result.cells) - SHOWN:,} more cells")
    checked = (
        f"{result.ledger_figures:,} Ledger figures and every cell of "
        f"{result.sheets_compared} sheets recomputed"
    )
    if result.matches:
        lines.append(f"OK: every figure matches ({checked}; every file has its recorded hash).")
        return lines
    parts = []
    if result.files:
        parts.append(f"{len(result.files)} file{'s' if len(result.files) != 1 else ''} changed")
    if result.cells:
        n = len(result.cells)
        parts.append(f"{n:,} cell{'s' if n != 1 else ''} {what}")
    if result.also_changed:
        parts.append(f"{result.also_changed:,} cells would change with the current files")
    if result.sheets:
        parts.append(f"{len(result.sheets)} sheet{'s' if len(result.sheets) != 1 else ''} differ")
    lines.append(f"MISMATCH: {', '.join(parts)} ({checked}).")
    return lines
