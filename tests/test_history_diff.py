"""`fiscal diff` on a real git repository: the changes it reports, the budget impact
(recomputed here from plain folders, without git), the attribution, the outputs and the
exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from fiscal.engine.projection import Projection, project
from fiscal.rules.input_files import load_inputs
from fiscal.rules.loader import load_ruleset
from tests.conftest import run_fiscal
from tests.history_repo import (
    HYDROGEN,
    NEW_AGREEMENT,
    SUBSIDY,
    VAT,
    HistoryRepo,
    build_history_repo,
    edit,
    git,
)

YEARS = list(range(2025, 2031))


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> HistoryRepo:
    return build_history_repo(tmp_path_factory.mktemp("history"))


@pytest.fixture(scope="module")
def v1_v2(repo: HistoryRepo) -> dict[str, Any]:
    done = run_fiscal("diff", "v1", "v2", "--rules", "rules/korea", "--inputs", "inputs",
                      "--format", "json", cwd=repo.root)  # fmt: skip
    assert done.returncode == 3, done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text("utf-8").splitlines(), 1) if text in line)


def projected(folder: Path, inputs: Path) -> Projection:
    return project(load_ruleset(folder), load_inputs(inputs), YEARS)


def test_a_changed_rate_is_reported_by_parameter_and_date_with_both_lines(
    repo: HistoryRepo, v1_v2: dict[str, Any]
) -> None:
    short1, short2 = repo.commits["v1"][:7], repo.commits["v2"][:7]
    changes = {(c["id"], c["field"], c["part"]): c for c in v1_v2["changes"]}
    assert set(changes) == {
        ("local_consumption_tax.vat_share", "2026-01-01", None),
        ("national_subsidy.rate", "2020-01-01", "metropolitan"),
    }
    vat = changes[("local_consumption_tax.vat_share", "2026-01-01", None)]
    assert vat["action"] == "added"
    assert (vat["old"], vat["new"]) == (None, 0.3)
    assert vat["old_at"] is None
    assert vat["new_at"] == {
        "file": f"rules/korea/{VAT}",
        "line": line_of(repo.folders["v2"] / VAT, "2026-01-01"),
        "revision": short2,
    }
    assert vat["reference"] == "VAT Act art. 72 as amended (test)"
    rate = changes[("national_subsidy.rate", "2020-01-01", "metropolitan")]
    assert rate["action"] == "changed"
    assert (rate["old"], rate["new"]) == (0.6, 0.65)
    line = line_of(repo.folders["v1"] / SUBSIDY, "metropolitan:")
    assert rate["old_at"] == {"file": f"rules/korea/{SUBSIDY}", "line": line, "revision": short1}
    assert rate["new_at"]["revision"] == short2
    assert rate["reference"].startswith("Subsidy Management Act art. 10")
    assert v1_v2["old"]["commit"]["sha"] == repo.commits["v1"]
    assert v1_v2["new"]["commit"]["subject"].startswith("Raise the VAT share")


def test_budget_impact_matches_projections_of_each_version_computed_apart(
    repo: HistoryRepo, v1_v2: dict[str, Any]
) -> None:
    old = projected(repo.folders["v1"], repo.inputs)
    new = projected(repo.folders["v2"], repo.inputs)
    impact = v1_v2["impact"]
    reported = {(r["region"], r["year"], r["measure"]): r for r in impact["regions"]}
    expected = {}
    for r, region in enumerate(new.regions):
        for y, year in enumerate(YEARS):
            for item in new.amounts:
                before, after = int(old.amounts[item][r, y]), int(new.amounts[item][r, y])
                if before != after:
                    expected[(region.id, year, item)] = (before, after)
            before = int(old.headline.total_revenue[r, y])
            after = int(new.headline.total_revenue[r, y])
            if before != after:
                expected[(region.id, year, "total_revenue")] = (before, after)
    assert {k: (v["old"], v["new"]) for k, v in reported.items()} == expected
    changes = [abs(r["change"]) for r in impact["regions"]]
    assert changes == sorted(changes, reverse=True)  # largest first
    national = {(r["year"], r["measure"]): r["change"] for r in impact["national"]}
    for y, year in enumerate(YEARS):
        total = int(new.headline.total_revenue[:, y].sum() - old.headline.total_revenue[:, y].sum())
        assert national[(year, "total_revenue")] == total
    # 2026 is the first year of the new VAT share: the local consumption tax pool grows.
    assert national[(2025, "local_consumption_tax")] == 0
    assert national[(2026, "local_consumption_tax")] > 0
    ratios = {(r["region"], r["year"], r["measure"]): r for r in impact["ratios"]}
    seoul = ratios[("seoul", 2026, "independence_ratio")]
    r = [region.id for region in new.regions].index("seoul")
    y = YEARS.index(2026)
    assert seoul["new"] == pytest.approx(float(new.headline.independence[r, y]), abs=1e-12)
    assert seoul["old"] == pytest.approx(float(old.headline.independence[r, y]), abs=1e-12)


def test_each_changed_parameter_is_applied_alone_against_the_old_rules(
    repo: HistoryRepo, v1_v2: dict[str, Any], tmp_path: Path
) -> None:
    old = projected(repo.folders["v1"], repo.inputs)
    parts = {a["id"]: a for a in v1_v2["attribution"]}
    assert set(parts) == {"local_consumption_tax.vat_share", "national_subsidy.rate"}
    for parameter, file in [
        ("local_consumption_tax.vat_share", VAT),
        ("national_subsidy.rate", SUBSIDY),
    ]:
        hybrid = tmp_path / parameter
        shutil.copytree(repo.folders["v1"], hybrid)
        shutil.copy(repo.folders["v2"] / file, hybrid / file)
        alone = projected(hybrid, repo.inputs)
        national = {
            r["year"]: r["change"]
            for r in parts[parameter]["impact"]["national"]
            if r["measure"] == "total_revenue"
        }
        for y, year in enumerate(YEARS):
            expected = (
                alone.headline.total_revenue[:, y].sum() - old.headline.total_revenue[:, y].sum()
            )
            assert national[year] == int(expected), (parameter, year)
    vat = parts["local_consumption_tax.vat_share"]["impact"]["national"]
    assert all(r["change"] == 0 for r in vat if r["year"] == 2025)  # in force from 2026 only


def test_an_added_agreement_an_amended_share_and_a_moved_file(repo: HistoryRepo) -> None:
    done = run_fiscal("diff", "v2", "v3", "--rules", "rules/korea", "--inputs", "inputs",
                      "--format", "markdown", cwd=repo.root)  # fmt: skip
    assert done.returncode == 3, done.stderr
    md = done.stdout
    short2, short3 = repo.commits["v2"][:7], repo.commits["v3"][:7]
    assert md.startswith(f"## Rule changes: v2 ({short2}) → v3 ({short3})")
    assert "3 changes in 2 rule objects." in md
    assert (
        "| added | agreement `2025-honam-energy-valley` | status | — | signed | "
        f"`rules/korea/{NEW_AGREEMENT}:1 @ {short3}` |" in md
    )
    busan = line_of(repo.folders["v2"] / HYDROGEN, "busan: 0.12")
    assert (
        "| amended | agreement `2025-southeast-hydrogen-corridor` | "
        "projects.hydrogen-pipeline.shares party busan | 0.12 | 0.14 | "
        f"`rules/korea/{HYDROGEN}:{busan} @ {short2} → {short3}` |" in md
    )
    assert "fire_safety" not in md.split("## Budget impact")[0]  # moved, not changed
    assert "## Budget impact, 2025-2030" in md
    assert "| total_revenue |" in md
    assert "| agreement 2025-honam-energy-valley | +6,000,000,000 |" in md
    assert md.count("\n| ") > 10


def test_a_renamed_file_with_the_same_content_is_no_change(repo: HistoryRepo) -> None:
    done = run_fiscal("diff", "v3", "v4", "--rules", "rules/korea", "--inputs", "inputs",
                      cwd=repo.root)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "No rule changes" in done.stdout


def test_the_diff_workbook_has_changes_impact_and_both_provenances(
    repo: HistoryRepo, tmp_path: Path
) -> None:
    out = tmp_path / "diff.xlsx"
    args = ("diff", "v1", "v2", "--rules", "rules/korea", "--inputs", "inputs", "-o", out)
    done = run_fiscal(*args, cwd=repo.root)
    assert done.returncode == 3, done.stderr
    assert "Rule changes: v1" in done.stdout and f"Wrote {out}" in done.stdout
    book = openpyxl.load_workbook(out, read_only=True)
    assert book.sheetnames == ["Changes", "Impact", "Attribution", "Provenance"]
    changes = list(book["Changes"].iter_rows(values_only=True))
    assert changes[0][:4] == ("kind", "id", "action", "field")
    assert {row[1] for row in changes[1:]} == {
        "local_consumption_tax.vat_share",
        "national_subsidy.rate",
    }
    impact = list(book["Impact"].iter_rows(values_only=True))
    assert all(isinstance(row[6], int) for row in impact[1:] if row[3] == "won")
    provenance = {row[0]: row[1] for row in book["Provenance"].iter_rows(values_only=True)}
    assert provenance["old commit"] == repo.commits["v1"]
    assert provenance["new commit"] == repo.commits["v2"]
    book.close()
    refused = run_fiscal(*args, cwd=repo.root)
    assert refused.returncode == 1
    assert "--force" in refused.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("nosuch", "v2"), "unknown revision 'nosuch'"),
        (("--rules", "{outside}"), "is not in a git repository"),
        (("v1", "v2", "--rules", "rules/nowhere"), "has no folder rules/nowhere"),
    ],
)
def test_git_problems_are_one_clear_line_and_exit_code_1(
    repo: HistoryRepo, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    outside = tmp_path / "not-a-repo"
    shutil.copytree(repo.folders["v1"], outside)
    argv = [a.replace("{outside}", str(outside)) for a in args]
    if "--rules" not in argv:
        argv += ["--rules", "rules/korea"]
    done = run_fiscal("diff", *argv, "--inputs", "inputs", cwd=repo.root)
    assert done.returncode == 1
    assert message in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_a_broken_ruleset_at_a_revision_is_reported_at_its_repository_path(
    repo: HistoryRepo, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    shutil.copytree(repo.root, work)
    edit(work / "rules" / "korea" / VAT, "{value: 0.253,", "{value: 2.53,")
    git(work, "commit", "-q", "-am", "A typo in the VAT share")
    done = run_fiscal("diff", "v4", "HEAD", "--rules", "rules/korea", "--inputs", "inputs",
                      cwd=work)  # fmt: skip
    assert done.returncode == 1
    line = line_of(work / "rules" / "korea" / VAT, "2.53")
    assert f"rules/korea/{VAT}:{line}: " in done.stderr
    assert "ratio outside [0, 1]" in done.stderr
    assert "fiscal-rules-" not in done.stderr  # never the temporary folder
    assert "Traceback" not in done.stderr
