"""A figure a scenario changed cites the scenario's line, and the line it changes.

Under a scenario that cuts the VAT base 5% in 2026, ``explain`` used to show the new
value and cite ``national.yaml:15``, which holds the old one. Now it cites
``vat-cut.yaml:4, changing .../national.yaml:15`` and says what the value was; an
indicator changed for some years cites the scenario for those years only.
"""

from __future__ import annotations

import json
from pathlib import Path

from fiscal import api
from tests.conftest import run_fiscal

SCENARIO = """\
title: VAT 5% lower in 2026
forecast:
  national.vat_base:
    2026: {change: -0.05}
  private_consumption:
    2027: {change: 0.01}
"""


def _scenario(tmp_path: Path) -> Path:
    path = tmp_path / "vat-cut.yaml"
    path.write_text(SCENARIO)
    return path


def _explain(scenario: Path, year: int) -> dict[str, object]:
    done = run_fiscal(
        "explain", "seoul", str(year), "local_consumption_tax", "--scenario", scenario,
        "--format", "json",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    found: dict[str, object] = json.loads(done.stdout)
    return found


def test_a_changed_national_figure_cites_the_scenario_and_the_line_it_changes(
    tmp_path: Path,
) -> None:
    found = _explain(_scenario(tmp_path), 2026)
    (base,) = found["national_bases"]  # type: ignore[misc]
    assert base["source"].endswith("vat-cut.yaml:4, changing examples/korea-2025/national.yaml:15")
    assert base["note"] == "changed by the scenario for 2026 (was 109,192,500,000,000)"
    assert base["value"] == 109_192_500_000_000 * 95 // 100
    # The indicator changes in 2027 only: 2026 cites the inputs, as before.
    (indicator,) = found["inputs"]  # type: ignore[misc]
    assert indicator["source"] == "examples/korea-2025/regional/private_consumption.yaml:10"


def test_a_changed_indicator_cites_the_scenario_for_the_years_it_changes(tmp_path: Path) -> None:
    found = _explain(_scenario(tmp_path), 2027)
    (indicator,) = found["inputs"]  # type: ignore[misc]
    assert indicator["source"].endswith(
        "vat-cut.yaml:6 (2027), changing examples/korea-2025/regional/private_consumption.yaml:10"
    )
    (base,) = found["national_bases"]  # type: ignore[misc]
    assert base["source"] == "examples/korea-2025/national.yaml:16"


def test_the_api_cites_the_scenario_too(tmp_path: Path) -> None:
    found = api.explain(
        api.load_rules(), api.load_inputs(), "seoul", 2026, "local_consumption_tax",
        _scenario(tmp_path),
    )  # fmt: skip
    assert ", changing " in found["national_bases"][0]["source"]
