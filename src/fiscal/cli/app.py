"""The `fiscal` command line: parses options, calls :mod:`fiscal.api`, renders the result.

It computes nothing itself: each command is a call or two of the Python API, then
printing. Heavy libraries (numpy, pandas, pydantic, xlsxwriter) are imported inside
the commands that need them, so ``fiscal --help`` (drawn by typer with rich) and shell
completion start fast.

Conventions every command follows: ``--help`` shows examples; a command that prints a
table takes ``--json`` (exact numbers, for scripts); commands that write or check take
``--quiet``; colour is off when ``NO_COLOR`` is set or the output is not a terminal.

Exit codes are listed in ``EXIT_CODES``; README.md and docs/cli.md show the same table
(a test checks that they agree).
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from fiscal import __version__
from fiscal.errors import UserError

if TYPE_CHECKING:
    from datetime import date

    from typer._click import Context

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


class FiscalGroup(TyperGroup):
    """The ``fiscal`` command: typer's, with shell completion for the shell named after
    ``--show-completion`` or ``--install-completion``."""

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        # typer's completion flags guess the shell from the parent process and ignore a
        # name after them, so `fiscal --show-completion bash` fails ("Shell  not
        # supported.") where no shell started fiscal, e.g. in CI. A name given is the shell.
        if len(args) > 1 and args[0] in COMPLETION_FLAGS and not args[1].startswith("-"):
            flag = next(p for p in self.params if args[0] in p.opts)
            if flag.callback is not None:
                flag.callback(ctx, flag, args[1])  # typer's: writes the script, then exits
        return super().parse_args(ctx, args)


COMPLETION_FLAGS = ("--show-completion", "--install-completion")

app = typer.Typer(
    name="fiscal",
    help="Fiscal decentralisation and investment-agreement calculator: project every "
    "region's budget from versioned YAML rules into an Excel workbook.",
    epilog="Start with [bold]fiscal project[/] (the bundled Korean rules and 2025 inputs). "
    "Every command has examples in its --help; tables print as JSON with --json. "
    "Shell completion: [bold]fiscal --install-completion[/]. Guides: docs/quickstart.md. "
    "Exit codes: 0 ok, 1 user error, 2 usage error, 3 rules changed (diff), "
    "4 mismatch (verify), 70 bug, 130 interrupted.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    cls=FiscalGroup,
    # typer converts each option's value with pydantic unless it is a bool already; its own
    # flags default to None, so `fiscal project --help` would import pydantic just to read
    # None as "not given". False says the same, and is a bool.
    context_settings={
        "default_map": {"help": False, "install_completion": False, "show_completion": False}
    },
)


def _complete(*choices: str) -> Callable[[str], list[str]]:
    """Shell completion for an option with a fixed set of values."""

    def complete(incomplete: str) -> list[str]:
        return [c for c in choices if c.startswith(incomplete)]

    return complete


def _complete_from_rules(what: str) -> Callable[[typer.Context, str], list[str]]:
    """Shell completion of region, item or agreement ids from the ruleset in ``--rules``."""

    def complete(ctx: typer.Context, incomplete: str) -> list[str]:
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

RulesOption = Annotated[
    Path | None,
    typer.Option("--rules", help="Ruleset folder. Default: the bundled Korean ruleset."),
]
InputsOption = Annotated[
    Path | None,
    typer.Option("--inputs", help="Inputs folder. Default: the bundled examples/korea-2025."),
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
        help="Show figures by region, mega-region or class.",
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
FormatOption = Annotated[
    str,
    typer.Option(
        "--format",
        help="text (tables), markdown (for a review) or json.",
        autocompletion=_complete("text", "markdown", "json"),
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"fiscal {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Fiscal decentralisation and investment-agreement calculator."""


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


def _refuse_existing(output: Path | None, force: bool) -> None:
    """Stop before any work when the output exists (the write itself checks again)."""
    if output is not None and output.exists() and not force:
        from fiscal.files.atomic import refuse_overwrite

        raise refuse_overwrite(output)


