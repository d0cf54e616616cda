"""Excel templates that staff fill in and `fiscal import` reads back, written with xlsxwriter.

Each template has an Instructions sheet (in English and Korean), one sheet per table
laid out by :mod:`fiscal.excel.sheet_layout` — column names, a notes row, a grey example
row, number formats (won with thousands separators, percentages, ISO dates),
drop-down lists for closed lists (region ids, party kinds, statuses, years), header
rows frozen and protected (the data cells stay editable; the protection has no
password: it guards against slips, not people) — a hidden Lists sheet behind the
drop-downs, and a hidden ``fiscal`` sheet that records what the template is and which
entries it was prefilled with, so the import knows what a deleted row means.

Every text is written as a string, never a formula. A number that a spreadsheet cannot
hold exactly (won above 2^53, a share with more than 15 significant digits) is written
as text, which the import reads exactly.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fiscal.excel.cells import EXACT_LIMIT
from fiscal.excel.sheet_layout import (
    FIRST_DATA_ROW,
    HEADER_ROWS,
    INSTRUCTIONS_SHEET,
    LISTS,
    LISTS_SHEET,
    META_SHEET,
    SHEETS,
    TEMPLATE_VERSION,
    YEAR_COLUMN_EN,
    YEAR_COLUMN_KO,
    Column,
    SheetSpec,
    WorkbookKind,
)
from fiscal.excel.sheet_table import header_rows, notes_text
from fiscal.excel.xlsxbook import new_workbook
from fiscal.version import __version__

if TYPE_CHECKING:
    from fiscal.errors import Problem
    from fiscal.rules.input_files import IndicatorFile, NationalFile
    from fiscal.rules.ruleset import Ruleset

_KIND_FORMATS = {
    "won": "#,##0",
    "share": "0.0####%",
    "rate": "0.0####%",
    "date": "yyyy-mm-dd",
    "year": "0",
}
_SPARE_ROWS = 500  # drop-downs and formats reach this far below the last row written
_PROTECTION = {
    "format_cells": True,
    "format_columns": True,
    "format_rows": True,
    "insert_rows": True,
    "delete_rows": True,
    "sort": True,
    "autofilter": True,
    "insert_columns": False,
    "delete_columns": False,
}


@dataclass
class Template:
    """What goes into one template: the kind, the closed lists and the rows of each sheet.

    ``prefilled`` are (key, value) pairs for the hidden sheet: which agreements, series
    and indicators the template shows, so that the import knows what a deleted row means.
    """

    kind: WorkbookKind
    lists: dict[str, list[Any]]
    rows: dict[str, list[list[object]]]
    years: dict[str, list[int]] = field(default_factory=dict)
    prefilled: list[tuple[str, str]] = field(default_factory=list)
    source: str = ""
    # The folders the template was made from (:mod:`fiscal.files.origin`), for the
    # import to write back into: key, recorded text, base.
    folders: list[tuple[str, str, str]] = field(default_factory=list)


def write_template(path: Path, template: Template, created: datetime | None = None) -> None:
    """Write ``template`` to ``path`` (the caller makes the write atomic); the document
    is dated ``created``, or a fixed date so the same template is the same bytes."""
    book = new_workbook(
        path,
        {
            "title": f"fiscal {template.kind} template",
            "subject": "Fill in and import with: fiscal import FILE",
            "author": f"fiscal {__version__}",
            "comments": template.source,
        },
        created,
    )
    formats = _Formats(book)
    specs = SHEETS[template.kind]
    _instructions(book, formats, template.kind, specs)
    for spec in specs:
        _data_sheet(book, formats, spec, template)
    _lists(book, formats, template.lists)
    _meta(book, template)
    book.close()


class _Formats:
    def __init__(self, book: Any) -> None:
        self.book = book
        self.header = book.add_format(
            {"bold": True, "bg_color": "#DDEBF7", "border": 1, "locked": True, "valign": "top"}
        )
        self.notes = book.add_format(
            {
                "italic": True,
                "font_color": "#404040",
                "font_size": 9,
                "text_wrap": True,
                "valign": "top",
                "bg_color": "#F2F2F2",
                "border": 1,
                "locked": True,
            }
        )
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.heading = book.add_format({"bold": True, "font_size": 11, "bg_color": "#DDEBF7"})
        self.wrap = book.add_format({"text_wrap": True, "valign": "top"})
        self._data: dict[str, Any] = {}
        self._example: dict[str, Any] = {}

    def data(self, kind: str) -> Any:
        """The unlocked format of a data cell of ``kind``."""
        if kind not in self._data:
            spec: dict[str, Any] = {"locked": False, "num_format": _KIND_FORMATS.get(kind, "@")}
            self._data[kind] = self.book.add_format(spec)
        return self._data[kind]

    def example(self, kind: str) -> Any:
        """The locked grey italic format of an example cell of ``kind``."""
        if kind not in self._example:
            self._example[kind] = self.book.add_format(
                {
                    "italic": True,
                    "font_color": "#7F7F7F",
                    "bg_color": "#F2F2F2",
                    "locked": True,
                    "num_format": _KIND_FORMATS.get(kind, "@"),
                }
            )
        return self._example[kind]


def _write(sheet: Any, row: int, col: int, value: object, cell_format: Any) -> None:
    if value is None:
        sheet.write_blank(row, col, None, cell_format)
    elif isinstance(value, str):
        sheet.write_string(row, col, value, cell_format)
    elif isinstance(value, bool):  # pragma: no cover - no column holds booleans
        sheet.write_string(row, col, "true" if value else "false", cell_format)
    elif isinstance(value, int):
        if abs(value) >= EXACT_LIMIT:
            sheet.write_string(row, col, f"{value:,}", cell_format)
        else:
            sheet.write_number(row, col, value, cell_format)
    elif isinstance(value, Decimal):
        if _exact_as_float(value):
            sheet.write_number(row, col, float(value), cell_format)
        else:
            sheet.write_string(row, col, f"{value:f}", cell_format)
    elif isinstance(value, float):
        sheet.write_number(row, col, value, cell_format)
    elif isinstance(value, datetime | date):
        moment = value if isinstance(value, datetime) else datetime.combine(value, time())
        sheet.write_datetime(row, col, moment, cell_format)
    else:  # pragma: no cover - the row builders give only the types above
        raise TypeError(f"cannot write {type(value).__name__} to a template")


def _exact_as_float(value: Decimal) -> bool:
    """Whether the number survives a trip through a spreadsheet cell (15 digits)."""
    return Decimal(format(float(value), ".15g")) == value


def _data_sheet(book: Any, formats: _Formats, spec: SheetSpec, template: Template) -> None:
    sheet = book.add_worksheet(spec.name)
    rows = template.rows.get(spec.name, [])
    years = template.years.get(spec.name, []) if spec.years else []
    columns: list[Column] = list(spec.columns)
    year_column = Column("year", "won", YEAR_COLUMN_EN, YEAR_COLUMN_KO, None, width=19)
    last = max(FIRST_DATA_ROW - 1 + len(rows) + _SPARE_ROWS, 1000)
    for c, column in enumerate([*columns, *(year_column for _ in years)]):
        data_format = formats.data(column.kind)
        sheet.set_column(c, c, column.width, data_format)
        if c < len(columns):
            sheet.write_string(0, c, column.key, formats.header)
        else:
            sheet.write_number(0, c, years[c - len(columns)], formats.header)
        sheet.write_string(1, c, notes_text(column), formats.notes)
        _write(sheet, 2, c, column.example, formats.example(column.kind))
        if column.choices:
            _drop_down(sheet, c, last, column, template.lists)
    sheet.set_row(1, _notes_height(columns))
    for r, values in enumerate(rows, start=FIRST_DATA_ROW - 1):
        for c, value in enumerate(values):
            kind = columns[c].kind if c < len(columns) else "won"
            _write(sheet, r, c, value, formats.data(kind))
    sheet.freeze_panes(HEADER_ROWS, 0)
    sheet.protect("", _PROTECTION)


def _notes_height(columns: list[Column]) -> float:
    lines = max(
        sum(1 + len(part) * 1.15 // max(column.width, 8) for part in notes_text(column).split("\n"))
        for column in columns
    )
    return min(15 + 12 * lines, 160)


def _drop_down(
    sheet: Any, col: int, last: int, column: Column, lists: dict[str, list[str]]
) -> None:
    assert column.choices is not None
    if column.choices == "indicators":
        source = f"=Indicators!$A${FIRST_DATA_ROW}:$A${last + 1}"
    else:
        index = LISTS.index(column.choices)
        letter = chr(ord("A") + index)
        count = max(len(lists.get(column.choices, [])), 1)
        source = f"={LISTS_SHEET}!${letter}$2:${letter}${count + 1}"
    sheet.data_validation(
        FIRST_DATA_ROW - 1,
        col,
        last,
        col,
        {
            "validate": "list",
            "source": source,
            "ignore_blank": True,
            "error_type": "stop" if column.strict else "information",
            "error_title": f"{column.key}"[:32],
            "error_message": (
                f"Pick a value from the list. / 목록에서 고르세요. ({column.en})"
                if column.strict
                else f"Not in the list: check it. / 목록에 없는 값입니다. ({column.en})"
            )[:255],
        },
    )


def _lists(book: Any, formats: _Formats, lists: dict[str, list[str]]) -> None:
    sheet = book.add_worksheet(LISTS_SHEET)
    for c, name in enumerate(LISTS):
        sheet.write_string(0, c, name, formats.header)
        sheet.set_column(c, c, 24)
        for r, value in enumerate(lists.get(name, []), start=1):
            _write(sheet, r, c, value, None)
    sheet.protect("", {})
    sheet.hide()


def _meta(book: Any, template: Template) -> None:
    sheet = book.add_worksheet(META_SHEET)
    entries: list[tuple[str, str]] = [
        ("kind", template.kind),
        ("template_version", TEMPLATE_VERSION),
        ("fiscal_version", __version__),
        ("source", template.source),
        *template.prefilled,
    ]
    for key, text, base in template.folders:
        entries += [(key, text), (f"{key}_relative_to", base)]
    for spec in SHEETS[template.kind]:
        entries.append((f"header:{spec.name}", json.dumps(header_rows(spec), ensure_ascii=False)))
    for r, (key, value) in enumerate(entries):
        sheet.write_string(r, 0, key)
        sheet.write_string(r, 1, value)
    sheet.protect("", {})
    sheet.hide()


_STEPS = {
    "agreements": [
        (
            "Fill in the investment agreements, one table per sheet. Each agreement becomes "
            "one file rules/<ruleset>/agreements/<id>.yaml when you run: fiscal import FILE",
            "투자협약을 시트별 표에 입력하세요. `fiscal import 파일`을 실행하면 협약마다 "
            "rules/<규칙>/agreements/<ID>.yaml 파일 하나가 만들어집니다.",
        ),
        (
            "An agreement spans several sheets, joined by its id in the 'agreement' column. "
            "Terms changed by an amendment go on Projects, Shares and Schedules with the "
            "amendment's effective date in the 'amendment' column.",
            "협약 하나는 여러 시트에 걸쳐 있고 'agreement' 열의 ID로 연결됩니다. "
            "변경협약으로 바뀐 조건은 Projects·Shares·Schedules 시트에 'amendment' 열에 "
            "시행일을 적어 입력합니다.",
        ),
    ],
    "inputs": [
        (
            "Fill in the national forecast (National, Series) and the regional indicators "
            "(Indicators, Regional). `fiscal import FILE` writes national.yaml and "
            "regional/<indicator>.yaml in the inputs folder.",
            "국가 전망(National, Series)과 지역 지표(Indicators, Regional)를 입력하세요. "
            "`fiscal import 파일`이 입력 폴더의 national.yaml과 regional/<지표>.yaml을 씁니다.",
        ),
        (
            "Years run across the columns. To add a year, type it in the header after the "
            "last year column (the header is protected: Review > Unprotect Sheet first).",
            "연도는 열 방향입니다. 연도를 추가하려면 마지막 연도 열 다음 머리글에 연도를 "
            "입력하세요 (머리글은 보호되어 있으니 검토 > 시트 보호 해제 후).",
        ),
    ],
}
_RULES = [
    (
        "Rows 1-3 of each sheet are the header: column names, notes and a grey example "
        "(never imported). Type your data from row 4. Blank rows are ignored.",
        "각 시트의 1-3행은 머리글입니다: 열 이름, 설명, 회색 예시(가져오지 않음). "
        "데이터는 4행부터 입력하세요. 빈 행은 무시됩니다.",
    ),
    (
        "Do not rename, move, merge or delete columns. Do not merge cells in the data.",
        "열 이름을 바꾸거나 열을 옮기거나 병합하거나 삭제하지 마세요. 데이터 셀을 병합하지 마세요.",
    ),
    (
        "Percentages: type 60% or 0.6. Won: whole numbers; thousands separators are fine "
        "(300,000,000,000). Dates: YYYY-MM-DD.",
        "비율: 60% 또는 0.6. 금액: 원 단위 정수, 천 단위 구분 쉼표 가능 (300,000,000,000). "
        "날짜: YYYY-MM-DD.",
    ),
    (
        "Formulas are fine once Excel has calculated and saved them. Save as .xlsx, not "
        ".xlsm; macros are never read.",
        "수식은 Excel에서 계산 후 저장했다면 괜찮습니다. .xlsm이 아닌 .xlsx로 저장하세요; "
        "매크로는 읽지 않습니다.",
    ),
    (
        "`fiscal import FILE --dry-run` checks everything and lists every problem as "
        "Sheet!Cell (e.g. Shares!E7) without writing anything.",
        "`fiscal import 파일 --dry-run`은 아무것도 쓰지 않고 모든 문제를 "
        "시트!셀 (예: Shares!E7) 형식으로 알려 줍니다.",
    ),
    (
        "Rows deleted from a prefilled template are removed from the YAML; a YAML file with "
        "uncommitted changes is never overwritten without --force.",
        "미리 채운 템플릿에서 삭제한 행은 YAML에서도 삭제됩니다. 커밋하지 않은 변경이 있는 "
        "YAML 파일은 --force 없이는 덮어쓰지 않습니다.",
    ),
]


def _instructions(
    book: Any, formats: _Formats, kind: WorkbookKind, specs: Sequence[SheetSpec]
) -> None:
    sheet = book.add_worksheet(INSTRUCTIONS_SHEET)
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 1, 18)
    sheet.set_column(2, 3, 60, formats.wrap)
    sheet.set_column(4, 4, 10)
    sheet.set_column(5, 5, 28)
    sheet.write_string(
        0, 0, f"fiscal — {kind} template / {_KO_KIND[kind]} 입력 템플릿", formats.title
    )
    row = 2
    for en, ko in [*_STEPS[kind], *_RULES]:
        sheet.merge_range(row, 0, row, 2, en, formats.wrap)
        sheet.write_string(row, 3, ko, formats.wrap)
        sheet.set_row(row, 45)
        row += 1
    row += 1
    for c, title in enumerate(("sheet", "column", "meaning", "설명", "required", "example")):
        sheet.write_string(row, c, title, formats.heading)
    for spec in specs:
        row += 1
        sheet.write_string(row, 0, spec.name, formats.heading)
        sheet.write_string(row, 1, "", formats.heading)
        sheet.write_string(row, 2, spec.en, formats.heading)
        sheet.write_string(row, 3, spec.ko, formats.heading)
        for column in spec.columns:
            row += 1
            sheet.write_string(row, 0, spec.name)
            sheet.write_string(row, 1, column.key)
            sheet.write_string(row, 2, column.en, formats.wrap)
            sheet.write_string(row, 3, column.ko, formats.wrap)
            sheet.write_string(row, 4, "yes / 필수" if column.required else "")
            _write(sheet, row, 5, column.example, formats.example(column.kind))
        if spec.years:
            row += 1
            sheet.write_string(row, 0, spec.name)
            sheet.write_string(row, 1, "2025, 2026, ...")
            sheet.write_string(row, 2, YEAR_COLUMN_EN, formats.wrap)
            sheet.write_string(row, 3, YEAR_COLUMN_KO, formats.wrap)
    sheet.activate()


_KO_KIND = {"agreements": "투자협약", "inputs": "입력 자료"}


# --- what goes into each template -----------------------------------------------------------


def _years_list(used: list[int]) -> list[str | int]:
    first = min([2000, *used])
    last = max([2060, *used])
    return list(range(first, last + 1))


def agreements_template(ruleset: Ruleset, prefill: bool) -> Template:
    """The agreements template for ``ruleset``; with ``prefill``, holding its agreements."""
    from fiscal.excel.agreement_rows import EVIDENCE, KINDS, STATUSES, agreement_rows
    from fiscal.rules.types import Unit

    agreements = list(ruleset.agreements) if prefill else []
    rows = agreement_rows(agreements) if prefill else {}
    regions = list(ruleset.region_ids)
    ministries = [m.id for m in ruleset.ministries]
    private = [p.id for a in agreements for p in a.parties if p.kind == "private"]
    used_years = [
        y
        for a in agreements
        for terms in [*a.projects, *(t for m in a.amendments for t in m.projects.values())]
        for y in (terms.years or ())
    ]
    lists: dict[str, list[Any]] = {
        "regions": regions,
        "ministries": ministries,
        "parties": [*ministries, *regions, *private],
        "share_parties": ["central", *ministries, *regions, *private],
        "status": list(STATUSES),
        "evidence": list(EVIDENCE),
        "kinds": list(KINDS),
        "years": _years_list(used_years),
        "index_parameters": sorted(
            p.path
            for p in ruleset.parameters.values()
            if p.unit is Unit.ratio and p.breakdown == "scalar"
        ),
    }
    prefilled = [("prefilled", "yes" if prefill else "no")]
    prefilled += [("agreement", a.id) for a in agreements]
    return Template("agreements", lists, rows, prefilled=prefilled, source=str(ruleset.root))


def inputs_template(
    ruleset: Ruleset,
    national: NationalFile | None,
    indicators: dict[str, IndicatorFile],
    prefill: bool,
) -> Template:
    """The inputs template; its year columns are those of the current inputs (2025-2030
    when there are none), with their values when ``prefill``."""
    from fiscal.excel.input_sheets import STATUSES, UNITS, input_rows, year_span

    years = year_span(
        [dict(s.values) for s in (national.series.values() if national else [])]
        + [dict(v) for ind in indicators.values() for v in ind.values.values()]
    ) or list(range(2025, 2031))
    if prefill:
        rows, series_years, regional_years = input_rows(national, indicators, years)
    else:
        rows, series_years, regional_years = {}, years, years
    lists: dict[str, list[Any]] = {
        "regions": list(ruleset.region_ids),
        "evidence": list(STATUSES),
        "units": list(UNITS),
        "years": _years_list(years),
    }
    prefilled = [("prefilled", "yes" if prefill else "no")]
    if prefill:
        if national is not None:
            prefilled.append(("description", "national.yaml"))
            prefilled += [("series", s) for s in national.series]
        prefilled += [("indicator", i) for i in indicators]
    return Template(
        "inputs",
        lists,
        rows,
        years={"Series": series_years, "Regional": regional_years},
        prefilled=prefilled,
        source=str(ruleset.root),
    )


def build_template(kind: str, rules_root: Path, inputs_root: Path, prefill: bool) -> Template:
    """Load what the template needs (the ruleset; for inputs, the inputs folder) and lay it out.

    A prefill needs readable files; a blank template needs only the ruleset's regions.
    """
    from fiscal.errors import Problem, SourcePos, UserError
    from fiscal.excel.agreement_rows import Unrepresentable
    from fiscal.rules.loader import load_ruleset

    ruleset = load_ruleset(rules_root)
    if kind == "agreements":
        try:
            made = agreements_template(ruleset, prefill)
        except Unrepresentable as exc:
            raise UserError([Problem(SourcePos.of(rules_root / "agreements"), str(exc))]) from None
    else:
        national, indicators, problems = read_input_files(inputs_root)
        if prefill and problems:
            raise UserError(problems)
        made = inputs_template(ruleset, national, indicators, prefill)
    made.folders = folder_records(kind, rules_root, inputs_root)
    made.source = made.folders[-1][1]  # the folder it writes into, never an absolute path
    return made


def folder_records(kind: str, rules_root: Path, inputs_root: Path) -> list[tuple[str, str, str]]:
    """The hidden sheet's record of the folders a template was made from: the ruleset
    (an agreements import writes there; an inputs import reads its regions) and, for
    inputs, the inputs folder."""
    from fiscal.files.origin import record

    rules = record(rules_root, "ruleset")
    found = [("rules_folder", rules.text, rules.base)]
    if kind == "inputs":
        inputs = record(inputs_root, "inputs")
        found.append(("inputs_folder", inputs.text, inputs.base))
    return found


def read_input_files(
    root: Path,
) -> tuple[NationalFile | None, dict[str, IndicatorFile], list[Problem]]:
    """The input files as models, keeping every field (notes included)."""
    from fiscal.rules.input_files import IndicatorFile, NationalFile
    from fiscal.source.validation import validate_doc
    from fiscal.source.yaml_reader import load_yaml

    problems: list[Problem] = []
    national = None
    if (root / "national.yaml").is_file():
        doc, found = load_yaml(root / "national.yaml")
        problems += found
        if doc is not None:
            national, found = validate_doc(NationalFile, doc)
            problems += found
    indicators: dict[str, IndicatorFile] = {}
    folder = root / "regional"
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        doc, found = load_yaml(path)
        problems += found
        if doc is not None:
            indicator, found = validate_doc(IndicatorFile, doc)
            problems += found
            if indicator is not None:
                indicators[path.stem] = indicator
    return national, indicators, problems
