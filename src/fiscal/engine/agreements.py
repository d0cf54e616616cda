"""Agreement schedules: who pays what, in which year, to the won.

For each project the engine works out, year by year:

1. the amount in base-year prices, from the terms in force that year. The first terms
   spread the total over the project years by the schedule (shares, amounts or an even
   spread); an amendment keeps the years before it governs and spreads what is left of
   its new total over its own remaining years, so the years always add up to the total
   in force at the end;
2. the nominal amount, indexed from the base year by a yearly rate, half to even;
3. each party's part of that year's amount, by the cost shares in force (parts add up
   to the year); for terms without indexation, settled over the years those terms
   scheduled so that each party's sum is its largest-remainder share of their total
   (:func:`split_block`): a 50:50 split of 24 bn is 12 bn each, however the years' odd
   won fell, and an amendment or termination leaves the years before it as they were;
4. the cap on the central commitment: once the centre's running total would pass it,
   the excess moves to the regions by their shares;
5. where the central money goes: to the region parties, by ``central_to_regions`` or
   in proportion to their own cost shares.

Terminated agreements pay nothing after the last year in force. All amounts are whole won.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from functools import cached_property, lru_cache
from itertools import chain, repeat, starmap
from math import lcm
from typing import Any

import numpy as np
import numpy.typing as npt

from fiscal.engine.money import apportion, integer_weights, split_exact
from fiscal.errors import Problem, SourcePos
from fiscal.rules.agreements import Agreement, Project, terms_in_force

RateOf = Callable[[str, int], Fraction]


PARTY_KINDS = ("ministry", "region", "private", "central")
FLOW_KINDS = ("cost_share", "central_inflow")
# Who pays, as the totals and present values group it: by party kind, in PARTY_KINDS order.
BUCKETS = ("central", "local", "private")

IntArray = npt.NDArray[np.int64]


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


@dataclass(frozen=True, eq=False)
class FlowTable:
    """The flows of many projects as columns, project after project, in schedule order.

    One row per party, year and kind of money (the fields of :class:`Flow`, whose
    records are made only when someone lists them), and one row per year paid with the
    project's nominal amount. ``flow_start`` and ``paid_start`` say where each project's
    rows begin (one entry more than projects).
    """

    agreement_ids: Sequence[str]  # per project
    project_ids: Sequence[str]  # per project
    names: Sequence[str]  # party ids, indexed by ``party``
    sources: Sequence[SourcePos]  # the terms in force, indexed by ``source``
    owner: IntArray  # per flow: the project
    party: IntArray
    party_kind: IntArray  # index into PARTY_KINDS
    flow: IntArray  # index into FLOW_KINDS
    year: IntArray
    amount: IntArray
    source: IntArray
    flow_start: IntArray
    paid_year: IntArray  # per year paid
    paid_amount: IntArray
    paid_start: IntArray

    @classmethod
    def of(
        cls, agreement_id: str, projects: Sequence[tuple[str, list[Flow], dict[int, int]]]
    ) -> FlowTable:
        """One agreement's projects (id, flows, nominal amount per year) as a table."""
        names: dict[str, int] = {}
        sources: dict[SourcePos, int] = {}
        columns: list[list[int]] = [[] for _ in range(7)]
        paid_year: list[int] = []
        paid_amount: list[int] = []
        flow_start, paid_start = [0], [0]
        for index, (_, flows, amounts) in enumerate(projects):
            for f in flows:
                row = (
                    index,
                    names.setdefault(f.party, len(names)),
                    PARTY_KINDS.index(f.party_kind),
                    FLOW_KINDS.index(f.flow),
                    f.year,
                    f.amount,
                    sources.setdefault(f.source, len(sources)),
                )
                for column, value in zip(columns, row, strict=True):
                    column.append(value)
            flow_start.append(len(columns[0]))
            paid_year += amounts
            paid_amount += amounts.values()
            paid_start.append(len(paid_year))
        owner, party, kind, flow, year, amount, source = (_ints(c) for c in columns)
        return cls(
            [agreement_id] * len(projects),
            [project_id for project_id, _, _ in projects],
            list(names),
            list(sources),
            owner,
            party,
            kind,
            flow,
            year,
            amount,
            source,
            _ints(flow_start),
            _ints(paid_year),
            _ints(paid_amount),
            _ints(paid_start),
        )

    def flows(self, rows: Sequence[int] | IntArray | slice) -> list[Flow]:
        """The flows of some rows, as :class:`Flow` records."""
        return list(starmap(Flow, self.rows(rows)))

    def rows(self, rows: Sequence[int] | IntArray | slice) -> Iterator[FlowRow]:
        """The flows of some rows as plain tuples, in the order of :class:`Flow`'s fields:
        for the listings of many flows, which need no records."""
        chosen = rows if isinstance(rows, slice) else np.asarray(rows, dtype=np.int64)
        owner = self.owner[chosen].tolist()
        source = self.source[chosen]
        # Each source once: the batch reads them from the rule files' objects when asked.
        sources = {int(s): self.sources[int(s)] for s in np.unique(source)}
        return zip(
            map(self.agreement_ids.__getitem__, owner),
            map(self.project_ids.__getitem__, owner),
            map(self.names.__getitem__, self.party[chosen].tolist()),
            map(PARTY_KINDS.__getitem__, self.party_kind[chosen].tolist()),
            map(FLOW_KINDS.__getitem__, self.flow[chosen].tolist()),
            self.year[chosen].tolist(),
            self.amount[chosen].tolist(),
            map(sources.__getitem__, source.tolist()),
            strict=True,
        )


