"""Logging talks, visits and holiday activities from a phone; editing; photos; hours."""
import io
import re
from datetime import timedelta

import sqlalchemy as sa
from PIL import Image

from app.activities import services
from app.activities.models import ActivityPhoto, CareLog
from app.activities.photos import photo_path
from app.core.audit import AuditEntry
from app.core.dates import today_cn
from tests.activities.helpers import days_ago, jpeg_bytes, make_log, start_pair_on


def talk_form(**overrides):
    data = {"occurred_on": today_cn().isoformat(), "mode": "phone", "duration_minutes": "20",
            "participants": ["child"], "content": "问了期中考试，孩子说数学进步了", "mood": "happy"}
    data.update(overrides)
    return data


def visit_form(**overrides):
    data = {"occurred_on": today_cn().isoformat(), "start_time": "15:30", "duration_minutes": "60",
            "guardian_present": "yes", "participants": ["child", "guardian"], "safety_wiring": "ok",
            "safety_doors": "problem", "safety_water": "ok", "safety_food": "ok",
            "living_conditions": "后门门闩坏了", "emotions": "情绪稳定", "help_given": "帮忙修好门闩"}
    data.update(overrides)
    return data


def post(browser, path, data, **kw):
    return browser.post(path, data, token_from=path, **kw)


def test_volunteer_sees_what_is_due_logs_a_talk_and_a_visit_and_the_list_changes(login, world, db):
    start_pair_on(_pair(db, world.a.child.id), days_ago(200))
    db.session.commit()
    vol = login("volunteer")
    html = vol.get("/activities/today").get_data(as_text=True)
    card = html[html.index(world.a.child.name):]
    assert "已逾期" in card and "谈心" in card and "入户看望" in card
    assert f"/activities/children/{world.a.child.id}/talks/new" in card

    response = post(vol, f"/activities/children/{world.a.child.id}/talks/new", talk_form())
    assert response.status_code == 302 and response.headers["Location"].endswith("/activities/today")
    html = vol.get("/activities/today").get_data(as_text=True)
    talk_row = re.search(r"谈心</span> <span>(.*?)</li>", html, re.S).group(1)
    assert "已完成" in talk_row
    visit_row = re.search(r"入户看望</span> <span>(.*?)</li>", html, re.S).group(1)
    assert "已逾期" in visit_row

    assert post(vol, f"/activities/children/{world.a.child.id}/visits/new", visit_form()).status_code == 302
    html = vol.get("/activities/today").get_data(as_text=True)
    assert "已逾期" not in html.split("学校活动签到")[0]
    log = db.session.scalar(sa.select(CareLog).where(CareLog.kind == "visit"))
    assert log.safety == {"wiring": "ok", "doors": "problem", "water": "ok", "food": "ok"}
    assert log.pair_id is not None and log.guardian_present is True
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)
                             .where(AuditEntry.action == "log.create")) == 2


def _pair(db, child_id):
    from app.matching.models import Pair

    return db.session.scalar(sa.select(Pair).where(Pair.child_id == child_id, Pair.status == "active"))


def test_log_forms_are_phone_friendly_with_defaults_and_the_report_list(login, world):
    vol = login("volunteer")
    html = vol.get(f"/activities/children/{world.a.child.id}/talks/new").get_data(as_text=True)
    assert f'value="{today_cn().isoformat()}"' in html  # date defaults to today (China)
    assert re.search(r'<input checked[^>]*value="in_person"', html) and 'value="30"' in html
    assert "发现以下情况" in html and "疑似遭受家庭暴力" in html and 'href="tel:110"' in html
    assert 'id="alert110" class="alert110" hidden' in html  # shown by JS; the server page covers no-JS
    assert "style=" not in html and "<script>" not in html  # CSP: no inline styles or scripts
    assert "js/activities.js" in html
    visit = vol.get(f"/activities/children/{world.a.child.id}/visits/new").get_data(as_text=True)
    for text in ("监护人是否在家", "用电线路", "门窗门锁", "饮水安全", "食物储备", "请监护人确认"):
        assert text in visit
    holiday = vol.get(f"/activities/children/{world.a.child.id}/holidays/new").get_data(as_text=True)
    assert "中秋节" in holiday and "发现以下情况" not in holiday


