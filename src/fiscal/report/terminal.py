"""Terminal tables of projections, comparisons, sweeps, explanations and agreements.

Built with rich from the report layer's data, for ``fiscal`` commands and for the Python
API's notebook display alike (:mod:`fiscal.cli.render` prints them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.markup import escape
from rich.table import Table

from fiscal.report.warnings import undefined_figures

if TYPE_CHECKING:
    from fiscal.engine.agreements import AgreementSchedule
    from fiscal.engine.indicators import Headline
    from fiscal.engine.money import Int64Array
    from fiscal.engine.projection import Projection
    from fiscal.report.comparison import Compared
    from fiscal.report.sweep import SweepPoint
    from fiscal.report.views import View

BILLION = 10**9


def _bn(amount: int) -> str:
    return f"{amount / BILLION:,.0f}"


def projection_summary(view: View) -> Table:
    """Units x headline figures: the first year's money, both ratios over the horizon."""
    head = view.headline
    first, last = view.years[0], view.years[-1]
    noun = {
        "region": "",
        "upper": " (upper-level governments alone)",
        "consolidated": " (upper-level with their basic governments)",
        "mega-region": " by mega-region",
        "class": " by region class",
    }[view.by]
    table = Table(
        title=f"{view.scenario}{noun}: {first} in billion won; ratios {first} → {last}",
        title_justify="left",
    )
    table.add_column(view.by.capitalize(), no_wrap=True)
    for label in ("Total", "Own", "General", "Specific", "Co-fund"):
        table.add_column(label, justify="right", no_wrap=True)
    table.add_column("Indep. %", justify="right", no_wrap=True)
    table.add_column("Auton. %", justify="right", no_wrap=True)

    def row(label: str, rows: slice, style: str | None = None) -> None:
        """Add one line of summed figures for the regions in ``rows``."""

        def money(values: Int64Array, year: int = 0) -> int:
            """The won of ``rows`` summed in one year (the first by default)."""
            return int(values[rows, year].sum())

        indep0, auton0 = _ratios(head, rows, 0)
        indep1, auton1 = _ratios(head, rows, -1)
        table.add_row(
            label,
            _bn(money(head.total_revenue)),
            _bn(money(head.own_source)),
            _bn(money(head.general_grants)),
            _bn(money(head.specific_grants)),
            _bn(money(head.obligations)),
            f"{_pct(indep0)} → {_pct(indep1)}",
            f"{_pct(auton0)} → {_pct(auton1)}",
            style=style,
        )

    for u, unit in enumerate(view.units):
        row(unit.en, slice(u, u + 1))
    table.add_section()
    row("All regions", slice(None), style="bold")
    return table


def _ratios(head: Headline, rows: slice, year: int) -> tuple[float, float]:
    """The independence and autonomy ratios of the units in ``rows`` in ``year``, as the
    engine computes them: one unit's are the engine's own; for several, the engine's
    :func:`~fiscal.engine.indicators.ratio` of their summed money (so a total is a ratio of
    sums, and 0 where total revenue is 0, the engine's convention everywhere)."""
    from fiscal.engine.indicators import ratio

    units = range(len(head.total_revenue))[rows]
    if len(units) == 1:
        return float(head.independence[units[0], year]), float(head.autonomy[units[0], year])
    own, general, total = (
        head.own_source[rows, year].sum(keepdims=True),
        head.general_grants[rows, year].sum(keepdims=True),
        head.total_revenue[rows, year].sum(keepdims=True),
    )
    return float(ratio(own, total)[0]), float(ratio(own + general, total)[0])


def _pct(share: float) -> str:
    return f"{100 * share:.1f}"


def _part(part: int, whole: int) -> str:
    """A part of an agreement's money in percent; a dash for an agreement of no money."""
    return f"{100 * part / whole:.1f}" if whole else "–"


def comparison(compared: Compared) -> Table:
    """One scenario against the baseline, last year: changes by unit, in billion won."""
    base, scen = compared.baseline, compared.scenario
    last = base.years[-1]
    table = Table(
        title=f"{scen.scenario} against {base.scenario}, {last}: change in billion won; ratios %",
        title_justify="left",
    )
    table.add_column(base.by.capitalize(), no_wrap=True)
    for label in ("Δ Total", "Δ Own", "Δ General", "Δ Specific", "Δ Co-fund"):
        table.add_column(label, justify="right", no_wrap=True)
    table.add_column("Indep. %", justify="right", no_wrap=True)
    table.add_column("Auton. %", justify="right", no_wrap=True)

    def row(label: str, rows: slice, style: str | None = None) -> None:
        """Add one line of scenario-minus-baseline changes for the regions in ``rows``."""

        def delta(name: str) -> int:
            """Scenario minus baseline of one headline figure, last year, summed over ``rows``."""
            return int(getattr(scen.headline, name)[rows, -1].sum()) - int(
                getattr(base.headline, name)[rows, -1].sum()
            )

        b_indep, b_auton = _ratios(base.headline, rows, -1)
        s_indep, s_auton = _ratios(scen.headline, rows, -1)
        table.add_row(
            label,
            *[
                f"{delta(n) / BILLION:+,.0f}"
                for n in (
                    "total_revenue",
                    "own_source",
                    "general_grants",
                    "specific_grants",
                    "obligations",
                )
            ],
            f"{_pct(b_indep)} → {_pct(s_indep)}",
            f"{_pct(b_auton)} → {_pct(s_auton)}",
            style=style,
        )

    for u, unit in enumerate(base.units):
        row(unit.en, slice(u, u + 1))
    table.add_section()
    row("All regions", slice(None), style="bold")
    return table


