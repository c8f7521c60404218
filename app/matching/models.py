"""Pairs (结对) and matching proposals. Imported by the Flask app only, never by the solver."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.children.models import Child
from app.core.models import Division, utcnow
from app.core.types import UTCDateTime
from app.extensions import db
from app.volunteers.models import Volunteer
from app.core.i18n import N_

PAIR_STATUSES = {"proposed": N_("待确认"), "active": N_("结对中"), "closed": N_("已结束")}


class Pair(db.Model):
    """A volunteer–child pair: proposed → active → closed (with a reason)."""

    __tablename__ = "pairs"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    child_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("children.id"), index=True)
    volunteer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("volunteers.id"), index=True)
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="active", index=True)
    proposal_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("match_proposals.id"))
    distance_km: so.Mapped[float | None]
    reasons: so.Mapped[dict | None] = so.mapped_column(sa.JSON)
    started_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    ended_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    end_reason: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

    child: so.Mapped[Child] = so.relationship()
    volunteer: so.Mapped[Volunteer] = so.relationship()

    __table_args__ = (
        sa.CheckConstraint(status.in_(tuple(PAIR_STATUSES)), name="status"),
        # one active carer per child, enforced by the database
        sa.Index("uq_pairs_active_child", "child_id", unique=True,
                 sqlite_where=sa.text("status = 'active'"),
                 postgresql_where=sa.text("status = 'active'")),
    )


class MatchProposal(db.Model):
    """A solved matching problem for a region, awaiting a coordinator's approval."""

    __tablename__ = "match_proposals"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    division_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("divisions.id"))
    created_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="draft")  # draft/approved/discarded
    locked: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    forbidden: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    result: so.Mapped[dict | None] = so.mapped_column(sa.JSON)
    objective: so.Mapped[int | None] = so.mapped_column(sa.BigInteger)
    decided_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())

    division: so.Mapped[Division] = so.relationship()

    @property
    def result_pairs(self) -> dict[str, str]:
        """The proposed pairs, child key -> volunteer key."""
        return {p["child"]: p["volunteer"] for p in (self.result or {}).get("pairs", [])}


STEERING_KINDS = {"pin": N_("固定结对"), "exclude": N_("排除结对"), "hold": N_("保留名额")}


class MatchSteering(db.Model):
    """A coordinator's standing decision for matching, kept across rounds until removed.

    ``pin``: this child stays with this volunteer; ``exclude``: never propose this pair;
    ``hold``: keep ``places`` of this volunteer's free places out of the rounds. Every solve of a
    region that holds the child and volunteer gives them to the solver as constraints.
    """

    __tablename__ = "match_steering"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    child_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("children.id"), index=True)
    volunteer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("volunteers.id"), index=True)
    places: so.Mapped[int | None]
    note: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    created_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    removed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    removed_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))

    child: so.Mapped[Child | None] = so.relationship()
    volunteer: so.Mapped[Volunteer] = so.relationship()

    __table_args__ = (
        sa.CheckConstraint(kind.in_(tuple(STEERING_KINDS)), name="kind"),
        # a pin or an exclusion names a child; a hold names a number of places instead
        sa.CheckConstraint("(kind = 'hold' AND child_id IS NULL AND places > 0) OR "
                           "(kind <> 'hold' AND child_id IS NOT NULL AND places IS NULL)",
                           name="shape"),
    )

    @property
    def label(self) -> str:
        return STEERING_KINDS[self.kind]
