"""Input files as workbook rows, and workbook rows back as input files.

``national.yaml`` becomes two sheets: National (its description) and Series (one row
per national series, its years across). Each ``regional/<indicator>.yaml`` becomes one
row of Indicators (label, unit, status, source, growth) and one row per region on
Regional (the years across).

The import merges what the workbook says into what the folder holds: a series or
indicator in the workbook replaces its namesake; one that the template was prefilled
with and that is gone from the workbook is removed; one the workbook never showed
(a blank template used to add a new series) is kept. Existing entries keep their place
in the file, so reordering rows in Excel does not reorder the YAML. This module reads
and writes no file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from fiscal.errors import Problem, SourcePos
from fiscal.excel.celldoc import CellDoc
from fiscal.excel.sheet_layout import INDICATORS, NATIONAL, REGIONAL, SERIES
from fiscal.excel.sheet_table import Row, Table
from fiscal.rules.input_files import IndicatorFile, NationalFile, SeriesFile
from fiscal.rules.names import Known, Names, did_you_mean
from fiscal.rules.types import Status, Unit
from fiscal.source.validation import problems_from

SheetRows = dict[str, list[list[object]]]
UNITS: tuple[str, ...] = tuple(u.value for u in Unit)
STATUSES: tuple[str, ...] = tuple(s.value for s in Status)


# --- template direction ---------------------------------------------------------------------


def year_span(values: list[dict[int, int]]) -> list[int]:
    """Every year from the first to the last that any series holds; empty when none does."""
    years = [y for v in values for y in v]
    return list(range(min(years), max(years) + 1)) if years else []


def series_data(spec: SeriesFile | IndicatorFile) -> dict[str, Any]:
    """A series or indicator as file data, in the files' key order."""
    data: dict[str, Any] = {
        "label": {"en": spec.label.en, "ko": spec.label.ko},
        "unit": spec.unit.value,
        "status": spec.status.value,
        "source": spec.source,
    }
    if spec.note is not None:
        data["note"] = spec.note
    if spec.growth is not None:
        data["growth"] = spec.growth
    if isinstance(spec, SeriesFile):
        data["values"] = dict(spec.values)
    else:
        data["values"] = {r: dict(v) for r, v in spec.values.items()}
    return data


def input_rows(
    national: NationalFile | None,
    indicators: dict[str, IndicatorFile],
    default_years: list[int],
) -> tuple[SheetRows, list[int], list[int]]:
    """Rows of each sheet, and the year columns of Series and of Regional."""
    rows: SheetRows = {NATIONAL.name: [], SERIES.name: [], INDICATORS.name: [], REGIONAL.name: []}
    series = national.series if national else {}
    series_years = year_span([dict(s.values) for s in series.values()]) or default_years
    regional_years = (
        year_span([dict(v) for ind in indicators.values() for v in ind.values.values()])
        or default_years
    )
    if national is not None:
        rows[NATIONAL.name].append([national.description])
    for series_id, spec in series.items():
        rows[SERIES.name].append(
            [*_meta_row(series_id, spec), *(spec.values.get(y) for y in series_years)]
        )
    for indicator_id, ind in indicators.items():
        rows[INDICATORS.name].append(_meta_row(indicator_id, ind))
        for region_id, by_year in ind.values.items():
            rows[REGIONAL.name].append(
                [indicator_id, region_id, *(by_year.get(y) for y in regional_years)]
            )
    return rows, series_years, regional_years


def _meta_row(entry_id: str, spec: SeriesFile | IndicatorFile) -> list[object]:
    return [
        entry_id,
        spec.label.en,
        spec.label.ko,
        spec.unit.value,
        spec.status.value,
        spec.source,
        spec.note,
        spec.growth,
    ]


# --- import direction -----------------------------------------------------------------------


@dataclass
class Existing:
    """What the inputs folder holds now (as file data), for the merge."""

    description: str | None = None
    series: dict[str, dict[str, Any]] = field(default_factory=dict)
    indicators: dict[str, dict[str, Any]] = field(default_factory=dict)
    national_file: bool = False


@dataclass
class Prefilled:
    """What the template showed when it was made (from its hidden sheet)."""

    description: bool = False
    series: set[str] = field(default_factory=set)
    indicators: set[str] = field(default_factory=set)


@dataclass
class InputsRead:
    """What the input sheets of a filled-in template say to write.

    - ``national``: the new ``national.yaml``; None to leave it as it is.
    - ``indicators``: regional indicator files to write, by id.
    - ``removed``: indicator files the template showed and the person deleted.
    - ``problems``: every cell that could not be read or checked, with its Sheet!Cell.
    """

    national: dict[str, Any] | None  # None: leave national.yaml as it is
    indicators: dict[str, dict[str, Any]]  # to write
    removed: list[str]  # indicator files to delete
    problems: list[Problem]


