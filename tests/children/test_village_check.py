"""The village's household-by-household check (逐户核查): households by 村民小组 with their
children, ticking a household (dated, audited, who), counts, scope, CSRF, Excel, and households
made on import from the guardian and the address."""
from __future__ import annotations

import io
from datetime import date

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.children import imports, roster
from app.children.models import Child, Household, HouseholdCheck
from app.children.village_check import quarter_start
from app.core.audit import AuditEntry
from app.core.dates import today_cn
from app.core.models import Division
from tests.children.test_import_views import _record

pytestmark = pytest.mark.usefixtures("world")


def _household(db, world, region="a", group="3组", head="杨秀英", names=("杨思远", "杨思琪")) -> Household:
    r = getattr(world, region)
    house = Household(division_id=r.village.id, village_group=group, head_name=head, guardian_name=head,
                      guardian_relation="祖母", address=f"{r.village.name}{group}8号")
    db.session.add(house)
    kids = [r.child] if region == "a" and names == ("杨思远", "杨思琪") else []
    for child in kids:
        child.household = house
    r.pupil.household = house if kids else None
    db.session.commit()
    return house


def _checks(db, house) -> list[HouseholdCheck]:
    return db.session.scalars(sa.select(HouseholdCheck).where(HouseholdCheck.household_id == house.id)).all()


def test_director_sees_the_villages_households_by_group_and_ticks_one(web, world, db):
    house = _household(db, world)
    other = Household(division_id=world.a.village.id, village_group="10组", head_name="张大山", guardian_name="张大山",
                      address="a村10组1号")
    db.session.add(other)
    db.session.commit()
    web.login("village_director")
    start = web.get("/children/households")  # one village: straight to it
    assert start.status_code == 302 and f"/households/village/{world.a.village.id}" in start.headers["Location"]
    page = web.get(f"/children/households/village/{world.a.village.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "3组" in html and world.a.child.name in html and world.a.pupil.name in html
    assert "10组" not in html  # a household without a child on the roster is not counted
    assert '<span class="stat-num">1</span><span class="stat-label">户数' in html
    assert '<span class="stat-num">0</span><span class="stat-label">已核查' in html
    done = web.post(f"/children/households/{house.id}/check")
    assert done.status_code == 302
    [check] = _checks(db, house)
    director = world.user("village_director")
    assert (check.checked_on, check.checked_by_id) == (today_cn(), director.id)
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "household.check")).one()
    assert entry.user_id == director.id and entry.object_id == str(house.id)
    assert sorted(entry.detail["children"]) == sorted([world.a.child.id, world.a.pupil.id])
    html = web.get(f"/children/households/village/{world.a.village.id}").get_data(as_text=True)
    assert '<span class="stat-num">1</span><span class="stat-label">已核查' in html
    assert director.display_name in html and "核查无误</button>" not in html
    web.post(f"/children/households/{house.id}/check")  # a second tap: no second check
    assert len(_checks(db, house)) == 1


def test_a_check_of_the_last_quarter_does_not_count_now(web, world, db):
    house = _household(db, world)
    last_quarter = quarter_start(today_cn()).replace(day=1) - date.resolution
    db.session.add(HouseholdCheck(household_id=house.id, checked_on=last_quarter))
    db.session.commit()
    web.login("village_director")
    html = web.get(f"/children/households/village/{world.a.village.id}").get_data(as_text=True)
    assert '<span class="stat-num">0</span><span class="stat-label">已核查' in html and "上次核查" in html
    past = web.get(f"/children/households/village/{world.a.village.id}?since={last_quarter.isoformat()}")
    assert '<span class="stat-num">1</span><span class="stat-label">已核查' in past.get_data(as_text=True)


def test_children_without_a_household_are_listed(web, world, db):
    web.login("village_director")
    html = web.get(f"/children/households/village/{world.a.village.id}").get_data(as_text=True)
    assert "未建户的在册儿童" in html and world.a.child.name in html
    assert '<span class="stat-num">2</span><span class="stat-label">未建户儿童' in html


def test_out_of_scope_villages_and_households_are_404(web, world, db):
    mine, theirs = _household(db, world), _household(db, world, "b", names=())
    theirs_child = world.b.child
    theirs_child.household = theirs
    db.session.commit()
    web.login("village_director")
    assert web.get(f"/children/households/village/{world.b.village.id}").status_code == 404
    assert web.get(f"/children/households/village/{world.a.township.id}").status_code == 404  # not a village
    assert web.get(f"/children/households/village/{world.b.village.id}.xlsx").status_code == 404
    assert web.post(f"/children/households/{theirs.id}/check").status_code == 404
    assert web.post("/children/households/999999/check").status_code == 404
    assert _checks(db, theirs) == [] and mine.id


@pytest.mark.parametrize("role", ["volunteer", "school_staff", "auditor", "township_supervisor"])
def test_roles_that_do_not_keep_the_roster_cannot_check(web, world, db, role):
    house = _household(db, world)
    web.login(role)
    assert web.get(f"/children/households/village/{world.a.village.id}").status_code == 403
    assert web.post(f"/children/households/{house.id}/check").status_code == 403
    assert _checks(db, house) == []


def test_a_tick_without_the_csrf_token_is_refused(web, world, db, browser):
    house = _household(db, world)
    web.login("village_director")
    response = browser.client.post(f"/children/households/{house.id}/check", data={})
    assert response.status_code in (302, 400)
    assert _checks(db, house) == []


def test_coordinator_sees_every_village_and_exports_one(web, world, db):
    from tests.factories import division

    house = _household(db, world)
    division(world.a.village.code[:9] + "299", "新寨村", world.a.township)
    db.session.commit()
    web.login("coordinator")
    index = web.get("/children/households")
    assert index.status_code == 200 and "新寨村" in index.get_data(as_text=True)
    assert "1 户，已核查 0 户" in index.get_data(as_text=True)
    assert world.b.village.name not in index.get_data(as_text=True)
    web.post(f"/children/households/{house.id}/check")
    export = web.get(f"/children/households/village/{world.a.village.id}.xlsx")
    assert export.status_code == 200
    rows = list(load_workbook(io.BytesIO(export.data)).active.values)
    assert rows[1][:5] == ("村民小组", "户主", "监护人", "住址", "儿童姓名")
    body = {r[4]: r for r in rows[2:]}
    assert set(body) == {world.a.child.name, world.a.pupil.name}
    assert body[world.a.child.name][0] == "3组" and body[world.a.child.name][8] is not None
    assert "身份证" not in str(rows)


def test_import_links_siblings_by_guardian_and_address(world, db):
    county = db.session.get(Division, world.a.county.id)
    same = {"guardian_name": "杨秀英", "current_address": "岑巩县a镇a村3组8号"}
    rows = [_record(0, **same), _record(1, **(same | {"current_address": "岑巩县 a镇a村3组8号"})),
            _record(2, guardian_name="王奶奶", current_address="岑巩县a镇a村1组")]
    buf = io.BytesIO()
    roster.write_roster(rows, buf, fill_date=today_cn(), include_extra=True)
    scope = imports.load_scope(county)
    found = imports.preview(io.BytesIO(buf.getvalue()), scope)
    imports.save(found, scope, None, on_date=today_cn())
    db.session.commit()
    houses = dict(db.session.execute(sa.select(Child.name, Child.household_id).where(
        Child.name.in_(["导入儿童0", "导入儿童1", "导入儿童2"]))).all())
    assert houses["导入儿童0"] == houses["导入儿童1"] != houses["导入儿童2"]
    assert None not in houses.values()
