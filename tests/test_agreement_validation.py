"""Validating agreement files: every mistake is named at its file and line.

Each test copies the bundled Korean ruleset, breaks an agreement file the way a user
would (a share mistyped, a line forgotten, a date in the wrong place), runs the ruleset
check and expects the problem at the line of the value at fault, found by searching the
text the test wrote.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from fiscal.errors import Problem
from fiscal.rules.loader import check_ruleset

BUNDLED_RULES = Path(__file__).resolve().parents[1] / "rules" / "korea"

GANGWON = "2019-gangwon-eco-tourism"  # amended
GYEONGBUK = "2019-gyeongbuk-smart-farm"  # terminated
DAEGU = "2023-daegu-urban-air-mobility"  # yearly amounts in won
JEONBUK = "2024-jeonbuk-public-private-culture"  # with a private partner
SOUTHEAST = "2025-southeast-hydrogen-corridor"  # three regions, indexed, capped


@dataclass(frozen=True)
class Expected:
    """A problem we expect: its file, its line and words its message must contain."""

    file: Path
    line: int
    words: tuple[str, ...]

    def matches(self, problem: Problem) -> bool:
        return (
            Path(problem.where.file).resolve() == self.file.resolve()
            and problem.where.line == self.line
            and all(word in problem.message for word in self.words)
        )


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    """A private copy of the bundled ruleset that a test may break."""
    target = tmp_path / "rules"
    shutil.copytree(BUNDLED_RULES, target)
    return target


def agreement(rules: Path, agreement_id: str) -> Path:
    return rules / "agreements" / f"{agreement_id}.yaml"


def edit(path: Path, old: str, new: str) -> str:
    """Replace the one occurrence of ``old`` in the file; return the new text."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} should occur once in {path.name}"
    text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return text


def line_of(text: str, line: str) -> int:
    """The 1-based number of the one line of ``text`` that reads exactly ``line``."""
    numbers = [n for n, found in enumerate(text.splitlines(), start=1) if found == line]
    assert len(numbers) == 1, f"{line!r} should be one line of the file, found {numbers}"
    return numbers[0]


def agreement_problems(rules: Path) -> list[Problem]:
    """The problems check_ruleset finds in the agreement files."""
    _, problems = check_ruleset(rules)
    folder = (rules / "agreements").resolve()
    return [p for p in problems if Path(p.where.file).resolve().parent == folder]


def assert_reported(rules: Path, *expected: Expected) -> None:
    """Exactly the expected problems are found in the agreement files, in one run."""
    found = agreement_problems(rules)
    shown = "\n".join(str(p) for p in found)
    for want in expected:
        assert any(want.matches(p) for p in found), f"expected {want}, found:\n{shown}"
    assert len(found) == len(expected), f"unexpected problems:\n{shown}"


# --- shares -------------------------------------------------------------------------------


def test_cost_shares_that_do_not_sum_to_100_percent(rules: Path) -> None:
    path = agreement(rules, DAEGU)
    text = edit(path, "      daegu: 0.5\n", "      daegu: 0.4\n")
    assert_reported(rules, Expected(path, line_of(text, "    shares:"), ("sum to 90%", "100%")))


def test_a_cost_share_above_100_percent(rules: Path) -> None:
    path = agreement(rules, DAEGU)
    text = edit(path, "      daegu: 0.5\n", "      daegu: 1.5\n")
    assert_reported(
        rules,
        Expected(path, line_of(text, "      daegu: 1.5"), ("150%", "outside 0%-100%")),
        Expected(path, line_of(text, "    shares:"), ("sum to 200%",)),
    )


def test_amended_cost_shares_are_checked_at_the_amendments_line(rules: Path) -> None:
    path = agreement(rules, GANGWON)
    new_shares = (
        "        shares:\n          molit: 0.3\n          mcst: 0.3\n          gangwon: 0.5\n"
    )
    text = edit(path, "          - 2023\n", f"          - 2023\n{new_shares}")
    assert_reported(rules, Expected(path, line_of(text, "        shares:"), ("sum to 110%",)))


def test_a_mistake_in_the_original_shares_is_reported_once_at_its_own_line(
    rules: Path,
) -> None:
    path = agreement(rules, GANGWON)
    text = edit(path, "      gangwon: 0.5\n", "      gangwon: 0.4\n")
    assert_reported(rules, Expected(path, line_of(text, "    shares:"), ("sum to 90%",)))


