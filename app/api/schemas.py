"""OpenAPI schemas of the care-log API and the JSON ↔ service conversions they describe."""
from __future__ import annotations

from flask import url_for

from app.activities import vocab
from app.activities.models import ActivityPhoto, CareLog
from app.activities.services import LogInput
from app.api.inputs import MAX_ID, Reader
from app.api.openapi import SCHEMAS, ref
from app.core.i18n import N_
from app.activities.cases import POLICE_NUMBER

TEXT_FIELDS = {"content": 4000, "needs": 4000, "follow_up": 4000, "living_conditions": 4000, "study": 4000,
               "health": 4000, "emotions": 4000, "help_given": 4000, "concern_note": 4000,
               "guardian_confirmed_by": 64, "place": 128}
#: ``call`` and ``video`` are talks made by phone or video call
LOG_TEXT = [name for name in TEXT_FIELDS if name != "concern_note"]  # the note is the case's description
KIND_ALIASES = {"call": ("talk", "phone"), "video": ("talk", "video")}
KINDS = [*vocab.LOG_KINDS, *KIND_ALIASES]

_nullable_text = {"type": ["string", "null"]}
_id = {"type": "integer", "minimum": 1, "maximum": MAX_ID}

SCHEMAS["LogCreate"] = {
    "type": "object", "required": ["client_uuid", "child_id", "kind", "occurred_on"],
    "description": "一条谈心、电话、视频、入户看望或节日活动记录。勾选 concerns（强制报告情形）时，"
                   "同一事务中立即开启强制报告案件，回应中 show_alert 为 true：客户端应显示拨打110的页面。",
    "properties": {
        "client_uuid": {"type": "string", "format": "uuid",
                        "description": "手机生成的记录编号。重发同一编号同一内容返回原记录（200）；内容不同则 422 uuid_conflict。"},
        "child_id": _id,
        "kind": {"type": "string", "enum": KINDS, "description": "call = 电话谈心, video = 视频谈心"},
        "occurred_on": {"type": "string", "format": "date"},
        "mode": {"type": ["string", "null"], "enum": [*vocab.TALK_MODES, *vocab.OCCASIONS, None],
                 "description": "谈心方式（talk）或节日（holiday）"},
        "start_time": {"type": ["string", "null"], "pattern": "^[0-2][0-9]:[0-5][0-9](:[0-5][0-9])?$"},
        "duration_minutes": {"type": ["integer", "null"], "minimum": 1, "maximum": 720},
        "participants": {"type": "array", "items": {"type": "string", "enum": list(vocab.PARTICIPANTS)},
                         "maxItems": 3},
        "mood": {"type": ["string", "null"], "enum": [*vocab.MOODS, None]},
        "guardian_present": {"type": ["boolean", "null"]},
        "safety": {"type": ["object", "null"],
                   "properties": {k: {"type": "string", "enum": list(vocab.SAFETY_RESULTS)}
                                  for k in vocab.SAFETY_ITEMS},
                   "additionalProperties": False},
        "concerns": {"type": "array", "items": {"type": "string", "enum": list(vocab.CONCERNS)}, "maxItems": 11,
                     "description": "强制报告情形（谈心、看望）"},
        "lat": {"type": ["number", "null"], "minimum": -90, "maximum": 90},
        "lon": {"type": ["number", "null"], "minimum": -180, "maximum": 180},
        "for_pair": {"type": "boolean", "description": "工作人员代结对志愿者录入纸质记录"},
        **{name: {**_nullable_text, "maxLength": limit} for name, limit in TEXT_FIELDS.items()},
    },
}
SCHEMAS["Photo"] = {
    "type": "object", "required": ["id", "url", "width", "height"],
    "properties": {"id": {"type": "integer"}, "url": {"type": "string"}, "width": {"type": "integer"},
                   "height": {"type": "integer"}},
}
SCHEMAS["CaseRef"] = {
    "type": "object", "required": ["id", "status", "alert_url", "police"],
    "properties": {"id": {"type": "integer"}, "status": {"type": "string"}, "alert_url": {"type": "string"},
                   "police": {"type": "string", "description": "报警电话 110"}},
}
SCHEMAS["Log"] = {
    "type": "object", "required": ["id", "client_uuid", "kind", "child_id", "occurred_on", "photos", "url"],
    "properties": {
        "id": {"type": "integer"}, "client_uuid": {"type": "string"},
        "kind": {"type": "string", "enum": list(vocab.LOG_KINDS)}, "kind_label": {"type": "string"},
        "mode": _nullable_text, "child_id": {"type": "integer"}, "occurred_on": {"type": "string", "format": "date"},
        "start_time": _nullable_text, "duration_minutes": {"type": ["integer", "null"]},
        "participants": {"type": "array", "items": {"type": "string"}}, "mood": _nullable_text,
        "guardian_present": {"type": ["boolean", "null"]},
        "safety": {"type": ["object", "null"], "additionalProperties": {"type": "string"}},
        "concerns": {"type": "array", "items": {"type": "string"}},
        "lat": {"type": ["number", "null"]}, "lon": {"type": ["number", "null"]},
        "author": {"type": ["string", "null"], "description": "记录人（强制报告的报告人对无关人员隐去）"},
        "created_at": {"type": "string", "format": "date-time"},
        "updated_at": {"type": "string", "format": "date-time"},
        "photos": {"type": "array", "items": ref("Photo")}, "url": {"type": "string"},
        **{name: _nullable_text for name in LOG_TEXT},
    },
}
SCHEMAS["LogSaved"] = {
    "type": "object", "required": ["log", "created", "show_alert"],
    "properties": {"log": ref("Log"), "created": {"type": "boolean"},
                   "case": {"oneOf": [ref("CaseRef"), {"type": "null"}]},
                   "show_alert": {"type": "boolean", "description": "为 true 时手机应显示“立即拨打110”页面"}},
}


