"""Writing the 花名册, the rejected rows and one child's 登记表 (.xlsx)."""

from __future__ import annotations

from copy import copy
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.children import rules, vocab
from app.children.vocab import FIELD_LABELS, FIELD_VOCABULARIES

from .cells import neutralize
from .results import INSTRUCTIONS_SHEET, RosterParseResult, TITLE


# ---------------------------------------------------------------- export


@dataclass(frozen=True)
class ExportColumn:
    """A column of the exported roster: field, group label (or None), header, width."""

    field: str
    group: str | None
    header: str
    width: float


def _group(label: str, prefix: str, subs: Sequence[tuple[str, str, float]]) -> list[ExportColumn]:
    return [ExportColumn(f"{prefix}_{key}", label, header, width) for key, header, width in subs]


def roster_columns(include_extra: bool = False) -> list[ExportColumn]:
    """The roster's columns in the official order.

    With ``include_extra`` the fields the official form lacks are added where they belong
    (无身份证号码原因; parents' 出生日期 and 身份证号; the guardian's 身份证号 and 住址), so
    that every record field survives export → import.
    """
    extra = include_extra
    parent = [("name", "姓名", 10)] + (
        [("birth_date", "出生日期", 12), ("id_number", "身份证号", 21)] if extra else []
    )
    parent += [("work_place", "务工地点", 16), ("phone", "联系电话", 14)]
    guardian = [("name", "姓名", 10), ("relation", "与儿童关系", 10), ("phone", "联系电话", 14)]
    guardian += [("id_number", "身份证号", 21), ("address", "住址", 24)] if extra else []
    plain = ExportColumn
    return [
        plain("seq", None, "序号", 6),
        plain("name", None, "姓名", 10),
        plain("sex", None, "性别", 6),
        plain("ethnicity", None, "民族", 8),
        plain("birth_date", None, "出生日期", 12),
        plain("id_number", None, "公民身份证号码", 21),
        plain("has_hukou", None, "是否登记户口", 8),
        *([plain("no_id_reason", None, "无身份证号码原因", 16)] if extra else []),
        plain("registered_address", None, "户籍所在地", 28),
        plain("current_address", None, "现居住地", 26),
        plain("township", None, "乡镇(街道)", 12),
        plain("village", None, "村(社区)", 10),
        plain("health", None, "身体情况", 8),
        plain("disability", None, "残疾类别及等级", 12),
        plain("illness", None, "患病类型", 12),
        plain("schooling", None, "就学情况", 8),
        plain("school_name", None, "学校名称", 18),
        plain("grade", None, "年级", 6),
        plain("boarding", None, "是否寄宿", 6),
        *_group("父亲", "father", parent),
        *_group("母亲", "mother", parent),
        plain("both_parents_away", None, "父母双方外出", 8),
        plain("one_parent_away_other_incapable", None, "一方外出另一方无监护能力", 12),
        *_group("受委托监护人", "guardian", guardian),
        plain("guardianship_type", None, "监护类型", 16),
        plain("income_sources", None, "家庭经济来源", 16),
        plain("assistance", None, "救助帮扶情况", 14),
        plain("village_contact_name", None, "村(居)委会联系人", 10),
        plain("village_contact_phone", None, "村委会联系电话", 14),
        *([plain(name, None, FIELD_LABELS[name], width) for name, width in _DIFFICULTY_COLUMNS] if extra else []),
    ]


#: Columns after the official ones on a full export (困境儿童, village group, health): the
#: 登记表 import reads them back, and a file without them means 留守.
_DIFFICULTY_COLUMNS: tuple[tuple[str, float], ...] = (
    ("child_category", 10), ("difficulty_types", 20), ("incapacity_reason", 10), ("father_status", 10),
    ("mother_status", 10), ("parents_away_since", 10),
    ("rural_hukou", 8), ("village_group", 8), ("is_orphan", 6), ("orphan_care", 10),
    ("has_disability_certificate", 8), ("disability_category", 8), ("disability_grade", 8),
    ("chronic_illness", 8), ("immunisation_up_to_date", 8), ("immunisation_checked_on", 12),
    ("registered_on", 12),
)


