"""Scenarios as budget officers write them: validated whole, applied exactly."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from fiscal import api
from fiscal.errors import UserError
from tests.conftest import BUNDLED_INPUTS, run_fiscal
from tests.excel_helpers import Rows, read_rows

SCENARIOS = BUNDLED_INPUTS / "scenarios"
YEARS = list(range(2025, 2031))


@pytest.fixture(scope="module")
def rules_and_inputs() -> tuple[api.Ruleset, api.Inputs]:
    return api.load_rules(), api.load_inputs()


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(path: Path, needle: str) -> int:
    return 1 + next(i for i, t in enumerate(path.read_text().splitlines()) if needle in t)


def ledger_amounts(rows: Rows) -> dict[tuple[str, int, str], int]:
    header, *body = rows["Ledger"]
    at = {name: i for i, name in enumerate(header)}
    return {
        (str(r[at["region"]]), int(r[at["year"]]), str(r[at["item"]])): int(r[at["amount_krw"]])
        for r in body
        if r and r[at["region"]]
    }


@pytest.fixture(scope="module")
def baseline_ledger(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, int, str], int]:
    book = tmp_path_factory.mktemp("baseline") / "base.xlsx"
    done = run_fiscal("project", "-o", book, "-q")
    assert done.returncode == 0, done.stderr
    return ledger_amounts(read_rows(book))


@pytest.mark.parametrize("scenario", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_bundled_scenario_projects_and_changes_the_budget(
    scenario: Path, tmp_path: Path, baseline_ledger: dict[tuple[str, int, str], int]
) -> None:
    book = tmp_path / "x.xlsx"
    done = run_fiscal("project", "--scenario", scenario, "-o", book, "-q")
    assert done.returncode == 0, done.stderr
    rows = read_rows(book)
    # The workbook says which scenario made it ...
    provenance = {str(r[0]): r[1] for r in rows["Provenance"] if r and r[0]}
    assert any(scenario.stem in str(value) for value in provenance.values()), provenance
    # ... and the scenario moved money: some Ledger figure differs from the baseline's.
    ledger = ledger_amounts(rows)
    assert ledger.keys() == baseline_ledger.keys()
    assert any(ledger[k] != baseline_ledger[k] for k in ledger), f"{scenario.stem} changed nothing"


def test_a_share_from_a_date_changes_only_the_years_from_then(rules_and_inputs) -> None:  # type: ignore[no-untyped-def]
    rules, inputs = rules_and_inputs
    base = api.project(rules, inputs, None, YEARS).projection
    scen = api.project(rules, inputs, SCENARIOS / "lct-30pct-2027.yaml", YEARS).projection
    assert scen.scenario == "Local consumption tax at 30% of VAT from 2027"
    lct_base, lct_scen = (
        base.amounts["local_consumption_tax"],
        scen.amounts["local_consumption_tax"],
    )
    assert np.array_equal(lct_base[:, :2], lct_scen[:, :2])  # 2025, 2026 untouched
    vat = inputs.national["vat_base"].values
    for y, year in enumerate(YEARS):
        share = Fraction("0.30") if year >= 2027 else Fraction("0.253")
        assert int(lct_scen[:, y].sum()) == round(Fraction(vat[year]) * share)
    # More local consumption tax means a smaller fiscal gap: the ordinary grant pool is the
    # same, so its total is unchanged, while every region's LCT rises.
    assert (lct_scen[:, 2:] > lct_base[:, 2:]).all()
    ordinary = "local_shared_tax_ordinary"
    assert np.array_equal(base.amounts[ordinary].sum(axis=0), scen.amounts[ordinary].sum(axis=0))


def test_a_date_range_override_ends_and_the_rules_resume(rules_and_inputs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rules, inputs = rules_and_inputs
    path = write(
        tmp_path,
        "title: t\nparameters:\n  local_shared_tax.rate:\n    2026-01-01..2027-12-31: 0.21\n",
    )
    scen = api.project(rules, inputs, path, YEARS).projection
    pools = {p.rule: p for p in scen.pools}["local_shared_tax_ordinary"]
    internal = inputs.national["internal_tax"].values
    for y, year in enumerate(YEARS):
        rate = Fraction("0.21") if year in (2026, 2027) else Fraction("0.1924")
        assert int(pools.pool[y]) == round(Fraction(internal[year]) * rate * Fraction("0.97"))


def test_a_forecast_change_applies_to_its_year_only(rules_and_inputs) -> None:  # type: ignore[no-untyped-def]
    rules, inputs = rules_and_inputs
    scen = api.project(
        rules, inputs, SCENARIOS / "national-tax-fall-10pct-2026.yaml", YEARS
    ).projection
    base = api.project(rules, inputs, None, YEARS).projection
    internal = inputs.national["internal_tax"].values
    pool = {p.rule: p for p in scen.pools}["local_shared_tax_ordinary"]
    assert int(pool.base[1]) == round(Fraction(internal[2026]) * Fraction("0.9"))
    assert int(pool.base[2]) == internal[2027]
    base_pool = {p.rule: p for p in base.pools}["local_shared_tax_ordinary"]
    assert pool.pool[1] < base_pool.pool[1] and pool.pool[2] == base_pool.pool[2]


def test_an_added_mega_region_agreement_flows_to_its_regions(rules_and_inputs) -> None:  # type: ignore[no-untyped-def]
    rules, inputs = rules_and_inputs
    scen = api.project(
        rules, inputs, SCENARIOS / "honam-ai-mega-region-agreement.yaml", YEARS
    ).projection
    gwangju = scen.region_ids.index("gwangju")
    inflow = scen.amounts["agreement_inflow"][gwangju]
    assert inflow[YEARS.index(2026)] == 0 and inflow[YEARS.index(2027)] > 0
    added = next(s for s in scen.agreements if s.agreement.id == "2026-honam-ai-cluster")
    assert added.total() == 500_000_000_000


@pytest.mark.parametrize(
    ("text", "needle", "words"),
    [
        (
            "title: t\nparameters:\n  local_consumption_tax.vat_shar:\n    2027-01-01: 0.3\n",
            "vat_shar:",
            "unknown parameter 'local_consumption_tax.vat_shar'",
        ),
        (
            "title: t\nparameters:\n  local_consumption_tax.vat_share:\n    2027-01-01: 1.3\n",
            "2027-01-01",
            "1.3 is a ratio outside [0, 1]",
        ),
        (
            "title: t\nparameters:\n  local_consumption_tax.vat_share:\n    next year: 0.3\n",
            "next year",
            "is not a date",
        ),
        (
            "title: t\nparameters:\n  local_shared_tax.split:\n"
            "    2027-01-01: {ordinary: 0.9, special: 0.2}\n",
            "2027-01-01",
            "split parts must sum to 1",
        ),
        (
            "title: t\nforecast:\n  national.internal_taxes:\n    2026: {change: -0.1}\n",
            "internal_taxes",
            "unknown national series",
        ),
        (
            "title: t\nforecast:\n  national.internal_tax:\n    2026: {change: -0.1, value: 5}\n",
            "2026:",
            "exactly one of change",
        ),
        (
            "title: t\nforecast:\n  national.internal_tax:\n    2026: {change: -1.5}\n",
            "2026:",
            "negative",
        ),
        (
            "title: t\nagreements:\n  remove: [no-such-agreement]\n",
            "remove",
            "unknown agreement 'no-such-agreement'",
        ),
        (
            "title: t\nagreements:\n  amend:\n    2023-daegu-urban-air-mobility:\n"
            "      - effective: 2020-01-01\n        reference: r\n        projects:\n"
            "          uam-corridor: {total_krw: 160000000000}\n",
            "effective: 2020",
            "before signing",
        ),
        ("title: t\nsurprise: 1\n", "surprise", "unknown key 'surprise'"),
    ],
)
def test_scenario_mistakes_are_reported_at_their_line(
    tmp_path: Path, text: str, needle: str, words: str
) -> None:
    path = write(tmp_path, text)
    done = run_fiscal("project", "--scenario", path, "-o", tmp_path / "out.xlsx")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert f"scenario.yaml:{line_of(path, needle)}" in done.stderr, done.stderr
    assert words in done.stderr
    assert not (tmp_path / "out.xlsx").exists()


def test_all_problems_of_a_scenario_come_back_in_one_run(rules_and_inputs, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    rules, inputs = rules_and_inputs
    path = write(
        tmp_path,
        "title: t\nparameters:\n  nope.nope:\n    2027-01-01: 0.3\n"
        "forecast:\n  national.nope:\n    2026: {change: 0.1}\n",
    )
    with pytest.raises(UserError) as caught:
        api.project(rules, inputs, path, YEARS)
    assert len(caught.value.problems) == 2


def test_a_mistaken_change_to_every_region_is_reported_once(tmp_path: Path) -> None:
    path = write(tmp_path, "title: t\nforecast:\n  population:\n    2026: {change: -1.5}\n")
    done = run_fiscal("project", "--scenario", path, "-o", tmp_path / "x.xlsx")
    assert done.returncode == 1
    wrong = [line for line in done.stderr.splitlines() if "would make the value" in line]
    # one mistake in the file, one line: not one per region the change applies to
    assert wrong == [f"{path}:4: change -1.5 would make the value negative: "
                     "a change must be more than -1 (-100%)"]  # fmt: skip
    assert not (tmp_path / "x.xlsx").exists()
