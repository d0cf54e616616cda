"""How one figure was made: formula, inputs, parameters and the apportionment step.

``explain`` reads a finished projection (and the rules and inputs behind it) and lays
out, for one region, year and item, every number that led to the amount, each with
the file:line it comes from, down to the national bases. The result is plain data
(JSON-ready); the CLI renders it.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from fiscal.engine.projection import Projection
from fiscal.errors import Problem, SourcePos, UserError
from fiscal.report.provenance import PortableNames
from fiscal.rules.inputs import Inputs
from fiscal.rules.names import Names, item_names, region_names
from fiscal.rules.ruleset import Ruleset
from fiscal.rules.scenarios import ChangedPos


def explain(
    projection: Projection, ruleset: Ruleset, inputs: Inputs, region: str, year: int, item: str
) -> dict[str, Any]:
    """How one amount was made: the rule, formula, inputs, parameters and steps, with file:line.

    For one region, year and budget item of a projection: for a shared tax (지방소비세) the
    pool, key and apportionment; for the ordinary grant (보통교부세) the fiscal gap and the
    조정률. Unknown region, year or item are reported together as a :class:`UserError`.
    """
    problems = []
    typed = {"region": region, "item": item}
    # A region or item may be named as people name it (서울, Seoul, 지방소비세).
    regions = Names(
        "region", (k for k in region_names(ruleset).known if k.id in projection.region_ids)
    )
    items = Names("item", (k for k in item_names(ruleset).known if k.id in projection.amounts))
    found_region, found_item = regions.resolve(region), items.resolve(item)
    if found_region.known is None:
        problems.append(str(found_region.problem))
    else:
        region = found_region.known.id
    if year not in projection.years:
        problems.append(
            f"year {year} is outside the projection {projection.years[0]}-{projection.years[-1]}"
        )
    if found_item.known is None:
        problems.append(str(found_item.problem))
    else:
        item = found_item.known.id
    if problems:
        raise UserError([Problem(SourcePos("explain"), p) for p in problems])
    r, y = projection.region_ids.index(region), projection.years.index(year)
    trace = projection.traces[item]
    region_def = projection.regions[r]
    item_def = ruleset.item(item)
    amount = int(projection.amounts[item][r, y])
    out: dict[str, Any] = {
        "scenario": projection.scenario,
        "region": {"id": region, "en": region_def.name.en, "ko": region_def.name.ko},
        "year": year,
        "item": {
            "id": item,
            "en": item_def.label.en,
            "ko": item_def.label.ko,
            "category": item_def.category.value,
        },
        "amount_krw": amount,
        "rule": {"id": trace.rule, "kind": trace.kind, "source": str(trace.source_for(r))},
        "formula": trace.formula,
        "inputs": [],
        "parameters": _parameters(projection, trace.rule, trace.parameters, year),
        "steps": [],
        "national_bases": [],
        # What a name typed differently from the id was read as, for the CLI to say.
        "resolved": {
            what: known.shown
            for what, known in (("region", found_region.known), ("item", found_item.known))
            if known is not None and typed[what] != known.id
        },
    }
    details = trace.details
    if trace.kind == "input":
        out["inputs"].append(_regional_input(inputs, trace.inputs[0], region, year, amount))
    elif trace.kind == "sharing":
        pool = next(p for p in projection.pools if p.item == item)
        out["national_bases"].append(_national(inputs, pool.base_series, year, int(pool.base[y])))
        out["inputs"].append(
            _regional_input(inputs, trace.inputs[1], region, year, int(details["indicator"][r, y]))
        )
        key = details["key"][:, y]
        out["steps"] = [
            _step(
                "pool = base x share",
                int(pool.pool[y]),
                f"{int(pool.base[y]):,} x {_decimal(pool.share[y])} rounded half to even",
            ),
            _step("weight of the region", _weight(details, r, y), "class or region weight"),
            _step(
                "key of the region = indicator x weight", exact_number(Fraction(int(key[r]))), ""
            ),
            _step("sum of the keys of all regions", exact_number(Fraction(int(key.sum()))), ""),
            *_apportion_steps(int(pool.pool[y]), key, r, amount),
        ]
    elif trace.kind == "equalisation":
        pool = next(p for p in projection.pools if p.item == item)
        out["national_bases"].append(_national(inputs, pool.base_series, year, int(pool.base[y])))
        gap = details["gap"][:, y]
        positive = np.maximum(gap, 0)
        total_gap = int(positive.sum())
        rate = Fraction(min(int(pool.pool[y]), total_gap), total_gap) if total_gap > 0 else None
        out["steps"] = [
            _step(
                "pool = base x shares",
                int(pool.pool[y]),
                f"{int(pool.base[y]):,} x {_decimal(pool.share[y])} rounded half to even",
            ),
            _step("basic fiscal need", int(details["need"][r, y]), ""),
            _step("revenue base (sum of the revenue items)", int(details["revenue"][r, y]), ""),
            _step(
                "basic fiscal revenue = counted share x revenue base",
                int(details["counted"][r, y]),
                "rounded half to even",
            ),
            _step("fiscal gap = need - counted revenue", int(gap[r]), "no grant when not positive"),
            _step("total positive gap of all regions", int(positive.sum()), ""),
            _step(
                "adjustment rate = pool / total gap (at most 1)",
                exact_or_whole(rate) if rate is not None else 0,
                "" if rate is not None else "no region has a gap: no rate",
            ),
            *_apportion_steps(
                int(pool.pool[y]),
                [int(g) for g in positive.tolist()],
                r,
                amount,
                cap=int(positive[r]),
            ),
        ]
        for name in trace.inputs[1:]:
            if name in inputs.regional:
                out["inputs"].append(
                    _regional_input(
                        inputs, name, region, year, _value_of(projection, inputs, name, r, y)
                    )
                )
            elif name in projection.amounts:
                out["inputs"].append(
                    {
                        "name": name,
                        "value": int(projection.amounts[name][r, y]),
                        "source": str(projection.traces[name].source_for(r)),
                        "note": f"computed by {projection.traces[name].rule}: "
                        f"fiscal explain {region} {year} {name}",
                    }
                )
    elif trace.kind in ("matching", "co_funding"):
        cost = int(details["cost"][r, y])
        out["inputs"].append(_regional_input(inputs, trace.inputs[0], region, year, cost))
        grid = details.get("rate_grid")
        shown_rate: Any = (
            exact_or_whole(grid.at(r, y)) if grid is not None else float(details["rate"][r, y])
        )
        subsidy = amount if trace.kind == "matching" else cost - amount
        out["steps"] = [
            _step("programme cost", cost, ""),
            _step("national rate", shown_rate, ""),
            _step("national subsidy = cost x rate", subsidy, "rounded half to even"),
            _step("co-funding = cost - subsidy", cost - subsidy, ""),
        ]
    elif trace.kind == "agreement":
        flows = projection.agreement_flows.flows_at(item, r, y)
        out["steps"] = [
            _step(
                f"{f.agreement} / {f.project}: {f.flow.replace('_', ' ')}", f.amount, str(f.source)
            )
            for f in flows
        ]
        out["steps"].append(_step("sum over signed agreements", amount, ""))
    # File:line named from the folder of the rules and inputs, as the workbook names them.
    named: dict[str, Any] = _portable(out, PortableNames(ruleset.root, inputs.root))
    return named


def _portable(value: Any, names: PortableNames) -> Any:
    """``value`` with every ``source`` (and file:line ``note``) named by ``names``."""
    if isinstance(value, dict):
        return {
            k: names(v) if k == "source" and isinstance(v, str) else _portable(v, names)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_portable(v, names) for v in value]
    return value


def _weight(details: dict[str, Any], r: int, y: int) -> int | dict[str, Any]:
    """The region's weight as the rules write it (0 for a region outside the recipients)."""
    grid = details.get("weight_grid")
    if grid is None:
        return int(details["weight"][r, y])
    inside = bool(details["recipients"][r]) if "recipients" in details else True
    return exact_or_whole(grid.at(r, y) if inside else Fraction(0))


