"""No number or id is ever cut, at any width, in a pipe.

rich cuts a table that is wider than the console and marks the cut with "…"; in a pipe
or a log it assumes 80 columns. Every table command is run here through the real CLI
with its output piped, at 60, 80 and 200 columns, and must print no "…" anywhere; the
figures a reader looks for (Seoul's total, a change, an agreement's total) must appear
whole in the unit the title names.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from fiscal import api
from tests.conftest import BUNDLED_INPUTS, REPO
from tests.history_repo import HistoryRepo, build_history_repo

SCENARIOS = BUNDLED_INPUTS / "scenarios"
TAX_RATIO = SCENARIOS / "tax-ratio-toward-6-4.yaml"
# Output names a scenario by its title (the file's `title:`), not by its file name.
TAX_RATIO_TITLE = "National:local tax ratio moving toward 6:4 by 2030"
WIDTHS = (60, 80, 200)


def piped(*args: str | Path, columns: int, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``fiscal ARGS`` with standard output a pipe, as in ``fiscal ... | cat`` or a log."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": str(columns)}
    env["PYTHONPATH"] = str(REPO / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run(
        [sys.executable, "-m", "fiscal", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,  # standard output a pipe: rich assumes 80 columns or COLUMNS
        text=True,
        timeout=300,
        check=False,
    )


def in_unit(won: int, title: str, signed: bool = False) -> str:
    """``won`` as the table titled ``title`` shows it, computed here from the integer
    (half away from zero), independently of the code under test."""
    divisors = [
        ("trillion won", 10**12, 1),
        ("billion won", 10**9, 0),
        ("억 won", 10**8, 0),
        ("million won", 10**6, 0),
    ]
    for name, divisor, decimals in divisors:
        if name in title:
            scale = divisor // 10**decimals
            rounded = (abs(won) * 2 + scale) // (2 * scale)
            whole, frac = divmod(rounded, 10**decimals)
            text = f"{whole:,}" + (f".{frac:0{decimals}d}" if decimals else "")
            sign = "-" if won < 0 else "+" if signed else ""
            return sign + text
    assert re.search(r"\bwon\b", title), f"no unit in the title {title!r}"
    return f"{won:+,}" if signed else f"{won:,}"


def flat(out: str) -> str:
    """The output with its lines joined and runs of spaces made one (titles wrap)."""
    return " ".join(out.split())


def title_of(out: str, starts: str) -> str:
    """The (possibly wrapped) title that begins with ``starts``, joined onto one line."""
    text = flat(out)  # the title may wrap inside ``starts`` itself
    at = text.index(starts)
    return text[at : at + 400]


def assert_whole(out: str) -> None:
    assert "…" not in out, out


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> HistoryRepo:
    return build_history_repo(tmp_path_factory.mktemp("history"))


@pytest.fixture(scope="module")
def baseline() -> api.ProjectionResult:
    return api.project()


@pytest.mark.parametrize("columns", WIDTHS)
def test_project_shows_seoul_total_whole_in_the_unit_of_its_title(
    columns: int, tmp_path: Path, baseline: api.ProjectionResult
) -> None:
    done = piped("project", "-o", tmp_path / "p.xlsx", columns=columns, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert_whole(done.stdout)
    seoul = int(baseline.view("region").headline.total_revenue[0, 0])
    title = title_of(done.stdout, "baseline, 2025")
    assert in_unit(seoul, title) in done.stdout
    if columns == 80:
        assert "billion won (십억원), rounded" in title  # one table, in a unit that fits
    else:
        # 200 columns hold every won; at 60 the table stacks, one region a block, in won.
        assert "won;" in title and "rounded" not in title


@pytest.mark.parametrize("columns", WIDTHS)
def test_project_by_mega_region_and_every_year(columns: int, tmp_path: Path) -> None:
    done = piped("project", "-o", tmp_path / "p.xlsx", "--by", "mega-region", "--year", "all",
                 columns=columns, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert_whole(done.stdout)
    for year in range(2025, 2031):
        assert f"baseline by mega-region, {year}" in flat(done.stdout)


@pytest.mark.parametrize("columns", WIDTHS)
def test_compare_shows_the_first_changed_year_and_what_was_left(
    columns: int, tmp_path: Path
) -> None:
    done = piped("compare", TAX_RATIO, "-o", tmp_path / "c.xlsx", columns=columns, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert_whole(done.stdout)
    text = flat(done.stdout)
    assert "2026, the first year the scenario changes" in text
    base = api.project()
    scen = api.project(scenario=TAX_RATIO)
    change = int(scen.view("region").headline.total_revenue[0, 1]) - int(
        base.view("region").headline.total_revenue[0, 1]
    )
    title = title_of(done.stdout, f"{TAX_RATIO_TITLE} against baseline")
    assert in_unit(change, title, signed=True) in done.stdout
    # The ordinary grant's pool is not fully allocated under this scenario: compare says so.
    left = sum(int(p.unallocated.sum()) for p in scen.projection.pools)
    assert left > 20 * 10**12
    assert f"{left:,} won not allocated" in done.stdout
    assert f"Affordability under {TAX_RATIO_TITLE}" in done.stdout


@pytest.mark.parametrize("columns", WIDTHS)
def test_explain_prints_every_figure_whole(columns: int, tmp_path: Path) -> None:
    done = piped("explain", "seoul", "2026", "local_consumption_tax", columns=columns,
                 cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert_whole(done.stdout)
    assert "local_consumption_tax.vat_share" in done.stdout


@pytest.mark.parametrize("columns", WIDTHS)
def test_sweep_shows_values_and_what_each_leaves(columns: int, tmp_path: Path) -> None:
    done = piped("sweep", "--param", "local_consumption_tax.vat_share", "--values", "0.25,0.3",
                 "-o", tmp_path / "s.xlsx", columns=columns, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert_whole(done.stdout)
    assert "0.25" in done.stdout and "0.3" in done.stdout
    assert re.search(r"Unallocated", done.stdout)
    assert "2025, the first year the value applies" in flat(done.stdout)


@pytest.mark.parametrize("columns", WIDTHS)
def test_agreements_list_and_one_agreement(columns: int, tmp_path: Path) -> None:
    listed = piped("agreements", columns=columns, cwd=tmp_path)
    assert listed.returncode == 0, listed.stderr
    assert_whole(listed.stdout)
    assert "2024-jeonbuk-public-private-culture" in listed.stdout
    one = piped("agreements", "2025-southeast-hydrogen-corridor", columns=columns, cwd=tmp_path)
    assert one.returncode == 0, one.stderr
    assert_whole(one.stdout)
    assert "southeast-h2-consortium" in one.stdout
    title = title_of(one.stdout, "2025-southeast-hydrogen-corridor:")
    assert in_unit(320_852_553_600, title) in one.stdout


@pytest.mark.parametrize("columns", WIDTHS)
def test_diff_and_history(columns: int, repo: HistoryRepo) -> None:
    diff = piped("diff", "v1", "v2", "--rules", "rules/korea", "--inputs", "inputs",
                 columns=columns, cwd=repo.root)  # fmt: skip
    assert diff.returncode == 3, diff.stderr
    assert_whole(diff.stdout)
    assert "local_consumption_tax.vat_share" in diff.stdout
    history = piped("history", "local_consumption_tax.vat_share", "--rules", "rules/korea",
                    columns=columns, cwd=repo.root)  # fmt: skip
    assert history.returncode == 0, history.stderr
    assert_whole(history.stdout)
    short = repo.commits["v2"][:7]
    assert short in history.stdout


def test_units_option_chooses_the_unit(tmp_path: Path, baseline: api.ProjectionResult) -> None:
    done = piped("project", "-o", tmp_path / "p.xlsx", "--units", "trillion", columns=80,
                 cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "trillion won (조원), rounded" in flat(done.stdout)
    seoul = int(baseline.view("region").headline.total_revenue[0, 0])
    assert in_unit(seoul, "trillion won") in done.stdout
    bad = piped("project", "-o", tmp_path / "q.xlsx", "--units", "lakh", columns=80,
                cwd=tmp_path)  # fmt: skip
    assert bad.returncode == 2
    assert "--units" in bad.stderr


def test_a_year_outside_the_projection_is_refused(tmp_path: Path) -> None:
    done = piped("compare", TAX_RATIO, "-o", tmp_path / "c.xlsx", "--year", "2040",
                 columns=80, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 2
    assert "2040 is not among the years projected, 2025-2030" in done.stderr


LONG = "a-folder-whose-name-alone-is-wider-than-a-narrow-terminal"


@pytest.mark.parametrize(
    "command",
    [
        ("project",),
        ("compare", TAX_RATIO),
        ("sweep", "--param", "local_consumption_tax.vat_share", "--values", "0.25"),
        ("template", "inputs"),
    ],
    ids=lambda c: str(c[0]),
)
def test_the_written_path_is_printed_whole_at_60_columns(
    command: tuple[str | Path, ...], tmp_path: Path
) -> None:
    # A path split over two lines cannot be copied or clicked, and a log grep misses it.
    target = tmp_path / LONG / "workbook.xlsx"
    target.parent.mkdir()
    done = piped(*command, "-o", target, columns=60, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert any(line.startswith(f"Wrote {target}") for line in lines), done.stdout
    assert target.is_file()


def test_diff_prints_the_written_path_whole_at_60_columns(repo: HistoryRepo) -> None:
    target = repo.root.parent / LONG / "review.xlsx"
    target.parent.mkdir(exist_ok=True)
    done = piped("diff", "v1", "v2", "--rules", "rules/korea", "--inputs", "inputs", "-o", target,
                 columns=60, cwd=repo.root)  # fmt: skip
    assert done.returncode == 3, done.stderr
    assert f"Wrote {target}" in done.stdout.splitlines(), done.stdout
