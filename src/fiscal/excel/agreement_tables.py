"""The agreements template's sheets read back as agreement files (the import direction).

:func:`agreements_from_tables` builds the data of each agreement from the six tables
(Agreements, Parties, Amendments, Projects, Shares, Schedules; see
:mod:`fiscal.excel.agreement_rows` for how a file is flattened into them) in the
canonical key order of the files, with the cell of every value, then runs the same checks
as ``fiscal validate`` (the pydantic model and
:func:`~fiscal.rules.agreement_checks.check_agreement`), so a share that does not sum to
100% is reported at its cell: ``Shares!E7``. This module reads and writes no file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ValidationError

from fiscal.errors import Problem, SourcePos
from fiscal.excel.agreement_rows import EVIDENCE, KINDS, STATUSES
from fiscal.excel.celldoc import CellDoc
from fiscal.excel.cells import NONE_WORD
from fiscal.excel.sheet_layout import (
    AGREEMENTS,
    AMENDMENTS,
    PARTIES,
    PROJECTS,
    SCHEDULES,
    SHARES,
)
from fiscal.excel.sheet_table import Row, Table
from fiscal.rules.agreement_checks import check_agreement
from fiscal.rules.agreements import Agreement
from fiscal.rules.names import did_you_mean
from fiscal.rules.ruleset import Ruleset
from fiscal.source.validation import problems_from

# The order of keys in an agreement file, as fiscal writes them.
AGREEMENT_KEYS = (
    "id",
    "title",
    "status",
    "signed",
    "terminated",
    "reference",
    "evidence",
    "description",
    "parties",
    "projects",
    "amendments",
)
TERMS_KEYS = (
    "id",
    "title",
    "total_krw",
    "years",
    "shares",
    "central_to_regions",
    "schedule",
    "schedule_krw",
    "indexation",
    "central_cap_krw",
)
NULLABLE_IN_AMENDMENT = frozenset({"central_cap_krw", "index_parameter"})


@dataclass
class _Version:
    """The terms of one project, original or as an amendment changes them."""

    terms: dict[str, Any]
    loc: tuple[Any, ...]
    row: Row


@dataclass
class _Build:
    data: dict[str, Any]
    doc: CellDoc
    row: Row
    ok: bool = True
    parties: list[dict[str, Any]] = field(default_factory=list)
    projects: list[dict[str, Any]] = field(default_factory=list)
    amendments: list[dict[str, Any]] = field(default_factory=list)
    amendment_index: dict[date, int] = field(default_factory=dict)
    versions: dict[tuple[date | None, str], _Version] = field(default_factory=dict)
    unreadable_amendment: bool = False  # an Amendments row whose date could not be read


class _Builds(dict[str, _Build]):
    """The agreements being built, by id; and the ids typed in unreadable id cells."""

    def __init__(self) -> None:
        super().__init__()
        self.unreadable: set[str] = set()
        # Agreements with a Projects row whose project or amendment cell is unreadable: any
        # of their Shares and Schedules rows may be that project's, so none is said to be
        # "without a Projects row" too.
        self.unreadable_projects: set[str] = set()


@dataclass
class AgreementsRead:
    """What the workbook says: each agreement's file data, by id, in sheet order."""

    agreements: dict[str, dict[str, Any]]
    problems: list[Problem]


