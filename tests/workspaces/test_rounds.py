"""Duties by role: the cadre's weekly check, the supervisor's sample, 包片/包组/联系户 assignments,
each person's due and overdue list, compliance per person, the region's rules."""
from datetime import date, datetime, timedelta, timezone

import sqlalchemy as sa

from app.activities.periods import period_of
from app.children.models import Household
from app.core.audit import AuditEntry
from app.core.dates import today_cn
from app.rounds import queries, rules, services
from app.rounds.models import Assignment, RoundCheck
from tests import factories
from tests.conftest import Browser


def _login(app, username):
    b = Browser(app.test_client())
    assert b.login(username).status_code == 302
    return b


def _long_ago(world, *users):
    """Accounts and children that have existed for months (duties begin when both do)."""
    past = datetime.now(timezone.utc) - timedelta(days=120)
    for u in users:
        u.created_at = past


# ------------------------------------------------------------------ the rules, without a database

def test_weekly_check_due_done_overdue():
    monday = date(2026, 11, 2)
    since = date(2026, 10, 1)
    # no check at all since October: overdue since the end of the first full week
    item = rules.child_item("week", since, [], monday)
    assert item.status == "overdue" and item.due == date(2026, 10, 11)
    # a check this week: done; a check last week: due this Sunday
    assert rules.child_item("week", since, [date(2026, 11, 3)], date(2026, 11, 4)).status == "done"
    last_week = rules.child_item("week", since, [date(2026, 10, 28)], monday)
    assert (last_week.status, last_week.due) == ("due_this_week", date(2026, 11, 8))
    # checks before the duty began or in the future do not count
    assert rules.child_item("week", monday, [date(2026, 10, 30), date(2026, 11, 9)], monday).last_on is None


def test_sample_counts_distinct_children_and_caps_at_the_pool():
    today = date(2026, 11, 20)
    since = date(2026, 9, 1)
    october = [(1, date(2026, 10, 3)), (2, date(2026, 10, 4)), (3, date(2026, 10, 5)), (4, date(2026, 10, 6)),
               (5, date(2026, 10, 7))]
    state = rules.sample_item("month", 5, 40, since, october + [(1, date(2026, 11, 2)), (1, date(2026, 11, 3))],
                              today)
    assert (state.needed, state.checked, state.status) == (5, 1, "due_later")  # the same child twice is one
    short = rules.sample_item("month", 5, 40, since, october[:4], today)
    assert short.status == "overdue" and short.days_overdue == 20  # October fell short; due 31 October
    assert short.period_end == date(2026, 11, 30) and short.last_period_checked == 4
    small = rules.sample_item("month", 5, 2, since, [(1, date(2026, 11, 2)), (2, date(2026, 11, 5))], today)
    assert (small.needed, small.status) == (2, "done")
    # a supervisor who started this month is not overdue for last month
    assert rules.sample_item("month", 5, 40, date(2026, 11, 10), [], today).status == "due_later"


# ------------------------------------------------------------------ in the browser

def test_cadre_weekly_check_of_priority_children(app, world, db):
    r = world.a
    director = r.users["village_director"]
    urgent = factories.child(r.village, name="紧急儿童")
    urgent.tier = "urgent"
    difficult = factories.child(r.village, name="困境儿童")
    difficult.is_in_difficulty = True
    urgent.registered_on = difficult.registered_on = today_cn() - timedelta(days=120)
    elsewhere = factories.child(world.b.village, name="别村儿童")
    elsewhere.tier = "urgent"
    _long_ago(world, director)
    db.session.commit()
    b = _login(app, "director_a")
    page = b.get("/rounds/").get_data(as_text=True)
    assert "紧急儿童" in page and "困境儿童" in page and "别村儿童" not in page
    assert world.a.child.name not in page  # an ordinary child is not on the cadre's weekly list
    duties = queries.duties_of(director, today_cn())
    assert {d.child_name: d.item.status for d in duties.children} == {"紧急儿童": "overdue", "困境儿童": "overdue"}
    form = f"/rounds/children/{urgent.id}/check?duty=cadre"
    assert b.get(form).status_code == 200
    # bad input: a clear message, nothing typed lost
    bad = b.post(f"/rounds/children/{urgent.id}/check", {"duty": "cadre", "checked_on": "2099-01-01",
                                                          "method": "home_visit", "finding": "ok", "note": "奶奶在家"},
                 token_from=form)
    assert bad.status_code == 400 and "检查日期不能晚于今天" in bad.get_data(as_text=True)
    assert "奶奶在家" in bad.get_data(as_text=True)
    concern = b.post(f"/rounds/children/{urgent.id}/check", {"duty": "cadre", "checked_on": today_cn().isoformat(),
                                                              "method": "home_visit", "finding": "concern"},
                     token_from=form)
    assert concern.status_code == 400 and "发现问题时请写明是什么问题" in concern.get_data(as_text=True)
    ok = b.post(f"/rounds/children/{urgent.id}/check", {"duty": "cadre", "checked_on": today_cn().isoformat(),
                                                         "method": "home_visit", "finding": "ok", "note": "奶奶在家"},
                token_from=form)
    assert ok.status_code == 302
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "rounds.check"))
    assert entry.user_id == director.id and entry.detail["child_id"] == urgent.id
    duties = queries.duties_of(director, today_cn())
    assert {d.child_name: d.item.status for d in duties.children} == {"紧急儿童": "done", "困境儿童": "overdue"}
    # a child of another region: 404; a volunteer may not record checks at all
    assert b.get(f"/rounds/children/{elsewhere.id}/check").status_code == 404
    assert _login(app, "vol_a").get("/rounds/").status_code == 403


