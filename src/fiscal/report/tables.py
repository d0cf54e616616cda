"""A projection laid out as tables: the rows every output (workbook, terminal, API) shows.

Pure: a :class:`~fiscal.engine.projection.Projection` in, rows of plain values out.
Money stays an ``int`` of won; ratios are floats; nothing is formatted here.
"""

from __future__ import annotations

from decimal import Decimal

from fiscal.engine.agreements import AgreementSchedule, flow_listing
from fiscal.engine.projection import Projection
from fiscal.report.table import Cell, Column, Table
from fiscal.report.views import View
from fiscal.rules.ruleset import Ruleset

HEADLINE_LABELS = {
    "total_revenue": "Total revenue",
    "own_source": "Own-source revenue",
    "general_grants": "General grants",
    "specific_grants": "Specific grants",
    "other_revenue": "Other revenue",
    "obligations": "Co-funding obligations",
    "net_after_commitments": "Net after commitments",
    "independence": "Fiscal independence ratio",
    "autonomy": "Fiscal autonomy ratio",
}
TOTAL_ID = "TOTAL"
# The headline money columns of every summary table, in reading order.
SUMMARY_MONEY = (
    "total_revenue",
    "own_source",
    "general_grants",
    "specific_grants",
    "other_revenue",
    "obligations",
    "net_after_commitments",
)


def summary(projection: Projection, ruleset: Ruleset) -> Table:
    """One row per year and region, then the national total of that year."""
    head = projection.headline
    money = SUMMARY_MONEY
    columns = [
        Column("year", "year", 7),
        Column("region", "text", 11),
        Column("region_ko", "text", 15),
        Column("region_en", "text", 12),
        Column("mega_region", "text", 13),
        *[Column(f"{name}_krw", "won", 22) for name in money],
        Column("independence_ratio", "ratio", 12),
        Column("autonomy_ratio", "ratio", 12),
    ]
    mega = {m.id: m for m in ruleset.mega_regions}
    rows: list[tuple[Cell, ...]] = []
    for y, year in enumerate(projection.years):
        for r, region in enumerate(projection.regions):
            rows.append(
                (
                    year,
                    region.id,
                    region.name.ko,
                    region.name.en,
                    mega[ruleset.mega_region_of(region)].name.en,
                    *[int(getattr(head, m)[r, y]) for m in money],
                    float(head.independence[r, y]),
                    float(head.autonomy[r, y]),
                )
            )
        totals = [int(getattr(head, m)[:, y].sum()) for m in money]
        revenue, own, general = totals[0], totals[1], totals[2]
        rows.append(
            (
                year,
                TOTAL_ID,
                "전국",
                "All regions",
                "",
                *totals,
                own / revenue if revenue else 0.0,
                (own + general) / revenue if revenue else 0.0,
            )
        )
    return Table("Summary", columns, rows)


def regions(projection: Projection, ruleset: Ruleset) -> Table:
    """Every budget item of every region and year, wide: one column per item."""
    columns = [
        Column("region", "text", 11),
        Column("region_ko", "text", 15),
        Column("region_en", "text", 12),
        Column("year", "year", 7),
        *[Column(item.id, "won", 20) for item in ruleset.items],
        Column("total_revenue", "won", 22),
        Column("independence_ratio", "ratio", 12),
        Column("autonomy_ratio", "ratio", 12),
    ]
    head = projection.headline
    rows: list[tuple[Cell, ...]] = []
    for r, region in enumerate(projection.regions):
        for y, year in enumerate(projection.years):
            rows.append(
                (
                    region.id,
                    region.name.ko,
                    region.name.en,
                    year,
                    *[int(projection.amounts[item.id][r, y]) for item in ruleset.items],
                    int(head.total_revenue[r, y]),
                    float(head.independence[r, y]),
                    float(head.autonomy[r, y]),
                )
            )
    return Table("Regions", columns, rows)


def ledger(projection: Projection) -> Table:
    """Long format: one row per region x year x item, with the rule and its file:line."""
    columns = [
        Column("scenario", "text", 12),
        Column("region", "text", 11),
        Column("year", "year", 7),
        Column("item", "text", 30),
        Column("amount_krw", "won", 22),
        Column("rule", "text", 28),
        Column("source", "text", 52),
    ]
    rows: list[tuple[Cell, ...]] = []
    # Agreement money: one row per agreement project, sourced at the terms in force.
    listed = {
        item: found
        for item in projection.amounts
        if (found := projection.agreement_flows.listing(item)) is not None
    }
    for r, region in enumerate(projection.regions):
        for y, year in enumerate(projection.years):
            for item, values in projection.amounts.items():
                trace = projection.traces[item]
                flows = listed.get(item)
                run = flows.runs.get((r, y)) if flows is not None else None
                if flows is not None and run is not None:
                    for i in range(*run):
                        rows.append(
                            (
                                projection.scenario,
                                region.id,
                                year,
                                item,
                                flows.amount[i],
                                f"agreement:{flows.agreement[i]}/{flows.project[i]}",
                                str(flows.source[i]),
                            )
                        )
                    continue
                rows.append(
                    (
                        projection.scenario,
                        region.id,
                        year,
                        item,
                        int(values[r, y]),
                        trace.rule,
                        str(trace.source_for(r)),
                    )
                )
    return Table("Ledger", columns, rows)


