"""Consolidating regions into groups (mega-regions, region classes), exactly to the won.

A grouping is a 0/1 membership matrix (groups x regions); consolidated amounts are
its int64 product with the regions' amounts, so each group's figure is the exact sum
of its regions' figures. Ratios are recomputed from the consolidated sums, never
averaged: a region with no revenue does not pull its group's ratio towards 0, and a
group whose regions have no revenue at all gets undefined ratios
(:attr:`fiscal.engine.indicators.Headline.undefined`), not 0%.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fiscal.engine.money import Int64Array


@dataclass(frozen=True)
class Grouping:
    """Which regions are summed into each group of a view (a mega-region, a class, ...).

    - ``by``: the kind of grouping (region, upper, consolidated, mega-region, class).
    - ``ids``: each group's id, in the order of the membership rows.
    - ``labels_en``, ``labels_ko``: each group's name in English and Korean.
    - ``membership``: groups x regions, 1 where the region belongs to the group.
    """

    by: str  # region | mega-region | class
    ids: list[str]
    labels_en: list[str]
    labels_ko: list[str]
    membership: Int64Array  # groups x regions, 0 or 1, each region in at most one group
    # (a view of the upper tier leaves the basic governments out)


def consolidate(amounts: dict[str, Int64Array], grouping: Grouping) -> dict[str, Int64Array]:
    """Each item's amounts summed over the regions of each group (groups x years)."""
    out: dict[str, Int64Array] = {}
    for item, values in amounts.items():
        summed: Int64Array = (grouping.membership @ values).astype(np.int64)
        out[item] = summed
    return out
