"""The pair lifecycle: proposed → active → closed. Capacity is enforced by the database.

These functions never commit; the caller's transaction does.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.core import audit
from app.core.i18n import N_
from app.core.models import utcnow
from app.extensions import db
from app.matching.models import Pair
from app.volunteers.models import Volunteer
from app.core.errors import UserError


class PairingError(UserError):
    """A pair that cannot be made; ``message`` is Chinese and says why."""

    def __init__(self, code: str, message: str):
        super().__init__(message, code=code)


def activate_pair(child_id: int, volunteer_id: int, *, user=None, proposal_id: int | None = None,
                  distance_km: float | None = None, reasons: dict | None = None) -> Pair:
    """Make an active pair, taking one of the volunteer's free slots atomically.

    The slot is taken with a conditional UPDATE (``active_pairs < capacity``), so two
    coordinators racing for a volunteer's last slot cannot both win; a CHECK constraint and a
    partial unique index (one active carer per child) back it up in the database itself.

    :raise PairingError: ``volunteer_full`` / ``volunteer_not_approved`` / ``child_paired``.
    """
    taken = db.session.execute(
        sa.update(Volunteer)
        .where(Volunteer.id == volunteer_id, Volunteer.status == "approved",
               Volunteer.active_pairs < Volunteer.capacity)
        .values(active_pairs=Volunteer.active_pairs + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if taken != 1:
        status = db.session.scalar(sa.select(Volunteer.status).where(Volunteer.id == volunteer_id))
        if status != "approved":
            raise PairingError("volunteer_not_approved", N_("该志愿者未通过审核或已暂停/退出，不能结对"))
        raise PairingError("volunteer_full", N_("该志愿者的结对名额已满"))
    pair = Pair(child_id=child_id, volunteer_id=volunteer_id, status="active", started_at=utcnow(),
                proposal_id=proposal_id, distance_km=distance_km, reasons=reasons,
                created_by_id=getattr(user, "id", None))
    try:
        with db.session.begin_nested():
            db.session.add(pair)
            db.session.flush()
    except IntegrityError:
        raise PairingError("child_paired", N_("该儿童已有结对志愿者")) from None
    audit.record("pair.activate", pair, detail={"child_id": child_id, "volunteer_id": volunteer_id})
    return pair


def close_pair(pair: Pair, reason: str) -> None:
    """End an active pair with a reason; the volunteer's slot is freed and the child is back
    in the matching queue (a child with no active pair)."""
    if pair.status == "closed":
        return
    was_active = pair.status == "active"
    pair.status = "closed"
    pair.ended_at = utcnow()
    pair.end_reason = reason
    if was_active:
        db.session.execute(
            sa.update(Volunteer).where(Volunteer.id == pair.volunteer_id, Volunteer.active_pairs > 0)
            .values(active_pairs=Volunteer.active_pairs - 1).execution_options(synchronize_session=False))
    audit.record("pair.close", pair, detail={"reason": reason})


def close_pairs_of_volunteer(volunteer: Volunteer, reason: str) -> int:
    """Close every active pair of ``volunteer``; returns how many."""
    pairs = db.session.scalars(sa.select(Pair).where(Pair.volunteer_id == volunteer.id, Pair.status == "active")).all()
    for pair in pairs:
        close_pair(pair, reason)
    return len(pairs)
