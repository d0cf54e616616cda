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

from decimal import Decimal
from graphlib import CycleError, TopologicalSorter
from itertools import pairwise
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from fiscal.errors import Problem, SourcePos, UserError
from fiscal.files.paths import symlink_problems
from fiscal.rules.agreement_checks import check_agreement
from fiscal.rules.agreements import Agreement, MinistriesFile, Ministry
from fiscal.rules.models import (
    AdjustmentRule,
    EqualisationRule,
    MatchingRule,
    Parameter,
    ParameterFile,
    ParameterValue,
    RegionsFile,
    Rule,
    RulesetManifest,
    SharingRule,
)
from fiscal.rules.ruleset import Rule as RuleT
from fiscal.rules.ruleset import Ruleset
from fiscal.rules.types import Category, RegionClass, Unit
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

    manifest_doc, manifest = _load_one(root / "ruleset.yaml", RulesetManifest, problems)
    regions_doc, regions_file = _load_one(root / "regions.yaml", RegionsFile, problems)
    if manifest is not None and manifest_doc is not None:
        for index, item in enumerate(manifest.items):
            item.located(manifest_doc.pos(("items", index)))
        manifest.located(manifest_doc.pos())
    if regions_file is not None and regions_doc is not None:
        for index, region in enumerate(regions_file.regions):
            region.located(regions_doc.pos(("regions", index)))
        for index, mega in enumerate(regions_file.mega_regions):
            mega.located(regions_doc.pos(("mega_regions", index)))

    parameters, broken_parameters = _load_parameters(root, problems)
    loaded_before_rules = len(problems)
    rules, rule_docs = _load_rules(root, problems)
    rules_broken = len(problems) > loaded_before_rules
    ministries = _load_ministries(root, problems)
    agreements, agreement_docs = _load_agreements(root, problems)

    # A broken ruleset.yaml or regions.yaml must not hide the problems of other files:
    # check against empty stand-ins, skipping only the checks that need what is missing.
    regions_known = regions_file is not None
    items_known = manifest is not None
    ruleset = Ruleset(
        root=root,
        manifest=manifest or RulesetManifest.model_construct(id="", title="", country="", items=[]),
        mega_regions=regions_file.mega_regions if regions_file else [],
        regions=regions_file.regions if regions_file else [],
        parameters=parameters,
        rules=rules,
        files=[f for f in rule_files(root) if f.is_file()],
        ministries=ministries or [],
        agreements=agreements,
    )
    if regions_known:
        _check_regions(ruleset, problems)
    _check_parameters(ruleset, problems, regions_known)
    _check_rules(
        ruleset,
        rule_docs,
        problems,
        regions_known,
        items_known,
        broken_parameters=broken_parameters,
        rules_broken=rules_broken,
    )
    _check_manifest(ruleset, problems, items_known)
    ministry_ids = {m.id for m in ministries} if ministries is not None else None
    for agreement in agreements:
        problems += check_agreement(
            agreement, agreement_docs[agreement.id], ruleset, ministry_ids, regions_known
        )
    if not (regions_known and items_known):
        return None, sorted(problems, key=Problem.sort_key)
    if not problems:
        ruleset.rules = _dependency_order(ruleset, problems)
    return ruleset, sorted(problems, key=Problem.sort_key)


def _load_one(path: Path, model: type[Any], problems: list[Problem]) -> tuple[YamlDoc | None, Any]:
    doc, found = load_yaml(path)
    problems += found
    if doc is None:
        return None, None
    value, found = validate_doc(model, doc)
    problems += found
    return doc, value


def _load_parameters(root: Path, problems: list[Problem]) -> tuple[dict[str, Parameter], set[str]]:
    """The parameters that loaded, and the names of those whose files did not."""
    parameters: dict[str, Parameter] = {}
    broken: set[str] = set()
    folder = root / "parameters"
    if not folder.is_dir():
        problems.append(Problem(SourcePos.of(folder), "parameters folder not found"))
        return parameters, broken
    for path in sorted(folder.rglob("*.yaml")):
        name = ".".join(path.relative_to(folder).with_suffix("").parts)
        doc, file = _load_one(path, ParameterFile, problems)
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


def _load_ministries(root: Path, problems: list[Problem]) -> list[Ministry] | None:
    path = root / "ministries.yaml"
    if not path.exists():
        return None
    doc, file = _load_one(path, MinistriesFile, problems)
    if doc is None or file is None:
        return None
    for index, ministry in enumerate(file.ministries):
        ministry.located(doc.pos(("ministries", index)))
    return list(file.ministries)


def _load_agreements(
    root: Path, problems: list[Problem]
) -> tuple[list[Agreement], dict[str, YamlDoc]]:
    agreements: list[Agreement] = []
    docs: dict[str, YamlDoc] = {}
    folder = root / "agreements"
    if not folder.is_dir():
        return agreements, docs
    for path in sorted(folder.glob("*.yaml")):
        doc, agreement = _load_one(path, Agreement, problems)
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


