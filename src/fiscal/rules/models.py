"""The rule files as pydantic models: what a user may write, and nothing else.

Every model forbids unknown keys, so a misspelt key is an error and not silence.
Models that stand for a rule object carry where they came from (``source``) once the
loader has read them; the JSON Schema of these models (``fiscal schema``) lets an
editor check a file as it is typed.

Every model is frozen, and what a file writes as a list a model holds as a tuple
(``tuple[X, ...]``; pydantic turns the YAML list into one, and the JSON Schema still
says "array"), so a loaded ruleset cannot be changed in place: a scenario or a sweep
makes new objects (``model_copy``, which does not validate: give it tuples). Mappings
(a parameter's values by region, an agreement's shares by party, a schedule by year)
stay ``dict``: frozen models cannot be given a new dict, but a dict itself can still be
changed in place, so code must not write into one (none does; it would need to copy).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from fiscal.errors import SourcePos
from fiscal.rules.types import (
    Category,
    Flag,
    Id,
    IsoDate,
    Number,
    RegionClass,
    Status,
    Text,
    Unit,
)

_IN_MEMORY = SourcePos("<memory>")


class FileModel(BaseModel):
    """What every rule and input file model shares: unknown keys are refused, and a read
    file cannot be changed in place."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Located(FileModel):
    """A rule object that remembers the file and line it was read from."""

    # A factory, not a default: pydantic deep-copies a default for every model made,
    # which for a ruleset of thousands of files cost a second.
    _source: SourcePos = PrivateAttr(default_factory=lambda: _IN_MEMORY)

    @property
    def source(self) -> SourcePos:
        """The file, line and column this object was written at (``<memory>`` if made in code)."""
        return self._source

    def located(self, source: SourcePos) -> Self:
        """This object, marked as written at ``source``; the loader calls it once per object."""
        self._source = source
        return self


class Label(FileModel):
    """A name in English and Korean."""

    en: Text = Field(description="The name in English.")
    ko: Text = Field(description="The name in Korean (한국어), as the source writes it.")


# --- ruleset.yaml ---------------------------------------------------------------------------


class ItemDef(Located):
    """A budget line of a region (one row of its budget per year)."""

    id: Id = Field(description="The item's id, which rules name in `item:` and reports show.")
    label: Label = Field(description="The item's name, as budget tables print it.")
    category: Category = Field(description="Where the item counts in the fiscal ratios.")
    from_indicator: Id | None = Field(
        default=None,
        description="Taken as it is from this regional input indicator, not computed by a rule.",
    )
    from_agreements: Literal["central_inflow", "co_funding"] | None = Field(
        default=None,
        description=(
            "Filled from the agreements: central_inflow is the central money a region receives, "
            "co_funding the region's own cost share."
        ),
    )
    inter_tier: Flag = Field(
        default=False,
        description=(
            "A transfer between an upper-level region and its basic governments; left out "
            "of figures that consolidate both tiers."
        ),
    )
    description: str | None = Field(default=None, description="Free text for the reader.")


class Affordability(FileModel):
    """Flag region-years whose obligations pass a share of their own-source revenue."""

    obligations: tuple[Id, ...] = Field(min_length=1, description="Items counted as obligations.")
    limit: Text = Field(description="Ratio parameter: the most of own-source revenue allowed.")


class Measures(FileModel):
    """What decentralisation policy is judged by: the tax ratio and regional disparity."""

    population: Id = Field(description="Regional indicator of population, for per-capita figures.")
    national_tax: Annotated[str, Field(pattern=r"^national\.[a-z0-9_]+$")] = Field(
        description="National series: national taxes before any local share is carved out."
    )
    national_tax_less: tuple[Id, ...] = Field(
        default_factory=tuple,
        description="Items carved out of the national taxes (e.g. local consumption tax).",
    )
    local_taxes: tuple[Id, ...] = Field(min_length=1, description="Items that are local taxes.")


class RulesetManifest(Located):
    """``ruleset.yaml``: what the ruleset is and which budget items it knows."""

    id: Id = Field(description="The ruleset's id, e.g. korea.")
    title: Text = Field(description="The ruleset's name, shown on reports and workbooks.")
    country: Text = Field(description="The country whose law the rules follow.")
    currency: Literal["KRW"] = Field(default="KRW", description="Every amount is in won.")
    description: str | None = Field(default=None, description="Free text for the reader.")
    fiscal_year: Literal["calendar"] = Field(
        default="calendar",
        description=(
            "Fiscal year = calendar year; a parameter's value for a year is the one in force "
            "on 1 January."
        ),
    )
    items: tuple[ItemDef, ...] = Field(
        min_length=1, description="Every budget item a region's budget has, in report order."
    )
    affordability: Affordability | None = Field(
        default=None, description="The check of obligations against own-source revenue."
    )
    measures: Measures | None = Field(
        default=None, description="The series behind the national:local tax ratio and disparity."
    )
    discount_rate: Text | None = Field(
        default=None, description="Ratio parameter: the discount rate for present values."
    )


