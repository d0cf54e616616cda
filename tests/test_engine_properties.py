"""Properties of whole projections, under forecasts and rates hypothesis makes up.

The unit property tests (test_apportionment, test_equalisation, test_agreement_schedules,
the consolidation test of test_compare_explain) check each piece alone. These check the
pieces together, on the bundled ruleset with its national forecast, regional indicators
and two legal rates replaced by drawn values: every pool reaches the regions to the
won, no grant passes a fiscal gap, every grouping is the exact sum of its regions, the
ledger's rows (one per agreement project for agreement money) add up to every item,
and a scenario that changes nothing compares as zero change everywhere.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fiscal.engine.projection import Projection, project
from fiscal.report.comparison import Compared, compare_table
from fiscal.report.sweep import with_value
from fiscal.report.tables import ledger
from fiscal.report.views import view
from fiscal.rules.input_files import load_inputs
from fiscal.rules.inputs import Inputs
from fiscal.rules.loader import load_ruleset
from fiscal.rules.ruleset import Ruleset
from fiscal.rules.scenarios import Scenario, apply_scenario, load_scenario
from tests.conftest import BUNDLED_INPUTS, BUNDLED_RULES
from tests.test_projection import YEARS, fiscal_gaps

RULES = load_ruleset(BUNDLED_RULES)
INPUTS = load_inputs(BUNDLED_INPUTS)
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])

permille = st.integers(min_value=0, max_value=4000)  # a scale factor in thousandths
# A region's indicator may fall to zero, but not every region's: a pool divided by a key
# that is zero everywhere is refused as a user error (tested elsewhere).
region_permille = st.integers(min_value=1, max_value=4000)


@dataclass(frozen=True)
class World:
    """Rules and inputs as drawn; shown by what was drawn, not by their whole content."""

    rules: Ruleset = field(repr=False)
    inputs: Inputs = field(repr=False)
    drawn: str


rates = st.decimals(min_value=0, max_value=1, places=4)


@st.composite
def worlds(draw: st.DrawFn) -> World:
    """The bundled rules and inputs with the forecast scaled and two rates redrawn."""
    regions = len(RULES.regions)
    national = {}
    drawn = []
    for key, series in INPUTS.national.items():
        factor = Fraction(draw(permille), 1000)
        drawn.append(f"{key} x{factor}")
        national[key] = dataclasses.replace(
            series, values={y: round(v * factor) for y, v in series.values.items()}
        )
    regional = {}
    for key, indicator in INPUTS.regional.items():
        factors = draw(st.lists(region_permille, min_size=regions, max_size=regions))
        drawn.append(f"{key} x{factors}/1000")
        regional[key] = dataclasses.replace(
            indicator,
            values={
                region: {y: round(v * Fraction(f, 1000)) for y, v in by_year.items()}
                for (region, by_year), f in zip(indicator.values.items(), factors, strict=False)
            },
        )
    inputs = dataclasses.replace(INPUTS, national=national, regional=regional)
    rules = RULES
    start = date(YEARS[0] + draw(st.integers(0, len(YEARS) - 1)), 1, 1)
    for path in ("local_consumption_tax.vat_share", "local_shared_tax.rate"):
        rate = draw(rates)
        drawn.append(f"{path} = {rate} from {start}")
        rules = with_value(rules, path, rate, start)
    return World(rules, inputs, "; ".join(drawn))


def _project(world: World) -> Projection:
    return project(world.rules, world.inputs, YEARS)


@SETTINGS
@given(worlds())
def test_every_pool_reaches_the_regions_to_the_won(world: World) -> None:
    projection = _project(world)
    for pool in projection.pools:
        assert (pool.distributed + pool.unallocated == pool.pool).all()
        assert (pool.unallocated >= 0).all()
        received = projection.amounts[pool.item].sum(axis=0)
        assert received.tolist() == pool.distributed.tolist(), pool.rule
        exact = [round(int(b) * share) for b, share in zip(pool.base, pool.share, strict=True)]
        assert pool.pool.tolist() == exact


@SETTINGS
@given(worlds())
def test_no_region_gets_more_equalisation_grant_than_its_gap(
    world: World,
) -> None:
    rules, inputs = world.rules, world.inputs
    projection = _project(world)
    grants = projection.amounts["local_shared_tax_ordinary"]
    for r, row in enumerate(fiscal_gaps(projection, rules, inputs)):
        for y, gap in enumerate(row):
            assert 0 <= int(grants[r, y]) <= max(gap, 0)


@SETTINGS
@given(worlds(), st.sampled_from(["mega-region", "class"]))
def test_every_grouping_is_the_exact_sum_of_its_regions(world: World, by: str) -> None:
    rules = world.rules
    projection = _project(world)
    grouped = view(projection, rules, by)  # type: ignore[arg-type]
    for item, values in projection.amounts.items():
        assert grouped.amounts[item].sum(axis=0).tolist() == values.sum(axis=0).tolist()
    assert (
        grouped.headline.total_revenue.sum(axis=0).tolist()
        == projection.headline.total_revenue.sum(axis=0).tolist()
    )


@SETTINGS
@given(worlds())
def test_the_ledger_rows_add_up_to_every_item_of_every_region_and_year(
    world: World,
) -> None:
    projection = _project(world)
    table = ledger(projection)
    region, year, item, amount = (table.column(c) for c in ("region", "year", "item", "amount_krw"))
    sums: dict[tuple[str, int, str], int] = {}
    for row in table.rows:
        key = (str(row[region]), int(row[year]), str(row[item]))
        sums[key] = sums.get(key, 0) + int(row[amount])
    for name, values in projection.amounts.items():
        for r, region_id in enumerate(projection.region_ids):
            for y, when in enumerate(projection.years):
                assert sums[(region_id, when, name)] == int(values[r, y])


@pytest.fixture(scope="module")
def unchanged(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    path = tmp_path_factory.mktemp("scenario") / "nothing.yaml"
    path.write_text("title: A scenario that changes nothing\n", encoding="utf-8")
    return load_scenario(path)


@SETTINGS
@given(world=worlds(), by=st.sampled_from(["region", "mega-region", "class"]))
def test_a_scenario_that_changes_nothing_compares_as_zero_change(
    world: World, by: str, unchanged: Scenario
) -> None:
    rules, inputs = world.rules, world.inputs
    base = project(rules, inputs, YEARS)
    same_rules, same_inputs = apply_scenario(unchanged, rules, inputs, YEARS)
    same = project(same_rules, same_inputs, YEARS, scenario=unchanged.id)
    compared = Compared(view(base, rules, by), view(same, rules, by), base, same)  # type: ignore[arg-type]
    table = compare_table([compared])
    changes = [i for i, c in enumerate(table.columns) if c.name.endswith(("_change_krw", "_pp"))]
    assert changes
    for row in table.rows:
        assert all(row[i] == 0 for i in changes), row


def test_drawn_rates_are_checked_like_a_rule_file() -> None:
    with pytest.raises(Exception, match="ratio outside"):
        with_value(RULES, "local_consumption_tax.vat_share", Decimal("1.5"), date(2026, 1, 1))
