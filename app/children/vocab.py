"""Fixed vocabularies of the children's roster: codes, Chinese and English labels, aliases.

The codes are what the models store; the Chinese labels are what the official roster
(农村留守儿童基本情况登记表) and the UI show. Each vocabulary also has an alias table so that
messy spreadsheet cells ("职高", "失学辍学", "打工") map to the right code.

Framework-free on purpose: used by the web forms, the Excel import/export and the matcher.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

SEX: dict[str, str] = {"male": "男", "female": "女"}
SEX_EN: dict[str, str] = {"male": "Male", "female": "Female"}

HEALTH: dict[str, str] = {"healthy": "健康", "disabled": "残疾", "ill": "患病"}
HEALTH_EN: dict[str, str] = {"healthy": "Healthy", "disabled": "Disabled", "ill": "Ill"}

SCHOOLING: dict[str, str] = {
    "kindergarten": "幼儿园",
    "not_in_kindergarten": "未入园",
    "primary": "小学",
    "junior": "初中",
    "senior": "高中",
    "vocational": "中职",
    "dropped_out": "辍学",
    "not_in_school": "不在学",
}
SCHOOLING_EN: dict[str, str] = {
    "kindergarten": "Kindergarten",
    "not_in_kindergarten": "Not in kindergarten",
    "primary": "Primary school",
    "junior": "Junior secondary",
    "senior": "Senior secondary",
    "vocational": "Secondary vocational",
    "dropped_out": "Dropped out",
    "not_in_school": "Not in school",
}

GUARDIANSHIP_TYPE: dict[str, str] = {
    "good": "监护情况较好",
    "fair": "监护情况一般",
    "entrusted_weak": "受委托监护人监护能力不足",
    "parent_incapable": "父或母无监护能力",
    "none": "无人监护",
}
GUARDIANSHIP_TYPE_EN: dict[str, str] = {
    "good": "Good guardianship",
    "fair": "Fair guardianship",
    "entrusted_weak": "Entrusted guardian lacks capacity",
    "parent_incapable": "A parent lacks guardianship capacity",
    "none": "No guardian",
}

INCOME_SOURCES: dict[str, str] = {
    "wages": "打工收入",
    "farming": "种养殖业",
    "government": "政府救助",
    "relatives": "亲朋接济",
    "other": "其他",
}
INCOME_SOURCES_EN: dict[str, str] = {
    "wages": "Wages from migrant work",
    "farming": "Farming and animal husbandry",
    "government": "Government assistance",
    "relatives": "Help from relatives and friends",
    "other": "Other",
}

ASSISTANCE: dict[str, str] = {
    "subsistence": "低保",
    "medical": "医疗救助",
    "housing": "住房救助",
    "temporary": "临时救助",
    "education": "教育资助",
    "other": "其他",
    "none": "无",
}
ASSISTANCE_EN: dict[str, str] = {
    "subsistence": "Minimum living allowance",
    "medical": "Medical assistance",
    "housing": "Housing assistance",
    "temporary": "Temporary assistance",
    "education": "Education grant",
    "other": "Other",
    "none": "None",
}

PRIORITY_CATEGORIES: dict[str, str] = {
    "no_guardian": "无人监护",
    "one_parent_incapable": "父母一方外出另一方无监护能力",
    "dropout": "失学辍学",
    "no_hukou": "无户籍",
    "ill": "患病",
    "disabled": "残疾",
}
PRIORITY_CATEGORIES_EN: dict[str, str] = {
    "no_guardian": "No guardian",
    "one_parent_incapable": "One parent away, the other without guardianship capacity",
    "dropout": "Out of school or dropped out",
    "no_hukou": "No household registration",
    "ill": "Ill",
    "disabled": "Disabled",
}
#: Categories that make a child ``urgent`` rather than ``key``.
URGENT_CATEGORIES: frozenset[str] = frozenset({"no_guardian", "one_parent_incapable"})

TIERS: dict[str, str] = {"urgent": "紧急", "key": "重点", "normal": "一般"}

AGE_BANDS: dict[str, str] = {"0-5": "0-5岁", "6-13": "6-13岁", "14-16": "14-16岁"}
AGE_BANDS_EN: dict[str, str] = {"0-5": "Aged 0-5", "6-13": "Aged 6-13", "14-16": "Aged 14-16"}

YES_NO: dict[bool, str] = {True: "是", False: "否"}
YES_NO_EN: dict[bool, str] = {True: "Yes", False: "No"}

_YES_WORDS = frozenset({"是", "有", "√", "✓", "✔", "y", "yes", "1", "true", "t", "对", "是的"})
_NO_WORDS = frozenset(
    {"否", "无", "×", "✗", "✘", "x", "n", "no", "0", "false", "f", "不是", "没有"}
)

_NOTE = re.compile(r"\([^()]*\)")

#: Separators between the items of a multi-value cell (after NFKC: "，" → ",", "；" → ";").
MULTI_SEPARATORS = re.compile(r"[、,;/\s|+]+")


#: Invisible format characters pasted along with text (zero-width space, BOM, ...).
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"))


def fold(text: str) -> str:
    """Return ``text`` folded for matching: NFKC, no whitespace or invisible marks, lower case.

    NFKC turns full-width digits, letters and punctuation ("（", "，", "ｘ") into ASCII.
    """
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    return "".join(text.split()).lower()


@dataclass(frozen=True)
class Vocabulary:
    """An ordered code → label vocabulary with English labels and parsing aliases."""

    name: str
    labels: dict[str, str]
    labels_en: dict[str, str]
    aliases: dict[str, str] = field(default_factory=dict)
    multi: bool = False

    def __post_init__(self) -> None:
        index: dict[str, str] = {}
        for code, label in self.labels.items():
            index[fold(code)] = code
            index[fold(self.labels_en[code])] = code
            index[fold(label)] = code
        for alias, code in self.aliases.items():
            index[fold(alias)] = code
        object.__setattr__(self, "_index", index)

    def lookup(self, text: str) -> str | None:
        """Return the code for a code, label, English label or alias; ``None`` if unknown.

        A bracketed note is ignored when the whole text is not known: ``其他(捡废品)`` → other.
        """
        folded = fold(text)
        index: dict[str, str] = self._index  # type: ignore[attr-defined]
        return index.get(folded) or index.get(_NOTE.sub("", folded) or folded)

    def label(self, code: str) -> str:
        """Return the Chinese label of ``code``, or ``code`` itself when it is not a code."""
        return self.labels.get(code, code)

    def label_en(self, code: str) -> str:
        """Return the English label of ``code``, or ``code`` itself when it is not a code."""
        return self.labels_en.get(code, code)


SEX_VOCAB = Vocabulary(
    "sex",
    SEX,
    SEX_EN,
    {
        "男性": "male",
        "男孩": "male",
        "m": "male",
        "女性": "female",
        "女孩": "female",
        "f": "female",
    },
)
HEALTH_VOCAB = Vocabulary(
    "health",
    HEALTH,
    HEALTH_EN,
    {
        "良好": "healthy",
        "正常": "healthy",
        "健康良好": "healthy",
        "残疾人": "disabled",
        "残障": "disabled",
        "疾病": "ill",
        "患有疾病": "ill",
        "生病": "ill",
        "有病": "ill",
    },
)
SCHOOLING_VOCAB = Vocabulary(
    "schooling",
    SCHOOLING,
    SCHOOLING_EN,
    {
        "职高": "vocational",
        "中专": "vocational",
        "技校": "vocational",
        "职中": "vocational",
        "失学辍学": "dropped_out",
        "失学": "dropped_out",
        "未在校": "not_in_school",
        "在园": "kindergarten",
        "学前": "kindergarten",
        "学前班": "kindergarten",
        "未入学": "not_in_kindergarten",
        "散居": "not_in_kindergarten",
        "小学在读": "primary",
        "初中在读": "junior",
        "高中在读": "senior",
        "普通高中": "senior",
    },
)
GUARDIANSHIP_TYPE_VOCAB = Vocabulary(
    "guardianship_type",
    GUARDIANSHIP_TYPE,
    GUARDIANSHIP_TYPE_EN,
    {
        "较好": "good",
        "好": "good",
        "一般": "fair",
        "监护能力不足": "entrusted_weak",
        "受委托监护人无监护能力": "entrusted_weak",
        "父或母无监护能力": "parent_incapable",
        "父母一方无监护能力": "parent_incapable",
        "无监护能力": "parent_incapable",
        "无人监护": "none",
        "无监护人": "none",
    },
)
INCOME_SOURCES_VOCAB = Vocabulary(
    "income_sources",
    INCOME_SOURCES,
    INCOME_SOURCES_EN,
    {
        "打工": "wages",
        "务工": "wages",
        "务工收入": "wages",
        "外出务工": "wages",
        "工资": "wages",
        "种养殖": "farming",
        "种植业": "farming",
        "养殖业": "farming",
        "种植": "farming",
        "养殖": "farming",
        "务农": "farming",
        "农业": "farming",
        "政府补助": "government",
        "政府救济": "government",
        "亲友接济": "relatives",
        "亲朋资助": "relatives",
        "其它": "other",
    },
    multi=True,
)
ASSISTANCE_VOCAB = Vocabulary(
    "assistance",
    ASSISTANCE,
    ASSISTANCE_EN,
    {
        "最低生活保障": "subsistence",
        "低保户": "subsistence",
        "医疗": "medical",
        "住房": "housing",
        "危房改造": "housing",
        "临时": "temporary",
        "教育救助": "education",
        "助学": "education",
        "教育": "education",
        "其它": "other",
        "没有": "none",
        "暂无": "none",
    },
    multi=True,
)

#: Record field → vocabulary of its allowed values.
FIELD_VOCABULARIES: dict[str, Vocabulary] = {
    "sex": SEX_VOCAB,
    "health": HEALTH_VOCAB,
    "schooling": SCHOOLING_VOCAB,
    "guardianship_type": GUARDIANSHIP_TYPE_VOCAB,
    "income_sources": INCOME_SOURCES_VOCAB,
    "assistance": ASSISTANCE_VOCAB,
}

#: Record fields that hold yes/no values.
YES_NO_FIELDS: tuple[str, ...] = (
    "has_hukou",
    "boarding",
    "both_parents_away",
    "one_parent_away_other_incapable",
)


def parse_yes_no(value: object) -> bool | None:
    """Parse a yes/no cell: 是/否, 有/无, √/×, Y/N, 1/0, true/false; blank → ``None``.

    :raise ValueError: if the value is none of those.
    """
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    text = fold(str(value))
    if not text:
        return None
    if text in _YES_WORDS:
        return True
    if text in _NO_WORDS:
        return False
    raise ValueError(f"not a yes/no value: {value!r}")


def split_multi(text: str) -> list[str]:
    """Split a multi-value cell on 、 , ， ; ； / and spaces; empty items are dropped."""
    text = unicodedata.normalize("NFKC", text)
    return [part for part in MULTI_SEPARATORS.split(text) if part]


#: Record field codes → Chinese labels, as used in messages and the roster's headers.
FIELD_LABELS: dict[str, str] = {
    "seq": "序号",
    "name": "姓名",
    "sex": "性别",
    "ethnicity": "民族",
    "birth_date": "出生日期",
    "id_number": "公民身份证号码",
    "has_hukou": "是否登记户口",
    "no_id_reason": "无身份证号码原因",
    "registered_address": "户籍所在地",
    "current_address": "现居住地",
    "township": "乡镇(街道)",
    "village": "村(社区)",
    "health": "身体情况",
    "disability": "残疾类别及等级",
    "illness": "患病类型",
    "schooling": "就学情况",
    "school_name": "学校名称",
    "grade": "年级",
    "boarding": "是否寄宿",
    "father_name": "父亲姓名",
    "father_birth_date": "父亲出生日期",
    "father_id_number": "父亲身份证号",
    "father_work_place": "父亲务工地点",
    "father_phone": "父亲联系电话",
    "mother_name": "母亲姓名",
    "mother_birth_date": "母亲出生日期",
    "mother_id_number": "母亲身份证号",
    "mother_work_place": "母亲务工地点",
    "mother_phone": "母亲联系电话",
    "both_parents_away": "父母双方外出",
    "one_parent_away_other_incapable": "一方外出另一方无监护能力",
    "guardian_name": "受委托监护人姓名",
    "guardian_relation": "受委托监护人与儿童关系",
    "guardian_phone": "受委托监护人联系电话",
    "guardian_id_number": "受委托监护人身份证号",
    "guardian_address": "受委托监护人住址",
    "guardianship_type": "监护类型",
    "income_sources": "家庭经济来源",
    "assistance": "救助帮扶情况",
    "village_contact_name": "村(居)委会联系人",
    "village_contact_phone": "村委会联系电话",
}

FIELD_LABELS_EN: dict[str, str] = {
    "seq": "No.",
    "name": "Name",
    "sex": "Sex",
    "ethnicity": "Ethnicity",
    "birth_date": "Date of birth",
    "id_number": "Resident ID number",
    "has_hukou": "Household registration",
    "no_id_reason": "Reason for no ID number",
    "registered_address": "Registered address",
    "current_address": "Current address",
    "township": "Township",
    "village": "Village",
    "health": "Health",
    "disability": "Disability type and grade",
    "illness": "Illness",
    "schooling": "Schooling",
    "school_name": "School",
    "grade": "Grade",
    "boarding": "Boarding",
    "father_name": "Father's name",
    "father_birth_date": "Father's date of birth",
    "father_id_number": "Father's ID number",
    "father_work_place": "Father's place of work",
    "father_phone": "Father's phone",
    "mother_name": "Mother's name",
    "mother_birth_date": "Mother's date of birth",
    "mother_id_number": "Mother's ID number",
    "mother_work_place": "Mother's place of work",
    "mother_phone": "Mother's phone",
    "both_parents_away": "Both parents away",
    "one_parent_away_other_incapable": "One parent away, the other incapable",
    "guardian_name": "Entrusted guardian's name",
    "guardian_relation": "Entrusted guardian's relation to the child",
    "guardian_phone": "Entrusted guardian's phone",
    "guardian_id_number": "Entrusted guardian's ID number",
    "guardian_address": "Entrusted guardian's address",
    "guardianship_type": "Guardianship type",
    "income_sources": "Family income sources",
    "assistance": "Assistance received",
    "village_contact_name": "Village committee contact",
    "village_contact_phone": "Village committee phone",
}

#: Every field of a child record, in the roster's order.
RECORD_FIELDS: tuple[str, ...] = tuple(FIELD_LABELS)
DATE_FIELDS: tuple[str, ...] = ("birth_date", "father_birth_date", "mother_birth_date")
ID_FIELDS: tuple[str, ...] = (
    "id_number",
    "father_id_number",
    "mother_id_number",
    "guardian_id_number",
)
PHONE_FIELDS: tuple[str, ...] = (
    "father_phone",
    "mother_phone",
    "guardian_phone",
    "village_contact_phone",
)
MULTI_FIELDS: tuple[str, ...] = ("income_sources", "assistance")


def empty_record() -> dict[str, object]:
    """Return a record with every field set to ``None`` (multi-value fields to ``[]``)."""
    return {name: ([] if name in MULTI_FIELDS else None) for name in RECORD_FIELDS}
