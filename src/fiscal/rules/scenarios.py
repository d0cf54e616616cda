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
      population:                            # or one region (by id), then by year
        seoul: {2026: {change: -0.01}}
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
import difflib
import re
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Any

from pydantic import Discriminator, Field, Tag, ValidationError

from fiscal.errors import Problem, SourcePos, UserError
from fiscal.rules.agreement_checks import check_agreement
from fiscal.rules.agreements import Agreement, Amendment
from fiscal.rules.checks import check_parameter_value
from fiscal.rules.inputs import Inputs, extend
from fiscal.rules.models import FileModel, ParameterValue
from fiscal.rules.names import Names, did_you_mean, region_names
from fiscal.rules.ruleset import Ruleset
from fiscal.rules.types import Id, NonNegativeWon, Number, Status, Text
from fiscal.source.validation import problems_from, validate_doc
from fiscal.source.yaml_reader import YamlDoc, load_yaml

_DATE_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})(?:\.\.(\d{4}-\d{2}-\d{2})?)?")
_YEAR_RANGE = re.compile(r"(\d{4})(?:\.\.(\d{4})?)?")


class ForecastChange(FileModel):
    """A change of a forecast for a year or years: give exactly one of change or value."""

    change: Number | None = Field(default=None, description="Relative change: -0.05 is -5%.")
    value: NonNegativeWon | None = Field(
        default=None, description="A new value in won (national series only)."
    )


def _change_or_region(raw: Any) -> str:
    """``{change: ..}`` / ``{value: ..}`` is one change; anything else names a region."""
    if isinstance(raw, dict) and not ({"change", "value"} & set(raw)) and raw:
        return "region"
    return "year"


# Validated as one shape or the other, so a mistake is reported once, in the shape meant.
_Change = Annotated[
    Annotated[ForecastChange, Tag("year")]
    | Annotated[dict[int | str, ForecastChange], Tag("region")],
    Discriminator(_change_or_region),
]


class AgreementChanges(FileModel):
    """Agreements the scenario adds, removes or amends (checked like agreement files)."""

    add: tuple[Agreement, ...] = Field(
        default_factory=tuple, description="Whole agreements, as in agreements/*.yaml."
    )
    remove: tuple[Id, ...] = Field(
        default_factory=tuple, description="Ids of agreements to leave out."
    )
    amend: dict[Id, tuple[Amendment, ...]] = Field(
        default_factory=dict,
        description="By agreement id: amendments added after its own (a signed one becomes "
        "amended).",
    )


class ScenarioFile(FileModel):
    """A scenario: overrides applied on top of the rules and inputs."""

    title: Text = Field(description="What the scenario tests, as reports show it.")
    description: str | None = Field(default=None, description="Free text for the reader.")
    parameters: dict[Text, dict[str, Number | dict[Id, Number]]] = Field(
        default_factory=dict,
        description="By parameter path: new values from a date (YYYY-MM-DD) or over a range "
        "(YYYY-MM-DD..YYYY-MM-DD, then the rules resume).",
    )
    forecast: dict[Text, dict[int | str, _Change]] = Field(
        default_factory=dict,
        description="By national.<series> or regional indicator: changes for a year (2026), "
        "a range (2026..2030) or from a year on (2026..); a regional indicator also by "
        "region, then year.",
    )
    agreements: AgreementChanges | None = Field(
        default=None, description="Agreements added, removed or amended."
    )


_NOWHERE = SourcePos("")


@dataclasses.dataclass(frozen=True, order=False)
class ChangedPos(SourcePos):
    """A figure a scenario changed: the scenario's file:line, and the line it changes.

    Shown as ``scenarios/vat-cut.yaml:4, changing national.yaml:15`` wherever the figure
    is cited (explain, the Ledger), so the cited line holds the value shown. ``years``
    are the years changed (a regional indicator cites one position per region, so the
    years are named too); ``was`` the value each year had before.
    """

    original: SourcePos = _NOWHERE
    years: tuple[int, ...] = ()
    was: tuple[int, ...] = ()
    name_years: bool = False  # one citation for every year of a region: say which changed

    def __str__(self) -> str:
        here = str(self.scenario_pos)
        if self.name_years and self.years:
            first, last = self.years[0], self.years[-1]
            here += f" ({first})" if first == last else f" ({first}-{last})"
        return f"{here}, changing {self.original}" if str(self.original) else here

    # Sorted among plain positions by the place in the file, as SourcePos sorts.
    def _key(self) -> tuple[str, int, int, bool]:
        return (self.file, self.line, self.column, self.sheet)

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, SourcePos):
            return NotImplemented
        return self._key() < (other.file, other.line, other.column, other.sheet)

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, SourcePos):
            return NotImplemented
        return self._key() > (other.file, other.line, other.column, other.sheet)

    @property
    def scenario_pos(self) -> SourcePos:
        """The scenario's own file:line, without the line it changes."""
        return SourcePos(self.file, self.line, self.column, self.sheet)