def _print_json(data: Any) -> None:
    import json

    typer.echo(json.dumps(data, ensure_ascii=False, indent=2))


def _git_failed(command: str, message: str) -> typer.Exit:
    """A git problem (not a repository, unknown revision, ...): one line, then exit code 1."""
    from fiscal.cli import render

    render.console(stderr=True).print(f"fiscal {command}: {message}", soft_wrap=True, markup=False)
    return typer.Exit(EXIT_USER_ERROR)


# --- budget officers: project, compare, explain, sweep, agreements --------------------------


@app.command()
def project(
    ctx: typer.Context,
    rules: RulesOption = None,
    inputs: InputsOption = None,
    from_year: FromOption = None,
    to_year: ToOption = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="Workbook to write.")] = Path(
        "fiscal-projection.xlsx"
    ),
    force: ForceOption = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only where the file went.")
    ] = False,
    scenario: Annotated[
        Path | None, typer.Option("--scenario", help="A scenario file to project under.")
    ] = None,
    by: ByOption = "region",
    rules_as_of: RulesAsOfOption = None,
    as_json: JsonOption = False,
    stamp_time: StampTimeOption = False,
) -> None:
    """Project every region's budget year by year and write an Excel workbook.

    Examples: [bold]fiscal project --from 2025 --to 2030 -o korea.xlsx[/] ·
    [bold]fiscal project --scenario scenarios/lct-30pct-2027.yaml --by mega-region[/] ·
    [bold]fiscal project --json -o out.xlsx --force | jq '.summary[0]'[/]
    """
    from fiscal import api
    from fiscal.cli import render

    _choice(by, BY_VALUES, "--by")
    _years(from_year, to_year)
    day = _date(rules_as_of, "--rules-as-of")
    _refuse_existing(output, force)
    names = ["Loading the rules", "Loading the inputs", "Projecting", f"Writing {output}"]
    with render.stages(names, quiet=quiet or as_json) as step:
        step(names[0])
        as_of = ctx.with_resource(api.rules_as_of(rules, day)) if day is not None else None
        ruleset = as_of.ruleset if as_of is not None else api.load_rules(rules)
        step(names[1])
        data = api.load_inputs(inputs)
        step(names[2])
        result = api.project(ruleset, data, scenario, api.years_for(data, from_year, to_year))
        step(names[3])
        result.write(
            output, overwrite=force, by=by, as_of=as_of, argv=sys.argv, stamp_time=stamp_time
        )
    if as_json:
        from fiscal.cli import jsonout

        _print_json(jsonout.projection(result, result.view(by), output))
        return
    out = render.console()
    if not quiet:
        out.print(result.rich(by))
        for line in render.projection_notes(result.projection):
            out.print(line, soft_wrap=True)
    for line in render.affordability_lines(result.projection):
        out.print(line, soft_wrap=True)
    out.print(f"Wrote {output}", markup=False)


