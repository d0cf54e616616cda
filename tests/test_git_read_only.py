"""fiscal never writes in `.git`: every git call is read-only, without optional locks.

`git status` refreshes the index (rewrites `.git/index`) when a tracked file's
timestamps changed but its content did not, unless GIT_OPTIONAL_LOCKS=0. Every git
call of fiscal goes through fiscal.files.git, which sets it, so a projection (which
records in its Provenance sheet whether the rules have uncommitted changes) and an
import's dry run (which asks git which files are safe to replace) leave the index
byte for byte as it was.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fiscal.files.git import GitRepo, git_output
from tests.excel_helpers import edit_cells, git, git_repo, run_cli
from tests.test_import_paths import delete_agreement, prefilled


def stat_dirty(*files: Path) -> None:
    """Change the files' timestamps but not their content: git would refresh its index."""
    for path in files:
        st = path.stat()
        os.utime(path, ns=(st.st_atime_ns - 10**10, st.st_mtime_ns - 10**10))


def index_state(repo: Path) -> tuple[bytes, int]:
    index = repo / ".git" / "index"
    return index.read_bytes(), index.stat().st_mtime_ns


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, Path, Path]:
    top, rules, inputs = git_repo(tmp_path)
    os.environ.pop("GIT_OPTIONAL_LOCKS", None)
    return top, rules, inputs


def test_project_in_a_git_repository_leaves_the_index_byte_identical(
    tmp_path: Path, repo: tuple[Path, Path, Path]
) -> None:
    top, rules, inputs = repo
    stat_dirty(rules / "ruleset.yaml", inputs / "national.yaml")
    before = index_state(top)

    done = run_cli("project", "--rules", rules, "--inputs", inputs, "-o", tmp_path / "p.xlsx")

    assert done.code == 0, done.err
    assert index_state(top) == before
    git(top, "status", "--porcelain")  # git itself, with its locks, does refresh it
    assert index_state(top) != before


def test_an_import_dry_run_leaves_the_index_byte_identical(
    tmp_path: Path, repo: tuple[Path, Path, Path]
) -> None:
    top, rules, inputs = repo
    book = prefilled(tmp_path, rules, inputs)
    gone = sorted((rules / "agreements").glob("*.yaml"))[0].stem
    edited = edit_cells(book, tmp_path / "edited.xlsx", delete_agreement(gone))
    stat_dirty(*sorted((rules / "agreements").glob("*.yaml")))
    before = index_state(top)

    done = run_cli("import", edited, "--rules", rules, "--inputs", inputs, "--dry-run")

    assert done.code == 0, done.err
    assert "removed" in done.out
    assert index_state(top) == before
    git(top, "status", "--porcelain")
    assert index_state(top) != before


def test_the_git_runner_refuses_any_command_that_could_write(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path)
    for command in ("add", "commit", "checkout", "update-index", "gc", "reset"):
        with pytest.raises(ValueError, match="not a read-only command"):
            repo.git(command)
        with pytest.raises(ValueError, match="not a read-only command"):
            git_output(tmp_path, command)


def test_no_module_but_the_git_runner_starts_a_process() -> None:
    src = Path(__file__).resolve().parents[1] / "src" / "fiscal"
    starting = sorted(
        p.relative_to(src).as_posix()
        for p in src.rglob("*.py")
        if "subprocess" in p.read_text(encoding="utf-8")
    )
    assert starting == ["files/git.py"]
