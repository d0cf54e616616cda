"""The floors the engine is measured against: the same projection without the engine.

Each floor computes, to the won, every amount a projection of the synthetic national
dataset computes from rules and agreements, and the figures derived from them:

- ``numpy_floor``: bare vectorised numpy over all governments and years at once, in
  int64 (Python integers only where a number cannot fit, said where it happens);
- ``loop_floor``: a straightforward loop over years, governments and agreements in
  Python integers, the way one would write it by hand.

Both read a ``FloorData`` prepared beforehand (``floor_data`` in benchmarks/__main__.py):
the input arrays, every parameter's value for every year already looked up and held as
exact numerators and denominators, the shapes of the rules (tier masks, each
upper-level government's children) and the agreements flattened into arrays, one row
per project. They do not trace, record provenance or collect problems: they assume a
valid ruleset. They import nothing from ``fiscal``, so they stay an independent
statement of the rules; the harness checks that both equal the engine's projection,
item by item, which makes "the same arithmetic" a checked claim and each floor a
differential test of the engine.

The two rounding rules, as the engine states them in ``fiscal/engine/money.py``:

- an amount times a rate is exact (the rate a fraction) and rounded half to even;
- a pool divided by whole-number weights is the largest-remainder method: each part
  gets the floor of its quota, the won left over go one each to the largest remainders,
  ties to the part listed first, and a part of weight 0 gets nothing.

They cover the rule kinds of the synthetic ruleset (sharing, equalisation, adjustment,
matching) and every agreement term: schedules by shares, amounts or an even spread,
amendments, termination, indexation, cost shares with private partners (for terms
without indexation, settled over the years those terms scheduled so each party's sum
is its largest-remainder share of their total), the central cap and the central
money's split among the regions.

That settling, as the engine states it (``split_block``/``settle_block`` in
``fiscal/engine/agreements.py``): each year of a version is split by largest
remainder; when a payer's sum over the years the version scheduled (before a later
version or a termination cut them) misses its largest-remainder share of their total,
the version's years are divided again: every year gives each payer the floor of its
quota, and the won left in a year go one each to the payers still furthest below
their shares (ties: the larger remainder that year, then the payer listed first),
year after year in order.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
Index = npt.NDArray[np.intp]

# Party kinds in the flattened agreements.
CENTRAL, REGION, PRIVATE, NO_PARTY = 0, 1, 2, -1
NO_CAP = -1

# ``muldiv`` is exact in int64 while quotients stay below 2**50 and divisors below 2**60.
_QUOTIENT_BOUND = 2**50
_DIVISOR_BOUND = 2**60
_INT64_SAFE = 2**62


@dataclass(frozen=True)
class Rate:
    """A parameter's exact value per year (or per government and year): num / den."""

    num: I64
    den: I64


@dataclass(frozen=True)
class Sharing:
    """A national pool (base x the product of shares) divided by a weighted key."""

    item: str
    base: I64  # years
    shares: tuple[Rate, ...]  # each per year
    indicator: I64  # governments x years
    weight: Rate | None  # governments x years; None: every weight 1
    recipients: I64  # governments: 1 when the tier (and recipients list) includes it


@dataclass(frozen=True)
class Equalisation:
    """Fiscal gap (need less counted revenue) filled in proportion, within a pool."""

    item: str
    base: I64
    shares: tuple[Rate, ...]
    need: I64
    revenue: tuple[str, ...]  # items (or regional indicators) summed into revenue
    counted: Rate  # per year
    tier: I64


@dataclass(frozen=True)
class Adjustment:
    """Each upper-level government pays a rate of its taxes to its children, by a key."""

    item: str
    paid_item: str
    taxes: tuple[str, ...]
    rate: Rate  # governments x years
    key: I64
    weight: Rate | None
    parents: Index  # groups: the upper-level governments that have children
    children: Index  # groups x most children, padded with -1, in the regions' order


@dataclass(frozen=True)
class Matching:
    """The centre pays a rate of a programme's cost; the government co-funds the rest."""

    item: str
    co_funding_item: str
    cost: I64
    rate: Rate  # governments x years
    tier: I64


Rule = Sharing | Equalisation | Adjustment | Matching


