"""An import writes into the folder its template was made from, never into the bundled data.

`fiscal template inputs --prefill --inputs inputs` printed "then: fiscal import inp.xlsx",
and following it wrote into the bundled inputs. Now the template records the folder it
was made from and the printed next step, copied and run as shown, writes there.
"""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

from tests.conftest import BUNDLED_INPUTS, BUNDLED_RULES, REPO, run_fiscal
from tests.excel_helpers import address, edit_cells, find_row, fingerprint, git, read_rows


def _repo(tmp_path: Path) -> Path:
    """A user's repository with committed copies of the rules and inputs."""
    repo = tmp_path / "own"
    shutil.copytree(BUNDLED_RULES, repo / "rules" / "korea")
    shutil.copytree(
        BUNDLED_INPUTS, repo / "inputs", ignore=shutil.ignore_patterns("*.py", "__pycache__")
    )
    git(repo.parent, "init", "-q", str(repo))
    git(repo, "config", "user.email", "tests@example.com")
    git(repo, "config", "user.name", "tests")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "data")
    return repo


def _printed_step(stdout: str) -> list[str]:
    """The command after "then:" in what `fiscal template` printed, as a shell splits it."""
    found = re.search(r"then: (fiscal import .*)$", stdout.strip())
    assert found, stdout
    return shlex.split(found.group(1))


def _relabel_vat_base(book: Path) -> None:
    rows = read_rows(book)
    cell = address(rows, "Series", find_row(rows, "Series", series="vat_base"), "label_en")
    edit_cells(book, book, lambda wb: setattr(wb["Series"][cell], "value", "VAT base, revised"))


def test_the_printed_next_step_imports_into_the_folder_the_template_came_from(
    tmp_path: Path,
) -> None:
    repo = _repo(tmp_path)
    bundled = fingerprint(REPO / "examples", REPO / "rules")
    made = run_fiscal(
        "template", "inputs", "--prefill", "--inputs", "inputs", "-o", "inp.xlsx", cwd=repo
    )
    assert made.returncode == 0, made.stderr
    step = _printed_step(made.stdout)
    assert step == ["fiscal", "import", "inp.xlsx"]
    _relabel_vat_base(repo / "inp.xlsx")
    done = run_fiscal(*step[1:], cwd=repo)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "into inputs:" in done.stdout
    assert "VAT base, revised" in (repo / "inputs" / "national.yaml").read_text(encoding="utf-8")
    assert fingerprint(REPO / "examples", REPO / "rules") == bundled


