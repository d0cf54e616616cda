"""`fiscal verify`: does a projection workbook still say what its rules and inputs say?

A workbook records on its Provenance sheet what made it: the rules and inputs folders,
the SHA-256 of every file read, their git commits, the scenario file, the years and the
options of the run. The folders and the scenario file are named relative to the
workbook's own folder (or as fiscal's bundled data), so they are found from there: a
project folder copied elsewhere with its workbook verifies as it did. A workbook written
before paths travelled records absolute paths, which are used as they are. Because
fiscal's workbooks are reproducible, verifying is making the workbook again and comparing:

1. every recorded file is hashed again; a file whose hash no longer matches, that is
   gone, or that is new in the folder is named;
2. the projection is recomputed from the files and the workbook is written again in a
   temporary folder (its ``file:line`` texts are named from the folder of the rules and
   inputs, so the folder verify runs in does not change them);
3. every cell of every sheet but Provenance is compared with the workbook as it is —
   every Ledger figure included. A difference is named by ``Sheet!Cell``.

When the files are unchanged, a differing cell was edited by hand (or written by
another version of fiscal, which is said). When the rules are in git and the recorded
commit still holds files with the recorded hashes, the workbook is also recomputed
from that commit, so a hand edit is told apart from a change of the rules since.

The engine is pure; this module is shell: it reads files, git and workbooks.
"""

from __future__ import annotations

import contextlib
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from fiscal.errors import Problem, SourcePos, UserError
from fiscal.excel.cell_compare import (
    CellDifference,
    Shown,
    cell_text,
    hidden_since_written,
    ledger_context,
    normal,
    same,
    seen_differently,
)
from fiscal.excel.xlsx_reader import Book, Limits, read_book
from fiscal.report.provenance import AS_COMMITTED, FileHash, resolve_location, sha256_file
from fiscal.version import __version__

# Workbooks fiscal writes reach tens of MB at national scale over decades: the benchmark's
# 165,586 Ledger rows (243 governments, 30 years) are about 48 MB of sheet XML and 1.2
# million cells. The bounds leave room for several times that, and no more: each part is
# held in memory whole by the reader, and each cell of a sheet's grid costs about 100 bytes.
VERIFY_LIMITS = Limits(
    file_bytes=256 * 1024 * 1024,
    uncompressed=256 * 1024 * 1024,
    part=128 * 1024 * 1024,
    rows=1_048_576,
    columns=16_384,
    cells=8_000_000,
    what="a workbook to verify",
)
FIRST_YEAR, LAST_YEAR = 1900, 2200  # as the inputs allow
SHOWN = 50  # differing cells listed; the rest are counted


@dataclass(frozen=True)
class Recorded:
    """What a workbook's Provenance sheet says made it."""

    values: dict[str, str]  # key -> value rows
    rows: dict[str, int]  # key -> its 1-based row, to point at it
    files: list[FileHash]

    def get(self, key: str) -> str | None:
        """The recorded value of ``key``; None when the sheet has no such row."""
        return self.values.get(key)

    def require(self, key: str, workbook: Path) -> str:
        """The recorded value of ``key``; a UserError when the row is missing or empty."""
        value = self.values.get(key)
        if not value:
            raise UserError(
                [
                    Problem(
                        SourcePos.of(workbook),
                        f"the Provenance sheet has no {key!r} row; it was not written by "
                        "fiscal project, or it was edited",
                    )
                ]
            )
        return value

    def at(self, key: str) -> SourcePos:
        """The Provenance!B cell of ``key``, to point at it."""
        return SourcePos.cell("Provenance", self.rows.get(key, 0), 2)

    @property
    def years(self) -> list[int]:
        """The years of the run, as ``2025-2030``; a user error at the cell otherwise."""
        text = self.values.get("years")
        if text is None:
            raise UserError(
                [
                    Problem(
                        SourcePos.cell("Provenance", 1, 1),
                        "the Provenance sheet has no 'years' row (it should say e.g. "
                        "2025-2030): it was edited, or not written by fiscal project",
                    )
                ]
            )
        first, dash, last = text.strip().partition("-")
        if not (dash and first.strip().isdecimal() and last.strip().isdecimal()):
            raise UserError(
                [Problem(self.at("years"), f"expected the years as 2025-2030, found {text!r}")]
            )
        start, end = int(first), int(last)
        if not FIRST_YEAR <= start <= end <= LAST_YEAR:
            raise UserError(
                [
                    Problem(
                        self.at("years"),
                        f"expected the years as 2025-2030 (first before last, within "
                        f"{FIRST_YEAR}-{LAST_YEAR}), found {text!r}",
                    )
                ]
            )
        return list(range(start, end + 1))


