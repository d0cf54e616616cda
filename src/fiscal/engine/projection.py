"""The projection: every region's budget, item by item, year by year, in whole won.

``project`` resolves the parameters in force each year and the input arrays a
ruleset needs, then runs each rule in dependency order over all regions and years at
once. It is pure: the ruleset and inputs arrive already loaded, nothing is read or
printed. Every amount keeps what made it: the rule (or input), its file:line, and the
parameter values used, each with its own file:line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from fiscal.engine.agreements import AgreementSchedule, Flow, schedule_agreement
from fiscal.engine.equalisation import equalise
from fiscal.engine.indicators import Headline, headline
from fiscal.engine.matching import match
from fiscal.engine.measures import NationalMeasures, national_measures
from fiscal.engine.money import FloatArray, Int64Array, apply_rate, apportion, integer_weights
from fiscal.engine.sharing import pool_amounts, share_by_key
from fiscal.errors import Problem, SourcePos, UserError
from fiscal.inputs import Inputs, national_array, regional_array
from fiscal.rules.models import (
    AdjustmentRule,
    EqualisationRule,
    MatchingRule,
    Parameter,
    ParameterValue,
    Region,
    SharingRule,
)
from fiscal.rules.ruleset import ParameterRef, Rule, Ruleset, value_for_region
from fiscal.rules.types import Category


@dataclass
class ParameterUse:
    """A parameter value that a projection used, and for which years and rules."""

    ref: str
    parameter: Parameter
    value: ParameterValue
    # Ordered sets (dict keys): thousands of agreements may use the same value.
    years: dict[int, None] = field(default_factory=dict)
    rules: dict[str, None] = field(default_factory=dict)


@dataclass(frozen=True)
class ItemTrace:
    """What made a budget item: a rule or an input, with its file:line."""

    item: str
    kind: str  # input | sharing | equalisation | matching | co_funding
    rule: str  # rule id, or "input:<indicator>"
    source: SourcePos
    formula: str
    inputs: tuple[str, ...] = ()
    parameters: tuple[str, ...] = ()
    region_sources: tuple[SourcePos, ...] = ()  # per region, for items read from inputs
    # Intermediate arrays (regions x years, or years) that explain a figure: key, gap, ...
    details: dict[str, Any] = field(default_factory=dict, compare=False)

    def source_for(self, region_index: int) -> SourcePos:
        """Where this item's figure for one region is written."""
        return self.region_sources[region_index] if self.region_sources else self.source


@dataclass(frozen=True)
class PoolTrace:
    """A national pool: base x share, and how much of it reached the regions."""

    rule: str
    item: str
    base_series: str
    base: Int64Array
    share: tuple[Fraction, ...]
    pool: Int64Array
    distributed: Int64Array
    unallocated: Int64Array
    adjustment_rate: FloatArray | None = None


@dataclass
class Projection:
    scenario: str
    years: list[int]
    regions: list[Region]
    categories: dict[str, Category]
    amounts: dict[str, Int64Array]  # item -> regions x years, whole won
    traces: dict[str, ItemTrace]
    pools: list[PoolTrace]
    parameter_uses: list[ParameterUse]
    headline: Headline
    agreements: list[AgreementSchedule] = field(default_factory=list)
    agreement_flows: dict[str, dict[tuple[int, int], list[Flow]]] = field(default_factory=dict)
    affordability: Affordability | None = None
    measures: NationalMeasures | None = None

    @property
    def region_ids(self) -> list[str]:
        return [r.id for r in self.regions]


class Owner(Protocol):
    """Whatever asks for a parameter: a rule or an agreement (named in errors and traces)."""

    @property
    def id(self) -> str: ...

    @property
    def source(self) -> SourcePos: ...


@dataclass(frozen=True)
class Affordability:
    """Region-years whose obligations pass the limit share of own-source revenue."""

    items: tuple[str, ...]
    limit: list[Fraction]  # per year
    obligations: Int64Array  # regions x years
    share_of_own_source: FloatArray  # regions x years
    flagged: npt.NDArray[np.bool_]  # regions x years


