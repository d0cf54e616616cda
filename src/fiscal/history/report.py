"""A rule diff laid out for people and machines: tables, markdown, JSON, rich.

The tables (:class:`~fiscal.report.tables.Table`) hold plain values and feed the diff workbook;
markdown is written to be pasted into a pull-request review; JSON keeps every row and
exact numbers for CI; rich renders the same content in the terminal.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from fiscal.history.changes import Change, Where, plain, show
from fiscal.history.diff import DiffReport, VersionInfo
from fiscal.history.impact import TOTAL, Attribution, Impact, ImpactRow
from fiscal.history.log import History
from fiscal.report.tables import Cell, Column, Table

if TYPE_CHECKING:
    from rich.console import RenderableType

DEFAULT_TOP = 15


# --- plain-value tables (workbook) ----------------------------------------------------------


def changes_table(report: DiffReport) -> Table:
    columns = [
        Column("kind", "text", 11),
        Column("id", "text", 36),
        Column("action", "text", 10),
        Column("field", "text", 34),
        Column("part_or_party", "text", 16),
        Column("year", "text", 7),
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
            "" if c.year is None else str(c.year),
            show(c.old) if c.old is not None else "",
            show(c.new) if c.new is not None else "",
            str(c.old_at) if c.old_at else "",
            str(c.new_at) if c.new_at else "",
            c.reference or "",
        )
        for c in report.changes
    ]
    return Table("Changes", columns, rows)


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


# --- JSON -----------------------------------------------------------------------------------


def _where_json(where: Where | None) -> dict[str, Any] | None:
    if where is None:
        return None
    return {"file": where.file, "line": where.line, "revision": where.tag or None}


def change_json(c: Change) -> dict[str, Any]:
    return {
        "kind": c.kind,
        "id": c.id,
        "action": c.action,
        "field": c.field,
        "part": c.part,
        "party": c.party,
        "year": c.year,
        "effective": c.effective.isoformat() if c.effective else None,
        "old": plain(c.old),
        "new": plain(c.new),
        "old_at": _where_json(c.old_at),
        "new_at": _where_json(c.new_at),
        "reference": c.reference,
    }


def _rows_json(rows: Iterable[ImpactRow]) -> list[dict[str, Any]]:
    return [
        {
            "region": r.region,
            "year": r.year,
            "measure": r.measure,
            "unit": r.unit,
            "old": r.old,
            "new": r.new,
            "change": r.change,
        }
        for r in rows
    ]


def _impact_json(impact: Impact) -> dict[str, Any]:
    return {
        "national": _rows_json(impact.national),
        "regions": _rows_json(impact.money),
        "ratios": _rows_json(impact.ratios),
    }


def _version_json(info: VersionInfo) -> dict[str, Any]:
    ref = info.ref
    out: dict[str, Any] = {
        "name": ref.name,
        "label": ref.label,
        "kind": ref.kind,
        "rules_path": info.rules_path,
        "commit": None,
    }
    if ref.commit is not None:
        c = ref.commit
        out["commit"] = {
            "sha": c.sha,
            "short": c.short,
            "author": c.author,
            "email": c.email,
            "date": c.authored,
            "subject": c.subject,
        }
    out["files"] = [{"path": f.path, "sha256": f.sha256} for f in info.files]
    return out


def to_json(report: DiffReport) -> str:
    data: dict[str, Any] = {
        "old": _version_json(report.old),
        "new": _version_json(report.new),
        "changed": report.changed,
        "changes": [change_json(c) for c in report.changes],
        "years": report.years,
        "inputs": report.inputs_label,
        "input_files": [{"path": f.path, "sha256": f.sha256} for f in report.input_files],
        "impact": _impact_json(report.impact) if report.impact else None,
        "attribution": [
            {
                "kind": a.kind,
                "id": a.id,
                "fields": a.fields,
                "applied": a.impact is not None,
                "reason": a.reason,
                "impact": _impact_json(a.impact) if a.impact else None,
            }
            for a in report.attribution
        ],
        "interaction": {str(y): v for y, v in report.interaction.items()},
        "shallow": report.shallow,
        "warnings": report.warnings,
        "fiscal_version": report.fiscal_version,
        "run_time": report.run_time,
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


# --- shared wording -------------------------------------------------------------------------


def what(c: Change) -> str:
    """The field of a change with its part, party and year, in a few words."""
    bits = [c.field] if c.field else []
    if c.part:
        bits.append(f"[{c.part}]")
    if c.party:
        bits.append(f"party {c.party}")
    if c.year is not None and str(c.year) not in c.field:
        bits.append(f"year {c.year}")
    return " ".join(bits)


def where_pair(c: Change) -> str:
    """Both sides' file:line, once when the line did not move: ``f.yaml:12 @ abc → def``."""
    a, b = c.old_at, c.new_at
    if a is not None and b is not None:
        if (a.file, a.line) == (b.file, b.line):
            place = f"{a.file}:{a.line}" if a.line > 0 else a.file
            tags = " → ".join(t for t in (a.tag, b.tag) if t)
            return f"{place} @ {tags}" if tags else place
        return f"{a} → {b}"
    return str(b or a or "")


