"""A whole number that cannot be read is described in its file's unit: a negative
population is "a count of at least 0", not "an amount of at least 0 won"; a tax is
still won. Each case breaks one value of a real copy of the bundled inputs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fiscal.rules.input_files import check_inputs
from tests.conftest import BUNDLED_INPUTS


def _broken(tmp_path: Path, name: str, value: str) -> tuple[Path, list[str]]:
    root = tmp_path / "inputs"
    shutil.copytree(BUNDLED_INPUTS, root, ignore=shutil.ignore_patterns("*.py", "scenarios"))
    path = root / "regional" / name
    text = path.read_text(encoding="utf-8")
    first = next(line for line in text.splitlines() if line.startswith("    2025: "))
    path.write_text(text.replace(first, f"    2025: {value}", 1), encoding="utf-8")
    _, problems = check_inputs(root)
    return path, [p.message for p in problems if p.where.file == str(path)]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("population.yaml", "-5", "expected a count of at least 0, got -5"),
        ("local_tax.yaml", "-5", "expected an amount of at least 0 won, got -5"),
        ("population.yaml", '"9331828"', "expected a whole number, got text '9331828'"),
        ("local_tax.yaml", '"1000"', "expected a whole number of won, got text '1000'"),
        ("population.yaml", "1.5", "expected a whole number, got 1.5"),
        ("population.yaml", "1e23", "1E+23 is beyond the largest amount fiscal holds"),
        ("local_tax.yaml", "1e23", "1E+23 won is beyond the largest amount fiscal holds"),
    ],
)
def test_a_bad_whole_number_is_described_in_the_unit_of_its_file(
    tmp_path: Path, name: str, value: str, message: str
) -> None:
    _, messages = _broken(tmp_path, name, value)
    assert len(messages) == 1, messages
    assert messages[0].startswith(message)
    if name == "population.yaml":
        assert "won" not in messages[0]
