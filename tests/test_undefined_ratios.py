"""Ratios with nothing to divide by are marked undefined, never NaN, infinity or a guess.

A region with no revenue has no fiscal independence ratio; a year with no taxes has no
national:local tax ratio; a region with no population has no per-capita revenue; a
year with no fiscal gap has no adjustment rate. The engine marks each such cell in a
mask beside the figure (which holds 0.0, a finite number a workbook can hold) so that
the shell can name it in a warning, and computes everything else as if the cell were
not there. Expected figures are worked out here by hand or with ``statistics``.
"""

from __future__ import annotations

import statistics

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from fiscal.engine.consolidation import Grouping, consolidate
from fiscal.engine.equalisation import equalise
from fiscal.engine.indicators import headline
from fiscal.engine.measures import NationalMeasures, national_measures
from fiscal.rules.types import Category

CATEGORIES = {
    "tax": Category.own_source,
    "grant": Category.general_grant,
    "subsidy": Category.specific_grant,
    "cofunding": Category.obligation,
}


def ints(rows: list[list[int]]) -> np.ndarray:
    return np.asarray(rows, dtype=np.int64)


# --- fiscal independence and autonomy --------------------------------------------------------


def test_a_region_with_no_revenue_has_undefined_ratios_and_the_others_are_unaffected() -> None:
    amounts = {
        "tax": ints([[300, 0], [0, 5]]),
        "grant": ints([[100, 0], [0, 0]]),
        "subsidy": ints([[600, 0], [0, 15]]),
        "cofunding": ints([[50, 40], [0, 0]]),  # an obligation is not revenue
    }
    head = headline(amounts, CATEGORIES, (2, 2))
    assert head.undefined.tolist() == [[False, True], [True, False]]
    assert head.independence.tolist() == [[0.3, 0.0], [0.0, 0.25]]
    assert head.autonomy.tolist() == [[0.4, 0.0], [0.0, 0.25]]
    # The money is still there: a region with no revenue can still owe its co-funding.
    assert head.net_after_commitments.tolist() == [[950, -40], [0, 20]]


def test_revenue_below_zero_gives_no_ratio_either() -> None:
    amounts = {"tax": ints([[10]]), "subsidy": ints([[-30]])}
    head = headline(amounts, CATEGORIES, (1, 1))
    assert head.undefined.tolist() == [[True]]
    assert head.independence.tolist() == [[0.0]]


def test_a_group_ratio_comes_from_its_sums_even_when_one_region_has_no_revenue() -> None:
    amounts = {
        "tax": ints([[0], [30], [0]]),
        "grant": ints([[0], [10], [0]]),
        "subsidy": ints([[0], [60], [0]]),
    }
    grouping = Grouping(
        by="mega-region",
        ids=["a", "b"],
        labels_en=["A", "B"],
        labels_ko=["가", "나"],
        membership=ints([[1, 1, 0], [0, 0, 1]]),
    )
    summed = consolidate(amounts, grouping)
    assert summed["tax"].tolist() == [[30], [0]]
    head = headline(summed, CATEGORIES, (2, 1))
    # Group a: region 0 (no revenue) and region 1: 30 / 100, not an average with "0%".
    assert head.independence.tolist() == [[0.3], [0.0]]
    assert head.autonomy.tolist() == [[0.4], [0.0]]
    assert head.undefined.tolist() == [[False], [True]]


# --- the national:local tax ratio --------------------------------------------------------------


def measures(
    gross: list[int],
    local: list[list[int]],
    own: list[list[int]] | None = None,
    population: list[list[int]] | None = None,
    carved: list[list[int]] | None = None,
) -> NationalMeasures:
    local_a = ints(local)
    zeros = np.zeros_like(local_a)
    return national_measures(
        np.asarray(gross, dtype=np.int64),
        zeros if carved is None else ints(carved),
        local_a,
        local_a if own is None else ints(own),
        zeros,
        np.ones_like(local_a) if population is None else ints(population),
    )


def test_a_year_with_no_tax_has_no_tax_ratio_and_a_year_of_one_won_has_an_exact_one() -> None:
    m = measures(gross=[0, 1, 0, 97], local=[[0, 0, 1, 1], [0, 0, 0, 2]])
    assert m.share_undefined.tolist() == [True, False, False, False]
    assert m.local_tax_share.tolist() == [0.0, 0.0, 1.0, 0.03]