@app.command()
def compare(
    scenarios: Annotated[
        list[Path], typer.Argument(metavar="SCENARIO...", help="Scenario files to compare.")
    ],
    baseline: Annotated[
        Path | None,
        typer.Option(
            "--baseline", help="A scenario file to compare against. Default: the rules as they are."
        ),
    ] = None,
    rules: RulesOption = None,
    inputs: InputsOption = None,
    from_year: FromOption = None,
    to_year: ToOption = None,
    by: Annotated[
        str,
        typer.Option(
            "--by",
            help="Compare by region, mega-region or class.",
            autocompletion=_complete(*BY_VALUES),
        ),
    ] = "region",
    output: Annotated[Path, typer.Option("-o", "--output", help="Workbook to write.")] = Path(
        "fiscal-compare.xlsx"
    ),
    force: ForceOption = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only where the file went.")
    ] = False,
    as_json: JsonOption = False,
    stamp_time: StampTimeOption = False,
) -> None:
    """Project the baseline and each scenario over the same years and show the changes.

    Examples: [bold]fiscal compare scenarios/lct-30pct-2027.yaml scenarios/lst-rate-22pct.yaml[/] ·
    [bold]fiscal compare scenarios/*.yaml --by class --json -o compare.xlsx[/]
    """
    from fiscal import api
    from fiscal.cli import render

    _choice(by, BY_VALUES, "--by")
    _years(from_year, to_year)
    _refuse_existing(output, force)
    names = [f"Projecting the baseline and {len(scenarios)} scenarios", f"Writing {output}"]
    with render.stages(names, quiet=quiet or as_json) as step:
        step(names[0])
        data = api.load_inputs(inputs)
        result = api.compare(
            rules,
            data,
            scenarios,
            baseline=baseline,
            years=api.years_for(data, from_year, to_year),
            by=by,
        )
        step(names[1])
        result.write(output, overwrite=force, argv=sys.argv, stamp_time=stamp_time)
    if as_json:
        from fiscal.cli import jsonout

        _print_json(jsonout.comparison(result, output))
        return
    out = render.console()
    if not quiet:
        for part in result.rich():
            out.print(part, soft_wrap=isinstance(part, str))
    out.print(f"Wrote {output}", markup=False)


@app.command()
def explain(
    region: Annotated[
        str,
        typer.Argument(
            help="Region id, e.g. jeonnam.", autocompletion=_complete_from_rules("region")
        ),
    ],
    year: Annotated[int, typer.Argument(help="Year, e.g. 2026.")],
    item: Annotated[
        str,
        typer.Argument(
            help="Budget item, e.g. local_shared_tax_ordinary.",
            autocompletion=_complete_from_rules("item"),
        ),
    ],
    scenario: Annotated[
        Path | None, typer.Option("--scenario", help="Explain the figure under a scenario.")
    ] = None,
    rules: RulesOption = None,
    inputs: InputsOption = None,
    output_format: Annotated[
        str,
        typer.Option(
            "--format", help="text (default) or json.", autocompletion=_complete("text", "json")
        ),
    ] = "text",
    as_json: JsonOption = False,
) -> None:
    """Show how one figure was made: formula, inputs, parameters and the apportionment.

    Examples: [bold]fiscal explain jeonnam 2026 local_shared_tax_ordinary[/] ·
    [bold]fiscal explain seoul 2027 local_consumption_tax --json[/]
    """
    from fiscal import api
    from fiscal.cli import render

    chosen = _output_format(output_format, as_json, ("text", "json"))
    found = api.explain(rules, inputs, region, year, item, scenario)
    if chosen == "json":
        _print_json(found)
        return
    out = render.console()
    for part in render.explanation(found):
        out.print(part, soft_wrap=isinstance(part, str))


