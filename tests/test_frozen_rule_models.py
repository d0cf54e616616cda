"""The rule models are frozen all the way down: a loaded agreement's projects, parties and
amendments, a parameter's dated values, the regions and the manifest's items are tuples,
so no code can change a loaded ruleset in place (and a cache keyed on its content can
trust it). What a YAML file writes as a list still loads. Dict fields stay dicts; the
models' docstring says so."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from fiscal.report.sweep import with_value
from fiscal.rules.input_files import load_inputs
from fiscal.rules.loader import load_ruleset
from fiscal.rules.ruleset import Ruleset
from fiscal.rules.scenarios import apply_scenario, load_scenario
from tests.conftest import BUNDLED_INPUTS, BUNDLED_RULES

AMEND = """\
title: The Daegu corridor costs more
agreements:
  amend:
    2023-daegu-urban-air-mobility:
      - effective: 2026-01-01
        reference: test amendment
        projects:
          uam-corridor:
            total_krw: 160000000000
            schedule_krw: {2024: 15000000000, 2025: 30000000000, 2026: 50000000000,
                           2027: 40000000000, 2028: 25000000000}
"""


@pytest.fixture(scope="module")
def ruleset() -> Ruleset:
    return load_ruleset(BUNDLED_RULES)


def _lists(obj: Any, where: str = "ruleset") -> list[str]:
    """Where a model field (at any depth) holds a list."""
    found: list[str] = []
    if isinstance(obj, list):
        found.append(where)
    if isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            found += _lists(getattr(obj, name), f"{where}.{name}")
    elif isinstance(obj, list | tuple):
        for index, item in enumerate(obj):
            found += _lists(item, f"{where}[{index}]")
    elif isinstance(obj, dict):
        for key, item in obj.items():
            found += _lists(item, f"{where}[{key!r}]")
    return found


def _everything(ruleset: Ruleset) -> tuple[Any, ...]:
    return (
        ruleset.manifest,
        ruleset.mega_regions,
        ruleset.regions,
        ruleset.parameters,
        ruleset.rules,
        ruleset.ministries,
        ruleset.agreements,
    )


def test_a_loaded_agreements_projects_cannot_be_changed_in_place(ruleset: Ruleset) -> None:
    agreement = ruleset.agreements[0]
    before = agreement.model_dump()
    with pytest.raises(AttributeError):
        agreement.projects.append(agreement.projects[0])  # type: ignore[attr-defined]
    with pytest.raises(TypeError):
        agreement.parties[0] = agreement.parties[-1]  # type: ignore[index]
    with pytest.raises(AttributeError):
        agreement.amendments.sort()  # type: ignore[attr-defined]
    with pytest.raises(ValidationError, match="frozen"):
        agreement.projects = ()
    assert agreement.model_dump() == before


def test_a_parameters_dated_values_cannot_be_changed_in_place(ruleset: Ruleset) -> None:
    parameter = ruleset.parameters["local_consumption_tax.vat_share"]
    with pytest.raises(AttributeError):
        parameter.values.append(parameter.values[0])  # type: ignore[attr-defined]
    assert isinstance(parameter.values, tuple)
    assert len(parameter.values) == 6


def test_no_model_of_the_loaded_ruleset_holds_a_list(ruleset: Ruleset) -> None:
    assert _lists(_everything(ruleset)) == []
    # The YAML lists did load, as tuples: every agreement has its parties and projects.
    assert all(a.parties and a.projects for a in ruleset.agreements)
    assert isinstance(ruleset.manifest.items, tuple) and ruleset.manifest.items


def test_a_scenario_and_a_sweep_make_rulesets_that_hold_no_list(
    ruleset: Ruleset, tmp_path: Path
) -> None:
    path = tmp_path / "amend.yaml"
    path.write_text(AMEND, encoding="utf-8")
    inputs = load_inputs(BUNDLED_INPUTS)
    added = load_scenario(BUNDLED_INPUTS / "scenarios" / "honam-ai-mega-region-agreement.yaml")
    rates = load_scenario(BUNDLED_INPUTS / "scenarios" / "lct-30pct-2027.yaml")
    years = [2025, 2026, 2027]
    for scenario in (load_scenario(path), added, rates):
        changed, _ = apply_scenario(scenario, ruleset, inputs, years)
        assert _lists(_everything(changed)) == [], scenario.id
    amended, _ = apply_scenario(load_scenario(path), ruleset, inputs, years)
    daegu = amended.agreement("2023-daegu-urban-air-mobility")
    assert daegu is not None and isinstance(daegu.amendments, tuple)
    assert daegu.amendments[-1].reference == "test amendment"
    swept = with_value(ruleset, "local_consumption_tax.vat_share", Decimal("0.3"), date(2027, 1, 1))
    assert _lists(_everything(swept)) == []
