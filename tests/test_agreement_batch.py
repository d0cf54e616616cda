"""Thousands of agreements scheduled at once give exactly what one at a time gives.

``fiscal.engine.agreement_batch`` runs the rules of the reference scheduler
(``schedule_agreement``, checked against the rules themselves in
test_agreement_schedules) on arrays. These tests draw lists of agreements with every
feature at once (amendments, caps, indexation, termination, central money split by
``central_to_regions``, proposals, totals too large for the arrays) and check, to the
won: every flow, year and amount, the totals and present values, the problems in their
order, and which rates each agreement asked for. Then the pieces: the row-by-row split
against ``split_exact``, the present values against numpy-financial to the bit, and the
agreement items of a projection against the flows behind each cell.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import numpy_financial as npf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fiscal.engine import agreement_items
from fiscal.engine.agreement_batch import schedule_agreements
from fiscal.engine.agreements import (
    AgreementSchedule,
    _exact,
    present_values,
    schedule_agreement,
)
from fiscal.engine.money import integer_weights, split_exact, split_rows
from fiscal.engine.projection import Projection, project
from fiscal.errors import Problem, SourcePos
from fiscal.report.sweep import with_value
from fiscal.rules.agreements import Agreement
from fiscal.rules.input_files import load_inputs
from fiscal.rules.loader import load_ruleset
from tests.conftest import BUNDLED_INPUTS, BUNDLED_RULES
from tests.test_agreement_schedules import (
    MAX_TOTAL,
    Cast,
    casts,
    fractions_of_one,
    projects,
)
from tests.test_projection import YEARS

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
INDICES = ("index.construction", "index.wages", "index.missing")
# Rarely an index with no value in force (a problem), mostly one that has a value.
index_names = st.sampled_from([*INDICES[:2] * 3, INDICES[2]])

# --- drawing agreements -----------------------------------------------------------------------


@st.composite
def project_terms(draw: st.DrawFn, cast: Cast, index: int) -> dict[str, Any]:
    """A project of the reference tests, with a cap, indexation and a central split drawn."""
    spec: dict[str, Any] = draw(projects(cast, index))
    if draw(st.integers(0, 30)) == 17:  # beyond what the batch's arrays hold
        spec["total_krw"] = draw(st.integers(2**52, 2**62))
        spec.pop("schedule_krw", None)
    first, last = spec["years"]
    if draw(st.booleans()):
        spec["central_cap_krw"] = draw(st.integers(0, spec["total_krw"]))
    if draw(st.booleans()):
        base = draw(st.integers(first - 3, last + 1))
        spec["indexation"] = {"parameter": draw(index_names), "base_year": base}
    if len(cast.regions) > 1 and draw(st.booleans()):
        spec["central_to_regions"] = draw(fractions_of_one(list(cast.regions)))
    return spec


@st.composite
def changes(draw: st.DrawFn, cast: Cast, spec: dict[str, Any]) -> dict[str, Any]:
    """What an amendment may change in a project: any of its terms."""
    first, last = spec["years"]
    change: dict[str, Any] = {}
    if draw(st.booleans()):
        # Mostly more than before; sometimes less than the years already past were given.
        more = draw(st.integers(0, MAX_TOTAL))
        change["total_krw"] = draw(st.sampled_from([spec["total_krw"] + more] * 5 + [more]))
    if draw(st.booleans()):
        moved = first + draw(st.integers(-1, 1))
        change["years"] = [moved, max(moved, last + draw(st.integers(0, 3)))]
    if draw(st.booleans()):
        change["shares"] = draw(fractions_of_one(cast.payers))
    span = change.get("years", [first, last])
    how = draw(st.sampled_from(["keep", "even", "shares", "amounts"]))
    if how == "even":
        change["schedule"] = None
    elif how == "shares":
        change["schedule"] = draw(fractions_of_one(list(range(span[0], span[1] + 1))))
    elif how == "amounts":
        years = list(range(span[0], span[1] + 1))
        change["schedule_krw"] = {y: draw(st.integers(0, 10**12)) for y in years}
    if draw(st.booleans()):
        change["central_cap_krw"] = draw(st.one_of(st.none(), st.integers(0, MAX_TOTAL)))
    if draw(st.booleans()):
        change["indexation"] = draw(
            st.one_of(
                st.none(),
                st.fixed_dictionaries(
                    {
                        "parameter": index_names,
                        "base_year": st.integers(first - 2, last + 2),
                    }
                ),
            )
        )
    if len(cast.regions) > 1 and draw(st.booleans()):
        change["central_to_regions"] = draw(fractions_of_one(list(cast.regions)))
    return change or {"total_krw": spec["total_krw"]}


@st.composite
def agreements(draw: st.DrawFn, index: int) -> Agreement:
    """An agreement with any of: several projects, amendments, a termination, no signing."""
    cast = draw(casts())
    specs = [draw(project_terms(cast, i)) for i in range(draw(st.integers(1, 3)))]
    start = min(s["years"][0] for s in specs)
    end = max(s["years"][1] for s in specs)
    signed = date(start - 1, 1, 1) + timedelta(days=draw(st.integers(0, 3 * 366)))
    amendments = []
    effective = signed
    for n in range(draw(st.integers(0, 2))):
        effective += timedelta(days=draw(st.integers(1, (end - start + 2) * 366)))
        chosen = draw(st.lists(st.sampled_from(range(len(specs))), min_size=1, unique=True))
        amendments.append(
            {
                "effective": effective,
                "reference": f"amendment no. {n + 1}",
                "projects": {f"project-{i}": draw(changes(cast, specs[i])) for i in chosen},
            }
        )
    terminated = None
    if draw(st.integers(0, 3)) == 0:
        terminated = signed + timedelta(days=draw(st.integers(0, (end - start + 3) * 366)))
    status = draw(st.sampled_from(["signed", "proposed"]))
    if amendments:
        status = "amended"
    if terminated is not None:
        status = "terminated"
    return Agreement.model_validate(
        {
            "id": f"agreement-{index}",
            "title": f"Agreement {index}",
            "status": status,
            "signed": None if status == "proposed" and draw(st.booleans()) else signed,
            "terminated": terminated,
            "reference": "tests/test_agreement_batch.py",
            "parties": cast.parties(),
            "projects": specs,
            "amendments": amendments,
        }
    ).located(SourcePos("agreement.yaml", index + 1))


@st.composite
def agreement_lists(draw: st.DrawFn) -> list[Agreement]:
    return [draw(agreements(i)) for i in range(draw(st.integers(1, 6)))]


@st.composite
def rate_tables(draw: st.DrawFn) -> dict[tuple[str, int], Fraction]:
    """A yearly rate for each index (one of them missing before 2023), and discount rates."""
    return {
        (name, year): Fraction(draw(st.integers(-50, 150)), 1000)
        for name in (*INDICES, "discount")
        for year in range(2010, 2040)
    }


# --- running both schedulers ------------------------------------------------------------------


@dataclass
class Rates:
    """What the context does for the schedulers: gives rates, records who asked for which,
    and reports a rate with no value in force as a problem (``index.missing`` before
    2023). ``shared`` hands out the same object for the same value, as the context's
    cache does; otherwise each answer is a new object."""

    table: dict[tuple[str, int], Fraction]
    shared: bool
    problems: list[Problem] = field(default_factory=list)
    asked: dict[str, set[tuple[str, int]]] = field(default_factory=lambda: defaultdict(set))
    order: list[str] = field(default_factory=list)

    def rate_of(self, agreement: Agreement, parameter: str, year: int) -> Fraction:
        self._ask(agreement, parameter, year)
        if parameter == "index.missing" and year < 2023:
            self.problems.append(Problem(agreement.source, f"no {parameter} in {year}"))
            return Fraction(0)
        value = self.table.get((parameter, year), Fraction(1, 100))
        return value if self.shared else Fraction(value.numerator, value.denominator)

    def discount_rate_of(self, agreement: Agreement) -> Fraction:
        year = agreement.signed.year if agreement.signed else agreement.projects[0].years[0]
        return self.rate_of(agreement, "discount", year)

    def _ask(self, agreement: Agreement, parameter: str, year: int) -> None:
        if agreement.id not in self.asked:
            self.order.append(agreement.id)
        self.asked[agreement.id].add((parameter, year))


def one_at_a_time(found: list[Agreement], rates: Rates) -> list[AgreementSchedule]:
    """As the projection scheduled agreements before the batch: the reference, in turn."""
    out = []
    for agreement in found:
        rate = rates.discount_rate_of(agreement)
        schedule, problems = schedule_agreement(
            agreement, lambda path, year, a=agreement: rates.rate_of(a, path, year), rate
        )
        rates.problems += problems
        out.append(schedule)
    return out


def everything(schedule: AgreementSchedule) -> dict[str, Any]:
    return {
        "agreement": schedule.agreement.id,
        "discount_rate": schedule.discount_rate,
        "base_year": schedule.base_year,
        "present_value": schedule.present_value,
        "totals": {k: schedule.total(None if k == "total" else k) for k in schedule.totals},
        "projects": [
            (
                p.agreement,
                p.project,
                p.title,
                p.committed_total,
                p.unpaid,
                p.years,
                p.amounts,
                p.flows,
            )
            for p in schedule.projects
        ],
    }


@SETTINGS
@given(agreement_lists(), rate_tables(), st.booleans())
def test_the_batch_gives_every_flow_total_and_present_value_the_reference_gives(
    found: list[Agreement], table: dict[tuple[str, int], Fraction], shared: bool
) -> None:
    expected_rates = Rates(table, shared)
    expected = one_at_a_time(found, expected_rates)
    rates = Rates(table, shared)
    batch = schedule_agreements(found, rates.rate_of, rates.discount_rate_of, rates.problems)

    assert [everything(s) for s in batch.schedules] == [everything(s) for s in expected]
    assert rates.problems == expected_rates.problems
    assert rates.order == expected_rates.order
    assert rates.asked == expected_rates.asked


@SETTINGS
@given(agreement_lists(), rate_tables())
def test_the_batch_table_holds_every_flow_in_schedule_order(
    found: list[Agreement], table: dict[tuple[str, int], Fraction]
) -> None:
    rates = Rates(table, shared=True)
    batch = schedule_agreements(found, rates.rate_of, rates.discount_rate_of, rates.problems)
    listed = [f for s in batch.schedules for f in s.flows]
    assert batch.table.flows(np.arange(len(batch.table.amount))) == listed
    years = [y for s in batch.schedules for p in s.projects for y in p.years]
    assert batch.table.paid_year.tolist() == years
    assert batch.binding.tolist() == [a.binding for a in found]


def test_an_amended_total_below_what_was_scheduled_is_reported_as_the_reference_does() -> None:
    cast = Cast(("molit",), central_key=False, regions=("busan",), private=False)
    shares = {"molit": Decimal("0.5"), "busan": Decimal("0.5")}
    spec = {"id": "p", "title": "P", "total_krw": 3_000_000, "years": [2020, 2022]}
    base = {
        "title": "A",
        "reference": "test",
        "parties": cast.parties(),
        "projects": [{**spec, "shares": shares}],
    }
    found = [
        Agreement.model_validate(
            {**base, "id": "fine", "status": "signed", "signed": "2019-01-01"}
        ),
        Agreement.model_validate(
            {
                **base,
                "id": "short",
                "status": "amended",
                "signed": "2019-01-01",
                "amendments": [
                    {
                        "effective": "2022-01-01",
                        "reference": "no. 1",
                        "projects": {"p": {"total_krw": 1_000_000}},
                    }
                ],
            }
        ),
    ]
    rates = Rates({}, shared=True)
    schedule_agreements(found, rates.rate_of, rates.discount_rate_of, rates.problems)
    expected = Rates({}, shared=True)
    one_at_a_time(found, expected)
    assert len(rates.problems) == 1
    assert rates.problems == expected.problems
    assert "is below the 2,000,000 won already scheduled" in rates.problems[0].message


def test_shares_the_checker_refuses_are_scheduled_as_the_reference_schedules_them() -> None:
    cast = Cast(("molit",), central_key=False, regions=("busan", "ulsan"), private=False)
    odd = {"molit": Decimal("1.3"), "busan": Decimal("-0.2"), "ulsan": Decimal("-0.1")}
    found = [
        Agreement.model_validate(
            {
                "id": "odd",
                "title": "Negative shares",
                "status": "signed",
                "signed": "2019-01-01",
                "reference": "test",
                "parties": cast.parties(),
                "projects": [
                    {
                        "id": "p",
                        "title": "P",
                        "total_krw": 1_000_003,
                        "years": [2020, 2022],
                        "shares": odd,
                        "schedule": {2020: Decimal("1.5"), 2021: Decimal("-0.5")},
                        "central_cap_krw": 900_000,
                    }
                ],
            }
        )
    ]
    rates = Rates({}, shared=True)
    batch = schedule_agreements(found, rates.rate_of, rates.discount_rate_of, rates.problems)
    expected = Rates({}, shared=True)
    assert [everything(s) for s in batch.schedules] == [
        everything(s) for s in one_at_a_time(found, expected)
    ]
    assert rates.problems == expected.problems


# --- the pieces -------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 12).flatmap(
        lambda k: st.lists(
            st.tuples(
                st.one_of(st.integers(-(10**15), 10**15), st.integers(-(2**62), 2**62)),
                st.lists(
                    st.one_of(st.integers(0, 10**4), st.integers(0, 2**40)), min_size=k, max_size=k
                ),
            ),
            min_size=1,
            max_size=30,
        )
    )
)
def test_each_row_is_split_as_split_exact_splits_it(rows: list[tuple[int, list[int]]]) -> None:
    pools = np.asarray([pool for pool, _ in rows], dtype=np.int64)
    weights = np.asarray([w for _, w in rows], dtype=np.int64)
    parts = split_rows(pools, weights)
    for (pool, w), got in zip(rows, parts.tolist(), strict=True):
        assert got == split_exact(pool, w)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 10**15),
    st.lists(st.decimals(min_value=0, max_value=1, places=6), min_size=1, max_size=8),
)
def test_shares_become_whole_numbers_that_split_an_amount_as_the_shares_do(
    amount: int, shares: list[Decimal]
) -> None:
    weights = _exact(tuple(shares))
    assert all(isinstance(w, int) for w in weights)
    assert split_exact(amount, list(weights)) == split_exact(amount, integer_weights(shares))


@settings(max_examples=200, deadline=None)
@given(
    st.integers(-900, 2000),
    st.lists(
        st.lists(st.integers(0, 10**13), min_size=1, max_size=60).map(tuple),
        min_size=1,
        max_size=8,
    ).filter(lambda rows: len({len(r) for r in rows}) == 1),
)
def test_present_values_are_numpy_financials_to_the_bit(
    per_ten_thousand: int, series: list[tuple[int, ...]]
) -> None:
    rate = per_ten_thousand / 10_000
    values = np.asarray(series, dtype=np.float64)
    got = present_values(rate, values)
    for row, value in zip(values, got.tolist(), strict=True):
        assert value == npf.npv(rate, row)


# --- in the projection ------------------------------------------------------------------------


RULES = load_ruleset(BUNDLED_RULES)
INPUTS = load_inputs(BUNDLED_INPUTS)


def summed_one_at_a_time(projection: Projection, item: str, wanted: str) -> dict[Any, Any]:
    """The agreement item as the projection summed it before: flow by flow."""
    row = {r.id: i for i, r in enumerate(projection.regions)}
    column = {year: j for j, year in enumerate(projection.years)}
    cells: dict[tuple[int, int], list[Any]] = {}
    for schedule in projection.agreements:
        if not schedule.agreement.binding:
            continue
        for flow in schedule.flows:
            if flow.flow == wanted and flow.party_kind == "region" and flow.year in column:
                cells.setdefault((row[flow.party], column[flow.year]), []).append(flow)
    return cells


def test_each_agreement_cell_is_the_sum_of_the_flows_listed_behind_it() -> None:
    agreement_items.SHARED_SCHEDULES.clear()
    projection = project(RULES, INPUTS, YEARS)
    checked = 0
    for item in RULES.items:
        if item.from_agreements is None:
            continue
        wanted = "central_inflow" if item.from_agreements == "central_inflow" else "cost_share"
        expected = summed_one_at_a_time(projection, item.id, wanted)
        assert projection.agreement_flows.cells(item.id) == expected
        values = projection.amounts[item.id]
        for r in range(len(projection.regions)):
            for y in range(len(projection.years)):
                flows = projection.agreement_flows.flows_at(item.id, r, y)
                assert flows == expected.get((r, y), [])
                assert values[r, y] == sum(f.amount for f in flows)
                checked += bool(flows)
    assert checked > 0
    assert projection.agreement_flows.flows_at("no-such-item", 0, 0) == []


def uses(projection: Projection) -> list[Any]:
    """Which parameter values were used, in which years, by which rules, in order."""
    return [
        (u.ref, u.value.effective, sorted(u.years), list(u.rules))
        for u in projection.parameter_uses
    ]


def test_a_second_projection_reuses_the_schedules_and_gives_the_same_figures() -> None:
    agreement_items.SHARED_SCHEDULES.clear()
    first = project(RULES, INPUTS, YEARS)
    again = project(RULES, INPUTS, YEARS)
    other_years = project(RULES, INPUTS, YEARS[:3])
    assert again.agreements is first.agreements
    for item in first.amounts:
        assert np.array_equal(first.amounts[item], again.amounts[item])
        assert np.array_equal(first.amounts[item][:, :3], other_years.amounts[item])
    assert uses(again) == uses(first)
    agreement_items.SHARED_SCHEDULES.clear()
    assert uses(project(RULES, INPUTS, YEARS)) == uses(first)


def test_schedules_are_made_again_only_when_a_rate_they_use_changes() -> None:
    agreement_items.SHARED_SCHEDULES.clear()
    first = project(RULES, INPUTS, YEARS)
    start = date(YEARS[0], 1, 1)

    def figures(projection: Projection) -> list[Any]:
        return [(s.present_value, [p.amounts for p in s.projects]) for s in projection.agreements]

    for path, value in [
        ("agreements.discount_rate", Decimal("0.071")),
        ("agreements.construction_cost_index", Decimal("0.09")),
    ]:
        changed = project(with_value(RULES, path, value, start), INPUTS, YEARS)
        assert changed.agreements is not first.agreements
        assert figures(changed) != figures(first)
    other = project(
        with_value(RULES, "local_consumption_tax.vat_share", Decimal("0.3"), start), INPUTS, YEARS
    )
    assert other.agreements is first.agreements
