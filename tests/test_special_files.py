"""A rule, input or scenario file that is not a regular file is refused at once.

A device such as /dev/zero says it holds 0 bytes and never ends (it was read until memory
ran out); a named pipe blocks the reader until some writer comes (it hung forever). Both
are now named as what they are, with exit code 1, in well under the time a hang would
take. Each command runs with a timeout, so a regression fails instead of hanging."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fiscal.source.yaml_reader import load_yaml, read_regular_file
from tests.conftest import BUNDLED_INPUTS, BUNDLED_RULES, REPO
from tests.history_repo import git

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")

QUICK = 30  # seconds: far more than a refusal takes, far less than a hang


def _fiscal(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    env["PYTHONPATH"] = str(REPO / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.run(
        [sys.executable, "-m", "fiscal", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=QUICK,
        check=False,
    )


@pytest.fixture
def case(tmp_path: Path) -> Path:
    shutil.copytree(BUNDLED_RULES, tmp_path / "rules")
    shutil.copytree(
        BUNDLED_INPUTS, tmp_path / "inputs", ignore=shutil.ignore_patterns("*.py", "scenarios")
    )
    return tmp_path


def _pipe(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def test_dev_zero_as_a_scenario_is_refused_without_reading_it(case: Path) -> None:
    done = _fiscal("project", "--rules", "rules", "--inputs", "inputs", "--scenario",
                   "/dev/zero", "-o", "out.xlsx", cwd=case)  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "/dev/zero: this is a device, not a regular file; expected a YAML file" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (case / "out.xlsx").exists()


def test_a_named_pipe_as_a_rule_file_does_not_hang_validate(case: Path) -> None:
    rate = case / "rules" / "parameters" / "national_subsidy" / "rate.yaml"
    _pipe(rate)
    for args in (("validate", "rules"), ("validate", "rules", "--inputs", "inputs")):
        done = _fiscal(*args, cwd=case)
        assert done.returncode == 1, done.stderr
        assert (
            "rules/parameters/national_subsidy/rate.yaml: this is a named pipe (FIFO), "
            "not a regular file" in done.stderr
        )
        assert "Traceback" not in done.stderr


def test_an_input_file_replaced_by_a_named_pipe_is_refused(case: Path) -> None:
    _pipe(case / "inputs" / "regional" / "population.yaml")
    started = time.monotonic()
    done = _fiscal("project", "--rules", "rules", "--inputs", "inputs", "-o", "out.xlsx", cwd=case)
    assert done.returncode == 1, done.stderr
    assert "inputs/regional/population.yaml: this is a named pipe (FIFO)" in done.stderr
    assert time.monotonic() - started < QUICK
    assert not (case / "out.xlsx").exists()


def test_a_pipe_with_a_writer_waiting_is_still_refused_unread(tmp_path: Path) -> None:
    # Even when data is there to read, a pipe is not a file whose bytes can be hashed
    # and read again (fiscal verify): it is refused, and the writer's data left alone.
    pipe = tmp_path / "national.yaml"
    os.mkfifo(pipe)
    reader = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)  # so the writer can open
    writer = os.open(pipe, os.O_WRONLY)
    try:
        os.write(writer, b"series: {}\n")
        doc, problems = load_yaml(pipe)
        assert doc is None
        assert [p.message for p in problems] == [
            "this is a named pipe (FIFO), not a regular file; expected a YAML file"
        ]
        assert os.read(reader, 100) == b"series: {}\n"
    finally:
        os.close(writer)
        os.close(reader)


def test_no_more_than_the_limit_plus_one_byte_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"a: 1\n" * 100)
    raw, why = read_regular_file(big, max_bytes=499)
    assert raw is None and why == "file is 500 bytes; the limit is 499 bytes"
    raw, why = read_regular_file(big, max_bytes=500)
    assert raw == b"a: 1\n" * 100 and why == ""


def test_a_symbolic_link_to_a_regular_file_is_followed_and_to_a_device_refused(
    tmp_path: Path,
) -> None:
    # Refusing links inside a ruleset is the ruleset's rule (fiscal.files.paths); the
    # reader itself follows a link and judges what it points at.
    real = tmp_path / "real.yaml"
    real.write_text("id: s\n", encoding="utf-8")
    (tmp_path / "link.yaml").symlink_to(real)
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    doc, problems = load_yaml(tmp_path / "link.yaml")
    assert problems == [] and doc is not None and doc.data == {"id": "s"}
    doc, problems = load_yaml(tmp_path / "zero.yaml")
    assert doc is None
    assert problems[0].message.startswith("this is a device, not a regular file")


def test_diff_against_the_working_tree_refuses_a_named_pipe_there(case: Path) -> None:
    git(case, "init", "-q")
    git(case, "add", "-A")
    git(case, "commit", "-q", "-m", "rules")
    _pipe(case / "rules" / "parameters" / "national_subsidy" / "rate.yaml")
    done = _fiscal("diff", "HEAD", "WORKTREE", "--rules", "rules", "--inputs", "inputs", cwd=case)
    assert done.returncode == 1, done.stderr
    assert "rate.yaml: this is a named pipe (FIFO), not a regular file" in done.stderr
    assert "Traceback" not in done.stderr