@dataclass
class Verification:
    """The outcome: files that changed, and cells that differ from a recomputation."""

    workbook: Path
    recorded: Recorded
    files: list[Problem] = field(default_factory=list)
    cells: list[CellDifference] = field(default_factory=list)
    sheets: list[Problem] = field(default_factory=list)  # sheets missing or added
    # How the differing cells are explained: "edited" (the files match, so by hand),
    # "changed" (recomputed from changed files: rule changes or edits, not told apart).
    cause: str = "edited"
    also_changed: int = 0  # cells the current files would change, beyond hand edits
    ledger_figures: int = 0
    sheets_compared: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def matches(self) -> bool:
        """Whether the workbook is what the files recompute: no file, cell or sheet differs."""
        return not (self.files or self.cells or self.sheets)


def verify(workbook: Path, rules: Path | None = None, inputs: Path | None = None) -> Verification:
    """Verify ``workbook`` against its rules and inputs (or the folders given instead)."""
    book = read_book(workbook, VERIFY_LIMITS, styles=True)
    provenance = book.sheet("Provenance")
    if provenance is None:
        raise UserError(
            [
                Problem(
                    SourcePos.of(workbook),
                    "no Provenance sheet: fiscal verify checks workbooks written by fiscal project",
                )
            ]
        )
    if book.sheet("Ledger") is None:
        raise UserError(
            [
                Problem(
                    SourcePos.of(workbook),
                    "no Ledger sheet: fiscal verify checks the workbooks of fiscal project, "
                    "not comparisons, sweeps, diffs or templates",
                )
            ]
        )
    recorded = read_provenance(book)
    recorded.years  # noqa: B018 - a damaged years cell is a user error before any work
    result = Verification(workbook, recorded)
    version = recorded.get("fiscal version")
    if version and version != __version__:
        result.notes.append(
            f"the workbook was written by fiscal {version}; this is fiscal {__version__}"
        )
    # Recorded paths are relative to the workbook's own folder, wherever it is now.
    here = workbook.resolve().parent
    rules_path, as_of = _rules_path(recorded, workbook, here)
    rules_root = (rules or rules_path).resolve()
    inputs_recorded = resolve_location(recorded.require("inputs path", workbook), here)
    inputs_root = (inputs or inputs_recorded).resolve()
    _check_found(
        recorded,
        here,
        rules_path if rules is None else None,
        inputs_recorded if inputs is None else None,
    )
    scenario_file = recorded.get("scenario file")
    scenario = resolve_location(scenario_file, here).resolve() if scenario_file else None
    with contextlib.ExitStack() as stack:
        if as_of is not None:
            from fiscal.history.versions import rules_as_of

            committed = stack.enter_context(rules_as_of(rules_root, as_of))
            hashed_rules = committed.folder
        else:
            committed = None
            hashed_rules = rules_root
        result.files = _file_changes(recorded, hashed_rules, inputs_root, scenario)
        rewrite = _rewriter(recorded, here, rules, rules_root, inputs, inputs_root)
        try:
            expected = _recompute(
                recorded, rules_root, inputs_root, scenario, committed, workbook, stack
            )
        except UserError as exc:
            if not result.files:
                raise
            # The files changed so much that they no longer load: the changes say why.
            result.notes.append(
                "cannot recompute the workbook from the current files: "
                + "; ".join(str(p) for p in exc.problems[:3])
                + (f" (and {len(exc.problems) - 3} more)" if len(exc.problems) > 3 else "")
            )
            return result
        differences, missing = _compare(book, expected, recorded, rewrite, result)
        result.sheets = missing
        if not result.files:
            result.cells = differences
            return result
        from_commit = _recompute_from_commit(recorded, rules_root, inputs_root, scenario, stack)
        if from_commit is None:
            result.cause = "changed"
            result.cells = differences
            return result
        edited, _ = _compare(book, from_commit, recorded, rewrite, None)
        result.cells = edited
        result.also_changed = len(differences)
        result.notes.append(
            "recomputed from the recorded git commit, whose files have the recorded hashes: "
            "the cells listed were edited by hand"
        )
    return result


# --- the Provenance sheet ---------------------------------------------------------------------


