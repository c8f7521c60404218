"""Which volunteers a user may see: the scope clause every volunteer query and loader applies."""
from __future__ import annotations

import sqlalchemy as sa

from app.core.permissions import REGION_ROLES, user_subtree_ids
from app.volunteers.models import Volunteer


def volunteers_scope(user):
    """Clause on :class:`Volunteer` rows visible to ``user``: a region's subtree, a school's own
    teachers and students, or the volunteer herself."""
    if user.role == "admin":
        return sa.true()
    if user.role in REGION_ROLES:
        return Volunteer.division_id.in_(user_subtree_ids(user))
    if user.role == "school_staff":
        return Volunteer.organisation_id == user.organisation_id if user.organisation_id else sa.false()
    if user.role == "volunteer":
        return Volunteer.user_id == user.id
    return sa.false()
