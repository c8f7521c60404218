"""Care logs over the API: the same services and rules as the forms, idempotent on client_uuid,
one JSON error shape with Chinese messages, photos one at a time, the mandatory report."""
import io
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.activities.models import ActivityPhoto, CareLog, ProtectionCase
from app.core.audit import AuditEntry
from app.core.dates import today_cn
from app.extensions import db
from tests.activities.helpers import jpeg_bytes
from tests.api.helpers import Api, log_body


@pytest.fixture
def vol(client, world):
    return Api(client, "vol_a")


def count(model, *where):
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_a_talk_is_created_once_and_sending_it_again_returns_it(vol, world):
    body = log_body(world.a.child.id)
    first = vol.post("/api/v1/logs", body)
    assert first.status_code == 201 and first.json["created"] is True
    log = first.json["log"]
    assert log["kind"] == "talk" and log["mode"] == "phone" and log["content"] == "问了期中考试"
    assert log["client_uuid"] == body["client_uuid"] and log["url"] == f"/activities/logs/{log['id']}"
    again = vol.post("/api/v1/logs", body)
    assert again.status_code == 200 and again.json["created"] is False and again.json["log"]["id"] == log["id"]
    assert count(CareLog) == 1
    assert count(AuditEntry, AuditEntry.action == "log.create") == 1


def test_the_same_uuid_with_a_different_body_is_refused(vol, world):
    body = log_body(world.a.child.id)
    assert vol.post("/api/v1/logs", body).status_code == 201
    response = vol.post("/api/v1/logs", {**body, "content": "换了内容"})
    assert response.status_code == 422
    error = response.json["error"]
    assert error["code"] == "uuid_conflict" and "记录编号重复" in error["message"] and "client_uuid" in error["fields"]
    # canonical: whitespace and list order do not make a different log
    same = {**body, "content": "  问了期中考试 ", "participants": ["child"]}
    assert vol.post("/api/v1/logs", same).status_code == 200
    assert count(CareLog) == 1


def test_call_and_video_are_talks(vol, world):
    call = vol.post("/api/v1/logs", log_body(world.a.child.id, "call", content="打了电话")).json["log"]
    video = vol.post("/api/v1/logs", log_body(world.a.child.id, "video", content="视频聊天")).json["log"]
    assert (call["kind"], call["mode"], video["kind"], video["mode"]) == ("talk", "phone", "talk", "video")


def test_validation_errors_have_a_fields_map_in_chinese(vol, world):
    wrong_types = vol.post("/api/v1/logs", {"client_uuid": "abc", "child_id": "1", "kind": "chat",
                                            "occurred_on": "昨天", "duration_minutes": True, "lat": "north"})
    assert wrong_types.status_code == 422
    fields = wrong_types.json["error"]["fields"]
    assert fields == {"client_uuid": "记录编号应为 UUID", "child_id": "请给出有效的编号", "kind": "记录类型无效",
                      "occurred_on": "日期格式应为 YYYY-MM-DD", "duration_minutes": "应为整数", "lat": "应为数字"}
    future = (today_cn() + timedelta(days=2)).isoformat()
    rule = vol.post("/api/v1/logs", log_body(world.a.child.id, occurred_on=future))
    assert rule.status_code == 422 and rule.json["error"]["fields"] == {"occurred_on": "日期不能晚于今天"}
    assert rule.json["error"]["message_en"] == "The date cannot be after today"
    empty = vol.post("/api/v1/logs", log_body(world.a.child.id, content=" "))
    assert empty.json["error"]["fields"]["content"].startswith("请填写内容")
    hostile = vol.post("/api/v1/logs", log_body(world.a.child.id, place="\ud800"))
    assert hostile.status_code == 422 and hostile.json["error"]["fields"] == {"place": "包含无效字符"}
    assert vol.post("/api/v1/logs", log_body(world.a.child.id, content="a\x00b")).status_code == 400
    assert vol.client.post("/api/v1/logs", data="not json", headers=vol.headers,
                           content_type="application/json").json["error"]["code"] == "bad_json"
    assert count(CareLog) == 0


def test_scope_and_role_rules_are_the_forms_rules(client, vol, world):
    assert vol.post("/api/v1/logs", log_body(world.b.child.id)).status_code == 404  # another county
    assert vol.post("/api/v1/logs", log_body(world.a.pupil.id)).status_code == 404  # not her pair
    auditor = Api(client, "auditor_a")
    response = auditor.post("/api/v1/logs", log_body(world.a.child.id))
    assert response.status_code == 403 and response.json["error"]["code"] == "403"
    log_id = vol.post("/api/v1/logs", log_body(world.a.child.id)).json["log"]["id"]
    assert auditor.get(f"/api/v1/logs/{log_id}").status_code == 200  # in the auditor's county
    assert Api(client, "coord_b").get(f"/api/v1/logs/{log_id}").status_code == 404
    assert Api(client, "school_a").get(f"/api/v1/logs/{log_id}").status_code == 404
    assert vol.get("/api/v1/logs/99999999999").status_code == 404