def test_more_carved_out_of_the_national_taxes_than_they_raised_gives_no_tax_ratio() -> None:
    m = measures(gross=[10, 10], local=[[20, 20]], carved=[[15, 5]])
    # Year 0: national taxes net of the carve-out would be -5 won.
    assert m.national_tax.tolist() == [-5, 5]
    assert m.share_undefined.tolist() == [True, False]
    assert m.local_tax_share.tolist() == [0.0, 0.8]


# --- disparity: per capita and the coefficient of variation ---------------------------------


def test_a_region_with_no_population_is_left_out_of_that_years_disparity() -> None:
    own = [[100, 100], [300, 300], [999_999, 999_999]]
    population = [[1, 1], [2, 2], [0, 4]]  # region 2 has no people in year 0
    m = measures(gross=[0, 0], local=[[0, 0]] * 3, own=own, population=population)
    assert m.population_missing.tolist() == [[False, False], [False, False], [True, False]]
    per_capita_0 = [100 / 1, 300 / 2]
    per_capita_1 = [100 / 1, 300 / 2, 999_999 / 4]
    expected = [
        statistics.pstdev(per_capita_0) / statistics.fmean(per_capita_0),
        statistics.pstdev(per_capita_1) / statistics.fmean(per_capita_1),
    ]
    assert m.cv_before_transfers.tolist() == pytest.approx(expected, rel=1e-12)
    assert m.cv_before_undefined.tolist() == [False, False]


def test_a_year_with_no_population_or_no_revenue_anywhere_has_no_disparity() -> None:
    own = [[0, 10, 5], [0, 20, 5]]
    population = [[3, 0, 1], [4, 0, 1]]
    m = measures(gross=[0, 0, 0], local=[[0, 0, 0]] * 2, own=own, population=population)
    assert m.cv_before_undefined.tolist() == [True, True, False]
    assert m.cv_after_undefined.tolist() == [True, True, False]
    assert m.cv_before_transfers.tolist() == [0.0, 0.0, 0.0]


# --- the adjustment rate of equalisation -----------------------------------------------------


def test_a_year_with_no_fiscal_gap_has_no_adjustment_rate_and_keeps_its_whole_pool() -> None:
    need = ints([[5, 7], [5, 9]])
    revenue = ints([[9, 6], [5, 9]])  # year 0: no gap anywhere; year 1: a gap of 1 won
    result = equalise(np.asarray([1_000, 1_000]), need, revenue)
    assert result.rate_undefined.tolist() == [True, False]
    assert result.adjustment_rate.tolist() == [0.0, 1.0]
    assert result.grants.tolist() == [[0, 1], [0, 0]]
    assert result.unallocated.tolist() == [1_000, 999]


def test_a_gap_of_one_won_with_no_pool_has_a_rate_of_zero_not_an_undefined_one() -> None:
    result = equalise(np.asarray([0, 1]), ints([[1, 1]]), ints([[0, 0]]))
    assert result.rate_undefined.tolist() == [False, False]
    assert result.adjustment_rate.tolist() == [0.0, 1.0]
    assert result.grants.tolist() == [[0, 1]]


# --- never NaN or infinity, never a numpy warning ----------------------------------------------


amounts_of = hnp.arrays(
    np.int64, (3, 2), elements=st.one_of(st.just(0), st.integers(-(10**12), 10**13))
)
people = hnp.arrays(np.int64, (3, 2), elements=st.one_of(st.just(0), st.integers(0, 10**7)))


@settings(max_examples=200, deadline=None)
@given(own=amounts_of, grant=amounts_of, population=people, gross=amounts_of, pool=amounts_of)
def test_every_ratio_is_a_finite_number_whatever_the_budget(
    own: np.ndarray, grant: np.ndarray, population: np.ndarray, gross: np.ndarray, pool: np.ndarray
) -> None:
    with np.errstate(all="raise"):
        head = headline({"tax": own, "grant": grant}, CATEGORIES, own.shape)
        m = national_measures(gross[0], np.zeros_like(own), own, own, grant, population)
        eq = equalise(np.abs(pool[0]), np.abs(gross), np.abs(own))
    for figure in (head.independence, head.autonomy, m.local_tax_share, m.cv_before_transfers):
        assert np.isfinite(figure).all()
    assert np.isfinite(m.cv_after_transfers).all() and np.isfinite(eq.adjustment_rate).all()
    # Undefined cells hold 0.0; defined ones are the ratio itself.
    assert (head.independence[head.undefined] == 0).all()
    defined = ~head.undefined
    assert np.array_equal(head.independence[defined], own[defined] / (own + grant)[defined])
    assert (m.cv_before_transfers[m.cv_before_undefined] == 0).all()
    assert (eq.adjustment_rate[eq.rate_undefined] == 0).all()