def read_provenance(book: Book) -> Recorded:
    """What a workbook's Provenance sheet records: key-value rows, then each file's hash."""
    sheet = book.sheet("Provenance")
    assert sheet is not None
    values: dict[str, str] = {}
    rows: dict[str, int] = {}
    files: list[FileHash] = []
    in_files = False
    for r in range(sheet.height):
        key, value, digest = (cell_text(sheet.value(r, c)) for c in range(3))
        if key == "role" and value == "file":
            in_files = True
            continue
        if in_files:
            if key and value:
                files.append(FileHash(key, value, digest))
        elif key and key != "key":
            values[key] = value
            rows[key] = r + 1
    return Recorded(values, rows, files)


def _rules_path(recorded: Recorded, workbook: Path, here: Path) -> tuple[Path, date | None]:
    """The recorded rules folder (found from ``here``, the workbook's folder) and, for
    rules read from git as of a day, that day."""
    text = recorded.require("rules path", workbook)
    day = recorded.get("rules as of")
    path, marker, _ = text.partition(AS_COMMITTED)
    if marker and day:
        try:
            return resolve_location(path, here), date.fromisoformat(day)
        except ValueError:
            pass
    if marker:
        raise UserError(
            [Problem(recorded.at("rules path"), "cannot tell which day's rules this was")]
        )
    return resolve_location(text, here), None


def _check_found(recorded: Recorded, here: Path, rules: Path | None, inputs: Path | None) -> None:
    """A user error when a folder recorded relative to the workbook is not there: the
    workbook was moved without it (every file "gone" would hide that), and --rules or
    --inputs names where it is now. An absolute path (an older workbook) whose folder is
    gone is left to the file check, which names each file."""
    problems = []
    for key, option, folder in (
        ("rules path", "--rules", rules),
        ("inputs path", "--inputs", inputs),
    ):
        text = (recorded.get(key) or "").partition(AS_COMMITTED)[0]
        if folder is None or folder.is_dir() or Path(text).is_absolute():
            continue
        problems.append(
            Problem(
                recorded.at(key),
                f"the {key.split()[0]} folder {text!r} is not there from the workbook's "
                f"folder {here}: the workbook was moved without it; name it with {option}",
            )
        )
    if problems:
        raise UserError(problems)


# --- files ------------------------------------------------------------------------------------


def _file_changes(
    recorded: Recorded, rules_root: Path, inputs_root: Path, scenario: Path | None
) -> list[Problem]:
    from fiscal.rules.input_files import input_files
    from fiscal.rules.loader import rule_files

    problems: list[Problem] = []
    roots = {"rules": rules_root, "inputs": inputs_root}
    present = {
        "rules": {
            f.relative_to(rules_root).as_posix(): f for f in rule_files(rules_root) if f.is_file()
        },
        "inputs": {
            f.relative_to(inputs_root).as_posix(): f
            for f in input_files(inputs_root)
            if f.is_file()
        },
    }
    for role in ("rules", "inputs"):
        wanted = {f.path: f.sha256 for f in recorded.files if f.role == role}
        now = present[role]
        for rel, digest in wanted.items():
            path = roots[role] / rel
            if rel not in now:
                problems.append(
                    Problem(SourcePos.of(path), "recorded in the workbook, but no longer there")
                )
            elif sha256_file(now[rel]) != digest:
                problems.append(
                    Problem(
                        SourcePos.of(path),
                        f"changed since the workbook was made (sha256 {digest[:12]}... "
                        f"recorded, {sha256_file(now[rel])[:12]}... now)",
                    )
                )
        for rel in sorted(set(now) - set(wanted)):
            problems.append(
                Problem(
                    SourcePos.of(now[rel]),
                    "not in the workbook's provenance: added since it was made",
                )
            )
    scenarios = [f for f in recorded.files if f.role == "scenario"]
    if scenario is not None and scenarios:
        if not scenario.is_file():
            problems.append(Problem(SourcePos.of(scenario), "scenario file no longer there"))
        elif sha256_file(scenario) != scenarios[0].sha256:
            problems.append(
                Problem(SourcePos.of(scenario), "scenario changed since the workbook was made")
            )
    return sorted(problems, key=Problem.sort_key)


# --- recomputing ------------------------------------------------------------------------------


