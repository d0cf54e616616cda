"""Every agreement scheduled at once: the rules of ``agreements.py`` on arrays.

A national dataset has thousands of agreements of a few projects of a few years each.
One at a time in Python that takes seconds; here the same rules run on project x year
arrays of whole won, and give to the won what :func:`schedule_agreement` (the
reference) gives:

1. the yearly split of each project's total by the schedule's whole-number weights
   (largest remainder), one round per version of the terms: an amendment's round
   keeps the years before it and spreads what is left of its total over its own years;
2. termination, by dropping the years after the last year in force;
3. each year's split among the payers by their cost shares, and of the central money
   among the regions, row by row in int64 (:func:`fiscal.engine.money.split_rows`);
   the years under one version whose payers' sums miss their shares of the total are
   settled again as the reference settles them (:func:`settle_block`);
4. each agreement's totals and present values.

What is sequential, or may not fit in int64, stays in Python on the few rows that need
it: indexation (exact fractions, each year's rate asked for once per agreement), the
central cap (a running total over a project's years), and any split whose products
would pass 2**62. An agreement with a problem (an amended total below what was already
scheduled, won with no year to pay them, a rate with no value in force), with amounts
beyond 2**52 won, or with a negative share (which the checker refuses) is scheduled by
the reference itself, so its problems and figures are exactly the reference's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from itertools import repeat
from operator import attrgetter
from typing import Any, overload

import numpy as np
import numpy.typing as npt

from fiscal.engine.agreements import (
    _KINDS,
    BUCKETS,
    FLOW_KINDS,
    PARTY_KINDS,
    AgreementSchedule,
    FlowTable,
    IntArray,
    ScheduleFigures,
    _bucket,
    _exact,
    _present_values,
    _region_shares,
    _weights,
    present_values,
    schedule_agreement,
    settle_block,
)
from fiscal.engine.money import split_exact, split_rows
from fiscal.errors import Problem, SourcePos
from fiscal.rules.agreements import Agreement, Project, terms_in_force

RateFor = Callable[[Agreement, str, int], Fraction]  # (agreement, parameter, year) -> rate
DiscountFor = Callable[[Agreement], Fraction]

_SAFE = 2**62  # products below this fit in int64 with room for a sum
_BIG = 2**52  # larger amounts or weights: the agreement goes to the reference scheduler
_NEVER = -(2**40)  # "from the start" as a first year that every year is on or after
_KIND = {kind: code for code, kind in enumerate(PARTY_KINDS)}
_REGION = _KIND["region"]
_CENTRAL_KINDS = (_KIND["ministry"], _KIND["central"])
_ID_AND_KIND = attrgetter("id", "kind")
_ZERO, _ONE = Decimal(0), Decimal(1)
_BUCKET = np.asarray([BUCKETS.index(_bucket(kind)) for kind in PARTY_KINDS])

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class Batch:
    """The schedules of many agreements, and all their flows in one table.

    ``table`` numbers the projects in the order of ``schedules`` and their projects.
    """

    schedules: list[AgreementSchedule]
    table: FlowTable
    project_agreement: IntArray  # per project of the table: its agreement's place
    binding: BoolArray  # per agreement: whether it commits money (a proposal does not)
    parameters: frozenset[str]  # the indexation parameters of the terms


def schedule_agreements(
    agreements: Sequence[Agreement],
    rate_of: RateFor,
    discount_rate_of: DiscountFor,
    problems: list[Problem],
) -> Batch:
    """Schedule every agreement; problems are added to ``problems`` as they are found.

    For each agreement in turn, ``discount_rate_of`` is asked once, then ``rate_of`` for
    each indexation rate it uses: whatever they record (parameter uses, problems) comes
    in the order the reference scheduler would give, agreement by agreement.
    """
    g = _Gathered(agreements)
    real, present, flagged, spans = _yearly_amounts(g)
    flagged_agreements = np.zeros(len(agreements), dtype=bool)
    flagged_agreements[g.project_agreement[flagged]] = True
    flagged_agreements |= g.too_big

    rows_project, rows_column = np.nonzero(present)  # project by project, years in order
    row_year = rows_column.astype(np.int64) + g.first_column_year
    row_real = real[rows_project, rows_column]
    row_version = _versions_in_force(g, rows_project, row_year)
    row_agreement = g.project_agreement[rows_project]

    nominal, discount, reference = _index_and_fall_back(
        g, agreements, rate_of, discount_rate_of, problems, flagged_agreements,
        row_agreement, row_version, row_year, row_real,
    )  # fmt: skip
    fallen = np.zeros(len(agreements), dtype=bool)
    fallen[list(reference)] = True

    # The reference scheduled those agreements; the arrays go on with the others.
    keep = ~fallen[row_agreement]
    rows_project, row_year = rows_project[keep], row_year[keep]
    row_version, nominal = row_version[keep], nominal[keep]

    paid = split_rows(nominal, g.payer_weight[row_version])
    _settle_blocks(g, spans, row_version, row_year, paid)
    _cap_central_money(g, agreements, rows_project, row_version, paid)
    central = _row_sums(paid * g.payer_central[row_version])
    inflow = split_rows(central, g.region_weight[row_version])

    table = _table(g, reference, rows_project, row_year, row_version, nominal, paid, inflow)
    return Batch(
        _schedules(g, agreements, table, real, discount, reference, fallen),
        table,
        g.project_agreement,
        g.binding,
        frozenset(p for p in g.index_parameter if p is not None),
    )


class _Gathered:
    """What the arrays need from each agreement, project and version of the terms.

    Versions are numbered project after project; a project's versions run from
    ``version_start[p]`` for ``version_count[p]``. Per version: the payers (cost-share
    slots) and the regions that get central money (inflow slots), padded to the widest.
    This is the one loop over every project in Python: it reads each field once, in one
    pass (the ruleset is large, and a second pass reads it from memory again), into flat
    lists of whole numbers (a tuple per project would wake the garbage collector, which
    then walks the whole ruleset).
    """

    def __init__(self, agreements: Sequence[Agreement]) -> None:
        names = _Numbering()
        name = names.__getitem__
        terms_of: list[Project] = []
        project_agreement: list[int] = []
        version_count: list[int] = []
        committed: list[int] = []
        titles: list[str] = []
        project_ids: list[str] = []
        agreement_ids: list[str] = []
        last_paid: list[int] = []
        signed: list[int] = []
        binding: list[bool] = []
        too_big: list[bool] = []
        first: list[int] = []
        totals: list[int] = []
        span_first: list[int] = []
        span_length: list[int] = []
        year_weights: list[int] = []
        payer_count: list[int] = []
        payer_weight: list[int] = []
        payer_party: list[int] = []
        payer_kind: list[str] = []
        region_count: list[int] = []
        region_weight: list[int] = []
        region_party: list[int] = []
        caps: list[int | None] = []
        index_parameter: list[str | None] = []
        index_base: list[int] = []
        for index, agreement in enumerate(agreements):
            parties = agreement.parties
            kinds = dict(map(_ID_AND_KIND, parties))
            regions = [i for i, kind in kinds.items() if kind == "region"]
            if len(kinds) != len(parties):  # a party listed twice: as _region_shares does
                regions = list(dict.fromkeys(p.id for p in parties if p.kind == "region"))
            amendments = agreement.amendments
            signed.append(_NEVER if agreement.signed is None else agreement.signed.year)
            binding.append(agreement.binding)
            last = agreement.last_paid_year
            last = -_NEVER if last is None else last
            big = False
            for project in agreement.projects:
                terms_in = terms_in_force(project, amendments) if amendments else [(None, project)]
                final = terms_in[-1][1]
                project_agreement.append(index)
                version_count.append(len(terms_in))
                committed.append(final.total_krw)
                titles.append(final.title)
                project_ids.append(project.id)
                agreement_ids.append(agreement.id)
                last_paid.append(last)
                for first_year, terms in terms_in:
                    terms_of.append(terms)
                    total = terms.total_krw
                    start, end = terms.years
                    if first_year is None:
                        first_year = _NEVER
                    elif first_year > start:
                        start = first_year
                    length = end - start + 1 if end >= start else 0
                    first.append(first_year)
                    totals.append(total)
                    span_first.append(start)
                    span_length.append(length)
                    if terms.schedule is None and terms.schedule_krw is None:
                        year_weights += [1] * length
                    else:
                        by_year = _weights(terms, list(range(start, end + 1)))
                        big = big or sum(by_year) >= _BIG or min(by_year, default=0) < 0
                        year_weights += by_year
                    shares = terms.shares
                    weights = _exact(tuple(shares.values()))
                    payer_count.append(len(weights))
                    payer_weight += weights
                    payer_party += map(name, shares)
                    payer_kind += map(kinds.get, shares, repeat("central"))
                    split = terms.central_to_regions
                    if split is not None:
                        receivers: Iterable[str] = split
                        split_weights = _exact(tuple(split.values()))
                    else:
                        receivers = regions
                        split_weights = _split_by_own_shares(shares, regions)
                    region_count.append(len(split_weights))
                    region_weight += split_weights
                    region_party += map(name, receivers)
                    # Weights the checker would refuse (a share below 0) go to the reference too.
                    big = (
                        big
                        or total >= _BIG
                        or sum(weights) + sum(split_weights) >= _BIG
                        or min(weights, default=0) < 0
                        or min(split_weights, default=0) < 0
                    )
                    caps.append(terms.central_cap_krw)
                    indexation = terms.indexation
                    if indexation is None:
                        index_parameter.append(None)
                        index_base.append(0)
                    else:
                        index_parameter.append(indexation.parameter)
                        index_base.append(indexation.base_year)
            too_big.append(big)

        self.agreement_count = len(agreements)
        self.names = names
        self.terms = terms_of
        self.titles = titles
        self.committed = committed
        self.project_ids = project_ids
        self.agreement_ids = agreement_ids
        self.cap = caps
        self.index_parameter = index_parameter
        self.index_base = _array(index_base)
        self.project_agreement = _array(project_agreement)
        self.version_count = _array(version_count)
        self.version_start = _starts(self.version_count)[:-1]
        self.last_paid = _array(last_paid)
        self.signed = _array(signed)  # the signing year, or _NEVER
        self.binding = np.asarray(binding, dtype=bool)
        self.too_big = np.asarray(too_big, dtype=bool)
        self.first = _array(first)
        self.total = _array(_fitting(totals))
        self.span_first = _array(span_first)
        self.span_length = _array(span_length)
        self.year_weights = _array(_fitting(year_weights))
        self.year_weight_start = _starts(self.span_length)[:-1]
        self.payer_count = _array(payer_count)
        self.payer_weight = _padded(_fitting(payer_weight), self.payer_count)
        self.payer_party = _padded(payer_party, self.payer_count)
        self.payer_kind = _padded(list(map(_KIND.__getitem__, payer_kind)), self.payer_count)
        width = self.payer_kind.shape[1]
        self.payer_central = (
            np.isin(self.payer_kind, _CENTRAL_KINDS)
            & (np.arange(width)[None, :] < self.payer_count[:, None])
        ).astype(np.int64)
        self.region_count = _array(region_count)
        self.region_weight = _padded(_fitting(region_weight), self.region_count)
        self.region_party = _padded(region_party, self.region_count)
        # The source of each version, read only when a flow is listed: reaching a pydantic
        # private attribute is slow, and a projection lists few of its flows.
        self.sources = _Sources(terms_of)
        self.source = np.arange(len(terms_of), dtype=np.int64)
        ends = self.span_first + self.span_length - 1
        lived = self.span_length > 0
        self.first_column_year = int(self.span_first[lived].min()) if lived.any() else 0
        self.columns = int(ends[lived].max()) - self.first_column_year + 1 if lived.any() else 0


def _split_by_own_shares(shares: dict[str, Decimal], regions: list[str]) -> tuple[int, ...]:
    """Without central_to_regions, central money goes by the regions' own cost shares
    (or evenly, if none pays one): as ``_central_to_regions`` does."""
    own = tuple(map(shares.get, regions, repeat(_ZERO)))
    return _exact(own if any(own) else (_ONE,) * len(own))


def _fitting(numbers: list[int]) -> list[int]:
    """Whole numbers for an int64 table: any too large is replaced by 0 (its agreement is
    marked too big, and the reference schedules it)."""
    return numbers if max(numbers, default=0) < _BIG else [n if n < _BIG else 0 for n in numbers]


class _Numbering(dict[str, int]):
    """Numbers for names, in the order they are first seen."""

    def __missing__(self, key: str) -> int:
        number = self[key] = len(self)
        return number


class _Sources(Sequence[SourcePos]):
    """Where each version of the terms is written, looked up the first time it is asked."""

    def __init__(self, located: list[Project]) -> None:
        self._located: list[Project | SourcePos] = list(located)

    def append(self, source: SourcePos) -> None:
        """Add the source of one more version (from an agreement the reference scheduled)."""
        self._located.append(source)

    def __len__(self) -> int:
        return len(self._located)

    @overload
    def __getitem__(self, index: int) -> SourcePos: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[SourcePos]: ...

    def __getitem__(self, index: int | slice) -> SourcePos | Sequence[SourcePos]:
        if isinstance(index, slice):
            return [self[i] for i in range(len(self))[index]]
        found = self._located[index]
        if not isinstance(found, SourcePos):
            found = self._located[index] = found.source
        return found


def _array(values: Sequence[int]) -> IntArray:
    return np.asarray(values, dtype=np.int64).reshape(len(values))


def _starts(counts: IntArray) -> IntArray:
    """Where each run of ``counts`` begins in a flat list, and the end (one entry more)."""
    out: IntArray = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=out[1:])
    return out


def _padded(flat: Sequence[int], counts: IntArray) -> IntArray:
    """Runs of a flat list as the rows of a matrix, padded with zeros to the longest."""
    width = int(counts.max(initial=0))
    out: IntArray = np.zeros((len(counts), width), dtype=np.int64)
    slot = np.arange(width)[None, :]
    out[slot < counts[:, None]] = np.asarray(flat, dtype=np.int64)
    return out


def _yearly_amounts(
    g: _Gathered,
) -> tuple[IntArray, BoolArray, IntArray, IntArray]:
    """Each project's base-price amount per year (projects x years), which years are paid,
    the projects whose terms raise a problem (they go to the reference scheduler), and
    each version's years as it scheduled them (versions x span, before any cut)."""
    projects = len(g.version_count)
    real: IntArray = np.zeros((projects, g.columns), dtype=np.int64)
    present = np.zeros((projects, g.columns), dtype=bool)
    flagged = np.zeros(projects, dtype=bool)
    column_year = np.arange(g.columns) + g.first_column_year
    spans = np.zeros((len(g.first), int(g.span_length.max(initial=0))), dtype=np.int64)
    for k in range(int(g.version_count.max(initial=0))):
        chosen = np.flatnonzero(g.version_count > k)
        version = g.version_start[chosen] + k
        if k:
            # The years from this version's first year on are scheduled anew.
            anew = column_year[None, :] >= g.first[version][:, None]
            real[chosen] = np.where(anew, 0, real[chosen])
            present[chosen] &= ~anew
        remaining = g.total[version] - real[chosen].sum(axis=1)
        flagged[chosen[remaining < 0]] = True
        remaining = np.maximum(remaining, 0)
        length = g.span_length[version]
        width = int(length.max(initial=0))
        slot = np.arange(width)[None, :]
        inside = slot < length[:, None]
        at = np.where(inside, g.year_weight_start[version][:, None] + slot, 0)
        weights = np.where(inside, g.year_weights[at], 0)
        flagged[chosen[(remaining != 0) & ~weights.any(axis=1)]] = True
        # A negative year weight (which the checker refuses) marks its agreement for the
        # reference scheduler; whatever is split here for it is never used.
        parts = split_rows(remaining, np.maximum(weights, 0))
        spans[version, :width] = np.where(inside, parts, 0)
        has_later = g.version_count[chosen] > k + 1
        later = np.where(has_later, g.first[np.where(has_later, version + 1, version)], 2**40)
        year = g.span_first[version][:, None] + slot
        written = inside & (year < later[:, None])
        where_row = np.broadcast_to(chosen[:, None], written.shape)[written]
        where_column = (year - g.first_column_year)[written]
        real[where_row, where_column] = parts[written]
        present[where_row, where_column] = True
    # A termination stops the payments after the last year in force.
    present &= column_year[None, :] <= g.last_paid[:, None]
    real[~present] = 0
    return real, present, flagged, spans


