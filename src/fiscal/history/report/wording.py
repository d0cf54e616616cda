"""How a change, an amount and a ratio change are written, the same in the terminal and
in markdown; and the rows both show for a diff's attribution and a rule's history."""

from __future__ import annotations

from fiscal.history.changes import Change, show
from fiscal.history.diff import DiffReport
from fiscal.history.impact import Attribution, Impact, ImpactRow
from fiscal.history.log import History

DEFAULT_TOP = 15


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
    """Whole won with thousands separators: ``1,234,567``."""
    return f"{int(value):,}"


def signed_money(value: int | float) -> str:
    """A change in won, always signed: ``+1,234`` or ``-56``."""
    return f"{int(value):+,}"


def percent(value: int | float) -> str:
    """A ratio as a percentage with two decimals: ``0.433`` -> ``43.30%``."""
    return f"{100 * float(value):.2f}%"


def points(value: int | float) -> str:
    """A change of a ratio in percentage points; small ones with more digits, never -0.00."""
    pp = 100 * float(value)
    return f"{pp:+.2f} pp" if abs(pp) >= 0.005 or pp == 0 else f"{pp:+.4f} pp"


def cell(row: ImpactRow, which: str) -> str:
    """One value (``old``, ``new`` or ``change``) of an impact row, in won or in % and points."""
    value = getattr(row, which)
    if row.unit == "ratio":
        return points(value) if which == "change" else percent(value)
    return signed_money(value) if which == "change" else money(value)


def versions_line(report: DiffReport) -> str:
    """The two versions compared, old first: ``v2024 → working tree``."""
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
    "reference",
)


def history_rows(history: History) -> list[list[str]]:
    """One row per change: commit, date, author, message, what changed, old and new, file:line."""
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
                # The legal basis the changed value or amendment cites, for the auditor.
                c.reference or "",
            ]
        )
    return rows
