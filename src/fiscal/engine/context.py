"""What a projection reads and what it records while the rules run.

``Context`` looks up the parameter values in force each year (recording every use,
with the years and rules it served, for the Parameters sheet and ``explain``), reads
the input arrays the rules name, and collects problems so they are reported together.
``ItemTrace`` says what made a budget item.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from fiscal.engine.money import Int64Array, RateGrid
from fiscal.errors import Problem, SourcePos
from fiscal.rules.inputs import Inputs, national_array, regional_array
from fiscal.rules.models import Parameter, ParameterValue
from fiscal.rules.ruleset import ParameterRef, Ruleset, value_for_region


@dataclass
class ParameterUse:
    """A parameter value that a projection used, and for which years and rules."""

    ref: str
    parameter: Parameter
    value: ParameterValue
    # Ordered sets (dict keys): thousands of agreements may use the same value.
    years: dict[int, None] = field(default_factory=dict)
    rules: dict[str, None] = field(default_factory=dict)


@dataclass(frozen=True)
class ItemTrace:
    """What made a budget item: a rule or an input, with its file:line."""

    item: str
    kind: str  # input | sharing | equalisation | matching | co_funding
    rule: str  # rule id, or "input:<indicator>"
    source: SourcePos
    formula: str
    inputs: tuple[str, ...] = ()
    parameters: tuple[str, ...] = ()
    region_sources: tuple[SourcePos, ...] = ()  # per region, for items read from inputs
    # Intermediate arrays (regions x years, or years) that explain a figure: key, gap, ...
    details: dict[str, Any] = field(default_factory=dict, compare=False)

    def source_for(self, region_index: int) -> SourcePos:
        """Where this item's figure for one region is written."""
        return self.region_sources[region_index] if self.region_sources else self.source


class Owner(Protocol):
    """Whatever asks for a parameter: a rule or an agreement (named in errors and traces)."""

    @property
    def id(self) -> str:
        """The rule's or agreement's id, as problems and the Parameters sheet name it."""
        ...

    @property
    def source(self) -> SourcePos:
        """Where the rule or agreement is written (file:line), for its problems."""
        ...


@dataclass(frozen=True)
class ManifestOwner:
    """A block of ``ruleset.yaml`` that asks for parameters itself, standing as their owner.

    - ``id``: the block's name, as problems and traces give it (``affordability``,
      ``measures``).
    - ``source``: where ``ruleset.yaml`` is written.
    """

    id: str
    source: SourcePos


class Context:
    """Collects parameter lookups and problems while the rules run."""

    def __init__(self, ruleset: Ruleset, inputs: Inputs, years: list[int]) -> None:
        self.ruleset = ruleset
        self.inputs = inputs
        self.years = years
        self.problems: list[Problem] = []
        self.uses: dict[tuple[str, int], ParameterUse] = {}

    def value(self, ref_text: str, rule: Owner, year: int) -> ParameterValue | None:
        """The value of a parameter in force on 1 January of ``year``, recorded as used by
        ``rule``; None, with a problem naming the rule, when no value is in force yet."""
        ref = self.ruleset.resolve(ref_text)
        assert ref is not None, "references are checked when the ruleset loads"
        value = ref.parameter.in_force(year)
        if value is None:
            first = ref.parameter.values[0].effective
            self.problems.append(
                Problem(
                    rule.source,
                    f"{rule.id!r}: parameter {ref_text!r} has no value in force on "
                    f"1 January {year} (its first value takes effect {first})",
                )
            )
            return None
        use = self.uses.setdefault(
            (ref_text, id(value)), ParameterUse(ref_text, ref.parameter, value)
        )
        use.years[year] = None
        use.rules[rule.id] = None
        return value

    def scalar(self, ref_text: str, rule: Owner) -> list[Fraction]:
        """A one-number parameter (or one part of a split) for each projection year,
        exactly; 0 in a year with no value in force, whose problem is recorded."""
        ref = self.ruleset.resolve(ref_text)
        assert ref is not None
        out = []
        for year in self.years:
            value = self.value(ref_text, rule, year)
            out.append(Fraction(0) if value is None else part_of(ref, value))
        return out

    def at(self, ref_text: str, owner: Owner, year: int) -> Fraction:
        """One scalar value for any year (also outside the projection years)."""
        ref = self.ruleset.resolve(ref_text)
        assert ref is not None
        value = self.value(ref_text, owner, year)
        return Fraction(0) if value is None else part_of(ref, value)

    def by_region(self, ref_text: str, rule: Owner) -> RateGrid:
        """The value for each region and year (a region breakdown, or one number)."""
        ref = self.ruleset.resolve(ref_text)
        assert ref is not None
        if ref.parameter.breakdown != "region":
            return RateGrid.per_year(self.scalar(ref_text, rule), len(self.ruleset.regions))
        distinct: dict[Fraction, int] = {}
        columns: list[npt.NDArray[np.intp]] = []
        column_of: dict[int, npt.NDArray[np.intp]] = {}  # the same value in force: same column
        for year in self.years:
            value = self.value(ref_text, rule, year)
            key = id(value)
            if key not in column_of:
                numbers = [
                    None if value is None else value_for_region(value, region)
                    for region in self.ruleset.regions
                ]
                as_fraction = {n: Fraction(n) for n in set(numbers) if n is not None}
                column_of[key] = np.asarray(
                    [
                        distinct.setdefault(
                            Fraction(0) if n is None else as_fraction[n], len(distinct)
                        )
                        for n in numbers
                    ],
                    dtype=np.intp,
                )
            columns.append(column_of[key])
        index = (
            np.column_stack(columns)
            if columns
            else np.zeros((len(self.ruleset.regions), 0), dtype=np.intp)
        )
        return RateGrid(tuple(distinct), index)

    def national(self, series: str, rule: Owner) -> Int64Array:
        """A national input series (``national.<name>``) in won, one figure per projection
        year; zeros, with a problem naming the rule, when the inputs lack it."""
        array, problem = national_array(self.inputs, series.removeprefix("national."), self.years)
        if array is None:
            self.problems.append(Problem(rule.source, f"rule {rule.id!r}: {problem}"))
            return np.zeros(len(self.years), dtype=np.int64)
        return array

    def regional(self, indicator: str, where: SourcePos, who: str) -> Int64Array:
        """An input indicator for every region and projection year (regions x years);
        zeros, with a problem at ``where`` naming ``who``, when the inputs lack it."""
        array, problem = regional_array(self.inputs, indicator, self.ruleset.region_ids, self.years)
        if array is None:
            self.problems.append(Problem(where, f"{who}: {problem}"))
            return np.zeros((len(self.ruleset.regions), len(self.years)), dtype=np.int64)
        return array


def part_of(ref: ParameterRef, value: ParameterValue) -> Fraction:
    """The number a reference means in a value, exactly: the named part of a split (as in
    ``local_shared_tax.split.ordinary``) or else the value itself."""
    raw = value.value
    if isinstance(raw, dict):
        assert ref.part is not None
        return Fraction(raw[ref.part])
    return Fraction(raw)
