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
    _choice,
    _complete,
    _complete_from_rules,
    _date,
    _output_format,
    _print_json,
    _refuse_existing,
    _years,
)


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
    [bold]fiscal project --scenario examples/korea-2025/scenarios/lct-30pct-2027.yaml
    --by mega-region -o lct30.xlsx[/] ·
    [bold]fiscal project --json -o out.xlsx --force | jq '.summary[0]'[/]
    """
    from fiscal import api
    from fiscal.cli import render
    from fiscal.report import terminal

    _choice(by, BY_VALUES, "--by")
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
        for line in terminal.projection_notes(result.projection):
            out.print(line, soft_wrap=True)
    for line in terminal.affordability_lines(result.projection):
        out.print(line, soft_wrap=True)
    out.print(f"Wrote {output}", markup=False)


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
) -> None:
    """Project the baseline and each scenario over the same years and show the changes.

    Examples: [bold]fiscal compare examples/korea-2025/scenarios/lct-30pct-2027.yaml[/] ·
    [bold]fiscal compare examples/korea-2025/scenarios/*.yaml --by class --json -o compare.xlsx[/]
    """
    from fiscal import api
    from fiscal.cli import render

    _choice(by, BY_VALUES, "--by")
    _years(from_year, to_year)
    _refuse_existing(output, force, rules, inputs, baseline, *scenarios)
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
    from fiscal.report import terminal

    chosen = _output_format(output_format, as_json, ("text", "json"))
    found = api.explain(rules, inputs, region, year, item, scenario)
    if chosen == "json":
        _print_json(found)
        return
    out = render.console()
    for part in terminal.explanation(found):
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
) -> None:
    """Project many values of one parameter and compare the headline figures.

    Examples: [bold]fiscal sweep --param local_consumption_tax.vat_share --range 0.25:0.35:0.01[/] ·
    [bold]fiscal sweep --param local_shared_tax.rate --values 0.1924,0.2,0.22 --json -o rate.xlsx[/]
    """
    from rich.progress import Progress

    from fiscal import api
    from fiscal.cli import render
    from fiscal.report.sweep import parse_values

    _years(from_year, to_year)
    effective = _date(start, "--from-date")
    _refuse_existing(output, force, rules, inputs)
    chosen = parse_values(values, value_range, yes=yes)
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
) -> None:
    """List the investment agreements, or show one agreement's schedule by party and year.

    Examples: [bold]fiscal agreements[/] ·
    [bold]fiscal agreements 2025-southeast-hydrogen-corridor[/] ·
    [bold]fiscal agreements --json[/]
    """
    from fiscal import api
    from fiscal.cli import jsonout, render
    from fiscal.report import terminal

    out = render.console()
    if agreement_id is None:
        schedules = api.agreements(rules)
        if as_json:
            _print_json(jsonout.agreements(schedules))
        else:
            out.print(terminal.agreements_table(schedules))
        return
    schedule = api.agreement(rules, agreement_id)
    if as_json:
        _print_json(jsonout.agreement(schedule))
    else:
        out.print(terminal.agreement_detail(schedule))
