"""Checking a ruleset: every mistake in the rule files, at its file and line, in one run.

Each test copies the bundled Korean ruleset, breaks it the way a budget officer might,
and checks what `check_ruleset` says. Expected lines are found by searching the edited
file, so the tests keep working when the bundled rules gain or lose lines.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fiscal.errors import Problem, UserError
from fiscal.rules.loader import check_ruleset, load_ruleset
from fiscal.rules.types import RegionClass
from tests.conftest import BUNDLED_RULES


def edit(path: Path, old: str, new: str) -> None:
    """Replace the one occurrence of ``old`` in a rule file."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} should occur once in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(path: Path, fragment: str) -> int:
    """The 1-based line of the one line of ``path`` that contains ``fragment``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found = [n for n, line in enumerate(lines, start=1) if fragment in line]
    assert len(found) == 1, f"{fragment!r} should be on one line of {path}, found {found}"
    return found[0]


def in_file(problems: list[Problem], path: Path) -> list[tuple[int, str]]:
    return [
        (p.where.line, p.message)
        for p in problems
        if Path(p.where.file).resolve() == path.resolve()
    ]


def only_problem(root: Path, path: Path) -> tuple[int, str]:
    """Check the ruleset and return its single problem, which must be in ``path``."""
    _, problems = check_ruleset(root)
    assert len(problems) == 1, "\n".join(map(str, problems))
    [(line, message)] = in_file(problems, path)
    return line, message


# --- the bundled ruleset ---------------------------------------------------------------------


def test_the_bundled_ruleset_loads_without_a_single_problem() -> None:
    ruleset, problems = check_ruleset(BUNDLED_RULES)
    assert problems == []
    assert ruleset is not None
    assert len(ruleset.regions) == 17
    assert len(set(ruleset.region_ids)) == 17
    upper_classes = {
        RegionClass.capital,
        RegionClass.metropolitan,
        RegionClass.province,
        RegionClass.special,
    }
    assert {r.region_class for r in ruleset.regions} == upper_classes
    assert all(r.tier == "upper" and r.parent is None for r in ruleset.regions)
    mega = {m.id for m in ruleset.mega_regions}
    assert all(r.mega_region in mega for r in ruleset.regions)


def test_every_rule_and_parameter_remembers_its_file_and_line() -> None:
    ruleset = load_ruleset(BUNDLED_RULES)
    for rule in ruleset.rules:
        assert rule.source.file.endswith(".yaml") and rule.source.line == 1
    vat_share = ruleset.parameters["local_consumption_tax.vat_share"]
    path = BUNDLED_RULES / "parameters" / "local_consumption_tax" / "vat_share.yaml"
    for value in vat_share.values:
        assert value.source.line == line_of(path, f"{value.effective.isoformat()}:")


# --- one mistake at a time -------------------------------------------------------------------


def test_a_misspelt_key_is_an_unknown_key_at_its_line(rules_copy: Path) -> None:
    path = rules_copy / "transfers" / "real_estate_grant.yaml"
    edit(path, "status: illustrative\n", "status: illustrative\nstatsu: confirmed\n")
    _, problems = check_ruleset(rules_copy)
    assert (
        line_of(path, "statsu:"),
        "unknown key 'statsu'; check its spelling against `fiscal schema`",
    ) in in_file(problems, path)


def test_a_number_in_quotes_is_text_where_a_number_belongs(rules_copy: Path) -> None:
    path = rules_copy / "parameters" / "local_consumption_tax" / "vat_share.yaml"
    edit(path, "{value: 0.253,", '{value: "0.253",')
    _, problems = check_ruleset(rules_copy)
    messages = [m for line, m in in_file(problems, path) if line == line_of(path, '"0.253"')]
    assert any("expected a number" in m and "'0.253'" in m and "quotes" in m for m in messages), (
        messages
    )


def test_a_ratio_above_one_is_refused(rules_copy: Path) -> None:
    path = rules_copy / "parameters" / "local_consumption_tax" / "vat_share.yaml"
    edit(path, "{value: 0.253,", "{value: 25.3,")
    line, message = only_problem(rules_copy, path)
    assert line == line_of(path, "25.3")
    assert "25.3" in message and "ratio outside [0, 1]" in message


def test_a_negative_weight_is_refused(rules_copy: Path) -> None:
    path = rules_copy / "parameters" / "local_consumption_tax" / "class_weight.yaml"
    edit(path, "capital: 1\n", "capital: -1\n")
    line, message = only_problem(rules_copy, path)
    assert line == line_of(path, "2010-01-01:")
    assert "capital: -1 is negative" in message


def test_a_split_that_does_not_sum_to_one_shows_its_parts(rules_copy: Path) -> None:
    path = rules_copy / "parameters" / "local_shared_tax" / "split.yaml"
    edit(path, "ordinary: 0.97", "ordinary: 0.96")
    line, message = only_problem(rules_copy, path)
    assert line == line_of(path, "2015-01-01:")
    assert "sum to 1" in message
    assert "ordinary 0.96 + special 0.03 = 0.99" in message


def test_dates_out_of_order_point_at_the_later_entry(rules_copy: Path) -> None:
    path = rules_copy / "parameters" / "local_consumption_tax" / "vat_share.yaml"
    edit(path, "2022-01-01:", "2024-01-01:")  # now 2024 comes before 2023
    _, problems = check_ruleset(rules_copy)
    found = in_file(problems, path)
    assert (
        line_of(path, "2023-01-01:"),
        "effective date 2023-01-01 is not after 2024-01-01; list values in date order, "
        "one per date",
    ) in found


def test_an_impossible_date_is_named(rules_copy: Path) -> None:
    path = rules_copy / "parameters" / "local_consumption_tax" / "vat_share.yaml"
    edit(path, "2022-01-01:", "2022-02-30:")
    _, problems = check_ruleset(rules_copy)
    assert (line_of(path, "2022-02-30"), "'2022-02-30' is not a real date") in in_file(
        problems, path
    )


def test_an_unknown_region_in_a_region_parameter_is_named(rules_copy: Path) -> None:
    path = rules_copy / "parameters" / "local_consumption_tax" / "class_weight.yaml"
    edit(path, "      sejong: 2\n", "      sejong: 2\n      sejongg: 2\n")
    line, message = only_problem(rules_copy, path)
    assert line == line_of(path, "2010-01-01:")
    assert "unknown region or class 'sejongg'" in message
    assert all(c.value in message for c in RegionClass)  # says what would be accepted


def test_regions_left_without_a_value_by_their_class_are_listed(rules_copy: Path) -> None:
    path = rules_copy / "parameters" / "national_subsidy" / "rate.yaml"
    edit(path, "      special: 0.7\n", "")
    line, message = only_problem(rules_copy, path)
    assert line == line_of(path, "2020-01-01:")
    special = [r.id for r in load_ruleset(BUNDLED_RULES).regions if r.region_class == "special"]
    assert special  # Sejong, Gangwon, Jeonbuk, Jeju
    assert f"no value for region(s) {', '.join(special)}" in message


def test_an_unknown_parameter_is_reported_where_the_rule_names_it(rules_copy: Path) -> None:
    path = rules_copy / "sharing" / "local_consumption_tax.yaml"
    edit(path, "- local_consumption_tax.vat_share", "- local_consumption_tax.vat_rate")
    line, message = only_problem(rules_copy, path)
    assert line == line_of(path, "local_consumption_tax.vat_rate")
    assert message == (
        "unknown parameter 'local_consumption_tax.vat_rate'; "
        "did you mean 'local_consumption_tax.vat_share'?"
    )


def test_a_parameter_of_the_wrong_unit_is_reported_where_it_is_used(rules_copy: Path) -> None:
    parameter = rules_copy / "parameters" / "local_consumption_tax" / "vat_share.yaml"
    edit(parameter, "unit: ratio", "unit: factor")
    rule = rules_copy / "sharing" / "local_consumption_tax.yaml"
    line, message = only_problem(rules_copy, rule)
    assert line == line_of(rule, "- local_consumption_tax.vat_share")
    assert "'local_consumption_tax.vat_share' has unit factor; expected ratio" in message


def test_a_weight_that_is_not_broken_down_by_region_is_refused(rules_copy: Path) -> None:
    rule = rules_copy / "sharing" / "local_consumption_tax.yaml"
    edit(rule, "weight: local_consumption_tax.class_weight", "weight: local_shared_tax.rate")
    line, message = only_problem(rules_copy, rule)
    assert line == line_of(rule, "weight:")
    assert "has breakdown scalar; expected region" in message


def test_an_unknown_mega_region_is_reported_at_its_region(rules_copy: Path) -> None:
    path = rules_copy / "regions.yaml"
    edit(path, "mega_region: jeju}", "mega_region: tamna}")
    line, message = only_problem(rules_copy, path)
    assert line == line_of(path, "mega_region: tamna")
    assert "unknown mega-region 'tamna' for region 'jeju'" in message
    assert "capital_area" in message  # lists the known ones


def test_a_region_id_used_twice_is_reported(rules_copy: Path) -> None:
    path = rules_copy / "regions.yaml"
    edit(
        path,
        "{id: jeju, name: {en: Jeju, ko: 제주특별자치도}",
        "{id: busan, name: {en: Jeju, ko: 제주특별자치도}",
    )
    _, problems = check_ruleset(rules_copy)
    assert (line_of(path, "제주특별자치도"), "region id 'busan' is used twice") in in_file(
        problems, path
    )


def test_a_rule_id_used_twice_names_both_files(rules_copy: Path) -> None:
    original = rules_copy / "transfers" / "real_estate_grant.yaml"
    copy = rules_copy / "transfers" / "real_estate_grant_copy.yaml"
    copy.write_text(original.read_text(encoding="utf-8"), encoding="utf-8")
    line, message = only_problem(rules_copy, copy)
    assert line == line_of(copy, "id: real_estate_grant")
    assert "rule id 'real_estate_grant' is already used by" in message
    assert "real_estate_grant.yaml:1" in message


def test_an_item_that_no_rule_computes_is_reported_at_the_item(rules_copy: Path) -> None:
    path = rules_copy / "ruleset.yaml"
    edit(
        path,
        "items:\n",
        "items:\n  - id: tourism_levy\n    label: {en: Tourism levy, ko: 관광세}\n"
        "    category: own_source\n",
    )
    line, message = only_problem(rules_copy, path)
    assert line == line_of(path, "id: tourism_levy")
    assert "item 'tourism_levy' has no rule that computes it" in message


def test_a_misspelt_rule_kind_lists_the_kinds(rules_copy: Path) -> None:
    path = rules_copy / "transfers" / "real_estate_grant.yaml"
    edit(path, "kind: sharing", "kind: shareing")
    _, problems = check_ruleset(rules_copy)
    [(_, message)] = in_file(problems, path)
    assert "'shareing'" in message
    assert all(kind in message for kind in ("sharing", "equalisation", "matching"))


# --- many mistakes at once -------------------------------------------------------------------


def test_mistakes_in_several_files_are_all_reported_in_one_run_sorted_by_file_and_line(
    rules_copy: Path,
) -> None:
    regions = rules_copy / "regions.yaml"
    split = rules_copy / "parameters" / "local_shared_tax" / "split.yaml"
    vat_share = rules_copy / "parameters" / "local_consumption_tax" / "vat_share.yaml"
    rule = rules_copy / "sharing" / "local_consumption_tax.yaml"
    edit(regions, "mega_region: jeju}", "mega_region: tamna}")
    edit(regions, "mega_region: gangwon}", "mega_region: gangwan}")
    edit(split, "ordinary: 0.97", "ordinary: 0.96")
    edit(vat_share, "{value: 0.253,", "{value: 2.53,")
    edit(rule, "- local_consumption_tax.vat_share", "- local_consumption_tax.vat_rate")

    _, problems = check_ruleset(rules_copy)
    expected_lines = {
        regions: sorted([line_of(regions, "tamna"), line_of(regions, "gangwan")]),
        split: [line_of(split, "2015-01-01:")],
        vat_share: [line_of(vat_share, "2.53")],
        rule: [line_of(rule, "vat_rate")],
    }
    for path, lines in expected_lines.items():
        assert sorted(line for line, _ in in_file(problems, path)) == lines, path
    assert len(problems) == sum(len(lines) for lines in expected_lines.values())

    with pytest.raises(UserError) as raised:
        load_ruleset(rules_copy)
    reported = raised.value.problems
    assert sorted(map(str, reported)) == sorted(map(str, problems))
    keys = [(p.where.file, p.where.line) for p in reported]
    assert keys == sorted(keys)
    assert str(raised.value).splitlines() == [str(p) for p in reported]


def test_a_broken_regions_file_does_not_hide_mistakes_elsewhere(rules_copy: Path) -> None:
    regions = rules_copy / "regions.yaml"
    split = rules_copy / "parameters" / "local_shared_tax" / "split.yaml"
    edit(regions, "mega_region: jeju}", "mega_region: jeju, colour: red}")
    edit(split, "ordinary: 0.97", "ordinary: 0.96")
    ruleset, problems = check_ruleset(rules_copy)
    assert ruleset is None
    assert [line for line, _ in in_file(problems, regions)] == [line_of(regions, "colour")]
    assert [line for line, _ in in_file(problems, split)] == [line_of(split, "2015-01-01:")]


def test_a_mistake_in_a_parameter_file_is_reported_only_in_that_file(rules_copy: Path) -> None:
    path = rules_copy / "parameters" / "local_consumption_tax" / "vat_share.yaml"
    edit(path, "2022-01-01:", "2022-02-30:")
    _, problems = check_ruleset(rules_copy)
    assert len(in_file(problems, path)) == 1
    assert len(problems) == 1, "\n".join(map(str, problems))


def test_a_number_in_quotes_is_one_problem_not_two(rules_copy: Path) -> None:
    path = rules_copy / "parameters" / "local_consumption_tax" / "vat_share.yaml"
    edit(path, "{value: 0.253,", '{value: "0.253",')
    _, problems = check_ruleset(rules_copy)
    assert len(in_file(problems, path)) == 1, in_file(problems, path)
