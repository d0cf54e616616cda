"""A repository that keeps a ruleset can run `fiscal validate` on every commit (pre-commit)."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import yaml

from tests.conftest import REPO, run_fiscal
from tests.history_repo import VAT, edit

HOOKS = REPO / ".pre-commit-hooks.yaml"
GUIDE = REPO / "docs" / "rule-repositories.md"


def _hook() -> dict[str, object]:
    hooks = yaml.safe_load(HOOKS.read_text(encoding="utf-8"))
    assert isinstance(hooks, list)
    (hook,) = [h for h in hooks if h["id"] == "fiscal-validate"]
    assert isinstance(hook, dict)
    return hook


def _documented_config() -> dict[str, object]:
    """The .pre-commit-config.yaml the guide tells a rule repository to write."""
    text = GUIDE.read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(repos:.*?)```", text, re.S)
    assert block, "the guide shows no .pre-commit-config.yaml"
    config = yaml.safe_load(block.group(1))
    assert isinstance(config, dict)
    return config


def test_the_hook_runs_the_fiscal_command_the_package_installs() -> None:
    hook = _hook()
    assert hook["language"] == "python"  # pre-commit pip-installs this repository
    assert hook["pass_filenames"] is False  # fiscal validate takes the folder, not files
    entry = shlex.split(str(hook["entry"]))
    assert entry[:2] == ["fiscal", "validate"]
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "scripts"
    ]
    assert scripts["fiscal"] == "fiscal.cli:main"
    files = re.compile(str(hook["files"]))
    assert files.search("rules/korea/parameters/local_shared_tax/rate.yaml")
    assert files.search("examples/korea-2025/national.yml")
    assert not files.search("README.md")


def test_the_guide_configures_the_hook_that_exists() -> None:
    (repo,) = _documented_config()["repos"]  # type: ignore[misc]
    (hook,) = repo["hooks"]
    assert hook["id"] == _hook()["id"]
    assert hook["args"][0] == "rules/korea"


def test_the_hook_is_silent_on_sound_rules_and_lists_every_problem_otherwise(
    rules_copy: Path, inputs_copy: Path
) -> None:
    entry = shlex.split(str(_hook()["entry"]))[1:]
    args = ["rules", "--inputs", "inputs"]  # as the guide's args, in this test's folder
    folder = rules_copy.parent
    sound = run_fiscal(*entry, *args, cwd=folder)
    assert (sound.returncode, sound.stdout, sound.stderr) == (0, "", "")
    edit(rules_copy / VAT, "{value: 0.253", "{value: 2.53")
    broken = run_fiscal(*entry, *args, cwd=folder)
    assert broken.returncode == 1
    assert "rules/parameters/local_consumption_tax/vat_share.yaml:" in broken.stderr
    assert "2.53 is a ratio outside [0, 1]" in broken.stderr
