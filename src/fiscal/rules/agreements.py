"""Regional development investment agreements (지역발전투자협약) as rule files.

An agreement binds parties — central ministries, one or more regions, private
partners — to a set of projects. Each project has a total cost in won (at the prices of
its indexation base year, if indexed), a span of years, cost shares by party that sum
to 100%, and a yearly schedule (shares of the total, explicit amounts, or an even
spread). Amendments are dated: from the first 1 January on or after their effective
date they change a project's total, years, shares, schedule or cap, and the years
already past keep what the earlier terms gave them.

The reserved share key ``central`` stands for the centre when the agreement does not
say which ministry pays; every ministry party's share is central money too.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Literal

from pydantic import Field

from fiscal.errors import SourcePos
from fiscal.rules.models import FileModel, Label, Located
from fiscal.rules.types import Id, IsoDate, NonNegativeWon, Number, Status, Text, Year

CENTRAL = "central"
AgreementStatus = Literal["proposed", "signed", "amended", "terminated"]
PartyKind = Literal["ministry", "region", "private"]


class Ministry(Located):
    """A central ministry that may sign agreements (e.g. 국토교통부, MOLIT)."""

    id: Id = Field(description="The ministry's id, which agreements name as a party.")
    name: Label = Field(description="The ministry's name.")


class MinistriesFile(FileModel):
    """``ministries.yaml``: the central ministries that may sign agreements."""

    description: str | None = Field(default=None, description="Free text for the reader.")
    ministries: tuple[Ministry, ...] = Field(min_length=1, description="Every ministry known.")


class Party(Located):
    """One signatory of an agreement: a central ministry, a region or a private partner."""

    id: Id = Field(
        description="A ministry id (ministries.yaml), a region id (regions.yaml), or a private "
        "partner's own id; the key of its cost share."
    )
    kind: PartyKind = Field(
        description="ministry: its share is central money (국비); region: a local share (지방비); "
        "private: a partner, who needs a name."
    )
    name: str | None = Field(default=None, description="For private partners: their name.")


class Indexation(FileModel):
    """Later years grow by a yearly rate (e.g. a construction cost index) from a base year."""

    parameter: Text = Field(description="A ratio parameter: the yearly rate of the index.")
    base_year: Year = Field(description="The year whose prices the total is written in.")


class ProjectTerms(FileModel):
    """The terms of a project that an amendment may change (all optional there)."""

    title: Text | None = Field(default=None, description="The project's name.")
    total_krw: NonNegativeWon | None = Field(default=None, description="Total cost, whole won.")
    years: tuple[Year, Year] | None = Field(default=None, description="[first year, last year].")
    shares: dict[Id, Number] | None = Field(
        default=None, description="Cost share by party id (or 'central'); must sum to 1."
    )
    central_to_regions: dict[Id, Number] | None = Field(
        default=None,
        description=(
            "How the central money is split among the region parties (sums to 1). "
            "Default: in proportion to the regions' own cost shares."
        ),
    )
    schedule: dict[Year, Number] | None = Field(
        default=None, description="Share of the total per year; sums to 1."
    )
    schedule_krw: dict[Year, NonNegativeWon] | None = Field(
        default=None, description="Amount per year in won; sums to the total."
    )
    indexation: Indexation | None = Field(
        default=None,
        description="Raise later years by a price index; the total is at base-year prices.",
    )
    central_cap_krw: NonNegativeWon | None = Field(
        default=None,
        description="Most the centre pays over the project; the regions bear any excess.",
    )


class Project(ProjectTerms, Located):
    """One project of an agreement, with its terms as signed (amendments change them later)."""

    id: Id = Field(description="The project's id, unique in the agreement.")
    title: Text = Field(description="The project's name.")
    total_krw: NonNegativeWon = Field(description="Total cost, whole won.")
    years: tuple[Year, Year] = Field(description="[first year, last year] of spending.")
    shares: dict[Id, Number] = Field(
        min_length=1, description="Cost share by party id (or 'central'); must sum to 1."
    )


class Amendment(Located):
    """A dated change of an agreement's terms; it governs from the first 1 January on or after
    its date, and the years before keep the earlier terms."""

    effective: IsoDate = Field(description="The date the amendment takes effect.")
    reference: Text = Field(description="The amending document.")
    note: str | None = Field(default=None, description="Free text for the reader.")
    projects: dict[Id, ProjectTerms] = Field(
        min_length=1, description="By project id: only the terms that change."
    )

    @property
    def first_year(self) -> int:
        """The first year the amendment governs: the first 1 January on or after it."""
        d = self.effective
        return d.year if (d.month, d.day) == (1, 1) else d.year + 1


class Agreement(Located):
    """One agreement file."""

    id: Id = Field(description="The agreement's id; must be its file name.")
    title: Text = Field(description="The agreement's name.")
    status: AgreementStatus = Field(
        description="proposed (commits no money), signed, amended or terminated."
    )
    signed: IsoDate | None = Field(
        default=None, description="Date of signing; required unless proposed."
    )
    terminated: IsoDate | None = Field(
        default=None, description="Date of termination; required when terminated."
    )
    reference: Text = Field(description="The agreement document or its published source.")
    evidence: Status = Field(
        default=Status.confirmed,
        description="How far the figures are backed by a published source.",
    )
    description: str | None = Field(default=None, description="Free text for the reader.")
    parties: tuple[Party, ...] = Field(min_length=1, description="Who signed; at least one region.")
    projects: tuple[Project, ...] = Field(min_length=1, description="What the money pays for.")
    amendments: tuple[Amendment, ...] = Field(
        default_factory=tuple, description="Later changes, in date order."
    )

    @property
    def binding(self) -> bool:
        """Whether the agreement commits money (a proposal does not)."""
        return self.status != "proposed"

    def party(self, party_id: str) -> Party | None:
        """The party with this id, or None if it did not sign."""
        return next((p for p in self.parties if p.id == party_id), None)

    @property
    def last_paid_year(self) -> int | None:
        """With a termination, the last year paid: the year in force on its 1 January."""
        if self.terminated is None:
            return None
        d = self.terminated
        return d.year - 1 if (d.month, d.day) == (1, 1) else d.year


def amend(project: Project, change: ProjectTerms, source: SourcePos) -> Project:
    """The project's terms with the fields an amendment sets replaced."""
    updates = {name: getattr(change, name) for name in change.model_fields_set}
    if "schedule" in updates:
        updates.setdefault("schedule_krw", None)
    if "schedule_krw" in updates:
        updates.setdefault("schedule", None)
    return project.model_copy(update=updates).located(source)


def terms_in_force(
    project: Project, amendments: Sequence[Amendment]
) -> list[tuple[int | None, Project]]:
    """Each version of a project's terms with the first year it governs (None: from the start)."""
    versions: list[tuple[int | None, Project]] = [(None, project)]
    current = project
    for amendment in amendments:
        change = amendment.projects.get(project.id)
        if change is not None:
            current = amend(current, change, amendment.source)
            versions.append((amendment.first_year, current))
    return versions


def unit_interval(value: Decimal) -> bool:
    """Whether a share lies between 0% and 100%, both included."""
    return Decimal(0) <= value <= Decimal(1)
