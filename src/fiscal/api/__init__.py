"""The Python API: what the command line calls, and what a notebook or a script can call.

::

    import fiscal

    rules = fiscal.load_rules()                  # the bundled Korean ruleset
    inputs = fiscal.load_inputs()                # the bundled 2025 inputs
    result = fiscal.project(rules, inputs, scenario="scenarios/lct-30pct-2027.yaml")
    result.summary                               # pandas DataFrame: region x year
    result.ledger                                # every figure with its rule and file:line
    result.write("korea.xlsx")                   # the same workbook as `fiscal project`
    fiscal.diff("HEAD~1", "HEAD", rules="rules/korea").changes

Every ``fiscal`` command is one or two calls of this module followed by printing, so
what the command line can do, Python can do too. Each function raises
:class:`fiscal.errors.UserError` listing every problem when the rules, inputs or
scenario are wrong (``err.problems``: file:line and message each). DataFrames are built
on first use, and pandas is imported only then.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from fiscal.api.results import (
    ComparisonResult,
    ImportPlan,
    PathLike,
    ProjectionResult,
    RuleDiff,
    SweepResult,
    Validation,
    check_by,
)
from fiscal.engine.agreement_items import agreement_schedules
from fiscal.engine.agreements import AgreementSchedule
from fiscal.engine.projection import project as _project
from fiscal.errors import Problem, SourcePos, UserError
from fiscal.files.bundled import bundled_folder, default_inputs, default_rules
from fiscal.files.discover import Found
from fiscal.report.views import By
from fiscal.rules.input_checks import projection_problems, year_problems
from fiscal.rules.input_files import check_inputs
from fiscal.rules.input_files import load_inputs as _load_inputs
from fiscal.rules.inputs import Inputs
from fiscal.rules.loader import check_ruleset, load_ruleset
from fiscal.rules.names import did_you_mean
from fiscal.rules.ruleset import Ruleset
from fiscal.rules.scenarios import Scenario, apply_scenario, read_scenario, scenario_changes

if TYPE_CHECKING:
    from fiscal.excel.verify import Verification
    from fiscal.history.log import History
    from fiscal.history.versions import AsOf

__all__ = [
    "ComparisonResult",
    "ImportPlan",
    "ProjectionResult",
    "RuleDiff",
    "SweepResult",
    "UserError",
    "Validation",
    "agreement",
    "agreements",
    "bundled_folder",
    "compare",
    "default_inputs",
    "default_rules",
    "diff",
    "explain",
    "find_ruleset",
    "history",
    "load_inputs",
    "load_rules",
    "plan_import",
    "project",
    "rules_as_of",
    "sweep",
    "synthesize",
    "validate",
    "verify",
    "with_scenario",
    "write_template",
    "years_for",
]

RulesArg = Ruleset | PathLike | None
InputsArg = Inputs | PathLike | None
ScenarioArg = Scenario | PathLike | None


# --- loading ---------------------------------------------------------------------------------


def load_rules(path: PathLike | None = None) -> Ruleset:
    """Load and check a ruleset folder (default: the bundled Korean ruleset)."""
    return load_ruleset(Path(path) if path is not None else default_rules())


def load_inputs(path: PathLike | None = None) -> Inputs:
    """Load and check an inputs folder (default: the bundled ``examples/korea-2025``)."""
    return _load_inputs(Path(path) if path is not None else default_inputs())


def find_ruleset(start: PathLike | None = None) -> Found:
    """The ruleset folder in or below ``start`` (default: the current folder), the one the
    command line uses when no ``--rules`` is named; ``found.folder`` is None when there is
    none. Several below are a UserError naming each (:mod:`fiscal.files.discover`)."""
    from fiscal.files.discover import find_ruleset as find

    return find(Path(start) if start is not None else None)


def _rules(rules: RulesArg) -> Ruleset:
    return rules if isinstance(rules, Ruleset) else load_rules(rules)


def _inputs(inputs: InputsArg) -> Inputs:
    return inputs if isinstance(inputs, Inputs) else load_inputs(inputs)


@contextmanager
def rules_as_of(path: PathLike | None, day: date | str) -> Iterator[AsOf]:
    """The rules as committed by the end of ``day`` (first parents of HEAD), for one block.

    The committed files are read from git into a temporary folder that lives as long
    as the block; pass the yielded value's ``ruleset`` to :func:`project` and the value
    itself to :meth:`ProjectionResult.write`, so the workbook names the commit.
    """
    from fiscal.history.versions import rules_as_of as committed

    when = _day(day, "--rules-as-of")
    with committed(Path(path) if path is not None else default_rules(), when) as as_of:
        yield as_of


def _day(day: date | str, what: str) -> date:
    if isinstance(day, date):
        return day
    try:
        return date.fromisoformat(day)
    except ValueError:
        raise UserError(
            [Problem(SourcePos(what), f"expected a date YYYY-MM-DD, got {day!r}")]
        ) from None


def years_for(inputs: Inputs, first: int | None = None, last: int | None = None) -> list[int]:
    """The projection years: the inputs' span unless given; a reversed range is an error."""
    start = first if first is not None else inputs.first_year()
    end = last if last is not None else inputs.last_year()
    if start > end:
        raise UserError(
            [Problem(SourcePos("--from"), f"first year {start} is after the last {end}")]
        )
    if problems := year_problems(inputs, start, end):
        raise UserError(problems)  # before a range of 99,999 years is even made
    return list(range(start, end + 1))


