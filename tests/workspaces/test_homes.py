"""儿童之家: one per village, the "8有" checklist with evidence photos, the director's activities
with attendance of children, volunteers and families, service counts, 运营评估, coverage."""
import io
from datetime import date, time, timedelta

import sqlalchemy as sa

from app.activities import events as event_service
from app.activities.models import SchoolEvent
from app.activities.periods import Period
from app.core.audit import AuditEntry
from app.core.dates import CHINA, today_cn
from app.homes import services
from app.homes.models import ChildrenHome
from tests import factories
from tests.activities.helpers import jpeg_bytes
from tests.conftest import Browser
from tests.workspaces.helpers import make_home


def _login(app, username):
    b = Browser(app.test_client())
    assert b.login(username).status_code == 302
    return b


def test_director_opens_one_home_per_village(app, world, db):
    b = _login(app, "director_a")
    response = b.post("/homes/new", {"division_id": str(world.a.village.id), "name": "a村儿童之家",
                                     "setting": "village"}, token_from="/homes/new")
    assert response.status_code == 302
    home = db.session.scalar(sa.select(ChildrenHome))
    assert home.organisation.kind == "children_home" and home.organisation.division_id == world.a.village.id
    again = b.post("/homes/new", {"division_id": str(world.a.village.id), "name": "第二个", "setting": "village"},
                   token_from="/homes/new")
    assert again.status_code == 400 and "这个村已经有儿童之家了" in again.get_data(as_text=True)
    assert 'value="第二个"' in again.get_data(as_text=True)  # what was typed is kept
    outside = b.post("/homes/new", {"division_id": str(world.b.village.id), "name": "b村", "setting": "village"},
                     token_from="/homes/new")
    assert outside.status_code == 400 and "请选择您负责范围内的村" in outside.get_data(as_text=True)
    assert b.get(f"/homes/{home.id}").status_code == 200
    assert _login(app, "coord_b").get(f"/homes/{home.id}").status_code == 404
    assert _login(app, "school_a").get("/homes/").status_code == 403


def test_checklist_with_evidence_photos(app, world, db):
    home = make_home(world.user("coordinator"), world.a.village)
    db.session.commit()
    b = _login(app, "director_a")
    page = f"/homes/{home.id}"
    response = b.post(f"{page}/checklist", {"met": ["sign", "premises"], "note_sign": "门口挂牌",
                                            "photos_sign": [(io.BytesIO(jpeg_bytes()), "sign.jpg")]},
                      token_from=page, content_type="multipart/form-data")
    assert response.status_code == 302
    db.session.expire_all()
    home = db.session.get(ChildrenHome, home.id)
    assert home.met == ["sign", "premises"] and home.checklist_notes == {"sign": "门口挂牌"}
    assert [e.item for e in home.evidence] == ["sign"]
    photo = b.get(f"/homes/evidence/{home.evidence[0].id}")
    assert photo.status_code == 200 and photo.data[:2] == b"\xff\xd8"
    assert _login(app, "coord_b").get(f"/homes/evidence/{home.evidence[0].id}").status_code == 404
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "home.checklist")
                              .order_by(AuditEntry.id.desc()))
    assert entry.detail["met"] == ["premises", "sign"] and entry.detail["photos"] == 1
    bad = b.post(f"{page}/checklist", {"met": ["sign"], "photos_funds": [(io.BytesIO(b"not a photo"), "x.jpg")]},
                 token_from=page, content_type="multipart/form-data")
    assert bad.status_code == 400 and "文件不是有效的照片" in bad.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ChildrenHome, home.id).met == ["sign", "premises"]  # nothing saved
    # read-only roles see it, cannot change it
    assert _login(app, "supervisor_a").get(page).status_code == 200
    assert _login(app, "supervisor_a").post(f"{page}/checklist", {"met": []}, token_from=page).status_code == 403


def test_director_creates_an_activity_at_the_home(app, world, db):
    home = make_home(world.user("coordinator"), world.a.village)
    db.session.commit()
    b = _login(app, "director_a")
    url = f"/activities/events/new?school={home.organisation_id}"
    form = b.get(url).get_data(as_text=True)
    assert world.a.child.name in form and world.b.child.name not in form  # the village's children
    response = b.post(url, {"kind": "family_education", "title": "家庭教育讲座", "day": today_cn().isoformat(),
                            "start": "09:00", "duration_minutes": "120", "weeks": "1",
                            "children": [str(world.a.child.id)], "volunteers": [str(world.a.volunteer.id)]},
                      token_from=url)
    assert response.status_code == 302
    event = db.session.scalar(sa.select(SchoolEvent))
    assert event.organisation_id == home.organisation_id and event.kind == "family_education"
    detail = f"/activities/events/{event.id}"
    assert b.post(f"{detail}/attendance", {"children": [str(world.a.child.id)],
                                           "volunteers": [str(world.a.volunteer.id)]}, token_from=detail).status_code == 302
    guests = f"/homes/events/{event.id}/guests"
    assert b.post(guests, {"name": "王奶奶", "relation": "guardian", "child_id": str(world.a.child.id)},
                  token_from=guests).status_code == 302
    bad = b.post(guests, {"name": "", "relation": "guardian"}, token_from=guests)
    assert bad.status_code == 400 and "请填写到场家长或监护人的姓名" in bad.get_data(as_text=True)
    counts = services.service_counts([home.organisation_id], Period(date(today_cn().year, 1, 1),
                                                                    date(today_cn().year, 12, 31)), today_cn())
    c = counts[home.organisation_id]
    assert (c.sessions, c.children, c.volunteers, c.guests, c.hours) == (1, 1, 1, 1, 2.0)
    assert _login(app, "director_b").get(guests).status_code == 404