_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_HEADER_FONT = Font(bold=True)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_TEXT_FORMAT = "@"
_DATE_FORMAT = "yyyy-mm-dd"
_TEXT_FIELDS = frozenset(vocab.ID_FIELDS + vocab.PHONE_FIELDS)


def export_value(field_name: str, value: Any) -> Any:
    """A record value as written to a cell: labels for codes, 是/否, dates, text.

    Formula-like text is neutralised later, when the cell is written.
    """
    if value is None or value == []:
        return None
    if field_name in vocab.DATE_FIELDS:
        return rules.as_date(value) or str(value)
    if field_name in vocab.YES_NO_FIELDS and isinstance(value, bool):
        return vocab.YES_NO[value]
    vocabulary = FIELD_VOCABULARIES.get(field_name)
    if vocabulary is not None:
        items = value if isinstance(value, (list, tuple)) else [value]
        return "、".join(vocabulary.label(str(v)) for v in items)
    if field_name == "seq" and isinstance(value, int):
        return value
    return str(value)


def _put(ws: Worksheet, row: int, col: int, field_name: str | None, value: Any,
         styles: dict[str, Any] | None = None) -> None:
    """Write a value with the right format: text for IDs and phones, real dates for dates.

    ``styles`` (kind → style, filled on the way) lets a sheet of many cells copy each kind's
    style instead of setting it: openpyxl hashes every style object on each assignment.
    """
    cell = ws.cell(row=row, column=col)
    text = field_name in _TEXT_FIELDS
    if text:
        value = _as_text(value)
    cell.value = neutralize(value) if isinstance(value, str) else value
    if isinstance(value, str):
        cell.data_type = "s"  # never let openpyxl take text for a formula
    kind = "text" if text else "date" if isinstance(value, (date, datetime)) else "plain"
    known = styles.get(kind) if styles is not None else None
    if known is not None:
        cell._style = copy(known)
        return
    if text:
        cell.number_format = _TEXT_FORMAT
    elif kind == "date":
        cell.number_format = _DATE_FORMAT
    cell.border = _BORDER
    if styles is not None:
        styles[kind] = copy(cell._style)


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _style_header(cell: Any) -> None:
    cell.font, cell.fill, cell.alignment, cell.border = _HEADER_FONT, _HEADER_FILL, _CENTER, _BORDER


def _write_two_level_header(ws: Worksheet, columns: Sequence[ExportColumn], top: int) -> None:
    """Group row over field row; single columns are merged vertically, groups horizontally."""
    i = 0
    while i < len(columns):
        col = columns[i]
        if col.group is None:
            ws.cell(top, i + 1, col.header)
            ws.merge_cells(start_row=top, start_column=i + 1, end_row=top + 1, end_column=i + 1)
            i += 1
            continue
        j = i
        while j < len(columns) and columns[j].group == col.group:
            ws.cell(top + 1, j + 1, columns[j].header)
            j += 1
        ws.cell(top, i + 1, col.group)
        ws.merge_cells(start_row=top, start_column=i + 1, end_row=top, end_column=j)
        i = j
    for row in ws.iter_rows(min_row=top, max_row=top + 1, max_col=len(columns)):
        for cell in row:
            _style_header(cell)


