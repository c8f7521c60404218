"""School events: tutoring (四点半课堂, weekly), class meetings, holiday activities, safety and law
talks, summer camps — with invited pupils and volunteers, attendance and a summary.

Attendance is taken on a sign-in list by the staff, or by volunteers typing the session's
sign-in code on their phone. Volunteer hours come from attendance (see
:func:`app.activities.services.service_hours`). Functions flush and audit, never commit.
"""
from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from app.activities import vocab
from app.activities.models import EventAttendance, SchoolEvent
from app.activities.errors import ActivityError
from app.core import audit
from app.core.dates import CHINA, today_cn
from app.core.i18n import N_
from app.core.models import Organisation, utcnow
from app.extensions import db
from app.core.permissions import REGION_ROLES, user_subtree_ids
from app.volunteers.models import Volunteer

MAX_SESSIONS = 30
CHECKIN_DAYS = 1  # a sign-in code works on the day of the session (and the day after, for late entry)


@dataclass
class EventInput:
    kind: str
    title: str
    day: date
    start: time
    duration_minutes: int = 90
    place: str = ""
    organiser: str = ""
    weeks: int = 1  # >1: a weekly series of this many sessions
    class_name: str = ""  # a school event for one class (班会); "" for the whole school
    child_ids: list[int] = field(default_factory=list)
    volunteer_ids: list[int] = field(default_factory=list)


def events_scope(user):
    """Clause on :class:`SchoolEvent` rows ``user`` may see."""

    if user.role == "admin":
        return sa.true()
    if user.role == "school_staff":
        return SchoolEvent.organisation_id == user.organisation_id if user.organisation_id else sa.false()
    if user.role in REGION_ROLES:
        return SchoolEvent.division_id.in_(user_subtree_ids(user))
    if user.role == "volunteer":
        invited = (sa.select(EventAttendance.event_id).join(Volunteer, EventAttendance.volunteer_id == Volunteer.id)
                   .where(Volunteer.user_id == user.id))
        return SchoolEvent.id.in_(invited)
    return sa.false()


def _new_code() -> str:
    for _ in range(20):
        code = f"{secrets.randbelow(10**6):06d}"
        if not db.session.scalar(sa.select(SchoolEvent.id).where(SchoolEvent.checkin_code == code)):
            return code
    raise RuntimeError("no free sign-in code")


def create_event(actor, school: Organisation, data: EventInput, allowed_children: Iterable[int],
                 allowed_volunteers: Iterable[int]) -> list[SchoolEvent]:
    """Create an event, or a weekly series of ``data.weeks`` sessions, inviting the given
    children and volunteers (only those in ``allowed_*``, i.e. the school's pupils and the
    volunteers in the actor's scope).

    :raise ActivityError: invalid kind, title, time, length or number of sessions.
    """
    if data.kind not in vocab.EVENT_KINDS:
        raise ActivityError("kind", N_("活动类型无效"))
    if not data.title.strip():
        raise ActivityError("title", N_("请填写活动名称"))
    if not 10 <= data.duration_minutes <= 24 * 60:
        raise ActivityError("duration_minutes", N_("时长应在10分钟到24小时之间"))
    if not 1 <= data.weeks <= MAX_SESSIONS:
        raise ActivityError("weeks", N_("重复次数应在1到30之间"))
    class_name = " ".join((data.class_name or "").split())
    if class_name and school.kind != "school":
        raise ActivityError("class_name", N_("只有学校的活动可以指定班级"))
    if len(class_name) > 32:
        raise ActivityError("class_name", N_("班级名称最多32个字"))
    children = [c for c in dict.fromkeys(data.child_ids) if c in set(allowed_children)]
    volunteers = [v for v in dict.fromkeys(data.volunteer_ids) if v in set(allowed_volunteers)]
    series = str(uuid.uuid4()) if data.weeks > 1 else None
    sessions = []
    for n in range(data.weeks):
        starts = datetime.combine(data.day + timedelta(weeks=n), data.start, CHINA)
        event = SchoolEvent(series_key=series, kind=data.kind, title=data.title.strip()[:128],
                            organisation_id=school.id, division_id=school.division_id, starts_at=starts,
                            duration_minutes=data.duration_minutes, place=data.place.strip()[:128] or None,
                            organiser=data.organiser.strip()[:64] or None, class_name=class_name or None,
                            checkin_code=_new_code(),
                            created_by_id=actor.id)
        db.session.add(event)
        db.session.flush()
        db.session.add_all([EventAttendance(event_id=event.id, child_id=c) for c in children])
        db.session.add_all([EventAttendance(event_id=event.id, volunteer_id=v) for v in volunteers])
        sessions.append(event)
    db.session.flush()
    audit.record("event.create", sessions[0], user=actor,
                 detail={"sessions": len(sessions), "series": series, "class": class_name or None,
                         "children": len(children),
                         "volunteers": len(volunteers)})
    return sessions


