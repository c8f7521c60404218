"""Demo notifications: the demo case's escalation chain has reached the township supervisor, and the
demo volunteer has chosen the weekly digest (and received this week's)."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.core.models import utcnow
from app.extensions import db


def seed_notify(today: date) -> None:
    from app.auth.models import User
    from app.notify.digest import send_weekly
    from app.notify.escalation import advance
    from app.notify.models import NotifySettings

    advance(utcnow())  # the demo case was reported 6 hours ago: the township supervisor is told
    volunteer = db.session.scalar(sa.select(User).where(User.username == "volunteer"))
    if volunteer is not None:
        db.session.add(NotifySettings(user_id=volunteer.id, channels=["sms", "push"], weekly_digest=True))
        db.session.flush()
        send_weekly(today)
    db.session.flush()
