"""Input data: the national forecast and each region's indicators, by year.

What the engine reads: no file models and no YAML here (those are in
:mod:`fiscal.rules.input_files`, which builds these values from an inputs folder).

A series or indicator may stop before the last projection year and give a ``growth``
rate: later years grow from the last given value, rounded half to even to the won.
Figures that are not published are marked ``status: illustrative`` in the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from fiscal.errors import SourcePos
from fiscal.rules.models import Label
from fiscal.rules.types import MAX_WON, Status, Unit

Int64Array = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Series:
    """A yearly series with where each value came from."""

    id: str
    label: Label
    unit: Unit
    status: Status
    source_text: str
    growth: Decimal | None
    values: dict[int, int]
    sources: dict[int, SourcePos]
    source: SourcePos


@dataclass(frozen=True)
class Indicator:
    """A regional indicator (population, basic fiscal need 기준재정수요액, ...): a yearly
    series per region, with the line each region's values were read from."""

    id: str
    label: Label
    unit: Unit
    status: Status
    source_text: str
    growth: Decimal | None
    values: dict[str, dict[int, int]]
    sources: dict[str, SourcePos]
    source: SourcePos


@dataclass(frozen=True)
class Inputs:
    """The inputs of a projection. Immutable: change them with :func:`dataclasses.replace`."""

    root: Path
    national: Mapping[str, Series]
    regional: Mapping[str, Indicator]
    files: tuple[Path, ...] = ()
    # SHA-256 of each file's bytes as read (path relative to root, posix -> hex digest).
    hashes: Mapping[str, str] = field(default_factory=dict, compare=False)
    # Regional arrays already extended over some years, for repeated projections (a
    # sweep, a comparison): owned by this object, so they live as long as it does. Not
    # an init field, so dataclasses.replace starts afresh.
    _arrays: dict[tuple[Any, ...], tuple[Any, Int64Array]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if not isinstance(self.files, tuple):
            object.__setattr__(self, "files", tuple(self.files))

    def last_year(self) -> int:
        """The last year every series and indicator gives without growth."""
        ends = [max(s.values) for s in self.national.values() if s.growth is None]
        for indicator in self.regional.values():
            if indicator.growth is None:
                ends += [max(v) for v in indicator.values.values()]
        if not ends:
            ends = [max(s.values) for s in self.national.values()]
        return min(ends)

    def first_year(self) -> int:
        """The first year every series and indicator gives a value for."""
        starts = [min(s.values) for s in self.national.values()]
        for indicator in self.regional.values():
            starts += [min(v) for v in indicator.values.values()]
        return max(starts)


def extend(
    values: dict[int, int], growth: Decimal | None, years: list[int]
) -> tuple[list[int] | None, str | None]:
    """Values for ``years``: as given, then grown from the last given year.

    Returns the values, or None and what is missing. Growth compounds exactly (a
    fraction) and each year is rounded half to even to the won once, from the last
    given value, so rounding never accumulates.
    """
    first, last = min(values), max(values)
    out = []
    for year in years:
        if year in values:
            out.append(values[year])
        elif year < first:
            return None, f"no value for {year} (values start in {first})"
        elif growth is None:
            return None, f"no value for {year} (values end in {last}; give values or a growth rate)"
        else:
            exact = Fraction(values[last]) * (1 + Fraction(growth)) ** (year - last)
            grown = round(exact)
            if grown > MAX_WON:
                return None, f"grows past the largest amount fiscal holds in {year}"
            out.append(grown)
    return out, None


def national_array(
    inputs: Inputs, series_id: str, years: list[int]
) -> tuple[Int64Array | None, str | None]:
    """A national series in won for ``years`` (grown past its last year if it says how),
    or None and why it cannot be had."""
    series = inputs.national.get(series_id)
    if series is None:
        known = ", ".join(sorted(inputs.national))
        return None, f"no national series {series_id!r} in the inputs (known: {known})"
    values, missing = extend(series.values, series.growth, years)
    if values is None:
        return None, f"national series {series_id!r}: {missing}"
    return np.asarray(values, dtype=np.int64), None


def regional_array(
    inputs: Inputs, indicator_id: str, region_ids: list[str], years: list[int]
) -> tuple[Int64Array | None, str | None]:
    """A regional indicator as a (region, year) array in the order of ``region_ids``, or
    None and why it cannot be had. The caller gets its own copy, free to change."""
    indicator = inputs.regional.get(indicator_id)
    if indicator is None:
        known = ", ".join(sorted(inputs.regional))
        return None, f"no regional indicator {indicator_id!r} in the inputs (known: {known})"
    key = (indicator_id, tuple(region_ids), tuple(years))
    # Keyed by what the array is made of, not by the indicator's identity: an indicator
    # replaced, or its values changed in place, is extended again.
    made_of = (indicator.growth, [indicator.values.get(r) for r in region_ids])
    cached = inputs._arrays.get(key)
    if cached is not None and cached[0] == made_of:
        return cached[1].copy(), None
    rows = []
    for region_id in region_ids:
        by_year = indicator.values.get(region_id)
        if by_year is None:
            return None, f"indicator {indicator_id!r} has no values for region {region_id!r}"
        values, missing = extend(by_year, indicator.growth, years)
        if values is None:
            return None, f"indicator {indicator_id!r}, region {region_id!r}: {missing}"
        rows.append(values)
    array = np.asarray(rows, dtype=np.int64).reshape(len(region_ids), len(years))
    snapshot = (indicator.growth, [dict(by_year) for by_year in made_of[1] if by_year is not None])
    inputs._arrays[key] = (snapshot, array)
    return array.copy(), None
