"""Excel writers and readers, side by side, at the sizes `fiscal` produces.

Run from the repository root::

    python -m benchmarks.excel_writers            # 3 sizes, median of 3 runs (several minutes)
    python -m benchmarks.excel_writers --quick    # bundled-default size only, 1 run

What is measured
----------------
A synthetic "Ledger" sheet (scenario, region, year, item, amount_krw, rule, source) with a
bold header row, the header frozen, and the ``#,##0`` number format on every amount cell, is
written four ways: openpyxl (normal and write-only) and xlsxwriter (normal and
constant-memory). The xlsxwriter files are then read back, every cell value, with openpyxl
read-only and with python-calamine.

Every run of every case is a fresh Python subprocess (``--worker``). Inside it the library is
imported and the rows are built first; then the clock (``time.perf_counter``) runs from
creating the workbook until the file is closed on disk (for readers: from opening the file
until every row is a Python list). CPU time (user + system, ``getrusage``) over the same span
is recorded too, because other work on a shared machine inflates wall time far more.

Memory is the peak resident set size (RSS) of that subprocess over the timed span: just
before the clock starts the worker resets the kernel's peak-RSS counter (``5`` written to
``/proc/self/clear_refs``) and reads its current RSS (``VmRSS`` in ``/proc/self/status``); at
the end it reads the peak (``VmHWM``). The peak therefore includes the interpreter, the
imported library and the input rows (the same for every writer of a size), but not the
transient peak of building the rows; "growth" is the peak minus the RSS at the start.

Not used, and why: ``ru_maxrss`` from ``getrusage`` (``RUSAGE_SELF`` in the child or
``RUSAGE_CHILDREN`` in the parent) carries the parent's peak across fork and exec, so every
child reported at least the driver's own RSS; ``RUSAGE_CHILDREN`` is moreover a high-water
mark over all children reaped so far. tracemalloc slows pure-Python writers several-fold and
does not see memory allocated outside Python's allocator (python-calamine's Rust side).

Every output is checked, outside the clock: all values via python-calamine (row count, the
header, the exact integer sum of the amounts), and, at the smallest size, the frozen pane and
the number format via openpyxl. A case whose output is wrong stops the run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = REPO_ROOT / "benchmarks" / "results"
SHEET = "Ledger"
HEADER: tuple[str, ...] = (
    "scenario",
    "region",
    "year",
    "item",
    "amount_krw",
    "rule",
    "source",
)
AMOUNT_COL = HEADER.index("amount_krw")
YEAR_COL = HEADER.index("year")
AMOUNT_FORMAT = "#,##0"
MAX_AMOUNT = 10**14  # below 2**53, so a double (what xlsx stores) holds every amount exactly
SEED = 20250101

Row = tuple[str, str, int, str, int, str, str]

# The 17 upper-level regions of rules/korea/regions.yaml; the 243-government sizes add
# synthetic basic local governments after them.
KOREAN_REGIONS: tuple[str, ...] = (
    "seoul",
    "busan",
    "daegu",
    "incheon",
    "gwangju",
    "daejeon",
    "ulsan",
    "sejong",
    "gyeonggi",
    "gangwon",
    "chungbuk",
    "chungnam",
    "jeonbuk",
    "jeonnam",
    "gyeongbuk",
    "gyeongnam",
    "jeju",
)
# (item, folder of the rule that produces it)
ITEMS: tuple[tuple[str, str], ...] = (
    ("local_tax", "inputs"),
    ("local_consumption_tax", "sharing"),
    ("local_shared_tax_ordinary", "transfers"),
    ("local_shared_tax_special", "transfers"),
    ("real_estate_grant", "transfers"),
    ("fire_safety_grant", "transfers"),
    ("national_subsidy", "transfers"),
    ("national_subsidy_cofunding", "transfers"),
    ("agreement_inflow", "agreements"),
    ("agreement_cofunding", "agreements"),
    ("non_tax_revenue", "inputs"),
    ("local_bonds", "inputs"),
)
SCENARIOS: tuple[str, ...] = ("baseline", "lct-share-30pct-2027", "national-tax-minus-5pct-2026")


@dataclass(frozen=True)
class Size:
    """One table size: the product scenarios x regions x years x items, cut at ``rows``."""

    key: str
    label: str
    scenarios: int
    regions: int
    years: int
    items: int
    rows: int


SIZES: tuple[Size, ...] = (
    Size("default", "bundled default: 17 regions x 6 years x 10 items", 1, 17, 6, 10, 1_020),
    Size("national", "243 governments x 30 years x 12 items", 1, 243, 30, 12, 87_480),
    Size("200k", "3 scenarios x 243 x 30 x 12, first 200,000 rows", 3, 243, 30, 12, 200_000),
)
SIZES_BY_KEY = {size.key: size for size in SIZES}


def build_columns(size: Size) -> list[list[Any]]:
    """The Ledger table as 7 columns of Python objects, deterministic for a given size.

    Amounts are drawn as int64 (log-uniform magnitudes from 1e3 to 1e14 won, about 10%
    negative, and one exactly 10**14) and handed to the writers as Python ints, which is what
    ``ndarray.tolist()`` gives the export code.
    """
    import numpy as np

    if size.scenarios * size.regions * size.years * size.items < size.rows:
        raise ValueError(f"size {size.key}: the product is smaller than {size.rows} rows")
    regions = list(KOREAN_REGIONS[: size.regions])
    regions += [f"lg-{i:03d}" for i in range(1, size.regions - len(regions) + 1)]
    years = [2025 + i for i in range(size.years)]
    items = ITEMS[: size.items]

    n = size.rows
    idx = np.arange(n, dtype=np.int64)
    item_i = idx % size.items
    year_i = (idx // size.items) % size.years
    region_i = (idx // (size.items * size.years)) % size.regions
    scenario_i = idx // (size.items * size.years * size.regions)

    rng = np.random.default_rng(SEED)
    magnitude = np.floor(10.0 ** rng.uniform(3.0, 14.0, n)).astype(np.int64)
    sign = np.where(rng.random(n) < 0.1, -1, 1).astype(np.int64)
    amounts = magnitude * sign
    amounts[0] = MAX_AMOUNT
    assert amounts.dtype == np.int64 and int(np.abs(amounts).max()) <= MAX_AMOUNT

    item_names = [name for name, _ in items]
    rule_names = [f"{folder}.{name}" for name, folder in items]
    # A handful of distinct source positions per item, as a real ruleset has.
    sources = [
        [f"rules/korea/{folder}/{name}.yaml:{12 + 7 * k}" for k in range(5)]
        for name, folder in items
    ]
    item_list: list[int] = item_i.tolist()
    year_list: list[int] = year_i.tolist()
    return [
        [SCENARIOS[s] for s in scenario_i.tolist()],
        [regions[r] for r in region_i.tolist()],
        [years[y] for y in year_list],
        [item_names[i] for i in item_list],
        amounts.tolist(),
        [rule_names[i] for i in item_list],
        [sources[i][y % 5] for i, y in zip(item_list, year_list, strict=True)],
    ]


def iter_rows(columns: list[list[Any]]) -> Iterator[Row]:
    return zip(*columns, strict=True)


# --- writers -----------------------------------------------------------------------------


def write_openpyxl(path: Path, columns: list[list[Any]]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET
    ws.append(HEADER)
    bold = Font(bold=True)
    for cell in ws[1]:
        cell.font = bold
    for row in iter_rows(columns):
        ws.append(row)
    for (cell,) in ws.iter_rows(min_row=2, min_col=AMOUNT_COL + 1, max_col=AMOUNT_COL + 1):
        cell.number_format = AMOUNT_FORMAT
    ws.freeze_panes = "A2"
    wb.save(path)


def write_openpyxl_write_only(path: Path, columns: list[list[Any]]) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(SHEET)
    ws.freeze_panes = "A2"  # must be set before the first row is written
    bold = Font(bold=True)
    header = []
    for name in HEADER:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    for scenario, region, year, item, amount, rule, source in iter_rows(columns):
        amount_cell = WriteOnlyCell(ws, value=amount)
        amount_cell.number_format = AMOUNT_FORMAT
        ws.append([scenario, region, year, item, amount_cell, rule, source])
    wb.save(path)


def _write_xlsxwriter(path: Path, columns: list[list[Any]], constant_memory: bool) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"constant_memory": constant_memory})
    bold = wb.add_format({"bold": True})
    money = wb.add_format({"num_format": AMOUNT_FORMAT})
    ws = wb.add_worksheet(SHEET)
    ws.freeze_panes(1, 0)
    ws.write_row(0, 0, HEADER, bold)
    # Typed calls: the generic write()/write_row() would turn a string starting with '=' into
    # a formula and match every string holding ':' (all of `source`) against URL patterns.
    write_string = ws.write_string
    write_number = ws.write_number
    for r, (scenario, region, year, item, amount, rule, source) in enumerate(
        iter_rows(columns), start=1
    ):
        write_string(r, 0, scenario)
        write_string(r, 1, region)
        write_number(r, 2, year)
        write_string(r, 3, item)
        write_number(r, 4, amount, money)
        write_string(r, 5, rule)
        write_string(r, 6, source)
    wb.close()


def write_xlsxwriter(path: Path, columns: list[list[Any]]) -> None:
    _write_xlsxwriter(path, columns, constant_memory=False)


def write_xlsxwriter_constant_memory(path: Path, columns: list[list[Any]]) -> None:
    _write_xlsxwriter(path, columns, constant_memory=True)


# --- readers -----------------------------------------------------------------------------


def read_openpyxl_read_only(path: Path) -> list[list[Any]]:
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True, data_only=True)
    try:
        return [list(row) for row in wb[SHEET].iter_rows(values_only=True)]
    finally:
        wb.close()


def read_calamine(path: Path) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    try:
        rows: list[list[Any]] = wb.get_sheet_by_name(SHEET).to_python()
        return rows
    finally:
        wb.close()


@dataclass(frozen=True)
class Case:
    key: str
    label: str
    module: str  # imported before the clock starts
    run: Callable[..., Any]


WRITERS: tuple[Case, ...] = (
    Case("openpyxl", "openpyxl", "openpyxl", write_openpyxl),
    Case("openpyxl-wo", "openpyxl write_only", "openpyxl", write_openpyxl_write_only),
    Case("xlsxwriter", "xlsxwriter", "xlsxwriter", write_xlsxwriter),
    Case(
        "xlsxwriter-cm",
        "xlsxwriter constant_memory",
        "xlsxwriter",
        write_xlsxwriter_constant_memory,
    ),
)
READERS: tuple[Case, ...] = (
    Case("openpyxl-ro", "openpyxl read_only", "openpyxl", read_openpyxl_read_only),
    Case("calamine", "python-calamine", "python_calamine", read_calamine),
)
# Files read back: what `fiscal` would write (xlsxwriter; shared strings) and the
# constant-memory variant (inline strings), since the two differ for readers.
READ_SOURCES: tuple[str, ...] = ("xlsxwriter", "xlsxwriter-cm")
CASES_BY_KEY = {case.key: case for case in (*WRITERS, *READERS)}


# --- the worker: one measurement in a fresh process ------------------------------------


def proc_status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def reset_peak_rss() -> bool:
    """Set this process's peak RSS (``VmHWM``) back to its current RSS (Linux >= 4.0).

    Without it the peak would be set by building the input rows (numpy temporaries), not by
    the library under test.
    """
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def summarise(rows: Sequence[Sequence[Any]]) -> dict[str, Any]:
    """Row count, header and exact integer sums, to compare what was read with what was built."""
    body = rows[1:]
    amounts = [row[AMOUNT_COL] for row in body]
    if not all(float(a).is_integer() for a in amounts):
        raise AssertionError("an amount came back with a fraction")
    return {
        "rows": len(body),
        "header": [str(v) for v in rows[0]] if rows else [],
        "amount_sum": sum(int(a) for a in amounts),
        "year_sum": sum(int(row[YEAR_COL]) for row in body),
        "last_row": [str(v) for v in body[-1]] if body else [],
    }


def expected_summary(columns: list[list[Any]]) -> dict[str, Any]:
    return summarise([list(HEADER), *(list(row) for row in iter_rows(columns))])


def normalise_last_row(summary: dict[str, Any]) -> list[str]:
    # Readers return whole numbers as int or float depending on the library.
    out = []
    for value in summary["last_row"]:
        try:
            out.append(str(int(float(value))))
        except ValueError:
            out.append(value)
    return out


def worker(kind: str, case_key: str, size_key: str, path: Path, result: Path) -> None:
    import gc
    import importlib

    case = CASES_BY_KEY[case_key]
    importlib.import_module(case.module)
    columns = build_columns(SIZES_BY_KEY[size_key]) if kind == "write" else []
    gc.collect()
    if not reset_peak_rss():
        raise RuntimeError("cannot reset the peak RSS (/proc/self/clear_refs); Linux needed")
    rss_before = proc_status_kib("VmRSS")
    cpu_start = cpu_seconds()
    start = time.perf_counter()
    out = case.run(path, columns) if kind == "write" else case.run(path)
    seconds = time.perf_counter() - start
    cpu = cpu_seconds() - cpu_start
    rss_peak = proc_status_kib("VmHWM")
    record: dict[str, Any] = {
        "seconds": seconds,
        "cpu_seconds": cpu,
        "rss_before_kib": rss_before,
        "rss_peak_kib": rss_peak,
        "file_bytes": path.stat().st_size,
    }
    if kind == "read":
        record["summary"] = summarise(out)
    result.write_text(json.dumps(record))


# --- the driver ----------------------------------------------------------------------------


@dataclass
class Measured:
    size: Size
    case: Case
    source: str | None  # for reads: which writer's file
    runs: list[dict[str, Any]]

    def median(self, key: str) -> float:
        return float(statistics.median(run[key] for run in self.runs))

    @property
    def seconds(self) -> float:
        return self.median("seconds")

    @property
    def peak_mib(self) -> float:
        return self.median("rss_peak_kib") / 1024

    @property
    def growth_mib(self) -> float:
        growth = [int(r["rss_peak_kib"]) - int(r["rss_before_kib"]) for r in self.runs]
        return statistics.median(growth) / 1024

    @property
    def spread(self) -> str:
        times = [float(run["seconds"]) for run in self.runs]
        if len(times) == 1:
            return "-"
        return f"{fmt_s(min(times))}–{fmt_s(max(times))}"


def fmt_s(seconds: float) -> str:
    return f"{seconds:.3f}" if seconds < 1 else f"{seconds:.2f}"


def run_worker(kind: str, case: Case, size: Size, path: Path, workdir: Path) -> dict[str, Any]:
    result = workdir / "result.json"
    result.unlink(missing_ok=True)
    cmd = [
        sys.executable,
        "-m",
        "benchmarks.excel_writers",
        "--worker",
        kind,
        "--case",
        case.key,
        "--size",
        size.key,
        "--path",
        str(path),
        "--result",
        str(result),
    ]
    subprocess.run(cmd, cwd=REPO_ROOT, check=True, timeout=3600)
    record: dict[str, Any] = json.loads(result.read_text())
    return record


def check_values(path: Path, expected: dict[str, Any], what: str) -> None:
    got = summarise(read_calamine(path))
    check_summary(got, expected, what)


def check_summary(got: dict[str, Any], expected: dict[str, Any], what: str) -> None:
    for key in ("rows", "header", "amount_sum", "year_sum"):
        if got[key] != expected[key]:
            raise AssertionError(f"{what}: {key} is {got[key]!r}, expected {expected[key]!r}")
    if normalise_last_row(got) != normalise_last_row(expected):
        raise AssertionError(f"{what}: last row {got['last_row']!r} != {expected['last_row']!r}")


def check_layout(path: Path, n_rows: int, what: str) -> None:
    """Frozen header and the amount format, looked at with openpyxl (the full loader)."""
    from openpyxl import load_workbook

    ws = load_workbook(path)[SHEET]
    problems = []
    if ws.freeze_panes != "A2":
        problems.append(f"freeze_panes is {ws.freeze_panes!r}")
    if not ws.cell(row=1, column=1).font.b:
        problems.append("header is not bold")
    for r in (2, n_rows + 1):
        fmt = ws.cell(row=r, column=AMOUNT_COL + 1).number_format
        if fmt != AMOUNT_FORMAT:
            problems.append(f"row {r} amount format is {fmt!r}")
    if problems:
        raise AssertionError(f"{what}: " + "; ".join(problems))


def version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def machine_lines(command: str) -> list[str]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    libs = ", ".join(
        f"{dist} {version(dist)}"
        for dist in (
            "openpyxl",
            "XlsxWriter",
            "python-calamine",
            "et-xmlfile",
            "lxml",
            "defusedxml",
            "numpy",
        )
    )
    return [
        f"- command: `{command}` (from the repository root, commit {commit})",
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- machine: nproc {len(os.sched_getaffinity(0))}, {cpu}, {mem_gib:.0f} GiB memory, "
        f"{platform.platform()}",
        f"- python: {platform.python_implementation()} {platform.python_version()}",
        f"- libraries: {libs}",
    ]


def render(
    writes: list[Measured], reads: list[Measured], repeats: int, command: str, loads: list[float]
) -> str:
    lines = ["# Excel writers and readers at `fiscal` sizes", ""]
    lines += machine_lines(command)
    lines += [
        f"- 1-minute load average sampled before each case: {min(loads):.2f} to "
        f"{max(loads):.2f} (the benchmark itself accounts for about 1; more means other work "
        "shared the 2 cores, which inflates wall time more than CPU time)",
        f"- each figure: median of {repeats} run(s), each run a fresh Python process; wall "
        "time by `time.perf_counter` and CPU time (user + system) around the write (workbook "
        "creation to file closed) or the read (file open to all values in Python lists); "
        "imports and building the rows are not timed",
        "- memory: peak RSS of that process during the timed span (kernel peak reset through "
        "`/proc/self/clear_refs` before the clock, `VmHWM` of `/proc/self/status` after); "
        "it includes the interpreter, the library and, for writers, the input rows (about the "
        "same for every writer of a size); growth = peak minus RSS when the clock started",
        "- sheet: 7 columns (scenario, region, year, item, amount_krw, rule, source), bold "
        "header, header row frozen, `#,##0` on every amount cell; xlsxwriter rows are written "
        "with `write_string`/`write_number`, openpyxl rows with `append` (write_only: the "
        "amount as a `WriteOnlyCell` carrying the format)",
        "- every output checked after the clock: row count, header, last row and exact "
        "integer sums of amounts and years read back with python-calamine; freeze pane, bold "
        "header and amount format checked with openpyxl at the smallest size",
        "",
        "## Write",
        "",
        "| rows | writer | median s | min–max s | x fastest | CPU s | peak RSS MiB "
        "| growth MiB | file MiB |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for size in dict.fromkeys(m.size for m in writes):
        group = [m for m in writes if m.size == size]
        fastest = min(m.seconds for m in group)
        for m in group:
            lines.append(
                f"| {size.rows:,} | {m.case.label} | {fmt_s(m.seconds)} | {m.spread} "
                f"| {m.seconds / fastest:.1f} | {fmt_s(m.median('cpu_seconds'))} "
                f"| {m.peak_mib:.0f} | {m.growth_mib:.0f} "
                f"| {m.median('file_bytes') / 2**20:.2f} |"
            )
    lines += [
        "",
        "## Read back (all cell values)",
        "",
        "| rows | file written by | reader | median s | min–max s | x fastest | CPU s "
        "| peak RSS MiB | growth MiB |",
        "| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for size in dict.fromkeys(m.size for m in reads):
        group = [m for m in reads if m.size == size]
        fastest = min(m.seconds for m in group)
        for m in group:
            source = CASES_BY_KEY[m.source].label if m.source else "-"
            lines.append(
                f"| {size.rows:,} | {source} | {m.case.label} | {fmt_s(m.seconds)} | {m.spread} "
                f"| {m.seconds / fastest:.1f} | {fmt_s(m.median('cpu_seconds'))} "
                f"| {m.peak_mib:.0f} | {m.growth_mib:.0f} |"
            )
    lines += ["", "Sizes:", ""]
    lines += [
        f"- {size.rows:,} rows: {size.label}" for size in dict.fromkeys(m.size for m in writes)
    ]
    return "\n".join(lines) + "\n"


def progress(kind: str, size: Size, what: str, i: int, run: dict[str, Any]) -> None:
    print(
        f"{kind:<5} {size.rows:>7,} {what:<45} run {i + 1}: {run['seconds']:7.2f} s "
        f"(CPU {run['cpu_seconds']:6.2f} s) {run['rss_peak_kib'] / 1024:6.0f} MiB",
        file=sys.stderr,
        flush=True,
    )


def drive(quick: bool, output: Path, command: str) -> None:
    sizes = SIZES[:1] if quick else SIZES
    repeats = 1 if quick else 3
    writes: list[Measured] = []
    reads: list[Measured] = []
    loads: list[float] = []
    with tempfile.TemporaryDirectory(prefix="fiscal-bench-") as tmp:
        workdir = Path(tmp)
        for size in sizes:
            expected = expected_summary(build_columns(size))
            for case in WRITERS:
                path = workdir / f"{size.key}-{case.key}.xlsx"
                loads.append(os.getloadavg()[0])
                runs = []
                for i in range(repeats):
                    runs.append(run_worker("write", case, size, path, workdir))
                    progress("write", size, case.label, i, runs[-1])
                check_values(path, expected, f"{case.label}, {size.rows} rows")
                if size is SIZES[0]:
                    check_layout(path, size.rows, f"{case.label}, {size.rows} rows")
                writes.append(Measured(size, case, None, runs))
            for source in READ_SOURCES:
                path = workdir / f"{size.key}-{source}.xlsx"
                for case in READERS:
                    loads.append(os.getloadavg()[0])
                    runs = []
                    for i in range(repeats):
                        runs.append(run_worker("read", case, size, path, workdir))
                        check_summary(runs[-1]["summary"], expected, f"{case.label} of {path.name}")
                        progress("read", size, f"{source} by {case.label}", i, runs[-1])
                    reads.append(Measured(size, case, source, runs))
    report = render(writes, reads, repeats, command, loads)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(report, encoding="utf-8")
    print(report)
    print(f"written to {output}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.excel_writers",
        description="Excel writers and readers side by side at the sizes fiscal produces.",
    )
    parser.add_argument("--quick", action="store_true", help="smallest size only, 1 run per case")
    parser.add_argument(
        "--output",
        type=Path,
        help="markdown file to write (default: benchmarks/results/excel_writers.md, "
        "or excel_writers-quick.md with --quick so a smoke run keeps the full results)",
    )
    # Internal: one measurement in this (fresh) process.
    parser.add_argument("--worker", choices=("write", "read"), help=argparse.SUPPRESS)
    parser.add_argument("--case", choices=sorted(CASES_BY_KEY), help=argparse.SUPPRESS)
    parser.add_argument("--size", choices=sorted(SIZES_BY_KEY), help=argparse.SUPPRESS)
    parser.add_argument("--path", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        worker(args.worker, args.case, args.size, args.path, args.result)
        return
    raw = list(sys.argv[1:] if argv is None else argv)
    command = shlex.join(["python", "-m", "benchmarks.excel_writers", *raw])
    name = "excel_writers-quick.md" if args.quick else "excel_writers.md"
    drive(args.quick, args.output or RESULTS_DIR / name, command)


if __name__ == "__main__":
    main()