def test_the_import_finds_the_folder_from_anywhere_in_the_repository(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    made = run_fiscal(
        "template", "inputs", "--prefill", "--inputs", "inputs", "-o", "inp.xlsx", cwd=repo
    )
    assert made.returncode == 0, made.stderr
    _relabel_vat_base(repo / "inp.xlsx")
    (repo / "inbox").mkdir()
    shutil.move(repo / "inp.xlsx", repo / "inbox" / "back from staff.xlsx")
    done = run_fiscal("import", "back from staff.xlsx", cwd=repo / "inbox")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "VAT base, revised" in (repo / "inputs" / "national.yaml").read_text(encoding="utf-8")


def test_an_agreements_template_made_in_a_rules_repository_imports_into_its_ruleset(
    tmp_path: Path,
) -> None:
    repo = _repo(tmp_path)
    made = run_fiscal("template", "agreements", "--prefill", "-o", "a.xlsx", cwd=repo)
    assert made.returncode == 0, made.stderr
    edit_cells(
        repo / "a.xlsx",
        repo / "a.xlsx",
        lambda wb: setattr(wb["Agreements"]["B4"], "value", "Renamed"),
    )
    done = run_fiscal(*_printed_step(made.stdout)[1:], cwd=repo)
    assert done.returncode == 0, done.stdout + done.stderr
    texts = [p.read_text(encoding="utf-8") for p in (repo / "rules/korea/agreements").glob("*")]
    assert any("title: Renamed\n" in t for t in texts)


def test_a_template_of_the_bundled_inputs_is_never_imported_into_them(tmp_path: Path) -> None:
    bundled = fingerprint(REPO / "examples", REPO / "rules")
    made = run_fiscal("template", "inputs", "--prefill", "-o", "inp.xlsx", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "fiscal import inp.xlsx --inputs FOLDER" in made.stdout
    _relabel_vat_base(tmp_path / "inp.xlsx")
    for extra in ((), ("--dry-run",), ("--inputs", str(BUNDLED_INPUTS), "--force")):
        done = run_fiscal("import", "inp.xlsx", *extra, cwd=tmp_path)
        assert done.returncode == 1, done.stdout + done.stderr
        assert "is the bundled example inputs fiscal ships; an import never writes there" in (
            done.stderr
        )
        assert "examples/korea-2025" in done.stderr
        assert "Traceback" not in done.stderr
    assert fingerprint(REPO / "examples", REPO / "rules") == bundled
    # Told where to write, it writes there.
    shutil.copytree(BUNDLED_INPUTS, tmp_path / "mine", ignore=shutil.ignore_patterns("*.py"))
    done = run_fiscal("import", "inp.xlsx", "--inputs", "mine", "--force", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "VAT base, revised" in (tmp_path / "mine" / "national.yaml").read_text(encoding="utf-8")


def test_a_template_whose_folder_is_gone_says_so_and_how_to_name_one(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    made = run_fiscal("template", "inputs", "--inputs", "inputs", "-o", "inp.xlsx", cwd=repo)
    assert made.returncode == 0, made.stderr
    shutil.move(repo / "inp.xlsx", tmp_path / "inp.xlsx")
    done = run_fiscal("import", "inp.xlsx", "--dry-run", cwd=tmp_path)
    assert done.returncode == 1
    assert "the template was made from inputs (relative to the repository)" in done.stderr
    assert "--inputs" in done.stderr


def test_a_dry_run_exits_1_when_the_real_run_would_refuse(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    made = run_fiscal(
        "template", "inputs", "--prefill", "--inputs", "inputs", "-o", "inp.xlsx", cwd=repo
    )
    assert made.returncode == 0, made.stderr
    _relabel_vat_base(repo / "inp.xlsx")
    national = repo / "inputs" / "national.yaml"
    national.write_text(national.read_text(encoding="utf-8") + "# mine\n", encoding="utf-8")
    dry = run_fiscal("import", "inp.xlsx", "--dry-run", cwd=repo)
    assert dry.returncode == 1, dry.stdout + dry.stderr
    assert "Dry run, nothing written" in dry.stdout  # what it would do is still shown
    assert "The import itself would refuse and write nothing" in dry.stderr
    assert "inputs/national.yaml: the file has uncommitted changes" in dry.stderr
    as_json = run_fiscal("import", "inp.xlsx", "--dry-run", "--json", cwd=repo)
    assert as_json.returncode == 1
    assert '"refused"' in as_json.stdout
    assert national.read_text(encoding="utf-8").endswith("# mine\n")


def test_a_ruleset_in_a_repository_of_its_own_used_from_a_checkout_imports_into_it(
    tmp_path: Path,
) -> None:
    """The rules kept beside a checkout of fiscal, in their own repository: recorded
    relative to that repository, the import read the text against the checkout's and
    looked for a ruleset at the checkout's root."""
    own = _repo(tmp_path)
    checkout = tmp_path / "fiscal"
    shutil.copytree(BUNDLED_RULES, checkout / "rules" / "korea")
    git(tmp_path, "init", "-q", str(checkout))
    rules = "../own/rules/korea"
    made = run_fiscal(
        "template", "agreements", "--prefill", "--rules", rules, "-o", "a.xlsx", cwd=checkout
    )
    assert made.returncode == 0, made.stderr
    edit_cells(
        checkout / "a.xlsx",
        checkout / "a.xlsx",
        lambda wb: setattr(wb["Agreements"]["B4"], "value", "Renamed"),
    )
    done = run_fiscal(*_printed_step(made.stdout)[1:], cwd=checkout)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "own/rules/korea:" in done.stdout
    texts = [p.read_text(encoding="utf-8") for p in (own / "rules/korea/agreements").glob("*")]
    assert any("title: Renamed\n" in t for t in texts)
    mine = [p.read_text(encoding="utf-8") for p in (checkout / "rules/korea").rglob("*.yaml")]
    assert not any("title: Renamed\n" in t for t in mine)  # the checkout's rules untouched