def write_roster(
    records: Iterable[Mapping[str, Any]],
    stream: Any,
    *,
    unit: str = "",
    fill_date: date | None = None,
    include_extra: bool = False,
) -> None:
    """Write the 花名册 (.xlsx) to a path or binary stream, in the official layout.

    Title row, 填报单位/填报日期 row (``fill_date`` defaults to today), two-level header with
    merged group cells, one row per record (``seq`` or the running number in 序号), IDs and
    phones as text, dates as real dates, frozen header, and a 填写说明 sheet.

    :raise OSError: if the target cannot be written.
    """
    columns = roster_columns(include_extra)
    wb = Workbook()
    ws = wb.active
    ws.title = "花名册"
    _write_title(ws, len(columns), unit, fill_date or date.today())
    _write_two_level_header(ws, columns, top=3)
    styles: dict[str, Any] = {}
    for n, record in enumerate(records, start=1):
        row = n + 4
        for c, col in enumerate(columns, start=1):
            value = record.get(col.field)
            if col.field == "seq" and value is None:
                value = n
            _put(ws, row, c, col.field, export_value(col.field, value), styles)
    for c, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(c)].width = col.width
    ws.freeze_panes = "C5"
    _write_instructions(wb.create_sheet(INSTRUCTIONS_SHEET), columns)
    wb.save(stream)


def _write_title(ws: Worksheet, width: int, unit: str, fill_date: date) -> None:
    ws.cell(1, 1, TITLE).font = Font(bold=True, size=16)
    ws.cell(1, 1).alignment = Alignment(horizontal="center", vertical="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.row_dimensions[1].height = 30
    unit_cell = ws.cell(2, 1, neutralize(f"填报单位(盖章):{unit}"))
    unit_cell.data_type = "s"
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=5)
    ws.cell(2, 6, f"填报日期:{fill_date:%Y-%m-%d}")
    ws.merge_cells(start_row=2, start_column=6, end_row=2, end_column=10)


def _allowed_values(field_name: str) -> str:
    vocabulary = FIELD_VOCABULARIES.get(field_name)
    if vocabulary is not None:
        sep = "可多选,用“、”分隔:" if vocabulary.multi else ""
        return sep + "、".join(vocabulary.labels.values())
    if field_name in vocab.YES_NO_FIELDS:
        return "是、否"
    if field_name in vocab.DATE_FIELDS:
        return "日期,如2014-04-03"
    if field_name in vocab.ID_FIELDS:
        return "18位,最后一位可为X;请设为文本格式"
    if field_name in vocab.PHONE_FIELDS:
        return "手机11位或带区号的固定电话,如0855-3571234"
    return ""


FIELD_HELP: dict[str, str] = {
    "seq": "行序号",
    "name": "儿童姓名,必填",
    "sex": "必填,须与身份证号码第17位一致(奇数为男,偶数为女)",
    "ethnicity": "如汉族、苗族、侗族",
    "birth_date": "必填,须与身份证号码中的出生日期一致;不满16周岁",
    "id_number": "必填;未登记户口的可空,但须填写无身份证号码原因",
    "has_hukou": "是否已登记户口",
    "no_id_reason": "未登记户口且无身份证号码时填写",
    "registered_address": "户口登记地址",
    "current_address": "实际居住地址",
    "township": "必填,须为本县的乡镇(街道)",
    "village": "必填",
    "health": "身体状况",
    "disability": "身体情况为残疾时填写,如肢体一级",
    "illness": "身体情况为患病时填写",
    "schooling": "就学情况",
    "school_name": "在读学校或幼儿园名称",
    "grade": "在读年级",
    "boarding": "是否在校寄宿",
    "both_parents_away": "父母双方均外出务工半年以上;与下一列至少一项为“是”",
    "one_parent_away_other_incapable": "一方外出,另一方无监护能力(重病、重残、服刑、强制戒毒等)",
    "guardianship_type": "监护情况五级分类",
    "income_sources": "家庭主要经济来源",
    "assistance": "已享受的救助帮扶",
    "village_contact_name": "负责该儿童的村(居)委会联系人",
    "village_contact_phone": "村(居)委会联系人电话",
}


