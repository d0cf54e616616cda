"""explain, and the Python API's displays, say what the projection left undone.

A figure explained alone, or a table shown in a notebook, hid that the 6:4 tax-ratio
scenario leaves 22 trn of the ordinary grant unallocated and which region-years pass the
affordability limit; ``fiscal project`` says both, so everything that projects does.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console, Group, RenderableType

from fiscal import api
from fiscal.cli.jsonout import records
from fiscal.report import tables
from tests.test_terminal_widths import TAX_RATIO, flat, in_unit, piped


@pytest.fixture(scope="module")
def scenario() -> api.ProjectionResult:
    return api.project(scenario=TAX_RATIO)


def unallocated(result: api.ProjectionResult) -> int:
    return sum(int(p.unallocated.sum()) for p in result.projection.pools)


def flagged(result: api.ProjectionResult) -> list[tuple[str, int]]:
    """(region, year) of each breach, from the Affordability sheet's own table."""
    rows = records(tables.affordability(result.projection))
    return [(str(r["region"]), int(str(r["year"]))) for r in rows if r["flagged"] == "yes"]


def shown(renderable: RenderableType) -> str:
    console = Console(file=io.StringIO(), width=200, color_system=None)
    console.print(renderable)
    out = console.file.getvalue()  # type: ignore[attr-defined]
    assert isinstance(out, str)
    return out


def test_explain_says_the_pool_left_unallocated_and_the_breaches(
    tmp_path: Path, scenario: api.ProjectionResult
) -> None:
    done = piped("explain", "seoul", "2026", "local_shared_tax_ordinary", "--scenario", TAX_RATIO,
                 columns=80, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    left = unallocated(scenario)
    assert left > 20 * 10**12
    assert f"{left:,} won not allocated" in flat(done.stdout)
    breaches = flagged(scenario)
    assert breaches
    names = {r.id: r.name.en for r in scenario.rules.regions}
    for region, year in breaches:
        assert f"Affordability: {names[region]} {year}:" in flat(done.stdout)


def test_explain_json_carries_the_unallocated_money_and_breaches(
    tmp_path: Path, scenario: api.ProjectionResult
) -> None:
    done = piped("explain", "seoul", "2026", "local_shared_tax_ordinary", "--scenario", TAX_RATIO,
                 "--json", columns=80, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert sum(r["unallocated_krw"] for r in found["unallocated"]) == unallocated(scenario)
    assert {r["pool"] for r in found["unallocated"]} == {"local_shared_tax_ordinary"}
    assert [(r["region"], r["year"]) for r in found["affordability_breaches"]] == flagged(scenario)
    assert found["pool_count"] == len(scenario.projection.pools)


def test_explain_of_a_baseline_says_every_pool_was_distributed(tmp_path: Path) -> None:
    done = piped("explain", "seoul", "2026", "local_consumption_tax", columns=80, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "pools distributed to the won." in done.stdout


def test_explain_is_exact_by_default_and_rounds_only_when_asked(
    tmp_path: Path, scenario: api.ProjectionResult
) -> None:
    found = api.explain(None, None, "seoul", 2026, "local_consumption_tax")
    won = found["amount_krw"]
    exact = piped("explain", "seoul", "2026", "local_consumption_tax", columns=80, cwd=tmp_path)
    assert f"2026: {won:,} won" in flat(exact.stdout)
    assert "rounded" not in exact.stdout
    billions = piped("explain", "seoul", "2026", "local_consumption_tax", "--units", "billion",
                     columns=80, cwd=tmp_path)  # fmt: skip
    assert billions.returncode == 0, billions.stderr
    text = flat(billions.stdout)
    assert f"2026: about {in_unit(won, 'billion won')} billion won" in text
    pool = next(s["value"] for s in found["steps"] if s["step"].startswith("pool"))
    assert "Steps: money in billion won (십억원), rounded" in text
    assert in_unit(pool, "billion won") in billions.stdout
    assert "…" not in billions.stdout
    bad = piped("explain", "seoul", "2026", "local_consumption_tax", "--units", "lakh",
                columns=80, cwd=tmp_path)  # fmt: skip
    assert bad.returncode == 2 and "--units" in bad.stderr


def test_the_python_api_shows_what_the_cli_says_was_left(scenario: api.ProjectionResult) -> None:
    left = f"{unallocated(scenario):,} won not allocated"
    projected = flat(shown(scenario.rich()))
    assert left in projected
    names = {r.id: r.name.en for r in scenario.rules.regions}
    region, year = flagged(scenario)[0]
    assert f"Affordability: {names[region]} {year}:" in projected
    assert left in flat(scenario._repr_html_())
    compared = api.compare(None, None, [TAX_RATIO])
    text = flat(shown(Group(*compared.rich())))
    assert left in text
    # named by its title, as every output names a scenario
    assert "Affordability under National:local tax ratio moving toward 6:4 by 2030:" in text
