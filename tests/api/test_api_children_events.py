"""My children with what is due (no identity numbers, masked phones); event attendance; sign-in."""
from datetime import timedelta

from app.activities.models import EventAttendance
from app.core.dates import today_cn
from app.extensions import db
from tests.activities.helpers import make_event
from tests.api.helpers import Api, log_body


def test_a_volunteer_gets_her_paired_children_with_what_is_due(client, world):
    vol = Api(client, "vol_a")
    response = vol.get("/api/v1/children")
    assert response.status_code == 200
    (child,) = response.json["items"]
    assert child["id"] == world.a.child.id and child["name"] == "儿童a" and child["pair"]["mine"] is True
    assert {i["kind"] for i in child["due"]} >= {"talk", "visit"} and child["top_status"]
    assert child["guardian"]["phone"] == "138****5678"
    assert child["forms"]["visit"] == f"/activities/children/{world.a.child.id}/visits/new"
    text = response.get_data(as_text=True)
    assert world.a.child.id_number not in text and "id_number" not in text and "13812345678" not in text

    vol.post("/api/v1/logs", log_body(world.a.child.id))
    talk = next(i for i in vol.get("/api/v1/children").json["items"][0]["due"] if i["kind"] == "talk")
    assert talk["status"] == "done" and talk["last_on"] == today_cn().isoformat()


def test_staff_get_the_children_in_their_scope_a_page_at_a_time(client, world):
    coord = Api(client, "coord_a")
    page = coord.get("/api/v1/children?per_page=1").json
    assert page["total"] == 2 and len(page["items"]) == 1 and page["per_page"] == 1
    names = {c["name"] for c in coord.get("/api/v1/children").json["items"]}
    assert names == {"儿童a", "学生a"}
    staff = Api(client, "school_a").get("/api/v1/children").json["items"]
    assert [c["name"] for c in staff] == ["学生a"] and staff[0]["pair"] is None
    assert coord.get("/api/v1/children?page=99999999999999").json["items"] == []


def test_attendance_is_set_not_added_and_sending_it_twice_changes_nothing(client, world):
    event = make_event(world.a.users["school_staff"], world.a)[0]
    db.session.commit()
    staff = Api(client, "school_a")
    path = f"/api/v1/events/{event.id}/attendance"
    body = {"children": [world.a.pupil.id], "volunteers": []}
    first = staff.post(path, body)
    assert first.status_code == 200 and (first.json["children_present"], first.json["volunteers_present"]) == (1, 0)
    assert staff.post(path, body).json == first.json
    assert staff.post(path, {"children": [], "volunteers": [world.a.volunteer.id]}).json["children_present"] == 0
    refused = staff.post(path, {"children": [world.b.pupil.id], "volunteers": []})
    assert refused.status_code == 422 and refused.json["error"]["fields"]["children"] == "有学生不在这次活动的邀请名单中"
    assert staff.post(path, {"children": [world.a.pupil.id]}).json["error"]["fields"] == {"volunteers": "缺少此项"}
    assert Api(client, "school_b").post(path, body).status_code == 404
    assert Api(client, "vol_a").post(path, body).status_code == 403


def test_a_volunteer_signs_in_with_the_code(client, world):
    event = make_event(world.a.users["school_staff"], world.a)[0]
    db.session.commit()
    vol = Api(client, "vol_a")
    assert vol.post("/api/v1/checkin", {"code": event.checkin_code}).json["id"] == event.id
    assert vol.post("/api/v1/checkin", {"code": event.checkin_code}).status_code == 200  # again: no harm
    row = db.session.get(EventAttendance, event.attendance[1].id)
    db.session.refresh(row)
    assert row.attended and row.method == "code"
    wrong = vol.post("/api/v1/checkin", {"code": "000000" if event.checkin_code != "000000" else "111111"})
    assert wrong.status_code == 422 and "签到码无效" in wrong.json["error"]["message"]
    old = make_event(world.a.users["school_staff"], world.a, day=today_cn() - timedelta(days=5))[0]
    db.session.commit()
    assert vol.post("/api/v1/checkin", {"code": old.checkin_code}).json["error"]["fields"] == {"code": "只能在活动当天签到"}