FlowRow = tuple[str, str, str, str, str, int, int, SourcePos]


def _ints(values: Sequence[int]) -> IntArray:
    """Whole numbers as int64, or as Python integers where one does not fit."""
    try:
        return np.asarray(values, dtype=np.int64)
    except OverflowError:
        return np.asarray(values, dtype=object)


@dataclass(frozen=True, eq=False)
class ScheduleFigures:
    """What the projects and agreements of a batch come to, as columns.

    Per project (numbered as in ``table``): its title, the total in force at the end
    and what a termination left unpaid (base-year prices). Per agreement: where its
    projects begin (one entry more than agreements), and its cost shares over all years
    and their present values, each as (total, central, local, private).
    """

    table: FlowTable
    titles: Sequence[str]
    committed: Sequence[int]
    unpaid: Sequence[int]
    project_start: IntArray
    totals: npt.NDArray[Any]
    present_values: npt.NDArray[Any]


@dataclass(eq=False)
class ProjectSchedule:
    """One project's money: the nominal amount of each year paid, and who pays and gets it.

    The years, amounts and flows are read from the table of the schedule's batch when
    first asked for: a national projection lists only the few a reader looks at.
    """

    agreement: str
    project: str
    title: str
    committed_total: int  # the total in force at the end, base-year prices
    unpaid: int  # left unpaid by a termination, base-year prices
    table: FlowTable = field(repr=False)
    index: int = 0  # this project's place in the table

    @cached_property
    def years(self) -> list[int]:
        """The years paid, in order."""
        start, stop = self.table.paid_start[self.index : self.index + 2].tolist()
        years: list[int] = self.table.paid_year[start:stop].tolist()
        return years

    @cached_property
    def amounts(self) -> dict[int, int]:
        """Nominal won per year paid."""
        start, stop = self.table.paid_start[self.index : self.index + 2].tolist()
        return dict(zip(self.years, self.table.paid_amount[start:stop].tolist(), strict=True))

    @cached_property
    def flows(self) -> list[Flow]:
        """Year by year: each payer's cost share, then the central money each region gets."""
        start, stop = self.table.flow_start[self.index : self.index + 2].tolist()
        return self.table.flows(slice(start, stop))


@dataclass(eq=False)
class AgreementSchedule:
    """One agreement's schedule: its projects, totals by who pays, and present values.

    The projects and figures are read from the batch's columns when first asked for.
    """

    agreement: Agreement
    discount_rate: Fraction
    base_year: int  # the year the present values are discounted to
    figures: ScheduleFigures = field(repr=False)
    index: int = 0  # this agreement's place in the figures

    @cached_property
    def projects(self) -> list[ProjectSchedule]:
        """Each project's schedule, in the agreement's order."""
        figures = self.figures
        first, stop = figures.project_start[self.index : self.index + 2].tolist()
        return [
            ProjectSchedule(
                self.agreement.id,
                figures.table.project_ids[p],
                figures.titles[p],
                figures.committed[p],
                figures.unpaid[p],
                figures.table,
                p,
            )
            for p in range(first, stop)
        ]

    @cached_property
    def present_value(self) -> dict[str, int]:
        """Cost shares discounted to the base year: total, central, local, private."""
        return dict(zip(_KINDS, self.figures.present_values[self.index].tolist(), strict=True))

    @cached_property
    def totals(self) -> dict[str, int]:
        """Cost shares over all years: total, central, local, private."""
        return dict(zip(_KINDS, self.figures.totals[self.index].tolist(), strict=True))

    @property
    def flows(self) -> list[Flow]:
        """Every project's flows, project after project, as :class:`Flow` records."""
        return [f for p in self.projects for f in p.flows]

    def flow_rows(self) -> Iterator[FlowRow]:
        """The flows of every project, as plain tuples in the order of :class:`Flow`'s
        fields (for listings of thousands of agreements, which need no records)."""
        figures = self.figures
        first, stop = figures.project_start[self.index : self.index + 2].tolist()
        table = figures.table
        return table.rows(slice(*table.flow_start[[first, stop]].tolist()))

    def total(self, kind: str | None = None) -> int:
        """The cost shares over all years: all of them, or one kind's (central, local, private)."""
        if kind is None:
            return self.totals["total"]
        return self.totals[kind] if kind in BUCKETS else 0