@app.command()
def sweep(
    param: Annotated[
        str, typer.Option("--param", help="Parameter path, e.g. local_consumption_tax.vat_share.")
    ],
    values: Annotated[
        str | None, typer.Option("--values", help="Comma-separated values, e.g. 0.25,0.27,0.30.")
    ] = None,
    value_range: Annotated[
        str | None, typer.Option("--range", help="START:STOP:STEP, e.g. 0.20:0.40:0.01.")
    ] = None,
    start: Annotated[
        str | None,
        typer.Option(
            "--from-date", help="Date the value takes effect. Default: 1 January of the first year."
        ),
    ] = None,
    rules: RulesOption = None,
    inputs: InputsOption = None,
    from_year: FromOption = None,
    to_year: ToOption = None,
    jobs: Annotated[int, typer.Option("--jobs", help="Worker processes.")] = 2,
    output: Annotated[Path, typer.Option("-o", "--output", help="Workbook to write.")] = Path(
        "fiscal-sweep.xlsx"
    ),
    force: ForceOption = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or table.")] = False,
    as_json: JsonOption = False,
    stamp_time: StampTimeOption = False,
) -> None:
    """Project many values of one parameter and compare the headline figures.

    Examples: [bold]fiscal sweep --param local_consumption_tax.vat_share --range 0.25:0.35:0.01[/] ·
    [bold]fiscal sweep --param local_shared_tax.rate --values 0.1924,0.2,0.22 --json[/]
    """
    from rich.progress import Progress

    from fiscal import api
    from fiscal.cli import render
    from fiscal.report.sweep import parse_values

    _years(from_year, to_year)
    effective = _date(start, "--from-date")
    _refuse_existing(output, force)
    chosen = parse_values(values, value_range)
    data = api.load_inputs(inputs)
    years = api.years_for(data, from_year, to_year)
    out = render.console()
    show = not quiet and not as_json and out.is_terminal
    with Progress(console=out, disable=not show, transient=True) as bar:
        task = bar.add_task(f"Sweeping {param}", total=len(chosen))
        result = api.sweep(
            rules,
            data,
            param,
            chosen,
            years=years,
            start=effective,
            workers=jobs,
            progress=lambda: bar.advance(task),
        )
    result.write(output, overwrite=force, argv=sys.argv, stamp_time=stamp_time)
    if as_json:
        from fiscal.cli import jsonout

        _print_json(jsonout.sweep(result, output))
        return
    if not quiet:
        out.print(result.rich())
    out.print(f"Wrote {output}", markup=False)


@app.command()
def synth(
    output: Annotated[Path, typer.Argument(help="Folder to create (rules/ and inputs/ inside).")],
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same bytes.")] = 1,
    years: Annotated[int, typer.Option("--years", help="Years from 2025.")] = 30,
    agreement_count: Annotated[
        int, typer.Option("--agreements", help="Synthetic agreements to write.")
    ] = 5000,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the folder if it exists.")
    ] = False,
) -> None:
    """Write a synthetic national dataset: 243 governments in two tiers, many agreements.

    Example: [bold]fiscal synth national --seed 7 --years 30 --agreements 5000[/]
    """
    from fiscal import api

    if years < 3 or agreement_count < 0:
        raise typer.BadParameter("expected --years of at least 3 and --agreements of 0 or more")
    api.synthesize(output, seed=seed, years=years, agreements=agreement_count, overwrite=force)
    typer.echo(f"Wrote {output}/rules and {output}/inputs (seed {seed})")


@app.command()
def agreements(
    agreement_id: Annotated[
        str | None,
        typer.Argument(
            metavar="[ID]",
            help="Show one agreement's schedule.",
            autocompletion=_complete_from_rules("agreement"),
        ),
    ] = None,
    rules: RulesOption = None,
    as_json: JsonOption = False,
) -> None:
    """List the investment agreements, or show one agreement's schedule by party and year.

    Examples: [bold]fiscal agreements[/] ·
    [bold]fiscal agreements 2025-southeast-hydrogen-corridor[/] ·
    [bold]fiscal agreements --json[/]
    """
    from fiscal import api
    from fiscal.cli import jsonout, render

    out = render.console()
    if agreement_id is None:
        schedules = api.agreements(rules)
        if as_json:
            _print_json(jsonout.agreements(schedules))
        else:
            out.print(render.agreements_table(schedules))
        return
    schedule = api.agreement(rules, agreement_id)
    if as_json:
        _print_json(jsonout.agreement(schedule))
    else:
        out.print(render.agreement_detail(schedule))


# --- rule maintainers: validate, schema -----------------------------------------------------


