"""``fiscal diff``: two versions of the rules, what changed and what it does to the money.

The shell around the pure parts: name the two versions, read them (git or disk), load
them, compare them (:mod:`~fiscal.history.changes`), project both over the same years
with the same inputs and compare the projections (:mod:`~fiscal.history.impact`), then
apply each changed rule object alone to the old rules for the attribution.

The inputs are read as of the new version when they live in the same repository and
that version has them (the working tree for ``WORKTREE``), otherwise from disk; both
rule versions are projected with these same inputs, so the impact is the rules' alone.
"""

from __future__ import annotations

import shlex
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from fiscal.engine.projection import Projection, project
from fiscal.errors import UserError
from fiscal.files.git import UNSHALLOW, GitError
from fiscal.history.auditor import affordability_changes, in_place_edits
from fiscal.history.changes import Change, Side, diff_rulesets
from fiscal.history.impact import Attribution, Impact, budget_impact, interaction
from fiscal.history.versions import (
    WORKTREE,
    LoadedRules,
    Snapshot,
    Sources,
    VersionRef,
    load_inputs,
    load_rules,
    require,
)
from fiscal.report.provenance import FileHash, run_time
from fiscal.rules.inputs import Inputs
from fiscal.rules.ruleset import Ruleset
from fiscal.version import __version__

# Rule objects kept in a file of their own can be applied alone; the others share a file.
_OWN_FILE = ("parameter", "rule", "agreement")
_SHARED_FILE = {
    "region": ("regions", "regions.yaml"),
    "mega_region": ("regions", "regions.yaml"),
    "item": ("ruleset", "ruleset.yaml"),
    "ruleset": ("ruleset", "ruleset.yaml"),
    "ministry": ("ministries", "ministries.yaml"),
}


@dataclass(frozen=True)
class VersionInfo:
    """One compared version, for the report and the Provenance sheet."""

    ref: VersionRef
    rules_path: str
    files: list[FileHash]


@dataclass
class DiffReport:
    """``fiscal diff``: what changed between two versions of the rules and what it does to
    each region's budget, with the files and versions compared for an auditor."""

    old: VersionInfo
    new: VersionInfo
    changes: list[Change]
    years: list[int]  # the years projected to measure the impact
    inputs_label: str
    input_files: list[FileHash]
    impact: Impact | None = None
    # With several changes: each applied alone, and by year what they do together beyond
    # the sum of each alone.
    attribution: list[Attribution] = field(default_factory=list)
    interaction: dict[int, int | float] = field(default_factory=dict)
    repository: str | None = None
    fiscal_version: str = __version__
    command_line: str = ""
    run_time: str = ""
    shallow: bool = False  # a version was read from a shallow clone
    warnings: list[str] = field(default_factory=list)  # shown above the report in every format

    @property
    def changed(self) -> bool:
        """Whether the two versions differ in any rule, parameter or agreement."""
        return bool(self.changes)


def name_versions(
    sources: Sources, old: str | None, new: str | None, as_of: date | None
) -> tuple[VersionRef, VersionRef]:
    """OLD and NEW as refs: HEAD and the working tree unless said otherwise."""
    if as_of is not None:
        if old is not None and new is not None:
            raise UserError("--rules-as-of names the old version: give at most NEW with it")
        return sources.as_of(as_of), sources.ref(old or new or WORKTREE)
    return sources.ref(old or "HEAD"), sources.ref(new or WORKTREE)


def build_diff(
    rules: Path,
    inputs: Path,
    old: str | None = None,
    new: str | None = None,
    *,
    as_of: date | None = None,
    first_year: int | None = None,
    last_year: int | None = None,
    impact: bool = True,
    stamp_time: bool = False,
) -> DiffReport:
    """Compare two versions of the ruleset folder ``rules``; raise UserError on user errors.

    The time of the run is recorded only with ``stamp_time``, so that the same diff
    gives the same report and workbook, byte for byte."""
    sources = Sources(rules, inputs)
    old_ref, new_ref = name_versions(sources, old, new, as_of)
    old_snap = sources.rules_snapshot(old_ref)
    new_snap = sources.rules_snapshot(new_ref)
    old_loaded, new_loaded = load_rules(old_snap), load_rules(new_snap)
    old_rules, new_rules = require(old_loaded), require(new_loaded)
    changes = diff_rulesets(side(old_loaded, old_rules), side(new_loaded, new_rules))

    inputs_snap = _inputs_snapshot(sources, new_ref)
    data, input_hashes = load_inputs(inputs_snap)
    first = first_year if first_year is not None else data.first_year()
    last = last_year if last_year is not None else data.last_year()
    if first > last:
        raise UserError(f"the first year {first} is after the last year {last}")
    years = list(range(first, last + 1))
    report = DiffReport(
        old=VersionInfo(old_ref, old_snap.prefix, old_loaded.hashes),
        new=VersionInfo(new_ref, new_snap.prefix, new_loaded.hashes),
        changes=changes,
        years=years,
        inputs_label=_inputs_label(inputs_snap),
        input_files=input_hashes,
        repository=str(sources.repo.top) if _has_repo(sources, old_ref, new_ref) else None,
        command_line=("fiscal " + shlex.join(sys.argv[1:])).strip(),
        run_time=run_time(stamp_time),
    )
    if report.repository is not None and sources.repo.is_shallow():
        report.shallow = True
        report.warnings += _shallow_warnings(sources, old_ref)
    report.warnings += in_place_edits(changes, old_rules, new_rules)
    if changes and impact:
        before = project(old_rules, data, years)
        after = project(new_rules, data, years)
        report.impact = budget_impact(before, after)
        report.warnings += affordability_changes(before, after)
        units = change_units(changes)
        if len(units) > 1:
            report.attribution = [
                _alone(unit, fields, old_snap, new_snap, old_rules, new_rules, data, before)
                for unit, fields in units.items()
            ]
            report.interaction = interaction(report.impact, report.attribution)
    return report


