"""Exact money at the edges: huge keys, empty years, halves, caps in cascade, bad weights.

Each test here pins a case a user would notice (a won in the wrong region, a pool that
does not add up, a crash with an assertion instead of a message) and would fail if the
guard that handles it were removed. The expected figures come from a reference written
here in exact fractions, from arithmetic done by hand, or from the rule itself, never
from the code under test.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fiscal.engine.agreements import _exact
from fiscal.engine.money import (
    RateGrid,
    apply_rate,
    apportion,
    exact_product,
    integer_weights,
    split_exact,
    split_rows,
)
from fiscal.errors import UserError


def largest_remainder(pool: int, weights: list[int] | list[Fraction]) -> list[int]:
    """The rule of money.py in exact fractions: floors of the quotas, then one won each to
    the largest remainders, ties to the part listed first; nothing if no weight."""
    total = sum(weights)
    if total <= 0:
        return [0] * len(weights)
    quotas = [Fraction(pool) * Fraction(w) / Fraction(total) for w in weights]
    parts = [q.numerator // q.denominator for q in quotas]
    left = pool - sum(parts)
    order = sorted(
        (i for i in range(len(weights)) if weights[i] > 0),
        key=lambda i: (-(quotas[i] - parts[i]), i),
    )
    for i in order[:left]:
        parts[i] += 1
    return parts


def water_filled(pool: int, weights: list[int], caps: list[int]) -> list[Fraction]:
    """Exact quotas with caps: parts whose quota passes their cap get the cap, and the
    rest of the pool is shared among the others by weight, again, until no cap binds."""
    fixed: dict[int, Fraction] = {}
    while True:
        free = [i for i in range(len(weights)) if i not in fixed and weights[i] > 0]
        rest = pool - sum(fixed.values())
        total = sum(weights[i] for i in free)
        quota = {i: Fraction(rest * weights[i], total) for i in free} if total else {}
        over = [i for i in free if quota[i] >= caps[i]]
        if not over:
            out = [fixed.get(i, quota.get(i, Fraction(0))) for i in range(len(weights))]
            return out
        for i in over:
            fixed[i] = Fraction(caps[i])


# --- whole-number keys near 10^16: never a float ---------------------------------------------


def test_a_key_one_won_larger_near_ten_to_the_sixteen_gets_the_odd_won() -> None:
    # 10^16 and 10^16 + 1 are the same float64: a float route would call it a tie and
    # give the won to the first region. The exact quotas say the second deserves it.
    key = np.asarray([10**16, 10**16 + 1], dtype=np.int64)
    assert float(key[0]) == float(key[1])
    assert apportion(1, key).tolist() == [0, 1]
    assert split_rows(np.asarray([1]), key[None, :]).tolist() == [[0, 1]]
    assert split_exact(1, key.tolist()) == [0, 1]


@settings(max_examples=150, deadline=None)
@given(
    pool=st.one_of(st.integers(0, 10**4), st.integers(0, 10**15), st.integers(0, 2**62)),
    key=st.lists(st.integers(10**16 - 10**6, 10**16 + 10**6), min_size=1, max_size=12),
)
def test_keys_near_ten_to_the_sixteen_divide_as_exact_fractions_do(
    pool: int, key: list[int]
) -> None:
    weights = np.asarray(key, dtype=np.int64)
    expected = largest_remainder(pool, key)
    assert apportion(pool, weights).tolist() == expected
    assert apportion(np.asarray([pool, pool]), np.stack([weights, weights], axis=1)).T.tolist() == [
        expected,
        expected,
    ]
    assert split_rows(np.asarray([pool]), weights[None, :]).tolist() == [expected]


# --- keys beyond int64, with a year whose keys are all zero ------------------------------------


def test_keys_beyond_int64_divide_exactly_and_a_year_with_no_key_is_left_undistributed() -> None:
    big = [2**70 + 3, 2**70, 2**69 + 1]
    key = np.asarray([[k, 0] for k in big], dtype=object)
    parts = apportion(np.asarray([1_000_003, 500]), key)
    assert parts.dtype == np.int64
    assert parts[:, 0].tolist() == largest_remainder(1_000_003, big)
    assert parts[:, 1].tolist() == [0, 0, 0]  # the caller sees 0 of 500 distributed


# --- halves go to the even won -------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "rate", "want"),
    [
        (5, Fraction(1, 2), 2),  # 2.5
        (7, Fraction(1, 2), 4),  # 3.5
        (-5, Fraction(1, 2), -2),  # -2.5
        (-7, Fraction(1, 2), -4),  # -3.5
        (3, Fraction(3, 2), 4),  # 4.5: an amount indexed by 50%
        (2**61 + 1, Fraction(1, 2), 2**60),  # 2^60 + 0.5, on the Python-integer route
        (2**61 + 3, Fraction(1, 2), 2**60 + 2),  # 2^60 + 1.5
    ],
)
def test_an_amount_of_exactly_half_a_won_goes_to_the_even_won(
    amount: int, rate: Fraction, want: int
) -> None:
    assert apply_rate(np.asarray([amount]), rate).tolist() == [want]
    grid = RateGrid.of([[rate]])
    assert grid.apply(np.asarray([[amount]])).tolist() == [[want]]


# --- caps in cascade -----------------------------------------------------------------------


def test_caps_binding_one_after_another_give_each_part_its_cap() -> None:
    # The caps add up to 96 of the 104: every part is filled to its cap, one cap binding
    # after another as the won they turn away reach the others, and 8 stay undistributed.
    pool, weights, caps = 104, [3, 5, 3, 5, 2, 1, 3], [0, 4, 6, 38, 34, 2, 12]
    exact = water_filled(pool, weights, caps)
    assert exact == [Fraction(c) for c in caps]
    parts = apportion(pool, np.asarray(weights), caps=np.asarray(caps))
    assert parts.tolist() == caps
    assert pool - int(parts.sum()) == 8


def test_caps_in_cascade_with_room_left_share_the_rest_by_weight() -> None:
    # Same weights, caps with room: a cap binds, then another, then the rest is shared.
    pool, weights, caps = 104, [3, 5, 3, 5, 2, 1, 3], [0, 4, 60, 38, 34, 2, 12]
    exact = water_filled(pool, weights, caps)
    parts = apportion(pool, np.asarray(weights), caps=np.asarray(caps)).tolist()
    assert sum(parts) == pool
    for part, quota, cap in zip(parts, exact, caps, strict=True):
        assert part <= cap
        assert quota - 1 < part < quota + 1


@settings(max_examples=300, deadline=None)
@given(
    pool=st.integers(0, 200),
    parts=st.lists(st.tuples(st.integers(0, 6), st.integers(0, 40)), min_size=1, max_size=7),
)
def test_capped_parts_are_within_a_won_of_their_exact_water_filled_quota(
    pool: int, parts: list[tuple[int, int]]
) -> None:
    weights = [w for w, _ in parts]
    caps = [c for _, c in parts]
    got = apportion(pool, np.asarray(weights), caps=np.asarray(caps)).tolist()
    exact = water_filled(pool, weights, caps)
    reachable = sum(c for w, c in parts if w > 0)
    assert sum(got) == min(pool, reachable)
    for part, quota, cap in zip(got, exact, caps, strict=True):
        assert 0 <= part <= cap
        assert quota - 1 < part < quota + 1


# --- exact_product's overflow guard ----------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "weight"),
    [
        (2**40 + 1, 2**30 + 3),  # 2^70: past int64
        (-(2**40) - 1, 2**30 + 3),  # negative, past int64
        (2**31, 2**31),  # 2^62: the first product the guard sends to Python integers
        (3 * 10**15, 10**4),  # a national tax base times a share in ten-thousandths
    ],
)
def test_a_key_times_a_weight_is_exact_whatever_its_size(amount: int, weight: int) -> None:
    product = exact_product(np.asarray([amount, 1]), np.asarray([weight, 1]))
    assert [int(p) for p in product] == [amount * weight, 1]


def test_a_product_that_fits_stays_in_int64() -> None:
    product = exact_product(np.asarray([2**30]), np.asarray([2**31]))
    assert product.dtype == np.int64
    assert product.tolist() == [2**61]


# --- weights that are refused --------------------------------------------------------------


@pytest.mark.parametrize(
    "weights",
    [
        np.asarray([3, -1, 2], dtype=np.int64),
        np.asarray([2**70, -1], dtype=object),
        np.asarray([[1, 2], [-1, 2]], dtype=np.int64),
    ],
)
def test_negative_whole_number_weights_are_refused(weights: np.ndarray) -> None:
    pools = 10 if weights.ndim == 1 else np.asarray([10, 10])
    with pytest.raises(ValueError, match="non-negative"):
        apportion(pools, weights)


def test_negative_weights_in_a_row_split_are_refused() -> None:
    with pytest.raises(ValueError, match="non-negative"):
        split_rows(np.asarray([10, 10]), np.asarray([[1, 2], [3, -1]]))


@pytest.mark.parametrize(
    "bad", [Decimal("NaN"), Decimal("Infinity"), Decimal("-Infinity"), float("nan")]
)
def test_a_weight_that_is_not_a_number_is_a_user_error_naming_it(bad: Decimal | float) -> None:
    weights = [Decimal("0.25"), bad, Decimal("0.5")]
    message = r"weight 2 of 3 is .*, not a finite number: shares and key weights must be numbers"
    with pytest.raises(UserError, match=message):
        integer_weights(weights)  # type: ignore[arg-type]
    with pytest.raises(UserError, match="not a finite number"):
        _exact(tuple(weights))


def test_uint64_weights_past_int64_are_not_wrapped_to_negative() -> None:
    weights: npt.NDArray[Any] = np.asarray([2**63 + 2, 2**63], dtype=np.uint64)
    assert apportion(3, weights).tolist() == largest_remainder(3, [2**63 + 2, 2**63])


# --- float keys --------------------------------------------------------------------------


def test_a_year_with_nothing_left_over_is_untouched_while_another_hands_out_its_won() -> None:
    # Year 0 divides evenly (no leftover), year 1 has 2 won left over after the floors.
    key = np.asarray([[1.0, 1.0], [1.0, 1.0], [2.0, 1.0]])
    parts = apportion(np.asarray([40, 8]), key)
    assert parts[:, 0].tolist() == [10, 10, 20]
    assert parts[:, 1].tolist() == [3, 3, 2]


def test_float_floors_that_pass_a_huge_pool_are_taken_back_to_the_pool() -> None:
    # At 1.46 x 10^18 won a float quota can be ~100 won above the exact one: here the
    # floors add up to 144 won more than the pool, and the parts must still sum to it.
    pool = 1_462_862_632_273_016_304
    key = [0.9504636963259353, 0.14415961271963373, 0.9486494471372439]
    weights = np.asarray(key)
    quotas = weights / weights.sum() * float(pool)
    assert int(np.floor(quotas).astype(np.int64).sum()) > pool  # the branch under test
    parts = apportion(pool, weights).tolist()
    assert sum(parts) == pool
    total = sum(Fraction(w) for w in key)
    for part, w in zip(parts, key, strict=True):
        exact = Fraction(pool) * Fraction(w) / total
        assert abs(part - exact) < 1000  # float keys: within float64's precision of the pool
