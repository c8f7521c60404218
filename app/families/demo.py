"""Demo parent contacts: most left-behind children of the director's village hear from their
parents weekly; a few have not for weeks (so the silence list has names). Deterministic."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from app.auth.models import User
from app.children.models import Child
from app.extensions import db
from app.families.models import ParentContact


def seed_families(today: date) -> int:
    director = db.session.scalar(sa.select(User).where(User.username == "director"))
    if director is None:
        return 0
    kids = db.session.scalars(sa.select(Child).where(Child.division_id == director.division_id,
                                                     Child.status == "active", Child.is_left_behind.is_(True))
                              .order_by(Child.id)).all()
    rows = []
    for n, child in enumerate(kids):
        silent_weeks = 3 + n % 4 if n % 4 == 3 else 0  # every fourth child: silent for 3–6 weeks
        for week in range(silent_weeks, 10):
            rows.append(ParentContact(child_id=child.id, occurred_on=today - timedelta(days=7 * week + n % 5),
                                      kind="video" if week % 2 else "call", parent=("mother", "father", "both")[n % 3],
                                      arranged_by="guardian" if week % 3 else "home", recorded_by_id=director.id))
        if n % 3 == 0:
            rows.append(ParentContact(child_id=child.id, occurred_on=today - timedelta(days=60 + n), kind="home_visit",
                                      parent="both", arranged_by="self", days=10, recorded_by_id=director.id,
                                      note="国庆假期回家"))
    db.session.add_all(rows)
    db.session.flush()
    return len(rows)