def explanation(found: dict[str, Any]) -> list[Any]:
    """An explanation as rich renderables: a heading, then inputs, parameters and steps."""
    from fiscal.report.explain import number_text

    region, item = found["region"], found["item"]
    out: list[Any] = [
        f"[bold]{escape(item['en'])} ({escape(item['ko'])}), {escape(region['en'])} "
        f"({escape(region['ko'])}), {found['year']}: {found['amount_krw']:,} won[/] "
        f"[dim]scenario {escape(found['scenario'])}[/]",
        f"Rule: {escape(found['rule']['id'])} ({found['rule']['kind']}) at "
        f"{escape(found['rule']['source'])}",
        f"Formula: {escape(found['formula'])}",
    ]
    if found["national_bases"]:
        table = Table(title="National bases", title_justify="left")
        widest = max(len(f"{b['value']:,}") for b in found["national_bases"])
        for name in ("Series", "Value (won)", "Note", "Source"):
            if name.startswith("Value"):
                table.add_column(name, justify="right", no_wrap=True, min_width=widest)
            else:
                table.add_column(name, overflow="fold")
        for base in found["national_bases"]:
            table.add_row(
                base["series"], f"{base['value']:,}", base.get("note", ""), base["source"]
            )
        out.append(table)
    if found["inputs"]:
        table = Table(title="Inputs", title_justify="left")
        widest = max(len(f"{e['value']:,}") for e in found["inputs"])
        for name in ("Input", "Value", "Note", "Source"):
            if name == "Value":
                table.add_column(name, justify="right", no_wrap=True, min_width=widest)
            else:
                table.add_column(name, overflow="fold")
        for entry in found["inputs"]:
            table.add_row(
                entry["name"], f"{entry['value']:,}", entry.get("note", ""), entry["source"]
            )
        out.append(table)
    if found["parameters"]:
        table = Table(title="Parameters", title_justify="left")
        for name in ("Parameter", "Value", "In force from", "Reference", "Source"):
            table.add_column(name, overflow="fold")
        for p in found["parameters"]:
            value = p.get("exact", p["value"])  # the written decimal, never a float's
            shown = (
                ", ".join(f"{k} {v}" for k, v in value.items())
                if isinstance(value, dict)
                else f"{value}"
            )
            table.add_row(p["path"], shown, p["effective"], p["reference"], p["source"])
        out.append(table)
    if found["steps"]:
        table = Table(title="Steps", title_justify="left")
        values = [number_text(step["value"]) for step in found["steps"]]
        # A figure is never cut: its column is as wide as the widest; the words wrap.
        table.add_column("Step", overflow="fold")
        table.add_column(
            "Value", justify="right", no_wrap=True, min_width=max(len(v) for v in values)
        )
        table.add_column("Note", overflow="fold")
        for step, value in zip(found["steps"], values, strict=True):
            table.add_row(escape(step["step"]), value, escape(step["note"]))
        out.append(table)
    return out


def sweep_table(param: str, regions: list[tuple[str, str]], points: list[SweepPoint]) -> Table:
    """Per value: national total revenue, own-source share and the tax ratio (last year)."""
    from fiscal.report.sweep import national_independence
    from fiscal.report.tables import tax_ratio_text

    year = points[0].year if points else 0
    table = Table(title=f"Sweep of {param}, {year}", title_justify="left")
    for name in (
        "Value",
        "Total revenue (bn)",
        "Own-source (bn)",
        "General grants (bn)",
        "Independence %",
        "National:local",
    ):
        table.add_column(name, justify="right", no_wrap=True)
    for point in points:
        table.add_row(
            f"{point.value}",
            _bn(int(point.total_revenue.sum())),
            _bn(int(point.own_source.sum())),
            _bn(int(point.general_grants.sum())),
            f"{100 * national_independence(point):.1f}",
            tax_ratio_text(point.local_tax_share),
        )
    return table


def national_line(projection: Projection) -> str | None:
    """The national:local tax ratio and disparity, first year to last."""
    from fiscal.report.tables import tax_ratio_text

    m = projection.measures
    if m is None:
        return None
    first, last = projection.years[0], projection.years[-1]
    return (
        f"National:local tax ratio {first} {tax_ratio_text(float(m.local_tax_share[0]))} → "
        f"{last} {tax_ratio_text(float(m.local_tax_share[-1]))}. Disparity (CV of per-capita "
        f"general revenue) {first}: {m.cv_before_transfers[0]:.3f} before transfers, "
        f"{m.cv_after_transfers[0]:.3f} after."
    )