def _versions_in_force(g: _Gathered, project: IntArray, year: IntArray) -> IntArray:
    """The version of the terms in force each year: the last one that governs by then."""
    count = g.version_count[project]
    start = g.version_start[project]
    chosen = np.zeros(len(project), dtype=np.int64)
    for k in range(1, int(count.max(initial=0))):
        has = count > k
        first = g.first[np.where(has, start + k, start)]
        chosen = np.where(has & (first <= year), k, chosen)
    result: IntArray = start + chosen
    return result


def _index_and_fall_back(
    g: _Gathered,
    agreements: Sequence[Agreement],
    rate_of: RateFor,
    discount_rate_of: DiscountFor,
    problems: list[Problem],
    flagged: BoolArray,
    row_agreement: IntArray,
    row_version: IntArray,
    row_year: IntArray,
    row_real: IntArray,
) -> tuple[IntArray, list[Fraction], dict[int, AgreementSchedule]]:
    """Agreement by agreement: the discount rate, the indexed years' nominal amounts,
    and the reference scheduler for the agreements it must do."""
    nominal = row_real.copy()
    indexed_version = np.asarray([p is not None for p in g.index_parameter], dtype=bool)
    indexed_rows = np.flatnonzero(
        indexed_version[row_version] & (row_year > g.index_base[row_version])
    )
    growth = _Growth()
    bounds = np.searchsorted(row_agreement[indexed_rows], np.arange(len(agreements) + 1))
    bounds_list = bounds.tolist()
    # The indexed rows as Python lists: each agreement takes a slice.
    versions = row_version[indexed_rows].tolist()
    keys = [
        (g.index_parameter[v] or "", b)
        for v, b in zip(versions, g.index_base[versions].tolist(), strict=True)
    ]
    years = row_year[indexed_rows].tolist()
    reals = row_real[indexed_rows].tolist()
    grown: list[int] = []
    grown_rows: list[IntArray] = []
    busy = np.flatnonzero(flagged | (bounds[1:] > bounds[:-1])).tolist()
    discount: list[Fraction] = []
    reference: dict[int, AgreementSchedule] = {}
    done = 0
    for index in busy:
        # The agreements before this one only need their discount rate.
        discount += map(discount_rate_of, agreements[done:index])
        done = index + 1
        agreement = agreements[index]
        rate = discount_rate_of(agreement)
        discount.append(rate)
        fall_back = bool(flagged[index])
        if not fall_back:
            before = len(problems)
            mine = slice(bounds_list[index], bounds_list[index + 1])
            amounts = _indexed(agreement, rate_of, growth, keys[mine], years[mine], reals[mine])
            if len(problems) > before or any(not 0 <= a < _BIG for a in amounts):
                # The reference asks again, in its own order, and reports what it finds.
                del problems[before:]
                fall_back = True
            else:
                grown += amounts
                grown_rows.append(indexed_rows[mine])
        if fall_back:
            schedule, found = schedule_agreement(agreement, _rates_of(rate_of, agreement), rate)
            problems += found
            reference[index] = schedule
    discount += map(discount_rate_of, agreements[done:])
    if grown:
        nominal[np.concatenate(grown_rows)] = grown
    return nominal, discount, reference