def _value_of(projection: Projection, inputs: Inputs, name: str, r: int, y: int) -> int:
    from fiscal.rules.inputs import regional_array

    array, _ = regional_array(inputs, name, projection.region_ids, projection.years)
    return int(array[r, y]) if array is not None else 0


def _step(what: str, value: int | float | dict[str, Any], note: str) -> dict[str, Any]:
    return {"step": what, "value": value, "note": note}


PLACES = 6  # decimals shown of a figure that is not whole won


def exact_number(value: Fraction, places: int = PLACES) -> dict[str, Any]:
    """A fraction as people read it: a decimal correctly rounded from the exact value.

    ``decimal`` holds ``places`` decimals rounded half to even from the fraction itself
    (never through a float: a quota of 4,789,958,175,227.267769... read 0.000191 too
    low as a float), or fewer when the fraction ends sooner; ``exact`` says whether the
    decimal is the value itself, and ``numerator``/``denominator`` give it whole.
    """
    scaled = value * 10**places
    rounded = round(scaled)  # Fraction rounds half to even, exactly
    sign = "-" if rounded < 0 else ""
    whole, fraction = divmod(abs(rounded), 10**places)
    digits = f"{fraction:0{places}d}".rstrip("0") if places else ""
    exact = Fraction(rounded, 10**places) == value
    text = f"{sign}{whole}" + (f".{digits}" if digits else "")
    return {
        "decimal": text,
        "exact": exact,
        "numerator": value.numerator,
        "denominator": value.denominator,
    }


