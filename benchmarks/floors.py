"""The floors the engine is measured against: the same arithmetic without the engine.

Both floors take plain arrays prepared beforehand (no files, no validation, no traces,
no provenance) and compute the same pools, divisions and agreement sums as a
projection of the synthetic national dataset:

- ``numpy_floor``: vectorised numpy, float quotas with largest-remainder correction;
- ``loop_floor``: a straightforward Python loop over governments and agreements.

Simplifications, stated so the comparison stays honest: agreements are spread evenly
or by their schedule shares ignoring amendments, caps and indexation, and each
projection year's parameter values are taken as given numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


@dataclass
class FloorData:
    """Everything a projection reads, as arrays (regions x years unless noted)."""

    vat: I64  # years
    internal: I64  # years
    lct_share: float
    lst_rate: float
    ordinary: float
    special: float
    counted: float
    consumption: I64
    class_weight: F64  # regions
    population: I64
    need: I64
    local_tax: I64
    cost: I64
    subsidy_rate: F64  # regions
    adjust_rate: F64  # regions
    parent: npt.NDArray[np.intp]  # regions: index of the parent, -1 for upper-level
    upper: npt.NDArray[np.bool_]  # regions
    # agreements, flattened: one row per project x party
    party_region: npt.NDArray[np.intp]  # -1 when the party is not a government
    party_share: F64
    party_central: npt.NDArray[np.bool_]
    project_of_party: npt.NDArray[np.intp]
    project_total: I64
    project_first: npt.NDArray[np.intp]  # year index (may be outside the projection)
    project_last: npt.NDArray[np.intp]


def largest_remainder(pool: I64, weights: F64) -> I64:
    """Parts of each pool (per column) by weights: floor, then the largest remainders."""
    total = weights.sum(axis=0)
    quota = np.divide(weights, total, out=np.zeros_like(weights), where=total > 0) * pool
    floor = np.floor(quota)
    parts = floor.astype(np.int64)
    left = (pool - parts.sum(axis=0)).astype(np.int64)
    order = np.argsort(-(quota - floor), axis=0, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(weights.shape[0])[:, None], axis=0)
    result: I64 = parts + (rank < left[None, :]).astype(np.int64)
    return result


def numpy_floor(d: FloorData) -> dict[str, Any]:
    years = d.vat.shape[0]
    upper = d.upper[:, None]
    lct_pool = np.rint(d.vat * d.lct_share).astype(np.int64)
    lct = largest_remainder(lct_pool, d.consumption * d.class_weight[:, None] * upper)
    pool = np.rint(d.internal * d.lst_rate * d.ordinary).astype(np.int64)
    gap = np.maximum(d.need - np.rint((d.local_tax + lct) * d.counted).astype(np.int64), 0)
    grant = np.minimum(largest_remainder(pool, gap.astype(np.float64)), gap)
    special = largest_remainder(
        np.rint(d.internal * d.lst_rate * d.special).astype(np.int64), d.population.astype(float)
    )
    subsidy = np.rint(d.cost * d.subsidy_rate[:, None]).astype(np.int64)
    base = np.rint(d.local_tax * d.adjust_rate[:, None]).astype(np.int64)
    adjustment = np.zeros_like(base)
    for p in np.nonzero(d.upper)[0]:
        kids = np.nonzero(d.parent == p)[0]
        if kids.size:
            adjustment[kids] = largest_remainder(base[p], d.population[kids].astype(float))
    # Agreements: each project's total spread evenly over its years, then by party share.
    span = (d.project_last - d.project_first + 1).astype(np.int64)
    per_year = d.project_total // span
    amounts = np.zeros((d.need.shape[0], years), dtype=np.int64)
    for y in range(years):
        live = (d.project_first <= y) & (d.project_last >= y)
        paid = np.rint(per_year[d.project_of_party] * d.party_share).astype(np.int64)
        mask = live[d.project_of_party] & (d.party_region >= 0)
        np.add.at(amounts[:, y], d.party_region[mask], paid[mask])
    return {
        "lct": lct,
        "grant": grant,
        "special": special,
        "subsidy": subsidy,
        "adjustment": adjustment,
        "agreements": amounts,
    }


def loop_floor(d: FloorData) -> dict[str, Any]:
    regions, years = d.need.shape
    out: dict[str, list[list[int]]] = {
        k: [[0] * years for _ in range(regions)] for k in ("lct", "grant", "subsidy")
    }
    for y in range(years):
        keys = [float(d.consumption[r, y]) * d.class_weight[r] * d.upper[r] for r in range(regions)]
        pool = round(int(d.vat[y]) * d.lct_share)
        total = sum(keys)
        quotas = [pool * k / total for k in keys]
        parts = [int(q) for q in quotas]
        order = sorted(range(regions), key=lambda r: parts[r] - quotas[r])
        for r in order[: pool - sum(parts)]:
            parts[r] += 1
        gaps = []
        for r in range(regions):
            out["lct"][r][y] = parts[r]
            counted = round((int(d.local_tax[r, y]) + parts[r]) * d.counted)
            gaps.append(max(int(d.need[r, y]) - counted, 0))
        grant_pool = round(int(d.internal[y]) * d.lst_rate * d.ordinary)
        gap_total = sum(gaps)
        for r in range(regions):
            out["grant"][r][y] = min(gaps[r], int(grant_pool * gaps[r] / gap_total))
            out["subsidy"][r][y] = round(int(d.cost[r, y]) * d.subsidy_rate[r])
    agreements = [[0] * years for _ in range(regions)]
    for i in range(d.party_region.shape[0]):
        region = int(d.party_region[i])
        if region < 0:
            continue
        project = int(d.project_of_party[i])
        first, last = int(d.project_first[project]), int(d.project_last[project])
        yearly = int(d.project_total[project]) // (last - first + 1)
        for y in range(max(first, 0), min(last, years - 1) + 1):
            agreements[region][y] += round(yearly * float(d.party_share[i]))
    return {**out, "agreements": agreements}
