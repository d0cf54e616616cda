"""The Python API: what the CLI calls, and what a notebook or another tool can call.

    import fiscal.api as fiscal
    rules = fiscal.load_rules()                 # the bundled Korean ruleset
    inputs = fiscal.load_inputs()
    result = fiscal.project(rules, inputs, scenario="scenarios/lct-30pct-2027.yaml")

Every function raises :class:`fiscal.errors.UserError` listing all problems when the
rules, inputs or scenario are wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fiscal.engine.projection import Projection
from fiscal.engine.projection import project as _project
from fiscal.errors import Problem, SourcePos, UserError
from fiscal.inputs import Inputs
from fiscal.inputs import load_inputs as _load_inputs
from fiscal.paths import default_inputs, default_rules
from fiscal.rules.loader import load_ruleset
from fiscal.rules.ruleset import Ruleset
from fiscal.scenarios import Scenario, apply_scenario, load_scenario


def load_rules(path: Path | str | None = None) -> Ruleset:
    return load_ruleset(Path(path) if path is not None else default_rules())


def load_inputs(path: Path | str | None = None) -> Inputs:
    return _load_inputs(Path(path) if path is not None else default_inputs())


def years_for(inputs: Inputs, first: int | None = None, last: int | None = None) -> list[int]:
    """The projection years: the inputs' span unless given; a reversed range is an error."""
    start = first if first is not None else inputs.first_year()
    end = last if last is not None else inputs.last_year()
    if start > end:
        raise UserError(
            [Problem(SourcePos("--from"), f"first year {start} is after the last {end}")]
        )
    return list(range(start, end + 1))


def with_scenario(
    rules: Ruleset,
    inputs: Inputs,
    scenario: Scenario | Path | str | None,
    years: Sequence[int],
) -> tuple[Ruleset, Inputs, str]:
    """The rules and inputs as a scenario has them, and the scenario's name."""
    if scenario is None:
        return rules, inputs, "baseline"
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(Path(scenario))
    changed_rules, changed_inputs = apply_scenario(scenario, rules, inputs, list(years))
    return changed_rules, changed_inputs, scenario.id


def project(
    rules: Ruleset,
    inputs: Inputs,
    scenario: Scenario | Path | str | None = None,
    years: Sequence[int] | None = None,
) -> Projection:
    """Project every region's budget, under a scenario if one is given."""
    chosen = list(years) if years is not None else years_for(inputs)
    changed_rules, changed_inputs, name = with_scenario(rules, inputs, scenario, chosen)
    return _project(changed_rules, changed_inputs, chosen, scenario=name)
