"""National scale: 243 governments in two tiers, adjustment grants, consolidation, synth."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from fiscal.datasets.synth import synthesize
from fiscal.engine.projection import Projection, project
from fiscal.report.views import view
from fiscal.rules.input_files import load_inputs
from fiscal.rules.loader import check_ruleset, load_ruleset
from fiscal.rules.ruleset import Ruleset, value_for_region
from tests.conftest import REPO, run_fiscal

YEARS = list(range(2025, 2031))


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> tuple[Ruleset, Projection, Path]:
    out = tmp_path_factory.mktemp("synth") / "data"
    rules, inputs = synthesize(out, seed=3, years=len(YEARS), agreements=60)
    ruleset = load_ruleset(rules)
    return ruleset, project(ruleset, load_inputs(inputs), YEARS), out


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_the_generator_is_deterministic(tmp_path: Path) -> None:
    first = synthesize(tmp_path / "a", seed=11, years=4, agreements=25)[0].parent
    second = synthesize(tmp_path / "b", seed=11, years=4, agreements=25)[0].parent
    other = synthesize(tmp_path / "c", seed=12, years=4, agreements=25)[0].parent
    assert digest(first) == digest(second)
    assert digest(first) != digest(other)


def test_243_governments_in_two_tiers(national: tuple[Ruleset, Projection, Path]) -> None:
    ruleset, _, _ = national
    upper = [r for r in ruleset.regions if r.tier == "upper"]
    basic = [r for r in ruleset.regions if r.tier == "basic"]
    assert (len(upper), len(basic)) == (17, 226)
    assert {r.region_class.value for r in basic} == {"city", "county", "district"}
    assert all(ruleset.region(r.parent or "") in upper for r in basic)


def test_every_pool_reaches_the_governments_to_the_won(
    national: tuple[Ruleset, Projection, Path],
) -> None:
    _, projection, _ = national
    for pool in projection.pools:
        assert not pool.unallocated.any(), pool.rule
        assert np.array_equal(projection.amounts[pool.item].sum(axis=0), pool.pool)


def test_rules_reach_only_their_tier(national: tuple[Ruleset, Projection, Path]) -> None:
    ruleset, projection, _ = national
    basic = np.asarray([r.tier == "basic" for r in ruleset.regions])
    assert not projection.amounts["local_consumption_tax"][basic].any()  # tier: upper
    assert not projection.amounts["real_estate_grant"][~basic].any()  # tier: basic
    assert projection.amounts["local_shared_tax_ordinary"][basic].any()  # tier: all


def test_each_parent_pays_its_children_exactly(national: tuple[Ruleset, Projection, Path]) -> None:
    ruleset, projection, _ = national
    received = projection.amounts["adjustment_grant"]
    paid = projection.amounts["adjustment_grant_paid"]
    rate = ruleset.parameters["adjustment_grant.rate"]
    for p, parent in enumerate(ruleset.regions):
        children = ruleset.children(parent.id)
        if not children:
            assert not paid[p].any()
            continue
        assert np.array_equal(received[children].sum(axis=0), paid[p])
        for y, year in enumerate(YEARS):
            share = value_for_region(rate.in_force(year), parent)  # type: ignore[arg-type]
            tax = int(projection.amounts["local_tax"][p, y])
            assert int(paid[p, y]) == round(Fraction(tax) * Fraction(share))  # type: ignore[arg-type]


def test_consolidated_figures_leave_out_transfers_between_the_tiers(
    national: tuple[Ruleset, Projection, Path],
) -> None:
    ruleset, projection, _ = national
    consolidated = view(projection, ruleset, "consolidated")
    alone = view(projection, ruleset, "upper")
    inter = {i.id for i in ruleset.items if i.inter_tier}
    assert inter == {"adjustment_grant", "adjustment_grant_paid"}
    for u, unit in enumerate(consolidated.units):
        family = [ruleset.region_ids.index(unit.id), *ruleset.children(unit.id)]
        for item, values in projection.amounts.items():
            expected = 0 if item in inter else values[family].sum(axis=0)
            assert np.array_equal(consolidated.amounts[item][u], expected * np.ones(len(YEARS)))
        assert np.array_equal(
            alone.amounts["local_tax"][u], projection.amounts["local_tax"][family[0]]
        )
    # Nothing counted twice: national revenue consolidated = all governments' revenue less
    # what the upper tier passed down.
    everyone = projection.headline.total_revenue.sum(axis=0)
    passed = projection.amounts["adjustment_grant"].sum(axis=0)
    assert np.array_equal(consolidated.headline.total_revenue.sum(axis=0), everyone - passed)
    by_mega = view(projection, ruleset, "mega-region")
    assert np.array_equal(by_mega.headline.total_revenue.sum(axis=0), everyone - passed)


def test_region_parents_are_checked(tmp_path: Path) -> None:
    rules, _ = synthesize(tmp_path / "data", seed=1, years=3, agreements=0)
    regions = rules / "regions.yaml"
    text = regions.read_text(encoding="utf-8")
    text = text.replace("parent: busan\n", "parent: atlantis\n", 1)
    text = text.replace("parent: daegu\n", "parent: daegu-county-01\n", 1)
    regions.write_text(text, encoding="utf-8")
    _, problems = check_ruleset(rules)
    messages = [f"{p.where.line}: {p.message}" for p in problems]
    lines = text.splitlines()
    orphan = 1 + lines.index("  - id: busan-county-01")  # the region is reported at its id
    looped = 1 + lines.index("  - id: daegu-county-01")  # now its own parent
    assert f"{orphan}: unknown parent 'atlantis' of 'busan-county-01'" in messages
    assert f"{looped}: circular parents: daegu-county-01 -> daegu-county-01" in messages


def test_synth_command_and_a_consolidated_projection(tmp_path: Path) -> None:
    out = tmp_path / "national"
    done = run_fiscal("synth", out, "--years", "4", "--agreements", "20", "--seed", "5")
    assert done.returncode == 0, done.stderr
    again = run_fiscal("synth", out)
    assert again.returncode == 1 and "--force" in again.stderr
    projected = run_fiscal(
        "project",
        "--rules",
        out / "rules",
        "--inputs",
        out / "inputs",
        "--by",
        "consolidated",
        "-o",
        tmp_path / "n.xlsx",
        "-q",
    )
    assert projected.returncode == 0, projected.stderr


def test_the_benchmark_harness_runs_in_quick_mode() -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    for name in ("load bundled rules", "project 243", "sweep", "export workbook", "fiscal --help"):
        assert name in done.stdout
