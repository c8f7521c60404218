"""Finding the header (one or two levels, merged or repeated group cells, any column order)
and the title area above it (填报单位, 填报日期)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from openpyxl.utils import get_column_letter

from app.children import rules, vocab
from app.children.rules import WARNING, Issue
from app.children.vocab import FIELD_LABELS, fold

from .cells import _parse_date_value
from .results import RosterColumn, RosterFileError


# ---------------------------------------------------------------- header synonyms

_TOP_SYNONYMS: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "编号", "序"),
    "name": ("姓名", "儿童姓名", "留守儿童姓名"),
    "sex": ("性别",),
    "ethnicity": ("民族",),
    "birth_date": ("出生日期", "出生年月", "出生年月日", "出生时间"),
    "id_number": (
        "公民身份证号码",
        "身份证号",
        "身份证号码",
        "身份证",
        "居民身份证号码",
        "身份证件号码",
        "公民身份号码",
    ),
    "has_hukou": (
        "是否登记户口",
        "户口登记",
        "户口登记情况",
        "是否有户口",
        "有无户口",
        "户籍登记",
        "是否登记户籍",
    ),
    "no_id_reason": (
        "无身份证号码原因",
        "无身份证号原因",
        "未登记户口原因",
        "无户口原因",
        "无身份证原因",
    ),
    "registered_address": ("户籍所在地", "户籍地", "户籍地址", "户口所在地"),
    "current_address": ("现居住地", "居住地址", "现住址", "现居住地址", "家庭住址", "居住地"),
    "township": ("乡镇(街道)", "乡镇", "乡镇街道", "乡(镇、街道)", "所属乡镇", "乡镇(街道办)"),
    "village": ("村(社区)", "村", "村(居)", "村社区", "所属村", "村(居委会)"),
    "health": ("身体情况", "身体状况", "健康状况", "健康情况"),
    "disability": ("残疾类别及等级", "残疾类别", "残疾类型及等级", "残疾情况", "残疾类别和等级"),
    "illness": ("患病类型", "患病情况", "疾病类型", "疾病名称"),
    "schooling": ("就学情况", "就学状况", "在校情况", "就读情况", "就学状态"),
    "school_name": ("学校名称", "就读学校", "学校", "所在学校", "就读学校名称"),
    "grade": ("年级", "就读年级", "年级班级"),
    "boarding": ("是否寄宿", "寄宿", "是否住校"),
    "both_parents_away": ("父母双方外出", "父母均外出", "双方外出", "父母双方外出务工"),
    "one_parent_away_other_incapable": ("一方外出另一方无监护能力", "父母一方外出另一方无监护能力"),
    "guardianship_type": ("监护类型", "监护情况", "监护状况", "监护情况类型"),
    "income_sources": ("家庭经济来源", "家庭主要经济来源", "经济来源", "主要经济来源"),
    "assistance": ("救助帮扶情况", "救助帮扶", "帮扶情况", "享受救助情况", "救助情况"),
    "village_contact_name": (
        "村(居)委会联系人",
        "村委会联系人",
        "村(社区)联系人",
        "村居委会联系人",
    ),
    "village_contact_phone": (
        "村委会联系电话",
        "村(居)委会联系电话",
        "村委会电话",
        "村(社区)联系电话",
    ),
    # beyond the official 留守 form (困境儿童, households, health): absent columns stay blank
    "child_category": ("儿童类别", "儿童类型", "类别"),
    "difficulty_types": ("困境类型", "困境儿童类型", "困境儿童类别", "困境情形"),
    "incapacity_reason": ("无监护能力原因", "丧失监护能力原因", "无监护能力情形"),
    "parents_away_since": ("父母外出时间", "外出时间", "外出务工时间", "外出年月"),
    "rural_hukou": ("是否农村户籍", "农村户籍", "户籍性质"),
    "village_group": ("村民小组", "组别", "所在组"),
    "is_orphan": ("是否孤儿", "孤儿"),
    "orphan_care": ("孤儿供养方式", "供养方式"),
    "has_disability_certificate": ("是否持有残疾人证", "是否持残疾证", "残疾人证"),
    "disability_category": ("残疾人证类别",),
    "disability_grade": ("残疾人证等级",),
    "chronic_illness": ("是否患慢性病", "慢性病"),
    "immunisation_up_to_date": ("预防接种是否按时完成", "预防接种", "疫苗接种"),
    "immunisation_checked_on": ("预防接种核实日期",),
    # when the child was first registered (true dates for reports on past periods)
    "father_status": ("父亲状况", "父亲现状", "父亲监护能力状况"),
    "mother_status": ("母亲状况", "母亲现状", "母亲监护能力状况"),
    "registered_on": ("登记日期", "登记时间", "建档日期", "录入日期", "登记日期(建档)"),
}

_GROUP_SYNONYMS: dict[str, tuple[str, ...]] = {
    "father": ("父亲", "父亲情况", "父亲基本情况", "父亲信息", "爸爸"),
    "mother": ("母亲", "母亲情况", "母亲基本情况", "母亲信息", "妈妈"),
    "guardian": (
        "受委托监护人",
        "委托监护人",
        "监护人",
        "受委托监护人基本情况",
        "受委托监护人情况",
        "实际监护人",
        "被委托监护人",
    ),
    "village_contact": ("村(居)委会联系人", "村委会联系人", "村(居)委会", "村委会"),
}

_SUB_SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字"),
    "birth_date": ("出生日期", "出生年月"),
    "id_number": ("身份证号", "身份证号码", "公民身份证号码", "身份证"),
    "work_place": ("务工地点", "务工地址", "外出务工地点", "务工地", "工作地点", "务工单位"),
    "phone": ("联系电话", "电话", "手机", "手机号码", "联系方式", "电话号码"),
    "relation": ("与儿童关系", "关系", "与留守儿童关系", "与儿童的关系"),
    "address": ("住址", "地址", "家庭住址", "居住地址"),
    "status": ("状况", "现状", "监护能力状况"),
}
#: Per-person columns known but not kept in a record (guardian's age, health, ...).
_IGNORED_SUBS = ("年龄", "健康状况", "身体状况", "性别", "文化程度", "职业", "工作单位")

_GROUP_FIELDS: dict[str, dict[str, str]] = {
    "father": {
        k: f"father_{k}" for k in ("name", "birth_date", "id_number", "work_place", "phone", "status")
    },
    "mother": {
        k: f"mother_{k}" for k in ("name", "birth_date", "id_number", "work_place", "phone", "status")
    },
    "guardian": {k: f"guardian_{k}" for k in ("name", "relation", "phone", "id_number", "address")},
    "village_contact": {"name": "village_contact_name", "phone": "village_contact_phone"},
}

REQUIRED_FIELDS: tuple[str, ...] = (
    "name",
    "sex",
    "birth_date",
    "id_number",
    "township",
    "village",
    "both_parents_away",
    "one_parent_away_other_incapable",
)

_PAREN = re.compile(r"\([^()]*\)")


def _fold_header(value: object) -> str:
    """Fold a header cell: NFKC, no whitespace, no ``*`` marks or trailing colon."""
    if value is None:
        return ""
    return fold(str(value)).replace("*", "").rstrip(":")


def _index(synonyms: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Folded synonym (with and without parenthesised parts) → key."""
    table: dict[str, str] = {}
    for key, names in synonyms.items():
        for name in names:
            folded = _fold_header(name)
            table.setdefault(folded, key)
            table.setdefault(_PAREN.sub("", folded), key)
    return table