def _rates_of(rate_of: RateFor, agreement: Agreement) -> Callable[[str, int], Fraction]:
    """The reference scheduler's view of the rates: one agreement's."""

    def rate(path: str, year: int) -> Fraction:
        """A rate parameter's value in ``year`` (an indexation rate), for this agreement."""
        return rate_of(agreement, path, year)

    return rate


def _indexed(
    agreement: Agreement,
    rate_of: RateFor,
    growth: _Growth,
    keys: list[tuple[str, int]],
    years: list[int],
    reals: list[int],
) -> list[int]:
    """Each indexed year's real amount grown from the base year, half to even.

    ``keys`` are the (parameter, base year) of each year's indexation. The factor is the
    product of (1 + rate) over the years after the base year, as in ``_index``; here a
    fraction of whole numbers, built year on year and shared between agreements.
    """
    last: dict[tuple[str, int], int] = {}
    for key, year in zip(keys, years, strict=True):
        last[key] = max(last.get(key, year), year)
    factors = {
        (parameter, base): growth.factors(
            parameter, base, [rate_of(agreement, parameter, t) for t in range(base + 1, top + 1)]
        )
        for (parameter, base), top in last.items()
    }
    grown = []
    for key, year, real in zip(keys, years, reals, strict=True):
        numerators, denominators = factors[key]
        denominator = denominators[year - key[1]]
        whole, part = divmod(real * numerators[year - key[1]], denominator)
        # Half to even, as round() does a Fraction.
        up = 2 * part > denominator or (2 * part == denominator and whole % 2 == 1)
        grown.append(whole + up)
    return grown


