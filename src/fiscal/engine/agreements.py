"""Agreement schedules: who pays what, in which year, to the won.

For each project the engine works out, year by year:

1. the amount in base-year prices, from the terms in force that year. The first terms
   spread the total over the project years by the schedule (shares, amounts or an even
   spread); an amendment keeps the years before it governs and spreads what is left of
   its new total over its own remaining years, so the years always add up to the total
   in force at the end;
2. the nominal amount, indexed from the base year by a yearly rate, half to even;
3. each party's part of that year's amount, by the cost shares in force, by largest
   remainder (parts add up to the year);
4. the cap on the central commitment: once the centre's running total would pass it,
   the excess moves to the regions by their shares;
5. where the central money goes: to the region parties, by ``central_to_regions`` or
   in proportion to their own cost shares.

Terminated agreements pay nothing after the last year in force. All amounts are whole won.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache

import numpy as np

from fiscal.engine.money import apportion, integer_weights, split_exact
from fiscal.errors import Problem, SourcePos
from fiscal.rules.agreements import CENTRAL, Agreement, Project, terms_in_force

RateOf = Callable[[str, int], Fraction]


@dataclass(frozen=True, slots=True)
class Flow:
    """One party's money in one year of one project."""

    agreement: str
    project: str
    party: str
    party_kind: str  # ministry | region | private | central
    flow: str  # cost_share (what the party pays) | central_inflow (central money a region gets)
    year: int
    amount: int
    source: SourcePos


@dataclass
class ProjectSchedule:
    agreement: str
    project: str
    title: str
    years: list[int]
    amounts: dict[int, int]  # nominal won per year
    flows: list[Flow]
    committed_total: int  # the total in force at the end, base-year prices
    unpaid: int  # left unpaid by a termination, base-year prices


@dataclass
class AgreementSchedule:
    agreement: Agreement
    projects: list[ProjectSchedule] = field(default_factory=list)
    discount_rate: Fraction = Fraction(0)
    base_year: int = 0
    present_value: dict[str, int] = field(default_factory=dict)  # total, central, local, private

    @property
    def flows(self) -> list[Flow]:
        return [f for p in self.projects for f in p.flows]

    def total(self, kind: str | None = None) -> int:
        return sum(
            f.amount
            for f in self.flows
            if f.flow == "cost_share" and (kind is None or _bucket(f.party_kind) == kind)
        )


def _bucket(party_kind: str) -> str:
    return {"ministry": "central", "central": "central", "region": "local"}.get(
        party_kind, "private"
    )


def schedule_agreement(
    agreement: Agreement, rate_of: RateOf, discount_rate: Fraction
) -> tuple[AgreementSchedule, list[Problem]]:
    problems: list[Problem] = []
    result = AgreementSchedule(agreement, discount_rate=discount_rate)
    for project in agreement.projects:
        schedule = _schedule_project(agreement, project, rate_of, problems)
        result.projects.append(schedule)
    years = [y for p in result.projects for y in p.amounts]
    start = agreement.signed.year if agreement.signed else min(years, default=0)
    result.base_year = min([start, *years])
    result.present_value = _present_values(result, discount_rate)
    return result, problems


def _version_for(versions: list[tuple[int | None, Project]], year: int) -> Project:
    chosen = versions[0][1]
    for first_year, terms in versions:
        if first_year is None or first_year <= year:
            chosen = terms
    return chosen


def _weights(terms: Project, years: list[int]) -> list[int]:
    """Whole-number schedule weights, so a year's share is exact (ties are real ties)."""
    if terms.schedule is not None:
        return integer_weights([terms.schedule.get(y, Decimal(0)) for y in years])
    if terms.schedule_krw is not None:
        return [terms.schedule_krw.get(y, 0) for y in years]
    return [1] * len(years)


