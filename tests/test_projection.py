"""The bundled Korean projection, 2025-2030: every won accounted for.

Expectations are rebuilt here from the rule files and the input files with exact
fractions: pools from the national series and the parameters in force, fiscal gaps
from need and counted revenue, subsidies from cost and the region's rate.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from math import prod
from pathlib import Path

import numpy as np
import pytest

from fiscal.engine.projection import Projection, project
from fiscal.rules.input_files import load_inputs
from fiscal.rules.inputs import Inputs, regional_array
from fiscal.rules.loader import load_ruleset
from fiscal.rules.models import EqualisationRule, MatchingRule
from fiscal.rules.ruleset import Ruleset, value_for_region
from fiscal.rules.types import REVENUE_CATEGORIES, Category
from tests.conftest import BUNDLED_INPUTS, BUNDLED_RULES

YEARS = list(range(2025, 2031))


@pytest.fixture(scope="module")
def ruleset() -> Ruleset:
    return load_ruleset(BUNDLED_RULES)


@pytest.fixture(scope="module")
def inputs() -> Inputs:
    return load_inputs(BUNDLED_INPUTS)


@pytest.fixture(scope="module")
def projection(ruleset: Ruleset, inputs: Inputs) -> Projection:
    return project(ruleset, inputs, YEARS)


def in_force(ruleset: Ruleset, ref: str, year: int) -> Fraction:
    """A scalar parameter (or a part of a split) in force on 1 January."""
    found = ruleset.resolve(ref)
    assert found is not None
    value = found.parameter.in_force(year)
    assert value is not None
    raw = value.value
    if isinstance(raw, dict):
        assert found.part is not None
        return Fraction(raw[found.part])
    return Fraction(raw)


def regional(inputs: Inputs, ruleset: Ruleset, indicator: str) -> list[list[int]]:
    array, missing = regional_array(inputs, indicator, ruleset.region_ids, YEARS)
    assert missing is None and array is not None
    return array.tolist()


def only(rules: list[object], kind: type) -> object:
    [rule] = [r for r in rules if isinstance(r, kind)]
    return rule


# --- pools -----------------------------------------------------------------------------------


def test_every_pool_is_distributed_to_the_won(projection: Projection) -> None:
    assert {p.item for p in projection.pools} >= {
        "local_consumption_tax",
        "local_shared_tax_ordinary",
        "local_shared_tax_special",
        "real_estate_grant",
        "fire_safety_grant",
    }
    for pool in projection.pools:
        paid = projection.amounts[pool.item].sum(axis=0)
        assert paid.tolist() == pool.pool.tolist(), pool.rule
        assert pool.distributed.tolist() == pool.pool.tolist()
        assert not pool.unallocated.any()


def test_each_pool_is_its_national_base_times_its_shares_rounded_once(
    projection: Projection, ruleset: Ruleset, inputs: Inputs
) -> None:
    rules = {rule.id: rule for rule in ruleset.rules}
    for pool in projection.pools:
        rule = rules[pool.rule]
        assert not isinstance(rule, MatchingRule)
        series = inputs.national[rule.pool.base.removeprefix("national.")]
        for y, year in enumerate(YEARS):
            share = prod(in_force(ruleset, ref, year) for ref in rule.pool.shares)
            assert int(pool.pool[y]) == round(series.values[year] * share), (rule.id, year)


def test_the_ordinary_grant_pool_is_19_24_percent_times_97_percent_of_internal_tax(
    projection: Projection, inputs: Inputs
) -> None:
    [pool] = [p for p in projection.pools if p.item == "local_shared_tax_ordinary"]
    internal_tax = inputs.national["internal_tax"].values
    for y, year in enumerate(YEARS):
        share = Fraction(Decimal("0.1924")) * Fraction(Decimal("0.97"))
        assert int(pool.pool[y]) == round(internal_tax[year] * share)


# --- the ordinary grant (보통교부세) -----------------------------------------------------------


def fiscal_gaps(projection: Projection, ruleset: Ruleset, inputs: Inputs) -> list[list[int]]:
    """Need less the counted share of revenue, per region and year, recomputed exactly."""
    rule = only(ruleset.rules, EqualisationRule)
    assert isinstance(rule, EqualisationRule)
    need = regional(inputs, ruleset, rule.fiscal_gap.need)
    gaps = []
    for r in range(len(ruleset.regions)):
        row = []
        for y, year in enumerate(YEARS):
            revenue = sum(int(projection.amounts[name][r, y]) for name in rule.fiscal_gap.revenue)
            counted = round(revenue * in_force(ruleset, rule.fiscal_gap.revenue_counted, year))
            row.append(need[r][y] - counted)
        gaps.append(row)
    return gaps


def test_no_region_gets_more_ordinary_grant_than_its_fiscal_gap(
    projection: Projection, ruleset: Ruleset, inputs: Inputs
) -> None:
    grants = projection.amounts["local_shared_tax_ordinary"]
    for r, row in enumerate(fiscal_gaps(projection, ruleset, inputs)):
        for y, gap in enumerate(row):
            assert 0 <= int(grants[r, y]) <= max(gap, 0)


def test_the_ordinary_grant_is_each_gap_times_one_adjustment_rate(
    projection: Projection, ruleset: Ruleset, inputs: Inputs
) -> None:
    [pool] = [p for p in projection.pools if p.item == "local_shared_tax_ordinary"]
    grants = projection.amounts["local_shared_tax_ordinary"]
    gaps = fiscal_gaps(projection, ruleset, inputs)
    for y in range(len(YEARS)):
        total_gap = sum(max(row[y], 0) for row in gaps)
        rate = Fraction(min(int(pool.pool[y]), total_gap), total_gap)
        assert pool.adjustment_rate is not None
        assert float(pool.adjustment_rate[y]) == pytest.approx(float(rate), rel=1e-12)
        assert 0 < rate < 1  # the pool does not fill every gap in the bundled example
        for r, row in enumerate(gaps):
            assert abs(int(grants[r, y]) - max(row[y], 0) * rate) < 1


def test_seoul_receives_no_ordinary_grant(projection: Projection, ruleset: Ruleset) -> None:
    seoul = ruleset.region_ids.index("seoul")
    assert projection.amounts["local_shared_tax_ordinary"][seoul].tolist() == [0] * len(YEARS)


# --- matching subsidies (국고보조금) ------------------------------------------------------------


def test_subsidy_plus_co_funding_is_the_programme_cost(
    projection: Projection, ruleset: Ruleset, inputs: Inputs
) -> None:
    rule = only(ruleset.rules, MatchingRule)
    assert isinstance(rule, MatchingRule)
    cost = np.asarray(regional(inputs, ruleset, rule.cost))
    subsidy = projection.amounts[rule.item]
    co_funding = projection.amounts[rule.co_funding_item]
    assert (subsidy + co_funding == cost).all()
    assert projection.categories[rule.co_funding_item] is Category.obligation


def test_each_region_subsidy_is_its_cost_times_its_own_rate(
    projection: Projection, ruleset: Ruleset, inputs: Inputs
) -> None:
    rule = only(ruleset.rules, MatchingRule)
    assert isinstance(rule, MatchingRule)
    parameter = ruleset.parameters[rule.rate]
    cost = regional(inputs, ruleset, rule.cost)
    rates = set()
    for r, region in enumerate(ruleset.regions):
        for y, year in enumerate(YEARS):
            value = parameter.in_force(year)
            assert value is not None
            rate = value_for_region(value, region)
            assert rate is not None
            rates.add(rate)
            want = round(cost[r][y] * Fraction(rate))
            assert int(projection.amounts[rule.item][r, y]) == want
    assert len(rates) > 1  # the rate really differs between regions


# --- headline figures ------------------------------------------------------------------------


def test_total_revenue_is_the_sum_of_the_revenue_items(projection: Projection) -> None:
    def total(*categories: Category) -> np.ndarray:
        items = [i for i, c in projection.categories.items() if c in categories]
        return sum((projection.amounts[i] for i in items), np.zeros((17, len(YEARS)), np.int64))

    head = projection.headline
    assert (head.total_revenue == total(*REVENUE_CATEGORIES)).all()
    assert (head.own_source == total(Category.own_source)).all()
    assert (head.general_grants == total(Category.general_grant)).all()
    assert (head.obligations == total(Category.obligation)).all()
    assert (head.net_after_commitments == head.total_revenue - head.obligations).all()


def test_fiscal_ratios_lie_between_zero_and_one_and_autonomy_is_at_least_independence(
    projection: Projection,
) -> None:
    head = projection.headline
    assert ((head.independence >= 0) & (head.independence <= 1)).all()
    assert ((head.autonomy >= 0) & (head.autonomy <= 1)).all()
    assert (head.autonomy >= head.independence).all()
    own = head.own_source.astype(float)
    total = head.total_revenue.astype(float)
    assert np.allclose(head.independence, own / total, rtol=1e-12)
    assert np.allclose(head.autonomy, (own + head.general_grants) / total, rtol=1e-12)


def test_every_amount_is_whole_won(projection: Projection) -> None:
    for item, amounts in projection.amounts.items():
        assert amounts.dtype == np.int64, item
        assert amounts.shape == (17, len(YEARS))


# --- a change of rules -----------------------------------------------------------------------


def test_raising_the_vat_share_raises_every_region_local_consumption_tax(
    rules_copy: Path, projection: Projection, inputs: Inputs
) -> None:
    # A reform from 2027: 25.3% of the VAT base becomes 30%.
    path = rules_copy / "parameters" / "local_consumption_tax" / "vat_share.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + '  2027-01-01: {value: 0.30, reference: "a reform"}\n', encoding="utf-8")
    reformed = project(load_ruleset(rules_copy), inputs, YEARS)
    changed = [y for y, year in enumerate(YEARS) if year >= 2027]
    unchanged = [y for y, year in enumerate(YEARS) if year < 2027]

    before = projection.amounts["local_consumption_tax"]
    after = reformed.amounts["local_consumption_tax"]
    assert (after[:, unchanged] == before[:, unchanged]).all()
    assert (after[:, changed] > before[:, changed]).all()

    def pool_of(p: Projection, item: str) -> np.ndarray:
        [pool] = [x for x in p.pools if x.item == item]
        return pool.pool

    vat_base = inputs.national["vat_base"].values
    lct = pool_of(reformed, "local_consumption_tax")
    for y in changed:
        assert int(lct[y]) == round(vat_base[YEARS[y]] * Fraction(3, 10))
        assert lct[y] > pool_of(projection, "local_consumption_tax")[y]

    # The ordinary grant pool comes from internal taxes, so it does not change: the higher
    # counted revenue shrinks the gaps, the adjustment rate rises and the same pool is paid.
    ordinary = "local_shared_tax_ordinary"
    assert (pool_of(reformed, ordinary) == pool_of(projection, ordinary)).all()
    assert (
        reformed.amounts[ordinary].sum(axis=0) <= projection.amounts[ordinary].sum(axis=0)
    ).all()
    assert (reformed.amounts[ordinary].sum(axis=0) == pool_of(reformed, ordinary)).all()
    [old] = [p for p in projection.pools if p.item == ordinary]
    [new] = [p for p in reformed.pools if p.item == ordinary]
    assert old.adjustment_rate is not None and new.adjustment_rate is not None
    assert (new.adjustment_rate[changed] > old.adjustment_rate[changed]).all()
    assert (new.adjustment_rate[unchanged] == old.adjustment_rate[unchanged]).all()
