"""The `fiscal` command line: parses options, calls the core, renders the result.

It computes nothing itself. Heavy libraries (numpy, pandas, xlsxwriter) are imported
inside the commands that need them, so ``fiscal --help`` starts fast.

Exit codes: 0 success; 1 a user error (bad rules or inputs, a refused overwrite);
2 a usage error (unknown option, bad value); 70 an internal error (a bug: the
traceback goes to a log file); 130 interrupted.
"""

from __future__ import annotations

import sys
import tempfile
import traceback
from pathlib import Path
from typing import Annotated

import typer

from fiscal import __version__
from fiscal.errors import UserError

app = typer.Typer(
    name="fiscal",
    help="Fiscal decentralisation and investment-agreement calculator: project every "
    "region's budget from versioned YAML rules into an Excel workbook.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)

EXIT_USER_ERROR = 1
EXIT_INTERNAL = 70

RulesOption = Annotated[
    Path | None,
    typer.Option("--rules", help="Ruleset folder. Default: the bundled Korean ruleset."),
]
InputsOption = Annotated[
    Path | None,
    typer.Option("--inputs", help="Inputs folder. Default: the bundled examples/korea-2025."),
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


@app.command()
def project(
    ctx: typer.Context,
    rules: RulesOption = None,
    inputs: InputsOption = None,
    from_year: Annotated[
        int | None, typer.Option("--from", help="First year. Default: the inputs' first year.")
    ] = None,
    to_year: Annotated[
        int | None, typer.Option("--to", help="Last year. Default: the inputs' last year.")
    ] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="Workbook to write.")] = Path(
        "fiscal-projection.xlsx"
    ),
    force: Annotated[
        bool, typer.Option("--force", help="Replace the workbook if it exists.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only where the file went.")
    ] = False,
    scenario: Annotated[
        Path | None, typer.Option("--scenario", help="A scenario file to project under.")
    ] = None,
    by: Annotated[
        str, typer.Option("--by", help="Show figures by region, mega-region or class.")
    ] = "region",
    rules_as_of: RulesAsOfOption = None,
) -> None:
    """Project every region's budget year by year and write an Excel workbook.

    Examples: [bold]fiscal project --from 2025 --to 2030 -o korea.xlsx[/] ·
    [bold]fiscal project --scenario scenarios/lct-30pct-2027.yaml --by mega-region[/]
    """
    from rich.markup import escape

    from fiscal import api, render
    from fiscal.inputs import input_files
    from fiscal.io.atomic import refuse_overwrite, write_atomic
    from fiscal.io.workbook import write_projection
    from fiscal.paths import default_inputs, default_rules
    from fiscal.provenance import collect
    from fiscal.rules.loader import rule_files
    from fiscal.views import BY_CHOICES, view

    if by not in BY_CHOICES:
        raise typer.BadParameter(f"expected one of {', '.join(BY_CHOICES)}", param_hint="--by")
    if from_year is not None and to_year is not None and from_year > to_year:
        raise typer.BadParameter(f"--from {from_year} is after --to {to_year}", param_hint="--from")
    if output.exists() and not force:
        raise refuse_overwrite(output)
    rules_root = rules or default_rules()
    inputs_root = inputs or default_inputs()
    as_of = None
    if rules_as_of is not None:  # the rules as committed then, in a temporary folder
        from datetime import date

        from fiscal.history.versions import rules_as_of as committed_rules

        try:
            day = date.fromisoformat(rules_as_of)
        except ValueError:
            raise typer.BadParameter("expected YYYY-MM-DD", param_hint="--rules-as-of") from None
        as_of = ctx.with_resource(committed_rules(rules_root, day))
        rules_root = as_of.folder
    ruleset = as_of.ruleset if as_of is not None else api.load_rules(rules_root)
    data = api.load_inputs(inputs_root)
    years = api.years_for(data, from_year, to_year)
    first, last = years[0], years[-1]
    projection = api.project(ruleset, data, scenario, years)
    shown = view(projection, ruleset, by)
    provenance = collect(
        rules_root,
        [f for f in rule_files(rules_root) if f.is_file()],
        inputs_root,
        [f for f in input_files(inputs_root) if f.is_file()],
        projection.scenario,
        (first, last),
        scenario_files=[scenario] if scenario else [],
    )
    if as_of is not None:
        provenance = as_of.stamp(provenance)
    write_atomic(
        output,
        lambda temp: write_projection(temp, projection, ruleset, provenance, shown),
        overwrite=force,
    )
    out = render.console()
    if not quiet:
        out.print(render.projection_summary(shown))
        short = [p for p in projection.pools if p.unallocated.any()]
        if short:
            for pool in short:
                out.print(
                    f"[yellow]Pool {pool.rule}: {int(pool.unallocated.sum()):,} won not allocated "
                    "(every fiscal gap is filled).[/]"
                )
        else:
            out.print(f"All {len(projection.pools)} pools distributed to the won.")
        line = render.national_line(projection)
        if line:
            out.print(line, soft_wrap=True)
    flags = render.affordability_flags(projection)
    for line in flags:
        out.print(f"[yellow]Affordability: {escape(line)}[/]", soft_wrap=True)
    out.print(f"Wrote {output}")


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
    from_year: Annotated[int | None, typer.Option("--from", help="First year.")] = None,
    to_year: Annotated[int | None, typer.Option("--to", help="Last year.")] = None,
    by: Annotated[
        str, typer.Option("--by", help="Compare by region, mega-region or class.")
    ] = "region",
    output: Annotated[Path, typer.Option("-o", "--output", help="Workbook to write.")] = Path(
        "fiscal-compare.xlsx"
    ),
    force: Annotated[
        bool, typer.Option("--force", help="Replace the workbook if it exists.")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="Print only where the file went.")
    ] = False,
) -> None:
    """Project the baseline and each scenario over the same years and show the changes.

    Example: [bold]fiscal compare scenarios/lct-30pct-2027.yaml scenarios/lst-rate-22pct.yaml[/]
    """
    from fiscal import api, render
    from fiscal.comparison import Compared
    from fiscal.inputs import input_files
    from fiscal.io.atomic import refuse_overwrite, write_atomic
    from fiscal.io.workbook import write_comparison
    from fiscal.paths import default_inputs, default_rules
    from fiscal.provenance import collect
    from fiscal.rules.loader import rule_files
    from fiscal.views import BY_CHOICES, view

    if by not in BY_CHOICES:
        raise typer.BadParameter(f"expected one of {', '.join(BY_CHOICES)}", param_hint="--by")
    if output.exists() and not force:
        raise refuse_overwrite(output)
    rules_root = rules or default_rules()
    inputs_root = inputs or default_inputs()
    ruleset = api.load_rules(rules_root)
    data = api.load_inputs(inputs_root)
    years = api.years_for(data, from_year, to_year)
    base_projection = api.project(ruleset, data, baseline, years)
    base_view = view(base_projection, ruleset, by)
    comparisons = []
    for path in scenarios:
        projection = api.project(ruleset, data, path, years)
        comparisons.append(
            Compared(base_view, view(projection, ruleset, by), base_projection, projection)
        )
    provenance = collect(
        rules_root,
        [f for f in rule_files(rules_root) if f.is_file()],
        inputs_root,
        [f for f in input_files(inputs_root) if f.is_file()],
        ", ".join(c.scenario.scenario for c in comparisons) + f" vs {base_projection.scenario}",
        (years[0], years[-1]),
        scenario_files=[*scenarios, *([baseline] if baseline else [])],
    )
    write_atomic(
        output, lambda temp: write_comparison(temp, comparisons, provenance), overwrite=force
    )
    out = render.console()
    if not quiet:
        for compared in comparisons:
            out.print(render.comparison(compared))
            line = render.national_line(compared.scenario_projection)
            if line:
                out.print(line, soft_wrap=True)
    out.print(f"Wrote {output}")


