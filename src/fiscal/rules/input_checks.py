"""Checks of the inputs that need the rules or the projection years to be known.

The file models (``rules/inputs.py``) check each value on its own: a whole number of
won, a growth rate within bounds. What depends on more than one value is checked here,
before a projection starts, so a projection and ``fiscal validate`` refuse the same
inputs with the same words:

- how far the inputs can be grown: the first year a grown amount would pass the largest
  amount the engine holds (int64), named with the series and its file:line;
- divisors: an indicator that figures are divided by (population, for per-capita
  disparity) must be positive in every region and year, or the figure would be made of
  a zero;
- file names: an indicator saved as ``.yml`` is not read, which would otherwise show
  only as a missing indicator far from its cause.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from fiscal.errors import Problem, SourcePos
from fiscal.rules.inputs import Inputs, extend, regional_array
from fiscal.rules.ruleset import Ruleset
from fiscal.rules.types import MAX_WON, YEAR_MAX, YEAR_MIN


def misnamed_files(root: Path) -> list[Problem]:
    """Input files that would be skipped because of their extension."""
    problems = []
    if (root / "national.yml").is_file() and not (root / "national.yaml").is_file():
        problems.append(
            Problem(SourcePos.of(root / "national.yml"), "rename this file to national.yaml")
        )
    folder = root / "regional"
    if folder.is_dir():
        for path in sorted(folder.glob("*.yml")):
            problems.append(
                Problem(
                    SourcePos.of(path),
                    f"indicator files end in .yaml: rename this file to {path.stem}.yaml "
                    "(it is not read as it is)",
                )
            )
    return problems


def _grown(inputs: Inputs) -> Iterator[tuple[str, dict[int, int], Decimal, SourcePos]]:
    """Every series and region row that grows past its last value: (what, values, growth,
    where)."""
    for series in inputs.national.values():
        if series.growth is not None:
            yield f"national series {series.id!r}", series.values, series.growth, series.source
    for indicator in inputs.regional.values():
        if indicator.growth is None:
            continue
        for region_id, by_year in indicator.values.items():
            where = indicator.sources.get(region_id, indicator.source)
            what = f"indicator {indicator.id!r}, region {region_id!r}"
            yield what, by_year, indicator.growth, where


def _latest_start(inputs: Inputs, start: int) -> tuple[str, SourcePos]:
    """The first series or region row whose values start in ``start``, and where it is."""
    for series in inputs.national.values():
        if min(series.values) == start:
            return f"national series {series.id!r}", series.source
    for indicator in inputs.regional.values():
        for region_id, by_year in indicator.values.items():
            if min(by_year) == start:
                where = indicator.sources.get(region_id, indicator.source)
                return f"indicator {indicator.id!r}, region {region_id!r}", where
    return "the inputs", SourcePos("--from")


def overflow_year(values: dict[int, int], growth: Decimal) -> int | None:
    """The first year the grown value passes :data:`MAX_WON`, or None if it never does."""
    last = max(values)
    start = values[last]
    if growth <= 0 or start == 0:
        return None
    rate = 1 + Fraction(growth)
    # An estimate by logarithms, then the exact test around it (growth is exact).
    years = math.log(MAX_WON / start) / math.log(float(rate))
    n = max(1, int(years) - 1)
    while round(Fraction(start) * rate**n) <= MAX_WON:
        n += 1
    while n > 1 and round(Fraction(start) * rate ** (n - 1)) > MAX_WON:
        n -= 1
    return last + n


def _may_pass_by(values: dict[int, int], growth: Decimal, last: int) -> bool:
    """Whether the grown value could pass :data:`MAX_WON` by ``last``: a float estimate
    with two years to spare, so the exact test (Fractions, costly over thousands of
    series on every projection) runs only for series near the bound."""
    given = max(values)
    start = values[given]
    if growth <= 0 or start <= 0:
        return False
    years = math.log(MAX_WON / start) / math.log1p(float(growth))
    return given + years <= last + 2


def year_problems(inputs: Inputs, first: int, last: int) -> list[Problem]:
    """Why the years ``first``..``last`` cannot be projected with these inputs, if they cannot."""
    problems: list[Problem] = []
    start = inputs.first_year()
    if first < start:
        # Name the series that starts latest, where its values are given, as the
        # projection itself would (it stops at the first series with no value).
        what, where = _latest_start(inputs, start)
        problems.append(
            Problem(
                where,
                f"--from {first}: {what} has no value for {first} (values start in {start}); "
                f"choose {start} or later",
            )
        )
    passes = [
        (year, what, where)
        for what, values, growth, where in _grown(inputs)
        if _may_pass_by(values, growth, last)
        and (year := overflow_year(values, growth)) is not None
        and year <= last
    ]
    if passes:
        year, what, where = min(passes, key=lambda p: (p[0], p[1]))
        problems.append(
            Problem(
                where,
                f"{what} grows past the largest amount fiscal holds ({MAX_WON:,} won) in "
                f"{year}: choose a last year up to {min(year - 1, YEAR_MAX)} (asked for {last})",
            )
        )
    elif last > YEAR_MAX or last < YEAR_MIN:
        problems.append(
            Problem(
                SourcePos("--to"),
                f"last year {last} is outside {YEAR_MIN}-{YEAR_MAX}, the years inputs can be "
                "given or grown to",
            )
        )
    return problems


def divisor_problems(ruleset: Ruleset, inputs: Inputs, years: list[int]) -> list[Problem]:
    """Zero or missing values of an indicator that figures are divided by."""
    measures = ruleset.manifest.measures
    if measures is None:
        return []
    indicator = inputs.regional.get(measures.population)
    if indicator is None:
        return []  # reported by the projection as a missing indicator
    # The common case at once, from the array the projection extends anyway (cached on
    # the inputs): every value above 0. Only a zero is looked for region by region.
    grown, _ = regional_array(inputs, measures.population, ruleset.region_ids, years)
    if grown is not None and bool((grown > 0).all()):
        return []
    problems = []
    for region_id in ruleset.region_ids:
        by_year = indicator.values.get(region_id)
        if by_year is None:
            continue  # reported by the projection as a missing region
        given_years = [y for y in years if y >= min(by_year)]
        values, _ = extend(by_year, indicator.growth, given_years)
        zero = [y for y, v in zip(given_years, values or [], strict=False) if v <= 0]
        if zero:
            given = "" if zero[0] in by_year else f" (grown at {indicator.growth} a year)"
            problems.append(
                Problem(
                    indicator.sources.get(region_id, indicator.source),
                    f"{measures.population} of {region_id!r} is 0 in {zero[0]}{given}; expected "
                    "more than 0: per-person figures (the disparity measures) divide by it",
                )
            )
    return problems


def projection_problems(ruleset: Ruleset, inputs: Inputs, years: list[int]) -> list[Problem]:
    """Everything about the inputs that would make a projection over ``years`` wrong."""
    if not years:
        return []
    return year_problems(inputs, years[0], years[-1]) + divisor_problems(ruleset, inputs, years)
