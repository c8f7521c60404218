"""Demo 儿童之家: homes in two of every three villages (the director's 鱼塘村 among them), checklists
partly met, and at the director's home a few months of activities with children, volunteers and
parents or guardians. Deterministic for a given day."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from app.activities.models import EventAttendance, SchoolEvent
from app.auth.models import User
from app.children.models import Child
from app.core.audit import AuditEntry
from app.core.dates import CHINA
from app.core.models import Division, Organisation
from app.extensions import db
from app.homes.models import CHECKLIST, ChildrenHome, EventGuest
from app.volunteers.models import Volunteer

ITEMS = list(CHECKLIST)
ACTIVITIES = [("other", "周末读书会"), ("family_education", "家庭教育讲座：怎样和孩子打视频电话"),
              ("holiday", "冬至包饺子"), ("safety_law", "防溺水安全教育"), ("parents_meeting", "返乡家长会")]


def _homes(director) -> list[ChildrenHome]:
    villages = db.session.scalars(sa.select(Division).where(Division.level == "village").order_by(Division.code)).all()
    homes = []
    for n, village in enumerate(villages):
        if n % 3 == 2 and village.id != director.division_id:
            continue
        org = Organisation(name=f"{village.name}儿童之家", kind="children_home", division_id=village.id,
                           person_in_charge=None)
        db.session.add(org)
        db.session.flush()
        met = ITEMS[: 8 - n % 4] if village.id != director.division_id else ITEMS[:7]  # the director's lacks funds
        homes.append(ChildrenHome(organisation_id=org.id, setting="village", checklist={k: k in met for k in ITEMS},
                                  checklist_notes={}, opened_on=date(2024, 3 + n % 6, 1), updated_by_id=director.id))
    db.session.add_all(homes)
    db.session.flush()
    # the checklist as it was recorded (a month after opening): the 运营评估 reads its state for a
    # past period back from these entries
    db.session.add_all([AuditEntry(action="home.checklist", object_type="children_homes", object_id=str(h.id),
                                   user_id=director.id, username=director.username, role=director.role,
                                   at=datetime.combine(h.opened_on + timedelta(days=30), time(10), CHINA),
                                   detail={"met": [k for k in ITEMS if h.checklist[k]], "before": [], "photos": 0})
                        for h in homes])
    db.session.flush()
    return homes


def _activities(home: ChildrenHome, director, today: date) -> int:
    kids = db.session.scalars(sa.select(Child).where(Child.division_id == home.organisation.division_id,
                                                     Child.status == "active").order_by(Child.id)).all()
    village = home.organisation.division
    helpers = db.session.scalars(sa.select(Volunteer).where(Volunteer.division_id.in_(
        sa.select(Division.id).where(Division.parent_id == village.parent_id)), Volunteer.status == "approved")
        .order_by(Volunteer.id).limit(3)).all()
    taken = set(db.session.scalars(sa.select(SchoolEvent.checkin_code)))
    codes = (f"{n:06d}" for n in range(880000, 969999) if f"{n:06d}" not in taken)
    sessions = 0
    for n in range(8):
        day = today - timedelta(days=12 + 14 * n)
        kind, title = ACTIVITIES[n % len(ACTIVITIES)]
        event = SchoolEvent(kind=kind, title=title, organisation_id=home.organisation_id, division_id=village.id,
                            starts_at=datetime.combine(day, time(9, 30), CHINA), duration_minutes=90 + 30 * (n % 2),
                            place=home.organisation.name, organiser=director.display_name, checkin_code=next(codes),
                            created_by_id=director.id, summary=f"{title}，孩子们积极参与。")
        db.session.add(event)
        db.session.flush()
        came = [c for i, c in enumerate(kids) if (i + n) % 3 != 0]
        db.session.add_all([EventAttendance(event_id=event.id, child_id=c.id, attended=c in came,
                                            method="list" if c in came else None) for c in kids])
        db.session.add_all([EventAttendance(event_id=event.id, volunteer_id=v.id, attended=True, method="list")
                            for v in helpers[: 1 + n % 3]])
        if kind in ("family_education", "parents_meeting"):
            db.session.add_all([EventGuest(event_id=event.id, name=c.guardian_name or f"{c.name}的家长",
                                           relation="guardian", child_id=c.id, created_by_id=director.id)
                                for c in came[: max(1, len(came) // 2)]])
        sessions += 1
    db.session.flush()
    return sessions


def seed_homes(today: date) -> dict[str, int]:
    director = db.session.scalar(sa.select(User).where(User.username == "director"))
    if director is None:
        return {"homes": 0, "sessions": 0}
    homes = _homes(director)
    mine = next(h for h in homes if h.organisation.division_id == director.division_id)
    return {"homes": len(homes), "sessions": _activities(mine, director, today)}
