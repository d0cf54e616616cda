"""A figure with no meaning in some year is named in a warning, never shown as a silent 0."""

from __future__ import annotations

import dataclasses

import numpy as np

from fiscal import api
from fiscal.report.terminal import projection_notes
from fiscal.report.warnings import undefined_figures


def _bundled() -> api.ProjectionResult:
    return api.project(api.load_rules(), api.load_inputs())


def test_the_bundled_projection_has_no_undefined_figure() -> None:
    assert undefined_figures(_bundled().projection) == []


def test_a_region_year_with_no_revenue_is_named_with_its_ratios() -> None:
    projection = _bundled().projection
    mask = np.zeros_like(projection.headline.undefined)
    seoul, y2026 = projection.region_ids.index("seoul"), projection.years.index(2026)
    mask[seoul, y2026] = True
    changed = dataclasses.replace(
        projection, headline=dataclasses.replace(projection.headline, undefined=mask)
    )
    lines = undefined_figures(changed)
    assert lines == [
        "Warning: the fiscal independence and autonomy ratios are undefined where total "
        "revenue is not positive (shown as 0): seoul 2026."
    ]
    assert lines[0] in projection_notes(changed)  # what `fiscal project` prints


def test_years_without_a_local_tax_share_or_a_disparity_are_named() -> None:
    projection = _bundled().projection
    measures = projection.measures
    assert measures is not None
    first = np.zeros_like(measures.share_undefined)
    first[0] = True
    missing = np.zeros_like(measures.population_missing)
    missing[:, 1] = True  # every region in the second year: no disparity that year
    changed = dataclasses.replace(
        projection,
        measures=dataclasses.replace(
            measures,
            share_undefined=first,
            population_missing=missing,
            cv_before_undefined=missing.all(axis=0),
        ),
    )
    lines = undefined_figures(changed)
    year0, year1 = projection.years[0], projection.years[1]
    assert f"the local share of taxes is undefined in {year0} " in lines[0]
    assert "left out of the disparity figures for want of a population: " in lines[1]
    assert lines[1].endswith(" more.")  # 17 region-years: five named, the rest counted
    assert f"(coefficient of variation) is undefined in {year1} " in lines[2]
