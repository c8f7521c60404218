"""What each role sees first after logging in."""
from __future__ import annotations

import sqlalchemy as sa

from app.children.models import Child
from app.children.scope import children_scope
from app.core.permissions import has_permission
from app.extensions import db
from app.volunteers.models import Volunteer
from app.volunteers.scope import volunteers_scope


def home_context(user) -> dict:
    """Counts inside the user's scope, for the home page cards."""
    children = db.session.scalar(
        sa.select(sa.func.count()).select_from(Child)
        .where(children_scope(user), Child.status == "active")) or 0
    by_tier = dict(db.session.execute(
        sa.select(Child.tier, sa.func.count()).where(children_scope(user), Child.status == "active")
        .group_by(Child.tier)).all())
    context = {"children_count": children, "by_tier": by_tier}
    if has_permission(user, "volunteers.view"):
        context["volunteer_counts"] = dict(db.session.execute(
            sa.select(Volunteer.status, sa.func.count()).where(volunteers_scope(user))
            .group_by(Volunteer.status)).all())
    return context
