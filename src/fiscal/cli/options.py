"""What the commands share: exit codes, options, shell completion and small checks.

Exit codes are listed in ``EXIT_CODES``; README.md and docs/cli.md show the same table
(a test checks that they agree).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from fiscal.errors import UserError

if TYPE_CHECKING:
    from datetime import date

EXIT_OK = 0
EXIT_USER_ERROR = 1
EXIT_USAGE = 2
EXIT_RULES_CHANGED = 3
EXIT_MISMATCH = 4
EXIT_INTERNAL = 70
EXIT_INTERRUPTED = 130
EXIT_CODES = {
    EXIT_OK: "success (fiscal diff: the rules are the same; fiscal verify: every figure matches)",
    EXIT_USER_ERROR: "a user error: bad rules, inputs, scenario or workbook, a refused "
    "overwrite, a git problem; every problem is listed at file:line or Sheet!Cell",
    EXIT_USAGE: "a usage error: unknown command or option, a bad option value",
    EXIT_RULES_CHANGED: "fiscal diff: the rules changed (so CI can gate on it)",
    EXIT_MISMATCH: "fiscal verify: the workbook does not match its rules and inputs",
    EXIT_INTERNAL: "an internal error: a bug in fiscal; the traceback is in a log file",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C); nothing half-written is left behind",
}


def _complete(*choices: str) -> Callable[[str], list[str]]:
    """Shell completion for an option with a fixed set of values."""

    def complete(incomplete: str) -> list[str]:
        """The fixed values that begin with what was typed."""
        return [c for c in choices if c.startswith(incomplete)]

    return complete


def _complete_from_rules(what: str) -> Callable[[typer.Context, str], list[str]]:
    """Shell completion of region, item or agreement ids from the ruleset in ``--rules``."""

    def complete(ctx: typer.Context, incomplete: str) -> list[str]:
        """The ids in the ruleset that begin with what was typed; none when it does not load."""
        from fiscal import api

        try:
            ruleset = api.load_rules(ctx.params.get("rules"))
        except UserError:
            return []
        ids = {
            "region": ruleset.region_ids,
            "item": [i.id for i in ruleset.items],
            "agreement": [a.id for a in ruleset.agreements],
        }[what]
        return [i for i in ids if i.startswith(incomplete)]

    return complete


def _complete_schema_kind(incomplete: str) -> list[str]:
    from fiscal.rules.schema import SCHEMA_KINDS

    return [k for k in SCHEMA_KINDS if k.startswith(incomplete)]


BY_VALUES = ("region", "upper", "consolidated", "mega-region", "class")  # = views.BY_CHOICES
# What each --by value shows; the help lists them all from here (a test holds it to
# BY_VALUES), so a value added to the views cannot go unlisted.
BY_MEANINGS = {
    "region": "each region",
    "upper": "upper-level governments alone",
    "consolidated": "each upper-level region with its basic governments",
    "mega-region": "the 5 poles and 3 special self-governing provinces",
    "class": "metropolitan cities, provinces, ...",
}
BY_HELP = "; ".join(f"{v} ({BY_MEANINGS[v]})" for v in BY_VALUES)


def rules_or_found(ctx: typer.Context, value: Path | None) -> Path | None:
    """The ruleset a command uses: ``value`` if named, else the one in the current folder
    (:func:`fiscal.files.discover.find_ruleset`), else None for the bundled default.

    Which one is said in one line on standard error, so a table or ``--json`` on
    standard output stays clean and a CI log shows which rules were compared.
    """
    from fiscal import api

    if value is not None:
        return value
    if ctx.resilient_parsing:  # shell completion: quietly, and never an error
        try:
            return api.find_ruleset().folder
        except UserError:
            return None
    found = api.find_ruleset()
    ctx.meta[_FOUND] = found.folder
    _note(found.note())
    return found.folder


def _inputs_here(ctx: typer.Context, value: Path | None) -> Path | None:
    """``--inputs`` as given; with a ruleset found in the current folder and no ``--inputs``,
    the bundled example inputs, and a note that says so (a ruleset does not name its
    inputs, and guessing a folder of YAML would be worse than saying which one is used)."""
    if value is None and not ctx.resilient_parsing and ctx.meta.get(_FOUND) is not None:
        from fiscal import api
        from fiscal.errors import display_path

        if api.bundled_folder(Path(ctx.meta[_FOUND])) is None:
            bundled = display_path(api.default_inputs())
            _note(f"No --inputs: using the bundled example inputs {bundled}")
    return value


def _note(line: str) -> None:
    """One line on standard error, uncoloured and unwrapped."""
    import sys

    print(line, file=sys.stderr)


_FOUND = "fiscal.found_ruleset"

RulesOption = Annotated[
    Path | None,
    typer.Option(
        "--rules",
        help="Ruleset folder. Default: the ruleset in the current folder (a ruleset.yaml "
        "here or below), else the bundled Korean ruleset.",
        callback=rules_or_found,
    ),
]
InputsOption = Annotated[
    Path | None,
    typer.Option(
        "--inputs",
        help="Inputs folder. Default: the bundled examples/korea-2025.",
        callback=_inputs_here,
    ),
]
FromOption = Annotated[
    int | None, typer.Option("--from", help="First year. Default: the inputs' first year.")
]
ToOption = Annotated[
    int | None, typer.Option("--to", help="Last year. Default: the inputs' last year.")
]
ForceOption = Annotated[bool, typer.Option("--force", help="Replace the workbook if it exists.")]
StampTimeOption = Annotated[
    bool,
    typer.Option(
        "--stamp-time",
        help="Record the time of the run in the workbook. Without it, the same rules, inputs "
        "and options give a byte-identical workbook.",
    ),
]
JsonOption = Annotated[
    bool, typer.Option("--json", help="Print JSON (exact numbers, for scripts) instead of tables.")
]
ByOption = Annotated[
    str,
    typer.Option(
        "--by",
        help=f"Show figures by: {BY_HELP}.",
        autocompletion=_complete(*BY_VALUES),
    ),
]
RulesAsOfOption = Annotated[
    str | None,
    typer.Option(
        "--rules-as-of",
        metavar="DATE",
        help="Use the rules as committed on DATE (YYYY-MM-DD): the law as known then.",
    ),
]
YearOption = Annotated[
    str | None,
    typer.Option(
        "--year",
        metavar="YEAR|FROM-TO|all",
        help="Years to show: one (2027), a range (2026-2028) or all. Default: the first year "
        "the scenario changes (marked in the title).",
    ),
]
UnitsOption = Annotated[
    str,
    typer.Option(
        "--units",
        help="Money in won, million, eok (억), billion or trillion. Default: the finest unit "
        "in which the table fits the terminal (said in the title).",
        autocompletion=_complete("won", "million", "eok", "billion", "trillion"),
    ),
]
FormatOption = Annotated[
    str,
    typer.Option(
        "--format",
        help="text (tables), markdown (for a review) or json.",
        autocompletion=_complete("text", "markdown", "json"),
    ),
]


# --- small helpers: option checks and output ------------------------------------------------


def _choice(value: str, choices: Sequence[str], hint: str) -> str:
    if value not in choices:
        raise typer.BadParameter(f"expected one of {', '.join(choices)}", param_hint=hint)
    return value


def _output_format(output_format: str, as_json: bool, choices: Sequence[str]) -> str:
    """``--format`` checked, with ``--json`` as the short way to say ``--format json``."""
    _choice(output_format, choices, "--format")
    if as_json and output_format not in ("text", "json"):
        raise typer.BadParameter(
            f"--json contradicts --format {output_format}", param_hint="--json"
        )
    return "json" if as_json else output_format


def _date(value: str | None, hint: str) -> date | None:
    if value is None:
        return None
    from datetime import date

    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter("expected a date YYYY-MM-DD", param_hint=hint) from None


def _years(from_year: int | None, to_year: int | None) -> None:
    if from_year is not None and to_year is not None and from_year > to_year:
        raise typer.BadParameter(f"--from {from_year} is after --to {to_year}", param_hint="--from")


def _refuse_existing(
    output: Path | None,
    force: bool,
    rules: Path | None = None,
    inputs: Path | None = None,
    *scenarios: Path | None,
) -> None:
    """Stop before any work when the output exists, or is (or lies inside) a rule, input
    or scenario given (the write itself checks again, with the bundled folders too)."""
    if output is None:
        return
    from fiscal.files.atomic import reads, refuse_overwrite, refuse_read

    refuse_read(output, reads(rules, inputs, [("the scenario file", s) for s in scenarios]))
    if output.exists() and not force:
        raise refuse_overwrite(output)


def _print_json(data: Any) -> None:
    import json

    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _git_failed(command: str, message: str) -> typer.Exit:
    """A git problem (not a repository, unknown revision, ...): one line, then exit code 1."""
    from fiscal.cli import render

    render.console(stderr=True).print(f"fiscal {command}: {message}", soft_wrap=True, markup=False)
    return typer.Exit(EXIT_USER_ERROR)