def money(value: int | float) -> str:
    return f"{int(value):,}"


def signed_money(value: int | float) -> str:
    return f"{int(value):+,}"


def percent(value: int | float) -> str:
    return f"{100 * float(value):.2f}%"


def points(value: int | float) -> str:
    """A change of a ratio in percentage points; small ones with more digits, never -0.00."""
    pp = 100 * float(value)
    return f"{pp:+.2f} pp" if abs(pp) >= 0.005 or pp == 0 else f"{pp:+.4f} pp"


def cell(row: ImpactRow, which: str) -> str:
    value = getattr(row, which)
    if row.unit == "ratio":
        return points(value) if which == "change" else percent(value)
    return signed_money(value) if which == "change" else money(value)


def versions_line(report: DiffReport) -> str:
    return f"{report.old.ref.label} → {report.new.ref.label}"


def national_by_year(impact: Impact) -> tuple[list[str], list[list[str]]]:
    """Measures (rows) x years (columns) of national changes, for the terminal and markdown."""
    measures: list[str] = []
    for row in impact.national:
        if row.measure not in measures:
            measures.append(row.measure)
    table = []
    for measure in measures:
        cells = []
        for year in impact.years:
            found = [r for r in impact.national if r.measure == measure and r.year == year]
            cells.append(cell(found[0], "change") if found else "")
        table.append([measure, *cells])
    return [str(y) for y in impact.years], table


def attribution_rows(report: DiffReport) -> list[list[str]]:
    """One row per change applied alone: its total revenue change by year."""
    rows: list[list[str]] = []
    impact = report.impact
    if impact is None:
        return rows
    for part in report.attribution:
        label = part.label
        if part.impact is None:
            rows.append([label, *["" for _ in impact.years], part.reason or ""])
            continue
        cells = [
            signed_money(part.impact.national_change("total_revenue", y)) for y in impact.years
        ]
        rows.append([label, *cells, _largest(part)])
    if report.interaction:
        rows.append(
            [
                "interaction of the changes",
                *[signed_money(v) for v in report.interaction.values()],
                "",
            ]
        )
    rows.append(
        [
            "all changes together",
            *[signed_money(impact.national_change("total_revenue", y)) for y in impact.years],
            "",
        ]
    )
    return rows


def _largest(part: Attribution) -> str:
    if part.impact is None or not part.impact.money:
        return "no change"
    top = part.impact.money[0]
    return f"largest: {top.region} {top.year} {top.measure} {signed_money(top.change)}"


# --- markdown -------------------------------------------------------------------------------


