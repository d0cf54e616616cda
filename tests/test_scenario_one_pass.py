"""One pass through a scenario file: every real mistake in one run, each once.

A bad date used to stop the reading of a scenario, hiding every other mistake in it;
and a misspelt name said only "unknown". Each test counts the lines reported: exactly
the mistakes made, none that only follow from them, each at its own line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fiscal import api
from fiscal.errors import UserError
from fiscal.rules.scenarios import load_scenario
from tests.conftest import run_fiscal

YEARS = list(range(2025, 2031))
DAEGU = "2023-daegu-urban-air-mobility"

SIX_MISTAKES = f"""\
title: six independent mistakes
parameters:
  local_consumption_tax.vat_share:
    2027-13-01: 0.3
  local_shared_tax.rat:
    2027-01-01: 0.2
forecast:
  national.internal_taxs:
    2026: {{change: -0.1}}
  populaton:
    2026: {{change: 0.1}}
agreements:
  remove: [2023-daegu-urban-air-mobilty]
  amend:
    {DAEGU}:
      - effective: 2026-02-30
        reference: r
        projects:
          uam-corridor: {{total_krw: 160000000000}}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    return 1 + next(i for i, t in enumerate(path.read_text().splitlines()) if needle in t)


def reported(path: Path, tmp_path: Path) -> list[str]:
    """The problem lines `fiscal project --scenario` prints (and checks it wrote nothing)."""
    done = run_fiscal("project", "--scenario", path, "-o", tmp_path / "out.xlsx")
    assert done.returncode == 1, done.stdout
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out.xlsx").exists()
    return [line for line in done.stderr.splitlines() if line.startswith(str(path.parent))]


@pytest.fixture(scope="module")
def rules_and_inputs() -> tuple[api.Ruleset, api.Inputs]:
    return api.load_rules(), api.load_inputs()


def problems_of(rules_and_inputs: tuple[api.Ruleset, api.Inputs], path: Path) -> list[str]:
    rules, inputs = rules_and_inputs
    with pytest.raises(UserError) as caught:
        api.project(rules, inputs, path, YEARS)
    return [f"{p.where.line}: {p.message}" for p in caught.value.problems]


def test_six_independent_mistakes_are_six_lines_at_their_own_lines(tmp_path: Path) -> None:
    path = write(tmp_path, SIX_MISTAKES)
    lines = reported(path, tmp_path)
    expected = [
        ("2027-13-01", "'2027-13-01' is not a date"),
        ("local_shared_tax.rat:", "did you mean 'local_shared_tax.rate'?"),
        ("national.internal_taxs", "did you mean 'national.internal_tax'?"),
        ("populaton", "did you mean 'population'?"),
        ("remove:", f"did you mean '{DAEGU}'?"),
        ("2026-02-30", "'2026-02-30' is not a real date"),
    ]
    assert len(lines) == 6, lines
    for (needle, words), line in zip(expected, lines, strict=True):
        assert line.startswith(f"{path}:{line_of(path, needle)}: "), (needle, line)
        assert words in line, line
    # An amendment left out for its bad date is not then "no amendments" for the agreement.
    done = run_fiscal("project", "--scenario", path, "-o", tmp_path / "out.xlsx")
    assert "6 problems in 1 file." in done.stderr
    assert "no amendments" not in done.stderr


def test_the_dates_of_an_unknown_parameter_and_years_of_an_unknown_series_are_still_checked(
    rules_and_inputs: tuple[api.Ruleset, api.Inputs], tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "title: t\nparameters:\n  nope.nope:\n    2027-02-31: 0.3\n    2028-01-01: 0.3\n"
        "forecast:\n  national.nope:\n    20x6: {change: 0.1}\n    2027: {change: -2}\n"
        "    2028: {change: 0.1}\n",
    )
    found = problems_of(rules_and_inputs, path)
    assert [f.split(":")[0] for f in found] == ["3", "4", "7", "8", "9"], found
    assert "'2027-02-31' is not a date" in found[1]
    assert "'20x6' is not a year" in found[3]
    assert "would make the value negative" in found[4]


