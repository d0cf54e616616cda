"""``--help`` pages drawn without rich: typer's panels, from the same texts, in milliseconds.

typer draws help with rich (``typer.rich_utils``). Importing it brings in rich's
markdown parser, syntax highlighter and traceback modules, and rich lays out tables
slowly: together about 40% of the time ``fiscal --help`` took, five times what Python
needs to start. A help page is small and its layout fixed (usage, description, panels
of arguments, options and commands, epilog), so this module draws it with string
operations alone, and :class:`HelpGroup` and :class:`HelpCommand` are typer's classes
with only the drawing replaced: parsing, errors and completion are still typer's.

What it keeps from typer's help:

* the texts, taken from the same places (docstrings, ``help=``, types, defaults,
  ``[required]``, number ranges, environment variables) by the same typer methods;
* the layout: the same columns and panels, line for line where typer's fits the width
  (narrower, columns shrink and long words fold instead of being cut off with "…");
* rich markup in help texts (``[bold]...[/]``) and the highlighting of options
  (``--json`` bold cyan, ``-o`` bold green, ``<path>`` bold yellow);
* styles only on a terminal or with ``FORCE_COLOR``; ``NO_COLOR`` (set to anything)
  keeps bold and dim but drops colour, as for all of fiscal's output.

Help texts are rich markup: ``[bold]``, ``[dim]``, ``[italic]``, ``[underline]`` and
the eight colours (or several: ``[bold red]``), closed by ``[/]``; any other bracket is
text.
"""

from __future__ import annotations

import inspect
import os
import re
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import typer
from typer.core import TyperArgument, TyperCommand, TyperGroup, TyperOption

if TYPE_CHECKING:
    from typer._click import Command, Context, HelpFormatter

Style = tuple[str, ...]  # style words, e.g. ("bold", "cyan"); a later colour wins

# typer.rich_utils's styles
OPTION: Style = ("bold", "cyan")
SWITCH: Style = ("bold", "green")
NEGATIVE_OPTION: Style = ("bold", "magenta")
NEGATIVE_SWITCH: Style = ("bold", "red")
TYPES: Style = ("bold", "yellow")
TYPES_SEPARATOR: Style = ("dim",)
USAGE: Style = ("yellow",)
USAGE_LINE: Style = ("bold",)
DESCRIPTION: Style = ("dim",)  # the paragraphs after a command's first one
DEFAULT: Style = ("dim",)
ENVVAR: Style = ("dim", "yellow")
REQUIRED_MARK: Style = ("red",)
REQUIRED_TEXT: Style = ("dim", "red")
DEPRECATED: Style = ("red",)
DEPRECATED_COMMAND: Style = ("dim",)
COMMAND: Style = ("bold", "cyan")
BORDER: Style = ("dim",)

_SGR = {"bold": "1", "dim": "2", "italic": "3", "underline": "4"}
_COLOURS = {
    "black": "30",
    "red": "31",
    "green": "32",
    "yellow": "33",
    "blue": "34",
    "magenta": "35",
    "cyan": "36",
    "white": "37",
}

# rich's markup tags, and typer's highlighting of options and types
_TAG = re.compile(r"(\\*)\[([a-z#/@][^[]*?)]")
_SWITCH = re.compile(r"(?:^|\W)(\-\w+)(?![a-zA-Z0-9])")
_OPTION = re.compile(r"(?:^|\W)(\-\-[\w\-]+)(?![a-zA-Z0-9])")
_HIGHLIGHTS: tuple[tuple[re.Pattern[str], Style], ...] = (
    (_SWITCH, SWITCH),
    (_OPTION, OPTION),
    (re.compile(r"(\<[^\>]+\>)"), TYPES),
    (re.compile(r"(Usage: )"), USAGE),
)
_NEGATIVE_HIGHLIGHTS = ((_SWITCH, NEGATIVE_SWITCH), (_OPTION, NEGATIVE_OPTION))
_TYPE_SEPARATORS = (
    re.compile(r"^(\[|<)"),
    re.compile(r"(\|)"),
    re.compile(r"(\]|>)(?:\.\.\.)?$"),
)
_WORD = re.compile(r"\s*\S+\s*")