@dataclass(frozen=True)
class Agreements:
    """Binding agreements' projects (P), each with its versions of terms (K).

    Years are columns of one axis of ``length`` (A) years from ``first_year``, which
    covers every project year and indexation base year; ``offset`` is the projection
    column of axis column 0. Schedules cover each project's window: W years from its
    ``window`` column, the years of all its versions. J payer slots follow the order of
    each version's cost shares (ties go to the party listed first); R region slots serve
    the central cap (moving the excess to the regions) and the central money's split
    among the regions.
    """

    first_year: int
    length: int
    offset: int
    window: Index  # P: the column of each project's first year (of any version)
    versions: Index  # P: how many versions each project has
    start: Index  # P x K: first column a version governs (-1 for the first version)
    total: I64  # P x K: total in base-year prices
    schedule: I64  # P x K x W: schedule weights over the project's window, 0 outside its years
    cap: I64  # P x K: most the centre pays over the project, NO_CAP when none
    index_base: Index  # P x K: column of the indexation base year, -1 when not indexed
    index_rate: Index  # P x K: row of ``rates`` with the yearly rate of the index
    rates: Rate  # indexes x A: each index's yearly rate
    last_paid: Index  # P: last column paid (termination); ``length`` when not terminated
    payer_weight: I64  # P x K x J: whole-number cost shares
    payer_kind: npt.NDArray[np.int8]  # P x K x J: CENTRAL, REGION, PRIVATE or NO_PARTY
    payer_region: Index  # P x K x J: government row of a region payer, else -1
    shift_weight: I64  # P x K x R: a region's cost share when positive, else 0
    shift_payer: Index  # P x K x R: the payer slot of that region
    inflow_weight: I64  # P x K x R: how the central money is split among regions
    inflow_region: Index  # P x K x R: government row, -1 for padding


@dataclass(frozen=True)
class FloorData:
    """Everything a projection reads, as arrays (governments x years unless noted)."""

    regions: int
    years: int
    regional: dict[str, I64]  # regional indicators by name
    from_indicator: dict[str, str]  # item -> the indicator it is read from
    categories: dict[str, str]  # every item, in the ruleset's order -> its category
    rules: tuple[Rule, ...]  # in the order the engine runs them
    agreements: Agreements
    inflow_item: str | None  # the item of central money from agreements
    co_funding_item: str | None  # the item of the regions' own agreement cost shares
    obligations: tuple[str, ...]  # affordability: items that count as obligations
    limit: Rate | None  # affordability limit per year
    national_tax: I64 | None  # measures: gross national tax, years
    national_tax_less: tuple[str, ...]
    local_taxes: tuple[str, ...]
    population: I64 | None


# --- bare numpy -------------------------------------------------------------------------


def muldiv(a: Any, b: Any, c: Any) -> tuple[Any, Any]:
    """``floor(a x b / c)`` and the remainder, exactly, element by element (``c > 0``).

    ``a x b`` often passes int64 (a 10^14 won pool times a 10^15 won key). The quotient
    is estimated in float64, off by at most one when it is below 2**50, so the true
    remainder ``a x b - q x c`` lies within ``2c`` of the estimate's; computed modulo
    2**64 it is therefore exact, and one step corrects the estimate. Beyond those
    bounds (or for Python-integer operands) the arithmetic is done in Python integers.
    """
    a, b, c = np.broadcast_arrays(np.asarray(a), np.asarray(b), np.asarray(c))
    if a.size == 0:
        return np.zeros(a.shape, dtype=np.int64), np.zeros(a.shape, dtype=np.int64)
    if a.dtype != object and b.dtype != object and c.dtype != object:
        largest_a = max(abs(int(a.max())), abs(int(a.min())))
        largest_b = max(abs(int(b.max())), abs(int(b.min())))
        if largest_a * largest_b < _INT64_SAFE:  # the products fit in int64
            return np.divmod(a * b, c)
        estimate = np.floor(a.astype(np.float64) * b.astype(np.float64) / c.astype(np.float64))
        if np.abs(estimate).max() < _QUOTIENT_BOUND and int(c.max()) < _DIVISOR_BOUND:
            q = estimate.astype(np.int64)
            wrapped = a.view(np.uint64) * b.view(np.uint64) - q.view(np.uint64) * c.view(np.uint64)
            r = wrapped.view(np.int64)
            low = r < 0
            q, r = q - low, np.where(low, r + c, r)
            high = r >= c
            q, r = q + high, np.where(high, r - c, r)
            return q, r
    # Python integers: quotients beyond 2**50 or numbers beyond int64 (indexation factors).
    product = a.astype(object) * b.astype(object)
    quotient = product // c.astype(object)
    return quotient, product - quotient * c.astype(object)


def apply_rate(amounts: Any, num: Any, den: Any) -> I64:
    """``amounts x num / den``, each rounded half to even."""
    q, r = muldiv(amounts, num, den)
    twice = 2 * r
    up = (twice > den) | ((twice == den) & (q % 2 == 1))
    return np.asarray(np.where(up, q + 1, q), dtype=np.int64)


