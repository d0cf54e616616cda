"""A corpus of bad inputs, each run through the real `fiscal` command as a user would.

Every case breaks one file — a rule file, an input file, a scenario, an agreement or a
workbook to import — the way a person, an editor or a hostile sender would, and states
what the user must see: the exit code, the place (``file:line`` or ``Sheet!Cell``) and
the words of the message. No case may show a traceback.

A case writes its files into a private copy of the bundled rules and inputs, so line
numbers in the table are the lines of the text written here. ``Append`` adds lines to a
bundled file (its place is then ``+n``: the n-th line added); ``Put`` writes a whole
file. Cases already covered elsewhere (tests/test_yaml_reading.py for the YAML reader's
own behaviour, tests/test_ruleset_validation.py, tests/test_scenarios.py and the 42
broken workbooks of tests/test_import_broken.py) are not repeated here.

Each case is a `fiscal` process of its own running the real entry point; to spare
each the second of imports, they are forked from a process that has done them
(:mod:`tests.zygote`), except the unreadable-file cases, which start from scratch with
root's power to read any file dropped. The cases run concurrently, then each is
asserted alone.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.conftest import BUNDLED_INPUTS, BUNDLED_RULES, REPO
from tests.zygote import shim


@dataclass(frozen=True)
class Put:
    """A whole file with this content."""

    content: str | bytes


@dataclass(frozen=True)
class Append:
    """The bundled file with these lines added at its end."""

    text: str | bytes


@dataclass(frozen=True)
class Gone:
    """The bundled file removed."""


@dataclass(frozen=True)
class Folder:
    """A folder where a file belongs."""


@dataclass(frozen=True)
class Unreadable:
    """A file the user may not read (mode 000; root's override is dropped for the run)."""

    content: str = "title: t\n"


@dataclass(frozen=True)
class Made:
    """A file made by a function of the case folder (workbooks)."""

    make: Callable[[Path, Path], None]  # (case folder, target)


Content = Put | Append | Gone | Folder | Unreadable | Made

VALIDATE = ("validate", "rules", "--inputs", "inputs")
SCENARIO = ("project", "--rules", "rules", "--inputs", "inputs", "--scenario", "scenario.yaml",
            "-o", "out.xlsx")  # fmt: skip
IMPORT = ("import", "book.xlsx", "--rules", "rules", "--inputs", "inputs", "--dry-run")


@dataclass(frozen=True)
class Bad:
    name: str
    files: dict[str, Content]
    where: str  # "file:line", "file:+n" (n-th appended line), "Sheet!Cell" or "file"
    words: str
    args: tuple[str, ...] = VALIDATE
    code: int = 1
    privileged: bool = field(default=False)  # needs root's read override dropped


# --- building blocks ---------------------------------------------------------------------

PARAM = "rules/parameters/zz/case.yaml"
AGREEMENT = "rules/agreements/2027-case.yaml"
INDICATOR = "inputs/regional/case_indicator.yaml"


def parameter(values: str, unit: str = "ratio", extra: str = "") -> Put:
    """A parameter file; its ``values:`` block starts on line 5."""
    return Put(
        "description: A parameter for a test\n"
        f"metadata:\n  unit: {unit}\n  reference: test{extra}\n"
        f"values:\n{values}"
    )


def agreement(body: str, head: str = "") -> Put:
    """An agreement file; ``body`` starts on line 8 (after the parties)."""
    return Put(
        "id: 2027-case\n"
        "title: Case port\n"
        "status: signed\n"
        "signed: 2027-03-01\n"
        "reference: test\n"
        f"evidence: illustrative\n{head}"
        "parties: [{id: molit, kind: ministry}, {id: busan, kind: region}]\n" + body
    )


def project(
    total: str = "100000000000",
    years: str = "[2028, 2029]",
    shares: str = "{molit: 0.6, busan: 0.4}",
    schedule: str = "{2028: 0.5, 2029: 0.5}",
) -> str:
    """The projects of a one-project agreement; total on line 9, years 10, shares 11,
    schedule 12."""
    return (
        "projects:\n"
        "  - id: quay\n"
        f"    total_krw: {total}\n"
        f"    years: {years}\n"
        f"    shares: {shares}\n"
        f"    schedule: {schedule}\n"
        "    title: Quay\n"
    )


def indicator(values: str, unit: str = "count", head: str = "") -> Put:
    """A regional indicator file; ``values:`` is on line 6."""
    return Put(
        "label: {en: Case, ko: 사례}\n"
        f"unit: {unit}\n"
        "status: illustrative\n"
        f"source: test{head}\n"
        "note: none\n"
        f"values:\n{values}"
    )


def scenario(text: str) -> dict[str, Content]:
    return {"scenario.yaml": Put(text)}


def nested(depth: int) -> str:
    text = "x"
    for _ in range(depth):
        text = "{a: " + text + "}"
    return text


def laughs() -> str:
    lines = ["title: laughs", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    return "\n".join(lines) + "\n"


REGION = (
    "  - {{id: {id}, name: {{en: {en}, ko: 사례}}, class: province, legal_type: {legal}, {rest}}}\n"
)


def region(ident: str, rest: str, legal: str = "city") -> str:
    return REGION.format(id=ident, en=ident.title(), legal=legal, rest=rest)


def replaced(old: str, new: str) -> Made:
    """The bundled file (already copied into the case) with ``old`` replaced once."""

    def make(folder: Path, target: Path) -> None:
        text = target.read_text(encoding="utf-8")
        assert old in text, old
        target.write_text(text.replace(old, new, 1), encoding="utf-8")

    return Made(make)


def without_series(series: str, following: str) -> Made:
    """national.yaml with one series block removed."""

    def make(folder: Path, target: Path) -> None:
        text = target.read_text(encoding="utf-8")
        start, end = text.index(f"  {series}:\n"), text.index(f"  {following}:\n")
        target.write_text(text[:start] + text[end:], encoding="utf-8")

    return Made(make)


PROJECT = ("project", "--rules", "rules", "--inputs", "inputs", "-o", "out.xlsx")
LOCAL_TAX = "inputs/regional/local_tax.yaml"
POPULATION = "inputs/regional/population.yaml"


# --- workbooks -----------------------------------------------------------------------------


def _copy_template(folder: Path, target: Path) -> None:
    """The shared prefilled agreements template (it records the folder ``rules``)."""
    shutil.copy(folder / "template.xlsx", target)


def _template_without_its_rules(folder: Path, target: Path) -> None:
    """The template, in a folder where the ruleset it records is gone."""
    _copy_template(folder, target)
    shutil.rmtree(folder / "rules")


def template(folder: Path) -> Path:
    made = folder / "template.xlsx"
    if not made.exists():
        done = run("template", "agreements", "--prefill", "--rules", "rules", "-o", made,
                   cwd=folder)  # fmt: skip
        assert done.returncode == 0, done.stderr
    return made


def repacked(change: Callable[[str, bytes], bytes | None], extra: dict[str, bytes] | None = None
             ) -> Made:  # fmt: skip
    """The prefilled agreements template with its parts changed (None drops a part)."""

    def make(folder: Path, target: Path) -> None:
        with (
            zipfile.ZipFile(template(folder)) as source,
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out,
        ):
            for info in source.infolist():
                data = change(info.filename, source.read(info))
                if data is not None:
                    out.writestr(info.filename, data)
            for name, data in (extra or {}).items():
                out.writestr(name, data)

    return Made(make)


def entity_attack(name: str, data: bytes) -> bytes:
    if name != "xl/worksheets/sheet2.xml":
        return data
    doctype = (
        b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;">]>'
    )
    head, _, rest = data.partition(b"?>")
    return head + b"?>" + doctype + rest.replace(b"<v>", b"<v>&d;", 1)


def external_entity(name: str, data: bytes) -> bytes:
    if name != "xl/workbook.xml":
        return data
    head, _, rest = data.partition(b"?>")
    return head + b'?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + rest


def macro_content_type(name: str, data: bytes) -> bytes:
    if name != "[Content_Types].xml":
        return data
    return data.replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )


def lying_bomb(folder: Path, target: Path) -> None:
    """A part that declares 1 KB in its headers but inflates to 4 MB: reading stops at
    the declared size, so the part is refused without inflating the rest."""
    big = b"<x>" + b"0" * (4 * 1024 * 1024) + b"</x>"
    with (
        zipfile.ZipFile(template(folder)) as source,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for info in source.infolist():
            out.writestr(info.filename, source.read(info))
        out.writestr("xl/media/padding.xml", big)
    data = bytearray(target.read_bytes())
    entry = data.rindex(b"PK\x01\x02")  # the last central directory entry: the padding
    data[entry + 24 : entry + 28] = (1024).to_bytes(4, "little")
    local = int.from_bytes(data[entry + 42 : entry + 46], "little")
    data[local + 22 : local + 26] = (1024).to_bytes(4, "little")
    target.write_bytes(bytes(data))


def oversized(folder: Path, target: Path) -> None:
    with target.open("wb") as out:
        out.write(b"PK\x03\x04")
        out.truncate(21 * 1024 * 1024)


def far_cell(folder: Path, target: Path) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(target))
    sheet = book.add_worksheet("Agreements")
    sheet.write_string(0, 0, "id")
    sheet.write_string(150_000, 0, "far away")
    book.close()


# --- Excel reading (round two): builders ---------------------------------------------------

PROJECTS_XML = "xl/worksheets/sheet5.xml"  # the prefilled template's Projects sheet
TOTAL_E4 = b'<c r="E4" s="13"><v>20000000000</v></c>'  # a project's total_krw
LINKED_E4 = b'<c r="E4" s="13"><f>[1]Budget!A1</f><v>20000000000</v></c>'


def in_part(part: str, old: bytes, new: bytes) -> Callable[[str, bytes], bytes]:
    """Replace ``old`` (which must be there) by ``new`` in one part of the template."""

    def change(name: str, data: bytes) -> bytes:
        if name != part:
            return data
        assert old in data, (part, old)
        return data.replace(old, new, 1)

    return change


def total_typed(text: str) -> Made:
    cell = f'<c r="E4" s="13" t="inlineStr"><is><t>{text}</t></is></c>'.encode()
    return repacked(in_part(PROJECTS_XML, TOTAL_E4, cell))


def total_number(xml_number: str) -> Made:
    return repacked(in_part(PROJECTS_XML, TOTAL_E4, f'<c r="E4" s="13"><v>{xml_number}</v></c>'
                            .encode()))  # fmt: skip


def duplicate_part(folder: Path, target: Path) -> None:
    """The Projects sheet twice in the zip: the second with another total."""
    import warnings

    with (
        zipfile.ZipFile(template(folder)) as source,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out,
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name, and writes it
        for info in source.infolist():
            out.writestr(info.filename, source.read(info))
        data = source.read(PROJECTS_XML).replace(b"<v>20000000000</v>", b"<v>90000000000</v>")
        out.writestr(PROJECTS_XML, data)


def whitespace_bomb(folder: Path, target: Path) -> None:
    """60 MB of spaces inside a sheet, which deflate to a few tens of KB."""
    with (
        zipfile.ZipFile(template(folder)) as source,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for info in source.infolist():
            data = source.read(info)
            if info.filename == PROJECTS_XML:
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * (60 << 20), 1)
            out.writestr(info.filename, data)


def named_pipe(folder: Path, target: Path) -> None:
    os.mkfifo(target)


FAR_INSTRUCTIONS = in_part(
    "xl/worksheets/sheet1.xml",
    b"</sheetData>",
    b'<row r="100000"><c r="SF100000"><v>1</v></c></row></sheetData>',
)


# --- the corpus --------------------------------------------------------------------------


def hidden_entry(key: str, value: str) -> Made:
    """The prefilled template with one more row on its hidden sheet, at row 200."""

    def make(folder: Path, target: Path) -> None:
        import openpyxl

        book = openpyxl.load_workbook(template(folder))
        sheet = book["fiscal"]
        sheet.cell(row=200, column=1, value=key)
        sheet.cell(row=200, column=2, value=value)
        book.save(target)

    return Made(make)


def symlink_to(outside: str) -> Made:
    """A symbolic link (into the case folder's ``outside`` file, made here)."""

    def make(folder: Path, target: Path) -> None:
        (folder / outside).write_text("description: elsewhere\n", encoding="utf-8")
        target.symlink_to(folder / outside)

    return Made(make)


def fifo() -> Made:
    """A named pipe where a file belongs: opening it to read would wait for a writer."""

    def make(folder: Path, target: Path) -> None:
        target.unlink(missing_ok=True)
        os.mkfifo(target)

    return Made(make)


# fmt: off
CASES: list[Bad] = [
    # YAML that cannot be read, in every kind of file
    Bad("rule: unclosed flow mapping", {PARAM: parameter("  2020-01-01: {value: 0.5\n")},
        f"{PARAM}:6",
        "did not find expected ',' or '}' (in the flow mapping that starts on line 6)"),
    Bad("rule: tab in the indentation", {PARAM: parameter("\t2020-01-01: {value: 0.5}\n")},
        f"{PARAM}:6", "this line has a tab: YAML indentation must use spaces"),
    Bad("rule: byte order mark keeps line numbers right",
        {PARAM: Put(b"\xef\xbb\xbf" + parameter("  2020-01-01: {value: 1.5}\n").content.encode())},  # type: ignore[union-attr]
        f"{PARAM}:6", "1.5 is a ratio outside [0, 1]"),
    Bad("rule: Korean saved as CP949, not UTF-8",
        {"rules/regions.yaml": Append(region("gunsan", "tier: basic, parent: jeonbuk")
                                      .replace("사례", "군산").encode("cp949"))},
        "rules/regions.yaml:+1", "not valid UTF-8 (byte 0xb1); save the file as UTF-8"),
    Bad("rule: several documents in one file",
        {PARAM: parameter("  2020-01-01: {value: 0.5}\n---\nagain: 1\n")},
        f"{PARAM}:8", "several YAML documents in one file; expected one"),
    Bad("rule: python tag", {PARAM: Put("description: !!python/object/apply:os.system [id]\n")},
        f"{PARAM}:1", "YAML tag tag:yaml.org,2002:python/object/apply:os.system is not allowed"),
    Bad("rule: duplicate key in a parameter",
        {PARAM: parameter("  2020-01-01: {value: 0.5}\n  2020-01-01: {value: 0.6}\n")},
        f"{PARAM}:7", "duplicate key '2020-01-01'"),
    Bad("rule: duplicate region entry key",
        {"rules/regions.yaml": Append(region("x1", "tier: basic, parent: busan, tier: basic"))},
        "rules/regions.yaml:+1", "duplicate key 'tier'"),
    Bad("rule: empty file", {"rules/ruleset.yaml": Put("")},
        "rules/ruleset.yaml:1", "file is empty; expected a YAML mapping"),
    Bad("rule: a list at the top", {"rules/ruleset.yaml": Put("- id: korea\n")},
        "rules/ruleset.yaml:1", "expected a mapping (key: value) at top level, got a list"),
    Bad("rule: folder named like a parameter file", {PARAM: Folder()},
        PARAM, "expected a file, found a folder"),
    Bad("rule: unreadable parameter file", {PARAM: Unreadable()},
        PARAM, "permission denied: cannot read this file", privileged=True),
    Bad("rule: very deep nesting", {PARAM: Put(f"description: {nested(80)}\n")},
        f"{PARAM}:1", "nesting deeper than 64 levels"),
    Bad("rule: file over the size limit",
        {PARAM: Put("description: big\n" + "# padding\n" * 600_000)},
        PARAM, "the limit is 5,242,880 bytes"),
    # YAML 1.1 surprises
    Bad("rule: NO as a unit", {PARAM: parameter("  2020-01-01: {value: 0.5}\n", unit="NO")},
        f"{PARAM}:3", "got 'NO'"),
    Bad("rule: on as a region key of a region parameter",
        {PARAM: parameter("  2020-01-01: {value: {on: 0.5}}\n", extra="\n  breakdown: region")},
        f"{PARAM}:7", "unknown region or class 'on'"),
    Bad("rule: 1_000 as won",
        {PARAM: parameter("  2020-01-01: {value: 1_000}\n", unit="krw")},
        f"{PARAM}:6", "expected a number, got text '1_000'"),
    Bad("rule: a date where a date-keyed value is a year",
        {PARAM: parameter("  2020: {value: 0.5}\n")},
        f"{PARAM}:6", "expected a date written YYYY-MM-DD"),
    # wrong types, ranges, numbers
    Bad("rule: NaN as a ratio", {PARAM: parameter("  2020-01-01: {value: .nan}\n")},
        f"{PARAM}:6", "expected a finite number, got NaN"),
    Bad("rule: infinity as won", {PARAM: parameter("  2020-01-01: {value: .inf}\n", unit="krw")},
        f"{PARAM}:6", "expected a finite number, got Infinity"),
    Bad("rule: negative won", {PARAM: parameter("  2020-01-01: {value: -5}\n", unit="krw")},
        f"{PARAM}:6", "-5 is negative; unit krw must be >= 0"),
    Bad("rule: a list where a mapping belongs", {PARAM: parameter("  - 0.5\n")},
        f"{PARAM}:5", "expected a mapping (key: value) at values, got a list"),
    Bad("rule: regions.yaml deleted", {"rules/regions.yaml": Gone()},
        "rules/regions.yaml", "file not found"),
    Bad("rule: dates out of order",
        {PARAM: parameter("  2022-01-01: {value: 0.5}\n  2021-01-01: {value: 0.4}\n")},
        f"{PARAM}:7", "effective date 2021-01-01 is not after 2022-01-01"),
    # unknown ids and links between files
    Bad("rule: unknown mega-region",
        {"rules/regions.yaml": Append(region("sokcho", "mega_region: atlantis",
                                             legal="province"))},
        "rules/regions.yaml:+1", "unknown mega-region 'atlantis'"),
    Bad("rule: unknown parent",
        {"rules/regions.yaml": Append(region("gimhae", "tier: basic, parent: gyeongnamm"))},
        "rules/regions.yaml:+1", "unknown parent 'gyeongnamm' of 'gimhae'"),
    Bad("rule: circular parents",
        {"rules/regions.yaml": Append(region("aa", "tier: basic, parent: bb")
                                      + region("bb", "tier: basic, parent: aa"))},
        "rules/regions.yaml:+1", "circular parents"),
    Bad("rule: unknown kind of rule",
        {"rules/transfers/zz.yaml": Put("id: zz\nkind: grnt\nitem: x\n")},
        "rules/transfers/zz.yaml:2",
        "unknown kind 'grnt'; expected one of: 'sharing', 'equalisation', 'matching'"),
    # agreements
    Bad("agreement: shares that do not sum to 1",
        {AGREEMENT: agreement(project(shares="{molit: 0.6, busan: 0.5}"))},
        f"{AGREEMENT}:12", "cost shares sum to 110%; expected 100%"),
    Bad("agreement: schedule that does not sum to 1",
        {AGREEMENT: agreement(project(schedule="{2028: 0.5, 2029: 0.4}"))},
        f"{AGREEMENT}:13", "schedule sums to 90%; expected 100%"),
    Bad("agreement: negative total", {AGREEMENT: agreement(project(total="-100"))},
        f"{AGREEMENT}:10", "expected an amount of at least 0 won, got -100"),
    Bad("agreement: NaN total", {AGREEMENT: agreement(project(total=".nan"))},
        f"{AGREEMENT}:10", "expected a finite number"),
    Bad("agreement: schedule year outside the project",
        {AGREEMENT: agreement(project(schedule="{2028: 0.5, 2031: 0.5}"))},
        f"{AGREEMENT}:13", "year 2031 is outside the project years 2028-2029"),
    Bad("agreement: unknown party region",
        {AGREEMENT: agreement(project(shares="{molit: 0.6, busn: 0.4}"))},
        f"{AGREEMENT}:12", "share for 'busn', which is not a party of this agreement"),
    Bad("agreement: unknown ministry",
        {AGREEMENT: Put(agreement(project()).content.replace("molit", "molitt"))},  # type: ignore[union-attr]
        f"{AGREEMENT}:7", "molitt"),
    Bad("agreement: id that does not match its file",
        {"rules/agreements/2027-other.yaml": agreement(project())},
        "rules/agreements/2027-other.yaml:1", "must match its file name '2027-other'"),
    Bad("agreement: signed as yes",
        {AGREEMENT: Put(agreement(project()).content.replace("2027-03-01", "yes"))},  # type: ignore[union-attr]
        f"{AGREEMENT}:4", "expected a date written YYYY-MM-DD, got 'yes'"),
    Bad("agreement: duplicate key", {AGREEMENT: agreement(project(), head="title: Again\n")},
        f"{AGREEMENT}:7", "duplicate key 'title'"),
    Bad("agreement: billion laughs", {AGREEMENT: Put(laughs())},
        f"{AGREEMENT}:2", "reused through a YAML alias (*name); aliases are not allowed"),
    # inputs
    Bad("input: national.yaml empty", {"inputs/national.yaml": Put("\n\n")},
        "inputs/national.yaml:1", "file is empty"),
    Bad("input: national.yaml is a folder", {"inputs/national.yaml": Folder()},
        "inputs/national.yaml", "expected a file, found a folder"),
    Bad("input: negative population",
        {INDICATOR: indicator("  seoul: {2025: -9331828}\n")},
        f"{INDICATOR}:7", "expected a count of at least 0, got -9331828"),
    Bad("input: infinite amount", {INDICATOR: indicator("  seoul: {2025: .inf}\n")},
        f"{INDICATOR}:7", "expected a finite number"),
    Bad("input: amount with underscores", {INDICATOR: indicator("  seoul: {2025: 9_331_828}\n")},
        f"{INDICATOR}:7", "got text '9_331_828'"),
    Bad("input: a date where a year belongs",
        {INDICATOR: indicator("  seoul: {2025-01-01: 9331828}\n")},
        f"{INDICATOR}:7", "expected a year such as 2025, got '2025-01-01'"),
    Bad("input: year outside 1900-2200", {INDICATOR: indicator("  seoul: {2525: 1}\n")},
        f"{INDICATOR}:7", "year 2525 is outside 1900-2200"),
    Bad("input: a region id as NO",
        {INDICATOR: indicator("  NO: {2025: 1}\n")},
        f"{INDICATOR}:7", "'NO' is not a valid id"),
    Bad("input: growth as text", {INDICATOR: indicator("  seoul: {2025: 1}\n",
                                                        head="\ngrowth: three percent")},
        f"{INDICATOR}:5", "expected a number, got text 'three percent'"),
    Bad("input: duplicate region",
        {INDICATOR: indicator("  seoul: {2025: 1}\n  seoul: {2025: 2}\n")},
        f"{INDICATOR}:8", "duplicate key 'seoul'"),
    Bad("input: not UTF-8",
        {INDICATOR: Put(indicator("  seoul: {2025: 1}\n").content.replace("사례", "사례")  # type: ignore[union-attr]
                        .encode("utf-16"))},
        f"{INDICATOR}:1", "not valid UTF-8 (byte 0xff)"),
    Bad("input: regional folder is a file", {"inputs/regional": Put("oops\n")},
        "inputs/regional", "regional indicators folder not found"),
    Bad("input: unreadable national.yaml", {"inputs/national.yaml": Unreadable()},
        "inputs/national.yaml", "permission denied", privileged=True),
    # scenarios
    Bad("scenario: empty", scenario(""), "scenario.yaml:1", "file is empty", args=SCENARIO),
    Bad("scenario: is a folder", {"scenario.yaml": Folder()}, "scenario.yaml",
        "expected a file, found a folder", args=SCENARIO),
    Bad("scenario: not found", {}, "scenario.yaml", "file not found", args=SCENARIO),
    Bad("scenario: billion laughs", scenario(laughs()), "scenario.yaml:2",
        "aliases are not allowed", args=SCENARIO),
    Bad("scenario: duplicate parameter",
        scenario("title: t\nparameters:\n  local_consumption_tax.vat_share:\n"
                 "    2027-01-01: 0.3\n  local_consumption_tax.vat_share:\n    2028-01-01: 0.3\n"),
        "scenario.yaml:5", "duplicate key 'local_consumption_tax.vat_share'", args=SCENARIO),
    Bad("scenario: NaN share",
        scenario("title: t\nparameters:\n  local_consumption_tax.vat_share:\n"
                 "    2027-01-01: .nan\n"),
        "scenario.yaml:4", "expected a finite number", args=SCENARIO),
    Bad("scenario: change of minus infinity",
        scenario("title: t\nforecast:\n  national.internal_tax:\n    2026: {change: -.inf}\n"),
        "scenario.yaml:4", "expected a finite number", args=SCENARIO),
    Bad("scenario: range that ends before it starts",
        scenario("title: t\nparameters:\n  local_consumption_tax.vat_share:\n"
                 "    2028-01-01..2027-01-01: 0.3\n"),
        "scenario.yaml:4", "range ends 2027-01-01 before it starts 2028-01-01", args=SCENARIO),
    Bad("scenario: year outside the horizon",
        scenario("title: t\nforecast:\n  national.internal_tax:\n    2040: {change: 0.1}\n"),
        "scenario.yaml:4", "year 2040 is outside the inputs and projection", args=SCENARIO),
    Bad("scenario: yes as a title", scenario("title: yes\nparameters: NO\n"),
        "scenario.yaml:2", "expected a mapping", args=SCENARIO),
    Bad("scenario: unknown indicator",
        scenario("title: t\nforecast:\n  populaton:\n    2026: {change: 0.1}\n"),
        "scenario.yaml:3", "unknown forecast 'populaton'", args=SCENARIO),
    Bad("scenario: unknown agreement to amend",
        scenario("title: t\nagreements:\n  amend:\n    2099-nothing: []\n"),
        "scenario.yaml:4", "unknown agreement '2099-nothing'", args=SCENARIO),
    Bad("scenario: added agreement with an unknown region",
        scenario("title: t\nagreements:\n  add:\n    - "
                 + agreement(project(shares="{molit: 0.6, busn: 0.4}")).content  # type: ignore[union-attr]
                 .replace("\n", "\n      ").rstrip() + "\n"),
        "scenario.yaml:15", "share for 'busn', which is not a party", args=SCENARIO),
    Bad("scenario: unreadable", {"scenario.yaml": Unreadable()}, "",
        "Invalid value for '--scenario': path 'scenario.yaml' is not readable", args=SCENARIO,
        code=2, privileged=True),
    # command line: folders, years, outputs
    Bad("input: deep nesting", {INDICATOR: indicator(f"  seoul: {nested(70)}\n")},
        f"{INDICATOR}:7", "nesting deeper than 64 levels"),
    Bad("project: rules folder is a file", {"notrules": Put("x\n")}, "notrules",
        "expected a ruleset folder, found a file",
        args=("project", "--rules", "notrules", "-o", "out.xlsx")),
    Bad("project: output is a folder", {"out.xlsx": Folder()}, "out.xlsx", "is a folder",
        args=("project", "--rules", "rules", "--inputs", "inputs", "-o", "out.xlsx", "--force")),
    Bad("project: output folder does not exist", {}, "nowhere", "output folder does not exist",
        args=("project", "--rules", "rules", "--inputs", "inputs", "-o", "nowhere/out.xlsx")),
    Bad("project: output folder read-only", {"ro/keep.txt": Put("x\n")}, "ro/out.xlsx",
        "permission denied",
        args=("project", "--rules", "rules", "--inputs", "inputs", "-o", "ro/out.xlsx"),
        privileged=True),
    # Excel imports beyond tests/test_import_broken.py
    Bad("import: an XML entity expansion", {"book.xlsx": repacked(entity_attack)}, "book.xlsx",
        "part xl/worksheets/sheet2.xml declares an XML document type or entities", args=IMPORT),
    Bad("import: an external XML entity", {"book.xlsx": repacked(external_entity)}, "book.xlsx",
        "part xl/workbook.xml declares an XML document type or entities", args=IMPORT),
    Bad("import: macro-enabled by its content type", {"book.xlsx": repacked(macro_content_type)},
        "book.xlsx", "macro-enabled (.xlsm)", args=IMPORT),
    Bad("import: a part that lies about its size", {"book.xlsx": Made(lying_bomb)}, "book.xlsx",
        "part xl/media/padding.xml cannot be read (Bad CRC-32", args=IMPORT),
    Bad("import: over the size limit", {"book.xlsx": Made(oversized)}, "book.xlsx",
        "a workbook to import is at most", args=IMPORT),
    Bad("import: empty file", {"book.xlsx": Put(b"")}, "book.xlsx",
        "not an Excel workbook (.xlsx): it is empty", args=IMPORT),
    Bad("import: a folder", {"book.xlsx": Folder()}, "book.xlsx",
        "expected a workbook file, found a folder", args=IMPORT),
    Bad("import: .xlsm file name", {"book.xlsx": repacked(lambda n, d: d,
                                                           {"xl/vbaProject.bin": b"\xd0\xcf"})},
        "book.xlsx", "macros", args=IMPORT),
    Bad("import: a used area far beyond any table", {"book.xlsx": Made(far_cell)},
        "Agreements!A150001", "far beyond any table", args=IMPORT),
    Bad("import: unreadable", {"book.xlsx": Unreadable()}, "",
        "Invalid value for 'file': path 'book.xlsx' is not readable", args=IMPORT, code=2,
        privileged=True),
    # --- strict types, bounded inputs, the gate (round two) ---
    Bad("rule: yes as a flag",
        {"rules/ruleset.yaml": replaced("    from_indicator: local_tax\n",
                                        "    from_indicator: local_tax\n    inter_tier: yes\n")},
        "rules/ruleset.yaml:16", "expected true or false, got 'yes'"),
    Bad("rule: 1 as a flag",
        {"rules/ruleset.yaml": replaced("    from_indicator: local_tax\n",
                                        "    from_indicator: local_tax\n    inter_tier: 1\n")},
        "rules/ruleset.yaml:16", "expected true or false, got 1"),
    Bad("rule: quoted on as a flag",
        {"rules/ruleset.yaml": replaced("    from_indicator: local_tax\n",
                                        '    from_indicator: local_tax\n    inter_tier: "on"\n')},
        "rules/ruleset.yaml:16", "expected true or false, got 'on'"),
    Bad("rule: an int tag on a quoted value",
        {PARAM: parameter('  2020-01-01:\n    value: !!int "5"\n')},
        f"{PARAM}:7", "the YAML tag !!int on a quoted value is not allowed"),
    Bad("input: won written as 1e11", {INDICATOR: indicator("  seoul: {2025: 1e11}\n")},
        f"{INDICATOR}:7", "written in digits, got 1E+11; write 100000000000"),
    Bad("input: won written as 100000000000.0",
        {INDICATOR: indicator("  seoul: {2025: 100000000000.0}\n")},
        f"{INDICATOR}:7", "write 100000000000"),
    Bad("input: a NUL byte", {INDICATOR: indicator("  seoul: {2025: 1} # x\x00\n")},
        f"{INDICATOR}:7", "control character U+0000 (NUL)"),
    Bad("input: U+2028 inside a value is no line break",
        {INDICATOR: indicator("  seoul: {2025: -1}\n", head=" one\u2028two\u2029three")},
        f"{INDICATOR}:7", "expected a count of at least 0, got -1"),
    Bad("input: growth of -3", {LOCAL_TAX: replaced("growth: 0.03", "growth: -3")},
        f"{LOCAL_TAX}:8", "growth -3 a year is out of range", args=PROJECT),
    Bad("input: population growth of -1", {POPULATION: replaced("growth: -0.006", "growth: -1")},
        f"{POPULATION}:9", "growth -1 a year is out of range", args=PROJECT),
    Bad("input: growth of 1e6", {LOCAL_TAX: replaced("growth: 0.03", "growth: 1e6")},
        f"{LOCAL_TAX}:8", "a year is out of range", args=PROJECT),
    Bad("input: population of 0", {POPULATION: replaced("    2025: 9331828", "    2025: 0")},
        f"{POPULATION}:11", "population of 'seoul' is 0 in 2025; expected more than 0",
        args=PROJECT),
    Bad("input: population grown to 0",
        {POPULATION: replaced("growth: -0.006", "growth: -0.999")},
        f"{POPULATION}:11", "population of 'seoul' is 0 in 2033 (grown at -0.999 a year)",
        args=(*PROJECT, "--to", "2035")),
    Bad("input: national won of 1e23 in validate",
        {"inputs/national.yaml": replaced("2025: 105500000000000",
                                          "2025: 100000000000000000000000")},
        "inputs/national.yaml:14", "beyond the largest amount fiscal holds"),
    Bad("input: regional 1e400", {POPULATION: replaced("    2025: 9331828", "    2025: 1e400")},
        f"{POPULATION}:12", "beyond the largest amount fiscal holds", args=PROJECT),
    Bad("project: --to 2600 overflows", {}, "inputs/regional/private_consumption.yaml:66",
        "grows past the largest amount fiscal holds (9,223,372,036,854,775,807 won) in 2322",
        args=(*PROJECT, "--to", "2600")),
    Bad("project: --from 0", {}, "inputs/national.yaml:4",
        "--from 0: national series 'vat_base' has no value for 0 (values start in 2025)",
        args=(*PROJECT, "--from", "0")),
    Bad("explain: a year far beyond the inputs", {},
        "inputs/regional/private_consumption.yaml:66", "choose a last year up to 2200",
        args=("explain", "seoul", "99999", "local_tax", "--rules", "rules", "--inputs", "inputs")),
    Bad("sweep: 10,001 values without --yes", {}, "--range",
        "10,001 values to sweep, one projection each (more than 1,000); add --yes",
        args=("sweep", "--param", "local_consumption_tax.vat_share", "--range", "0:1:0.0001",
              "--rules", "rules", "--inputs", "inputs")),
    Bad("input: validate finds a region missing from an indicator",
        {LOCAL_TAX: replaced("  seoul:\n    2025: ", "  nowhere_else:\n    2025: ")},
        f"{LOCAL_TAX}:10", "unknown region 'nowhere_else'"),
    Bad("input: validate finds a national series the rules need removed",
        {"inputs/national.yaml": without_series("internal_tax", "national_tax_gross")},
        "rules/transfers/local_shared_tax_ordinary.yaml:1", "no national series 'internal_tax'"),
    Bad("input: validate finds an indicator saved as .yml",
        {"inputs/regional/population.yml": Put("x: 1\n"), POPULATION: Gone()},
        "inputs/regional/population.yml", "rename this file to population.yaml"),
    # --- writing and paths (round two) ---
    Bad("import: the hidden sheet names ../ruleset as an agreement",
        {"book.xlsx": hidden_entry("agreement", "../ruleset")}, "fiscal!B200",
        "'../ruleset' is not an agreement id",
        args=("import", "book.xlsx", "--rules", "rules", "--inputs", "inputs", "--force")),
    Bad("import: the hidden sheet names an absolute path as an agreement",
        {"book.xlsx": hidden_entry("agreement", "/tmp/fiscal-case")}, "fiscal!B200",
        "is not an agreement id", args=IMPORT),
    Bad("import: the hidden sheet names a path as a series",
        {"book.xlsx": hidden_entry("series", "../national")}, "fiscal!B200",
        "'../national' is not a series id", args=IMPORT),
    Bad("project: the output over an input, with --force", {}, "inputs/national.yaml",
        "lies inside the inputs folder inputs, which this run reads",
        args=("project", "--rules", "rules", "--inputs", "inputs", "-o", "inputs/national.yaml",
              "--force")),
    Bad("project: the output inside the ruleset folder", {}, "rules/out.xlsx",
        "fiscal never writes over its own rules, inputs or scenarios",
        args=("project", "--rules", "rules", "--inputs", "inputs", "-o", "rules/out.xlsx")),
    Bad("compare: the output over the scenario it compares", {"s.yaml": Put("id: s\n")},
        "s.yaml", "is the scenario file s.yaml, which this run reads",
        args=("compare", "s.yaml", "--rules", "rules", "--inputs", "inputs", "-o", "s.yaml",
              "--force")),
    Bad("template: the output over the ruleset manifest", {}, "rules/ruleset.yaml",
        "even with --force",
        args=("template", "agreements", "--rules", "rules", "--inputs", "inputs",
              "-o", "rules/ruleset.yaml", "--force")),
    Bad("rule: a symbolic link inside the ruleset", {PARAM: symlink_to("elsewhere.yaml")},
        PARAM, "is a symbolic link; fiscal refuses symbolic links inside a ruleset"),
    # --- Excel reading (round two) ---
    Bad("import: 20.000 typed in a won cell", {"book.xlsx": total_typed("20.000")},
        "Projects!E4", "'20.000' could be 20000 or 20", args=IMPORT),
    Bad("import: a decimal comma in a won cell", {"book.xlsx": total_typed("20000000000,5")},
        "Projects!E4", "',' here marks a decimal part", args=IMPORT),
    Bad("import: thousands grouped wrongly", {"book.xlsx": total_typed("2,00,00,000")},
        "Projects!E4", "must group the digits by three", args=IMPORT),
    Bad("import: NaN in a number cell", {"book.xlsx": total_number("NaN")},
        "Projects!E4", "got NaN (not a number)", args=IMPORT),
    Bad("import: infinity in a number cell", {"book.xlsx": total_number("inf")},
        "Projects!E4", "got an infinite number", args=IMPORT),
    Bad("import: a fraction in a won number cell", {"book.xlsx": total_number("20000.5")},
        "Projects!E4", "a whole number has no decimal part", args=IMPORT),
    Bad("import: a very hidden Shares sheet",
        {"book.xlsx": repacked(in_part("xl/workbook.xml", b'name="Shares" sheetId="6"',
                                       b'name="Shares" sheetId="6" state="veryHidden"'))},
        "Shares!A1", "hidden content: the sheet is very hidden", args=IMPORT),
    Bad("import: a hidden row with data",
        {"book.xlsx": repacked(in_part(PROJECTS_XML, b'<row r="4" ', b'<row r="4" hidden="1" '))},
        "Projects!A4", "hidden content: this cell holds data in a hidden row", args=IMPORT),
    Bad("import: a hidden column with data",
        {"book.xlsx": repacked(in_part(PROJECTS_XML, b"<cols>",
                                       b'<cols><col min="5" max="5" hidden="1"/>'))},
        "Projects!E4", "hidden content: this cell holds data in a hidden column", args=IMPORT),
    Bad("import: won shown with a format that shows nothing",
        {"book.xlsx": repacked(in_part("xl/styles.xml", b'formatCode="#,##0"',
                                       b'formatCode=";;;"'))},
        "Projects!E4", "hidden content: this cell holds data shown with the number format ';;;'",
        args=IMPORT),
    Bad("import: a formula reading another workbook",
        {"book.xlsx": repacked(in_part(PROJECTS_XML, TOTAL_E4, LINKED_E4))},
        "Projects!E4", "the formula =[1]Budget!A1 reads another workbook", args=IMPORT),
    Bad("import: an external link part",
        {"book.xlsx": repacked(lambda n, d: d,
                               {"xl/externalLinks/externalLink1.xml": b"<externalLink/>"})},
        "book.xlsx", "links to another workbook (part xl/externalLinks/externalLink1.xml)",
        args=IMPORT),
    Bad("import: a defined name reading another workbook",
        {"book.xlsx": repacked(in_part("xl/workbook.xml", b"</sheets>",
                                       b'</sheets><definedNames><definedName name="b">'
                                       b"[1]Budget!$A$1</definedName></definedNames>"))},
        "book.xlsx", "the workbook links to another workbook", args=IMPORT),
    Bad("import: a cell written twice",
        {"book.xlsx": repacked(in_part(PROJECTS_XML, TOTAL_E4,
                                       TOTAL_E4 + b'<c r="E4" s="13"><v>1</v></c>'))},
        "Projects!E4", "this cell is written twice in the sheet's XML", args=IMPORT),
    Bad("import: a zip part written twice", {"book.xlsx": Made(duplicate_part)}, "book.xlsx",
        "the package holds two parts named 'xl/worksheets/sheet5.xml'", args=IMPORT),
    Bad("import: one cell far out on Instructions", {"book.xlsx": repacked(FAR_INSTRUCTIONS)},
        "Instructions!SF100000", "far beyond any table (at most 100,000 rows, 500 columns and "
        "2,000,000 cells", args=IMPORT),
    Bad("import: a forged dimension",
        {"book.xlsx": repacked(in_part(PROJECTS_XML, b'<dimension ref="A1:J',
                                       b'<dimension ref="A1:XFD1048576"/><x a="'))},
        "Projects!XFD1048576", "the sheet says its cells reach here (dimension A1:XFD1048576)",
        args=IMPORT),
    Bad("import: a sheet of whitespace", {"book.xlsx": Made(whitespace_bomb)}, "book.xlsx",
        "part xl/worksheets/sheet5.xml unpacks to more than 52,428,800 bytes", args=IMPORT),
    Bad("import: a named pipe", {"book.xlsx": Made(named_pipe)}, "book.xlsx",
        "not a regular file (a device, a named pipe or a socket)", args=IMPORT),
    Bad("import: a device", {}, "/dev/zero", "not a regular file",
        args=("import", "/dev/zero", "--rules", "rules", "--inputs", "inputs", "--dry-run")),
    # --- YAML files that are not regular files (round two) ---
    Bad("scenario: /dev/zero as the scenario file", {}, "/dev/zero",
        "this is a device, not a regular file; expected a YAML file",
        args=("project", "--rules", "rules", "--inputs", "inputs", "--scenario", "/dev/zero",
              "-o", "out.xlsx")),
    Bad("rule: a parameter file that is a named pipe",
        {"rules/parameters/national_subsidy/rate.yaml": fifo()},
        "rules/parameters/national_subsidy/rate.yaml",
        "this is a named pipe (FIFO), not a regular file"),
    Bad("input: an indicator file replaced by a named pipe", {POPULATION: fifo()}, POPULATION,
        "this is a named pipe (FIFO), not a regular file", args=PROJECT),
    # --- scenarios that would empty an indicator (round two) ---
    Bad("scenario: a regional indicator cut by 100%",
        scenario("title: t\nforecast:\n  population:\n    2026: {change: -1}\n"),
        "scenario.yaml:4", "change -1 would make the value zero", args=SCENARIO),
    # --- scenarios say what they changed (round two) ---
    Bad("scenario: one region's indicator changed, the region misspelt",
        scenario("title: t\nforecast:\n  population:\n    seul:\n      2026: {change: -0.01}\n"),
        "scenario.yaml:4", "'seul' is not a year, a range (2026..2030) or a region's id; "
        "did you mean 'seoul'?", args=SCENARIO),
    Bad("scenario: a national series changed by region",
        scenario("title: t\nforecast:\n  national.vat_base:\n    seoul: {2026: {change: 0.1}}\n"),
        "scenario.yaml:4", "a national series changes by year", args=SCENARIO),
    Bad("scenario: one region's change not a number",
        scenario("title: t\nforecast:\n  population:\n    seoul: {2026: {change: lots}}\n"),
        "scenario.yaml:4", "expected a number, got text 'lots'", args=SCENARIO),
    Bad("scenario: one region's change by a value, not relative",
        scenario("title: t\nforecast:\n  population:\n    seoul:\n      2026: {value: 5}\n"),
        "scenario.yaml:5", "a regional indicator takes a relative change", args=SCENARIO),
    Bad("scenario: one region's year not a year",
        scenario("title: t\nforecast:\n  population:\n    seoul:\n      next: {change: 0.1}\n"),
        "scenario.yaml:5", "'next' is not a year or a range", args=SCENARIO),
    # --- names people use (round two) ---
    Bad("explain: a misspelt region and item get a did-you-mean", {}, "explain",
        "unknown region 'busn'; did you mean 'busan'?",
        args=("explain", "busn", "2026", "local_consumption_tx", "--rules", "rules",
              "--inputs", "inputs")),
    Bad("rule: a misspelt parameter in a rule says which was meant",
        {"rules/sharing/local_consumption_tax.yaml": replaced(
            "- local_consumption_tax.vat_share", "- local_consumption_tax.vat_shar")},
        "rules/sharing/local_consumption_tax.yaml:12",
        "did you mean 'local_consumption_tax.vat_share'?"),
    # --- scenarios in one pass (round two) ---
    Bad("scenario: an impossible date does not hide an unknown parameter",
        scenario("title: t\nparameters:\n  local_shared_tax.rat:\n    2027-01-01: 0.2\n"
                 "agreements:\n  amend:\n    2023-daegu-urban-air-mobility:\n"
                 "      - effective: 2026-02-30\n        reference: r\n        projects:\n"
                 "          uam-corridor: {total_krw: 160000000000}\n"),
        "scenario.yaml:3", "did you mean 'local_shared_tax.rate'?", args=SCENARIO),
    Bad("scenario: a misspelt series says which was meant",
        scenario("title: t\nforecast:\n  national.internal_taxs:\n    2026: {change: -0.1}\n"),
        "scenario.yaml:3", "did you mean 'national.internal_tax'?", args=SCENARIO),
    Bad("agreements: a misspelt agreement id says which was meant", {}, "",
        "did you mean '2023-daegu-urban-air-mobility'?",
        args=("agreements", "2023-daegu-uam", "--rules", "rules")),
    # --- the repository you stand in (round two) ---
    Bad("scenario: a year written as a key where a date is expected",
        scenario("title: t\nparameters:\n  local_consumption_tax.vat_share:\n    2027: 0.3\n"),
        "scenario.yaml:4", "a year as a key (2027) at parameters.local_consumption_tax."
        "vat_share.2027, where a date or a name is expected: a change from the start of that "
        "year is written 2027-01-01", args=SCENARIO),
    Bad("import: into the bundled ruleset", {"book.xlsx": Made(_copy_template)},
        str(BUNDLED_RULES), "is the bundled ruleset fiscal ships; an import never writes there",
        args=("import", "book.xlsx", "--rules", str(BUNDLED_RULES), "--dry-run")),
    Bad("import: a template whose recorded folder is not here",
        {"book.xlsx": Made(_template_without_its_rules)}, "book.xlsx",
        "the template was made from rules (relative to the current folder), and there is no "
        "such folder here", args=("import", "book.xlsx", "--dry-run")),
]
# fmt: on


# --- running ---------------------------------------------------------------------------------


def _privileges_droppable() -> bool:
    """Whether a run can be denied a read: not root, or root able to drop its override."""
    if os.geteuid() != 0:
        return True
    return shutil.which("setpriv") is not None


_FAST: list[Path] = []  # a `fiscal` that starts without paying for its imports again


def run(
    *args: str | Path, cwd: Path, unprivileged: bool = False
) -> subprocess.CompletedProcess[str]:
    """``fiscal ARGS`` in ``cwd``, a process of its own; ``unprivileged`` drops root's power
    to read any file (then ``fiscal`` starts from scratch under ``setpriv``)."""
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "200"}
    env["PYTHONPATH"] = str(REPO / "src") + os.pathsep + env.get("PYTHONPATH", "")
    command = [sys.executable, "-m", "fiscal", *map(str, args)]
    if unprivileged and os.geteuid() == 0:
        command = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", *command]
    elif _FAST:
        command = [str(_FAST[0]), *map(str, args)]
    return subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )


