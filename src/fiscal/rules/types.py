"""Value types shared by every rule file model.

They are strict where YAML is loose: a number must be written as a number (``"0.5"``
in quotes or ``1_000`` is refused), money is a whole number of won, dates are ISO
``YYYY-MM-DD``. Each failure says what was expected in a budget officer's words.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, Strict, ValidationInfo

from fiscal.ids import ID_PATTERN

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ID = ID_PATTERN  # the one id check: a file name made from an id is checked with it too


def _number(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(f"expected a number, got {str(value).lower()}")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"expected a finite number, got {value}")
        return value
    if isinstance(value, str):
        hint = " (write numbers without underscores or quotes)" if value.strip() else ""
        raise ValueError(f"expected a number, got text {value!r}{hint}")
    raise ValueError(f"expected a number, got {type(value).__name__}")


MAX_WON = 2**63 - 1
"""The largest amount the engine's whole-won int64 arrays hold."""

YEAR_MIN, YEAR_MAX = 1900, 2200
"""The years an input may give and a projection may reach."""

GROWTH_MIN, GROWTH_MAX = Decimal(-1), Decimal(1)
"""A yearly growth rate lies in (-100%, 100%]: -100% or less would make an amount zero or
negative, more than doubling a year is a typing slip (3 for 3%). The Excel templates
check the same bounds (``excel/cells.py``)."""


def _words(info: ValidationInfo) -> tuple[str, str, str]:
    """How a whole number is named in a message, by the ``unit:`` of the file it is in
    (validated before its values): what is expected, its unit after a figure, and what
    "at least 0" applies to. A file without a unit (an agreement) holds won."""
    unit = info.data.get("unit") if isinstance(info.data, dict) else None
    if unit is None or unit == "krw":
        return "a whole number of won", " won", "an amount"
    if unit == "krw_per_person":
        return "a whole number of won per person", " won per person", "an amount"
    if unit == "count":
        return "a whole number", "", "a count"
    return "a whole number", "", "a whole number"


def _won(value: Any, info: ValidationInfo) -> int:
    expected, unit, _ = _words(info)
    if isinstance(value, bool) or not isinstance(value, int | Decimal | float):
        if isinstance(value, str):
            raise ValueError(
                f"expected {expected}, got text {value!r} "
                "(write digits only: no quotes, commas or underscores)"
            )
        raise ValueError(f"expected {expected}, got {type(value).__name__}")
    if not isinstance(value, int):
        # 1e11, 1.0e11 and 100000000000.0 are decimals in YAML: an amount of won is
        # written as the digits of a whole number, so what is read is what is meant.
        number = _number(value)
        if number != number.to_integral_value():
            raise ValueError(f"expected {expected}, got {number}")
        if abs(number) > MAX_WON:
            raise ValueError(
                f"{value}{unit} is beyond the largest amount fiscal holds ({MAX_WON:,})"
            )
        digits = f"{int(number)}"
        raise ValueError(f"expected {expected} written in digits, got {value}; write {digits}")
    if abs(value) > MAX_WON:
        raise ValueError(f"{value:,}{unit} is beyond the largest amount fiscal holds ({MAX_WON:,})")
    return value


def _iso_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a real date") from exc
    raise ValueError(f"expected a date written YYYY-MM-DD, got {value!r}")


def _year(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected a year such as 2025, got {value!r}")
    if not YEAR_MIN <= value <= YEAR_MAX:
        raise ValueError(f"year {value} is outside {YEAR_MIN}-{YEAR_MAX}")
    return value


def _non_negative(value: int, info: ValidationInfo) -> int:
    if value < 0:
        _, unit, what = _words(info)
        raise ValueError(f"expected {what} of at least 0{unit}, got {value}")
    return value


def _growth(value: Decimal) -> Decimal:
    if not GROWTH_MIN < value <= GROWTH_MAX:
        hint = f" (for {value}% write {value / 100})" if 1 < abs(value) <= 100 else ""
        raise ValueError(
            f"growth {value} a year is out of range: expected more than {GROWTH_MIN} "
            f"and at most {GROWTH_MAX} (0.03 = 3%){hint}"
        )
    return value


Number = Annotated[Decimal, BeforeValidator(_number)]
GrowthRate = Annotated[Decimal, BeforeValidator(_number), AfterValidator(_growth)]
Flag = Annotated[bool, Strict()]
"""A yes/no setting: only ``true`` or ``false`` (not YAML 1.1's yes/on, nor 1 or "true")."""
Won = Annotated[int, BeforeValidator(_won)]
NonNegativeWon = Annotated[int, BeforeValidator(_won), AfterValidator(_non_negative)]
IsoDate = Annotated[date, BeforeValidator(_iso_date)]
Year = Annotated[int, BeforeValidator(_year)]
Id = Annotated[str, Field(pattern=_ID, min_length=1, max_length=80)]
Text = Annotated[str, Field(min_length=1)]


class Unit(StrEnum):
    """What a number measures; checked where the number is used."""

    krw = "krw"  # whole won
    ratio = "ratio"  # a share, between 0 and 1
    factor = "factor"  # a non-negative multiplier or weight, may exceed 1
    count = "count"  # type: ignore[assignment]  # people, units (shadows str.count)
    krw_per_person = "krw_per_person"


class Status(StrEnum):
    """How far a figure is backed by a published source."""

    confirmed = "confirmed"  # a published source backs it
    unconfirmed = "unconfirmed"  # believed right, no source found yet: check before relying on it
    illustrative = "illustrative"  # a plausible figure made up for the example


class RegionClass(StrEnum):
    """The class of a region, which several Korean formulas weight by."""

    capital = "capital"  # the capital area: Seoul, Incheon, Gyeonggi
    metropolitan = "metropolitan"  # non-capital metropolitan cities
    province = "province"
    special = "special"  # special self-governing city or province (Sejong, Jeju, Gangwon, Jeonbuk)
    # Basic local governments (기초자치단체), the second tier:
    city = "city"  # 시
    county = "county"  # 군
    district = "district"  # 자치구 of Seoul and the metropolitan cities


class Category(StrEnum):
    """Where a budget item counts in the fiscal ratios.

    - own_source: local taxes and non-tax revenue (자체수입): the numerator of fiscal independence.
    - general_grant: unconditional transfers (지방교부세 and alike): with own-source revenue, the
      numerator of fiscal autonomy (재정자주도).
    - specific_grant: earmarked transfers (국고보조금, agreement inflows).
    - other_revenue: carry-overs, bonds and other financing (보전수입, 지방채).
    - obligation: spending the region is bound to (co-funding); not revenue.
    """

    own_source = "own_source"
    general_grant = "general_grant"
    specific_grant = "specific_grant"
    other_revenue = "other_revenue"
    obligation = "obligation"


REVENUE_CATEGORIES = (
    Category.own_source,
    Category.general_grant,
    Category.specific_grant,
    Category.other_revenue,
)