def projection_notes(projection: Projection) -> list[str]:
    """After the summary table: pools not fully allocated, then the national line."""
    short = [p for p in projection.pools if p.unallocated.any()]
    lines = [
        f"[yellow]Pool {escape(pool.rule)}: {int(pool.unallocated.sum()):,} won not allocated "
        "(every fiscal gap is filled).[/]"
        for pool in short
    ] or [f"All {len(projection.pools)} pools distributed to the won."]
    lines += undefined_figures(projection)
    national = national_line(projection)
    return [*lines, national] if national else lines


def affordability_lines(projection: Projection) -> list[str]:
    """The affordability flags as warnings (printed even with --quiet)."""
    flags = affordability_flags(projection)
    shown = [f"[yellow]Affordability: {escape(line)}[/]" for line in flags[:MAX_FLAGS_SHOWN]]
    if len(flags) > MAX_FLAGS_SHOWN:
        shown.append(
            f"[yellow]Affordability: {len(flags) - MAX_FLAGS_SHOWN} more region-years flagged; "
            "see the Affordability sheet.[/]"
        )
    return shown


MAX_FLAGS_SHOWN = 12


def affordability_flags(projection: Projection) -> list[str]:
    """One line per region-year whose obligations pass the affordability limit."""
    check = projection.affordability
    if check is None:
        return []
    lines = []
    for r, region in enumerate(projection.regions):
        for y, year in enumerate(projection.years):
            if check.flagged[r, y]:
                lines.append(
                    f"{region.name.en} {year}: {', '.join(check.items)} "
                    f"{int(check.obligations[r, y]):,} won = "
                    f"{check.share_of_own_source[r, y]:.2%} of own-source revenue "
                    f"(limit {float(check.limit[y]):.2%})"
                )
    return lines


def agreements_table(schedules: list[AgreementSchedule]) -> Table:
    """Investment agreements (지역발전투자협약) in billion won: total, 국비 and present values."""
    table = Table(title="Investment agreements (billion won)", title_justify="left")
    for name, justify in [
        ("Agreement", "left"),
        ("Status", "left"),
        ("Parties", "left"),
        ("Years", "left"),
        ("Total", "right"),
        ("Central", "right"),
        ("PV total", "right"),
        ("PV central", "right"),
    ]:
        table.add_column(name, justify=justify, no_wrap=name != "Parties")  # type: ignore[arg-type]
    for schedule in schedules:
        a = schedule.agreement
        years = [y for p in schedule.projects for y in p.years]
        total, central = schedule.total(), schedule.total("central")
        parties = ", ".join(p.id for p in a.parties)
        table.add_row(
            a.id,
            a.status,
            parties,
            f"{min(years)}-{max(years)}" if years else "-",
            f"{total / BILLION:,.1f}",
            f"{central / BILLION:,.1f} ({_part(central, total)}%)",
            f"{schedule.present_value['total'] / BILLION:,.1f}",
            f"{schedule.present_value['central'] / BILLION:,.1f}",
        )
    return table


def agreement_detail(schedule: AgreementSchedule) -> Table:
    """Who pays what each year (million won), and where the central money goes."""
    a = schedule.agreement
    years = sorted({f.year for f in schedule.flows})
    table = Table(
        title=f"{a.id}: {a.title} ({a.status}); million won; PV at "
        f"{float(schedule.discount_rate):.1%} to {schedule.base_year}",
        title_justify="left",
    )
    table.add_column("Project")
    table.add_column("Party")
    table.add_column("Flow")
    for year in years:
        table.add_column(str(year), justify="right")
    table.add_column("Total", justify="right")
    for project in schedule.projects:
        keys: list[tuple[str, str, str]] = []
        for flow in project.flows:
            key = (flow.party, flow.party_kind, flow.flow)
            if key not in keys:
                keys.append(key)
        for party, kind, flow_kind in keys:
            by_year = {
                f.year: f.amount
                for f in project.flows
                if (f.party, f.party_kind, f.flow) == (party, kind, flow_kind)
            }
            label = "pays" if flow_kind == "cost_share" else "receives central"
            table.add_row(
                project.project,
                f"{party} ({kind})",
                label,
                *[f"{by_year.get(y, 0) / 10**6:,.0f}" for y in years],
                f"{sum(by_year.values()) / 10**6:,.0f}",
            )
        table.add_row(
            project.project,
            "project",
            "year total",
            *[f"{project.amounts.get(y, 0) / 10**6:,.0f}" for y in years],
            f"{sum(project.amounts.values()) / 10**6:,.0f}",
            style="bold",
        )
        if project.unpaid:
            table.add_row(
                project.project, "", f"unpaid after termination: {project.unpaid / 10**6:,.0f}"
            )
    return table
