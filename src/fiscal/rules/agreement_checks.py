"""Checks of agreement files against each other and the rest of the ruleset.

Every problem names the line of the value at fault: a share that does not sum to
100%, a schedule that misses its total, a year outside the project, an unknown region
or ministry, an amendment before signing or after termination.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, Protocol

from fiscal.errors import Problem, SourcePos
from fiscal.rules.agreements import (
    CENTRAL,
    Agreement,
    Project,
    amend,
    unit_interval,
)
from fiscal.rules.names import Known, Names, did_you_mean, region_names
from fiscal.rules.ruleset import Ruleset
from fiscal.rules.types import Unit


class Positions(Protocol):
    """Anything that knows the source position of a place in an agreement (a YamlDoc)."""

    def pos(self, loc: tuple[Any, ...] = ()) -> SourcePos:
        """The file:line of the value at ``loc`` (keys and list indexes from the top)."""
        ...


def check_agreement(
    agreement: Agreement,
    doc: Positions,
    ruleset: Ruleset,
    ministries: set[str] | None,
    regions_known: bool,
) -> list[Problem]:
    """Every problem of one agreement: dates and status, parties, and each project's terms
    as signed and after each amendment, each at the line of the value at fault.

    ``ministries`` is None when the ruleset has no ministries.yaml (ministry parties are
    then not checked); ``regions_known`` is False when regions.yaml did not load.
    """
    problems: list[Problem] = []

    def add(loc: tuple[Any, ...], message: str) -> None:
        """Record a problem at the value ``loc`` of the agreement."""
        problems.append(Problem(doc.pos(loc), message))

    _check_dates(agreement, add)
    party_ids = [p.id for p in agreement.parties]
    region_ids = ruleset.region_ids if regions_known else []
    # A misspelt party (gangwn) is reported once, with a did-you-mean; the shares written
    # under the name it was meant to be (gangwon) are then not also "not a party".
    meant: dict[str, str] = {}

    def misspelt(party_id: str, names: Names) -> str:
        """The message for an unknown party; a single near id that is not itself a party is
        noted as the one meant, so its shares are not also reported as "not a party"."""
        near = names.suggestions(party_id)
        if len(near) == 1 and near[0].id not in party_ids:
            meant[near[0].id] = party_id
        return names.unknown(party_id)

    for index, party in enumerate(agreement.parties):
        if party.id == CENTRAL:
            add(
                ("parties", index, "id"),
                "'central' is reserved for the centre's share; "
                "name a ministry or use the key central in shares",
            )
        if party_ids.count(party.id) > 1 and party_ids.index(party.id) != index:
            add(("parties", index, "id"), f"party {party.id!r} is listed twice")
        if party.kind == "region" and regions_known and party.id not in region_ids:
            add(("parties", index, "id"), misspelt(party.id, region_names(ruleset)))
        if party.kind == "ministry" and ministries is not None and party.id not in ministries:
            known = Names("ministry", (Known(m) for m in sorted(ministries)))
            add(("parties", index, "id"), f"{misspelt(party.id, known)} (see ministries.yaml)")
        if party.kind == "private" and not party.name:
            add(("parties", index), f"private partner {party.id!r} needs a name")
    if not any(p.kind == "region" for p in agreement.parties):
        add(("parties",), "an agreement needs at least one region party")

    project_ids = [p.id for p in agreement.projects]
    for index, project in enumerate(agreement.projects):
        if project_ids.count(project.id) > 1 and project_ids.index(project.id) != index:
            add(("projects", index, "id"), f"project id {project.id!r} is used twice")
        _check_terms(agreement, project, ("projects", index), add, ruleset, meant)
    for index, amendment in enumerate(agreement.amendments):
        for project_id in amendment.projects:
            if project_id not in project_ids:
                add(
                    ("amendments", index, "projects", project_id),
                    "amendment changes "
                    + Names("project", (Known(p) for p in project_ids)).unknown(project_id),
                )
    for project in agreement.projects:
        current = project
        # A mistake the earlier terms already have is reported once, where it is written.
        earlier = {p.message for p in problems}
        for index, amendment in enumerate(agreement.amendments):
            change = amendment.projects.get(project.id)
            if change is None:
                continue
            current = amend(current, change, amendment.source)
            where = ("amendments", index, "projects", project.id)
            found: list[Problem] = []

            def collect(loc: tuple[Any, ...], message: str, into: list[Problem] = found) -> None:
                """Record a problem of the amended terms, kept apart to drop repeats."""
                into.append(Problem(doc.pos(loc), message))

            _check_terms(agreement, current, where, collect, ruleset, meant)
            problems += [p for p in found if p.message not in earlier]
            earlier |= {p.message for p in found}
    return problems


def _check_dates(agreement: Agreement, add: Callable[[tuple[Any, ...], str], None]) -> None:
    if agreement.status != "proposed" and agreement.signed is None:
        add(("status",), f"a {agreement.status} agreement needs its signing date (signed:)")
    if agreement.status == "terminated" and agreement.terminated is None:
        add(("status",), "a terminated agreement needs its termination date (terminated:)")
    if agreement.terminated is not None and agreement.status != "terminated":
        add(("terminated",), f"a termination date is given but the status is {agreement.status}")
    if agreement.status == "amended" and not agreement.amendments:
        add(("status",), "status is amended but there are no amendments")
    if agreement.status == "proposed" and agreement.amendments:
        add(("amendments",), "a proposed agreement cannot have amendments; sign it first")
    signed, ended = agreement.signed, agreement.terminated
    if signed and ended and ended < signed:
        add(("terminated",), f"terminated {ended} is before signing {signed}")
    previous = None
    for index, amendment in enumerate(agreement.amendments):
        if signed and amendment.effective < signed:
            add(
                ("amendments", index, "effective"),
                f"amendment effective {amendment.effective} is before signing {signed}",
            )
        if ended and amendment.effective > ended:
            add(
                ("amendments", index, "effective"),
                f"amendment effective {amendment.effective} is after termination {ended}: "
                "a terminated agreement makes no later payments",
            )
        if previous is not None and amendment.effective <= previous:
            add(
                ("amendments", index, "effective"),
                f"amendments must be in date order; {amendment.effective} is not after {previous}",
            )
        previous = amendment.effective


def _check_terms(
    agreement: Agreement,
    terms: Project,
    base: tuple[Any, ...],
    add: Callable[[tuple[Any, ...], str], None],
    ruleset: Ruleset,
    meant: dict[str, str] | None = None,
) -> None:
    """``meant``: the id a misspelt party was meant to have -> the id written (reported)."""
    first, last = terms.years
    if first > last:
        add((*base, "years"), f"first year {first} is after last year {last}")
    parties = {p.id: p for p in agreement.parties}
    written = {p.id: p.id for p in agreement.parties}
    for intended, typed in (meant or {}).items():
        parties.setdefault(intended, parties[typed])
        written[typed] = intended  # its shares are written under the id it was meant to be
    for party_id, share in terms.shares.items():
        if party_id != CENTRAL and party_id not in parties:
            add(
                (*base, "shares", party_id),
                f"share for {party_id!r}, which is not a party of this agreement"
                + did_you_mean(party_id, [p.id for p in agreement.parties]),
            )
        if not unit_interval(share):
            add((*base, "shares", party_id), f"share {_pct(share)} is outside 0%-100%")
    total_share = sum(terms.shares.values(), Decimal(0))
    if total_share != 1:
        add((*base, "shares"), f"cost shares sum to {_pct(total_share)}; expected 100%")
    regions = [p for p in agreement.parties if p.kind == "region"]
    central = sum(
        (
            v
            for k, v in terms.shares.items()
            if k == CENTRAL or (k in parties and parties[k].kind == "ministry")
        ),
        Decimal(0),
    )
    if terms.central_to_regions is not None:
        for region_id in terms.central_to_regions:
            if region_id not in parties or parties[region_id].kind != "region":
                add(
                    (*base, "central_to_regions", region_id),
                    f"{region_id!r} is not a region party of this agreement",
                )
        split = sum(terms.central_to_regions.values(), Decimal(0))
        if split != 1:
            add(
                (*base, "central_to_regions"), f"central split sums to {_pct(split)}; expected 100%"
            )
    elif central > 0 and len(regions) > 1:
        region_shares = [terms.shares.get(written[r.id], Decimal(0)) for r in regions]
        if not any(region_shares):
            add(
                (*base, "shares"),
                "several regions and none pays a share: say how the "
                "central money is split with central_to_regions",
            )
    if terms.schedule is not None and terms.schedule_krw is not None:
        add((*base, "schedule_krw"), "give schedule (shares per year) or schedule_krw, not both")
    schedule: dict[int, Any] = dict(terms.schedule or terms.schedule_krw or {})
    key = "schedule" if terms.schedule is not None else "schedule_krw"
    for year in schedule:
        if not first <= year <= last:
            add((*base, key, year), f"year {year} is outside the project years {first}-{last}")
    if terms.schedule is not None:
        total = sum(terms.schedule.values(), Decimal(0))
        for year, share in terms.schedule.items():
            if not unit_interval(share):
                add((*base, key, year), f"schedule share {_pct(share)} is outside 0%-100%")
        if total != 1:
            add((*base, key), f"schedule sums to {_pct(total)}; expected 100%")
    if terms.schedule_krw is not None:
        total_krw = sum(terms.schedule_krw.values())
        if total_krw != terms.total_krw:
            add(
                (*base, key),
                f"schedule sums to {total_krw:,} won; the total is {terms.total_krw:,} won",
            )
    if terms.indexation is not None:
        ref = ruleset.resolve(terms.indexation.parameter)
        if ref is None:
            add(
                (*base, "indexation", "parameter"),
                f"unknown parameter {terms.indexation.parameter!r}"
                + did_you_mean(terms.indexation.parameter, ruleset.parameters),
            )
        elif ref.parameter.unit is not Unit.ratio or ref.parameter.breakdown != "scalar":
            add(
                (*base, "indexation", "parameter"),
                f"indexation parameter {ref.text!r} must be a scalar ratio (a yearly rate)",
            )
    if terms.central_cap_krw is not None and not any(
        terms.shares.get(written[r.id]) for r in regions
    ):
        add(
            (*base, "central_cap_krw"),
            "a cap on the central commitment needs a region with a cost share to bear the excess",
        )


def _pct(value: Decimal) -> str:
    return f"{(value * 100).normalize():f}%"
