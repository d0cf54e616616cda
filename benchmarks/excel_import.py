"""Reading filled-in templates: python-calamine against openpyxl read-only.

Run from the repository root::

    python -m benchmarks.excel_import            # median of 5 runs per case
    python -m benchmarks.excel_import --runs 1   # a quick look

What is measured
----------------
Three workbooks made by `fiscal template`: the agreements template prefilled with the
bundled agreements, the inputs template prefilled with the bundled inputs (17 regions,
7 indicators, 6 years), and an inputs template scaled up to 243 governments x 40
indicators x 30 years (9,720 rows x 32 columns, the size of a two-tier Korean
projection). Each is read, every cell of every sheet into Python lists, by
python-calamine (``to_python``) and by openpyxl read-only (``iter_rows(values_only=True)``,
defusedxml installed), in this process after the libraries are imported; the clock
(``time.perf_counter``) runs from opening the file to the last row. Then ``fiscal
import --dry-run`` is timed end to end on the two bundled-size workbooks (subprocess:
start-up, reading, every check, the YAML rendering and the final ruleset load).
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
RULES = REPO_ROOT / "rules" / "korea"
INPUTS = REPO_ROOT / "examples" / "korea-2025"


def calamine_read(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    cells = 0
    with CalamineWorkbook.from_path(str(path)) as book:
        for name in book.sheet_names:
            for row in book.get_sheet_by_name(name).to_python(skip_empty_area=False):
                cells += len(row)
    return cells


def openpyxl_read(path: Path) -> int:
    import openpyxl

    cells = 0
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            cells += len(row)
    book.close()
    return cells


def scaled_inputs(
    path: Path, governments: int = 243, indicators: int = 40, years: int = 30
) -> None:
    from fiscal.excel.template import Template, write_template

    year_list = list(range(2025, 2025 + years))
    ids = [f"gov{g:03d}" for g in range(governments)]
    rows: dict[str, list[list[object]]] = {
        "National": [["Scaled national forecast"]],
        "Series": [],
        "Indicators": [
            [
                f"indicator_{i:02d}",
                f"Indicator {i}",
                f"지표 {i}",
                "krw",
                "illustrative",
                "synthetic",
                None,
                None,
            ]
            for i in range(indicators)
        ],
        "Regional": [
            [f"indicator_{i:02d}", gov, *(1_000_000 * (g + 1) + y for y in range(years))]
            for i in range(indicators)
            for g, gov in enumerate(ids)
        ],
    }
    write_template(
        path,
        Template(
            "inputs",
            {"regions": ids},
            rows,
            years={"Series": year_list, "Regional": year_list},
        ),
    )


def median_time(read: Callable[[Path], Any], path: Path, runs: int) -> tuple[float, Any]:
    times = []
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = read(path)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def cli(*args: str | Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "fiscal", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(REPO_ROOT / "src"), "PATH": "/usr/bin:/bin"},
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(REPO_ROOT / "src"))
    import openpyxl.xml

    out = io.StringIO()
    out.write("# Reading filled-in templates\n\n")
    out.write(f"- median of {args.runs} runs; openpyxl defusedxml: {openpyxl.xml.DEFUSEDXML}\n\n")
    out.write("| workbook | rows x cols (largest sheet) | file KiB | calamine s | openpyxl "
              "read-only s | x |\n| --- | --- | ---: | ---: | ---: | ---: |\n")  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        books = {
            "agreements, bundled": Path(folder) / "agreements.xlsx",
            "inputs, bundled": Path(folder) / "inputs.xlsx",
            "inputs, 243 x 40 x 30": Path(folder) / "scaled.xlsx",
        }
        cli(
            "template",
            "agreements",
            "--prefill",
            "--rules",
            RULES,
            "-o",
            books["agreements, bundled"],
        )
        cli("template", "inputs", "--prefill", "--rules", RULES, "--inputs", INPUTS,
            "-o", books["inputs, bundled"])  # fmt: skip
        scaled_inputs(books["inputs, 243 x 40 x 30"])
        for name, path in books.items():
            fast, cells = median_time(calamine_read, path, args.runs)
            slow, cells2 = median_time(openpyxl_read, path, args.runs)
            from python_calamine import CalamineWorkbook

            with CalamineWorkbook.from_path(str(path)) as book:
                shapes = [book.get_sheet_by_name(n) for n in book.sheet_names]
                big = max(shapes, key=lambda s: s.height * s.width)
                shape = f"{big.height:,} x {big.width}"
            size = path.stat().st_size / 1024
            out.write(f"| {name} | {shape} | {size:,.0f} | {fast:.4f} | {slow:.4f} | "
                      f"{slow / fast:.1f} |\n")  # fmt: skip
            assert cells > 0 and cells2 > 0
        out.write("\n| command | median s |\n| --- | ---: |\n")
        for name in ("agreements, bundled", "inputs, bundled"):
            times = [
                cli("import", books[name], "--rules", RULES, "--inputs", INPUTS, "--dry-run")
                for _ in range(args.runs)
            ]
            out.write(f"| fiscal import --dry-run ({name}) | {statistics.median(times):.2f} |\n")
    print(out.getvalue())


if __name__ == "__main__":
    main()
