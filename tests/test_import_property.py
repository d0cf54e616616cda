"""Property: any valid agreement survives template -> workbook -> import unchanged.

Agreements are drawn with every feature the files allow — ministries, regions and
private partners, the reserved key ``central``, a central split in any order, schedules
by share or in won, indexation, a central cap, dated amendments that change titles,
shares, caps and totals — and Korean and punctuation-rich texts. Each is written to a
real .xlsx by the template writer and read back by the importer; the data, and the
YAML text it becomes, must be exactly what went in.
"""

from __future__ import annotations

import dataclasses
import tempfile
from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from fiscal.errors import SourcePos
from fiscal.excel.agreement_tables import agreements_from_tables
from fiscal.excel.celldoc import CellDoc
from fiscal.excel.excel_import import read_tables
from fiscal.excel.template import agreements_template, write_template
from fiscal.excel.xlsx_reader import read_book
from fiscal.files.yaml_writer import dump
from fiscal.rules.agreement_checks import check_agreement
from fiscal.rules.agreements import Agreement
from fiscal.rules.loader import load_ruleset
from fiscal.rules.ruleset import Ruleset
from tests.conftest import BUNDLED_RULES

MINISTRIES = ("molit", "mcst", "motie")
REGIONS = ("busan", "ulsan", "gyeongnam", "seoul")
INDEX = "agreements.construction_cost_index"
DENOMINATOR = 10_000

TEXT = (
    st.text(
        alphabet=st.sampled_from(list("abcXYZ 019.,:;-()#&'%=\"/") + list("협약사업국비지역")),
        min_size=1,
        max_size=30,
    )
    .map(str.strip)
    .filter(bool)
)
IDS = st.from_regex(r"[a-z0-9][a-z0-9\-]{0,15}", fullmatch=True)
DATES = st.dates(date(2015, 1, 1), date(2030, 12, 31))
# Amounts beyond 2**53 cannot be spreadsheet numbers; the template writes them as text.
WON = st.one_of(st.integers(0, 10**13), st.integers(2**53 - 2, 10**18))


@pytest.fixture(scope="module")
def ruleset() -> Ruleset:
    return load_ruleset(BUNDLED_RULES)


def split(draw: st.DrawFn, keys: list[str], allow_zero: bool = False) -> dict[str, Decimal]:
    """Shares of ``keys`` summing to exactly 1: whole ten-thousandths, or now and then with
    more digits than a spreadsheet number holds (the template writes those as text)."""
    denominator = draw(st.sampled_from([DENOMINATOR, DENOMINATOR, 10**17]))
    low = 0 if allow_zero else 1
    cuts = sorted(
        draw(
            st.lists(
                st.integers(low, denominator - low),
                min_size=len(keys) - 1,
                max_size=len(keys) - 1,
            )
        )
    )
    bounds = [0, *cuts, denominator]
    parts = [b - a for a, b in pairwise(bounds)]
    assume(allow_zero or all(parts))
    return {k: Decimal(p) / denominator for k, p in zip(keys, parts, strict=True)}


@st.composite
def projects(draw: st.DrawFn, parties: list[dict[str, Any]], index: int) -> dict[str, Any]:
    ids = [p["id"] for p in parties]
    regions = [p["id"] for p in parties if p["kind"] == "region"]
    ministries = [p["id"] for p in parties if p["kind"] == "ministry"]
    payers = draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
    if draw(st.booleans()):
        payers.append("central")
    if not any(p in regions for p in payers):
        payers.append(regions[0])  # a region with a share, so caps and splits are fine
    first = draw(st.integers(2020, 2035))
    last = draw(st.integers(first, first + 6))
    total = draw(WON)
    project: dict[str, Any] = {
        "id": f"p{index}-{draw(IDS)}",
        "title": draw(TEXT),
        "total_krw": total,
        "years": [first, last],
        "shares": split(draw, payers),
    }
    central = any(p == "central" or p in ministries for p in payers)
    if central and len(regions) > 1 and draw(st.booleans()):
        order = draw(st.permutations(regions))
        project["central_to_regions"] = split(draw, list(order))
    years = list(range(first, last + 1))
    schedule = draw(st.sampled_from(["even", "shares", "won"]))
    if schedule == "shares":
        project["schedule"] = dict(zip(years, split(draw, years, True).values(), strict=True))
    elif schedule == "won":
        cuts = sorted(draw(st.lists(st.integers(0, total), min_size=len(years) - 1,
                                    max_size=len(years) - 1)))  # fmt: skip
        bounds = [0, *cuts, total]
        project["schedule_krw"] = {
            y: b - a for y, a, b in zip(years, bounds, bounds[1:], strict=False)
        }
    if draw(st.booleans()):
        project["indexation"] = {"parameter": INDEX, "base_year": draw(st.integers(2015, 2035))}
    if draw(st.booleans()):
        project["central_cap_krw"] = draw(WON)
    return project


