"""The ``protection`` blueprint (/duties): the six responsibilities' pages. Every page gets the
helpers that show a child's open items and 确认书 (the child's page is another feature's)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint
from flask_login import current_user

from app.core.permissions import has_permission
from app.extensions import db
from app.protection import queries, vocab
from app.protection.models import DutyItem

bp = Blueprint("protection", __name__, url_prefix="/duties")


@bp.app_context_processor
def inject_helpers():
    def duty_items_of(child):
        if not has_permission(current_user, "duties.view"):
            return []
        return list(db.session.scalars(sa.select(DutyItem).where(DutyItem.child_id == child.id,
                                                                 queries.items_scope(current_user))
                                       .order_by(DutyItem.status.desc(), DutyItem.id)))

    def agreement_state(child):
        """(needs one, the one in force) for the child's page; (False, None) for those who may not see it."""
        from app.protection import agreements

        if not has_permission(current_user, "duties.view"):
            return False, None
        return agreements.needs_agreement(child), agreements.current_of(child.id)

    return {"duty_items_of": duty_items_of, "agreement_state": agreement_state, "pv": vocab}