def parameters(projection: Projection) -> Table:
    """Every parameter value the projection used, part by part, with its source."""
    columns = [
        Column("parameter", "text", 38),
        Column("part", "text", 13),
        Column("effective", "text", 11),
        Column("value", "share", 10),
        Column("unit", "text", 9),
        Column("status", "text", 12),
        Column("reference", "text", 50),
        Column("source", "text", 52),
        Column("years_used", "text", 12),
        Column("rules", "text", 30),
    ]
    rows: list[tuple[Cell, ...]] = []
    for use in projection.parameter_uses:
        value = use.value.value
        parts: list[tuple[str, Decimal]] = (
            list(value.items()) if isinstance(value, dict) else [("", value)]
        )
        if "." in use.ref and use.ref != use.parameter.path:
            wanted = use.ref.rsplit(".", 1)[1]
            parts = [(k, v) for k, v in parts if k == wanted]
        years = sorted(set(use.years))
        span = str(years[0]) if len(years) == 1 else f"{years[0]}-{years[-1]}"
        for part, number in parts:
            rows.append(
                (
                    use.parameter.path,
                    part,
                    use.value.effective.isoformat(),
                    float(number),
                    use.parameter.unit.value,
                    use.value.status.value,
                    use.value.reference or use.parameter.reference,
                    str(use.value.source),
                    span,
                    _listed(list(use.rules)),
                )
            )
    return Table("Parameters", columns, rows)


def pools(projection: Projection) -> Table:
    """Each national pool by year: base x share, and what reached the regions."""
    columns = [
        Column("rule", "text", 28),
        Column("item", "text", 28),
        Column("year", "year", 7),
        Column("base_series", "text", 34),
        Column("base_krw", "won", 22),
        Column("share", "share", 12),
        Column("pool_krw", "won", 22),
        Column("distributed_krw", "won", 22),
        Column("unallocated_krw", "won", 18),
        Column("adjustment_rate", "share", 14),
    ]
    rows: list[tuple[Cell, ...]] = []
    for pool in projection.pools:
        for y, year in enumerate(projection.years):
            rate = "" if pool.adjustment_rate is None else float(pool.adjustment_rate[y])
            rows.append(
                (
                    pool.rule,
                    pool.item,
                    year,
                    pool.base_series,
                    int(pool.base[y]),
                    float(pool.share[y]),
                    int(pool.pool[y]),
                    int(pool.distributed[y]),
                    int(pool.unallocated[y]),
                    rate,
                )
            )
    return Table("Pools", columns, rows)


def agreements(projection: Projection) -> Table:
    """One row per agreement x project x party x flow x year, with its source."""
    columns = [
        Column("agreement", "text", 34),
        Column("status", "text", 11),
        Column("project", "text", 20),
        Column("party", "text", 24),
        Column("party_kind", "text", 10),
        Column("flow", "text", 14),
        Column("year", "year", 7),
        Column("amount_krw", "won", 20),
        Column("in_projection", "text", 8),
        Column("source", "text", 56),
    ]
    years = set(projection.years)
    shown = {id(s): (s.agreement.status, s.agreement.binding) for s in projection.agreements}
    texts: dict[int, str] = {}  # each source written once: thousands of flows share one
    # Plain rows, not Flow records: a national projection lists a hundred thousand.
    rows: list[tuple[Cell, ...]] = [
        (
            agreement,
            status,
            project,
            party,
            kind,
            kind_of_money,
            year,
            amount,
            "yes" if binding and year in years else "no",
            texts.get(id(source)) or texts.setdefault(id(source), str(source)),
        )
        for flow, schedule in flow_listing(projection.agreements)
        for agreement, project, party, kind, kind_of_money, year, amount, source in [flow]
        for status, binding in [shown[id(schedule)]]
    ]
    return Table("Agreements", columns, rows)


def agreement_totals(projection: Projection) -> Table:
    """Per agreement: totals by who pays, and present values at the discount rate."""
    return schedule_totals(projection.agreements)


