"""`fiscal synth` shows a complete dataset or none, whatever stops it.

The dataset is built in a hidden sibling folder named ``.NAME.fiscal-partial.PID.XXXX``
and renamed into place only when complete. A closed terminal (SIGHUP) is handled as
SIGTERM and Ctrl-C: the partial folder is removed and the run says so in one line. A
SIGKILL cannot be handled: it leaves at most that clearly named partial folder, which
the next run removes. Real signals to a real subprocess.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO


def env() -> dict[str, str]:
    src = str(REPO / "src")
    return {**os.environ, "NO_COLOR": "1", "PYTHONPATH": src}


def start(target: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "fiscal", "synth", str(target), "--agreements", "20000", *extra],
        env=env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def partial(target: Path) -> list[Path]:
    return sorted(target.parent.glob(f".{target.name}.fiscal-partial.*"))


def wait_until_writing(proc: subprocess.Popen[str], target: Path) -> None:
    """Until the run has written some agreements into its partial folder."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        for folder in partial(target):
            agreements = folder / "new" / "rules" / "agreements"
            if agreements.is_dir() and any(agreements.iterdir()):
                return
        time.sleep(0.02)
    raise AssertionError("synth never started writing agreements")


def digest(folder: Path) -> str:
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            h.update(path.relative_to(folder).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


def synth(target: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fiscal", "synth", str(target), "--agreements", "5",
         "--years", "3", *extra],
        env=env(), capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("how", [signal.SIGHUP, signal.SIGTERM, signal.SIGINT])
def test_a_closed_terminal_or_a_kill_leaves_no_dataset_and_no_partial_folder(
    tmp_path: Path, how: signal.Signals
) -> None:
    target = tmp_path / "national"
    proc = start(target)
    wait_until_writing(proc, target)
    proc.send_signal(how)
    _, err = proc.communicate(timeout=120)

    assert proc.returncode == 130, err
    assert err.strip() == "fiscal: interrupted; no file was left half-written."
    assert not target.exists()
    assert partial(target) == []


def test_a_sighup_while_replacing_a_dataset_leaves_the_old_one_whole(tmp_path: Path) -> None:
    target = tmp_path / "national"
    assert synth(target).returncode == 0
    before = digest(target)
    proc = start(target, "--force")
    wait_until_writing(proc, target)
    proc.send_signal(signal.SIGHUP)
    proc.communicate(timeout=120)

    assert proc.returncode == 130
    assert digest(target) == before
    assert partial(target) == []


def test_a_sigkill_leaves_only_a_clearly_named_partial_folder_that_the_next_run_removes(
    tmp_path: Path,
) -> None:
    target = tmp_path / "national"
    proc = start(target)
    wait_until_writing(proc, target)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=120)

    assert not target.exists()
    left = partial(target)
    assert len(left) == 1 and left[0].name.startswith(".national.fiscal-partial.")
    assert [p.name for p in tmp_path.iterdir()] == [left[0].name]

    done = synth(target)
    assert done.returncode == 0, done.stderr
    assert partial(target) == []
    assert (target / "rules" / "ruleset.yaml").is_file()
    assert len(list((target / "rules" / "agreements").glob("*.yaml"))) == 5


def test_a_finished_dataset_is_the_same_as_one_never_interrupted(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    assert synth(first).returncode == 0
    proc = start(second)
    wait_until_writing(proc, second)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=120)
    assert synth(second).returncode == 0
    assert digest(first) == digest(second)