@app.command()
def validate(
    rules_dir: Annotated[
        Path | None, typer.Argument(help="Ruleset folder. Default: the bundled Korean ruleset.")
    ] = None,
    inputs: InputsOption = None,
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


@app.command()
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


# --- auditors: diff, history -----------------------------------------------------------------


@app.command()
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
    [bold]fiscal diff v1 v2 --rules rules/korea --format markdown[/] ·
    [bold]fiscal diff --rules-as-of 2024-12-31 -o changes.xlsx[/] ·
    [bold]fiscal diff main HEAD --quiet || echo changed[/]
    """
    from fiscal import api
    from fiscal.cli import render
    from fiscal.files.git import GitError

    chosen = _output_format(output_format, as_json, ("text", "markdown", "json"))
    _years(from_year, to_year)
    day = _date(rules_as_of, "--rules-as-of")
    _refuse_existing(output, force)
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
            render.console(stderr=chosen != "text").print(f"Wrote {output}", markup=False)
    raise typer.Exit(EXIT_RULES_CHANGED if found.changed else EXIT_OK)


@app.command()
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


@app.command()
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


# --- template staff: template, import --------------------------------------------------------


@app.command()
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
    _refuse_existing(target, force)
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


@app.command("import")
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
    with render.stages(names if not dry_run else names[:1], quiet=quiet or as_json) as step:
        step(names[0])
        plan = api.plan_import(file, rules=rules, inputs=inputs, force=force)
        if plan.refused and not dry_run:
            raise UserError(plan.refused)
        if not dry_run:
            step(names[1])
            plan.apply()
    if as_json:
        from fiscal.cli import jsonout

        _print_json(jsonout.import_plan(plan, dry_run))
        return
    out = render.console()
    if not quiet or dry_run:
        lines = plan.summary()
        head = "Dry run, nothing written" if dry_run else "Imported"
        where = display_path(plan.result.root)
        out.print(
            escape(f"{head}: {file.name} ({plan.result.kind}) into {where}: {lines[0]}"),
            soft_wrap=True,
        )
        for line in lines[1:]:
            out.print(escape(line), soft_wrap=True)
    for problem in plan.refused:
        out.print(
            f"[yellow]Would refuse without --force: {escape(str(problem))}[/]", soft_wrap=True
        )


_INTERRUPTED: list[int] = []


def _interrupt(signum: int, frame: object) -> None:
    """Ctrl-C (SIGINT) or a kill (SIGTERM): stop the run cleanly, whatever it is doing.

    The exception unwinds the command, so an unfinished file is dropped
    (:mod:`fiscal.files.atomic`); a second signal is ignored until that is done.
    """
    import signal

    _INTERRUPTED.append(signum)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def _no_color_when_set() -> None:
    """fiscal turns colour off when ``NO_COLOR`` is set at all, as :func:`render.console`
    reads it; rich, which draws typer's help and usage errors, only when it is not empty."""
    import os

    if os.environ.get("NO_COLOR") == "":
        os.environ["NO_COLOR"] = "1"


def main() -> None:
    """Entry point: run the app, turning user errors into messages and bugs into a log."""
    import signal

    _INTERRUPTED.clear()
    before = {}
    with contextlib.suppress(ValueError):  # only the main thread may; a test may call main()
        for number in (signal.SIGINT, signal.SIGTERM):
            before[number] = signal.signal(number, _interrupt)
    try:
        _run()
    finally:  # for a caller that runs main() in its own process, as the tests do
        for number, handler in before.items() if not _INTERRUPTED else ():
            signal.signal(number, handler)


def _run() -> None:
    _no_color_when_set()
    try:
        try:
            app(prog_name="fiscal")
        except SystemExit:
            # typer turns Ctrl-C into a silent exit 130; say what happened.
            if _INTERRUPTED:
                raise KeyboardInterrupt from None
            raise
    except UserError as exc:
        from fiscal.cli import render

        render.problems(exc.problems)
        sys.exit(EXIT_USER_ERROR)
    except KeyboardInterrupt:
        print("fiscal: interrupted; no file was left half-written.", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
    except Exception:  # a bug: keep the traceback out of the user's way, but keep it
        import tempfile
        import traceback

        with tempfile.NamedTemporaryFile(
            "w", prefix="fiscal-crash-", suffix=".log", delete=False, encoding="utf-8"
        ) as log:
            traceback.print_exc(file=log)
        print(
            f"fiscal: internal error (this is a bug in fiscal {__version__}); "
            f"the traceback is in {log.name}",
            file=sys.stderr,
        )
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    main()
