"""How record values are shown: field labels and values in the user's language, masked numbers.

The official vocabularies (:mod:`app.children.vocab`) carry their own Chinese and English labels,
so the record's labels are chosen here by locale instead of going through the message catalogue.
"""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import has_request_context
from flask_babel import get_locale

from app.children import vocab
from app.core.i18n import N_
from app.core.idcard import mask_id_number
from app.core.phone import mask_phone

#: Fields of the child model that are not on the official form (labels go through the catalogue).
EXTRA_LABELS = {
    "division_id": N_("村(社区)"),
    "school_id": N_("学校"),
    "incapable_parent": N_("无监护能力的一方"),
    "needs": N_("需要的帮助"),
    "household_id": N_("户"),
    "assistance_records": N_("救助帮扶"),
    "assistance_rows": N_("救助帮扶情况"),
    "is_left_behind": N_("留守儿童"),
    "is_in_difficulty": N_("困境儿童"),
    "consent_guardian_name": N_("同意书签署监护人"),
    "consent_date": N_("同意书签署日期"),
    "consent_scan": N_("同意书扫描件"),
    "status": N_("状态"),
    "categories": N_("重点对象类别"),
    "tier": N_("优先级"),
    "closed_reason": N_("结案原因"),
}
#: Hints under the form's fields.
FORM_HINTS = {
    "id_number": N_("18位，最后一位可以是X。未登记户口、没有身份证号码的可以不填，但要填写原因。"),
    "birth_date": N_("须与身份证号码中的出生日期一致"),
    "has_hukou": N_("已在公安机关登记户口的打勾"),
    "school_name": N_("列表中没有的学校、幼儿园，在这里填写名称"),
    "both_parents_away": N_("父母双方均外出务工半年以上"),
    "one_parent_away_other_incapable": N_("一方外出务工，另一方重病、重残、服刑、强制戒毒等，无监护能力"),
    "parents_away_since": N_("外出务工满半年才属于留守儿童；填写外出的年月"),
    "child_category": N_("留守儿童：父母外出半年以上、不满16周岁、农村户籍；困境儿童可登记到18周岁"),
    "difficulty_types": N_("患病、残疾（自身困境）和低保（生活困境）会自动计入，不必再选"),
    "village_group": N_("如：3组"),
    "guardianship_type": N_("按实际监护情况选择"),
    "consent_file": N_("只接受 PDF、JPEG、PNG，8 MB 以内"),
}
#: Change-history actions → labels.
ACTIONS = {"child.create": N_("建档"), "child.update": N_("修改档案"), "child.close": N_("结案"),
           "child.import": N_("花名册导入"), "child.review": N_("季度核实")}
STATUSES = {"active": N_("在册"), "closed": N_("已结案")}
TIERS = {"urgent": N_("紧急"), "key": N_("重点"), "normal": N_("一般")}
INCAPABLE_PARENT = {"father": N_("父亲"), "mother": N_("母亲")}
SENSITIVE_FIELDS = frozenset(vocab.ID_FIELDS + vocab.PHONE_FIELDS)


def english() -> bool:
    """Whether the current request is shown in English."""
    return has_request_context() and str(get_locale() or "").startswith("en")


def label(field: str) -> str:
    """The field's label in the user's language."""
    from flask_babel import gettext

    if field in vocab.FIELD_LABELS:
        return (vocab.FIELD_LABELS_EN if english() else vocab.FIELD_LABELS)[field]
    return gettext(EXTRA_LABELS[field]) if field in EXTRA_LABELS else field


def vocab_label(field: str, code: str) -> str:
    """The label of one vocabulary code of ``field`` in the user's language."""
    vocabulary = vocab.FIELD_VOCABULARIES[field]
    return vocabulary.label_en(code) if english() else vocabulary.label(code)


def choices(field: str) -> list[tuple[str, str]]:
    """(code, label) pairs of a vocabulary field, in the official order."""
    return [(code, vocab_label(field, code)) for code in vocab.FIELD_VOCABULARIES[field].labels]


def status_label(code: str) -> str:
    from flask_babel import gettext

    return gettext(STATUSES.get(code, code))


def yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return (vocab.YES_NO_EN if english() else vocab.YES_NO)[bool(value)]


def category(code: str) -> str:
    return (vocab.PRIORITY_CATEGORIES_EN if english() else vocab.PRIORITY_CATEGORIES).get(code, code)


def child_category(code: str | None) -> str:
    """留守 / 困境 / 留守且困境 in the user's language; empty for ``None``."""
    return (vocab.CHILD_CATEGORY_EN if english() else vocab.CHILD_CATEGORY).get(code or "", "")


def age_band(code: str | None) -> str:
    return (vocab.AGE_BANDS_EN if english() else vocab.AGE_BANDS).get(code or "", "")


DATE_FIELDS = frozenset(vocab.DATE_FIELDS + ("consent_date", "closed_at"))


def value(field: str, raw: Any, *, reveal: bool = False) -> str:
    """A record value as text: labels for codes, 是/否, dates, masked ID and phone numbers.

    Also reads the JSON values of the change history (ISO dates, code lists, ids).
    """
    from flask_babel import gettext

    from app.core.web import format_date

    if raw is None or raw == "" or raw == []:
        return ""
    if field in vocab.ID_FIELDS and not reveal:
        return mask_id_number(raw)
    if field in vocab.PHONE_FIELDS and not reveal:
        return mask_phone(raw)
    if isinstance(raw, bool):
        return yes_no(raw)
    if field in DATE_FIELDS and isinstance(raw, str):
        try:
            raw = date.fromisoformat(raw)
        except ValueError:
            return raw
    if isinstance(raw, date):
        return format_date(raw)
    if field in vocab.FIELD_VOCABULARIES:
        items = raw if isinstance(raw, (list, tuple)) else [raw]
        return "、".join(vocab_label(field, str(item)) for item in items)
    special = _SPECIAL.get(field)
    if special is not None:
        return special(raw, gettext)
    if isinstance(raw, (list, tuple)):
        return "、".join(map(str, raw))
    return str(raw)


def _names(model, ids) -> str:
    from app.extensions import db

    row = db.session.get(model, ids)
    return getattr(row, "full_name", None) or getattr(row, "name", "") if row is not None else str(ids)


def _needs(raw, gettext) -> str:
    from app.volunteers.models import SKILLS

    return "、".join(gettext(SKILLS[c]) if c in SKILLS else c for c in raw)


def assistance_text(row) -> str:
    """One assistance record in the user's language: programme, amount, dates, note."""
    from flask_babel import gettext

    from app.core.web import format_date

    parts = [vocab_label("assistance", row.programme)]
    if row.amount is not None:
        parts.append(gettext("%(amount)s 元/月", amount=row.amount))
    if row.start_date or row.end_date:
        parts.append(f"{format_date(row.start_date) if row.start_date else ''}—"
                     f"{format_date(row.end_date) if row.end_date else ''}")
    if row.note:
        parts.append(row.note)
    return " ".join(parts)


def _household(raw, gettext) -> str:
    return gettext("第 %(id)s 户", id=raw)


def _division(raw, gettext) -> str:
    from app.core.models import Division

    return _names(Division, raw)


def _school(raw, gettext) -> str:
    from app.core.models import Organisation

    return _names(Organisation, raw)


_SPECIAL = {
    "categories": lambda raw, gettext: "、".join(category(c) for c in raw),
    "tier": lambda raw, gettext: gettext(TIERS.get(raw, raw)),
    "status": lambda raw, gettext: status_label(raw),
    "incapable_parent": lambda raw, gettext: gettext(INCAPABLE_PARENT.get(raw, raw)),
    "consent_scan": lambda raw, gettext: gettext("已上传"),
    "needs": _needs,
    "household_id": _household,
    "assistance_records": lambda raw, gettext: "；".join(map(str, raw)),
    "division_id": _division,
    "school_id": _school,
}


def mask(field: str, raw: Any) -> Any:
    """``raw`` masked when ``field`` holds an ID or phone number (for audit details)."""
    if raw in (None, ""):
        return raw
    if field in vocab.ID_FIELDS:
        return mask_id_number(raw)
    if field in vocab.PHONE_FIELDS:
        return mask_phone(raw)
    return raw