def _check_manifest(ruleset: Ruleset, problems: list[Problem], items_known: bool) -> None:
    if not items_known:
        return
    items = {i.id: i for i in ruleset.items}
    for item in ruleset.items:
        if item.from_indicator and item.from_agreements:
            problems.append(
                Problem(
                    item.source, f"item {item.id!r}: from_indicator or from_agreements, not both"
                )
            )
        if item.from_agreements == "central_inflow" and item.category is Category.obligation:
            problems.append(
                Problem(item.source, f"item {item.id!r}: agreement inflows are revenue")
            )
        if item.from_agreements == "co_funding" and item.category is not Category.obligation:
            problems.append(
                Problem(item.source, f"item {item.id!r}: co-funding must have category obligation")
            )
    measures = ruleset.manifest.measures
    if measures is not None:
        for item_id in [*measures.national_tax_less, *measures.local_taxes]:
            if item_id not in items:
                problems.append(
                    Problem(ruleset.manifest.source, f"measures: unknown item {item_id!r}")
                )
    rate = ruleset.manifest.discount_rate
    if rate is not None:
        ref = ruleset.resolve(rate)
        if ref is None or ref.parameter.unit is not Unit.ratio:
            problems.append(
                Problem(
                    ruleset.manifest.source, f"discount_rate {rate!r} must name a ratio parameter"
                )
            )
    rule = ruleset.manifest.affordability
    if rule is not None:
        for item_id in rule.obligations:
            if item_id not in items:
                problems.append(
                    Problem(ruleset.manifest.source, f"affordability: unknown item {item_id!r}")
                )
        ref = ruleset.resolve(rule.limit)
        if ref is None or ref.parameter.unit is not Unit.ratio:
            problems.append(
                Problem(
                    ruleset.manifest.source,
                    f"affordability: limit {rule.limit!r} must name a ratio parameter",
                )
            )


def _load_rules(root: Path, problems: list[Problem]) -> tuple[list[RuleT], dict[str, YamlDoc]]:
    rules: list[RuleT] = []
    docs: dict[str, YamlDoc] = {}
    for folder in RULE_FOLDERS:
        if not (root / folder).is_dir():
            continue
        for path in sorted((root / folder).glob("*.yaml")):
            doc, found = load_yaml(path)
            problems += found
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


def _check_regions(ruleset: Ruleset, problems: list[Problem]) -> None:
    seen: dict[str, SourcePos] = {}
    for region in ruleset.regions:
        if region.id in seen:
            problems.append(Problem(region.source, f"region id {region.id!r} is used twice"))
        seen[region.id] = region.source
    megas = {m.id for m in ruleset.mega_regions}
    if len(megas) != len(ruleset.mega_regions):
        problems.append(Problem(ruleset.mega_regions[0].source, "mega-region ids must be unique"))
    by_id = {r.id: r for r in ruleset.regions}
    for region in ruleset.regions:
        if region.tier == "upper" and region.mega_region is None:
            problems.append(
                Problem(region.source, f"upper-level region {region.id!r} needs a mega_region")
            )
        elif region.mega_region is not None and region.mega_region not in megas:
            problems.append(
                Problem(
                    region.source,
                    f"unknown mega-region {region.mega_region!r} for region {region.id!r}; "
                    f"expected one of: {', '.join(sorted(megas))}",
                )
            )
        if region.tier == "basic" and region.parent is None:
            problems.append(
                Problem(
                    region.source,
                    f"basic government {region.id!r} needs a parent (its upper-level region)",
                )
            )
        if region.tier == "upper" and region.parent is not None:
            problems.append(
                Problem(
                    region.source,
                    f"upper-level region {region.id!r} cannot "
                    f"have a parent ({region.parent!r}); set tier: basic",
                )
            )
        if region.parent is not None:
            parent = by_id.get(region.parent)
            if parent is None:
                problems.append(
                    Problem(region.source, f"unknown parent {region.parent!r} of {region.id!r}")
                )
            elif parent.tier != "upper" and region.tier == "basic":
                chain = [region.id]
                walker: Any = parent
                while walker is not None and walker.id not in chain:
                    chain.append(walker.id)
                    walker = by_id.get(walker.parent) if walker.parent else None
                circular = walker is not None
                problems.append(
                    Problem(
                        region.source,
                        (
                            f"circular parents: {' -> '.join([*chain, walker.id])}"
                            if circular
                            else f"parent {parent.id!r} of {region.id!r} is not upper-level"
                        ),
                    )
                )
    items: set[str] = set()
    for item in ruleset.items:
        if item.id in items:
            problems.append(Problem(item.source, f"item id {item.id!r} is declared twice"))
        items.add(item.id)


