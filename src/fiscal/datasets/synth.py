"""A synthetic national dataset: 17 upper-level and 226 basic governments, many years,
thousands of agreements, from a seed (same seed, same bytes).

It starts from the bundled Korean ruleset and inputs: each upper-level region keeps
part of its figures and the rest is split among its basic governments (the real counts
per region: 75 cities, 82 counties, 69 autonomous districts) by seeded random weights.
It adds the adjustment grant (조정교부금) and puts each rule at the tier it works at.
Everything is illustrative; it exists to test and measure fiscal at national scale.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np

from fiscal.engine.money import apportion
from fiscal.files.bundled import default_inputs, default_rules
from fiscal.files.yaml_writer import dump
from fiscal.source.yaml_reader import load_yaml

# (cities, counties, autonomous districts) under each upper-level region.
BASIC_COUNTS: dict[str, tuple[int, int, int]] = {
    "seoul": (0, 0, 25),
    "busan": (0, 1, 15),
    "daegu": (0, 2, 7),
    "incheon": (0, 2, 8),
    "gwangju": (0, 0, 5),
    "daejeon": (0, 0, 5),
    "ulsan": (0, 1, 4),
    "sejong": (0, 0, 0),
    "gyeonggi": (28, 3, 0),
    "gangwon": (7, 11, 0),
    "chungbuk": (3, 8, 0),
    "chungnam": (8, 7, 0),
    "jeonbuk": (6, 8, 0),
    "jeonnam": (5, 17, 0),
    "gyeongbuk": (10, 12, 0),
    "gyeongnam": (8, 10, 0),
    "jeju": (0, 0, 0),
}
KINDS = (
    ("city", "city", "시"),
    ("county", "county", "군"),
    ("district", "autonomous_district", "구"),
)
# Share of each upper-level region's figures that stays with the upper-level government.
UPPER_SHARE = Fraction(2, 5)
HEADER = "Synthetic national dataset made by `fiscal synth`: illustrative, not real figures."


def synthesize(
    out: Path, seed: int = 1, years: int = 30, agreements: int = 5000
) -> tuple[Path, Path]:
    """Write ``out/rules`` and ``out/inputs``; return their paths."""
    rng = np.random.default_rng(seed)
    rules, inputs = out / "rules", out / "inputs"
    top = default_rules()

    def bundled_agreements(folder: str, names: list[str]) -> list[str]:
        """Leave out the bundled agreements: the synthetic set writes its own."""
        return ["agreements"] if Path(folder) == top else []

    shutil.copytree(top, rules, ignore=bundled_agreements)
    (rules / "agreements").mkdir()
    (inputs / "regional").mkdir(parents=True)
    regions, basic = _regions(rules)
    _rules(rules)
    first = 2025
    span = list(range(first, first + years))
    _inputs(inputs, regions, basic, span, rng)
    _agreements(rules / "agreements", regions, basic, span, agreements, rng)
    return rules, inputs


def _write(path: Path, data: Any) -> None:
    path.write_text(dump(data, header=HEADER), encoding="utf-8")


def _read(path: Path) -> Any:
    doc, problems = load_yaml(path)
    assert doc is not None, problems
    return doc.data


def _regions(rules: Path) -> tuple[list[dict[str, Any]], dict[str, list[str]]]:
    data = _read(rules / "regions.yaml")
    upper = data["regions"]
    basic: dict[str, list[str]] = {}
    rows = []
    for region in upper:
        rows.append(region)
        counts = BASIC_COUNTS[region["id"]]
        basic[region["id"]] = []
        for (kind, legal, ko), count in zip(KINDS, counts, strict=True):
            for n in range(1, count + 1):
                gid = f"{region['id']}-{kind}-{n:02d}"
                basic[region["id"]].append(gid)
                rows.append(
                    {
                        "id": gid,
                        "name": {
                            "en": f"{region['name']['en']} {kind} {n}",
                            "ko": f"{region['name']['ko'][:2]} {ko}{n}",
                        },
                        "class": kind,
                        "legal_type": legal,
                        "tier": "basic",
                        "parent": region["id"],
                    }
                )
    data["regions"] = rows
    data["description"] = "17 upper-level and 226 basic governments (synthetic names)."
    _write(rules / "regions.yaml", data)
    return rows, basic


def _rules(rules: Path) -> None:
    manifest = _read(rules / "ruleset.yaml")
    manifest["items"] += [
        {
            "id": "adjustment_grant",
            "label": {"en": "Adjustment grant received", "ko": "조정교부금"},
            "category": "general_grant",
            "inter_tier": True,
        },
        {
            "id": "adjustment_grant_paid",
            "label": {"en": "Adjustment grant paid", "ko": "조정교부금 지급"},
            "category": "obligation",
            "inter_tier": True,
        },
    ]
    _write(rules / "ruleset.yaml", manifest)
    tiers = {
        "local_consumption_tax": ("sharing", "upper"),
        "fire_safety_grant": ("transfers", "upper"),
        "real_estate_grant": ("transfers", "basic"),
    }
    for name, (folder, tier) in tiers.items():
        rule = _read(rules / folder / f"{name}.yaml")
        rule["tier"] = tier
        _write(rules / folder / f"{name}.yaml", rule)
    _write(
        rules / "transfers" / "adjustment_grant.yaml",
        {
            "id": "adjustment_grant",
            "kind": "adjustment",
            "item": "adjustment_grant",
            "paid_item": "adjustment_grant_paid",
            "title": "Adjustment grant (조정교부금)",
            "reference": "Local Finance Act art. 29 (시·군 조정교부금), art. 29-2 (자치구)",
            "status": "illustrative",
            "taxes": ["local_tax"],
            "share": "adjustment_grant.rate",
            "key": {"indicator": "population"},
        },
    )
    (rules / "parameters" / "adjustment_grant").mkdir()
    _write(
        rules / "parameters" / "adjustment_grant" / "rate.yaml",
        {
            "description": "Share of the upper-level region's taxes paid to its basic governments",
            "metadata": {
                "unit": "ratio",
                "breakdown": "region",
                "status": "illustrative",
                "reference": "Local Finance Act art. 29: 27% (47% with cities of 500k+) "
                "for provinces; 22-23% for metropolitan cities (ordinances)",
            },
            "values": {
                "2014-01-01": {
                    "value": {
                        "capital": Decimal("0.22"),
                        "metropolitan": Decimal("0.22"),
                        "province": Decimal("0.27"),
                        "special": Decimal("0.27"),
                        "city": Decimal(0),
                        "county": Decimal(0),
                        "district": Decimal(0),
                    }
                }
            },
        },
    )
    for name, extra in (
        ("local_consumption_tax/class_weight", 3),
        ("national_subsidy/rate", Decimal("0.6")),
    ):
        path = rules / "parameters" / f"{name}.yaml"
        data = _read(path)
        for entry in data["values"].values():
            for kind in ("city", "county", "district"):
                entry["value"][kind] = extra
        _write(path, data)


def _inputs(
    inputs: Path,
    regions: list[dict[str, Any]],
    basic: dict[str, list[str]],
    span: list[int],
    rng: np.random.Generator,
) -> None:
    from fiscal.rules.input_files import load_inputs
    from fiscal.rules.inputs import extend

    bundled = load_inputs(default_inputs())
    national = _read(default_inputs() / "national.yaml")
    for series in national["series"].values():
        given = {int(y): int(v) for y, v in series["values"].items()}
        grown, _ = extend(given, Decimal(series["growth"]), span)
        assert grown is not None
        series["values"] = dict(zip(span, grown, strict=True))
    national["description"] = f"Synthetic national forecast {span[0]}-{span[-1]}."
    _write(inputs / "national.yaml", national)
    weights = {
        parent: rng.dirichlet(np.ones(len(kids)) * 2.0) if kids else np.zeros(0)
        for parent, kids in basic.items()
    }
    for name, indicator in bundled.regional.items():
        values: dict[str, dict[int, int]] = {}
        for parent, kids in basic.items():
            series, _ = extend(indicator.values[parent], indicator.growth, span)
            assert series is not None
            whole = np.asarray(series, dtype=np.int64)
            keep = UPPER_SHARE if kids and name != "population" else Fraction(1)
            upper = np.asarray([round(Fraction(int(v)) * keep) for v in whole], dtype=np.int64)
            values[parent] = dict(zip(span, upper.tolist(), strict=True))
            if kids:
                rest = whole - upper if name != "population" else whole
                parts = apportion(rest, np.repeat(weights[parent][:, None], len(span), axis=1))
                for k, kid in enumerate(kids):
                    values[kid] = dict(zip(span, parts[k].tolist(), strict=True))
        data = {
            "label": {"en": indicator.label.en, "ko": indicator.label.ko},
            "unit": indicator.unit.value,
            "status": "illustrative",
            "source": "fiscal synth: the bundled figure split between tiers by seeded weights",
            "growth": indicator.growth,
            "values": {r["id"]: values[r["id"]] for r in regions},
        }
        _write(inputs / "regional" / f"{name}.yaml", data)


def _agreements(
    folder: Path,
    regions: list[dict[str, Any]],
    basic: dict[str, list[str]],
    span: list[int],
    count: int,
    rng: np.random.Generator,
) -> None:
    ids = [r["id"] for r in regions]
    ministries = ["molit", "mois", "motie", "mcst", "msit", "mafra", "mof", "me"]
    for n in range(count):
        parties_n = int(rng.integers(1, 4))
        chosen = [ids[i] for i in rng.choice(len(ids), size=parties_n, replace=False)]
        ministry = [
            ministries[i]
            for i in rng.choice(len(ministries), size=int(rng.integers(1, 3)), replace=False)
        ]
        # At least one start year, so the --years 3 the command allows works too.
        start = int(rng.integers(span[0], max(span[0] + 1, span[-1] - 2)))
        length = int(rng.integers(3, 6))
        end = min(span[-1], start + length - 1)
        central = Decimal(int(rng.integers(50, 61))) / 100
        shares: dict[str, Decimal] = {}
        central_parts = np.array(apportion(int(central * 100), np.ones(len(ministry))))
        for m, part in zip(ministry, central_parts.tolist(), strict=True):
            shares[m] = Decimal(part) / 100
        local = 100 - int(central * 100)
        local_parts = apportion(local, rng.integers(1, 10, size=len(chosen)).astype(np.int64))
        for g, part in zip(chosen, local_parts.tolist(), strict=True):
            shares[g] = Decimal(part) / 100
        project: dict[str, Any] = {
            "id": "project",
            "title": f"Synthetic project {n}",
            "total_krw": int(rng.integers(5, 500)) * 10**9,
            "years": [start, end],
            "shares": shares,
        }
        if rng.random() < 0.1:
            project["indexation"] = {
                "parameter": "agreements.construction_cost_index",
                "base_year": start,
            }
        if rng.random() < 0.05:
            project["central_cap_krw"] = int(project["total_krw"] * float(central) * 0.9)
        agreement: dict[str, Any] = {
            "id": f"synth-{n:05d}",
            "title": f"Synthetic agreement {n}",
            "status": "signed",
            "signed": f"{start - 1}-12-01",
            "reference": "synthetic",
            "evidence": "illustrative",
            "parties": [{"id": m, "kind": "ministry"} for m in ministry]
            + [{"id": g, "kind": "region"} for g in chosen],
            "projects": [project],
        }
        if rng.random() < 0.1 and end > start:
            agreement["status"] = "amended"
            agreement["amendments"] = [
                {
                    "effective": f"{start + 1}-01-01",
                    "reference": "synthetic amendment",
                    "projects": {"project": {"total_krw": project["total_krw"] + 10**9}},
                }
            ]
        elif rng.random() < 0.05 and end > start:
            agreement["status"] = "terminated"
            agreement["terminated"] = f"{start + 1}-06-30"
        _write(folder / f"synth-{n:05d}.yaml", agreement)
