"""Tables that fit the terminal without cutting a number or an id.

rich shrinks a table that is wider than the console by cutting cells, and ends what it
cut with "…": at 80 columns (what rich assumes in a pipe or a log) a region's total
became ``46,7…``. A :class:`Fitted` table chooses its layout when it is drawn, from the
width it is given, in this order:

1. every column whole, in the finest money unit that fits (won, million, billion,
   trillion; or the unit the user chose with ``--units``);
2. text columns (notes, sources) folded onto several lines, never number or id columns;
3. droppable text columns left out (said under the table);
4. stacked: one block per row, one ``header: value`` line per cell, money in whole won
   (or the chosen unit), which any width can show.

The unit is said in the title, with "rounded" whenever a figure is not whole won.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from rich.measure import Measurement

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderResult
    from rich.table import Table

Kind = Literal["key", "number", "text"]
"""``key``: an id or label that identifies the row (never cut or wrapped); ``number``:
a figure (never cut or wrapped); ``text``: prose that may fold onto lines or be left out."""


@dataclass(frozen=True)
class Unit:
    """A display unit for money: won divided by ``divisor``, shown with ``decimals``."""

    name: str
    divisor: int
    decimals: int
    label: str

    def show(self, won: int, signed: bool = False) -> str:
        """``won`` in this unit, with thousands separators (and a sign when ``signed``)."""
        sign = "+" if signed else ""
        if self.divisor == 1:
            return f"{won:{sign},}"
        # Exact rounding from the integer (half away from zero), not through a float.
        scale = self.divisor // 10**self.decimals
        magnitude = (abs(won) * 2 + scale) // (2 * scale)
        rounded = magnitude if won >= 0 else -magnitude
        if self.decimals == 0:
            return f"{rounded:{sign},}"
        whole, frac = divmod(abs(rounded), 10**self.decimals)
        text = f"{whole:,}.{frac:0{self.decimals}d}"
        if rounded < 0:
            return f"-{text}"
        return f"+{text}" if signed else text

    def title(self) -> str:
        """How the title names the unit: ``won`` exact, others "..., rounded"."""
        return "won" if self.divisor == 1 else f"{self.label}, rounded"


UNITS: dict[str, Unit] = {
    "won": Unit("won", 1, 0, "won"),
    "million": Unit("million", 10**6, 0, "million won (백만원)"),
    "eok": Unit("eok", 10**8, 0, "억 won (hundred million)"),
    "billion": Unit("billion", 10**9, 0, "billion won (십억원)"),
    "trillion": Unit("trillion", 10**12, 1, "trillion won (조원)"),
}
UNIT_CHOICES = ("auto", *UNITS)
AUTO_ORDER = ("won", "million", "billion", "trillion")
"""The units tried, finest first, when the user chose none (억 only when asked for)."""
MIN_TEXT = 12
"""A folded text column is never squeezed narrower than this."""


@dataclass(frozen=True)
class Money:
    """A whole-won cell, shown in the table's unit."""

    won: int
    signed: bool = False


Cell = str | Money


@dataclass(frozen=True)
class Col:
    """A column: its header, its kind, how it is justified, and whether it may be left out."""

    header: str
    kind: Kind = "number"
    justify: Literal["left", "right"] = "right"
    droppable: bool = False


@dataclass(frozen=True)
class Row:
    """A row of cells; ``section`` draws a rule above it; ``style`` e.g. bold for totals."""

    cells: Sequence[Cell]
    style: str | None = None
    section: bool = False


