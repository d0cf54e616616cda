"""Reading one spreadsheet cell as the value its column expects.

Real spreadsheets are typed by people: a share may be ``60%``, ``0.6`` or the text
``"60 %"``; won may be a number or text with thousands separators; a date may be a
date cell or ``2025.03.20``; ids may carry trailing spaces. Each parser accepts what a
careful person could mean and says plainly what it could not read. It never guesses
between two readings: ``60`` in a share column is 6000%, and the message says how to
write 60%.

A parser returns a :class:`Parsed`: the value (or ``None`` for a blank cell) and at most
one message. ``usable`` is false when the value could not be read at all; a value that
was read but is out of range (a share of 120%) stays usable, so the checks across rows
can still run and report their own findings elsewhere.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from fiscal.excel.sheet_layout import Column
from fiscal.rules.types import GROWTH_MAX, GROWTH_MIN

EXACT_LIMIT = 2**53  # a spreadsheet number holds whole won exactly only below this
_ID = re.compile(r"[a-z0-9][a-z0-9_\-]*")
_DATE = re.compile(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})\.?")
_NUMBER = re.compile(r"[-+]?(\d+(\.\d*)?|\.\d+)")
# Currency marks a person may type around won: "₩1,000", "1,000원", "1000 KRW".
_CURRENCY = re.compile(r"^\s*₩\s*|\s*(?:원|KRW|krw)\s*$")
_DIGITS = frozenset("0123456789")
_SPACES = frozenset(" \u00a0\u202f")
_MARKS = frozenset(",.") | _SPACES
# Digits grouped by three with one mark, e.g. 1,234,567 (which mark is checked apart).
_GROUPED = re.compile(r"\d{1,3}(?:[,. \u00a0\u202f]\d{3})+")
NONE_WORD = "none"


@dataclass(frozen=True)
class Parsed:
    """What one cell was read as.

    - ``value``: the value its column expects (won as int, a share as Decimal); None if blank.
    - ``message``: what could not be read or is out of range, said to the person who typed it.
    - ``usable``: false when no value could be read at all.
    """

    value: Any = None
    message: str | None = None
    usable: bool = True

    @property
    def blank(self) -> bool:
        """Whether the cell was empty: no value and nothing to say."""
        return self.value is None and self.message is None


BLANK = Parsed()


def fail(message: str) -> Parsed:
    """A cell that could not be read at all, with the reason."""
    return Parsed(None, message, usable=False)


def is_blank(raw: Any) -> bool:
    """Whether a raw cell is empty or only spaces."""
    return raw is None or (isinstance(raw, str) and not raw.strip())


def text_of(raw: Any) -> str | None:
    """A cell as text: trimmed, line ends normalised; numbers as Excel shows them."""
    if is_blank(raw):
        return None
    if isinstance(raw, str):
        return raw.replace("\r\n", "\n").replace("\r", "\n").strip()
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, int):
        return str(raw)
    if isinstance(raw, float):
        return format(raw, ".15g") if not raw.is_integer() else str(int(raw))
    if isinstance(raw, datetime):
        return raw.date().isoformat() if raw.time() == time() else raw.isoformat(sep=" ")
    if isinstance(raw, date):
        return raw.isoformat()
    return str(raw).strip()


def decimal_of_number(raw: float | int) -> Decimal:
    """A spreadsheet number as the decimal a person typed: Excel keeps 15 significant digits,
    so 0.1 + 0.2 reads as 0.3 and 0.35 as exactly 0.35."""
    if isinstance(raw, int):
        return Decimal(raw)
    return Decimal(format(raw, ".15g"))


def parse(column: Column, raw: Any, *, allow_none: bool = False) -> Parsed:
    """Read ``raw`` (a value from the workbook reader) as ``column`` expects."""
    if is_blank(raw):
        return BLANK
    if allow_none and isinstance(raw, str) and raw.strip().lower() == NONE_WORD:
        return Parsed(NONE_WORD)
    if isinstance(raw, timedelta | time):
        return fail(f"expected {_expected(column)}, got a time of day or duration")
    if isinstance(raw, float) and not math.isfinite(raw):
        # Excel never saves one; a file written by another program can, and every later
        # comparison with it would be false.
        what = "NaN (not a number)" if math.isnan(raw) else "an infinite number"
        return fail(f"expected {_expected(column)}, got {what}; type the value")
    kind = column.kind
    if kind in ("text", "param"):
        text = text_of(raw)
        if isinstance(raw, bool):
            return fail(f"expected text, got {text}")
        return Parsed(text)
    if kind == "id":
        return _id(raw)
    if kind == "enum":
        return _enum(column, raw)
    if kind == "date":
        return _date(raw)
    if kind == "year":
        return _year(raw)
    if kind == "won":
        return _won(column, raw)
    if kind in ("share", "rate"):
        return _ratio(column, raw)
    raise AssertionError(kind)  # pragma: no cover


def _expected(column: Column) -> str:
    return {
        "id": "an id",
        "text": "text",
        "param": "a parameter name",
        "enum": "one of the listed values",
        "date": "a date such as 2025-03-20",
        "year": "a year such as 2025",
        "won": _whole(column),
        "share": "a percentage such as 60% or 0.6",
        "rate": "a percentage such as 3% or 0.03",
    }[column.kind]


def _id(raw: Any) -> Parsed:
    if isinstance(raw, bool | date):
        return fail(f"expected an id, got {text_of(raw)}")
    text = text_of(raw)
    assert text is not None
    if _ID.fullmatch(text) and len(text) <= 80:
        return Parsed(text)
    hint = ""
    lowered = re.sub(r"\s+", "-", text.lower())
    if lowered != text and _ID.fullmatch(lowered):
        hint = f" (did you mean {lowered!r}?)"
    return fail(
        f"{text!r} is not a valid id: use lowercase letters, digits, '_' and '-', "
        f"starting with a letter or digit{hint}"
    )


def _enum(column: Column, raw: Any) -> Parsed:
    # The closed list itself is checked by the caller, which knows it (regions, statuses);
    # capitals are forgiven because every listed value is lowercase.
    text = text_of(raw)
    assert text is not None
    return Parsed(text.lower() if isinstance(raw, str) and text.isascii() else text)


def _date(raw: Any) -> Parsed:
    if isinstance(raw, datetime):
        if raw.time() != time():
            return fail(f"expected a date such as 2025-03-20, got a date and time {raw}")
        return Parsed(raw.date())
    if isinstance(raw, date):
        return Parsed(raw)
    if isinstance(raw, bool | int | float):
        return fail(
            f"expected a date such as 2025-03-20, got the number {text_of(raw)}; "
            "type the date or format the cell as a date"
        )
    text = text_of(raw)
    assert text is not None
    match = _DATE.fullmatch(text)
    if match is None:
        return fail(f"expected a date such as 2025-03-20, got {text!r}")
    try:
        return Parsed(date(int(match[1]), int(match[2]), int(match[3])))
    except ValueError:
        return fail(f"{text!r} is not a real date")


def _year(raw: Any) -> Parsed:
    if isinstance(raw, bool | date):
        return fail(f"expected a year such as 2025, got {text_of(raw)}")
    if isinstance(raw, float) and not raw.is_integer():
        return fail(f"expected a year such as 2025, got {text_of(raw)}")
    text = text_of(raw)
    assert text is not None
    if not re.fullmatch(r"\d{1,4}", text):
        return fail(f"expected a year such as 2025, got {text!r}")
    year = int(text)
    if not 1900 <= year <= 2200:
        return Parsed(year, f"year {year} is outside 1900-2200")
    return Parsed(year)


def _whole(column: Column) -> str:
    # The year columns of the inputs hold won or counts (a population), by the row's unit.
    return "a whole number" if column.key == "value" else "a whole number of won"


def _won(column: Column, raw: Any) -> Parsed:
    if isinstance(raw, bool | date):
        return fail(f"expected {_whole(column)}, got {text_of(raw)}")
    if isinstance(raw, int | float):
        if isinstance(raw, float) and not raw.is_integer():
            return fail(
                f"expected {_whole(column)}, got {text_of(raw)}: a whole number has no decimal part"
            )
        if abs(raw) >= EXACT_LIMIT:
            return fail(
                f"{column.noun} {text_of(raw)} is too large for a spreadsheet number to hold "
                "to the won; type it as text (e.g. '12,345,678,901,234,567)"
            )
        amount = int(raw)
    else:
        read = whole_number_text(str(raw))
        if isinstance(read, str):
            return fail(read.replace("a whole number", _whole(column)))
        amount = read
    if amount < 0:
        return Parsed(amount, f"{column.noun} {amount:,} is negative; expected 0 or more")
    return Parsed(amount)


def whole_number_text(typed: str) -> int | str:
    """A whole number typed as text, or why it cannot be read as exactly one.

    Thousands separators are read only where they group by three from the right, the same
    mark throughout (``1,234,567``, ``1.234.567``, ``1 234 567``). A decimal mark is never
    read in a whole number: ``9285,5`` is not 92,855. A single mark before three digits
    (``20.000``, ``1,234``) is a thousands separator in Korea and a decimal mark in much of
    Europe, so it is refused with both readings rather than guessed.
    """
    text = typed.strip()
    shown = repr(text)
    body = _CURRENCY.sub("", text)
    sign = ""
    if body[:1] in "+-" and body:
        sign, body = body[:1], body[1:].strip()
    if not body or body[0] not in _DIGITS or body[-1] not in _DIGITS:
        return f"expected a whole number, got {shown}"
    marks = {m for m in body if m not in _DIGITS}
    if not marks:
        return int(sign + body)
    if not marks <= _MARKS:
        return f"expected a whole number, got {shown}"
    groups = _GROUPED.fullmatch(body)
    if groups is not None and len(marks) == 1:
        digits = "".join(d for d in body if d in _DIGITS)
        if body.count(next(iter(marks))) > 1 or next(iter(marks)) in _SPACES:
            return int(sign + digits)
        # One mark before three digits: thousands or a decimal part?
        decimal = Decimal(sign + body.replace(",", ".")).normalize()
        return (
            f"{shown} could be {sign}{digits} or {decimal:f} (the mark read as thousands or as "
            f"decimals); type {sign}{digits} without separators, or the number you meant"
        )
    last = max(body.rfind("."), body.rfind(","))
    head, fraction = body[:last], body[last + 1 :]
    head_marks = {m for m in head if m not in _DIGITS}
    head_ok = not head_marks or (
        len(head_marks) == 1 and body[last] not in head_marks and _GROUPED.fullmatch(head)
    )
    if fraction and set(fraction) <= _DIGITS and head_ok:
        return (
            f"expected a whole number, got {shown}: {body[last]!r} here marks a decimal "
            "part, which a whole number does not have (thousands are grouped by three: "
            "1,234,567)"
        )
    return (
        f"expected a whole number, got {shown}: thousands separators must group the digits "
        "by three from the right, with one mark throughout (1,234,567 or 1.234.567)"
    )


def percent(value: Decimal) -> str:
    """A ratio as a percentage, exactly: 0.125 -> 12.5%."""
    return f"{(value * 100).normalize():f}%"


def _ratio(column: Column, raw: Any) -> Parsed:
    typed_percent = False
    if isinstance(raw, bool | date):
        return fail(f"expected {_expected(column)}, got {text_of(raw)}")
    if isinstance(raw, int | float):
        value = decimal_of_number(raw)
    else:
        text = str(raw).strip().replace(" ", "").replace("\u00a0", "")
        typed_percent = text.endswith("%")
        number = text.removesuffix("%")
        if not _NUMBER.fullmatch(number):
            return fail(f"expected {_expected(column)}, got {str(raw).strip()!r}")
        try:
            value = Decimal(number)
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            return fail(f"expected {_expected(column)}, got {str(raw).strip()!r}")
        if typed_percent:
            value = value / 100
    value = value.normalize() if value == 0 else value
    hint = "" if typed_percent else f"; write {_hint(value)}"
    if column.kind == "share":
        if value < 0:
            return Parsed(value, f"{column.noun} {percent(value)} is below 0%")
        if value > 1:
            return Parsed(value, f"{column.noun} {percent(value)} is above 100%{hint}")
    elif not GROWTH_MIN < value <= GROWTH_MAX:  # the bounds the YAML files are held to
        return Parsed(
            value,
            f"{column.noun} {percent(value)} a year is out of range "
            f"({percent(GROWTH_MIN)} to {percent(GROWTH_MAX)}){hint}",
        )
    return Parsed(value)


def _hint(value: Decimal) -> str:
    """How to type what a person who wrote ``60`` for 60% probably meant."""
    return f"{value.normalize():f}% or {(value / 100).normalize():f} if you meant that"
