"""The fields of a child record: their labels (Chinese and English, in the roster's order)
and the groups the parsers and rules treat alike (dates, ID numbers, phones, lists).

Split from :mod:`app.children.vocab` (the vocabularies of the enumerated fields), which
re-exports every name here.
"""

from __future__ import annotations

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
    # beyond the official 留守 form: 困境儿童, households, health
    "child_category": "儿童类别",
    "difficulty_types": "困境类型",
    "incapacity_reason": "无监护能力原因",
    "father_status": "父亲状况",
    "mother_status": "母亲状况",
    "parents_away_since": "父母外出时间",
    "rural_hukou": "是否农村户籍",
    "village_group": "村民小组",
    "is_orphan": "是否孤儿",
    "orphan_care": "孤儿供养方式",
    "has_disability_certificate": "是否持有残疾人证",
    "disability_category": "残疾人证类别",
    "disability_grade": "残疾人证等级",
    "chronic_illness": "是否患慢性病",
    "immunisation_up_to_date": "预防接种是否按时完成",
    "immunisation_checked_on": "预防接种核实日期",
    "registered_on": "登记日期",
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
    "child_category": "Child category",
    "difficulty_types": "Types of difficulty",
    "incapacity_reason": "Why the parent lacks capacity",
    "father_status": "Father's situation",
    "mother_status": "Mother's situation",
    "parents_away_since": "Month the parents left",
    "rural_hukou": "Rural household registration",
    "village_group": "Village group",
    "is_orphan": "Orphan",
    "orphan_care": "Orphan care arrangement",
    "has_disability_certificate": "Holds a disability certificate",
    "disability_category": "Disability category",
    "disability_grade": "Disability grade",
    "chronic_illness": "Chronic illness",
    "immunisation_up_to_date": "Immunisation up to date",
    "immunisation_checked_on": "Immunisation checked on",
    "registered_on": "Registration date",
}

#: Every field of a child record, in the roster's order.
RECORD_FIELDS: tuple[str, ...] = tuple(FIELD_LABELS)
DATE_FIELDS: tuple[str, ...] = ("birth_date", "father_birth_date", "mother_birth_date", "parents_away_since",
                                "immunisation_checked_on", "registered_on")
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
MULTI_FIELDS: tuple[str, ...] = ("income_sources", "assistance", "difficulty_types")
#: Fields of the official 留守儿童 登记表 (the rest were added for 困境儿童, households and health).
OFFICIAL_FIELDS: tuple[str, ...] = RECORD_FIELDS[:RECORD_FIELDS.index("child_category")]


def empty_record() -> dict[str, object]:
    """Return a record with every field set to ``None`` (multi-value fields to ``[]``)."""
    return {name: ([] if name in MULTI_FIELDS else None) for name in RECORD_FIELDS}