def _event(actor, home, day, kids=(), vols=(), minutes=90, present=True):
    data = event_service.EventInput(kind="tutoring", title="活动", day=day, start=time(15), duration_minutes=minutes)
    event = event_service.create_event(actor, home.organisation, data, [], [])[0]
    from app.activities.models import EventAttendance
    from app.extensions import db

    for c in kids:
        db.session.add(EventAttendance(event_id=event.id, child_id=c.id, attended=present))
    for v in vols:
        db.session.add(EventAttendance(event_id=event.id, volunteer_id=v.id, attended=present))
    db.session.flush()
    return event


def test_service_counts_only_held_sessions(world, db):
    actor = world.user("coordinator")
    home = make_home(actor, world.a.village)
    today = date(2026, 6, 15)
    urgent = factories.child(world.a.village, name="紧急儿童")
    urgent.tier = "urgent"
    other = factories.child(world.a.village, name="另一个")
    _event(actor, home, date(2026, 3, 1), kids=[urgent, other], vols=[world.a.volunteer], minutes=90)
    _event(actor, home, date(2026, 4, 1), kids=[urgent], minutes=60)
    _event(actor, home, date(2026, 5, 1), kids=[other], present=False)  # nobody came: not held
    _event(actor, home, date(2026, 6, 20), kids=[other])  # after today: not counted
    _event(actor, home, date(2025, 12, 1), kids=[other])  # another year
    db.session.commit()
    c = services.service_counts([home.organisation_id], Period(date(2026, 1, 1), date(2026, 12, 31)),
                                today)[home.organisation_id]
    assert (c.sessions, c.hours, c.children, c.child_visits, c.priority_children, c.volunteers) == \
        (2, 2.5, 2, 3, 1, 1)
    held = services.held_sessions(home.organisation_id, Period(date(2026, 1, 1), date(2026, 12, 31)), today)
    assert [(e.starts_at.astimezone(CHINA).date(), k, v) for e, k, v, _g in held] == \
        [(date(2026, 3, 1), 2, 1), (date(2026, 4, 1), 1, 0)]


def test_guest_refused_before_the_day(world, db):
    actor = world.user("coordinator")
    home = make_home(actor, world.a.village)
    event = _event(actor, home, today_cn() + timedelta(days=3))
    try:
        services.add_guest(actor, event, "王爸爸", "father")
        raise AssertionError("a guest was recorded before the event")
    except services.HomeError as exc:
        assert exc.message == "活动尚未举行，不能提前登记到场人员"


def test_coverage_per_township(world, db):
    actor = world.user("coordinator")
    second = factories.division("522626101202", "二村", world.a.township)
    make_home(actor, world.a.village, photos={k: [jpeg_bytes()] for k in ("sign",)})
    full = make_home(actor, second)
    services.save_checklist(actor, full, list(services.CHECKLIST), {}, {}, "/tmp")
    db.session.commit()
    rows = services.coverage(actor)
    assert [(r.township.id, r.villages, r.with_home, r.full_standard, r.percent) for r in rows] == \
        [(world.a.township.id, 2, 2, 1, 100.0)]
    assert services.coverage(world.user("coordinator", "b"))[0].with_home == 0


def test_assessment_report(app, world, db):
    actor = world.user("coordinator")
    home = make_home(actor, world.a.village, photos={"sign": [jpeg_bytes()]})
    _event(actor, home, today_cn() - timedelta(days=1), kids=[world.a.child], minutes=120)
    db.session.commit()
    page = _login(app, "auditor_a").get(f"/homes/{home.id}/assessment").get_data(as_text=True)
    assert "运营评估报告" in page and "有统一标牌" in page and "证明照片 1 张" in page and "120 分钟" in page
    index = _login(app, "coord_a").get("/homes/").get_data(as_text=True)
    assert home.organisation.name in index and "100.0%" in index


def test_demo_homes(app, db):
    from app.auth.models import User
    from app.demo.seed import seed

    seed()
    director = db.session.scalar(sa.select(User).where(User.username == "director"))
    rows = services.coverage(director)
    assert rows and rows[0].with_home == 1
    homes = db.session.scalars(services.homes_query(director)).all()
    assert len(homes) == 1 and len(homes[0].met) == 7
    year = Period(today_cn() - timedelta(days=365), today_cn())
    c = services.service_counts([homes[0].organisation_id], year, today_cn())[homes[0].organisation_id]
    assert c.sessions == 8 and c.children > 0 and c.guests > 0
    b = Browser(app.test_client())
    assert b.login("director", "xiangban-demo").status_code == 302
    for path in ("/homes/", f"/homes/{homes[0].id}", f"/homes/{homes[0].id}/assessment"):
        assert b.get(path).status_code == 200, path
