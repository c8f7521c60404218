"""Validation of a child record (the facts derived from it are in :mod:`app.children.facts`).

Pure functions shared by the web form and the roster import. A *record* is a plain dict
keyed by the field codes of :data:`app.children.vocab.RECORD_FIELDS`, holding parsed values:
vocabulary codes for enumerated fields, lists of codes for multi-value fields,
:class:`datetime.date` for dates, ``bool`` for yes/no fields and ``str`` for text. A value of
the wrong type (for instance the raw text of a cell that could not be parsed) is reported
as invalid, so parsers can simply leave unparseable input in place.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import asdict, dataclass
from datetime import date, datetime
from typing import Any

from app.children import vocab
from app.children.difficulty import difficulty_types
from app.children.vocab import FIELD_LABELS, FIELD_LABELS_EN, FIELD_VOCABULARIES
from app.core import idcard
from app.core.phone import PhoneError, normalize_phone

ERROR = "error"
WARNING = "warning"

LEFT_BEHIND_MAX_AGE = 16  # a left-behind child is under 16
DIFFICULTY_MAX_AGE = 18  # a child in difficulty stays on the registry to 18 ...
STUDY_SCHOOLING = frozenset({"senior", "vocational", "higher"})  # ... orphans in study beyond
AWAY_MIN_MONTHS = 6  # parents away at least half a year
COMPULSORY_SCHOOL_AGES = range(6, 16)  # 6-15 inclusive

#: code → (Chinese, English) message; ``{label}``/``{label_en}`` name the field.
MESSAGES: dict[str, tuple[str, str]] = {
    "missing_name": ("姓名为空", "Name is empty"),
    "missing_sex": ("性别为空", "Sex is empty"),
    "missing_birth_date": ("出生日期为空", "Date of birth is empty"),
    "missing_id": ("公民身份证号码为空", "ID number is empty"),
    "missing_no_id_reason": (
        "未登记户口且无身份证号码的,须填写无身份证号码原因",
        "Without household registration or ID number, give the reason for having no ID number",
    ),
    "missing_township": ("乡镇(街道)为空", "Township is empty"),
    "missing_village": ("村(社区)为空", "Village is empty"),
    "missing_value": ("{label}为空", "{label_en} is empty"),
    "bad_sex": ("性别取值无效", "Invalid sex"),
    "bad_health": ("身体情况取值无效", "Invalid health status"),
    "bad_school_status": ("就学情况取值无效", "Invalid schooling status"),
    "bad_guardianship_type": ("监护类型取值无效", "Invalid guardianship type"),
    "bad_income_source": ("家庭经济来源取值无效", "Invalid family income source"),
    "bad_assistance": ("救助帮扶情况取值无效", "Invalid assistance"),
    "bad_value": ("{label}取值无效", "Invalid {label_en}"),
    "bad_yes_no": ("{label}应填“是”或“否”", "{label_en} must be yes or no"),
    "bad_date": ("{label}格式错误", "{label_en} is not a valid date"),
    "bad_phone": ("联系电话格式错误", "Invalid phone number"),
    "id_birth_mismatch": (
        "出生日期与身份证号码不一致",
        "Date of birth does not match the ID number",
    ),
    "sex_mismatch": ("性别与身份证号码不一致", "Sex does not match the ID number"),
    "future_birth": ("出生日期晚于填报日期", "Date of birth is after the reporting date"),
    "future_registration": ("登记日期晚于填报日期", "The registration date is after the reporting date"),
    "registered_before_birth": ("登记日期早于出生日期", "The registration date is before the date of birth"),
    "too_old": ("年龄已满16周岁,不属于留守儿童", "Aged 16 or over: not a left-behind child"),
    "unknown_township": ("乡镇(街道)不在本县行政区划内", "Township is not in this county"),
    "unknown_village": ("村(社区)不在本县行政区划内", "Village is not in this county"),
    "village_not_in_township": (
        "村(社区)不属于所填乡镇(街道)",
        "Village is not in the given township",
    ),
    "too_old_difficulty": (
        "年龄已满18周岁,不属于困境儿童(在读的孤儿除外)",
        "Aged 18 or over: not a child in difficulty (unless an orphan still in study)",
    ),
    "away_too_short": (
        "父母外出不满半年,不属于留守儿童",
        "The parents have been away less than half a year: not a left-behind child",
    ),
    "not_rural": ("非农村户籍,不属于农村留守儿童", "No rural household registration: not a rural left-behind child"),
    "no_difficulty_type": (
        "儿童类别为困境,但未选择困境类型,也不是孤儿",
        "Category 'in difficulty' but no type of difficulty is given and the child is not an orphan",
    ),
    "missing_orphan_care": ("孤儿请填写供养方式(集中或分散供养)", "Orphan: give the care arrangement"),
    "not_left_behind": (
        "“父母双方外出”和“一方外出另一方无监护能力”均未填“是”,不属于留守儿童",
        "Neither 'both parents away' nor 'one parent away, the other incapable': "
        "not a left-behind child",
    ),
    "too_long": (
        "{label}过长(最多{limit}个字)",
        "{label_en} is too long (at most {limit} characters)",
    ),
    "unknown_id_division": idcard.UNKNOWN_DIVISION_MESSAGE,
    "parents_flags_conflict": (
        "“父母双方外出”和“一方外出另一方无监护能力”不应同时为“是”",
        "'Both parents away' and 'one parent away, the other incapable' are both yes",
    ),
    "missing_guardian": ("未填写受委托监护人姓名", "The entrusted guardian's name is missing"),
    "guardian_but_no_guardianship": (
        "监护类型为无人监护,但填写了受委托监护人",
        "Guardianship type is 'no guardian' but an entrusted guardian is given",
    ),
    "missing_illness": ("身体情况为患病,请填写患病类型", "Ill: give the illness"),
    "missing_disability": (
        "身体情况为残疾,请填写残疾类别及等级",
        "Disabled: give the disability type and grade",
    ),
    # Found by the roster import, across rows or cells:
    "duplicate_id": (
        "身份证号码与本表另一行重复",
        "The ID number repeats another row of this sheet",
    ),
    "id_precision_lost": (
        "身份证号码被保存为数字,后几位已丢失,请将该列设为文本格式后重新填写",
        "The ID number was stored as a number and lost its last digits; format the column as text",
    ),
    "duplicate_column": (
        "“{label}”列重复,第{letter}列未读取",
        "Column '{label_en}' repeats; column {letter} ignored",
    ),
    **idcard.MESSAGES,
}

#: Codes whose message does not say which field it is about (phones, ID numbers).
_SHARED_MESSAGE_CODES = frozenset(
    {"bad_phone", "unknown_id_division", "id_precision_lost", *idcard.MESSAGES}
)

#: Enumerated field → code of its "invalid value" issue.
_ENUM_CODES: dict[str, str] = {
    "sex": "bad_sex",
    "health": "bad_health",
    "schooling": "bad_school_status",
    "guardianship_type": "bad_guardianship_type",
    "income_sources": "bad_income_source",
    "assistance": "bad_assistance",
    "child_category": "bad_value",
    "difficulty_types": "bad_value",
    "incapacity_reason": "bad_value",
    "orphan_care": "bad_value",
    "disability_category": "bad_value",
    "disability_grade": "bad_value",
}

#: Longest accepted text per field (characters); other text fields get ``_DEFAULT_MAX_LEN``.
MAX_LENGTHS: dict[str, int] = {
    "name": 50,
    "ethnicity": 20,
    "grade": 20,
    "guardian_relation": 20,
    "father_name": 50,
    "mother_name": 50,
    "guardian_name": 50,
    "village_contact_name": 50,
    "township": 50,
    "village": 50,
    "registered_address": 200,
    "current_address": 200,
    "guardian_address": 200,
    "no_id_reason": 200,
    "village_group": 30,
}
_DEFAULT_MAX_LEN = 100
_TEXT_FIELDS = (
    "name",
    "ethnicity",
    "no_id_reason",
    "registered_address",
    "current_address",
    "township",
    "village",
    "disability",
    "illness",
    "school_name",
    "grade",
    "father_name",
    "father_work_place",
    "mother_name",
    "mother_work_place",
    "guardian_name",
    "guardian_relation",
    "guardian_address",
    "village_contact_name",
    "village_group",
)


@dataclass(frozen=True)
class Issue:
    """One problem found in a record: a stable code, the field, messages and severity."""

    code: str
    field: str | None
    message: str
    message_en: str
    severity: str = ERROR
    detail: str = ""

    @property
    def is_error(self) -> bool:
        """Whether the issue rejects the record (warnings do not)."""
        return self.severity == ERROR

    def display(self) -> str:
        """Chinese text for a report: the field's label before messages shared by several
        fields (``父亲联系电话:联系电话格式错误``), then the detail in brackets.
        """
        text = self.message
        label = FIELD_LABELS.get(self.field or "")
        if label and self.code in _SHARED_MESSAGE_CODES and label not in text:
            text = f"{label}:{text}"
        return f"{text}({self.detail})" if self.detail else text

    def as_dict(self) -> dict[str, str | None]:
        """Return the issue as a JSON-ready dict."""
        return asdict(self)


def make_issue(
    code: str, field: str | None = None, *, severity: str = ERROR, detail: str = "", **values: Any
) -> Issue:
    """Build an :class:`Issue` from :data:`MESSAGES`, filling in the field's labels.

    :raise KeyError: if ``code`` has no message.
    """
    zh, en = MESSAGES[code]
    fmt = {
        "label": FIELD_LABELS.get(field or "", ""),
        "label_en": FIELD_LABELS_EN.get(field or "", ""),
        **values,
    }
    return Issue(code, field, zh.format(**fmt), en.format(**fmt), severity, detail)


@dataclass(frozen=True)
class _Context:
    reference_date: date
    townships: frozenset[str] | None
    villages: frozenset[str] | dict[str, frozenset[str]] | None


def _fold(name: str) -> str:
    """Fold a place name for comparison: NFKC (full-width brackets → ASCII), no spaces."""
    return "".join(unicodedata.normalize("NFKC", name).split())


def as_date(value: object) -> date | None:
    """Return ``value`` as a :class:`date` (datetimes lose their time), else ``None``."""
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else None


def _blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return value == []


def _id_info(record: Mapping[str, Any]) -> idcard.IdNumberInfo | None:
    """The child's ID number parsed, or ``None`` when missing or invalid."""
    try:
        return idcard.parse_id_number(record.get("id_number"), check_future=False)
    except idcard.IdNumberError:
        return None


