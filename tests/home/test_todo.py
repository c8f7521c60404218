"""The to-do home page: the registry, and each role's lines from real rows inside its scope."""
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from app.activities import cases as case_service
from app.core.dates import today_cn
from app.extensions import db as _db
from app.home import todo
from app.reports.models import IssuedReport
from tests import factories
from tests.activities.helpers import make_event, start_pair_on


def lines(browser, path="/"):
    html = browser.get(path).get_data(as_text=True)
    return html


def keys(user):
    return [i.key for i in todo.todo_for(user, today_cn())]


def open_case(world, region="a"):
    r = getattr(world, region)
    case = case_service.open_case(r.users["volunteer"], r.child, None, ["violence"], "手臂有淤青")
    _db.session.commit()
    return case


def test_director_sees_the_escalated_case_first_and_only_in_her_village(login, world, db):
    world.a.child.tier = "urgent"
    case = open_case(world)
    case_service.escalate_cases(now=case.reported_at + timedelta(hours=5))
    db.session.commit()
    director = world.user("village_director")
    items = todo.todo_for(director, today_cn())
    assert items[0].key == "cases.escalated" and items[0].count == 1 and items[0].urgency == todo.CRITICAL
    assert "children.no_contact" in [i.key for i in items] and "children.review" in [i.key for i in items]
    assert all(i.role == "village_director" for i in items)
    html = lines(login("village_director"))
    assert "已升级、仍无人确认的强制报告" in html and 'href="/activities/cases"' in html
    assert html.index("已升级") < html.index("天无人联系")  # most urgent first
    assert "cases.escalated" not in keys(world.user("village_director", "b"))
    # acknowledged: the line goes
    case_service.acknowledge_case(director, case)
    db.session.commit()
    assert not {"cases.escalated", "cases.unacknowledged"} & set(keys(director))


def test_director_quarterly_review_line_shows_progress_and_deadline(world, db):
    from app.children import reviews

    director = world.user("village_director")
    reviews.review_child(director, world.a.child, today_cn())
    db.session.commit()
    line = next(i for i in todo.todo_for(director, today_cn()) if i.key == "children.review")
    assert line.count == 1 and "1 / 2" in line.title and line.due == reviews.quarter_deadline(today_cn())


def test_coordinator_lines(login, world, db):
    region = world.a
    region.pupil.tier = "key"  # no pair: a priority child without a carer
    factories.volunteer(region.village, region.federation, name="新报名", status="applied")
    start_pair_on(region.pair, today_cn() - timedelta(days=200))  # long overdue visit and talk
    db.session.commit()
    coordinator = world.user("coordinator")
    found = {i.key: i for i in todo.todo_for(coordinator, today_cn())}
    assert found["children.no_carer"].count == 1
    assert found["volunteers.applied"].count == 1 and found["volunteers.applied"].url == "/volunteers/applications"
    township = found[f"pairs.overdue.{region.township.id}"]
    assert township.count == 1 and township.url == f"/activities/overdue/pairs?township={region.township.id}"
    assert "volunteers.applied" not in keys(world.user("coordinator", "b"))
    html = lines(login("coordinator"))
    assert "待审核的志愿者报名" in html and "没有结对关爱人的紧急/重点儿童" in html and "a镇：结对关爱逾期" in html


def test_school_lines(login, world, db):
    staff = world.user("school_staff")
    make_event(staff, world.a, day=today_cn(), title="四点半课堂")
    db.session.commit()
    found = {i.key: i for i in todo.todo_for(staff, today_cn())}
    assert found["school.no_teacher"].count == 1  # the pupil has no teacher proxy parent
    assert any(k.startswith("event.") and "四点半课堂" in i.title for k, i in found.items())
    teacher = factories.volunteer(world.a.village, world.a.school, name="张老师", kind="teacher")
    pair = factories.pair(world.a.pupil, teacher)
    start_pair_on(pair, today_cn() - timedelta(days=200))
    db.session.commit()
    found = {i.key: i for i in todo.todo_for(staff, today_cn())}
    assert "school.no_teacher" not in found
    assert found["school.teachers_overdue"].count == 1
    assert "谈心或家访逾期的教师" in lines(login("school_staff"))