def with_scenario(
    rules: Ruleset,
    inputs: Inputs,
    scenario: ScenarioArg,
    years: Sequence[int],
) -> tuple[Ruleset, Inputs, str]:
    """The rules and inputs as a scenario has them, and the scenario's title.

    Output names a scenario by its title (``Local consumption tax at 30% of VAT from
    2027``), as its author wrote it; the Provenance sheet keeps the file too."""
    if scenario is None:
        return rules, inputs, "baseline"
    if not isinstance(scenario, Scenario):
        scenario = read_scenario(Path(scenario))
    changed_rules, changed_inputs = apply_scenario(scenario, rules, inputs, list(years))
    return changed_rules, changed_inputs, scenario.title


# --- projection ------------------------------------------------------------------------------


def project(
    rules: RulesArg = None,
    inputs: InputsArg = None,
    scenario: ScenarioArg = None,
    years: Sequence[int] | None = None,
) -> ProjectionResult:
    """Project every region's budget, under a scenario if one is given.

    ``rules`` and ``inputs`` are loaded objects or folders (default: the bundled ones);
    ``scenario`` a scenario file (or a loaded :class:`~fiscal.rules.scenarios.Scenario`);
    ``years`` any sequence such as ``range(2025, 2031)`` (default: the inputs' years).
    """
    ruleset, data = _rules(rules), _inputs(inputs)
    chosen = list(years) if years is not None else years_for(data)
    if scenario is not None and not isinstance(scenario, Scenario):
        scenario = read_scenario(Path(scenario))
    changed_rules, changed_inputs, name = with_scenario(ruleset, data, scenario, chosen)
    changes = (
        scenario_changes(scenario, (ruleset, data), (changed_rules, changed_inputs))
        if scenario is not None
        else ()
    )
    return ProjectionResult(
        _project(changed_rules, changed_inputs, chosen, scenario=name),
        ruleset,
        data,
        scenario.path if scenario is not None else None,
        changes,
    )


# --- comparison ------------------------------------------------------------------------------


def compare(
    rules: RulesArg,
    inputs: InputsArg,
    scenarios: Sequence[ScenarioArg],
    *,
    baseline: ScenarioArg = None,
    years: Sequence[int] | None = None,
    by: By | str = "region",
) -> ComparisonResult:
    """Project the baseline (the rules as they are, or a scenario) and each scenario."""
    from fiscal.report.comparison import Compared

    chosen_by = check_by(by)
    ruleset, data = _rules(rules), _inputs(inputs)
    chosen = list(years) if years is not None else years_for(data)
    base = project(ruleset, data, baseline, chosen)
    base_view = base.view(chosen_by)
    results = [project(ruleset, data, s, chosen) for s in scenarios]
    compared = [
        Compared(base_view, r.view(chosen_by), base.projection, r.projection) for r in results
    ]
    return ComparisonResult(base, results, compared, chosen_by)


