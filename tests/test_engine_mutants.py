"""Behaviour that mutation testing found unguarded in the engine (see CONTRIBUTING.md).

Each test states, as a user would notice it, a rule of the engine that a surviving
mutant broke without any other test failing.
"""

from __future__ import annotations

import statistics
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from fiscal.engine.indicators import headline
from fiscal.engine.measures import national_measures
from fiscal.engine.money import RateGrid, apportion, integer_weights, split_exact, split_rows
from fiscal.engine.sharing import pool_amounts
from fiscal.rules.types import Category

# --- the headline: every category counts where it should, to the won -------------------------

BEYOND_FLOAT = 2**53 + 1  # the first whole number float64 cannot hold


def test_each_category_counts_in_its_own_total_and_revenue_is_their_exact_sum() -> None:
    categories = {
        "tax": Category.own_source,
        "fees": Category.own_source,
        "grant": Category.general_grant,
        "subsidy": Category.specific_grant,
        "bonds": Category.other_revenue,
        "cofunding": Category.obligation,
    }
    amounts = {
        "tax": np.asarray([[BEYOND_FLOAT]]),
        "fees": np.asarray([[2]]),
        "grant": np.asarray([[30]]),
        "subsidy": np.asarray([[400]]),
        "bonds": np.asarray([[5_000]]),
        "cofunding": np.asarray([[60_000]]),
    }
    head = headline(amounts, categories, (1, 1))
    own = BEYOND_FLOAT + 2
    assert head.own_source.tolist() == [[own]]
    assert head.general_grants.tolist() == [[30]]
    assert head.specific_grants.tolist() == [[400]]
    assert head.other_revenue.tolist() == [[5_000]]
    assert head.obligations.tolist() == [[60_000]]
    assert head.total_revenue.tolist() == [[own + 30 + 400 + 5_000]]
    assert head.net_after_commitments.tolist() == [[own + 5_430 - 60_000]]
    # Ratios are floats: the nearest float to the exact ratio, or next to it.
    assert head.independence[0, 0] == pytest.approx(own / (own + 5_430), rel=1e-15, abs=0)
    assert head.autonomy[0, 0] == pytest.approx((own + 30) / (own + 5_430), rel=1e-15, abs=0)
    assert head.independence[0, 0] != head.autonomy[0, 0]


# --- disparity after transfers counts the general grants ----------------------------------


def test_disparity_after_transfers_adds_the_general_grants_per_person() -> None:
    own = np.asarray([[100, 10], [300, 30]])
    grants = np.asarray([[500, 0], [100, 0]])
    population = np.asarray([[2, 1], [4, 1]])
    zeros = np.zeros_like(own)
    m = national_measures(np.asarray([1, 1]), zeros, zeros, own, grants, population)
    for year in range(2):
        before = [own[r, year] / population[r, year] for r in range(2)]
        after = [(own[r, year] + grants[r, year]) / population[r, year] for r in range(2)]
        assert m.cv_before_transfers[year] == pytest.approx(
            statistics.pstdev(before) / statistics.fmean(before), rel=1e-12
        )
        assert m.cv_after_transfers[year] == pytest.approx(
            statistics.pstdev(after) / statistics.fmean(after), rel=1e-12
        )


# --- pools of tax sharing --------------------------------------------------------------------


def test_each_year_pool_is_its_base_times_that_year_share_half_to_even_to_the_won() -> None:
    bases = np.asarray([10**15 + 1, 5, BEYOND_FLOAT])
    shares = [Fraction(1, 2), Fraction(1, 2), Fraction(1, 1)]
    pools = pool_amounts(bases, shares)
    assert pools.dtype == np.int64
    # 500000000000000.5 goes to the even won; 2.5 to 2; the whole base is the base.
    assert pools.tolist() == [500_000_000_000_000, 2, BEYOND_FLOAT]


def test_a_year_without_a_share_is_an_error_not_a_shorter_list_of_pools() -> None:
    with pytest.raises(ValueError):
        pool_amounts(np.asarray([100, 200]), [Fraction(1, 2)])


# --- rates by region and year ----------------------------------------------------------------


def test_a_rate_for_the_year_applies_to_every_region_that_year() -> None:
    rates = [Fraction(1, 2), Fraction(3, 10), Fraction(1, 2)]
    grid = RateGrid.per_year(rates, regions=2)
    assert [grid.at(r, y) for r in range(2) for y in range(3)] == rates * 2
    assert len(grid.values) == 2  # each distinct rate once
    amounts = np.asarray([[5, 10, 7], [9, 20, 3]])
    assert grid.apply(amounts).tolist() == [
        [round(Fraction(int(a)) * rate) for a, rate in zip(row, rates, strict=True)]
        for row in amounts.tolist()
    ]
    assert grid.floats().tolist() == [[0.5, 0.3, 0.5], [0.5, 0.3, 0.5]]


