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

import numpy as np
import numpy.typing as npt

from fiscal.engine.agreement_items import AgreementFlows, ScheduleCache, agreement_items
from fiscal.engine.agreements import AgreementSchedule
from fiscal.engine.context import Context, ItemTrace, ManifestOwner, ParameterUse
from fiscal.engine.equalisation import equalise
from fiscal.engine.indicators import Headline, headline
from fiscal.engine.matching import match
from fiscal.engine.measures import NationalMeasures, national_measures
from fiscal.engine.money import FloatArray, Int64Array, apply_rate, apportion, exact_product
from fiscal.engine.sharing import pool_amounts, share_by_key
from fiscal.errors import Problem, UserError
from fiscal.rules.input_checks import divisor_problems, year_problems
from fiscal.rules.inputs import Inputs
from fiscal.rules.models import (
    AdjustmentRule,
    EqualisationRule,
    MatchingRule,
    Region,
    SharingRule,
)
from fiscal.rules.ruleset import Rule, Ruleset
from fiscal.rules.types import Category


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
    """Every region's budget, item by item and year by year, and what made each figure.

    - ``scenario``: the scenario projected (``baseline`` without one).
    - ``years``: the projection years, in order (the columns of every array).
    - ``regions``: the ruleset's regions, in order (the rows of every array).
    - ``categories``: each budget item's category (own-source, general grant, ...).
    - ``amounts``: each budget item in whole won, regions x years.
    - ``traces``: what made each item: its rule or input, file:line and formula.
    - ``pools``: each national pool (e.g. 지방소비세, 보통교부세): base x share, and how
      much of it reached the regions.
    - ``parameter_uses``: every parameter value used, with its years and rules.
    - ``headline``: totals by category, 재정자립도 and 재정자주도 per region and year.
    - ``agreements``: each agreement's schedule: who pays what (국비, 지방비, private)
      in each year of each project.
    - ``agreement_flows``: the agreement flows summed into each cell of the agreement
      items.
    - ``affordability``: the region-years whose obligations pass the ruleset's limit
      share of own-source revenue (None: the ruleset sets no limit).
    - ``measures``: the national measures of decentralisation (None: not asked for).
    """

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
    agreement_flows: AgreementFlows = field(default_factory=AgreementFlows)  # the flows per cell
    affordability: Affordability | None = None
    measures: NationalMeasures | None = None

    @property
    def region_ids(self) -> list[str]:
        """The regions' ids, in row order."""
        return [r.id for r in self.regions]


@dataclass(frozen=True)
class Affordability:
    """Region-years whose obligations pass the limit share of own-source revenue."""

    items: tuple[str, ...]
    limit: list[Fraction]  # per year
    obligations: Int64Array  # regions x years
    share_of_own_source: FloatArray  # regions x years
    flagged: npt.NDArray[np.bool_]  # regions x years


def _product(columns: Sequence[list[Fraction]]) -> list[Fraction]:
    out = [Fraction(1)] * len(columns[0])
    for column in columns:
        out = [a * b for a, b in zip(out, column, strict=True)]
    return out