# --- explain ---------------------------------------------------------------------------------


def explain(
    rules: RulesArg,
    inputs: InputsArg,
    region: str,
    year: int,
    item: str,
    scenario: ScenarioArg = None,
) -> dict[str, Any]:
    """How one figure was made: formula, inputs, parameters and the apportionment step.

    Plain data (JSON-ready): every number with the file:line it comes from, down to the
    national bases. ``year`` may lie past the inputs' last year (series grow as stated).
    """
    from fiscal.report import terminal
    from fiscal.report.explain import explain as explain_figure

    ruleset, data = _rules(rules), _inputs(inputs)
    years = years_for(data, None, max(year, data.last_year()))
    changed_rules, changed_inputs, name = with_scenario(ruleset, data, scenario, years)
    projection = _project(changed_rules, changed_inputs, years, scenario=name)
    found = explain_figure(projection, changed_rules, changed_inputs, region, year, item)
    # What the projection explained left undone, as every projecting command says: a
    # figure read alone would hide 22 trn of a pool no region received, or a breach.
    found["pool_count"] = len(projection.pools)
    found["unallocated"] = terminal.unallocated_records(projection)
    found["affordability_breaches"] = terminal.breach_records(projection)
    return found


# --- sweep -----------------------------------------------------------------------------------


def sweep(
    rules: RulesArg,
    inputs: InputsArg,
    parameter: str,
    values: Sequence[Decimal | int | float | str],
    *,
    years: Sequence[int] | None = None,
    start: date | str | None = None,
    workers: int = 1,
    progress: Callable[[], None] | None = None,
    scenario: ScenarioArg = None,
) -> SweepResult:
    """Project each value of one parameter (in force from ``start``, default 1 January of
    the first year) and keep the last year's headline figures per region; on top of
    ``scenario`` when one is given (the swept value overrides the scenario's own)."""
    from fiscal.report.sweep import sweep as run_sweep

    ruleset, data = _rules(rules), _inputs(inputs)
    chosen = list(years) if years is not None else years_for(data)
    effective = _day(start, "--from-date") if start is not None else date(chosen[0], 1, 1)
    numbers = [_decimal(v) for v in values]
    if scenario is not None and not isinstance(scenario, Scenario):
        scenario = read_scenario(Path(scenario))
    changed_rules, changed_inputs, name = with_scenario(ruleset, data, scenario, chosen)
    points = list(
        run_sweep(
            changed_rules, changed_inputs, chosen, parameter, numbers, effective,
            workers=workers, progress=progress,
        )
    )  # fmt: skip
    file = scenario.path if scenario is not None else None
    return SweepResult(parameter, points, ruleset, data, chosen, name, file)


def _decimal(value: Decimal | int | float | str) -> Decimal:
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        raise UserError([Problem(SourcePos("--values"), f"{value!r} is not a number")]) from None


# --- agreements ------------------------------------------------------------------------------


def agreements(rules: RulesArg = None) -> list[AgreementSchedule]:
    """Every investment agreement's schedule over its own years, by project, party and year."""
    return agreement_schedules(_rules(rules))


def agreement(rules: RulesArg, agreement_id: str) -> AgreementSchedule:
    """One agreement's schedule; a UserError names the known ids if there is no such one."""
    ruleset = _rules(rules)
    schedules = agreement_schedules(ruleset)
    for schedule in schedules:
        if schedule.agreement.id == agreement_id:
            return schedule
    known = [s.agreement.id for s in schedules]
    # The nearest ids when there are some; the whole list only when none is near.
    hint = did_you_mean(agreement_id, known) or f"; known: {', '.join(known)}"
    raise UserError(
        [
            Problem(
                SourcePos.of(ruleset.root / "agreements"),
                f"unknown agreement {agreement_id!r}{hint}",
            )
        ]
    )