def effective_birth_date(record: Mapping[str, Any]) -> date | None:
    """The record's birth date, or the one in its valid ID number when the field is unusable."""
    born = as_date(record.get("birth_date"))
    if born is None:
        info = _id_info(record)
        born = info.birth_date if info else None
    return born


def _check_required(record: Mapping[str, Any], ctx: _Context) -> Iterator[Issue]:
    for field_name in ("name", "sex", "birth_date", "township", "village"):
        if _blank(record.get(field_name)):
            yield make_issue(f"missing_{field_name}", field_name)
    for field_name in ("health", "schooling", "guardianship_type"):
        if _blank(record.get(field_name)):
            yield make_issue("missing_value", field_name, severity=WARNING)


def _check_enums(record: Mapping[str, Any], ctx: _Context) -> Iterator[Issue]:
    for field_name, vocabulary in FIELD_VOCABULARIES.items():
        value = record.get(field_name)
        if _blank(value):
            continue
        if vocabulary.multi:
            values = value if isinstance(value, (list, tuple)) else [value]
            bad = [v for v in values if not (isinstance(v, str) and v in vocabulary.labels)]
        else:
            bad = [] if isinstance(value, str) and value in vocabulary.labels else [value]
        if bad:
            yield make_issue(_ENUM_CODES.get(field_name, "bad_value"), field_name, detail="、".join(map(str, bad)))