@app.command()
def explain(
    region: Annotated[str, typer.Argument(help="Region id, e.g. jeonnam.")],
    year: Annotated[int, typer.Argument(help="Year, e.g. 2026.")],
    item: Annotated[str, typer.Argument(help="Budget item, e.g. local_shared_tax_ordinary.")],
    scenario: Annotated[
        Path | None, typer.Option("--scenario", help="Explain the figure under a scenario.")
    ] = None,
    rules: RulesOption = None,
    inputs: InputsOption = None,
    output_format: Annotated[
        str, typer.Option("--format", help="text (default) or json.")
    ] = "text",
) -> None:
    """Show how one figure was made: formula, inputs, parameters and the apportionment.

    Example: [bold]fiscal explain jeonnam 2026 local_shared_tax_ordinary[/]
    """
    import json

    from fiscal import api, render
    from fiscal.engine.projection import project as run_projection
    from fiscal.explain import explain as explain_figure

    if output_format not in ("text", "json"):
        raise typer.BadParameter("expected text or json", param_hint="--format")
    ruleset = api.load_rules(rules)
    data = api.load_inputs(inputs)
    years = api.years_for(data, None, max(year, data.last_year()))
    changed_rules, changed_inputs, name = api.with_scenario(ruleset, data, scenario, years)
    projection = run_projection(changed_rules, changed_inputs, years, scenario=name)
    found = explain_figure(projection, changed_rules, changed_inputs, region, year, item)
    if output_format == "json":
        typer.echo(json.dumps(found, ensure_ascii=False, indent=2))
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
    from_year: Annotated[int | None, typer.Option("--from", help="First year.")] = None,
    to_year: Annotated[int | None, typer.Option("--to", help="Last year.")] = None,
    jobs: Annotated[int, typer.Option("--jobs", help="Worker processes.")] = 2,
    output: Annotated[Path, typer.Option("-o", "--output", help="Workbook to write.")] = Path(
        "fiscal-sweep.xlsx"
    ),
    force: Annotated[
        bool, typer.Option("--force", help="Replace the workbook if it exists.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar or table.")] = False,
) -> None:
    """Project many values of one parameter and compare the headline figures.

    Example: [bold]fiscal sweep --param local_consumption_tax.vat_share --range 0.25:0.35:0.01[/]
    """
    from datetime import date

    from rich.progress import Progress

    from fiscal import api, render
    from fiscal.inputs import input_files
    from fiscal.io.atomic import refuse_overwrite, write_atomic
    from fiscal.io.workbook import write_sweep
    from fiscal.paths import default_inputs, default_rules
    from fiscal.provenance import collect
    from fiscal.rules.loader import rule_files
    from fiscal.sweep import parse_values
    from fiscal.sweep import sweep as run_sweep

    if output.exists() and not force:
        raise refuse_overwrite(output)
    chosen = parse_values(values, value_range)
    rules_root = rules or default_rules()
    inputs_root = inputs or default_inputs()
    ruleset = api.load_rules(rules_root)
    data = api.load_inputs(inputs_root)
    years = api.years_for(data, from_year, to_year)
    try:
        effective = date.fromisoformat(start) if start else date(years[0], 1, 1)
    except ValueError:
        raise typer.BadParameter("expected a date YYYY-MM-DD", param_hint="--from-date") from None
    out = render.console()
    show = not quiet and out.is_terminal
    with Progress(console=out, disable=not show, transient=True) as bar:
        task = bar.add_task(f"Sweeping {param}", total=len(chosen))
        points = list(
            run_sweep(
                ruleset,
                data,
                years,
                param,
                chosen,
                effective,
                workers=jobs,
                progress=lambda: bar.advance(task),
            )
        )
    provenance = collect(
        rules_root,
        [f for f in rule_files(rules_root) if f.is_file()],
        inputs_root,
        [f for f in input_files(inputs_root) if f.is_file()],
        f"sweep {param}",
        (years[0], years[-1]),
    )
    regions = [(r.id, r.name.en) for r in ruleset.regions]
    write_atomic(
        output,
        lambda temp: write_sweep(temp, param, regions, points, provenance),
        overwrite=force,
    )
    if not quiet:
        out.print(render.sweep_table(param, regions, points))
    out.print(f"Wrote {output}")


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
    import shutil
    import tempfile

    from fiscal.errors import Problem, SourcePos
    from fiscal.synth import synthesize

    if years < 3 or agreement_count < 0:
        raise typer.BadParameter("expected --years of at least 3 and --agreements of 0 or more")
    if output.exists() and not force:
        raise UserError([Problem(SourcePos.of(output), "folder exists; use --force to replace it")])
    parent = output.resolve().parent
    if not parent.is_dir():
        raise UserError([Problem(SourcePos.of(parent), "parent folder does not exist")])
    # Build beside the target, then move it in, so a failed run leaves nothing half-written.
    with tempfile.TemporaryDirectory(dir=parent, prefix=f".{output.name}.") as temp:
        synthesize(Path(temp) / "data", seed=seed, years=years, agreements=agreement_count)
        if output.exists():
            shutil.rmtree(output)
        (Path(temp) / "data").rename(output)
    typer.echo(f"Wrote {output}/rules and {output}/inputs (seed {seed})")


