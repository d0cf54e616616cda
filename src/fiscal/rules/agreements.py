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
    id: Id
    name: Label


class MinistriesFile(FileModel):
    """``ministries.yaml``: the central ministries that may sign agreements."""

    description: str | None = None
    ministries: tuple[Ministry, ...] = Field(min_length=1)


class Party(Located):
    id: Id
    kind: PartyKind
    name: str | None = Field(default=None, description="For private partners: their name.")


class Indexation(FileModel):
    """Later years grow by a yearly rate (e.g. a construction cost index) from a base year."""

    parameter: Text = Field(description="A ratio parameter: the yearly rate of the index.")
    base_year: Year = Field(description="The year whose prices the total is written in.")


class ProjectTerms(FileModel):
    """The terms of a project that an amendment may change (all optional there)."""

    title: Text | None = None
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
    indexation: Indexation | None = None
    central_cap_krw: NonNegativeWon | None = Field(
        default=None,
        description="Most the centre pays over the project; the regions bear any excess.",
    )


class Project(ProjectTerms, Located):
    id: Id
    title: Text
    total_krw: NonNegativeWon
    years: tuple[Year, Year]
    shares: dict[Id, Number] = Field(min_length=1)


class Amendment(Located):
    effective: IsoDate
    reference: Text
    note: str | None = None
    projects: dict[Id, ProjectTerms] = Field(min_length=1)

    @property
    def first_year(self) -> int:
        """The first year the amendment governs: the first 1 January on or after it."""
        d = self.effective
        return d.year if (d.month, d.day) == (1, 1) else d.year + 1


class Agreement(Located):
    """One agreement file."""

    id: Id
    title: Text
    status: AgreementStatus
    signed: IsoDate | None = None
    terminated: IsoDate | None = None
    reference: Text
    evidence: Status = Field(
        default=Status.confirmed,
        description="How far the figures are backed by a published source.",
    )
    description: str | None = None
    parties: tuple[Party, ...] = Field(min_length=1)
    projects: tuple[Project, ...] = Field(min_length=1)
    amendments: tuple[Amendment, ...] = Field(default_factory=tuple)

    @property
    def binding(self) -> bool:
        """Whether the agreement commits money (a proposal does not)."""
        return self.status != "proposed"

    def party(self, party_id: str) -> Party | None:
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
    return Decimal(0) <= value <= Decimal(1)