def project(
    ruleset: Ruleset,
    inputs: Inputs,
    years: Sequence[int],
    scenario: str = "baseline",
    schedules: ScheduleCache | None = None,
) -> Projection:
    """Project every region's budget over ``years``; raise UserError listing all problems.

    ``schedules`` keeps agreement schedules between projections (a sweep's points);
    without one a shared cache is used. Either way a cached schedule is used only for
    agreements and parameter values equal to the ones it was computed from."""
    years = list(years)
    if wrong_years := year_problems(inputs, years[0], years[-1]) if years else []:
        raise UserError(wrong_years)  # an amount past int64, a year 0: never a figure
    ctx = Context(ruleset, inputs, years)
    ctx.problems += divisor_problems(ruleset, inputs, years)
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

    agreement_schedules, agreement_flows = agreement_items(ctx, amounts, traces, schedules)

    for rule in ruleset.rules:
        if isinstance(rule, SharingRule):
            base = ctx.national(rule.pool.base, rule)
            share = _product([ctx.scalar(s, rule) for s in rule.pool.shares])
            pool = pool_amounts(base, share)
            key_values = ctx.regional(rule.key.indicator, rule.source, f"rule {rule.id!r}")
            mask = _recipients_mask(ruleset, rule)
            # Whole-number weights in the same proportions keep the division exact.
            weight_grid = None
            if rule.key.weight is not None:
                weight_grid = ctx.by_region(rule.key.weight, rule)
                weight = weight_grid.whole() * mask[:, None]
            else:
                weight = np.broadcast_to(mask[:, None], shape).copy()
            key = exact_product(key_values, weight)
            for y in np.flatnonzero((pool > 0) & ~key.any(axis=0)).tolist():
                ctx.problems.append(
                    Problem(
                        rule.source,
                        f"rule {rule.id!r}: the key is zero for every region in {years[y]}",
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
                details={
                    "indicator": key_values,
                    "weight": weight,
                    "key": key,
                    # The weights as written (``weight`` holds them scaled to whole numbers).
                    "weight_grid": weight_grid,
                    "recipients": mask,
                },
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
            rates = ctx.by_region(rule.rate, rule)
            subsidy, co_funding = match(cost, rates)
            rate_array = rates.floats()
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
                details={"cost": cost, "rate": rate_array, "rate_grid": rates},
            )
            traces[rule.co_funding_item] = ItemTrace(
                rule.co_funding_item,
                "co_funding",
                rule.id,
                rule.source,
                f"co-funding = {rule.cost} - national subsidy",
                (rule.cost,),
                (rule.rate,),
                details={"cost": cost, "rate": rate_array, "rate_grid": rates},
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
        agreements=agreement_schedules,
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


def _affordability(ctx: Context, amounts: dict[str, Int64Array]) -> Affordability | None:
    rule = ctx.ruleset.manifest.affordability
    if rule is None:
        return None
    manifest = ctx.ruleset.manifest
    owner = ManifestOwner("affordability", manifest.source)
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


def _measures(
    ctx: Context, amounts: dict[str, Int64Array], head: Headline
) -> NationalMeasures | None:
    spec = ctx.ruleset.manifest.measures
    if spec is None:
        return None
    owner = ManifestOwner("measures", ctx.ruleset.manifest.source)
    shape = (len(ctx.ruleset.regions), len(ctx.years))
    zeros = np.zeros(shape, dtype=np.int64)
    gross = ctx.national(spec.national_tax, owner)
    carved = sum((amounts.get(i, zeros) for i in spec.national_tax_less), zeros.copy())
    local = sum((amounts.get(i, zeros) for i in spec.local_taxes), zeros.copy())
    population = ctx.regional(spec.population, ctx.ruleset.manifest.source, "measures")
    return national_measures(gross, carved, local, head.own_source, head.general_grants, population)


def _adjustment(
    ctx: Context,
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
    rates = ctx.by_region(rule.share, rule)
    key_values = ctx.regional(rule.key.indicator, rule.source, f"rule {rule.id!r}")
    if rule.key.weight is not None:
        weights = ctx.by_region(rule.key.weight, rule).whole()
    else:
        weights = np.ones(shape, dtype=np.int64)
    keys = exact_product(key_values, weights)
    # Only parents' pools are used: a basic government passes nothing down.
    pool = rates.apply(base)
    received = np.zeros(shape, dtype=np.int64)
    paid = np.zeros(shape, dtype=np.int64)
    children_of: dict[str, list[int]] = {}
    for c, region in enumerate(ruleset.regions):
        if region.parent is not None:
            children_of.setdefault(region.parent, []).append(c)
    for p, parent in enumerate(ruleset.regions):
        children = children_of.get(parent.id, [])
        if parent.tier != "upper" or not children:
            pool[p] = 0
            continue
        key = keys[children]
        shares = apportion(pool[p], key)
        received[children] = shares
        # The parent pays exactly what its children receive (all of it, unless the key is 0).
        paid[p] = shares.sum(axis=0)
        for y in np.flatnonzero((pool[p] > 0) & ~key.any(axis=0)).tolist():
            ctx.problems.append(
                Problem(
                    rule.source,
                    f"rule {rule.id!r}: the key is zero for every child "
                    f"of {parent.id!r} in {years[y]}",
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