# --- regions.yaml ---------------------------------------------------------------------------


class MegaRegion(Located):
    """A grouping of regions: one of the "5 poles" or a special self-governing province."""

    id: Id = Field(description="The mega-region's id, which regions name in `mega_region:`.")
    name: Label = Field(description="The mega-region's name.")
    kind: Literal["pole", "special_province"] = Field(
        description="pole: one of the five mega-regions (5극); special_province: one of 3특."
    )


class Region(Located):
    """A local government: upper-level (광역자치단체) or basic (기초자치단체, with a parent)."""

    id: Id = Field(description="The region's id, used by inputs, parameters and agreements.")
    name: Label = Field(description="The government's name (e.g. Busan, 부산광역시).")
    region_class: RegionClass = Field(
        alias="class", description="The class several formulas weight by (e.g. 지방소비세)."
    )
    legal_type: Literal[
        "special_city",
        "metropolitan_city",
        "province",
        "special_self_governing_city",
        "special_self_governing_province",
        "city",
        "county",
        "autonomous_district",
    ] = Field(description="Its legal form: 특별시, 광역시, 도, ... or 시, 군, 자치구.")
    tier: Literal["upper", "basic"] = Field(
        default="upper", description="upper: 광역 (17); basic: 기초 (226), with a parent."
    )
    parent: Id | None = Field(
        default=None, description="For a basic government: the upper-level region it belongs to."
    )
    mega_region: Id | None = Field(
        default=None,
        description="Required for upper-level regions; basic ones take their parent's.",
    )


class RegionsFile(FileModel):
    """``regions.yaml``: the governments the ruleset projects, and their groupings."""

    description: str | None = Field(default=None, description="Free text for the reader.")
    reference: str | None = Field(default=None, description="The published source of the list.")
    mega_regions: tuple[MegaRegion, ...] = Field(
        min_length=1, description="The groupings regions belong to."
    )
    regions: tuple[Region, ...] = Field(min_length=1, description="Every government projected.")


# --- parameters/**.yaml ---------------------------------------------------------------------


class ParameterMetadata(FileModel):
    """What a parameter measures, how it is broken down, and where its figures come from."""

    unit: Unit = Field(description="What the number measures; checked where it is used.")
    breakdown: Literal["scalar", "region", "split"] = Field(
        default="scalar",
        description=(
            "scalar: one number; region: a number per region class or region id "
            "(an id wins over its class); split: named parts that must sum to 1."
        ),
    )
    reference: Text = Field(
        description="The act and article, or the published source of the figure."
    )
    status: Status = Field(
        default=Status.confirmed, description="How far the figures are backed by a source."
    )
    note: str | None = Field(default=None, description="Free text for the reader.")


ParameterNumber = Number
ParameterMapping = dict[Id, Number]


class ParameterValueEntry(FileModel):
    """One dated value of a parameter as written: the figure and, if it differs, its source."""

    value: ParameterNumber | ParameterMapping = Field(
        description=(
            "A number, or (breakdown region or split) a number per region class, region id or part."
        )
    )
    reference: str | None = Field(
        default=None, description="The act or source of this value, if not the parameter's."
    )
    status: Status | None = Field(
        default=None, description="This value's evidence, if not the parameter's."
    )
    note: str | None = Field(default=None, description="Free text for the reader.")


class ParameterFile(FileModel):
    """A named value that changes on dates (OpenFisca's shape)."""

    description: Text = Field(description="What the parameter is, in a budget officer's words.")
    metadata: ParameterMetadata = Field(description="Its unit, breakdown and source.")
    values: dict[IsoDate, ParameterValueEntry] = Field(
        min_length=1, description="Values keyed by the date they take effect (YYYY-MM-DD)."
    )


# --- sharing/ and transfers/ ----------------------------------------------------------------


class Pool(FileModel):
    """A national amount: an input series times one or more shares (applied together, once)."""

    base: Annotated[str, Field(pattern=r"^national\.[a-z0-9_]+$")] = Field(
        description="A national input series, e.g. national.internal_tax."
    )
    shares: tuple[Text, ...] = Field(
        min_length=1, description="Parameter paths multiplied together, e.g. local_shared_tax.rate."
    )


class Key(FileModel):
    """How a pool is divided: a regional indicator, optionally weighted by a parameter."""

    indicator: Id = Field(
        description="The regional indicator each region's part is in proportion to."
    )
    weight: Text | None = Field(
        default=None, description="A parameter with breakdown: region (weight per class or id)."
    )


