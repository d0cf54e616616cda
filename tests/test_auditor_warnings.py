"""An auditor's warnings in `fiscal diff`, on a real git repository (tests/history_repo.py):
a signed agreement edited in place without an amendment is named, with the committed
years it rewrites; a change that adds or clears affordability breaches says which."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import run_fiscal
from tests.history_repo import HistoryRepo, build_history_repo


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> HistoryRepo:
    return build_history_repo(tmp_path_factory.mktemp("auditor"))


def diff(repo: HistoryRepo, old: str, new: str) -> dict[str, Any]:
    done = run_fiscal("diff", old, new, "--rules", "rules/korea", "--inputs", "inputs",
                      "--format", "json", cwd=repo.root)  # fmt: skip
    assert done.returncode == 3, done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def test_a_signed_agreement_edited_in_place_is_named_with_the_years_it_rewrites(
    repo: HistoryRepo,
) -> None:
    warnings = diff(repo, "v2", "v3")["warnings"]
    edited = [w for w in warnings if "edited in place" in w]
    assert len(edited) == 1, warnings
    assert edited[0].startswith("agreement '2025-southeast-hydrogen-corridor' was signed 20")
    assert "its shares of project 'hydrogen-pipeline'" in edited[0]
    assert "changes money already committed for 2025" in edited[0]
    assert "record the change as an amendment instead" in edited[0]


def test_a_change_to_rates_only_names_no_agreement(repo: HistoryRepo) -> None:
    warnings = diff(repo, "v1", "v2")["warnings"]
    assert not [w for w in warnings if "edited in place" in w]