# --- validation ------------------------------------------------------------------------------


def validate(rules: PathLike | None = None, inputs: PathLike | None = None) -> Validation:
    """Check a ruleset folder (and an inputs folder if given); collect every problem."""
    root = Path(rules) if rules is not None else default_rules()
    ruleset, found = check_ruleset(root)
    data = None
    inputs_root = Path(inputs) if inputs is not None else None
    if inputs_root is not None:
        data, more = check_inputs(inputs_root)
        found = found + more
        if ruleset is not None and data is not None and not found:
            # Only on rules and inputs that loaded whole: a file that could not be read
            # would show again as every series or indicator it holds missing, and a
            # parameter file that did not load leaves rules the engine cannot run.
            found = found + _trial_problems(ruleset, data, found)
    return Validation(root, inputs_root, ruleset, data, sorted(found, key=Problem.sort_key))


def _trial_problems(ruleset: Ruleset, data: Inputs, known: list[Problem]) -> list[Problem]:
    """What ``fiscal project`` would refuse: the very checks it runs, not a list beside them.

    The gate a projection passes first is run over the inputs' whole span (growth past
    the largest amount, zero divisors); then the rules are run on the first input year,
    so every link between the rules and the inputs (an indicator or a national series
    the rules need, the regions each gives) is tested as a projection tests it.
    Problems already found are not repeated.
    """
    found: list[Problem] = []
    try:
        years = years_for(data)
        found += projection_problems(ruleset, data, years)
        _project(ruleset, data, years[:1])
    except UserError as exc:
        found += exc.problems
    seen = {(p.where, p.message) for p in known}
    fresh: list[Problem] = []
    for problem in found:
        if (problem.where, problem.message) not in seen:
            seen.add((problem.where, problem.message))
            fresh.append(problem)
    return fresh


# --- rule history ----------------------------------------------------------------------------


def diff(
    old: PathLike | None = None,
    new: PathLike | None = None,
    *,
    rules: PathLike | None = None,
    inputs: PathLike | None = None,
    as_of: date | str | None = None,
    first_year: int | None = None,
    last_year: int | None = None,
    impact: bool = True,
    stamp_time: bool = False,
) -> RuleDiff:
    """Compare two versions of the ruleset folder ``rules`` (default: the bundled one).

    ``old`` and ``new`` are git revisions (``"HEAD~1"``, a branch, a tag), ``"WORKTREE"``
    (the files on disk) or folders; default ``HEAD`` against ``WORKTREE``. ``as_of``
    takes as old the rules committed by the end of that day. Versions are read from git
    without a checkout. Unless ``impact`` is false, both are projected with the same
    inputs from ``first_year`` to ``last_year`` (default: the inputs' years). The time
    of the run is recorded only with ``stamp_time``.
    """
    from fiscal.files.atomic import reads
    from fiscal.history.diff import build_diff

    rules_root = Path(rules) if rules is not None else default_rules()
    inputs_root = Path(inputs) if inputs is not None else default_inputs()
    folders = [("a version compared", Path(v)) for v in (old, new) if v and Path(v).is_dir()]
    return RuleDiff(
        build_diff(
            rules_root,
            inputs_root,
            str(old) if old is not None else None,
            str(new) if new is not None else None,
            as_of=_day(as_of, "--rules-as-of") if as_of is not None else None,
            first_year=first_year,
            last_year=last_year,
            impact=impact,
            stamp_time=stamp_time,
        ),
        tuple(reads(rules_root, inputs_root, folders)),
    )


def history(ident: str, rules: PathLike | None = None) -> History:
    """Every change of one parameter (by path) or agreement (by id) across the git log,
    then any uncommitted change."""
    from fiscal.history.log import object_history

    return object_history(Path(rules) if rules is not None else default_rules(), ident)


