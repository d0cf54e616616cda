"""The rule file reference, written from the pydantic models (so it cannot drift).

``fiscal schema --format markdown`` prints it; ``docs/reference.md`` is that output,
and a test fails when the two differ. Each file kind gets a table of its keys (type,
required or default, meaning), each nested model a table of its own, and the shared
value types and enumerations are listed once at the end.
"""

from __future__ import annotations

import enum
import inspect
import re
import types
import typing
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from fiscal.rules import types as value_types
from fiscal.rules.schema import MODELS

# Where each kind of file lives, and what it is for.
FILES: dict[str, tuple[str, str]] = {
    "ruleset": ("ruleset.yaml", "what the ruleset is, and its budget items"),
    "regions": ("regions.yaml", "the governments projected, their classes and mega-regions"),
    "ministries": ("ministries.yaml", "the central ministries that may sign agreements"),
    "parameter": ("parameters/**/NAME.yaml", "one dated parameter; its path is its id"),
    "rule": ("sharing/*.yaml, transfers/*.yaml", "one tax-sharing or transfer rule"),
    "agreement": ("agreements/*.yaml", "one investment agreement"),
    "national": ("INPUTS/national.yaml", "the national forecast: series in won per year"),
    "indicator": ("INPUTS/regional/NAME.yaml", "one regional indicator per region and year"),
    "scenario": ("any .yaml given to --scenario", "overrides of parameters, forecast, agreements"),
}

_VALUE_TYPES: list[tuple[Any, str, str]] = [
    (
        value_types.Id,
        "id",
        "lower-case letters, digits, `_` and `-`, starting with a letter "
        "or digit, at most 80 characters: `local_shared_tax`, `2025-southeast-hydrogen-corridor`",
    ),
    (value_types.Text, "text", "any text that is not empty"),
    (
        value_types.Number,
        "number",
        "a YAML number, not quoted and without `_`: `0.253`, `3`, "
        "`-0.05`; kept exact (a decimal, never a float)",
    ),
    (value_types.Won, "won", "a whole number of won, digits only: `26700000000000`"),
    (value_types.NonNegativeWon, "won ≥ 0", "a whole number of won, at least 0"),
    (value_types.IsoDate, "date", "`YYYY-MM-DD`, a real calendar date"),
    (value_types.Year, "year", "a year from 1900 to 2200, e.g. `2026`"),
]
_ENUMS: list[type[enum.Enum]] = [
    value_types.Unit,
    value_types.Status,
    value_types.RegionClass,
    value_types.Category,
]


def reference(kind: str = "all") -> str:
    """The reference of one file kind (a :data:`MODELS` key), or of every kind."""
    kinds = list(FILES) if kind == "all" else [kind]
    out = _Writer()
    out.line("# Rule file reference")
    out.line()
    out.line(
        "Generated from the pydantic models by `fiscal schema --format markdown`: do not edit "
        "by hand (a test fails when this file and the models disagree). Every file is YAML; "
        "an unknown key, a wrong type or a missing required key is an error reported at its "
        "file:line. `fiscal schema KIND` prints the same as a JSON Schema for editors."
    )
    out.line()
    out.line("| file | what it holds | section |")
    out.line("| --- | --- | --- |")
    for k in kinds:
        pattern, what = FILES[k]
        out.line(f"| `{pattern}` | {what} | [{k}](#{_anchor(k)}) |")
    out.line()
    for k in kinds:
        out.file_section(k, MODELS[k])
    out.value_types()
    return out.text()


class _Writer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.done: set[type[BaseModel]] = set()

    def line(self, text: str = "") -> None:
        """Add one line of markdown."""
        self.lines.append(text)

    def text(self) -> str:
        """The reference written so far, ending in one newline."""
        return "\n".join(self.lines).rstrip("\n") + "\n"

    def file_section(self, kind: str, model: Any) -> None:
        """The section of one file kind: its model's table, then each nested model's once."""
        pattern, _ = FILES[kind]
        self.line(f"## {kind}")
        self.line()
        self.line(f"File: `{pattern}`.")
        self.line()
        queue: list[type[BaseModel]] = []
        variants = _union_models(model)
        if variants:
            discriminator = _discriminator(model)
            names = ", ".join(
                f"[`{_kind_value(m, discriminator)}`](#{_anchor(m.__name__)})" for m in variants
            )
            self.line(f"One of these, chosen by the key `{discriminator}`: {names}.")
            self.line()
            queue += variants
        else:
            queue.append(model)
        while queue:
            current = queue.pop(0)
            if current in self.done:
                continue
            self.done.add(current)
            queue += self.model_section(current)

    def model_section(self, model: type[BaseModel]) -> list[type[BaseModel]]:
        """One model's table; returns the nested models it names, in order."""
        self.line(f"### {model.__name__}")
        self.line()
        doc = _doc(model)
        if doc:
            self.line(doc)
            self.line()
        hints = typing.get_type_hints(model, include_extras=True)
        nested: list[type[BaseModel]] = []
        self.line("| key | type | required | meaning |")
        self.line("| --- | --- | --- | --- |")
        for name, info in model.model_fields.items():
            hint = hints.get(name, info.annotation)
            shown = _type(hint, nested)
            self.line(
                f"| `{info.alias or name}` | {shown} | {_required(info)} | {_meaning(info)} |"
            )
        self.line()
        return nested

    def value_types(self) -> None:
        """The closing section: how each value type is written, and each enumeration."""
        self.line("## Value types")
        self.line()
        self.line("| type | how to write it |")
        self.line("| --- | --- |")
        for _, name, meaning in _VALUE_TYPES:
            self.line(f"| {name} | {meaning} |")
        self.line()
        for kind in _ENUMS:
            self.line(f"### {kind.__name__}")
            self.line()
            doc = _doc(kind)
            if doc:
                self.line(doc)
                self.line()
            self.line(", ".join(f"`{member.value}`" for member in kind))
            self.line()


