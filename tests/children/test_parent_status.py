"""The guardianship-difficulty types ①-④ of seed 001, derived from the parents' situations
where both are recorded, chosen by hand where not."""
from __future__ import annotations

import io
from datetime import date

import pytest

from app.children import roster
from app.children.difficulty import difficulty_types, parents_guardianship_type
from app.children.facts import derive
from app.children.rules import validate_record
from tests.children.test_categories import REF, in_difficulty
from tests.children.test_roster import OFFICIAL, TITLE_ROWS, combined, data_row


@pytest.mark.parametrize(("father", "mother", "expected"), [
    # ① both parents ill or disabled, both in custody, both abandoning
    ("ill", "disabled", "guardianship_1"), ("prison", "rehab", "guardianship_1"),
    ("abandoned", "abandoned", "guardianship_1"),
    # ② one ill or disabled, the other in custody or abandoning
    ("disabled", "prison", "guardianship_2"), ("abandoned", "ill", "guardianship_2"),
    # ③ one abandoning, the other in custody
    ("abandoned", "rehab", "guardianship_3"), ("prison", "abandoned", "guardianship_3"),
    # ④ one dead or missing, the other ill, in custody or abandoning
    ("dead", "ill", "guardianship_4"), ("missing", "prison", "guardianship_4"), ("abandoned", "dead", "guardianship_4"),
    # no guardianship difficulty: a parent able to care; both dead or missing is an orphan
    ("capable", "prison", None), ("ill", "capable", None), ("dead", "missing", None), ("capable", "capable", None),
])
def test_each_pair_of_situations_gives_its_type(father, mother, expected):
    assert parents_guardianship_type({"father_status": father, "mother_status": mother}) == (True, expected)


@pytest.mark.parametrize("statuses", [{}, {"father_status": "prison"}, {"mother_status": "dead", "father_status": "x"}])
def test_without_both_situations_the_type_is_chosen(statuses):
    assert parents_guardianship_type(statuses) == (False, None)
    assert difficulty_types({"difficulty_types": ["guardianship_3"], **statuses}) == ("guardianship_3",)


def test_the_derived_type_replaces_a_chosen_guardianship_type_only(record):
    child = in_difficulty(record, difficulty_types=["guardianship_1", "other"], father_status="disabled",
                          mother_status="prison", chronic_illness=True)
    assert difficulty_types(child) == ("guardianship_2", "self", "other")
    assert derive(child, REF).in_difficulty


def test_a_parent_able_to_care_leaves_no_guardianship_type_to_claim(record):
    child = in_difficulty(record, difficulty_types=["guardianship_1"], father_status="capable", mother_status="ill")
    assert "no_difficulty_type" in {i.code for i in validate_record(child, REF) if i.is_error}
    assert not derive(child, REF).in_difficulty


def test_no_type_chosen_but_derivable_is_accepted(record):
    child = in_difficulty(record, difficulty_types=[], father_status="dead", mother_status="abandoned")
    assert not [i for i in validate_record(child, REF) if i.is_error]
    assert derive(child, REF).in_difficulty


def test_the_roster_reads_the_situations_in_every_header_form(xlsx, make_child):
    child = make_child(1) | {"father_status": "服刑", "mother_status": "已故", "child_category": "留守且困境"}
    flat = [*OFFICIAL, ("father_status", None, "父亲状况"), ("mother_status", None, "母亲状况"),
            ("child_category", None, "儿童类别")]
    [row] = roster.parse_roster(xlsx([*TITLE_ROWS, *combined(flat), data_row(child, flat)])).rows
    assert (row.record["father_status"], row.record["mother_status"]) == ("prison", "dead")
    assert difficulty_types(row.record) == ("guardianship_4", "living")  # 低保: 生活困境
    grouped = [("father_status", "父亲", "状况") if c[0] == "father_phone" else c for c in OFFICIAL]
    grouped.insert(grouped.index(("father_status", "父亲", "状况")), ("father_phone", "父亲", "联系电话"))
    top = [g or h for _, g, h in grouped]
    bottom = [h if g else None for _, g, h in grouped]
    [row] = roster.parse_roster(xlsx([*TITLE_ROWS, top, bottom, data_row(child, grouped)])).rows
    assert row.record["father_status"] == "prison"


def test_bad_situation_is_reported_and_export_round_trips(record, xlsx, make_child):
    child = make_child(2) | {"mother_status": "出国"}
    flat = [*OFFICIAL, ("mother_status", None, "母亲状况")]
    [row] = roster.parse_roster(xlsx([*TITLE_ROWS, *combined(flat), data_row(child, flat)])).rows
    assert "母亲状况" in row.reason()
    full = record | {"father_status": "abandoned", "mother_status": "rehab", "registered_on": date(2026, 1, 5)}
    buf = io.BytesIO()
    roster.write_roster([full], buf, fill_date=REF, include_extra=True)
    assert roster.parse_roster(buf.getvalue()).records() == [full]