class _Growth:
    """Index factors from a base year, year by year, as numerator and denominator.

    Agreements indexed by the same parameter from the same base year get the same rate
    objects (the context looks each value up once), so the chain is built once; a rate
    that is a different object starts it again from that year.
    """

    def __init__(self) -> None:
        self._chains: dict[tuple[str, int], tuple[list[Fraction], list[int], list[int]]] = {}

    def factors(
        self, parameter: str, base: int, rates: list[Fraction]
    ) -> tuple[list[int], list[int]]:
        """Numerators and denominators of the factor for base, base + 1, ... (1 at base)."""
        used, numerators, denominators = self._chains.setdefault((parameter, base), ([], [1], [1]))
        same = 0
        while same < len(rates) and same < len(used) and used[same] is rates[same]:
            same += 1
        del used[same:], numerators[same + 1 :], denominators[same + 1 :]
        for rate in rates[same:]:
            used.append(rate)
            numerators.append(numerators[-1] * (rate.denominator + rate.numerator))
            denominators.append(denominators[-1] * rate.denominator)
        return numerators, denominators


def _settle_blocks(
    g: _Gathered, spans: IntArray, row_version: IntArray, row_year: IntArray, paid: IntArray
) -> None:
    """Each payer's parts settled over the years its version scheduled, in place.

    As the reference's ``_settled_parts``: only versions without indexation and of more
    than one year. In int64 on all of them, each payer's sum of the years split one by
    one is compared with its share of the version's total; the few versions where the
    odd won fell unevenly are settled in Python by :func:`settle_block`, so the won are
    the reference's. Only the years still paid (in ``paid``'s rows) are written.
    """
    if not len(row_version):
        return
    used = np.unique(row_version)
    unindexed = np.asarray([p is None for p in g.index_parameter], dtype=bool)
    versions = used[unindexed[used] & (g.span_length[used] > 1)]
    if not len(versions):
        return
    lengths = g.span_length[versions]
    inside = np.arange(spans.shape[1])[None, :] < lengths[:, None]
    flat_version = np.broadcast_to(versions[:, None], inside.shape)[inside]
    flat_amount = spans[versions][inside]
    yearly = split_rows(flat_amount, g.payer_weight[flat_version])
    ends = np.cumsum(lengths)
    begins = ends - lengths
    # Sums from running totals: unsigned, so that passing 2**64 wraps and the differences
    # (each version's sum fits) are still exact.
    running = np.r_[np.uint64(0), np.cumsum(flat_amount.astype(np.uint64))]
    totals = (running[ends] - running[begins]).astype(np.int64)
    zero = np.zeros((1, yearly.shape[1]), dtype=np.uint64)
    yearly_running = np.vstack([zero, np.cumsum(yearly.astype(np.uint64), axis=0)])
    sums = (yearly_running[ends] - yearly_running[begins]).astype(np.int64)
    targets = split_rows(totals, g.payer_weight[versions])
    uneven = np.flatnonzero((sums != targets).any(axis=1))
    if not len(uneven):
        return
    # Versions are numbered project after project and rows run project by project, years
    # in order: row_version never decreases, so a version's rows are one sorted run.
    first_row = np.searchsorted(row_version, versions[uneven], side="left")
    last_row = np.searchsorted(row_version, versions[uneven], side="right")
    rows_of = {
        int(v): np.arange(a, z)
        for v, a, z in zip(
            versions[uneven].tolist(), first_row.tolist(), last_row.tolist(), strict=True
        )
    }
    for b in uneven.tolist():
        version = int(versions[b])
        count = int(g.payer_count[version])
        start, stop = int(begins[b]), int(ends[b])
        settled = settle_block(
            flat_amount[start:stop].tolist(),
            g.payer_weight[version, :count].tolist(),
            yearly[start:stop, :count].tolist(),
        )
        if settled is None:
            continue
        rows = rows_of[version]
        offset = row_year[rows] - int(g.span_first[version])
        paid[rows, :count] = np.asarray(settled, dtype=np.int64)[offset]


