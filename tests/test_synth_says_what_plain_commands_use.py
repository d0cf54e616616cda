"""`fiscal synth` says what commands without --rules do once its ruleset is written.

`fiscal synth national` at the root of a checkout writes ``national/rules``, a second
ruleset below the root beside ``rules/korea``; after it every command without --rules
there stopped with "2 rulesets in the current folder", and synth had only said "Wrote
national/rules and national/inputs". Its closing line now says so and prints a command
that works as shown; written beside the checkout, nothing changes for plain commands.
Each test runs the real command in a folder laid out like a checkout.
"""

from __future__ import annotations

import shlex
import shutil
from pathlib import Path

import pytest

from tests.conftest import BUNDLED_RULES, run_fiscal

SMALL = ("--years", "3", "--agreements", "0")  # the same layout, written in a second


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A folder holding ``rules/korea``, as a checkout of fiscal does."""
    root = tmp_path / "fiscal"
    shutil.copytree(BUNDLED_RULES, root / "rules" / "korea")
    return root


def _then(stdout: str) -> list[str]:
    """The command the closing line tells the user to run next."""
    return shlex.split(stdout.split("Then: ", 1)[1].strip())


def test_synth_inside_a_checkout_says_plain_commands_now_stop_and_what_to_pass(
    checkout: Path,
) -> None:
    done = run_fiscal("synth", "national", *SMALL, cwd=checkout)
    assert done.returncode == 0, done.stderr
    closing = done.stdout.strip().splitlines()[-1]
    assert "Commands here without --rules now stop" in closing
    assert "2 rulesets in the current folder (national/rules, rules/korea)" in closing
    then = _then(done.stdout)
    assert then[:5] == ["fiscal", "project", "--rules", "national/rules", "--inputs"]
    # What it warns of is what happens ...
    plain = run_fiscal("agreements", cwd=checkout)
    assert plain.returncode == 1
    assert "2 rulesets in the current folder" in plain.stderr
    # ... and what it tells the user to run works as shown.
    ran = run_fiscal(*then[1:], "-o", "national.xlsx", cwd=checkout)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert (checkout / "national.xlsx").is_file()


def test_synth_beside_the_checkout_leaves_plain_commands_working(checkout: Path) -> None:
    done = run_fiscal("synth", "../national", *SMALL, cwd=checkout)
    assert done.returncode == 0, done.stderr
    assert "without --rules" not in done.stdout
    assert _then(done.stdout)[2:4] == ["--rules", "../national/rules"]
    plain = run_fiscal("agreements", "--json", cwd=checkout)
    assert plain.returncode == 0, plain.stderr
    assert "Using the ruleset rules/korea" in plain.stderr


def test_synth_in_an_empty_folder_says_plain_commands_now_use_its_rules(
    tmp_path: Path,
) -> None:
    done = run_fiscal("synth", "national", *SMALL, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Commands here without --rules now use national/rules" in done.stdout
    assert "--inputs national/inputs" in done.stdout
