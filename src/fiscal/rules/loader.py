"""Loading a ruleset folder: parse -> validate each file -> check across files.

Each stage returns what it could build plus the problems it found, so one run of
``fiscal validate`` reports every mistake in the ruleset, sorted by file and line.

Layout of a ruleset folder::

    ruleset.yaml          id, title, budget items
    regions.yaml          regions and mega-regions
    parameters/**.yaml    one parameter per file; its path names it (a/b.yaml -> a.b)
    sharing/*.yaml        tax-sharing rules (pool + key)
    transfers/*.yaml      grants: equalisation, matching, keyed pools
    ministries.yaml       central ministries that may sign agreements
    agreements/*.yaml     regional development investment agreements, one per file
"""

from __future__ import annotations

import dataclasses
from itertools import pairwise
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from fiscal.errors import Problem, SourcePos, UserError
from fiscal.files.paths import symlink_problems
from fiscal.rules.agreement_checks import check_agreement
from fiscal.rules.agreements import Agreement, MinistriesFile, Ministry
from fiscal.rules.checks import (
    check_manifest,
    check_parameters,
    check_regions,
    check_rules,
    dependency_order,
)
from fiscal.rules.models import (
    Parameter,
    ParameterFile,
    ParameterValue,
    RegionsFile,
    Rule,
    RulesetManifest,
)
from fiscal.rules.ruleset import Rule as RuleT
from fiscal.rules.ruleset import Ruleset
from fiscal.source.validation import validate_doc, validate_doc_as
from fiscal.source.yaml_reader import YamlDoc, load_yaml

RULE_FOLDERS = ("sharing", "transfers")
_RULE_ADAPTER: TypeAdapter[Any] = TypeAdapter(Rule)


def load_ruleset(root: Path) -> Ruleset:
    """Load and check a ruleset; raise :class:`UserError` with every problem found."""
    ruleset, problems = check_ruleset(root)
    if problems or ruleset is None:
        raise UserError(problems)
    return ruleset


def rule_files(root: Path) -> list[Path]:
    """Every file that belongs to the ruleset, in a stable order."""
    files = [root / "ruleset.yaml", root / "regions.yaml", root / "ministries.yaml"]
    files += sorted((root / "parameters").rglob("*.yaml")) if (root / "parameters").is_dir() else []
    for folder in (*RULE_FOLDERS, "agreements"):
        if (root / folder).is_dir():
            files += sorted((root / folder).glob("*.yaml"))
    return files


def check_ruleset(root: Path) -> tuple[Ruleset | None, list[Problem]]:
    """Load a ruleset folder, returning it (if whole enough to use) and all problems."""
    problems: list[Problem] = []
    if not root.exists():
        return None, [Problem(SourcePos.of(root), "ruleset folder not found")]
    if not root.is_dir():
        return None, [Problem(SourcePos.of(root), "expected a ruleset folder, found a file")]
    problems += symlink_problems(root)  # as diff, which reads git trees, would see them

    read = _Read(root, problems)
    manifest_doc, manifest = read.one(root / "ruleset.yaml", RulesetManifest)
    regions_doc, regions_file = read.one(root / "regions.yaml", RegionsFile)
    if manifest is not None and manifest_doc is not None:
        for index, item in enumerate(manifest.items):
            item.located(manifest_doc.pos(("items", index)))
        manifest.located(manifest_doc.pos())
    if regions_file is not None and regions_doc is not None:
        for index, region in enumerate(regions_file.regions):
            region.located(regions_doc.pos(("regions", index)))
        for index, mega in enumerate(regions_file.mega_regions):
            mega.located(regions_doc.pos(("mega_regions", index)))

    parameters, broken_parameters = _load_parameters(root, read)
    loaded_before_rules = len(problems)
    rules, rule_docs = _load_rules(root, read)
    rules_broken = len(problems) > loaded_before_rules
    ministries = _load_ministries(root, read)
    agreements, agreement_docs = _load_agreements(root, read)

    # A broken ruleset.yaml or regions.yaml must not hide the problems of other files:
    # check against empty stand-ins, skipping only the checks that need what is missing.
    regions_known = regions_file is not None
    items_known = manifest is not None
    ruleset = Ruleset(
        root=root,
        manifest=manifest or RulesetManifest.model_construct(id="", title="", country="", items=()),
        mega_regions=tuple(regions_file.mega_regions) if regions_file else (),
        regions=tuple(regions_file.regions) if regions_file else (),
        parameters=parameters,
        rules=tuple(rules),
        files=tuple(f for f in rule_files(root) if f.is_file()),
        ministries=tuple(ministries or ()),
        agreements=tuple(agreements),
        hashes=read.hashes,
    )
    if regions_known:
        check_regions(ruleset, problems)
    check_parameters(ruleset, problems, regions_known)
    check_rules(
        ruleset,
        rule_docs,
        problems,
        regions_known,
        items_known,
        broken_parameters=broken_parameters,
        rules_broken=rules_broken,
    )
    check_manifest(ruleset, problems, items_known)
    ministry_ids = {m.id for m in ministries} if ministries is not None else None
    for agreement in agreements:
        problems += check_agreement(
            agreement, agreement_docs[agreement.id], ruleset, ministry_ids, regions_known
        )
    if not (regions_known and items_known):
        return None, sorted(problems, key=Problem.sort_key)
    if not problems:
        ruleset = dataclasses.replace(ruleset, rules=tuple(dependency_order(ruleset, problems)))
    return ruleset, sorted(problems, key=Problem.sort_key)