def log_input(body: dict) -> tuple[int | None, LogInput]:
    """``(child_id, LogInput)`` from a LogCreate body.

    :raise InputError: for fields of the wrong type (the activities services check the rest).
    """
    r = Reader(body)
    client_uuid, child_id = r.uuid("client_uuid"), r.id("child_id")
    kind = r.text("kind", 16, required=True)
    if kind is not None and kind not in KINDS:
        r.fail("kind", N_("记录类型无效"))
    occurred_on = r.day("occurred_on", required=True)
    data = LogInput(kind=kind or "talk", occurred_on=occurred_on, client_uuid=client_uuid,
                    mode=r.text("mode", 16) or None, start_time=r.clock("start_time"),
                    duration_minutes=r.integer("duration_minutes"), participants=r.strings("participants"),
                    mood=r.text("mood", 16) or None, guardian_present=r.flag("guardian_present"),
                    safety=r.mapping("safety"), concerns=r.strings("concerns"), lat=r.number("lat"),
                    lon=r.number("lon"), for_pair=bool(r.flag("for_pair")))
    for name, limit in TEXT_FIELDS.items():
        setattr(data, name, r.text(name, limit) or "")
    r.check()
    if data.kind in KIND_ALIASES:
        data.kind, data.mode = KIND_ALIASES[data.kind]
    return child_id, data


def photo_json(photo: ActivityPhoto) -> dict:
    return {"id": photo.id, "url": url_for("activities.photo", photo_id=photo.id), "width": photo.width,
            "height": photo.height}


def case_json(case) -> dict | None:
    if case is None:
        return None

    return {"id": case.id, "status": case.status, "police": POLICE_NUMBER,
            "alert_url": url_for("activities.case_alert", case_id=case.id)}


def log_json(log: CareLog, hide_author: bool = False) -> dict:
    """A log as the API shows it (never any identity number: logs hold none)."""
    out = {"id": log.id, "client_uuid": log.client_uuid, "kind": log.kind, "kind_label": log.kind_label,
           "mode": log.mode, "child_id": log.child_id, "occurred_on": log.occurred_on.isoformat(),
           "start_time": log.start_time.strftime("%H:%M") if log.start_time else None,
           "duration_minutes": log.duration_minutes, "participants": list(log.participants or []),
           "mood": log.mood, "guardian_present": log.guardian_present, "safety": log.safety,
           "concerns": list(log.concerns or []), "lat": log.lat, "lon": log.lon,
           "author": None if hide_author else log.author.display_name,
           "created_at": log.created_at.isoformat(), "updated_at": log.updated_at.isoformat(),
           "photos": [photo_json(p) for p in log.photos],
           "url": url_for("activities.log_detail", log_id=log.id)}
    for name in LOG_TEXT:
        out[name] = getattr(log, name)
    return out


def saved_json(log: CareLog, case, created: bool) -> dict:
    return {"log": log_json(log), "created": created, "case": case_json(case),
            "show_alert": case is not None and case.is_open}
