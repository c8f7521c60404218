"""Tests of app.children.rules: record validation and derived facts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from app.children import vocab
from app.children.facts import age_band, derive, priority_categories, tier_of
from app.children.rules import MESSAGES, age_on, has_errors, validate_record
from app.core.idcard import make_id_number

REF = date(2026, 9, 30)


def codes(record: dict[str, Any], **kwargs: Any) -> dict[str, str]:
    """Code → field of every issue (the record's issues must be unique by code)."""
    return {i.code: i.field for i in validate_record(record, REF, **kwargs)}


def errors(record: dict[str, Any], **kwargs: Any) -> set[str]:
    return {i.code for i in validate_record(record, REF, **kwargs) if i.is_error}


def test_valid_record_has_no_issue(record: dict[str, Any]) -> None:
    assert validate_record(record, REF) == []


def test_messages_match_the_sample_truth(truth: dict[str, Any]) -> None:
    for code, message in truth["messages"].items():
        assert MESSAGES[code][0] == message


@pytest.mark.parametrize(
    ("field", "value", "code", "message"),
    [
        ("name", None, "missing_name", "姓名为空"),
        ("name", "  ", "missing_name", "姓名为空"),
        ("sex", None, "missing_sex", "性别为空"),
        ("sex", "男女", "bad_sex", "性别取值无效"),
        ("birth_date", None, "missing_birth_date", "出生日期为空"),
        ("birth_date", "2014.13.45", "bad_date", "出生日期格式错误"),
        ("township", "", "missing_township", "乡镇(街道)为空"),
        ("village", None, "missing_village", "村(社区)为空"),
        ("health", "很好", "bad_health", "身体情况取值无效"),
        ("schooling", "大学", "bad_school_status", "就学情况取值无效"),
        ("guardianship_type", "良", "bad_guardianship_type", "监护类型取值无效"),
        ("income_sources", ["wages", "彩票"], "bad_income_source", "家庭经济来源取值无效"),
        ("assistance", ["低保户"], "bad_assistance", "救助帮扶情况取值无效"),
        ("boarding", "住校", "bad_yes_no", "是否寄宿应填“是”或“否”"),
        ("father_phone", "1380013", "bad_phone", "联系电话格式错误"),
        ("mother_phone", "12345", "bad_phone", "联系电话格式错误"),
        ("guardian_phone", "010-123", "bad_phone", "联系电话格式错误"),
        ("village_contact_phone", "phone", "bad_phone", "联系电话格式错误"),
        ("father_birth_date", "去年", "bad_date", "父亲出生日期格式错误"),
        ("name", "王" * 51, "too_long", "姓名过长(最多50个字)"),
    ],
)
def test_field_errors(
    record: dict[str, Any], field: str, value: Any, code: str, message: str
) -> None:
    record[field] = value
    issues = [i for i in validate_record(record, REF) if i.is_error]
    assert [(i.code, i.field, i.message) for i in issues] == [(code, field, message)]


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("52262620140403940", "bad_length"),
        ("52262620140403940A", "bad_chars"),
        ("522626201402309405", "bad_birth_date"),
        ("522626201404039406", "bad_check_digit"),
    ],
)
def test_child_id_errors(record: dict[str, Any], number: str, code: str) -> None:
    record["id_number"] = number
    assert errors(record) == {code}


def test_parent_and_guardian_ids_are_checked(record: dict[str, Any]) -> None:
    valid = make_id_number("522626", date(1985, 1, 2), 11)
    record["father_id_number"] = valid
    record["guardian_id_number"] = valid[:-1] + ("1" if valid[-1] != "1" else "2")
    issues = [i for i in validate_record(record, REF) if i.is_error]
    assert [(i.code, i.field) for i in issues] == [("bad_check_digit", "guardian_id_number")]
    assert issues[0].display() == "受委托监护人身份证号:公民身份证号码校验位错误"