def _row_sums(matrix: IntArray) -> IntArray:
    out: IntArray = np.zeros(matrix.shape[0], dtype=np.int64)
    if not matrix.shape[1]:
        return out
    out += matrix[:, 0]
    for j in range(1, matrix.shape[1]):
        out += matrix[:, j]
    return out


def _cap_central_money(
    g: _Gathered,
    agreements: Sequence[Agreement],
    row_project: IntArray,
    row_version: IntArray,
    paid: IntArray,
) -> None:
    """Once the centre's running total would pass its cap, move the excess to the regions.

    Sequential over a project's years, so in Python, on the few capped projects whose
    centre's running total passes the lowest of their caps, from that year on (until
    then no cap binds). As in the reference (``_shift_excess``): the excess is cut from the
    central payers by their amounts that year (the excess is at most their sum, so no
    payer loses more than it pays and ``apportion``'s caps never bind), and goes to the
    regions by their positive shares.
    """
    capped_version = np.asarray([c is not None for c in g.cap], dtype=bool)
    if not capped_version.any():
        return
    capped_project = np.zeros(len(g.version_count), dtype=bool)
    capped_project[row_project[capped_version[row_version]]] = True
    rows = np.flatnonzero(capped_project[row_project])
    if not len(rows):
        return
    project = row_project[rows]
    central = _row_sums(paid[rows] * g.payer_central[row_version[rows]])
    # The running total within each project, from one running total over all of them:
    # unsigned, so that passing 2**64 wraps and the differences are still exact.
    running = np.cumsum(central.astype(np.uint64))
    begins = np.flatnonzero(np.r_[True, project[1:] != project[:-1]])
    before = np.repeat(
        running[begins] - central[begins].astype(np.uint64), np.diff([*begins, len(rows)])
    )
    within = (running - before).astype(np.int64)
    lowest = np.asarray(
        [
            min(min(c for c in g.cap[v : v + n] if c is not None), _SAFE)
            for v, n in zip(
                g.version_start[project[begins]].tolist(),
                g.version_count[project[begins]].tolist(),
                strict=True,
            )
        ],
        dtype=np.int64,
    )
    # Until the running total passes the project's lowest cap, no cap binds.
    passing = np.flatnonzero(within > np.repeat(lowest, np.diff([*begins, len(rows)])))
    binding, first_passing = np.unique(project[passing], return_index=True)
    ends = np.searchsorted(row_project, binding + 1)
    central_slots: dict[int, list[int]] = {}
    for project_index, at, stop in zip(
        binding.tolist(), passing[first_passing].tolist(), ends.tolist(), strict=True
    ):
        agreement = agreements[int(g.project_agreement[project_index])]
        central_paid = int(within[at] - central[at])
        first = int(rows[at])
        for row in range(first, stop):
            version = int(row_version[row])
            slots = central_slots.get(version)
            if slots is None:
                count = int(g.payer_count[version])
                slots = central_slots[version] = np.flatnonzero(
                    g.payer_central[version, :count]
                ).tolist()
            amounts = paid[row].tolist()
            central_year = sum(amounts[s] for s in slots)
            cap = g.cap[version]
            if cap is not None and central_paid + central_year > cap:
                excess = central_paid + central_year - max(cap, central_paid)
                if excess > 0 and slots:
                    cut = split_exact(excess, [amounts[s] for s in slots])
                    for s, c in zip(slots, cut, strict=True):
                        amounts[s] -= c
                    terms = g.terms[version]
                    shares = _region_shares(agreement, terms)
                    regions = [r for r, s in shares.items() if s > 0]
                    extra = split_exact(sum(cut), _exact(tuple(shares[r] for r in regions)))
                    payers = list(terms.shares)
                    for region, amount in zip(regions, extra, strict=True):
                        amounts[payers.index(region)] += amount
                    paid[row] = amounts
                    central_year = sum(amounts[s] for s in slots)
            central_paid += central_year