@dataclasses.dataclass(frozen=True)
class ScenarioChange:
    """One thing a scenario changed, as the workbook's Scenario sheet lists it.

    - ``where``: the scenario's file:line that makes the change.
    - ``kind``: ``parameter``, ``national series``, ``regional indicator``, or ``agreement
      added`` / ``removed`` / ``amended``.
    - ``name``: the parameter path, series (``national.vat_base``), indicator or agreement id.
    - ``region``: the region (or a parameter's part) changed; empty when not regional.
    - ``years``: the year (``2026``), or the dates a parameter value is in force from.
    - ``was`` / ``now``: the value before and after (won, a count or the written decimal);
      ``None`` where there is none (an agreement added or removed, a new parameter part).
    - ``changes``: the line the change replaces (``national.yaml:15``), when there is one.
    """

    where: SourcePos
    kind: str
    name: str
    region: str
    years: str
    was: int | Decimal | None
    now: int | Decimal | None
    changes: SourcePos


@dataclasses.dataclass(frozen=True)
class Scenario:
    """A scenario file as read, ready to apply."""

    id: str  # the file name without .yaml: how reports name the scenario
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
        """``node`` (at ``old``) without its spoilt parts, its line kept under ``new``."""
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
    changed_inputs = _apply_forecast(scenario, inputs, years, problems, region_names(ruleset))
    new_ruleset = dataclasses.replace(ruleset, parameters=parameters)
    new_ruleset = dataclasses.replace(
        new_ruleset, agreements=tuple(_apply_agreements(scenario, new_ruleset, problems))
    )
    if problems:
        raise UserError(problems)
    return new_ruleset, changed_inputs


def scenario_changes(
    scenario: Scenario,
    before: tuple[Ruleset, Inputs],
    after: tuple[Ruleset, Inputs],
) -> tuple[ScenarioChange, ...]:
    """Every change ``scenario`` made to ``before`` to give ``after``, in the file's order.

    Read from what was applied (the positions :class:`ChangedPos` records and the
    parameter values the scenario put in force), so the list says what the projection
    used; sorted by the scenario's line, then name, region and year (deterministic, so
    ``fiscal verify`` writes the same sheet again).
    """
    (rules, inputs), (_, new_inputs) = before, after
    names = region_names(rules)
    found: list[ScenarioChange] = []
    found += _parameter_changes(scenario, rules)
    for series_id, series in new_inputs.national.items():
        old = inputs.national.get(series_id)
        for year, pos in series.sources.items():
            if isinstance(pos, ChangedPos) and old is not None:
                was = pos.was[0] if pos.was else None
                found.append(
                    ScenarioChange(
                        pos.scenario_pos, "national series", f"national.{series_id}", "",
                        str(year), was, series.values.get(year), pos.original,
                    )
                )  # fmt: skip
    for name, indicator in new_inputs.regional.items():
        old_indicator = inputs.regional.get(name)
        if old_indicator is None:
            continue
        for region_id, pos in indicator.sources.items():
            if not isinstance(pos, ChangedPos):
                continue
            old_years = old_indicator.values.get(region_id, {})
            full, _ = extend(old_years, old_indicator.growth, list(pos.years))
            before_values = dict(zip(pos.years, full or [], strict=False))
            lines = _indicator_lines(scenario, name, region_id, list(pos.years), names)
            for year in pos.years:
                found.append(
                    ScenarioChange(
                        lines.get(year, pos.scenario_pos), "regional indicator", name,
                        region_id, str(year),
                        before_values.get(year), indicator.values.get(region_id, {}).get(year),
                        pos.original,
                    )
                )  # fmt: skip
    found += _agreement_changes(scenario)
    return tuple(
        sorted(found, key=lambda c: (c.where.line, c.where.column, c.name, c.region, c.years))
    )


