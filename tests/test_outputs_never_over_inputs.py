"""No command writes over a file it read in the same run, with or without --force.

``fiscal project --inputs I -o I/national.yaml --force`` used to replace an input with
a workbook and record the hash of the file it had just destroyed. Now every command
that writes (project, compare, sweep, diff -o, template, synth, import) is told what it
read — the ruleset and inputs folders in use, the scenario files, the workbook being
imported — and refuses to write over any of it or anywhere inside those folders,
comparing resolved paths (so a symlink cannot hide an input) and device and inode (so
a hard link cannot either).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.excel_helpers import copy_data, fingerprint, git, git_repo, run_cli

REFUSAL = "fiscal never writes over its own rules, inputs or scenarios"


@pytest.fixture
def data(tmp_path: Path) -> tuple[Path, Path]:
    return copy_data(tmp_path)


@pytest.fixture
def scenario(tmp_path: Path) -> Path:
    target = tmp_path / "lst.yaml"
    shutil.copy(REPO / "examples" / "korea-2025" / "scenarios" / "lst-rate-22pct.yaml", target)
    return target


def refused(done: object, before: dict[str, str], *folders: Path) -> None:
    code, err = done.code, done.err  # type: ignore[attr-defined]
    assert code == 1, err
    assert REFUSAL in err
    assert "Traceback" not in err
    assert fingerprint(*folders) == before


@pytest.mark.parametrize(
    "target",
    ["inputs/national.yaml", "rules/ruleset.yaml", "inputs/regional/new.xlsx", "rules/x.xlsx"],
)
def test_project_never_writes_over_or_into_its_rules_or_inputs_even_with_force(
    tmp_path: Path, data: tuple[Path, Path], target: str
) -> None:
    rules, inputs = data
    before = fingerprint(rules, inputs)
    done = run_cli(
        "project", "--rules", rules, "--inputs", inputs, "-o", tmp_path / target, "--force"
    )
    refused(done, before, rules, inputs)
    assert not (tmp_path / target).with_suffix(".xlsx").exists() or target.endswith(".yaml")


def test_project_never_writes_over_its_scenario_file(
    tmp_path: Path, data: tuple[Path, Path], scenario: Path
) -> None:
    rules, inputs = data
    before = fingerprint(rules, inputs, scenario.parent)
    done = run_cli(
        "project", "--rules", rules, "--inputs", inputs, "--scenario", scenario,
        "-o", scenario, "--force",
    )  # fmt: skip
    refused(done, before, rules, inputs, scenario.parent)
    assert f"is the scenario file {scenario}" in done.err.replace("\n", "")


def test_a_symlink_or_a_hard_link_to_an_input_does_not_pass_it_off_as_an_output(
    tmp_path: Path, data: tuple[Path, Path]
) -> None:
    rules, inputs = data
    outside = tmp_path / "out"
    outside.mkdir()
    os.symlink(inputs / "national.yaml", outside / "through-symlink.xlsx")
    os.link(inputs / "regional" / "population.yaml", outside / "hard-link.xlsx")
    os.symlink(rules, outside / "rules-link")
    before = fingerprint(rules, inputs)
    for target in ("through-symlink.xlsx", "hard-link.xlsx", "rules-link/out.xlsx"):
        done = run_cli(
            "project", "--rules", rules, "--inputs", inputs, "-o", outside / target, "--force"
        )
        refused(done, before, rules, inputs)


def test_compare_never_writes_over_a_scenario_it_compares(
    tmp_path: Path, data: tuple[Path, Path], scenario: Path
) -> None:
    rules, inputs = data
    before = fingerprint(rules, inputs, scenario.parent)
    done = run_cli(
        "compare", scenario, "--rules", rules, "--inputs", inputs, "-o", scenario, "--force"
    )
    refused(done, before, rules, inputs, scenario.parent)


def test_sweep_never_writes_into_its_inputs(tmp_path: Path, data: tuple[Path, Path]) -> None:
    rules, inputs = data
    before = fingerprint(rules, inputs)
    done = run_cli(
        "sweep", "--param", "local_consumption_tax.vat_share", "--values", "0.25,0.3",
        "--jobs", "1", "--rules", rules, "--inputs", inputs,
        "-o", inputs / "national.yaml", "--force",
    )  # fmt: skip
    refused(done, before, rules, inputs)


def test_template_never_writes_over_a_rule_file(tmp_path: Path, data: tuple[Path, Path]) -> None:
    rules, inputs = data
    before = fingerprint(rules, inputs)
    for kind in ("agreements", "inputs"):
        done = run_cli(
            "template", kind, "--prefill", "--rules", rules, "--inputs", inputs,
            "-o", rules / "ruleset.yaml", "--force",
        )  # fmt: skip
        refused(done, before, rules, inputs)


def test_diff_never_writes_its_workbook_over_a_rule_file(tmp_path: Path) -> None:
    repo, rules, inputs = git_repo(tmp_path)
    before = fingerprint(rules, inputs)
    done = run_cli(
        "diff", "HEAD", "WORKTREE", "--rules", rules, "--inputs", inputs,
        "-o", rules / "ruleset.yaml", "--force",
    )  # fmt: skip
    refused(done, before, rules, inputs)
    assert git(repo, "status", "--porcelain") == ""


def test_an_inputs_import_never_writes_into_the_ruleset_it_reads(tmp_path: Path) -> None:
    rules, _ = copy_data(tmp_path)
    inputs = rules / "inputs"  # an odd layout: the inputs kept inside the ruleset folder
    shutil.copytree(REPO / "examples" / "korea-2025" / "regional", inputs / "regional")
    shutil.copy(REPO / "examples" / "korea-2025" / "national.yaml", inputs / "national.yaml")
    book = tmp_path / "inputs.xlsx"
    made = run_cli(
        "template", "inputs", "--prefill", "--rules", rules, "--inputs", inputs, "-o", book
    )
    assert made.code == 0, made.err
    (inputs / "regional" / "population.yaml").unlink()  # so the import would write it again
    before = fingerprint(rules)
    done = run_cli("import", book, "--rules", rules, "--inputs", inputs, "--force")
    refused(done, before, rules)


def test_synth_never_replaces_the_bundled_folders_it_copies_from(tmp_path: Path) -> None:
    """Run against a private checkout: the bundled folders are then its copies."""
    checkout = tmp_path / "checkout"
    shutil.copytree(REPO / "src", checkout / "src", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "rules" / "korea", checkout / "rules" / "korea")
    shutil.copytree(REPO / "examples" / "korea-2025", checkout / "examples" / "korea-2025")
    before = fingerprint(checkout / "rules", checkout / "examples")
    env = {**os.environ, "PYTHONPATH": str(checkout / "src"), "NO_COLOR": "1"}
    for target in (checkout / "rules" / "korea", checkout / "rules", checkout / "rules/korea/x"):
        done = subprocess.run(
            [sys.executable, "-m", "fiscal", "synth", str(target), "--agreements", "3",
             "--years", "3", "--force"],
            env=env, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert done.returncode == 1, done.stderr
        assert REFUSAL in done.stderr
        assert fingerprint(checkout / "rules", checkout / "examples") == before


def test_the_refusal_comes_before_any_work(tmp_path: Path, data: tuple[Path, Path]) -> None:
    """Even a broken ruleset is not read: the output given is refused first."""
    rules, inputs = data
    (rules / "ruleset.yaml").write_text("broken: [\n", encoding="utf-8")
    before = fingerprint(rules, inputs)
    done = run_cli("project", "--rules", rules, "--inputs", inputs, "-o", rules / "out.xlsx")
    refused(done, before, rules, inputs)
    assert "ruleset.yaml:" not in done.err