def schedule_totals(schedules: list[AgreementSchedule]) -> Table:
    """Per agreement schedule: totals by who pays, and present values at the discount rate."""
    columns = [
        Column("agreement", "text", 34),
        Column("title", "text", 40),
        Column("status", "text", 11),
        Column("signed", "text", 11),
        Column("first_year", "year", 7),
        Column("last_year", "year", 7),
        Column("total_krw", "won", 20),
        Column("central_krw", "won", 20),
        Column("local_krw", "won", 20),
        Column("private_krw", "won", 20),
        Column("unpaid_krw", "won", 18),
        Column("discount_rate", "share", 9),
        Column("pv_base_year", "year", 8),
        Column("pv_total_krw", "won", 20),
        Column("pv_central_krw", "won", 20),
        Column("pv_local_krw", "won", 20),
        Column("pv_private_krw", "won", 20),
    ]
    rows: list[tuple[Cell, ...]] = []
    for schedule in schedules:
        a = schedule.agreement
        years = [y for p in schedule.projects for y in p.years]
        pv = schedule.present_value
        rows.append(
            (
                a.id,
                a.title,
                a.status,
                a.signed.isoformat() if a.signed else "",
                min(years, default=0),
                max(years, default=0),
                schedule.total(),
                schedule.total("central"),
                schedule.total("local"),
                schedule.total("private"),
                sum(p.unpaid for p in schedule.projects),
                float(schedule.discount_rate),
                schedule.base_year,
                pv["total"],
                pv["central"],
                pv["local"],
                pv["private"],
            )
        )
    return Table("Agreement totals", columns, rows)


def affordability(projection: Projection) -> Table:
    """Region-years whose obligations pass the affordability limit."""
    columns = [
        Column("region", "text", 11),
        Column("year", "year", 7),
        Column("obligations_krw", "won", 20),
        Column("share_of_own_source", "ratio", 12),
        Column("limit", "ratio", 9),
        Column("flagged", "text", 8),
    ]
    rows: list[tuple[Cell, ...]] = []
    check = projection.affordability
    if check is not None:
        for r, region in enumerate(projection.regions):
            for y, year in enumerate(projection.years):
                if check.obligations[r, y] == 0:
                    continue
                rows.append(
                    (
                        region.id,
                        year,
                        int(check.obligations[r, y]),
                        float(check.share_of_own_source[r, y]),
                        float(check.limit[y]),
                        "yes" if check.flagged[r, y] else "no",
                    )
                )
    return Table("Affordability", columns, rows)


def national(projection: Projection) -> Table:
    """Per year: the national:local tax ratio and regional disparity before/after transfers."""
    columns = [
        Column("year", "year", 7),
        Column("national_tax_krw", "won", 22),
        Column("local_tax_krw", "won", 22),
        Column("local_tax_share", "ratio", 11),
        Column("national_local_ratio", "text", 12),
        Column("cv_before_transfers", "share", 12),
        Column("cv_after_transfers", "share", 12),
    ]
    rows: list[tuple[Cell, ...]] = []
    m = projection.measures
    if m is not None:
        for y, year in enumerate(projection.years):
            share = float(m.local_tax_share[y])
            rows.append(
                (
                    year,
                    int(m.national_tax[y]),
                    int(m.local_tax[y]),
                    share,
                    tax_ratio_text(share),
                    float(m.cv_before_transfers[y]),
                    float(m.cv_after_transfers[y]),
                )
            )
    return Table("National", columns, rows)


def tax_ratio_text(local_share: float) -> str:
    """The national:local tax ratio as officials write it, e.g. 76.9:23.1."""
    return f"{100 * (1 - local_share):.1f}:{100 * local_share:.1f}"


def view_summary(view: View) -> Table:
    """Headline figures per unit (region, mega-region or class) and year."""
    money = SUMMARY_MONEY
    columns = [
        Column("year", "year", 7),
        Column(view.by.replace("-", "_"), "text", 14),
        Column("name_ko", "text", 16),
        Column("name_en", "text", 22),
        *[Column(f"{name}_krw", "won", 22) for name in money],
        Column("independence_ratio", "ratio", 12),
        Column("autonomy_ratio", "ratio", 12),
    ]
    head = view.headline
    rows: list[tuple[Cell, ...]] = []
    for y, year in enumerate(view.years):
        for u, unit in enumerate(view.units):
            rows.append(
                (
                    year,
                    unit.id,
                    unit.ko,
                    unit.en,
                    *[int(getattr(head, m)[u, y]) for m in money],
                    float(head.independence[u, y]),
                    float(head.autonomy[u, y]),
                )
            )
    return Table("Consolidated", columns, rows)


def _listed(names: list[str], most: int = 12) -> str:
    """Names joined for a cell; a long list is cut (a cell holds at most 32,767 characters)."""
    if len(names) <= most:
        return ", ".join(names)
    return f"{', '.join(names[:most])} and {len(names) - most} more"