@contextmanager
def fast_fiscal(folder: Path) -> Iterator[None]:
    """Run every unprivileged case through :mod:`tests.zygote`: the real entry point in a
    fresh process per command, forked from one that has done the imports."""
    socket_path = str(Path(tempfile.mkdtemp(prefix="fz", dir="/tmp")) / "s")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src"), "OPENBLAS_NUM_THREADS": "1"}
    server = subprocess.Popen(
        [sys.executable, str(REPO / "tests" / "zygote.py"), socket_path],
        env=env, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        assert server.stdout.readline().strip() == "ready"
        _FAST.append(shim(folder, socket_path))
        yield
    finally:
        _FAST.clear()
        server.kill()
        server.wait()
        shutil.rmtree(Path(socket_path).parent, ignore_errors=True)


def _lines(path: Path) -> int:
    return len(path.read_text(encoding="utf-8").splitlines())


def _prepare(case: Bad, folder: Path) -> str:
    """Write the case's files; return where the problem must be reported."""
    shutil.copytree(BUNDLED_RULES, folder / "rules")
    shutil.copytree(
        BUNDLED_INPUTS, folder / "inputs", ignore=shutil.ignore_patterns("*.py", "scenarios")
    )
    where = case.where
    for name, content in case.files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_dir():
            shutil.rmtree(target)
        if isinstance(content, Put):
            data = content.content
            target.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        elif isinstance(content, Append):
            base = _lines(target)
            with target.open("ab") as out:
                text = content.text
                out.write(text.encode("utf-8") if isinstance(text, str) else text)
            if where.startswith(f"{name}:+"):
                where = f"{name}:{base + int(where.rsplit('+', 1)[1])}"
        elif isinstance(content, Gone):
            target.unlink()
        elif isinstance(content, Folder):
            target.unlink(missing_ok=True)
            target.mkdir()
        elif isinstance(content, Unreadable):
            target.write_text(content.content, encoding="utf-8")
            target.chmod(0)
        else:
            content.make(folder, target)
    if case.name.startswith("project: output folder read-only"):
        (folder / "ro").chmod(stat.S_IRUSR | stat.S_IXUSR)
    return where


@dataclass
class Outcome:
    where: str
    done: subprocess.CompletedProcess[str]
    folder: Path


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    base = tmp_path_factory.mktemp("bad")
    shared = base / "shared"
    shared.mkdir()
    shutil.copytree(BUNDLED_RULES, shared / "rules")

    def one(index: int) -> tuple[str, Outcome]:
        case = CASES[index]
        folder = base / f"case{index:03d}"
        folder.mkdir()
        shutil.copy(shared / "template.xlsx", folder / "template.xlsx")
        if case.privileged and not _privileges_droppable():
            return case.name, Outcome("", subprocess.CompletedProcess([], 0, "", ""), folder)
        where = _prepare(case, folder)
        done = run(*case.args, cwd=folder, unprivileged=case.privileged)
        return case.name, Outcome(where, done, folder)

    with fast_fiscal(shared), ThreadPoolExecutor(max_workers=(os.cpu_count() or 1) + 1) as pool:
        template(shared)
        return dict(pool.map(one, range(len(CASES))))


def test_the_corpus_has_at_least_60_bad_inputs_across_every_kind_of_file() -> None:
    assert len(CASES) >= 60
    kinds = {case.name.split(":")[0] for case in CASES}
    assert {"rule", "agreement", "input", "scenario", "import"} <= kinds
    assert len({case.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_bad_input_is_reported_at_its_place_in_plain_words(
    case: Bad, outcomes: dict[str, Outcome]
) -> None:
    if case.privileged and not _privileges_droppable():
        pytest.skip("running as root without setpriv: root reads any file")
    outcome = outcomes[case.name]
    done = outcome.done
    assert done.returncode == case.code, done.stdout + done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    wanted = f"{outcome.where}: " if outcome.where else ""
    lines = [line for line in done.stderr.splitlines() if line.startswith(wanted)]
    assert any(case.words in line for line in lines), done.stderr
    assert not (outcome.folder / "out.xlsx").is_file()
    leftovers = [p.name for p in outcome.folder.rglob("*.tmp")]
    assert not leftovers
