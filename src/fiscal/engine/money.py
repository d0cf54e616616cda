"""Whole-won arithmetic: rates applied exactly, pools divided to the won.

The two rounding rules of `fiscal`, stated once:

- **A rate times an amount** (``apply_rate``) is computed exactly from the rate as a
  fraction (``0.253`` is 253/1000, never a binary float) and rounded half to even.
- **A pool divided by a key** (``apportion``; ``split_exact`` for one amount, ``split_rows``
  for many rows of a few parts each) uses the largest-remainder method: each
  part gets the floor of its quota, then the won left over go one each to the largest
  fractional remainders; ties go to the part listed first. The parts always sum to the
  pool exactly. With whole-number weights (won, or shares scaled to integers by
  ``integer_weights``) the quotas and remainders are exact integers, so ties are real
  ties; with float weights a part is within one won of its exact quota.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from math import lcm
from typing import Any

import numpy as np
import numpy.typing as npt

from fiscal.errors import UserError

Int64Array = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

_INT64_SAFE = 2**62


def scale(amount: int, rate: Fraction) -> int:
    """``amount x rate`` rounded half to even, exact for any size (Python ints)."""
    return round(Fraction(amount) * rate)


def apply_rate(amounts: Int64Array, rate: Fraction) -> Int64Array:
    """``amounts x rate``, each rounded half to even, exact.

    Runs in int64 when ``|amount| x numerator`` fits, else in Python integers.
    """
    amounts = np.asarray(amounts, dtype=np.int64)
    num, den = rate.numerator, rate.denominator
    if amounts.size == 0:
        return amounts.copy()
    # Python ints: np.abs(-2**63) would wrap around to itself.
    biggest = max(abs(int(amounts.max())), abs(int(amounts.min())))
    if biggest * abs(num) < _INT64_SAFE and den < _INT64_SAFE:
        product = amounts * np.int64(num)
        quotient = product // np.int64(den)
        remainder = product - quotient * np.int64(den)
        twice = 2 * remainder
        up = (twice > den) | ((twice == den) & (quotient % 2 == 1))
        result: Int64Array = (quotient + up.astype(np.int64)).astype(np.int64)
        return result
    flat = [round(Fraction(int(a) * num, den)) for a in amounts.ravel().tolist()]
    return np.asarray(flat, dtype=np.int64).reshape(amounts.shape)


def apportion(
    pools: Int64Array | int,
    weights: FloatArray | Int64Array | npt.NDArray[np.object_],
    caps: Int64Array | None = None,
) -> Int64Array:
    """Divide each pool among parts in proportion to their weights, to the won.

    ``weights`` has parts on axis 0: shape ``(n,)`` with one pool, or ``(n, years)``
    with one pool per year. ``caps`` (same shape) bounds each part: a part whose exact
    quota reaches its cap gets the cap, and the rest of the pool is shared among the
    others by their weights, again, until no cap binds (water-filling, in exact
    quotas); only then is the rest divided to the won, once, so each part is the floor
    or the ceiling of its exact capped quota. A year whose weights are all zero (or
    whose caps add up to less than its pool) leaves the rest undistributed: the caller
    compares the sum with the pool.
    """
    raw = np.asarray(weights)
    exact = raw.dtype.kind in "iu" or raw.dtype == object
    w: Any = raw if exact else raw.astype(np.float64)
    one_dim = w.ndim == 1
    if one_dim:
        w = w[:, None]
    pool = np.atleast_1d(np.asarray(pools, dtype=np.int64))
    if exact:
        if w.size and bool((w < 0).any()):
            raise ValueError("weights must be non-negative")
    elif np.any(w < 0) or not np.all(np.isfinite(w)):
        raise ValueError("weights must be finite and non-negative")
    if np.any(pool < 0):
        raise ValueError("pools must be non-negative")
    cap = None
    if caps is not None:
        cap = np.asarray(caps, dtype=np.int64)
        cap = cap[:, None] if cap.ndim == 1 else cap
        w = np.where(cap > 0, w, 0)
    divide = _exact_largest_remainder if exact else _largest_remainder
    if cap is None:
        shares = divide(pool, w)
    else:
        capped = _capped_parts(pool, w, cap, exact)
        rest = pool - np.where(capped, cap, 0).sum(axis=0)
        shares = divide(rest, np.where(capped, 0, w)) + np.where(capped, cap, 0)
    result: Int64Array = shares[:, 0] if one_dim else shares
    return result


def _capped_parts(pool: Int64Array, w: Any, cap: Int64Array, exact: bool) -> BoolArray:
    """Which parts' exact quotas reach their caps once the caps that bind are filled.

    A part is capped when ``rest x weight >= cap x free weight``, the rest being the pool
    less the caps already filled and the free weight that of the parts not yet capped:
    compared in whole numbers (Python integers where int64 might not hold the products)
    or, for float weights, in floats. Each round caps at least one more part, so there
    are at most as many rounds as parts.
    """
    capped = np.zeros(w.shape, dtype=bool)
    if exact:
        w = np.asarray(w, dtype=object)
        cap_w: Any = cap.astype(object)
    else:
        cap_w = cap.astype(np.float64)
    for _ in range(w.shape[0]):
        free = np.where(capped, 0, w)
        rest = pool - np.where(capped, cap, 0).sum(axis=0)
        rest_w = rest.astype(object) if exact else rest.astype(np.float64)
        total = free.sum(axis=0)
        reached = np.asarray(rest_w[None, :] * free >= cap_w * total[None, :], dtype=bool)
        reached &= ~capped & np.asarray(free > 0, dtype=bool)
        if not reached.any():
            break
        capped |= reached
    return capped


@dataclass(frozen=True)
class RateGrid:
    """Exact rates (or weights) per region and year: the distinct fractions, and which
    of them each region-year has.

    A parameter has a handful of distinct values over thousands of region-years, so
    the arithmetic runs once per distinct value over a mask, in int64, never per cell
    in Python fractions.
    """

    values: tuple[Fraction, ...]
    index: npt.NDArray[np.intp]  # regions x years, into ``values``

    @classmethod
    def per_year(cls, rates: Sequence[Fraction], regions: int) -> RateGrid:
        """The same rate for every region, year by year."""
        distinct = list(dict.fromkeys(rates))
        position = {rate: k for k, rate in enumerate(distinct)}
        row = np.asarray([position[rate] for rate in rates], dtype=np.intp)
        return cls(tuple(distinct), np.broadcast_to(row, (regions, len(rates))).copy())

    @classmethod
    def of(cls, rows: Sequence[Sequence[Fraction]]) -> RateGrid:
        """From ``rows[r][y]``, the rate of region r in year y."""
        distinct: dict[Fraction, int] = {}
        index = [[distinct.setdefault(rate, len(distinct)) for rate in row] for row in rows]
        shape = (len(rows), len(rows[0]) if rows else 0)
        return cls(tuple(distinct), np.asarray(index, dtype=np.intp).reshape(shape))

    def at(self, region: int, year: int) -> Fraction:
        """The exact rate of one region (row index) in one year (column index)."""
        return self.values[int(self.index[region, year])]

    def floats(self) -> FloatArray:
        """The rates as floats, regions x years, for display (never for money)."""
        table = np.asarray([float(v) for v in self.values] or [0.0])
        result: FloatArray = table[self.index]
        return result

    def whole(self) -> npt.NDArray[Any]:
        """Whole numbers in the same proportions (int64 when they fit, else Python ints)."""
        scale = lcm(*(v.denominator for v in self.values)) if self.values else 1
        numbers = [int(v * scale) for v in self.values] or [0]
        if max(abs(n) for n in numbers) < _INT64_SAFE:
            ints: npt.NDArray[Any] = np.asarray(numbers, dtype=np.int64)[self.index]
            return ints
        return np.asarray(numbers, dtype=object)[self.index]

    def apply(self, amounts: Int64Array) -> Int64Array:
        """Each amount times its own rate, half to even, exact."""
        out = np.zeros(amounts.shape, dtype=np.int64)
        for k, rate in enumerate(self.values):
            cells = self.index == k
            if cells.any():
                out[cells] = apply_rate(amounts[cells], rate)
        return out


def exact_product(amounts: Int64Array, weights: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """``amounts x weights`` cell by cell, exactly: int64 when every product fits, else
    Python integers (an object array)."""
    weights = np.asarray(weights)
    if weights.dtype.kind in "iu" and amounts.size:
        biggest = max(abs(int(amounts.max())), abs(int(amounts.min())))
        heaviest = max(abs(int(weights.max())), abs(int(weights.min())))
        if biggest * heaviest < _INT64_SAFE:
            product: npt.NDArray[Any] = amounts * weights
            return product
    exact: npt.NDArray[Any] = np.multiply(amounts.astype(object), weights.astype(object))
    return exact


def integer_weights(weights: Sequence[Fraction | Decimal | int]) -> list[int]:
    """Exact rational weights as whole numbers in the same proportions.

    A weight that is not a finite number (NaN or infinity, which a Decimal or float can
    hold) has no proportion: a :class:`~fiscal.errors.UserError` naming it.
    """
    if not all(map(_finite, weights)):
        place, weight = next((i, w) for i, w in enumerate(weights, start=1) if not _finite(w))
        raise UserError(
            f"weight {place} of {len(weights)} is {weight}, not a finite number: "
            "shares and key weights must be numbers such as 0.25"
        )
    if all(isinstance(w, int | Decimal) and not isinstance(w, bool) for w in weights):
        # Decimals (the common case): shift every one by the same power of ten, exactly.
        exponents = [w.as_tuple().exponent for w in weights if isinstance(w, Decimal)]
        if all(isinstance(e, int) for e in exponents):
            shift = max([0, *(-e for e in exponents if isinstance(e, int))])
            return [_shifted(w, shift) for w in weights if not isinstance(w, Fraction)]
    # Few distinct values repeat over thousands of region-years: convert each once.
    distinct = {w: Fraction(w) for w in set(weights)}
    scale = lcm(*(f.denominator for f in distinct.values())) if distinct else 1
    whole = {w: int(f * scale) for w, f in distinct.items()}
    return [whole[w] for w in weights]


def _finite(weight: object) -> bool:
    if isinstance(weight, Decimal):
        return weight.is_finite()
    if isinstance(weight, float):
        return math.isfinite(weight)
    return True  # ints and Fractions


def _shifted(weight: int | Decimal, shift: int) -> int:
    if isinstance(weight, int):
        return int(weight * 10**shift)
    sign, digits, exponent = weight.as_tuple()
    assert isinstance(exponent, int)
    value = int("".join(map(str, digits)) or "0") * 10 ** (exponent + shift)
    return int(-value if sign else value)


def split_exact(amount: int, weights: Sequence[int]) -> list[int]:
    """One amount divided by whole-number weights: largest remainder, in Python integers.

    The same rule as :func:`apportion`, without numpy's per-call cost, for the many
    small divisions of an agreement (a year among parties, the centre among regions).
    """
    total = sum(weights)
    if total <= 0:
        return [0] * len(weights)
    quotient, remainder = [], []
    for weight in weights:
        q, r = divmod(amount * weight, total)
        quotient.append(q)
        remainder.append(r if weight > 0 else -1)
    left = amount - sum(quotient)
    if left:
        order = sorted(range(len(weights)), key=lambda i: (-remainder[i], i))
        for i in order[:left]:
            quotient[i] += 1
    return quotient


def split_rows(pools: Int64Array, weights: Int64Array) -> Int64Array:
    """Each row's pool divided by that row's whole-number weights, to the won.

    The rule of :func:`split_exact` on many rows at once (a year of a project among its
    payers, the central money among the regions): the floor of each exact quota, then
    the won left over one each to the largest remainders, ties to the column listed
    first. A row whose weights are all zero gets nothing. In int64 where every
    ``pool x weight`` fits, else that row in Python integers; the parts are at most the
    pool, so they always fit.

    Rows are short (a few parties), so it works column by column: numpy is slow along
    short rows.
    """
    pools = np.asarray(pools, dtype=np.int64)
    weights = np.asarray(weights, dtype=np.int64)
    n, k = weights.shape
    if n == 0 or k == 0:
        return np.zeros((n, k), dtype=np.int64)
    if int(weights.min()) < 0:
        raise ValueError("weights must be non-negative")
    if int(weights.max()) * k >= _INT64_SAFE:
        # The row totals themselves might not fit: every row in Python integers.
        rows = [split_exact(p, w) for p, w in zip(pools.tolist(), weights.tolist(), strict=True)]
        return np.asarray(rows, dtype=np.int64).reshape(n, k)
    total = _row_sums(weights)
    whole = np.maximum(total, 1)
    fast = (total > 0) & (np.abs(pools) <= (_INT64_SAFE - 1) // whole)
    pool = np.where(fast, pools, 0)
    product = weights * pool[:, None]
    parts: Int64Array = product // whole[:, None]
    remainder = np.where(weights > 0, product - parts * whole[:, None], -1)
    left = pool - _row_sums(parts)
    if k <= 8:
        for j in range(k):
            # How many columns come before this one: a larger remainder, or an equal
            # one listed earlier.
            mine = remainder[:, j]
            ahead = np.zeros(n, dtype=np.int64)
            for other in range(k):
                if other != j:
                    ahead += (
                        remainder[:, other] >= mine if other < j else remainder[:, other] > mine
                    )
            parts[:, j] += ahead < left
    else:
        order = np.argsort(-remainder, axis=1, kind="stable")
        rank = np.empty_like(order)
        np.put_along_axis(rank, order, np.broadcast_to(np.arange(k), order.shape), axis=1)
        parts += rank < left[:, None]
    for i in np.flatnonzero(~fast & (total > 0)).tolist():
        parts[i] = split_exact(int(pools[i]), weights[i].tolist())
    return parts


def _row_sums(matrix: Int64Array) -> Int64Array:
    """Sums along short rows, column after column (faster than ``sum(axis=1)`` there)."""
    out: Int64Array = np.zeros(matrix.shape[0], dtype=np.int64)
    for j in range(matrix.shape[1]):
        out += matrix[:, j]
    return out


def _exact_largest_remainder(pool: Int64Array, w: Any) -> Int64Array:
    """Largest remainder with integer weights: exact quotas, exact remainders.

    In int64, vectorised, when every pool x weight fits; otherwise in Python integers.
    """
    fast = _int64_largest_remainder(pool, w)
    if fast is not None:
        return fast
    # Python integers, still one vectorised step per array (numpy object arithmetic).
    weights = np.asarray(w, dtype=object)
    n, years = weights.shape
    if n == 0:
        return np.zeros((0, years), dtype=np.int64)
    total = weights.sum(axis=0)
    live = np.asarray(total > 0, dtype=bool)
    safe_total = np.where(live, total, 1)
    product = weights * pool.astype(object)[None, :]
    shares = np.where(live[None, :], product // safe_total[None, :], 0)
    remainder = np.where((weights > 0) & live[None, :], product % safe_total[None, :], -1)
    left = np.where(live, pool.astype(object) - shares.sum(axis=0), 0)
    out = shares.astype(np.int64)
    for y in np.flatnonzero(left > 0).tolist():
        # Largest remainder first, then the part listed first (a stable sort).
        order = sorted(range(n), key=remainder[:, y].tolist().__getitem__, reverse=True)
        out[order[: int(left[y])], y] += 1
    return out


def _int64_largest_remainder(pool: Int64Array, w: Any) -> Int64Array | None:
    if np.asarray(w).dtype == np.uint64 and int(np.asarray(w).max(initial=0)) >= 2**63:
        return None  # would wrap to negative int64 weights
    try:
        weights = np.asarray(w, dtype=np.int64)
    except OverflowError:
        return None
    n, years = weights.shape
    if n == 0 or int(weights.max(initial=0)) * n >= _INT64_SAFE:
        return None  # the column totals themselves might not fit
    total = weights.sum(axis=0)
    live = total > 0
    safe_total = np.where(live, total, 1)
    divided = _int64_divmod_product(
        np.broadcast_to(pool[None, :], weights.shape), weights, safe_total[None, :]
    )
    if divided is None:
        return None
    quotient, rest = divided
    shares: Int64Array = np.where(live[None, :], quotient, 0)
    remainder = np.where((weights > 0) & live[None, :], rest, -1)
    left = np.where(live, pool - shares.sum(axis=0), 0)
    if left.any():
        index = np.broadcast_to(np.arange(n)[:, None], (n, years))
        order = np.lexsort((index.T, -remainder.T))  # per year: largest remainder, then first
        rank = np.empty_like(order)
        np.put_along_axis(rank, order, np.arange(n)[None, :].repeat(years, axis=0), axis=1)
        shares = shares + (left[None, :] > rank.T).astype(np.int64)
    return shares.astype(np.int64)


# Bounds of the int64 division of a product that may pass int64 (see below).
_QUOTIENT_BOUND = 2**50
_DIVISOR_BOUND = 2**61


def _int64_divmod_product(
    a: Int64Array, b: Int64Array, c: Int64Array
) -> tuple[Int64Array, Int64Array] | None:
    """``floor(a x b / c)`` and ``a x b mod c`` for non-negative a, b and c > 0, exactly,
    in int64 even where ``a x b`` does not fit (a 10^14 won pool times a 10^15 key).

    Below 2**50 the float64 estimate of the quotient is within one of the truth (its
    relative error is under 2**-51), so the true remainder is within ``c`` of the
    estimate's; that one is computed modulo 2**64, where it is exact as long as
    ``2c < 2**63``, and one step each way corrects the estimate. None when a bound
    does not hold: the caller then uses Python integers.
    """
    if not a.size:
        return np.zeros(a.shape, dtype=np.int64), np.zeros(a.shape, dtype=np.int64)
    if int(a.max()) * int(b.max()) < _INT64_SAFE:
        product = a * b
        return product // c, product % c
    if int(c.max()) >= _DIVISOR_BOUND:
        return None
    estimate = np.floor(a.astype(np.float64) * b.astype(np.float64) / c.astype(np.float64))
    if float(estimate.max()) >= _QUOTIENT_BOUND:
        return None
    q = estimate.astype(np.int64)
    with np.errstate(over="ignore"):
        wrapped = a.astype(np.uint64) * b.astype(np.uint64) - q.astype(np.uint64) * c.astype(
            np.uint64
        )
    r = wrapped.view(np.int64)
    low = r < 0
    q, r = q - low, np.where(low, r + c, r)
    high = r >= c
    q, r = q + high, np.where(high, r - c, r)
    return q, r


def _largest_remainder(pool: Int64Array, w: FloatArray) -> Int64Array:
    n, years = w.shape
    total = w.sum(axis=0)
    live = total > 0
    # w / total is at most 1, so tiny weights cannot overflow the way pool / total can.
    fraction = np.divide(w, total[None, :], out=np.zeros_like(w), where=live[None, :])
    quota = fraction * pool.astype(np.float64)[None, :]
    floor = np.floor(quota)
    shares: Int64Array = floor.astype(np.int64)
    remainder = np.where(w > 0, quota - floor, -1.0)
    leftover = np.where(live, pool - shares.sum(axis=0), 0)
    if not leftover.any():
        return shares
    index = np.broadcast_to(np.arange(n)[:, None], (n, years))
    # Per year: largest remainder first, then the part listed first.
    order = np.lexsort((index.T, -remainder.T))  # (years, n)
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(n)[None, :].repeat(years, axis=0), axis=1)
    rank = rank.T  # (n, years)
    eligible = w > 0
    while leftover.any():
        count = eligible.sum(axis=0)
        give = np.where(leftover > 0, np.minimum(leftover, count), 0)
        take = np.where(leftover < 0, np.minimum(-leftover, count), 0)
        # Float error can leave the floors a won or two over or under the pool.
        plus = eligible & (rank < give[None, :])
        minus = eligible & (rank >= (count - take)[None, :]) & (shares > 0)
        shares = shares + plus.astype(np.int64) - minus.astype(np.int64)
        leftover = leftover - plus.sum(axis=0) + minus.sum(axis=0)
        if not (plus.any() or minus.any()):
            break
    result: Int64Array = shares.astype(np.int64)
    return result
