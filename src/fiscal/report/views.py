"""What a table of headline figures is about: regions, or groups of them.

A :class:`View` pairs a list of units (regions, mega-regions or region classes) with
their consolidated budget items and headline figures, so every output (terminal,
workbook, comparison) can show any grouping the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from fiscal.engine.consolidation import Grouping, consolidate
from fiscal.engine.indicators import Headline, headline
from fiscal.engine.money import Int64Array
from fiscal.engine.projection import Projection
from fiscal.rules.ruleset import Ruleset
from fiscal.rules.types import RegionClass

By = Literal["region", "upper", "consolidated", "mega-region", "class"]
BY_CHOICES: tuple[By, ...] = ("region", "upper", "consolidated", "mega-region", "class")
_CLASS_LABELS = {
    "capital": ("Capital area", "수도권"),
    "metropolitan": ("Metropolitan cities", "광역시"),
    "province": ("Provinces", "도"),
    "special": ("Special self-governing", "특별자치시·도"),
    "city": ("Cities", "시"),
    "county": ("Counties", "군"),
    "district": ("Autonomous districts", "자치구"),
}


@dataclass(frozen=True)
class Unit:
    """One unit a table shows: a region, a mega-region (초광역권) or a region class.

    - ``id``: its id (a region id, mega-region id or class such as ``metropolitan``).
    - ``en``, ``ko``: its name in English and Korean.
    """

    id: str
    en: str
    ko: str


@dataclass(frozen=True)
class View:
    """A projection grouped into units, ready for any output.

    - ``by``: the grouping (region, upper, consolidated, mega-region, class).
    - ``scenario``: the scenario projected.
    - ``years``: the projection years.
    - ``units``: the rows, in order.
    - ``amounts``: each budget item in won, units x years.
    - ``headline``: totals and the two ratios (재정자립도, 재정자주도) per unit and year.
    """

    by: By
    scenario: str
    years: list[int]
    units: list[Unit]
    amounts: dict[str, Int64Array]  # item -> units x years
    headline: Headline


def grouping(ruleset: Ruleset, by: By) -> Grouping:
    """Which regions make up each unit of a view.

    ``upper`` shows each upper-level region alone; ``consolidated`` shows it together with
    its basic governments. With one tier, both are the same as ``region``.
    """
    regions = ruleset.regions
    if by == "region":
        units = [(r.id, r.name.en, r.name.ko) for r in regions]
        keys: list[str | None] = [r.id for r in regions]
    elif by in ("upper", "consolidated"):
        upper = [r for r in regions if r.tier == "upper"]
        units = [(r.id, r.name.en, r.name.ko) for r in upper]
        keys = [
            r.id if r.tier == "upper" else (r.parent if by == "consolidated" else None)
            for r in regions
        ]
    elif by == "mega-region":
        units = [(m.id, m.name.en, m.name.ko) for m in ruleset.mega_regions]
        keys = [ruleset.mega_region_of(r) for r in regions]
    else:
        present = [c.value for c in RegionClass if any(r.region_class is c for r in regions)]
        units = [(c, *_CLASS_LABELS[c]) for c in present]
        keys = [r.region_class.value for r in regions]
    ids = [u[0] for u in units]
    membership = np.zeros((len(ids), len(regions)), dtype=np.int64)
    for r, key in enumerate(keys):
        if key is not None:
            membership[ids.index(key), r] = 1
    return Grouping(by, ids, [u[1] for u in units], [u[2] for u in units], membership)


def families_closed(ruleset: Ruleset, group: Grouping) -> bool:
    """Whether every basic government sits in the same unit as its parent.

    Only then do transfers between the tiers cancel inside each unit, so they are left
    out of its figures instead of being counted once paid and once received.
    """
    unit_of = {}
    for u in range(group.membership.shape[0]):
        for r in np.nonzero(group.membership[u])[0].tolist():
            unit_of[ruleset.regions[r].id] = u
    return all(
        r.parent in unit_of and unit_of.get(r.id) == unit_of[r.parent]
        for r in ruleset.regions
        if r.tier == "basic"
    )


def view(projection: Projection, ruleset: Ruleset, by: By = "region") -> View:
    """A projection grouped ``by`` units; inter-tier transfers drop out of closed families."""
    group = grouping(ruleset, by)
    amounts = consolidate(projection.amounts, group)
    if ruleset.two_tier and families_closed(ruleset, group):
        for item in ruleset.items:
            if item.inter_tier:
                amounts[item.id] = np.zeros_like(amounts[item.id])
    shape = (len(group.ids), len(projection.years))
    units = [
        Unit(i, e, k) for i, e, k in zip(group.ids, group.labels_en, group.labels_ko, strict=True)
    ]
    return View(
        by=by,
        scenario=projection.scenario,
        years=projection.years,
        units=units,
        amounts=amounts,
        headline=headline(amounts, projection.categories, shape),
    )
