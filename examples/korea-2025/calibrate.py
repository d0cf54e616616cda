"""Rebuild the bundled Korean example inputs from published national totals.

Run ``python examples/korea-2025/calibrate.py`` to regenerate ``national.yaml`` and
``regional/*.yaml``. Published figures (FACTS.md) are used where they exist; every
other figure is an illustrative split of a published national total, made with the
per-capita indexes below, and the files say so (``status: illustrative``). The
script is deterministic: the same code writes the same bytes.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np

from fiscal.engine.money import apportion
from fiscal.files.yaml_writer import dump

HERE = Path(__file__).resolve().parent
YEARS = list(range(2025, 2031))
TRN = 10**12

REGIONS = [
    "seoul",
    "busan",
    "daegu",
    "incheon",
    "gwangju",
    "daejeon",
    "ulsan",
    "sejong",
    "gyeonggi",
    "gangwon",
    "chungbuk",
    "chungnam",
    "jeonbuk",
    "jeonnam",
    "gyeongbuk",
    "gyeongnam",
    "jeju",
]
CLASS = {
    "seoul": "capital",
    "incheon": "capital",
    "gyeonggi": "capital",
    "busan": "metropolitan",
    "daegu": "metropolitan",
    "gwangju": "metropolitan",
    "daejeon": "metropolitan",
    "ulsan": "metropolitan",
    "chungbuk": "province",
    "chungnam": "province",
    "jeonnam": "province",
    "gyeongbuk": "province",
    "gyeongnam": "province",
    "sejong": "special",
    "gangwon": "special",
    "jeonbuk": "special",
    "jeju": "special",
}

# Resident registration, end of 2024 (MOIS): four published, the rest illustrative guesses
# scaled so that the 17 add up to the published national total 51,217,221.
POPULATION_PUBLISHED = {
    "seoul": 9_331_828,
    "busan": 3_266_598,
    "incheon": 3_021_010,
    "gyeonggi": 13_694_685,
}
POPULATION_GUESS = {
    "daegu": 2_365_000,
    "gwangju": 1_402_000,
    "daejeon": 1_440_000,
    "ulsan": 1_098_000,
    "sejong": 391_000,
    "gangwon": 1_517_000,
    "chungbuk": 1_591_000,
    "chungnam": 2_134_000,
    "jeonbuk": 1_737_000,
    "jeonnam": 1_789_000,
    "gyeongbuk": 2_541_000,
    "gyeongnam": 3_233_000,
    "jeju": 670_000,
}
POPULATION_NATIONAL = 51_217_221
POPULATION_TREND = {
    "sejong": 0.015,
    "gyeonggi": 0.003,
    "incheon": 0.003,
    "chungnam": 0.001,
    "jeju": 0.0,
    "seoul": -0.005,
}
POPULATION_TREND_DEFAULT = -0.006

# Local tax by region, 2023, million won, region plus its municipalities (lofin365 via
# JUKimHI/streamlit_-4); used only as the key that splits the 2025 national total.
LOCAL_TAX_2023 = {
    "seoul": 26_306_961,
    "busan": 6_573_346,
    "daegu": 4_186_197,
    "incheon": 5_905_493,
    "gwangju": 2_442_204,
    "daejeon": 2_465_188,
    "ulsan": 2_484_893,
    "sejong": 776_430,
    "gyeonggi": 28_644_318,
    "gangwon": 3_075_735,
    "chungbuk": 3_403_132,
    "chungnam": 5_196_407,
    "jeonbuk": 3_299_782,
    "jeonnam": 4_088_712,
    "gyeongbuk": 5_316_604,
    "gyeongnam": 6_426_449,
    "jeju": 1_869_048,
}

CONSUMPTION_PER_CAPITA = {
    "seoul": 1.30,
    "gyeonggi": 1.00,
    "incheon": 0.90,
    "busan": 0.95,
    "daegu": 0.90,
    "gwangju": 0.92,
    "daejeon": 0.95,
    "ulsan": 0.98,
    "sejong": 0.95,
    "gangwon": 0.85,
    "chungbuk": 0.85,
    "chungnam": 0.85,
    "jeonbuk": 0.83,
    "jeonnam": 0.80,
    "gyeongbuk": 0.83,
    "gyeongnam": 0.87,
    "jeju": 0.95,
}
SUBSIDY_COST_PER_CAPITA = {"capital": 0.8, "metropolitan": 1.0, "province": 1.6, "special": 1.5}
SUBSIDY_RATE = {"capital": 0.5, "metropolitan": 0.6, "province": 0.7, "special": 0.7}
GRANT_PER_CAPITA = {
    "seoul": 0.0,
    "incheon": 0.5,
    "gyeonggi": 0.35,
    "busan": 0.9,
    "daegu": 1.0,
    "gwangju": 1.1,
    "daejeon": 0.9,
    "ulsan": 0.6,
    "sejong": 1.2,
    "gangwon": 3.2,
    "chungbuk": 2.4,
    "chungnam": 2.0,
    "jeonbuk": 2.8,
    "jeonnam": 3.2,
    "gyeongbuk": 2.8,
    "gyeongnam": 1.8,
    "jeju": 3.0,
}
LCT_WEIGHT = {"capital": 1, "metropolitan": 2, "province": 3, "special": 3}


def split(total: int, weights: dict[str, float]) -> dict[str, int]:
    """A national total divided to the won by weights, with fiscal's own apportionment."""
    parts = apportion(total, np.asarray([weights[r] for r in REGIONS], dtype=np.float64))
    return dict(zip(REGIONS, (int(p) for p in parts), strict=True))