def test_out_of_scope_children_are_404(login, world):
    vol = login("volunteer")
    assert vol.get(f"/activities/children/{world.b.child.id}/talks/new").status_code == 404
    assert vol.get(f"/activities/children/{world.a.pupil.id}/visits/new").status_code == 404  # not her pair
    assert login("coordinator").get(f"/activities/children/{world.b.child.id}").status_code == 404


def test_validation_says_why_and_saves_nothing(login, world, db):
    vol = login("volunteer")
    path = f"/activities/children/{world.a.child.id}/talks/new"
    future = (today_cn() + timedelta(days=1)).isoformat()
    response = post(vol, path, talk_form(occurred_on=future))
    assert response.status_code == 400 and "日期不能晚于今天" in response.get_data(as_text=True)
    response = post(vol, path, talk_form(content=""))
    assert response.status_code == 400 and "请填写谈话内容" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CareLog)) == 0


def test_same_client_uuid_twice_saves_one_log(login, world, db):
    vol = login("volunteer")
    path = f"/activities/children/{world.a.child.id}/talks/new"
    data = talk_form(client_uuid="0b7c8c1e-4e55-4a8e-9a59-3c0a1e2f0001")
    assert post(vol, path, data).status_code == 302
    assert post(vol, path, data).status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CareLog)) == 1


def test_location_is_optional_and_a_bad_fix_is_ignored(login, world, db):
    vol = login("volunteer")
    path = f"/activities/children/{world.a.child.id}/talks/new"
    assert post(vol, path, talk_form(lat="", lon="")).status_code == 302
    assert post(vol, path, talk_form(lat="999", lon="abc")).status_code == 302
    assert post(vol, path, talk_form(lat="27.2101", lon="108.8102")).status_code == 302
    located = [(log.lat, log.lon) for log in db.session.scalars(sa.select(CareLog).order_by(CareLog.id))]
    assert located == [(None, None), (None, None), (27.2101, 108.8102)]


def test_photos_are_shrunk_re_encoded_and_stripped_of_exif(login, world, db, app):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make
    exif[0x8825] = {1: "N", 2: (27.0, 12.0, 36.0)}  # GPS
    raw = jpeg_bytes((3200, 2400), exif=exif.tobytes())
    vol = login("volunteer")
    response = post(vol, f"/activities/children/{world.a.child.id}/talks/new",
                    talk_form(photos=[(io.BytesIO(raw), "IMG_0001.JPG"),
                                            (io.BytesIO(jpeg_bytes()), "b.png")]),
                    content_type="multipart/form-data")
    assert response.status_code == 302
    photos = db.session.scalars(sa.select(ActivityPhoto).order_by(ActivityPhoto.id)).all()
    assert len(photos) == 2 and photos[0].uploaded_at is not None
    stored = photo_path(app.config["UPLOAD_DIR"], photos[0].filename)
    with Image.open(stored) as img:
        assert img.format == "JPEG" and max(img.size) == 1600 and img.size == (1600, 1200)
        assert not img.getexif() and "exif" not in img.info
    assert re.fullmatch(r"[0-9a-f]{32}\.jpg", photos[0].filename)
    served = vol.get(f"/activities/photos/{photos[0].id}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert login("volunteer", "b").get(f"/activities/photos/{photos[0].id}").status_code == 404


def test_a_file_that_is_not_a_photo_is_refused(login, world, db):
    vol = login("volunteer")
    response = post(vol, f"/activities/children/{world.a.child.id}/talks/new",
                    talk_form(photos=[(io.BytesIO(b"<?php evil(); ?>"), "x.jpg")]),
                    content_type="multipart/form-data")
    assert response.status_code == 400 and "文件不是有效的照片" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CareLog)) == 0


