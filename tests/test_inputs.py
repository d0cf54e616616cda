"""Input data: the national forecast and regional indicators, checked and extended by growth.

A series may stop before the last projection year and say how it grows; later years
grow from the last given value with exact compounding, rounded half to even once.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fiscal.engine.projection import project
from fiscal.errors import Problem, UserError
from fiscal.rules.input_files import check_inputs, load_inputs
from fiscal.rules.inputs import extend, national_array, regional_array
from fiscal.rules.loader import load_ruleset
from tests.conftest import BUNDLED_INPUTS, BUNDLED_RULES

YEARS = list(range(2025, 2031))

INDICATOR = """\
label: {en: Resident population, ko: 주민등록인구}
unit: count
status: illustrative
source: written for a test
values:
  seoul:
    2025: 9331828
    2026: 9285169
"""


def write_inputs(root: Path, national: str, regional: dict[str, str] | None = None) -> Path:
    """An inputs folder with the given national.yaml and regional/<name>.yaml texts."""
    (root / "regional").mkdir(parents=True)
    (root / "national.yaml").write_text(national, encoding="utf-8")
    for name, text in (regional or {"population": INDICATOR}).items():
        (root / "regional" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return root


def national(values: dict[int, int], growth: str | None = None) -> str:
    lines = [
        "description: National forecast written for a test",
        "series:",
        "  vat_base:",
        "    label: {en: VAT base, ko: 부가가치세}",
        "    status: illustrative",
        "    source: written for a test",
    ]
    if growth is not None:
        lines.append(f"    growth: {growth}")
    lines.append("    values:")
    lines += [f"      {year}: {amount}" for year, amount in values.items()]
    return "\n".join(lines) + "\n"


def line_of(path: Path, fragment: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    found = [n for n, line in enumerate(lines, start=1) if fragment in line]
    assert len(found) == 1, found
    return found[0]


def at(problems: list[Problem], path: Path) -> list[tuple[int, str]]:
    return [
        (p.where.line, p.message)
        for p in problems
        if Path(p.where.file).resolve() == path.resolve()
    ]


# --- the bundled example ---------------------------------------------------------------------


def test_the_bundled_inputs_have_no_problems_and_cover_every_region_and_year() -> None:
    inputs, problems = check_inputs(BUNDLED_INPUTS)
    assert problems == []
    assert inputs is not None
    ruleset = load_ruleset(BUNDLED_RULES)
    for indicator in inputs.regional:
        array, missing = regional_array(inputs, indicator, ruleset.region_ids, YEARS)
        assert missing is None
        assert array is not None and array.shape == (17, len(YEARS))
        assert (array >= 0).all()
    for series in inputs.national:
        array, missing = national_array(inputs, series, YEARS)
        assert missing is None and array is not None


# --- growth past the last given year ---------------------------------------------------------


def test_a_series_grows_past_its_last_year_by_exact_compounding(tmp_path: Path) -> None:
    written = {2025: 105_500_000_000_000, 2026: 109_192_500_000_001}
    root = write_inputs(tmp_path / "inputs", national(written, "0.035"))
    inputs = load_inputs(root)
    array, missing = national_array(inputs, "vat_base", YEARS)
    assert missing is None and array is not None
    last, growth = written[2026], 1 + Fraction(35, 1000)
    assert array.tolist() == [
        written[2025],
        last,
        *(round(last * growth**k) for k in range(1, 5)),
    ]


def test_growth_is_rounded_once_from_the_last_given_value_not_year_by_year(
    tmp_path: Path,
) -> None:
    # 1 won growing 50% a year: exactly 1.5, 2.25, 3.375, 5.0625 -> 2, 2, 3, 5.
    # Rounding each year would give 2, 3, 4 (4.5 to even), 6: errors pile up.
    root = write_inputs(tmp_path / "inputs", national({2025: 1}, "0.5"))
    array, _ = national_array(load_inputs(root), "vat_base", list(range(2025, 2030)))
    assert array is not None
    assert array.tolist() == [1] + [round(Fraction(3, 2) ** k) for k in range(1, 5)]
    year_by_year = [1]
    for _ in range(4):
        year_by_year.append(round(year_by_year[-1] * Fraction(3, 2)))
    assert array.tolist() != year_by_year


@settings(max_examples=150, deadline=None)
@given(
    first=st.integers(min_value=2000, max_value=2030),
    given_values=st.lists(st.integers(min_value=0, max_value=10**15), min_size=1, max_size=5),
    growth=st.integers(min_value=-500, max_value=2000).map(lambda n: Decimal(n).scaleb(-4)),
    beyond=st.integers(min_value=0, max_value=25),
)
def test_extension_is_exact_for_any_growth_rate(
    first: int, given_values: list[int], growth: Decimal, beyond: int
) -> None:
    values = {first + i: v for i, v in enumerate(given_values)}
    last = max(values)
    years = list(range(first, last + beyond + 1))
    out, missing = extend(values, growth, years)
    assert missing is None and out is not None
    factor = 1 + Fraction(str(growth))
    want = [values[y] if y in values else round(values[last] * factor ** (y - last)) for y in years]
    assert out == want


def test_without_growth_a_series_cannot_reach_past_its_last_year(tmp_path: Path) -> None:
    root = write_inputs(tmp_path / "inputs", national({2025: 100, 2026: 110}))
    array, missing = national_array(load_inputs(root), "vat_base", [2026, 2027])
    assert array is None
    assert missing is not None
    assert "no value for 2027" in missing and "values end in 2026" in missing
    assert "growth rate" in missing


def test_growth_never_invents_years_before_the_first(tmp_path: Path) -> None:
    root = write_inputs(tmp_path / "inputs", national({2025: 100}, "0.03"))
    array, missing = national_array(load_inputs(root), "vat_base", [2024, 2025])
    assert array is None
    assert missing is not None and "no value for 2024 (values start in 2025)" in missing


def test_a_projection_past_the_data_names_the_series_that_runs_out(inputs_copy: Path) -> None:
    path = inputs_copy / "national.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("    growth: 0.035\n") == 1
    path.write_text(text.replace("    growth: 0.035\n", ""), encoding="utf-8")
    ruleset = load_ruleset(BUNDLED_RULES)
    inputs = load_inputs(inputs_copy)
    project(ruleset, inputs, YEARS)  # the given years are still fine
    with pytest.raises(UserError) as raised:
        project(ruleset, inputs, [*YEARS, 2031])
    assert "vat_base" in str(raised.value) and "2031" in str(raised.value)


# --- mistakes in the input files -------------------------------------------------------------


def test_a_gap_in_the_years_of_a_national_series_is_reported(tmp_path: Path) -> None:
    root = write_inputs(tmp_path / "inputs", national({2025: 100, 2026: 110, 2029: 140}))
    _, problems = check_inputs(root)
    path = root / "national.yaml"
    assert at(problems, path) == [
        (line_of(path, "    values:"), "years must have no gaps; missing 2027, 2028")
    ]


def test_a_gap_in_the_years_of_a_regional_indicator_is_reported_at_its_region(
    tmp_path: Path,
) -> None:
    indicator = INDICATOR + "  busan:\n    2025: 3266598\n    2027: 3227516\n"
    root = write_inputs(tmp_path / "inputs", national({2025: 1}), {"population": indicator})
    _, problems = check_inputs(root)
    path = root / "regional" / "population.yaml"
    assert at(problems, path) == [
        (line_of(path, "busan:"), "years must have no gaps; missing 2026")
    ]


def test_years_out_of_order_are_reported(tmp_path: Path) -> None:
    root = write_inputs(tmp_path / "inputs", national({2026: 110, 2025: 100}))
    _, problems = check_inputs(root)
    [(line, message)] = at(problems, root / "national.yaml")
    assert "increasing order" in message
    assert line == line_of(root / "national.yaml", "    values:")


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        ('"1000"', "whole number of won"),
        ("1_000", "whole number of won"),
        ("1000.5", "whole number of won"),
        ("-5", "at least 0 won"),
    ],
)
def test_an_amount_that_is_not_whole_non_negative_won_is_reported_at_its_line(
    tmp_path: Path, amount: str, words: str
) -> None:
    text = national({2025: 100}).replace("2025: 100", f"2025: {amount}")
    root = write_inputs(tmp_path / "inputs", text)
    _, problems = check_inputs(root)
    [(line, message)] = at(problems, root / "national.yaml")
    assert line == line_of(root / "national.yaml", "2025:")
    assert words in message


def test_an_unknown_region_in_an_indicator_stops_the_projection_naming_the_file(
    inputs_copy: Path,
) -> None:
    path = inputs_copy / "regional" / "population.yaml"
    with path.open("a", encoding="utf-8") as f:
        f.write("  tamna:\n" + "".join(f"    {y}: 1000\n" for y in YEARS))
    inputs, problems = check_inputs(inputs_copy)
    assert problems == []  # the inputs alone do not know the ruleset's regions
    assert inputs is not None
    with pytest.raises(UserError) as raised:
        project(load_ruleset(BUNDLED_RULES), inputs, YEARS)
    [problem] = raised.value.problems
    assert Path(problem.where.file).resolve() == path.resolve()
    assert problem.where.line == line_of(path, "tamna:")
    assert "unknown region 'tamna'" in problem.message and "population" in problem.message


def test_a_region_missing_from_an_indicator_stops_the_projection(inputs_copy: Path) -> None:
    path = inputs_copy / "regional" / "population.yaml"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line == "  jeju:\n")
    end = next((i for i in range(start + 1, len(lines)) if not lines[i].startswith("    ")), None)
    path.write_text("".join(lines[:start] + (lines[end:] if end else [])), encoding="utf-8")
    with pytest.raises(UserError) as raised:
        project(load_ruleset(BUNDLED_RULES), load_inputs(inputs_copy), YEARS)
    assert "'population' has no values for region 'jeju'" in str(raised.value)
