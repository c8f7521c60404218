"""The ``notify`` blueprint (/notifications). Every page gets the unread count and, on a case page,
the escalation chain."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint
from flask_login import current_user

from app.extensions import db
from app.notify import services

bp = Blueprint("notify", __name__, url_prefix="/notifications")


@bp.app_context_processor
def inject_unread():
    def notify_unread() -> int:
        if not current_user.is_authenticated:
            return 0
        return services.unread_count(current_user)

    def case_chain(case) -> list[dict]:
        """The escalation steps of ``case`` with the names of those told (case detail page)."""
        from app.auth.models import ROLES, User
        from app.notify.escalation import chain_of

        steps = chain_of(case)
        ids = {i for s in steps for i in s.user_ids}
        ids |= {s.acknowledged_by_id for s in steps if s.acknowledged_by_id}
        names = dict(db.session.execute(sa.select(User.id, User.display_name).where(User.id.in_(ids))).all()) if ids else {}
        return [{"step": s.step, "role": ROLES.get(s.role, s.role), "at": s.at, "skipped": s.skipped,
                 "names": [names.get(i, "?") for i in s.user_ids], "acknowledged_at": s.acknowledged_at,
                 "acknowledged_by": names.get(s.acknowledged_by_id)} for s in steps]

    def case_step_for_me(case):
        """The chain step that told the current user and waits for him to take the case on."""
        from app.notify.escalation import open_step_for

        return open_step_for(current_user, case) if current_user.is_authenticated else None

    return {"notify_unread": notify_unread, "case_chain": case_chain, "case_step_for_me": case_step_for_me}