def _indicator_lines(
    scenario: Scenario, name: str, region_id: str, years: list[int], regions: Names
) -> dict[int, SourcePos]:
    """The scenario line that changes each year of one region's indicator: the region's
    own line where it has one, else the line for every region."""
    changes = scenario.file.forecast.get(name, {})
    loc = ("forecast", name)
    common = {k: v for k, v in changes.items() if isinstance(v, ForecastChange)}
    lines = _changed_years(common, years, scenario.doc, loc)
    for key, own in changes.items():
        named = regions.get(str(key))
        if isinstance(own, dict) and (
            str(key).casefold() == region_id.casefold()
            or (named is not None and named.id == region_id)
        ):
            lines.update(_changed_years(own, years, scenario.doc, (*loc, key)))
    return lines


def _parameter_changes(scenario: Scenario, ruleset: Ruleset) -> list[ScenarioChange]:
    out: list[ScenarioChange] = []
    for path, overrides in scenario.file.parameters.items():
        parameter = ruleset.parameters.get(path)
        if parameter is None:
            continue
        for key, raw in overrides.items():
            span = _parse_dates(str(key))
            if span is None:
                continue
            start, end = span
            in_force = [v for v in parameter.values if v.effective <= start]
            before = in_force[-1] if in_force else None
            years = f"{start}..{end}" if end is not None else f"from {start}"
            where = scenario.doc.pos(("parameters", path, key))
            changes = before.source if before is not None else SourcePos("")
            old = before.value if before is not None else None
            if isinstance(raw, dict):
                for part, number in raw.items():
                    was = old.get(part) if isinstance(old, dict) else None
                    out.append(
                        ScenarioChange(
                            where, "parameter", path, part, years, was, Decimal(str(number)),
                            changes,
                        )
                    )  # fmt: skip
            else:
                was = old if isinstance(old, Decimal) else None
                out.append(
                    ScenarioChange(
                        where, "parameter", path, "", years, was, Decimal(str(raw)), changes
                    )
                )
    return out


def _agreement_changes(scenario: Scenario) -> list[ScenarioChange]:
    changes = scenario.file.agreements
    if changes is None:
        return []
    doc, nowhere = scenario.doc, SourcePos("")
    out = [
        ScenarioChange(doc.pos(("agreements", "add", i)), "agreement added", a.id, "", "", None,
                       None, nowhere)
        for i, a in enumerate(changes.add)
    ]  # fmt: skip
    out += [
        ScenarioChange(doc.pos(("agreements", "remove", i)), "agreement removed",
                       agreement_id, "", "", None, None, nowhere)
        for i, agreement_id in enumerate(changes.remove)
    ]  # fmt: skip
    out += [
        ScenarioChange(doc.pos(("agreements", "amend", agreement_id)), "agreement amended",
                       agreement_id, "", "", None, None, nowhere)
        for agreement_id in changes.amend
    ]  # fmt: skip
    return out


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
    scenario: Scenario,
    inputs: Inputs,
    years: list[int],
    problems: list[Problem],
    regions: Names | None = None,
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
            yearly = _by_year(changes, doc, loc, problems)
            values = _changed(series.values, series.growth, yearly, years, doc, loc, problems)
            if values is not None:
                sources = dict(series.sources)
                for year, where in _changed_years(yearly, years, doc, loc).items():
                    if year in values:
                        given = [y for y in series.sources if y <= year] or list(series.sources)
                        original = series.sources.get(year, series.sources[max(given)])
                        was, _ = extend(series.values, series.growth, [year])
                        sources[year] = _cite(where, original, (year,), tuple(was or ()))
                national[series.id] = dataclasses.replace(series, values=values, sources=sources)
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
        common = {k: v for k, v in changes.items() if isinstance(v, ForecastChange)}
        one_region = _regions_named(changes, list(indicator.values), doc, loc, problems, regions)
        by_region = {}
        # The same change applies to every region: a mistake in it is reported once.
        found: list[Problem] = []
        for region_id, by_year in indicator.values.items():
            changed = _changed(
                by_year, indicator.growth, common, years, doc, loc, found, allow_value=False
            )
            if changed is None:
                break
            key, own = one_region.get(region_id, (None, {}))
            if key is not None:  # this region's own change, on top of every region's
                changed = _changed(
                    changed, indicator.growth, own, years, doc, (*loc, key), found, False
                )
                if changed is None:
                    break
            by_region[region_id] = changed
        else:
            changed_years = _changed_years(common, years, doc, loc)
            region_sources = dict(indicator.sources)
            for region_id in by_region:
                where_years = dict(changed_years)
                key, own = one_region.get(region_id, (None, {}))
                if key is not None:
                    where_years.update(_changed_years(own, years, doc, (*loc, key)))
                if not where_years:
                    continue
                # One citation per region: its own line when it has one, else the common.
                where = next(reversed(where_years.values()))
                original = indicator.sources.get(region_id, indicator.source)
                region_sources[region_id] = _cite(
                    where, original, tuple(sorted(where_years)), (), name_years=True
                )
            regional[name] = dataclasses.replace(
                indicator, values=by_region, sources=region_sources
            )
        problems.extend(p for i, p in enumerate(found) if p not in found[:i])
    return dataclasses.replace(inputs, national=national, regional=regional)


