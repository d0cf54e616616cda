"""What the Python API returns: results that hold the engine's output and show it.

Each result keeps what made it (the rules, inputs and scenario file), turns its tables
into pandas DataFrames on first use (pandas is imported only then), writes the same
workbook as the command line, and shows itself in a notebook (``_repr_html_``: the
terminal's table) and in a REPL (``__repr__``: one line).
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from fiscal.engine.projection import Projection
from fiscal.errors import Problem, SourcePos, UserError
from fiscal.files.atomic import Read, reads
from fiscal.report.provenance import Provenance, collect
from fiscal.report.table import Table
from fiscal.report.views import BY_CHOICES, By, View, view
from fiscal.rules.inputs import Inputs
from fiscal.rules.loader import rule_files
from fiscal.rules.ruleset import Ruleset
from fiscal.rules.scenarios import ScenarioChange

if TYPE_CHECKING:
    import pandas as pd
    from rich.console import RenderableType

    from fiscal.excel.excel_import import ImportResult
    from fiscal.files.yaml_update import Change
    from fiscal.history.diff import DiffReport
    from fiscal.history.versions import AsOf
    from fiscal.report.comparison import Compared
    from fiscal.report.sweep import SweepPoint

PathLike = Path | str
TableName = Literal[
    "summary",
    "regions",
    "ledger",
    "parameters",
    "pools",
    "agreements",
    "agreement_totals",
    "affordability",
    "national",
]
API_COMMAND_LINE = "Python: fiscal.api"  # what a workbook written from Python records


def check_by(by: str) -> By:
    """The grouping of a view (region, upper, consolidated, mega-region, class), or a UserError."""
    if by not in BY_CHOICES:
        raise UserError(
            [Problem(SourcePos("--by"), f"expected one of {', '.join(BY_CHOICES)}, got {by!r}")]
        )
    return by


# --- output helpers --------------------------------------------------------------------------


def _frame(table: Table) -> pd.DataFrame:
    from fiscal.report.frames import frame

    return frame(table)


def _html(renderable: RenderableType) -> str:
    """A rich table as HTML for a notebook: the terminal's table, with its styles inline."""
    from rich.console import Console

    console = Console(record=True, file=io.StringIO(), width=120, force_terminal=True)
    console.print(renderable)
    return console.export_html(
        inline_styles=True,
        code_format='<pre style="font-family: monospace; line-height: 1.25">{code}</pre>',
    )


def _provenance(
    rules: Ruleset,
    inputs: Inputs,
    scenario: str,
    years: Sequence[int],
    scenario_files: Sequence[Path],
    argv: Sequence[str] | None,
    as_of: AsOf | None = None,
    *,
    stamp_time: bool = False,
    options: dict[str, str] | None = None,
    written_in: Path | None = None,
) -> Provenance:
    """What made a workbook: every rule, input and scenario file's hash, git state, command.

    The time of the run only with ``stamp_time`` (so two runs write the same bytes);
    ``options`` are recorded for ``fiscal verify`` to make the workbook again; folders
    and scenario files are named relative to ``written_in``, the workbook's folder."""
    rules_root = as_of.folder if as_of is not None else rules.root
    recorded = dict(options or {})
    if as_of is not None:
        recorded["rules as of"] = as_of.day.isoformat()
    made = collect(
        rules_root,
        [f for f in rule_files(rules_root) if f.is_file()],
        inputs.root,
        list(inputs.files),
        scenario,
        (years[0], years[-1]),
        argv=list(argv) if argv is not None else None,
        scenario_files=list(scenario_files),
        stamp_time=stamp_time,
        options=recorded,
        # What the loader read; a snapshot (as_of) is hashed from its own folder.
        rule_hashes=rules.hashes if as_of is None else None,
        input_hashes=inputs.hashes,
        written_in=written_in,
    )
    if argv is None:
        made = dataclasses.replace(made, command_line=API_COMMAND_LINE)
    return as_of.stamp(made) if as_of is not None else made


