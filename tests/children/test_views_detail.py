"""The child's page: every field, derived facts, masked numbers and the audited reveal,
timeline, closing cases and the list of children who no longer qualify."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from app.children.models import Child
from app.core.audit import AuditEntry
from app.core.dates import today_cn
from app.core.idcard import make_id_number, mask_id_number
from app.matching.models import Pair
from tests import factories

pytestmark = pytest.mark.usefixtures("world")


def test_page_shows_every_field_derived_facts_and_masked_numbers(web, world):
    child = world.a.child
    web.login("coordinator")
    html = web.get(f"/children/{child.id}").get_data(as_text=True)
    for label in ("公民身份证号码", "父亲务工地点", "受委托监护人联系电话", "家庭经济来源", "救助帮扶情况",
                  "村(居)委会联系人", "同意书签署日期", "就学情况", "监护类型"):
        assert label in html
    assert mask_id_number(child.id_number) in html and child.id_number not in html
    assert "138****5678" in html and "13812345678" not in html
    assert "6-13岁" in html and "是否仍符合条件" in html and "符合" in html
    assert "未满14周岁，缺少同意书" in html
    assert "开始结对" in html  # the timeline has the pair


def test_reveal_is_audited_and_only_for_permitted_roles(web, world, db):
    child = world.a.child
    web.login("village_director")
    response = web.post(f"/children/{child.id}/reveal")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and child.id_number in html and "13812345678" in html
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "child.reveal_id"))
    assert entry.object_id == str(child.id) and "id_number" in entry.detail["fields"]
    web.browser.logout()
    web.login("volunteer")  # sees the paired child, but not the full numbers
    assert web.get(f"/children/{child.id}").status_code == 200
    assert web.post(f"/children/{child.id}/reveal").status_code == 403


def test_timeline_includes_reviews_and_care_activity(web, world, db):
    models = pytest.importorskip("app.activities.models")
    child = world.a.child
    db.session.add(models.CareLog(client_uuid="0" * 36, kind="visit", child_id=child.id,
                                  author_id=world.user("volunteer").id, volunteer_id=world.a.volunteer.id,
                                  occurred_on=today_cn(), participants=[], concerns=[]))
    db.session.commit()
    web.login("village_director")
    web.post(f"/children/{child.id}/review")
    html = web.get(f"/children/{child.id}").get_data(as_text=True)
    assert "入户看望" in html and "季度核实：无变化" in html and "开始结对" in html


def test_close_with_a_reason_ends_the_pair(web, world, db):
    child = world.a.child
    web.login("coordinator")
    assert web.post(f"/children/{child.id}/close", {"reason": ""}).status_code == 302
    db.session.refresh(child)
    assert child.status == "active"
    web.post(f"/children/{child.id}/close", {"reason": "随父母迁居外省"})
    db.session.refresh(child)
    assert child.status == "closed" and child.closed_reason == "随父母迁居外省" and child.closed_at == today_cn()
    pair = db.session.get(Pair, world.a.pair.id)
    assert pair.status == "closed" and "随父母迁居外省" in pair.end_reason
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "child.close"))
    assert entry.detail["changes"]["status"] == ["active", "closed"]
    assert "结案" in web.get(f"/children/{child.id}").get_data(as_text=True)


def _ineligible(world, db):
    today = today_cn()
    old_birth = date(today.year - 16, today.month, 1) if today.day > 1 else date(today.year - 17, 1, 1)
    old = factories.child(world.a.village, name="满十六", birth=old_birth,
                          id_number=make_id_number("522626", old_birth, 811))
    back = factories.child(world.a.village, name="父母返乡", both_parents_away=False,
                           one_parent_away_other_incapable=False, birth=date(today.year - 10, 2, 2),
                           id_number=make_id_number("522626", date(today.year - 10, 2, 2), 813))
    db.session.commit()
    return old, back


def test_ineligible_list_and_one_click_close(web, world, db):
    old, back = _ineligible(world, db)
    web.login("village_director")
    html = web.get("/children/ineligible").get_data(as_text=True)
    assert "满十六" in html and "已年满16周岁" in html
    assert "父母返乡" in html and "父母已返乡" in html
    assert world.a.child.name not in html
    response = web.post(f"/children/{old.id}/close", {"reason": "已年满16周岁", "code": "turned_16", "back": "ineligible"})
    assert response.headers["Location"].endswith("/children/ineligible")
    db.session.refresh(old)
    assert old.status == "closed"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "child.close"))
    assert entry.detail["code"] == "turned_16"
    web.browser.logout()
    web.login("village_director", "b")
    assert "父母返乡" not in web.get("/children/ineligible").get_data(as_text=True)
    assert web.post(f"/children/{back.id}/close", {"reason": "x"}).status_code == 404


def test_close_ineligible_command(app, world, db):
    old, back = _ineligible(world, db)
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["children", "close-ineligible", "--dry-run"])
    assert dry.exit_code == 0 and "满十六" in dry.output and "2 名儿童不再符合条件" in dry.output
    assert db.session.scalar(sa.select(Child.status).where(Child.id == old.id)) == "active"
    done = runner.invoke(args=["children", "close-ineligible"])
    assert done.exit_code == 0 and "已结案 2 名" in done.output
    db.session.expire_all()
    assert {db.session.get(Child, i).status for i in (old.id, back.id)} == {"closed"}
    assert db.session.get(Child, world.a.child.id).status == "active"


def test_out_of_scope_pages_are_404_and_school_staff_cannot_edit(web, world):
    web.login("village_director")
    for path in (f"/children/{world.b.child.id}", f"/children/{world.b.child.id}/form.xlsx"):
        assert web.get(path).status_code == 404
    web.browser.logout()
    web.login("school_staff")
    assert web.get(f"/children/{world.a.pupil.id}").status_code == 200
    assert web.post(f"/children/{world.a.pupil.id}/close", {"reason": "x"}).status_code == 403
    assert web.get("/children/ineligible").status_code == 403


def test_history_shows_who_changed_what(web, world, db):
    from app.children import services

    child = world.a.child
    services.save_child(world.user("coordinator"), child, {"guardian_phone": "13900001111"}, on_date=today_cn())
    db.session.commit()
    web.login("coordinator")
    html = web.get(f"/children/{child.id}").get_data(as_text=True)
    assert "coord_a" in html and "受委托监护人联系电话" in html
    assert "138****5678</del> → <ins>139****1111" in html
