"""What every command does alike: examples in --help, --json for tables, --quiet, shell
completion, NO_COLOR, and a thin layer over the Python API."""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

import fiscal.cli.app as cli
from fiscal.cli import maintainers, options
from fiscal.report.views import BY_CHOICES
from fiscal.rules.reference import reference
from fiscal.rules.schema import SCHEMA_KINDS
from tests.conftest import BUNDLED_INPUTS, BUNDLED_RULES, REPO
from tests.history_repo import VAT, edit, git

SCENARIO = BUNDLED_INPUTS / "scenarios" / "lct-30pct-2027.yaml"
YEARS = ("--from", "2025", "--to", "2026")
# Commands whose output is not a table: schema prints JSON already, the others one line.
NO_TABLE = {"schema", "template", "synth"}
COLOUR = re.compile(r"\x1b\[(?:\d+;)*(?:3[0-8]|9[0-7])(?:;\d+)*m")


def _commands() -> dict[str, Any]:
    group = typer.main.get_command(cli.app)
    return dict(group.commands)  # type: ignore[attr-defined]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env["PYTHONPATH"] = str(REPO / "src")
    env["COLUMNS"] = "120"
    return {**env, **extra}


def test_every_command_shows_examples_in_its_help() -> None:
    runner = CliRunner()
    for name in _commands():
        done = runner.invoke(cli.app, [name, "--help"], env={"COLUMNS": "200"})
        assert done.exit_code == 0, name
        assert "Example" in done.output, f"fiscal {name} --help has no example"
    top = runner.invoke(cli.app, ["--help"], env={"COLUMNS": "200"})
    assert "--install-completion" in top.output
    assert "Exit codes" in top.output


def test_every_command_that_prints_a_table_takes_json() -> None:
    for name, command in _commands().items():
        options = {opt for param in command.params for opt in getattr(param, "opts", [])}
        if name not in NO_TABLE:
            assert "--json" in options, f"fiscal {name} has no --json"


def test_the_cli_lists_the_same_choices_as_the_core() -> None:
    assert options.BY_VALUES == BY_CHOICES
    for kind in SCHEMA_KINDS:
        assert kind in maintainers.SCHEMA_KINDS_HELP


@dataclass(frozen=True)
class Run:
    returncode: int
    stdout: str
    stderr: str


