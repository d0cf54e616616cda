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

By = Literal["region", "mega-region", "class"]
BY_CHOICES: tuple[By, ...] = ("region", "mega-region", "class")
_CLASS_LABELS = {
    "capital": ("Capital area", "수도권"),
    "metropolitan": ("Metropolitan cities", "광역시"),
    "province": ("Provinces", "도"),
    "special": ("Special self-governing", "특별자치시·도"),
}


@dataclass(frozen=True)
class Unit:
    id: str
    en: str
    ko: str


@dataclass(frozen=True)
class View:
    by: By
    scenario: str
    years: list[int]
    units: list[Unit]
    amounts: dict[str, Int64Array]  # item -> units x years
    headline: Headline


def grouping(ruleset: Ruleset, by: By) -> Grouping:
    regions = ruleset.regions
    if by == "region":
        ids = [r.id for r in regions]
        en = [r.name.en for r in regions]
        ko = [r.name.ko for r in regions]
        keys = ids
    elif by == "mega-region":
        ids = [m.id for m in ruleset.mega_regions]
        en = [m.name.en for m in ruleset.mega_regions]
        ko = [m.name.ko for m in ruleset.mega_regions]
        keys = [r.mega_region for r in regions]
    else:
        ids = [c.value for c in RegionClass if any(r.region_class is c for r in regions)]
        en = [_CLASS_LABELS[c][0] for c in ids]
        ko = [_CLASS_LABELS[c][1] for c in ids]
        keys = [r.region_class.value for r in regions]
    membership = np.zeros((len(ids), len(regions)), dtype=np.int64)
    for r, key in enumerate(keys):
        membership[ids.index(key), r] = 1
    return Grouping(by, ids, en, ko, membership)


def view(projection: Projection, ruleset: Ruleset, by: By = "region") -> View:
    group = grouping(ruleset, by)
    amounts = consolidate(projection.amounts, group)
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
