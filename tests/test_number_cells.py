"""Whole numbers typed into won and count cells: read exactly, or refused with both readings.

A person types ``20.000`` meaning twenty thousand (a German habit) or twenty (a decimal);
``9285,5`` is a population with a decimal comma. Neither may become another number in
silence: thousands separators are read only where they group by three with one mark
throughout, a decimal mark is refused in a whole-won cell, and a single mark before three
digits is refused naming both readings.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fiscal.excel.cells import parse, whole_number_text
from fiscal.excel.sheet_layout import Column

WON = Column("total_krw", "won", "", "", what="total")
VALUE = Column("value", "won", "", "", what="value")
SHARE = Column("share", "share", "", "")


def grouped(n: int, mark: str) -> str:
    digits = str(abs(n))
    groups = []
    while digits:
        groups.append(digits[-3:])
        digits = digits[:-3]
    return ("-" if n < 0 else "") + mark.join(reversed(groups))


@given(st.integers(min_value=-(10**18), max_value=10**18), st.sampled_from([",", ".", " "]))
def test_every_whole_number_reads_back_from_each_way_of_writing_it(n: int, mark: str) -> None:
    assert whole_number_text(str(n)) == n
    text = grouped(n, mark)
    read = whole_number_text(text)
    if text.count(mark) == 1 and mark != " ":
        # One mark before three digits is also a decimal: refused, naming n as one reading.
        assert isinstance(read, str)
        assert f"could be {n}" in read
    else:
        assert read == n


@given(st.integers(min_value=0, max_value=10**15), st.integers(min_value=1, max_value=99))
def test_a_decimal_part_is_never_read_into_the_number(n: int, fraction: int) -> None:
    for mark in (",", "."):
        read = whole_number_text(f"{n}{mark}{fraction}")
        assert isinstance(read, str), read


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("20.000", "'20.000' could be 20000 or 20"),
        ("1,234", "'1,234' could be 1234 or 1.234"),
        ("20000000000,5", "',' here marks a decimal part"),
        ("1,234,567.89", "'.' here marks a decimal part"),
        ("1.234.567,00", "',' here marks a decimal part"),
        ("1,23,456", "must group the digits by three"),
        ("1,234.567.890", "must group the digits by three"),
        ("1e6", "expected a whole number of won, got '1e6'"),
    ],
)
def test_a_won_cell_that_could_be_read_two_ways_is_refused(typed: str, words: str) -> None:
    parsed = parse(WON, typed)
    assert not parsed.usable
    assert parsed.message is not None and words in parsed.message


def test_a_population_with_a_decimal_comma_is_not_a_whole_number() -> None:
    parsed = parse(VALUE, "9285,5")
    assert not parsed.usable
    assert parsed.message is not None
    assert "expected a whole number, got '9285,5'" in parsed.message


@pytest.mark.parametrize(
    ("typed", "amount"),
    [("1,234,567", 1234567), ("1.234.567", 1234567), ("₩1,000,000", 1000000),
     ("150,000,000,000원", 150000000000), ("1 234 567", 1234567), ("2000 KRW", 2000)],
)  # fmt: skip
def test_correctly_grouped_won_is_read(typed: str, amount: int) -> None:
    assert parse(WON, typed).value == amount


@pytest.mark.parametrize("raw", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("column", [WON, VALUE, SHARE])
def test_nan_or_infinity_in_a_number_cell_is_refused(raw: float, column: Column) -> None:
    parsed = parse(column, raw)
    assert not parsed.usable
    assert parsed.message is not None and "type the value" in parsed.message


def test_a_number_cell_with_a_fraction_is_not_whole_won() -> None:
    parsed = parse(WON, 20000.5)
    assert not parsed.usable
    assert parsed.message == (
        "expected a whole number of won, got 20000.5: a whole number has no decimal part"
    )