def _recompute(
    recorded: Recorded,
    rules_root: Path,
    inputs_root: Path,
    scenario: Path | None,
    committed: Any,
    workbook: Path,
    stack: contextlib.ExitStack,
) -> Book:
    from fiscal.rules.input_files import load_inputs
    from fiscal.rules.loader import load_ruleset

    if scenario is not None and not scenario.is_file():
        raise UserError(
            [
                Problem(
                    recorded.at("scenario file"),
                    f"the scenario file {scenario} is gone; cannot recompute the workbook",
                )
            ]
        )
    ruleset = committed.ruleset if committed is not None else load_ruleset(rules_root)
    data = load_inputs(inputs_root)
    return _rewrite_workbook(recorded, ruleset, data, scenario, committed, workbook, stack)


def _recompute_from_commit(
    recorded: Recorded,
    rules_root: Path,
    inputs_root: Path,
    scenario: Path | None,
    stack: contextlib.ExitStack,
) -> Book | None:
    """The workbook made from the recorded commit, if its files are the recorded ones."""
    from fiscal.files.git import GitError
    from fiscal.history.versions import Sources, load_inputs, load_rules

    commit = (recorded.get("rules git commit") or "").split(" ")[0]
    inputs_commit = (recorded.get("inputs git commit") or "").split(" ")[0]
    dirty = "(uncommitted changes)"
    if (
        len(commit) != 40
        or len(inputs_commit) != 40
        or dirty in (recorded.get("rules git commit") or "")
        or dirty in (recorded.get("inputs git commit") or "")
        or recorded.get("rules as of")
    ):
        return None
    scenarios = [f for f in recorded.files if f.role == "scenario"]
    if scenario is not None and (
        not scenario.is_file() or sha256_file(scenario) != scenarios[0].sha256
    ):
        return None
    try:
        sources = Sources(rules_root, inputs_root)
        loaded = load_rules(sources.rules_snapshot(sources.ref(commit)))
        data, input_hashes = load_inputs(sources.inputs_snapshot(sources.ref(inputs_commit)))
    except (GitError, UserError):
        return None
    wanted = {(f.role, f.path, f.sha256) for f in recorded.files if f.role != "scenario"}
    found = {("rules", f.path, f.sha256) for f in loaded.hashes}
    found |= {("inputs", f.path, f.sha256) for f in input_hashes}
    if loaded.ruleset is None or loaded.problems or found != wanted:
        return None
    return _rewrite_workbook(
        recorded, loaded.ruleset, data, scenario, None, Path("workbook"), stack
    )


def _rewrite_workbook(
    recorded: Recorded,
    ruleset: Any,
    data: Any,
    scenario: Path | None,
    committed: Any,
    workbook: Path,
    stack: contextlib.ExitStack,
) -> Book:
    from fiscal.engine.projection import project
    from fiscal.excel.workbook import write_book
    from fiscal.report.provenance import GitState, Provenance
    from fiscal.report.views import BY_CHOICES, view
    from fiscal.report.workbooks import projection_book
    from fiscal.rules.scenarios import (
        ScenarioChange,
        apply_scenario,
        read_scenario,
        scenario_changes,
    )

    years = recorded.years
    changed_rules, changed_inputs, name = ruleset, data, "baseline"
    changes: tuple[ScenarioChange, ...] = ()
    if scenario is not None:
        loaded = read_scenario(scenario)
        changed_rules, changed_inputs = apply_scenario(loaded, ruleset, data, years)
        name = loaded.title  # as `fiscal project` names it
        changes = scenario_changes(loaded, (ruleset, data), (changed_rules, changed_inputs))
    projection = project(changed_rules, changed_inputs, years, scenario=name)
    by = recorded.get("by") or "region"
    if by not in BY_CHOICES:
        raise UserError([Problem(recorded.at("by"), f"unknown grouping {by!r}")])
    shown = view(projection, ruleset, by)
    # The Provenance sheet is not compared (its file list was checked above).
    unknown = GitState(None, False, None)
    provenance = Provenance(
        __version__,
        "",
        "",
        "",
        str(ruleset.root),
        unknown,
        str(data.root),  # file:line in the workbook is named from the rules and inputs
        unknown,
        name,
        (years[0], years[-1]),
    )
    folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="fiscal-verify-")))
    target = folder / "recomputed.xlsx"
    write_book(target, projection_book(projection, ruleset, provenance, shown, changes))
    return read_book(target, VERIFY_LIMITS, styles=True)


# --- comparing --------------------------------------------------------------------------------


