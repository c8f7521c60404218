"""School events: a weekly tutoring class with a sign-in list and sign-in codes; hours; scope."""
import io
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.activities import events as event_service
from app.activities import services
from app.activities.models import ActivityPhoto, EventAttendance, SchoolEvent
from app.activities.errors import ActivityError
from app.core.dates import CHINA, today_cn
from tests.activities.helpers import jpeg_bytes, make_event


def test_a_school_runs_a_weekly_tutoring_class_with_attendance(login, world, db):
    school = login("school_staff")
    form = school.get("/activities/events/new").get_data(as_text=True)
    assert world.a.pupil.name in form and world.a.child.name not in form  # only the school's pupils
    today = today_cn()
    response = school.post("/activities/events/new", {
        "kind": "tutoring", "title": "四点半课堂（三年级数学）", "day": today.isoformat(), "start": "16:30",
        "duration_minutes": "90", "weeks": "8", "place": "三(2)班教室", "organiser": "龙老师",
        "children": [str(world.a.pupil.id), str(world.b.pupil.id)], "volunteers": [str(world.a.volunteer.id)],
    }, token_from="/activities/events/new")
    assert response.status_code == 302
    sessions = db.session.scalars(sa.select(SchoolEvent).order_by(SchoolEvent.starts_at)).all()
    assert len(sessions) == 8 and len({s.series_key for s in sessions}) == 1
    assert len({s.checkin_code for s in sessions}) == 8
    assert [s.starts_at.astimezone(CHINA).date() for s in sessions] == [today + timedelta(weeks=n) for n in range(8)]
    assert sessions[0].starts_at.astimezone(CHINA).strftime("%H:%M") == "16:30"
    first = sessions[0]
    invited = db.session.scalars(sa.select(EventAttendance).where(EventAttendance.event_id == first.id)).all()
    assert {r.child_id for r in invited if r.child_id} == {world.a.pupil.id}  # region B's pupil was not allowed

    page = f"/activities/events/{first.id}"
    detail = school.get(page).get_data(as_text=True)
    assert first.checkin_code in detail and "每周活动：共 8 次" in detail
    assert school.post(f"{page}/attendance", {"children": [str(world.a.pupil.id)]}, token_from=page).status_code == 302

    vol = login("volunteer")
    assert "四点半课堂" in vol.get("/activities/today").get_data(as_text=True)
    signed = vol.post("/activities/checkin", {"code": first.checkin_code}, token_from="/activities/checkin")
    assert signed.status_code == 302
    db.session.expire_all()
    rows = {(r.child_id, r.volunteer_id): r for r in
            db.session.scalars(sa.select(EventAttendance).where(EventAttendance.event_id == first.id))}
    assert rows[(world.a.pupil.id, None)].attended and rows[(world.a.pupil.id, None)].method == "list"
    assert rows[(None, world.a.volunteer.id)].attended and rows[(None, world.a.volunteer.id)].method == "code"
    assert services.service_hours(world.a.volunteer) == 1.5

    # a later sign-in list keeps the volunteer who signed in with the code
    assert school.post(f"{page}/attendance", {"children": []}, token_from=page).status_code == 302
    db.session.expire_all()
    assert services.service_hours(world.a.volunteer) == 1.5

    summary = school.post(f"{page}/summary", {"summary": "讲解分数加减，12人到场",
                                              "photos": [(io.BytesIO(jpeg_bytes()), "a.jpg")]},
                          token_from=page, content_type="multipart/form-data")
    assert summary.status_code == 302
    assert db.session.scalar(sa.select(ActivityPhoto).where(ActivityPhoto.event_id == first.id)) is not None
    listing = school.get("/activities/events").get_data(as_text=True)
    assert "四点半课堂（三年级数学）" in listing and "每周" in listing


def test_sign_in_codes_only_work_for_invited_volunteers_on_the_day(world, db):
    later = make_event(world.user("school_staff"), world.a, day=today_cn() + timedelta(days=7))[0]
    today_event = make_event(world.user("school_staff"), world.a)[0]
    db.session.commit()
    with pytest.raises(ActivityError, match="只能在活动当天签到"):
        event_service.check_in(world.user("volunteer"), later.checkin_code)
    with pytest.raises(ActivityError, match="签到码无效"):
        event_service.check_in(world.user("volunteer", "b"), today_event.checkin_code)
    with pytest.raises(ActivityError, match="签到码无效"):
        event_service.check_in(world.user("volunteer"), "000000" if today_event.checkin_code != "000000" else "1")
    assert event_service.check_in(world.user("volunteer"), f" {today_event.checkin_code} ").id == today_event.id


def test_events_are_scoped_to_the_school_and_the_region(login, world, db):
    event = make_event(world.user("school_staff"), world.a)[0]
    db.session.commit()
    path = f"/activities/events/{event.id}"
    assert login("school_staff").get(path).status_code == 200
    assert login("coordinator").get(path).status_code == 200
    assert login("school_staff", "b").get(path).status_code == 404
    assert login("coordinator", "b").get(path).status_code == 404
    assert login("volunteer").get(path).status_code == 403


def test_a_coordinator_picks_the_school_first(login, world, db):
    from tests import factories

    factories.organisation("a中学", "school", world.a.township)
    db.session.commit()
    coord = login("coordinator")
    html = coord.get("/activities/events/new").get_data(as_text=True)
    assert "举办单位" in html and world.a.school.name in html and "a中学" in html
    assert world.b.school.name not in html
    form = coord.get(f"/activities/events/new?school={world.a.school.id}").get_data(as_text=True)
    assert world.a.pupil.name in form
    assert "举办单位" in coord.get(f"/activities/events/new?school={world.b.school.id}").get_data(as_text=True)


def test_attendance_for_an_event_not_yet_held_is_refused(login, world, db):
    """A planned session (dated after today) cannot have a sign-in list: the form says why and
    keeps the ticks; the service refuses; attendance on the day itself is accepted."""
    later = make_event(world.user("school_staff"), world.a, day=today_cn() + timedelta(days=3))[0]
    db.session.commit()
    with pytest.raises(ActivityError, match="活动尚未举行"):
        event_service.set_attendance(world.user("school_staff"), later, [world.a.pupil.id], [])
    db.session.rollback()
    school = login("school_staff")
    page = f"/activities/events/{later.id}"
    response = school.post(f"{page}/attendance", {"children": [str(world.a.pupil.id)]}, token_from=page)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "活动尚未举行，不能提前登记签到" in body
    assert "checked" in body  # the tick typed is not lost
    db.session.expire_all()
    assert not any(r.attended for r in db.session.scalars(
        sa.select(EventAttendance).where(EventAttendance.event_id == later.id)))
    # the same list on the day of the event is taken
    assert event_service.set_attendance(world.user("school_staff"), later, [world.a.pupil.id], [],
                                        today=today_cn() + timedelta(days=3)) == (1, 0)


def test_api_refuses_attendance_before_the_event_day(client, world, db):
    from tests.api.helpers import Api

    later = make_event(world.a.users["school_staff"], world.a, day=today_cn() + timedelta(days=1))[0]
    db.session.commit()
    refused = Api(client, "school_a").post(f"/api/v1/events/{later.id}/attendance",
                                           {"children": [world.a.pupil.id], "volunteers": []})
    assert refused.status_code == 422 and "活动尚未举行" in refused.json["error"]["fields"]["children"]
