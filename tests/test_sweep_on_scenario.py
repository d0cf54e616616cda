"""`fiscal sweep --scenario FILE` sweeps a parameter on top of a scenario."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_fiscal

SCENARIO = """\
title: VAT 10% lower from 2025
forecast:
  national.vat_base:
    2025..: {change: -0.10}
"""


def _sweep(tmp_path: Path, *extra: str | Path) -> dict[str, object]:
    done = run_fiscal(
        "sweep", "--param", "local_consumption_tax.vat_share", "--values", "0.253,0.3",
        "--jobs", "1", "--to", "2026", "--json", "-o", tmp_path / f"s{len(extra)}.xlsx", *extra,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    found: dict[str, object] = json.loads(done.stdout)
    return found


def test_a_sweep_on_a_scenario_uses_the_scenarios_forecast(tmp_path: Path) -> None:
    scenario = tmp_path / "vat-cut.yaml"
    scenario.write_text(SCENARIO)
    base = _sweep(tmp_path)
    cut = _sweep(tmp_path, "--scenario", scenario)
    assert base["scenario"] == "baseline" and cut["scenario"] == "VAT 10% lower from 2025"

    def revenue(found: dict[str, object]) -> dict[tuple[str, str], int]:
        return {
            (str(p["value"]), str(p["region"])): int(p["total_revenue_krw"])
            for p in found["points"]  # type: ignore[attr-defined]
        }

    before, after = revenue(base), revenue(cut)
    assert before.keys() == after.keys()
    assert all(after[k] < before[k] for k in before if k[1] == "seoul")  # Seoul gets less LCT


def test_a_sweep_on_a_bad_scenario_says_where(tmp_path: Path) -> None:
    scenario = tmp_path / "bad.yaml"
    scenario.write_text("title: t\nforecast:\n  national.nope:\n    2026: {change: 0.1}\n")
    done = run_fiscal(
        "sweep", "--param", "local_consumption_tax.vat_share", "--values", "0.3",
        "--scenario", scenario, "-o", tmp_path / "s.xlsx",
    )  # fmt: skip
    assert done.returncode == 1
    assert "bad.yaml:3" in done.stderr and "unknown national series" in done.stderr
    assert not (tmp_path / "s.xlsx").exists()
