"""``fiscal agreements --year`` shows each agreement's money in the years asked.

An officer asking for 2026 wants what each agreement costs the centre (국비) and the
regions (지방비) that year, not the list of totals over all years it printed before.
"""

from __future__ import annotations

import json
from pathlib import Path

from fiscal import api
from tests.test_terminal_widths import flat, in_unit, piped, title_of

CORRIDOR = "2025-southeast-hydrogen-corridor"


def paid(year: int, kinds: tuple[str, ...]) -> int:
    """The corridor's cost shares in ``year`` paid by parties of ``kinds``, from its flows."""
    schedule = api.agreement(None, CORRIDOR)
    return sum(
        f.amount
        for f in schedule.flows
        if f.flow == "cost_share" and f.year == year and f.party_kind in kinds
    )


def test_the_list_shows_central_money_and_co_funding_in_the_year_asked(tmp_path: Path) -> None:
    central, regions = paid(2026, ("ministry", "central")), paid(2026, ("region",))
    assert central > 0 and regions > 0
    for columns in (80, 200):
        done = piped("agreements", "--year", "2026", columns=columns, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        assert "…" not in done.stdout
        title = title_of(done.stdout, "Investment agreements:")
        assert "central money and co-funding in 2026" in title
        text = flat(done.stdout)
        assert "Central 2026" in text and "Co-fund 2026" in text
        assert in_unit(central, title) in done.stdout
        assert in_unit(regions, title) in done.stdout
        assert "Central 2027" not in text


def test_the_list_as_json_carries_each_year_asked(tmp_path: Path) -> None:
    done = piped("agreements", "--year", "2026-2027", "--json", columns=80, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    corridor = next(a for a in json.loads(done.stdout) if a["agreement"] == CORRIDOR)
    assert corridor["by_year"] == {
        str(y): {
            "central_krw": paid(y, ("ministry", "central")),
            "co_funding_krw": paid(y, ("region",)),
        }
        for y in (2026, 2027)
    }


def test_without_year_the_list_is_as_before_and_a_year_outside_is_refused(
    tmp_path: Path,
) -> None:
    plain = piped("agreements", columns=200, cwd=tmp_path)
    assert plain.returncode == 0, plain.stderr
    assert "Central 20" not in plain.stdout
    assert "by_year" not in piped("agreements", "--json", columns=80, cwd=tmp_path).stdout
    bad = piped("agreements", "--year", "2050", columns=80, cwd=tmp_path)
    assert bad.returncode == 2
    assert "--year" in bad.stderr
