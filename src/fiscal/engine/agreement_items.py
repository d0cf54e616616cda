"""Agreements in the projection: each signed agreement's schedule, summed into items.

Items with ``from_agreements`` hold, per region and year, the central money a region
receives or its own cost share, summed over the binding agreements. Schedules depend
only on the agreements and the parameters they name (indexation and discount rates),
so they are cached: a sweep or a comparison that changes anything else reuses them.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from fiscal.engine.agreements import AgreementSchedule, Flow, schedule_agreement
from fiscal.engine.context import Context, ItemTrace, Owner, ParameterUse
from fiscal.engine.money import Int64Array
from fiscal.errors import SourcePos, UserError
from fiscal.inputs import Inputs
from fiscal.rules.ruleset import Ruleset


def agreement_items(
    ctx: Context, amounts: dict[str, Int64Array], traces: dict[str, ItemTrace]
) -> tuple[list[AgreementSchedule], dict[str, dict[tuple[int, int], list[Flow]]]]:
    """Schedule every agreement; binding ones fill the agreement items of the regions."""
    ruleset, years = ctx.ruleset, ctx.years
    shape = (len(ruleset.regions), len(years))
    row = {region_id: r for r, region_id in enumerate(ruleset.region_ids)}
    column = {year: y for y, year in enumerate(years)}
    schedules = _schedules(ctx)
    flows_by_item: dict[str, dict[tuple[int, int], list[Flow]]] = {}
    for item in ruleset.items:
        if item.from_agreements is None:
            continue
        wanted = "central_inflow" if item.from_agreements == "central_inflow" else "cost_share"
        values = np.zeros(shape, dtype=np.int64)
        cells: dict[tuple[int, int], list[Flow]] = {}
        for schedule in schedules:
            if not schedule.agreement.binding:
                continue
            for flow in schedule.flows:
                if flow.flow != wanted or flow.party_kind != "region" or flow.year not in column:
                    continue
                cell = (row[flow.party], column[flow.year])
                values[cell] += flow.amount
                cells.setdefault(cell, []).append(flow)
        amounts[item.id] = values
        flows_by_item[item.id] = cells
        what = "central share" if wanted == "central_inflow" else "own cost share"
        traces[item.id] = ItemTrace(
            item=item.id,
            kind="agreement",
            rule="agreements",
            source=SourcePos.of(ruleset.root / "agreements"),
            formula=f"sum over signed agreements of each project's {what} for the region",
        )
    return schedules, flows_by_item


def agreement_schedules(ruleset: Ruleset) -> list[AgreementSchedule]:
    """Every agreement's schedule over its own years, without any inputs (for listings)."""
    empty = Inputs(ruleset.root, {}, {})
    ctx = Context(ruleset, empty, [])
    schedules, _ = agreement_items(ctx, {}, {})
    if ctx.problems:
        raise UserError(ctx.problems)
    return schedules


# Schedules depend only on the agreements and the parameters they name (indexation and
# discount rates), not on the inputs or any other parameter: a sweep or a comparison
# that changes something else reuses them. Each entry keeps its agreements list alive,
# so the id in its key cannot be reused by another list.
_SCHEDULE_CACHE: dict[tuple[Any, ...], tuple[list[Any], list[AgreementSchedule], list[Any]]] = {}
_SCHEDULE_CACHE_SIZE = 4


def _schedules(ctx: Context) -> list[AgreementSchedule]:
    ruleset = ctx.ruleset
    named = {ruleset.manifest.discount_rate} if ruleset.manifest.discount_rate else set()
    for agreement in ruleset.agreements:
        for project in agreement.projects:
            if project.indexation is not None:
                named.add(project.indexation.parameter)
        for amendment in agreement.amendments:
            for change in amendment.projects.values():
                if change.indexation is not None:
                    named.add(change.indexation.parameter)
    fingerprint = tuple(
        (path, tuple((v.effective, str(v.value)) for v in ruleset.parameters[path].values))
        for path in sorted(named)
        if path in ruleset.parameters
    )
    key = (id(ruleset.agreements), len(ruleset.agreements), fingerprint)
    cached = _SCHEDULE_CACHE.get(key)
    if cached is not None and cached[0] is ruleset.agreements:
        _, schedules, uses = cached
        for use in uses:
            mine = ctx.uses.setdefault(
                (use.ref, id(use.value)), ParameterUse(use.ref, use.parameter, use.value)
            )
            mine.years.update(use.years)
            mine.rules.update(use.rules)
        return schedules
    before = set(ctx.uses)
    rate_ref = ruleset.manifest.discount_rate
    schedules = []
    problems_before = len(ctx.problems)
    for agreement in ruleset.agreements:

        def rate_of(path: str, year: int, _owner: Owner = agreement) -> Fraction:
            return ctx.at(path, _owner, year)

        start = agreement.signed.year if agreement.signed else agreement.projects[0].years[0]
        rate = ctx.at(rate_ref, agreement, start) if rate_ref else Fraction(0)
        schedule, problems = schedule_agreement(agreement, rate_of, rate)
        ctx.problems += problems
        schedules.append(schedule)
    if len(ctx.problems) == problems_before:
        uses = [ctx.uses[k] for k in ctx.uses if k not in before]
        if len(_SCHEDULE_CACHE) >= _SCHEDULE_CACHE_SIZE:
            _SCHEDULE_CACHE.pop(next(iter(_SCHEDULE_CACHE)))
        _SCHEDULE_CACHE[key] = (ruleset.agreements, schedules, uses)
    return schedules