def _write_instructions(ws: Worksheet, columns: Sequence[ExportColumn]) -> None:
    """The 填写说明 sheet: one line per column with its meaning and allowed values."""
    ws.append(["列名", "填写说明", "可填写的值"])
    for cell in ws[1]:
        _style_header(cell)
    for col in columns:
        name = f"{col.group}{col.header}" if col.group else col.header
        help_text = FIELD_HELP.get(col.field) or (f"{col.group}的{col.header}" if col.group else "")
        ws.append([name, help_text, _allowed_values(col.field)])
    for letter, width in (("A", 24), ("B", 60), ("C", 60)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A2"


def write_rejections(result: RosterParseResult, target: Any) -> int:
    """Write the rejected rows as .xlsx: 行号, 原因, then every original column.

    ``原因`` joins every error of the row with ；. ID and phone columns are written as text.
    Returns the number of rows written.

    :raise OSError: if the target cannot be written.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = "未通过校验的行"
    headers = ["行号", "原因"] + [col.header or col.letter for col in result.columns]
    for c, text in enumerate(headers, start=1):
        _style_header(ws.cell(1, c, text))
    bad = result.bad_rows
    styles: dict[str, Any] = {}
    for r, row in enumerate(bad, start=2):
        _put(ws, r, 1, None, row.row_number, styles)
        _put(ws, r, 2, None, row.reason(), styles)
        for c, col in enumerate(result.columns, start=3):
            value = row.values[col.index] if col.index < len(row.values) else None
            _put(ws, r, c, col.field, value.date() if isinstance(value, datetime) else value, styles)
    ws.column_dimensions["A"].width = 8
    ws.column_dimensions["B"].width = 50
    for c, col in enumerate(result.columns, start=3):
        ws.column_dimensions[get_column_letter(c)].width = max(10, min(30, len(col.header) * 2 + 2))
    ws.freeze_panes = "C2"
    wb.save(target)
    return len(bad)


_FORM_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "基本情况",
        (
            "name",
            "sex",
            "ethnicity",
            "birth_date",
            "id_number",
            "has_hukou",
            "no_id_reason",
            "registered_address",
            "current_address",
            "township",
            "village",
        ),
    ),
    (
        "健康与就学",
        ("health", "disability", "illness", "schooling", "school_name", "grade", "boarding"),
    ),
    (
        "父亲",
        (
            "father_name",
            "father_birth_date",
            "father_id_number",
            "father_work_place",
            "father_phone",
        ),
    ),
    (
        "母亲",
        (
            "mother_name",
            "mother_birth_date",
            "mother_id_number",
            "mother_work_place",
            "mother_phone",
        ),
    ),
    (
        "家庭与监护",
        (
            "both_parents_away",
            "one_parent_away_other_incapable",
            "guardianship_type",
            "income_sources",
            "assistance",
        ),
    ),
    (
        "受委托监护人",
        (
            "guardian_name",
            "guardian_relation",
            "guardian_phone",
            "guardian_id_number",
            "guardian_address",
        ),
    ),
    ("村(居)委会", ("village_contact_name", "village_contact_phone")),
)


def write_registration_form(record: Mapping[str, Any], stream: Any) -> None:
    """Write one child's 登记表 (.xlsx): a label/value layout, two pairs per line, by section,
    and the 填写说明 sheet.

    :raise OSError: if the target cannot be written.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = "登记表"
    ws.cell(1, 1, TITLE).font = Font(bold=True, size=16)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    ws.merge_cells("A1:D1")
    row = 2
    for section, fields in _FORM_SECTIONS:
        _style_header(ws.cell(row, 1, section))
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=4)
        row += 1
        for k, name in enumerate(fields):
            col = 1 + 2 * (k % 2)
            label = ws.cell(row, col, FIELD_LABELS[name])
            label.font, label.fill, label.border = _HEADER_FONT, _HEADER_FILL, _BORDER
            _put(ws, row, col + 1, name, export_value(name, record.get(name)))
            row += k % 2
        row += len(fields) % 2
    for letter, width in (("A", 22), ("B", 32), ("C", 22), ("D", 32)):
        ws.column_dimensions[letter].width = width
    _write_instructions(wb.create_sheet(INSTRUCTIONS_SHEET), roster_columns(include_extra=True))
    wb.save(stream)
