"""Figures that have no meaning in some years, said by name rather than shown as 0.

The engine keeps every figure finite: where a ratio's denominator is zero (a region with
no revenue, a year with no taxes, a year with no population counted) it holds 0.0 and
marks the cell undefined (:mod:`fiscal.engine.indicators`, :mod:`fiscal.engine.measures`,
:mod:`fiscal.engine.equalisation`). These lines name each such figure, so a reader never
takes 0% for a measurement.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from fiscal.engine.money import BoolArray
    from fiscal.engine.projection import Projection

_LISTED = 5  # region-years named in one line; the rest are counted


def _cells(mask: BoolArray, regions: list[str], years: list[int]) -> str:
    found = [f"{regions[r]} {years[y]}" for r, y in zip(*np.nonzero(mask), strict=True)]
    more = f" and {len(found) - _LISTED:,} more" if len(found) > _LISTED else ""
    return ", ".join(found[:_LISTED]) + more


def _years(mask: BoolArray, years: list[int]) -> str:
    return ", ".join(str(years[y]) for y in np.flatnonzero(mask))


def undefined_figures(projection: Projection) -> list[str]:
    """One warning line per kind of figure that is undefined somewhere in the projection."""
    regions, years = projection.region_ids, projection.years
    lines = []
    head = projection.headline
    if head.undefined.any():
        lines.append(
            "Warning: the fiscal independence and autonomy ratios are undefined where total "
            f"revenue is not positive (shown as 0): {_cells(head.undefined, regions, years)}."
        )
    measures = projection.measures
    if measures is not None:
        if measures.share_undefined.any():
            lines.append(
                "Warning: the local share of taxes is undefined in "
                f"{_years(measures.share_undefined, years)} (no positive total of taxes)."
            )
        if measures.population_missing.any():
            lines.append(
                "Warning: left out of the disparity figures for want of a population: "
                f"{_cells(measures.population_missing, regions, years)}."
            )
        undefined_cv = measures.cv_before_undefined | measures.cv_after_undefined
        if undefined_cv.any():
            lines.append(
                "Warning: the disparity (coefficient of variation) is undefined in "
                f"{_years(undefined_cv, years)} (no region counted, or no positive mean)."
            )
    return lines
