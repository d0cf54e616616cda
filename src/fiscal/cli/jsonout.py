"""What ``--json`` prints: tables as records, problems as objects, for scripts and CI.

Money stays an exact integer of won, ratios are floats, and Korean text is written as
it is (UTF-8, not ``\\uXXXX`` escapes).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fiscal.errors import Problem
from fiscal.report import tables
from fiscal.report.table import Cell, Table

if TYPE_CHECKING:
    from fiscal.api.results import (
        ComparisonResult,
        ImportPlan,
        ProjectionResult,
        SweepResult,
        Validation,
    )
    from fiscal.engine.agreements import AgreementSchedule
    from fiscal.engine.projection import Projection
    from fiscal.excel.verify import Verification
    from fiscal.report.views import View


def records(table: Table) -> list[dict[str, Cell]]:
    """One object per row, keyed by column name (the workbook's column headings)."""
    names = [column.name for column in table.columns]
    return [dict(zip(names, row, strict=True)) for row in table.rows]


def problem(found: Problem) -> dict[str, Any]:
    """A problem as an object: where (as printed), its parts, and the message."""
    where = found.where
    out: dict[str, Any] = {"where": str(where), "message": found.message}
    if where.sheet:
        out |= {"sheet": where.file, "row": where.line, "column": where.column}
    else:
        out |= {"file": where.file, "line": where.line}
    return out


def projection(result: ProjectionResult, shown: View, output: Path | None) -> dict[str, Any]:
    """``fiscal project --json``: the headline figures by unit and year, the national
    measures, each pool, and the region-years flagged as unaffordable."""
    p = result.projection
    return {
        "scenario": result.scenario,
        "years": result.years,
        "by": shown.by,
        "output": str(output) if output is not None else None,
        "summary": records(tables.view_summary(shown)),
        "national": records(tables.national(p)),
        "pools": records(tables.pools(p)),
        "affordability": records(tables.affordability(p)),
    }


def comparison(result: ComparisonResult, output: Path | None) -> dict[str, Any]:
    """``fiscal compare --json``: both sides and the change per unit and year."""
    from fiscal.report.comparison import compare_table, national_table

    return {
        "baseline": result.baseline.scenario,
        "scenarios": [s.scenario for s in result.scenarios],
        "by": result.by,
        "years": result.baseline.years,
        "output": str(output) if output is not None else None,
        "compare": records(compare_table(result.compared)),
        "national": records(national_table(result.compared)),
        # What each side left unallocated and which region-years pass the affordability
        # limit: the table of changes alone would hide both.
        "pools": _by_side(result, tables.pools),
        "affordability": _by_side(result, tables.affordability),
    }


def _by_side(
    result: ComparisonResult, table: Callable[[Projection], Table]
) -> list[dict[str, Cell]]:
    """One table's records for the baseline, then each scenario, each with its ``scenario``."""
    sides = [(result.baseline.scenario, result.baseline.projection)] + [
        (s.scenario, s.projection) for s in result.scenarios
    ]
    return [{"scenario": name, **record} for name, p in sides for record in records(table(p))]


def sweep(result: SweepResult, output: Path | None) -> dict[str, Any]:
    """``fiscal sweep --json``: per value and region, the last year's headline figures;
    per value and year, the national figures, unallocated money and regions over the
    affordability limit."""
    from fiscal.report.sweep import national_by_year, sweep_table

    return {
        "parameter": result.parameter,
        "scenario": result.scenario,
        "year": result.years[-1],
        "output": str(output) if output is not None else None,
        "points": records(sweep_table(result.points, result.regions)),
        "national": records(national_by_year(result.points)),
    }


def agreements(
    schedules: list[AgreementSchedule], years: list[int] | None = None
) -> list[dict[str, Any]]:
    """``fiscal agreements --json``: per agreement, totals by who pays and present values;
    with ``years`` (``--year``), ``by_year``: each year's central money and co-funding."""
    listed: list[dict[str, Any]] = list(records(tables.schedule_totals(schedules)))
    if years is None:
        return listed
    from fiscal.report.terminal import paid_in

    return [
        {**row, "by_year": {str(y): won for y, won in paid_in(s, years).items()}}
        for row, s in zip(listed, schedules, strict=True)
    ]


def agreement(schedule: AgreementSchedule) -> dict[str, Any]:
    """``fiscal agreements ID --json``: the totals, then every party's money by year."""
    flows = [
        {
            "project": f.project,
            "party": f.party,
            "party_kind": f.party_kind,
            "flow": f.flow,
            "year": f.year,
            "amount_krw": f.amount,
            "source": str(f.source),
        }
        for f in schedule.flows
    ]
    return {**agreements([schedule])[0], "flows": flows}


def validation(found: Validation) -> dict[str, Any]:
    """``fiscal validate --json``: ok, the counts, and every problem."""
    return {
        "ok": found.ok,
        "rules": str(found.rules_path),
        "inputs": str(found.inputs_path) if found.inputs_path is not None else None,
        "counts": found.counts() if found.ok else {},
        "problems": [problem(p) for p in found.problems],
    }


def import_plan(plan: ImportPlan, dry_run: bool) -> dict[str, Any]:
    """``fiscal import --json``: every file the import writes, changes or removes."""
    return {
        "workbook": str(plan.workbook),
        "kind": plan.result.kind,
        "root": str(plan.result.root),
        "dry_run": dry_run,
        "files": [
            {"path": str(c.path), "action": c.action, "lines": c.lines} for c in plan.changes
        ],
        "refused": [problem(p) for p in plan.refused],
    }


def verification(result: Verification) -> dict[str, Any]:
    """`fiscal verify --json`: every changed file and differing cell, values exact."""
    from fiscal.excel.verify import to_json

    return to_json(result)
