"""Sweeps: one parameter set to many values, each projected, summarised as it goes.

A sweep keeps only a small summary per value (headline figures per region for the
last year and the national tax ratio), never whole ledgers, so thousands of values
stay within memory. With more than one worker the values are projected in separate
processes; results come back in the order of the values.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import date
from decimal import Decimal, InvalidOperation

import numpy as np

from fiscal.engine.money import FloatArray, Int64Array
from fiscal.engine.projection import project
from fiscal.errors import Problem, SourcePos, UserError
from fiscal.report.table import Cell, Column, Table
from fiscal.rules.checks import check_parameter_value
from fiscal.rules.inputs import Inputs
from fiscal.rules.models import ParameterValue
from fiscal.rules.ruleset import Ruleset
from fiscal.rules.types import Status


@dataclasses.dataclass(frozen=True)
class SweepPoint:
    """The last projection year under one value of the swept parameter."""

    value: Decimal
    year: int
    total_revenue: Int64Array  # regions
    own_source: Int64Array
    general_grants: Int64Array
    independence: FloatArray
    autonomy: FloatArray
    local_tax_share: float
    # Every year, nationally: small enough to keep for thousands of values, and what the
    # terminal table shows for the year asked for (--year).
    years: tuple[int, ...]
    national_total_revenue: Int64Array  # years
    national_own_source: Int64Array
    national_general_grants: Int64Array
    local_tax_shares: FloatArray  # years
    unallocated: Int64Array  # years: pool money no region received, all pools
    flagged: Int64Array  # years: regions over the affordability limit


MAX_UNASKED = 1_000
"""More values than this are each a projection the user may not have meant: ask first."""
MAX_VALUES = 100_000
"""More than this is refused even when asked: the list alone would take the machine."""


def parse_values(values: str | None, span: str | None, *, yes: bool = False) -> list[Decimal]:
    """``0.25,0.27`` or ``START:STOP:STEP`` (STOP included when the steps land on it).

    Above :data:`MAX_UNASKED` values a sweep runs only with ``yes`` (``--yes``), so a
    step typed one digit too fine (``0:1:0.0001``) asks before starting 10,001 projections.
    """
    if (values is None) == (span is None):
        raise UserError([Problem(SourcePos("--values"), "give --values or --range (one of them)")])
    try:
        if values is not None:
            out = [Decimal(v.strip()) for v in values.split(",") if v.strip()]
        else:
            assert span is not None
            start, stop, step = (Decimal(p) for p in span.split(":"))
            if step <= 0:
                raise UserError([Problem(SourcePos("--range"), "STEP must be positive")])
            count = int((stop - start) / step)
            _check_count(count + 1, "--range", yes)
            out = [start + step * i for i in range(count + 1)]
    except (InvalidOperation, ValueError):
        where = "--values" if values is not None else "--range"
        raise UserError(
            [Problem(SourcePos(where), "expected numbers such as 0.25,0.27 or 0.20:0.30:0.01")]
        ) from None
    if not out:
        raise UserError([Problem(SourcePos("--values"), "no values to sweep")])
    _check_count(len(out), "--values" if values is not None else "--range", yes)
    return out


def _check_count(count: int, where: str, yes: bool) -> None:
    if count > MAX_VALUES:
        raise UserError(
            [
                Problem(
                    SourcePos(where),
                    f"{count:,} values to sweep; at most {MAX_VALUES:,}: use a larger STEP",
                )
            ]
        )
    if count > MAX_UNASKED and not yes:
        raise UserError(
            [
                Problem(
                    SourcePos(where),
                    f"{count:,} values to sweep, one projection each (more than "
                    f"{MAX_UNASKED:,}); add --yes to run them all, or use a larger STEP",
                )
            ]
        )


def with_value(ruleset: Ruleset, path: str, value: Decimal, start: date) -> Ruleset:
    """The ruleset with ``path`` set to ``value`` from ``start`` on (checked as in a file)."""
    parameter = ruleset.parameters.get(path)
    where = SourcePos("--param")
    if parameter is None:
        raise UserError([Problem(where, f"unknown parameter {path!r}")])
    if parameter.breakdown != "scalar":
        raise UserError([Problem(where, f"{path!r} has a {parameter.breakdown} breakdown; "
                                 "a sweep sets one number")])  # fmt: skip
    override = ParameterValue(
        effective=start,
        value=value,
        reference=f"sweep {path} = {value}",
        status=Status.illustrative,
    ).located(SourcePos(f"sweep {path}={value}"))
    found = check_parameter_value(parameter, override, ruleset)
    if found:
        raise UserError([Problem(where, f"{path} = {value}: {message}") for message in found])
    values = [v for v in parameter.values if v.effective < start] + [override]
    changed = parameter.model_copy(update={"values": tuple(values)}).located(parameter.source)
    return dataclasses.replace(ruleset, parameters={**ruleset.parameters, path: changed})


def _point(args: tuple[Ruleset, Inputs, list[int], str, Decimal, date]) -> SweepPoint:
    ruleset, inputs, years, path, value, start = args
    projection = project(
        with_value(ruleset, path, value, start), inputs, years, scenario=f"{value}"
    )
    head = projection.headline
    measures = projection.measures
    return SweepPoint(
        value=value,
        year=years[-1],
        total_revenue=head.total_revenue[:, -1].copy(),
        own_source=head.own_source[:, -1].copy(),
        general_grants=head.general_grants[:, -1].copy(),
        independence=head.independence[:, -1].copy(),
        autonomy=head.autonomy[:, -1].copy(),
        local_tax_share=float(measures.local_tax_share[-1]) if measures else 0.0,
        years=tuple(years),
        national_total_revenue=head.total_revenue.sum(axis=0),
        national_own_source=head.own_source.sum(axis=0),
        national_general_grants=head.general_grants.sum(axis=0),
        local_tax_shares=(
            measures.local_tax_share.astype(np.float64).copy()
            if measures
            else np.zeros(len(years), dtype=np.float64)
        ),
        unallocated=sum(
            (pool.unallocated for pool in projection.pools),
            start=np.zeros(len(years), dtype=np.int64),
        ),
        flagged=(
            projection.affordability.flagged.sum(axis=0).astype(np.int64)
            if projection.affordability is not None
            else np.zeros(len(years), dtype=np.int64)
        ),
    )


def sweep(
    ruleset: Ruleset,
    inputs: Inputs,
    years: Sequence[int],
    path: str,
    values: Sequence[Decimal],
    start: date,
    workers: int = 1,
    progress: Callable[[], None] | None = None,
) -> Iterator[SweepPoint]:
    """Project each value and yield its summary, in the order of ``values``."""
    for value in values:  # check every value before projecting any
        with_value(ruleset, path, value, start)
    jobs = [(ruleset, inputs, list(years), path, v, start) for v in values]
    if workers <= 1 or len(jobs) < 8:
        for job in jobs:
            yield _point(job)
            if progress:
                progress()
        return
    # The first value runs here: it warms the agreement-schedule cache, which forked
    # workers then inherit along with the rules and inputs, so no job pickles a
    # ruleset of thousands of agreements. Without fork, each job carries its data.
    yield _point(jobs[0])
    if progress:
        progress()
    rest = jobs[1:]
    chunk = max(1, len(rest) // (workers * 8))
    global _SHARED
    if "fork" in multiprocessing.get_all_start_methods():
        _SHARED = (ruleset, inputs, list(years), path, start)
        context = multiprocessing.get_context("fork")
        try:
            with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
                for point in pool.map(_point_shared, [job[4] for job in rest], chunksize=chunk):
                    yield point
                    if progress:
                        progress()
        finally:
            _SHARED = None
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for point in pool.map(_point, rest, chunksize=chunk):
            yield point
            if progress:
                progress()


_SHARED: tuple[Ruleset, Inputs, list[int], str, date] | None = None


def _point_shared(value: Decimal) -> SweepPoint:
    assert _SHARED is not None, "set by sweep() before the workers fork"
    ruleset, inputs, years, path, start = _SHARED
    return _point((ruleset, inputs, years, path, value, start))


def national_independence(point: SweepPoint) -> float:
    """재정자립도 of the country in the point's year: own-source over total revenue, all regions."""
    total = int(np.sum(point.total_revenue))
    return int(np.sum(point.own_source)) / total if total else 0.0