def _check_yes_no(record: Mapping[str, Any], ctx: _Context) -> Iterator[Issue]:
    for field_name in vocab.YES_NO_FIELDS:
        value = record.get(field_name)
        if not (value is None or isinstance(value, bool)):
            yield make_issue("bad_yes_no", field_name, detail=str(value))


def _check_dates(record: Mapping[str, Any], ctx: _Context) -> Iterator[Issue]:
    for field_name in vocab.DATE_FIELDS:
        value = record.get(field_name)
        if not _blank(value) and as_date(value) is None:
            yield make_issue("bad_date", field_name, detail=str(value))


def _check_registration(record: Mapping[str, Any], ctx: _Context) -> Iterator[Issue]:
    """A 登记日期 is a true past date: not after the reporting date, not before the birth."""
    registered, born = as_date(record.get("registered_on")), as_date(record.get("birth_date"))
    if registered is None:
        return
    if registered > ctx.reference_date:
        yield make_issue("future_registration", "registered_on")
    elif born is not None and registered < born:
        yield make_issue("registered_before_birth", "registered_on")


def _check_child_id(record: Mapping[str, Any], ctx: _Context) -> Iterator[Issue]:
    value = record.get("id_number")
    if _blank(value):
        if record.get("has_hukou") is False:
            if _blank(record.get("no_id_reason")):
                yield make_issue("missing_no_id_reason", "no_id_reason")
        else:
            yield make_issue("missing_id", "id_number")
        return
    try:
        info = idcard.parse_id_number(value, check_future=False)
    except idcard.IdNumberError as exc:
        yield make_issue(exc.code, "id_number")
        return
    if not info.division_known:
        yield make_issue("unknown_id_division", "id_number", severity=WARNING)
    born = as_date(record.get("birth_date"))
    if born is not None and born != info.birth_date:
        yield make_issue("id_birth_mismatch", "birth_date")
    sex = record.get("sex")
    if sex in vocab.SEX and sex != info.sex:
        yield make_issue("sex_mismatch", "sex")


