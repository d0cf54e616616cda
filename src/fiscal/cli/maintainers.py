"""The commands of rule maintainers: validate, schema."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from fiscal.cli.options import (
    EXIT_OK,
    EXIT_USER_ERROR,
    JsonOption,
    _choice,
    _complete,
    _complete_schema_kind,
    _print_json,
    rules_or_found,
)
from fiscal.errors import UserError


def validate(
    rules_dir: Annotated[
        Path | None,
        typer.Argument(
            help="Ruleset folder. Default: the ruleset in the current folder (a ruleset.yaml "
            "here or below), else the bundled Korean ruleset.",
            callback=rules_or_found,
        ),
    ] = None,
    inputs: Annotated[
        Path | None,
        typer.Option("--inputs", help="An inputs folder to check too. Default: none."),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print nothing when all is well.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Check a ruleset (and optionally an inputs folder); list every problem at file:line.

    Exit code 0 when sound, 1 with every problem listed (on stderr; on stdout with --json).
    Examples: [bold]fiscal validate rules/korea[/] ·
    [bold]fiscal validate rules/korea --inputs examples/korea-2025 --quiet[/] (pre-commit)
    """
    from fiscal import api

    found = api.validate(rules_dir, inputs)
    if as_json:
        from fiscal.cli import jsonout

        _print_json(jsonout.validation(found))
        raise typer.Exit(EXIT_OK if found.ok else EXIT_USER_ERROR)
    if not found.ok:
        raise UserError(found.problems)
    if not quiet:  # one plain line: not worth importing rich (0.03 s) for it
        typer.echo(found.summary())


SCHEMA_KINDS_HELP = (
    "all, or one kind of file: ruleset, regions, ministries, parameter, rule, agreement, "
    "national, indicator, scenario."
)


def schema(
    kind: Annotated[
        str, typer.Argument(help=SCHEMA_KINDS_HELP, autocompletion=_complete_schema_kind)
    ] = "all",
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            help="json (JSON Schema, for editors) or markdown (the rule file reference).",
            autocompletion=_complete("json", "markdown"),
        ),
    ] = "json",
) -> None:
    """Print the JSON Schema of the rule and input files, for editors to check as you type.

    With --format markdown: the rule file reference (docs/reference.md is made this way).
    Examples: [bold]fiscal schema parameter > parameter.schema.json[/] ·
    [bold]fiscal schema --format markdown > docs/reference.md[/]
    """
    from fiscal.rules.schema import SCHEMA_KINDS, json_schema

    _choice(kind, SCHEMA_KINDS, "KIND")
    _choice(output_format, ("json", "markdown"), "--format")
    if output_format == "markdown":
        from fiscal.rules.reference import reference

        typer.echo(reference(kind), nl=False)
        return
    _print_json(json_schema(kind))