def test_rates_by_region_become_whole_numbers_in_the_same_proportions() -> None:
    grid = RateGrid.of([[Fraction(1, 4), Fraction(1, 3)], [Fraction(1, 6), Fraction(0)]])
    assert grid.at(0, 1) == Fraction(1, 3) and grid.at(1, 0) == Fraction(1, 6)
    # Over the common denominator 12: 3, 4, 2 and 0.
    assert grid.whole().tolist() == [[3, 4], [2, 0]]
    assert grid.whole().dtype == np.int64


def test_rates_whose_common_denominator_passes_int64_stay_exact() -> None:
    primes = [2**61 - 1, 2**89 - 1]  # Mersenne primes: the common denominator is their product
    grid = RateGrid.of([[Fraction(1, primes[0]), Fraction(1, primes[1])]])
    whole = grid.whole()
    assert whole.dtype == object
    assert [int(w) for w in whole[0]] == [primes[1], primes[0]]


# --- caps that bind one after another ------------------------------------------------------


@pytest.mark.parametrize("weights", [[1, 1, 1], [1.0, 1.0, 1.0], [2**40, 2**40, 2**40]])
def test_each_cap_binds_only_once_the_caps_before_it_are_filled(weights: list[float]) -> None:
    # 45 won among three equal parts: 15 each passes only the first cap (9); the 36 left
    # give 18 each, passing only the second (16); the 20 left pass the third (19). Every
    # part ends at its cap and 1 won stays undistributed, for the caller to report.
    parts = apportion(45, np.asarray(weights), caps=np.asarray([9, 16, 19]))
    assert parts.tolist() == [9, 16, 19]


def test_a_cap_of_zero_takes_nothing_even_with_the_largest_weight() -> None:
    parts = apportion(10, np.asarray([100, 1, 1]), caps=np.asarray([0, 10, 10]))
    assert parts.tolist() == [0, 5, 5]


# --- disparity with few regions or little revenue ------------------------------------------


def test_one_region_with_people_has_no_dispersion_rather_than_no_disparity_figure() -> None:
    own = np.asarray([[700], [500]])
    zeros = np.zeros_like(own)
    m = national_measures(np.asarray([1]), zeros, zeros, own, zeros, np.asarray([[7], [0]]))
    assert m.cv_before_transfers.tolist() == [0.0]
    assert m.cv_before_undefined.tolist() == [False]
    assert m.population_missing.tolist() == [[False], [True]]


def test_less_than_a_won_per_person_is_still_a_measured_disparity() -> None:
    own = np.asarray([[1], [1]])
    zeros = np.zeros_like(own)
    m = national_measures(np.asarray([1]), zeros, own, own, zeros, np.asarray([[4], [2]]))
    per_capita = [0.25, 0.5]
    assert m.cv_before_undefined.tolist() == [False]
    assert m.cv_before_transfers[0] == pytest.approx(
        statistics.pstdev(per_capita) / statistics.fmean(per_capita), rel=1e-12
    )
    assert m.local_tax.tolist() == [2]
    assert m.national_tax.tolist() == [1]


def test_a_budget_of_one_won_has_ratios_like_any_other() -> None:
    categories = {"tax": Category.own_source, "grant": Category.general_grant}
    amounts = {"tax": np.asarray([[1, 0]]), "grant": np.asarray([[0, 1]])}
    head = headline(amounts, categories, (1, 2))
    assert head.undefined.tolist() == [[False, False]]
    assert head.independence.tolist() == [[1.0, 0.0]]
    assert head.autonomy.tolist() == [[1.0, 1.0]]


# --- float keys: the leftover won ---------------------------------------------------------


def test_with_shares_as_floats_the_leftover_won_goes_to_the_largest_remainder() -> None:
    # 7 won by 0.2, 0.3 and 0.5: quotas 1.4, 2.1 and 3.5; the won left after the floors
    # goes to the 0.5 remainder.
    assert apportion(7, np.asarray([0.2, 0.3, 0.5])).tolist() == [1, 2, 4]
    assert apportion(8, np.asarray([0.25, 0.25, 0.5])).tolist() == [2, 2, 4]