class _Context:
    """Collects parameter lookups and problems while the rules run."""

    def __init__(self, ruleset: Ruleset, inputs: Inputs, years: list[int]) -> None:
        self.ruleset = ruleset
        self.inputs = inputs
        self.years = years
        self.problems: list[Problem] = []
        self.uses: dict[tuple[str, int], ParameterUse] = {}

    def value(self, ref_text: str, rule: Owner, year: int) -> ParameterValue | None:
        ref = self.ruleset.resolve(ref_text)
        assert ref is not None, "references are checked when the ruleset loads"
        value = ref.parameter.in_force(year)
        if value is None:
            first = ref.parameter.values[0].effective
            self.problems.append(
                Problem(
                    rule.source,
                    f"{rule.id!r}: parameter {ref_text!r} has no value in force on "
                    f"1 January {year} (its first value takes effect {first})",
                )
            )
            return None
        use = self.uses.setdefault(
            (ref_text, id(value)), ParameterUse(ref_text, ref.parameter, value)
        )
        use.years[year] = None
        use.rules[rule.id] = None
        return value

    def scalar(self, ref_text: str, rule: Owner) -> list[Fraction]:
        ref = self.ruleset.resolve(ref_text)
        assert ref is not None
        out = []
        for year in self.years:
            value = self.value(ref_text, rule, year)
            out.append(Fraction(0) if value is None else _part(ref, value))
        return out

    def at(self, ref_text: str, owner: Owner, year: int) -> Fraction:
        """One scalar value for any year (also outside the projection years)."""
        ref = self.ruleset.resolve(ref_text)
        assert ref is not None
        value = self.value(ref_text, owner, year)
        return Fraction(0) if value is None else _part(ref, value)

    def by_region(self, ref_text: str, rule: Owner) -> list[list[Fraction]]:
        """``result[r][y]``: the value for region r in year y."""
        per_year = []
        rows_of: dict[int, list[Fraction]] = {}  # the same value in force: the same row
        for year in self.years:
            value = self.value(ref_text, rule, year)
            key = id(value)
            if key not in rows_of:
                numbers = [
                    None if value is None else value_for_region(value, region)
                    for region in self.ruleset.regions
                ]
                fractions = {n: Fraction(n) for n in set(numbers) if n is not None}
                rows_of[key] = [Fraction(0) if n is None else fractions[n] for n in numbers]
            per_year.append(rows_of[key])
        return [list(column) for column in zip(*per_year, strict=True)]

    def national(self, series: str, rule: Owner) -> Int64Array:
        array, problem = national_array(self.inputs, series.removeprefix("national."), self.years)
        if array is None:
            self.problems.append(Problem(rule.source, f"rule {rule.id!r}: {problem}"))
            return np.zeros(len(self.years), dtype=np.int64)
        return array

    def regional(self, indicator: str, where: SourcePos, who: str) -> Int64Array:
        array, problem = regional_array(self.inputs, indicator, self.ruleset.region_ids, self.years)
        if array is None:
            self.problems.append(Problem(where, f"{who}: {problem}"))
            return np.zeros((len(self.ruleset.regions), len(self.years)), dtype=np.int64)
        return array


def _part(ref: ParameterRef, value: ParameterValue) -> Fraction:
    raw = value.value
    if isinstance(raw, dict):
        assert ref.part is not None
        return Fraction(raw[ref.part])
    return Fraction(raw)


def _product(columns: Sequence[list[Fraction]]) -> list[Fraction]:
    out = [Fraction(1)] * len(columns[0])
    for column in columns:
        out = [a * b for a, b in zip(out, column, strict=True)]
    return out