def test_central_money_split_among_regions_that_does_not_sum_to_100_percent(
    rules: Path,
) -> None:
    path = agreement(rules, SOUTHEAST)
    text = edit(path, "      gyeongnam: 0.35\n", "      gyeongnam: 0.3\n")
    assert_reported(
        rules,
        Expected(path, line_of(text, "    central_to_regions:"), ("central split", "95%")),
    )


# --- schedules ----------------------------------------------------------------------------


def test_schedule_shares_that_do_not_sum_to_100_percent(rules: Path) -> None:
    path = agreement(rules, GANGWON)
    text = edit(path, "      2021: 0.4\n", "      2021: 0.5\n")
    assert_reported(
        rules, Expected(path, line_of(text, "    schedule:"), ("schedule sums to 110%", "100%"))
    )


def test_schedule_amounts_that_miss_the_total(rules: Path) -> None:
    path = agreement(rules, DAEGU)
    text = edit(path, "      2028: 25000000000\n", "      2028: 20000000000\n")
    written = [15_000_000_000, 30_000_000_000, 40_000_000_000, 40_000_000_000, 20_000_000_000]
    assert_reported(
        rules,
        Expected(
            path,
            line_of(text, "    schedule_krw:"),
            (f"sums to {sum(written):,} won", f"total is {150_000_000_000:,} won"),
        ),
    )


def test_a_schedule_year_outside_the_project_years(rules: Path) -> None:
    path = agreement(rules, DAEGU)
    text = edit(path, "      2028: 25000000000\n", "      2029: 25000000000\n")
    assert_reported(
        rules,
        Expected(
            path,
            line_of(text, "      2029: 25000000000"),
            ("year 2029", "outside the project years 2024-2028"),
        ),
    )


# --- parties ------------------------------------------------------------------------------


def test_an_unknown_region_party(rules: Path) -> None:
    path = agreement(rules, JEONBUK)
    edit(path, "  - id: jeonbuk\n    kind: region\n", "  - id: jeonbuk-do\n    kind: region\n")
    text = edit(path, "      jeonbuk: 0.4\n", "      jeonbuk-do: 0.4\n")
    assert_reported(
        rules,
        Expected(
            path,
            line_of(text, "  - id: jeonbuk-do"),
            ("unknown region 'jeonbuk-do'", "jeonbuk"),
        ),
    )


def test_an_unknown_ministry(rules: Path) -> None:
    path = agreement(rules, GYEONGBUK)
    edit(path, "  - id: mafra\n    kind: ministry\n", "  - id: agriculture\n    kind: ministry\n")
    text = edit(path, "      mafra: 0.5\n", "      agriculture: 0.5\n")
    assert_reported(
        rules,
        Expected(
            path,
            line_of(text, "  - id: agriculture"),
            ("unknown ministry 'agriculture'", "mafra", "ministries.yaml"),
        ),
    )


# --- dates and status ---------------------------------------------------------------------


def test_an_amendment_before_the_signing(rules: Path) -> None:
    path = agreement(rules, GANGWON)
    text = edit(path, "  - effective: 2021-01-01\n", "  - effective: 2019-01-01\n")
    assert_reported(
        rules,
        Expected(
            path,
            line_of(text, "  - effective: 2019-01-01"),
            ("2019-01-01", "before signing 2019-07-01"),
        ),
    )


def test_an_amendment_after_the_termination(rules: Path) -> None:
    path = agreement(rules, GYEONGBUK)
    text = path.read_text(encoding="utf-8") + (
        "amendments:\n"
        "  - effective: 2023-03-01\n"
        "    reference: amendment no. 1\n"
        "    projects:\n"
        "      smart-farm-valley:\n"
        "        total_krw: 20000000000\n"
    )
    path.write_text(text, encoding="utf-8")
    assert_reported(
        rules,
        Expected(
            path,
            line_of(text, "  - effective: 2023-03-01"),
            ("after termination 2022-06-30", "no later payments"),
        ),
    )


def test_a_terminated_agreement_without_its_termination_date(rules: Path) -> None:
    path = agreement(rules, GYEONGBUK)
    text = edit(path, "terminated: 2022-06-30\n", "")
    assert_reported(
        rules,
        Expected(path, line_of(text, "status: terminated"), ("termination date", "terminated:")),
    )


