"""Dropout and hukou trackers, findings from visits (the 隐患台账), and who may open them."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.children.services import save_child
from app.core.dates import today_cn
from app.protection import services
from app.protection.models import DutyItem
from tests.activities.helpers import make_log


def items(db, kind):
    return db.session.scalars(sa.select(DutyItem).where(DutyItem.kind == kind).order_by(DutyItem.id)).all()


def test_flags_open_trackers_and_registering_hukou_updates_the_record(world, db):
    director = world.user("village_director")
    save_child(director, world.a.pupil, {"schooling": "dropped_out", "has_hukou": False}, on_date=today_cn())
    [dropout], [hukou] = items(db, "dropout"), items(db, "hukou")
    assert dropout.detail["school"] == world.a.school.name and dropout.owner_id == director.id
    services.add_step(director, hukou, "applied", today_cn(), "王主任", notes="水尾镇派出所")
    assert hukou.detail["police_station"] == "水尾镇派出所"
    services.close_item(director, hukou, "registered", today_cn(), "已登记")
    assert world.a.pupil.has_hukou is True and hukou.status == "closed"


def test_dropout_steps_need_their_facts(world, db):
    director = world.user("village_director")
    item = services.open_item(director, world.a.pupil, "dropout", "dropped_out",
                              on_date=today_cn() - timedelta(days=5))
    for action, kwargs, field in [("attempt", {}, "result"), ("written_report", {}, "notes"),
                                  ("applied", {}, "action"), ("attempt", {"result": "agreed", "person": ""}, "person")]:
        with pytest.raises(services.ProtectionError) as err:
            services.add_step(director, item, action, today_cn(), kwargs.pop("person", "校长"), **kwargs)
        assert err.value.field == field
    with pytest.raises(services.ProtectionError) as err:
        services.add_step(director, item, "attempt", today_cn() + timedelta(days=1), "校长", result="agreed")
    assert err.value.field == "on_date"
    services.add_step(director, item, "attempt", today_cn(), "校长", result="refused")
    services.add_step(director, item, "written_report", today_cn(), "校长", notes="已书面报告县教育局")
    with pytest.raises(services.ProtectionError) as err:
        services.close_item(director, item, "returned", today_cn(), "")
    assert err.value.field == "note"
    with pytest.raises(services.ProtectionError) as err:  # back at school: at which level?
        services.close_item(director, item, "returned", today_cn(), "回校")
    assert err.value.field == "schooling"
    services.close_item(director, item, "returned", today_cn(), "回校",
                        schooling=services.Schooling("junior", "水尾中学", "初二"))
    assert [s.action for s in item.steps] == ["opened", "attempt", "written_report", "closed"]
    pupil = world.a.pupil
    assert (pupil.schooling, pupil.school_name, pupil.grade) == ("junior", "水尾中学", "初二")


def test_school_staff_open_a_dropout_item_for_their_pupil_only(world, db, login):
    school = login("school_staff")
    path = f"/duties/children/{world.a.pupil.id}/new"
    bad = school.post(path, {"kind": "dropout", "summary": ""}, token_from=path)
    assert bad.status_code == 400 and "请写明发现了什么情况" in bad.get_data(as_text=True)
    ok = school.post(path, {"kind": "dropout", "summary": "连续两周未到校"}, token_from=path)
    assert ok.status_code == 302
    [item] = items(db, "dropout")
    assert item.created_by_id == world.user("school_staff").id and item.summary == "连续两周未到校"
    step = school.post(f"/duties/{item.id}/steps", {"action": "attempt", "on_date": today_cn().isoformat(),
                                                    "person": "龙老师", "result": "agreed"},
                       token_from=f"/duties/{item.id}")
    assert step.status_code == 302
    refused = school.post(path, {"kind": "finding", "reason": "hazard", "summary": "x"}, token_from=path)
    assert refused.status_code == 400  # findings are the director's
    assert school.get(f"/duties/children/{world.a.child.id}/new").status_code == 404  # not their pupil


def test_a_visit_with_a_hazard_and_a_need_creates_items_for_the_director(world, db, login):
    volunteer = world.user("volunteer")
    result = make_log(volunteer, world.a.child, "visit", safety={"wiring": "problem", "doors": "ok"},
                      needs="需要一件冬衣", living_conditions="灶台旁电线裸露")
    db.session.commit()
    found = items(db, "finding")
    assert [(i.reason, i.log_id) for i in found] == [("hazard", result.log.id), ("need", result.log.id)]
    assert "用电线路" in found[0].summary and found[0].owner_id == world.user("village_director").id
    ledger = login("village_director").get("/duties/?kind=finding&reason=hazard").get_data(as_text=True)
    assert world.a.child.name in ledger and "安全隐患" in ledger
    make_log(volunteer, world.a.child, "talk")  # nothing to follow up: no item
    assert len(items(db, "finding")) == 2


def test_a_dropout_back_at_school_updates_the_record_through_the_form(world, db, login):
    """School staff close their pupil's dropout item; the record's 就学 follows (no more 辍学)."""
    director, pupil = world.user("village_director"), world.a.pupil
    save_child(director, pupil, {"schooling": "dropped_out"}, on_date=today_cn())
    db.session.commit()
    [item] = items(db, "dropout")
    assert "dropout" in pupil.categories
    school = login("school_staff")
    path = f"/duties/{item.id}/close"
    form = {"outcome": "returned", "outcome_on": today_cn().isoformat(), "note": "已回校读五年级", "grade": "五年级"}
    missing = school.post(path, form, token_from=f"/duties/{item.id}")
    text = missing.get_data(as_text=True)
    assert missing.status_code == 400 and "请选择返校后的就学阶段" in text
    assert "已回校读五年级" in text and 'value="五年级"' in text  # nothing typed is lost
    ok = school.post(path, {**form, "schooling": "primary"}, token_from=f"/duties/{item.id}")
    assert ok.status_code == 302
    db.session.expire_all()
    pupil = db.session.get(type(pupil), pupil.id)
    assert (pupil.schooling, pupil.grade) == ("primary", "五年级") and "dropout" not in pupil.categories
    assert items(db, "dropout")[0].status == "closed" and len(items(db, "dropout")) == 1
    deferred = services.open_item(director, pupil, "dropout", "dropped_out")
    services.close_item(director, deferred, "exempt", today_cn(), "因病休学一年")
    assert pupil.schooling == "not_in_school"