def agreements_from_tables(
    tables: dict[str, Table],
    ruleset: Ruleset,
    ministries: set[str] | None,
    earlier: list[Problem],
) -> AgreementsRead:
    """Build and check every agreement in the tables; report every problem at its cell.

    ``earlier`` are the problems found reading the cells: a cell that already has one
    gets no second message from the checks across rows.
    """
    problems: list[Problem] = []
    builds = _Builds()
    _read_agreements(tables[AGREEMENTS.name], builds, problems)
    _read_parties(tables[PARTIES.name], builds, problems)
    _read_amendments(tables[AMENDMENTS.name], builds, problems)
    _read_projects(tables[PROJECTS.name], builds, problems)
    _read_shares(tables[SHARES.name], builds, problems)
    _read_schedules(tables[SCHEDULES.name], builds, problems)
    complete = all(t.complete for t in tables.values())

    result: dict[str, dict[str, Any]] = {}
    cell_problems = {p.where for p in [*earlier, *problems]}
    bad_rows = {(t.spec.name, r.number) for t in tables.values() for r in t.rows if not r.usable}
    for agreement_id, build in builds.items():
        # An agreement with a mistake already reported is still checked, so its other
        # mistakes (a share sum) are said in the same run; but what the rows left out could
        # cause (a missing part, a model error, a finding on a row with an unreadable cell)
        # is not said, because it follows from the mistake already reported.
        data = _assemble(build, problems if build.ok else [])
        if data is None or not complete:
            continue
        try:
            agreement = Agreement.model_validate(data)
        except ValidationError as exc:
            found = problems_from(exc, build.doc) if build.ok else []
        else:
            found = check_agreement(agreement, build.doc, ruleset, ministries, True)
            if build.ok:
                result[agreement_id] = data
            else:
                found = [p for p in found if (p.where.file, p.where.line) not in bad_rows]
        problems += [p for p in found if p.where not in cell_problems]
    return AgreementsRead(result, _unique(problems))


def _unique(problems: list[Problem]) -> list[Problem]:
    seen: set[tuple[SourcePos, str]] = set()
    out = []
    for problem in problems:
        key = (problem.where, problem.message)
        if key not in seen:
            seen.add(key)
            out.append(problem)
    return out


def _choice(
    table: Table, row: Row, key: str, allowed: tuple[str, ...], problems: list[Problem]
) -> bool:
    value = row.value(key)
    if value is None or value in allowed:
        return True
    hint = did_you_mean(str(value), allowed)
    problems.append(
        Problem(table.pos(row, key), f"{key} {value!r} is not one of: {', '.join(allowed)}{hint}")
    )
    return False


def _put_row(
    doc: CellDoc, table: Table, row: Row, loc: tuple[Any, ...], keys: dict[str, str]
) -> None:
    """Record the cell of each field of ``loc`` (``keys``: data key -> column key)."""
    for data_key, column_key in keys.items():
        doc.put((*loc, data_key), table.pos(row, column_key))


def _read_agreements(table: Table, builds: _Builds, problems: list[Problem]) -> None:
    for row in table.rows:
        agreement_id = row.value("id")
        if not isinstance(agreement_id, str):
            # Its cell is reported; rows elsewhere that name it are not "unknown" too.
            typed = row.texts.get("id")
            if typed:
                builds.unreadable.add(typed)
            continue
        if agreement_id in builds:
            problems.append(
                Problem(
                    table.pos(row, "id"),
                    f"agreement {agreement_id!r} is already on row "
                    f"{builds[agreement_id].row.number}; each agreement has one row",
                )
            )
            builds[agreement_id].ok = False
            continue
        doc = CellDoc.new(table.pos(row, "id"))
        doc.put((), table.pos(row, "id"))
        _put_row(doc, table, row, (), {k: k for k in AGREEMENTS_COLUMNS})
        data: dict[str, Any] = {}
        for key in AGREEMENTS_COLUMNS:
            value = row.value(key)
            if value is not None:
                data[key] = value
        ok = _choice(table, row, "status", STATUSES, problems)
        ok = _choice(table, row, "evidence", EVIDENCE, problems) and ok
        builds[agreement_id] = _Build(data, doc, row, ok=row.usable and ok)


AGREEMENTS_COLUMNS = tuple(c.key for c in AGREEMENTS.columns)


def _owner(
    table: Table, row: Row, builds: _Builds, problems: list[Problem], partial: bool = False
) -> _Build | None:
    """The agreement a row belongs to; None for a row to skip.

    A row with an unreadable cell makes its agreement unwritable, but with ``partial`` it
    is still read, so the rows that refer to it find it (the one mistake is said once).
    """
    agreement_id = row.value("agreement")
    if not isinstance(agreement_id, str):
        return None
    build = builds.get(agreement_id)
    if build is None:
        if agreement_id in builds.unreadable:
            return None
        problems.append(
            Problem(
                table.pos(row, "agreement"),
                f"unknown agreement {agreement_id!r}{did_you_mean(agreement_id, builds)}: add it "
                "on the Agreements sheet first",
            )
        )
        return None
    if not row.usable:
        build.ok = False
        if not partial:
            return None
    return build