def project(
    ruleset: Ruleset, inputs: Inputs, years: Sequence[int], scenario: str = "baseline"
) -> Projection:
    """Project every region's budget over ``years``; raise UserError listing all problems."""
    years = list(years)
    ctx = _Context(ruleset, inputs, years)
    _check_input_regions(ruleset, inputs, ctx.problems)
    shape = (len(ruleset.regions), len(years))
    amounts: dict[str, Int64Array] = {}
    traces: dict[str, ItemTrace] = {}
    pools: list[PoolTrace] = []

    for item in ruleset.items:
        if item.from_indicator is not None:
            indicator = inputs.regional.get(item.from_indicator)
            amounts[item.id] = ctx.regional(item.from_indicator, item.source, f"item {item.id!r}")
            traces[item.id] = ItemTrace(
                item=item.id,
                kind="input",
                rule=f"input:{item.from_indicator}",
                source=indicator.source if indicator is not None else item.source,
                formula=f"taken from the regional input {item.from_indicator!r}",
                inputs=(item.from_indicator,),
                region_sources=tuple(
                    indicator.sources.get(region_id, indicator.source)
                    for region_id in ruleset.region_ids
                )
                if indicator is not None
                else (),
            )

    schedules, agreement_flows = _agreements(ctx, amounts, traces)

    for rule in ruleset.rules:
        if isinstance(rule, SharingRule):
            base = ctx.national(rule.pool.base, rule)
            share = _product([ctx.scalar(s, rule) for s in rule.pool.shares])
            pool = pool_amounts(base, share)
            key_values = ctx.regional(rule.key.indicator, rule.source, f"rule {rule.id!r}")
            if rule.key.weight is not None:
                fractions = ctx.by_region(rule.key.weight, rule)
            else:
                fractions = [[Fraction(1)] * len(years) for _ in ruleset.regions]
            mask = _recipients_mask(ruleset, rule)
            # Whole-number weights in the same proportions keep the division exact.
            flat = integer_weights([f for row in fractions for f in row])
            weight = np.asarray(flat, dtype=object).reshape(shape) * mask[:, None]
            key: npt.NDArray[np.object_] = np.multiply(key_values.astype(object), weight)
            for y, year in enumerate(years):
                if pool[y] > 0 and not key[:, y].any():
                    ctx.problems.append(
                        Problem(
                            rule.source,
                            f"rule {rule.id!r}: the key is zero for every region in {year}",
                        )
                    )
            shares = share_by_key(pool, key)
            amounts[rule.item] = shares
            pools.append(
                PoolTrace(
                    rule.id,
                    rule.item,
                    rule.pool.base,
                    base,
                    tuple(share),
                    pool,
                    shares.sum(axis=0),
                    pool - shares.sum(axis=0),
                )
            )
            weight_text = f" x {rule.key.weight}" if rule.key.weight else ""
            traces[rule.item] = ItemTrace(
                item=rule.item,
                kind="sharing",
                rule=rule.id,
                source=rule.source,
                formula=(
                    f"pool = {rule.pool.base} x {' x '.join(rule.pool.shares)}; divided among "
                    f"regions by {rule.key.indicator}{weight_text} (largest remainder, whole won)"
                ),
                inputs=(rule.pool.base, rule.key.indicator),
                parameters=(*rule.pool.shares, *([rule.key.weight] if rule.key.weight else [])),
                details={"indicator": key_values, "weight": weight, "key": key},
            )
        elif isinstance(rule, EqualisationRule):
            base = ctx.national(rule.pool.base, rule)
            share = _product([ctx.scalar(s, rule) for s in rule.pool.shares])
            pool = pool_amounts(base, share)
            gap = rule.fiscal_gap
            need = ctx.regional(gap.need, rule.source, f"rule {rule.id!r}")
            revenue = np.zeros(shape, dtype=np.int64)
            for name in gap.revenue:
                if name in amounts:
                    revenue += amounts[name]
                else:
                    revenue += ctx.regional(name, rule.source, f"rule {rule.id!r}")
            counted_rate = ctx.scalar(gap.revenue_counted, rule)
            counted = (
                np.column_stack(
                    [apply_rate(revenue[:, y], counted_rate[y]) for y in range(len(years))]
                )
                if years
                else revenue
            )
            # Governments outside the rule's tier have no gap to fill.
            tier = _tier_mask(ruleset, rule)[:, None]
            result = equalise(pool, need * tier, counted * tier)
            amounts[rule.item] = result.grants
            pools.append(
                PoolTrace(
                    rule.id,
                    rule.item,
                    rule.pool.base,
                    base,
                    tuple(share),
                    pool,
                    result.grants.sum(axis=0),
                    result.unallocated,
                    result.adjustment_rate,
                )
            )
            traces[rule.item] = ItemTrace(
                item=rule.item,
                kind="equalisation",
                rule=rule.id,
                source=rule.source,
                formula=(
                    f"pool = {rule.pool.base} x {' x '.join(rule.pool.shares)}; fiscal gap = "
                    f"{gap.need} - {gap.revenue_counted} x ({' + '.join(gap.revenue)}); "
                    "grant = gap x adjustment rate (pool / total gap), never above the gap"
                ),
                inputs=(rule.pool.base, gap.need, *gap.revenue),
                parameters=(*rule.pool.shares, gap.revenue_counted),
                details={
                    "need": need,
                    "revenue": revenue,
                    "counted": counted,
                    "gap": result.gaps,
                    "adjustment_rate": result.adjustment_rate,
                },
            )
        elif isinstance(rule, AdjustmentRule):
            _adjustment(ctx, rule, amounts, traces)
        elif isinstance(rule, MatchingRule):
            cost = ctx.regional(rule.cost, rule.source, f"rule {rule.id!r}")
            cost = cost * _tier_mask(ruleset, rule)[:, None]
            ref = ruleset.resolve(rule.rate)
            assert ref is not None
            if ref.parameter.breakdown == "region":
                rates = ctx.by_region(rule.rate, rule)
            else:
                rates = [ctx.scalar(rule.rate, rule)] * len(ruleset.regions)
            subsidy, co_funding = match(cost, rates)
            rate_array = np.asarray([[float(r) for r in row] for row in rates])
            amounts[rule.item] = subsidy
            amounts[rule.co_funding_item] = co_funding
            formula = f"{rule.cost} x {rule.rate} (half to even)"
            traces[rule.item] = ItemTrace(
                rule.item,
                "matching",
                rule.id,
                rule.source,
                f"national subsidy = {formula}",
                (rule.cost,),
                (rule.rate,),
                details={"cost": cost, "rate": rate_array},
            )
            traces[rule.co_funding_item] = ItemTrace(
                rule.co_funding_item,
                "co_funding",
                rule.id,
                rule.source,
                f"co-funding = {rule.cost} - national subsidy",
                (rule.cost,),
                (rule.rate,),
                details={"cost": cost, "rate": rate_array},
            )

    affordability = _affordability(ctx, amounts)
    head = headline(
        {i.id: amounts[i.id] for i in ruleset.items if i.id in amounts},
        {i.id: i.category for i in ruleset.items},
        shape,
    )
    measures = _measures(ctx, amounts, head)
    if ctx.problems:
        raise UserError(ctx.problems)
    ordered = {item.id: amounts[item.id] for item in ruleset.items}
    categories = {item.id: item.category for item in ruleset.items}
    uses = sorted(ctx.uses.values(), key=lambda u: (u.ref, u.value.effective))
    return Projection(
        agreements=schedules,
        agreement_flows=agreement_flows,
        affordability=affordability,
        scenario=scenario,
        years=years,
        regions=list(ruleset.regions),
        categories=categories,
        amounts=ordered,
        traces={item.id: traces[item.id] for item in ruleset.items},
        pools=pools,
        parameter_uses=uses,
        headline=head,
        measures=measures,
    )


