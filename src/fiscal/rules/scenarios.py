"""Scenarios: "what if" overrides of parameters, the forecast and the agreements.

A scenario file (PolicyEngine's reform shape)::

    title: Local consumption tax at 30% of VAT from 2027
    parameters:
      local_consumption_tax.vat_share:
        2027-01-01: 0.30                     # from a date on
      local_shared_tax.rate:
        2026-01-01..2028-12-31: 0.21         # over a date range, then the rules resume
    forecast:
      national.internal_tax:
        2026: {change: -0.05}                # one year, relative
        2027..: {change: -0.03}              # from a year on
      private_consumption:                   # a regional indicator: every region
        2026..2028: {change: 0.01}
    agreements:
      add: [...]                             # whole agreements, as in agreements/*.yaml
      remove: [agreement-id]
      amend: {agreement-id: [amendment, ...]}

The whole file is validated (with file:line) before anything is applied; it may name
only parameters, series, indicators and agreements that exist. Applying it is pure:
it returns a changed copy of the ruleset and inputs.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date, timedelta
from fractions import Fraction
from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from fiscal.errors import Problem, SourcePos, UserError
from fiscal.rules.agreement_checks import check_agreement
from fiscal.rules.agreements import Agreement, Amendment
from fiscal.rules.checks import check_parameter_value
from fiscal.rules.inputs import Inputs, extend
from fiscal.rules.models import FileModel, ParameterValue
from fiscal.rules.names import did_you_mean
from fiscal.rules.ruleset import Ruleset
from fiscal.rules.types import Id, NonNegativeWon, Number, Status, Text
from fiscal.source.validation import problems_from, validate_doc
from fiscal.source.yaml_reader import YamlDoc, load_yaml

_DATE_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:\.\.(\d{4}-\d{2}-\d{2})?)?")
_YEAR_RANGE = re.compile(r"(\d{4})(?:\.\.(\d{4})?)?")


class ForecastChange(FileModel):
    change: Number | None = Field(default=None, description="Relative change: -0.05 is -5%.")
    value: NonNegativeWon | None = Field(default=None, description="A new value in won.")


class AgreementChanges(FileModel):
    add: tuple[Agreement, ...] = Field(default_factory=tuple)
    remove: tuple[Id, ...] = Field(default_factory=tuple)
    amend: dict[Id, tuple[Amendment, ...]] = Field(default_factory=dict)


class ScenarioFile(FileModel):
    """A scenario: overrides applied on top of the rules and inputs."""

    title: Text
    description: str | None = None
    parameters: dict[Text, dict[str, Number | dict[Id, Number]]] = Field(default_factory=dict)
    forecast: dict[Text, dict[int | str, ForecastChange]] = Field(default_factory=dict)
    agreements: AgreementChanges | None = None


@dataclasses.dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    path: Path
    file: ScenarioFile
    doc: YamlDoc
    # The file's mistakes found on reading: what they spoil is left out of ``file`` and
    # ``doc``, so apply_scenario still checks the rest and reports all in one run.
    problems: tuple[Problem, ...] = ()


def load_scenario(path: Path) -> Scenario:
    """The scenario in ``path``; UserError lists its mistakes (those found on reading)."""
    scenario = read_scenario(path)
    if scenario.problems:
        raise UserError(list(scenario.problems))
    return scenario


def read_scenario(path: Path) -> Scenario:
    """The scenario in ``path`` as far as it can be read, with its reading mistakes.

    One mistake (a date that does not exist, an unknown key) must not hide the others:
    the part it spoils (one dated value, one forecast year, one agreement or amendment)
    is left out, the rest is read, and apply_scenario reports every problem together.
    """
    doc, problems = load_yaml(path)
    if doc is None:
        raise UserError(problems)
    file, problems = validate_doc(ScenarioFile, doc)
    if file is None:
        file, doc = _readable_part(doc, problems)
    if file is None:
        raise UserError(problems)
    return Scenario(path.stem, file.title, path, file, doc, tuple(problems))


def _readable_part(doc: YamlDoc, problems: list[Problem]) -> tuple[ScenarioFile | None, YamlDoc]:
    """The file without the parts its reading ``problems`` spoil (None if nothing is left)."""
    for _ in range(4):  # each pass leaves out more; a few passes always suffice
        try:
            return ScenarioFile.model_validate(doc.data), doc
        except ValidationError as exc:
            spoilt = {_spoilt_part(doc, p.where) for p in problems_from(exc, doc)}
            spoilt |= {_spoilt_part(doc, e) for e in _error_paths(exc, doc)}
        spoilt.discard(())
        if not spoilt:
            return None, doc
        doc = _without(doc, spoilt)
    return None, doc


def _error_paths(exc: ValidationError, doc: YamlDoc) -> list[tuple[Any, ...]]:
    """pydantic's error locations as paths in the file's data (union member names dropped)."""
    paths = []
    for error in exc.errors():
        path: tuple[Any, ...] = ()
        node: Any = doc.data
        for part in error["loc"]:
            # A year key is an int in the file and a str in pydantic's location.
            step: Any = int(part) if isinstance(part, str) and part.isdigit() else part
            if isinstance(node, dict) and part in node:
                step = part
            elif not (isinstance(node, dict | list) and _has(node, step)):
                continue
            path, node = (*path, step), node[step]
        paths.append(path)
    return paths


def _has(node: dict[Any, Any] | list[Any], step: Any) -> bool:
    if isinstance(node, list):
        return isinstance(step, int) and 0 <= step < len(node)
    return step in node


def _spoilt_part(doc: YamlDoc, path: Any) -> tuple[Any, ...]:
    """The smallest part of the file a mistake at ``path`` makes unusable."""
    if not isinstance(path, tuple):
        return ()  # a SourcePos: the paths from _error_paths carry the same mistakes
    if path[:1] == ("agreements",):
        # A half-read agreement or amendment cannot be checked: leave it out whole.
        depth = {"add": 3, "remove": 3, "amend": 4}.get(path[1] if len(path) > 1 else "", 2)
        return path[:depth]
    if path[:1] in (("parameters",), ("forecast",)) and len(path) > 3:
        # A field of one dated value or one year's change: leave out that value or year.
        node: Any = doc.data
        for part in path:
            node = node[part]
        if not isinstance(node, dict):
            return path[:-1]
    return path


def _without(doc: YamlDoc, spoilt: set[tuple[Any, ...]]) -> YamlDoc:
    """``doc`` without the ``spoilt`` parts; list items after a left-out one keep their lines."""
    positions: dict[Any, tuple[int, int]] = {}

    def keep(node: Any, old: tuple[Any, ...], new: tuple[Any, ...]) -> Any:
        if old in doc.positions:
            positions[new] = doc.positions[old]
        if isinstance(node, dict):
            return {
                k: keep(v, (*old, k), (*new, k)) for k, v in node.items() if (*old, k) not in spoilt
            }
        if isinstance(node, list):
            kept = [(i, v) for i, v in enumerate(node) if (*old, i) not in spoilt]
            return [keep(v, (*old, i), (*new, j)) for j, (i, v) in enumerate(kept)]
        return node

    data = keep(doc.data, (), ())
    return dataclasses.replace(doc, data=data, positions=positions)


def apply_scenario(
    scenario: Scenario, ruleset: Ruleset, inputs: Inputs, years: list[int]
) -> tuple[Ruleset, Inputs]:
    """The ruleset and inputs as the scenario has them; UserError lists every problem."""
    problems: list[Problem] = list(scenario.problems)
    parameters = _apply_parameters(scenario, ruleset, problems)
    changed_inputs = _apply_forecast(scenario, inputs, years, problems)
    new_ruleset = dataclasses.replace(ruleset, parameters=parameters)
    new_ruleset = dataclasses.replace(
        new_ruleset, agreements=tuple(_apply_agreements(scenario, new_ruleset, problems))
    )
    if problems:
        raise UserError(problems)
    return new_ruleset, changed_inputs


def _dates_problem(key: object) -> str | None:
    """What is wrong with a dated key (checkable without knowing the parameter)."""
    span = _parse_dates(str(key))
    if span is None:
        return f"{key!r} is not a date (YYYY-MM-DD) or a range (YYYY-MM-DD..YYYY-MM-DD)"
    start, end = span
    if end is not None and end < start:
        return f"range ends {end} before it starts {start}"
    return None


def _parse_dates(key: str) -> tuple[date, date | None] | None:
    match = _DATE_RANGE.fullmatch(key)
    if not match:
        return None
    try:
        start = date.fromisoformat(match.group(1))
        end = date.fromisoformat(match.group(2)) if match.group(2) else None
    except ValueError:
        return None
    return start, end


def _apply_parameters(
    scenario: Scenario, ruleset: Ruleset, problems: list[Problem]
) -> dict[str, Any]:
    parameters = dict(ruleset.parameters)
    doc = scenario.doc
    for path, overrides in scenario.file.parameters.items():
        parameter = parameters.get(path)
        if parameter is None:
            close = [p for p in ruleset.parameters if p.split(".")[-1] == path.split(".")[-1]]
            hint = f"; did you mean {close[0]!r}?" if close else did_you_mean(path, parameters)
            problems.append(
                Problem(doc.pos(("parameters", path)), f"unknown parameter {path!r}{hint}")
            )
            # Its dates are still checked: a bad one is a mistake of its own.
            for key in overrides:
                if message := _dates_problem(key):
                    problems.append(Problem(doc.pos(("parameters", path, key)), message))
            continue
        values = list(parameter.values)
        for key, raw in overrides.items():
            where = doc.pos(("parameters", path, key))
            if message := _dates_problem(key):
                problems.append(Problem(where, message))
                continue
            span = _parse_dates(str(key))
            assert span is not None  # _dates_problem said it parses
            start, end = span
            override = ParameterValue(
                effective=start,
                value=raw,
                reference=f"scenario {scenario.id}: {scenario.title}",
                status=Status.illustrative,
            ).located(where)
            found = check_parameter_value(parameter, override, ruleset)
            if found:
                problems += [Problem(where, message) for message in found]
                continue
            values = _with_override(values, override, end)
        # model_copy does not validate: the values go in as the tuple the model holds.
        changed = parameter.model_copy(update={"values": tuple(values)})
        parameters[path] = changed.located(parameter.source)
    return parameters


def _with_override(
    values: list[ParameterValue], override: ParameterValue, end: date | None
) -> list[ParameterValue]:
    """Dated values with ``override`` in force from its date (until ``end``, if given)."""
    start = override.effective
    kept = [v for v in values if v.effective < start]
    out = [*kept, override]
    if end is not None:
        resume = end + timedelta(days=1)
        in_force = [v for v in values if v.effective <= resume]
        if in_force:
            back = in_force[-1]
            out.append(back.model_copy(update={"effective": resume}).located(back.source))
        out += [v for v in values if v.effective > resume]
    return out


def _apply_forecast(
    scenario: Scenario, inputs: Inputs, years: list[int], problems: list[Problem]
) -> Inputs:
    national = dict(inputs.national)
    regional = dict(inputs.regional)
    doc = scenario.doc
    for name, changes in scenario.file.forecast.items():
        loc = ("forecast", name)
        if name.startswith("national."):
            series = national.get(name.removeprefix("national."))
            if series is None:
                known = ["national." + s for s in sorted(national)]
                hint = did_you_mean(name, known) or f"; known: {', '.join(known)}"
                problems.append(Problem(doc.pos(loc), f"unknown national series {name!r}{hint}"))
                _check_years(changes, years, doc, loc, problems)
                continue
            values = _changed(series.values, series.growth, changes, years, doc, loc, problems)
            if values is not None:
                national[series.id] = dataclasses.replace(series, values=values)
            continue
        indicator = regional.get(name)
        if indicator is None:
            hint = did_you_mean(name, [*regional, *("national." + s for s in national)])
            problems.append(
                Problem(
                    doc.pos(loc),
                    f"unknown forecast {name!r}: expected national.<series> "
                    f"or a regional indicator ({', '.join(sorted(regional))}){hint}",
                )
            )
            _check_years(changes, years, doc, loc, problems)
            continue
        by_region = {}
        # The same change applies to every region: a mistake in it is reported once.
        found: list[Problem] = []
        for region_id, by_year in indicator.values.items():
            changed = _changed(
                by_year, indicator.growth, changes, years, doc, loc, found, allow_value=False
            )
            if changed is None:
                break
            by_region[region_id] = changed
        else:
            regional[name] = dataclasses.replace(indicator, values=by_region)
        problems.extend(p for i, p in enumerate(found) if p not in found[:i])
    return dataclasses.replace(inputs, national=national, regional=regional)


def _years_of(key: int | str, years: list[int]) -> list[int] | None:
    if isinstance(key, int):
        return [key]
    match = _YEAR_RANGE.fullmatch(key)
    if not match:
        return None
    first = int(match.group(1))
    last = int(match.group(2)) if match.group(2) else max([*years, first])
    return list(range(first, last + 1))


def _check_years(
    changes: dict[int | str, ForecastChange],
    years: list[int],
    doc: YamlDoc,
    loc: tuple[Any, ...],
    problems: list[Problem],
) -> None:
    """The checks of a forecast's changes that need no series: for an unknown one."""
    for key, change in changes.items():
        if message := _change_problem(key, change, years):
            problems.append(Problem(doc.pos((*loc, key)), message))


