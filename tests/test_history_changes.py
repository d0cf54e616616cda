"""The semantic diff on two plain folders: agreements terminated and amended (which field,
which party, which year), rules changed field by field, regions, and moves that change nothing."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from fiscal.history.changes import Change
from fiscal.history.diff import build_diff
from tests.conftest import BUNDLED_INPUTS, BUNDLED_RULES
from tests.history_repo import edit

SMART_FARM = "agreements/2019-gyeongbuk-smart-farm.yaml"
ECO = "agreements/2019-gangwon-eco-tourism.yaml"
UAM = "agreements/2023-daegu-urban-air-mobility.yaml"
LCT_RULE = "sharing/local_consumption_tax.yaml"


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "old", tmp_path / "new"
    shutil.copytree(BUNDLED_RULES, old)
    shutil.copytree(BUNDLED_RULES, new)
    return old, new


def changes_between(old: Path, new: Path) -> list[Change]:
    return build_diff(old, BUNDLED_INPUTS, str(old), str(new), impact=False).changes


def test_identical_folders_have_no_changes(folders: tuple[Path, Path]) -> None:
    assert changes_between(*folders) == []


def test_moved_rule_files_and_reformatted_yaml_change_nothing(folders: tuple[Path, Path]) -> None:
    old, new = folders
    (new / "transfers" / "real_estate_grant.yaml").rename(new / "sharing" / "estate.yaml")
    vat = new / "parameters" / "local_consumption_tax" / "vat_share.yaml"
    vat.write_text("# a comment\n" + vat.read_text("utf-8").replace("0.253", "0.2530"), "utf-8")
    assert changes_between(old, new) == []


def test_a_terminated_agreement_names_the_last_year_paid(folders: tuple[Path, Path]) -> None:
    old, new = folders
    edit(new / UAM, "status: signed\n", "status: terminated\nterminated: 2026-07-01\n")
    found = {c.field: c for c in changes_between(old, new)}
    assert set(found) == {"status", "terminated"}
    for change in found.values():
        assert change.action == "terminated"
        assert change.id == "2023-daegu-urban-air-mobility"
        assert change.year == 2026
    assert (found["status"].old, found["status"].new) == ("signed", "terminated")
    assert found["terminated"].new_at is not None
    assert found["terminated"].new_at.file.endswith(UAM)
    assert found["terminated"].new_at.line == 4


def test_an_added_amendment_says_which_project_field_and_year(folders: tuple[Path, Path]) -> None:
    old, new = folders
    text = (new / ECO).read_text("utf-8")
    (new / ECO).write_text(
        text
        + "  - effective: 2023-03-01\n"
        + "    reference: amendment no. 2 (test)\n"
        + "    projects:\n"
        + "      trail-network:\n"
        + "        shares: {molit: 0.35, mcst: 0.2, gangwon: 0.45}\n",
        "utf-8",
    )
    found = changes_between(old, new)
    assert {c.action for c in found} == {"amended"}
    shares = {c.party: c for c in found if c.party}
    assert set(shares) == {"molit", "mcst", "gangwon"}
    assert shares["gangwon"].new == Decimal("0.45")
    assert shares["gangwon"].old is None
    assert shares["gangwon"].year == 2024  # the first 1 January on or after 2023-03-01
    assert shares["gangwon"].field == "amendments.2023-03-01.projects.trail-network.shares"
    assert shares["gangwon"].reference == "amendment no. 2 (test)"
    assert shares["gangwon"].new_at is not None and shares["gangwon"].new_at.line > 30


def test_a_schedule_year_and_a_rule_field_are_reported_field_by_field(
    folders: tuple[Path, Path],
) -> None:
    old, new = folders
    edit(new / UAM, "2025: 30000000000", "2025: 35000000000")
    edit(new / UAM, "2026: 40000000000", "2026: 35000000000")
    edit(new / LCT_RULE, "indicator: private_consumption", "indicator: population")
    found = changes_between(old, new)
    by_year = {c.year: c for c in found if c.kind == "agreement"}
    assert set(by_year) == {2025, 2026}
    assert by_year[2025].field == "projects.uam-corridor.schedule_krw"
    assert (by_year[2025].old, by_year[2025].new) == (30_000_000_000, 35_000_000_000)
    rule = next(c for c in found if c.kind == "rule")
    assert (rule.id, rule.field, rule.old, rule.new) == (
        "local_consumption_tax",
        "key.indicator",
        "private_consumption",
        "population",
    )
    assert rule.new_at is not None
    lines = (new / LCT_RULE).read_text("utf-8").splitlines()
    assert "indicator: population" in lines[rule.new_at.line - 1]


def test_region_changes_and_a_removed_agreement(folders: tuple[Path, Path]) -> None:
    old, new = folders
    edit(new / "regions.yaml", "class: special, legal_type: special_self_governing_city",
         "class: metropolitan, legal_type: special_self_governing_city")  # fmt: skip
    (new / SMART_FARM).unlink()
    found = changes_between(old, new)
    region = next(c for c in found if c.kind == "region")
    assert (region.id, region.field, region.old, region.new) == (
        "sejong",
        "class",
        "special",
        "metropolitan",
    )
    removed = next(c for c in found if c.kind == "agreement")
    assert (removed.id, removed.action, removed.old) == (
        "2019-gyeongbuk-smart-farm",
        "removed",
        "terminated",
    )
    assert removed.new_at is None and removed.old_at is not None