def test_id_must_agree_with_birth_date_and_sex(record: dict[str, Any]) -> None:
    record["birth_date"] = date(2014, 4, 4)
    record["sex"] = "male"
    assert codes(record) == {"id_birth_mismatch": "birth_date", "sex_mismatch": "sex"}
    messages = {i.message for i in validate_record(record, REF)}
    assert messages == {"出生日期与身份证号码不一致", "性别与身份证号码不一致"}


def test_datetime_birth_date_is_accepted(record: dict[str, Any]) -> None:
    record["birth_date"] = datetime(2014, 4, 3, 0, 0)
    assert validate_record(record, REF) == []


def test_missing_id_needs_reason_without_hukou(record: dict[str, Any]) -> None:
    record["id_number"] = None
    assert errors(record) == {"missing_id"}
    record["has_hukou"] = False
    assert errors(record) == {"missing_no_id_reason"}
    record["no_id_reason"] = "未办理出生登记"
    assert errors(record) == set()


@pytest.mark.parametrize(
    ("born", "code"),
    [
        (date(2010, 10, 1), None),  # 15 on the reference date
        (date(2010, 9, 30), "too_old"),  # 16th birthday on the reference date
        (date(2009, 6, 3), "too_old"),
        (date(2026, 9, 30), None),  # born on the reference date
        (date(2026, 10, 1), "future_birth"),
    ],
)
def test_age_limits(record: dict[str, Any], born: date, code: str | None) -> None:
    record["birth_date"] = born
    record["id_number"] = make_id_number("522626", born, 940)
    assert errors(record) == ({code} if code else set())


def test_too_old_message(record: dict[str, Any]) -> None:
    record["birth_date"] = date(2009, 6, 3)
    record["id_number"] = make_id_number("522626", date(2009, 6, 3), 940)
    [issue] = validate_record(record, REF)
    assert issue.message == "年龄已满16周岁,不属于留守儿童"


def test_places(record: dict[str, Any]) -> None:
    assert codes(record, townships={"羊桥土家族乡", "水尾镇"}) == {}
    assert codes(record, townships={"水尾镇"}) == {"unknown_township": "township"}
    [issue] = validate_record(record, REF, townships=["水尾镇"])
    assert issue.message == "乡镇(街道)不在本县行政区划内"
    assert codes(record, villages={"鱼塘村"}) == {"unknown_village": "village"}
    assert codes(record, villages={"羊桥土家族乡": ["红旗村"]}) == {}
    assert codes(record, villages={"羊桥土家族乡": ["龙洞村"]}) == {
        "village_not_in_township": "village"
    }


def test_place_names_are_compared_loosely(record: dict[str, Any]) -> None:
    record["township"] = "羊桥土家族乡 "
    record["village"] = "红旗村（社区）"
    assert codes(record, townships={"羊桥土家族乡"}, villages={"红旗村(社区)"}) == {}


def test_left_behind_definition(record: dict[str, Any]) -> None:
    record["both_parents_away"] = False
    assert codes(record) == {"not_left_behind": "both_parents_away"}
    record["one_parent_away_other_incapable"] = True
    assert codes(record) == {}
    record["both_parents_away"] = True
    assert codes(record) == {"parents_flags_conflict": "one_parent_away_other_incapable"}
    assert not has_errors(validate_record(record, REF))


def test_warnings_do_not_reject(record: dict[str, Any]) -> None:
    record.update(health="ill", illness=None, schooling=None, guardian_name=None)
    record["id_number"] = make_id_number("992626", date(2014, 4, 3), 940)
    issues = validate_record(record, REF)
    assert {i.code for i in issues} == {
        "missing_illness",
        "missing_value",
        "missing_guardian",
        "unknown_id_division",
    }
    assert all(i.severity == "warning" for i in issues)
    assert not has_errors(issues)