def _table(
    g: _Gathered,
    reference: dict[int, AgreementSchedule],
    row_project: IntArray,
    row_year: IntArray,
    row_version: IntArray,
    nominal: IntArray,
    paid: IntArray,
    inflow: IntArray,
) -> FlowTable:
    """Every flow as a row: per project and year, the payers' cost shares, then the
    central money each region gets; the reference's agreements in their places."""
    payers, regions = paid.shape[1], inflow.shape[1]
    count_p = g.payer_count[row_version]
    count_r = g.region_count[row_version]
    begins = _starts(count_p + count_r)
    size = int(begins[-1])
    is_payer = np.arange(payers)[None, :] < count_p[:, None]
    is_region = np.arange(regions)[None, :] < count_r[:, None]
    at_p = (begins[:-1, None] + np.arange(payers)[None, :])[is_payer]
    at_r = ((begins[:-1] + count_p)[:, None] + np.arange(regions)[None, :])[is_region]
    amount = np.empty(size, dtype=np.int64)
    amount[at_p] = paid[is_payer]
    amount[at_r] = inflow[is_region]
    party = np.empty(size, dtype=np.int64)
    party[at_p] = g.payer_party[row_version][is_payer]
    party[at_r] = g.region_party[row_version][is_region]
    kind = np.full(size, _REGION, dtype=np.int64)
    kind[at_p] = g.payer_kind[row_version][is_payer]
    flow = np.full(size, FLOW_KINDS.index("central_inflow"), dtype=np.int64)
    flow[at_p] = FLOW_KINDS.index("cost_share")
    per_row = count_p + count_r
    owner = np.repeat(row_project, per_row)
    year = np.repeat(row_year, per_row)
    source = np.repeat(g.source[row_version], per_row)
    columns = [owner, party, kind, flow, year, amount, source]
    paid_columns = [row_project, row_year, nominal]
    names, sources = g.names, g.sources
    if reference:
        # The reference's tables number parties and sources their own way: renumber.
        first_project = _starts(np.bincount(g.project_agreement, minlength=g.agreement_count))
        extra: list[list[IntArray]] = [[] for _ in columns]
        extra_paid: list[list[IntArray]] = [[] for _ in paid_columns]
        for index, schedule in reference.items():
            t = schedule.figures.table
            party_map = _array([names[n] for n in t.names])
            source_map = _array(range(len(sources), len(sources) + len(t.sources)))
            for s in t.sources:
                sources.append(s)
            shift = int(first_project[index])
            renumbered = [
                t.owner + shift,
                party_map[t.party] if len(t.party) else t.party,
                t.party_kind,
                t.flow,
                t.year,
                t.amount,
                source_map[t.source] if len(t.source) else t.source,
            ]
            for into, column in zip(extra, renumbered, strict=True):
                into.append(column)
            owner_of_paid = np.repeat(np.arange(len(t.project_ids)), np.diff(t.paid_start))
            for into, column in zip(
                extra_paid, [owner_of_paid + shift, t.paid_year, t.paid_amount], strict=True
            ):
                into.append(column)
        columns = [np.concatenate([c, *more]) for c, more in zip(columns, extra, strict=True)]
        order = np.argsort(columns[0], kind="stable")
        columns = [c[order] for c in columns]
        paid_columns = [
            np.concatenate([c, *more]) for c, more in zip(paid_columns, extra_paid, strict=True)
        ]
        order = np.argsort(paid_columns[0], kind="stable")
        paid_columns = [c[order] for c in paid_columns]
    everyone = np.arange(len(g.version_count) + 1)
    owner, party, kind, flow, year, amount, source = columns
    return FlowTable(
        g.agreement_ids,
        g.project_ids,
        list(names),
        sources,
        owner,
        party,
        kind,
        flow,
        year,
        amount,
        source,
        np.searchsorted(owner, everyone),
        paid_columns[1],
        paid_columns[2],
        np.searchsorted(paid_columns[0], everyone),
    )


