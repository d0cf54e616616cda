"""Money in a display unit is the exact won rounded once, and an affordability share
never reads the same as its limit unless it is the limit."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given
from hypothesis import strategies as st

from fiscal.report.fitted import UNITS
from fiscal.report.terminal import share_against_limit

WON = st.integers(min_value=-(10**17), max_value=10**17)


@given(WON, st.sampled_from(sorted(UNITS)))
def test_a_unit_shows_the_won_rounded_half_away_from_zero(won: int, name: str) -> None:
    unit = UNITS[name]
    exact = (Decimal(abs(won)) / unit.divisor).quantize(
        Decimal(1).scaleb(-unit.decimals), rounding=ROUND_HALF_UP
    )
    expected = f"{exact:,.{unit.decimals}f}"
    if won < 0 and exact:
        expected = "-" + expected
    assert unit.show(won) == expected
    assert unit.show(won, signed=True).lstrip("+") == expected.lstrip("+")


def test_won_is_exact_and_says_so() -> None:
    assert UNITS["won"].show(46_763_183_795_540) == "46,763,183,795,540"
    assert UNITS["won"].title() == "won"
    assert UNITS["billion"].title().endswith(", rounded")


def test_a_flagged_share_and_an_unflagged_one_never_read_alike() -> None:
    assert share_against_limit(0.0021, 0.002) == ("0.21%", "0.20%")
    assert share_against_limit(0.0019, 0.002)[0] == "0.19%"
    # Just over the limit: more decimals until it differs from the limit.
    shown, limit = share_against_limit(0.0020004, 0.002)
    assert limit == "0.20%" and shown != "0.20%" and shown.startswith("0.2000")


@given(st.floats(min_value=0, max_value=1), st.floats(min_value=0.0001, max_value=1))
def test_a_share_reads_as_its_limit_only_when_it_is_the_limit(share: float, limit: float) -> None:
    shown, _ = share_against_limit(share, limit)
    if share != limit and abs(share - limit) > 1e-9:
        decimals = len(shown.split(".")[1]) - 1
        assert shown != f"{100 * limit:.{decimals}f}%"


def test_a_folding_column_never_loses_text_at_the_table_edge() -> None:
    # rich, left to size a folding column itself, gave the last column more room than the
    # table had and cropped "VAT Act art. 72 as amended (test)" at the edge, unmarked.
    from rich.console import Console

    from fiscal.report.fitted import Col, Fitted

    table = Fitted("T", [Col("A", "key", "left"), Col("Where", "text", "left"),
                         Col("Reference", "text", "left")])  # fmt: skip
    where = "rules/korea/parameters/local_consumption_tax/vat_share.yaml:15 @ d6d8836"
    table.add("d6d8836", where, "VAT Act art. 72 as amended (test)")
    for width in (60, 90, 120):
        console = Console(width=width, color_system=None, record=True)
        console.print(table)
        # Nothing lost: every word is there (one longer than the width may fold, but whole).
        shown = "".join(console.export_text().split())
        for word in [*where.split(), *["VAT", "Act", "art.", "72", "as", "amended", "(test)"]]:
            assert word in shown, (width, word, shown)