def test_a_bad_date_in_one_added_agreement_leaves_the_next_checked_at_its_own_line(
    rules_and_inputs: tuple[api.Ruleset, api.Inputs], tmp_path: Path
) -> None:
    agreement = """\
    - id: {id}
      title: t
      status: signed
      signed: {signed}
      reference: r
      evidence: illustrative
      parties:
        - {{id: gwangju, kind: region}}
      projects:
        - id: p
          title: t
          total_krw: 100000000000
          years: [2027, 2028]
          shares: {{{shares}}}
          schedule: {{2027: 0.5, 2028: 0.5}}
"""
    path = write(
        tmp_path,
        "title: t\nagreements:\n  add:\n"
        + agreement.format(id="2026-first", signed="2026-06-31", shares="gwangju: 1")
        + agreement.format(id="2026-second", signed="2026-06-30", shares="gwangju: 0.5"),
    )
    found = problems_of(rules_and_inputs, path)
    assert len(found) == 2, found
    assert found[0].startswith(f"{line_of(path, '2026-06-31')}: '2026-06-31' is not a real date")
    # The second agreement's mistake is found, and placed in the second agreement.
    second = line_of(path, "2026-second")
    assert int(found[1].split(":")[0]) > second, found


def test_every_bad_key_and_value_of_one_forecast_is_reported(
    rules_and_inputs: tuple[api.Ruleset, api.Inputs], tmp_path: Path
) -> None:
    path = write(
        tmp_path,
        "title: t\nforecast:\n  national.vat_base:\n    2026: {change: -0.1, bogus: 1}\n"
        "    2027: {change: abc}\n    2028: {change: 0.1, value: 5}\n"
        "  population:\n    2026: {value: 5}\n",
    )
    found = problems_of(rules_and_inputs, path)
    assert [f.split(":")[0] for f in found] == ["4", "5", "6", "8"], found


def test_load_scenario_still_refuses_a_file_with_a_mistake(tmp_path: Path) -> None:
    path = write(tmp_path, SIX_MISTAKES)
    with pytest.raises(UserError) as caught:
        load_scenario(path)
    # What reading alone can tell (the rest needs the rules): the date that does not exist.
    assert [p.message for p in caught.value.problems] == ["'2026-02-30' is not a real date"]


def test_an_unknown_agreement_on_the_command_line_says_the_nearest_id() -> None:
    done = run_fiscal("agreements", "2023-daegu-uam")
    assert done.returncode == 1
    assert f"unknown agreement '2023-daegu-uam'; did you mean '{DAEGU}'?" in done.stderr
    # Nothing near: the known ids, so the user can pick one.
    done = run_fiscal("agreements", "NOPE")
    assert done.returncode == 1
    assert "unknown agreement 'NOPE'; known: " in done.stderr and DAEGU in done.stderr


def test_a_misspelt_party_is_reported_once_and_its_shares_are_not_also_wrong(
    rules_and_inputs: tuple[api.Ruleset, api.Inputs], tmp_path: Path
) -> None:
    # gangwn is misspelt in parties (its share, under gangwon, follows from that);
    # gyeongi is misspelt in shares (a mistake of its own).
    path = write(
        tmp_path,
        "title: t\nagreements:\n  add:\n    - id: 2026-x\n      title: t\n"
        "      status: signed\n      signed: 2026-06-30\n      reference: r\n"
        "      evidence: illustrative\n      parties:\n"
        "        - {id: molit, kind: ministry}\n        - {id: gangwn, kind: region}\n"
        "        - {id: gyeonggi, kind: region}\n      projects:\n        - id: p\n"
        "          title: t\n          total_krw: 100000000000\n          years: [2027, 2028]\n"
        "          shares: {molit: 0.5, gangwon: 0.25, gyeongi: 0.25}\n"
        "          schedule: {2027: 0.5, 2028: 0.5}\n",
    )
    assert problems_of(rules_and_inputs, path) == [
        f"{line_of(path, 'gangwn')}: unknown region 'gangwn'; did you mean 'gangwon'?",
        f"{line_of(path, 'shares:')}: share for 'gyeongi', which is not a party of this "
        "agreement; did you mean 'gyeonggi'?",
    ]
