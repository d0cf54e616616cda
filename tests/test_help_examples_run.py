"""Every example in every `--help` works as shown from the repository root; a closed pipe
is a success; `--by` help lists every value.

The examples run in a fresh clone of this repository (its history is what a clone has),
with the working tree's code, so the clone's ``rules/korea`` and ``examples/korea-2025``
are the bundled ones, as in a user's checkout. They run in the order ``fiscal --help``
lists the commands (a workbook is made before it is verified, a template before it is
imported), the synthetic dataset last (it adds a second ruleset to the folder).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

EXAMPLE = re.compile(r"\[bold\](.*?)\[/\]", re.S)


def _examples() -> list[tuple[str, str]]:
    """(command, example) for every example in the help of every command, in help order."""
    import typer

    from fiscal.cli.app import app

    group = typer.main.get_command(app)
    found = [("fiscal", e) for e in EXAMPLE.findall(group.epilog or "")]
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        text = (command.help or "").split("Example", 1)
        if len(text) == 2:
            found += [(name, " ".join(e.split())) for e in EXAMPLE.findall(text[1])]
    # --install-completion edits the shell's start-up files and guesses the shell from
    # the process tree, which differs under pytest; tests/test_cli_conventions.py covers it.
    found = [(n, e) for n, e in found if "fiscal " in e and "completion" not in e]
    return sorted(found, key=lambda pair: pair[0] == "synth")  # stable: help order kept


def _clone(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    clone = tmp_path / "fiscal"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    shutil.rmtree(clone / "src")
    shutil.copytree(REPO / "src", clone / "src", ignore=shutil.ignore_patterns("__pycache__"))
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "fiscal"
    shim.write_text(f'#!/bin/sh\nexec {sys.executable} -m fiscal "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(clone / "src"),
        "HOME": str(tmp_path / "home"),  # --install-completion writes its script here
        "NO_COLOR": "1",
        "COLUMNS": "80",
    }
    (tmp_path / "home").mkdir()
    return clone, env


@pytest.mark.slow
def test_every_help_example_works_as_shown_from_the_repository_root(tmp_path: Path) -> None:
    if shutil.which("git") is None or shutil.which("bash") is None:
        pytest.skip("needs git and bash")
    clone, env = _clone(tmp_path)
    examples = _examples()
    assert len(examples) >= 25
    failed = []
    for command, example in examples:
        done = subprocess.run(
            ["bash", "-o", "pipefail", "-c", example],
            cwd=clone,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        allowed = (0, 3) if command == "diff" else (0,)  # 3: diff says the rules changed
        if done.returncode not in allowed or "Traceback" in done.stderr:
            failed.append(f"{example}: exit {done.returncode}: {done.stderr[-400:]}")
    assert not failed, "\n".join(failed)


def test_a_reader_that_stops_reading_is_a_quiet_success(tmp_path: Path) -> None:
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(REPO / "src")}
    for args in (
        ("project", "-o", "p.xlsx"),
        ("project", "--json", "-o", "p.xlsx", "--force"),
        ("agreements",),
        ("schema",),
        ("diff", "--help"),
    ):
        reader, writer = os.pipe()
        os.close(reader)  # the reader is gone before the first line: every write fails
        done = subprocess.run(
            [sys.executable, "-m", "fiscal", *args],
            cwd=tmp_path,
            env=env,
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            timeout=300,
            check=False,
        )
        os.close(writer)
        assert done.returncode == 0, (args, done.stderr)
        assert "Error" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    piped = subprocess.run(
        ["bash", "-o", "pipefail", "-c", f"{sys.executable} -m fiscal project -o q.xlsx | head -3"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert piped.returncode == 0, piped.stderr
    assert len(piped.stdout.splitlines()) == 3


def test_by_help_lists_every_value_it_accepts() -> None:
    from fiscal.cli.options import BY_MEANINGS, BY_VALUES
    from fiscal.report.views import BY_CHOICES

    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200", "PYTHONPATH": str(REPO / "src")}
    assert tuple(BY_MEANINGS) == BY_VALUES == BY_CHOICES
    for command in ("project", "compare"):
        done = subprocess.run(
            [sys.executable, "-m", "fiscal", command, "--help"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        shown = " ".join(done.stdout.replace("│", " ").split())
        for value in BY_CHOICES:
            assert f"{value} (" in shown, (command, value)
