"""Guardianship gaps: opened by the record, owned by the director, closed only with a capable guardian."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.children.services import save_child
from app.core.audit import AuditEntry
from app.core.dates import today_cn
from app.protection import services
from app.protection.models import DutyItem
from tests import factories


def gaps(db, child=None):
    stmt = sa.select(DutyItem).where(DutyItem.kind == "gap")
    if child is not None:
        stmt = stmt.where(DutyItem.child_id == child.id)
    return db.session.scalars(stmt.order_by(DutyItem.id)).all()


def test_saving_a_child_without_guardian_opens_one_gap_for_the_village_director(world, db):
    director = world.user("village_director")
    child = world.a.child
    save_child(director, child, {"guardianship_type": "none", "guardian_name": None}, on_date=today_cn())
    save_child(director, child, {"guardian_relation": "邻居"}, on_date=today_cn())  # a second save: still one
    [gap] = gaps(db, child)
    assert gap.status == "open" and gap.reason == "none" and gap.owner_id == director.id
    assert gap.deadline == today_cn() + timedelta(days=7)
    assert [s.action for s in gap.steps] == ["opened"]
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "duty.open")) is not None


@pytest.mark.parametrize("fields, reason", [
    ({"guardianship_type": "entrusted_weak"}, "entrusted_weak"),
    ({"guardianship_type": "parent_incapable", "guardian_name": None}, "parent_incapable"),
    ({"guardianship_type": "parent_incapable", "guardian_relation": "母亲"}, "parent_incapable"),
    ({"guardianship_type": "fair", "both_parents_away": False, "one_parent_away_other_incapable": True,
      "guardian_name": None}, "parent_incapable"),
])
def test_inadequate_guardianship_opens_a_gap(world, db, fields, reason):
    child = factories.child(world.a.village, name="小红", **fields)
    assert services.sync_child(None, child)[0].reason == reason


def test_capable_guardianship_opens_nothing_and_backfill_finds_the_old_children(world, db):
    assert services.sync_child(None, world.a.child) == []  # 监护情况一般 with a grandmother
    aunt = factories.child(world.a.village, name="姑姑带", guardianship_type="parent_incapable",
                           guardian_name="王姑姑", guardian_relation="姑姑")
    assert services.sync_child(None, aunt) == []  # an entrusted relative is recorded
    old = factories.child(world.b.village, name="旧档案", guardianship_type="none")
    opened = services.backfill(None)
    assert [(i.child_id, i.kind) for i in opened] == [(old.id, "gap")]
    assert opened[0].owner_id == world.user("village_director", "b").id
    assert services.backfill(None) == []  # nothing twice


def _gap(world, db):
    item = services.open_item(world.user("village_director"), world.a.child, "gap", "none")
    db.session.commit()
    return item


def test_a_gap_cannot_close_without_a_capable_confirmed_guardian(world, db):
    item = _gap(world, db)
    director = world.user("village_director")
    ok = services.GuardianInput("张三", "叔叔", "13900000000", "fair", confirmed=True)
    cases = [
        ("entrusted", services.GuardianInput("", "叔叔", confirmed=True), None, "guardian_name"),
        ("entrusted", services.GuardianInput("张三", "", confirmed=True), None, "guardian_relation"),
        ("entrusted", services.GuardianInput("张三", "叔叔", guardianship_type="none", confirmed=True), None,
         "guardianship_type"),
        ("entrusted", services.GuardianInput("张三", "叔叔", confirmed=False), None, "confirmed"),
        ("temporary", ok, None, "placement"),
        ("somehow", ok, None, "means"),
    ]
    for means, guardian, placement, field in cases:
        with pytest.raises(services.ProtectionError) as err:
            services.close_gap(director, item, means, today_cn(), guardian, placement=placement)
        assert err.value.field == field
        db.session.rollback()
    with pytest.raises(services.ProtectionError):
        services.close_item(director, item, "returned", today_cn(), "x")  # gaps close only with a guardian
    assert db.session.get(DutyItem, item.id).status == "open"


def test_closing_a_gap_writes_the_guardian_on_the_record_and_audits(world, db):
    item = _gap(world, db)
    director = world.user("village_director")
    services.close_gap(director, item, "temporary", today_cn(),
                       services.GuardianInput("水尾镇鱼塘村村委会", "村委会", "", "good", confirmed=True),
                       placement="village_committee", note="村委会临时照料")
    db.session.commit()
    child = world.a.child
    assert (child.guardian_name, child.guardian_relation, child.guardianship_type) == ("水尾镇鱼塘村村委会", "村委会", "good")
    assert item.status == "closed" and item.outcome == "temporary" and item.placement == "village_committee"
    assert item.closed_by_id == director.id and [s.action for s in item.steps] == ["opened", "closed"]
    actions = db.session.scalars(sa.select(AuditEntry.action).where(AuditEntry.user_id == director.id)).all()
    assert "child.guardian_confirmed" in actions and "duty.close" in actions
    with pytest.raises(services.ProtectionError):  # closed is final
        services.add_step(director, item, "note", today_cn(), "王主任", notes="再看看")


def test_the_director_closes_a_gap_in_the_browser_and_bad_input_keeps_what_was_typed(world, db, login):
    item = _gap(world, db)
    director = login("village_director")
    page = director.get(f"/duties/{item.id}")
    assert page.status_code == 200 and "落实有效监护并办结" in page.get_data(as_text=True)
    form = {"means": "entrusted", "guardian_name": "李四", "guardian_relation": "舅舅",
            "guardianship_type": "fair", "outcome_on": today_cn().isoformat(), "note": "舅舅回村照料"}
    bad = director.post(f"/duties/{item.id}/close", form, token_from=f"/duties/{item.id}")
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "请确认已核实该监护人具备监护能力" in html and 'value="李四"' in html
    good = director.post(f"/duties/{item.id}/close", {**form, "confirmed": "y"}, token_from=f"/duties/{item.id}")
    assert good.status_code == 302
    db.session.expire_all()
    assert db.session.get(DutyItem, item.id).outcome == "entrusted"
    assert world.a.child.guardian_name == "李四"
    listing = director.get("/duties/?kind=gap&status=closed&outcome=entrusted").get_data(as_text=True)
    assert world.a.child.name in listing


def test_items_out_of_scope_answer_404_and_school_staff_cannot_close_gaps(world, db, login):
    item = _gap(world, db)
    assert login("village_director", "b").get(f"/duties/{item.id}").status_code == 404
    assert login("coordinator", "b").get(f"/duties/{item.id}").status_code == 404
    assert login("coordinator").get(f"/duties/{item.id}").status_code == 200
    assert login("volunteer").get(f"/duties/{item.id}").status_code == 403
    pupil_gap = services.open_item(world.user("village_director"), world.a.pupil, "gap", "none")
    db.session.commit()
    school = login("school_staff")
    assert school.get(f"/duties/{pupil_gap.id}").status_code == 200
    refused = school.post(f"/duties/{pupil_gap.id}/close", {"means": "entrusted"}, token_from="/")
    assert refused.status_code == 403
    assert world.a.child.name not in school.get("/duties/").get_data(as_text=True)


def test_the_child_page_shows_the_gap_and_the_survey_proposes_a_report(world, db, login):
    director = world.user("village_director")
    save_child(director, world.a.child, {"guardianship_type": "none"}, on_date=today_cn())
    db.session.commit()
    browser = login("village_director")
    page = browser.get(f"/children/{world.a.child.id}").get_data(as_text=True)
    assert "监护待落实" in page and "强制报告" in page
    survey = browser.get("/duties/survey").get_data(as_text=True)
    assert world.a.child.name in survey and "提交强制报告" in survey
    report = browser.post(f"/duties/children/{world.a.child.id}/report",
                          {"concerns": ["alone"], "note": "独自在家"}, token_from=f"/duties/children/{world.a.child.id}/report")
    assert report.status_code == 302 and "/alert" in report.headers["Location"]
    survey = browser.get("/duties/survey").get_data(as_text=True)
    assert "已报告，处置中" in survey
