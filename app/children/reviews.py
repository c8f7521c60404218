"""Quarterly review (本季度核实): every active child is confirmed or updated once a quarter.

The village director reports before the 15th of the quarter's last month (15 March, 15 June,
15 September, 15 December). A review on the 15th itself is on time; from the 16th the children
not yet reviewed are overdue.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from app.children.models import Child, ChildReview
from app.core import audit
from app.core.dates import quarter_of
from app.core.models import Division
from app.children.scope import children_scope
from app.extensions import db

OUTCOMES = ("confirmed", "updated", "closed")
DEADLINE_DAY = 15


def quarter_deadline(day: date) -> date:
    """The 15th of the last month of ``day``'s quarter."""
    last_month = ((day.month - 1) // 3 + 1) * 3
    return date(day.year, last_month, DEADLINE_DAY)


def is_overdue(day: date) -> bool:
    """Whether reviews still missing on ``day`` are late for its quarter."""
    return day > quarter_deadline(day)


def quarter_label(quarter: str) -> tuple[int, int]:
    """(year, quarter number) of ``'2026-Q4'``."""
    year, q = quarter.split("-Q")
    return int(year), int(q)


class AlreadyReviewed(ValueError):
    """The child was already reviewed this quarter."""


def review_child(actor, child: Child, on_date: date, outcome: str = "confirmed",
                 note: str | None = None) -> ChildReview:
    """Record that ``actor`` checked ``child`` in ``on_date``'s quarter; audited ``child.review``.

    :raise AlreadyReviewed: when the child already has a review for that quarter.
    :raise ValueError: for an unknown outcome.
    """
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    quarter = quarter_of(on_date)
    exists = db.session.scalar(sa.select(ChildReview.id).where(ChildReview.child_id == child.id,
                                                               ChildReview.quarter == quarter))
    if exists:
        raise AlreadyReviewed(quarter)
    review = ChildReview(child_id=child.id, quarter=quarter, outcome=outcome, note=(note or None) and note[:255],
                         reviewed_by_id=actor.id)
    db.session.add(review)
    db.session.flush()
    audit.record("child.review", child, user=actor,
                 detail={"quarter": quarter, "outcome": outcome, "note": note or None})
    return review


def review_of(child: Child, on_date: date) -> ChildReview | None:
    """The child's review for ``on_date``'s quarter, if any."""
    return db.session.scalar(sa.select(ChildReview).where(ChildReview.child_id == child.id,
                                                          ChildReview.quarter == quarter_of(on_date)))


def unreviewed_query(user, quarter: str) -> sa.Select:
    """Active children in the user's scope without a review for ``quarter``, by village."""
    done = sa.select(ChildReview.id).where(ChildReview.child_id == Child.id, ChildReview.quarter == quarter)
    return (sa.select(Child).where(children_scope(user), Child.status == "active", ~done.exists())
            .order_by(Child.division_id, Child.name_pinyin, Child.id))


@dataclass
class VillageGroup:
    """One village's children still to review."""

    village: Division
    children: list[Child] = field(default_factory=list)


def unreviewed_by_village(user, quarter: str, limit: int = 2000) -> tuple[list[VillageGroup], int]:
    """The children still to review grouped by village (at most ``limit``), and the total."""
    stmt = unreviewed_query(user, quarter)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())) or 0
    groups: dict[int, VillageGroup] = {}
    for child in db.session.scalars(stmt.limit(limit)):
        groups.setdefault(child.division_id, VillageGroup(child.division)).children.append(child)
    ordered = sorted(groups.values(), key=lambda g: g.village.code)
    return ordered, total


def reviewed_count(user, quarter: str) -> int:
    """Active children in scope already reviewed for ``quarter``."""
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Child).join(ChildReview, ChildReview.child_id == Child.id)
        .where(children_scope(user), Child.status == "active", ChildReview.quarter == quarter)) or 0