def _schedules(
    g: _Gathered,
    agreements: Sequence[Agreement],
    table: FlowTable,
    real: IntArray,
    discount: list[Fraction],
    reference: dict[int, AgreementSchedule],
    fallen: BoolArray,
) -> list[AgreementSchedule]:
    """Each agreement's schedule: its projects, totals and present values."""
    totals, present_values, base_years, inexact = _totals_and_present_values(
        g, agreements, table, discount, fallen
    )
    if inexact:
        present_values = present_values.astype(object)  # whatever the reference gives
    paid = real.sum(axis=1).tolist()
    figures = ScheduleFigures(
        table,
        g.titles,
        g.committed,
        [committed - p for committed, p in zip(g.committed, paid, strict=True)],
        _starts(np.bincount(g.project_agreement, minlength=g.agreement_count)),
        totals,
        present_values,
    )
    out = [
        AgreementSchedule(agreement, rate, base_year, figures, index)
        for index, (agreement, rate, base_year) in enumerate(
            zip(agreements, discount, base_years, strict=True)
        )
    ]
    for index, schedule in reference.items():
        out[index] = schedule
    for index in inexact:
        # Sums too large for a float to add exactly, or a rate of -100%: as the reference.
        worked_out = _present_values(out[index], discount[index])
        present_values[index] = list(worked_out.values())
    return out