def _read_parties(table: Table, builds: _Builds, problems: list[Problem]) -> None:
    for row in table.rows:
        build = _owner(table, row, builds, problems)
        if build is None:
            continue
        if not _choice(table, row, "kind", KINDS, problems):
            build.ok = False
            continue
        party: dict[str, Any] = {"id": row.value("party"), "kind": row.value("kind")}
        if row.value("name") is not None:
            party["name"] = row.value("name")
        loc = ("parties", len(build.parties))
        build.doc.put(("parties",), table.pos(row, "party"))
        build.doc.put(loc, table.pos(row, "party"))
        _put_row(build.doc, table, row, loc, {"id": "party", "kind": "kind", "name": "name"})
        build.parties.append(party)


def _read_amendments(table: Table, builds: _Builds, problems: list[Problem]) -> None:
    for row in table.rows:
        build = _owner(table, row, builds, problems, partial=True)
        if build is None:
            continue
        if not row.cells["effective"].usable:
            build.unreadable_amendment = True
            continue
        effective = row.value("effective")
        assert isinstance(effective, date)
        if effective in build.amendment_index:
            first = build.amendments[build.amendment_index[effective]]
            problems.append(
                Problem(
                    table.pos(row, "effective"),
                    f"agreement {row.value('agreement')!r} already has an amendment effective "
                    f"{effective} (row {first['_row']}); give each amendment its own date",
                )
            )
            build.ok = False
            continue
        amendment: dict[str, Any] = {"effective": effective, "reference": row.value("reference")}
        if row.value("note") is not None:
            amendment["note"] = row.value("note")
        amendment["projects"] = {}
        amendment["_row"] = row.number
        loc = ("amendments", len(build.amendments))
        build.doc.put(("amendments",), table.pos(row, "effective"))
        build.doc.put(loc, table.pos(row, "effective"))
        _put_row(
            build.doc,
            table,
            row,
            loc,
            {
                "effective": "effective",
                "reference": "reference",
                "note": "note",
                "projects": "effective",
            },
        )
        build.amendment_index[effective] = len(build.amendments)
        build.amendments.append(amendment)


def _version_name(version: date | None) -> str:
    return "the original terms" if version is None else f"the amendment of {version}"