def _type(hint: Any, nested: list[type[BaseModel]]) -> str:
    """A type as a reader wants it: `number`, `list of [Project](#project)`, ..."""
    for alias, name, _ in _VALUE_TYPES:
        if hint == alias:
            return name
    origin = get_origin(hint)
    if origin is Annotated:
        inner, *extras = get_args(hint)
        shown = _type(inner, nested)
        pattern = _pattern(extras)
        return f"{shown} matching `{pattern}`" if pattern else shown
    if origin in (Union, types.UnionType):
        parts = [a for a in get_args(hint) if a is not type(None)]
        return " or ".join(_type(a, nested) for a in parts)
    if origin is Literal:
        values = [f"`{v}`" for v in get_args(hint)]
        return values[0] if len(values) == 1 else "one of " + ", ".join(values)
    if origin is list or (origin is tuple and get_args(hint)[1:] == (Ellipsis,)):
        # tuple[X, ...] is how a model holds a YAML list (frozen): the file has a list.
        return f"list of {_type(get_args(hint)[0], nested)}"
    if origin is tuple:
        return "[" + ", ".join(_type(a, nested) for a in get_args(hint)) + "]"
    if origin is dict:
        key, value = get_args(hint)
        return f"mapping of {_type(key, nested)} to {_type(value, nested)}"
    if isinstance(hint, type):
        if issubclass(hint, BaseModel):
            nested.append(hint)
            return f"[{hint.__name__}](#{_anchor(hint.__name__)})"
        if issubclass(hint, enum.Enum):
            return f"[{hint.__name__}](#{_anchor(hint.__name__)})"
        simple = {
            str: "text",
            int: "integer",
            bool: "`true` or `false`",
            Decimal: "number",
            date: "date",
        }
        if hint in simple:
            return simple[hint]
    return f"`{hint}`"


def _pattern(extras: list[Any]) -> str | None:
    for extra in extras:
        found = getattr(extra, "pattern", None)
        if isinstance(found, str):
            return found
        if isinstance(extra, FieldInfo):
            inner = _pattern(list(extra.metadata))
            if inner:
                return inner
    return None


def _required(info: FieldInfo) -> str:
    if info.is_required():
        return "yes"
    if info.default_factory is not None:
        return "no"
    default = info.default
    if default is None:
        return "no"
    if isinstance(default, enum.Enum):
        default = default.value
    if isinstance(default, bool):
        default = str(default).lower()
    return f"no (default `{default}`)"


def _meaning(info: FieldInfo) -> str:
    parts = [info.description] if info.description else []
    if get_origin(_plain(info.annotation)) in (list, dict, tuple):
        for rule in info.metadata:
            least = getattr(rule, "min_length", None)
            if isinstance(least, int) and least > 0:
                parts.append(f"At least {least} {'entry' if least == 1 else 'entries'}.")
    return " ".join(parts).replace("|", "\\|").replace("\n", " ")


def _doc(obj: type) -> str:
    """A class's own docstring (not one inherited), as markdown."""
    doc = obj.__dict__.get("__doc__")
    return inspect.cleandoc(doc).replace("``", "`") if doc else ""


def _plain(hint: Any) -> Any:
    """``X | None`` as ``X``."""
    if get_origin(hint) in (Union, types.UnionType):
        parts = [a for a in get_args(hint) if a is not type(None)]
        if len(parts) == 1:
            return parts[0]
    return hint


def _union_models(model: Any) -> list[type[BaseModel]]:
    if get_origin(model) is Annotated:
        model = get_args(model)[0]
    if get_origin(model) in (Union, types.UnionType):
        return [a for a in get_args(model) if isinstance(a, type) and issubclass(a, BaseModel)]
    return []


def _discriminator(model: Any) -> str:
    for extra in get_args(model)[1:] if get_origin(model) is Annotated else ():
        if isinstance(extra, FieldInfo) and isinstance(extra.discriminator, str):
            return extra.discriminator
    return "kind"


def _kind_value(model: type[BaseModel], key: str) -> str:
    values = get_args(model.model_fields[key].annotation)
    return str(values[0]) if values else model.__name__


def _anchor(heading: str) -> str:
    """The id GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.lower())
    return text.replace(" ", "-")
