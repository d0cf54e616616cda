"""Dividing money to the won: `apportion` (pools by a key) and `apply_rate` (amount x rate).

Every expectation is recomputed here with exact fractions, never copied from a run.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from fiscal.engine.money import (
    _int64_divmod_product,
    apply_rate,
    apportion,
    integer_weights,
    split_exact,
)

FAST = settings(max_examples=100, deadline=None)

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1

pools = st.integers(min_value=0, max_value=10**14)
# Keys as the engine builds them: an indicator in won or people times a small weight.
int_weights = st.lists(st.integers(min_value=0, max_value=10**15), min_size=1, max_size=20)
float_weights = st.lists(
    st.one_of(st.just(0.0), st.floats(min_value=1e-6, max_value=1e6)), min_size=1, max_size=20
)


def exact_quotas(pool: int, weights: list[int] | list[float]) -> list[Fraction]:
    """pool x w / W for every part, in exact arithmetic."""
    exact = [Fraction(w) for w in weights]
    total = sum(exact)
    return [pool * w / total for w in exact]


# --- apportion: one pool ---------------------------------------------------------------------


@FAST
@given(pool=pools, weights=st.one_of(int_weights, float_weights))
def test_parts_add_up_to_the_pool_exactly(pool: int, weights: list[float]) -> None:
    assume(sum(weights) > 0)
    parts = apportion(pool, np.asarray(weights))
    assert int(parts.sum()) == pool
    assert parts.dtype == np.int64


@FAST
@given(pool=pools, weights=st.one_of(int_weights, float_weights))
def test_no_part_is_negative_and_a_zero_weight_gets_nothing(
    pool: int, weights: list[float]
) -> None:
    assume(sum(weights) > 0)
    parts = apportion(pool, np.asarray(weights))
    assert (parts >= 0).all()
    for part, weight in zip(parts.tolist(), weights, strict=True):
        if weight == 0:
            assert part == 0


@FAST
@given(pool=pools, weights=st.one_of(int_weights, float_weights))
def test_each_part_is_within_one_won_of_its_exact_quota(pool: int, weights: list[float]) -> None:
    assume(sum(weights) > 0)
    parts = apportion(pool, np.asarray(weights))
    for part, quota in zip(parts.tolist(), exact_quotas(pool, weights), strict=True):
        assert abs(part - quota) < 1


@FAST
@given(pool=pools, weights=int_weights)
def test_a_part_is_the_floor_or_the_ceiling_of_its_quota(pool: int, weights: list[int]) -> None:
    assume(sum(weights) > 0)
    parts = apportion(pool, np.asarray(weights, dtype=np.int64))
    for part, quota in zip(parts.tolist(), exact_quotas(pool, weights), strict=True):
        assert part in (quota.__floor__(), quota.__ceil__())


@FAST
@given(
    pool=st.integers(min_value=0, max_value=10**9),
    weights=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=12),
    data=st.data(),
)
def test_listing_parts_in_another_order_gives_each_part_the_same_amount(
    pool: int, weights: list[int], data: st.DataObject
) -> None:
    # Ties between equal remainders go to the part listed first, so the promise is:
    # parts with distinct weights keep their amount, and parts with equal weights share
    # the same amounts among themselves. That needs remainders of distinct weights to
    # differ, which is the case whenever the exact remainders differ.
    assume(sum(weights) > 0)
    remainders = {w: (pool * w) % sum(weights) for w in set(weights) if w > 0}
    assume(len(set(remainders.values())) == len(remainders))
    order = data.draw(st.permutations(range(len(weights))))
    before = apportion(pool, np.asarray(weights, dtype=np.int64))
    after = apportion(pool, np.asarray([weights[i] for i in order], dtype=np.int64))

    def by_weight(ws: list[int], parts: list[int]) -> dict[int, list[int]]:
        grouped: dict[int, list[int]] = defaultdict(list)
        for w, part in zip(ws, parts, strict=True):
            grouped[w].append(part)
        return {w: sorted(p) for w, p in grouped.items()}

    assert by_weight(weights, before.tolist()) == by_weight(
        [weights[i] for i in order], after.tolist()
    )


@FAST
@given(
    pool=pools,
    weights=st.lists(st.integers(min_value=0, max_value=10**30), min_size=1, max_size=17),
)
def test_whole_number_weights_beyond_int64_are_divided_exactly(
    pool: int, weights: list[int]
) -> None:
    # Indicator x weight can pass 2**63; as Python integers the key stays exact.
    assume(sum(weights) > 0)
    parts = apportion(pool, np.asarray(weights, dtype=object))
    assert int(parts.sum()) == pool
    for part, quota in zip(parts.tolist(), exact_quotas(pool, weights), strict=True):
        assert part in (quota.__floor__(), quota.__ceil__())


@FAST
@given(
    pools=st.lists(pools, min_size=1, max_size=4),
    weights=st.lists(st.integers(min_value=0, max_value=10**4), min_size=1, max_size=12),
)
def test_weights_beyond_int64_divide_exactly_as_the_same_proportions_in_int64(
    pools: list[int], weights: list[int]
) -> None:
    # Scaling every weight by 10**20 forces Python integers; the parts, ties included,
    # must be the ones the int64 path gives for the same proportions.
    small = np.asarray([[w] * len(pools) for w in weights], dtype=np.int64)
    big = np.asarray([[w * 10**20] * len(pools) for w in weights], dtype=object)
    pool = np.asarray(pools, dtype=np.int64)
    assert (apportion(pool, small) == apportion(pool, big)).all()


@FAST
@given(
    st.lists(
        st.one_of(
            st.fractions(min_value=0, max_value=1000, max_denominator=10**6),
            st.integers(min_value=0, max_value=10**6),
            st.decimals(min_value=0, max_value=1000, places=4),
        ),
        min_size=1,
        max_size=17,
    )
)
def test_rational_weights_become_whole_numbers_in_the_same_proportions(
    weights: list[Fraction | int | Decimal],
) -> None:
    whole = integer_weights(weights)
    assert all(type(w) is int and w >= 0 for w in whole)
    exact = [Fraction(w) for w in weights]
    for i in range(len(weights)):
        for j in range(len(weights)):
            assert whole[i] * exact[j] == whole[j] * exact[i]
    assert (sum(whole) == 0) == (sum(exact) == 0)


def test_equal_weights_share_the_odd_won_from_the_first_listed() -> None:
    # 10 won among 3 equal parts: quotas of 3 1/3; the one won left goes to the first.
    assert apportion(10, np.asarray([1, 1, 1])).tolist() == [4, 3, 3]


def test_a_pool_with_no_weight_at_all_is_left_undistributed() -> None:
    parts = apportion(1_000, np.zeros(4))
    assert parts.tolist() == [0, 0, 0, 0]


@pytest.mark.parametrize(
    ("pool", "weights"),
    [(-1, [1.0, 2.0]), (10, [1.0, -2.0]), (10, [1.0, float("nan")]), (10, [float("inf"), 1.0])],
)
def test_negative_pools_and_negative_or_non_finite_weights_are_refused(
    pool: int, weights: list[float]
) -> None:
    with pytest.raises(ValueError):
        apportion(pool, np.asarray(weights))


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_tiny_weights_still_share_the_pool() -> None:
    assert apportion(1, np.asarray([5e-324])).tolist() == [1]


# --- apportion: one pool per year ------------------------------------------------------------


@FAST
@given(
    data=st.data(),
    regions=st.integers(min_value=1, max_value=17),
    years=st.integers(min_value=1, max_value=6),
)
def test_each_year_pool_is_divided_by_that_year_key(
    data: st.DataObject, regions: int, years: int
) -> None:
    year_pools = data.draw(st.lists(pools, min_size=years, max_size=years))
    key = data.draw(
        st.lists(
            st.lists(st.integers(min_value=0, max_value=10**15), min_size=years, max_size=years),
            min_size=regions,
            max_size=regions,
        )
    )
    shares = apportion(np.asarray(year_pools, dtype=np.int64), np.asarray(key, dtype=np.int64))
    assert shares.shape == (regions, years)
    assert (shares >= 0).all()
    for y, pool in enumerate(year_pools):
        column = [row[y] for row in key]
        if sum(column) == 0:
            assert not shares[:, y].any()  # left undistributed; the caller sees the gap
            continue
        assert int(shares[:, y].sum()) == pool
        for r, quota in enumerate(exact_quotas(pool, column)):
            assert abs(int(shares[r, y]) - quota) < 1


# --- apportion with caps ---------------------------------------------------------------------

capped_parts = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=10**6),  # weight
        st.integers(min_value=0, max_value=10**13),  # cap
    ),
    min_size=1,
    max_size=17,
)


@FAST
@given(pool=st.integers(min_value=0, max_value=10**13), parts=capped_parts)
def test_capped_parts_never_pass_their_cap_and_take_all_they_can(
    pool: int, parts: list[tuple[int, int]]
) -> None:
    weights = np.asarray([w for w, _ in parts], dtype=np.int64)
    caps = np.asarray([c for _, c in parts], dtype=np.int64)
    shares = apportion(pool, weights, caps=caps)
    assert (shares >= 0).all()
    assert (shares <= caps).all()
    room = sum(c for w, c in parts if w > 0)
    assert int(shares.sum()) == min(pool, room)
    for share, (weight, _) in zip(shares.tolist(), parts, strict=True):
        if weight == 0:
            assert share == 0


def test_won_a_cap_turns_away_go_to_the_other_parts_by_their_weights() -> None:
    # Quotas 50/25/25; the first is capped at 20, so its 30 extra split 1:1 between the others.
    shares = apportion(100, np.asarray([2, 1, 1]), caps=np.asarray([20, 100, 100]))
    assert shares.tolist() == [20, 40, 40]


# --- apply_rate: amount x rate, half to even -------------------------------------------------


def decimal_rates(max_places: int = 18) -> st.SearchStrategy[Fraction]:
    """Rates as a parameter file writes them: decimals with up to ``max_places`` places."""
    return st.builds(
        lambda digits, places: Fraction(Decimal(digits).scaleb(-places)),
        st.integers(min_value=-(10**12), max_value=10**12),
        st.integers(min_value=0, max_value=max_places),
    )


int64_amounts = st.integers(min_value=INT64_MIN + 1, max_value=INT64_MAX)


def expected(amounts: list[int], rate: Fraction) -> list[int]:
    return [round(Fraction(a) * rate) for a in amounts]  # Python's round: half to even


@settings(max_examples=200, deadline=None)
@given(amounts=st.lists(int64_amounts, min_size=1, max_size=20), rate=decimal_rates())
def test_a_rate_is_applied_exactly_and_rounded_half_to_even(
    amounts: list[int], rate: Fraction
) -> None:
    want = expected(amounts, rate)
    assume(all(INT64_MIN <= v <= INT64_MAX for v in want))
    got = apply_rate(np.asarray(amounts, dtype=np.int64), rate)
    assert got.dtype == np.int64
    assert got.tolist() == want


@FAST
@given(
    amounts=st.lists(st.integers(min_value=-(10**15), max_value=10**15), min_size=1, max_size=20),
    rate=decimal_rates(max_places=4).filter(lambda r: 0 <= r <= 1),
)
def test_budget_sized_amounts_at_legal_rates_are_exact(amounts: list[int], rate: Fraction) -> None:
    assert apply_rate(np.asarray(amounts, dtype=np.int64), rate).tolist() == expected(amounts, rate)


@FAST
@given(
    huge=st.integers(min_value=2**62, max_value=INT64_MAX),
    rate=decimal_rates(max_places=6).filter(lambda r: 0 <= r <= 1),
)
def test_amounts_too_big_for_int64_products_are_still_exact(huge: int, rate: Fraction) -> None:
    # huge x numerator overflows int64, so this takes the Python-integer path.
    amounts = [huge, 7, -huge]
    assert apply_rate(np.asarray(amounts, dtype=np.int64), rate).tolist() == expected(amounts, rate)


@pytest.mark.parametrize(
    ("amount", "rate", "want"),
    [
        (5, Fraction(1, 2), 2),  # 2.5 -> 2
        (7, Fraction(1, 2), 4),  # 3.5 -> 4
        (-5, Fraction(1, 2), -2),  # -2.5 -> -2
        (-7, Fraction(1, 2), -4),  # -3.5 -> -4
        (1, Fraction(1, 2), 0),  # 0.5 -> 0
        (3, Fraction(1, 2), 2),  # 1.5 -> 2
    ],
)
def test_exact_halves_go_to_the_even_won(amount: int, rate: Fraction, want: int) -> None:
    assert apply_rate(np.asarray([amount], dtype=np.int64), rate).tolist() == [want]


def test_a_rate_given_as_a_decimal_is_not_a_binary_float() -> None:
    # 0.253 as a float is 0.25299999999999997...; 1000 won x 0.253 must be exactly 253.
    rate = Fraction(Decimal("0.253"))
    assert apply_rate(np.asarray([1000, 2000], dtype=np.int64), rate).tolist() == [253, 506]


def test_no_amounts_give_no_amounts() -> None:
    assert apply_rate(np.zeros(0, dtype=np.int64), Fraction(1, 3)).tolist() == []


def test_a_rate_with_many_decimal_places_is_applied_exactly() -> None:
    rate = Fraction(Decimal("0.0000000000000000001"))  # 1/10**19
    amounts = [4 * 10**18, -4 * 10**18, 12345]
    assert apply_rate(np.asarray(amounts, dtype=np.int64), rate).tolist() == expected(amounts, rate)


def test_the_smallest_int64_amount_is_scaled_exactly() -> None:
    rate = Fraction(3, 10)
    assert apply_rate(np.asarray([INT64_MIN], dtype=np.int64), rate).tolist() == expected(
        [INT64_MIN], rate
    )


@st.composite
def near_multiples(draw: st.DrawFn) -> tuple[int, int, int]:
    """a x b just around a multiple of c, where a float estimate lands on either side."""
    c = draw(st.integers(min_value=2**40, max_value=2**45))
    m = draw(st.integers(min_value=1, max_value=2**12))
    b = draw(st.integers(min_value=2**25, max_value=2**37))
    offset = draw(st.integers(min_value=-2, max_value=2))
    return c * m + offset, b, c


@FAST
@given(
    st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=2**62),
            st.integers(min_value=0, max_value=2**62),
            st.integers(min_value=1, max_value=2**61 - 1),
        ),
        min_size=1,
        max_size=30,
    )
    | st.lists(near_multiples(), min_size=1, max_size=30)
)
def test_products_beyond_int64_are_divided_exactly_or_left_to_python_integers(
    cells: list[tuple[int, int, int]],
) -> None:
    # A pool times a key often passes 2**63; the quotient and the remainder must be
    # exactly Python's, or the int64 path must step aside (None).
    a, b, c = (np.asarray(column, dtype=np.int64) for column in zip(*cells, strict=True))
    divided = _int64_divmod_product(a, b, c)
    if divided is None:
        assert max(x * y // z for x, y, z in cells) >= 2**50 - 2 or max(c.tolist()) >= 2**61
        return
    quotient, remainder = divided
    assert quotient.tolist() == [x * y // z for x, y, z in cells]
    assert remainder.tolist() == [x * y % z for x, y, z in cells]


@FAST
@given(
    pools=st.lists(st.integers(min_value=0, max_value=10**14), min_size=1, max_size=4),
    key=st.lists(st.integers(min_value=0, max_value=10**16), min_size=1, max_size=30),
)
def test_a_national_pool_by_a_won_key_divides_as_python_integers_do(
    pools: list[int], key: list[int]
) -> None:
    # Pools of 10**14 won by keys of 10**16 won: the int64 path must give the parts,
    # ties included, that the division in Python integers gives.
    weights = np.asarray([[k] * len(pools) for k in key], dtype=np.int64)
    parts = apportion(np.asarray(pools, dtype=np.int64), weights)
    for y, pool in enumerate(pools):
        assert parts[:, y].tolist() == split_exact(pool, key)