def _check_parameters(ruleset: Ruleset, problems: list[Problem], regions_known: bool) -> None:
    keys = set(ruleset.region_ids) | {c.value for c in RegionClass}
    for parameter in ruleset.parameters.values():
        for value in parameter.values:
            for problem in _check_value(parameter, value, ruleset, keys, regions_known):
                problems.append(Problem(value.source, problem))


def _check_value(
    parameter: Parameter,
    value: ParameterValue,
    ruleset: Ruleset,
    keys: set[str],
    regions_known: bool,
) -> list[str]:
    found: list[str] = []
    raw = value.value
    if parameter.breakdown == "scalar":
        if not isinstance(raw, Decimal):
            return ["expected one number (metadata.breakdown is scalar), got a mapping"]
        numbers = {"value": raw}
    else:
        if not isinstance(raw, dict):
            return [f"expected a mapping of {parameter.breakdown} parts to numbers, got {raw}"]
        numbers = raw
    if parameter.breakdown == "region" and regions_known:
        unknown = sorted(set(numbers) - keys)
        if unknown:
            found.append(
                f"unknown region or class {', '.join(map(repr, unknown))}; expected region ids "
                f"or classes ({', '.join(c.value for c in RegionClass)})"
            )
        missing = [
            r.id for r in ruleset.regions if r.id not in numbers and r.region_class not in numbers
        ]
        if missing:
            found.append(f"no value for region(s) {', '.join(missing)}: give their class or id")
    if parameter.breakdown == "split":
        total = sum(numbers.values(), Decimal(0))
        if total != 1:
            parts = " + ".join(f"{k} {v}" for k, v in numbers.items())
            found.append(f"split parts must sum to 1, got {parts} = {total}")
    for name, number in numbers.items():
        label = "" if name == "value" else f"{name}: "
        if parameter.unit is Unit.ratio and not (0 <= number <= 1):
            found.append(f"{label}{number} is a ratio outside [0, 1] (unit: ratio)")
        elif number < 0:
            found.append(f"{label}{number} is negative; unit {parameter.unit.value} must be >= 0")
        if parameter.unit in (Unit.krw, Unit.count) and number != number.to_integral_value():
            found.append(f"{label}{number} must be a whole number (unit {parameter.unit.value})")
    return found


