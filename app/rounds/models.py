"""Assignments (包片/包组/联系户), checks by cadres and supervisors, and each region's rules."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core.models import Division, utcnow
from app.core.types import UTCDateTime
from app.extensions import db
from app.rounds import vocab


def _in(column, values) -> sa.ColumnElement:
    return column.in_(tuple(values))


class Assignment(db.Model):
    """A person's responsibility for an area (包片: a village or township), a village group
    (包组: a 村民小组 of a village) or one household (联系户). Ended, never deleted: compliance of
    past periods refers to it."""

    __tablename__ = "care_assignments"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    #: the area (包片), or the village of the group or household
    division_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("divisions.id"), index=True)
    village_group: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    household_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("households.id"), index=True)
    started_on: so.Mapped[date]
    ended_on: so.Mapped[date | None]
    created_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

    user = so.relationship("User", foreign_keys=[user_id])
    division: so.Mapped[Division] = so.relationship()
    household = so.relationship("Household")

    __table_args__ = (
        sa.CheckConstraint(_in(kind, vocab.ASSIGNMENT_KINDS), name="kind"),
        sa.CheckConstraint("(kind <> 'group') OR (village_group IS NOT NULL)", name="group_named"),
        sa.CheckConstraint("(kind <> 'household') OR (household_id IS NOT NULL)", name="household_named"),
    )

    @property
    def kind_label(self) -> str:
        return vocab.ASSIGNMENT_KINDS[self.kind]

    @property
    def target_label(self) -> str:
        """What it covers, as printed: 鱼塘村, 鱼塘村 第三组, 鱼塘村 王家."""
        if self.kind == "group":
            return f"{self.division.name} {self.village_group}"
        if self.kind == "household" and self.household is not None:
            return f"{self.division.name} {household_label(self.household)}"
        return self.division.full_name


def household_label(household) -> str:
    """王大山户: the head of the household (else its guardian) names it; no address or phone."""
    return f"{household.head_name or household.guardian_name or household.id}户"


class RoundCheck(db.Model):
    """A check of one child's care by a cadre, supervisor or assignee: how, and what was found."""

    __tablename__ = "round_checks"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    child_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("children.id"), index=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    duty: so.Mapped[str] = so.mapped_column(sa.String(16))
    checked_on: so.Mapped[date] = so.mapped_column(index=True)
    method: so.Mapped[str] = so.mapped_column(sa.String(16))
    finding: so.Mapped[str] = so.mapped_column(sa.String(16))
    note: so.Mapped[str | None] = so.mapped_column(sa.Text)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

    child = so.relationship("Child")
    user = so.relationship("User")

    __table_args__ = (
        sa.CheckConstraint(_in(duty, vocab.DUTIES), name="duty"),
        sa.CheckConstraint(_in(method, vocab.METHODS), name="method"),
        sa.CheckConstraint(_in(finding, vocab.FINDINGS), name="finding"),
    )


class RoundRule(db.Model):
    """A region's own cadence for one duty; the rule of the deepest division above a village wins."""

    __tablename__ = "round_rules"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    division_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("divisions.id"))
    duty: so.Mapped[str] = so.mapped_column(sa.String(16))
    every: so.Mapped[str] = so.mapped_column(sa.String(16))
    sample_size: so.Mapped[int] = so.mapped_column(default=vocab.DEFAULT_SAMPLE)
    updated_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    division: so.Mapped[Division] = so.relationship()

    __table_args__ = (
        sa.UniqueConstraint("division_id", "duty", name="uq_round_rules_division_duty"),
        sa.CheckConstraint(_in(duty, vocab.DUTIES), name="duty"),
        sa.CheckConstraint(_in(every, vocab.EVERY), name="every"),
        sa.CheckConstraint("sample_size >= 1 AND sample_size <= 100", name="sample_size"),
    )
