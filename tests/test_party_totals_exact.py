"""A party's cost shares add up to its share of the total, to the won.

A 50:50 agreement of 24 bn over three years used to pay its parties 12,000,000,001 and
11,999,999,999: each year was split on its own and the odd won all went to the party
listed first. Now the years under the same terms are settled together: each year still
adds up to its cost, and each party's sum is its largest-remainder share of the total
(exactly its share when the share divides it). The batch scheduler gives the same won
(tests/test_agreement_batch.py compares them on every feature; here the block itself).
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from fiscal.engine.agreement_batch import schedule_agreements
from fiscal.engine.agreements import schedule_agreement, settle_block, split_block
from fiscal.engine.money import split_exact
from fiscal.errors import Problem
from tests.test_agreement_schedules import Cast, make_agreement, project

PROPERTY = settings(max_examples=300, deadline=None)
CAST = Cast(("molit",), central_key=False, regions=("busan", "ulsan"), private=False)


def _party_totals(
    agreement_spec: dict[str, Decimal],
    total: int,
    years: tuple[int, int],
    schedule_krw: dict[int, int] | None = None,
) -> tuple[dict[str, int], dict[str, int]]:
    terms = {} if schedule_krw is None else {"schedule_krw": schedule_krw}
    agreement = make_agreement(CAST, [project(agreement_spec, total=total, years=years, **terms)])
    reference, problems = schedule_agreement(agreement, lambda p, y: Fraction(0), Fraction(0))
    assert problems == []
    found: list[Problem] = []
    batch = schedule_agreements(
        [agreement], lambda a, p, y: Fraction(0), lambda a: Fraction(0), found
    )
    assert found == []
    out = []
    for schedule in (reference, batch.schedules[0]):
        sums: dict[str, int] = {}
        for flow in schedule.flows:
            if flow.flow == "cost_share":
                sums[flow.party] = sums.get(flow.party, 0) + flow.amount
        out.append(sums)
    return out[0], out[1]


def test_a_fifty_fifty_agreement_of_24_bn_pays_each_party_12_bn() -> None:
    # 24 bn over three years of 8,000,000,001 / 7,999,999,999 / 8,000,000,000 won: each
    # year alone splits its odd won to the party listed first.
    schedule = {2025: 8_000_000_001, 2026: 7_999_999_999, 2027: 8_000_000_000}
    shares = {"molit": Decimal("0.5"), "busan": Decimal("0.5")}
    reference, batch = _party_totals(shares, 24_000_000_000, (2025, 2027), schedule)
    assert reference == batch == {"molit": 12_000_000_000, "busan": 12_000_000_000}


def test_an_even_spread_of_an_odd_total_still_pays_whole_shares() -> None:
    shares = {"molit": Decimal("0.5"), "busan": Decimal("0.25"), "ulsan": Decimal("0.25")}
    reference, batch = _party_totals(shares, 24_000_000_000, (2025, 2031))
    assert (
        reference
        == batch
        == {"molit": 12_000_000_000, "busan": 6_000_000_000, "ulsan": 6_000_000_000}
    )


amounts = st.lists(st.integers(0, 10**12), min_size=1, max_size=8)
weights = st.lists(st.integers(0, 10**4), min_size=1, max_size=6)


@PROPERTY
@given(amounts, weights)
def test_every_year_adds_up_and_every_party_gets_its_share_of_the_total(
    years: list[int], shares: list[int]
) -> None:
    parts = split_block(years, shares)
    assert [sum(row) for row in parts] == (years if sum(shares) else [0] * len(years))
    assert all(part >= 0 for row in parts for part in row)
    if sum(shares):
        total = sum(years)
        sums = [sum(row[p] for row in parts) for p in range(len(shares))]
        assert sums == split_exact(total, shares)
        for p, weight in enumerate(shares):
            exact = Fraction(total * weight, sum(shares))
            if exact.denominator == 1:
                assert sums[p] == exact
            # No year strays more than a won from its exact quota... or it is settled.
            for year, row in zip(years, parts, strict=True):
                assert abs(row[p] - Fraction(year * weight, sum(shares))) < 2


@PROPERTY
@given(amounts, weights)
def test_years_already_adding_to_the_shares_are_left_as_each_year_splits_them(
    years: list[int], shares: list[int]
) -> None:
    parts = [split_exact(y, shares) for y in years]
    settled = settle_block(years, shares, parts)
    if sum(shares) and all(
        sum(row[p] for row in parts) == split_exact(sum(years), shares)[p]
        for p in range(len(shares))
    ):
        assert settled is None
    assert split_block(years, shares) == (parts if settled is None else settled)


@PROPERTY
@given(
    st.lists(st.integers(1, 10**10), min_size=2, max_size=6),
    st.sampled_from([(1, 1), (1, 3), (1, 1, 2), (3, 7), (1, 1, 1, 1)]),
)
def test_shares_that_divide_the_total_are_paid_exactly(
    years: list[int], shares: tuple[int, ...]
) -> None:
    whole = sum(shares)
    years[-1] += -sum(years) % whole  # make the total divisible by the shares
    parts = split_block(years, list(shares))
    assert [sum(row[p] for row in parts) for p in range(len(shares))] == [
        sum(years) // whole * s for s in shares
    ]
    assert [sum(row) for row in parts] == years
