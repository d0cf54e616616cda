"""Reading an inputs folder: the national forecast and the regional indicators.

Layout of an inputs folder::

    national.yaml             series: national bases (VAT, internal tax, ...), won per year
    regional/<indicator>.yaml one regional indicator: values per region per year

Each file is parsed by the YAML reader and validated against the pydantic models
here; what the engine uses is built into :class:`fiscal.rules.inputs.Inputs`.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from fiscal.errors import Problem, SourcePos, UserError
from fiscal.rules.input_checks import misnamed_files
from fiscal.rules.inputs import Indicator, Inputs, Series
from fiscal.rules.models import FileModel, Label
from fiscal.rules.types import GrowthRate, Id, NonNegativeWon, Status, Text, Unit, Year
from fiscal.source.validation import validate_doc
from fiscal.source.yaml_reader import YamlDoc, load_yaml


class SeriesFile(FileModel):
    """One national series (won per year)."""

    label: Label = Field(description="The series' name, e.g. internal taxes (내국세).")
    unit: Unit = Field(default=Unit.krw, description="What the figures measure.")
    status: Status = Field(description="How far the figures are backed by a published source.")
    source: Text = Field(description="Where the figures come from, or how they were made.")
    note: str | None = Field(default=None, description="Free text for the reader.")
    growth: GrowthRate | None = Field(
        default=None, description="Yearly growth applied after the last given year (0.03 = 3%)."
    )
    values: dict[Year, NonNegativeWon] = Field(
        min_length=1, description="The figure per year, years in order with no gaps."
    )


class NationalFile(FileModel):
    """``national.yaml``: the national forecast, the bases pools are taken from."""

    description: Text = Field(description="What forecast this is and where it comes from.")
    series: dict[Id, SeriesFile] = Field(
        min_length=1, description="By series id (rules name it national.<id>)."
    )


class IndicatorFile(FileModel):
    """One regional indicator: values per region per year."""

    label: Label = Field(description="The indicator's name, e.g. population (인구).")
    unit: Unit = Field(description="What the figures measure.")
    status: Status = Field(description="How far the figures are backed by a published source.")
    source: Text = Field(description="Where the figures come from, or how they were made.")
    note: str | None = Field(default=None, description="Free text for the reader.")
    growth: GrowthRate | None = Field(
        default=None, description="Yearly growth applied after the last given year (0.03 = 3%)."
    )
    values: dict[Id, dict[Year, NonNegativeWon]] = Field(
        min_length=1,
        description="By region id: the figure per year, years in order with no gaps.",
    )


def load_inputs(root: Path) -> Inputs:
    """The inputs folder read and checked; raise :class:`UserError` with every problem."""
    inputs, problems = check_inputs(root)
    if problems or inputs is None:
        raise UserError(problems)
    return inputs


def input_files(root: Path) -> list[Path]:
    """The files an inputs folder is read from: national.yaml, then each regional indicator."""
    files = [root / "national.yaml"]
    if (root / "regional").is_dir():
        files += sorted((root / "regional").glob("*.yaml"))
    return files


def check_inputs(root: Path) -> tuple[Inputs | None, list[Problem]]:
    """Read an inputs folder: what could be read, and every problem found (file:line).

    None only when the folder itself is missing; otherwise the inputs hold whatever files
    validated, so the caller decides whether the problems stop the run.
    """
    problems: list[Problem] = []
    if not root.is_dir():
        what = "not found" if not root.exists() else "is a file; expected an inputs folder"
        return None, [Problem(SourcePos.of(root), f"inputs folder {what}")]
    national: dict[str, Series] = {}
    hashes: dict[str, str] = {}
    doc, found = load_yaml(root / "national.yaml")
    problems += found
    if doc is not None:
        hashes["national.yaml"] = doc.sha256
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
            hashes[path.relative_to(root).as_posix()] = doc.sha256
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
    files = tuple(f for f in input_files(root) if f.is_file())
    return Inputs(root, national, regional, files, hashes), problems


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
