"""Agreement files as the rows of the agreements template (the writing direction).

An agreement file is a tree; the workbook flattens it into six tables that a person
can fill in: Agreements (one row each), Parties, Amendments, Projects (the original
terms of each project, plus one row per amendment that changes it), Shares (cost
shares and the split of central money, by party) and Schedules (by year). Rows of the
terms an amendment changes carry its effective date in their ``amendment`` column.

:func:`agreement_rows` fills the template; the import reads the rows back in
:mod:`fiscal.excel.agreement_tables`. The closed lists (statuses, party kinds, evidence)
are here, beside the rows that use them, for the template's drop-downs and the import's
checks alike. This module reads and writes no file.
"""

from __future__ import annotations

from datetime import date
from typing import Any, get_args

from fiscal.excel.cells import NONE_WORD
from fiscal.excel.sheet_layout import (
    AGREEMENTS,
    AMENDMENTS,
    PARTIES,
    PROJECTS,
    SCHEDULES,
    SHARES,
)
from fiscal.rules.agreements import Agreement, AgreementStatus, PartyKind, ProjectTerms
from fiscal.rules.types import Status

STATUSES: tuple[str, ...] = get_args(AgreementStatus)
KINDS: tuple[str, ...] = get_args(PartyKind)
EVIDENCE: tuple[str, ...] = tuple(s.value for s in Status)

SheetRows = dict[str, list[list[object]]]


class Unrepresentable(Exception):
    """An agreement uses a form the workbook cannot show (so a prefill would lose it)."""


def agreement_rows(agreements: list[Agreement]) -> SheetRows:
    """The rows of every sheet for ``agreements``, in the columns of the sheet specs."""
    rows: SheetRows = {spec.name: [] for spec in (AGREEMENTS, PARTIES, AMENDMENTS, PROJECTS)}
    rows[SHARES.name] = []
    rows[SCHEDULES.name] = []
    for agreement in agreements:
        rows[AGREEMENTS.name].append(
            [
                agreement.id,
                agreement.title,
                agreement.status,
                agreement.signed,
                agreement.terminated,
                agreement.reference,
                agreement.evidence.value,
                agreement.description,
            ]
        )
        for party in agreement.parties:
            rows[PARTIES.name].append([agreement.id, party.id, party.kind, party.name])
        for amendment in agreement.amendments:
            rows[AMENDMENTS.name].append(
                [agreement.id, amendment.effective, amendment.reference, amendment.note]
            )
        for project in agreement.projects:
            _terms_rows(rows, agreement.id, None, project.id, project, original=True)
        for amendment in agreement.amendments:
            for project_id, terms in amendment.projects.items():
                _terms_rows(rows, agreement.id, amendment.effective, project_id, terms)
    return rows


def _terms_rows(
    rows: SheetRows,
    agreement_id: str,
    version: date | None,
    project_id: str,
    terms: ProjectTerms,
    original: bool = False,
) -> None:
    given = set(ProjectTerms.model_fields) if original else set(terms.model_fields_set)
    if not original:
        for name in sorted(given):
            if getattr(terms, name) is None and name not in ("central_cap_krw", "indexation"):
                raise Unrepresentable(
                    f"agreement {agreement_id!r}: the amendment of {version} sets {name} of "
                    f"{project_id!r} to null, which a workbook cannot show"
                )

    def pick(name: str, value: Any) -> Any:
        """The cell for one term: blank when not given, ``none`` when an amendment clears it."""
        if name not in given:
            return None
        return NONE_WORD if value is None and not original else value

    years = terms.years if "years" in given else None
    index = terms.indexation
    rows[PROJECTS.name].append(
        [
            agreement_id,
            version,
            project_id,
            pick("title", terms.title),
            pick("total_krw", terms.total_krw),
            years[0] if years else None,
            years[1] if years else None,
            pick("central_cap_krw", terms.central_cap_krw),
            pick("indexation", index.parameter if index else None),
            index.base_year if index and "indexation" in given else None,
        ]
    )
    shares = terms.shares if "shares" in given and terms.shares is not None else {}
    split = (
        terms.central_to_regions
        if "central_to_regions" in given and terms.central_to_regions is not None
        else {}
    )
    # One row per party holds both figures when the split lists its regions in the order
    # of the shares; otherwise the split gets rows of its own, so its order survives.
    in_order = [p for p in shares if p in split] == list(split)
    for party, share in shares.items():
        rows[SHARES.name].append(
            [
                agreement_id,
                version,
                project_id,
                party,
                share,
                split.get(party) if in_order else None,
            ]
        )
    for party, part in split.items():
        if not in_order or party not in shares:
            rows[SHARES.name].append([agreement_id, version, project_id, party, None, part])
    if "schedule" in given and terms.schedule is not None:
        for year, value in terms.schedule.items():
            rows[SCHEDULES.name].append([agreement_id, version, project_id, year, value, None])
    if "schedule_krw" in given and terms.schedule_krw is not None:
        for year, amount in terms.schedule_krw.items():
            rows[SCHEDULES.name].append([agreement_id, version, project_id, year, None, amount])
