"""Checks across the files of a loaded ruleset: regions, parameters, rules, manifest.

The loader (:mod:`fiscal.rules.loader`) parses and validates each file alone; these
checks see the whole ruleset and append what is wrong to a list of problems, so one
run reports every mistake. They read no files.
"""

from __future__ import annotations

from decimal import Decimal
from graphlib import CycleError, TopologicalSorter
from typing import Any

from fiscal.errors import Problem, SourcePos
from fiscal.rules.models import (
    AdjustmentRule,
    EqualisationRule,
    MatchingRule,
    Parameter,
    ParameterValue,
    SharingRule,
)
from fiscal.rules.names import did_you_mean
from fiscal.rules.ruleset import Rule as RuleT
from fiscal.rules.ruleset import Ruleset
from fiscal.rules.types import Category, RegionClass, Unit
from fiscal.source.yaml_reader import YamlDoc


def check_manifest(ruleset: Ruleset, problems: list[Problem], items_known: bool) -> None:
    """Check ruleset.yaml against the rest: where each item's amounts come from, and that
    measures, affordability and the discount rate name items and ratio parameters that
    exist. Skipped when ruleset.yaml itself did not load (``items_known`` False)."""
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
                    Problem(
                        ruleset.manifest.source,
                        f"measures: unknown item {item_id!r}{did_you_mean(item_id, items)}",
                    )
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
                    Problem(
                        ruleset.manifest.source,
                        f"affordability: unknown item {item_id!r}{did_you_mean(item_id, items)}",
                    )
                )
        ref = ruleset.resolve(rule.limit)
        if ref is None or ref.parameter.unit is not Unit.ratio:
            problems.append(
                Problem(
                    ruleset.manifest.source,
                    f"affordability: limit {rule.limit!r} must name a ratio parameter",
                )
            )


def check_regions(ruleset: Ruleset, problems: list[Problem]) -> None:
    """Check regions.yaml: ids used once, every upper-level region in a known mega-region,
    every basic government under an upper-level parent; and item ids declared once."""
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
                    Problem(
                        region.source,
                        f"unknown parent {region.parent!r} of {region.id!r}"
                        f"{did_you_mean(region.parent, by_id)}",
                    )
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


def check_parameters(ruleset: Ruleset, problems: list[Problem], regions_known: bool) -> None:
    """Check every dated value of every parameter against its unit and breakdown (region
    keys checked only when regions.yaml loaded), at the line of the value."""
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


def check_rules(
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
            """The line of key ``loc`` in this rule's file."""
            return _doc.pos(loc)

        outputs = [("item", rule.item)]
        if isinstance(rule, MatchingRule):
            outputs.append(("co_funding_item", rule.co_funding_item))
        if isinstance(rule, AdjustmentRule):
            outputs.append(("paid_item", rule.paid_item))
            for index, tax in enumerate(rule.taxes if items_known else []):
                if tax not in items:
                    problems.append(
                        Problem(
                            at("taxes", index), f"unknown item {tax!r}{did_you_mean(tax, items)}"
                        )
                    )
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
                        Problem(
                            at("recipients", index),
                            f"unknown region or class {who!r}"
                            f"{did_you_mean(who, [*classes, *ruleset.region_ids])}",
                        )
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
                    problems.append(
                        Problem(
                            at(*loc),
                            f"unknown parameter {text!r}{did_you_mean(text, ruleset.parameters)}",
                        )
                    )
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


def dependency_order(ruleset: Ruleset, problems: list[Problem]) -> list[RuleT]:
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
        return list(ruleset.rules)
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
