"""The commands of template staff: template, import."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fiscal.cli.options import (
    ForceOption,
    InputsOption,
    JsonOption,
    RulesOption,
    StampTimeOption,
    _choice,
    _complete,
    _print_json,
    _refuse_existing,
)
from fiscal.errors import UserError


def template(
    kind: Annotated[
        str,
        typer.Argument(
            help="agreements, or inputs (regional indicators and the national forecast).",
            autocompletion=_complete("agreements", "inputs"),
        ),
    ],
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Workbook to write. Default: fiscal-KIND.xlsx."),
    ] = None,
    prefill: Annotated[
        bool,
        typer.Option("--prefill", help="Fill in the current agreements or inputs, to edit them."),
    ] = False,
    rules: RulesOption = None,
    inputs: InputsOption = None,
    force: ForceOption = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing.")] = False,
    stamp_time: StampTimeOption = False,
) -> None:
    """Write an Excel template for staff to fill in and bring back with [bold]fiscal import[/].

    Examples: [bold]fiscal template agreements --prefill -o agreements.xlsx[/] ·
    [bold]fiscal template inputs -o inputs.xlsx[/]
    """
    from fiscal import api
    from fiscal.cli import render

    _choice(kind, ("agreements", "inputs"), "KIND")
    target = output or Path(f"fiscal-{kind}.xlsx")
    _refuse_existing(target, force, rules, inputs)
    api.write_template(
        "agreements" if kind == "agreements" else "inputs",
        target,
        rules=rules,
        inputs=inputs,
        prefill=prefill,
        overwrite=force,
        stamp_time=stamp_time,
    )
    if not quiet:
        what = f"prefilled with the current {kind}" if prefill else "blank"
        render.console().print(
            f"Wrote {target} ({kind} template, {what}). Fill it in, then: fiscal import {target}",
            soft_wrap=True,
            markup=False,
        )


def import_(
    file: Annotated[Path, typer.Argument(help="The filled-in template (.xlsx).")],
    rules: RulesOption = None,
    inputs: InputsOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check everything and show what would change.")
    ] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Overwrite YAML files that have uncommitted changes or are not tracked by git.",
        ),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print nothing unless something is wrong.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Check a filled-in template cell by cell and write its rules or inputs as YAML.

    Every problem is listed as Sheet!Cell; with any problem nothing is written.
    Examples: [bold]fiscal import agreements.xlsx --dry-run[/] ·
    [bold]fiscal import inputs.xlsx --inputs examples/korea-2025 --json[/]
    """
    from rich.markup import escape

    from fiscal import api
    from fiscal.cli import render
    from fiscal.errors import display_path

    names = [f"Reading and checking {file.name}", "Writing the YAML files"]
    out = render.console()

    def show(head: str) -> None:  # every file written or removed, named before any is touched
        """Print what the import does to each file, under ``head``."""
        lines = plan.summary()
        where = display_path(plan.result.root)
        out.print(
            escape(f"{head}: {file.name} ({plan.result.kind}) into {where}: {lines[0]}"),
            soft_wrap=True,
        )
        for line in lines[1:]:
            out.print(escape(line), soft_wrap=True)

    with render.stages(names if not dry_run else names[:1], quiet=quiet or as_json) as step:
        step(names[0])
        plan = api.plan_import(file, rules=rules, inputs=inputs, force=force)
        if plan.refused and not dry_run:
            raise UserError(plan.refused)
        if not dry_run:
            if not quiet and not as_json:
                show("Importing")
            step(names[1])
            plan.apply()
    if as_json:
        from fiscal.cli import jsonout

        _print_json(jsonout.import_plan(plan, dry_run))
        return
    if dry_run:
        show("Dry run, nothing written")
    elif not quiet:
        out.print(escape(f"Imported {file.name}."), soft_wrap=True)
    for problem in plan.refused:
        out.print(
            f"[yellow]Would refuse without --force: {escape(str(problem))}[/]", soft_wrap=True
        )