def test_status_amended_without_amendments(rules: Path) -> None:
    path = agreement(rules, DAEGU)
    text = edit(path, "status: signed\n", "status: amended\n")
    assert_reported(
        rules, Expected(path, line_of(text, "status: amended"), ("amended", "no amendments"))
    )


def test_a_signed_agreement_without_its_signing_date(rules: Path) -> None:
    path = agreement(rules, DAEGU)
    text = edit(path, "signed: 2023-12-15\n", "")
    assert_reported(
        rules, Expected(path, line_of(text, "status: signed"), ("signing date", "signed:"))
    )


# --- names and keys -----------------------------------------------------------------------


def test_an_amendment_of_an_unknown_project(rules: Path) -> None:
    path = agreement(rules, GANGWON)
    text = edit(path, "      trail-network:\n", "      trail-networks:\n")
    assert_reported(
        rules,
        Expected(
            path,
            line_of(text, "      trail-networks:"),
            ("unknown project 'trail-networks'", "trail-network"),
        ),
    )


def test_an_agreement_id_that_differs_from_its_file_name(rules: Path) -> None:
    path = agreement(rules, DAEGU)
    text = edit(path, f"id: {DAEGU}\n", "id: 2023-daegu-uam\n")
    assert_reported(
        rules,
        Expected(path, line_of(text, "id: 2023-daegu-uam"), ("'2023-daegu-uam'", repr(DAEGU))),
    )


def test_an_unknown_indexation_parameter(rules: Path) -> None:
    path = agreement(rules, SOUTHEAST)
    typo = "agreements.construction_costs_index"
    text = edit(path, "agreements.construction_cost_index", typo)
    assert_reported(
        rules,
        Expected(path, line_of(text, f"      parameter: {typo}"), (f"unknown parameter {typo!r}",)),
    )


def test_an_unknown_key_in_an_agreement_file(rules: Path) -> None:
    path = agreement(rules, SOUTHEAST)
    text = edit(path, "    central_cap_krw: ", "    central_cap_won: ")
    assert_reported(
        rules,
        Expected(
            path,
            line_of(text, "    central_cap_won: 185000000000"),
            ("unknown key 'central_cap_won'",),
        ),
    )


# --- the whole run ------------------------------------------------------------------------


def test_every_problem_of_several_broken_agreements_comes_back_in_one_run(rules: Path) -> None:
    daegu = agreement(rules, DAEGU)
    daegu_text = edit(daegu, "      daegu: 0.5\n", "      daegu: 0.4\n")
    jeonbuk = agreement(rules, JEONBUK)
    edit(jeonbuk, "  - id: jeonbuk\n    kind: region\n", "  - id: jeonbuk-do\n    kind: region\n")
    jeonbuk_text = edit(jeonbuk, "      jeonbuk: 0.4\n", "      jeonbuk-do: 0.4\n")
    gangwon = agreement(rules, GANGWON)
    gangwon_text = edit(gangwon, "  - effective: 2021-01-01\n", "  - effective: 2019-01-01\n")
    southeast = agreement(rules, SOUTHEAST)
    southeast_text = edit(southeast, "    central_cap_krw: ", "    central_cap_won: ")
    gyeongbuk = agreement(rules, GYEONGBUK)
    gyeongbuk_text = edit(gyeongbuk, "terminated: 2022-06-30\n", "")

    assert_reported(
        rules,
        Expected(daegu, line_of(daegu_text, "    shares:"), ("sum to 90%",)),
        Expected(
            jeonbuk,
            line_of(jeonbuk_text, "  - id: jeonbuk-do"),
            ("unknown region 'jeonbuk-do'",),
        ),
        Expected(gangwon, line_of(gangwon_text, "  - effective: 2019-01-01"), ("before signing",)),
        Expected(
            southeast,
            line_of(southeast_text, "    central_cap_won: 185000000000"),
            ("unknown key 'central_cap_won'",),
        ),
        Expected(gyeongbuk, line_of(gyeongbuk_text, "status: terminated"), ("termination date",)),
    )


def test_the_bundled_ruleset_has_no_problems() -> None:
    ruleset, problems = check_ruleset(BUNDLED_RULES)
    assert problems == []
    assert ruleset is not None
    files = sorted(p.stem for p in (BUNDLED_RULES / "agreements").glob("*.yaml"))
    assert sorted(a.id for a in ruleset.agreements) == files
