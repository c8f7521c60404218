"""On a 390-px phone a village director sees the urgent child whose weekly check is overdue,
records the check (a bad date first: the message, nothing typed lost), and the list shows it
done; a coordinator assigns a village group and sees compliance; nothing is wider than the screen."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from app.auth.models import User
from app.core.dates import today_cn
from app.extensions import db
from app.rounds.models import Assignment, RoundCheck
from tests import factories


def _no_horizontal_scroll(device) -> None:
    assert device.js("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), \
        device.js("() => [document.documentElement.scrollWidth, window.innerWidth]")


def _setup(live_server) -> int:
    with live_server.app.app_context():
        director = db.session.scalar(sa.select(User).where(User.username == "director_a"))
        director.created_at = datetime.now(timezone.utc) - timedelta(days=60)
        child = factories.child(director.division, name="龙小雨", village_group="3组")
        child.tier, child.registered_on = "urgent", today_cn() - timedelta(days=60)
        db.session.commit()
        child_id = child.id
        db.session.remove()
    return child_id


def test_director_records_an_overdue_weekly_check(phone, live_server):
    child_id = _setup(live_server)
    page = phone.page
    phone.login("director_a")
    phone.go("/rounds/")
    row = page.locator("tr", has_text="龙小雨")
    assert "已逾期" in row.inner_text()
    _no_horizontal_scroll(phone)
    row.get_by_role("link", name="记录检查").click()
    page.wait_for_load_state()
    _no_horizontal_scroll(phone)
    page.fill("#checked_on", (today_cn() + timedelta(days=3)).isoformat())
    page.check("input[name=method][value=home_visit]")
    page.check("input[name=finding][value=ok]")
    page.fill("#note", "奶奶在家，孩子作业已完成")
    page.click("button.btn-primary")
    page.wait_for_load_state()
    assert "检查日期不能晚于今天" in page.inner_text("main")
    assert page.input_value("#note") == "奶奶在家，孩子作业已完成"
    assert page.is_checked("input[name=method][value=home_visit]")
    page.fill("#checked_on", today_cn().isoformat())
    page.click("button.btn-primary")
    page.wait_for_load_state()
    assert page.url.endswith("/rounds/")
    assert "已完成" in page.locator("tr", has_text="龙小雨").inner_text()
    assert live_server.count(RoundCheck, RoundCheck.child_id == child_id) == 1
    assert phone.problems == []


def test_coordinator_assigns_a_village_group(phone, live_server):
    _setup(live_server)
    page = phone.page
    phone.login("coord_a")
    phone.go("/rounds/assignments")
    _no_horizontal_scroll(phone)
    director_id = live_server.query(sa.select(User.id).where(User.username == "director_a"))[0][0]
    village_id = live_server.query(sa.select(User.division_id).where(User.id == director_id))[0][0]
    page.select_option("#user_id", str(director_id))
    page.check("input[name=kind][value=group]")
    page.select_option("#division_id", str(village_id))
    page.click("form.card button.btn-primary")
    page.wait_for_load_state()
    assert "请填写村民小组" in page.inner_text("main")  # the group's name was missing
    assert page.input_value("#user_id") == str(director_id)
    page.fill("#village_group", "3组")
    page.click("form.card button.btn-primary")
    page.wait_for_load_state()
    assert "3组" in page.inner_text("table")
    assert live_server.count(Assignment, Assignment.village_group == "3组") == 1
    phone.go("/rounds/compliance")
    _no_horizontal_scroll(phone)
    assert "合计" in page.inner_text("main")
    assert phone.problems == []
