"""Equalisation grants (보통교부세) and matching subsidies (국고보조금), to the won.

A region's fiscal gap is its need less its counted revenue. The pool is shared in
proportion to the gaps, never above a gap; what no gap can take is reported, not paid.
A matching subsidy is the programme cost times the national rate; the region pays the rest.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from fiscal.engine.equalisation import equalise
from fiscal.engine.matching import match
from fiscal.engine.money import RateGrid

FAST = settings(max_examples=60, deadline=None)

MAX_GAP = 10**13  # ten trillion won: larger than any Korean region's gap


@st.composite
def budgets(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pools (years), need and counted revenue (regions x years) in whole won."""
    regions = draw(st.integers(min_value=1, max_value=17))
    years = draw(st.integers(min_value=1, max_value=4))
    cells = st.integers(min_value=0, max_value=MAX_GAP)
    need = draw(
        st.lists(
            st.lists(cells, min_size=years, max_size=years), min_size=regions, max_size=regions
        )
    )
    revenue = draw(
        st.lists(
            st.lists(cells, min_size=years, max_size=years), min_size=regions, max_size=regions
        )
    )
    pools = draw(
        st.lists(st.integers(min_value=0, max_value=17 * MAX_GAP), min_size=years, max_size=years)
    )
    return (
        np.asarray(pools, dtype=np.int64),
        np.asarray(need, dtype=np.int64),
        np.asarray(revenue, dtype=np.int64),
    )


def positive_gaps(need: np.ndarray, revenue: np.ndarray) -> list[list[int]]:
    return [
        [max(int(n) - int(r), 0) for n, r in zip(nr, rr, strict=True)]
        for nr, rr in zip(need, revenue, strict=True)
    ]


@FAST
@given(budgets())
def test_the_grants_add_up_to_the_pool_or_to_all_the_gaps_whichever_is_less(
    budget: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    pools, need, revenue = budget
    result = equalise(pools, need, revenue)
    gaps = positive_gaps(need, revenue)
    for y, pool in enumerate(pools.tolist()):
        total_gap = sum(row[y] for row in gaps)
        assert int(result.grants[:, y].sum()) == min(pool, total_gap)
        assert int(result.unallocated[y]) == pool - int(result.grants[:, y].sum())
        assert result.unallocated[y] >= 0


@FAST
@given(budgets())
def test_no_region_receives_more_than_its_gap_and_no_gap_means_no_grant(
    budget: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    pools, need, revenue = budget
    result = equalise(pools, need, revenue)
    gaps = positive_gaps(need, revenue)
    assert (result.grants >= 0).all()
    for r, row in enumerate(gaps):
        for y, gap in enumerate(row):
            assert int(result.grants[r, y]) <= gap
            if gap == 0:
                assert result.grants[r, y] == 0
    assert (result.gaps == need - revenue).all()


@FAST
@given(budgets())
def test_every_grant_is_its_gap_times_one_adjustment_rate_to_the_won(
    budget: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> None:
    pools, need, revenue = budget
    result = equalise(pools, need, revenue)
    gaps = positive_gaps(need, revenue)
    for y, pool in enumerate(pools.tolist()):
        total_gap = sum(row[y] for row in gaps)
        if total_gap == 0:
            assert result.adjustment_rate[y] == 0
            continue
        rate = Fraction(min(pool, total_gap), total_gap)  # 조정률, at most 1
        assert abs(float(rate) - float(result.adjustment_rate[y])) <= 1e-12
        for r, row in enumerate(gaps):
            assert abs(int(result.grants[r, y]) - row[y] * rate) < 1


@FAST
@given(budgets(), st.integers(min_value=1, max_value=10**12))
def test_a_larger_pool_never_lowers_the_total_and_costs_a_region_at_most_one_won(
    budget: tuple[np.ndarray, np.ndarray, np.ndarray], more: int
) -> None:
    # Largest remainder has the Alabama paradox: a larger pool can move the odd won
    # away from a region. Its quota only grows, so it can lose that one won, never more.
    pools, need, revenue = budget
    before = equalise(pools, need, revenue).grants
    after = equalise(pools + more, need, revenue).grants
    assert (after.sum(axis=0) >= before.sum(axis=0)).all()
    assert (after >= before - 1).all()


def test_a_pool_larger_than_all_gaps_fills_them_and_reports_the_rest() -> None:
    need = np.asarray([[100], [50], [10]], dtype=np.int64)
    revenue = np.asarray([[40], [50], [30]], dtype=np.int64)  # gaps 60, 0, -20
    result = equalise(np.asarray([1_000], dtype=np.int64), need, revenue)
    assert result.grants[:, 0].tolist() == [60, 0, 0]
    assert result.unallocated.tolist() == [940]
    assert result.adjustment_rate.tolist() == [1.0]


# --- matching subsidies ----------------------------------------------------------------------

legal_rates = st.integers(min_value=0, max_value=10_000).map(
    lambda basis_points: Fraction(Decimal(basis_points).scaleb(-4))
)


@st.composite
def programmes(draw: st.DrawFn) -> tuple[np.ndarray, list[list[Fraction]]]:
    regions = draw(st.integers(min_value=1, max_value=17))
    years = draw(st.integers(min_value=1, max_value=6))
    cost = draw(
        st.lists(
            st.lists(st.integers(min_value=0, max_value=10**14), min_size=years, max_size=years),
            min_size=regions,
            max_size=regions,
        )
    )
    rates = draw(
        st.lists(
            st.lists(legal_rates, min_size=years, max_size=years),
            min_size=regions,
            max_size=regions,
        )
    )
    return np.asarray(cost, dtype=np.int64), rates


@FAST
@given(programmes())
def test_subsidy_and_co_funding_add_up_to_the_programme_cost(
    programme: tuple[np.ndarray, list[list[Fraction]]],
) -> None:
    cost, rates = programme
    subsidy, co_funding = match(cost, RateGrid.of(rates))
    assert (subsidy + co_funding == cost).all()
    assert (subsidy >= 0).all()
    assert (co_funding >= 0).all()


@FAST
@given(programmes())
def test_the_subsidy_is_the_cost_times_that_region_and_year_rate_half_to_even(
    programme: tuple[np.ndarray, list[list[Fraction]]],
) -> None:
    cost, rates = programme
    subsidy, _ = match(cost, RateGrid.of(rates))
    for r, row in enumerate(rates):
        for y, rate in enumerate(row):
            assert int(subsidy[r, y]) == round(int(cost[r, y]) * rate)