def _invoke(*args: str | Path) -> Run:
    """One command run in this process (the JSON matrix; fast, no interpreter start)."""
    done = CliRunner().invoke(
        cli.app, [str(a) for a in args], env={"NO_COLOR": "1", "COLUMNS": "120"}
    )
    if done.exception is not None and not isinstance(done.exception, SystemExit):
        raise done.exception
    return Run(done.exit_code, done.stdout, done.stderr)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Every --json run, in one folder."""
    folder = tmp_path_factory.mktemp("json")
    old, new = folder / "old", folder / "new"
    shutil.copytree(BUNDLED_RULES, old)
    shutil.copytree(BUNDLED_RULES, new)
    edit(new / VAT, "{value: 0.253", "{value: 0.26")
    repo = folder / "repo"
    shutil.copytree(BUNDLED_RULES, repo)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Rules")
    out = folder.joinpath
    commands: dict[str, tuple[str | Path, ...]] = {
        "project": ("project", "--json", "-o", out("p.xlsx"), *YEARS),
        "compare": ("compare", SCENARIO, "--json", "-o", out("c.xlsx"), *YEARS),
        "explain": ("explain", "jeonnam", "2026", "local_shared_tax_ordinary", "--json"),
        "sweep": (
            *("sweep", "--param", "local_consumption_tax.vat_share", "--values", "0.25,0.3"),
            *("--json", "-o", out("s.xlsx"), *YEARS),
        ),
        "agreements": ("agreements", "--json"),
        "agreement": ("agreements", "2025-southeast-hydrogen-corridor", "--json"),
        "validate": ("validate", "--inputs", BUNDLED_INPUTS, "--json"),
        "validate-bad": ("validate", out("nowhere"), "--json"),
        "validate-quiet": ("validate", "--quiet"),
        "diff": ("diff", old, new, "--rules", old, "--json", *YEARS),
        "diff-quiet": ("diff", old, new, "--rules", old, "--quiet"),
        "diff-both": ("diff", old, new, "--rules", old, "--json", "--format", "markdown"),
        "history": ("history", "local_consumption_tax.vat_share", "--json", "--rules", repo),
        "schema-markdown": ("schema", "parameter", "--format", "markdown"),
        "template": ("template", "agreements", "--prefill", "-o", out("t.xlsx"), "--quiet"),
    }
    done = {name: _invoke(*args) for name, args in commands.items()}
    # Into a committed copy: an import never writes the bundled ruleset the template shows.
    done["import"] = _invoke("import", out("t.xlsx"), "--rules", repo, "--dry-run", "--json")
    return done


def _json(done: Run, code: int = 0) -> object:
    assert done.returncode == code, done.stderr
    return json.loads(done.stdout)


def test_project_json_has_every_region_year_in_whole_won(runs: dict[str, Run]) -> None:
    out = _json(runs["project"])
    assert isinstance(out, dict)
    assert out["years"] == [2025, 2026]
    assert out["output"].endswith("p.xlsx")
    assert len(out["summary"]) == 2 * 17
    assert all(isinstance(row["total_revenue_krw"], int) for row in out["summary"])
    assert {row["year"] for row in out["national"]} == {2025, 2026}


def test_compare_sweep_explain_and_agreements_json(runs: dict[str, Run]) -> None:
    compare = _json(runs["compare"])
    assert isinstance(compare, dict)
    assert compare["scenarios"] == ["Local consumption tax at 30% of VAT from 2027"]
    assert {"own_source_change_krw", "independence_change_pp"} <= set(compare["compare"][0])
    sweep = _json(runs["sweep"])
    assert isinstance(sweep, dict)
    assert [p["value"] for p in sweep["points"]][::17] == [0.25, 0.3]
    explain = _json(runs["explain"])
    assert isinstance(explain, dict)
    assert explain["region"]["id"] == "jeonnam"
    listing = _json(runs["agreements"])
    assert isinstance(listing, list)
    assert all(isinstance(a["total_krw"], int) for a in listing)
    one = _json(runs["agreement"])
    assert isinstance(one, dict)
    assert (
        sum(f["amount_krw"] for f in one["flows"] if f["flow"] == "cost_share") == one["total_krw"]
    )


def test_validate_json_reports_counts_or_every_problem(runs: dict[str, Run]) -> None:
    good = _json(runs["validate"])
    assert isinstance(good, dict)
    assert good["ok"] is True
    assert good["counts"]["regions"] == 17
    bad = _json(runs["validate-bad"], 1)
    assert isinstance(bad, dict)
    assert bad["ok"] is False
    assert bad["problems"][0]["message"] == "ruleset folder not found"
    assert runs["validate-quiet"].returncode == 0
    assert runs["validate-quiet"].stdout == ""


def test_diff_json_quiet_and_contradicting_formats(runs: dict[str, Run]) -> None:
    out = _json(runs["diff"], 3)
    assert isinstance(out, dict)
    assert out["changes"]
    quiet = runs["diff-quiet"]
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (3, "", "")
    both = runs["diff-both"]
    assert both.returncode == 2
    assert "--json contradicts --format markdown" in both.stderr


def test_history_schema_template_and_import(runs: dict[str, Run]) -> None:
    history = _json(runs["history"])
    assert isinstance(history, dict)
    assert len(history["entries"]) >= 1
    assert runs["schema-markdown"].stdout == reference("parameter")
    assert runs["template"].returncode == 0
    assert runs["template"].stdout == ""
    imported = _json(runs["import"])
    assert isinstance(imported, dict)
    assert imported["dry_run"] is True
    assert imported["kind"] == "agreements"
    assert all(f["action"] == "unchanged" for f in imported["files"])


def _complete(words: str) -> list[str]:
    env = _env(_FISCAL_COMPLETE="complete_bash", COMP_WORDS=words)
    env["COMP_CWORD"] = str(len(words.split()) - (0 if words.endswith(" ") else 1))
    done = subprocess.run(
        [sys.executable, "-m", "fiscal"], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


def test_shell_completion_offers_commands_choices_and_ids() -> None:
    assert _complete("fiscal pro") == ["project"]
    assert _complete("fiscal project --by m") == ["mega-region"]
    assert "jeonnam" in _complete("fiscal explain jeon")
    assert _complete("fiscal schema par") == ["parameter"]


@pytest.mark.parametrize(
    ("args", "stream"),
    [(("validate", "nowhere"), "stderr"), (("--help",), "stdout")],
)
def test_no_color_turns_colour_off_even_on_a_terminal(
    args: tuple[str, ...], stream: str, tmp_path: Path
) -> None:
    def run(**extra: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "fiscal", *args],
            env=_env(FORCE_COLOR="1", **extra),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        return str(getattr(done, stream))

    assert COLOUR.search(run())
    assert not COLOUR.search(run(NO_COLOR="1"))


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:  # a name inside a module, not a module
        return False


def test_commands_call_the_api_and_compute_nothing_themselves() -> None:
    """The CLI parses options and renders: any work goes through fiscal.api."""
    allowed = {
        "fiscal",  # __version__, and the modules below
        "fiscal.api",
        "fiscal.errors",
        "fiscal.cli.render",
        "fiscal.cli.jsonout",
        "fiscal.report.terminal",  # the tables the terminal shows, built from reports
        "fiscal.history.report",  # rendering of diffs and histories
        "fiscal.files.git",  # GitError, to print a git problem on one line
        "fiscal.files.atomic",  # refuse_overwrite, before any work is done
        "fiscal.rules.schema",  # what `fiscal schema` prints
        "fiscal.rules.reference",
        "fiscal.report.sweep",  # parse_values: the --values and --range options
    }
    # The command modules of the cli package; rendering and JSON are allowed to read reports.
    presenters = {"render.py", "jsonout.py", "help.py", "__init__.py"}
    commands = sorted(p for p in (REPO / "src" / "fiscal" / "cli").glob("*.py"))
    commands = [p for p in commands if p.name not in presenters]
    assert commands, "no command modules found in src/fiscal/cli"
    for module in commands:
        tree = ast.parse(module.read_text(encoding="utf-8"))
        imported = {
            # `from fiscal.report import terminal` imports the module fiscal.report.terminal
            f"{node.module}.{alias.name}"
            if _is_module(f"{node.module}.{alias.name}")
            else node.module
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom)
            and node.module
            and node.module.startswith("fiscal")
            and not node.module.startswith("fiscal.cli")
            for alias in node.names
        }
        assert imported <= allowed, (
            f"{module.name}: route these through fiscal.api: {imported - allowed}"
        )