@app.command()
def agreements(
    agreement_id: Annotated[
        str | None, typer.Argument(metavar="[ID]", help="Show one agreement's schedule.")
    ] = None,
    rules: RulesOption = None,
) -> None:
    """List the investment agreements, or show one agreement's schedule by party and year.

    Examples: [bold]fiscal agreements[/] ·
    [bold]fiscal agreements 2025-southeast-hydrogen-corridor[/]
    """
    from fiscal import render
    from fiscal.engine.projection import agreement_schedules
    from fiscal.errors import Problem, SourcePos
    from fiscal.paths import default_rules
    from fiscal.rules.loader import load_ruleset

    root = rules or default_rules()
    ruleset = load_ruleset(root)
    schedules = agreement_schedules(ruleset)
    out = render.console()
    if agreement_id is None:
        out.print(render.agreements_table(schedules))
        return
    chosen = [s for s in schedules if s.agreement.id == agreement_id]
    if not chosen:
        known = ", ".join(s.agreement.id for s in schedules)
        raise UserError(
            [
                Problem(
                    SourcePos.of(root / "agreements"),
                    f"unknown agreement {agreement_id!r}; known: {known}",
                )
            ]
        )
    out.print(render.agreement_detail(chosen[0]))


@app.command()
def validate(
    rules_dir: Annotated[
        Path | None, typer.Argument(help="Ruleset folder. Default: the bundled Korean ruleset.")
    ] = None,
    inputs: InputsOption = None,
) -> None:
    """Check a ruleset (and optionally an inputs folder); list every problem at file:line.

    Example: [bold]fiscal validate rules/korea[/]
    """
    from fiscal import render
    from fiscal.inputs import check_inputs
    from fiscal.paths import default_rules
    from fiscal.rules.loader import check_ruleset

    root = rules_dir or default_rules()
    ruleset, found = check_ruleset(root)
    data = None
    if inputs is not None:
        data, more = check_inputs(inputs)
        found += more
    if found:
        raise UserError(found)
    assert ruleset is not None
    values = sum(len(p.values) for p in ruleset.parameters.values())
    summary = (
        f"OK: {root} — {len(ruleset.regions)} regions, {len(ruleset.parameters)} parameters "
        f"({values} dated values), {len(ruleset.rules)} rules, {len(ruleset.agreements)} "
        f"agreements, {len(ruleset.items)} budget items"
    )
    if data is not None:
        summary += (
            f"; inputs: {len(data.national)} national series, {len(data.regional)} indicators"
        )
    render.console().print(summary, soft_wrap=True)


