"""The benchmark floors compute the projection to the won, without the engine.

``python -m benchmarks`` measures the engine against two floors (bare numpy and a plain
Python loop) and first checks that they equal the engine's projection. These tests run
that check on small datasets, and make sure it would notice a floor that left out any
agreement term: they say nothing about speed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from benchmarks.__main__ import FloorMismatch, check_floor, engine_outputs, floor_data
from benchmarks.floors import NO_CAP, FloorData, loop_floor, numpy_floor
from fiscal.datasets.synth import synthesize
from fiscal.engine.projection import project
from fiscal.rules.input_files import load_inputs
from fiscal.rules.loader import load_ruleset
from tests.conftest import BUNDLED_INPUTS, BUNDLED_RULES

FLOORS: dict[str, Callable[[FloorData], dict[str, Any]]] = {
    "numpy": numpy_floor,
    "loop": loop_floor,
}


@dataclasses.dataclass
class Case:
    data: FloorData
    engine: dict[str, Any]
    region_ids: list[str]
    years: list[int]

    def check(self, floor: str, data: FloorData | None = None) -> None:
        computed = FLOORS[floor](data or self.data)
        check_floor(floor, computed, self.engine, self.region_ids, self.years)


def case(rules: Path, inputs: Path, years: list[int]) -> Case:
    ruleset = load_ruleset(rules)
    loaded = load_inputs(inputs)
    projection = project(ruleset, loaded, years)
    return Case(
        floor_data(ruleset, loaded, years), engine_outputs(projection), ruleset.region_ids, years
    )


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Case:
    out = tmp_path_factory.mktemp("synth") / "data"
    rules, inputs = synthesize(out, seed=3, years=8, agreements=300)
    return case(rules, inputs, list(range(2025, 2033)))


@pytest.fixture(scope="module")
def bundled() -> Case:
    """Schedules by shares and by amounts, a private partner, a central cap, the centre's
    money split 40/25/35, agreements paid before the projection starts."""
    return case(BUNDLED_RULES, BUNDLED_INPUTS, list(range(2025, 2031)))


@pytest.mark.parametrize("floor", FLOORS)
def test_the_floors_equal_the_engine_on_the_synthetic_national_dataset(
    synthetic: Case, floor: str
) -> None:
    synthetic.check(floor)


@pytest.mark.parametrize("floor", FLOORS)
def test_the_floors_equal_the_engine_on_the_bundled_ruleset(bundled: Case, floor: str) -> None:
    bundled.check(floor)


def without(case: Case, term: str) -> FloorData:
    """The floor data with one agreement term dropped."""
    ag = case.data.agreements
    changes: dict[str, Any] = {
        "cap": {"cap": np.full_like(ag.cap, NO_CAP)},
        "indexation": {"index_base": np.full_like(ag.index_base, -1)},
        "amendments": {"versions": np.ones_like(ag.versions)},
        "termination": {"last_paid": np.full_like(ag.last_paid, ag.length)},
        "regions' cost shares for the central money": {
            "inflow_weight": (ag.inflow_weight > 0).astype(np.int64)
        },
    }[term]
    return dataclasses.replace(case.data, agreements=dataclasses.replace(ag, **changes))


@pytest.mark.parametrize("floor", FLOORS)
@pytest.mark.parametrize(
    "term",
    [
        "cap",
        "indexation",
        "amendments",
        "termination",
        "regions' cost shares for the central money",
    ],
)
def test_the_check_notices_a_floor_that_leaves_out_an_agreement_term(
    synthetic: Case, floor: str, term: str
) -> None:
    # Also shows that the synthetic dataset exercises the term within the projection years.
    with pytest.raises(FloorMismatch, match=r"on 'agreement_(inflow|co_funding)'"):
        synthetic.check(floor, without(synthetic, term))


@pytest.mark.parametrize("floor", FLOORS)
def test_the_check_notices_a_schedule_spread_evenly(bundled: Case, floor: str) -> None:
    ag = bundled.data.agreements
    even = dataclasses.replace(ag, schedule=(ag.schedule > 0).astype(np.int64))
    with pytest.raises(FloorMismatch, match="agreement_"):
        bundled.check(floor, dataclasses.replace(bundled.data, agreements=even))


def test_a_mismatch_names_the_item_and_the_first_government_and_year(synthetic: Case) -> None:
    computed = numpy_floor(synthetic.data)
    grant = computed["local_shared_tax_ordinary"].copy()
    grant[5, 2] += 1
    computed["local_shared_tax_ordinary"] = grant
    region = synthetic.region_ids[5]
    with pytest.raises(FloorMismatch) as raised:
        check_floor("numpy", computed, synthetic.engine, synthetic.region_ids, synthetic.years)
    assert str(raised.value).startswith(
        "numpy floor differs from the engine on 'local_shared_tax_ordinary' in 1 cells; "
        f"first at {region}, 2027"
    )


def test_a_floor_must_compute_every_item(synthetic: Case) -> None:
    computed = numpy_floor(synthetic.data)
    del computed["adjustment_grant_paid"]
    with pytest.raises(FloorMismatch, match="does not compute adjustment_grant_paid"):
        check_floor("numpy", computed, synthetic.engine, synthetic.region_ids, synthetic.years)