def largest_remainder(pools: I64, weights: I64) -> I64:
    """Each pool (shape S) divided by whole-number weights (S x n) along the last axis."""
    weights = np.asarray(weights, dtype=np.int64)
    n = weights.shape[-1]
    assert int(weights.max(initial=0)) * max(n, 1) < _INT64_SAFE, "weights too large"
    total = weights.sum(axis=-1)
    live = total > 0
    q, r = muldiv(pools[..., None], weights, np.where(live, total, 1)[..., None])
    shares = np.where(live[..., None], q, 0).astype(np.int64)
    left = np.where(live, pools - shares.sum(axis=-1), 0)
    if not left.any():
        return shares
    remainder = np.where((weights > 0) & live[..., None], r, -1).astype(np.int64)
    order = np.argsort(-remainder, axis=-1, kind="stable")  # stable: ties to the first
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.broadcast_to(np.arange(n), order.shape), axis=-1)
    result: I64 = shares + (rank < left[..., None])
    return result


def _times(a: Any, b: Any) -> Any:
    """``a x b`` in int64, refusing to wrap around silently."""
    a, b = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    largest = int(np.abs(a).max(initial=0)) * int(np.abs(b).max(initial=0))
    assert largest < _INT64_SAFE, "the floor needs these products within int64"
    return a * b


def _product(shares: tuple[Rate, ...]) -> tuple[I64, I64]:
    """The product of a pool's shares, each year, as one exact fraction (rounded once)."""
    num = np.ones_like(shares[0].num)
    den = np.ones_like(shares[0].den)
    for share in shares:
        num, den = _times(num, share.num), _times(den, share.den)
    common = np.gcd(num, den)
    return num // common, den // common


