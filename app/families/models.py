"""Parent–child contact records and the regional silence rule."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core.i18n import N_
from app.core.models import utcnow
from app.core.types import UTCDateTime
from app.extensions import db

CONTACT_KINDS = {"call": N_("电话"), "video": N_("视频"), "home_visit": N_("父母回家探望"),
                 "child_visit": N_("孩子去父母务工地同住")}
PARENTS = {"father": N_("父亲"), "mother": N_("母亲"), "both": N_("父母双方")}
ARRANGERS = {"self": N_("父母自己联系"), "guardian": N_("监护人安排"), "teacher": N_("老师安排"),
             "volunteer": N_("志愿者安排"), "director": N_("儿童主任安排"), "home": N_("儿童之家亲情电话")}
DEFAULT_CONTACT_DAYS = 7  # "每周…至少1次"


class ParentContact(db.Model):
    """A call, a video chat or a visit between a left-behind child and their parents."""

    __tablename__ = "parent_contacts"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    child_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("children.id"), index=True)
    occurred_on: so.Mapped[date] = so.mapped_column(index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    parent: so.Mapped[str] = so.mapped_column(sa.String(8))
    arranged_by: so.Mapped[str] = so.mapped_column(sa.String(16))
    days: so.Mapped[int | None]  # a visit's length in days
    note: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    recorded_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

    recorded_by = so.relationship("User")

    __table_args__ = (
        sa.CheckConstraint(kind.in_(tuple(CONTACT_KINDS)), name="kind"),
        sa.CheckConstraint(parent.in_(tuple(PARENTS)), name="parent"),
        sa.CheckConstraint(arranged_by.in_(tuple(ARRANGERS)), name="arranged_by"),
    )


class ContactRule(db.Model):
    """A region's rule: a child whose parents have not been in touch for ``every_days`` days is flagged."""

    __tablename__ = "contact_rules"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    division_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("divisions.id"), unique=True)
    every_days: so.Mapped[int]
    updated_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    __table_args__ = (sa.CheckConstraint("every_days BETWEEN 1 AND 366", name="every_days"),)
