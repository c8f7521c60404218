"""The school's own care cadence (seed 003 岚皋): "每學期學校開展一次主題關愛教育活動;每月班級開展一次…班會".

* a themed care activity (event kind ``care_theme``) once per term window
  (:func:`app.activities.periods.term_window`), due on the window's last day;
* a class meeting (event kind ``class_meeting``) for every class once per calendar month.

Only events that were held count: the session's day has come and somebody was marked present
(an event planned for next week, or one nobody came to, fulfils nothing). A class meeting made
for a class (the event's own ``class_name``) counts for that class; one made without a class
counts for each class one of whose pupils was present (meetings recorded before events carried
a class). The current period is "due" until its last day;
the previous period, if nothing was held, is "overdue".
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from app.activities.models import EventAttendance, SchoolEvent
from app.activities.periods import Period, term_window
from app.core.dates import CHINA
from app.extensions import db

DUE_SOON_DAYS = 7


@dataclass
class SchoolDue:
    """One requirement of the school's cadence in one period."""

    kind: str  # care_theme | class_meeting
    period: Period
    status: str  # done | due_this_week | due_later | overdue
    class_name: str | None = None
    held_on: date | None = None
    days_overdue: int = 0

    @property
    def due(self) -> date:
        return self.period.end


def month_of(day: date) -> Period:
    start = day.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return Period(start, end)


def _status(period: Period, held_on: date | None, today: date) -> tuple[str, int]:
    if held_on is not None:
        return "done", 0
    if today > period.end:
        return "overdue", (today - period.end).days
    return ("due_this_week" if (period.end - today).days < DUE_SOON_DAYS else "due_later"), 0


def _held(school_id: int, kind: str, since: date, today: date) -> list[tuple[date, str | None]]:
    """(day, class) of the school's held events of ``kind`` from ``since``: the event's own class
    when it has one, else the class of each present pupil."""
    from app.children.models import Child

    start = datetime.combine(since, time(0), CHINA)
    rows = db.session.execute(
        sa.select(SchoolEvent.starts_at, sa.func.coalesce(SchoolEvent.class_name, Child.class_name))
        .join(EventAttendance, EventAttendance.event_id == SchoolEvent.id)
        .outerjoin(Child, EventAttendance.child_id == Child.id)
        .where(SchoolEvent.organisation_id == school_id, SchoolEvent.kind == kind,
               EventAttendance.attended.is_(True), SchoolEvent.starts_at >= start)).all()
    out = []
    for starts_at, class_name in rows:
        day = starts_at.astimezone(CHINA).date()
        if since <= day <= today:
            out.append((day, class_name))
    return out


def _latest_in(days, period: Period) -> date | None:
    inside = [d for d in days if d in period]
    return max(inside) if inside else None


def school_cadence(school_id: int, class_names, today: date) -> list[SchoolDue]:
    """The themed activity of this and last term, and each class's meeting this and last month."""
    this_term = term_window(today)
    last_term = term_window(this_term.start - timedelta(days=1))
    this_month = month_of(today)
    last_month = month_of(this_month.start - timedelta(days=1))
    items = []
    theme_days = [d for d, _c in _held(school_id, "care_theme", last_term.start, today)]
    for period in (last_term, this_term):
        held = _latest_in(theme_days, period)
        status, late = _status(period, held, today)
        items.append(SchoolDue("care_theme", period, status, None, held, late))
    by_class: dict[str, list[date]] = defaultdict(list)
    for day, class_name in _held(school_id, "class_meeting", last_month.start, today):
        if class_name:
            by_class[class_name].append(day)
    for class_name in class_names:
        for period in (last_month, this_month):
            held = _latest_in(by_class.get(class_name, ()), period)
            status, late = _status(period, held, today)
            items.append(SchoolDue("class_meeting", period, status, class_name, held, late))
    return items