def test_a_danger_opens_the_mandatory_report_in_the_same_transaction(vol, world):
    body = log_body(world.a.child.id, "visit", concerns=["alone", "violence"], concern_note="孩子一个人在家，脸上有伤")
    response = vol.post("/api/v1/logs", body)
    assert response.status_code == 201 and response.json["show_alert"] is True
    case = response.json["case"]
    assert case["police"] == "110" and case["alert_url"] == f"/activities/cases/{case['id']}/alert"
    row = db.session.get(ProtectionCase, case["id"])
    assert row.concerns == ["alone", "violence"] and row.description == "孩子一个人在家，脸上有伤"
    assert vol.post("/api/v1/logs", body).json["case"]["id"] == case["id"]  # sent again: the same case
    bad = vol.post("/api/v1/logs", log_body(world.a.child.id, "holiday", concerns=["alone"]))
    assert bad.status_code == 422 and "concerns" in bad.json["error"]["fields"]
    assert count(ProtectionCase) == 1 and count(CareLog) == 1


def test_session_writes_need_the_csrf_header_and_a_fresh_token_is_available(browser, client, world):
    assert client.get("/api/v1/csrf").status_code == 401
    browser.login("vol_a")
    body = log_body(world.a.child.id)
    refused = client.post("/api/v1/logs", json=body, headers={"X-CSRFToken": "stale"})
    assert refused.status_code == 400 and refused.json["error"]["code"] == "csrf_failed"
    token = client.get("/api/v1/csrf").json["csrf_token"]
    assert client.post("/api/v1/logs", json=body, headers={"X-CSRFToken": token}).status_code == 201


def test_photos_are_added_one_at_a_time_and_never_twice(vol, world, app):
    log_id = vol.post("/api/v1/logs", log_body(world.a.child.id)).json["log"]["id"]
    path = f"/api/v1/logs/{log_id}/photos"

    def upload(raw, key=None):
        data = {"photo": (io.BytesIO(raw), "p.jpg")}
        if key:
            data["client_key"] = key
        return vol.client.post(path, data=data, headers=vol.headers, content_type="multipart/form-data")

    first = upload(jpeg_bytes((2400, 1800)), "photo-key-0001")
    assert first.status_code == 201 and (first.json["photo"]["width"], first.json["photo"]["height"]) == (1600, 1200)
    assert upload(jpeg_bytes((2400, 1800)), "photo-key-0001").status_code == 200
    raw = jpeg_bytes(color=(1, 2, 3))
    assert upload(raw).status_code == 201 and upload(raw).status_code == 200  # keyed by its bytes
    assert count(ActivityPhoto, ActivityPhoto.log_id == log_id) == 2
    assert upload(b"not a photo").json["error"]["fields"] == {"photo": "文件不是有效的照片"}
    assert upload(jpeg_bytes(), "bad key!").status_code == 422
    assert vol.client.post(path, headers=vol.headers).json["error"]["code"] == "no_photo"
    for n in range(4):
        assert upload(jpeg_bytes(size=(40 + n, 30))).status_code == 201
    assert upload(jpeg_bytes(size=(99, 30))).json["error"]["fields"] == {"photo": "最多上传6张照片"}
    assert len(list(Path(app.config["UPLOAD_DIR"]).rglob("*.jpg"))) == 6


def test_only_who_may_edit_the_log_adds_photos(client, vol, world):
    log_id = vol.post("/api/v1/logs", log_body(world.a.child.id)).json["log"]["id"]
    director = Api(client, "director_a")
    response = director.client.post(f"/api/v1/logs/{log_id}/photos",
                                    data={"photo": (io.BytesIO(jpeg_bytes()), "p.jpg")},
                                    headers=director.headers, content_type="multipart/form-data")
    assert response.status_code == 403 and response.json["error"]["code"] == "not_allowed"


@pytest.mark.parametrize("rounds", [8])
def test_the_same_log_sent_twice_at_the_same_moment_is_saved_once(app, world, rounds):
    """Two requests with one client_uuid race: the unique constraint keeps one, the loser answers
    200 with it (threads, each with its own client, on SQLite and PostgreSQL)."""
    api = Api(app.test_client(), "vol_a")
    headers, child_id = api.headers, world.a.child.id
    for _ in range(rounds):
        body = log_body(child_id)
        barrier, statuses = threading.Barrier(2), []

        def send():
            client = app.test_client()
            barrier.wait()
            statuses.append(client.post("/api/v1/logs", json=body, headers=headers).status_code)

        threads = [threading.Thread(target=send) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(statuses) == [200, 201], statuses
    assert count(CareLog) == rounds


def test_logs_from_the_html_form_carry_the_fingerprint_too(world):
    from tests.activities.helpers import make_log

    log = make_log(world.a.users["volunteer"], world.a.child).log
    db.session.commit()
    assert log.request_hash and len(log.request_hash) == 64
