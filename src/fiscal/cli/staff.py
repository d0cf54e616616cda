"""The commands of template staff: template, import."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fiscal.cli.options import (
    EXIT_USER_ERROR,
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

    The template records the folder it was made from, and the import writes there.

    An import never writes the bundled rules or inputs: prefill from a copy
    of your own, kept beside the checkout (a second ruleset inside it makes
    commands without --rules ask which one).

    Examples: [bold]fiscal template agreements -o blank-agreements.xlsx[/] ·
    [bold]cp -r examples/korea-2025 ../my-inputs &&
    fiscal template inputs --prefill --inputs ../my-inputs -o inputs.xlsx[/] ·
    [bold]cp -r rules/korea ../my-rules &&
    fiscal template agreements --prefill --rules ../my-rules -o agreements.xlsx[/]
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
            f"Wrote {target} ({kind} template, {what}). Fill it in, then: "
            + next_step(kind, target, rules, inputs),
            soft_wrap=True,
            markup=False,
        )


def next_step(kind: str, target: Path, rules: Path | None, inputs: Path | None) -> str:
    """The import command that brings the template back, as it can be typed from here.

    The template records the folder it was made from, so the command needs no folder;
    a template made from the bundled folders, which an import never writes, needs one.
    """
    import shlex

    from fiscal import api

    command = f"fiscal import {shlex.quote(str(target))}"
    writes = (
        (rules or api.default_rules()) if kind == "agreements" else (inputs or api.default_inputs())
    )
    if api.bundled_folder(writes) is None:
        return command
    option = "--rules" if kind == "agreements" else "--inputs"
    what = "ruleset" if kind == "agreements" else "inputs"
    return (
        f"{command} {option} FOLDER (FOLDER: your own copy of the {what}; "
        f"an import never writes the bundled {what})"
    )


def import_(
    file: Annotated[Path, typer.Argument(help="The filled-in template (.xlsx).")],
    rules: Annotated[
        Path | None,
        typer.Option(
            "--rules",
            help="Ruleset folder. Default: the one the template was made from (it records it).",
        ),
    ] = None,
    inputs: Annotated[
        Path | None,
        typer.Option(
            "--inputs",
            help="Inputs folder to write. Default: the one the template was made from.",
        ),
    ] = None,
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
    It writes into the folder the template was made from, unless --rules or --inputs say.

    A dry run exits 1 when the import itself would refuse.

    Examples: [bold]fiscal import agreements.xlsx --dry-run[/] ·
    [bold]fiscal import inputs.xlsx --inputs ../my-inputs --json[/]
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
    elif dry_run:
        show("Dry run, nothing written")
    elif not quiet:
        out.print(escape(f"Imported {file.name}."), soft_wrap=True)
    if plan.refused:  # a dry run only: the real run raised above
        # A dry run is how staff and CI ask "would this import go through?": exit 0 here
        # said yes when the real run would write nothing.
        render.problems(
            plan.refused,
            header="The import itself would refuse and write nothing "
            "(--force replaces these files):",
        )
        raise typer.Exit(EXIT_USER_ERROR)
