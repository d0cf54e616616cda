"""Matching subsidies (국고보조금): the centre pays a rate of each programme's cost."""

from __future__ import annotations

from fiscal.engine.money import Int64Array, RateGrid


def match(cost: Int64Array, rates: RateGrid) -> tuple[Int64Array, Int64Array]:
    """National subsidy and the region's own co-funding, regions x years.

    ``rates`` holds each region's national rate each year. The subsidy is the cost
    times the rate, half to even; the co-funding is the rest, so the two add up to the
    cost.
    """
    subsidy = rates.apply(cost)
    return subsidy, cost - subsidy