class _Read:
    """Reads the files of one ruleset, collecting their problems and the hash of each."""

    def __init__(self, root: Path, problems: list[Problem]) -> None:
        self.root = root
        self.problems = problems
        # Path relative to the ruleset folder (posix) -> SHA-256 of the bytes parsed.
        self.hashes: dict[str, str] = {}

    def doc(self, path: Path) -> YamlDoc | None:
        """Parse one file, noting its hash; None (and its problems noted) if it cannot be."""
        doc, found = load_yaml(path)
        self.problems += found
        if doc is not None:
            self.hashes[path.relative_to(self.root).as_posix()] = doc.sha256
        return doc

    def one(self, path: Path, model: type[Any]) -> tuple[YamlDoc | None, Any]:
        """Parse one file and validate it as ``model``; the value is None if either fails."""
        doc = self.doc(path)
        if doc is None:
            return None, None
        value, found = validate_doc(model, doc)
        self.problems += found
        return doc, value


def _load_parameters(root: Path, read: _Read) -> tuple[dict[str, Parameter], set[str]]:
    """The parameters that loaded, and the names of those whose files did not."""
    problems = read.problems
    parameters: dict[str, Parameter] = {}
    broken: set[str] = set()
    folder = root / "parameters"
    if not folder.is_dir():
        problems.append(Problem(SourcePos.of(folder), "parameters folder not found"))
        return parameters, broken
    for path in sorted(folder.rglob("*.yaml")):
        name = ".".join(path.relative_to(folder).with_suffix("").parts)
        doc, file = read.one(path, ParameterFile)
        if doc is None or file is None:
            broken.add(name)
            continue
        raw_keys = list(doc.data["values"].keys())
        values = []
        for raw_key, (effective, entry) in zip(raw_keys, file.values.items(), strict=True):
            values.append(
                ParameterValue(
                    effective=effective,
                    value=entry.value,
                    reference=entry.reference or file.metadata.reference,
                    status=entry.status or file.metadata.status,
                ).located(doc.pos(("values", raw_key)))
            )
        dates = [v.effective for v in values]
        for earlier, later in pairwise(values):
            if later.effective <= earlier.effective:
                problems.append(
                    Problem(
                        later.source,
                        f"effective date {later.effective} is not after {earlier.effective}; "
                        "list values in date order, one per date",
                    )
                )
        if dates != sorted(set(dates)):
            broken.add(name)
            continue
        parameter = Parameter(
            path=name,
            description=file.description,
            unit=file.metadata.unit,
            breakdown=file.metadata.breakdown,
            reference=file.metadata.reference,
            status=file.metadata.status,
            values=values,
        )
        parameter.located(doc.pos())
        parameters[name] = parameter
    return parameters, broken


def _load_ministries(root: Path, read: _Read) -> list[Ministry] | None:
    path = root / "ministries.yaml"
    if not path.exists():
        return None
    doc, file = read.one(path, MinistriesFile)
    if doc is None or file is None:
        return None
    for index, ministry in enumerate(file.ministries):
        ministry.located(doc.pos(("ministries", index)))
    return list(file.ministries)


def _load_agreements(root: Path, read: _Read) -> tuple[list[Agreement], dict[str, YamlDoc]]:
    problems = read.problems
    agreements: list[Agreement] = []
    docs: dict[str, YamlDoc] = {}
    folder = root / "agreements"
    if not folder.is_dir():
        return agreements, docs
    for path in sorted(folder.glob("*.yaml")):
        doc, agreement = read.one(path, Agreement)
        if doc is None or agreement is None:
            continue
        agreement.located(doc.pos())
        for i, party in enumerate(agreement.parties):
            party.located(doc.pos(("parties", i)))
        for i, project in enumerate(agreement.projects):
            project.located(doc.pos(("projects", i)))
        for i, amendment in enumerate(agreement.amendments):
            amendment.located(doc.pos(("amendments", i)))
        if agreement.id in docs:
            problems.append(
                Problem(
                    doc.pos(("id",)),
                    f"agreement id {agreement.id!r} is already used by {docs[agreement.id].pos()}",
                )
            )
            continue
        if path.stem != agreement.id:
            problems.append(
                Problem(
                    doc.pos(("id",)),
                    f"agreement id {agreement.id!r} must match its file "
                    f"name {path.stem!r}, so the id never changes when the file moves",
                )
            )
        docs[agreement.id] = doc
        agreements.append(agreement)
    return agreements, docs


def _load_rules(root: Path, read: _Read) -> tuple[list[RuleT], dict[str, YamlDoc]]:
    problems = read.problems
    rules: list[RuleT] = []
    docs: dict[str, YamlDoc] = {}
    for folder in RULE_FOLDERS:
        if not (root / folder).is_dir():
            continue
        for path in sorted((root / folder).glob("*.yaml")):
            doc = read.doc(path)
            if doc is None:
                continue
            rule, found = validate_doc_as(_RULE_ADAPTER, doc)
            problems += found
            if rule is None:
                continue
            rule.located(doc.pos())
            if rule.id in docs:
                problems.append(
                    Problem(
                        doc.pos(("id",)),
                        f"rule id {rule.id!r} is already used by {docs[rule.id].pos()}",
                    )
                )
                continue
            docs[rule.id] = doc
            rules.append(rule)
    return rules, docs