def test_volunteer_edits_own_log_for_7_days_then_only_a_coordinator_with_a_reason(login, world, db):
    result = make_log(world.user("volunteer"), world.a.child, "talk")
    db.session.commit()
    log_id = result.log.id
    vol = login("volunteer")
    edit = f"/activities/logs/{log_id}/edit"
    assert "修改原因" not in vol.get(edit).get_data(as_text=True)
    assert post(vol, edit, talk_form(content="改正：说的是语文")).status_code == 302
    db.session.expire_all()
    assert db.session.get(CareLog, log_id).content == "改正：说的是语文"

    db.session.get(CareLog, log_id).created_at -= timedelta(days=8)
    db.session.commit()
    assert vol.get(edit).status_code == 403
    assert login("village_director").get(edit).status_code == 403
    coord = login("coordinator")
    assert "修改原因" in coord.get(edit).get_data(as_text=True)
    refused = post(coord, edit, talk_form(content="协调员更正"))
    assert refused.status_code == 400 and "请填写修改原因" in refused.get_data(as_text=True)
    assert post(coord, edit, talk_form(content="协调员更正", reason="志愿者电话告知记错了")).status_code == 302
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "log.update")
                               .order_by(AuditEntry.id.desc())).first()
    assert entry.username == "coord_a" and entry.detail["reason"] == "志愿者电话告知记错了"
    assert entry.detail["changes"]["content"] == ["改正：说的是语文", "协调员更正"]
    assert login("coordinator", "b").get(edit).status_code == 404


def test_staff_can_enter_a_volunteers_paper_record_for_the_pair(login, world, db):
    coord = login("coordinator")
    path = f"/activities/children/{world.a.child.id}/talks/new"
    assert "代为录入" in coord.get(path).get_data(as_text=True)
    assert post(coord, path, talk_form(for_pair="y")).status_code == 302
    assert post(coord, path, talk_form()).status_code == 302
    pairs = [log.pair_id is not None for log in db.session.scalars(sa.select(CareLog).order_by(CareLog.id))]
    assert pairs == [True, False]


def test_child_history_and_detail_pages(login, world, db):
    make_log(world.user("volunteer"), world.a.child, "holiday")
    db.session.commit()
    html = login("auditor").get(f"/activities/children/{world.a.child.id}").get_data(as_text=True)
    assert "一起做月饼" in html and "节日活动" in html
    log = db.session.scalar(sa.select(CareLog))
    detail = login("coordinator").get(f"/activities/logs/{log.id}").get_data(as_text=True)
    assert "中秋节" in detail and world.user("volunteer").display_name in detail
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "log.view")) is not None


def test_service_hours_from_logs_and_attended_events(world, db):
    from app.activities import events
    from tests.activities.helpers import make_event

    make_log(world.user("volunteer"), world.a.child, "talk", duration_minutes=30)
    make_log(world.user("volunteer"), world.a.child, "visit", duration_minutes=60)
    event = make_event(world.user("school_staff"), world.a, duration_minutes=90)[0]
    events.check_in(world.user("volunteer"), event.checkin_code)
    db.session.commit()
    assert services.service_hours(world.a.volunteer) == 3.0
    assert services.service_hours(world.b.volunteer) == 0.0


def test_editing_a_visit_keeps_its_answers_and_a_newly_ticked_danger_opens_a_case(login, world, db):
    from app.activities.models import ProtectionCase

    log = make_log(world.user("volunteer"), world.a.child, "visit", living_conditions="屋顶漏雨",
                   safety={"wiring": "problem", "doors": "ok", "water": "ok", "food": "ok"}).log
    db.session.commit()
    vol = login("volunteer")
    edit = f"/activities/logs/{log.id}/edit"
    html = vol.get(edit).get_data(as_text=True)
    assert "屋顶漏雨" in html
    assert re.search(r'<input checked[^>]*name="safety_wiring"[^>]*value="problem"', html)
    response = post(vol, edit, visit_form(living_conditions="屋顶漏雨，已报修", concerns=["self_harm"]))
    assert response.status_code == 302 and "/alert" in response.headers["Location"]
    db.session.expire_all()
    assert db.session.get(CareLog, log.id).concerns == ["self_harm"]
    assert db.session.scalar(sa.select(ProtectionCase.concerns).where(ProtectionCase.log_id == log.id)) == ["self_harm"]
