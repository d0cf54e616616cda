"""Terminal tables of projections, comparisons, sweeps, explanations and agreements.

Built with rich from the report layer's data, for ``fiscal`` commands and for the Python
API's notebook display alike (:mod:`fiscal.cli.render` prints them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.markup import escape

# The display units the CLI offers (--units), re-exported so commands render through
# this module alone.
from fiscal.report.fitted import UNIT_CHOICES as UNIT_CHOICES
from fiscal.report.warnings import undefined_figures

if TYPE_CHECKING:
    from rich.console import Group

    from fiscal.engine.agreements import AgreementSchedule
    from fiscal.engine.indicators import Headline
    from fiscal.engine.projection import Projection
    from fiscal.report.comparison import Compared
    from fiscal.report.fitted import Fitted
    from fiscal.report.sweep import SweepPoint
    from fiscal.report.views import View

YearMarks = dict[int, str]
"""Years to mark in a title, e.g. ``{2027: "the first year the scenario changes"}``."""


def year_label(year: int, marks: YearMarks | None) -> str:
    """``2027`` or ``2027, the first year the scenario changes``."""
    mark = (marks or {}).get(year)
    return f"{year}, {mark}" if mark else str(year)


_NOUN = {
    "region": "",
    "upper": " (upper-level governments alone)",
    "consolidated": " (upper-level with their basic governments)",
    "mega-region": " by mega-region",
    "class": " by region class",
}


def projection_summary(
    view: View,
    years: Sequence[int] | None = None,
    units: str = "auto",
    marks: YearMarks | None = None,
) -> Group:
    """Units x headline figures, one table per year in ``years`` (default: the first)."""
    from rich.console import Group

    from fiscal.report.fitted import Col, Fitted, Money

    head = view.headline
    shown = list(years) if years is not None else view.years[:1]

    def one(year: int) -> Fitted:
        """The table of one year."""
        y = view.years.index(year)
        table = Fitted(
            f"{view.scenario}{_NOUN[view.by]}, {year_label(year, marks)}: {{unit}}; ratios %",
            [
                Col(view.by.capitalize(), "key", "left"),
                *[Col(h) for h in ("Total", "Own", "General", "Specific", "Co-fund")],
                Col("Indep. %"),
                Col("Auton. %"),
            ],
            units=units,
        )

        def row(label: str, rows: slice, style: str | None = None, section: bool = False) -> None:
            """Add one line of summed figures for the regions in ``rows`` in the year ``y``."""
            indep, auton = _ratios(head, rows, y)
            table.add(
                label,
                *[
                    Money(int(getattr(head, name)[rows, y].sum()))
                    for name in (
                        "total_revenue",
                        "own_source",
                        "general_grants",
                        "specific_grants",
                        "obligations",
                    )
                ],
                _pct(indep),
                _pct(auton),
                style=style,
                section=section,
            )

        for u, unit in enumerate(view.units):
            row(unit.en, slice(u, u + 1))
        row("All regions", slice(None), style="bold", section=True)
        return table

    return Group(*[one(year) for year in shown])


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


def first_changed_year(base: Headline, scen: Headline, years: Sequence[int]) -> int | None:
    """The first year in which any headline figure of any unit differs from the baseline."""
    for y, year in enumerate(years):
        for name in base.MONEY:
            if (getattr(base, name)[:, y] != getattr(scen, name)[:, y]).any():
                return year
    return None


FIRST_CHANGE = "the first year the scenario changes"
NO_CHANGE = "no year differs from the baseline"


def comparison_years(
    compared: Compared, years: Sequence[int] | None, marks: YearMarks | None = None
) -> tuple[list[int], YearMarks | None]:
    """The years a comparison shows: ``years`` when given, else the first in which the
    scenario changes any figure (marked so), else the last (marked as unchanged)."""
    if years is not None:
        return list(years), marks
    base, scen = compared.baseline, compared.scenario
    first = first_changed_year(base.headline, scen.headline, base.years)
    shown = first if first is not None else base.years[-1]
    return [shown], {shown: FIRST_CHANGE if first is not None else NO_CHANGE}


def comparison(
    compared: Compared,
    years: Sequence[int] | None = None,
    units: str = "auto",
    marks: YearMarks | None = None,
) -> Group:
    """One scenario against the baseline, one table per year in ``years`` (default: the
    first year in which the scenario changes anything, else the last): changes by unit."""
    from rich.console import Group

    from fiscal.report.fitted import Col, Fitted, Money

    base, scen = compared.baseline, compared.scenario
    years, marks = comparison_years(compared, years, marks)

    def one(year: int) -> Fitted:
        """The table of one year."""
        y = base.years.index(year)
        table = Fitted(
            f"{scen.scenario} against {base.scenario}, {year_label(year, marks)}: "
            "change in {unit}; ratios % baseline → scenario",
            [
                Col(base.by.capitalize(), "key", "left"),
                *[Col(h) for h in ("Δ Total", "Δ Own", "Δ General", "Δ Specific", "Δ Co-fund")],
                Col("Indep. %"),
                Col("Auton. %"),
            ],
            units=units,
        )

        def row(label: str, rows: slice, style: str | None = None, section: bool = False) -> None:
            """Add one line of scenario-minus-baseline changes for the regions in ``rows``."""

            def delta(name: str) -> Money:
                """Scenario minus baseline of one headline figure in ``year``, over ``rows``."""
                return Money(
                    int(getattr(scen.headline, name)[rows, y].sum())
                    - int(getattr(base.headline, name)[rows, y].sum()),
                    signed=True,
                )

            b_indep, b_auton = _ratios(base.headline, rows, y)
            s_indep, s_auton = _ratios(scen.headline, rows, y)
            table.add(
                label,
                *[
                    delta(n)
                    for n in (
                        "total_revenue",
                        "own_source",
                        "general_grants",
                        "specific_grants",
                        "obligations",
                    )
                ],
                f"{_pct(b_indep)}→{_pct(s_indep)}",
                f"{_pct(b_auton)}→{_pct(s_auton)}",
                style=style,
                section=section,
            )

        for u, unit in enumerate(base.units):
            row(unit.en, slice(u, u + 1))
        row("All regions", slice(None), style="bold", section=True)
        return table

    return Group(*[one(year) for year in years])


def explanation(found: dict[str, Any], units: str = "won") -> list[Any]:
    """An explanation as rich renderables: a heading, then inputs, parameters and steps,
    then what the projection explained left unallocated and the affordability breaches.

    Money is printed in whole won by default (an explanation is read to check a figure to
    the won); ``units`` (million, eok, billion, trillion) rounds it, said in each title.
    Rates, weights, keys and counts are printed as they are whatever ``units`` says.
    """
    from fiscal.report.fitted import Col, Fitted, Money

    region, item = found["region"], found["item"]
    out: list[Any] = [
        f"[bold]{escape(item['en'])} ({escape(item['ko'])}), {escape(region['en'])} "
        f"({escape(region['ko'])}), {found['year']}: {_money(found['amount_krw'], units, True)}"
        f"[/] [dim]scenario {escape(found['scenario'])}[/]",
        f"Rule: {escape(found['rule']['id'])} ({found['rule']['kind']}) at "
        f"{escape(found['rule']['source'])}",
        f"Formula: {escape(found['formula'])}",
    ]
    note, source = Col("Note", "text", "left", droppable=True), Col("Source", "text", "left")

    def money(value: object, is_money: bool = True) -> Money | str:
        """A whole-won figure as Money (shown in the table's unit); anything else exact."""
        if is_money and isinstance(value, int) and not isinstance(value, bool):
            return Money(value)
        return _exact(value)

    if found["national_bases"]:
        table = Fitted("National bases: {unit}", [Col("Series", "key", "left"), Col("Value"),
                                                  note, source], units=units)  # fmt: skip
        for base in found["national_bases"]:
            table.add(base["series"], money(base["value"]), base.get("note", ""), base["source"])
        out.append(table)
    if found["inputs"]:
        table = Fitted(
            "Inputs: money in {unit}",
            [Col("Input", "key", "left"), Col("Value"), note, source],
            units=units,
        )
        for entry in found["inputs"]:
            # Won when the indicator says so, or when the input is another item's amount.
            won = entry.get("unit") == "krw" or (
                "unit" not in entry and str(entry.get("note", "")).startswith("computed by")
            )
            table.add(
                entry["name"], money(entry["value"], won), entry.get("note", ""), entry["source"]
            )
        out.append(table)
    if found["parameters"]:
        table = Fitted(
            "Parameters",
            [
                Col("Parameter", "key", "left"),
                Col("Value", "number", "left"),
                Col("In force from", "number", "left"),
                Col("Reference", "text", "left", droppable=True),
                source,
            ],
        )
        for p in found["parameters"]:
            value = p.get("exact", p["value"])  # the written decimal, never a float's
            shown = (
                ", ".join(f"{k} {_exact(v)}" for k, v in value.items())
                if isinstance(value, dict)
                else _exact(value)
            )
            table.add(p["path"], shown, str(p["effective"]), p["reference"], p["source"])
        out.append(table)
    if found["steps"]:
        # Every whole-number step is money (pool, need, gap, won added, cost, flows);
        # rates, weights, keys and quotas are fractions, printed as they are.
        table = Fitted(
            "Steps: money in {unit}", [Col("Step", "key", "left"), Col("Value"), note], units=units
        )
        for step in found["steps"]:
            table.add(step["step"], money(step["value"]), step["note"])
        out.append(table)
    return out + explanation_notes(found, units)


def explanation_notes(found: dict[str, Any], units: str = "won") -> list[str]:
    """Under an explanation: the pools the projection left unallocated and its
    affordability breaches, as ``fiscal project`` says them."""
    if "unallocated" not in found:
        return []
    return [
        *unallocated_text(found["unallocated"], found.get("pool_count"), units=units),
        *breach_lines(found.get("affordability_breaches", []), units),
    ]


def _exact(value: object) -> str:
    """A figure as exact as it came: whole numbers with separators, an exact decimal
    (explain's quotas, weights and rates: ``{"decimal": ..., "exact": ...}``) as written,
    marked ``≈`` when rounded from its fraction; text as it is."""
    from fiscal.report.explain import number_text

    if isinstance(value, bool):
        return str(value)
    if isinstance(value, dict) and "decimal" in value:
        return number_text(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.6f}" if value != int(value) else f"{int(value):,}"
    return str(value)


def sweep_table(
    param: str,
    regions: list[tuple[str, str]],
    points: list[SweepPoint],
    years: Sequence[int] | None = None,
    units: str = "auto",
    marks: YearMarks | None = None,
) -> Group:
    """Per value: national revenue, 재정자립도, the tax ratio, money left unallocated and
    region-years over the affordability limit; one table per year (default: the last)."""
    from rich.console import Group

    from fiscal.report.fitted import Col, Fitted, Money
    from fiscal.report.tables import tax_ratio_text

    all_years = list(points[0].years) if points else []
    shown = list(years) if years is not None else all_years[-1:]
    tables = []
    for year in shown:
        y = all_years.index(year)
        table = Fitted(
            f"Sweep of {param}, {year_label(year, marks)}: {{unit}}",
            [
                Col("Value", "key"),
                Col("Total"),
                Col("Own-source"),
                Col("General"),
                Col("Indep. %"),
                Col("Nat.:local"),
                Col("Unallocated"),
                Col("Over limit"),
            ],
            units=units,
            caption="National totals. General: general grants; Nat.:local: the tax ratio; "
            "Unallocated: pool money no region received; Over limit: regions whose "
            "obligations pass the affordability limit.",
        )
        for point in points:
            total = int(point.national_total_revenue[y])
            own = int(point.national_own_source[y])
            table.add(
                f"{point.value}",
                Money(total),
                Money(own),
                Money(int(point.national_general_grants[y])),
                _pct(own / total if total else 0.0),
                tax_ratio_text(float(point.local_tax_shares[y])),
                Money(int(point.unallocated[y])),
                f"{int(point.flagged[y]):,}",
            )
        tables.append(table)
    return Group(*tables)


def national_line(projection: Projection, years: Sequence[int] | None = None) -> str | None:
    """The national:local tax ratio first year to last, and the disparity in ``years``
    (default: the first year)."""
    from fiscal.report.tables import tax_ratio_text

    m = projection.measures
    if m is None:
        return None
    first, last = projection.years[0], projection.years[-1]
    shown = list(years) if years is not None else [first]
    disparity = "; ".join(
        f"{year}: {m.cv_before_transfers[y]:.3f} before transfers, "
        f"{m.cv_after_transfers[y]:.3f} after"
        for year in shown
        for y in [projection.years.index(year)]
    )
    return (
        f"National:local tax ratio {first} {tax_ratio_text(float(m.local_tax_share[0]))} → "
        f"{last} {tax_ratio_text(float(m.local_tax_share[-1]))}. Disparity (CV of per-capita "
        f"general revenue) {disparity}."
    )


def unallocated_records(projection: Projection) -> list[dict[str, Any]]:
    """Each pool-year whose pool was not fully allocated, as plain data (JSON-ready):
    ``pool`` (the rule), ``item``, ``year`` and ``unallocated_krw``."""
    return [
        {"pool": pool.rule, "item": pool.item, "year": year, "unallocated_krw": int(won)}
        for pool in projection.pools
        for year, won in zip(projection.years, pool.unallocated, strict=True)
        if won
    ]


def unallocated_lines(projection: Projection, who: str = "", units: str = "won") -> list[str]:
    """Each pool not fully allocated, with its money by year; or that every pool was."""
    return unallocated_text(unallocated_records(projection), len(projection.pools), who, units)


def unallocated_text(
    records: Sequence[dict[str, Any]], pools: int | None, who: str = "", units: str = "won"
) -> list[str]:
    """The lines of :func:`unallocated_records` (one per pool), money in ``units``; or that
    all ``pools`` were distributed to the won."""
    prefix = f"{escape(who)}: " if who else ""
    by_pool: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_pool.setdefault(record["pool"], []).append(record)
    lines = []
    for rule, left in by_pool.items():
        by_year = ", ".join(f"{r['year']} {_money(r['unallocated_krw'], units)}" for r in left)
        total = sum(r["unallocated_krw"] for r in left)
        lines.append(
            f"[yellow]{prefix}Pool {escape(rule)}: {_money(total, units, True)} not "
            f"allocated (every fiscal gap is filled): {by_year}.[/]"
        )
    every = f"All {pools} pools" if pools is not None else "Every pool"
    return lines or [f"{prefix}{every} distributed to the won."]


def _money(won: int, units: str, named: bool = False) -> str:
    """``won`` in ``units`` (``won`` or auto: exact), with the unit's name when ``named``
    ("about" when the figure is not whole won, so a rounded figure never reads as exact)."""
    from fiscal.report.fitted import UNITS

    unit = UNITS.get(units, UNITS["won"])
    if not named:
        return unit.show(won)
    return ("" if unit.divisor == 1 else "about ") + f"{unit.show(won)} {unit.label}"


def projection_notes(projection: Projection, years: Sequence[int] | None = None) -> list[str]:
    """After the summary table: pools not fully allocated, figures with no meaning in some
    year (named, never a silent 0), then the national line."""
    lines = [*unallocated_lines(projection), *undefined_figures(projection)]
    national = national_line(projection, years)
    return [*lines, national] if national else lines


def projection_report(projection: Projection, view: View) -> Group:
    """The summary table and every note ``fiscal project`` prints under it (pools left
    unallocated, the national line, affordability breaches): the Python API's display."""
    from rich.console import Group
    from rich.text import Text

    notes = [*projection_notes(projection), *affordability_lines(projection)]
    return Group(projection_summary(view), *[Text.from_markup(line) for line in notes])


def comparison_notes(compared: Compared, years: Sequence[int] | None = None) -> list[str]:
    """After a comparison table: what each side left unallocated, the affordability
    breaches the scenario creates or removes, and the scenario's national line."""
    base, scen = compared.baseline_projection, compared.scenario_projection
    lines = unallocated_lines(scen, compared.scenario.scenario)
    if any(p.unallocated.any() for p in base.pools):
        lines += unallocated_lines(base, compared.baseline.scenario)
    before, after = dict(_flagged(base)), dict(_flagged(scen))
    new = [line for key, line in after.items() if key not in before]
    gone = len(before.keys() - after.keys())
    who = escape(compared.scenario.scenario)
    lines.append(
        f"{'[yellow]' if after else ''}Affordability under {who}: {len(after)} region-years "
        f"over the limit (baseline {len(before)}): {len(new)} newly over it, {gone} no longer."
        f"{'[/]' if after else ''}"
    )
    lines += [f"[yellow]Affordability: {escape(line)}[/]" for line in new[:MAX_FLAGS_SHOWN]]
    if len(new) > MAX_FLAGS_SHOWN:
        lines.append(
            f"[yellow]Affordability: {len(new) - MAX_FLAGS_SHOWN} more new region-years.[/]"
        )
    national = national_line(scen, comparison_years(compared, years)[0])
    return [*lines, escape(national)] if national else lines


def affordability_lines(projection: Projection) -> list[str]:
    """The affordability flags as warnings (printed even with --quiet)."""
    return breach_lines(breach_records(projection))


MAX_FLAGS_SHOWN = 12


def share_against_limit(share: float, limit: float) -> tuple[str, str]:
    """A share and its limit in percent, with two decimals, or as many more as it takes for
    a share that is not the limit never to read as the limit (0.2004% against 0.20%)."""
    for decimals in range(2, 9):
        shown, bound = f"{100 * share:.{decimals}f}%", f"{100 * limit:.{decimals}f}%"
        if shown != bound or share == limit:
            return shown, f"{100 * limit:.2f}%"
    return f"{100 * share}%", f"{100 * limit}%"


def affordability_flags(projection: Projection) -> list[str]:
    """One line per region-year whose obligations pass the affordability limit."""
    return [line for _, line in _flagged(projection)]


def breach_records(projection: Projection) -> list[dict[str, Any]]:
    """Each region-year whose obligations pass the affordability limit, as plain data
    (JSON-ready): region id and English name, year, the items counted, the obligations in
    won, their share of own-source revenue and the limit."""
    check = projection.affordability
    if check is None:
        return []
    return [
        {
            "region": region.id,
            "region_en": region.name.en,
            "year": year,
            "items": list(check.items),
            "obligations_krw": int(check.obligations[r, y]),
            "share_of_own_source": float(check.share_of_own_source[r, y]),
            "limit": float(check.limit[y]),
        }
        for r, region in enumerate(projection.regions)
        for y, year in enumerate(projection.years)
        if check.flagged[r, y]
    ]


def breach_line(record: dict[str, Any], units: str = "won") -> str:
    """One line of a :func:`breach_records` record (plain text; escape before markup)."""
    share, limit = share_against_limit(record["share_of_own_source"], record["limit"])
    return (
        f"{record['region_en']} {record['year']}: {', '.join(record['items'])} "
        f"{_money(record['obligations_krw'], units, True)} = {share} of own-source revenue "
        f"(limit {limit})"
    )


def breach_lines(records: Sequence[dict[str, Any]], units: str = "won") -> list[str]:
    """Breaches as warnings (printed even with --quiet), at most :data:`MAX_FLAGS_SHOWN`."""
    shown = [
        f"[yellow]Affordability: {escape(breach_line(r, units))}[/]"
        for r in records[:MAX_FLAGS_SHOWN]
    ]
    if len(records) > MAX_FLAGS_SHOWN:
        shown.append(
            f"[yellow]Affordability: {len(records) - MAX_FLAGS_SHOWN} more region-years "
            "flagged; see the Affordability sheet.[/]"
        )
    return shown


def _flagged(projection: Projection) -> list[tuple[tuple[str, int], str]]:
    """Each flagged region-year, keyed by region id and year, with its line."""
    return [((r["region"], r["year"]), breach_line(r)) for r in breach_records(projection)]


def paid_in(schedule: AgreementSchedule, years: Sequence[int]) -> dict[int, dict[str, int]]:
    """Per year in ``years``: the central money (국비: what ministries pay) and the
    co-funding (지방비: what the regions pay, the projection's co-funding item) of one
    agreement's cost shares, in whole won."""
    from fiscal.engine.agreements import _bucket  # the engine's one mapping of payers

    out = {year: {"central_krw": 0, "co_funding_krw": 0} for year in years}
    for _, _, _, party_kind, flow, year, amount, _ in schedule.flow_rows():
        if flow != "cost_share" or year not in out:
            continue
        bucket = _bucket(party_kind)
        if bucket == "central":
            out[year]["central_krw"] += amount
        elif bucket == "local":
            out[year]["co_funding_krw"] += amount
    return out


def agreements_table(
    schedules: list[AgreementSchedule],
    units: str = "auto",
    years: Sequence[int] | None = None,
) -> Fitted:
    """Investment agreements (지역발전투자협약): total, 국비 and present values; with
    ``years``, each year's central money and co-funding beside them."""
    from fiscal.report.fitted import Col, Fitted, Money

    shown = list(years or [])
    asked = f"; central money and co-funding in {_span(shown)}" if shown else ""
    table = Fitted(
        "Investment agreements: {unit}" + asked,
        [
            Col("Agreement", "key", "left"),
            Col("Status", "key", "left"),
            Col("Parties", "text", "left", droppable=True),
            Col("Years", "key", "left"),
            Col("Total"),
            Col("Central"),
            Col("Central %"),
            *[c for year in shown for c in (Col(f"Central {year}"), Col(f"Co-fund {year}"))],
            # With years asked for, the present values give way first.
            Col("PV total", droppable=bool(shown)),
            Col("PV central", droppable=bool(shown)),
        ],
        units=units,
        caption="Co-fund: what the regions pay (지방비)." if shown else None,
    )
    for schedule in schedules:
        a = schedule.agreement
        years_paid = [y for p in schedule.projects for y in p.years]
        total, central = schedule.total(), schedule.total("central")
        paid = paid_in(schedule, shown)
        table.add(
            a.id,
            a.status,
            ", ".join(p.id for p in a.parties),
            f"{min(years_paid)}-{max(years_paid)}" if years_paid else "-",
            Money(total),
            Money(central),
            _part(central, total),
            *[
                Money(paid[year][kind])
                for year in shown
                for kind in ("central_krw", "co_funding_krw")
            ],
            Money(int(schedule.present_value["total"])),
            Money(int(schedule.present_value["central"])),
        )
    return table


def _span(years: Sequence[int]) -> str:
    """``2026``, ``2026-2028`` for a run of years, else the years listed."""
    if len(years) == 1:
        return str(years[0])
    if list(years) == list(range(years[0], years[-1] + 1)):
        return f"{years[0]}-{years[-1]}"
    return ", ".join(map(str, years))


def agreement_detail(
    schedule: AgreementSchedule, years: Sequence[int] | None = None, units: str = "auto"
) -> Fitted:
    """Who pays what each year in ``years`` (default all), and where the central money goes."""
    from fiscal.report.fitted import Col, Fitted, Money

    a = schedule.agreement
    every = sorted({f.year for f in schedule.flows})
    shown = [y for y in every if years is None or y in years]
    table = Fitted(
        f"{a.id}: {a.title} ({a.status}); {{unit}}; PV at "
        f"{float(schedule.discount_rate):.1%} to {schedule.base_year}",
        [
            Col("Project", "key", "left"),
            Col("Party", "key", "left"),
            Col("Flow", "text", "left"),
            *[Col(str(year)) for year in shown],
            Col("Total" if len(shown) == len(every) else f"Total {every[0]}-{every[-1]}"),
        ],
        units=units,
    )
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
            table.add(
                project.project,
                f"{party} ({kind})",
                label,
                *[Money(by_year.get(y, 0)) for y in shown],
                Money(sum(by_year.values())),
            )
        table.add(
            project.project,
            "project",
            "year total",
            *[Money(project.amounts.get(y, 0)) for y in shown],
            Money(sum(project.amounts.values())),
            style="bold",
        )
        if project.unpaid:
            table.add(
                project.project,
                "",
                "unpaid after termination",
                *["" for _ in shown],
                Money(project.unpaid),
            )
    return table
