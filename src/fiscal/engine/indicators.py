"""Headline figures of a region's budget: totals by category and the two fiscal ratios.

- fiscal independence ratio (재정자립도) = own-source revenue / total revenue
- fiscal autonomy ratio (재정자주도) = (own-source revenue + general grants) / total revenue
- net position after commitments = total revenue - co-funding obligations

A ratio is undefined for a region-year whose total revenue is zero or negative (a
government with no budget that year, or adjustments that took more than it had):
``undefined`` marks those cells, and their ratios hold 0.0 only so that every figure
stays a finite number a workbook can hold. Callers report them (e.g. as a
``ratio-undefined`` warning) rather than show 0% as a measurement.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fiscal.engine.money import BoolArray, FloatArray, Int64Array
from fiscal.rules.types import Category


@dataclass(frozen=True)
class Headline:
    """Regions x years; money in whole won, ratios as floats (in [0, 1] for a budget with
    no negative items). ``undefined`` marks the cells where total revenue is not positive,
    so neither ratio has a meaning; their ratio cells hold 0.0."""

    own_source: Int64Array
    general_grants: Int64Array
    specific_grants: Int64Array
    other_revenue: Int64Array
    total_revenue: Int64Array
    obligations: Int64Array
    net_after_commitments: Int64Array
    independence: FloatArray
    autonomy: FloatArray
    undefined: BoolArray

    MONEY = (
        "own_source",
        "general_grants",
        "specific_grants",
        "other_revenue",
        "total_revenue",
        "obligations",
        "net_after_commitments",
    )
    RATIOS = ("independence", "autonomy")


def headline(
    amounts: dict[str, Int64Array], categories: dict[str, Category], shape: tuple[int, int]
) -> Headline:
    """Total each region's items by category and work out 재정자립도 and 재정자주도.

    ``categories`` names each item's category; ``shape`` is (regions, years), for the
    categories no item falls in.
    """

    def total(category: Category) -> Int64Array:
        """The sum, regions x years, of the items of one category (zero if none)."""
        out = np.zeros(shape, dtype=np.int64)
        for item, values in amounts.items():
            if categories[item] is category:
                out += values
        return out

    own = total(Category.own_source)
    general = total(Category.general_grant)
    specific = total(Category.specific_grant)
    other = total(Category.other_revenue)
    revenue = own + general + specific + other
    obligations = total(Category.obligation)
    return Headline(
        own_source=own,
        general_grants=general,
        specific_grants=specific,
        other_revenue=other,
        total_revenue=revenue,
        obligations=obligations,
        net_after_commitments=revenue - obligations,
        independence=ratio(own, revenue),
        autonomy=ratio(own + general, revenue),
        undefined=revenue <= 0,
    )


def ratio(numerator: Int64Array, denominator: Int64Array) -> FloatArray:
    """A ratio of two won amounts where the denominator is positive; 0.0 elsewhere (an
    undefined ratio, which the caller marks: never NaN or infinity)."""
    result: FloatArray = np.where(denominator > 0, numerator / np.maximum(denominator, 1), 0.0)
    return result