def _tier_mask(ruleset: Ruleset, rule: Rule) -> npt.NDArray[np.int64]:
    """1 for the governments of the rule's tier, 0 for the others."""
    return np.asarray(
        [1 if rule.tier in ("all", r.tier) else 0 for r in ruleset.regions], dtype=np.int64
    )


def _recipients_mask(ruleset: Ruleset, rule: SharingRule) -> npt.NDArray[np.int64]:
    tier = _tier_mask(ruleset, rule)
    if rule.recipients is None:
        return tier
    chosen = set(rule.recipients)
    listed = [
        1 if (r.id in chosen or r.region_class.value in chosen) else 0 for r in ruleset.regions
    ]
    return tier * np.asarray(listed, dtype=np.int64)


def _check_input_regions(ruleset: Ruleset, inputs: Inputs, problems: list[Problem]) -> None:
    known = set(ruleset.region_ids)
    for indicator in inputs.regional.values():
        for region_id, where in indicator.sources.items():
            if region_id not in known:
                problems.append(
                    Problem(
                        where,
                        f"unknown region {region_id!r} in indicator {indicator.id!r}; "
                        f"the ruleset's regions are {', '.join(ruleset.region_ids)}",
                    )
                )


def _agreements(
    ctx: _Context, amounts: dict[str, Int64Array], traces: dict[str, ItemTrace]
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


def _affordability(ctx: _Context, amounts: dict[str, Int64Array]) -> Affordability | None:
    rule = ctx.ruleset.manifest.affordability
    if rule is None:
        return None
    manifest = ctx.ruleset.manifest
    owner = _ManifestOwner("affordability", manifest.source)
    limit = ctx.scalar(rule.limit, owner)
    shape = (len(ctx.ruleset.regions), len(ctx.years))
    obligations = np.zeros(shape, dtype=np.int64)
    for item_id in rule.obligations:
        obligations += amounts.get(item_id, np.zeros(shape, dtype=np.int64))
    own = np.zeros(shape, dtype=np.int64)
    for item in ctx.ruleset.items:
        if item.category is Category.own_source and item.id in amounts:
            own += amounts[item.id]
    # Exact comparison: obligations > limit x own-source, with the limit as a fraction.
    flagged = np.zeros(shape, dtype=bool)
    for y, fraction in enumerate(limit):
        lhs = obligations[:, y].astype(object) * fraction.denominator
        rhs = own[:, y].astype(object) * fraction.numerator
        flagged[:, y] = np.asarray(lhs > rhs, dtype=bool)
    share = np.divide(
        obligations.astype(np.float64), own.astype(np.float64), out=np.zeros(shape), where=own > 0
    )
    return Affordability(tuple(rule.obligations), limit, obligations, share, flagged)


@dataclass(frozen=True)
class _ManifestOwner:
    id: str
    source: SourcePos


def agreement_schedules(ruleset: Ruleset) -> list[AgreementSchedule]:
    """Every agreement's schedule over its own years, without any inputs (for listings)."""
    empty = Inputs(ruleset.root, {}, {})
    ctx = _Context(ruleset, empty, [])
    schedules, _ = _agreements(ctx, {}, {})
    if ctx.problems:
        raise UserError(ctx.problems)
    return schedules


def _measures(
    ctx: _Context, amounts: dict[str, Int64Array], head: Headline
) -> NationalMeasures | None:
    spec = ctx.ruleset.manifest.measures
    if spec is None:
        return None
    owner = _ManifestOwner("measures", ctx.ruleset.manifest.source)
    shape = (len(ctx.ruleset.regions), len(ctx.years))
    zeros = np.zeros(shape, dtype=np.int64)
    gross = ctx.national(spec.national_tax, owner)
    carved = sum((amounts.get(i, zeros) for i in spec.national_tax_less), zeros.copy())
    local = sum((amounts.get(i, zeros) for i in spec.local_taxes), zeros.copy())
    population = ctx.regional(spec.population, ctx.ruleset.manifest.source, "measures")
    return national_measures(gross, carved, local, head.own_source, head.general_grants, population)


def _adjustment(
    ctx: _Context,
    rule: AdjustmentRule,
    amounts: dict[str, Int64Array],
    traces: dict[str, ItemTrace],
) -> None:
    """Each parent pays a share of its named taxes to its children, divided by a key."""
    ruleset, years = ctx.ruleset, ctx.years
    shape = (len(ruleset.regions), len(years))
    base = np.zeros(shape, dtype=np.int64)
    for tax in rule.taxes:
        base += (
            amounts[tax] if tax in amounts else ctx.regional(tax, rule.source, f"rule {rule.id!r}")
        )
    ref = ruleset.resolve(rule.share)
    assert ref is not None
    if ref.parameter.breakdown == "region":
        rates = ctx.by_region(rule.share, rule)
    else:
        rates = [ctx.scalar(rule.share, rule)] * len(ruleset.regions)
    key_values = ctx.regional(rule.key.indicator, rule.source, f"rule {rule.id!r}")
    if rule.key.weight is not None:
        weights = ctx.by_region(rule.key.weight, rule)
    else:
        weights = [[Fraction(1)] * len(years) for _ in ruleset.regions]
    received = np.zeros(shape, dtype=np.int64)
    paid = np.zeros(shape, dtype=np.int64)
    pool = np.zeros(shape, dtype=np.int64)
    for p, parent in enumerate(ruleset.regions):
        children = ruleset.children(parent.id)
        if parent.tier != "upper" or not children:
            continue
        pool[p] = [round(Fraction(int(base[p, y])) * rates[p][y]) for y in range(len(years))]
        flat = integer_weights([weights[c][y] for c in children for y in range(len(years))])
        key = key_values[children].astype(object) * np.asarray(flat, dtype=object).reshape(
            len(children), len(years)
        )
        shares = apportion(pool[p], key)
        received[children] = shares
        # The parent pays exactly what its children receive (all of it, unless the key is 0).
        paid[p] = shares.sum(axis=0)
        for y, year in enumerate(years):
            if pool[p, y] > 0 and not key[:, y].any():
                ctx.problems.append(
                    Problem(
                        rule.source,
                        f"rule {rule.id!r}: the key is zero for every child "
                        f"of {parent.id!r} in {year}",
                    )
                )
    amounts[rule.item] = received
    amounts[rule.paid_item] = paid
    formula = (
        f"each parent's pool = {rule.share} x ({' + '.join(rule.taxes)}); divided among its "
        f"basic governments by {rule.key.indicator}"
        + (f" x {rule.key.weight}" if rule.key.weight else "")
    )
    params = (rule.share, *([rule.key.weight] if rule.key.weight else []))
    details = {"pool": pool, "key": key_values}
    traces[rule.item] = ItemTrace(
        rule.item,
        "adjustment",
        rule.id,
        rule.source,
        formula,
        (*rule.taxes, rule.key.indicator),
        params,
        details=details,
    )
    traces[rule.paid_item] = ItemTrace(
        rule.paid_item,
        "adjustment_paid",
        rule.id,
        rule.source,
        "paid = the sum its basic governments receive",
        tuple(rule.taxes),
        params,
        details=details,
    )


# Schedules depend only on the agreements and the parameters they name (indexation and
# discount rates), not on the inputs or any other parameter: a sweep or a comparison
# that changes something else reuses them. Each entry keeps its agreements list alive,
# so the id in its key cannot be reused by another list.
_SCHEDULE_CACHE: dict[tuple[Any, ...], tuple[list[Any], list[AgreementSchedule], list[Any]]] = {}
_SCHEDULE_CACHE_SIZE = 4


def _schedules(ctx: _Context) -> list[AgreementSchedule]:
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
