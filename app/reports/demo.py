"""Demo data for period-true reports: the demo children were entered on the roster well before
the demo's pairs and activities (the earliest pair starts 200 days back), so their 登记日期
lies a year or so before today; approved volunteers were decided when they finished training.
Deterministic for a given day."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa

from app.children.models import Child
from app.extensions import db
from app.volunteers.models import Volunteer


def seed_reports(today: date) -> None:
    """Backdate the demo roster's registration dates (365–540 days ago, by child id) and the
    approval dates of approved volunteers (180 days ago, when their training ended)."""
    for child_id, in db.session.execute(sa.select(Child.id).order_by(Child.id)).all():
        db.session.execute(sa.update(Child).where(Child.id == child_id)
                           .values(registered_on=today - timedelta(days=365 + child_id * 37 % 176)))
    decided = datetime.combine(today - timedelta(days=180), time(9), timezone.utc)
    db.session.execute(sa.update(Volunteer).where(Volunteer.status == "approved", Volunteer.decided_at.is_(None))
                       .values(decided_at=decided))
    db.session.flush()
