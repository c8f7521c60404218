"""School events over the API: the organiser's sign-in list (set semantics: sending the same list
twice changes nothing) and a volunteer's sign-in by code."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, jsonify
from flask_login import current_user

from app.activities import events as event_service
from app.activities.models import SchoolEvent
from app.activities.errors import ActivityError
from app.api.blueprint import bp
from app.core.errors import invalid
from app.api.inputs import MAX_ID, BadRequest, InputError, Reader, json_object
from app.api.views_logs import activity_error, not_json
from app.api.openapi import SCHEMAS, id_parameter, operation, ref
from app.core.i18n import N_
from app.core.permissions import policy
from app.extensions import db

SCHEMAS["Attendance"] = {
    "type": "object", "required": ["event_id", "children_present", "volunteers_present", "attendance"],
    "properties": {
        "event_id": {"type": "integer"}, "children_present": {"type": "integer"},
        "volunteers_present": {"type": "integer"},
        "attendance": {"type": "array", "items": {"type": "object", "properties": {
            "child_id": {"type": ["integer", "null"]}, "volunteer_id": {"type": ["integer", "null"]},
            "attended": {"type": "boolean"}, "method": {"type": ["string", "null"], "enum": ["list", "code", None]}}}},
    },
}
SCHEMAS["EventRef"] = {
    "type": "object", "required": ["id", "title", "starts_at"],
    "properties": {"id": {"type": "integer"}, "title": {"type": "string"},
                   "starts_at": {"type": "string", "format": "date-time"}, "place": {"type": ["string", "null"]}},
}


def _event_or_404(event_id: int) -> SchoolEvent:
    event = db.session.scalar(sa.select(SchoolEvent).where(
        SchoolEvent.id == event_id, event_service.events_scope(current_user))) if event_id <= MAX_ID else None
    if event is None:
        abort(404)
    return event


def attendance_json(event: SchoolEvent, counts: tuple[int, int]) -> dict:
    return {"event_id": event.id, "children_present": counts[0], "volunteers_present": counts[1],
            "attendance": [{"child_id": r.child_id, "volunteer_id": r.volunteer_id, "attended": r.attended,
                            "method": r.method} for r in event.attendance]}


@bp.route("/events/<int:event_id>/attendance", methods=["POST"])
@policy("events.manage")
def event_attendance(event_id: int):
    """Exactly the listed invitees attended (volunteers who signed in by code stay signed in)."""
    event = _event_or_404(event_id)
    try:
        r = Reader(json_object())
        children, volunteers = r.ids("children", required=True), r.ids("volunteers", required=True)
        invited_children = {a.child_id for a in event.attendance if a.child_id}
        invited_volunteers = {a.volunteer_id for a in event.attendance if a.volunteer_id}
        if set(children) - invited_children:
            r.fail("children", N_("有学生不在这次活动的邀请名单中"))
        if set(volunteers) - invited_volunteers:
            r.fail("volunteers", N_("有志愿者不在这次活动的邀请名单中"))
        r.check()
    except BadRequest:
        return not_json()
    except InputError as exc:
        return jsonify(error=invalid(exc.fields)), 422
    try:
        counts = event_service.set_attendance(current_user._get_current_object(), event, children, volunteers)
    except ActivityError as exc:
        db.session.rollback()
        status, body = activity_error(exc)
        return jsonify(error=body), status
    db.session.commit()
    return jsonify(attendance_json(event, counts))


operation("/api/v1/events/{event_id}/attendance", "post", summary="学校活动签到表：勾选到场的学生和志愿者（整体设置，可重复发送）",
          tag="school", parameters=[id_parameter("event_id", "活动编号")],
          request={"type": "object", "required": ["children", "volunteers"],
                   "properties": {"children": {"type": "array", "items": {"type": "integer", "minimum": 1},
                                               "description": "到场学生的儿童编号"},
                                  "volunteers": {"type": "array", "items": {"type": "integer", "minimum": 1},
                                                 "description": "到场志愿者的编号"}}},
          response=ref("Attendance"))


@bp.route("/checkin", methods=["POST"])
@policy("volunteers.self")
def checkin():
    try:
        r = Reader(json_object())
        code = r.text("code", 8, required=True)
        r.check()
    except BadRequest:
        return not_json()
    except InputError as exc:
        return jsonify(error=invalid(exc.fields)), 422
    try:
        event = event_service.check_in(current_user._get_current_object(), code)
        db.session.commit()
    except ActivityError as exc:
        db.session.rollback()
        status, body = activity_error(exc)
        return jsonify(error=body), status
    return jsonify(id=event.id, title=event.title, starts_at=event.starts_at.isoformat(), place=event.place)


operation("/api/v1/checkin", "post", summary="志愿者用签到码签到学校活动（重复签到无妨）",
          tag="school", request={"type": "object", "required": ["code"],
                                 "properties": {"code": {"type": "string", "maxLength": 8}}},
          response=ref("EventRef"), errors=("400", "401", "403", "422"))