def exact_or_whole(value: Fraction) -> int | dict[str, Any]:
    """A whole number as itself, any other fraction as :func:`exact_number` shows it."""
    return value.numerator if value.denominator == 1 else exact_number(value)


def number_text(value: int | float | dict[str, Any]) -> str:
    """A step's value for the terminal: won with thousands separators, decimals exact
    or marked ``≈`` when rounded from the exact fraction."""
    if isinstance(value, dict):
        whole, _, decimals = value["decimal"].partition(".")
        sign = "-" if whole.startswith("-") else ""
        text = f"{sign}{int(whole.lstrip('-')):,}" + (f".{decimals}" if decimals else "")
        return text if value["exact"] else f"≈{text}"
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.6f}"


def _decimal(fraction: Fraction) -> str:
    text = f"{float(fraction):.10f}".rstrip("0").rstrip(".")
    return text if Fraction(text) == fraction else f"{fraction.numerator}/{fraction.denominator}"


def _apportion_steps(
    pool: int, key: Any, r: int, amount: int, cap: int | None = None
) -> list[dict[str, Any]]:
    weights = [int(k) for k in key]
    total = sum(weights)
    quota = Fraction(pool * weights[r], total) if total else Fraction(0)
    floor = quota.numerator // quota.denominator
    steps = [
        _step("quota = pool x key / sum of keys", exact_or_whole(quota), ""),
        _step("whole won of the quota (floor)", floor, ""),
        _step(
            "won added by largest remainder",
            amount - floor,
            "leftover won go to the largest remainders; ties to the region listed first",
        ),
    ]
    if cap is not None:
        steps.append(_step("never above the fiscal gap", cap, "cap"))
    return steps


def _parameters(
    projection: Projection, rule: str, refs: tuple[str, ...], year: int
) -> list[dict[str, Any]]:
    found = []
    for use in projection.parameter_uses:
        if use.ref in refs and rule in use.rules and year in use.years:
            value = use.value.value
            shown: Any = (
                {k: float(v) for k, v in value.items()} if isinstance(value, dict) else float(value)
            )
            # The decimal as written in the rules (or scenario): the terminal shows it, not
            # a float's rounding of it.
            exact: Any = (
                {k: str(v) for k, v in value.items()} if isinstance(value, dict) else str(value)
            )
            found.append(
                {
                    "path": use.ref,
                    "value": shown,
                    "exact": exact,
                    "effective": use.value.effective.isoformat(),
                    "unit": use.parameter.unit.value,
                    "status": use.value.status.value,
                    "reference": use.value.reference or use.parameter.reference,
                    "source": str(use.value.source),
                }
            )
    return found


def _regional_input(
    inputs: Inputs, name: str, region: str, year: int, value: int
) -> dict[str, Any]:
    indicator = inputs.regional.get(name)
    if indicator is None:
        return {"name": name, "value": value, "source": "", "note": ""}
    given = indicator.values.get(region, {})
    cited = indicator.sources.get(region, indicator.source)
    if isinstance(cited, ChangedPos) and year not in cited.years:
        cited = cited.original  # the scenario changed other years of this region
    if isinstance(cited, ChangedPos):
        note = f"changed by the scenario for {year}"
    elif year in given:
        note = f"given for {year}"
    else:
        last = max(given)
        note = f"grown from {last} at {float(indicator.growth or 0):.2%} a year"
    return {
        "name": name,
        "value": value,
        "unit": indicator.unit.value,
        "status": indicator.status.value,
        "source": str(cited),
        "note": note,
    }


def _national(inputs: Inputs, series_name: str, year: int, value: int) -> dict[str, Any]:
    series = inputs.national.get(series_name.removeprefix("national."))
    if series is None:
        return {"series": series_name, "value": value, "source": "", "note": ""}
    if year in series.sources:
        source, note = series.sources[year], f"given for {year}"
        if isinstance(source, ChangedPos):
            was = f" (was {source.was[0]:,})" if source.was else ""
            note = f"changed by the scenario for {year}{was}"
    else:
        last = max(series.values)
        source = series.sources[last]
        note = f"grown from {last} at {float(series.growth or 0):.2%} a year"
    return {
        "series": series_name,
        "value": value,
        "source": str(source),
        "status": series.status.value,
        "note": note,
    }