def grow(base: int, rate: float, years: list[int] = YEARS) -> dict[int, int]:
    factor = Fraction(Decimal(str(rate))) + 1
    return {y: round(Fraction(base) * factor ** (y - years[0])) for y in years}


def national_series() -> dict[str, object]:
    def series(
        label_en: str,
        label_ko: str,
        base: int,
        rate: float,
        source: str,
        status: str = "illustrative",
        note: str | None = None,
    ) -> dict[str, object]:
        entry: dict[str, object] = {
            "label": {"en": label_en, "ko": label_ko},
            "unit": "krw",
            "status": status,
            "source": source,
        }
        if note:
            entry["note"] = note
        entry["growth"] = Decimal(str(rate))
        entry["values"] = grow(base, rate)
        return entry

    return {
        "description": "National forecast for the Korean example, won per year (2025-2030).",
        "series": {
            "vat_base": series(
                "VAT base before the local consumption tax split",
                "부가가치세 총액(지방소비세 포함)",
                105_500 * 10**9,
                0.035,
                "Calibrated so that 25.3% of it is the 2025 local consumption tax budget, "
                "26.7 trn (munhwa.com 11493807); grown 3.5% a year",
                note="The national VAT of the tax statistics is net of the local share: "
                "FACTS.md 11.9 (unresolved gap between the two).",
            ),
            "internal_tax": series(
                "Internal national taxes",
                "내국세",
                348_400 * 10**9,
                0.03,
                "Derived: the 2025 local shared tax proposal 67.04 trn (MOIS 2024-09-05) / 19.24%; "
                "internal-tax totals are UNCONFIRMED; grown 3% a year",
            ),
            "national_tax_gross": series(
                "National taxes before the local consumption tax carve-out",
                "국세(지방소비세 이양분 포함)",
                409_100 * 10**9,
                0.03,
                "2025 national tax budget 382.4 trn (etoday 2394473) plus the 26.7 trn local "
                "consumption tax carved out of VAT; grown 3% a year",
                note="The national:local tax ratio nets out the local consumption tax in force.",
            ),
            "comprehensive_real_estate_tax": series(
                "Comprehensive real-estate tax",
                "종합부동산세",
                4_000 * 10**9,
                0.025,
                "Illustrative; about 4 trn won a year",
            ),
            "tobacco_consumption_tax": series(
                "Individual consumption tax on tobacco",
                "담배 개별소비세",
                1_750 * 10**9,
                -0.005,
                "Illustrative; about 1.75 trn won a year, slowly falling",
            ),
        },
    }


