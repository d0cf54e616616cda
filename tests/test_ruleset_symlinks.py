"""A symbolic link inside a ruleset is refused by validate, project and diff alike.

git stores a link, not the file it points to: `fiscal diff` (which reads committed
trees) used to skip a linked rule file that `validate` and `project` (which read the
folder) followed, so the same commit meant two different rulesets. Every command now
refuses the link, names it, and says what to do instead.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tests.excel_helpers import git, git_repo, run_cli


@pytest.fixture
def linked(tmp_path: Path) -> tuple[Path, Path, Path, str]:
    """A repository whose ruleset has one parameter file replaced by a committed link."""
    top, rules, inputs = git_repo(tmp_path)
    param = sorted((rules / "parameters").rglob("*.yaml"))[0]
    shared = top / "shared"
    shared.mkdir()
    shutil.move(param, shared / param.name)
    os.symlink(os.path.relpath(shared / param.name, param.parent), param)
    git(top, "add", "-A")
    git(top, "commit", "-q", "-m", "link a parameter file")
    return top, rules, inputs, param.name


def refuses_link(err: str, name: str) -> None:
    assert "symbolic link" in err, err
    assert name in err
    assert "Put the file itself here" in err.replace("\n", " ")
    assert "Traceback" not in err


def test_validate_refuses_a_symlink_in_the_ruleset(linked: tuple[Path, Path, Path, str]) -> None:
    _, rules, inputs, name = linked
    done = run_cli("validate", rules, "--inputs", inputs)
    assert done.code == 1
    refuses_link(done.err, name)


def test_project_refuses_a_symlink_in_the_ruleset(
    tmp_path: Path, linked: tuple[Path, Path, Path, str]
) -> None:
    _, rules, inputs, name = linked
    out = tmp_path / "p.xlsx"
    done = run_cli("project", "--rules", rules, "--inputs", inputs, "-o", out)
    assert done.code == 1
    refuses_link(done.err, name)
    assert not out.exists()


@pytest.mark.parametrize("versions", [("HEAD~1", "HEAD"), ("HEAD", "WORKTREE")])
def test_diff_refuses_a_symlink_in_a_committed_ruleset(
    linked: tuple[Path, Path, Path, str], versions: tuple[str, str]
) -> None:
    _, rules, inputs, name = linked
    done = run_cli("diff", *versions, "--rules", rules, "--inputs", inputs)
    assert done.code == 1, done.out + done.err
    refuses_link(done.err, name)


def test_a_linked_folder_inside_the_ruleset_is_refused_too(tmp_path: Path) -> None:
    _, rules, inputs = git_repo(tmp_path)
    (rules / "transfers").rename(tmp_path / "transfers")
    os.symlink(tmp_path / "transfers", rules / "transfers")
    done = run_cli("validate", rules, "--inputs", inputs)
    assert done.code == 1
    refuses_link(done.err, "transfers")