def _whole(rate: Rate | None) -> I64 | int:
    """Weights as whole numbers in the same proportions (one common denominator)."""
    if rate is None:
        return 1
    common = int(np.lcm.reduce(rate.den.ravel()))
    result: I64 = _times(rate.num, common // rate.den)
    return result


def numpy_floor(d: FloorData) -> dict[str, Any]:
    """The projection in vectorised int64 numpy: figure name -> array."""
    shape = (d.regions, d.years)
    amounts: dict[str, Any] = {item: d.regional[name] for item, name in d.from_indicator.items()}
    pools: dict[str, Any] = {}

    def named(name: str) -> I64:
        return amounts[name] if name in amounts else d.regional[name]

    inflow, co_funding = _agreements_numpy(d.agreements, shape)
    if d.inflow_item is not None:
        amounts[d.inflow_item] = inflow
    if d.co_funding_item is not None:
        amounts[d.co_funding_item] = co_funding
    for rule in d.rules:
        if isinstance(rule, Sharing):
            pool = pools[rule.item] = apply_rate(rule.base, *_product(rule.shares))
            key = _times(rule.indicator, _whole(rule.weight)) * rule.recipients[:, None]
            amounts[rule.item] = largest_remainder(pool, key.T).T
        elif isinstance(rule, Equalisation):
            pool = pools[rule.item] = apply_rate(rule.base, *_product(rule.shares))
            revenue = sum((named(name) for name in rule.revenue), np.zeros(shape, np.int64))
            counted = apply_rate(revenue, rule.counted.num, rule.counted.den)
            gap = np.maximum((rule.need - counted) * rule.tier[:, None], 0)
            # Capped at the gap: only binds when the pool exceeds all gaps together.
            amounts[rule.item] = np.minimum(largest_remainder(pool, gap.T).T, gap)
        elif isinstance(rule, Adjustment):
            base = sum((named(name) for name in rule.taxes), np.zeros(shape, np.int64))
            parents = rule.parents
            pool = apply_rate(base[parents], rule.rate.num[parents], rule.rate.den[parents])
            key = _times(rule.key, _whole(rule.weight))
            present = rule.children >= 0
            child_key = np.where(present[:, :, None], key[rule.children], 0)  # groups x C x Y
            shares = largest_remainder(pool, child_key.transpose(0, 2, 1))  # groups x Y x C
            received = np.zeros(shape, dtype=np.int64)
            received[rule.children[present]] = shares.transpose(0, 2, 1)[present]
            paid = np.zeros(shape, dtype=np.int64)
            paid[parents] = shares.sum(axis=-1)
            amounts[rule.item], amounts[rule.paid_item] = received, paid
        else:
            cost = rule.cost * rule.tier[:, None]
            subsidy = apply_rate(cost, rule.rate.num, rule.rate.den)
            amounts[rule.item], amounts[rule.co_funding_item] = subsidy, cost - subsidy
    return _derived_numpy(d, amounts, pools)


def _agreements_numpy(ag: Agreements, shape: tuple[int, int]) -> tuple[I64, I64]:
    """Central money each region receives and its own cost share, governments x years."""
    inflow = np.zeros(shape, dtype=np.int64)
    co_funding = np.zeros(shape, dtype=np.int64)
    projects, versions, width = ag.schedule.shape
    if projects == 0:
        return inflow, co_funding
    # Projects x years arrays, each row over its project's own years (its window).
    column = ag.window[:, None] + np.arange(width)
    # 1. Base-year amounts: each version keeps the years before it and spreads the rest
    #    of its total over its own years, up to the year the next version governs.
    real = np.zeros((projects, width), dtype=np.int64)
    version = np.zeros((projects, width), dtype=np.intp)
    scheduled = np.zeros((projects, versions, width), dtype=np.int64)  # before any cut
    for k in range(versions):
        has = np.nonzero(ag.versions > k)[0]  # every project for k = 0, amended ones after
        start, columns = ag.start[has, k, None], column[has]
        kept = np.where(columns < start, real[has], 0)
        remaining = np.maximum(ag.total[has, k] - kept.sum(axis=1), 0)
        parts = largest_remainder(remaining, np.where(columns >= start, ag.schedule[has, k], 0))
        scheduled[has, k] = parts
        later = ag.start[has, k + 1] if k + 1 < versions else np.full(has.size, ag.length)
        later = np.where(ag.versions[has] > k + 1, later, ag.length)[:, None]
        real[has] = kept + np.where(columns < later, parts, 0)
        version[has] = np.where(columns >= start, k, version[has])
    real = np.where(column <= ag.last_paid[:, None], real, 0)
    # 2. Nominal amounts: indexed from the base year by the product of yearly rates.
    base = np.take_along_axis(ag.index_base, version, axis=1)
    p, j = np.nonzero((base >= 0) & (column > base) & (real != 0))
    nominal = real.copy()
    if p.size:
        index, a, b = ag.index_rate[p, version[p, j]], column[p, j], base[p, j]
        # Cumulative products of (1 + rate): Python integers, they pass int64 in a decade.
        growth = np.cumprod((ag.rates.num + ag.rates.den).astype(object), axis=1)
        scale = np.cumprod(ag.rates.den.astype(object), axis=1)
        num, den = growth[index, a] // growth[index, b], scale[index, a] // scale[index, b]
        if max(num.max(), den.max()) < _INT64_SAFE:
            num, den = num.astype(np.int64), den.astype(np.int64)
        nominal[p, j] = apply_rate(real[p, j], num, den)
    # 3. Each party's part of each year, by the cost shares in force.
    p, j = np.nonzero(nominal)
    v = version[p, j]
    kind = ag.payer_kind[p, v]
    central = kind == CENTRAL
    paid = largest_remainder(nominal[p, j], ag.payer_weight[p, v])
    _settle_numpy(ag, scheduled, p, j, v, paid)
    central_year = (paid * central).sum(axis=1)
    # 4. The central cap. The running total is sequential in years, so this loops over
    #    the years of the window, vectorised over the capped projects.
    cap = ag.cap[p, v]
    with_cap = np.unique(p[cap != NO_CAP])
    capped = np.zeros(p.size, dtype=bool)
    if with_cap.size:
        slot = np.full((projects, width), -1, dtype=np.intp)
        slot[p, j] = np.arange(p.size)
        cells = slot[with_cap]
        present = cells >= 0
        yearly = np.where(present, central_year[cells], 0)
        limit = np.where(present, cap[cells], NO_CAP)
        running = np.zeros(with_cap.size, dtype=np.int64)
        over = np.zeros(cells.shape, dtype=np.int64)
        for w in range(width):
            before = running
            running = before + yearly[:, w]
            bound = limit[:, w]
            beyond = (bound != NO_CAP) & (running > bound)
            # The excess over the cap (never clawing back what was paid before it).
            running = np.where(beyond, np.maximum(bound, before), running)
            over[:, w] = before + yearly[:, w] - running
        excess = np.zeros(p.size, dtype=np.int64)
        excess[cells[present]] = over[present]
        capped = excess > 0
    if capped.any():
        # The excess leaves the central payers by their amounts and goes to the regions
        # by their cost shares. Few cells: the cap binds in a project's last years.
        cut = largest_remainder(excess[capped], paid[capped] * central[capped])
        moved = largest_remainder(cut.sum(axis=1), ag.shift_weight[p[capped], v[capped]])
        shifted = paid[capped] - cut
        rows = np.arange(moved.shape[0])[:, None]
        np.add.at(shifted, (rows, ag.shift_payer[p[capped], v[capped]]), moved)
        paid[capped] = shifted
        central_year[capped] = (shifted * central[capped]).sum(axis=1)
    # 5. The central money, split among the region parties.
    received = largest_remainder(central_year, ag.inflow_weight[p, v])
    # Into the governments' items, for the projection years.
    year = (column[p, j] + ag.offset)[:, None]
    inside = (year >= 0) & (year < shape[1])
    for values, region, amounts in (
        (co_funding, np.where(kind == REGION, ag.payer_region[p, v], -1), paid),
        (inflow, ag.inflow_region[p, v], received),
    ):
        mine = (region >= 0) & inside
        cell = region * shape[1] + year
        np.add.at(values.reshape(-1), cell[mine], amounts[mine])
    return inflow, co_funding


def _settle_numpy(ag: Agreements, scheduled: I64, p: Index, j: Index, v: Index, paid: I64) -> None:
    """The parts of unindexed versions settled over the years each scheduled, in place.

    ``scheduled`` holds each version's base-year amounts over the project's window (0
    outside its years), ``paid`` the parts of the cells ``(p, j)`` paid under version
    ``v``, each year split on its own. All unindexed versions are checked at once; the
    few whose payers' sums miss their shares are divided again year by year (the
    filling is sequential in years), vectorised over those versions.
    """
    projects, versions, width = scheduled.shape
    live = np.arange(versions)[None, :] < ag.versions[:, None]
    bp, bk = np.nonzero(live & (ag.index_base < 0) & ((scheduled != 0).sum(axis=2) > 1))
    if not bp.size:
        return
    amounts = scheduled[bp, bk]  # blocks x W
    weights = ag.payer_weight[bp, bk]  # blocks x J
    n = weights.shape[1]
    yearly = largest_remainder(amounts, np.broadcast_to(weights[:, None, :], (*amounts.shape, n)))
    targets = largest_remainder(amounts.sum(axis=1), weights)
    uneven = np.nonzero((yearly.sum(axis=1) != targets).any(axis=1))[0]
    if not uneven.size:
        return
    bp, bk, amounts, weights, targets = (
        bp[uneven],
        bk[uneven],
        amounts[uneven],
        weights[uneven],
        targets[uneven],
    )
    total = weights.sum(axis=1)
    parts, remainder = muldiv(amounts[:, :, None], weights[:, None, :], total[:, None, None])
    parts, remainder = parts.astype(np.int64), remainder.astype(np.int64)
    remainder = np.where(weights[:, None, :] > 0, remainder, -1)
    # A padding slot is no payer: it never gets a won.
    short = np.where(ag.payer_kind[bp, bk] != NO_PARTY, targets - parts.sum(axis=1), -(2**62))
    slot = np.broadcast_to(np.arange(n), short.shape)
    rows = np.arange(bp.size)[:, None]
    for w in range(width):
        left = amounts[:, w] - parts[:, w].sum(axis=1)
        if not left.any():
            continue
        order = np.lexsort((slot, -remainder[:, w], -short), axis=-1)
        rank = np.empty_like(order)
        rank[rows, order] = slot
        give = rank < left[:, None]
        parts[:, w] += give
        short -= give
    block = np.full((projects, versions), -1, dtype=np.intp)
    block[bp, bk] = np.arange(bp.size)
    b = block[p, v]
    mine = b >= 0
    paid[mine] = parts[b[mine], j[mine]]


def _ratio(numerator: Any, denominator: Any) -> Any:
    num = np.asarray(numerator, dtype=np.float64)
    den = np.asarray(denominator, dtype=np.float64)
    return np.divide(num, den, out=np.zeros(num.shape), where=den != 0)


def _derived_numpy(d: FloorData, amounts: dict[str, Any], pools: dict[str, Any]) -> dict[str, Any]:
    """The items, the national pools, and the headline totals, affordability and national
    measures computed from the items."""
    shape = (d.regions, d.years)
    zeros = np.zeros(shape, dtype=np.int64)

    def total(names: Any) -> I64:
        return sum((amounts[n] for n in names if n in amounts), zeros.copy())

    out: dict[str, Any] = {item: amounts[item] for item in d.categories}
    out.update({f"pool.{item}": pool for item, pool in pools.items()})

    def of(category: str) -> I64:
        return total(i for i, c in d.categories.items() if c == category)

    own, general = of("own_source"), of("general_grant")
    specific, other = of("specific_grant"), of("other_revenue")
    revenue = own + general + specific + other
    obligations = of("obligation")
    out["headline.own_source"] = own
    out["headline.general_grants"] = general
    out["headline.specific_grants"] = specific
    out["headline.other_revenue"] = other
    out["headline.total_revenue"] = revenue
    out["headline.obligations"] = obligations
    out["headline.net_after_commitments"] = revenue - obligations
    out["headline.independence"] = _ratio(own, revenue)
    out["headline.autonomy"] = _ratio(own + general, revenue)
    if d.limit is not None:
        owed = total(d.obligations)
        # owed > limit x own exactly: owed > floor(own x num / den), remainder in [0, den).
        allowed, _ = muldiv(own, d.limit.num, d.limit.den)
        out["affordability.obligations"] = owed
        out["affordability.flagged"] = owed > allowed
        out["affordability.share_of_own_source"] = np.divide(
            owed.astype(np.float64), own.astype(np.float64), out=np.zeros(shape), where=own > 0
        )
    if d.national_tax is not None and d.population is not None:
        national = d.national_tax - total(d.national_tax_less).sum(axis=0)
        local = total(d.local_taxes).sum(axis=0)
        people = np.maximum(d.population, 1).astype(np.float64)
        out["measures.national_tax"] = national
        out["measures.local_tax"] = local
        both = national + local
        out["measures.local_tax_share"] = _ratio(local, np.where(both > 0, both, 0))
        for name, values in (("before", own), ("after", own + general)):
            per_capita = values / people
            mean = per_capita.mean(axis=0)
            out[f"measures.cv_{name}_transfers"] = _ratio(per_capita.std(axis=0), mean)
    return out


# --- a plain Python loop ------------------------------------------------------------------


def _scale(amount: int, num: int, den: int) -> int:
    """amount x num / den, half to even, in Python integers."""
    q, r = divmod(amount * num, den)
    if 2 * r > den or (2 * r == den and q % 2 == 1):
        q += 1
    return q


def _split(pool: int, weights: list[int]) -> list[int]:
    """Largest remainder: floors, then one won each to the largest remainders."""
    total = sum(weights)
    if total <= 0:
        return [0] * len(weights)
    parts, remainders = [], []
    for i, weight in enumerate(weights):
        q, r = divmod(pool * weight, total)
        parts.append(q)
        remainders.append((r if weight > 0 else -1, -i))
    left = pool - sum(parts)
    for _, minus_i in sorted(remainders, reverse=True)[:left]:
        parts[-minus_i] += 1
    return parts


def _whole_lists(rate: Rate | None, regions: int, years: int) -> list[list[int]]:
    if rate is None:
        return [[1] * years for _ in range(regions)]
    nums, dens = rate.num.tolist(), rate.den.tolist()
    common = math.lcm(*(den for row in dens for den in row))
    return [
        [n * common // den for n, den in zip(num_row, den_row, strict=True)]
        for num_row, den_row in zip(nums, dens, strict=True)
    ]


def loop_floor(d: FloorData) -> dict[str, Any]:
    """The projection in a plain Python loop with Python integers: figure name -> array."""
    regions, years = d.regions, d.years
    amounts: dict[str, list[list[int]]] = {
        item: d.regional[name].tolist() for item, name in d.from_indicator.items()
    }
    pools: dict[str, list[int]] = {}

    def named(name: str) -> list[list[int]]:
        return amounts[name] if name in amounts else d.regional[name].tolist()

    def pool_of(base: I64, shares: tuple[Rate, ...], y: int) -> int:
        num, den = 1, 1
        for share in shares:
            num *= int(share.num[y])
            den *= int(share.den[y])
        return _scale(int(base[y]), num, den)

    inflow, co_funding = _agreements_loop(d.agreements, regions, years)
    if d.inflow_item is not None:
        amounts[d.inflow_item] = inflow
    if d.co_funding_item is not None:
        amounts[d.co_funding_item] = co_funding
    for rule in d.rules:
        if isinstance(rule, Sharing):
            indicator = rule.indicator.tolist()
            weight = _whole_lists(rule.weight, regions, years)
            recipients = rule.recipients.tolist()
            out = [[0] * years for _ in range(regions)]
            pools[rule.item] = [pool_of(rule.base, rule.shares, y) for y in range(years)]
            for y in range(years):
                pool = pools[rule.item][y]
                keys = [indicator[r][y] * weight[r][y] * recipients[r] for r in range(regions)]
                for r, part in enumerate(_split(pool, keys)):
                    out[r][y] = part
            amounts[rule.item] = out
        elif isinstance(rule, Equalisation):
            need = rule.need.tolist()
            revenue_lists = [named(name) for name in rule.revenue]
            tier = rule.tier.tolist()
            out = [[0] * years for _ in range(regions)]
            pools[rule.item] = [pool_of(rule.base, rule.shares, y) for y in range(years)]
            for y in range(years):
                pool = pools[rule.item][y]
                num, den = int(rule.counted.num[y]), int(rule.counted.den[y])
                gaps = []
                for r in range(regions):
                    revenue = sum(values[r][y] for values in revenue_lists)
                    gaps.append(max(need[r][y] - _scale(revenue, num, den), 0) * tier[r])
                for r, part in enumerate(_split(pool, gaps)):
                    out[r][y] = min(part, gaps[r])
            amounts[rule.item] = out
        elif isinstance(rule, Adjustment):
            tax_lists = [named(name) for name in rule.taxes]
            key = rule.key.tolist()
            weight = _whole_lists(rule.weight, regions, years)
            nums, dens = rule.rate.num.tolist(), rule.rate.den.tolist()
            received = [[0] * years for _ in range(regions)]
            paid = [[0] * years for _ in range(regions)]
            for parent, children_row in zip(
                rule.parents.tolist(), rule.children.tolist(), strict=True
            ):
                children = [c for c in children_row if c >= 0]
                for y in range(years):
                    base = sum(values[parent][y] for values in tax_lists)
                    pool = _scale(base, nums[parent][y], dens[parent][y])
                    parts = _split(pool, [key[c][y] * weight[c][y] for c in children])
                    for c, part in zip(children, parts, strict=True):
                        received[c][y] = part
                    paid[parent][y] = sum(parts)
            amounts[rule.item], amounts[rule.paid_item] = received, paid
        else:
            cost = rule.cost.tolist()
            nums, dens = rule.rate.num.tolist(), rule.rate.den.tolist()
            tier = rule.tier.tolist()
            subsidy = [[0] * years for _ in range(regions)]
            co = [[0] * years for _ in range(regions)]
            for r in range(regions):
                for y in range(years):
                    amount = cost[r][y] * tier[r]
                    subsidy[r][y] = _scale(amount, nums[r][y], dens[r][y])
                    co[r][y] = amount - subsidy[r][y]
            amounts[rule.item], amounts[rule.co_funding_item] = subsidy, co
    return _derived_loop(d, amounts, pools)


def _agreements_loop(
    ag: Agreements, regions: int, years: int
) -> tuple[list[list[int]], list[list[int]]]:
    inflow = [[0] * years for _ in range(regions)]
    co_funding = [[0] * years for _ in range(regions)]
    length, width, window = ag.length, ag.schedule.shape[2], ag.window.tolist()
    rate_nums, rate_dens = ag.rates.num.tolist(), ag.rates.den.tolist()
    versions, start, total = ag.versions.tolist(), ag.start.tolist(), ag.total.tolist()
    schedule, cap, last_paid = ag.schedule.tolist(), ag.cap.tolist(), ag.last_paid.tolist()
    index_base, index_rate = ag.index_base.tolist(), ag.index_rate.tolist()
    payer_weight, payer_kind = ag.payer_weight.tolist(), ag.payer_kind.tolist()
    payer_region = ag.payer_region.tolist()
    shift_weight, shift_payer = ag.shift_weight.tolist(), ag.shift_payer.tolist()
    inflow_weight, inflow_region = ag.inflow_weight.tolist(), ag.inflow_region.tolist()
    for p in range(len(versions)):
        count = versions[p]
        real: dict[int, int] = {}
        # Each version's parts of each year, settled over the years it scheduled.
        settled: list[dict[int, list[int]] | None] = []
        for k in range(count):
            first = start[p][k]
            real = {a: amount for a, amount in real.items() if a < first}
            remaining = max(total[p][k] - sum(real.values()), 0)
            span = [j for j in range(width) if window[p] + j >= first]
            parts = _split(remaining, [schedule[p][k][j] for j in span])
            later = start[p][k + 1] if k + 1 < count else length
            for j, part in zip(span, parts, strict=True):
                if window[p] + j < later:
                    real[window[p] + j] = part
            rows = None
            if index_base[p][k] < 0:  # indexed years are split each on its own
                rows = _settle(parts, payer_weight[p][k], payer_kind[p][k])
            years_of = [window[p] + j for j in span]
            settled.append(None if rows is None else dict(zip(years_of, rows, strict=True)))
        central_paid = 0
        for a in sorted(real):
            if a > last_paid[p]:
                continue
            k = 0
            for j in range(1, count):
                if start[p][j] <= a:
                    k = j
            amount = real[a]
            base = index_base[p][k]
            if base >= 0 and a > base:
                num, den = 1, 1
                for t in range(base + 1, a + 1):
                    num *= rate_dens[index_rate[p][k]][t] + rate_nums[index_rate[p][k]][t]
                    den *= rate_dens[index_rate[p][k]][t]
                amount = _scale(amount, num, den)
            kinds = payer_kind[p][k]
            mine = settled[k]
            paid = list(mine[a]) if mine is not None else _split(amount, payer_weight[p][k])
            centrals = [j for j, kind in enumerate(kinds) if kind == CENTRAL]
            central_year = sum(paid[j] for j in centrals)
            limit = cap[p][k]
            if limit != NO_CAP and central_paid + central_year > limit:
                excess = central_paid + central_year - max(limit, central_paid)
                cut = _split(excess, [paid[j] for j in centrals])
                for j, part in zip(centrals, cut, strict=True):
                    paid[j] -= part
                moved = _split(sum(cut), shift_weight[p][k])
                for j, part in zip(shift_payer[p][k], moved, strict=True):
                    paid[j] += part
                central_year = sum(paid[j] for j in centrals)
            central_paid += central_year
            y = a + ag.offset
            if not 0 <= y < years:
                continue
            for j, kind in enumerate(kinds):
                if kind == REGION:
                    co_funding[payer_region[p][k][j]][y] += paid[j]
            received = _split(central_year, inflow_weight[p][k])
            for region, part in zip(inflow_region[p][k], received, strict=True):
                if region >= 0:
                    inflow[region][y] += part
    return inflow, co_funding


def _settle(amounts: list[int], weights: list[int], kinds: list[int]) -> list[list[int]] | None:
    """A version's years divided so each payer's sum is its share of their total.

    None when splitting each year on its own already gives every payer its share.
    """
    if sum(1 for amount in amounts if amount) < 2 or sum(weights) <= 0:
        return None
    targets = _split(sum(amounts), weights)
    sums = [0] * len(weights)
    for amount in amounts:
        for i, part in enumerate(_split(amount, weights)):
            sums[i] += part
    if sums == targets:
        return None
    total = sum(weights)
    payers = [i for i, kind in enumerate(kinds) if kind != NO_PARTY]
    rows = [[amount * weight // total for weight in weights] for amount in amounts]
    short = [targets[i] - sum(row[i] for row in rows) for i in range(len(weights))]
    for amount, row in zip(amounts, rows, strict=True):
        left = amount - sum(row)
        remainder = [amount * weight % total if weight > 0 else -1 for weight in weights]
        for i in sorted(payers, key=lambda i: (-short[i], -remainder[i], i))[:left]:
            row[i] += 1
            short[i] -= 1
    return rows


def _derived_loop(
    d: FloorData, lists: dict[str, list[list[int]]], pools: dict[str, list[int]]
) -> dict[str, Any]:
    regions, years = d.regions, d.years

    def total(names: Any) -> list[list[int]]:
        chosen = [lists[n] for n in names if n in lists]
        return [[sum(v[r][y] for v in chosen) for y in range(years)] for r in range(regions)]

    def of(category: str) -> list[list[int]]:
        return total([i for i, c in d.categories.items() if c == category])

    def ratio(num: int | float, den: int | float) -> float:
        return num / den if den != 0 else 0.0

    def cv(values: list[float]) -> float:
        mean = sum(values) / len(values)
        variance = sum((v - mean) ** 2 for v in values) / len(values)
        return ratio(math.sqrt(variance), mean)

    own, general = of("own_source"), of("general_grant")
    specific, other, obligations = of("specific_grant"), of("other_revenue"), of("obligation")
    revenue = [
        [own[r][y] + general[r][y] + specific[r][y] + other[r][y] for y in range(years)]
        for r in range(regions)
    ]
    out: dict[str, Any] = {item: np.asarray(lists[item], dtype=np.int64) for item in d.categories}
    out.update({f"pool.{item}": np.asarray(pool, dtype=np.int64) for item, pool in pools.items()})
    out["headline.own_source"] = np.asarray(own, dtype=np.int64)
    out["headline.general_grants"] = np.asarray(general, dtype=np.int64)
    out["headline.specific_grants"] = np.asarray(specific, dtype=np.int64)
    out["headline.other_revenue"] = np.asarray(other, dtype=np.int64)
    out["headline.total_revenue"] = np.asarray(revenue, dtype=np.int64)
    out["headline.obligations"] = np.asarray(obligations, dtype=np.int64)
    out["headline.net_after_commitments"] = np.asarray(revenue, dtype=np.int64) - np.asarray(
        obligations, dtype=np.int64
    )
    out["headline.independence"] = np.asarray(
        [[ratio(own[r][y], revenue[r][y]) for y in range(years)] for r in range(regions)]
    )
    out["headline.autonomy"] = np.asarray(
        [
            [ratio(own[r][y] + general[r][y], revenue[r][y]) for y in range(years)]
            for r in range(regions)
        ]
    )
    if d.limit is not None:
        owed = total(d.obligations)
        nums, dens = d.limit.num.tolist(), d.limit.den.tolist()
        out["affordability.obligations"] = np.asarray(owed, dtype=np.int64)
        out["affordability.flagged"] = np.asarray(
            [
                [owed[r][y] * dens[y] > own[r][y] * nums[y] for y in range(years)]
                for r in range(regions)
            ]
        )
        out["affordability.share_of_own_source"] = np.asarray(
            [
                [owed[r][y] / own[r][y] if own[r][y] > 0 else 0.0 for y in range(years)]
                for r in range(regions)
            ]
        )
    if d.national_tax is not None and d.population is not None:
        less, local_lists = total(d.national_tax_less), total(d.local_taxes)
        population = d.population.tolist()
        national = [int(d.national_tax[y]) - sum(row[y] for row in less) for y in range(years)]
        local = [sum(row[y] for row in local_lists) for y in range(years)]
        out["measures.national_tax"] = np.asarray(national, dtype=np.int64)
        out["measures.local_tax"] = np.asarray(local, dtype=np.int64)
        out["measures.local_tax_share"] = np.asarray(
            [ratio(local[y], max(national[y] + local[y], 0)) for y in range(years)]
        )
        after = [[own[r][y] + general[r][y] for y in range(years)] for r in range(regions)]
        for name, values in (("before", own), ("after", after)):
            out[f"measures.cv_{name}_transfers"] = np.asarray(
                [
                    cv([values[r][y] / max(population[r][y], 1) for r in range(regions)])
                    for y in range(years)
                ]
            )
    return out