# --- text with a style per character -------------------------------------------------------


def cell_width(text: str) -> int:
    """Terminal cells the text takes: 2 for wide (e.g. Korean) characters, 0 for combining."""
    if text.isascii():
        return len(text)
    return sum(_char_width(c) for c in text)


def _char_width(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


@dataclass
class Text:
    """A string and the style of each of its characters."""

    plain: str
    styles: list[Style]

    @classmethod
    def of(cls, plain: str, style: Style = ()) -> Text:
        return cls(plain, [_combine(style)] * len(plain))

    @classmethod
    def markup(cls, markup: str, style: Style = ()) -> Text:
        """Rich markup (``[bold]fiscal project[/]``) over a base style."""
        plain: list[str] = []
        styles: list[Style] = []
        stack: list[Style] = []
        position = 0

        def add(text: str) -> None:
            plain.append(text)
            current = _combine(style, *stack)
            styles.extend([current] * len(text))

        for match in _TAG.finditer(markup):
            backslashes, tag = match.group(1), match.group(2)
            add(markup[position : match.start()])
            position = match.end()
            add("\\" * (len(backslashes) // 2))
            words = tag.split()
            if len(backslashes) % 2:  # an escaped bracket: text
                add(f"[{tag}]")
            elif tag.startswith("/") and stack:
                stack.pop()
            elif words and all(w in _SGR or w in _COLOURS for w in words):
                stack.append(tuple(words))
            else:
                add(f"[{tag}]")
        add(markup[position:])
        return cls("".join(plain), styles)

    def stylize(self, start: int, end: int, style: Style) -> None:
        for i in range(start, end):
            self.styles[i] = _combine(self.styles[i], style)

    def highlight(self, rules: Iterable[tuple[re.Pattern[str], Style]] = _HIGHLIGHTS) -> Text:
        for pattern, style in rules:
            for found in pattern.finditer(self.plain):
                self.stylize(found.start(1), found.end(1), style)
        return self

    def __add__(self, other: Text) -> Text:
        return Text(self.plain + other.plain, self.styles + other.styles)

    def __getitem__(self, part: slice) -> Text:
        return Text(self.plain[part], self.styles[part])

    @property
    def width(self) -> int:
        return max((cell_width(line) for line in self.plain.split("\n")), default=0)

    def rstrip(self) -> Text:
        return self[: len(self.plain.rstrip())]

    def lines(self) -> list[Text]:
        out, start = [], 0
        for line in self.plain.split("\n"):
            out.append(self[start : start + len(line)])
            start += len(line) + 1
        return out

    def wrap(self, width: int) -> list[Text]:
        """Lines of at most ``width`` cells, broken between words as rich breaks them;
        a word longer than a line is folded."""
        width = max(width, 1)
        out: list[Text] = []
        for line in self.lines():
            breaks = [*_divide(line.plain, width), len(line.plain)]
            start = 0
            for end in breaks:
                out.append(line[start:end].rstrip())
                start = end
        return out


def _combine(*styles: Style) -> Style:
    """One style from several, the later over the earlier: its attributes (bold, dim, ...)
    and the last colour."""
    words = [w for style in styles for w in style]
    colours = [w for w in words if w in _COLOURS]
    return tuple(dict.fromkeys(w for w in words if w in _SGR)) + tuple(colours[-1:])


def _divide(text: str, width: int) -> list[int]:
    """Where to break a line of text to fit ``width`` (rich's ``divide_line``, folding)."""
    breaks: list[int] = []
    offset = 0
    for found in _WORD.finditer(text):
        start, word = found.start(), found.group()
        length = cell_width(word.rstrip())
        if width - offset >= length:
            offset += cell_width(word)
        elif length > width:
            chunks = _chop(word, width)
            for i, chunk in enumerate(chunks):
                if start:
                    breaks.append(start)
                if i == len(chunks) - 1:
                    offset = cell_width(chunk)
                else:
                    start += len(chunk)
        elif offset and start:
            breaks.append(start)
            offset = cell_width(word)
    return breaks


def _chop(word: str, width: int) -> list[str]:
    chunks, current, used = [], "", 0
    for char in word:
        size = _char_width(char)
        if current and used + size > width:
            chunks.append(current)
            current, used = "", 0
        current += char
        used += size
    return [*chunks, current]


# --- terminal ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Terminal:
    """How to draw: width in cells, whether to style, whether styles may have colour,
    and whether the output can show box-drawing characters."""

    width: int
    styled: bool
    colour: bool
    unicode: bool

    @classmethod
    def detect(cls, stream: Any = None) -> Terminal:
        """As typer's rich console decides, with fiscal's reading of ``NO_COLOR``."""
        stream = stream if stream is not None else sys.stdout
        env = os.environ
        forced = any(env.get(name) for name in ("FORCE_COLOR", "PY_COLORS", "GITHUB_ACTIONS"))
        try:
            terminal = forced or bool(getattr(stream, "isatty", lambda: False)())
        except ValueError:  # closed
            terminal = False
        dumb = env.get("TERM", "").strip().lower() in ("dumb", "unknown")
        encoding = (getattr(stream, "encoding", None) or "utf-8").lower()
        return cls(
            width=_width(dumb and terminal),
            styled=terminal and not dumb,
            colour="NO_COLOR" not in env,
            unicode=encoding.startswith("utf"),
        )

    def paint(self, text: Text) -> str:
        if not self.styled:
            return text.plain
        out: list[str] = []
        start = 0
        for end in range(1, len(text.plain) + 1):
            if end == len(text.plain) or text.styles[end] != text.styles[start]:
                out.append(self._sgr(text.plain[start:end], text.styles[start]))
                start = end
        return "".join(out)

    def _sgr(self, plain: str, style: Style) -> str:
        codes = [_SGR[w] if w in _SGR else _COLOURS[w] for w in style]
        if not self.colour:
            codes = [c for c, w in zip(codes, style, strict=True) if w in _SGR]
        return f"\x1b[{';'.join(codes)}m{plain}\x1b[0m" if codes else plain


def _width(dumb: bool) -> int:
    for name in ("TERMINAL_WIDTH", "COLUMNS"):  # typer's, then the shell's
        value = os.environ.get(name, "")
        if value.isdigit() and int(value) > 0:
            return int(value)
    if not dumb:
        for fd in (0, 1, 2):
            try:
                columns = os.get_terminal_size(fd).columns
            except (OSError, ValueError):
                continue
            if columns > 0:
                return columns
    return 80


# --- layout: cells side by side, tables, panels ----------------------------------------------


Cell = Sequence[Text]  # items side by side where they fit, else one under another


def _cell_lines(cell: Cell, width: int) -> list[Text]:
    """A cell's items in as many columns as fit (rich's ``Columns``), wrapped to ``width``."""
    if not cell:
        return []
    widths = [min(item.width, width) for item in cell]
    count = len(cell)
    while count > 1:  # the most columns whose widest items fit side by side
        if sum(max(widths[i::count]) for i in range(count)) + count - 1 <= width:
            break
        count -= 1
    columns = [max(widths[i::count]) for i in range(count)]
    out: list[Text] = []
    for row in range(0, len(cell), count):
        items = [item.wrap(w) for item, w in zip(cell[row : row + count], columns, strict=False)]
        out += _side_by_side(items, columns, gap=1)
    return out


def _side_by_side(cells: Sequence[list[Text]], widths: Sequence[int], gap: int) -> list[Text]:
    height = max((len(lines) for lines in cells), default=0)
    out = []
    for i in range(height):
        line = Text.of("")
        for n, (lines, width) in enumerate(zip(cells, widths, strict=False)):
            part = lines[i] if i < len(lines) else Text.of("")
            line += Text.of(" " * gap if n else "") + part + Text.of(" " * (width - part.width))
        out.append(line.rstrip())
    return out


def _table(rows: Sequence[Sequence[Cell]], widths: Sequence[int]) -> list[Text]:
    """Rows of cells in columns of the given widths (of text), two spaces apart."""
    out: list[Text] = []
    for row in rows:
        cells = [_cell_lines(cell, width) for cell, width in zip(row, widths, strict=True)]
        out += _side_by_side(cells, widths, gap=2)
    return out


def _widest(cells: Iterable[Cell]) -> int:
    """The width a column needs to show its cells without wrapping."""
    return max((sum(i.width for i in cell) + len(cell) - 1 for cell in cells if cell), default=0)


def _fit(widths: list[int], width: int) -> list[int]:
    """Column widths (of text) that fill ``width`` with two spaces between columns: the
    last takes what the others leave, and when that is too little the widest shrink
    first, as rich's tables do (``Table._collapse_widths``)."""
    # rich counts a space of padding on each inner side of a column
    pads = [(1 if i else 0) + (1 if i < len(widths) - 1 else 0) for i in range(len(widths))]
    padded = [w + p for w, p in zip(widths, pads, strict=True)]
    padded[-1] = width
    while sum(padded) > width:
        widest = max(padded)
        second = max((w for w in padded if w != widest), default=0)
        if not second:
            break
        excess = sum(padded) - width
        ratios = [1 if w == widest else 0 for w in padded]
        padded = _reduce(excess, ratios, [min(excess, widest - second)] * len(padded), padded)
    if sum(padded) > width:  # the last resort: every column gives up a share
        padded = _reduce(sum(padded) - width, [1] * len(padded), padded, padded)
    return [max(w - p, 0) for w, p in zip(padded, pads, strict=True)]


def _reduce(total: int, ratios: list[int], maximums: list[int], values: list[int]) -> list[int]:
    """Take ``total`` off ``values`` in proportion to ``ratios`` (rich's ``ratio_reduce``)."""
    ratios = [r if m else 0 for r, m in zip(ratios, maximums, strict=True)]
    total_ratio = sum(ratios)
    if not total_ratio:
        return values
    out = []
    for ratio, maximum, value in zip(ratios, maximums, values, strict=True):
        if ratio and total_ratio > 0:
            taken = min(maximum, round(ratio * total / total_ratio))
            out.append(value - taken)
            total -= taken
            total_ratio -= ratio
        else:
            out.append(value)
    return out


def _panel(title: str, lines: list[Text], width: int, terminal: Terminal) -> list[str]:
    """Lines in a box with a title in its top border, as typer draws its panels."""
    tl, h, tr, v, bl, br = "╭─╮│╰╯" if terminal.unicode else "+-+|++"
    top = f"{tl}{h} {title} {h * max(width - cell_width(title) - 5, 0)}{tr}"
    side = terminal.paint(Text.of(v, BORDER))
    out = [terminal.paint(Text.of(top, BORDER))]
    for line in lines:
        out.append(f"{side} {terminal.paint(line)}{' ' * (width - 4 - line.width)} {side}")
    out.append(terminal.paint(Text.of(bl + h * (width - 2) + br, BORDER)))
    return out


# --- the help page ------------------------------------------------------------------------------


def render(command: Command, ctx: Context, terminal: Terminal) -> list[str]:
    """The lines of a command's help page, as typer's ``rich_format_help`` lays it out."""
    width = terminal.width
    out = [""]
    usage = Text.of(command.get_usage(ctx), USAGE_LINE).highlight()
    out += [*_indented(usage, width, terminal), ""]
    if command.help:
        for part in _description(command):
            out += _indented(part, width, terminal)
        out.append("")
    for title, params in _parameter_panels(command, ctx):
        out += _panel(title, _parameter_rows(params, ctx, width - 4), width, terminal)
    if isinstance(command, TyperGroup):
        out += _command_panels(command, ctx, terminal)
    if command.epilog:
        out += ["", *_indented(_rich_text(command.epilog), width, terminal), ""]
    return out


def _indented(text: Text, width: int, terminal: Terminal) -> list[str]:
    return [" " + terminal.paint(line) if line.plain else "" for line in text.wrap(width - 2)]


def _rich_text(text: str, style: Style = ()) -> Text:
    return Text.markup(inspect.cleandoc(text), style).highlight()


def _description(command: Command) -> list[Text]:
    """The first paragraph of the help as one line, the rest dim with its line breaks."""
    text = inspect.cleandoc(command.help or "").partition("\f")[0]
    first, *rest = text.split("\n\n")
    if not first.startswith("\b"):
        first = first.replace("\n", " ")
    out = [Text.of("(deprecated) ", DEPRECATED)] if command.deprecated else []
    out.append(_rich_text(first.strip()))
    if rest:
        out += [Text.of(""), _rich_text("\n\n".join(rest), DESCRIPTION)]
    return out


Parameter = TyperArgument | TyperOption


def _parameter_panels(command: Command, ctx: Context) -> list[tuple[str, list[Parameter]]]:
    """Arguments, then options, each in its panel (``rich_help_panel``, by default
    "Arguments" and "Options" first)."""
    arguments: dict[str, list[Parameter]] = {"Arguments": []}
    options: dict[str, list[Parameter]] = {"Options": []}
    for param in command.get_params(ctx):
        if isinstance(param, TyperArgument | TyperOption) and not param.hidden:
            panels = arguments if isinstance(param, TyperArgument) else options
            default = "Arguments" if isinstance(param, TyperArgument) else "Options"
            panels.setdefault(param.rich_help_panel or default, []).append(param)
    return [(title, ps) for title, ps in [*arguments.items(), *options.items()] if ps]


def _parameter_rows(params: list[Parameter], ctx: Context, width: int) -> list[Text]:
    """Per parameter: [*,] --long, -short, --no-long, -n, <type>, help [default] [required]."""
    rows: list[list[Cell]] = []
    for param in params:
        name = None
        if isinstance(param, TyperArgument):
            name = param.display_name_raw + (
                "..." if param.metavar is None and param.nargs != 1 else ""
            )
        names = []
        for opts, rules in (
            (param.opts, _HIGHLIGHTS),
            (param.secondary_opts, _NEGATIVE_HIGHLIGHTS),
        ):
            long = ",".join(o for o in opts if "--" in o)
            short = ",".join(name or o for o in opts if "--" not in o)
            names += [Text.of(long).highlight(rules), Text.of(short).highlight(rules)]
        row: list[Cell] = [[n] if n.plain else [] for n in names]
        row += [_types(param, ctx), _parameter_help(param, ctx)]
        if any(p.required for p in params):
            row.insert(0, [Text.of("*", REQUIRED_MARK)] if param.required else [])
        rows.append(row)
    columns = list(zip(*rows, strict=True))
    widths = _fit([_widest(column) for column in columns[:-1]] + [0], width)
    return _table(rows, widths)


def _types(param: Parameter, ctx: Context) -> Cell:
    label = param.display_type_rich(ctx=ctx) or ""
    limits = param._get_number_range_help_str()
    if limits:
        label += f" [{limits}]"
    if not label:
        return []
    return [Text.of(label, TYPES).highlight((p, TYPES_SEPARATOR) for p in _TYPE_SEPARATORS)]


def _parameter_help(param: Parameter, ctx: Context) -> Cell:
    """The help text, then [env var: ...], [default: ...] and [required]."""
    items: list[Text] = []
    envvar = param.envvar
    autoenv = getattr(param, "allow_from_autoenv", False)  # options only
    if envvar is None and autoenv and ctx.auto_envvar_prefix and param.name:
        envvar = f"{ctx.auto_envvar_prefix}_{param.name.upper()}"
    if param.help:
        paragraphs = [
            p.replace("\n", " ").strip() if not p.startswith("\b") else p.strip("\b\n") + "\n"
            for p in param.help.split("\n\n")
        ]
        items.append(_rich_text("\n".join(paragraphs).strip()))
    if envvar and param.show_envvar:
        shown = envvar if isinstance(envvar, str) else ", ".join(str(e) for e in envvar)
        items.append(Text.of(f"[env var: {shown}]", ENVVAR))
    default = param._extract_default_help_str(ctx=ctx)
    show_default_is_str = isinstance(param.show_default, str)
    if show_default_is_str or (default is not None and (param.show_default or ctx.show_default)):
        shown = param._get_default_string(
            ctx=ctx, show_default_is_str=show_default_is_str, default_value=default
        )
        if shown:
            items.append(Text.of(f"[default: {shown}]", DEFAULT))
    if param.required:
        items.append(Text.of("[required]", REQUIRED_TEXT))
    return items


def _command_panels(group: TyperGroup, ctx: Context, terminal: Terminal) -> list[str]:
    """Each panel of commands: name and the first paragraph of its help."""
    panels: dict[str, list[Command]] = {"Commands": []}
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if command is not None and not command.hidden:
            title = getattr(command, "rich_help_panel", None) or "Commands"
            panels.setdefault(title, []).append(command)
    name_width = max((len(c.name or "") for cs in panels.values() for c in cs), default=0)
    out = []
    for title, commands in panels.items():
        if commands:
            rows = _command_rows(commands, name_width, terminal.width - 4)
            out += _panel(title, rows, terminal.width, terminal)
    return out


def _command_rows(commands: list[Command], name_width: int, width: int) -> list[Text]:
    rows: list[list[Cell]] = []
    for command in commands:
        first = inspect.cleandoc(command.short_help or command.help or "").split("\n\n")[0]
        style = COMMAND + DEPRECATED_COMMAND if command.deprecated else COMMAND
        row: list[Cell] = [[Text.of(command.name or "", style)], [_rich_text(first.strip())]]
        if any(c.deprecated for c in commands):
            row.append([Text.of("(deprecated) ", DEPRECATED)] if command.deprecated else [])
        rows.append(row)
    widths = [name_width, 0] + ([_widest(r[2] for r in rows)] if len(rows[0]) > 2 else [])
    # the name column is as wide in every panel, the description takes the rest
    widths[1] = max(width - sum(widths) - 2 * (len(widths) - 1), 1)
    return _table(rows, widths)


# --- typer's classes, drawing their help with the above -----------------------------------------


def print_help(command: Command, ctx: Context) -> None:
    terminal = Terminal.detect(sys.stdout)
    typer.echo("\n".join(render(command, ctx, terminal)), color=terminal.styled)


class _DrawnHelp:
    """``--help`` (and a bare command that needs arguments) drawn by :func:`render`."""

    no_args_is_help: bool

    def format_help(self, ctx: Context, formatter: HelpFormatter) -> None:
        print_help(cast("Command", self), ctx)

    def parse_args(self, ctx: Context, args: list[str]) -> list[str]:
        if not args and self.no_args_is_help and not ctx.resilient_parsing:
            print_help(cast("Command", self), ctx)  # as typer shows it, without its error imports
            ctx.exit(2)
        parsed: list[str] = super().parse_args(ctx, args)  # type: ignore[misc]
        return parsed


class HelpCommand(_DrawnHelp, TyperCommand):
    """A typer command whose ``--help`` is drawn by :func:`render`."""


class HelpGroup(_DrawnHelp, TyperGroup):
    """A typer group whose ``--help`` is drawn by :func:`render`."""