def _schedule_project(
    agreement: Agreement, project: Project, rate_of: RateOf, problems: list[Problem]
) -> ProjectSchedule:
    versions = terms_in_force(project, agreement.amendments)
    real: dict[int, int] = {}
    for index, (first_year, terms) in enumerate(versions):
        span = list(range(terms.years[0], terms.years[1] + 1))
        if first_year is not None:
            real = {y: a for y, a in real.items() if y < first_year}
            span = [y for y in span if y >= first_year]
        remaining = terms.total_krw - sum(real.values())
        if remaining < 0:
            problems.append(
                Problem(
                    terms.source,
                    f"project {project.id!r}: the amended total {terms.total_krw:,} won is below "
                    f"the {sum(real.values()):,} won already scheduled before {first_year}",
                )
            )
            remaining = 0
        weights = _weights(terms, span)
        if remaining and not any(weights):
            problems.append(
                Problem(
                    terms.source,
                    f"project {project.id!r}: {remaining:,} won remain but no year from "
                    f"{first_year} on is scheduled to pay them",
                )
            )
            continue
        parts = split_exact(remaining, weights)
        later = versions[index + 1][0] if index + 1 < len(versions) else None
        for year, amount in zip(span, parts, strict=True):
            if later is None or year < later:
                real[year] = int(amount)
    final = versions[-1][1]
    last_paid = agreement.last_paid_year
    if last_paid is not None:
        real = {y: a for y, a in real.items() if y <= last_paid}
    unpaid = final.total_krw - sum(real.values())

    amounts: dict[int, int] = {}
    flows: list[Flow] = []
    party_kinds = {p.id: p.kind for p in agreement.parties}
    paid_years = sorted(real)
    terms_of = {year: _version_for(versions, year) for year in paid_years}
    for year in paid_years:
        amounts[year] = _index(real[year], terms_of[year], year, rate_of)
    central_paid = 0
    start = 0
    while start < len(paid_years):
        # Consecutive years under the same terms are split in one exact, vectorised step.
        terms = terms_of[paid_years[start]]
        stop = start
        while stop < len(paid_years) and terms_of[paid_years[stop]] is terms:
            stop += 1
        block = paid_years[start:stop]
        start = stop
        payers = list(terms.shares)
        share_weights = _exact(tuple(terms.shares[p] for p in payers))
        kinds = {p: party_kinds.get(p, "central") for p in payers}
        central_keys = [p for p in payers if kinds[p] in ("central", "ministry")]
        source = terms.source  # read once: a pydantic private attribute is slow to reach
        for year in block:
            paid = dict(zip(payers, split_exact(amounts[year], share_weights), strict=True))
            central_year = sum(paid[p] for p in central_keys)
            if (
                terms.central_cap_krw is not None
                and central_paid + central_year > terms.central_cap_krw
            ):
                excess = central_paid + central_year - max(terms.central_cap_krw, central_paid)
                _shift_excess(agreement, terms, paid, central_keys, excess)
                central_year = sum(paid[p] for p in central_keys)
            central_paid += central_year
            for party_id in payers:
                flows.append(
                    Flow(
                        agreement.id,
                        project.id,
                        party_id,
                        kinds[party_id],
                        "cost_share",
                        year,
                        paid[party_id],
                        source,
                    )
                )
            for region_id, amount in _central_to_regions(agreement, terms, central_year).items():
                flows.append(
                    Flow(
                        agreement.id,
                        project.id,
                        region_id,
                        "region",
                        "central_inflow",
                        year,
                        amount,
                        source,
                    )
                )
    return ProjectSchedule(
        agreement=agreement.id,
        project=project.id,
        title=final.title,
        years=sorted(real),
        amounts=amounts,
        flows=flows,
        committed_total=final.total_krw,
        unpaid=unpaid,
    )


def _index(amount: int, terms: Project, year: int, rate_of: RateOf) -> int:
    if terms.indexation is None or year <= terms.indexation.base_year:
        return amount
    factor = Fraction(1)
    for t in range(terms.indexation.base_year + 1, year + 1):
        factor *= 1 + rate_of(terms.indexation.parameter, t)
    return round(amount * factor)


def _is_central(agreement: Agreement, party_id: str) -> bool:
    if party_id == CENTRAL:
        return True
    party = agreement.party(party_id)
    return party is not None and party.kind == "ministry"


def _kind(agreement: Agreement, party_id: str) -> str:
    party = agreement.party(party_id)
    return "central" if party is None else party.kind


@lru_cache(maxsize=65536)
def _exact(weights: tuple[Decimal | int, ...]) -> tuple[int, ...]:
    """Rational weights as whole numbers, for exact apportionment (cached: shares repeat)."""
    return tuple(integer_weights(weights))


def _region_shares(agreement: Agreement, terms: Project) -> dict[str, Decimal]:
    return {
        p.id: terms.shares.get(p.id, Decimal(0)) for p in agreement.parties if p.kind == "region"
    }


def _shift_excess(
    agreement: Agreement,
    terms: Project,
    paid: dict[str, int],
    central_keys: list[str],
    excess: int,
) -> None:
    """Move ``excess`` won from the central payers to the regions, by their cost shares."""
    if excess <= 0 or not central_keys:
        return
    central_amounts = np.asarray([paid[k] for k in central_keys], dtype=np.int64)
    cut = apportion(excess, central_amounts, caps=central_amounts)
    for key, amount in zip(central_keys, cut.tolist(), strict=True):
        paid[key] -= int(amount)
    moved = int(cut.sum())
    shares = _region_shares(agreement, terms)
    regions = [r for r, s in shares.items() if s > 0]
    extra = split_exact(moved, _exact(tuple(shares[r] for r in regions)))
    for region_id, amount in zip(regions, extra, strict=True):
        paid[region_id] = paid.get(region_id, 0) + int(amount)


def _central_to_regions(agreement: Agreement, terms: Project, amount: int) -> dict[str, int]:
    if terms.central_to_regions is not None:
        split = dict(terms.central_to_regions)
    else:
        split = _region_shares(agreement, terms)
        if not any(split.values()):
            split = dict.fromkeys(split, Decimal(1))
    regions = list(split)
    parts = split_exact(amount, _exact(tuple(split[r] for r in regions)))
    return dict(zip(regions, (int(p) for p in parts), strict=True))


def _present_values(result: AgreementSchedule, rate: Fraction) -> dict[str, int]:
    import numpy_financial as npf

    years = [y for p in result.projects for y in p.amounts]
    kinds = ("total", "central", "local", "private")
    if not years:
        return dict.fromkeys(kinds, 0)
    first = result.base_year
    by_year = np.zeros((max(years) - first + 1, len(kinds)), dtype=np.float64)
    column = {"central": 1, "local": 2, "private": 3}
    for flow in result.flows:
        if flow.flow == "cost_share":
            by_year[flow.year - first, 0] += flow.amount
            by_year[flow.year - first, column[_bucket(flow.party_kind)]] += flow.amount
    # Discounted to the base year (the signing year, or the first year paid if earlier).
    return {kind: round(float(npf.npv(float(rate), by_year[:, k]))) for k, kind in enumerate(kinds)}