def _totals_and_present_values(
    g: _Gathered,
    agreements: Sequence[Agreement],
    table: FlowTable,
    discount: list[Fraction],
    fallen: BoolArray,
) -> tuple[npt.NDArray[Any], npt.NDArray[Any], list[int], list[int]]:
    """Per agreement: the cost shares by who pays, their present values, the base year,
    and the agreements whose present values must be worked out as the reference does.

    The present value is numpy-financial's ``npv`` of each year's cost shares from the
    base year (the signing year, or the first year paid if earlier), worked out by
    :func:`fiscal.engine.agreements.present_values` for every agreement of the same
    rate and length at once: the same operations on the same floats, so the same bits.
    Sums are taken in float64, exact while they stay below 2**53 won (checked).
    """
    count = len(agreements)
    cost = np.flatnonzero(table.flow == FLOW_KINDS.index("cost_share"))
    agreement = g.project_agreement[table.owner[cost]]
    amount = table.amount[cost].astype(np.float64)
    column = _BUCKET[table.party_kind[cost]] + 1
    magnitude = np.bincount(agreement, weights=np.abs(amount), minlength=count)
    exact = magnitude < 2**52  # with room for the rounding of this sum itself

    kinds = len(_KINDS)
    totals: npt.NDArray[Any] = np.zeros((count, kinds), dtype=np.int64)
    totals[:, 0] = np.bincount(agreement, weights=amount, minlength=count)
    totals[:, 1:] = np.bincount(
        agreement * (kinds - 1) + column - 1, weights=amount, minlength=count * (kinds - 1)
    ).reshape(count, kinds - 1)
    for index in np.flatnonzero(~exact).tolist():
        mine = agreement == index
        exact_totals = [0] * kinds
        for bucket, value in zip(
            column[mine].tolist(), table.amount[cost[mine]].tolist(), strict=True
        ):
            exact_totals[0] += value
            exact_totals[bucket] += value
        if max(map(abs, exact_totals)) >= 2**63:
            totals = totals.astype(object)
        totals[index] = exact_totals

    paid_owner = np.repeat(np.arange(len(g.project_ids)), np.diff(table.paid_start))
    paid_agreement = g.project_agreement[paid_owner]  # in order: projects go agreement by agreement
    has_years = np.bincount(paid_agreement, minlength=count) > 0
    begins = np.searchsorted(paid_agreement, np.arange(count))[has_years]
    low = np.full(count, -_NEVER, dtype=np.int64)
    high = np.full(count, _NEVER, dtype=np.int64)
    if len(begins):
        low[has_years] = np.minimum.reduceat(table.paid_year, begins)
        high[has_years] = np.maximum.reduceat(table.paid_year, begins)
    start = np.where(g.signed != _NEVER, g.signed, np.where(has_years, low, 0))
    base = np.where(has_years, np.minimum(start, low), start)
    length = np.where(has_years, high - base + 1, 0)

    # Each agreement's cost shares by year from its base year, (total, central, local,
    # private) per year, one agreement after another.
    offset = _starts(length)
    at = (offset[agreement] + table.year[cost] - base[agreement]) * kinds
    by_year = np.bincount(at, weights=amount, minlength=int(offset[-1]) * kinds)
    by_year += np.bincount(at + column, weights=amount, minlength=int(offset[-1]) * kinds)
    by_year = by_year.reshape(-1, kinds)

    # Agreements with the same rate (as a float: npv's arithmetic) and length go together.
    ids = np.fromiter(map(id, discount), dtype=np.int64, count=count)
    _, first_of, same_object = np.unique(ids, return_index=True, return_inverse=True)
    as_float = np.asarray([float(discount[i]) for i in first_of.tolist()])[same_object]
    present = np.zeros((count, kinds), dtype=np.float64)
    chosen = np.flatnonzero(has_years & exact & ~fallen)
    _, rate_code = np.unique(as_float[chosen], return_inverse=True)
    key = rate_code * (int(length.max(initial=0)) + 1) + length[chosen]
    groups, group_of = np.unique(key, return_inverse=True)
    for group in range(len(groups)):
        members = chosen[group_of == group]
        rate, years = float(as_float[members[0]]), int(length[members[0]])
        rows = offset[members][:, None] + np.arange(years)[None, :]
        present[members] = present_values(rate, by_year[rows].transpose(0, 2, 1))
    finite: BoolArray = np.asarray(np.isfinite(present).all(axis=1), dtype=bool)
    inexact = np.flatnonzero(has_years & ~fallen & ~(exact & finite)).tolist()
    rounded: npt.NDArray[Any] = np.rint(np.where(finite[:, None], present, 0)).astype(np.int64)
    return totals, rounded, base.tolist(), inexact
