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
import math
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
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from benchmarks.floors import (
    CENTRAL,
    NO_CAP,
    NO_PARTY,
    PRIVATE,
    REGION,
    Adjustment,
    Agreements,
    Equalisation,
    FloorData,
    Matching,
    Rate,
    Sharing,
    loop_floor,
    numpy_floor,
)

REPO = Path(__file__).resolve().parents[1]


def median_time(fn: Callable[[], Any], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def floor_data(ruleset: Any, inputs: Any, years: list[int]) -> FloorData:
    """What the floors read, prepared outside the timed part: input arrays, every
    parameter's value for every year as exact numerator and denominator arrays, the
    rules' shapes, and the binding agreements flattened into arrays. Nothing here is
    the projection's arithmetic: it looks values up and lays them out."""
    from fiscal.rules.inputs import national_array, regional_array
    from fiscal.rules.models import AdjustmentRule, EqualisationRule, MatchingRule, SharingRule
    from fiscal.rules.ruleset import value_for_region

    regions = list(ruleset.regions)
    index = {region.id: i for i, region in enumerate(regions)}

    def regional(name: str) -> Any:
        array, problem = regional_array(inputs, name, ruleset.region_ids, years)
        assert array is not None, problem
        return array

    def national(name: str) -> Any:
        array, problem = national_array(inputs, name.removeprefix("national."), years)
        assert array is not None, problem
        return array

    def value(path: str, year: int) -> Any:
        ref = ruleset.resolve(path)
        in_force = ref.parameter.in_force(year)
        assert in_force is not None, f"{path} has no value in force in {year}"
        return ref, in_force

    def scalar(path: str, year: int) -> Fraction:
        ref, in_force = value(path, year)
        raw = in_force.value
        return Fraction(raw[ref.part] if isinstance(raw, dict) else raw)

    def rate(values: Any) -> Rate:
        fractions = np.asarray(values, dtype=object)
        num = np.vectorize(lambda f: f.numerator, otypes=[np.int64])(fractions)
        den = np.vectorize(lambda f: f.denominator, otypes=[np.int64])(fractions)
        return Rate(num.reshape(fractions.shape), den.reshape(fractions.shape))

    def per_year(path: str) -> Rate:
        return rate([scalar(path, year) for year in years])

    def per_region(path: str) -> Rate:
        ref = ruleset.resolve(path)
        if ref.parameter.breakdown != "region":
            row = [scalar(path, year) for year in years]
            return rate([row for _ in regions])
        columns = []
        for year in years:
            _, in_force = value(path, year)
            found = [value_for_region(in_force, region) for region in regions]
            columns.append([Fraction(v) if v is not None else Fraction(0) for v in found])
        return rate([list(row) for row in zip(*columns, strict=True)])

    def tier(rule: Any) -> Any:
        return np.asarray([rule.tier in ("all", r.tier) for r in regions], dtype=np.int64)

    wanted: set[str] = set()
    rules: list[Any] = []
    for rule in ruleset.rules:
        if isinstance(rule, SharingRule):
            mask = tier(rule)
            if rule.recipients is not None:
                chosen = set(rule.recipients)
                mask = mask * np.asarray(
                    [r.id in chosen or r.region_class.value in chosen for r in regions],
                    dtype=np.int64,
                )
            rules.append(
                Sharing(
                    rule.item,
                    national(rule.pool.base),
                    tuple(per_year(share) for share in rule.pool.shares),
                    regional(rule.key.indicator),
                    per_region(rule.key.weight) if rule.key.weight else None,
                    mask,
                )
            )
        elif isinstance(rule, EqualisationRule):
            gap = rule.fiscal_gap
            wanted.update(gap.revenue)
            rules.append(
                Equalisation(
                    rule.item,
                    national(rule.pool.base),
                    tuple(per_year(share) for share in rule.pool.shares),
                    regional(gap.need),
                    tuple(gap.revenue),
                    per_year(gap.revenue_counted),
                    tier(rule),
                )
            )
        elif isinstance(rule, AdjustmentRule):
            wanted.update(rule.taxes)
            groups = [
                (p, ruleset.children(parent.id))
                for p, parent in enumerate(regions)
                if parent.tier == "upper" and ruleset.children(parent.id)
            ]
            widest = max((len(kids) for _, kids in groups), default=0)
            children = np.full((len(groups), widest), -1, dtype=np.intp)
            for g, (_, kids) in enumerate(groups):
                children[g, : len(kids)] = kids
            rules.append(
                Adjustment(
                    rule.item,
                    rule.paid_item,
                    tuple(rule.taxes),
                    per_region(rule.share),
                    regional(rule.key.indicator),
                    per_region(rule.key.weight) if rule.key.weight else None,
                    np.asarray([p for p, _ in groups], dtype=np.intp),
                    children,
                )
            )
        elif isinstance(rule, MatchingRule):
            rules.append(
                Matching(
                    rule.item,
                    rule.co_funding_item,
                    regional(rule.cost),
                    per_region(rule.rate),
                    tier(rule),
                )
            )
        else:
            raise NotImplementedError(f"the floors do not compute {type(rule).__name__}")
    items = {item.id for item in ruleset.items}
    from_indicator = {i.id: i.from_indicator for i in ruleset.items if i.from_indicator}
    wanted = (wanted - items) | set(from_indicator.values())
    manifest = ruleset.manifest
    measures = manifest.measures
    if measures is not None:
        wanted.add(measures.population)
    affordability = manifest.affordability
    agreement_items = {i.from_agreements: i.id for i in ruleset.items if i.from_agreements}
    return FloorData(
        regions=len(regions),
        years=len(years),
        regional={name: regional(name) for name in sorted(wanted)},
        from_indicator=from_indicator,
        categories={item.id: item.category.value for item in ruleset.items},
        rules=tuple(rules),
        agreements=flat_agreements(ruleset, years, index, scalar),
        inflow_item=agreement_items.get("central_inflow"),
        co_funding_item=agreement_items.get("co_funding"),
        obligations=tuple(affordability.obligations) if affordability else (),
        limit=per_year(affordability.limit) if affordability else None,
        national_tax=national(measures.national_tax) if measures else None,
        national_tax_less=tuple(measures.national_tax_less) if measures else (),
        local_taxes=tuple(measures.local_taxes) if measures else (),
        population=regional(measures.population) if measures else None,
    )


def whole(weights: list[Any]) -> list[int]:
    """Exact weights (Decimals, ints) as whole numbers in the same proportions."""
    fractions = [Fraction(w) for w in weights]
    common = math.lcm(*(f.denominator for f in fractions)) if fractions else 1
    return [int(f * common) for f in fractions]


def flat_agreements(
    ruleset: Any, years: list[int], index: dict[str, int], scalar: Callable[[str, int], Fraction]
) -> Agreements:
    """Binding agreements' projects as arrays: one row per project, one plane per version
    of its terms. (A proposal pays nothing: it is left out here, not computed as 0.)"""
    from fiscal.rules.agreements import CENTRAL as CENTRE
    from fiscal.rules.agreements import terms_in_force

    projects = []  # (agreement, [(first year or None, terms)])
    for agreement in ruleset.agreements:
        if agreement.binding:
            for project in agreement.projects:
                projects.append((agreement, terms_in_force(project, agreement.amendments)))
    known = [
        year
        for _, versions in projects
        for _, terms in versions
        for year in (
            *terms.years,
            *([terms.indexation.base_year] if terms.indexation else []),
        )
    ]
    first_year = min(known, default=years[0])
    length = max(known, default=years[0]) - first_year + 1
    count = len(projects)
    most_versions = max((len(v) for _, v in projects), default=1)
    most_payers = max((len(t.shares) for _, v in projects for _, t in v), default=1)
    most_regions = max(
        (
            max(
                sum(p.kind == "region" for p in a.parties),
                len(t.central_to_regions or {}),
            )
            for a, v in projects
            for _, t in v
        ),
        default=1,
    )
    kv = (count, most_versions)
    kvj, kvr = (*kv, most_payers), (*kv, most_regions)
    spans = [(min(t.years[0] for _, t in v), max(t.years[1] for _, t in v)) for _, v in projects]
    window = np.asarray([first - first_year for first, _ in spans], dtype=np.intp)
    width = max((last - first + 1 for first, last in spans), default=1)
    versions = np.zeros(count, dtype=np.intp)
    start = np.full(kv, length, dtype=np.intp)
    total = np.zeros(kv, dtype=np.int64)
    schedule = np.zeros((*kv, width), dtype=np.int64)
    cap = np.full(kv, NO_CAP, dtype=np.int64)
    index_base = np.full(kv, -1, dtype=np.intp)
    index_rate = np.zeros(kv, dtype=np.intp)
    last_paid = np.full(count, length, dtype=np.intp)
    payer_weight = np.zeros(kvj, dtype=np.int64)
    payer_kind = np.full(kvj, NO_PARTY, dtype=np.int8)
    payer_region = np.full(kvj, -1, dtype=np.intp)
    shift_weight = np.zeros(kvr, dtype=np.int64)
    shift_payer = np.zeros(kvr, dtype=np.intp)
    inflow_weight = np.zeros(kvr, dtype=np.int64)
    inflow_region = np.full(kvr, -1, dtype=np.intp)
    indexes: dict[str, int] = {}
    codes = {"ministry": CENTRAL, "region": REGION, "private": PRIVATE}
    for p, (agreement, terms_list) in enumerate(projects):
        versions[p] = len(terms_list)
        if agreement.last_paid_year is not None:
            last_paid[p] = agreement.last_paid_year - first_year
        kinds = {party.id: party.kind for party in agreement.parties}
        region_parties = [party.id for party in agreement.parties if party.kind == "region"]
        for k, (first, terms) in enumerate(terms_list):
            start[p, k] = -1 if first is None else first - first_year
            total[p, k] = terms.total_krw
            span = list(range(terms.years[0], terms.years[1] + 1))
            if terms.schedule is not None:
                weights = whole([terms.schedule.get(y, 0) for y in span])
            elif terms.schedule_krw is not None:
                weights = [terms.schedule_krw.get(y, 0) for y in span]
            else:
                weights = [1] * len(span)
            for year, weight in zip(span, weights, strict=True):
                schedule[p, k, year - first_year - window[p]] = weight
            if terms.central_cap_krw is not None:
                cap[p, k] = terms.central_cap_krw
            if terms.indexation is not None:
                index_base[p, k] = terms.indexation.base_year - first_year
                index_rate[p, k] = indexes.setdefault(terms.indexation.parameter, len(indexes))
            payers = list(terms.shares)
            for j, (party, weight) in enumerate(
                zip(payers, whole([terms.shares[q] for q in payers]), strict=True)
            ):
                kind = "central" if party == CENTRE else kinds.get(party, "central")
                payer_weight[p, k, j] = weight
                payer_kind[p, k, j] = codes.get(kind, CENTRAL)
                payer_region[p, k, j] = index[party] if kind == "region" else -1
            shares = [terms.shares.get(r, 0) for r in region_parties]
            positive = [s if s > 0 else 0 for s in shares]
            for r, (region, weight) in enumerate(zip(region_parties, whole(positive), strict=True)):
                shift_weight[p, k, r] = weight
                shift_payer[p, k, r] = payers.index(region) if weight else 0
            split: dict[str, Any]
            if terms.central_to_regions is not None:
                split = dict(terms.central_to_regions)
            else:
                split = dict(zip(region_parties, shares, strict=True))
                if not any(split.values()):
                    split = dict.fromkeys(split, 1)
            for r, (region, weight) in enumerate(
                zip(split, whole(list(split.values())), strict=True)
            ):
                inflow_weight[p, k, r] = weight
                inflow_region[p, k, r] = index[region]
    # An index's rate for every year of the axis; 0 where none is in force (a year the
    # engine would need but cannot find stops the projection, so no floor reads it).
    rates = [
        [
            scalar(path, year) if ruleset.resolve(path).parameter.in_force(year) else Fraction(0)
            for year in range(first_year, first_year + length)
        ]
        for path in indexes
    ]
    num = np.asarray([[f.numerator for f in row] for row in rates], dtype=np.int64)
    den = np.asarray([[f.denominator for f in row] for row in rates], dtype=np.int64)
    return Agreements(
        first_year=first_year,
        length=length,
        offset=first_year - years[0],
        window=window,
        versions=versions,
        start=start,
        total=total,
        schedule=schedule,
        cap=cap,
        index_base=index_base,
        index_rate=index_rate,
        rates=Rate(num.reshape(len(indexes), length), den.reshape(len(indexes), length)),
        last_paid=last_paid,
        payer_weight=payer_weight,
        payer_kind=payer_kind,
        payer_region=payer_region,
        shift_weight=shift_weight,
        shift_payer=shift_payer,
        inflow_weight=inflow_weight,
        inflow_region=inflow_region,
    )


def engine_outputs(projection: Any) -> dict[str, Any]:
    """The projection's figures under the names the floors give theirs."""
    out: dict[str, Any] = dict(projection.amounts)
    out.update({f"pool.{pool.item}": pool.pool for pool in projection.pools})
    for name in (*projection.headline.MONEY, *projection.headline.RATIOS):
        out[f"headline.{name}"] = getattr(projection.headline, name)
    if projection.affordability is not None:
        for name in ("obligations", "flagged", "share_of_own_source"):
            out[f"affordability.{name}"] = getattr(projection.affordability, name)
    if projection.measures is not None:
        for name in (
            "national_tax",
            "local_tax",
            "local_tax_share",
            "cv_before_transfers",
            "cv_after_transfers",
        ):
            out[f"measures.{name}"] = getattr(projection.measures, name)
    return out


class FloorMismatch(AssertionError):
    """A floor and the engine disagree: one of them computes the rules wrongly."""


def check_floor(
    floor: str,
    computed: dict[str, Any],
    engine: dict[str, Any],
    region_ids: list[str],
    years: list[int],
) -> None:
    """Fail, naming the item and the first differing government and year, unless every
    figure the floor computes equals the engine's: to the won for money and flags;
    within 1e-9 (relative) for ratios, which are floats divided in a different order.
    The floor must compute every figure ``engine_outputs`` names."""
    missing = [name for name in engine if name not in computed]
    if missing:
        raise FloorMismatch(f"{floor} floor does not compute {', '.join(missing)}")
    for name, values in computed.items():
        if name not in engine:
            raise FloorMismatch(f"{floor} floor computes {name!r}; the engine does not")
        expected = np.asarray(engine[name])
        got = np.asarray(values)
        if got.shape != expected.shape:
            raise FloorMismatch(
                f"{floor} floor, {name}: shape {got.shape}, the engine's {expected.shape}"
            )
        if expected.dtype.kind == "f":
            differs = ~np.isclose(got, expected, rtol=1e-9, atol=1e-12)
        else:
            differs = got != expected
        if differs.any():
            cell = tuple(int(i) for i in np.argwhere(differs)[0])
            where = (
                f"{region_ids[cell[0]]}, {years[cell[1]]}"
                if len(cell) == 2
                else f"{years[cell[0]]}"
            )
            raise FloorMismatch(
                f"{floor} floor differs from the engine on {name!r} in {int(differs.sum())} "
                f"cells; first at {where}: floor {got[cell].item()!r}, "
                f"engine {expected[cell].item()!r}"
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
    from fiscal.datasets.synth import synthesize
    from fiscal.engine import agreement_items
    from fiscal.engine import projection as projection_module
    from fiscal.excel.workbook import write_book
    from fiscal.files.bundled import default_rules
    from fiscal.report.provenance import collect
    from fiscal.report.sweep import sweep
    from fiscal.report.workbooks import projection_book
    from fiscal.rules.input_files import load_inputs
    from fiscal.rules.loader import load_ruleset, rule_files

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
        agreement_items.SHARED_SCHEDULES.clear()
        cold = median_time(lambda: projection_module.project(ruleset, inputs, years), 1)
        warm = median_time(lambda: projection_module.project(ruleset, inputs, years), repeats)
        # The floors compute the same figures: check that they do, then time them.
        start = time.perf_counter()
        data = floor_data(ruleset, inputs, years)
        preparation = time.perf_counter() - start
        engine = engine_outputs(projection_module.project(ruleset, inputs, years))
        start = time.perf_counter()
        looped = loop_floor(data)
        loop = time.perf_counter() - start
        check_floor("loop", looped, engine, ruleset.region_ids, years)
        check_floor("numpy", numpy_floor(data), engine, ruleset.region_ids, years)
        floor = median_time(lambda: numpy_floor(data), repeats)
        rows.append(
            (
                f"project 243 x {n_years} years, cold",
                f"{cold:.3f} s",
                f"{floor:.3f} s (numpy; {preparation:.2f} s more to prepare its arrays)",
                f"engine/numpy {cold / floor:.1f}x, {cold / (floor + preparation):.1f}x with "
                f"the floor's preparation; loop/engine {loop / cold:.1f}x",
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
        export = median_time(
            lambda: write_book(out, projection_book(projection, ruleset, provenance)), 1
        )
        from fiscal.report import tables

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
    try:
        rows = run(args.quick)
    except FloorMismatch as error:
        raise SystemExit(f"python -m benchmarks: {error}") from error
    text = report(rows, args.quick)
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
