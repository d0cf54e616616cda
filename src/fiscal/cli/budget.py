"""The commands of budget officers: project, compare, explain, sweep, synth, agreements."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from fiscal.cli.options import (
    BY_HELP,
    BY_VALUES,
    ByOption,
    ForceOption,
    FromOption,
    InputsOption,
    JsonOption,
    RulesAsOfOption,
    RulesOption,
    StampTimeOption,
    ToOption,
    UnitsOption,
    YearOption,
    _choice,
    _complete,
    _complete_from_rules,
    _date,
    _output_format,
    _print_json,
    _refuse_existing,
    _years,
)


def _shown_years(spec: str | None, years: list[int]) -> list[int] | None:
    """``--year`` (``2027``, ``2026-2028`` or ``all``) as years of the projection; None
    when it was not given, so the command chooses."""
    if spec is None:
        return None
    if spec.strip().lower() == "all":
        return list(years)
    first, _, last = spec.strip().partition("-")
    try:
        low, high = int(first), int(last or first)
    except ValueError:
        raise typer.BadParameter(
            f"expected a year (2027), a range (2026-2028) or all, got {spec!r}",
            param_hint="--year",
        ) from None
    chosen = [y for y in years if low <= y <= high]
    if low > high or not chosen or (low == high and low not in years):
        raise typer.BadParameter(
            f"{spec} is not among the years projected, {years[0]}-{years[-1]}",
            param_hint="--year",
        )
    return chosen


def _units(units: str) -> str:
    from fiscal.report.terminal import UNIT_CHOICES

    return _choice(units, UNIT_CHOICES, "--units")


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
    year: YearOption = None,
    units: UnitsOption = "auto",
) -> None:
    """Project every region's budget year by year and write an Excel workbook.

    Examples: [bold]fiscal project --from 2025 --to 2030 -o korea.xlsx[/] ·
    [bold]fiscal project --scenario examples/korea-2025/scenarios/lct-30pct-2027.yaml
    --by mega-region -o lct30.xlsx[/] ·
    [bold]fiscal project --json -o out.xlsx --force | jq '.summary[0]'[/]
    """
    from fiscal import api
    from fiscal.cli import render
    from fiscal.report import terminal

    _choice(by, BY_VALUES, "--by")
    _units(units)
    _years(from_year, to_year)
    day = _date(rules_as_of, "--rules-as-of")
    _refuse_existing(output, force, rules, inputs, scenario)
    names = ["Loading the rules", "Loading the inputs", "Projecting", f"Writing {output}"]
    with render.stages(names, quiet=quiet or as_json) as step:
        step(names[0])
        as_of = ctx.with_resource(api.rules_as_of(rules, day)) if day is not None else None
        ruleset = as_of.ruleset if as_of is not None else api.load_rules(rules)
        step(names[1])
        data = api.load_inputs(inputs)
        years = api.years_for(data, from_year, to_year)
        shown, marks = _shown_years(year, years), None  # checked before any work is written
        step(names[2])
        result = api.project(ruleset, data, scenario, years)
        step(names[3])
        result.write(
            output, overwrite=force, by=by, as_of=as_of, argv=sys.argv, stamp_time=stamp_time
        )
    if as_json:
        from fiscal.cli import jsonout

        _print_json(jsonout.projection(result, result.view(by), output))
        return
    if shown is None and scenario is not None and not quiet:
        # The scenario's first changed year is the one worth reading first.
        baseline = api.project(ruleset, data, None, result.years)
        first = terminal.first_changed_year(
            baseline.projection.headline, result.projection.headline, result.years
        )
        shown = [first if first is not None else result.years[0]]
        marks = {shown[0]: terminal.FIRST_CHANGE if first is not None else terminal.NO_CHANGE}
    out = render.console()
    if not quiet:
        out.print(terminal.projection_summary(result.view(by), shown, units, marks))
        for line in terminal.projection_notes(result.projection, shown):
            out.print(line, soft_wrap=True)
    for line in terminal.affordability_lines(result.projection):
        out.print(line, soft_wrap=True)
    out.print(f"Wrote {output}", markup=False, soft_wrap=True)


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
            help=f"Compare by: {BY_HELP}.",
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
    year: YearOption = None,
    units: UnitsOption = "auto",
) -> None:
    """Project the baseline and each scenario over the same years and show the changes.

    Each table shows one year: by default the first in which the scenario changes any
    figure; --year chooses (one, a range or all). Under each: the money a pool left
    unallocated and the affordability breaches the scenario adds.

    Examples: [bold]fiscal compare examples/korea-2025/scenarios/lct-30pct-2027.yaml[/] ·
    [bold]fiscal compare examples/korea-2025/scenarios/*.yaml --by class --json -o compare.xlsx[/]
    """
    from fiscal import api
    from fiscal.cli import render

    _choice(by, BY_VALUES, "--by")
    _units(units)
    _years(from_year, to_year)
    _refuse_existing(output, force, rules, inputs, baseline, *scenarios)
    names = [f"Projecting the baseline and {len(scenarios)} scenarios", f"Writing {output}"]
    with render.stages(names, quiet=quiet or as_json) as step:
        step(names[0])
        data = api.load_inputs(inputs)
        years = api.years_for(data, from_year, to_year)
        shown = _shown_years(year, years)  # checked before any work is written
        result = api.compare(rules, data, scenarios, baseline=baseline, years=years, by=by)
        step(names[1])
        result.write(output, overwrite=force, argv=sys.argv, stamp_time=stamp_time)
    if as_json:
        from fiscal.cli import jsonout

        _print_json(jsonout.comparison(result, output))
        return
    from fiscal.report import terminal

    out = render.console()
    for compared in result.compared:
        if not quiet:
            out.print(terminal.comparison(compared, shown, units))
        for line in terminal.comparison_notes(compared, shown):
            # Unallocated money and new breaches are warnings: printed even with --quiet.
            if not quiet or "[yellow]" in line:
                out.print(line, soft_wrap=True)
    out.print(f"Wrote {output}", markup=False, soft_wrap=True)


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
    units: Annotated[
        str,
        typer.Option(
            "--units",
            help="Money in won (default: exact), million, eok (억), billion or trillion.",
            autocompletion=_complete("won", "million", "eok", "billion", "trillion"),
        ),
    ] = "won",
) -> None:
    """Show how one figure was made: formula, inputs, parameters and the apportionment.

    Then, as every command that projects: the money a pool left unallocated and the
    region-years over the affordability limit, in the projection the figure comes from.

    Examples: [bold]fiscal explain jeonnam 2026 local_shared_tax_ordinary[/] ·
    [bold]fiscal explain seoul 2027 local_consumption_tax --json[/]
    """
    from fiscal import api
    from fiscal.cli import render
    from fiscal.report import terminal

    chosen = _output_format(output_format, as_json, ("text", "json"))
    _units(units)
    found = api.explain(rules, inputs, region, year, item, scenario)
    typed = {"region": region, "item": item}
    for what, shown in found["resolved"].items():
        typer.echo(f"{what} {typed[what]}: {shown}", err=True)
    if chosen == "json":
        _print_json(found)
        return
    out = render.console()
    for part in terminal.explanation(found, units):
        out.print(part, soft_wrap=isinstance(part, str))


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
    scenario: Annotated[
        Path | None,
        typer.Option("--scenario", help="A scenario file to sweep on top of."),
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
    yes: Annotated[
        bool, typer.Option("--yes", help="Run even more than 1,000 values without asking.")
    ] = False,
    year: YearOption = None,
    units: UnitsOption = "auto",
) -> None:
    """Project many values of one parameter and compare the headline figures.

    Examples: [bold]fiscal sweep --param local_consumption_tax.vat_share --range 0.25:0.35:0.01[/] ·
    [bold]fiscal sweep --param local_shared_tax.rate --values 0.1924,0.2,0.22 --json -o rate.xlsx[/]
    """
    from rich.progress import Progress

    from fiscal import api
    from fiscal.cli import render
    from fiscal.report.sweep import parse_values

    _units(units)
    _years(from_year, to_year)
    effective = _date(start, "--from-date")
    _refuse_existing(output, force, rules, inputs)
    chosen = parse_values(values, value_range, yes=yes)
    data = api.load_inputs(inputs)
    years = api.years_for(data, from_year, to_year)
    shown, marks = _shown_years(year, years), None
    if shown is None:
        # The value takes effect in one year; before it every value projects the same.
        begins = effective.year if effective is not None else years[0]
        shown = [begins if begins in years else years[-1]]
        marks = {shown[0]: "the first year the value applies"} if begins in years else None
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
            scenario=scenario,
        )
    result.write(output, overwrite=force, argv=sys.argv, stamp_time=stamp_time)
    if as_json:
        from fiscal.cli import jsonout

        _print_json(jsonout.sweep(result, output))
        return
    if not quiet:
        from fiscal.report import terminal

        if result.scenario != "baseline":
            out.print(f"On top of the scenario: {result.scenario}", markup=False)
        out.print(
            terminal.sweep_table(
                result.parameter, result.regions, result.points, shown, units, marks
            )
        )
    out.print(f"Wrote {output}", markup=False, soft_wrap=True)


def synth(
    output: Annotated[
        Path,
        typer.Argument(
            help="Folder to create (rules/ and inputs/ inside). Inside a folder that holds "
            "a ruleset (a checkout: rules/korea), it is a second ruleset there: commands "
            "without --rules then ask which; write it beside instead (../national)."
        ),
    ],
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

    Its rules/ is a ruleset, and commands without --rules use the
    ruleset found in the current folder. Written inside a checkout,
    beside rules/korea, every such command there then stops with
    "2 rulesets in the current folder": pass --rules national/rules
    --inputs national/inputs (or --rules rules/korea), or write the
    dataset beside the checkout. The closing line says which applies.

    Examples: [bold]fiscal synth national --seed 7 --years 30[/] ·
    [bold]fiscal synth ../national[/] (plain commands keep working)
    """
    from fiscal import api

    if years < 3 or agreement_count < 0:
        raise typer.BadParameter("expected --years of at least 3 and --agreements of 0 or more")
    api.synthesize(output, seed=seed, years=years, agreements=agreement_count, overwrite=force)
    typer.echo(f"Wrote {output}/rules and {output}/inputs (seed {seed})")
    typer.echo(_after_synth(output))


def _after_synth(output: Path) -> str:
    """What to run next, and what a command without --rules here does now that
    ``output/rules`` is a ruleset: a second one below the current folder makes every
    such command stop, and a user told only "Wrote ..." would meet that unwarned."""
    from fiscal import api
    from fiscal.errors import UserError, display_path

    rules, inputs = display_path(output / "rules"), display_path(output / "inputs")
    then = f"Then: fiscal project --rules {rules} --inputs {inputs} --by consolidated"
    try:
        found = api.find_ruleset()
    except UserError as error:
        why = error.problems[0].message.split(";")[0]
        return (
            f"Commands here without --rules now stop ({why}): name one with --rules, "
            f"or write the dataset outside this folder. {then}"
        )
    if found.folder is not None and found.folder == (output / "rules").resolve():
        return (
            f"Commands here without --rules now use {rules} (and, without --inputs, the "
            f"bundled inputs, which do not fit it). {then}"
        )
    return then


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
    year: YearOption = None,
    units: UnitsOption = "auto",
) -> None:
    """List the investment agreements, or show one agreement's schedule by party and year.

    Examples: [bold]fiscal agreements[/] ·
    [bold]fiscal agreements 2025-southeast-hydrogen-corridor[/] ·
    [bold]fiscal agreements --json[/]
    """
    from fiscal import api
    from fiscal.cli import jsonout, render
    from fiscal.report import terminal

    _units(units)
    out = render.console()
    if agreement_id is None:
        schedules = api.agreements(rules)
        # --year on the list: each agreement's central money and co-funding in those years.
        every = sorted({y for s in schedules for p in s.projects for y in p.years})
        shown = _shown_years(year, every) if every and year is not None else None
        if as_json:
            _print_json(jsonout.agreements(schedules, shown))
        else:
            out.print(terminal.agreements_table(schedules, units, shown))
        return
    schedule = api.agreement(rules, agreement_id)
    if as_json:
        _print_json(jsonout.agreement(schedule))
    else:
        every = sorted({f.year for f in schedule.flows})
        shown = _shown_years(year, every) if every else None
        out.print(terminal.agreement_detail(schedule, shown, units))