def declared_category(record: Mapping[str, Any]) -> str:
    """The category the record claims; a blank or unknown one means 留守 (today's 登记表 files)."""
    value = record.get("child_category")
    return value if value in vocab.CHILD_CATEGORY else "left_behind"


def _claims_left_behind(record: Mapping[str, Any]) -> bool:
    return declared_category(record) in ("left_behind", "both")


def _claims_difficulty(record: Mapping[str, Any]) -> bool:
    return declared_category(record) in ("difficulty", "both")


def _check_age(record: Mapping[str, Any], ctx: _Context) -> Iterator[Issue]:
    born = effective_birth_date(record)
    if born is None:
        return
    if born > ctx.reference_date:
        yield make_issue("future_birth", "birth_date")
        return
    age = age_on(born, ctx.reference_date)
    if _claims_left_behind(record) and age >= LEFT_BEHIND_MAX_AGE:
        yield make_issue("too_old", "birth_date")
    if _claims_difficulty(record) and not _difficulty_age_ok(record, age):
        yield make_issue("too_old_difficulty", "birth_date")


def _check_other_ids(record: Mapping[str, Any], ctx: _Context) -> Iterator[Issue]:
    for field_name in vocab.ID_FIELDS[1:]:
        value = record.get(field_name)
        if _blank(value):
            continue
        try:
            idcard.parse_id_number(value, today=ctx.reference_date)
        except idcard.IdNumberError as exc:
            yield make_issue(exc.code, field_name)


#: A mobile number already in normal form (what the import's parser gives for most cells).
_NORMAL_MOBILE = re.compile(r"1[3-9]\d{9}")


def _check_phones(record: Mapping[str, Any], ctx: _Context) -> Iterator[Issue]:
    for field_name in vocab.PHONE_FIELDS:
        value = record.get(field_name)
        if _blank(value) or (type(value) is str and _NORMAL_MOBILE.fullmatch(value)):
            continue
        try:
            normalize_phone(value)
        except PhoneError:
            yield make_issue("bad_phone", field_name, detail=str(value))


def _check_places(record: Mapping[str, Any], ctx: _Context) -> Iterator[Issue]:
    township, village = record.get("township"), record.get("village")
    check_town = ctx.townships is not None and isinstance(township, str) and township.strip()
    if check_town and _fold(township) not in ctx.townships:
        yield make_issue("unknown_township", "township", detail=township)
        return
    if ctx.villages is None or not isinstance(village, str) or not village.strip():
        return
    if isinstance(ctx.villages, dict):
        known = ctx.villages.get(_fold(township)) if isinstance(township, str) else None
        if known is not None and _fold(village) not in known:
            yield make_issue("village_not_in_township", "village", detail=village)
    elif _fold(village) not in ctx.villages:
        yield make_issue("unknown_village", "village", detail=village)


def _check_left_behind(record: Mapping[str, Any], ctx: _Context) -> Iterator[Issue]:
    both, one = record.get("both_parents_away"), record.get("one_parent_away_other_incapable")
    if not all(flag is None or isinstance(flag, bool) for flag in (both, one)):
        return  # already reported as bad_yes_no
    if both is True and one is True:
        yield make_issue(
            "parents_flags_conflict", "one_parent_away_other_incapable", severity=WARNING
        )
    if not _claims_left_behind(record):
        return
    if both is not True and one is not True:
        yield make_issue("not_left_behind", "both_parents_away")
    elif _away_too_short(record, ctx.reference_date):
        yield make_issue("away_too_short", "parents_away_since")
    if record.get("rural_hukou") is False:
        yield make_issue("not_rural", "rural_hukou")


def _check_difficulty(record: Mapping[str, Any], ctx: _Context) -> Iterator[Issue]:
    if _claims_difficulty(record) and not difficulty_types(record) and record.get("is_orphan") is not True:
        yield make_issue("no_difficulty_type", "difficulty_types")
    if record.get("is_orphan") is True and _blank(record.get("orphan_care")):
        yield make_issue("missing_orphan_care", "orphan_care", severity=WARNING)