@app.command()
def schema(
    kind: Annotated[
        str,
        typer.Argument(help="One of: all, ruleset, regions, parameter, rule, national, indicator."),
    ] = "all",
) -> None:
    """Print the JSON Schema of the rule and input files, for editors to check as you type.

    Example: [bold]fiscal schema parameter > parameter.schema.json[/]
    """
    import json

    from fiscal.rules.schema import SCHEMA_KINDS, json_schema

    if kind not in SCHEMA_KINDS:
        raise typer.BadParameter(f"expected one of {', '.join(SCHEMA_KINDS)}", param_hint="KIND")
    typer.echo(json.dumps(json_schema(kind), indent=2, ensure_ascii=False))


# --- rule history: fiscal diff, fiscal history (src/fiscal/history) -------------------------

RulesAsOfOption = Annotated[
    str | None,
    typer.Option(
        "--rules-as-of",
        metavar="DATE",
        help="Use the rules as committed on DATE (YYYY-MM-DD): the law as known then.",
    ),
]
FormatOption = Annotated[
    str, typer.Option("--format", help="text (tables), markdown (for a review) or json.")
]
EXIT_RULES_CHANGED = 3


def _git_failed(command: str, message: str) -> typer.Exit:
    """A git problem (not a repository, unknown revision, ...): one line, then exit code 1."""
    from fiscal import render

    render.console(stderr=True).print(f"fiscal {command}: {message}", soft_wrap=True, markup=False)
    return typer.Exit(EXIT_USER_ERROR)


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
    from_year: Annotated[
        int | None, typer.Option("--from", help="First year. Default: the inputs' first year.")
    ] = None,
    to_year: Annotated[
        int | None, typer.Option("--to", help="Last year. Default: the inputs' last year.")
    ] = None,
    output_format: FormatOption = "text",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="Also write a diff workbook (.xlsx).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the workbook if it exists.")
    ] = False,
    top: Annotated[
        int, typer.Option("--top", min=1, help="How many of the largest changes to list.")
    ] = 15,
) -> None:
    """Compare two versions of the rules: what changed, where, and each region's budget impact.

    Versions are read straight from git (never checked out). Exit code 0 when the rules
    are the same, 3 when they changed, 1 on a user error.

    Examples: [bold]fiscal diff[/] (HEAD against the working tree) ·
    [bold]fiscal diff v1 v2 --rules rules/korea --format markdown[/] ·
    [bold]fiscal diff --rules-as-of 2024-12-31 -o changes.xlsx[/]
    """
    from fiscal import render
    from fiscal.history import report as fmt
    from fiscal.history.diff import build_diff
    from fiscal.history.git import GitError
    from fiscal.io.atomic import refuse_overwrite, write_atomic
    from fiscal.paths import default_inputs, default_rules

    if output_format not in ("text", "markdown", "json"):
        raise typer.BadParameter("expected text, markdown or json", param_hint="--format")
    if output is not None and output.exists() and not force:
        raise refuse_overwrite(output)
    from datetime import date

    try:
        day = date.fromisoformat(rules_as_of) if rules_as_of is not None else None
    except ValueError:
        raise typer.BadParameter("expected a date YYYY-MM-DD", param_hint="--rules-as-of") from None
    try:
        report = build_diff(
            rules or default_rules(),
            inputs or default_inputs(),
            old,
            new,
            as_of=day,
            first_year=from_year,
            last_year=to_year,
        )
    except GitError as exc:
        raise _git_failed("diff", exc.message) from None
    if output is not None:
        from fiscal.io.diff_workbook import write_diff_workbook

        write_atomic(output, lambda temp: write_diff_workbook(temp, report), overwrite=force)
    if output_format == "json":
        typer.echo(fmt.to_json(report))
    elif output_format == "markdown":
        typer.echo(fmt.to_markdown(report, top), nl=False)
    else:
        out = render.console()
        for part in fmt.to_rich(report, top):
            out.print(part)
    if output is not None:
        render.console(stderr=output_format != "text").print(f"Wrote {output}", markup=False)
    raise typer.Exit(EXIT_RULES_CHANGED if report.changed else 0)


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
) -> None:
    """Every change of one parameter or agreement across the git log: who, when, what.

    Example: [bold]fiscal history local_consumption_tax.vat_share --rules rules/korea[/]
    """
    from fiscal import render
    from fiscal.history import report as fmt
    from fiscal.history.git import GitError
    from fiscal.history.log import object_history
    from fiscal.paths import default_rules

    if output_format not in ("text", "markdown", "json"):
        raise typer.BadParameter("expected text, markdown or json", param_hint="--format")
    try:
        found = object_history(rules or default_rules(), ident)
    except GitError as exc:
        raise _git_failed("history", exc.message) from None
    if output_format == "json":
        typer.echo(fmt.history_json(found))
    elif output_format == "markdown":
        typer.echo(fmt.history_markdown(found), nl=False)
    else:
        render.console().print(fmt.history_rich(found))