class RuleBase(Located):
    """What every sharing or transfer rule says: which item it fills and by what law."""

    id: Id = Field(description="The rule's id, unique in the ruleset.")
    item: Id = Field(description="The budget item (in ruleset.yaml) the rule's amounts go to.")
    title: Text = Field(description="The rule's name, as reports show it.")
    description: str | None = Field(default=None, description="Free text for the reader.")
    reference: Text = Field(description="The act and article the rule implements.")
    status: Status = Field(
        default=Status.confirmed, description="How far the rule is backed by a published source."
    )
    tier: Literal["all", "upper", "basic"] = Field(
        default="all",
        description="Which governments take part: all, upper-level (광역) or basic (기초) only.",
    )


class SharingRule(RuleBase):
    """A pool divided among regions in proportion to a key (e.g. 지방소비세)."""

    kind: Literal["sharing"] = Field(description="The kind of rule: a pool shared by a key.")
    pool: Pool = Field(description="The national amount to divide.")
    key: Key = Field(description="What each region's part is in proportion to.")
    recipients: tuple[Id, ...] | None = Field(
        default=None, description="Region ids or classes that take part; all regions if absent."
    )


class FiscalGap(FileModel):
    """A region's fiscal gap (재정부족액): basic fiscal need less the revenue counted against it."""

    need: Id = Field(description="Regional indicator of basic fiscal need (기준재정수요액).")
    revenue: tuple[Id, ...] = Field(
        min_length=1, description="Items or indicators whose sum is the revenue base."
    )
    revenue_counted: Text = Field(
        description="Parameter: the share of the revenue base counted (기준재정수입액)."
    )


class EqualisationRule(RuleBase):
    """An equalisation grant: each region's fiscal gap times one rate that fits the pool."""

    kind: Literal["equalisation"] = Field(description="The kind of rule: an equalisation grant.")
    pool: Pool = Field(description="The national amount paid out, e.g. 보통교부세.")
    fiscal_gap: FiscalGap = Field(description="How each region's gap is measured.")


class MatchingRule(RuleBase):
    """A matching subsidy: the centre pays a rate of a programme's cost; the region the rest."""

    kind: Literal["matching"] = Field(description="The kind of rule: a matching subsidy.")
    cost: Id = Field(description="Regional indicator: cost of the subsidised programmes (won).")
    rate: Text = Field(description="Parameter with breakdown: region: the national rate.")
    co_funding_item: Id = Field(description="Item that receives the region's own share.")


class AdjustmentRule(RuleBase):
    """An upper-level region's adjustment grant (조정교부금) to its own basic governments.

    Each parent's pool is a share of its named taxes; it is divided among its children by
    a key. The parent's payment (``paid_item``) and the children's receipts (``item``)
    are transfers between the tiers: consolidated figures leave both out.
    """

    kind: Literal["adjustment"] = Field(description="The kind of rule: an adjustment grant.")
    taxes: tuple[Id, ...] = Field(
        min_length=1, description="Items of the parent that form the base."
    )
    share: Text = Field(description="Ratio parameter (scalar or by region): share of the base.")
    key: Key = Field(description="How each parent's pool is divided among its children.")
    paid_item: Id = Field(description="The parent's outflow (category obligation).")


Rule = Annotated[
    SharingRule | EqualisationRule | MatchingRule | AdjustmentRule, Field(discriminator="kind")
]


# --- checked parameters (built by the loader) -----------------------------------------------


class ParameterValue(Located):
    """One dated value of a parameter, as written in its file."""

    effective: date = Field(description="The date the value takes effect.")
    value: Decimal | dict[str, Decimal] = Field(
        description="The figure, or a figure per region class, region id or part."
    )
    reference: str | None = Field(default=None, description="Its source, if not the parameter's.")
    status: Status = Field(
        default=Status.confirmed, description="How far it is backed by a published source."
    )


class Parameter(Located):
    """A parameter: its path (``local_consumption_tax.vat_share``) and dated values."""

    path: str = Field(
        description="Its id: the file's path under parameters/, folders joined by dots."
    )
    description: str = Field(description="What the parameter is.")
    unit: Unit = Field(description="What its numbers measure.")
    breakdown: Literal["scalar", "region", "split"] = Field(
        description="One number, a number per region class or id, or parts summing to 1."
    )
    reference: str = Field(description="The act and article, or the published source.")
    status: Status = Field(description="How far it is backed by a published source.")
    values: tuple[ParameterValue, ...] = Field(description="Its values, in date order.")

    @model_validator(mode="after")
    def _ordered(self) -> Parameter:
        dates = [v.effective for v in self.values]
        if dates != sorted(dates):
            raise ValueError("values must be in date order")
        return self

    def in_force(self, year: int) -> ParameterValue | None:
        """The value in force on 1 January of ``year`` (None if none yet)."""
        jan1 = date(year, 1, 1)
        found = None
        for value in self.values:
            if value.effective <= jan1:
                found = value
            else:
                break
        return found