def test_concern_leads_to_a_finding(app, world, db):
    r = world.a
    child = factories.child(r.village, name="问题儿童")
    db.session.commit()
    b = _login(app, "director_a")
    form = f"/rounds/children/{child.id}/check"
    response = b.post(form, {"duty": "cadre", "checked_on": today_cn().isoformat(), "method": "phone",
                             "finding": "concern", "note": "监护人外出，孩子独自在家"}, token_from=form)
    assert response.status_code == 302 and f"/duties/children/{child.id}/new" in response.headers["Location"]
    assert db.session.scalar(sa.select(RoundCheck.finding)) == "concern"


def test_supervisor_samples_the_township(app, world, db):
    r = world.a
    supervisor = r.users["township_supervisor"]
    kids = []
    for n in range(3):
        kid = factories.child(r.village, name=f"重点{n}")
        kid.tier = "key"
        kids.append(kid)
    db.session.commit()
    duties = queries.duties_of(supervisor, today_cn())
    assert duties.sample.needed == 3 and duties.sample.checked == 0  # the pool holds 3: all of them
    assert {c.name for c in duties.suggestions} == {"重点0", "重点1", "重点2"}
    b = _login(app, "supervisor_a")
    page = b.get("/rounds/").get_data(as_text=True)
    assert "督导员抽查" in page and "记录抽查" in page
    for kid in kids[:2]:
        form = f"/rounds/children/{kid.id}/check?duty=sample"
        assert b.post(f"/rounds/children/{kid.id}/check", {"duty": "sample", "checked_on": today_cn().isoformat(),
                                                            "method": "records", "finding": "ok"},
                      token_from=form).status_code == 302
    duties = queries.duties_of(supervisor, today_cn())
    assert duties.sample.checked == 2 and duties.sample.status != "done"
    assert [c.name for c in duties.suggestions] == ["重点2"]  # the ones sampled this period drop out
    # the supervisor may not record a cadre's check (not their duty)
    form = f"/rounds/children/{kids[2].id}/check"
    wrong = b.post(form, {"duty": "cadre", "checked_on": today_cn().isoformat(), "method": "records",
                          "finding": "ok"}, token_from=form)
    assert wrong.status_code == 400 and "请选择检查类型" in wrong.get_data(as_text=True)
    assert b.post(form, {"duty": "sample", "checked_on": today_cn().isoformat(), "method": "records",
                         "finding": "ok"}, token_from=form).status_code == 302
    assert queries.duties_of(supervisor, today_cn()).sample.status == "done"


