"""Fixed vocabularies of the children's roster: codes, Chinese and English labels, aliases.

The codes are what the models store; the Chinese labels are what the official roster
(农村留守儿童基本情况登记表) and the UI show. Each vocabulary also has an alias table so that
messy spreadsheet cells ("职高", "失学辍学", "打工") map to the right code.

Framework-free on purpose: used by the web forms, the Excel import/export and the matcher.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

# the record fields live in app.children.fields; re-exported for the many callers of vocab.*
from app.children.fields import (  # noqa: F401
    FIELD_LABELS,
    FIELD_LABELS_EN,
    RECORD_FIELDS,
    DATE_FIELDS,
    ID_FIELDS,
    PHONE_FIELDS,
    MULTI_FIELDS,
    OFFICIAL_FIELDS,
    empty_record,
)

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
    "higher": "高职及以上",
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
    "higher": "Higher vocational or university",
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
    "orphan_allowance": "孤儿基本生活费",
    "de_facto_allowance": "事实无人抚养儿童基本生活补贴",
    "medical": "医疗救助",
    "housing": "住房救助",
    "temporary": "临时救助",
    "education": "教育资助",
    "other": "其他",
    "none": "无",
}
ASSISTANCE_EN: dict[str, str] = {
    "subsistence": "Minimum living allowance",
    "orphan_allowance": "Orphan basic living allowance",
    "de_facto_allowance": "Allowance for children without de facto carers",
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

#: The official bands (0-5, 6(含)-13, 14(含)-16: 14 and 15) and, for 困境儿童 who stay on the
#: registry to 18, 16-17; "18+" holds orphans still in study.
AGE_BANDS: dict[str, str] = {"0-5": "0-5岁", "6-13": "6-13岁", "14-16": "14-16岁", "16-17": "16-17岁",
                             "18+": "18岁以上在读孤儿"}
AGE_BANDS_EN: dict[str, str] = {"0-5": "Aged 0-5", "6-13": "Aged 6-13", "14-16": "Aged 14-15",
                                "16-17": "Aged 16-17", "18+": "Orphans 18 or over in study"}

#: What the registering person declares the child to be (登记表 column 儿童类别).
CHILD_CATEGORY: dict[str, str] = {"left_behind": "留守", "difficulty": "困境", "both": "留守且困境"}
CHILD_CATEGORY_EN: dict[str, str] = {"left_behind": "Left-behind", "difficulty": "In difficulty",
                                     "both": "Left-behind and in difficulty"}

#: 困境儿童 types: the four guardianship-difficulty types of the city bulletin (seed 001), then
#: 自身困境 (serious illness, disability) and 生活困境 (poverty); the last two are also derived.
DIFFICULTY_TYPES: dict[str, str] = {
    # no separators (、,;/) inside a label: exported lists are joined with 、
    "guardianship_1": "父母双方重残重病或服刑戒毒或弃养",
    "guardianship_2": "一方重残重病另一方服刑戒毒或弃养",
    "guardianship_3": "一方弃养另一方服刑戒毒",
    "guardianship_4": "一方死亡失踪另一方重残重病或服刑戒毒或弃养",
    "self": "自身困境",
    "living": "生活困境",
    "other": "其他困境",
}
DIFFICULTY_TYPES_EN: dict[str, str] = {
    "guardianship_1": "Both parents seriously ill or disabled, in prison or rehab, or abandoning",
    "guardianship_2": "One parent seriously ill or disabled, the other in prison or rehab or abandoning",
    "guardianship_3": "One parent abandoning, the other in prison or rehab",
    "guardianship_4": "One parent dead or missing, the other ill, disabled, in prison or rehab, or abandoning",
    "self": "Own difficulty (serious illness, disability)",
    "living": "Living difficulty (poverty)",
    "other": "Other difficulty",
}
#: Types that make a child in difficulty because of their guardianship (监护困境).
GUARDIANSHIP_DIFFICULTY: frozenset[str] = frozenset(
    {"guardianship_1", "guardianship_2", "guardianship_3", "guardianship_4"})

#: Why the parent at home lacks guardianship capacity (无监护能力原因).
INCAPACITY_REASON: dict[str, str] = {"ill": "重病", "disabled": "重残", "prison": "服刑",
                                     "rehab": "戒毒", "missing": "失联"}
INCAPACITY_REASON_EN: dict[str, str] = {"ill": "Serious illness", "disabled": "Severe disability",
                                        "prison": "In prison", "rehab": "In compulsory drug rehabilitation",
                                        "missing": "Out of contact"}

#: Each parent's situation, as the 4 guardianship-difficulty types of the 困境儿童 survey group
#: them (seed 001): ill or disabled / in custody (prison, compulsory drug rehabilitation or
#: another compulsory measure) / abandoning the child / dead or missing.
PARENT_STATUS: dict[str, str] = {"capable": "有监护能力", "ill": "重病", "disabled": "重残", "prison": "服刑在押",
                                 "rehab": "强制隔离戒毒", "abandoned": "弃养", "dead": "死亡", "missing": "失踪"}
PARENT_STATUS_EN: dict[str, str] = {
    "capable": "Able to care for the child", "ill": "Seriously ill", "disabled": "Severely disabled",
    "prison": "In prison or custody", "rehab": "In compulsory drug rehabilitation", "abandoned": "Abandoned the child",
    "dead": "Dead", "missing": "Missing"}

ORPHAN_CARE: dict[str, str] = {"centralised": "集中供养", "dispersed": "分散供养"}
ORPHAN_CARE_EN: dict[str, str] = {"centralised": "Cared for in an institution",
                                  "dispersed": "Cared for in a family"}

DISABILITY_CATEGORY: dict[str, str] = {"visual": "视力", "hearing": "听力", "speech": "言语", "physical": "肢体",
                                       "intellectual": "智力", "mental": "精神", "multiple": "多重"}
DISABILITY_CATEGORY_EN: dict[str, str] = {"visual": "Visual", "hearing": "Hearing", "speech": "Speech",
                                          "physical": "Physical", "intellectual": "Intellectual",
                                          "mental": "Mental", "multiple": "Multiple"}
DISABILITY_GRADE: dict[str, str] = {"1": "一级", "2": "二级", "3": "三级", "4": "四级"}
DISABILITY_GRADE_EN: dict[str, str] = {"1": "Grade 1", "2": "Grade 2", "3": "Grade 3", "4": "Grade 4"}

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


@functools.lru_cache(maxsize=16384)
def fold(text: str) -> str:
    """Return ``text`` folded for matching: NFKC, no whitespace or invisible marks, lower case.

    NFKC turns full-width digits, letters and punctuation ("（", "，", "ｘ") into ASCII. Cached:
    a roster repeats the same few words (是, 男, 汉族, its townships) in every row.
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
        "高职": "higher",
        "大专": "higher",
        "大学": "higher",
        "本科": "higher",
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
        "孤儿基本生活保障金": "orphan_allowance",
        "孤儿生活费": "orphan_allowance",
        "事实无人抚养儿童生活补贴": "de_facto_allowance",
        "事实无人抚养": "de_facto_allowance",
        "其它": "other",
        "没有": "none",
        "暂无": "none",
    },
    multi=True,
)

