"""`fiscal history` and `fiscal diff` in a shallow clone (`git clone --depth`, the default
of CI checkouts): the history says it is incomplete instead of showing every value as
"added" by the clone's oldest commit, and a revision the clone lacks is a user error that
says how to fetch it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_fiscal
from tests.history_repo import HistoryRepo, build_history_repo, git_env

VAT_SHARE = "local_consumption_tax.vat_share"
CORRIDOR = "2025-southeast-hydrogen-corridor"


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> HistoryRepo:
    return build_history_repo(tmp_path_factory.mktemp("full"))


def _clone(repo: HistoryRepo, target: Path, depth: int) -> Path:
    # file:// so that git honours --depth (a plain path clones by hard links, whole).
    subprocess.run(
        ["git", "clone", "-q", f"--depth={depth}", repo.root.as_uri(), str(target)],
        env=git_env(),
        capture_output=True,
        check=True,
    )
    shallow = subprocess.run(
        ["git", "-C", str(target), "rev-parse", "--is-shallow-repository"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert shallow.stdout.strip() == "true"
    return target


@pytest.fixture(scope="module")
def depth1(repo: HistoryRepo, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _clone(repo, tmp_path_factory.mktemp("depth1") / "clone", 1)


@pytest.fixture(scope="module")
def depth3(repo: HistoryRepo, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """v2, v3 and v4: v2 is where the clone's history stops."""
    return _clone(repo, tmp_path_factory.mktemp("depth3") / "clone", 3)


def _history_json(cwd: Path, ident: str) -> dict[str, Any]:
    done = run_fiscal("history", ident, "--rules", "rules/korea", "--format", "json", cwd=cwd)
    assert done.returncode == 0, done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def test_a_depth_one_clone_shows_no_value_as_added_and_says_the_history_is_incomplete(
    repo: HistoryRepo, depth1: Path
) -> None:
    data = _history_json(depth1, VAT_SHARE)
    head = repo.commits["v4"][:7]
    assert data["shallow"] is True
    assert data["entries"] == []  # the full history has 7 entries; none is knowable here
    assert data["warning"].startswith("history incomplete: this is a shallow clone")
    assert head in data["warning"]
    assert "git fetch --unshallow" in data["warning"]
    assert "fetch-depth: 0" in data["warning"]


def test_the_full_repository_says_its_history_is_whole(repo: HistoryRepo) -> None:
    data = _history_json(repo.root, VAT_SHARE)
    assert data["shallow"] is False
    assert data["warning"] is None
    assert len(data["entries"]) == 7


def test_a_deeper_clone_keeps_the_changes_it_can_know_and_drops_the_boundary_commit(
    repo: HistoryRepo, depth3: Path
) -> None:
    data = _history_json(depth3, CORRIDOR)
    full = _history_json(repo.root, CORRIDOR)
    boundary = repo.commits["v2"]
    assert data["shallow"] is True
    assert boundary[:7] in data["warning"]
    assert all(e["commit"]["sha"] != boundary for e in data["entries"])
    # What v3 changed is known (v2 is in the clone) and is the same as in the full history.
    in_v3 = [e for e in full["entries"] if e["commit"]["sha"] == repo.commits["v3"]]
    assert in_v3 and data["entries"] == in_v3
    assert "added" not in {e["action"] for e in data["entries"]}


@pytest.mark.parametrize("output_format", ["text", "markdown"])
def test_the_warning_is_in_every_output_format_of_history(depth1: Path, output_format: str) -> None:
    done = run_fiscal("history", VAT_SHARE, "--rules", "rules/korea", "--format", output_format,
                      cwd=depth1)  # fmt: skip
    assert done.returncode == 0, done.stderr
    flat = " ".join(done.stdout.split())  # the terminal wraps long lines
    prefix = "**Warning:** history incomplete" if output_format == "markdown" else "Warning:"
    assert prefix in flat
    assert "shallow clone" in flat
    assert "git fetch --unshallow" in flat


@pytest.mark.parametrize("revision", ["HEAD~1", "v1"])
def test_diff_against_a_revision_the_clone_lacks_says_how_to_deepen_it(
    depth1: Path, revision: str
) -> None:
    done = run_fiscal("diff", revision, "HEAD", "--rules", "rules/korea", "--inputs", "inputs",
                      cwd=depth1)  # fmt: skip
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert f"unknown revision {revision!r}" in done.stderr
    assert "shallow clone" in done.stderr
    assert "git fetch --unshallow" in done.stderr
    assert done.stdout == ""


def test_diff_with_rules_as_of_before_the_clone_starts_is_a_user_error(depth1: Path) -> None:
    done = run_fiscal("diff", "--rules-as-of", "2024-02-01", "--rules", "rules/korea",
                      "--inputs", "inputs", cwd=depth1)  # fmt: skip
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert "no commit of HEAD on or before 2024-02-01 in this shallow clone" in done.stderr
    assert "git fetch --unshallow" in done.stderr


def test_diff_from_the_shallow_boundary_warns_in_every_format(
    repo: HistoryRepo, depth3: Path
) -> None:
    args = ("diff", "HEAD~2", "HEAD", "--rules", "rules/korea", "--inputs", "inputs")
    done = run_fiscal(*args, "--format", "json", cwd=depth3)
    assert done.returncode == 3, done.stderr  # v2 -> v4 changes the corridor agreement
    data = json.loads(done.stdout)
    assert data["shallow"] is True
    # The shallow clone's warning (an auditor's warnings about the changes may follow).
    [warning] = [w for w in data["warnings"] if "shallow" in w]
    assert warning.startswith(f"the old version HEAD~2 ({repo.commits['v2'][:7]}) is where")
    assert "git fetch --unshallow" in warning
    assert any(c["id"] == CORRIDOR for c in data["changes"])
    for output_format in ("markdown", "text"):
        shown = run_fiscal(*args, "--format", output_format, cwd=depth3)
        assert shown.returncode == 3, shown.stderr
        assert "shallow clone's history starts" in " ".join(shown.stdout.split())


def test_diff_between_commits_above_the_boundary_has_no_warning(depth3: Path) -> None:
    done = run_fiscal("diff", "HEAD~1", "HEAD", "--rules", "rules/korea", "--inputs", "inputs",
                      "--format", "json", cwd=depth3)  # fmt: skip
    assert done.returncode == 0, done.stderr  # v3 -> v4 only renames a file
    data = json.loads(done.stdout)
    assert (data["shallow"], data["warnings"]) == (True, [])


def test_a_full_repository_diff_is_not_shallow(repo: HistoryRepo) -> None:
    done = run_fiscal("diff", "v3", "v4", "--rules", "rules/korea", "--inputs", "inputs",
                      "--format", "json", cwd=repo.root)  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert (data["shallow"], data["warnings"]) == (False, [])