_TOP_INDEX = _index(_TOP_SYNONYMS)
_GROUP_INDEX = _index(_GROUP_SYNONYMS)
_SUB_INDEX = _index(_SUB_SYNONYMS)
_GROUP_PREFIXES = sorted(_GROUP_INDEX, key=len, reverse=True)
_FIELD_GROUP = {f: g for g, subs in _GROUP_FIELDS.items() for f in subs.values()}
_IGNORED_SUB_SET = {_fold_header(s) for s in _IGNORED_SUBS}
_HEADER_TOKENS = set(_TOP_INDEX) | set(_GROUP_INDEX) | set(_SUB_INDEX)


def _lookup(table: Mapping[str, str], folded: str) -> str | None:
    """Exact match first, then without parenthesised notes such as ``(是/否)``."""
    return table.get(folded) or table.get(_PAREN.sub("", folded))


def _sub_field(group: str, folded: str) -> str | None:
    sub = _lookup(_SUB_INDEX, folded)
    return _GROUP_FIELDS[group].get(sub) if sub else None


def _top_field(folded: str) -> str | None:
    """A top-level field, or a combined group + sub-field name such as ``父亲联系电话``."""
    found = _lookup(_TOP_INDEX, folded)
    if found:
        return found
    for prefix in _GROUP_PREFIXES:
        if folded.startswith(prefix) and len(folded) > len(prefix):
            rest = folded[len(prefix) :].lstrip("的-_·.")
            rest = rest[1:-1] if rest.startswith("(") and rest.endswith(")") else rest
            sub = _sub_field(_GROUP_INDEX[prefix], rest)
            if sub:
                return sub
    return None


