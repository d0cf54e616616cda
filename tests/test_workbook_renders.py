"""Look before you ship: the workbooks open in a real spreadsheet program and their charts draw.

LibreOffice (headless) converts the bundled projection and a comparison to PDF. The
chart titles must be in the PDF's text (LibreOffice writes them only when it draws the
chart), and the page of each chart, rendered to an image with pdftoppm, must have
coloured bars or lines on it (text and table fills are grey or pale). Slow (LibreOffice
starts in seconds) and skipped where LibreOffice is not installed. Every sheet is printed
(its name in each page's header), and no cell anywhere shows ``###``. Set FISCAL_RENDER_DIR
to keep the PDFs and PNGs to look at.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import BUNDLED_INPUTS, run_fiscal

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed"),
]

CHARTS = {
    "projection": [
        "Revenue composition by region",
        "five highest and five lowest",  # the independence chart (of 17 regions)
        "Central commitments by year",
    ],
    "compare": ["Change in total revenue by region", "Fiscal independence ratio, baseline"],
}


SHEETS = {
    "projection": [
        "Summary",
        "National",
        "Regions",
        "Ledger",
        "Agreements",
        "Affordability",
        "Pools",
        "Parameters",
        "Provenance",
    ],
    "compare": ["Compare", "Compare national", "Provenance"],
}


def _pages(pdf: Path) -> list[str]:
    """The text of each page (pdftotext puts a form feed between pages)."""
    done = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    return [" ".join(page.split()) for page in done.stdout.split("\f")]


def _coloured_share(pdf: Path, page: int, out: Path) -> float:
    """Render one page (PNG to keep, PPM to count) and return the share of coloured pixels."""
    stem = out / f"{pdf.stem}-p{page}"
    pages = ("-f", str(page), "-l", str(page), "-singlefile")
    for fmt in (["-png"], []):  # PPM is pdftoppm's own format
        subprocess.run(
            ["pdftoppm", *fmt, "-r", "50", *pages, str(pdf), str(stem)],
            check=True,
            capture_output=True,
        )
    data = stem.with_suffix(".ppm").read_bytes()
    header, _, pixels = _split_ppm(data)
    width, height = header
    coloured = sum(
        1
        for i in range(0, width * height * 3, 3)
        if max(pixels[i : i + 3]) - min(pixels[i : i + 3]) > 60
    )
    return coloured / (width * height)


def _split_ppm(data: bytes) -> tuple[tuple[int, int], int, bytes]:
    """A binary PPM (P6): its size, its maximum value and its RGB bytes."""
    fields: list[bytes] = []
    at = 0
    while len(fields) < 4:
        while data[at : at + 1].isspace():
            at += 1
        end = at
        while not data[end : end + 1].isspace():
            end += 1
        fields.append(data[at:end])
        at = end
    assert fields[0] == b"P6"
    return (int(fields[1]), int(fields[2])), int(fields[3]), data[at + 1 :]


def test_libreoffice_opens_the_workbooks_and_draws_every_chart(tmp_path: Path) -> None:
    out = Path(os.environ.get("FISCAL_RENDER_DIR") or tmp_path / "rendered")
    out.mkdir(parents=True, exist_ok=True)
    books = {"projection": tmp_path / "projection.xlsx", "compare": tmp_path / "compare.xlsx"}
    done = run_fiscal("project", "-o", books["projection"], "--quiet")
    assert done.returncode == 0, done.stderr
    scenario = BUNDLED_INPUTS / "scenarios" / "lct-30pct-2027.yaml"
    done = run_fiscal("compare", scenario, "-o", books["compare"], "--quiet")
    assert done.returncode == 0, done.stderr

    assert SOFFICE is not None
    profile = f"-env:UserInstallation={(tmp_path / 'lo-profile').as_uri()}"
    converted = subprocess.run(
        [
            *(SOFFICE, "--headless", "--norestore", "--nolockcheck", profile),
            *("--convert-to", "pdf", "--outdir", str(out), *map(str, books.values())),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    for name in books:
        pdf = out / f"{name}.pdf"
        assert pdf.is_file(), f"LibreOffice did not convert {name}.xlsx\n{converted.stderr}"
        assert pdf.read_bytes().startswith(b"%PDF")
        if shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None:
            continue  # the conversion alone proves the workbook opens
        pages = _pages(pdf)
        text = " ".join(pages)
        assert "###" not in text, f"{name}: a cell is too narrow for its number"
        for sheet in SHEETS[name]:  # each page's header names its sheet
            assert sheet in text, f"{name}: the {sheet} sheet was not printed"
        for title in CHARTS[name]:
            found = [i for i, text in enumerate(pages, 1) if title in text]
            assert found, f"{name}: no chart titled {title!r} was drawn"
            share = _coloured_share(pdf, found[0], out)
            assert share > 0.002, f"{name}: the page of {title!r} has no colour ({share:.2%})"
