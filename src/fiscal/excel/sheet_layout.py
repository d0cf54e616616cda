"""The sheets of the Excel templates: their columns, in one place.

The template writer lays the sheets out from these specs (header names, column notes
in English and Korean, number formats, drop-down lists, an example row) and the import
reads them back against the same specs, so the two can never disagree about where a
value lives. Rows 1-3 of every data sheet are the header: the column names (which the
import checks), a notes row and a grey example row. Data starts on row 4.

A change of layout changes ``TEMPLATE_VERSION``; the import refuses a workbook made by
another version rather than guess where its values are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

TEMPLATE_VERSION = "1"
HEADER_ROWS = 3  # names, notes, example
FIRST_DATA_ROW = HEADER_ROWS + 1  # 1-based, as Excel shows it
META_SHEET = "fiscal"  # hidden: what the workbook holds and what it was prefilled with
LISTS_SHEET = "Lists"  # hidden: the closed lists behind the drop-downs
INSTRUCTIONS_SHEET = "Instructions"

Kind = Literal["id", "text", "enum", "date", "year", "won", "share", "rate", "param"]
WorkbookKind = Literal["agreements", "inputs"]


@dataclass(frozen=True)
class Column:
    """One column of a sheet: its header, what it holds, and how it is explained."""

    key: str
    kind: Kind
    en: str
    ko: str
    example: object = None
    required: bool = False
    width: int = 14
    choices: str | None = None  # a list of LISTS: the drop-down of this column
    strict: bool = True  # whether the drop-down refuses a value not in the list
    what: str = ""  # the value's name in messages ("cost share 120% is above 100%")

    @property
    def noun(self) -> str:
        """The column's value as a message names it: ``what``, or its key in words."""
        return self.what or self.key.replace("_", " ")


@dataclass(frozen=True)
class SheetSpec:
    """One table: a header row of ``columns``, then (if ``years``) one column per year."""

    name: str
    en: str
    ko: str
    columns: tuple[Column, ...]
    years: bool = False

    def column(self, key: str) -> int:
        """The 1-based column number of ``key``."""
        return next(i for i, c in enumerate(self.columns, start=1) if c.key == key)


# --- closed lists behind the drop-downs (columns of the hidden Lists sheet) -----------------

LISTS = (
    "regions",
    "ministries",
    "parties",
    "share_parties",
    "status",
    "evidence",
    "kinds",
    "units",
    "years",
    "index_parameters",
)

_AGREEMENT = Column(
    "agreement",
    "id",
    "Agreement id, as on the Agreements sheet.",
    "협약 ID (Agreements 시트의 ID).",
    "2027-busan-port-logistics",
    required=True,
    width=30,
)
_AMENDMENT = Column(
    "amendment",
    "date",
    "Blank for the original terms; for the terms an amendment changes, its effective date "
    "(as on the Amendments sheet).",
    "원래 협약 조건이면 비움. 변경협약이 바꾸는 조건이면 그 시행일 (Amendments 시트).",
    None,
    width=13,
)
_PROJECT = Column(
    "project",
    "id",
    "Project id within the agreement: lowercase letters, digits, '-'.",
    "사업 ID (협약 안에서 고유): 영문 소문자·숫자·'-'.",
    "logistics-hub",
    required=True,
    width=24,
)

