"""Loaded rules and inputs cannot change under a cache; a changed copy is projected anew.

The Python API way to change a ruleset is to make a new one (``dataclasses.replace``
and a model's ``model_copy``). Cached agreement schedules and extended input arrays are
found by what they were made from, so such a copy gets its own figures, while a sweep
over an unrelated parameter still computes the schedules once.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from fiscal import api
from fiscal.engine.agreement_items import ScheduleCache
from fiscal.engine.projection import project
from fiscal.report.sweep import sweep, with_value
from fiscal.rules.inputs import Inputs
from fiscal.rules.ruleset import Ruleset

YEARS = list(range(2025, 2031))
START = date(2025, 1, 1)


def agreement_money(ruleset: Ruleset, inputs: Inputs, cache: ScheduleCache | None = None) -> int:
    projection = project(ruleset, inputs, YEARS, schedules=cache)
    items = [i.id for i in ruleset.items if i.from_agreements is not None]
    return sum(int(projection.amounts[item].sum()) for item in items)


def doubled_first_agreement(ruleset: Ruleset) -> Ruleset:
    """The ruleset with one signed agreement, paid in the years shown, costing twice as much."""
    index, first = next(
        (i, a)
        for i, a in enumerate(ruleset.agreements)
        if a.binding
        and a.terminated is None
        and a.projects[0].schedule_krw is None
        and a.projects[0].central_cap_krw is None
        and a.projects[0].years[0] >= YEARS[0]
    )
    project_ = first.projects[0]
    bigger = project_.model_copy(update={"total_krw": project_.total_krw * 2})
    changed = first.model_copy(update={"projects": (bigger, *first.projects[1:])})
    agreements = list(ruleset.agreements)
    agreements[index] = changed
    return dataclasses.replace(ruleset, agreements=tuple(agreements))


def test_a_loaded_ruleset_and_its_inputs_refuse_assignment() -> None:
    rules, inputs = api.load_rules(), api.load_inputs()
    assert isinstance(rules.agreements, tuple) and isinstance(rules.regions, tuple)
    with pytest.raises(dataclasses.FrozenInstanceError):
        rules.agreements = ()  # type: ignore[misc]
    with pytest.raises(TypeError):
        rules.agreements[0] = rules.agreements[1]  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        inputs.root = inputs.root.parent  # type: ignore[misc]
    indicator = next(iter(inputs.regional.values()))
    with pytest.raises(dataclasses.FrozenInstanceError):
        indicator.growth = Decimal("0.5")  # type: ignore[misc]


def test_an_agreement_replaced_by_a_copy_is_projected_with_its_new_total() -> None:
    rules, inputs = api.load_rules(), api.load_inputs()
    before = agreement_money(rules, inputs)
    changed = doubled_first_agreement(rules)
    after = agreement_money(changed, inputs)
    fresh = agreement_money(changed, inputs, ScheduleCache())
    assert after == fresh
    assert after > before
    # And the original ruleset still gives its own figures, from the cache or not.
    assert (
        agreement_money(rules, inputs) == before == agreement_money(rules, inputs, ScheduleCache())
    )


def test_an_indicator_replaced_by_a_copy_is_extended_again() -> None:
    rules, inputs = api.load_rules(), api.load_inputs()
    population = next(i for i in rules.items if i.from_indicator is not None)
    name = population.from_indicator
    assert name is not None
    first = project(rules, inputs, YEARS).amounts[population.id]
    old = inputs.regional[name]
    doubled = dataclasses.replace(
        old, values={r: {y: v * 2 for y, v in by.items()} for r, by in old.values.items()}
    )
    changed = dataclasses.replace(inputs, regional={**inputs.regional, name: doubled})
    again = project(rules, changed, YEARS).amounts[population.id]
    assert (again == first * 2).all()


def test_a_sweep_of_an_unrelated_parameter_computes_the_schedules_once() -> None:
    rules, inputs = api.load_rules(), api.load_inputs()
    cache = ScheduleCache()
    for value in ("0.25", "0.30", "0.35"):
        changed = rules  # the sweep's way: a new ruleset with one parameter value changed

        changed = with_value(
            rules, "local_consumption_tax.vat_share", Decimal(value), date(2025, 1, 1)
        )
        project(changed, inputs, YEARS, schedules=cache)
    assert cache.computed == 1
    project(doubled_first_agreement(rules), inputs, YEARS, schedules=cache)
    assert cache.computed == 2


def test_the_sweep_itself_reuses_the_shared_schedules() -> None:
    from fiscal.engine.agreement_items import SHARED_SCHEDULES

    rules, inputs = api.load_rules(), api.load_inputs()
    SHARED_SCHEDULES.clear()
    before = SHARED_SCHEDULES.computed
    values = [Decimal("0.20"), Decimal("0.25"), Decimal("0.30")]
    points = list(
        sweep(rules, inputs, YEARS, "local_consumption_tax.vat_share", values, date(2025, 1, 1))
    )
    assert len(points) == 3
    assert SHARED_SCHEDULES.computed - before == 1