@dataclass(frozen=True, eq=False)
class ProjectionResult:
    """One projection: every region's budget, item by item, year by year, in whole won.

    ``projection`` is the engine's result (numpy arrays); ``rules`` and ``inputs`` are
    what it was projected from (before the scenario). The DataFrames are the workbook's
    sheets, built on first use.
    """

    projection: Projection
    rules: Ruleset
    inputs: Inputs
    scenario_file: Path | None = None
    # What the scenario changed, each at its file:line: the workbook's Scenario sheet.
    changes: tuple[ScenarioChange, ...] = ()

    @property
    def scenario(self) -> str:
        """``baseline``, or the scenario's title."""
        return self.projection.scenario

    @property
    def years(self) -> list[int]:
        """The projection years, first to last."""
        return self.projection.years

    @property
    def region_ids(self) -> list[str]:
        """Region ids in the ruleset's order, the order of every region axis."""
        return self.projection.region_ids

    @cached_property
    def summary(self) -> pd.DataFrame:
        """One row per year and region (then a ``TOTAL`` row per year): the headline figures.

        Columns: ``year, region, region_ko, region_en, mega_region``, the money in won
        (``total_revenue_krw``, ``own_source_krw``, ``general_grants_krw``,
        ``specific_grants_krw``, ``other_revenue_krw``, ``obligations_krw``,
        ``net_after_commitments_krw``) and ``independence_ratio`` (재정자립도),
        ``autonomy_ratio`` (재정자주도).
        """
        return self.table("summary")

    @cached_property
    def ledger(self) -> pd.DataFrame:
        """One row per region x year x item: ``scenario, region, year, item, amount_krw,
        rule, source`` (the file:line that made the figure)."""
        return self.table("ledger")

    def table(self, name: TableName) -> pd.DataFrame:
        """Any sheet of the workbook as a DataFrame: ``summary``, ``regions``, ``ledger``,
        ``parameters``, ``pools``, ``agreements``, ``agreement_totals``, ``affordability``
        or ``national``."""
        return _frame(self._table(name))

    def _table(self, name: TableName) -> Table:
        from fiscal.report import tables

        p = self.projection
        made: dict[str, Callable[[], Table]] = {
            "summary": lambda: tables.summary(p, self.rules),
            "regions": lambda: tables.regions(p, self.rules),
            "ledger": lambda: tables.ledger(p),
            "parameters": lambda: tables.parameters(p),
            "pools": lambda: tables.pools(p),
            "agreements": lambda: tables.agreements(p),
            "agreement_totals": lambda: tables.agreement_totals(p),
            "affordability": lambda: tables.affordability(p),
            "national": lambda: tables.national(p),
        }
        if name not in made:
            raise ValueError(f"unknown table {name!r}; expected one of {', '.join(made)}")
        return made[name]()

    def view(self, by: By | str = "region") -> View:
        """The headline figures by ``region``, ``mega-region`` or ``class`` (summed exactly)."""
        return view(self.projection, self.rules, check_by(by))

    def consolidated(self, by: By | str = "mega-region") -> pd.DataFrame:
        """The headline figures per mega-region or region class, as a DataFrame."""
        from fiscal.report.tables import view_summary

        return _frame(view_summary(self.view(by)))

    def provenance(
        self,
        *,
        argv: Sequence[str] | None = None,
        as_of: AsOf | None = None,
        by: By | str = "region",
        stamp_time: bool = False,
        written_in: Path | None = None,
    ) -> Provenance:
        """What made this projection: rule and input file hashes, git state, command, scenario.

        Folders and the scenario file are named relative to ``written_in`` (the folder of
        the workbook that will record them; default: the current folder)."""
        return _provenance(
            self.rules,
            self.inputs,
            self.scenario,
            self.years,
            [self.scenario_file] if self.scenario_file is not None else [],
            argv,
            as_of,
            stamp_time=stamp_time,
            options={"by": str(by)},
            written_in=written_in,
        )

    def write(
        self,
        path: PathLike,
        *,
        overwrite: bool = False,
        by: By | str = "region",
        as_of: AsOf | None = None,
        argv: Sequence[str] | None = None,
        stamp_time: bool = False,
    ) -> Path:
        """Write the projection workbook atomically; never replace a file unless ``overwrite``.

        ``by`` adds a Consolidated sheet per mega-region or class; ``as_of`` (from
        :func:`rules_as_of`) names the commit the rules were read from; ``argv`` is the
        command line the Provenance sheet records (default: that Python made it);
        ``stamp_time`` records the time of the run (else the workbook is byte-for-byte
        the same each time).
        """
        from fiscal.excel.workbook import write_book
        from fiscal.files.atomic import write_atomic
        from fiscal.report.workbooks import projection_book

        target = Path(path)
        shown = self.view(by)
        provenance = self.provenance(
            argv=argv, as_of=as_of, by=by, stamp_time=stamp_time, written_in=target.parent
        )
        read = reads(self.rules.root, self.inputs.root, [("the scenario file", self.scenario_file)])
        if as_of is not None:  # the rules were read from git into a copy; guard the original
            read.append(Read("the ruleset folder", as_of.repository / as_of.path))
        book = projection_book(self.projection, self.rules, provenance, shown, self.changes)
        write_atomic(
            target,
            lambda temp: write_book(temp, book),
            overwrite=overwrite,
            read=read,
        )
        return target

    def rich(self, by: By | str = "region") -> RenderableType:
        """What ``fiscal project`` prints: the summary table, then the pools left
        unallocated, the national line and the affordability breaches."""
        from fiscal.report import terminal

        return terminal.projection_report(self.projection, self.view(by))

    def __repr__(self) -> str:
        years = self.years
        span = f"{years[0]}-{years[-1]}" if years else "no years"
        return (
            f"<ProjectionResult {self.scenario}: {len(self.region_ids)} regions, {span}, "
            f"{len(self.projection.amounts)} budget items>"
        )

    def _repr_html_(self) -> str:
        return _html(self.rich())