_KINDS = ("total", *BUCKETS)


def flow_listing(
    schedules: Sequence[AgreementSchedule],
) -> Iterator[tuple[FlowRow, AgreementSchedule]]:
    """Every flow of the schedules, in order, as a plain tuple with its schedule.

    For the listings of a national projection (a hundred thousand flows): one pass over
    each batch's table, no :class:`Flow` records.
    """
    runs: list[Iterator[tuple[FlowRow, AgreementSchedule]]] = []
    start = 0
    while start < len(schedules):
        figures = schedules[start].figures
        stop = start + 1
        while (
            stop < len(schedules)
            and schedules[stop].figures is figures
            and schedules[stop].index == schedules[stop - 1].index + 1
        ):
            stop += 1
        run = schedules[start:stop]
        table = figures.table
        first = figures.project_start[[s.index for s in run] + [run[-1].index + 1]]
        bounds = table.flow_start[first]
        owners = chain.from_iterable(map(repeat, run, np.diff(bounds).tolist()))
        rows = table.rows(slice(int(bounds[0]), int(bounds[-1])))
        runs.append(zip(rows, owners, strict=True))
        start = stop
    return chain.from_iterable(runs)


def _bucket(party_kind: str) -> str:
    return {"ministry": "central", "central": "central", "region": "local"}.get(
        party_kind, "private"
    )


@dataclass
class _Scheduled:
    """One project as the reference scheduler leaves it, before it goes into a table."""

    title: str
    amounts: dict[int, int]
    flows: list[Flow]
    committed_total: int
    unpaid: int


def schedule_agreement(
    agreement: Agreement, rate_of: RateOf, discount_rate: Fraction
) -> tuple[AgreementSchedule, list[Problem]]:
    """One agreement, project by project, year by year: the reference for the batch.

    ``fiscal.engine.agreement_batch`` schedules thousands of agreements at once and must
    give exactly what this gives.
    """
    problems: list[Problem] = []
    done = [_schedule_project(agreement, p, rate_of, problems) for p in agreement.projects]
    table = FlowTable.of(
        agreement.id,
        [(p.id, d.flows, d.amounts) for p, d in zip(agreement.projects, done, strict=True)],
    )
    totals = dict.fromkeys(_KINDS, 0)
    for flow in (f for d in done for f in d.flows):
        if flow.flow == "cost_share":
            totals["total"] += flow.amount
            totals[_bucket(flow.party_kind)] += flow.amount
    figures = ScheduleFigures(
        table,
        [d.title for d in done],
        [d.committed_total for d in done],
        [d.unpaid for d in done],
        _ints([0, len(done)]),
        np.asarray([list(totals.values())], dtype=object),
        np.zeros((1, len(_KINDS)), dtype=object),
    )
    years = [y for d in done for y in d.amounts]
    start = agreement.signed.year if agreement.signed else min(years, default=0)
    result = AgreementSchedule(agreement, discount_rate, min([start, *years]), figures)
    figures.present_values[0] = list(_present_values(result, discount_rate).values())
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
) -> _Scheduled:
    versions = terms_in_force(project, agreement.amendments)
    real: dict[int, int] = {}
    # Each version's years as it scheduled them, before a later version or a termination
    # cut them short: the parties' parts are settled over these, so an amendment or a
    # termination never changes what a party paid in the years before it.
    scheduled: dict[int, tuple[list[int], list[int]]] = {}
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
        scheduled[id(terms)] = (span, parts)
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
        settled = _settled_parts(terms, scheduled.get(id(terms)), share_weights)
        for year in block:
            parts = settled[year] if settled else split_exact(amounts[year], share_weights)
            paid = dict(zip(payers, parts, strict=True))
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
    return _Scheduled(final.title, amounts, flows, final.total_krw, unpaid)