def test_assignments_area_group_household(app, world, db):
    r = world.a
    house = Household(division_id=r.village.id, village_group="3组", head_name="王大山")
    db.session.add(house)
    db.session.flush()
    in_house = factories.child(r.village, name="王家孩子", household_id=house.id, village_group="3组")
    in_group = factories.child(r.village, name="三组孩子", village_group="3组")
    factories.child(r.village, name="五组孩子", village_group="5组")
    db.session.commit()
    b = _login(app, "coord_a")
    page = "/rounds/assignments"
    staff = r.users["school_staff"]
    form = b.get(page).get_data(as_text=True)
    assert f'value="{staff.id}"' in form and f'value="{world.b.users["school_staff"].id}"' not in form
    # a school staff member as 联系户 of one household
    response = b.post(page, {"user_id": str(staff.id), "kind": "household", "division_id": str(r.village.id),
                             "household_id": str(house.id), "started_on": today_cn().isoformat()}, token_from=page)
    assert response.status_code == 302
    # the director as 包组 of 3组; a group without its name is refused with what was typed kept
    missing = b.post(page, {"user_id": str(r.users["village_director"].id), "kind": "group",
                            "division_id": str(r.village.id), "started_on": today_cn().isoformat()}, token_from=page)
    assert missing.status_code == 400 and "请填写村民小组" in missing.get_data(as_text=True)
    assert b.post(page, {"user_id": str(r.users["village_director"].id), "kind": "group", "division_id": str(r.village.id),
                         "village_group": "3组", "started_on": today_cn().isoformat()},
                  token_from=page).status_code == 302
    # someone of another region cannot be assigned, nor a division outside the scope used
    outside = b.post(page, {"user_id": str(world.b.users["village_director"].id), "kind": "area",
                            "division_id": str(world.b.village.id)}, token_from=page)
    assert outside.status_code == 400 and "请选择您负责范围内的人员" in outside.get_data(as_text=True)
    staff_duties = queries.duties_of(staff, today_cn())
    assert [(d.child_name, d.duty) for d in staff_duties.children] == [("王家孩子", "contact")]
    assert "联系户" in staff_duties.children[0].via
    director_duties = queries.duties_of(r.users["village_director"], today_cn())
    assert {d.child_name for d in director_duties.children if d.duty == "contact"} == {"王家孩子", "三组孩子"}
    # the staff member may check the household's child (not a pupil of theirs)
    s = _login(app, "school_a")
    form = f"/rounds/children/{in_house.id}/check"
    assert s.post(form, {"duty": "contact", "checked_on": today_cn().isoformat(), "method": "phone",
                         "finding": "ok"}, token_from=form).status_code == 302
    assert queries.duties_of(staff, today_cn()).children[0].item.status == "done"
    assert s.get(f"/rounds/children/{in_group.id}/check").status_code == 404
    # ending the assignment removes the duty; the row stays
    row = db.session.scalar(sa.select(Assignment).where(Assignment.user_id == staff.id))
    assert b.post(f"/rounds/assignments/{row.id}/end", {}, token_from=page).status_code == 302
    db.session.expire_all()
    tomorrow = today_cn() + timedelta(days=1)
    assert queries.duties_of(staff, tomorrow).children == []
    assert db.session.get(Assignment, row.id).ended_on == today_cn()
    assert _login(app, "coord_b").post(f"/rounds/assignments/{row.id}/end", {}, token_from="/").status_code == 404


def test_compliance_rows_add_up(app, world, db):
    r = world.a
    kid = factories.child(r.village, name="重点儿童")
    kid.tier = "key"
    kid.registered_on = today_cn() - timedelta(days=120)
    _long_ago(world, r.users["village_director"], r.users["township_supervisor"])
    services.record_check(r.users["village_director"], kid, "cadre", today_cn(), "phone", "ok", "", today_cn())
    services.create_assignment(r.users["coordinator"], r.users["school_staff"], "area", r.village,
                               started_on=today_cn())
    db.session.commit()
    rows, total = queries.compliance(r.users["coordinator"], today_cn())
    names = {row.duties.name for row in rows}
    assert {r.users["village_director"].display_name, r.users["township_supervisor"].display_name,
            r.users["school_staff"].display_name} <= names
    assert world.b.users["village_director"].display_name not in names
    for key, count in (("items", lambda d: d.items), ("done", lambda d: d.count("done")),
                       ("overdue", lambda d: d.count("overdue"))):
        assert total[key] == sum(count(row.duties) for row in rows)
    assert total["checks"] == sum(row.checks_30d for row in rows) == 1
    director = next(row.duties for row in rows if row.duties.user_id == r.users["village_director"].id)
    assert director.count("done") == 1 and director.compliance == 100.0
    page = _login(app, "supervisor_a").get("/rounds/compliance").get_data(as_text=True)
    assert "按期率" in page and r.users["village_director"].display_name in page
    assert _login(app, "school_a").get("/rounds/compliance").status_code == 403


def test_region_rule_changes_the_cadence(app, world, db):
    r = world.a
    kid = factories.child(r.village, name="重点儿童")
    kid.tier = "urgent"
    db.session.commit()
    b = _login(app, "coord_a")
    bad = b.post("/rounds/rules", {"every_cadre": "month", "every_sample": "month", "sample_sample": "0",
                                   "every_contact": "month"}, token_from="/rounds/rules")
    assert bad.status_code == 400 and "每期抽查人数应在1到100之间" in bad.get_data(as_text=True)
    assert b.post("/rounds/rules", {"every_cadre": "month", "every_sample": "quarter", "sample_sample": "8",
                                    "every_contact": "quarter"}, token_from="/rounds/rules").status_code == 302
    assert queries.rule_for(r.village, "cadre") == ("month", 5)
    assert queries.rule_for(r.village, "sample") == ("quarter", 8)
    assert queries.rule_for(world.b.village, "cadre") == ("week", 5)  # region B keeps the default
    item = queries.duties_of(r.users["village_director"], today_cn()).children[0].item
    assert item.due in (period_of("month", today_cn()).end, period_of("month", period_of("month", today_cn()).end
                                                                       + timedelta(days=1)).end)
    assert _login(app, "director_a").get("/rounds/rules").status_code == 403