def _change_problem(key: int | str, change: ForecastChange, years: list[int]) -> str | None:
    if _years_of(key, years) is None:
        return f"{key!r} is not a year or a range (2026, 2026..2030, 2026..)"
    if (change.change is None) == (change.value is None):
        return "give exactly one of change (relative) or value (won)"
    if change.change is not None and change.change <= -1:
        result = "zero" if change.change == -1 else "negative"
        return (
            f"change {change.change} would make the value {result}: "
            "a change must be more than -1 (-100%)"
        )
    return None


def _changed(
    values: dict[int, int],
    growth: Any,
    changes: dict[int | str, ForecastChange],
    years: list[int],
    doc: YamlDoc,
    loc: tuple[Any, ...],
    problems: list[Problem],
    allow_value: bool = True,
) -> dict[int, int] | None:
    # Materialise every year the projection needs, then change the ones the scenario names.
    wanted = sorted(set(years) | set(values))
    wanted = [y for y in wanted if y >= min(values)]
    full, missing = extend(values, growth, wanted)
    if full is None:
        problems.append(Problem(doc.pos(loc), f"cannot change this forecast: {missing}"))
        return None
    out = dict(zip(wanted, full, strict=True))
    for key, change in changes.items():
        where = doc.pos((*loc, key))
        span = _years_of(key, years)
        if message := _change_problem(key, change, years):
            problems.append(Problem(where, message))
            continue
        if change.value is not None and not allow_value:
            problems.append(
                Problem(where, "a regional indicator takes a relative change, not a value")
            )
            continue
        assert span is not None  # _change_problem said it reads
        for year in span:
            if year not in out:
                problems.append(Problem(where, f"year {year} is outside the inputs and projection"))
                break
            if change.value is not None:
                out[year] = change.value
            elif change.change is not None:
                out[year] = round(Fraction(out[year]) * (1 + Fraction(change.change)))
    return out