CHILD_CATEGORY_VOCAB = Vocabulary(
    "child_category",
    CHILD_CATEGORY,
    CHILD_CATEGORY_EN,
    {"留守儿童": "left_behind", "困境儿童": "difficulty", "留守困境": "both", "留守+困境": "both",
     "留守和困境": "both", "留守、困境": "both", "留守且困境儿童": "both"},
)
DIFFICULTY_TYPES_VOCAB = Vocabulary(
    "difficulty_types",
    DIFFICULTY_TYPES,
    DIFFICULTY_TYPES_EN,
    {"类型1": "guardianship_1", "类型2": "guardianship_2", "类型3": "guardianship_3", "类型4": "guardianship_4",
     "①": "guardianship_1", "②": "guardianship_2", "③": "guardianship_3", "④": "guardianship_4",
     "自身困境": "self", "生活困境": "living", "其它": "other", "其他": "other"},
    multi=True,
)
INCAPACITY_REASON_VOCAB = Vocabulary(
    "incapacity_reason",
    INCAPACITY_REASON,
    INCAPACITY_REASON_EN,
    {"重病重残": "ill", "患重病": "ill", "残疾": "disabled", "服刑在押": "prison", "在押": "prison",
     "强制隔离戒毒": "rehab", "失踪": "missing", "下落不明": "missing"},
)
PARENT_STATUS_VOCAB = Vocabulary(
    "parent_status", PARENT_STATUS, PARENT_STATUS_EN,
    {"健在": "capable", "正常": "capable", "健康": "capable", "在外务工": "capable", "外出务工": "capable",
     "患重病": "ill", "重残重病": "ill", "服刑": "prison", "在押": "prison", "被执行其他强制措施": "prison",
     "强制措施": "prison", "戒毒": "rehab", "遗弃": "abandoned", "去世": "dead", "已故": "dead", "失联": "missing"},
)
ORPHAN_CARE_VOCAB = Vocabulary("orphan_care", ORPHAN_CARE, ORPHAN_CARE_EN,
                               {"集中": "centralised", "分散": "dispersed", "福利院": "centralised"})
DISABILITY_CATEGORY_VOCAB = Vocabulary(
    "disability_category", DISABILITY_CATEGORY, DISABILITY_CATEGORY_EN,
    {f"{label}残疾": code for code, label in DISABILITY_CATEGORY.items()})
DISABILITY_GRADE_VOCAB = Vocabulary("disability_grade", DISABILITY_GRADE, DISABILITY_GRADE_EN,
                                    {"1级": "1", "2级": "2", "3级": "3", "4级": "4"})

#: Record field → vocabulary of its allowed values.
FIELD_VOCABULARIES: dict[str, Vocabulary] = {
    "sex": SEX_VOCAB,
    "health": HEALTH_VOCAB,
    "schooling": SCHOOLING_VOCAB,
    "guardianship_type": GUARDIANSHIP_TYPE_VOCAB,
    "income_sources": INCOME_SOURCES_VOCAB,
    "assistance": ASSISTANCE_VOCAB,
    "child_category": CHILD_CATEGORY_VOCAB,
    "difficulty_types": DIFFICULTY_TYPES_VOCAB,
    "incapacity_reason": INCAPACITY_REASON_VOCAB,
    "father_status": PARENT_STATUS_VOCAB,
    "mother_status": PARENT_STATUS_VOCAB,
    "orphan_care": ORPHAN_CARE_VOCAB,
    "disability_category": DISABILITY_CATEGORY_VOCAB,
    "disability_grade": DISABILITY_GRADE_VOCAB,
}

#: Record fields that hold yes/no values.
YES_NO_FIELDS: tuple[str, ...] = (
    "has_hukou",
    "boarding",
    "both_parents_away",
    "one_parent_away_other_incapable",
    "rural_hukou",
    "is_orphan",
    "has_disability_certificate",
    "chronic_illness",
    "immunisation_up_to_date",
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