def _by_year(
    changes: dict[int | str, ForecastChange | dict[int | str, ForecastChange]],
    doc: YamlDoc,
    loc: tuple[Any, ...],
    problems: list[Problem],
) -> dict[int | str, ForecastChange]:
    """A national series' changes: by year only (it has no regions)."""
    out: dict[int | str, ForecastChange] = {}
    for key, change in changes.items():
        if isinstance(change, ForecastChange):
            out[key] = change
        else:
            problems.append(
                Problem(
                    doc.pos((*loc, key)),
                    f"{key!r}: a national series changes by year (2026: {{change: -0.05}}), "
                    "not by region",
                )
            )
    return out


def _regions_named(
    changes: dict[int | str, ForecastChange | dict[int | str, ForecastChange]],
    region_ids: list[str],
    doc: YamlDoc,
    loc: tuple[Any, ...],
    problems: list[Problem],
    regions: Names | None = None,
) -> dict[str, tuple[int | str, dict[int | str, ForecastChange]]]:
    """One region's changes by its id, English or Korean name (any case):
    ``{seoul: {2026: {change: -0.01}}}``, or ``서울`` for the same region."""
    known = {r.casefold(): r for r in region_ids}
    out: dict[str, tuple[int | str, dict[int | str, ForecastChange]]] = {}
    for key, change in changes.items():
        if isinstance(change, ForecastChange):
            continue
        named = regions.get(str(key)) if regions is not None else None
        region = named.id if named is not None and named.id in region_ids else None
        region = region or known.get(str(key).casefold())
        if region is None:
            close = difflib.get_close_matches(str(key).casefold(), list(known), n=1)
            hint = f"; did you mean {known[close[0]]!r}?" if close else ""
            problems.append(
                Problem(
                    doc.pos((*loc, key)),
                    f"{key!r} is not a year, a range (2026..2030) or a region's id{hint}",
                )
            )
            continue
        if region in out:
            problems.append(Problem(doc.pos((*loc, key)), f"region {region!r} named twice"))
            continue
        out[region] = (key, change)
    return out


def _cite(
    where: SourcePos,
    original: SourcePos,
    years: tuple[int, ...],
    was: tuple[int, ...],
    name_years: bool = False,
) -> ChangedPos:
    return ChangedPos(
        where.file, where.line, where.column, where.sheet, original, years, was, name_years
    )


def _changed_years(
    changes: dict[int | str, ForecastChange], years: list[int], doc: YamlDoc, loc: tuple[Any, ...]
) -> dict[int, SourcePos]:
    """Each year a forecast change names, and the scenario line that changes it."""
    out: dict[int, SourcePos] = {}
    for key in changes:
        for year in _years_of(key, years) or []:
            out[year] = doc.pos((*loc, key))
    return out


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
    changes: dict[int | str, ForecastChange] | dict[int | str, _Change],
    years: list[int],
    doc: YamlDoc,
    loc: tuple[Any, ...],
    problems: list[Problem],
) -> None:
    """The checks of a forecast's changes that need no series: for an unknown one (a
    region's own changes, ``{seoul: {2026: ...}}``, are checked the same way)."""
    for key, change in changes.items():
        if isinstance(change, dict):
            _check_years(change, years, doc, (*loc, key), problems)
        elif message := _change_problem(key, change, years):
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
        """Where ``loc`` of the agreement is written in the scenario file."""
        return self.doc.pos((*self.prefix, *loc))


@dataclasses.dataclass(frozen=True)
class _Shifted:
    """Positions of an agreement whose later amendments come from the scenario file."""

    doc: YamlDoc
    prefix: tuple[Any, ...]
    first_new: int
    original: SourcePos

    def pos(self, loc: tuple[Any, ...] = ()) -> SourcePos:
        """The scenario's line for an amendment it adds; the agreement file's otherwise."""
        if len(loc) >= 2 and loc[0] == "amendments" and loc[1] >= self.first_new:
            return self.doc.pos((*self.prefix, loc[1] - self.first_new, *loc[2:]))
        return self.original