def _check_guardian(record: Mapping[str, Any], ctx: _Context) -> Iterator[Issue]:
    kind, has_guardian = record.get("guardianship_type"), not _blank(record.get("guardian_name"))
    if kind == "none" and has_guardian:
        yield make_issue("guardian_but_no_guardianship", "guardian_name", severity=WARNING)
    elif kind in vocab.GUARDIANSHIP_TYPE and kind != "none" and not has_guardian:
        yield make_issue("missing_guardian", "guardian_name", severity=WARNING)
    health = record.get("health")
    if health == "ill" and _blank(record.get("illness")):
        yield make_issue("missing_illness", "illness", severity=WARNING)
    if health == "disabled" and _blank(record.get("disability")):
        yield make_issue("missing_disability", "disability", severity=WARNING)


def _check_lengths(record: Mapping[str, Any], ctx: _Context) -> Iterator[Issue]:
    for field_name, limit in _TEXT_LIMITS:
        value = record.get(field_name)
        if isinstance(value, str) and len(value) > limit:
            yield make_issue("too_long", field_name, limit=limit)


_TEXT_LIMITS = tuple((name, MAX_LENGTHS.get(name, _DEFAULT_MAX_LEN)) for name in _TEXT_FIELDS)

_CHECKS: tuple[Callable[[Mapping[str, Any], _Context], Iterator[Issue]], ...] = (
    _check_required,
    _check_enums,
    _check_yes_no,
    _check_dates,
    _check_registration,
    _check_child_id,
    _check_age,
    _check_other_ids,
    _check_phones,
    _check_places,
    _check_left_behind,
    _check_difficulty,
    _check_guardian,
    _check_lengths,
)


def _place_sets(
    townships: Collection[str] | None,
    villages: Collection[str] | Mapping[str, Collection[str]] | None,
) -> tuple[frozenset[str] | None, frozenset[str] | dict[str, frozenset[str]] | None]:
    towns = frozenset(_fold(t) for t in townships) if townships is not None else None
    if isinstance(villages, Mapping):
        return towns, {_fold(t): frozenset(_fold(v) for v in vs) for t, vs in villages.items()}
    return towns, frozenset(_fold(v) for v in villages) if villages is not None else None


@dataclass(frozen=True)
class Places:
    """The county's place names, folded (see :func:`fold_places`)."""

    townships: frozenset[str] | None
    villages: frozenset[str] | dict[str, frozenset[str]] | None


def fold_places(
    townships: Collection[str] | None = None,
    villages: Collection[str] | Mapping[str, Collection[str]] | None = None,
) -> Places:
    """Fold the place names once, for validating many records against them."""
    return Places(*_place_sets(townships, villages))


def validate_record(
    record: Mapping[str, Any],
    reference_date: date,
    *,
    townships: Collection[str] | None = None,
    villages: Collection[str] | Mapping[str, Collection[str]] | None = None,
    places: Places | None = None,
) -> list[Issue]:
    """Return every issue of a child record, errors and warnings, in a stable order.

    ``reference_date`` is the reporting date (填报日期) ages are computed at. ``townships`` is
    the set of the county's township names; ``villages`` either the set of its village names
    or a mapping township → village names. Place checks are skipped when they are ``None``.
    A record is acceptable when no issue has severity ``error``. Never raises for bad data.
    ``places`` (from :func:`fold_places`) replaces both when given.
    """
    places = places or fold_places(townships, villages)
    ctx = _Context(reference_date, places.townships, places.villages)
    return [issue for check in _CHECKS for issue in check(record, ctx)]


def has_errors(issues: Collection[Issue]) -> bool:
    """Whether any issue is an error."""
    return any(issue.is_error for issue in issues)


# ---------------------------------------------------------------- facts the checks need too


def age_on(birth_date: date, on_date: date) -> int:
    """Whole years of age on ``on_date`` (negative before birth). Never raises.

    A child born on 29 February turns a year older on 1 March in common years.
    """
    before_birthday = (on_date.month, on_date.day) < (birth_date.month, birth_date.day)
    return on_date.year - birth_date.year - before_birthday


def _months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (a month counts once its day is reached)."""
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


def _away_too_short(record: Mapping[str, Any], on_date: date) -> bool:
    """Whether a recorded departure month is less than half a year before ``on_date``.

    Without a departure month (today's 登记表 has none) the ticked parent flags decide.
    """
    since = as_date(record.get("parents_away_since"))
    return since is not None and _months_between(since, on_date) < AWAY_MIN_MONTHS


def _difficulty_age_ok(record: Mapping[str, Any], age: int | None) -> bool:
    """Under 18, or an orphan still in study (senior, vocational or higher education)."""
    if age is None or age < DIFFICULTY_MAX_AGE:
        return True
    return record.get("is_orphan") is True and record.get("schooling") in STUDY_SCHOOLING