def _rewriter(
    recorded: Recorded,
    here: Path,
    rules: Path | None,
    rules_root: Path,
    inputs: Path | None,
    inputs_root: Path,
) -> list[tuple[str, str]]:
    """Text replacements that turn a recomputed file:line into the one the workbook was
    written with, when the rules or inputs are read from another folder (--rules).

    A workbook names its files from the folder of the rules and inputs
    (:class:`fiscal.report.provenance.PortableNames`): moved together they read the same;
    renamed (``inputs`` read as ``in``), the new name's prefix is turned into the old."""
    from fiscal.report.provenance import PortableNames

    old_rules = (recorded.get("rules path") or "").partition(AS_COMMITTED)[0]
    old_inputs = recorded.get("inputs path") or ""
    if (rules is None and inputs is None) or not old_rules or not old_inputs:
        return []
    then_rules, then_inputs = resolve_location(old_rules, here), resolve_location(old_inputs, here)
    now = PortableNames(rules_root, inputs_root)
    then = PortableNames(then_rules, then_inputs)
    pairs: list[tuple[str, str]] = []
    for root, old in ((rules_root, then_rules), (inputs_root, then_inputs)):
        new_name, old_name = now(str(root)), then(str(old))
        if new_name != old_name:
            pairs.append((new_name + "/", old_name + "/"))
    return pairs


def _compare(
    book: Book,
    expected: Book,
    recorded: Recorded,
    rewrite: list[tuple[str, str]],
    result: Verification | None,
) -> tuple[list[CellDifference], list[Problem]]:
    differences: list[CellDifference] = []
    sheets: list[Problem] = []
    where = SourcePos.of(book.path)
    skip = {"Provenance"}
    if recorded.get("by") is None and "Consolidated" in book.sheets:
        skip.add("Consolidated")  # made before fiscal recorded --by
        if result is not None:
            result.notes.append("the Consolidated sheet was not checked: --by is not recorded")
    for name, sheet in expected.sheets.items():
        if name in skip:
            continue
        have = book.sheet(name)
        if have is None:
            sheets.append(Problem(where, f"sheet {name!r} is missing: deleted or renamed by hand"))
            continue
        sheets.extend(hidden_since_written(where, have, sheet))
        if result is not None:
            result.sheets_compared += 1
            if name == "Ledger":
                result.ledger_figures = max(sheet.height - 1, 0)
        height = max(sheet.height, have.height)
        width = max(sheet.width, have.width)
        for r in range(height):
            for c in range(width):
                want = normal(sheet.value(r, c), rewrite)
                got = normal(have.value(r, c), [])
                found = seen_differently(have, sheet, r, c, got, want)
                if found is not None or not same(got, want):
                    context = ledger_context(sheet, r) if name == "Ledger" else ""
                    got_shown, want_shown = found or (got, want)
                    differences.append(CellDifference(name, r, c, got_shown, want_shown, context))
        # A formula beyond the grid of values (a formula whose cached value is blank).
        for r, c in sorted(set(have.formulas) - set(sheet.formulas)):
            if r >= height or c >= width:
                formula = have.formulas[(r, c)]
                differences.append(
                    CellDifference(name, r, c, Shown(None, formula=formula), Shown(None))
                )
    for name in book.sheets:
        if name not in expected.sheets and name not in skip:
            sheets.append(Problem(where, f"sheet {name!r} is not one fiscal wrote: added by hand"))
    return differences, sheets


def to_json(result: Verification) -> dict[str, Any]:
    """The outcome for scripts: exact values, every differing cell."""

    def value(v: Any) -> Any:
        """A value for JSON: whole numbers as int, a cell with its format and formula as shown."""
        if isinstance(v, Shown):
            shown = {"value": value(v.value)}
            if v.number_format is not None:
                shown["number_format"] = v.number_format
            if v.formula is not None:
                shown["formula"] = "=" + v.formula
            return shown
        return int(v) if isinstance(v, float) and v.is_integer() else v

    return {
        "workbook": str(result.workbook),
        "matches": result.matches,
        "files": [{"file": str(p.where), "problem": p.message} for p in result.files],
        "sheets": [p.message for p in result.sheets],
        "cells": [
            {
                "cell": str(c.where),
                "workbook": value(c.workbook),
                "recomputed": value(c.recomputed),
                "context": c.context,
            }
            for c in result.cells
        ],
        "cells_are": "edited by hand" if result.cause == "edited" else "recomputed differently",
        "cells_changed_by_current_files": result.also_changed,
        "ledger_figures": result.ledger_figures,
        "sheets_compared": result.sheets_compared,
        "notes": result.notes,
    }
