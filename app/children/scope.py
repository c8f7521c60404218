"""Which children a user may see: the scope clause every children query and loader applies."""
from __future__ import annotations

import sqlalchemy as sa

from app.children.models import Child
from app.core.permissions import REGION_ROLES, user_subtree_ids
from app.matching.models import Pair
from app.volunteers.models import Volunteer


def children_scope(user):
    """Clause on :class:`Child` rows visible to ``user``: a region's subtree, a school's pupils, or a
    volunteer's children in an active pair."""
    if user.role == "admin":
        return sa.true()
    if user.role in REGION_ROLES:
        return Child.division_id.in_(user_subtree_ids(user))
    if user.role == "school_staff":
        return Child.school_id == user.organisation_id if user.organisation_id else sa.false()
    if user.role == "volunteer":
        mine = (sa.select(Pair.child_id).join(Volunteer, Pair.volunteer_id == Volunteer.id)
                .where(Volunteer.user_id == user.id, Pair.status == "active"))
        return Child.id.in_(mine)
    return sa.false()
