"""A child's study help plan, its milestones and its reviews."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core.i18n import N_
from app.core.models import utcnow
from app.core.types import UTCDateTime
from app.extensions import db

PROGRESS = {"ahead": N_("进展较快"), "on_track": N_("按计划进行"), "behind": N_("进展落后")}
STATUSES = {"open": N_("进行中"), "closed": N_("已结束")}


class HelpPlan(db.Model):
    """帮扶计划 for one child; its helper is the paired volunteer (``pair_id``) or someone named."""

    __tablename__ = "help_plans"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    child_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("children.id"), index=True)
    pair_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("pairs.id"), index=True)
    helper: so.Mapped[str] = so.mapped_column(sa.String(64))
    goals: so.Mapped[str] = so.mapped_column(sa.Text)
    schedule: so.Mapped[str] = so.mapped_column(sa.String(200))  # times: 每周三 16:30–17:30
    content: so.Mapped[str] = so.mapped_column(sa.Text)
    starts_on: so.Mapped[date]
    status: so.Mapped[str] = so.mapped_column(sa.String(8), default="open")
    closed_on: so.Mapped[date | None]
    outcome: so.Mapped[str | None] = so.mapped_column(sa.Text)
    created_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

    child = so.relationship("Child")
    pair = so.relationship("Pair")
    milestones: so.Mapped[list[HelpMilestone]] = so.relationship(
        back_populates="plan", order_by="(HelpMilestone.due_on, HelpMilestone.id)")
    reviews: so.Mapped[list[HelpReview]] = so.relationship(
        back_populates="plan", order_by="(HelpReview.reviewed_on.desc(), HelpReview.id.desc())")

    __table_args__ = (sa.CheckConstraint(status.in_(tuple(STATUSES)), name="status"),)

    @property
    def status_label(self) -> str:
        return STATUSES[self.status]


class HelpMilestone(db.Model):
    __tablename__ = "help_milestones"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    plan_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("help_plans.id"), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(128))
    due_on: so.Mapped[date]
    done_on: so.Mapped[date | None]

    plan: so.Mapped[HelpPlan] = so.relationship(back_populates="milestones")


class HelpReview(db.Model):
    """A review of the plan, made in a talk or visit (``log_id``) or on its own date."""

    __tablename__ = "help_reviews"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    plan_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("help_plans.id"), index=True)
    log_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("care_logs.id"), index=True)
    reviewed_on: so.Mapped[date]
    progress: so.Mapped[str] = so.mapped_column(sa.String(16))
    note: so.Mapped[str] = so.mapped_column(sa.Text)
    by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

    plan: so.Mapped[HelpPlan] = so.relationship(back_populates="reviews")
    log = so.relationship("CareLog")

    __table_args__ = (sa.CheckConstraint(progress.in_(tuple(PROGRESS)), name="progress"),)

    @property
    def progress_label(self) -> str:
        return PROGRESS[self.progress]
