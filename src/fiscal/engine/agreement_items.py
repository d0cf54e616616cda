"""Agreements in the projection: each signed agreement's schedule, summed into items.

Items with ``from_agreements`` hold, per region and year, the central money a region
receives or its own cost share, summed over the binding agreements. Schedules depend
only on the agreements and the parameters they name (indexation and discount rates),
so they are cached by what they were made from (:class:`ScheduleCache`), and so are the
sums for each list of years and regions: a sweep or a comparison that changes anything
else reuses them. Which flows make up a cell is
worked out only when someone asks (the ledger, ``fiscal explain``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from typing import Any

import numpy as np

from fiscal.engine.agreement_batch import Batch, schedule_agreements
from fiscal.engine.agreements import (
    FLOW_KINDS,
    PARTY_KINDS,
    AgreementSchedule,
    Flow,
    FlowTable,
    IntArray,
)
from fiscal.engine.context import Context, ItemTrace, ParameterUse
from fiscal.engine.money import Int64Array
from fiscal.errors import SourcePos, UserError
from fiscal.rules.agreements import Agreement
from fiscal.rules.inputs import Inputs
from fiscal.rules.ruleset import Ruleset


class AgreementFlows:
    """The agreement flows behind each region-year cell of the agreement items.

    ``flows_at(item, r, y)`` lists them in schedule order (agreement, project, party),
    as :class:`Flow` records made when asked; ``cells(item)`` gives every non-empty cell
    at once, and ``listing(item)`` the same as columns (for the ledger's many rows).
    """

    def __init__(self, table: FlowTable | None = None, years: int = 0) -> None:
        self._table = table
        self._years = years
        self._items: dict[str, _ItemRows] = {}

    def add(self, item: str, rows: _ItemRows) -> None:
        """Record the table rows summed into an agreement item, to list them when asked."""
        self._items[item] = rows

    def __contains__(self, item: object) -> bool:
        return item in self._items

    def flows_at(self, item: str, r: int, y: int) -> list[Flow]:
        """The flows summed into one cell of an item, in schedule order."""
        found = self._items.get(item)
        if found is None or self._table is None:
            return []
        cell = r * self._years + y
        start, stop = np.searchsorted(found.sorted_cells, [cell, cell + 1]).tolist()
        return self._table.flows(found.sorted_rows[start:stop])

    def cells(self, item: str) -> dict[tuple[int, int], list[Flow]]:
        """Every cell with flows: (region index, year index) -> its flows."""
        listed = self.listing(item)
        if listed is None or self._table is None:
            return {}
        flows = self._table.flows(self._items[item].sorted_rows)
        return {cell: flows[start:stop] for cell, (start, stop) in listed.runs.items()}

    def listing(self, item: str) -> CellListing | None:
        """An item's flows as columns, cell after cell (None: not an agreement item)."""
        found = self._items.get(item)
        if found is None or self._table is None:
            return None
        table, rows = self._table, found.sorted_rows
        cells = found.sorted_cells
        starts = np.flatnonzero(np.r_[True, cells[1:] != cells[:-1]]) if len(cells) else cells
        bounds = [*starts.tolist(), len(cells)]
        owner = table.owner[rows].tolist()
        source = table.source[rows]
        sources = {int(s): table.sources[int(s)] for s in np.unique(source)}
        return CellListing(
            runs={
                divmod(cell, self._years): (start, stop)
                for cell, start, stop in zip(
                    cells[starts].tolist(), bounds[:-1], bounds[1:], strict=True
                )
            },
            agreement=list(map(table.agreement_ids.__getitem__, owner)),
            project=list(map(table.project_ids.__getitem__, owner)),
            amount=table.amount[rows].tolist(),
            source=list(map(sources.__getitem__, source.tolist())),
        )


@dataclass(frozen=True)
class CellListing:
    """An agreement item's flows as columns, cell after cell in schedule order.

    ``runs`` gives, for each (region index, year index) with flows, the range of its
    flows in the columns.
    """

    runs: dict[tuple[int, int], tuple[int, int]]
    agreement: list[str]
    project: list[str]
    amount: list[int]
    source: list[SourcePos]


@dataclass(frozen=True, eq=False)
class _ItemRows:
    """The table rows summed into an item, and the cell (region x years + year) of each."""

    rows: IntArray
    cells: IntArray
    values: Int64Array  # regions x years

    @cached_property
    def _order(self) -> IntArray:
        # Stable: within a cell the flows stay in schedule order.
        order: IntArray = np.argsort(self.cells, kind="stable")
        return order

    @cached_property
    def sorted_rows(self) -> IntArray:
        """The rows grouped cell by cell, in schedule order within a cell."""
        return self.rows[self._order]

    @cached_property
    def sorted_cells(self) -> IntArray:
        """The cell of each of ``sorted_rows`` (ascending)."""
        return self.cells[self._order]


def agreement_items(
    ctx: Context,
    amounts: dict[str, Int64Array],
    traces: dict[str, ItemTrace],
    cache: ScheduleCache | None = None,
) -> tuple[list[AgreementSchedule], AgreementFlows]:
    """Schedule every agreement; binding ones fill the agreement items of the regions."""
    ruleset, years = ctx.ruleset, ctx.years
    cached = _schedules(ctx, SHARED_SCHEDULES if cache is None else cache)
    flows = AgreementFlows(cached.batch.table, len(years))
    for item in ruleset.items:
        if item.from_agreements is None:
            continue
        wanted = "central_inflow" if item.from_agreements == "central_inflow" else "cost_share"
        rows = cached.item_rows(wanted, tuple(years), tuple(ruleset.region_ids))
        amounts[item.id] = rows.values.copy()
        flows.add(item.id, rows)
        what = "central share" if wanted == "central_inflow" else "own cost share"
        traces[item.id] = ItemTrace(
            item=item.id,
            kind="agreement",
            rule="agreements",
            source=SourcePos.of(ruleset.root / "agreements"),
            formula=f"sum over signed agreements of each project's {what} for the region",
        )
    return cached.batch.schedules, flows


def agreement_schedules(ruleset: Ruleset) -> list[AgreementSchedule]:
    """Every agreement's schedule over its own years, without any inputs (for listings)."""
    empty = Inputs(ruleset.root, {}, {})
    ctx = Context(ruleset, empty, [])
    schedules, _ = agreement_items(ctx, {}, {})
    if ctx.problems:
        raise UserError(ctx.problems)
    return schedules


@dataclass(eq=False)
class _Cached:
    """One ruleset's schedules, and their sums for each list of years and regions asked."""

    agreements: tuple[Agreement, ...]  # what they were computed from (compared by value)
    named: frozenset[str]  # the parameters the schedules depend on
    fingerprint: tuple[Any, ...]  # and their values then
    batch: Batch
    uses: list[ParameterUse]
    sums: dict[tuple[Any, ...], _ItemRows] = field(default_factory=dict)

    def item_rows(self, wanted: str, years: tuple[int, ...], regions: tuple[str, ...]) -> _ItemRows:
        """The binding agreements' central inflows or regions' cost shares (``wanted``),
        summed per region and year; worked out once for each list of years and regions."""
        key = (wanted, years, regions)
        found = self.sums.get(key)
        if found is None:
            found = self.sums[key] = _sum(self.batch, wanted, years, regions)
        return found


def _sum(batch: Batch, wanted: str, years: tuple[int, ...], regions: tuple[str, ...]) -> _ItemRows:
    """One kind of region money of the binding agreements, summed per region and year."""
    table = batch.table
    chosen = (
        (table.flow == FLOW_KINDS.index(wanted))
        & (table.party_kind == PARTY_KINDS.index("region"))
        & batch.binding[batch.project_agreement][table.owner]
    )
    column = np.full(1, -1, dtype=np.int64)
    first = 0
    if years:
        first = min(years)
        column = np.full(max(years) - first + 1, -1, dtype=np.int64)
        column[np.asarray(years) - first] = np.arange(len(years))
        inside = (table.year >= first) & (table.year < first + len(column))
        chosen &= inside & (column[np.where(inside, table.year - first, 0)] >= 0)
    else:
        chosen &= False
    rows = np.flatnonzero(chosen)
    row_of = {region: r for r, region in enumerate(regions)}
    region = np.asarray([row_of.get(name, -1) for name in table.names], dtype=np.int64)
    r = region[table.party[rows]] if len(region) else np.zeros(0, dtype=np.int64)
    if (r < 0).any():
        raise KeyError(table.names[int(table.party[rows][r < 0][0])])
    cells = r * len(years) + column[table.year[rows] - first]
    values = np.zeros(len(regions) * len(years), dtype=np.int64)
    np.add.at(values, cells, table.amount[rows])
    return _ItemRows(rows, cells, values.reshape(len(regions), len(years)))


class ScheduleCache:
    """Agreement schedules already computed, found again by what they were made from.

    Schedules depend only on the agreements and the parameters they name (indexation and
    discount rates), not on the inputs or any other parameter: a sweep or a comparison
    that changes something else reuses them. An entry is used only when the ruleset's
    agreements equal the ones it was computed from (a tuple of frozen models: the
    unchanged ones compare by identity at once, a replaced one by its fields) and the
    named parameters have the same values. Keep one for as long as its schedules are
    worth keeping; ``project`` uses a shared one when not given its own.
    """

    def __init__(self, size: int = 4) -> None:
        self.size = size
        self.computed = 0  # schedules computed, not found (for tests and benchmarks)
        self._entries: list[_Cached] = []  # most recent last

    def clear(self) -> None:
        """Forget every schedule kept (the next projection computes its own)."""
        self._entries.clear()

    def find(self, ruleset: Ruleset) -> _Cached | None:
        """The schedules kept for agreements and named parameter values equal to the
        ruleset's, the most recent first; None when there are none."""
        for cached in reversed(self._entries):
            if cached.agreements == ruleset.agreements and cached.fingerprint == _fingerprint(
                ruleset, cached.named
            ):
                return cached
        return None

    def keep(self, found: _Cached) -> None:
        """Keep newly computed schedules, forgetting the oldest once ``size`` are kept."""
        if len(self._entries) >= self.size:
            del self._entries[0]
        self._entries.append(found)


# For callers that keep no cache of their own (each process of a sweep has its own).
SHARED_SCHEDULES = ScheduleCache()


def _schedules(ctx: Context, cache: ScheduleCache) -> _Cached:
    ruleset = ctx.ruleset
    cached = cache.find(ruleset)
    if cached is not None:
        for use in cached.uses:
            mine = ctx.uses.setdefault(
                (use.ref, id(use.value)), ParameterUse(use.ref, use.parameter, use.value)
            )
            mine.years.update(use.years)
            mine.rules.update(use.rules)
        return cached
    cache.computed += 1
    before = set(ctx.uses)
    problems_before = len(ctx.problems)
    rates = _Rates(ctx)
    rate_ref = ruleset.manifest.discount_rate

    def discount_rate_of(agreement: Agreement) -> Fraction:
        """The rate an agreement's present values are discounted at: the ruleset's
        discount rate in force in the year it was signed (or its first project's first
        year, if unsigned); 0 when the ruleset names none."""
        if not rate_ref:
            return Fraction(0)
        signed = agreement.signed
        return rates(agreement, rate_ref, signed.year if signed else agreement.projects[0].years[0])

    batch = schedule_agreements(ruleset.agreements, rates, discount_rate_of, ctx.problems)
    named = batch.parameters | ({rate_ref} if rate_ref else set())
    found = _Cached(
        ruleset.agreements,
        named,
        _fingerprint(ruleset, named),
        batch,
        [ctx.uses[k] for k in ctx.uses if k not in before],
    )
    if len(ctx.problems) == problems_before:
        cache.keep(found)
    return found


def _fingerprint(ruleset: Ruleset, named: frozenset[str]) -> tuple[Any, ...]:
    """The values of the parameters that schedules depend on, as they are now."""
    return tuple(
        (path, tuple((v.effective, str(v.value)) for v in ruleset.parameters[path].values))
        for path in sorted(named)
        if path in ruleset.parameters
    )


class _Rates:
    """``ctx.at`` for agreements, each parameter and year looked up once.

    Thousands of agreements ask for the same few values: the first asks the context,
    which records the use (or the problem); the others only add their id to that use's
    rules, as ``ctx.at`` would. A value not in force is asked for again every time, so
    each asking still reports its problem.
    """

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._seen: dict[tuple[str, int], tuple[Fraction, ParameterUse]] = {}

    def __call__(self, agreement: Agreement, path: str, year: int) -> Fraction:
        seen = self._seen.get((path, year))
        if seen is not None:
            seen[1].rules[agreement.id] = None
            return seen[0]
        ctx = self._ctx
        value = ctx.at(path, agreement, year)
        ref = ctx.ruleset.resolve(path)
        in_force = ref.parameter.in_force(year) if ref is not None else None
        use = ctx.uses.get((path, id(in_force)))
        if use is not None:
            self._seen[path, year] = (value, use)
        return value