def test_volunteer_sees_her_application_under_review(app, world, db):
    from tests.conftest import Browser

    account = factories.user("new_vol", "volunteer", world.a.village)
    factories.volunteer(world.a.village, world.a.federation, name="新志愿者", status="applied", user_account=account)
    db.session.commit()
    assert keys(account)[0] == "application.conduct" and "application.review" in keys(account)
    browser = Browser(app.test_client())
    browser.login("new_vol")
    page = browser.get("/", follow_redirects=True).get_data(as_text=True)
    assert "您的报名正在审核中" in page and "请阅读并签署志愿者行为守则" in page
    # the paired volunteer sees no application line
    assert not [k for k in keys(world.user("volunteer")) if k.startswith("application.")]


def test_auditor_sees_recent_reports_to_verify(login, world, db):
    row = IssuedReport(number="XB-2026-0001", verification_code="ABCD2345EFGH", kind="ledger", title="关爱服务台账",
                       parameters={}, organisation="a县妇联", division_id=world.a.county.id, issued_by_name="coord_a",
                       issued_at=datetime.now(timezone.utc))
    db.session.add(row)
    db.session.commit()
    found = {i.key: i for i in todo.todo_for(world.user("auditor"), today_cn())}
    assert found[f"report.{row.id}"].url == "/reports/verify/ABCD2345EFGH"
    assert f"report.{row.id}" not in keys(world.user("auditor", "b"))
    assert "可核验：关爱服务台账" in lines(login("auditor"))
    assert found["audit.issued"].count == 1
    # nothing issued in region B: the line says so instead of a bare 0
    empty = {i.key: i for i in todo.todo_for(world.user("auditor", "b"), today_cn())}["audit.issued"]
    assert empty.count is None and "没有签发" in empty.title


def test_a_registered_provider_adds_lines_for_its_roles_only(world, db):
    def extra(user, today):
        yield todo.TodoItem("test.extra", "监护缺位", "/x", todo.HIGH, due=today, count=2)

    todo.register_provider(extra, "village_director")
    try:
        todo.register_provider(extra, "village_director")  # twice is once
        assert keys(world.user("village_director")).count("test.extra") == 1
        assert "test.extra" not in keys(world.user("coordinator"))
        with pytest.raises(ValueError):
            todo.register_provider(extra, "nobody")
    finally:
        todo._providers[:] = [r for r in todo._providers if r.fn is not extra]


def test_sorting_most_urgent_then_earliest_deadline():
    today = today_cn()
    items = [todo.TodoItem("c", "c", "/", todo.NORMAL, due=today), todo.TodoItem("a", "a", "/", todo.CRITICAL),
             todo.TodoItem("b", "b", "/", todo.NORMAL, due=today - timedelta(days=1))]
    assert [i.key for i in sorted(items, key=todo.TodoItem.sort_key)] == ["a", "b", "c"]


def test_the_page_counts_are_unchanged(login, world):
    html = lines(login("coordinator"))
    assert "我负责范围内的儿童" in html and "在岗志愿者" in html
    assert sa is not None


def test_township_supervisor_sees_the_cases_and_pairs_of_his_township(login, world, db):
    case = open_case(world)
    case_service.escalate_cases(now=case.reported_at + timedelta(hours=5))
    start_pair_on(world.a.pair, today_cn() - timedelta(days=200))
    db.session.commit()
    found = keys(world.user("township_supervisor"))
    assert found[0] == "cases.escalated" and f"pairs.overdue.{world.a.township.id}" in found
    # region B's supervisor: nothing of region A (only his own children lacking a 确认书)
    assert keys(world.user("township_supervisor", "b")) == ["duties.agreements.missing"]
    assert "已升级、仍无人确认的强制报告" in lines(login("township_supervisor"))


def test_a_package_plugs_in_with_a_todo_providers_module(world, db, monkeypatch):
    """``app/<package>/todo_providers.py`` is found without editing the registry."""
    import sys
    import types

    module = types.ModuleType("app.home.todo_providers")

    def gaps(user, today):
        yield todo.TodoItem("plugged.gaps", "监护缺位待处理", "/", todo.HIGH, count=3)

    module.gaps = todo.provider("village_director")(gaps)
    monkeypatch.setitem(sys.modules, "app.home.todo_providers", module)
    monkeypatch.setattr(todo, "_discovered", lambda: ["app.home.todo_providers"])
    monkeypatch.setattr(todo, "_loaded", False)
    try:
        assert "plugged.gaps" in keys(world.user("village_director"))
    finally:
        todo._providers[:] = [r for r in todo._providers if r.fn is not gaps]


def test_discovery_finds_only_existing_modules():
    assert all(name.endswith(".todo_providers") for name in todo._discovered())
