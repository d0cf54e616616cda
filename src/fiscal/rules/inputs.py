"""Input data: the national forecast and each region's indicators, by year.

Layout of an inputs folder::

    national.yaml             series: national bases (VAT, internal tax, ...), won per year
    regional/<indicator>.yaml one regional indicator: values per region per year

A series or indicator may stop before the last projection year and give a ``growth``
rate: later years grow from the last given value, rounded half to even to the won.
Figures that are not published are marked ``status: illustrative`` in the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import Field

from fiscal.errors import Problem, SourcePos, UserError
from fiscal.rules.models import FileModel, Label
from fiscal.rules.types import MAX_WON, GrowthRate, Id, NonNegativeWon, Status, Text, Unit, Year
from fiscal.source.validation import validate_doc
from fiscal.source.yaml_reader import YamlDoc, load_yaml

Int64Array = npt.NDArray[np.int64]


class SeriesFile(FileModel):
    """One national series (won per year)."""

    label: Label
    unit: Unit = Unit.krw
    status: Status
    source: Text = Field(description="Where the figures come from, or how they were made.")
    note: str | None = None
    growth: GrowthRate | None = Field(
        default=None, description="Yearly growth applied after the last given year (0.03 = 3%)."
    )
    values: dict[Year, NonNegativeWon] = Field(min_length=1)


class NationalFile(FileModel):
    description: Text
    series: dict[Id, SeriesFile] = Field(min_length=1)


class IndicatorFile(FileModel):
    """One regional indicator: values per region per year."""

    label: Label
    unit: Unit
    status: Status
    source: Text
    note: str | None = None
    growth: GrowthRate | None = None
    values: dict[Id, dict[Year, NonNegativeWon]] = Field(min_length=1)


@dataclass
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


@dataclass
class Indicator:
    id: str
    label: Label
    unit: Unit
    status: Status
    source_text: str
    growth: Decimal | None
    values: dict[str, dict[int, int]]
    sources: dict[str, SourcePos]
    source: SourcePos


@dataclass
class Inputs:
    root: Path
    national: dict[str, Series]
    regional: dict[str, Indicator]
    files: list[Path] = field(default_factory=list)
    # Regional arrays already extended over some years, for repeated projections (a
    # sweep, a comparison). Not an init field, so dataclasses.replace starts afresh.
    _arrays: dict[tuple[Any, ...], tuple[Indicator, Int64Array]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

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
        starts = [min(s.values) for s in self.national.values()]
        for indicator in self.regional.values():
            starts += [min(v) for v in indicator.values.values()]
        return max(starts)


def load_inputs(root: Path) -> Inputs:
    inputs, problems = check_inputs(root)
    if problems or inputs is None:
        raise UserError(problems)
    return inputs


def input_files(root: Path) -> list[Path]:
    files = [root / "national.yaml"]
    if (root / "regional").is_dir():
        files += sorted((root / "regional").glob("*.yaml"))
    return files


def check_inputs(root: Path) -> tuple[Inputs | None, list[Problem]]:
    problems: list[Problem] = []
    if not root.is_dir():
        what = "not found" if not root.exists() else "is a file; expected an inputs folder"
        return None, [Problem(SourcePos.of(root), f"inputs folder {what}")]
    national: dict[str, Series] = {}
    doc, found = load_yaml(root / "national.yaml")
    problems += found
    if doc is not None:
        file, found = validate_doc(NationalFile, doc)
        problems += found
        if file is not None:
            for series_id, spec in file.series.items():
                national[series_id] = Series(
                    id=series_id,
                    label=spec.label,
                    unit=spec.unit,
                    status=spec.status,
                    source_text=spec.source,
                    growth=spec.growth,
                    values=dict(spec.values),
                    sources={y: doc.pos(("series", series_id, "values", y)) for y in spec.values},
                    source=doc.pos(("series", series_id)),
                )
                problems += _check_series_years(spec.values, doc, ("series", series_id, "values"))
    regional: dict[str, Indicator] = {}
    folder = root / "regional"
    if not folder.is_dir():
        problems.append(Problem(SourcePos.of(folder), "regional indicators folder not found"))
    else:
        for path in sorted(folder.glob("*.yaml")):
            doc, found = load_yaml(path)
            problems += found
            if doc is None:
                continue
            ind, found = validate_doc(IndicatorFile, doc)
            problems += found
            if ind is None:
                continue
            regional[path.stem] = Indicator(
                id=path.stem,
                label=ind.label,
                unit=ind.unit,
                status=ind.status,
                source_text=ind.source,
                growth=ind.growth,
                values={r: dict(v) for r, v in ind.values.items()},
                sources={r: doc.pos(("values", r)) for r in ind.values},
                source=doc.pos(),
            )
            for region_id, by_year in ind.values.items():
                problems += _check_series_years(by_year, doc, ("values", region_id))
    problems += misnamed_files(root)
    files = [f for f in input_files(root) if f.is_file()]
    return Inputs(root, national, regional, files), problems


def misnamed_files(root: Path) -> list[Problem]:
    from fiscal.rules.input_checks import misnamed_files as check  # it imports this module

    return check(root)


def _check_series_years(
    values: dict[int, int], doc: YamlDoc, loc: tuple[object, ...]
) -> list[Problem]:
    years = list(values)
    problems = []
    if years != sorted(years):
        problems.append(Problem(doc.pos(loc), "years must be listed in increasing order"))
    elif years and years != list(range(years[0], years[-1] + 1)):
        missing = sorted(set(range(years[0], years[-1] + 1)) - set(years))
        problems.append(
            Problem(
                doc.pos(loc), f"years must have no gaps; missing {', '.join(map(str, missing))}"
            )
        )
    return problems


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
    indicator = inputs.regional.get(indicator_id)
    if indicator is None:
        known = ", ".join(sorted(inputs.regional))
        return None, f"no regional indicator {indicator_id!r} in the inputs (known: {known})"
    key = (indicator_id, tuple(region_ids), tuple(years))
    cached = inputs._arrays.get(key)
    if cached is not None and cached[0] is indicator:
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
    inputs._arrays[key] = (indicator, array)
    return array.copy(), None
