"""The names people read above the ids programs read: a workbook's label row.

Every column of a summary sheet has a snake_case id (``independence_ratio``) that
``fiscal verify``, pandas and the docs read, and a label a budget officer reads, in
Korean and English (``재정자립도 / Independence ratio``). A money column's label says its
unit (``총수입 / Total revenue (million won / 백만원)``): the cell holds exact whole won
and the number format decides what is shown.

The Ledger keeps its single id row: it is the table programs read row by row.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from fiscal.report.table import UNIT_LABELS, Table, Unit
from fiscal.rules.models import ItemDef

# Korean / English, as the Ministry of the Interior and Safety's budget tables name them.
LABELS: dict[str, str] = {
    "year": "연도 / Year",
    "region": "지역 / Region",
    "region_ko": "지역명 / Region (Korean)",
    "region_en": "지역명 / Region (English)",
    "mega_region": "권역 / Mega-region",
    "mega_region_": "권역 / Mega-region",
    "class": "유형 / Class",
    "name_ko": "이름 / Name (Korean)",
    "name_en": "이름 / Name (English)",
    "scenario": "시나리오 / Scenario",
    "total_revenue": "총세입 / Total revenue",
    "own_source": "자체수입 / Own-source revenue",
    "general_grants": "일반재원 이전 / General grants",
    "specific_grants": "특정재원 이전 / Specific grants",
    "other_revenue": "기타수입 / Other revenue",
    "obligations": "대응지방비 / Co-funding obligations",
    "net_after_commitments": "약정 후 순재원 / Net after commitments",
    "independence_ratio": "재정자립도 / Independence ratio",
    "autonomy_ratio": "재정자주도 / Autonomy ratio",
    "independence": "재정자립도 / Independence ratio",
    "autonomy": "재정자주도 / Autonomy ratio",
    "national_tax": "국세 / National tax",
    "local_tax": "지방세 / Local tax",
    "local_tax_share": "지방세 비중 / Local tax share",
    "national_local_ratio": "국세:지방세 / National:local tax",
    "cv_before_transfers": "이전 전 변동계수 / Disparity (CV) before transfers",
    "cv_after_transfers": "이전 후 변동계수 / Disparity (CV) after transfers",
    "agreement": "협약 / Agreement",
    "status": "상태 / Status",
    "project": "사업 / Project",
    "party": "당사자 / Party",
    "party_kind": "구분 / Party kind",
    "flow": "흐름 / Flow",
    "amount": "금액 / Amount",
    "in_projection": "전망 반영 / In projection",
    "source": "근거 / Source (file:line)",
    "title": "제목 / Title",
    "signed": "체결일 / Signed",
    "first_year": "시작 연도 / First year",
    "last_year": "종료 연도 / Last year",
    "total": "합계 / Total",
    "central": "국비 / Central",
    "local": "지방비 / Local",
    "private": "민간 / Private",
    "unpaid": "미지급 / Unpaid",
    "discount_rate": "할인율 / Discount rate",
    "pv_base_year": "현재가치 기준연도 / PV base year",
    "pv_total": "현재가치 합계 / PV total",
    "pv_central": "현재가치 국비 / PV central",
    "pv_local": "현재가치 지방비 / PV local",
    "pv_private": "현재가치 민간 / PV private",
    "share_of_own_source": "자체수입 대비 / Share of own-source",
    "limit": "한도 / Limit",
    "flagged": "초과 / Flagged",
    "rule": "규칙 / Rule",
    "item": "항목 / Item",
    "base_series": "기준 계열 / Base series",
    "base": "기준액 / Base",
    "share": "비율 / Share",
    "pool": "재원 / Pool",
    "distributed": "배분액 / Distributed",
    "unallocated": "미배분 / Unallocated",
    "adjustment_rate": "조정률 / Adjustment rate",
    "parameter": "매개변수 / Parameter",
    "part": "구성 / Part",
    "effective": "시행일 / Effective",
    "value": "값 / Value",
    "unit": "단위 / Unit",
    "reference": "법적 근거 / Reference",
    "years_used": "사용 연도 / Years used",
    "rules": "사용 규칙 / Used by rules",
    "tax_ratio": "국세:지방세 / National:local tax",
    "local_tax_share_change_pp": "지방세 비중 변화 / Local tax share change (pp)",
    "cv_before": "이전 전 변동계수 / CV before transfers",
    "cv_after": "이전 후 변동계수 / CV after transfers",
    "local_tax_share_change": "지방세 비중 변화 / Local tax share change",
}
_SUFFIXES = {
    "_baseline": "기준 / baseline",
    "_scenario": "시나리오 / scenario",
    "_change": "변화 / change",
    "_change_pp": "변화 / change (pp)",
}


def label(name: str, money: bool, unit: Unit, extra: Mapping[str, str] | None = None) -> str:
    """The label of the column ``name``: its words, then for money the unit shown."""
    stem = name.removesuffix("_krw")
    words = (extra or {}).get(stem) or LABELS.get(stem)
    said = ""
    if words is None:
        for suffix, meaning in sorted(_SUFFIXES.items(), key=lambda s: -len(s[0])):
            base = stem.removesuffix(suffix)
            if base != stem and (found := (extra or {}).get(base) or LABELS.get(base)):
                words, said = found, f": {meaning}"
                break
    if words is None:
        words = stem.replace("_", " ")
    shown = f" ({UNIT_LABELS[unit]})" if money else ""
    return f"{words}{said}{shown}"


def for_people(table: Table, unit: Unit = "won", extra: Mapping[str, str] | None = None) -> Table:
    """``table`` with a label on every column, its money shown in ``unit``.

    ``extra`` names columns the dictionary does not know (a ruleset's budget items)."""
    columns = [
        dataclasses.replace(c, label=label(c.name, c.kind == "won", unit, extra))
        for c in table.columns
    ]
    return dataclasses.replace(table, columns=columns, unit=unit)


def item_labels(items: Iterable[ItemDef]) -> dict[str, str]:
    """``{item id: "지방소비세 / Local consumption tax"}`` for a ruleset's items."""
    return {item.id: f"{item.label.ko} / {item.label.en}" for item in items}