AGREEMENTS = SheetSpec(
    "Agreements",
    "One row per agreement (one YAML file each).",
    "협약마다 한 행 (협약 하나가 YAML 파일 하나).",
    (
        Column(
            "id",
            "id",
            "Agreement id, also its file name (agreements/<id>.yaml): lowercase letters, "
            "digits and '-'. Never change it once used.",
            "협약 ID이자 파일 이름: 영문 소문자·숫자·'-'. 한 번 쓰면 바꾸지 마세요.",
            "2027-busan-port-logistics",
            required=True,
            width=34,
        ),
        Column("title", "text", "Title.", "협약명.", "Port logistics hub", True, 40),
        Column(
            "status",
            "enum",
            "proposed, signed, amended or terminated. A proposal commits no money.",
            "상태: proposed(제안), signed(체결), amended(변경), terminated(해지). "
            "제안 단계는 재정 부담이 없습니다.",
            "signed",
            True,
            12,
            choices="status",
        ),
        Column(
            "signed",
            "date",
            "Signing date, YYYY-MM-DD; needed unless the status is proposed.",
            "체결일 (YYYY-MM-DD). 제안 단계가 아니면 필수.",
            date(2027, 3, 2),
            width=12,
        ),
        Column(
            "terminated",
            "date",
            "Termination date, only when the status is terminated.",
            "해지일 (해지된 경우에만).",
            None,
            width=12,
        ),
        Column(
            "reference",
            "text",
            "Legal basis or published source of the figures.",
            "근거: 법령 조항 또는 공개 출처.",
            "MOLIT press release 2027-03-02",
            True,
            40,
        ),
        Column(
            "evidence",
            "enum",
            "How far a published source backs the figures: confirmed, unconfirmed or illustrative.",
            "출처 확인 수준: confirmed(확인), unconfirmed(미확인), illustrative(예시).",
            "confirmed",
            True,
            13,
            choices="evidence",
        ),
        Column(
            "description",
            "text",
            "Optional notes for readers.",
            "설명 (선택).",
            "Pilot of the new port logistics programme",
            width=50,
        ),
    ),
)

PARTIES = SheetSpec(
    "Parties",
    "One row per party of an agreement: each ministry, region and private partner.",
    "협약 당사자마다 한 행: 부처, 지역, 민간 참여자.",
    (
        _AGREEMENT,
        Column(
            "party",
            "id",
            "A ministry id (ministries.yaml), a region id (regions.yaml), or a new id for a "
            "private partner.",
            "부처 ID(ministries.yaml), 지역 ID(regions.yaml), 또는 민간 참여자의 새 ID.",
            "busan",
            True,
            26,
            choices="parties",
            strict=False,
        ),
        Column(
            "kind",
            "enum",
            "ministry, region or private.",
            "구분: ministry(부처), region(지역), private(민간).",
            "region",
            True,
            11,
            choices="kinds",
        ),
        Column(
            "name",
            "text",
            "Name of a private partner (required for private partners).",
            "민간 참여자의 이름 (민간이면 필수).",
            None,
            width=36,
        ),
    ),
)

AMENDMENTS = SheetSpec(
    "Amendments",
    "One row per amendment. What it changes goes on Projects, Shares and Schedules, with "
    "its effective date in their amendment column.",
    "변경협약마다 한 행. 바뀌는 조건은 Projects·Shares·Schedules 시트에 시행일을 "
    "amendment 열에 적어 입력합니다.",
    (
        _AGREEMENT,
        Column(
            "effective",
            "date",
            "Effective date, YYYY-MM-DD. It governs from the first 1 January on or after it.",
            "시행일 (YYYY-MM-DD). 그 날 이후 첫 1월 1일부터 적용.",
            date(2028, 1, 1),
            True,
            12,
        ),
        Column(
            "reference",
            "text",
            "Reference of the amendment.",
            "변경협약 근거.",
            "Amendment no. 1",
            True,
            34,
        ),
        Column("note", "text", "Optional note.", "메모 (선택).", None, width=40),
    ),
)