@dataclass(frozen=True, eq=False)
class ComparisonResult:
    """A baseline and scenarios projected over the same years, compared unit by unit."""

    baseline: ProjectionResult
    scenarios: list[ProjectionResult]
    compared: list[Compared]
    by: By

    @cached_property
    def table(self) -> pd.DataFrame:
        """Per scenario, unit and year: each headline figure in both, and the change."""
        from fiscal.report.comparison import compare_table

        return _frame(compare_table(self.compared))

    @cached_property
    def national(self) -> pd.DataFrame:
        """Per scenario and year: the national:local tax ratio and disparity in both."""
        from fiscal.report.comparison import national_table

        return _frame(national_table(self.compared))

    def write(
        self,
        path: PathLike,
        *,
        overwrite: bool = False,
        argv: Sequence[str] | None = None,
        stamp_time: bool = False,
    ) -> Path:
        """Write the comparison workbook (Compare with charts, Compare national, Provenance)."""
        from fiscal.excel.workbook import write_book
        from fiscal.files.atomic import write_atomic
        from fiscal.report.workbooks import comparison_book

        base = self.baseline
        files = [s.scenario_file for s in (*self.scenarios, base) if s.scenario_file is not None]
        names = ", ".join(s.scenario for s in self.scenarios)
        provenance = _provenance(
            base.rules,
            base.inputs,
            f"{names} vs {base.scenario}",
            base.years,
            files,
            argv,
            stamp_time=stamp_time,
            options={"by": str(self.by)},
            written_in=Path(path).parent,
        )
        target = Path(path)
        book = comparison_book(self.compared, provenance)
        write_atomic(
            target,
            lambda temp: write_book(temp, book),
            overwrite=overwrite,
            read=reads(base.rules.root, base.inputs.root, [("a scenario file", f) for f in files]),
        )
        return target

    def rich(self) -> list[RenderableType]:
        """What ``fiscal compare`` prints: per scenario its table, then what each side
        left unallocated, the affordability breaches it adds, and its national line."""
        from rich.text import Text

        from fiscal.report import terminal

        out: list[RenderableType] = []
        for compared in self.compared:
            out.append(terminal.comparison(compared))
            out += [Text.from_markup(line) for line in terminal.comparison_notes(compared)]
        return out

    def __repr__(self) -> str:
        names = ", ".join(s.scenario for s in self.scenarios)
        return f"<ComparisonResult {names} against {self.baseline.scenario}, by {self.by}>"

    def _repr_html_(self) -> str:
        from rich.console import Group

        return _html(Group(*self.rich()))


