"""The Provenance sheet records the hash of the bytes the loader read, not of the disk later.

A rule file edited between loading and writing the workbook would otherwise be recorded
as if the workbook had been made from the edit; with the loaded hash, ``fiscal verify``
names the file as changed.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import openpyxl

from fiscal import api
from tests.conftest import BUNDLED_INPUTS, BUNDLED_RULES, run_fiscal

VAT = "parameters/local_consumption_tax/vat_share.yaml"


def provenance_hashes(book: Path) -> dict[str, str]:
    sheet = openpyxl.load_workbook(book, read_only=True)["Provenance"]
    rows = [tuple(str(c or "") for c in row[:3]) for row in sheet.iter_rows(values_only=True)]
    start = rows.index(("role", "file", "sha256"))
    return {f"{role}:{path}": sha for role, path, sha in rows[start + 1 :] if role}


def test_a_rule_file_edited_after_loading_is_recorded_as_loaded(tmp_path: Path) -> None:
    rules, inputs = tmp_path / "rules", tmp_path / "inputs"
    shutil.copytree(BUNDLED_RULES, rules)
    shutil.copytree(BUNDLED_INPUTS, inputs, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    vat = rules / VAT
    loaded = hashlib.sha256(vat.read_bytes()).hexdigest()

    result = api.project(api.load_rules(rules), api.load_inputs(inputs))
    text = vat.read_text(encoding="utf-8")
    vat.write_text(text.replace("{value: 0.253,", "{value: 0.26,"), encoding="utf-8")
    edited = hashlib.sha256(vat.read_bytes()).hexdigest()
    assert edited != loaded
    book = result.write(tmp_path / "made.xlsx")

    assert provenance_hashes(book)[f"rules:{VAT}"] == loaded
    done = run_fiscal("verify", book, cwd=tmp_path)
    assert done.returncode != 0, done.stdout + done.stderr
    assert f"{VAT}: changed since the workbook was made" in done.stdout