PROJECTS = SheetSpec(
    "Projects",
    "One row per project for its original terms, and one more per amendment that changes "
    "it (blank cells there mean: unchanged).",
    "사업마다 원래 조건 한 행, 그리고 그 사업을 바꾸는 변경협약마다 한 행 "
    "(변경 행의 빈칸은 '변경 없음').",
    (
        _AGREEMENT,
        _AMENDMENT,
        _PROJECT,
        Column("title", "text", "Project title.", "사업명.", "Logistics hub", width=36),
        Column(
            "total_krw",
            "won",
            "Total cost in whole won (at base-year prices if indexed).",
            "총사업비 (원 단위 정수; 물가연동이면 기준연도 가격).",
            200_000_000_000,
            width=20,
            what="total",
        ),
        Column(
            "first_year",
            "year",
            "First year of the project.",
            "사업 시작 연도.",
            2027,
            width=10,
            choices="years",
            strict=False,
        ),
        Column(
            "last_year",
            "year",
            "Last year of the project.",
            "사업 종료 연도.",
            2030,
            width=10,
            choices="years",
            strict=False,
        ),
        Column(
            "central_cap_krw",
            "won",
            "Optional: most the centre pays over the project, whole won; the regions bear "
            "any excess. In an amendment row, 'none' removes the cap.",
            "선택: 국비 상한 (원). 초과분은 지역 부담. 변경 행에서 'none'은 상한 삭제.",
            None,
            width=20,
            what="central cap",
        ),
        Column(
            "index_parameter",
            "param",
            "Optional: a yearly-rate parameter that indexes later years (e.g. "
            "agreements.construction_cost_index). In an amendment row, 'none' removes it.",
            "선택: 물가연동 파라미터 (예: agreements.construction_cost_index). "
            "변경 행에서 'none'은 연동 삭제.",
            None,
            width=34,
            choices="index_parameters",
            strict=False,
        ),
        Column(
            "index_base_year",
            "year",
            "With index_parameter: the year whose prices the total is written in.",
            "물가연동 시: 총사업비 가격의 기준연도.",
            None,
            width=12,
            choices="years",
            strict=False,
        ),
    ),
)

SHARES = SheetSpec(
    "Shares",
    "Cost shares of each project by party: one row per party. Shares of a project sum to 100%.",
    "사업별 당사자 분담 비율: 당사자마다 한 행. 한 사업의 비율 합은 100%.",
    (
        _AGREEMENT,
        _AMENDMENT,
        _PROJECT,
        Column(
            "party",
            "id",
            "A party of the agreement, or 'central' for the centre when no ministry is named.",
            "협약 당사자 ID, 또는 부처를 특정하지 않은 국비는 'central'.",
            "busan",
            True,
            26,
            choices="share_parties",
            strict=False,
        ),
        Column(
            "share",
            "share",
            "Cost share: 60% or 0.6. Blank if this row only gives a central split.",
            "분담 비율: 60% 또는 0.6. 국비 배분만 적는 행이면 비움.",
            0.4,
            width=11,
            what="cost share",
        ),
        Column(
            "central_split",
            "share",
            "Optional, region parties only: the part of the central money this region "
            "receives; the splits sum to 100%. Default: by the regions' own shares.",
            "선택, 지역만: 국비 중 이 지역이 받는 비율 (합 100%). 비우면 지역 분담 비율대로 배분.",
            None,
            width=13,
            what="central split",
        ),
    ),
)

SCHEDULES = SheetSpec(
    "Schedules",
    "Optional yearly schedule of a project: shares of the total, or amounts in won (not "
    "both). Without rows the total is spread evenly.",
    "선택: 사업의 연도별 집행 계획. 총액 대비 비율 또는 원 단위 금액 (둘 중 하나). "
    "행이 없으면 균등 배분.",
    (
        _AGREEMENT,
        _AMENDMENT,
        _PROJECT,
        Column(
            "year",
            "year",
            "A year within the project's years.",
            "사업 기간 안의 연도.",
            2027,
            True,
            8,
            choices="years",
            strict=False,
        ),
        Column(
            "share",
            "share",
            "Share of the total in that year (the shares sum to 100%).",
            "그 해 집행 비율 (합 100%).",
            0.25,
            width=11,
            what="schedule share",
        ),
        Column(
            "amount_krw",
            "won",
            "Or: the amount in that year, whole won (the amounts sum to the total).",
            "또는: 그 해 금액 (원 단위, 합계 = 총사업비).",
            None,
            width=20,
            what="amount",
        ),
    ),
)

AGREEMENT_SHEETS = (AGREEMENTS, PARTIES, AMENDMENTS, PROJECTS, SHARES, SCHEDULES)

# --- inputs ---------------------------------------------------------------------------------

