"""Equalisation grants (보통교부세): fiscal gap times an adjustment rate that fits the pool.

A region's fiscal gap is its basic fiscal need (기준재정수요액) less its basic fiscal
revenue (기준재정수입액). Regions with no gap receive nothing. When the gaps add up to
more than the pool, every gap is scaled by one adjustment rate (조정률 = pool / total
gap) and the pool is divided to the won; no region ever receives more than its gap.
When the pool is larger than all gaps together, each gap is filled and the rest of the
pool is reported as unallocated, never silently handed out.

In a year when no region has a gap the adjustment rate is undefined (nothing to scale):
``rate_undefined`` marks that year and its rate holds 0.0, never NaN; the whole pool is
then unallocated.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fiscal.engine.money import BoolArray, FloatArray, Int64Array, apportion


@dataclass(frozen=True)
class Equalisation:
    """The equalisation grants (보통교부세) of one pool, and how they were reached.

    - ``grants``: each region's grant, whole won, regions x years.
    - ``gaps``: 기준재정수요액 less 기준재정수입액, regions x years; negative for a
      region whose counted revenue exceeds its need (it receives nothing).
    - ``adjustment_rate``: 조정률 each year, pool / total positive gap, at most 1.
    - ``unallocated``: each year, the part of the pool larger than all the gaps.
    - ``rate_undefined``: the years in which no region has a gap (their rate holds 0.0).
    """

    grants: Int64Array  # regions x years
    gaps: Int64Array  # regions x years, may be negative
    adjustment_rate: FloatArray  # years; pool / total positive gap, at most 1
    unallocated: Int64Array  # years; the part of the pool no gap could take
    rate_undefined: BoolArray  # years; no region has a gap, so there is no rate (held as 0.0)


def equalise(pools: Int64Array, need: Int64Array, revenue_counted: Int64Array) -> Equalisation:
    """Divide each year's pool among the regions by their fiscal gaps, never past a gap.

    ``pools`` is per year; ``need`` (기준재정수요액) and ``revenue_counted``
    (기준재정수입액) are regions x years, in won.
    """
    gaps = need - revenue_counted
    positive = np.maximum(gaps, 0)
    total_gap = positive.sum(axis=0)
    grants = apportion(pools, positive, caps=positive)
    unallocated = pools - grants.sum(axis=0)
    # Divided only where there is a gap (the divisor elsewhere is a placeholder 1).
    rate = np.where(total_gap > 0, np.minimum(pools, total_gap) / np.maximum(total_gap, 1), 0.0)
    return Equalisation(grants, gaps, rate, unallocated, total_gap <= 0)