def _read_projects(table: Table, builds: _Builds, problems: list[Problem]) -> None:
    for row in table.rows:
        build = _owner(table, row, builds, problems, partial=True)
        if build is None:
            continue
        agreement_id = build.data.get("id")
        if not (row.cells["project"].usable and row.cells["amendment"].usable):
            if isinstance(agreement_id, str):
                builds.unreadable_projects.add(agreement_id)
            continue
        version = row.value("amendment")
        assert version is None or isinstance(version, date)
        project_id = row.value("project")
        assert isinstance(project_id, str)

        def present(key: str, row: Row = row) -> bool:
            """Whether this row's cell ``key`` was filled in: it holds a value, or one that
            could not be read (reported where it is)."""
            # An unreadable cell is reported where it is; it is not also "missing".
            return row.value(key) is not None or not row.cells[key].usable

        if version is not None and version not in build.amendment_index:
            build.ok = False
            if build.unreadable_amendment:
                continue  # it may be the amendment whose date could not be read
            problems.append(
                Problem(
                    table.pos(row, "amendment"),
                    f"agreement {agreement_id!r} has no amendment effective {version}: add it "
                    "on the Amendments sheet, or leave the cell blank for the original terms",
                )
            )
            build.ok = False
            continue
        key = (version, project_id)
        if key in build.versions:
            problems.append(
                Problem(
                    table.pos(row, "project"),
                    f"project {project_id!r} already has a row for {_version_name(version)} "
                    f"(row {build.versions[key].row.number})",
                )
            )
            build.ok = False
            continue
        terms: dict[str, Any] = {}
        if version is None:
            loc: tuple[Any, ...] = ("projects", len(build.projects))
            terms["id"] = project_id
            build.projects.append(terms)
            build.doc.put(("projects",), table.pos(row, "project"))
            for key_ in ("title", "total_krw", "first_year", "last_year"):
                if not present(key_):
                    problems.append(
                        Problem(
                            table.pos(row, key_),
                            f"missing {key_}: the original terms of a project need it",
                        )
                    )
                    build.ok = False
            for key_ in NULLABLE_IN_AMENDMENT:
                if row.value(key_) == NONE_WORD:
                    problems.append(
                        Problem(
                            table.pos(row, key_),
                            "'none' removes a value in an amendment row only; leave the cell "
                            "blank here",
                        )
                    )
                    build.ok = False
        else:
            index = build.amendment_index[version]
            loc = ("amendments", index, "projects", project_id)
            build.amendments[index]["projects"][project_id] = terms
        build.doc.put(loc, table.pos(row, "project"))
        _put_row(
            build.doc,
            table,
            row,
            loc,
            {
                "id": "project",
                "title": "title",
                "total_krw": "total_krw",
                "years": "first_year",
                "central_cap_krw": "central_cap_krw",
                "indexation": "index_parameter",
            },
        )
        build.doc.put((*loc, "years", 0), table.pos(row, "first_year"))
        build.doc.put((*loc, "years", 1), table.pos(row, "last_year"))
        build.doc.put((*loc, "indexation", "parameter"), table.pos(row, "index_parameter"))
        build.doc.put((*loc, "indexation", "base_year"), table.pos(row, "index_base_year"))
        for key_ in ("title", "total_krw"):
            if row.value(key_) is not None:
                terms[key_] = row.value(key_)
        first, last = row.value("first_year"), row.value("last_year")
        if first is not None and last is not None:
            terms["years"] = [first, last]
        elif present("first_year") != present("last_year"):
            missing = "first_year" if present("last_year") else "last_year"
            if version is not None:
                problems.append(
                    Problem(
                        table.pos(row, missing),
                        "an amendment that changes the years gives both first_year and last_year",
                    )
                )
                build.ok = False
        parameter, base_year = row.value("index_parameter"), row.value("index_base_year")
        if parameter == NONE_WORD:
            if base_year is not None:
                problems.append(
                    Problem(
                        table.pos(row, "index_base_year"),
                        "with index_parameter 'none' (indexation removed) leave the base "
                        "year blank",
                    )
                )
                build.ok = False
            terms["indexation"] = None
        elif parameter is not None and base_year is not None:
            terms["indexation"] = {"parameter": parameter, "base_year": base_year}
        elif present("index_parameter") != present("index_base_year"):
            missing = "index_parameter" if present("index_base_year") else "index_base_year"
            problems.append(
                Problem(
                    table.pos(row, missing),
                    "indexation needs both index_parameter and index_base_year",
                )
            )
            build.ok = False
        cap = row.value("central_cap_krw")
        if cap is not None:
            terms["central_cap_krw"] = None if cap == NONE_WORD else cap
        build.versions[key] = _Version(terms, loc, row)


def _version_of(
    table: Table, row: Row, build: _Build, problems: list[Problem], builds: _Builds
) -> _Version | None:
    version = row.value("amendment")
    assert version is None or isinstance(version, date)
    project_id = row.value("project")
    assert isinstance(project_id, str)
    found = build.versions.get((version, project_id))
    unreadable = build.data.get("id") in builds.unreadable_projects
    if found is None and unreadable:
        build.ok = False
    elif found is None:
        problems.append(
            Problem(
                table.pos(row, "project"),
                f"no row on the Projects sheet for project {project_id!r} of agreement "
                f"{build.data.get('id')!r}, {_version_name(version)}: add that row first",
            )
        )
        build.ok = False
    return found