def set_attendance(actor, event: SchoolEvent, present_children: Iterable[int],
                   present_volunteers: Iterable[int], today: date | None = None) -> tuple[int, int]:
    """Take attendance from the sign-in list: exactly the ticked invitees attended.

    Volunteers who signed in with the code stay signed in. Returns (children, volunteers) present.

    :raise ActivityError: the event's day has not come yet (a planned session has no attendance,
        and reports count an event as held only once its day has passed and attendance exists).
    """
    if event.starts_at.astimezone(CHINA).date() > (today or today_cn()):
        raise ActivityError("children", N_("活动尚未举行，不能提前登记签到；请在活动当天或之后登记"))
    kids, vols = set(present_children), set(present_volunteers)
    now = utcnow()
    for row in event.attendance:
        if row.method == "code" and row.attended:
            continue
        present = row.child_id in kids if row.child_id else row.volunteer_id in vols
        if present != row.attended:
            row.attended = present
            row.method = "list" if present else None
            row.checked_in_at = now if present else None
    db.session.flush()
    counts = (sum(1 for r in event.attendance if r.child_id and r.attended),
              sum(1 for r in event.attendance if r.volunteer_id and r.attended))
    audit.record("event.attendance", event, user=actor, detail={"children": counts[0], "volunteers": counts[1]})
    return counts


def check_in(actor, code: str, today: date | None = None) -> SchoolEvent:
    """Sign ``actor`` (a volunteer) in to the session whose code is ``code``.

    :raise ActivityError: unknown code, not invited, or not the day of the session.
    """

    today = today or today_cn()
    event = db.session.scalar(sa.select(SchoolEvent).where(SchoolEvent.checkin_code == (code or "").strip()))
    volunteer = db.session.scalar(sa.select(Volunteer).where(Volunteer.user_id == actor.id))
    row = None
    if event is not None and volunteer is not None:
        row = db.session.scalar(sa.select(EventAttendance).where(EventAttendance.event_id == event.id,
                                                                 EventAttendance.volunteer_id == volunteer.id))
    if row is None:
        raise ActivityError("code", N_("签到码无效，或您不在这次活动的邀请名单中"))
    day = event.starts_at.astimezone(CHINA).date()
    if not day <= today <= day + timedelta(days=CHECKIN_DAYS):
        raise ActivityError("code", N_("只能在活动当天签到"))
    if not row.attended:
        row.attended, row.method, row.checked_in_at = True, "code", utcnow()
        audit.record("event.checkin", event, user=actor, detail={"volunteer_id": volunteer.id})
    db.session.flush()
    return event


def save_summary(actor, event: SchoolEvent, summary: str) -> None:
    """Set the event's summary (活动小结)."""
    event.summary = (summary or "").strip()[:4000] or None
    db.session.flush()
    audit.record("event.summary", event, user=actor)