def _is_person_sub(folded: str) -> bool:
    return _lookup(_SUB_INDEX, folded) is not None or _PAREN.sub("", folded) in _IGNORED_SUB_SET


def _resolve(group_text: object, field_text: object, context: str | None) -> str | None:
    """Map one column's header (group cell, field cell) to a record field, or ``None``.

    ``context`` is the group inherited from the left (a merged group cell, or the previous
    combined column of a one-row header); it applies only to per-person sub-fields.
    """
    g, f = _fold_header(group_text), _fold_header(field_text)
    explicit = _lookup(_GROUP_INDEX, g) if g else None
    if f and f != g:
        group = explicit or (context if not g else None)
        if group and _is_person_sub(f):
            return _sub_field(group, f)
        if explicit:
            return None
        return _top_field(f) or (_top_field(g) if g else None)
    if g:
        return _top_field(g) or (_GROUP_FIELDS[explicit]["name"] if explicit else None)
    return None


def _is_header_token(folded: str) -> bool:
    return (
        folded in _HEADER_TOKENS
        or _PAREN.sub("", folded) in _HEADER_TOKENS
        or _top_field(folded) is not None
    )


def _header_score(values: Sequence[object]) -> int:
    """How many cells of a row read as known header names (full check, for the first rows)."""
    return sum(1 for v in values if isinstance(v, str) and _is_header_token(_fold_header(v)))


def _header_text(group_text: object, field_text: object) -> str:
    """Display text of a column header: group and field joined (``父亲姓名``)."""
    g = _clean_header(group_text)
    f = _clean_header(field_text)
    if g and f and g != f:
        return g + f
    return f or g


def _clean_header(value: object) -> str:
    return "".join(str(value).split()) if value is not None else ""


@dataclass(frozen=True)
class _Header:
    rows: tuple[int, ...]  # 1-based Excel row numbers
    columns: list[RosterColumn]
    mapping: dict[str, int]
    issues: list[Issue]
    texts: frozenset[str]  # folded header cell texts, to spot a repeated header row
    raw_texts: frozenset[str]  # the same, as typed (stripped)


def _find_header(rows: Sequence[Sequence[object]]) -> tuple[int, int] | None:
    """Return 0-based (first, last) header row indexes within the scanned rows, or ``None``."""
    scores = [_header_score(row) for row in rows]
    for i, score in enumerate(scores):
        if score < 4:
            continue
        first, last = i, i
        if i + 1 < len(rows) and _is_header_continuation(rows[i + 1], scores[i + 1]):
            last = i + 1
        elif i > 0 and _has_group_cell(rows[i - 1]):
            first = i - 1
        return first, last
    return None


def _is_header_continuation(row: Sequence[object], score: int) -> bool:
    filled = sum(1 for v in row if v is not None and str(v).strip())
    return score >= 2 and score * 2 >= filled


def _has_group_cell(row: Sequence[object]) -> bool:
    return any(isinstance(v, str) and _lookup(_GROUP_INDEX, _fold_header(v)) for v in row)