def verify(
    workbook: PathLike, *, rules: PathLike | None = None, inputs: PathLike | None = None
) -> Verification:
    """Make a projection workbook again from the provenance it records and compare it.

    ``rules`` and ``inputs`` replace the folders the workbook records (files moved).
    The result names every rule, input or scenario file whose SHA-256 no longer matches
    and every cell that differs (``Sheet!Cell``); ``result.matches`` is the verdict.
    """
    from fiscal.excel.verify import verify as run

    return run(
        Path(workbook),
        Path(rules) if rules is not None else None,
        Path(inputs) if inputs is not None else None,
    )


# --- templates and import --------------------------------------------------------------------


def write_template(
    kind: Literal["agreements", "inputs"],
    path: PathLike,
    *,
    rules: PathLike | None = None,
    inputs: PathLike | None = None,
    prefill: bool = False,
    overwrite: bool = False,
    stamp_time: bool = False,
) -> Path:
    """Write an Excel template for staff to fill in (``prefill``: with what is there now).

    The document is dated now only with ``stamp_time``: the same template, the same bytes.
    """
    from fiscal.excel.template import build_template
    from fiscal.excel.template import write_template as write_book
    from fiscal.files.atomic import reads, write_atomic
    from fiscal.report.provenance import document_time, run_time

    if kind not in ("agreements", "inputs"):
        raise UserError([Problem(SourcePos("KIND"), "expected agreements or inputs")])
    rules_root = Path(rules) if rules is not None else default_rules()
    inputs_root = Path(inputs) if inputs is not None else default_inputs()
    made = build_template(kind, rules_root, inputs_root, prefill)
    target = Path(path)
    created = run_time(True) if stamp_time else None
    write_atomic(
        target,
        lambda temp: write_book(temp, made, document_time(created) if created else None),
        overwrite=overwrite,
        read=reads(rules_root, inputs_root),
    )
    return target


def plan_import(
    workbook: PathLike,
    *,
    rules: PathLike | None = None,
    inputs: PathLike | None = None,
    force: bool = False,
) -> ImportPlan:
    """Check a filled-in template cell by cell (UserError lists every Sheet!Cell problem)
    and plan the YAML it becomes. ``force`` allows replacing files git does not have.

    ``rules`` and ``inputs`` default to the folders the template was made from (its
    hidden sheet records them); an import never writes the bundled ruleset or inputs."""
    from fiscal.excel.excel_import import import_workbook
    from fiscal.files.atomic import reads
    from fiscal.files.yaml_update import plan, unsafe

    book = Path(workbook)
    result = import_workbook(
        book,
        Path(rules) if rules is not None else None,
        Path(inputs) if inputs is not None else None,
    )
    changes = plan(result.files)
    # An import writes rule or input files by design, but never the workbook it reads, and
    # an inputs import never a rule file (it reads the ruleset for its regions).
    read = reads(
        result.rules_root if result.kind == "inputs" else None,
        files=[("the workbook being imported", book)],
    )
    return ImportPlan(book, result, changes, [] if force else unsafe(changes), read)


# --- a synthetic national dataset ------------------------------------------------------------


def synthesize(
    folder: PathLike,
    *,
    seed: int = 1,
    years: int = 30,
    agreements: int = 5000,
    overwrite: bool = False,
) -> Path:
    """Write a synthetic national dataset into ``folder`` (``rules/`` and ``inputs/``):
    243 governments in two tiers and many agreements; the same seed gives the same bytes.

    The folder is built in a hidden sibling and moved in only when complete, so a failed
    or interrupted run leaves nothing half-written; an existing folder is replaced only
    with ``overwrite``, and never the bundled folders the dataset is made from.
    """
    from fiscal.datasets.synth import synthesize as write_dataset
    from fiscal.files.atomic import reads, write_folder_atomic

    target = Path(folder)
    write_folder_atomic(
        target,
        lambda made: write_dataset(made, seed=seed, years=years, agreements=agreements),
        overwrite=overwrite,
        read=reads(default_rules(), default_inputs()),
    )
    return target
