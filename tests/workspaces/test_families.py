"""Families: contact logs, the configurable silence rule, family-education reach per village."""
from datetime import date, time, timedelta

import sqlalchemy as sa

from app.activities import events as event_service
from app.core.audit import AuditEntry
from app.core.dates import today_cn
from app.families import services
from app.families.models import ParentContact
from app.homes import services as homes
from tests import factories
from tests.conftest import Browser
from tests.workspaces.helpers import make_home


def _login(app, username):
    b = Browser(app.test_client())
    assert b.login(username).status_code == 302
    return b


def test_silence_rule_flags_children_by_region(world, db):
    today = date(2026, 12, 4)
    coord = world.user("coordinator")
    quiet = world.a.child
    called = factories.child(world.a.village, name="常打电话")
    not_left_behind = factories.child(world.a.village, name="父母在家", both_parents_away=False)
    not_left_behind.is_left_behind = False
    services.add_contact(coord, called, today - timedelta(days=3), "video", "mother", "guardian", today=today)
    services.add_contact(coord, quiet, today - timedelta(days=10), "call", "father", "self", today=today)
    db.session.commit()
    flagged = {s.child.id: s for s in services.silent_children(coord, today)}
    assert quiet.id in flagged and flagged[quiet.id].days == 10 and flagged[quiet.id].rule == 7
    assert called.id not in flagged and not_left_behind.id not in flagged
    assert world.a.pupil.id in flagged and flagged[world.a.pupil.id].last is None  # never
    assert world.b.child.id not in flagged  # another county
    # the county relaxes the rule to a fortnight: 10 days of silence is no longer flagged
    services.save_rule(coord, world.a.county, 14)
    db.session.commit()
    assert quiet.id not in {s.child.id for s in services.silent_children(coord, today)}
    # a village rule overrides the county's
    services.save_rule(coord, world.a.village, 5)
    db.session.commit()
    assert quiet.id in {s.child.id for s in services.silent_children(coord, today)}


def test_contact_log_in_the_browser(app, world, db):
    b = _login(app, "director_a")
    page = f"/families/children/{world.a.child.id}"
    assert b.get(page).status_code == 200
    response = b.post(f"{page}/contacts", {"occurred_on": today_cn().isoformat(), "kind": "home_visit",
                                           "parent": "both", "arranged_by": "director", "days": "12",
                                           "note": "春节回家"}, token_from=page)
    assert response.status_code == 302
    row = db.session.scalar(sa.select(ParentContact))
    assert (row.kind, row.days, row.arranged_by, row.note) == ("home_visit", 12, "director", "春节回家")
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "family.contact")) is not None
    future = b.post(f"{page}/contacts", {"occurred_on": (today_cn() + timedelta(days=2)).isoformat(),
                                         "kind": "call", "parent": "father", "arranged_by": "self",
                                         "note": "还没打"}, token_from=page)
    text = future.get_data(as_text=True)
    assert future.status_code == 400 and "日期不能晚于今天" in text and 'value="还没打"' in text
    assert "父母很久没有联系的留守儿童" in b.get("/families/").get_data(as_text=True)
    assert _login(app, "director_b").get(page).status_code == 404
    assert _login(app, "auditor_a").post(f"{page}/contacts", {"kind": "call"}, token_from=page).status_code == 403


def test_rule_form_validation(app, world, db):
    b = _login(app, "coord_a")
    bad = b.post("/families/rule", {"division": str(world.a.county.id), "every_days": "0"}, token_from="/families/")
    assert bad.status_code == 400 and "天数应在1到366之间" in bad.get_data(as_text=True)
    assert b.post("/families/rule", {"division": str(world.b.county.id), "every_days": "7"},
                  token_from="/families/").status_code == 404
    assert b.post("/families/rule", {"division": str(world.a.county.id), "every_days": "10"},
                  token_from="/families/").status_code == 302
    assert services.rule_days(world.a.village.path) == 10


def test_family_education_reach_per_village(world, db):
    coord = world.user("coordinator")
    home = make_home(coord, world.a.village)
    day = today_cn() - timedelta(days=5)
    data = event_service.EventInput(kind="family_education", title="家庭教育讲座", day=day, start=time(9))
    lecture = event_service.create_event(coord, home.organisation, data, [], [])[0]
    homes.add_guest(coord, lecture, "王奶奶", "guardian", world.a.child)
    data = event_service.EventInput(kind="tutoring", title="作业辅导", day=day, start=time(15))
    tutoring = event_service.create_event(coord, home.organisation, data, [], [])[0]
    homes.add_guest(coord, tutoring, "李爸爸", "father", world.a.pupil)  # not family education
    db.session.commit()
    rows = services.family_education_reach(coord, today_cn())
    assert [(r.village.id, r.children, r.reached, r.percent, r.on_target) for r in rows] == \
        [(world.a.village.id, 2, 1, 50.0, False)]
    assert services.family_education_reach(world.user("coordinator", "b"), today_cn())[0].reached == 0


def test_demo_families(app, db):
    from app.auth.models import User
    from app.demo.seed import seed

    seed()
    director = db.session.scalar(sa.select(User).where(User.username == "director"))
    silent = services.silent_children(director, today_cn())
    total = db.session.scalar(sa.select(sa.func.count()).select_from(ParentContact))
    assert total > 50 and 0 < len(silent)
    reach = services.family_education_reach(director, today_cn())
    assert reach and reach[0].reached > 0
    b = Browser(app.test_client())
    assert b.login("director", "xiangban-demo").status_code == 302
    assert b.get("/families/").status_code == 200
    assert b.get(f"/families/children/{silent[0].child.id}").status_code == 200
