"""困境儿童 fields on the roster: export → import round trip, the 儿童类别 column, per-row errors."""
from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from app.children import imports, roster, services
from app.children.vocab import FIELD_LABELS
from app.core.dates import today_cn
from app.core.idcard import make_id_number
from app.core.models import Division

REF = date(2026, 9, 30)


def _difficulty_record(record, **over):
    born = date(2009, 5, 1)  # 17 on REF
    return record | {
        "birth_date": born, "id_number": make_id_number("522626", born, 940), "child_category": "difficulty",
        "both_parents_away": False, "one_parent_away_other_incapable": False,
        "difficulty_types": ["guardianship_2", "other"], "incapacity_reason": "prison", "is_orphan": False,
        "village_group": "5组", "has_disability_certificate": True, "disability_category": "physical",
        "disability_grade": "2", "health": "disabled", "disability": "肢体二级", "chronic_illness": False,
        "immunisation_up_to_date": True, "immunisation_checked_on": date(2026, 3, 1),
        "parents_away_since": None, "rural_hukou": True, "schooling": "senior",
    } | over


def test_full_export_round_trips_every_difficulty_field(record):
    child = _difficulty_record(record)
    buf = io.BytesIO()
    roster.write_roster([child], buf, fill_date=REF, include_extra=True)
    header = [c.value for c in load_workbook(io.BytesIO(buf.getvalue()))["花名册"][3]]
    assert {"儿童类别", "困境类型", "村民小组", "预防接种是否按时完成"} <= set(header)
    parsed = roster.parse_roster(buf.getvalue())
    assert parsed.rows[0].issues == []
    assert parsed.records() == [child]


def test_official_export_keeps_the_official_columns_only(record):
    buf = io.BytesIO()
    roster.write_roster([record], buf, fill_date=REF)
    header = [c.value for c in load_workbook(io.BytesIO(buf.getvalue()))["花名册"][3]]
    assert "儿童类别" not in header and "困境类型" not in header


LEFT_BEHIND_CLAIM = {"too_old", "not_left_behind"}  # 17, parents at home


@pytest.mark.parametrize(("category", "ok", "codes"), [
    ("困境", True, set()),
    ("留守且困境", False, LEFT_BEHIND_CLAIM),
    ("留守", False, LEFT_BEHIND_CLAIM),
    (None, False, LEFT_BEHIND_CLAIM),            # no value: 留守, as today's files
    ("孤残", False, {"bad_value"} | LEFT_BEHIND_CLAIM),
])
def test_the_category_column_decides_which_rules_apply(record, category, ok, codes):
    child = _difficulty_record(record)
    buf = io.BytesIO()
    roster.write_roster([child | {"child_category": None}], buf, fill_date=REF, include_extra=True)
    workbook = load_workbook(io.BytesIO(buf.getvalue()))
    sheet = workbook["花名册"]
    column = [c.value for c in sheet[3]].index("儿童类别") + 1
    sheet.cell(5, column).value = category
    out = io.BytesIO()
    workbook.save(out)
    row = roster.parse_roster(out.getvalue()).rows[0]
    assert row.ok is ok
    assert {i.code for i in row.issues if i.is_error} == codes


@pytest.mark.usefixtures("world")
def test_database_round_trip_of_a_child_in_difficulty(web, world, db):
    child = world.a.child
    born = date(today_cn().year - 17, 1, 2)
    values = _difficulty_record(services.record_of(child), birth_date=born,
                                id_number=make_id_number("522626", born, 951 if child.sex == "male" else 952),
                                sex=child.sex)
    for name in ("seq", "township", "village"):
        values.pop(name)
    services.save_child(None, child, values, on_date=today_cn())
    db.session.commit()
    assert (child.is_left_behind, child.is_in_difficulty) == (False, True)
    web.login("coordinator")
    export = web.get("/children/export.xlsx")
    county = db.session.get(Division, world.a.county.id)
    found = imports.preview(io.BytesIO(export.data), imports.load_scope(county))
    assert found.counts()["bad"] == 0, [r.reason() for r in found.bad_rows]
    assert found.counts()["unchanged"] == 2 and found.counts()["updates"] == 0
    assert {FIELD_LABELS["child_category"], FIELD_LABELS["difficulty_types"]} <= {
        c.value for c in load_workbook(io.BytesIO(export.data))["花名册"][3]}