@st.composite
def agreements(draw: st.DrawFn) -> dict[str, Any]:
    status = draw(st.sampled_from(["proposed", "signed", "amended", "terminated"]))
    parties: list[dict[str, Any]] = [
        {"id": m, "kind": "ministry"}
        for m in draw(st.lists(st.sampled_from(MINISTRIES), unique=True, max_size=2))
    ]
    parties += [
        {"id": r, "kind": "region"}
        for r in draw(st.lists(st.sampled_from(REGIONS), unique=True, min_size=1, max_size=3))
    ]
    if draw(st.booleans()):
        parties.append({"id": f"private-{draw(IDS)}", "kind": "private", "name": draw(TEXT)})
    parties = draw(st.permutations(parties))
    data: dict[str, Any] = {"id": f"2027-{draw(IDS)}", "title": draw(TEXT), "status": status}
    signed = draw(DATES)
    if status != "proposed" or draw(st.booleans()):
        data["signed"] = signed
    ended = signed + timedelta(days=draw(st.integers(400, 3000)))
    if status == "terminated":
        data["terminated"] = ended
    data["reference"] = draw(TEXT)
    data["evidence"] = draw(st.sampled_from(["confirmed", "unconfirmed", "illustrative"]))
    if draw(st.booleans()):
        data["description"] = draw(TEXT)
    data["parties"] = parties
    count = draw(st.integers(1, 2))
    data["projects"] = [draw(projects(parties, i)) for i in range(count)]
    if status in ("amended", "terminated") and (status == "amended" or draw(st.booleans())):
        data["amendments"] = draw(amendments(data, signed, ended))
    return data


@st.composite
def amendments(draw: st.DrawFn, data: dict[str, Any], signed: date, ended: date) -> list[Any]:
    found = []
    day = signed
    for _ in range(draw(st.integers(1, 2))):
        day = day + timedelta(days=draw(st.integers(1, 180)))
        assume(day <= ended)
        project = draw(st.sampled_from(data["projects"]))
        change: dict[str, Any] = {}
        what = draw(st.sets(st.sampled_from(["title", "shares", "cap", "total"]), min_size=1))
        if "title" in what:
            change["title"] = draw(TEXT)
        if "shares" in what:
            change["shares"] = split(draw, list(project["shares"]))
        if "total" in what and "schedule_krw" not in project:
            change["total_krw"] = draw(st.integers(0, 10**13))
        if "cap" in what:
            change["central_cap_krw"] = draw(st.one_of(st.none(), st.integers(0, 10**12)))
        assume(change)
        body: dict[str, Any] = {"effective": day, "reference": draw(TEXT)}
        if draw(st.booleans()):
            body["note"] = draw(TEXT)
        body["projects"] = {project["id"]: change}
        found.append(body)
    return found


def canonical(data: dict[str, Any]) -> dict[str, Any]:
    from fiscal.excel.agreement_tables import AGREEMENT_KEYS, TERMS_KEYS

    out = {k: data[k] for k in AGREEMENT_KEYS if k in data}
    out["projects"] = [{k: p[k] for k in TERMS_KEYS if k in p} for p in data["projects"]]
    for amendment in out.get("amendments", []):
        amendment["projects"] = {
            pid: {k: t[k] for k in TERMS_KEYS if k in t} for pid, t in amendment["projects"].items()
        }
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture])  # fmt: skip
@given(agreements())
def test_any_valid_agreement_survives_template_and_import_unchanged(
    ruleset: Ruleset, data: dict[str, Any]
) -> None:
    data = canonical(data)
    agreement = Agreement.model_validate(data)
    doc = CellDoc.new(SourcePos("generated"))
    problems = check_agreement(agreement, doc, ruleset, {m.id for m in ruleset.ministries}, True)
    assume(not problems)  # the generator aims at valid agreements; skip the rare miss

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "agreement.xlsx"
        write_template(
            path, agreements_template(dataclasses.replace(ruleset, agreements=[agreement]), True)
        )
        found: list[Any] = []
        tables = read_tables(read_book(path), "agreements", found)
        assert tables is not None and not found, found
        read = agreements_from_tables(tables, ruleset, {m.id for m in ruleset.ministries}, [])
    assert not read.problems, read.problems
    assert read.agreements == {data["id"]: data}
    assert dump(read.agreements[data["id"]]) == dump(data)
