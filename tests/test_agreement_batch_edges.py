"""The batch scheduler against the reference at its edges: huge payers, no paid year.

``test_agreement_batch`` draws ordinary agreements. These lists add two kinds the
batch handles on separate routes, mixed among the others at any place:

- an agreement whose projects each fit the batch's arrays (below 2**52 won) but whose
  cost shares add up, for one payer, to more than 2**52 won: its totals can no longer be
  summed in float64 exactly, and its present values are worked out as the reference
  does;
- a proposed agreement with no signing date whose only years were moved, by an
  amendment, to before the amendment takes effect: nothing is paid, so there is no
  base year and no present value to discount.

Each must come out to the won as the reference scheduler gives it, with the same
problems in the same order.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fiscal.engine.agreement_batch import schedule_agreements
from fiscal.errors import SourcePos
from fiscal.rules.agreements import Agreement
from tests.test_agreement_batch import (
    SETTINGS,
    Rates,
    agreement_lists,
    everything,
    one_at_a_time,
    rate_tables,
)
from tests.test_agreement_schedules import Cast, casts

BIG = 2**52


@st.composite
def heavy_agreements(draw: st.DrawFn, index: int) -> Agreement:
    """Projects just below 2**52 won each, paid mostly by one payer: their sum passes it."""
    cast = draw(casts(needs_centre=True))
    payer = draw(st.sampled_from(cast.payers))
    others = [p for p in cast.payers if p != payer]
    # At least 3/4 of every project on one payer: three projects of 2**51 won and more
    # put more than 2**52 won on it.
    rest = draw(st.integers(0, 250)) if others else 0
    shares = {payer: Decimal(1000 - rest) / 1000}
    if others:
        shares[others[0]] = Decimal(rest) / 1000
    projects = []
    for i in range(draw(st.integers(3, 4))):
        first = draw(st.integers(2020, 2026))
        spec: dict[str, Any] = {
            "id": f"project-{i}",
            "title": f"Project {i}",
            "total_krw": draw(st.integers(2**51, BIG - 1)),
            "years": [first, first + draw(st.integers(0, 4))],
            "shares": shares,
        }
        if draw(st.booleans()):
            spec["central_cap_krw"] = draw(st.integers(0, spec["total_krw"]))
        projects.append(spec)
    signed = draw(st.sampled_from([None, "2019-03-01", "2023-07-01"]))
    return _agreement(cast, index, projects, signed=signed)


@st.composite
def unpaid_agreements(draw: st.DrawFn, index: int) -> Agreement:
    """Unsigned, with every year moved by an amendment to before the amendment."""
    cast = draw(casts())
    first = draw(st.integers(2020, 2026))
    moved_to = draw(st.integers(2010, first - 1))
    shares = {cast.payers[0]: Decimal(1)}
    projects = [
        {
            "id": "project-0",
            "title": "Project 0",
            # 0 won: nothing to pay and nowhere to pay it; more: won with no year (a problem).
            "total_krw": draw(st.one_of(st.just(0), st.integers(1, 10**13))),
            "years": [first, first + draw(st.integers(0, 3))],
            "shares": shares,
        }
    ]
    amendment = {
        "effective": f"{moved_to + 1}-01-01",
        "reference": "amendment no. 1",
        "projects": {"project-0": {"years": [moved_to, moved_to]}},
    }
    status = draw(st.sampled_from(["proposed", "amended"]))
    return _agreement(cast, index, projects, signed=None, status=status, amendments=[amendment])


def _agreement(
    cast: Cast,
    index: int,
    projects: list[dict[str, Any]],
    *,
    signed: str | None,
    status: str = "proposed",
    amendments: list[dict[str, Any]] | None = None,
) -> Agreement:
    if signed is not None and status == "proposed":
        status = "signed"
    return Agreement.model_validate(
        {
            "id": f"edge-{index}",
            "title": f"Edge agreement {index}",
            "status": status,
            "signed": signed,
            "reference": "tests/test_agreement_batch_edges.py",
            "parties": cast.parties(),
            "projects": projects,
            "amendments": amendments or [],
        }
    ).located(SourcePos("edge.yaml", index + 1))


@st.composite
def mixed_lists(draw: st.DrawFn) -> list[Agreement]:
    found = list(draw(agreement_lists()))
    edges = [
        draw(st.one_of(heavy_agreements(100 + i), unpaid_agreements(100 + i)))
        for i in range(draw(st.integers(1, 3)))
    ]
    for edge in edges:
        found.insert(draw(st.integers(0, len(found))), edge)
    return found


@SETTINGS
@given(mixed_lists(), rate_tables(), st.booleans())
def test_huge_payers_and_agreements_with_no_paid_year_are_scheduled_as_the_reference_does(
    found: list[Agreement], table: dict[tuple[str, int], Fraction], shared: bool
) -> None:
    expected_rates = Rates(table, shared)
    expected = one_at_a_time(found, expected_rates)
    rates = Rates(table, shared)
    batch = schedule_agreements(found, rates.rate_of, rates.discount_rate_of, rates.problems)

    assert [everything(s) for s in batch.schedules] == [everything(s) for s in expected]
    assert rates.problems == expected_rates.problems
    assert rates.order == expected_rates.order


def test_a_payer_above_two_to_the_52_won_keeps_every_won_of_its_total() -> None:
    # Three projects of 2**52 - 1 won, all on the ministry: 3 x (2**52 - 1) won, which
    # float64 cannot hold to the won (it is odd and above 2**53).
    cast = Cast(("molit",), central_key=False, regions=("busan",), private=False)
    projects = [
        {
            "id": f"project-{i}",
            "title": f"Project {i}",
            "total_krw": BIG - 1,
            "years": [2021, 2021],
            "shares": {"molit": Decimal(1), "busan": Decimal(0)},
        }
        for i in range(3)
    ]
    found = [_agreement(cast, 0, projects, signed="2020-01-01")]
    rates = Rates({}, shared=True)
    batch = schedule_agreements(found, rates.rate_of, rates.discount_rate_of, rates.problems)
    schedule = batch.schedules[0]
    assert schedule.total(None) == 3 * (BIG - 1)
    assert schedule.total("central") == 3 * (BIG - 1)
    assert float(3 * (BIG - 1)) != 3 * (BIG - 1)  # why the float sum would not do


@pytest.mark.parametrize("total", [0, 5_000_000])
def test_an_unsigned_agreement_with_no_paid_year_has_nothing_to_discount(total: int) -> None:
    cast = Cast(("molit",), central_key=False, regions=("busan",), private=False)
    projects = [
        {
            "id": "project-0",
            "title": "Project 0",
            "total_krw": total,
            "years": [2024, 2025],
            "shares": {"molit": Decimal(1)},
        }
    ]
    amendment = {
        "effective": "2021-01-01",
        "reference": "no. 1",
        "projects": {"project-0": {"years": [2020, 2020]}},
    }
    found = [_agreement(cast, 0, projects, signed=None, amendments=[amendment])]
    rates = Rates({}, shared=True)
    batch = schedule_agreements(found, rates.rate_of, rates.discount_rate_of, rates.problems)
    schedule = batch.schedules[0]
    assert [p.years for p in schedule.projects] == [[]]
    assert schedule.present_value == {"total": 0, "central": 0, "local": 0, "private": 0}
    assert schedule.total(None) == 0
    # Won promised with no year left to pay them are a problem; nothing promised is not.
    assert len(rates.problems) == (1 if total else 0)
