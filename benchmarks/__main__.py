"""The national-scale benchmark harness: ``python -m benchmarks [--quick] [--write]``.

Each figure is the median of repeated runs, beside its floor measured in the same run:

1. load     the bundled ruleset and a synthetic one with thousands of agreements,
            against PyYAML's own load of the same files;
2. project  243 governments x 30 years with the synthetic agreements, cold (first run)
            and warm (agreement schedules cached), against the same arithmetic in bare
            numpy and in a plain Python loop (benchmarks/floors.py);
3. sweep    many values of one parameter, two worker processes, summaries only;
4. export   the full workbook, against the same Ledger cells written by xlsxwriter in
            constant-memory mode with no formatting;
5. start    ``fiscal --help`` and ``fiscal validate``, against ``python -c pass``.

``--quick`` runs tiny sizes once (the test suite uses it to check that the harness
runs); ``--write`` puts the results in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from benchmarks.floors import FloorData, loop_floor, numpy_floor

REPO = Path(__file__).resolve().parents[1]


def median_time(fn: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def floor_data(ruleset: Any, inputs: Any, years: list[int]) -> FloorData:
    """The arrays a projection reads, prepared outside the timed part."""
    from fiscal.inputs import national_array, regional_array
    from fiscal.rules.ruleset import value_for_region

    ids = ruleset.region_ids

    def regional(name: str) -> Any:
        array, problem = regional_array(inputs, name, ids, years)
        assert array is not None, problem
        return array

    def national(name: str) -> Any:
        array, problem = national_array(inputs, name, years)
        assert array is not None, problem
        return array

    def scalar(path: str) -> float:
        ref = ruleset.resolve(path)
        value = ref.parameter.in_force(years[0]).value
        return float(value[ref.part] if ref.part else value)

    def by_region(path: str) -> Any:
        value = ruleset.parameters[path].in_force(years[0])
        return np.asarray([float(value_for_region(value, r) or 0) for r in ruleset.regions])

    index = {region_id: i for i, region_id in enumerate(ids)}
    party_region, party_share, party_central, project_of_party = [], [], [], []
    totals, firsts, lasts = [], [], []
    for agreement in ruleset.agreements:
        kinds = {p.id: p.kind for p in agreement.parties}
        for project in agreement.projects:
            for party, share in project.shares.items():
                party_region.append(index.get(party, -1) if kinds.get(party) == "region" else -1)
                party_share.append(float(share))
                party_central.append(kinds.get(party) == "ministry")
                project_of_party.append(len(totals))
            totals.append(project.total_krw)
            firsts.append(project.years[0] - years[0])
            lasts.append(project.years[1] - years[0])
    adjust = "adjustment_grant.rate" in ruleset.parameters
    return FloorData(
        vat=national("vat_base"),
        internal=national("internal_tax"),
        lct_share=scalar("local_consumption_tax.vat_share"),
        lst_rate=scalar("local_shared_tax.rate"),
        ordinary=scalar("local_shared_tax.split.ordinary"),
        special=scalar("local_shared_tax.split.special"),
        counted=scalar("local_shared_tax.revenue_counted"),
        consumption=regional("private_consumption"),
        class_weight=by_region("local_consumption_tax.class_weight"),
        population=regional("population"),
        need=regional("basic_fiscal_need"),
        local_tax=regional("local_tax"),
        cost=regional("subsidised_programme_cost"),
        subsidy_rate=by_region("national_subsidy.rate"),
        adjust_rate=by_region("adjustment_grant.rate") if adjust else np.zeros(len(ids)),
        parent=np.asarray([index[r.parent] if r.parent else -1 for r in ruleset.regions]),
        upper=np.asarray([r.tier == "upper" for r in ruleset.regions]),
        party_region=np.asarray(party_region, dtype=np.intp),
        party_share=np.asarray(party_share),
        party_central=np.asarray(party_central),
        project_of_party=np.asarray(project_of_party, dtype=np.intp),
        project_total=np.asarray(totals, dtype=np.int64),
        project_first=np.asarray(firsts, dtype=np.intp),
        project_last=np.asarray(lasts, dtype=np.intp),
    )


def yaml_floor(root: Path) -> None:
    for path in sorted(root.rglob("*.yaml")):
        yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def command_time(args: list[str], repeats: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return median_time(
        lambda: subprocess.run(args, env=env, capture_output=True, check=True), repeats
    )


def run(quick: bool) -> list[tuple[str, str, str, str]]:
    from fiscal.engine import agreement_items
    from fiscal.engine import projection as projection_module
    from fiscal.inputs import load_inputs
    from fiscal.io.workbook import write_projection
    from fiscal.paths import default_rules
    from fiscal.provenance import collect
    from fiscal.rules.loader import load_ruleset, rule_files
    from fiscal.sweep import sweep
    from fiscal.synth import synthesize

    repeats = 1 if quick else 5
    n_years, n_agreements, n_sweep = (5, 100, 4) if quick else (30, 5000, 1000)
    rows: list[tuple[str, str, str, str]] = []
    with tempfile.TemporaryDirectory() as temp:
        rules_dir, inputs_dir = synthesize(
            Path(temp) / "synth", seed=1, years=n_years, agreements=n_agreements
        )
        # 1. load
        bundled = median_time(lambda: load_ruleset(default_rules()), repeats)
        bundled_floor = median_time(lambda: yaml_floor(default_rules()), repeats)
        rows.append(
            (
                "load bundled rules",
                f"{bundled:.3f} s",
                f"{bundled_floor:.3f} s (PyYAML C)",
                f"{bundled / bundled_floor:.1f}x; target < 0.2 s",
            )
        )
        load_repeats = 1 if quick else 3
        synthetic = median_time(lambda: load_ruleset(rules_dir), load_repeats)
        synthetic_floor = median_time(lambda: yaml_floor(rules_dir), load_repeats)
        rows.append(
            (
                f"load synthetic rules ({n_agreements} agreements)",
                f"{synthetic:.2f} s",
                f"{synthetic_floor:.2f} s (PyYAML C)",
                f"{synthetic / synthetic_floor:.1f}x",
            )
        )
        # 2. project
        ruleset = load_ruleset(rules_dir)
        inputs = load_inputs(inputs_dir)
        years = list(range(2025, 2025 + n_years))
        agreement_items._SCHEDULE_CACHE.clear()
        cold = median_time(lambda: projection_module.project(ruleset, inputs, years), 1)
        warm = median_time(lambda: projection_module.project(ruleset, inputs, years), repeats)
        data = floor_data(ruleset, inputs, years)
        floor = median_time(lambda: numpy_floor(data), repeats)
        loop = median_time(lambda: loop_floor(data), 1)
        rows.append(
            (
                f"project 243 x {n_years} years, cold",
                f"{cold:.3f} s",
                f"{floor:.3f} s (numpy)",
                f"engine/numpy {cold / floor:.1f}x",
            )
        )
        rows.append(
            (
                f"project 243 x {n_years} years, warm",
                f"{warm:.3f} s",
                f"{floor:.3f} s (numpy)",
                f"engine/numpy {warm / floor:.1f}x; loop/engine {loop / warm:.1f}x "
                f"(loop {loop:.2f} s); target <= 2x and < 0.5 s",
            )
        )
        # 3. sweep
        values = [Decimal("0.20") + Decimal(k) / Decimal(10 * n_sweep) for k in range(n_sweep)]
        start = time.perf_counter()
        points = 0
        for _ in sweep(
            ruleset,
            inputs,
            years,
            "local_consumption_tax.vat_share",
            values,
            date(years[0], 1, 1),
            workers=2,
        ):
            points += 1
        sweep_time = time.perf_counter() - start
        peak = (
            max(
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
            )
            / 1024
        )
        rows.append(
            (
                f"sweep {points} values, 2 workers",
                f"{sweep_time:.1f} s",
                f"{sweep_time / points:.3f} s per value",
                f"peak RSS <= {peak:.0f} MiB (largest process); target < 30 s, < 2 GB",
            )
        )
        # 4. export
        projection = projection_module.project(ruleset, inputs, years)
        provenance = collect(
            rules_dir,
            rule_files(rules_dir),
            inputs_dir,
            [],
            "bench",
            (years[0], years[-1]),
            argv=["fiscal", "bench"],
        )
        out = Path(temp) / "out.xlsx"
        export = median_time(lambda: write_projection(out, projection, ruleset, provenance), 1)
        from fiscal import tables

        # The floor writes the same cells: every table of the workbook, no formats or charts.
        same_cells = [
            tables.summary(projection, ruleset),
            tables.national(projection),
            tables.regions(projection, ruleset),
            tables.ledger(projection),
            tables.agreements(projection),
            tables.agreement_totals(projection),
            tables.affordability(projection),
            tables.pools(projection),
            tables.parameters(projection),
        ]
        ledger_rows = same_cells[3].rows

        def plain() -> None:
            import xlsxwriter

            book = xlsxwriter.Workbook(str(Path(temp) / "plain.xlsx"), {"constant_memory": True})
            for index, table in enumerate(same_cells):
                sheet = book.add_worksheet(f"T{index}")
                for c, column in enumerate(table.columns):
                    sheet.write_string(0, c, column.name)
                for r, row in enumerate(table.rows, start=1):
                    for c, value in enumerate(row):
                        if isinstance(value, str):
                            sheet.write_string(r, c, value)
                        else:
                            sheet.write_number(r, c, value)
            book.close()

        export_floor = median_time(plain, 1)
        rows.append(
            (
                f"export workbook ({len(ledger_rows):,} ledger rows)",
                f"{export:.2f} s",
                f"{export_floor:.2f} s (same cells, constant memory, no formats)",
                f"{export / export_floor:.1f}x; target <= 1.5x",
            )
        )
    # 5. start
    python = sys.executable
    start_floor = command_time([python, "-c", "pass"], repeats)
    help_time = command_time([python, "-m", "fiscal", "--help"], repeats)
    validate_time = command_time([python, "-m", "fiscal", "validate"], repeats)
    rows.append(
        (
            "fiscal --help",
            f"{help_time:.3f} s",
            f"{start_floor:.3f} s (python -c pass)",
            "target < 0.3 s",
        )
    )
    rows.append(
        (
            "fiscal validate (bundled)",
            f"{validate_time:.3f} s",
            f"{start_floor:.3f} s (python -c pass)",
            "",
        )
    )
    return rows


def report(rows: list[tuple[str, str, str, str]], quick: bool) -> str:
    load = os.getloadavg()
    lines = [
        "| benchmark | fiscal | floor | ratio and target |",
        "| --- | ---: | ---: | --- |",
        *[f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows],
        "",
        f"Machine: {os.cpu_count()} cores, {platform.machine()}, "
        f"Python {platform.python_version()}, "
        f"load average at the end {load[0]:.1f}. Command: `python -m benchmarks"
        f"{' --quick' if quick else ''}`. Medians of 5 runs where repeated (1 for cold, loop, "
        "sweep and export runs).",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one run each")
    parser.add_argument("--write", action="store_true", help="write the table to BENCHMARKS.md")
    args = parser.parse_args()
    text = report(run(args.quick), args.quick)
    print(text)
    if args.write:
        target = REPO / "BENCHMARKS.md"
        head = (
            target.read_text(encoding="utf-8").split("<!-- results -->")[0]
            if target.exists()
            else ""
        )
        target.write_text(f"{head}<!-- results -->\n{text}", encoding="utf-8")


if __name__ == "__main__":
    main()
