"""Child categories: left-behind (留守), in difficulty (困境) or both, and the 16/18 boundaries."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from app.children.facts import derive
from app.children.rules import difficulty_types, validate_record
from app.core.idcard import make_id_number

REF = date(2026, 9, 30)


def born_on(record: dict[str, Any], born: date) -> dict[str, Any]:
    """The record with another birth date (and a matching ID number)."""
    number = make_id_number("522626", born, 123 if record["sex"] == "male" else 124)
    return {**record, "birth_date": born, "id_number": number}


def aged(record: dict[str, Any], years: int, *, birthday_today: bool = True) -> dict[str, Any]:
    """The record of a child who turns ``years`` on REF (or the day after, when not)."""
    born = date(REF.year - years, REF.month, REF.day) + timedelta(days=0 if birthday_today else 1)
    return born_on(record, born)


def errors(record: dict[str, Any]) -> set[str]:
    return {i.code for i in validate_record(record, REF) if i.is_error}


def in_difficulty(record: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A child in difficulty only: parents at home, a guardianship-difficulty type chosen."""
    return {**record, "child_category": "difficulty", "both_parents_away": False,
            "one_parent_away_other_incapable": False, "difficulty_types": ["guardianship_1"], **extra}


# ---------------------------------------------------------------- left-behind rules


def test_absent_category_means_left_behind_as_in_todays_files(record):
    no_parent_flag = {**record, "both_parents_away": False, "one_parent_away_other_incapable": False}
    assert record["child_category"] is None
    assert errors(no_parent_flag) == {"not_left_behind"}
    derived = derive(record, REF)
    assert (derived.left_behind, derived.in_difficulty, derived.category) == (True, False, "left_behind")


def test_one_parent_away_the_other_incapable_is_left_behind(record):
    one = {**record, "both_parents_away": False, "one_parent_away_other_incapable": True,
           "incapacity_reason": "prison"}
    assert errors(one) == set()
    assert derive(one, REF).left_behind


@pytest.mark.parametrize(("since", "ok"), [
    (date(2026, 3, 30), True),   # exactly half a year before the reference date
    (date(2026, 3, 31), False),  # a day short of half a year
    (date(2026, 4, 1), False),
    (date(2020, 1, 1), True),
    (None, True),                # no departure month recorded: the ticked flags decide
])
def test_parents_away_at_least_half_a_year(record, since, ok):
    away = {**record, "parents_away_since": since}
    assert ("away_too_short" not in errors(away)) is ok
    assert derive(away, REF).left_behind is ok


def test_urban_hukou_is_not_a_rural_left_behind_child(record):
    urban = {**record, "rural_hukou": False}
    assert errors(urban) == {"not_rural"}
    assert not derive(urban, REF).left_behind


@pytest.mark.parametrize(("years", "birthday_today", "left_behind"), [
    (15, True, True),
    (16, False, True),   # turns 16 tomorrow: still 15
    (16, True, False),   # the 16th birthday is the reference date
])
def test_left_behind_ends_on_the_16th_birthday(record, years, birthday_today, left_behind):
    child = aged(record, years, birthday_today=birthday_today)
    assert ("too_old" not in errors(child)) is left_behind
    derived = derive(child, REF)
    assert derived.left_behind is left_behind
    assert derived.still_qualifies is left_behind
    if not left_behind:
        assert derived.reason == "turned_16"


# ---------------------------------------------------------------- in difficulty


def test_a_child_in_difficulty_need_not_be_left_behind(record):
    child = in_difficulty(record)
    assert errors(child) == set()
    derived = derive(child, REF)
    assert (derived.left_behind, derived.in_difficulty, derived.category) == (False, True, "difficulty")
    assert derived.difficulty_types == ("guardianship_1",)


def test_difficulty_without_any_type_is_refused(record):
    assert errors(in_difficulty(record, difficulty_types=[])) == {"no_difficulty_type"}


def test_an_orphan_is_in_difficulty_without_a_type(record):
    orphan = in_difficulty(record, difficulty_types=[], is_orphan=True, orphan_care="dispersed")
    assert validate_record(orphan, REF) == []
    assert derive(orphan, REF).in_difficulty


def test_an_orphan_without_care_arrangement_is_warned(record):
    issues = validate_record(in_difficulty(record, is_orphan=True), REF)
    assert [(i.code, i.is_error) for i in issues] == [("missing_orphan_care", False)]


@pytest.mark.parametrize(("changes", "derived"), [
    ({"health": "disabled", "disability": "肢体二级"}, ("self",)),
    ({"chronic_illness": True}, ("self",)),
    ({"assistance": ["subsistence"]}, ("living",)),
    ({"difficulty_types": ["guardianship_4", "other"]}, ("guardianship_4", "other")),
    ({}, ()),
])
def test_own_and_living_difficulty_are_derived(record, changes, derived):
    assert difficulty_types({**record, "difficulty_types": [], **changes}) == derived


def test_a_disabled_left_behind_child_is_both(record):
    child = {**record, "health": "disabled", "disability": "听力三级"}
    derived = derive(child, REF)
    assert derived.category == "both"


def test_both_needs_both_sets_of_facts(record):
    both = {**record, "child_category": "both", "difficulty_types": ["living"]}
    assert errors(both) == set()
    assert errors({**both, "both_parents_away": False}) == {"not_left_behind"}
    assert errors({**both, "difficulty_types": [], "assistance": []}) == {"no_difficulty_type"}


@pytest.mark.parametrize(("years", "birthday_today", "ok"), [
    (16, True, True),
    (17, True, True),
    (18, False, True),   # turns 18 tomorrow
    (18, True, False),   # the 18th birthday is the reference date
])
def test_a_child_in_difficulty_stays_to_18(record, years, birthday_today, ok):
    child = aged(in_difficulty(record), years, birthday_today=birthday_today)
    assert ("too_old_difficulty" not in errors(child)) is ok
    assert "too_old" not in errors(child)  # 16 ends only the left-behind status
    derived = derive(child, REF)
    assert derived.in_difficulty is ok and derived.still_qualifies is ok
    assert derived.reason == (None if ok else "turned_18")


def test_turning_16_ends_only_the_left_behind_status(record):
    both = aged({**record, "child_category": "both", "difficulty_types": ["guardianship_2"]}, 16)
    derived = derive(both, REF)
    assert (derived.left_behind, derived.in_difficulty, derived.still_qualifies) == (False, True, True)
    assert derived.age_band == "16-17"
    assert "too_old" in errors(both)  # declared left-behind too: the claim no longer holds
    assert errors({**both, "child_category": "difficulty"}) == set()


@pytest.mark.parametrize(("schooling", "ok"), [("vocational", True), ("higher", True), ("senior", True),
                                                ("not_in_school", False)])
def test_orphans_in_study_stay_beyond_18(record, schooling, ok):
    orphan = aged(in_difficulty(record, difficulty_types=[], is_orphan=True, orphan_care="centralised",
                                schooling=schooling), 19)
    assert ("too_old_difficulty" not in errors(orphan)) is ok
    derived = derive(orphan, REF)
    assert derived.in_difficulty is ok
    assert derived.age_band == "18+"


def test_unknown_category_value_is_reported(record):
    assert errors({**record, "child_category": "孤残"}) == {"bad_value"}
