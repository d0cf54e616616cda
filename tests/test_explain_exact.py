"""``explain`` shows the quotas and rates it used exactly, never through a float.

A quota of 4,789,958,175,227.267769... won used to print as .267578 (a float has no
more digits there). Now the terminal shows the decimal rounded half to even from the
exact fraction, marked with ``≈`` when it is rounded, and JSON holds that decimal as a
string beside the fraction's numerator and denominator.
"""

from __future__ import annotations

import json
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from fiscal.report.explain import exact_number, number_text
from tests.conftest import run_fiscal

QUOTA = "quota = pool x key / sum of keys"


def _exact_from_json(value: dict[str, object]) -> Fraction:
    return Fraction(int(str(value["numerator"])), int(str(value["denominator"])))


def test_json_gives_each_quota_as_an_exact_decimal_and_its_fraction() -> None:
    for region, item in (
        ("seoul", "local_consumption_tax"),
        ("jeonnam", "local_shared_tax_ordinary"),
    ):
        done = run_fiscal("explain", region, "2026", item, "--format", "json")
        assert done.returncode == 0, done.stderr
        found = json.loads(done.stdout)
        steps = {s["step"]: s["value"] for s in found["steps"]}
        quota = steps[QUOTA]
        exact = _exact_from_json(quota)
        assert isinstance(quota["decimal"], str)
        assert abs(Fraction(quota["decimal"]) - exact) <= Fraction(1, 2 * 10**6)
        floor = steps["whole won of the quota (floor)"]
        assert floor == exact.numerator // exact.denominator
        assert floor + steps["won added by largest remainder"] == found["amount_krw"]


def test_the_terminal_prints_the_quota_rounded_from_the_fraction_not_a_float() -> None:
    done = run_fiscal("explain", "seoul", "2026", "local_consumption_tax", "--format", "json")
    quota = json.loads(done.stdout)["steps"][4]["value"]
    exact = _exact_from_json(quota)
    with localcontext() as ctx:
        ctx.prec = 60
        expected = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
            Decimal("0.000001"), rounding=ROUND_HALF_EVEN
        )
    text = run_fiscal("explain", "seoul", "2026", "local_consumption_tax")
    assert text.returncode == 0, text.stderr
    assert f"≈{expected:,}" in text.stdout
    assert f"{float(exact):,.6f}" == f"{expected:,}" or f"{float(exact):,.6f}" not in text.stdout


@given(st.integers(-(10**20), 10**20), st.integers(1, 10**12))
def test_the_decimal_is_the_fraction_rounded_half_to_even(numerator: int, denominator: int) -> None:
    value = Fraction(numerator, denominator)
    shown = exact_number(value)
    decimal = Fraction(shown["decimal"])
    assert abs(decimal - value) <= Fraction(1, 2 * 10**6)
    assert shown["exact"] == (decimal == value)
    assert Fraction(shown["numerator"], shown["denominator"]) == value
    if abs(decimal - value) == Fraction(1, 2 * 10**6):  # a tie: to the even last digit
        assert (decimal * 10**6).numerator % 2 == 0
    assert number_text(shown).startswith("≈") != shown["exact"]


def test_a_value_that_ends_within_six_decimals_is_shown_whole_and_exact() -> None:
    assert exact_number(Fraction(1, 8)) == {
        "decimal": "0.125",
        "exact": True,
        "numerator": 1,
        "denominator": 8,
    }
    assert number_text(exact_number(Fraction(-12345678, 100))) == "-123,456.78"
    assert number_text(exact_number(Fraction(2, 3))) == "≈0.666667"
