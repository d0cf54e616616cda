"""A scenario can change one region's indicator: ``population: {seoul: {2026: ...}}``.

Only that region moves (with every region's change, if one is given too); the region
is named by its id in any case; the Scenario sheet and explain cite the region's line.
"""

from __future__ import annotations

import json
from pathlib import Path

from fiscal import api
from tests.conftest import run_fiscal

SCENARIO = """\
title: Seoul loses people
forecast:
  population:
    Seoul:
      2026: {change: -0.01}
    2027: {change: 0.01}
"""


def _scenario(tmp_path: Path) -> Path:
    path = tmp_path / "seoul.yaml"
    path.write_text(SCENARIO)
    return path


def test_only_the_region_named_changes(tmp_path: Path) -> None:
    rules, inputs = api.load_rules(), api.load_inputs()
    before = inputs.regional["population"].values
    result = api.project(rules, inputs, _scenario(tmp_path))
    changes = {(c.region, c.years): c for c in result.changes}
    seoul = changes[("seoul", "2026")]
    assert seoul.was == before["seoul"][2026]
    assert seoul.now == round(before["seoul"][2026] * 0.99)
    assert str(seoul.where).endswith("seoul.yaml:5")
    assert ("busan", "2026") not in changes  # no other region changed in 2026
    assert str(changes[("busan", "2027")].where).endswith("seoul.yaml:6")
    assert str(changes[("seoul", "2027")].where).endswith("seoul.yaml:6")


def test_explain_cites_the_regions_line(tmp_path: Path) -> None:
    done = run_fiscal(
        "explain", "seoul", "2026", "fire_safety_grant", "--scenario", _scenario(tmp_path),
        "--format", "json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    text = json.dumps(found)
    assert "seoul.yaml:5" in text, text


def test_a_region_named_in_korean_or_english_is_the_same_region(tmp_path: Path) -> None:
    results = []
    for name in ("seoul", "서울", "Seoul", "서울특별시"):
        path = tmp_path / f"scenario-{len(results)}.yaml"
        path.write_text(
            f"title: t\nforecast:\n  population:\n    {name}:\n      2026: {{change: -0.01}}\n",
            encoding="utf-8",
        )
        result = api.project(scenario=path)
        results.append(result.projection.amounts)
        changes = result.changes
        assert [(c.region, c.years) for c in changes] == [("seoul", "2026")]
        # the citation names the line of the region's own change, whatever its name
        assert all(c.where.line == 5 for c in changes)
    first = results[0]
    for other in results[1:]:
        assert all((first[k] == other[k]).all() for k in first)