def _read_shares(table: Table, builds: _Builds, problems: list[Problem]) -> None:
    for row in table.rows:
        build = _owner(table, row, builds, problems)
        if build is None:
            continue
        version = _version_of(table, row, build, problems, builds)
        if version is None:
            continue
        party, share, split = row.value("party"), row.value("share"), row.value("central_split")
        which = _version_name(row.value("amendment"))  # type: ignore[arg-type]
        if share is None and split is None:
            problems.append(
                Problem(
                    table.pos(row, "share"),
                    f"no share and no central split for {party!r}: fill one, or delete the row",
                )
            )
            build.ok = False
            continue
        for key, value, column in (
            ("shares", share, "share"),
            ("central_to_regions", split, "central_split"),
        ):
            if value is None:
                continue
            entries = version.terms.setdefault(key, {})
            if party in entries:
                problems.append(
                    Problem(
                        table.pos(row, "party"),
                        f"{party!r} has two {column.replace('_', ' ')}s for this project ({which})",
                    )
                )
                build.ok = False
                continue
            entries[party] = value
            build.doc.put((*version.loc, key), table.pos(row, column))
            build.doc.put((*version.loc, key, party), table.pos(row, column))


def _read_schedules(table: Table, builds: _Builds, problems: list[Problem]) -> None:
    for row in table.rows:
        build = _owner(table, row, builds, problems)
        if build is None:
            continue
        version = _version_of(table, row, build, problems, builds)
        if version is None:
            continue
        year, share, amount = row.value("year"), row.value("share"), row.value("amount_krw")
        if share is not None and amount is not None:
            problems.append(
                Problem(
                    table.pos(row, "amount_krw"),
                    "give the year's share of the total or its amount in won, not both",
                )
            )
            build.ok = False
            continue
        if share is None and amount is None:
            problems.append(
                Problem(
                    table.pos(row, "share"),
                    f"no share and no amount for {year}: fill one, or delete the row",
                )
            )
            build.ok = False
            continue
        key, column, value = (
            ("schedule", "share", share)
            if share is not None
            else ("schedule_krw", "amount_krw", amount)
        )
        entries = version.terms.setdefault(key, {})
        other = version.terms.get("schedule_krw" if key == "schedule" else "schedule", {})
        if year in entries or year in other:
            problems.append(
                Problem(table.pos(row, "year"), f"{year} is already scheduled for this project")
            )
            build.ok = False
            continue
        entries[year] = value
        build.doc.put((*version.loc, key), table.pos(row, column))
        build.doc.put((*version.loc, key, year), table.pos(row, "year"))


def _ordered(terms: dict[str, Any]) -> dict[str, Any]:
    return {key: terms[key] for key in TERMS_KEYS if key in terms}


def _assemble(build: _Build, problems: list[Problem]) -> dict[str, Any] | None:
    """The agreement's file data in canonical key order (None if a part is missing)."""
    where = build.doc.pos(("id",))
    agreement_id = build.data.get("id")
    if not build.parties:
        problems.append(
            Problem(
                where, f"agreement {agreement_id!r} has no parties: add them on the Parties sheet"
            )
        )
        return None
    if not build.projects:
        problems.append(
            Problem(
                where, f"agreement {agreement_id!r} has no projects: add them on the Projects sheet"
            )
        )
        return None
    missing = False
    for index, project in enumerate(build.projects):
        if "shares" not in project:
            problems.append(
                Problem(
                    build.doc.pos(("projects", index)),
                    f"project {project['id']!r} has no cost shares: add its rows on the "
                    "Shares sheet",
                )
            )
            missing = True
    amendments = []
    for index, amendment in enumerate(build.amendments):
        if not amendment["projects"]:
            problems.append(
                Problem(
                    build.doc.pos(("amendments", index)),
                    "this amendment changes no project: add the terms it changes on the Projects "
                    "sheet, with this date in the amendment column",
                )
            )
            missing = True
        body = {k: v for k, v in amendment.items() if k != "_row"}
        body["projects"] = {pid: _ordered(t) for pid, t in amendment["projects"].items()}
        amendments.append(body)
    if missing:
        return None
    data = dict(build.data)
    data["parties"] = build.parties
    data["projects"] = [_ordered(p) for p in build.projects]
    if amendments:
        data["amendments"] = amendments
    return {key: data[key] for key in AGREEMENT_KEYS if key in data}


__all__ = [
    "AGREEMENT_KEYS",
    "TERMS_KEYS",
    "AgreementsRead",
    "agreements_from_tables",
]
