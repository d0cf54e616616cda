"""Agreement schedules: who pays what, in which year, to the won.

These tests build agreements in Python, as a loader would hand them to the engine, and
check ``schedule_agreement`` against rules stated independently of its code:

- every won of a project's total falls in one of its years, and every won of a year in
  one party's cost share; the central money a year brings equals what the centre pays;
- an amendment governs from the first 1 January on or after it and leaves the years
  before it as the earlier terms scheduled them;
- a termination stops the payments after the last year in force and leaves the rest unpaid;
- indexation, the central cap and the present values follow their formulas, computed
  here with exact fractions (or with numpy-financial itself for the present value).

Whole-won splits use the largest-remainder method: each part is the floor or the ceiling
of its exact quota, and the parts add up to the pool.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy_financial as npf
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from fiscal.engine.agreements import AgreementSchedule, ProjectSchedule, schedule_agreement
from fiscal.rules.agreements import Agreement, Amendment
from fiscal.source.validation import validate_doc
from fiscal.source.yaml_reader import load_yaml

BUNDLED_AGREEMENTS = Path(__file__).resolve().parents[1] / "rules" / "korea" / "agreements"

PROPERTY = settings(max_examples=100, deadline=None)
DENOMINATOR = 10**4  # shares are drawn as whole ten-thousandths, so they sum to 1 exactly
MAX_TOTAL = 10**13
MINISTRIES = ("molit", "mcst")
REGIONS = ("busan", "ulsan", "gyeongnam")
PRIVATE = "southeast-h2-consortium"
INDEX = "agreements.construction_cost_index"

RateOf = Callable[[str, int], Fraction]


def no_indexation(parameter: str, year: int) -> Fraction:
    raise AssertionError(f"an agreement without indexation asked for {parameter} in {year}")


def flat(rate: Fraction) -> RateOf:
    return lambda parameter, year: rate


# --- exact reference arithmetic -------------------------------------------------------------


def quota(pool: int, weight: Fraction, weights: Iterable[Fraction]) -> Fraction:
    return Fraction(pool) * weight / sum(weights, Fraction(0))


def within_a_won(part: int, exact: Fraction) -> bool:
    """A largest-remainder part is the floor or the ceiling of its exact quota."""
    return math.floor(exact) <= part <= math.ceil(exact)


def largest_remainder(pool: int, weights: list[Fraction]) -> list[int]:
    """Floors of the exact quotas, then one won each to the largest remainders, ties first."""
    quotas = [quota(pool, w, weights) for w in weights]
    parts = [math.floor(q) for q in quotas]
    paying = [i for i, w in enumerate(weights) if w > 0]
    order = sorted(paying, key=lambda i: (parts[i] - quotas[i], i))
    for i in order[: pool - sum(parts)]:
        parts[i] += 1
    return parts


def governs_from(effective: date) -> int:
    """The first 1 January on or after the effective date."""
    return effective.year if (effective.month, effective.day) == (1, 1) else effective.year + 1


def last_year_paid(terminated: date) -> int:
    """The year in force on the 1 January before (or on) the termination."""
    return terminated.year if (terminated.month, terminated.day) != (1, 1) else terminated.year - 1


# --- building agreements ----------------------------------------------------------------------


@dataclass(frozen=True)
class Cast:
    """The parties of an agreement and the keys that may carry a cost share."""

    ministries: tuple[str, ...]
    central_key: bool
    regions: tuple[str, ...]
    private: bool

    @property
    def payers(self) -> list[str]:
        central = ["central"] if self.central_key else []
        private = [PRIVATE] if self.private else []
        return [*self.ministries, *central, *self.regions, *private]

    @property
    def central(self) -> set[str]:
        return {*self.ministries, "central"}

    def parties(self) -> list[dict[str, Any]]:
        parties: list[dict[str, Any]] = [{"id": m, "kind": "ministry"} for m in self.ministries]
        parties += [{"id": r, "kind": "region"} for r in self.regions]
        if self.private:
            parties.append({"id": PRIVATE, "kind": "private", "name": "Hydrogen Consortium"})
        return parties


def make_agreement(
    cast: Cast,
    projects: list[dict[str, Any]],
    *,
    signed: date = date(2019, 7, 1),
    terminated: date | None = None,
    amendments: list[dict[str, Any]] | None = None,
) -> Agreement:
    status = "terminated" if terminated else "amended" if amendments else "signed"
    return Agreement.model_validate(
        {
            "id": "test-agreement",
            "title": "An agreement built by a test",
            "status": status,
            "signed": signed,
            "terminated": terminated,
            "reference": "tests/test_agreement_schedules.py",
            "parties": cast.parties(),
            "projects": projects,
            "amendments": amendments or [],
        }
    )


def project(
    shares: dict[str, Decimal],
    *,
    total: int,
    years: tuple[int, int],
    project_id: str = "project-0",
    **terms: Any,
) -> dict[str, Any]:
    return {
        "id": project_id,
        "title": f"Project {project_id}",
        "total_krw": total,
        "years": list(years),
        "shares": shares,
        **terms,
    }


def bundled(agreement_id: str) -> Agreement:
    """One of the bundled agreement files, read as the loader reads it."""
    doc, problems = load_yaml(BUNDLED_AGREEMENTS / f"{agreement_id}.yaml")
    assert problems == [] and doc is not None
    agreement, problems = validate_doc(Agreement, doc)
    assert problems == [] and agreement is not None
    return agreement


def without(spec: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in spec.items() if k not in keys}


# --- reading a schedule -----------------------------------------------------------------------


def cost_shares(result: ProjectSchedule, year: int) -> dict[str, int]:
    return {f.party: f.amount for f in result.flows if f.flow == "cost_share" and f.year == year}


def inflows(result: ProjectSchedule, year: int) -> dict[str, int]:
    return {
        f.party: f.amount for f in result.flows if f.flow == "central_inflow" and f.year == year
    }


def central_paid(result: ProjectSchedule, year: int, cast: Cast) -> int:
    return sum(a for p, a in cost_shares(result, year).items() if p in cast.central)


def run(agreement: Agreement, rate_of: RateOf = no_indexation) -> AgreementSchedule:
    schedule, problems = schedule_agreement(agreement, rate_of, Fraction(0))
    assert problems == []
    return schedule


# --- strategies -------------------------------------------------------------------------------


@st.composite
def partitions(draw: st.DrawFn, whole: int, parts: int) -> list[int]:
    """``parts`` non-negative whole numbers that add up to ``whole``."""
    cuts = sorted(draw(st.lists(st.integers(0, whole), min_size=parts - 1, max_size=parts - 1)))
    return [b - a for a, b in zip([0, *cuts], [*cuts, whole], strict=True)]


@st.composite
def fractions_of_one(draw: st.DrawFn, keys: list[Any]) -> dict[Any, Decimal]:
    """Decimal shares that sum to exactly 1, one per key."""
    parts = draw(partitions(DENOMINATOR, len(keys)))
    return {k: Decimal(p) / DENOMINATOR for k, p in zip(keys, parts, strict=True)}


@st.composite
def casts(draw: st.DrawFn, *, min_regions: int = 1, needs_centre: bool = False) -> Cast:
    ministries = MINISTRIES[: draw(st.integers(1 if needs_centre else 0, len(MINISTRIES)))]
    return Cast(
        ministries=ministries,
        central_key=draw(st.booleans()),
        regions=REGIONS[: draw(st.integers(min_regions, len(REGIONS)))],
        private=draw(st.booleans()),
    )


@st.composite
def schedules(draw: st.DrawFn, total: int, first: int, last: int) -> dict[str, Any]:
    """No schedule (an even spread), shares per year, or amounts per year."""
    years = list(range(first, last + 1))
    kind = draw(st.sampled_from(["even", "shares", "amounts"]))
    if kind == "shares":
        return {"schedule": draw(fractions_of_one(years))}
    if kind == "amounts":
        return {"schedule_krw": dict(zip(years, draw(partitions(total, len(years))), strict=True))}
    return {}


@st.composite
def projects(draw: st.DrawFn, cast: Cast, index: int = 0) -> dict[str, Any]:
    total = draw(st.integers(0, MAX_TOTAL))
    first = draw(st.integers(2020, 2026))
    last = first + draw(st.integers(0, 5))
    return project(
        draw(fractions_of_one(cast.payers)),
        total=total,
        years=(first, last),
        project_id=f"project-{index}",
        **draw(schedules(total, first, last)),
    )


@st.composite
def agreements(draw: st.DrawFn) -> tuple[Cast, list[dict[str, Any]]]:
    cast = draw(casts())
    count = draw(st.integers(1, 3))
    return cast, [draw(projects(cast, i)) for i in range(count)]


# --- every won is scheduled and split ------------------------------------------------------


@PROPERTY
@given(agreements())
def test_the_years_of_a_project_add_up_to_its_total(
    drawn: tuple[Cast, list[dict[str, Any]]],
) -> None:
    cast, specs = drawn
    schedule = run(make_agreement(cast, specs))
    for spec, result in zip(specs, schedule.projects, strict=True):
        first, last = spec["years"]
        assert result.years == list(range(first, last + 1))
        assert sum(result.amounts.values()) == spec["total_krw"] == result.committed_total
        assert result.unpaid == 0
        assert all(amount >= 0 for amount in result.amounts.values())


@PROPERTY
@given(agreements())
def test_each_year_follows_the_schedule_to_the_won(
    drawn: tuple[Cast, list[dict[str, Any]]],
) -> None:
    cast, specs = drawn
    schedule = run(make_agreement(cast, specs))
    for spec, result in zip(specs, schedule.projects, strict=True):
        total = spec["total_krw"]
        if "schedule_krw" in spec:
            assert result.amounts == spec["schedule_krw"]
            continue
        first, last = spec["years"]
        weights = {
            y: Fraction(spec["schedule"][y]) if "schedule" in spec else Fraction(1)
            for y in range(first, last + 1)
        }
        for year, amount in result.amounts.items():
            assert within_a_won(amount, quota(total, weights[year], weights.values()))


@PROPERTY
@given(agreements())
def test_the_parties_cost_shares_add_up_to_each_years_amount(
    drawn: tuple[Cast, list[dict[str, Any]]],
) -> None:
    cast, specs = drawn
    schedule = run(make_agreement(cast, specs))
    assert all(flow.amount >= 0 for flow in schedule.flows)
    for spec, result in zip(specs, schedule.projects, strict=True):
        for year, amount in result.amounts.items():
            paid = cost_shares(result, year)
            assert set(paid) == set(spec["shares"])
            assert sum(paid.values()) == amount
            for party, share in spec["shares"].items():
                assert within_a_won(paid[party], amount * Fraction(share))


@PROPERTY
@given(agreements())
def test_the_central_money_a_year_brings_the_regions_is_what_the_centre_pays(
    drawn: tuple[Cast, list[dict[str, Any]]],
) -> None:
    cast, specs = drawn
    schedule = run(make_agreement(cast, specs))
    for result in schedule.projects:
        for year in result.amounts:
            received = inflows(result, year)
            assert set(received) == set(cast.regions)
            assert sum(received.values()) == central_paid(result, year, cast)


def test_totals_by_kind_of_party_add_up_to_the_cost_shares() -> None:
    cast = Cast(("molit",), central_key=True, regions=("busan",), private=True)
    shares = {
        "molit": Decimal("0.35"),
        "central": Decimal("0.25"),
        "busan": Decimal("0.3"),
        PRIVATE: Decimal("0.1"),
    }
    total = 1_000_000_000
    schedule = run(make_agreement(cast, [project(shares, total=total, years=(2025, 2028))]))
    assert schedule.total() == total
    assert schedule.total("central") == total * Fraction(shares["molit"] + shares["central"])
    assert schedule.total("local") == total * Fraction(shares["busan"])
    assert schedule.total("private") == total * Fraction(shares[PRIVATE])


def test_a_tie_in_the_party_split_goes_to_the_party_listed_first() -> None:
    # 808196 won at 35.28% / 10.28% / 54.44%: the quotas 285131.5488 and 83082.5488 tie.
    cast = Cast(("molit", "mcst"), central_key=False, regions=("busan",), private=False)
    shares = {"molit": Decimal("0.3528"), "mcst": Decimal("0.1028"), "busan": Decimal("0.5444")}
    amount = 808_196
    schedule = run(make_agreement(cast, [project(shares, total=amount, years=(2025, 2025))]))
    expected = largest_remainder(amount, [Fraction(s) for s in shares.values()])
    assert cost_shares(schedule.projects[0], 2025) == dict(zip(shares, expected, strict=True))


# --- amendments ---------------------------------------------------------------------------


@PROPERTY
@given(st.data())
def test_an_amendment_keeps_the_years_before_it_and_spreads_the_rest_of_its_total(
    data: st.DataObject,
) -> None:
    cast = data.draw(casts())
    original = data.draw(projects(cast))
    first, last = original["years"]
    signed = date(first - 1, 1, 1)
    effective = signed + timedelta(days=data.draw(st.integers(0, (last - first + 2) * 366)))
    governs = governs_from(effective)
    before = run(make_agreement(cast, [original], signed=signed)).projects[0]
    kept = {y: a for y, a in before.amounts.items() if y < governs}

    new_last = max(last, governs) + data.draw(st.integers(0, 2))
    remaining_years = list(range(max(first, governs), new_last + 1))
    change: dict[str, Any] = {
        "total_krw": sum(kept.values()) + data.draw(st.integers(0, MAX_TOTAL)),
        "years": [first, new_last],
    }
    if data.draw(st.booleans()):
        change["shares"] = data.draw(fractions_of_one(cast.payers))
    # An even spread may carry on unchanged; a schedule by year must be written anew for
    # the added years, or the amendment sets an explicit null to spread evenly.
    written = "schedule" in original or "schedule_krw" in original
    how = data.draw(st.sampled_from(["even", "shares"] + ([] if written else ["unchanged"])))
    if how == "shares":
        change["schedule"] = data.draw(fractions_of_one(remaining_years))
    elif how == "even":
        change["schedule"] = None
    amendment = {"effective": effective, "reference": "no. 1", "projects": {"project-0": change}}

    agreement = make_agreement(cast, [original], signed=signed, amendments=[amendment])
    assert agreement.amendments[0].first_year == governs
    after = run(agreement).projects[0]

    assert after.years == sorted(kept) + remaining_years
    assert sum(after.amounts.values()) == change["total_krw"] == after.committed_total
    shares_after = change.get("shares", original["shares"])
    for year, amount in after.amounts.items():
        paid = cost_shares(after, year)
        if year < governs:
            assert amount == before.amounts[year]
            assert paid == cost_shares(before, year)
        else:
            assert set(paid) == set(shares_after)
            assert sum(paid.values()) == amount
    if how == "shares":
        weights = {y: Fraction(change["schedule"][y]) for y in remaining_years}
        to_spread = change["total_krw"] - sum(kept.values())
        for year in remaining_years:
            assert within_a_won(
                after.amounts[year], quota(to_spread, weights[year], weights.values())
            )


def test_an_amendment_effective_mid_year_governs_from_the_next_first_of_january() -> None:
    cast = Cast(("molit",), central_key=False, regions=("busan",), private=False)
    shares = {"molit": Decimal("0.5"), "busan": Decimal("0.5")}
    original = project(shares, total=4_000_000, years=(2020, 2023))
    amendment = {
        "effective": date(2021, 7, 1),
        "reference": "amendment no. 1",
        "projects": {"project-0": {"total_krw": 6_000_000}},
    }
    result = run(make_agreement(cast, [original], amendments=[amendment])).projects[0]

    per_year = Fraction(4_000_000, 4)  # the original even spread, kept for 2020 and 2021
    rest = (6_000_000 - 2 * per_year) / 2
    assert result.amounts == {2020: per_year, 2021: per_year, 2022: rest, 2023: rest}


@pytest.mark.parametrize(
    ("effective", "first_year"),
    [
        (date(2021, 1, 1), 2021),
        (date(2021, 1, 2), 2022),
        (date(2021, 7, 1), 2022),
        (date(2021, 12, 31), 2022),
    ],
)
def test_an_amendment_governs_from_the_first_of_january_on_or_after_it(
    effective: date, first_year: int
) -> None:
    amendment = Amendment.model_validate(
        {"effective": effective, "reference": "no. 1", "projects": {"p": {"total_krw": 1}}}
    )
    assert amendment.first_year == first_year


def test_of_two_amendments_in_one_year_the_later_governs_from_the_next_year() -> None:
    cast = Cast(("molit",), central_key=False, regions=("busan",), private=False)
    shares = {"molit": Decimal("0.5"), "busan": Decimal("0.5")}
    original = project(shares, total=3_000_000, years=(2020, 2022))
    amendments = [
        {"effective": d, "reference": f"no. {i}", "projects": {"project-0": {"total_krw": t}}}
        for i, (d, t) in enumerate([(date(2020, 3, 1), 9_000_000), (date(2020, 9, 1), 5_000_000)])
    ]
    result = run(make_agreement(cast, [original], amendments=amendments)).projects[0]

    first = Fraction(3_000_000, 3)
    rest = (5_000_000 - first) / 2
    assert result.amounts == {2020: first, 2021: rest, 2022: rest}


def test_an_amended_total_below_what_was_already_scheduled_is_a_problem() -> None:
    cast = Cast(("molit",), central_key=False, regions=("busan",), private=False)
    shares = {"molit": Decimal("0.5"), "busan": Decimal("0.5")}
    original = project(shares, total=3_000_000, years=(2020, 2022))
    amendment = {
        "effective": date(2022, 1, 1),
        "reference": "no. 1",
        "projects": {"project-0": {"total_krw": 1_000_000}},
    }
    _, problems = schedule_agreement(
        make_agreement(cast, [original], amendments=[amendment]), no_indexation, Fraction(0)
    )
    assert len(problems) == 1
    assert "1,000,000 won is below the 2,000,000 won already scheduled" in problems[0].message


def test_the_bundled_amended_pilot_keeps_2020_and_spreads_the_rest_by_the_new_schedule() -> None:
    agreement = bundled("2019-gangwon-eco-tourism")
    result = run(agreement).projects[0]

    original, amended = agreement.projects[0], agreement.amendments[0].projects["trail-network"]
    assert original.schedule is not None and amended.schedule is not None
    assert amended.total_krw is not None
    kept = original.total_krw * Fraction(original.schedule[2020])
    later = [2021, 2022, 2023]
    parts = largest_remainder(
        amended.total_krw - int(kept), [Fraction(amended.schedule[y]) for y in later]
    )
    assert result.amounts == {2020: kept, **dict(zip(later, parts, strict=True))}


# --- termination ------------------------------------------------------------------------------


@PROPERTY
@given(st.data())
def test_a_terminated_agreement_pays_nothing_after_its_last_year_in_force(
    data: st.DataObject,
) -> None:
    cast = data.draw(casts())
    specs = [data.draw(projects(cast, i)) for i in range(data.draw(st.integers(1, 2)))]
    start = min(s["years"][0] for s in specs)
    end = max(s["years"][1] for s in specs)
    signed = date(start - 1, 1, 1)
    ended = signed + timedelta(days=data.draw(st.integers(0, (end - start + 2) * 366)))
    last_paid = last_year_paid(ended)

    live = run(make_agreement(cast, specs, signed=signed))
    stopped = run(make_agreement(cast, specs, signed=signed, terminated=ended))

    assert all(flow.year <= last_paid for flow in stopped.flows)
    for spec, full, cut in zip(specs, live.projects, stopped.projects, strict=True):
        assert cut.amounts == {y: a for y, a in full.amounts.items() if y <= last_paid}
        assert cut.flows == [f for f in full.flows if f.year <= last_paid]
        assert cut.committed_total == spec["total_krw"]
        assert cut.unpaid == spec["total_krw"] - sum(cut.amounts.values())


@pytest.mark.parametrize(
    ("terminated", "last_paid"),
    [(date(2022, 6, 30), 2022), (date(2023, 1, 1), 2022), (date(2022, 12, 31), 2022)],
)
def test_the_last_year_paid_is_the_year_in_force_on_the_termination(
    terminated: date, last_paid: int
) -> None:
    cast = Cast(("molit",), central_key=False, regions=("busan",), private=False)
    shares = {"molit": Decimal("0.5"), "busan": Decimal("0.5")}
    total = 5_000_000
    agreement = make_agreement(
        cast, [project(shares, total=total, years=(2020, 2024))], terminated=terminated
    )
    assert agreement.last_paid_year == last_paid
    result = run(agreement).projects[0]
    assert max(result.years) == last_paid
    paid_years = last_paid - 2020 + 1
    assert result.unpaid == total - paid_years * Fraction(total, 5)


def test_the_bundled_terminated_pilot_leaves_two_fifths_unpaid() -> None:
    agreement = bundled("2019-gyeongbuk-smart-farm")
    assert agreement.terminated == date(2022, 6, 30)
    result = run(agreement).projects[0]
    total = agreement.projects[0].total_krw
    assert result.years == [2020, 2021, 2022]
    assert result.unpaid == total * Fraction(2, 5)


# --- central money among several regions ----------------------------------------------------


@PROPERTY
@given(st.data())
def test_central_money_reaches_the_regions_by_central_to_regions(data: st.DataObject) -> None:
    cast = data.draw(casts(min_regions=2, needs_centre=True))
    spec = data.draw(projects(cast))
    spec["central_to_regions"] = split = data.draw(fractions_of_one(list(cast.regions)))
    result = run(make_agreement(cast, [spec])).projects[0]
    weights = {r: Fraction(s) for r, s in split.items()}
    for year in result.amounts:
        centre = central_paid(result, year, cast)
        received = inflows(result, year)
        assert sum(received.values()) == centre
        for region, weight in weights.items():
            assert within_a_won(received[region], quota(centre, weight, weights.values()))


@PROPERTY
@given(st.data())
def test_without_central_to_regions_central_money_follows_the_regions_own_cost_shares(
    data: st.DataObject,
) -> None:
    cast = data.draw(casts(min_regions=2, needs_centre=True))
    spec = data.draw(projects(cast))
    weights = {r: Fraction(spec["shares"][r]) for r in cast.regions}
    assume(any(weights.values()))
    result = run(make_agreement(cast, [spec])).projects[0]
    for year in result.amounts:
        centre = central_paid(result, year, cast)
        received = inflows(result, year)
        assert sum(received.values()) == centre
        for region, weight in weights.items():
            assert within_a_won(received[region], quota(centre, weight, weights.values()))


def test_the_bundled_mega_region_splits_central_money_40_25_35() -> None:
    agreement = bundled("2025-southeast-hydrogen-corridor")
    result = run(agreement, flat(Fraction(3, 100))).projects[0]
    terms = agreement.projects[0]
    assert terms.central_to_regions is not None
    regions = list(terms.central_to_regions)
    cast = Cast(("molit", "motie"), central_key=False, regions=tuple(regions), private=True)
    for year in result.amounts:
        centre = central_paid(result, year, cast)
        expected = largest_remainder(
            centre, [Fraction(terms.central_to_regions[r]) for r in regions]
        )
        assert inflows(result, year) == dict(zip(regions, expected, strict=True))


# --- indexation -------------------------------------------------------------------------------


@PROPERTY
@given(st.data())
def test_an_indexed_year_is_its_real_amount_grown_by_each_years_rate(data: st.DataObject) -> None:
    cast = data.draw(casts())
    spec = data.draw(projects(cast))
    first, last = spec["years"]
    base = data.draw(st.integers(first - 3, last + 1))
    rates = {
        year: Fraction(data.draw(st.integers(-50, 150)), 1000) for year in range(base, last + 1)
    }
    asked: set[str] = set()

    def rate_of(parameter: str, year: int) -> Fraction:
        asked.add(parameter)
        return rates[year]

    spec["indexation"] = {"parameter": INDEX, "base_year": base}
    real = run(make_agreement(cast, [without(spec, "indexation")])).projects[0].amounts
    result = run(make_agreement(cast, [spec]), rate_of).projects[0]

    assert asked <= {INDEX}
    for year, amount in result.amounts.items():
        growth = math.prod((1 + rates[t] for t in range(base + 1, year + 1)), start=Fraction(1))
        assert amount == round(real[year] * growth)
        assert sum(cost_shares(result, year).values()) == amount


def test_the_bundled_hydrogen_corridor_grows_three_percent_a_year_from_2025() -> None:
    agreement = bundled("2025-southeast-hydrogen-corridor")
    result = run(agreement, flat(Fraction(3, 100))).projects[0]
    terms = agreement.projects[0]
    assert terms.schedule is not None
    for year, share in terms.schedule.items():
        real = terms.total_krw * Fraction(share)
        assert result.amounts[year] == round(real * Fraction(103, 100) ** (year - 2025))


# --- the cap on the central commitment -----------------------------------------------------


@PROPERTY
@given(st.data())
def test_the_centre_never_pays_more_than_its_cap_and_the_regions_bear_the_excess(
    data: st.DataObject,
) -> None:
    cast = data.draw(casts(needs_centre=True))
    spec = data.draw(projects(cast))
    region_shares = {r: Fraction(spec["shares"][r]) for r in cast.regions}
    assume(any(region_shares.values()))
    spec["central_cap_krw"] = cap = data.draw(st.integers(0, spec["total_krw"]))
    free = run(make_agreement(cast, [without(spec, "central_cap_krw")])).projects[0]
    capped = run(make_agreement(cast, [spec])).projects[0]

    centre_free = sum(central_paid(free, y, cast) for y in free.amounts)
    centre_capped = sum(central_paid(capped, y, cast) for y in capped.amounts)
    assert centre_capped == min(cap, centre_free)
    assert capped.amounts == free.amounts
    for year, amount in capped.amounts.items():
        paid, before = cost_shares(capped, year), cost_shares(free, year)
        assert sum(paid.values()) == amount
        assert all(a >= 0 for a in paid.values())
        if cast.private:
            assert paid[PRIVATE] == before[PRIVATE]
        moved = central_paid(free, year, cast) - central_paid(capped, year, cast)
        assert moved >= 0
        for region, weight in region_shares.items():
            extra = paid[region] - before[region]
            assert within_a_won(extra, quota(moved, weight, region_shares.values()))
        assert sum(inflows(capped, year).values()) == central_paid(capped, year, cast)


def test_the_bundled_hydrogen_corridor_centre_stops_at_its_cap() -> None:
    agreement = bundled("2025-southeast-hydrogen-corridor")
    schedule = run(agreement, flat(Fraction(3, 100)))
    terms = agreement.projects[0]
    uncapped = sum(schedule.projects[0].amounts.values()) * Fraction(
        terms.shares["molit"] + terms.shares["motie"]
    )
    assert terms.central_cap_krw is not None and uncapped > terms.central_cap_krw
    assert schedule.total("central") == terms.central_cap_krw


# --- present values -----------------------------------------------------------------------


KINDS: dict[str, Callable[[str], bool]] = {
    "total": lambda kind: True,
    "central": lambda kind: kind in ("ministry", "central"),
    "local": lambda kind: kind == "region",
    "private": lambda kind: kind == "private",
}


@PROPERTY
@given(agreements(), st.integers(0, 150), st.integers(-2, 3))
def test_present_values_discount_the_yearly_cost_shares_to_the_base_year(
    drawn: tuple[Cast, list[dict[str, Any]]], per_mille: int, signed_before_start: int
) -> None:
    cast, specs = drawn
    rate = Fraction(per_mille, 1000)
    start = min(s["years"][0] for s in specs)
    signed = date(start - signed_before_start, 5, 1)
    base = min(signed.year, start)  # the signing year, or the first paid year if earlier
    schedule, problems = schedule_agreement(
        make_agreement(cast, specs, signed=signed), no_indexation, rate
    )
    assert problems == []
    assert schedule.base_year == base
    span = range(base, max(s["years"][1] for s in specs) + 1)
    for kind, counts in KINDS.items():
        by_year: dict[int, int] = defaultdict(int)
        for flow in schedule.flows:
            if flow.flow == "cost_share" and counts(flow.party_kind):
                by_year[flow.year] += flow.amount
        yearly = [by_year[y] for y in span]
        assert schedule.present_value[kind] == round(npf.npv(float(rate), yearly))
        exact = sum((Fraction(v) / (1 + rate) ** t for t, v in enumerate(yearly)), Fraction(0))
        assert abs(schedule.present_value[kind] - exact) < 1


@PROPERTY
@given(agreements())
def test_at_a_zero_discount_rate_the_present_value_is_the_sum_of_the_years(
    drawn: tuple[Cast, list[dict[str, Any]]],
) -> None:
    cast, specs = drawn
    schedule = run(make_agreement(cast, specs))
    assert schedule.present_value["total"] == sum(
        sum(result.amounts.values()) for result in schedule.projects
    )
    parts = [schedule.present_value[k] for k in ("central", "local", "private")]
    assert sum(parts) == schedule.present_value["total"]