@dataclass(frozen=True, eq=False)
class SweepResult:
    """One parameter set to many values: the last year's headline figures under each."""

    parameter: str
    points: list[SweepPoint]
    rules: Ruleset
    inputs: Inputs
    years: list[int]
    scenario: str = "baseline"  # the scenario swept on top of, by its title
    scenario_file: Path | None = None

    @property
    def regions(self) -> list[tuple[str, str]]:
        """Each region's id and English name, in the ruleset's order."""
        return [(r.id, r.name.en) for r in self.rules.regions]

    @cached_property
    def table(self) -> pd.DataFrame:
        """One row per value and region (last year)."""
        from fiscal.report.sweep import sweep_table

        return _frame(sweep_table(self.points, self.regions))

    def write(
        self,
        path: PathLike,
        *,
        overwrite: bool = False,
        argv: Sequence[str] | None = None,
        stamp_time: bool = False,
    ) -> Path:
        """Write the sweep workbook (a row per value and region, a chart, Provenance)."""
        from fiscal.excel.workbook import write_book
        from fiscal.files.atomic import write_atomic
        from fiscal.report.workbooks import sweep_book

        provenance = _provenance(
            self.rules,
            self.inputs,
            f"sweep {self.parameter}"
            + (f" on {self.scenario}" if self.scenario_file is not None else ""),
            self.years,
            [self.scenario_file] if self.scenario_file is not None else [],
            argv,
            stamp_time=stamp_time,
            written_in=Path(path).parent,
        )
        target = Path(path)
        book = sweep_book(self.parameter, self.regions, self.points, provenance)
        write_atomic(
            target,
            lambda temp: write_book(temp, book),
            overwrite=overwrite,
            read=reads(
                self.rules.root, self.inputs.root, [("the scenario file", self.scenario_file)]
            ),
        )
        return target

    def rich(self) -> RenderableType:
        """The sweep as a terminal table: per value, national revenue, 재정자립도 and tax ratio."""
        from fiscal.report import terminal

        return terminal.sweep_table(self.parameter, self.regions, self.points)

    def __repr__(self) -> str:
        return f"<SweepResult {self.parameter}: {len(self.points)} values, {self.years[-1]}>"

    def _repr_html_(self) -> str:
        return _html(self.rich())


