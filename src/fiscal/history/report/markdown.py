"""A rule diff and a rule history in markdown, to be pasted into a pull-request review."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from fiscal.history.changes import show
from fiscal.history.diff import DiffReport
from fiscal.history.log import History
from fiscal.history.report.wording import (
    DEFAULT_TOP,
    HISTORY_HEADER,
    attribution_rows,
    cell,
    history_rows,
    national_by_year,
    versions_line,
    what,
    where_pair,
)


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
    """A rule diff in markdown, for a pull request or a memo: changes, then the budget impact.

    National totals by year, the ``top`` largest regional changes and ratio changes, and
    each change applied alone.
    """
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


def history_markdown(history: History) -> str:
    """A rule object's history as a markdown table, one row per change, oldest commit first."""
    out = [f"## History of `{history.ident}` in {_md(history.rules_path or '.')}", ""]
    if history.warning:
        out += [f"**Warning:** {_md(history.warning)}", ""]
    out.append(_md_table(HISTORY_HEADER, history_rows(history)))
    for commit, why in history.unreadable:
        out.append(f"\n{commit.short} ({commit.day}): {_md(why)}")
    return "\n".join(out) + "\n"