def test_issue_as_dict(record: dict[str, Any]) -> None:
    record["name"] = None
    [issue] = validate_record(record, REF)
    assert issue.as_dict() == {
        "code": "missing_name",
        "field": "name",
        "message": "姓名为空",
        "message_en": "Name is empty",
        "severity": "error",
        "detail": "",
    }


# ---------------------------------------------------------------- derived facts


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(2014, 4, 3), date(2026, 4, 2), 11),
        (date(2014, 4, 3), date(2026, 4, 3), 12),
        (date(2012, 2, 29), date(2026, 2, 28), 13),
        (date(2012, 2, 29), date(2026, 3, 1), 14),
    ],
)
def test_age_on(born: date, on: date, age: int) -> None:
    assert age_on(born, on) == age


@pytest.mark.parametrize(
    ("age", "band"),
    [
        (-1, None),
        (0, "0-5"),
        (5, "0-5"),
        (6, "6-13"),
        (13, "6-13"),
        (14, "14-16"),
        (15, "14-16"),
        (16, "16-17"),
        (17, "16-17"),
        (18, "18+"),
        (None, None),
    ],
)
def test_age_band(age: int | None, band: str | None) -> None:
    assert age_band(age) == band
    assert band is None or band in vocab.AGE_BANDS


@pytest.mark.parametrize(
    ("changes", "categories", "tier"),
    [
        ({}, (), "normal"),
        ({"guardianship_type": "none"}, ("no_guardian",), "urgent"),
        ({"guardianship_type": "parent_incapable"}, ("one_parent_incapable",), "urgent"),
        (
            {"both_parents_away": False, "one_parent_away_other_incapable": True},
            ("one_parent_incapable",),
            "urgent",
        ),
        ({"schooling": "dropped_out"}, ("dropout",), "key"),
        ({"schooling": "not_in_school"}, ("dropout",), "key"),
        ({"has_hukou": False}, ("no_hukou",), "key"),
        ({"health": "ill"}, ("ill",), "key"),
        (
            {"health": "disabled", "guardianship_type": "none"},
            ("no_guardian", "disabled"),
            "urgent",
        ),
    ],
)
def test_priority(
    record: dict[str, Any], changes: dict[str, Any], categories: tuple[str, ...], tier: str
) -> None:
    record.update(changes)
    derived = derive(record, REF)
    assert derived.categories == categories
    assert derived.tier == tier
    assert tier_of(categories) == tier


def test_not_in_school_counts_only_at_compulsory_school_age(record: dict[str, Any]) -> None:
    record["schooling"] = "not_in_school"
    assert priority_categories(record, 5) == ()
    assert priority_categories(record, 6) == ("dropout",)
    assert priority_categories(record, 15) == ("dropout",)
    assert priority_categories(record, 16) == ()
    record["schooling"] = "dropped_out"
    assert priority_categories(record, 16) == ("dropout",)


def test_derive(record: dict[str, Any]) -> None:
    derived = derive(record, REF)
    assert (derived.age, derived.age_band, derived.still_qualifies, derived.reason) == (
        12,
        "6-13",
        True,
        None,
    )
    assert derived.as_dict()["categories"] == []


def test_derive_turned_16(record: dict[str, Any]) -> None:
    derived = derive(record, date(2030, 4, 3))
    assert (derived.age, derived.age_band, derived.still_qualifies) == (16, "16-17", False)
    assert derived.reason == "turned_16"
    assert derived.reason_message == "已年满16周岁"


def test_derive_parents_returned(record: dict[str, Any]) -> None:
    record["both_parents_away"] = False
    derived = derive(record, REF)
    assert not derived.still_qualifies
    assert derived.reason == "parents_returned"


def test_derive_uses_the_id_when_birth_date_is_missing(record: dict[str, Any]) -> None:
    record["birth_date"] = None
    assert derive(record, REF).age == 12
    record["id_number"] = None
    assert derive(record, REF).age is None
