"""A rule diff as plain-value tables (Changes, Impact, Attribution) and the diff workbook.

The tables hold plain values, as :mod:`fiscal.report.tables` does for a projection: the
diff workbook, the Python API's DataFrames and nothing else read them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from decimal import Decimal

from fiscal.history.changes import show
from fiscal.history.diff import DiffReport, VersionInfo
from fiscal.history.impact import TOTAL, ImpactRow
from fiscal.history.report.wording import versions_line
from fiscal.report.provenance import document_time
from fiscal.report.table import Book, Cell, Column, Look, Table, key_value_sheet, table_sheet


def changes_table(report: DiffReport) -> Table:
    """The Changes sheet: one row per changed field, with both sides' file:line and reference."""
    columns = [
        Column("kind", "text", 11),
        Column("id", "text", 36),
        Column("action", "text", 10),
        Column("field", "text", 34),
        Column("part_or_party", "text", 16),
        Column("year", "year", 7),
        Column("old", "text", 24),
        Column("new", "text", 24),
        Column("old_source", "text", 60),
        Column("new_source", "text", 60),
        Column("reference", "text", 50),
    ]
    rows: list[tuple[Cell, ...]] = [
        (
            c.kind,
            c.id,
            c.action,
            c.field,
            c.part or c.party or "",
            "" if c.year is None else c.year,
            value_cell(c.old),
            value_cell(c.new),
            str(c.old_at) if c.old_at else "",
            str(c.new_at) if c.new_at else "",
            c.reference or "",
        )
        for c in report.changes
    ]
    return Table("Changes", columns, rows)


def value_cell(value: object) -> Cell:
    """An old or new value as a cell: a number stays a number a reviewer can sum or
    compare; a decimal with more digits than a spreadsheet number holds stays exact text."""
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, Decimal) and value.is_finite():
        if value == value.to_integral_value():
            return int(value)
        if len(value.normalize().as_tuple().digits) <= 15:
            return float(value)
    return show(value)


_IMPACT_COLUMNS = [
    Column("region", "text", 11),
    Column("year", "year", 7),
    Column("measure", "text", 30),
    Column("unit", "text", 7),
    Column("old", "won", 22),
    Column("new", "won", 22),
    Column("change", "won", 22),
]


def _impact_rows(rows: Iterable[ImpactRow], *prefix: Cell) -> list[tuple[Cell, ...]]:
    return [(*prefix, r.region, r.year, r.measure, r.unit, r.old, r.new, r.change) for r in rows]


def impact_table(report: DiffReport) -> Table:
    """National totals by year first, then every region row, largest change first."""
    impact = report.impact
    rows: list[tuple[Cell, ...]] = []
    if impact is not None:
        rows = _impact_rows(impact.national) + _impact_rows(impact.money + impact.ratios)
    return Table("Impact", list(_IMPACT_COLUMNS), rows)


def attribution_table(report: DiffReport) -> Table:
    """The Attribution sheet: each change applied alone, then what only their interaction moved."""
    columns = [
        Column("change", "text", 44),
        Column("applied_alone", "text", 40),
        *_IMPACT_COLUMNS,
    ]
    rows: list[tuple[Cell, ...]] = []
    for part in report.attribution:
        status = "yes" if part.impact is not None else (part.reason or "no")
        if part.impact is None:
            rows.append((part.label, status, "", "", "", "", "", "", ""))
            continue
        rows += _impact_rows(part.impact.national + part.impact.money, part.label, status)
    for year, value in report.interaction.items():
        rows.append(
            ("interaction of the changes", "", TOTAL, year, "total_revenue", "won", "", "", value)
        )
    return Table("Attribution", columns, rows)


def provenance_rows(report: DiffReport) -> list[tuple[str, str]]:
    """The Provenance sheet's label/value rows: the run, then each version's commit or folder."""
    rows = [
        ("fiscal version", report.fiscal_version),
        ("command line", report.command_line),
        ("run time (UTC)", report.run_time),
        ("repository", report.repository or ""),
        ("years", f"{report.years[0]}-{report.years[-1]}" if report.years else ""),
        ("inputs (both versions)", report.inputs_label),
    ]
    for role, info in (("old", report.old), ("new", report.new)):
        rows += [(f"{role} {k}", v) for k, v in _version_rows(info)]
    return rows


def _version_rows(info: VersionInfo) -> list[tuple[str, str]]:
    ref = info.ref
    rows = [("version", ref.label), ("kind", ref.kind), ("rules path", info.rules_path)]
    if ref.commit is not None:
        c = ref.commit
        rows += [
            ("commit", c.sha),
            ("author", f"{c.author} <{c.email}>"),
            ("date", c.authored),
            ("message", c.subject),
        ]
    return rows


def diff_book(report: DiffReport) -> Book:
    """The diff workbook: Changes, Impact, Attribution and the Provenance of both versions."""
    files = [("old rules", f) for f in report.old.files]
    files += [("new rules", f) for f in report.new.files]
    files += [("inputs", f) for f in report.input_files]
    return Book(
        {
            "title": f"fiscal diff: {versions_line(report)}",
            "author": f"fiscal {report.fiscal_version}",
            "comments": "Rule changes between two versions and their budget impact",
        },
        document_time(report.run_time),
        [
            table_sheet(changes_table(report)),
            table_sheet(_with_ratio_rows(impact_table(report))),
            table_sheet(_with_ratio_rows(attribution_table(report))),
            key_value_sheet(
                provenance_rows(report), "version", [(r, f.path, f.sha256) for r, f in files]
            ),
        ],
        Look(ratio="0.00%", header_top=False),
    )


def _with_ratio_rows(table: Table) -> Table:
    """Impact rows mix measures in won and ratios: the ratio rows are shown as ratios."""
    unit = table.column("unit")
    ratios = frozenset(i for i, row in enumerate(table.rows) if row[unit] == "ratio")
    return dataclasses.replace(table, ratio_rows=ratios)
