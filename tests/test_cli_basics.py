"""The command line's contract: fast start, versions, schema, validate, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import BUNDLED_INPUTS, REPO, run_fiscal


def test_help_starts_without_loading_heavy_libraries() -> None:
    code = (
        "import sys\n"
        "from fiscal.cli.app import app\n"
        "try:\n"
        "    app(['--help'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = [m for m in ('pandas', 'numpy', 'openpyxl', 'xlsxwriter', 'pydantic')"
        " if m in sys.modules]\n"
        "print('HEAVY=' + ','.join(heavy))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert "project" in done.stdout
    assert "HEAVY=\n" in done.stdout


def test_version_is_printed() -> None:
    done = run_fiscal("--version")
    assert done.returncode == 0
    assert done.stdout.startswith("fiscal ")


def test_unknown_option_is_a_usage_error() -> None:
    done = run_fiscal("project", "--no-such-option")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr


def test_validate_the_bundled_ruleset_prints_one_ok_line_with_counts() -> None:
    done = run_fiscal("validate", "--inputs", BUNDLED_INPUTS)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("OK:")
    assert "17 regions" in done.stdout
    assert "6 rules" in done.stdout


def test_validate_reports_every_problem_with_file_and_line(rules_copy: Path) -> None:
    vat = rules_copy / "parameters" / "local_consumption_tax" / "vat_share.yaml"
    vat.write_text(
        vat.read_text(encoding="utf-8").replace("{value: 0.253", "{value: 2.53"), encoding="utf-8"
    )
    rule = rules_copy / "transfers" / "fire_safety_grant.yaml"
    rule.write_text(
        rule.read_text(encoding="utf-8").replace("fire_safety_grant.rate", "fire_safety.rate"),
        encoding="utf-8",
    )
    regions = rules_copy / "regions.yaml"
    regions.write_text(
        regions.read_text(encoding="utf-8").replace(
            "mega_region: honam}", "mega_region: hanam}", 1
        ),
        encoding="utf-8",
    )
    done = run_fiscal("validate", rules_copy, cwd=rules_copy.parent)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    err = done.stderr
    vat_line = 1 + next(i for i, t in enumerate(vat.read_text().splitlines()) if "2023-01-01" in t)
    vat_where = f"rules/parameters/local_consumption_tax/vat_share.yaml:{vat_line}"
    assert f"{vat_where}: 2.53 is a ratio outside [0, 1]" in err
    rule_line = 1 + next(
        i for i, t in enumerate(rule.read_text().splitlines()) if "fire_safety.rate" in t
    )
    rule_where = f"rules/transfers/fire_safety_grant.yaml:{rule_line}"
    assert f"{rule_where}: unknown parameter 'fire_safety.rate'" in err
    assert "unknown mega-region 'hanam'" in err
    assert "3 problems in 3 files" in err
    # Sorted by file: parameters/ before regions.yaml before transfers/.
    assert err.index("vat_share.yaml") < err.index("regions.yaml") < err.index("fire_safety_grant")


def test_validate_a_missing_folder_is_a_user_error(tmp_path: Path) -> None:
    done = run_fiscal("validate", tmp_path / "nowhere")
    assert done.returncode == 1
    assert "ruleset folder not found" in done.stderr


def test_schema_describes_parameter_files() -> None:
    done = run_fiscal("schema", "parameter")
    assert done.returncode == 0
    schema = json.loads(done.stdout)
    assert set(schema["required"]) == {"description", "metadata", "values"}
    assert schema["additionalProperties"] is False


def test_schema_of_all_files_is_one_document() -> None:
    schema = json.loads(run_fiscal("schema").stdout)
    assert {"parameter_file", "rule_file", "regions_file"} <= set(schema["$defs"])


def test_schema_rejects_an_unknown_kind() -> None:
    done = run_fiscal("schema", "nonsense")
    assert done.returncode == 2