def regional() -> dict[str, dict[str, object]]:
    guesses = split(
        POPULATION_NATIONAL - sum(POPULATION_PUBLISHED.values()),
        POPULATION_GUESS | {r: 0.0 for r in POPULATION_PUBLISHED},
    )
    pop2025 = {r: POPULATION_PUBLISHED.get(r, guesses[r]) for r in REGIONS}
    population = {
        r: grow(pop2025[r], POPULATION_TREND.get(r, POPULATION_TREND_DEFAULT)) for r in REGIONS
    }
    consumption = split(
        1_260_000 * 10**9, {r: pop2025[r] * CONSUMPTION_PER_CAPITA[r] for r in REGIONS}
    )
    local_tax = split(88_400 * 10**9, {r: float(LOCAL_TAX_2023[r]) for r in REGIONS})
    non_tax = split(
        30_600 * 10**9,
        {
            r: pop2025[r] * (1.3 if r == "seoul" else 1.1 if CLASS[r] == "capital" else 0.9)
            for r in REGIONS
        },
    )
    other = split(29_500 * 10**9, {r: float(pop2025[r]) for r in REGIONS})
    cost_weight = {
        r: pop2025[r] * (0.9 if r == "sejong" else SUBSIDY_COST_PER_CAPITA[CLASS[r]])
        for r in REGIONS
    }
    blended = sum(cost_weight[r] * SUBSIDY_RATE[CLASS[r]] for r in REGIONS) / sum(
        cost_weight.values()
    )
    cost = split(round(89_200 * 10**9 / blended), cost_weight)
    lct_key = {
        r: consumption[r] * LCT_WEIGHT[CLASS[r]] * (2 / 3 if r == "sejong" else 1) for r in REGIONS
    }
    lct = split(26_700 * 10**9, lct_key)
    ordinary_pool = 348_400 * 10**9 * 0.1924 * 0.97
    grant = split(round(ordinary_pool), {r: pop2025[r] * GRANT_PER_CAPITA[r] for r in REGIONS})
    need = {}
    for r in REGIONS:
        counted = 0.8 * (local_tax[r] + lct[r])
        need[r] = round(counted * 0.85) if r == "seoul" else round(counted + grant[r] / 0.9)

    def indicator(
        en: str,
        ko: str,
        unit: str,
        source: str,
        base: dict[str, int],
        rate: float,
        note: str | None = None,
    ) -> dict[str, object]:
        entry: dict[str, object] = {
            "label": {"en": en, "ko": ko},
            "unit": unit,
            "status": "illustrative",
            "source": source,
        }
        if note:
            entry["note"] = note
        entry["growth"] = Decimal(str(rate))
        entry["values"] = {r: grow(base[r], rate) for r in REGIONS}
        return entry

    pop_entry = indicator(
        "Resident population",
        "주민등록인구",
        "count",
        "MOIS resident registration, end of 2024 (ZDNet Korea, ksmnews): Seoul, Busan, Incheon "
        "and Gyeonggi published; the other 13 illustrative, scaled to the national 51,217,221",
        pop2025,
        POPULATION_TREND_DEFAULT,
        note="2025 is the end-2024 count; later years follow illustrative regional trends.",
    )
    pop_entry["values"] = population
    return {
        "population": pop_entry,
        "private_consumption": indicator(
            "Private final consumption expenditure",
            "민간최종소비지출",
            "krw",
            "Illustrative: 1,260 trn won national (2025) split by population x a per-capita "
            "index; the source would be KOSIS DT_1C93",
            consumption,
            0.035,
        ),
        "local_tax": indicator(
            "Local taxes other than local consumption tax",
            "지방세(지방소비세 제외)",
            "krw",
            "Illustrative: 2025 local tax 115.1 trn less local consumption tax 26.7 trn (MOIS "
            "2025 local budgets) split by each region's 2023 local tax (lofin365)",
            local_tax,
            0.03,
        ),
        "non_tax_revenue": indicator(
            "Non-tax revenue",
            "세외수입",
            "krw",
            "Illustrative: 30.6 trn (MOIS 2025 local budgets) split by population",
            non_tax,
            0.02,
        ),
        "other_revenue": indicator(
            "Carry-overs, bonds and other financing",
            "보전수입 등 및 지방채",
            "krw",
            "Illustrative: 23.6 + 5.9 trn (MOIS 2025 local budgets) split by population",
            other,
            0.0,
        ),
        "subsidised_programme_cost": indicator(
            "Cost of nationally subsidised programmes",
            "국고보조사업 총사업비",
            "krw",
            "Illustrative: sized so that subsidies total 89.2 trn in 2025 (MOIS 2025 local "
            "budgets) at the bundled rates; split by population x a class index",
            cost,
            0.04,
        ),
        "basic_fiscal_need": indicator(
            "Basic fiscal need",
            "기준재정수요액",
            "krw",
            "Illustrative: counted revenue plus a gap sized so the 2025 ordinary grant "
            "(65.0 trn) is paid at an adjustment rate near 0.9; Seoul has no gap (불교부)",
            need,
            0.035,
        ),
    }


def main() -> None:
    header = "Generated by examples/korea-2025/calibrate.py: edit the script, not this file."
    (HERE / "national.yaml").write_text(dump(national_series(), header=header), encoding="utf-8")
    for name, entry in regional().items():
        text = dump(entry, header=header)
        (HERE / "regional" / f"{name}.yaml").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
