"""Names people use: a region, party, item or status may be named by its id, English name
or Korean name (any case), and what it resolved to is said; an unknown name gets a
"did you mean" from the known ones.

Workbooks are real prefilled templates retyped the way staff type them; the YAML files
the import writes are read back; the CLI is the real one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from fiscal.rules.loader import load_ruleset
from fiscal.rules.names import item_names, region_names, status_names
from tests.conftest import BUNDLED_RULES
from tests.excel_helpers import Rows, copy_data, find_row, read_rows, rewrite, run_cli, set_cell

GANGWON = "2019-gangwon-eco-tourism"


@dataclass
class Setup:
    rules: Path
    inputs: Path
    books: dict[str, Path]


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Setup:
    base = tmp_path_factory.mktemp("names")
    rules, inputs = copy_data(base)
    books = {}
    for kind in ("agreements", "inputs"):
        books[kind] = base / f"{kind}.xlsx"
        done = run_cli(
            "template", kind, "--prefill", "--rules", rules, "--inputs", inputs, "-o", books[kind]
        )
        assert done.code == 0, done.err
    return Setup(rules, inputs, books)


@pytest.mark.parametrize(
    ("typed", "region"),
    [
        ("seoul", "seoul"),
        ("Seoul", "seoul"),
        ("SEOUL", "seoul"),
        ("서울", "seoul"),
        ("서울특별시", "seoul"),
        ("부산광역시", "busan"),
        ("경기", "gyeonggi"),
        ("충북", "chungbuk"),
        ("충청남도", "chungnam"),
        ("강원특별자치도", "gangwon"),
        (" Jeju ", "jeju"),
    ],
)
def test_a_region_is_named_by_id_english_or_korean_name(typed: str, region: str) -> None:
    names = region_names(load_ruleset(BUNDLED_RULES))
    found = names.get(typed)
    assert found is not None and found.id == region


def test_an_unknown_region_says_which_known_one_was_meant() -> None:
    names = region_names(load_ruleset(BUNDLED_RULES))
    assert names.resolve("Seol").problem == "unknown region 'Seol'; did you mean 'seoul'?"
    nothing = names.resolve("Atlantis").problem
    assert nothing is not None and nothing.startswith("unknown region 'Atlantis'; expected one of")


def test_a_status_is_named_in_korean_as_the_template_lists_it() -> None:
    names = status_names(("proposed", "signed", "amended", "terminated"))
    assert [names.get(t).id for t in ("체결", "Signed", "해지")] == [  # type: ignore[union-attr]
        "signed",
        "signed",
        "terminated",
    ]


def test_an_item_is_named_by_its_label() -> None:
    ruleset = load_ruleset(BUNDLED_RULES)
    names = item_names(ruleset)
    item = ruleset.item("local_consumption_tax")
    assert names.get(item.label.ko).id == "local_consumption_tax"  # type: ignore[union-attr]
    assert names.get("Local Consumption Tax".upper()) is not None or item.label.en != (
        "Local consumption tax"
    )


def test_explain_takes_korean_names_and_says_what_they_resolved_to() -> None:
    done = run_cli("explain", "서울", "2026", "local_consumption_tax")
    assert done.code == 0, done.err
    assert "region 서울: seoul (Seoul, 서울특별시)" in done.err
    by_id = run_cli("explain", "seoul", "2026", "local_consumption_tax")
    assert by_id.out == done.out


def test_explain_suggests_the_region_and_item_meant() -> None:
    done = run_cli("explain", "busn", "2026", "local_consumption_tx")
    assert done.code == 1
    assert "unknown region 'busn'; did you mean 'busan'?" in done.err
    assert "unknown item 'local_consumption_tx'; did you mean 'local_consumption_tax'" in done.err
    assert "Traceback" not in done.err


def test_an_agreements_workbook_with_korean_and_english_names_imports_as_ids(
    setup: Setup, tmp_path: Path
) -> None:
    target = tmp_path / "names.xlsx"

    def retype(rows: Rows) -> None:
        set_cell(rows, "Agreements", find_row(rows, "Agreements", id=GANGWON), "status", "체결")
        party = find_row(rows, "Parties", agreement=GANGWON, party="gangwon")
        set_cell(rows, "Parties", party, "party", "강원특별자치도")
        for index, row in enumerate(rows["Shares"]):
            if index >= 3 and row[0] == GANGWON and "gangwon" in row:
                set_cell(rows, "Shares", index, "party", "Gangwon")

    rewrite(setup.books["agreements"], target, retype)
    done = run_cli("import", target, "--rules", setup.rules, "--inputs", setup.inputs, "--force")
    assert done.code == 0, done.err
    written = yaml.safe_load((setup.rules / "agreements" / f"{GANGWON}.yaml").read_text("utf-8"))
    assert written["status"] == "signed"
    assert "gangwon" in [p["id"] for p in written["parties"]]
    assert all("gangwon" in p["shares"] for p in written["projects"] if "gangwon" in str(p))


def test_an_unknown_party_in_a_workbook_gets_a_did_you_mean(setup: Setup, tmp_path: Path) -> None:
    target = tmp_path / "typo.xlsx"

    def retype(rows: Rows) -> None:
        party = find_row(rows, "Parties", agreement=GANGWON, party="gangwon")
        set_cell(rows, "Parties", party, "party", "gangwn")

    rewrite(setup.books["agreements"], target, retype)
    done = run_cli("import", target, "--rules", setup.rules, "--force")
    assert done.code == 1
    assert "unknown region 'gangwn'; did you mean 'gangwon'?" in done.err


def test_an_inputs_workbook_names_regions_in_korean(setup: Setup, tmp_path: Path) -> None:
    target = tmp_path / "inputs.xlsx"
    before = read_rows(setup.books["inputs"])
    seoul_rows = [i for i, r in enumerate(before["Regional"]) if i >= 3 and "seoul" in r]
    assert seoul_rows

    def retype(rows: Rows) -> None:
        for index in seoul_rows:
            set_cell(rows, "Regional", index, "region", "서울")

    rewrite(setup.books["inputs"], target, retype)
    inputs = tmp_path / "inputs"
    copy_data(tmp_path / "copy")
    done = run_cli(
        "import", target, "--rules", setup.rules, "--inputs", tmp_path / "copy" / "inputs",
        "--force",
    )  # fmt: skip
    assert done.code == 0, done.err
    regional = tmp_path / "copy" / "inputs" / "regional"
    for path in regional.glob("*.yaml"):
        values = yaml.safe_load(path.read_text("utf-8"))["values"]
        assert "seoul" in values and "서울" not in values
    assert not inputs.exists()
