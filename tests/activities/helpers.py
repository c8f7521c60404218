"""Builders for activity test data, shared with the route-policy matrix (tests/core/test_policies.py)."""
from __future__ import annotations

import io
from datetime import date, datetime, time, timedelta, timezone

from flask import current_app
from PIL import Image

from app.activities import events as event_service
from app.activities import services
from app.core.dates import CHINA, today_cn
from app.extensions import db


def jpeg_bytes(size=(64, 48), color=(200, 80, 60), exif: bytes | None = None) -> bytes:
    out = io.BytesIO()
    kwargs = {"exif": exif} if exif else {}
    Image.new("RGB", size, color).save(out, "JPEG", **kwargs)
    return out.getvalue()


def log_input(kind: str = "talk", on: date | None = None, **fields) -> services.LogInput:
    defaults = {"talk": {"mode": "in_person", "content": "聊了学习和想念爸爸妈妈", "duration_minutes": 30},
                "visit": {"duration_minutes": 60, "guardian_present": True,
                          "safety": {"wiring": "ok", "doors": "ok", "water": "ok", "food": "ok"}},
                "holiday": {"mode": "mid_autumn", "content": "一起做月饼", "duration_minutes": 60}}[kind]
    defaults.update(fields)
    return services.LogInput(kind=kind, occurred_on=on or today_cn(), participants=["child"], **defaults)


def make_log(actor, child, kind: str = "talk", on: date | None = None, photos=(), **fields):
    """Create a log through the service (as the views do) and flush; returns the LogResult."""
    result = services.create_log(actor, child, log_input(kind, on, **fields), photos,
                                 upload_dir=current_app.config["UPLOAD_DIR"])
    db.session.flush()
    return result


def start_pair_on(pair, day: date) -> None:
    pair.started_at = datetime.combine(day, time(10), CHINA).astimezone(timezone.utc)


def make_event(actor, region, day: date | None = None, weeks: int = 1, **fields):
    data = event_service.EventInput(kind=fields.pop("kind", "tutoring"), title=fields.pop("title", "四点半课堂"),
                                    day=day or today_cn(), start=time(16, 30), weeks=weeks,
                                    child_ids=[region.pupil.id], volunteer_ids=[region.volunteer.id], **fields)
    return event_service.create_event(actor, region.school, data, [region.pupil.id], [region.volunteer.id])


def activity_objects(world, region: str) -> dict:
    """One log, photo, protection case and school event in ``region``, made once per world.

    The log and the case are by the region's volunteer about its paired child; the event is the
    region's school's, with its pupil and volunteer invited.
    """
    cache = world.__dict__.setdefault("_activity_objects", {})
    if region not in cache:
        r = getattr(world, region)
        volunteer = r.users["volunteer"]
        talk = make_log(volunteer, r.child, "talk", photos=[jpeg_bytes()])
        visit = make_log(volunteer, r.child, "visit", concerns=["alone"], concern_note="孩子一个人在家")
        event = make_event(r.users["school_staff"], r)[0]
        db.session.commit()
        cache[region] = {"log_id": talk.log.id, "photo_id": talk.log.photos[0].id, "case_id": visit.case.id,
                         "event_id": event.id}
    return cache[region]


def days_ago(n: int) -> date:
    return today_cn() - timedelta(days=n)