@dataclass(frozen=True)
class Validation:
    """What ``fiscal validate`` found: every problem, or the counts of a sound ruleset."""

    rules_path: Path
    inputs_path: Path | None
    ruleset: Ruleset | None
    inputs: Inputs | None
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the rules and inputs loaded without a single problem."""
        return not self.problems

    def counts(self) -> dict[str, int]:
        """How much loaded: regions, parameters, dated values, rules, agreements, items, inputs."""
        out: dict[str, int] = {}
        if self.ruleset is not None:
            r = self.ruleset
            out |= {
                "regions": len(r.regions),
                "parameters": len(r.parameters),
                "dated_values": sum(len(p.values) for p in r.parameters.values()),
                "rules": len(r.rules),
                "agreements": len(r.agreements),
                "budget_items": len(r.items),
            }
        if self.inputs is not None:
            out |= {
                "national_series": len(self.inputs.national),
                "indicators": len(self.inputs.regional),
            }
        return out

    def summary(self) -> str:
        """The one line ``fiscal validate`` prints for a sound ruleset."""
        c = self.counts()
        line = (
            f"OK: {self.rules_path} — {c['regions']} regions, {c['parameters']} parameters "
            f"({c['dated_values']} dated values), {c['rules']} rules, {c['agreements']} "
            f"agreements, {c['budget_items']} budget items"
        )
        if self.inputs is not None:
            line += (
                f"; inputs: {c['national_series']} national series, {c['indicators']} indicators"
            )
        return line


@dataclass(frozen=True, eq=False)
class RuleDiff:
    """Two versions of the rules: what changed (by id, file:line on both sides) and what
    it does to each region's money, in total and change by change."""

    report: DiffReport
    read: tuple[Read, ...] = ()  # the folders the two versions and the inputs came from

    @property
    def changed(self) -> bool:
        """Whether any rule object differs between the two versions."""
        return self.report.changed

    @cached_property
    def changes(self) -> pd.DataFrame:
        """One row per change: object, field, effective date, old and new, both file:lines."""
        from fiscal.history.report import changes_table

        return _frame(changes_table(self.report))

    @cached_property
    def impact(self) -> pd.DataFrame:
        """New minus old, national and by region and year (empty when nothing changed)."""
        from fiscal.history.report import impact_table

        return _frame(impact_table(self.report))

    @cached_property
    def attribution(self) -> pd.DataFrame:
        """Each change applied alone to the old rules, and the interaction of the changes."""
        from fiscal.history.report import attribution_table

        return _frame(attribution_table(self.report))

    def to_markdown(self, top: int = 15) -> str:
        """The pull-request review comment (``fiscal diff --format markdown``)."""
        from fiscal.history.report import to_markdown

        return to_markdown(self.report, top)

    def to_json(self) -> str:
        """Every change and impact row, exact numbers (``fiscal diff --format json``)."""
        from fiscal.history.report import to_json

        return to_json(self.report)

    def rich(self, top: int = 15) -> list[RenderableType]:
        """The diff as terminal tables: changes, national impact, the ``top`` largest changes."""
        from fiscal.history.report import to_rich

        return to_rich(self.report, top)

    def write(self, path: PathLike, *, overwrite: bool = False) -> Path:
        """The diff workbook: Changes, Impact, Attribution, Provenance of both versions."""
        from fiscal.excel.workbook import write_book
        from fiscal.files.atomic import write_atomic
        from fiscal.history.report import diff_book

        target = Path(path)
        book = diff_book(self.report)
        write_atomic(
            target,
            lambda temp: write_book(temp, book),
            overwrite=overwrite,
            read=self.read,
        )
        return target

    def __repr__(self) -> str:
        r = self.report
        return (
            f"<RuleDiff {r.old.ref.label} -> {r.new.ref.label}: "
            f"{len(r.changes)} change{'s' if len(r.changes) != 1 else ''}>"
        )

    def _repr_markdown_(self) -> str:
        return self.to_markdown()


@dataclass(frozen=True)
class ImportPlan:
    """What importing a filled-in template would write, and what it would refuse."""

    workbook: Path
    result: ImportResult
    changes: list[Change]
    refused: list[Problem]  # files with uncommitted changes or not tracked by git
    read: list[Read] = field(default_factory=list)  # what the import read: never written

    def summary(self) -> list[str]:
        """One line of counts, then one line per file that changes."""
        from fiscal.files.yaml_update import summary

        return summary(self.changes)

    def apply(self) -> None:
        """Write every changed file atomically; refuse all if any file is unsafe to replace."""
        from fiscal.files.yaml_update import apply

        if self.refused:
            raise UserError(self.refused)
        apply(self.changes, self.result.root, self.read)