_LABEL_EN = Column("label_en", "text", "Name in English.", "영문 이름.", None, True, 34)
_LABEL_KO = Column("label_ko", "text", "Name in Korean.", "한글 이름.", None, True, 24)
_STATUS = Column(
    "status",
    "enum",
    "confirmed (published), unconfirmed or illustrative (made up for the example).",
    "confirmed(공개 자료), unconfirmed(미확인), illustrative(예시용).",
    "illustrative",
    True,
    13,
    choices="evidence",
)
_SOURCE = Column("source", "text", "Where the figures come from.", "자료 출처.", None, True, 50)
_NOTE = Column("note", "text", "Optional note.", "메모 (선택).", None, width=30)
_GROWTH = Column(
    "growth",
    "rate",
    "Optional yearly growth after the last year given: 3% or 0.03 (may be negative).",
    "선택: 마지막 연도 이후 연 증가율: 3% 또는 0.03 (음수 가능).",
    0.03,
    width=10,
)

NATIONAL = SheetSpec(
    "National",
    "The national forecast file (national.yaml): its description.",
    "국가 전망 파일 (national.yaml)의 설명.",
    (
        Column(
            "description",
            "text",
            "What the national forecast is.",
            "국가 전망에 대한 설명.",
            "National forecast, won per year",
            True,
            90,
        ),
    ),
)

SERIES = SheetSpec(
    "Series",
    "One row per national series (VAT base, internal taxes, ...): won per year in the year "
    "columns.",
    "국가 시계열마다 한 행 (부가가치세, 내국세 등): 연도 열에 연도별 금액(원).",
    (
        Column(
            "series",
            "id",
            "Series id, as rules name it (national.<id>).",
            "시계열 ID (규칙에서 national.<ID>로 참조).",
            "vat_base",
            True,
            28,
        ),
        _LABEL_EN,
        _LABEL_KO,
        Column(
            "unit",
            "enum",
            "Unit of the values: krw (whole won) for money.",
            "단위: 금액은 krw (원).",
            "krw",
            True,
            9,
            choices="units",
        ),
        _STATUS,
        _SOURCE,
        _NOTE,
        _GROWTH,
    ),
    years=True,
)

INDICATORS = SheetSpec(
    "Indicators",
    "One row per regional indicator (one file regional/<id>.yaml each); its values go on "
    "the Regional sheet.",
    "지역 지표마다 한 행 (지표 하나가 regional/<ID>.yaml 파일 하나). 값은 Regional 시트에.",
    (
        Column(
            "indicator",
            "id",
            "Indicator id, also its file name: lowercase letters, digits and '_'.",
            "지표 ID이자 파일 이름: 영문 소문자·숫자·'_'.",
            "population",
            True,
            28,
        ),
        _LABEL_EN,
        _LABEL_KO,
        Column(
            "unit",
            "enum",
            "Unit: krw (whole won), count (people), ...",
            "단위: krw(원), count(인원 등) ...",
            "count",
            True,
            9,
            choices="units",
        ),
        _STATUS,
        _SOURCE,
        _NOTE,
        _GROWTH,
    ),
)

REGIONAL = SheetSpec(
    "Regional",
    "One row per indicator and region: the values by year (whole numbers).",
    "지표·지역마다 한 행: 연도별 값 (정수).",
    (
        Column(
            "indicator",
            "id",
            "Indicator id, as on the Indicators sheet.",
            "지표 ID (Indicators 시트).",
            "population",
            True,
            28,
            choices="indicators",
        ),
        Column(
            "region",
            "enum",
            "Region id (regions.yaml).",
            "지역 ID (regions.yaml).",
            "busan",
            True,
            12,
            choices="regions",
        ),
    ),
    years=True,
)

INPUT_SHEETS = (NATIONAL, SERIES, INDICATORS, REGIONAL)

SHEETS: dict[WorkbookKind, tuple[SheetSpec, ...]] = {
    "agreements": AGREEMENT_SHEETS,
    "inputs": INPUT_SHEETS,
}

YEAR_COLUMN_EN = "Value in that year: whole number (won for money). Blank: no value."
YEAR_COLUMN_KO = "그 해의 값: 정수 (금액은 원). 빈칸: 값 없음."
