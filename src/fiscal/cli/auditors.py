"""The commands of auditors: diff, history, verify."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fiscal.cli.options import (
    EXIT_MISMATCH,
    EXIT_OK,
    EXIT_RULES_CHANGED,
    ForceOption,
    FormatOption,
    FromOption,
    InputsOption,
    JsonOption,
    RulesAsOfOption,
    RulesOption,
    StampTimeOption,
    ToOption,
    _date,
    _git_failed,
    _output_format,
    _print_json,
    _refuse_existing,
    _years,
)


def diff(
    old: Annotated[
        str | None,
        typer.Argument(
            metavar="[OLD]",
            help="Old version: a git revision, WORKTREE or a folder. Default: HEAD.",
        ),
    ] = None,
    new: Annotated[
        str | None,
        typer.Argument(
            metavar="[NEW]", help="New version. Default: WORKTREE, the files as they are now."
        ),
    ] = None,
    rules: RulesOption = None,
    inputs: InputsOption = None,
    rules_as_of: RulesAsOfOption = None,
    from_year: FromOption = None,
    to_year: ToOption = None,
    output_format: FormatOption = "text",
    as_json: JsonOption = False,
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Also write a diff workbook (.xlsx).")
    ] = None,
    force: ForceOption = False,
    top: Annotated[
        int, typer.Option("--top", min=1, help="How many of the largest changes to list.")
    ] = 15,
    quiet: Annotated[
        bool,
        typer.Option(
            "--quiet", "-q", help="Print nothing: the exit code says if the rules changed."
        ),
    ] = False,
    stamp_time: StampTimeOption = False,
) -> None:
    """Compare two versions of the rules: what changed, where, and each region's budget impact.

    Versions are read straight from git (never checked out). Exit code 0 when the rules
    are the same, 3 when they changed, 1 on a user error.

    Examples: [bold]fiscal diff[/] (HEAD against the working tree) ·
    [bold]fiscal diff HEAD~1 HEAD --rules rules/korea --format markdown[/] ·
    [bold]fiscal diff --rules-as-of 2026-11-23 -o changes.xlsx[/] ·
    [bold]fiscal diff HEAD~1 HEAD --quiet || echo changed[/]
    """
    from fiscal import api
    from fiscal.cli import render
    from fiscal.files.git import GitError

    chosen = _output_format(output_format, as_json, ("text", "markdown", "json"))
    _years(from_year, to_year)
    day = _date(rules_as_of, "--rules-as-of")
    _refuse_existing(output, force, rules, inputs)
    try:
        found = api.diff(
            old,
            new,
            rules=rules,
            inputs=inputs,
            as_of=day,
            first_year=from_year,
            last_year=to_year,
            impact=not quiet or output is not None,
            stamp_time=stamp_time,
        )
    except GitError as exc:
        raise _git_failed("diff", exc.message) from None
    if output is not None:
        found.write(output, overwrite=force)
    if not quiet:
        if chosen == "json":
            typer.echo(found.to_json())
        elif chosen == "markdown":
            typer.echo(found.to_markdown(top), nl=False)
        else:
            out = render.console()
            for part in found.rich(top):
                out.print(part)
        if output is not None:
            render.console(stderr=chosen != "text").print(
                f"Wrote {output}", markup=False, soft_wrap=True
            )
    raise typer.Exit(EXIT_RULES_CHANGED if found.changed else EXIT_OK)


def history(
    ident: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="A parameter (local_consumption_tax.vat_share) or an agreement id.",
        ),
    ],
    rules: RulesOption = None,
    output_format: FormatOption = "text",
    as_json: JsonOption = False,
) -> None:
    """Every change of one parameter or agreement across the git log: who, when, what.

    Examples: [bold]fiscal history local_consumption_tax.vat_share --rules rules/korea[/] ·
    [bold]fiscal history 2025-southeast-hydrogen-corridor --format markdown[/]
    """
    from fiscal import api
    from fiscal.cli import render
    from fiscal.files.git import GitError
    from fiscal.history.report import history_json, history_markdown, history_rich

    chosen = _output_format(output_format, as_json, ("text", "markdown", "json"))
    try:
        found = api.history(ident, rules)
    except GitError as exc:
        raise _git_failed("history", exc.message) from None
    if chosen == "json":
        typer.echo(history_json(found))
    elif chosen == "markdown":
        typer.echo(history_markdown(found), nl=False)
    else:
        render.console().print(history_rich(found))


def verify(
    workbook: Annotated[Path, typer.Argument(help="A workbook written by fiscal project.")],
    rules: Annotated[
        Path | None,
        typer.Option("--rules", help="Ruleset folder. Default: the one the workbook records."),
    ] = None,
    inputs: Annotated[
        Path | None,
        typer.Option("--inputs", help="Inputs folder. Default: the one the workbook records."),
    ] = None,
    as_json: JsonOption = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print nothing: the exit code says.")
    ] = False,
) -> None:
    """Recompute a projection workbook from the provenance it records and compare every cell.

    Names every rule or input file whose hash no longer matches and every cell that
    differs (Sheet!Cell), e.g. a Ledger figure edited by hand. Exit code 0 when
    everything matches, 4 when not, 1 on a user error.

    Examples: [bold]fiscal verify korea.xlsx[/] ·
    [bold]fiscal verify korea.xlsx --rules rules/korea --inputs examples/korea-2025[/]
    """
    from fiscal import api
    from fiscal.cli import render

    result = api.verify(workbook, rules=rules, inputs=inputs)
    if as_json:
        from fiscal.cli import jsonout

        _print_json(jsonout.verification(result))
    elif not quiet:
        out = render.console()
        for line in render.verification(result):
            out.print(line, soft_wrap=True, markup=False)
    raise typer.Exit(EXIT_OK if result.matches else EXIT_MISMATCH)