def inputs_from_tables(
    tables: dict[str, Table],
    region_ids: list[str],
    existing: Existing,
    prefilled: Prefilled,
    earlier: list[Problem],
) -> InputsRead:
    """Turn the National, Series, Indicators and Regional tables into input files.

    A cell already reported in ``earlier`` is not reported again by the file checks.
    """
    problems: list[Problem] = []
    national_table, series_table = tables[NATIONAL.name], tables[SERIES.name]
    indicators_table, regional_table = tables[INDICATORS.name], tables[REGIONAL.name]
    cell_problems = {p.where for p in earlier}

    description: str | None = None
    description_row: Row | None = None
    for index, row in enumerate(national_table.rows):
        if index:
            problems.append(
                Problem(
                    national_table.pos(row, "description"),
                    "national.yaml has one description: put it in one cell, on row 4",
                )
            )
            continue
        description_row = row
        value = row.value("description")
        description = value if isinstance(value, str) else None

    series: dict[str, dict[str, Any]] = {}
    docs: dict[str, CellDoc] = {}
    series_rows: dict[str, int] = {}
    for row in series_table.rows:
        built = _meta(series_table, row, "series", series_rows, problems)
        if built is None:
            continue
        series_id, data, doc = built
        values = _years(series_table, row, problems)
        if values is not None:
            data["values"] = values
            for year in values:
                doc.put(("values", year), series_table.year_pos(row, year))
            series[series_id] = data
            docs[series_id] = doc

    indicators: dict[str, dict[str, Any]] = {}
    indicator_rows: dict[str, int] = {}
    for row in indicators_table.rows:
        built = _meta(indicators_table, row, "indicator", indicator_rows, problems)
        if built is None:
            continue
        indicator_id, data, doc = built
        data["values"] = {}
        indicators[indicator_id] = data
        docs[f"regional/{indicator_id}"] = doc
    broken: set[str] = set()
    seen_regions: dict[tuple[str, str], int] = {}
    for row in regional_table.rows:
        named, region = row.value("indicator"), row.value("region")
        if not isinstance(named, str) or not isinstance(region, str):
            continue
        indicator_id, region_id = named, region
        target = indicators.get(indicator_id)
        if target is None:
            if indicator_id not in indicator_rows:
                problems.append(
                    Problem(
                        regional_table.pos(row, "indicator"),
                        f"unknown indicator {indicator_id!r}"
                        f"{did_you_mean(indicator_id, indicator_rows)}: add its row on the "
                        "Indicators sheet",
                    )
                )
            continue
        if region_id not in region_ids:
            problems.append(
                Problem(
                    regional_table.pos(row, "region"),
                    Names("region", (Known(r) for r in region_ids)).unknown(region_id),
                )
            )
            broken.add(indicator_id)
            continue
        if (indicator_id, region_id) in seen_regions:
            problems.append(
                Problem(
                    regional_table.pos(row, "region"),
                    f"{indicator_id} already has a row for {region_id} (row "
                    f"{seen_regions[(indicator_id, region_id)]})",
                )
            )
            broken.add(indicator_id)
            continue
        seen_regions[(indicator_id, region_id)] = row.number
        values = _years(regional_table, row, problems) if row.usable else None
        if values is None:
            broken.add(indicator_id)
            continue
        target["values"][region_id] = values
        doc = docs[f"regional/{indicator_id}"]
        doc.put(("values", region_id), regional_table.pos(row, "region"))
        for year in values:
            doc.put(("values", region_id, year), regional_table.year_pos(row, year))
    for indicator_id, data in indicators.items():
        if indicator_id in broken:
            continue
        missing = [r for r in region_ids if r not in data["values"]]
        if missing:
            problems.append(
                Problem(
                    indicators_table.pos(indicator_rows[indicator_id], "indicator"),
                    f"no values for region(s) {', '.join(missing)}: add a row for each on the "
                    "Regional sheet",
                )
            )
            broken.add(indicator_id)
        else:
            order = [r for r in existing.indicators.get(indicator_id, {}).get("values", {})]
            data["values"] = {
                r: data["values"][r]
                for r in [*[r for r in order if r in data["values"]], *data["values"]]
            }

    # The same models as `fiscal validate`, at the cells.
    for series_id, data in series.items():
        problems += _check(SeriesFile, data, docs[series_id], cell_problems)
    for indicator_id, data in indicators.items():
        if indicator_id not in broken:
            problems += _check(IndicatorFile, data, docs[f"regional/{indicator_id}"], cell_problems)

    national: dict[str, Any] | None = None
    if series or description is not None or prefilled.series or prefilled.description:
        merged = _merge(existing.series, series, prefilled.series)
        text = description if description is not None else existing.description
        if description is None and (prefilled.description or not existing.national_file):
            where = (
                national_table.pos(description_row, "description")
                if description_row is not None
                else SourcePos.cell(NATIONAL.name, 4, 1)
            )
            problems.append(Problem(where, "missing description: national.yaml needs one"))
        if not merged:
            problems.append(
                Problem(
                    SourcePos.cell(SERIES.name, 4, 1),
                    "no national series left: national.yaml needs at least one",
                )
            )
        national = {"description": text, "series": merged}
        if not problems:
            try:
                NationalFile.model_validate(national)
            except ValidationError as exc:  # pragma: no cover - each part was checked above
                problems += problems_from(exc, CellDoc.new(SourcePos.cell(SERIES.name, 4, 1)))
    removed = [i for i in existing.indicators if i in prefilled.indicators and i not in indicators]
    return InputsRead(national, indicators, removed, problems)


