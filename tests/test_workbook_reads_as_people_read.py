"""A workbook a budget officer can read: bilingual labels over the ids, million won on
summary sheets with the exact won in the cells, charts that name at most ten regions
(and say so), and file:line that reads the same wherever the projection was made."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from tests.conftest import run_fiscal


@pytest.fixture(scope="module")
def national(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthetic national dataset: 243 governments, two tiers, agreements."""
    folder = tmp_path_factory.mktemp("synth") / "data"
    done = run_fiscal("synth", folder, "--years", "3", "--agreements", "300")
    assert done.returncode == 0, done.stderr
    return folder


def _project(data: Path, out: Path, cwd: Path) -> str:
    done = run_fiscal(
        "project", "--rules", data / "rules", "--inputs", data / "inputs", "-o", out, cwd=cwd
    )
    assert done.returncode == 0, done.stderr
    return done.stderr


def _series_per_chart(book: Path) -> dict[str, int]:
    with zipfile.ZipFile(book) as z:
        return {
            name: z.read(name).decode().count("<c:ser>")
            for name in z.namelist()
            if name.startswith("xl/charts/chart")
        }


def test_a_national_projection_charts_ten_regions_and_warns_nothing(
    national: Path, tmp_path: Path
) -> None:
    stderr = _project(national, tmp_path / "n.xlsx", tmp_path)
    assert "Warning" not in stderr and "warn" not in stderr.lower()
    counts = _series_per_chart(tmp_path / "n.xlsx")
    assert counts and max(counts.values()) <= 11  # ten regions and the national line
    with zipfile.ZipFile(tmp_path / "n.xlsx") as z:
        charts = " ".join(z.read(n).decode() for n in z.namelist() if "charts/chart" in n)
    assert "five highest and five lowest of 243 regions" in charts
    assert "30 largest of 243 regions" in charts


def test_summary_sheets_show_million_won_and_keep_every_won(tmp_path: Path) -> None:
    out = tmp_path / "p.xlsx"
    done = run_fiscal("project", "-o", out, "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(out)
    summary = book["Summary"]
    ids = [c.value for c in summary[2]]
    at = ids.index("total_revenue_krw") + 1
    assert summary.cell(1, at).value == "총세입 / Total revenue (million won / 백만원)"
    assert summary.cell(1, ids.index("independence_ratio") + 1).value == (
        "재정자립도 / Independence ratio"
    )
    seoul = summary.cell(3, at)
    assert isinstance(seoul.value, int) and seoul.value % 1_000_000 != 0  # exact won
    assert seoul.number_format == "#,##0,,"
    assert summary.freeze_panes == "A3"
    assert summary.auto_filter.ref is not None
    # The filter covers the region rows and stops above the national totals.
    last = int(re.findall(r"\d+", summary.auto_filter.ref)[-1])
    region_col = ids.index("region") + 1
    assert summary.cell(last, region_col).value != "TOTAL"
    assert summary.cell(last + 1, region_col).value == "TOTAL"
    assert summary.page_setup.orientation == "landscape"
    # A sheet prints one page wide; one too wide to read so (27 columns) on more pages.
    assert int(summary.page_setup.fitToWidth or 1) == 1  # 1 is the default, left unwritten
    assert int(book["Agreements"].page_setup.fitToWidth) >= 2
    assert summary.print_title_rows == "$1:$2"
    # The Ledger is read by programs: one id row, whole won.
    ledger = book["Ledger"]
    assert [c.value for c in ledger[1]][:5] == ["scenario", "region", "year", "item", "amount_krw"]
    assert ledger.cell(2, 5).number_format == "#,##0"


def test_the_same_projection_made_in_two_folders_gives_the_same_ledger(
    national: Path, tmp_path: Path
) -> None:
    ledgers = []
    for name in ("first", "second"):
        copy = tmp_path / name / "budget"
        shutil.copytree(national, copy)
        cwd = tmp_path / name / "elsewhere"
        cwd.mkdir()
        out = tmp_path / f"{name}.xlsx"
        _project(copy, out, cwd)
        book = CalamineWorkbook.from_path(str(out))
        ledgers.append(book.get_sheet_by_name("Ledger").to_python())
        sources = {str(row[-1]) for row in ledgers[-1][1:]}
        assert not any(s.startswith("/") or str(tmp_path) in s for s in sources)
        assert any(s.startswith("rules/") for s in sources)
        assert any(s.startswith("inputs/") for s in sources)
    assert ledgers[0] == ledgers[1]


def test_explain_names_files_from_the_rules_folder(tmp_path: Path) -> None:
    done = run_fiscal("explain", "seoul", "2026", "local_consumption_tax", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert '"rules/korea/sharing/local_consumption_tax.yaml:' in done.stdout
    assert "site-packages" not in done.stdout and str(Path.home()) not in done.stdout


def test_a_citation_of_several_places_names_each_file_portably(tmp_path: Path) -> None:
    from fiscal.report.provenance import PortableNames

    rules, inputs = (tmp_path / "repo" / "rules").resolve(), (tmp_path / "repo" / "in").resolve()
    names = PortableNames(rules, inputs)
    # A scenario kept elsewhere is named by its file; the line it changes from the repository.
    assert (
        names(f"/elsewhere/vat-cut.yaml:4, changing {inputs}/national.yaml:15")
        == "vat-cut.yaml:4, changing in/national.yaml:15"
    )
    assert names(f"{rules}/a.yaml:3; {rules}/b.yaml:9") == "rules/a.yaml:3; rules/b.yaml:9"
    assert names(f"{rules}/with space.yaml:2") == "rules/with space.yaml:2"