def _md(text: object) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def _md_table(
    header: Sequence[str], rows: Iterable[Sequence[object]], numbers: Iterable[int] = ()
) -> str:
    """A markdown table; the columns numbered in ``numbers`` are right-aligned."""
    right = set(numbers)
    align = ["---:" if i in right else "---" for i in range(len(header))]
    lines = ["| " + " | ".join(_md(h) for h in header) + " |", "|" + "|".join(align) + "|"]
    lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def to_markdown(report: DiffReport, top: int = DEFAULT_TOP) -> str:
    out = [f"## Rule changes: {_md(versions_line(report))}", ""]
    out += [f"**Warning:** {_md(w)}\n" for w in report.warnings]
    if not report.changes:
        out.append("No rule changes.")
        return "\n".join(out) + "\n"
    objects = len({(c.kind, c.id) for c in report.changes})
    out.append(f"{len(report.changes)} changes in {objects} rule objects.")
    out.append("")
    out.append(
        _md_table(
            ["change", "rule object", "what", "old", "new", "where", "reference"],
            [
                [
                    c.action,
                    f"{c.kind} `{c.id}`",
                    what(c),
                    show(c.old),
                    show(c.new),
                    f"`{where_pair(c)}`",
                    c.reference or "",
                ]
                for c in report.changes
            ],
        )
    )
    impact = report.impact
    if impact is None:
        return "\n".join(out) + "\n"
    years = f"{report.years[0]}-{report.years[-1]}"
    out += ["", f"## Budget impact, {years}", ""]
    out.append(
        f"Both versions projected with the same inputs ({_md(report.inputs_label)}); "
        "amounts in won, new minus old."
    )
    out.append("")
    if not impact.changed:
        out.append("No region's budget changes.")
        return "\n".join(out) + "\n"
    header, rows = national_by_year(impact)
    out += [
        "### National totals",
        "",
        _md_table(["measure", *header], rows, range(1, len(header) + 1)),
    ]
    shown = impact.money[:top]
    out += [
        "",
        f"### Largest changes by region and year ({len(shown)} of {len(impact.money)})",
        "",
        _md_table(
            ["region", "year", "item", "old", "new", "change"],
            [
                [r.region, r.year, r.measure, cell(r, "old"), cell(r, "new"), cell(r, "change")]
                for r in shown
            ],
            (3, 4, 5),
        ),
    ]
    ratios = impact.ratios[:top]
    if ratios:
        out += [
            "",
            f"### Fiscal ratios ({len(ratios)} of {len(impact.ratios)})",
            "",
            _md_table(
                ["region", "year", "ratio", "old", "new", "change"],
                [
                    [r.region, r.year, r.measure, cell(r, "old"), cell(r, "new"), cell(r, "change")]
                    for r in ratios
                ],
                (3, 4, 5),
            ),
        ]
    if report.attribution:
        out += [
            "",
            "### Each change alone (applied to the old rules): total revenue",
            "",
            _md_table(
                ["change", *[str(y) for y in impact.years], "note"],
                attribution_rows(report),
                range(1, len(impact.years) + 1),
            ),
        ]
    return "\n".join(out) + "\n"


# --- rich -----------------------------------------------------------------------------------


