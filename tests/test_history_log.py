"""`fiscal history` across the git log, `--rules-as-of` on `project` and `diff`, and the
guarantee that `fiscal diff` leaves the working tree and the index byte for byte as they were."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from fiscal.files.git import GitRepo
from fiscal.history.log import object_history
from tests.conftest import run_fiscal
from tests.history_repo import (
    NEW_AGREEMENT_TEXT,
    SUBSIDY,
    VAT,
    HistoryRepo,
    build_history_repo,
    edit,
)


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> HistoryRepo:
    return build_history_repo(tmp_path_factory.mktemp("history"))


def test_history_of_a_parameter_lists_each_commit_with_its_dates_and_values(
    repo: HistoryRepo,
) -> None:
    done = run_fiscal("history", "local_consumption_tax.vat_share", "--rules", "rules/korea",
                      "--format", "json", cwd=repo.root)  # fmt: skip
    assert done.returncode == 0, done.stderr
    entries: list[dict[str, Any]] = json.loads(done.stdout)["entries"]
    first = [e for e in entries if e["commit"]["sha"] == repo.commits["v1"]]
    assert [e["effective"] for e in first] == [
        "2010-01-01",
        "2014-01-01",
        "2019-01-01",
        "2020-01-01",
        "2022-01-01",
        "2023-01-01",
    ]
    last = entries[-1]
    assert last["commit"]["sha"] == repo.commits["v2"]
    assert last["commit"]["author"] == "Auditor Kim"
    assert last["commit"]["date"].startswith("2024-06-15")
    assert last["commit"]["subject"].startswith("Raise the VAT share from 2026")
    assert (last["action"], last["effective"], last["old"], last["new"]) == (
        "added",
        "2026-01-01",
        None,
        0.3,
    )
    assert len(entries) == 7  # the later commits did not touch this parameter


def test_history_of_an_agreement_in_markdown(repo: HistoryRepo) -> None:
    done = run_fiscal("history", "2025-southeast-hydrogen-corridor", "--rules", "rules/korea",
                      "--format", "markdown", cwd=repo.root)  # fmt: skip
    assert done.returncode == 0, done.stderr
    short3 = repo.commits["v3"][:7]
    assert f"| {short3} | 2025-02-01 | Auditor Kim |" in done.stdout
    assert "| amended |  | projects.hydrogen-pipeline.shares party busan | 0.12 | 0.14 |" in (
        done.stdout
    )


def test_history_shows_uncommitted_changes_last_and_rejects_unknown_ids(
    repo: HistoryRepo, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    shutil.copytree(repo.root, work)
    edit(work / "rules" / "korea" / VAT, "value: 0.3,", "value: 0.31,")
    found = object_history(work / "rules" / "korea", "local_consumption_tax.vat_share")
    last = found.entries[-1]
    assert last.commit is None
    assert (str(last.change.old), str(last.change.new)) == ("0.3", "0.31")
    done = run_fiscal("history", "no.such.parameter", "--rules", "rules/korea", cwd=work)
    assert done.returncode == 1
    assert "no parameter or agreement 'no.such.parameter'" in done.stderr


def test_rules_as_of_a_date_is_the_last_commit_of_that_day_or_before(repo: HistoryRepo) -> None:
    git = GitRepo(repo.root)
    assert git.commit_as_of(date(2024, 6, 14)).sha == repo.commits["v1"]
    assert git.commit_as_of(date(2024, 6, 15)).sha == repo.commits["v2"]
    assert git.commit_as_of(date(2030, 1, 1)).sha == repo.commits["v4"]


def test_project_with_rules_as_of_uses_the_rules_committed_then(
    repo: HistoryRepo, tmp_path: Path
) -> None:
    out = tmp_path / "as-of.xlsx"
    done = run_fiscal("project", "--rules", "rules/korea", "--inputs", "inputs",
                      "--rules-as-of", "2024-03-01", "-o", out, "-q", cwd=repo.root)  # fmt: skip
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(out, read_only=True)
    provenance = {row[0]: row[1] for row in book["Provenance"].iter_rows(values_only=True)}
    assert provenance["rules git commit"] == repo.commits["v1"]
    assert "as committed on 2024-03-01" in str(provenance["rules path"])
    vat_dates = {
        row[2]
        for row in book["Parameters"].iter_rows(values_only=True)
        if row[0] == "local_consumption_tax.vat_share"
    }
    book.close()
    assert vat_dates == {"2023-01-01"}  # the 2026 value was committed later


def test_diff_with_rules_as_of_compares_the_rules_known_then(repo: HistoryRepo) -> None:
    done = run_fiscal("diff", "--rules-as-of", "2024-07-01", "v3", "--rules", "rules/korea",
                      "--inputs", "inputs", "--format", "json", cwd=repo.root)  # fmt: skip
    assert done.returncode == 3, done.stderr
    data = json.loads(done.stdout)
    assert data["old"]["commit"]["sha"] == repo.commits["v2"]
    assert data["new"]["commit"]["sha"] == repo.commits["v3"]
    assert {c["id"] for c in data["changes"]} == {
        "2025-honam-energy-valley",
        "2025-southeast-hydrogen-corridor",
    }
    early = run_fiscal("diff", "--rules-as-of", "2020-01-01", "--rules", "rules/korea",
                       cwd=repo.root)  # fmt: skip
    assert early.returncode == 1
    assert "no commit of HEAD on or before 2020-01-01" in early.stderr


def _state(root: Path) -> tuple[dict[str, str], str, str]:
    """A hash of every file (the .git folder included), and what git says is changed."""
    hashes = {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0"}

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True)
        return done.stdout

    return hashes, git("status", "--porcelain", "--untracked-files=all"), git("diff", "--cached")


def test_diff_leaves_the_working_tree_and_the_index_byte_identical(
    repo: HistoryRepo, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    shutil.copytree(repo.root, work)
    rules = work / "rules" / "korea"
    edit(rules / VAT, "value: 0.3,", "value: 0.32,")  # modified, not staged
    edit(rules / SUBSIDY, "metropolitan: 0.65", "metropolitan: 0.7")
    subprocess.run(["git", "add", f"rules/korea/{SUBSIDY}"], cwd=work, check=True)  # staged
    untracked = NEW_AGREEMENT_TEXT.replace("2025-honam-energy-valley", "2026-untracked-test")
    (rules / "agreements" / "2026-untracked-test.yaml").write_text(untracked, "utf-8")
    (work / "notes.txt").write_text("work in progress\n", "utf-8")
    before = _state(work)
    assert before[1] and before[2]  # there is uncommitted work to protect
    done = run_fiscal("diff", "v1", "--rules", "rules/korea", "--inputs", "inputs",
                      "--format", "markdown", "-o", tmp_path / "d.xlsx", cwd=work)  # fmt: skip
    assert done.returncode == 3, done.stderr
    assert "2026-untracked-test" in done.stdout  # the working tree is read as it is
    assert "| 2020-01-01 [metropolitan] | 0.6 | 0.7 |" in done.stdout
    assert _state(work) == before