@dataclass
class Fitted:
    """A table laid out to fit the width it is drawn at (see the module docstring).

    ``title`` may hold ``{unit}``, replaced by the unit's name (e.g. "billion won (십억원),
    rounded"). ``units`` is a name in :data:`UNITS`, or ``auto`` to choose.
    """

    title: str
    columns: list[Col]
    rows: list[Row] = field(default_factory=list)
    units: str = "auto"
    caption: str | None = None

    def add(self, *cells: Cell, style: str | None = None, section: bool = False) -> None:
        """Add a row."""
        self.rows.append(Row(cells, style, section))

    @property
    def has_money(self) -> bool:
        """Whether any cell is money (so the title names a unit)."""
        return any(isinstance(c, Money) for r in self.rows for c in r.cells)

    def layout(self, width: int) -> tuple[str, Unit, frozenset[int], int]:
        """The chosen layout: ``table`` or ``stacked``, the unit, the columns left out, and
        how compact the table is drawn (0: boxed; 1: no borders, two spaces between
        columns; 2: one space)."""
        from rich.console import Console

        measure = Console(width=10**5, color_system=None, legacy_windows=False)
        chosen = [UNITS[self.units]] if self.units != "auto" else [UNITS[u] for u in AUTO_ORDER]
        if not self.has_money:
            chosen = chosen[:1]
        droppable = frozenset(i for i, c in enumerate(self.columns) if c.droppable)
        for dropped in [frozenset(), droppable] if droppable else [frozenset()]:
            for unit in chosen:
                for compact in (0, 1, 2):
                    table = self.table(unit, dropped, compact, text_width=MIN_TEXT)
                    if Measurement.get(measure, measure.options, table).maximum <= width:
                        return "table", unit, dropped, compact
        return "stacked", chosen[0], frozenset(), 0

    def table(
        self,
        unit: Unit,
        dropped: frozenset[int],
        compact: int,
        text_width: int | None = None,
        text_widths: dict[int, int] | None = None,
    ) -> Table:
        """The rich table in ``unit`` without the ``dropped`` columns; text columns fixed at
        ``text_width`` when given (to measure), else folding into what room is left.

        Number and id columns never wrap: the layout gives them their full width, so rich
        never has to cut one (which it would mark with "…")."""
        from rich import box
        from rich.markup import escape
        from rich.table import Table

        kept = [i for i in range(len(self.columns)) if i not in dropped]
        plain = {"box": box.SIMPLE_HEAD, "show_edge": False, "pad_edge": False}
        style: dict[str, object] = [
            {},
            {**plain, "collapse_padding": True},
            {**plain, "padding": (0, 0)},
        ][compact]
        table = Table(
            title=self._title(unit),
            title_justify="left",
            caption=self._caption(dropped),
            caption_justify="left",
            **style,  # type: ignore[arg-type]
        )
        for i in kept:
            col = self.columns[i]
            if col.kind == "text":
                narrowest, _ = self._text_bounds(i, unit)
                fixed = narrowest if text_width is not None else (text_widths or {}).get(i)
                table.add_column(
                    escape(col.header),
                    justify=col.justify,
                    overflow="fold",
                    width=fixed,
                    min_width=narrowest,
                )
            else:
                table.add_column(escape(col.header), justify=col.justify, no_wrap=True)
        for row in self.rows:
            if row.section:
                table.add_section()
            table.add_row(
                *[escape(_cell(row.cells[i], unit)) if i < len(row.cells) else "" for i in kept],
                style=row.style,
            )
        return table

    def _text_bounds(self, index: int, unit: Unit) -> tuple[int, int]:
        """A text column's narrowest width and its longest line. Never narrower than its
        longest word: a figure or path inside a note wraps whole onto the next line
        instead of being split."""
        col = self.columns[index]
        cells = [_cell(r.cells[index], unit) for r in self.rows if index < len(r.cells)]
        longest = max([len(col.header), *(len(c) for c in cells)])
        word = max([MIN_TEXT, *(len(w) for c in cells for w in c.split())])
        return min(word, longest), longest

    def _text_widths(
        self, unit: Unit, dropped: frozenset[int], compact: int, width: int
    ) -> dict[int, int]:
        """Each text column's width when drawn at ``width``: its narrowest, plus a share of
        the room left, up to its longest. Given to rich as fixed widths: left to itself,
        rich may give a folding column more room than the table has, then crop its text
        at the edge without a mark."""
        from rich.console import Console

        measure = Console(width=10**5, color_system=None, legacy_windows=False)
        narrow = self.table(unit, dropped, compact, text_width=MIN_TEXT)
        room = width - Measurement.get(measure, measure.options, narrow).maximum
        wants = {  # column -> (narrowest, longest)
            i: self._text_bounds(i, unit)
            for i, col in enumerate(self.columns)
            if col.kind == "text" and i not in dropped
        }
        widths = {i: low for i, (low, _) in wants.items()}
        while room > 0:
            hungry = [i for i, (_, high) in wants.items() if widths[i] < high]
            if not hungry:
                break
            for i in hungry:
                if room <= 0:
                    break
                widths[i] += 1
                room -= 1
        return widths

    def _title(self, unit: Unit) -> str:
        from rich.markup import escape

        return escape(self.title.replace("{unit}", unit.title()))

    def _caption(self, dropped: frozenset[int]) -> str | None:
        from rich.markup import escape

        parts = [self.caption] if self.caption else []
        if dropped:
            names = ", ".join(self.columns[i].header for i in sorted(dropped))
            parts.append(f"Not shown at this width: {names} (widen the terminal, or --json).")
        return escape(" ".join(parts)) if parts else None

    def stacked(self, unit: Unit) -> Iterator[str]:
        """One block per row: the row's keys as a heading, then ``header: value`` lines."""
        from rich.markup import escape

        yield f"[bold]{self._title(unit)}[/]"
        keys = [i for i, c in enumerate(self.columns) if c.kind == "key"][:2]
        for row in self.rows:
            head = " · ".join(_cell(row.cells[i], unit) for i in keys if i < len(row.cells))
            yield f"[bold]{escape(head)}[/]" if head else ""
            for i, col in enumerate(self.columns):
                if i in keys or i >= len(row.cells):
                    continue
                value = _cell(row.cells[i], unit)
                if value:
                    yield f"  {escape(col.header)}: {escape(value)}"
        if self.caption:
            yield escape(self.caption)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        from rich.text import Text

        kind, unit, dropped, compact = self.layout(options.max_width)
        if kind == "table":
            table = self.table(
                unit, dropped, compact, text_widths=self._text_widths(unit, dropped, compact,
                                                                      options.max_width)
            )  # fmt: skip
            # The layout was measured with text columns at their narrowest; drawn, a table
            # whose unbreakable parts still need more than the width would be cropped at
            # the edge (losing text without a mark): stack it instead.
            from rich.segment import Segment

            lines = console.render_lines(table, options, pad=False)
            if max((Segment.get_line_length(line) for line in lines), default=0) <= (
                options.max_width
            ):
                yield table
                return
        for line in self.stacked(unit):
            yield Text.from_markup(line, overflow="fold")


def _cell(cell: Cell, unit: Unit) -> str:
    return unit.show(cell.won, cell.signed) if isinstance(cell, Money) else cell
