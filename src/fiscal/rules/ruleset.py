"""A checked ruleset: regions, items, parameters and rules, each with its source."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from fiscal.rules.agreements import Agreement, Ministry
from fiscal.rules.models import (
    AdjustmentRule,
    EqualisationRule,
    ItemDef,
    MatchingRule,
    MegaRegion,
    Parameter,
    ParameterValue,
    Region,
    RulesetManifest,
    SharingRule,
)
from fiscal.rules.types import Category

Rule = SharingRule | EqualisationRule | MatchingRule | AdjustmentRule


@dataclass(frozen=True)
class ParameterRef:
    """A reference such as ``local_shared_tax.split.ordinary``: a parameter and maybe a part."""

    parameter: Parameter
    part: str | None = None

    @property
    def text(self) -> str:
        """The reference as a rule file writes it."""
        return self.parameter.path if self.part is None else f"{self.parameter.path}.{self.part}"


@dataclass(frozen=True)
class Ruleset:
    """Everything the engine needs from the rule files, in dependency order.

    Immutable once loaded: change one with :func:`dataclasses.replace` (and a model's
    ``model_copy``), which makes a new ruleset. Caches of derived values (the agreement
    schedules) compare their contents, so a replaced agreement is seen.
    """

    root: Path
    manifest: RulesetManifest
    mega_regions: tuple[MegaRegion, ...]
    regions: tuple[Region, ...]
    parameters: Mapping[str, Parameter]
    rules: tuple[Rule, ...]
    files: tuple[Path, ...] = ()
    ministries: tuple[Ministry, ...] = ()
    agreements: tuple[Agreement, ...] = ()
    # The SHA-256 of each file's bytes as the loader read them (path relative to root,
    # posix -> hex digest), for the workbook's provenance: what was loaded, not what is
    # on disk when the workbook is written.
    hashes: Mapping[str, str] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        # Lists given by a caller become tuples, so nothing can be swapped in place.
        for name in ("mega_regions", "regions", "rules", "files", "ministries", "agreements"):
            value = getattr(self, name)
            if not isinstance(value, tuple):
                object.__setattr__(self, name, tuple(value))

    def agreement(self, agreement_id: str) -> Agreement | None:
        """The agreement with this id, or None."""
        return next((a for a in self.agreements if a.id == agreement_id), None)

    @property
    def region_ids(self) -> list[str]:
        """Region ids in regions.yaml order: the row order of every regional array."""
        return [r.id for r in self.regions]

    @property
    def items(self) -> list[ItemDef]:
        """The budget items of ruleset.yaml, in its order."""
        return list(self.manifest.items)

    def mega_region_of(self, region: Region) -> str:
        """A region's mega-region; a basic government takes its parent's."""
        if region.mega_region is not None:
            return region.mega_region
        parent = self.region(region.parent) if region.parent else None
        return parent.mega_region or "" if parent is not None else ""

    def region(self, region_id: str) -> Region | None:
        """The region with this id, or None."""
        return next((r for r in self.regions if r.id == region_id), None)

    def children(self, region_id: str) -> list[int]:
        """Indexes of the basic governments whose parent is ``region_id``."""
        return [i for i, r in enumerate(self.regions) if r.parent == region_id]

    @property
    def two_tier(self) -> bool:
        """Whether basic governments (기초자치단체) are projected as well as upper-level ones."""
        return any(r.tier == "basic" for r in self.regions)

    def item(self, item_id: str) -> ItemDef:
        """The budget item with this id; KeyError if ruleset.yaml has none."""
        for item in self.manifest.items:
            if item.id == item_id:
                return item
        raise KeyError(item_id)

    def items_in(self, *categories: Category) -> list[str]:
        """Ids of the items in any of ``categories`` (e.g. own-source, for 재정자립도)."""
        return [i.id for i in self.manifest.items if i.category in categories]

    def resolve(self, ref: str) -> ParameterRef | None:
        """Find the parameter a path names; a trailing part names a part of a split."""
        if ref in self.parameters:
            return ParameterRef(self.parameters[ref])
        head, _, part = ref.rpartition(".")
        parameter = self.parameters.get(head)
        if parameter is not None and parameter.breakdown == "split":
            return ParameterRef(parameter, part)
        return None


def value_for_region(value: ParameterValue, region: Region) -> Decimal | None:
    """A region-breakdown value for one region: its id first, then its class."""
    if isinstance(value.value, Decimal):
        return value.value
    by_key = value.value
    if region.id in by_key:
        return by_key[region.id]
    return by_key.get(region.region_class.value)
