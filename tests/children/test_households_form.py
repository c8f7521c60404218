"""The child form for 困境儿童 and households: a 17-year-old not left-behind, siblings, assistance."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.children.models import Child, Household
from app.core.dates import today_cn
from app.core.idcard import make_id_number
from tests.children.test_views_form import form_data

pytestmark = pytest.mark.usefixtures("world")

TODAY = today_cn()
BORN_17 = date(TODAY.year - 17, 1, 1) if TODAY.month > 1 else date(TODAY.year - 18, 2, 1)
NUMBER_17 = make_id_number("522626", BORN_17, 711)  # male


def _difficulty(world, **over) -> dict:
    """A 17-year-old boy in difficulty whose parents are at home (not left-behind)."""
    values = dict(name="李困境", sex="male", birth_date=BORN_17.isoformat(), id_number=NUMBER_17,
                  both_parents_away=None, child_category="difficulty", difficulty_types=["guardianship_1"],
                  schooling="senior", school_id="", school_name="县一中", consent_guardian_name=None,
                  consent_date=None)
    return form_data(world, **(values | over))


def _child(db, number) -> Child:
    return db.session.scalar(sa.select(Child).where(Child.id_number == number))


def test_a_17_year_old_in_difficulty_who_is_not_left_behind_is_registered(web, world, db):
    web.login("village_director")
    response = web.post("/children/new", _difficulty(world))
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    child = _child(db, NUMBER_17)
    assert (child.child_category, child.is_left_behind, child.is_in_difficulty) == ("difficulty", False, True)
    assert child.difficulty_types == ["guardianship_1"]
    page = web.get(f"/children/{child.id}").get_data(as_text=True)
    assert "困境" in page and "父母双方重残重病或服刑戒毒或弃养" in page and "16-17岁" in page


def test_the_same_child_declared_left_behind_is_refused_with_the_reasons(web, world, db):
    web.login("village_director")
    response = web.post("/children/new", _difficulty(world, child_category="left_behind"))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "年龄已满16周岁,不属于留守儿童" in page and "不属于留守儿童" in page
    assert 'value="李困境"' in page  # nothing typed is lost
    assert _child(db, NUMBER_17) is None


def test_difficulty_without_a_type_is_refused_on_the_form(web, world, db):
    web.login("village_director")
    page = web.post("/children/new", _difficulty(world, difficulty_types=[])).get_data(as_text=True)
    assert "儿童类别为困境,但未选择困境类型,也不是孤儿" in page
    assert _child(db, NUMBER_17) is None


def test_siblings_share_a_household_its_guardian_and_address(web, world, db):
    web.login("village_director")
    first = web.post("/children/new", form_data(world, village_group="3组", household_id="new"))
    assert first.status_code == 302, first.get_data(as_text=True)[:3000]
    elder = db.session.scalar(sa.select(Child).where(Child.name == "张小花"))
    household = elder.household
    assert household is not None and household.division_id == world.a.village.id
    assert (household.guardian_name, household.address, household.village_group) == ("张奶奶", "a村3组", "3组")
    # the younger sibling joins the household; guardian and address come from it
    born = date(TODAY.year - 6, 3, 1)
    number = make_id_number("522626", born, 713)
    data = form_data(world, name="张小草", sex="male", birth_date=born.isoformat(), id_number=number,
                     household_id=str(household.id), guardian_name="", guardian_phone="", current_address="")
    second = web.post("/children/new", data)
    assert second.status_code == 302, second.get_data(as_text=True)[:3000]
    younger = _child(db, number)
    assert younger.household_id == household.id
    assert (younger.guardian_name, younger.current_address, younger.village_group) == ("张奶奶", "a村3组", "3组")
    page = web.get(f"/children/{younger.id}").get_data(as_text=True)
    assert "同户的兄弟姐妹" in page and f'/children/{elder.id}"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Household)) == 1


def test_a_household_of_another_village_cannot_be_joined(web, world, db):
    other = Household(division_id=world.b.village.id, guardian_name="外村")
    db.session.add(other)
    db.session.commit()
    web.login("coordinator")
    response = web.post("/children/new", form_data(world, household_id=str(other.id)))
    assert response.status_code == 302
    child = db.session.scalar(sa.select(Child).where(Child.name == "张小花"))
    assert child.household_id is None  # not offered to this user: ignored


def test_assistance_records_with_amount_and_dates(web, world, db):
    web.login("village_director")
    data = form_data(world, **{
        "assistance_rows-0-programme": "subsistence", "assistance_rows-0-amount": "320",
        "assistance_rows-0-start_date": "2026-01-01",
        "assistance_rows-1-programme": "education", "assistance_rows-1-amount": "",
    })
    data.pop("assistance")
    response = web.post("/children/new", data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    child = db.session.scalar(sa.select(Child).where(Child.name == "张小花"))
    rows = [(r.programme, r.amount, r.start_date) for r in child.assistance_records]
    assert rows == [("subsistence", Decimal("320.00"), date(2026, 1, 1)), ("education", None, None)]
    assert child.assistance == ["subsistence", "education"]
    assert child.is_in_difficulty  # 低保: 生活困境 is derived
    assert child.child_category == "left_behind" and child.is_left_behind
    edit = web.get(f"/children/{child.id}/edit").get_data(as_text=True)
    assert 'name="assistance_rows-0-amount"' in edit and 'value="320.00"' in edit
    assert 'name="assistance_rows-2-programme"' in edit  # an empty row to add one more