def test_a_zero_weight_gets_nothing_even_when_float_error_leaves_hundreds_of_won() -> None:
    # At 3.7 x 10^18 won the floors of the float quotas fall 573 won short of the pool:
    # all of them go to the two parts with a weight, none to the part without.
    pool = 3_704_928_660_248_839_229
    key = np.asarray([0.0, 0.4306280204141778, 0.5867985714381407])
    floors = np.floor(key / key.sum() * float(pool)).astype(np.int64)
    assert pool - int(floors.sum()) > 3  # more won left than parts with a weight
    parts = apportion(pool, key).tolist()
    assert parts[0] == 0
    assert sum(parts) == pool


# --- whole-number weights from shares ------------------------------------------------------


def test_shares_keep_their_proportions_and_signs_as_whole_numbers() -> None:
    shares = [Decimal("-0.5"), Decimal("0.25"), Decimal("0.125")]
    whole = integer_weights(shares)
    assert all(isinstance(w, int) for w in whole)
    assert [Fraction(w, whole[2]) for w in whole] == [Fraction(-4), Fraction(2), Fraction(1)]


def test_no_regions_make_an_empty_rate_grid() -> None:
    grid = RateGrid.of([])
    assert grid.index.shape == (0, 0)
    assert grid.apply(np.zeros((0, 0), dtype=np.int64)).shape == (0, 0)


# --- row splits whose totals might not fit int64 -----------------------------------------


def test_rows_whose_weights_add_up_past_int64_are_split_exactly() -> None:
    # Row 0 adds up to 2**63 + 4: an int64 total would wrap to a negative number.
    weights = np.asarray([[2**62, 2**62 + 1, 3], [1, 0, 2**60]], dtype=np.int64)
    pools = np.asarray([1_000_003, 7], dtype=np.int64)
    parts = split_rows(pools, weights)
    assert parts.dtype == np.int64
    assert parts.shape == (2, 3)
    for pool, row, got in zip(pools.tolist(), weights.tolist(), parts.tolist(), strict=True):
        total = sum(row)
        quotas = [Fraction(pool * w, total) for w in row]
        assert sum(got) == pool
        assert all(q - 1 < g < q + 1 for g, q in zip(got, quotas, strict=True))
    assert parts[1].tolist() == [0, 0, 7]


def test_many_parties_with_tied_remainders_get_the_odd_won_in_the_order_listed() -> None:
    # More than 8 columns take the sorting route; ties must still go to the column
    # listed first, as split_exact (one amount at a time, in Python) gives them.
    rng = np.random.default_rng(52)
    weights = rng.integers(0, 4, size=(60, 52))
    pools = rng.integers(0, 10**6, size=60)
    parts = split_rows(pools, weights)
    for pool, row, got in zip(pools.tolist(), weights.tolist(), parts.tolist(), strict=True):
        assert got == split_exact(pool, row)


def test_a_cap_is_judged_on_the_exact_quota_even_where_floats_round_by_hundreds_of_won() -> None:
    # 2**62 + 513 won is 511 won below its nearest float. Among three equal weights the
    # first part's cap is 100 won above its exact quota: it does not bind, and the parts
    # are the exact thirds; judged in floats the cap would bind and take 99 won more.
    pool = 2**62 + 513
    assert int(float(pool)) - pool == 511
    cap = (pool + 300) // 3
    parts = apportion(pool, np.asarray([1, 1, 1]), caps=np.asarray([cap, 2**62, 2**62]))
    assert parts.tolist() == split_exact(pool, [1, 1, 1])
    assert int(parts[0]) < cap


# --- keys beyond int64: the Python-integer route ------------------------------------------


def test_a_year_whose_key_adds_up_to_one_still_gives_its_pool_to_that_region() -> None:
    # Year 0's key passes int64, so every year takes the Python-integer route; in year 1
    # the only key is 1, and the region holding it gets the whole pool.
    key = np.asarray([[2**70, 1], [2**70, 0]], dtype=object)
    assert apportion(np.asarray([10, 9]), key).tolist() == [[5, 9], [5, 0]]


def test_no_parts_share_nothing_whatever_the_size_of_the_weights() -> None:
    empty = np.zeros((0, 2), dtype=object)
    assert apportion(np.asarray([10, 9]), empty).shape == (0, 2)


def test_revenue_that_nets_to_zero_has_no_ratio_even_with_own_source_revenue() -> None:
    categories = {"tax": Category.own_source, "refund": Category.specific_grant}
    amounts = {"tax": np.asarray([[10]]), "refund": np.asarray([[-10]])}
    head = headline(amounts, categories, (1, 1))
    assert head.total_revenue.tolist() == [[0]]
    assert head.undefined.tolist() == [[True]]
    assert head.independence.tolist() == [[0.0]]
    assert head.autonomy.tolist() == [[0.0]]
