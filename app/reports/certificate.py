"""志愿服务记录证明: a volunteer-service certificate.

Durations are kept in minutes and printed exactly (小时/分), so the rows add up to the total
as printed; the one-decimal hours beside the total are for reading only. Hours are the logged length of the volunteer's talks, home visits and holiday activities plus
the school events they attended; travel time is never counted (nothing records it).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from app.activities import vocab as av
from app.activities.models import CareLog, EventAttendance, SchoolEvent
from app.core.idcard import mask_id_number
from app.extensions import db
from app.core.dates import CHINA
from app.reports.common import Period, cn_date, duration_text, hours_text

TITLE = "志愿服务记录证明"


@dataclass
class Certificate:
    name: str
    id_type: str
    id_number: str
    volunteer_number: str
    kind: str
    period: str
    total_minutes: int
    total_hours: str  # one decimal, display only
    total_duration: str  # exact: 29小时18分 — the rows, printed the same way, add up to it
    content: list[dict]  # per service type: label, count, hours
    rows: list[dict] = field(default_factory=list)
    organisation: str = ""
    person_in_charge: str = ""
    handler: str = ""
    contact: str = ""


def build(volunteer, period: Period, handler: str) -> Certificate:
    """The certificate of ``volunteer`` for ``period`` (the caller has checked scope)."""
    logs = db.session.scalars(
        sa.select(CareLog).where(CareLog.volunteer_id == volunteer.id, CareLog.occurred_on >= period.start,
                                 CareLog.occurred_on <= period.end).order_by(CareLog.occurred_on, CareLog.id)).all()
    from app.reports.ledger import held_events

    events = db.session.scalars(
        sa.select(SchoolEvent).join(EventAttendance, EventAttendance.event_id == SchoolEvent.id)
        .where(EventAttendance.volunteer_id == volunteer.id, EventAttendance.attended.is_(True),
               *held_events(period)).order_by(SchoolEvent.starts_at)).all()
    rows: list[tuple[date, dict]] = []
    by_kind: dict[str, list[int]] = {}
    for log in logs:
        label = av.LOG_KINDS[log.kind] + (f"（{log.mode_label}）" if log.mode_label else "")
        minutes = log.duration_minutes or 0
        rows.append((log.occurred_on, {"date": cn_date(log.occurred_on), "content": label, "place": log.place or "",
                                       "minutes": minutes, "hours": duration_text(minutes)}))
        by_kind.setdefault(av.LOG_KINDS[log.kind], [0, 0])
        by_kind[av.LOG_KINDS[log.kind]][0] += 1
        by_kind[av.LOG_KINDS[log.kind]][1] += minutes
    for event in events:
        rows.append((event.starts_at.astimezone(CHINA).date(), {"date": cn_date(event.starts_at),
                                              "content": f"{event.kind_label}：{event.title}",
                                              "place": event.place or event.organisation.name,
                                              "minutes": event.duration_minutes,
                                              "hours": duration_text(event.duration_minutes)}))
        by_kind.setdefault("学校活动", [0, 0])
        by_kind["学校活动"][0] += 1
        by_kind["学校活动"][1] += event.duration_minutes
    rows.sort(key=lambda item: item[0])
    total = sum(r["minutes"] for _, r in rows)
    org = volunteer.organisation
    return Certificate(
        name=volunteer.name, id_type="居民身份证", id_number=mask_id_number(volunteer.id_number),
        volunteer_number=volunteer.volunteer_number or "", kind=volunteer.kind_label, period=period.label,
        total_minutes=total, total_hours=hours_text(total), total_duration=duration_text(total),
        content=[{"label": k, "count": v[0], "hours": duration_text(v[1]), "minutes": v[1]}
                 for k, v in by_kind.items()],
        rows=[r for _, r in rows], organisation=org.name, person_in_charge=org.person_in_charge or "",
        handler=handler, contact=" ".join(x for x in (org.contact_person, org.contact_phone) if x))