def _build_header(rows: Sequence[Sequence[object]], first: int, last: int, offset: int) -> _Header:
    """Map columns to fields from header rows ``first..last`` (0-based within ``rows``).

    ``offset`` is the Excel row number of ``rows[0]``.
    """
    top = rows[first]
    bottom = rows[last] if last != first else [None] * len(top)
    width = max(_last_filled(top), _last_filled(bottom))
    columns, mapping, issues = [], {}, []
    group_cell, context = None, None
    for i in range(width):
        g = top[i] if i < len(top) else None
        f = bottom[i] if i < len(bottom) else None
        if last == first:
            g, f = None, g
        if g is not None and str(g).strip():
            group_cell = g
        left_group = (
            _lookup(_GROUP_INDEX, _fold_header(group_cell)) if group_cell is not None else None
        )
        # A merged group cell spans its columns; in a one-row header only bare names that
        # cannot be the child's own (联系电话, 务工地点) continue the previous combined column.
        inherited = (
            left_group if last != first else (None if _top_field(_fold_header(f)) else context)
        )
        name = _resolve(g, f, inherited)
        if name in mapping:
            issues.append(_duplicate_column_issue(name, i))
            name = None
        if name is not None:
            mapping[name] = i
        context = _FIELD_GROUP.get(name or "") if last == first else None
        columns.append(RosterColumn(i, get_column_letter(i + 1), _header_text(g, f), name))
    raw = frozenset(
        v.strip() for row in (top, bottom) for v in row if isinstance(v, str) and v.strip()
    )
    texts = frozenset(_fold_header(v) for v in raw)
    return _Header(
        tuple(range(offset + first, offset + last + 1)), columns, mapping, issues, texts, raw
    )


def _duplicate_column_issue(name: str, index: int) -> Issue:
    return rules.make_issue(
        "duplicate_column", name, severity=WARNING, letter=get_column_letter(index + 1)
    )


def _last_filled(row: Sequence[object]) -> int:
    for i in range(len(row) - 1, -1, -1):
        if row[i] is not None and str(row[i]).strip():
            return i + 1
    return 0


def _require_columns(mapping: Mapping[str, int]) -> None:
    """:raise RosterFileError: ``missing_columns`` naming every missing required column."""
    missing = [name for name in REQUIRED_FIELDS if name not in mapping]
    if missing:
        raise RosterFileError(
            "missing_columns",
            names="、".join(FIELD_LABELS[m] for m in missing),
            names_en=", ".join(vocab.FIELD_LABELS_EN[m] for m in missing),
        )


# ---------------------------------------------------------------- header area (unit, date)

_UNIT = re.compile(
    r"(?:填报|填表|制表)单位(?:\((?:盖章|公章)\))?:?(.*?)(?=(?:填报|填表)(?:日期|时间)|$)"
)
_FILL_DATE = re.compile(r"(?:填报|填表)(?:日期|时间):?(.*)")


def _header_area(rows: Sequence[Sequence[object]]) -> tuple[str | None, str | None, date | None]:
    """Return (title, 填报单位, 填报日期) found in the rows above the header.

    The label and its value may share a cell (``填报单位(盖章):某县民政局``, even with the date
    in the same cell) or the value may be in the next filled cell. The title is the first
    text of the first row without these labels.
    """
    title = unit = None
    fill_date = None
    for row in rows:
        texts = [(i, _compact(v)) for i, v in enumerate(row) if v is not None and str(v).strip()]
        labelled = False
        for i, text in texts:
            unit_match, date_match = _UNIT.search(text), _FILL_DATE.search(text)
            if unit_match:
                unit = unit_match[1] or _next_text(row, i)
            if date_match:
                parsed = _parse_date_value(date_match[1] or _next_value(row, i), "yyyy-mm-dd", None)
                fill_date = parsed if isinstance(parsed, date) else fill_date
            labelled = labelled or bool(unit_match or date_match)
        if not labelled and title is None and texts:
            title = str(row[texts[0][0]]).strip()
    return title, unit or None, fill_date


def _compact(value: object) -> str:
    return "".join(unicodedata.normalize("NFKC", str(value)).split())


def _next_value(row: Sequence[object], i: int) -> object:
    for value in row[i + 1 :]:
        if value is not None and str(value).strip():
            return value
    return None


def _next_text(row: Sequence[object], i: int) -> str | None:
    value = _next_value(row, i)
    return str(value).strip() if value is not None else None