def _check_rules(
    ruleset: Ruleset,
    docs: dict[str, YamlDoc],
    problems: list[Problem],
    regions_known: bool,
    items_known: bool,
    broken_parameters: set[str] | None = None,
    rules_broken: bool = False,
) -> None:
    """Cross-file checks of the rules; what a broken file already reported is not repeated."""
    broken = broken_parameters or set()
    items = {i.id: i for i in ruleset.items}
    producers: dict[str, RuleT] = {}
    for rule in ruleset.rules:
        doc = docs[rule.id]

        def at(*loc: Any, _doc: YamlDoc = doc) -> SourcePos:
            return _doc.pos(loc)

        outputs = [("item", rule.item)]
        if isinstance(rule, MatchingRule):
            outputs.append(("co_funding_item", rule.co_funding_item))
        if isinstance(rule, AdjustmentRule):
            outputs.append(("paid_item", rule.paid_item))
            for index, tax in enumerate(rule.taxes if items_known else []):
                if tax not in items:
                    problems.append(Problem(at("taxes", index), f"unknown item {tax!r}"))
        for key, item_id in outputs if items_known else []:
            item = items.get(item_id)
            if item is None:
                problems.append(
                    Problem(at(key), f"item {item_id!r} is not declared in ruleset.yaml items")
                )
                continue
            if item.from_indicator is not None or item.from_agreements is not None:
                problems.append(
                    Problem(
                        at(key),
                        f"item {item_id!r} is taken from "
                        + (
                            f"input {item.from_indicator!r}"
                            if item.from_indicator
                            else "the agreements"
                        )
                        + "; a rule cannot also compute it",
                    )
                )
            wants_obligation = key in ("co_funding_item", "paid_item")
            if (item.category is Category.obligation) != wants_obligation:
                expected = "obligation" if wants_obligation else "a revenue category"
                problems.append(
                    Problem(
                        at(key),
                        f"item {item_id!r} has category {item.category}; expected {expected}",
                    )
                )
            if item_id in producers:
                problems.append(
                    Problem(
                        at(key),
                        f"item {item_id!r} is already computed by rule {producers[item_id].id!r} "
                        f"({producers[item_id].source})",
                    )
                )
            producers[item_id] = rule
        refs: list[tuple[tuple[Any, ...], str, tuple[Unit, ...], tuple[str, ...]]] = []
        if isinstance(rule, SharingRule | EqualisationRule):
            for index, share in enumerate(rule.pool.shares):
                refs.append((("pool", "shares", index), share, (Unit.ratio,), ("scalar", "split")))
        if isinstance(rule, SharingRule):
            if rule.key.weight is not None:
                refs.append(
                    (("key", "weight"), rule.key.weight, (Unit.ratio, Unit.factor), ("region",))
                )
            classes = {c.value for c in RegionClass}
            for index, who in enumerate(
                rule.recipients if regions_known and rule.recipients else []
            ):
                if who not in classes and who not in ruleset.region_ids:
                    problems.append(
                        Problem(at("recipients", index), f"unknown region or class {who!r}")
                    )
        if isinstance(rule, EqualisationRule):
            refs.append(
                (
                    ("fiscal_gap", "revenue_counted"),
                    rule.fiscal_gap.revenue_counted,
                    (Unit.ratio,),
                    ("scalar",),
                )
            )
        if isinstance(rule, MatchingRule):
            refs.append((("rate",), rule.rate, (Unit.ratio,), ("region", "scalar")))
        if isinstance(rule, AdjustmentRule):
            refs.append((("share",), rule.share, (Unit.ratio,), ("region", "scalar")))
            if rule.key.weight is not None:
                refs.append(
                    (("key", "weight"), rule.key.weight, (Unit.ratio, Unit.factor), ("region",))
                )
        for loc, text, units, breakdowns in refs:
            ref = ruleset.resolve(text)
            if ref is None:
                if text not in broken and text.rpartition(".")[0] not in broken:
                    problems.append(Problem(at(*loc), f"unknown parameter {text!r}"))
                continue
            parameter = ref.parameter
            if parameter.unit not in units:
                problems.append(
                    Problem(
                        at(*loc),
                        f"parameter {text!r} has unit {parameter.unit.value}; expected "
                        f"{' or '.join(u.value for u in units)}",
                    )
                )
            if parameter.breakdown not in breakdowns:
                problems.append(
                    Problem(
                        at(*loc),
                        f"parameter {text!r} has breakdown {parameter.breakdown}; expected "
                        f"{' or '.join(breakdowns)}",
                    )
                )
            if parameter.breakdown == "split" and ref.part is None:
                problems.append(Problem(at(*loc), f"name a part of split parameter {text!r}"))
            if ref.part is not None:
                for value in parameter.values:
                    if isinstance(value.value, dict) and ref.part not in value.value:
                        problems.append(
                            Problem(
                                at(*loc),
                                f"split {parameter.path!r} has no part {ref.part!r} "
                                f"in its value of {value.effective} ({value.source})",
                            )
                        )
    # With a rule file that failed to load, a missing producer is already explained.
    for item in ruleset.items if not rules_broken else []:
        if (
            item.from_indicator is None
            and item.from_agreements is None
            and item.id not in producers
        ):
            problems.append(
                Problem(
                    item.source,
                    f"item {item.id!r} has no rule that computes it and no from_indicator",
                )
            )


def rule_inputs(rule: RuleT) -> list[str]:
    """Items or indicators a rule reads (the engine resolves which is which)."""
    if isinstance(rule, EqualisationRule):
        return list(rule.fiscal_gap.revenue)
    if isinstance(rule, AdjustmentRule):
        return list(rule.taxes)
    return []


def _dependency_order(ruleset: Ruleset, problems: list[Problem]) -> list[RuleT]:
    """Rules sorted so that an item is computed before any rule reads it."""
    producer = {}
    for rule in ruleset.rules:
        producer[rule.item] = rule.id
        if isinstance(rule, MatchingRule):
            producer[rule.co_funding_item] = rule.id
        if isinstance(rule, AdjustmentRule):
            producer[rule.paid_item] = rule.id
    graph = {
        rule.id: {producer[name] for name in rule_inputs(rule) if name in producer}
        for rule in ruleset.rules
    }
    by_id = {rule.id: rule for rule in ruleset.rules}
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as exc:
        cycle = exc.args[1]
        problems.append(
            Problem(
                by_id[cycle[0]].source,
                f"rules depend on each other in a cycle: {' -> '.join(cycle)}",
            )
        )
        return ruleset.rules
    # Depth first, then file order, so the order never depends on set iteration.
    position = {rule.id: index for index, rule in enumerate(ruleset.rules)}
    return sorted(ruleset.rules, key=lambda r: (_depth(r.id, graph), position[r.id]))


def _depth(rule_id: str, graph: dict[str, set[str]]) -> int:
    parents = graph[rule_id]
    return 0 if not parents else 1 + max(_depth(p, graph) for p in parents)


def check_parameter_value(
    parameter: Parameter, value: ParameterValue, ruleset: Ruleset
) -> list[str]:
    """What is wrong with one dated value of a parameter (unit, range, split, coverage)."""
    keys = set(ruleset.region_ids) | {c.value for c in RegionClass}
    return _check_value(parameter, value, ruleset, keys, regions_known=True)