def _settled_parts(
    terms: Project, scheduled: tuple[list[int], list[int]] | None, weights: Sequence[int]
) -> dict[int, list[int]] | None:
    """The parties' parts of each year a version scheduled, settled over all its years.

    Only for terms without indexation: their won are the years' amounts as scheduled, so
    the whole span is known without asking for a rate. Indexed years are split each on
    its own (their nominal total is no figure anyone agreed to).
    """
    if terms.indexation is not None or scheduled is None or len(scheduled[0]) < 2:
        return None
    years, amounts = scheduled
    return dict(zip(years, split_block(amounts, weights), strict=True))


def split_block(amounts: Sequence[int], weights: Sequence[int]) -> list[list[int]]:
    """Years under the same cost shares, divided among the payers: year x payer, to the won.

    Each year's parts add up to the year's amount, and each payer's parts add up to its
    largest-remainder share of the years' total (so a share that divides the total is
    paid exactly). Each year is first split by largest remainder (:func:`split_exact`);
    only when the payers' sums then miss their shares is the block settled again
    (:func:`settle_block`). The batch scheduler uses the same two functions.
    """
    parts = [split_exact(amount, weights) for amount in amounts]
    if len(parts) > 1:
        settled = settle_block(amounts, weights, parts)
        if settled is not None:
            return settled
    return parts


def settle_block(
    amounts: Sequence[int], weights: Sequence[int], parts: Sequence[Sequence[int]]
) -> list[list[int]] | None:
    """The years' parts re-divided so each payer's sum is its share of the total.

    None when ``parts`` (each year split by largest remainder) already sum to the shares.
    Otherwise every year keeps the floor of each payer's exact quota, and the won left
    in a year go one each to the payers still furthest below their shares (ties: the
    larger remainder that year, then the payer listed first), year after year. Each
    year still adds up, and each payer ends at its share: a payer's shortfall is never
    more than the years with a remainder to give it (Ryser's greedy filling of a 0-1
    table with given row and column sums).
    """
    total_weight = sum(weights)
    if total_weight <= 0:
        return None
    targets = split_exact(sum(amounts), weights)
    count = len(weights)
    if all(sum(row[p] for row in parts) == targets[p] for p in range(count)):
        return None
    floors = [[a * w // total_weight for w in weights] for a in amounts]
    short = [targets[p] - sum(row[p] for row in floors) for p in range(count)]
    for amount, row in zip(amounts, floors, strict=True):
        left = amount - sum(row)
        if not left:
            continue
        remainder = [amount * w % total_weight if w > 0 else -1 for w in weights]
        order = sorted(range(count), key=lambda p: (-short[p], -remainder[p], p))
        for p in order[:left]:
            row[p] += 1
            short[p] -= 1
    return floors


def _index(amount: int, terms: Project, year: int, rate_of: RateOf) -> int:
    if terms.indexation is None or year <= terms.indexation.base_year:
        return amount
    factor = Fraction(1)
    for t in range(terms.indexation.base_year + 1, year + 1):
        factor *= 1 + rate_of(terms.indexation.parameter, t)
    return round(amount * factor)


@lru_cache(maxsize=65536)
def _exact(weights: tuple[Decimal | int, ...]) -> tuple[int, ...]:
    """Rational weights as whole numbers in the same proportions, for exact apportionment
    (cached: shares repeat).

    Each weight's exact ratio, scaled by the least common denominator: a national
    dataset has thousands of distinct share lists, and this is several times faster than
    shifting decimal digits. Any whole numbers in the same proportions split an amount
    alike (the largest remainders compare the same way), so the won are the same.
    """
    try:
        ratios = [w.as_integer_ratio() for w in weights]
    except (ValueError, OverflowError):  # not a finite number: as integer_weights says
        return tuple(integer_weights(weights))
    scale = lcm(*(d for _, d in ratios))
    return tuple(n * (scale // d) for n, d in ratios)


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


def present_values(rate: float, values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """``numpy_financial.npv(rate, series)`` for every series along the last axis at once.

    numpy-financial 1.0's ``npv`` takes one series at a time (time on axis 0); the
    batch scheduler needs thousands. This is its formula,
    ``(values / (1 + rate) ** np.arange(0, len(values))).sum()``, on every series at
    once, each summed along its own contiguous row, so each result is the same float
    (tested to the bit). Why a copy: on 5,000 synthetic agreements (``fiscal.synth``)
    ``schedule_agreements`` takes 100-130 ms with it and 160-240 ms calling ``npf.npv``
    per series (best of 5, three runs on a shared machine). The reference scheduler
    (``_present_values``) calls ``npf.npv`` itself, so the batch is checked against
    numpy-financial, not against this copy.
    """
    series = np.ascontiguousarray(values, dtype=np.float64)
    discounted = series / (1 + rate) ** np.arange(0, series.shape[-1])
    result: npt.NDArray[np.float64] = discounted.sum(axis=-1)
    return result


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
