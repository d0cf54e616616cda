"""The one writer of YAML in `fiscal`: stable, so that ``git diff`` shows only what changed.

Keys keep the order they are given in, every scalar sits on its own line, there are no
anchors or flow collections (except ``{}`` and ``[]`` for empty ones), and a string is
quoted exactly when reading it back plain would give something else. What it writes,
:mod:`fiscal.source.yaml_reader` reads back to the same data.
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from typing import Any

from fiscal.source.yaml_reader import plain_scalar

_INDENT = "  "
# Printable to Python, but a YAML reader folds or refuses them when they stand raw.
_RAW_UNSAFE = {"\x85", "\u2028", "\u2029", "\ufeff", "\ufffe", "\uffff"}
_NUMBERISH = re.compile(r"[-+0-9._:eExXoObB]+")
_UNSAFE_START = set("!&*?|>'\"%@`{}[],#-:~ ")
_DATE_START = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}")


def dump(data: Any, header: str | None = None) -> str:
    """YAML text for ``data`` (dicts, lists, str, int, Decimal, bool, None, date)."""
    lines: list[str] = []
    if header:
        lines += [f"# {line}".rstrip() for line in header.splitlines()]
    _emit(data, 0, lines)
    return "\n".join(lines) + "\n"


def scalar(value: Any) -> str:
    """One YAML scalar as written on a line, quoted only when read back plain it would differ."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        return _decimal(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return _string(value)
    raise TypeError(f"cannot write {type(value).__name__} as YAML")


def _decimal(value: Decimal) -> str:
    """A decimal exactly as YAML 1.2 reads it back: no exponent, no rounding, .inf/.nan."""
    if value.is_nan():
        return ".nan"
    if value.is_infinite():
        return "-.inf" if value < 0 else ".inf"
    if value == value.to_integral_value():
        return f"{int(value)}.0"  # int() of a whole Decimal is exact at any size
    return format(value, "f")


def _quoted(text: str) -> str:
    """Double-quoted, with every character YAML cannot hold raw written as an escape."""
    out = []
    for char in json.dumps(text, ensure_ascii=False):
        code = ord(char)
        if char.isprintable() and char not in _RAW_UNSAFE:
            out.append(char)
        elif code <= 0xFFFF:
            out.append(f"\\u{code:04x}")
        else:
            out.append(f"\\U{code:08x}")
    return "".join(out)


def _string(text: str) -> str:
    needs_quotes = (
        not text
        or text[0] in _UNSAFE_START
        or text != text.strip()
        or ": " in text
        or " #" in text
        or text.endswith(":")
        or "\n" in text
        or "\t" in text
        or not text.isprintable()
        or plain_scalar(text) != text
        or text.lower() in {"yes", "no", "on", "off", "y", "n"}
        or _looks_like_date(text)
        or _NUMBERISH.fullmatch(text) is not None
        or text in ("=", "<<")
    )
    return _quoted(text) if needs_quotes else text


def _looks_like_date(text: str) -> bool:
    """Whether a YAML 1.1 reader could take the text for a date or timestamp.

    Only a leading year-month-day counts: an id such as ``2025-southeast-corridor`` stays
    plain, as people write it.
    """
    return _DATE_START.match(text) is not None


def _key(key: Any) -> str:
    if isinstance(key, int) and not isinstance(key, bool):
        return str(key)
    if isinstance(key, date):
        return key.isoformat()
    return _string(str(key))


def _emit(data: Any, depth: int, lines: list[str]) -> None:
    pad = _INDENT * depth
    if isinstance(data, dict):
        if not data:
            lines.append(pad + "{}")
        for key, value in data.items():
            _emit_entry(f"{pad}{_key(key)}:", value, depth, lines)
    elif isinstance(data, list):
        if not data:
            lines.append(pad + "[]")
        for value in data:
            if isinstance(value, dict) and value:
                sub: list[str] = []
                _emit(value, depth + 1, sub)
                first = sub[0][len(_INDENT) * (depth + 1) :]
                lines.append(f"{pad}- {first}")
                lines += sub[1:]
            else:
                _emit_entry(f"{pad}-", value, depth, lines)
    else:
        lines.append(pad + scalar(data))


def _emit_entry(prefix: str, value: Any, depth: int, lines: list[str]) -> None:
    if isinstance(value, dict | list) and value:
        lines.append(prefix)
        _emit(value, depth + 1, lines)
    elif isinstance(value, dict):
        lines.append(f"{prefix} {{}}")
    elif isinstance(value, list):
        lines.append(f"{prefix} []")
    else:
        lines.append(f"{prefix} {scalar(value)}")
