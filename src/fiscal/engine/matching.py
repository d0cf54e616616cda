"""Matching subsidies (국고보조금): the centre pays a rate of each programme's cost."""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from fiscal.engine.money import Int64Array, apply_rate


def match(cost: Int64Array, rates: list[list[Fraction]]) -> tuple[Int64Array, Int64Array]:
    """National subsidy and the region's own co-funding, regions x years.

    ``rates[r][y]`` is region r's national rate in year y. The subsidy is the cost times
    the rate, half to even; the co-funding is the rest, so the two add up to the cost.
    """
    subsidy = np.zeros_like(cost)
    regions, years = cost.shape
    for y in range(years):
        column = [rates[r][y] for r in range(regions)]
        for rate in sorted(set(column)):
            rows = np.asarray([c == rate for c in column])
            subsidy[rows, y] = apply_rate(cost[rows, y], rate)
    return subsidy, cost - subsidy
