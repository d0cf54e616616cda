"""`fiscal validate` is as strict as `fiscal project`: whatever inputs a projection
refuses, validation refuses too, so a pre-commit hook never passes inputs that cannot
be projected. Each case breaks a real copy of the bundled inputs."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from fiscal import api as fiscal
from fiscal.errors import UserError
from tests.conftest import BUNDLED_INPUTS, BUNDLED_RULES


def _edit(name: str, old: str, new: str) -> Callable[[Path], None]:
    def change(inputs: Path) -> None:
        path = inputs / name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    return change


def _remove_series(inputs: Path) -> None:
    path = inputs / "national.yaml"
    text = path.read_text(encoding="utf-8")
    start, end = text.index("  internal_tax:\n"), text.index("  national_tax_gross:\n")
    path.write_text(text[:start] + text[end:], encoding="utf-8")


def _rename_yml(inputs: Path) -> None:
    (inputs / "regional/population.yaml").rename(inputs / "regional/population.yml")


BROKEN: dict[str, Callable[[Path], None]] = {
    "a region missing from an indicator": _edit(
        "regional/local_tax.yaml", "  seoul:\n", "  elsewhere:\n"
    ),
    "a national series the rules need removed": _remove_series,
    "an indicator named .yml": _rename_yml,
    "population 0": _edit("regional/population.yaml", "    2025: 9331828", "    2025: 0"),
    "won beyond int64": _edit("national.yaml", "2025: 105500000000000", "2025: 10" + "0" * 20),
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_validate_refuses_what_project_refuses(name: str, tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    shutil.copytree(BUNDLED_INPUTS, inputs, ignore=shutil.ignore_patterns("*.py", "scenarios"))
    BROKEN[name](inputs)
    with pytest.raises(UserError) as refused:
        fiscal.project(BUNDLED_RULES, inputs)  # the inputs' years, as validate checks them
    validation = fiscal.validate(BUNDLED_RULES, inputs)
    assert validation.problems, f"project refused ({refused.value.problems}) but validate passed"


def test_validate_passes_the_bundled_inputs() -> None:
    assert not fiscal.validate(BUNDLED_RULES, BUNDLED_INPUTS).problems
