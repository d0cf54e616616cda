"""A real git repository with four versions of a small ruleset, for the rule-history tests.

v1  the bundled Korean rules and inputs                                   (2024-01-15)
v2  a rate changes: the VAT share gets a new value from 2026; the national
    subsidy rate of metropolitan cities goes from 0.6 to 0.65             (2024-06-15)
v3  an agreement is added, a share of an agreement is amended, and the
    fire-safety rule file moves from transfers/ to sharing/               (2025-02-01)
v4  the same rule file is renamed, nothing else                           (2025-03-01)

Each version's ruleset folder is also copied outside the repository (``folders``), so
a test can recompute figures from plain folders, independently of git.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import BUNDLED_INPUTS, BUNDLED_RULES

VAT = "parameters/local_consumption_tax/vat_share.yaml"
SUBSIDY = "parameters/national_subsidy/rate.yaml"
HYDROGEN = "agreements/2025-southeast-hydrogen-corridor.yaml"
NEW_AGREEMENT = "agreements/2025-honam-energy-valley.yaml"
FIRE = "transfers/fire_safety_grant.yaml"
FIRE_MOVED = "sharing/fire_safety_grant.yaml"
FIRE_RENAMED = "sharing/fire-safety-grant.yaml"

NEW_AGREEMENT_TEXT = """\
id: 2025-honam-energy-valley
title: Honam energy valley (test agreement)
status: signed
signed: 2025-01-20
reference: "test agreement, illustrative"
evidence: illustrative
parties:
  - {id: motie, kind: ministry}
  - {id: gwangju, kind: region}
  - {id: jeonnam, kind: region}
projects:
  - id: grid
    title: Energy grid
    total_krw: 40000000000
    years: [2025, 2028]
    shares:
      motie: 0.6
      gwangju: 0.2
      jeonnam: 0.2
"""


def git_env(day: str = "2024-01-15") -> dict[str, str]:
    stamp = f"{day}T12:00:00+09:00"
    return {
        **os.environ,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "Auditor Kim",
        "GIT_AUTHOR_EMAIL": "kim@example.org",
        "GIT_COMMITTER_NAME": "Auditor Kim",
        "GIT_COMMITTER_EMAIL": "kim@example.org",
        "GIT_AUTHOR_DATE": stamp,
        "GIT_COMMITTER_DATE": stamp,
    }


def git(repo: Path, *args: str, day: str = "2024-01-15") -> str:
    done = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
        cwd=repo,
        env=git_env(day),
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@dataclass(frozen=True)
class HistoryRepo:
    root: Path  # the repository
    rules: Path  # its ruleset folder
    inputs: Path  # its inputs folder
    commits: dict[str, str]  # v1..v4 -> full hash
    folders: dict[str, Path]  # v1..v4 -> a copy of the ruleset folder outside the repository


def build_history_repo(base: Path) -> HistoryRepo:
    repo = base / "repo"
    rules = repo / "rules" / "korea"
    inputs = repo / "inputs"
    shutil.copytree(BUNDLED_RULES, rules)
    shutil.copytree(BUNDLED_INPUTS, inputs, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    git(repo, "init", "-q")
    commits: dict[str, str] = {}
    folders: dict[str, Path] = {}

    def commit(version: str, day: str, message: str) -> None:
        git(repo, "add", "-A", day=day)
        git(repo, "commit", "-q", "-m", message, day=day)
        commits[version] = git(repo, "rev-parse", "HEAD")
        git(repo, "tag", version, day=day)
        folders[version] = base / "folders" / version
        shutil.copytree(rules, folders[version])

    commit("v1", "2024-01-15", "Bundled Korean rules")

    edit(
        rules / VAT,
        '  2023-01-01: {value: 0.253, reference: "hankyung dictionary 지방소비세율; tjmbc"}\n',
        '  2023-01-01: {value: 0.253, reference: "hankyung dictionary 지방소비세율; tjmbc"}\n'
        '  2026-01-01: {value: 0.3, reference: "VAT Act art. 72 as amended (test)"}\n',
    )
    edit(rules / SUBSIDY, "metropolitan: 0.6", "metropolitan: 0.65")
    commit("v2", "2024-06-15", "Raise the VAT share from 2026 and the metropolitan subsidy rate")

    (rules / NEW_AGREEMENT).write_text(NEW_AGREEMENT_TEXT, encoding="utf-8")
    edit(rules / HYDROGEN, "busan: 0.12\n", "busan: 0.14\n")
    edit(rules / HYDROGEN, "molit: 0.35\n", "molit: 0.33\n")
    (rules / FIRE).rename(rules / FIRE_MOVED)
    commit("v3", "2025-02-01", "Honam energy valley; Busan takes a larger share of the corridor")

    (rules / FIRE_MOVED).rename(rules / FIRE_RENAMED)
    commit("v4", "2025-03-01", "Rename the fire-safety rule file")
    return HistoryRepo(repo, rules, inputs, commits, folders)