def _merge(
    existing: dict[str, dict[str, Any]], new: dict[str, dict[str, Any]], prefilled: set[str]
) -> dict[str, dict[str, Any]]:
    """Existing entries in their order (replaced, kept, or dropped if prefilled and gone),
    then the new ones in workbook order."""
    out: dict[str, dict[str, Any]] = {}
    for key, value in existing.items():
        if key in new:
            out[key] = new[key]
        elif key not in prefilled:
            out[key] = value
    for key, value in new.items():
        out.setdefault(key, value)
    return out


def _meta(
    table: Table,
    row: Row,
    id_key: str,
    seen: dict[str, int],
    problems: list[Problem],
) -> tuple[str, dict[str, Any], CellDoc] | None:
    """The label, unit, status, source, note and growth of a series or indicator row."""
    entry_id = row.value(id_key)
    if not isinstance(entry_id, str):
        return None
    if entry_id in seen:
        problems.append(
            Problem(
                table.pos(row, id_key),
                f"{id_key} {entry_id!r} is already on row {seen[entry_id]}; list each once",
            )
        )
        return None
    seen[entry_id] = row.number
    ok = row.usable
    for key, allowed in (("unit", UNITS), ("status", STATUSES)):
        value = row.value(key)
        if value is not None and value not in allowed:
            problems.append(
                Problem(table.pos(row, key), f"{key} {value!r} is not one of: {', '.join(allowed)}")
            )
            ok = False
    if not ok:
        return None
    data: dict[str, Any] = {
        "label": {"en": row.value("label_en"), "ko": row.value("label_ko")},
        "unit": row.value("unit"),
        "status": row.value("status"),
        "source": row.value("source"),
    }
    if row.value("note") is not None:
        data["note"] = row.value("note")
    if row.value("growth") is not None:
        data["growth"] = row.value("growth")
    doc = CellDoc.new(table.pos(row, id_key))
    for key, column in (
        ("label", "label_en"),
        ("unit", "unit"),
        ("status", "status"),
        ("source", "source"),
        ("note", "note"),
        ("growth", "growth"),
        ("values", id_key),
    ):
        doc.put((key,), table.pos(row, column))
    doc.put(("label", "en"), table.pos(row, "label_en"))
    doc.put(("label", "ko"), table.pos(row, "label_ko"))
    return entry_id, data, doc


def _years(table: Table, row: Row, problems: list[Problem]) -> dict[int, int] | None:
    """The row's values by year: given years must run without gaps."""
    if not all(p.usable for p in row.years.values()):
        return None
    filled = [y for y in table.years if row.years[y].value is not None]
    if not filled:
        problems.append(
            Problem(
                table.year_pos(row, table.years[0]),
                "no values in any year: fill them or delete the row",
            )
        )
        return None
    gaps = [y for y in range(filled[0], filled[-1] + 1) if row.years[y].value is None]
    for year in gaps:
        problems.append(
            Problem(
                table.year_pos(row, year),
                f"no value for {year} between {filled[0]} and {filled[-1]}: the years of a row "
                "may not have gaps",
            )
        )
    if gaps:
        return None
    return {y: row.years[y].value for y in filled}


def _check(
    model: type[BaseModel], data: dict[str, Any], doc: CellDoc, known: set[SourcePos]
) -> list[Problem]:
    try:
        model.model_validate(data)
    except ValidationError as exc:
        return [p for p in problems_from(exc, doc) if p.where not in known]
    return []