def to_rich(report: DiffReport, top: int = DEFAULT_TOP) -> list[RenderableType]:
    from rich.markup import escape
    from rich.table import Table as RichTable

    parts: list[RenderableType] = [f"[bold]Warning:[/] {escape(w)}" for w in report.warnings]
    title = f"Rule changes: {versions_line(report)}"
    if not report.changes:
        parts.append(f"No rule changes: {escape(versions_line(report))}.")
        return parts
    changes = RichTable(title=escape(title), title_justify="left", show_lines=False)
    for name in ("Change", "Rule object", "What", "Old", "New", "Where", "Reference"):
        changes.add_column(name, overflow="fold")
    for c in report.changes:
        changes.add_row(
            c.action,
            escape(f"{c.kind} {c.id}"),
            escape(what(c)),
            escape(show(c.old)),
            escape(show(c.new)),
            escape(where_pair(c)),
            escape(c.reference or ""),
        )
    parts.append(changes)
    impact = report.impact
    if impact is None:
        return parts
    if not impact.changed:
        parts.append("No region's budget changes.")
        return parts
    header, rows = national_by_year(impact)
    national = RichTable(
        title=f"National change by year (won, new - old; inputs {escape(report.inputs_label)})",
        title_justify="left",
    )
    national.add_column("Measure", no_wrap=True)
    for year in header:
        national.add_column(year, justify="right", no_wrap=True)
    for row in rows:
        national.add_row(*[escape(x) for x in row])
    parts.append(national)
    largest = RichTable(
        title=f"Largest changes by region and year ({min(top, len(impact.money))} of "
        f"{len(impact.money)})",
        title_justify="left",
    )
    for name, justify in (("Region", "left"), ("Year", "left"), ("Item", "left")):
        largest.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for name in ("Old", "New", "Change"):
        largest.add_column(name, justify="right", no_wrap=True)
    for r in [*impact.money[:top], *impact.ratios[: max(0, top // 3)]]:
        largest.add_row(
            r.region, str(r.year), r.measure, cell(r, "old"), cell(r, "new"), cell(r, "change")
        )
    parts.append(largest)
    if report.attribution:
        alone = RichTable(
            title="Each change alone, applied to the old rules: total revenue change",
            title_justify="left",
        )
        alone.add_column("Change", overflow="fold")
        for year_number in impact.years:
            alone.add_column(str(year_number), justify="right", no_wrap=True)
        alone.add_column("Note", overflow="fold")
        for row in attribution_rows(report):
            alone.add_row(*[escape(x) for x in row])
        parts.append(alone)
    return parts


# --- fiscal history -------------------------------------------------------------------------

HISTORY_HEADER = (
    "commit",
    "date",
    "author",
    "message",
    "change",
    "effective",
    "what",
    "old",
    "new",
    "where",
)


def history_rows(history: History) -> list[list[str]]:
    rows = []
    for entry in history.entries:
        c, commit = entry.change, entry.commit
        effective = c.effective.isoformat() if c.effective else ""
        detail = what(c)
        if effective and detail.startswith(effective):  # a parameter value: its date is its field
            detail = detail[len(effective) :].strip()
        rows.append(
            [
                commit.short if commit else "(uncommitted)",
                commit.day if commit else "",
                commit.author if commit else "",
                commit.subject if commit else "working tree",
                c.action,
                effective,
                detail,
                show(c.old),
                show(c.new),
                str(c.new_at or c.old_at or ""),
            ]
        )
    return rows


def history_markdown(history: History) -> str:
    out = [f"## History of `{history.ident}` in {_md(history.rules_path or '.')}", ""]
    if history.warning:
        out += [f"**Warning:** {_md(history.warning)}", ""]
    out.append(_md_table(HISTORY_HEADER, history_rows(history)))
    for commit, why in history.unreadable:
        out.append(f"\n{commit.short} ({commit.day}): {_md(why)}")
    return "\n".join(out) + "\n"


def history_json(history: History) -> str:
    entries = []
    for entry in history.entries:
        commit = entry.commit
        entries.append(
            {
                "commit": None
                if commit is None
                else {
                    "sha": commit.sha,
                    "short": commit.short,
                    "author": commit.author,
                    "email": commit.email,
                    "date": commit.authored,
                    "subject": commit.subject,
                },
                **change_json(entry.change),
            }
        )
    data = {
        "id": history.ident,
        "rules_path": history.rules_path,
        "entries": entries,
        "unreadable": [{"commit": c.sha, "reason": why} for c, why in history.unreadable],
        "shallow": history.shallow,
        "warning": history.warning,
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def history_rich(history: History) -> RenderableType:
    from rich.markup import escape
    from rich.table import Table as RichTable

    table = RichTable(
        title=escape(f"History of {history.ident} in {history.rules_path or '.'}"),
        title_justify="left",
        caption=escape(f"Warning: {history.warning}") if history.warning else None,
        caption_justify="left",
        caption_style="bold",
    )
    for name in HISTORY_HEADER:
        table.add_column(name.capitalize(), overflow="fold", no_wrap=name in ("commit", "date"))
    for row in history_rows(history):
        table.add_row(*[escape(x) for x in row])
    for commit, why in history.unreadable:
        table.add_row(commit.short, commit.day, commit.author, commit.subject, escape(why))
    return table
