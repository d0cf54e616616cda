"""With no --rules, a command uses the ruleset of the folder it is run in, and says which.

A user's own rules repository, with an uncommitted parameter change: `fiscal diff`
compared the bundled rules there, printed "No rule changes" and exited 0, so a CI gate
passed. Every test here runs the real command inside a real git repository made in
tmp_path.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import BUNDLED_RULES, run_fiscal
from tests.history_repo import VAT, edit, git


@pytest.fixture
def own_repo(tmp_path: Path) -> Path:
    """A user's rules repository: ``rules/korea`` committed twice, then an uncommitted
    change of the VAT share."""
    repo = tmp_path / "own"
    rules = repo / "rules" / "korea"
    shutil.copytree(BUNDLED_RULES, rules)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Our rules, as adopted")
    edit(rules / VAT, "2023-01-01: {value: 0.253", "2023-01-01: {value: 0.254")
    git(repo, "commit", "-q", "-am", "VAT share 25.4% (revised decree)", day="2024-03-01")
    edit(rules / VAT, "2023-01-01: {value: 0.254", "2023-01-01: {value: 0.26")
    return repo


def test_diff_in_a_rules_repository_reports_its_uncommitted_change_and_exits_3(
    own_repo: Path,
) -> None:
    done = run_fiscal("diff", "--format", "markdown", cwd=own_repo)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "local_consumption_tax.vat_share" in done.stdout
    assert "0.254" in done.stdout and "0.26" in done.stdout
    assert "Using the ruleset rules/korea (found in the current folder)" in done.stderr
    assert "No --inputs: using the bundled example inputs" in done.stderr


def test_diff_from_inside_the_ruleset_folder_uses_that_ruleset(own_repo: Path) -> None:
    done = run_fiscal("diff", "--quiet", cwd=own_repo / "rules" / "korea" / "parameters")
    assert done.returncode == 3, done.stderr
    assert "(the one the current folder is in)" in done.stderr


def test_history_in_a_rules_repository_shows_its_commits(own_repo: Path) -> None:
    done = run_fiscal(
        "history", "local_consumption_tax.vat_share", "--format", "markdown", cwd=own_repo
    )
    assert done.returncode == 0, done.stderr
    assert "VAT share 25.4% (revised decree)" in done.stdout
    assert "Our rules, as adopted" in done.stdout
    assert "Using the ruleset rules/korea" in done.stderr


def test_two_rulesets_below_are_a_user_error_naming_both(own_repo: Path) -> None:
    shutil.copytree(own_repo / "rules" / "korea", own_repo / "rules" / "draft")
    done = run_fiscal("diff", cwd=own_repo)
    assert done.returncode == 1
    assert "2 rulesets in the current folder (rules/draft, rules/korea)" in done.stderr
    assert "--rules" in done.stderr
    assert "Traceback" not in done.stderr


def test_rules_named_on_the_command_line_win_and_nothing_is_said(own_repo: Path) -> None:
    done = run_fiscal("diff", "--quiet", "--rules", "rules/korea", cwd=own_repo)
    assert done.returncode == 3
    assert "Using the ruleset" not in done.stderr


def test_validate_and_project_use_the_found_ruleset(own_repo: Path) -> None:
    broken = own_repo / "rules" / "korea" / VAT
    edit(broken, "{value: 0.26", "{value: 2.6")
    done = run_fiscal("validate", cwd=own_repo)
    assert done.returncode == 1
    assert "rules/korea/parameters/local_consumption_tax/vat_share.yaml:" in done.stderr
    projected = run_fiscal("project", "-o", "out.xlsx", cwd=own_repo)
    assert projected.returncode == 1
    assert "vat_share.yaml" in projected.stderr
    assert not (own_repo / "out.xlsx").exists()


def test_with_no_ruleset_around_the_bundled_default_is_used_and_said(tmp_path: Path) -> None:
    (tmp_path / "notes").mkdir()
    done = run_fiscal("agreements", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.lstrip().startswith("[")  # standard output stays clean for scripts
    assert "No ruleset in the current folder: using the bundled Korean default" in done.stderr


def test_hidden_and_package_folders_are_not_searched(tmp_path: Path) -> None:
    for skipped in (".venv/lib/rules", "node_modules/pkg/rules", ".git/x"):
        (tmp_path / skipped).mkdir(parents=True)
        (tmp_path / skipped / "ruleset.yaml").write_text("id: decoy\n", encoding="utf-8")
    done = run_fiscal("validate", "--quiet", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "bundled Korean default" in done.stderr