def _apply_agreements(
    scenario: Scenario, ruleset: Ruleset, problems: list[Problem]
) -> list[Agreement]:
    changes = scenario.file.agreements
    agreements = list(ruleset.agreements)
    if changes is None:
        return agreements
    doc = scenario.doc
    known = {a.id for a in agreements}
    for index, agreement_id in enumerate(changes.remove):
        if agreement_id not in known:
            hint = did_you_mean(agreement_id, sorted(known))
            problems.append(
                Problem(
                    doc.pos(("agreements", "remove", index)),
                    f"unknown agreement {agreement_id!r}{hint}",
                )
            )
    agreements = [a for a in agreements if a.id not in set(changes.remove)]
    ministries = {m.id for m in ruleset.ministries} or None
    for agreement_id, amendments in changes.amend.items():
        loc: tuple[Any, ...] = ("agreements", "amend", agreement_id)
        current = next((a for a in agreements if a.id == agreement_id), None)
        if current is None:
            hint = did_you_mean(agreement_id, sorted(a.id for a in agreements))
            problems.append(Problem(doc.pos(loc), f"unknown agreement {agreement_id!r}{hint}"))
            continue
        if not amendments:  # none (or none readable, already reported): nothing to amend
            continue
        base = len(current.amendments)
        for i, amendment in enumerate(amendments):
            amendment.located(doc.pos((*loc, i)))
        status = "amended" if current.status == "signed" else current.status
        amended = current.model_copy(
            update={"amendments": (*current.amendments, *amendments), "status": status}
        ).located(current.source)
        problems += check_agreement(
            amended, _Shifted(doc, loc, base, current.source), ruleset, ministries, True
        )
        agreements = [amended if a.id == agreement_id else a for a in agreements]
    for index, agreement in enumerate(changes.add):
        loc = ("agreements", "add", index)
        agreement.located(doc.pos(loc))
        for i, project in enumerate(agreement.projects):
            project.located(doc.pos((*loc, "projects", i)))
        for i, amendment in enumerate(agreement.amendments):
            amendment.located(doc.pos((*loc, "amendments", i)))
        if agreement.id in {a.id for a in agreements}:
            problems.append(
                Problem(doc.pos((*loc, "id")), f"agreement {agreement.id!r} already exists")
            )
            continue
        problems += check_agreement(agreement, _Within(doc, loc), ruleset, ministries, True)
        agreements.append(agreement)
    return agreements


@dataclasses.dataclass(frozen=True)
class _Within:
    """Positions of an agreement written inside the scenario file."""

    doc: YamlDoc
    prefix: tuple[Any, ...]

    def pos(self, loc: tuple[Any, ...] = ()) -> SourcePos:
        return self.doc.pos((*self.prefix, *loc))


@dataclasses.dataclass(frozen=True)
class _Shifted:
    """Positions of an agreement whose later amendments come from the scenario file."""

    doc: YamlDoc
    prefix: tuple[Any, ...]
    first_new: int
    original: SourcePos

    def pos(self, loc: tuple[Any, ...] = ()) -> SourcePos:
        if len(loc) >= 2 and loc[0] == "amendments" and loc[1] >= self.first_new:
            return self.doc.pos((*self.prefix, loc[1] - self.first_new, *loc[2:]))
        return self.original