def national_by_year(points: Sequence[SweepPoint]) -> Table:
    """One row per value and year: the national figures, what was left unallocated and how
    many regions pass the affordability limit."""
    columns = [
        Column("value", "share", 10),
        Column("year", "year", 7),
        Column("total_revenue_krw", "won", 22),
        Column("own_source_krw", "won", 22),
        Column("general_grants_krw", "won", 22),
        Column("local_tax_share", "ratio", 12),
        Column("unallocated_krw", "won", 20),
        Column("regions_over_affordability_limit", "year", 10),
    ]
    rows: list[tuple[Cell, ...]] = []
    for point in points:
        for y, year in enumerate(point.years):
            rows.append(
                (
                    float(point.value),
                    year,
                    int(point.national_total_revenue[y]),
                    int(point.national_own_source[y]),
                    int(point.national_general_grants[y]),
                    float(point.local_tax_shares[y]),
                    int(point.unallocated[y]),
                    int(point.flagged[y]),
                )
            )
    return Table("Sweep by year", columns, rows)


def sweep_table(points: Sequence[SweepPoint], regions: Sequence[tuple[str, str]]) -> Table:
    """One row per value and region (``regions``: id and name, in the ruleset's order)."""
    columns = [
        Column("value", "share", 10),
        Column("region", "text", 12),
        Column("year", "year", 7),
        Column("total_revenue_krw", "won", 22),
        Column("own_source_krw", "won", 22),
        Column("general_grants_krw", "won", 22),
        Column("independence_ratio", "ratio", 12),
        Column("autonomy_ratio", "ratio", 12),
        Column("local_tax_share", "ratio", 12),
    ]
    rows: list[tuple[Cell, ...]] = []
    for point in points:
        for r, (region_id, _) in enumerate(regions):
            rows.append(
                (
                    float(point.value),
                    region_id,
                    point.year,
                    int(point.total_revenue[r]),
                    int(point.own_source[r]),
                    int(point.general_grants[r]),
                    float(point.independence[r]),
                    float(point.autonomy[r]),
                    point.local_tax_share,
                )
            )
    return Table("Sweep", columns, rows)
