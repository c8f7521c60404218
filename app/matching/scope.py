"""Which proposals and pairs a user may see: the scope clauses of the matching feature's rows."""
from __future__ import annotations

import sqlalchemy as sa

from app.children.models import Child
from app.children.scope import children_scope
from app.core.permissions import user_subtree_ids
from app.matching.models import MatchProposal, Pair


def proposals_scope(user):
    """Clause on :class:`MatchProposal` rows for regions inside the user's subtree."""
    if user.role == "admin":
        return sa.true()
    return MatchProposal.division_id.in_(user_subtree_ids(user))


def pairs_scope(user):
    """Clause on :class:`Pair` rows whose child the user may see."""
    return Pair.child_id.in_(sa.select(Child.id).where(children_scope(user)))