@app.command()
def template(
    kind: Annotated[
        str,
        typer.Argument(
            help="agreements, or inputs (regional indicators and the national forecast)."
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
    force: Annotated[
        bool, typer.Option("--force", help="Replace the workbook if it exists.")
    ] = False,
) -> None:
    """Write an Excel template for staff to fill in and bring back with [bold]fiscal import[/].

    Examples: [bold]fiscal template agreements --prefill -o agreements.xlsx[/] ·
    [bold]fiscal template inputs -o inputs.xlsx[/]
    """
    from fiscal import render
    from fiscal.io.atomic import refuse_overwrite, write_atomic
    from fiscal.io.template import build_template, write_template
    from fiscal.paths import default_inputs, default_rules

    if kind not in ("agreements", "inputs"):
        raise typer.BadParameter("expected agreements or inputs", param_hint="KIND")
    target = output or Path(f"fiscal-{kind}.xlsx")
    if target.exists() and not force:
        raise refuse_overwrite(target)
    chosen = "agreements" if kind == "agreements" else "inputs"
    made = build_template(chosen, rules or default_rules(), inputs or default_inputs(), prefill)
    write_atomic(target, lambda temp: write_template(temp, made), overwrite=force)
    what = f"prefilled with the current {kind}" if prefill else "blank"
    render.console().print(
        f"Wrote {target} ({kind} template, {what}). Fill it in, then: fiscal import {target}",
        soft_wrap=True,
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
) -> None:
    """Check a filled-in template cell by cell and write its rules or inputs as YAML.

    Every problem is listed as Sheet!Cell; with any problem nothing is written.
    Example: [bold]fiscal import agreements.xlsx --dry-run[/]
    """
    from rich.markup import escape

    from fiscal import render
    from fiscal.errors import display_path
    from fiscal.io.excel_import import import_workbook
    from fiscal.io.yaml_update import apply, plan, summary, unsafe
    from fiscal.paths import default_inputs, default_rules

    result = import_workbook(file, rules or default_rules(), inputs or default_inputs())
    changes = plan(result.files)
    refused = [] if force else unsafe(changes)
    if refused and not dry_run:
        raise UserError(refused)
    out = render.console()
    lines = summary(changes)
    head = "Dry run, nothing written" if dry_run else "Imported"
    out.print(
        escape(f"{head}: {file.name} ({result.kind}) into {display_path(result.root)}: {lines[0]}"),
        soft_wrap=True,
    )
    for line in lines[1:]:
        out.print(escape(line), soft_wrap=True)
    for problem in refused:
        out.print(
            f"[yellow]Would refuse without --force: {escape(str(problem))}[/]", soft_wrap=True
        )
    if not dry_run:
        apply(changes)


def main() -> None:
    """Entry point: run the app, turning user errors into messages and bugs into a log."""
    try:
        app()
    except UserError as exc:
        from fiscal import render

        render.problems(exc.problems)
        sys.exit(EXIT_USER_ERROR)
    except KeyboardInterrupt:
        print("Interrupted; nothing was written.", file=sys.stderr)
        sys.exit(130)
    except Exception:  # a bug: keep the traceback out of the user's way, but keep it
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