def side(loaded: LoadedRules, ruleset: Ruleset) -> Side:
    """One version as the semantic diff compares it: its ruleset and the files it came from."""
    return Side(ruleset, loaded.snapshot.ref.tag, loaded.snapshot.texts())


def _has_repo(sources: Sources, *refs: VersionRef) -> bool:
    return any(ref.kind != "folder" for ref in refs)


def _shallow_warnings(sources: Sources, old: VersionRef) -> list[str]:
    """A warning when the old version is where a shallow clone's history stops."""
    if old.commit is None or not sources.repo.is_shallow_boundary(old.commit):
        return []
    return [
        f"the old version {old.label} is where this shallow clone's history starts: the two "
        f"versions are compared in full, but no older commit is in the clone; {UNSHALLOW}"
    ]


def _inputs_snapshot(sources: Sources, new_ref: VersionRef) -> Snapshot:
    try:
        return sources.inputs_snapshot(new_ref)
    except GitError:
        if not sources.inputs.is_dir():
            raise
        # The new version predates its inputs folder: use the inputs as they are on disk.
        return sources.inputs_snapshot(VersionRef(str(sources.inputs), "folder"))


def _inputs_label(snapshot: Snapshot) -> str:
    ref = snapshot.ref
    if ref.kind == "commit":
        return f"{snapshot.prefix} @ {ref.tag}"
    if ref.kind == "worktree":
        return f"{snapshot.prefix} (working tree)"
    return snapshot.prefix


def change_units(changes: list[Change]) -> dict[tuple[str, str], list[str]]:
    """The rule objects that changed (what can be applied alone), with what changed in each."""
    units: dict[tuple[str, str], list[str]] = {}
    for change in changes:
        unit = (change.kind, change.id) if change.kind in _OWN_FILE else _SHARED_FILE[change.kind]
        what = " ".join(x for x in (change.field, change.part or change.party or "") if x)
        units.setdefault(unit, [])
        if what and what not in units[unit]:
            units[unit].append(what)
    return units


def _file_of(snapshot: Snapshot, ruleset: Ruleset, kind: str, ident: str) -> str | None:
    """The file (inside the ruleset folder) that holds a rule object in one version."""
    if kind not in _OWN_FILE:
        return ident if ident in snapshot.files else None
    source = None
    if kind == "parameter" and ident in ruleset.parameters:
        source = ruleset.parameters[ident].source
    elif kind == "rule":
        source = next((r.source for r in ruleset.rules if r.id == ident), None)
    elif kind == "agreement":
        found = ruleset.agreement(ident)
        source = found.source if found is not None else None
    return snapshot.relative(source.file) if source is not None else None


def _alone(
    unit: tuple[str, str],
    fields: list[str],
    old_snap: Snapshot,
    new_snap: Snapshot,
    old_rules: Ruleset,
    new_rules: Ruleset,
    data: Inputs,
    before: Projection,
) -> Attribution:
    """Apply one changed rule object to the old rules, and project against the old."""
    kind, ident = unit
    old_file = _file_of(old_snap, old_rules, kind, ident)
    new_file = _file_of(new_snap, new_rules, kind, ident)
    add = {new_file: new_snap.files[new_file]} if new_file is not None else {}
    hybrid = old_snap.with_files([old_file] if old_file else [], add)
    loaded = load_rules(hybrid)
    if loaded.problems or loaded.ruleset is None:
        first = loaded.problems[0] if loaded.problems else None
        why = f"does not load alone: {first}" if first else "does not load alone"
        return Attribution(kind, ident, None, why, fields)
    try:
        alone = project(loaded.ruleset, data, before.years)
    except UserError as exc:
        return Attribution(
            kind, ident, None, f"cannot be projected alone: {exc.problems[0]}", fields
        )
    return Attribution(kind, ident, budget_impact(before, alone), None, fields)
