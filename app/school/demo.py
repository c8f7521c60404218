"""Demo data of the school workspace: classes for the demo school's pupils, a themed care
activity this term and last month's class meetings for some classes (others left due, so the
workspace shows both). Deterministic for a given day."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from app.activities.models import EventAttendance, SchoolEvent
from app.activities.periods import term_window
from app.auth.models import User
from app.children.models import Child
from app.core.dates import CHINA
from app.extensions import db
from app.school.cadence import month_of


def _event(school, user, kind: str, title: str, day: date, pupils, code: str) -> SchoolEvent:
    event = SchoolEvent(kind=kind, title=title, organisation_id=school.id, division_id=school.division_id,
                        starts_at=datetime.combine(day, time(14, 30), CHINA), duration_minutes=45,
                        place=f"{school.name}", organiser=user.display_name, checkin_code=code,
                        created_by_id=user.id, summary=f"{title}，{len(pupils)}名学生参加。")
    db.session.add(event)
    db.session.flush()
    db.session.add_all([EventAttendance(event_id=event.id, child_id=c.id, attended=True, method="list")
                        for c in pupils])
    return event


def seed_school(today: date) -> dict[str, int]:
    user = db.session.scalar(sa.select(User).where(User.username == "school"))
    if user is None or user.organisation is None:
        return {"classes": 0, "events": 0}
    school = user.organisation
    pupils = db.session.scalars(sa.select(Child).where(Child.school_id == school.id, Child.status == "active")
                                .order_by(Child.id)).all()
    classes: dict[str, list[Child]] = {}
    for n, child in enumerate(pupils):
        name = f"{child.grade or '一年级'}{n % 2 + 1}班"
        child.class_name = name
        classes.setdefault(name, []).append(child)
    taken = set(db.session.scalars(sa.select(SchoolEvent.checkin_code)))
    codes = (f"{n:06d}" for n in range(970000, 999999) if f"{n:06d}" not in taken)
    events = 0
    this_term = term_window(today)
    theme_day = max(this_term.start, today - timedelta(days=40))
    if theme_day < today:
        _event(school, user, "care_theme", "“亲情连线”主题关爱教育活动", theme_day, pupils[:20], next(codes))
        events += 1
    last_month = month_of(today.replace(day=1) - timedelta(days=1))
    for n, (name, members) in enumerate(sorted(classes.items())):
        if n % 3 != 2:  # every third class has not held last month's meeting
            _event(school, user, "class_meeting", f"{name}“想念爸爸妈妈”主题班会",
                   last_month.start + timedelta(days=9 + n % 5), members, next(codes))
            events += 1
    db.session.flush()
    return {"classes": len(classes), "events": events}
