"""Volunteers: loving mothers, five elders, teachers as proxy parents, youth volunteers."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core.models import Division, Organisation, utcnow
from app.core.types import UTCDateTime
from app.extensions import db
from app.core.i18n import N_
from app.matching.engine.skills import SKILL_LABELS

VOLUNTEER_KINDS = {
    "loving_mother": N_("爱心妈妈"),
    "five_elder": N_("五老"),
    "teacher": N_("教师代理家长"),
    "youth": N_("青年志愿者"),
}
VOLUNTEER_STATUSES = {
    "applied": N_("待审核"),
    "approved": N_("已通过"),
    "rejected": N_("未通过"),
    "paused": N_("暂停服务"),
    "exited": N_("已退出"),
}
#: skill code → label, defined once with the matching engine that reads the codes
SKILLS = SKILL_LABELS


class Volunteer(db.Model):
    """A volunteer's profile. ``active_pairs`` counts active pairs and can never exceed
    ``capacity``: a CHECK constraint makes the database refuse it, whoever writes."""

    __tablename__ = "volunteers"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"), unique=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(16), index=True)
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisations.id"), index=True)
    volunteer_number: so.Mapped[str | None] = so.mapped_column(sa.String(32), unique=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(64))
    id_number: so.Mapped[str] = so.mapped_column(sa.String(18), unique=True)
    sex: so.Mapped[str] = so.mapped_column(sa.String(8))
    birth_date: so.Mapped[date | None]
    phone: so.Mapped[str] = so.mapped_column(sa.String(32))
    division_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("divisions.id"), index=True)
    capacity: so.Mapped[int] = so.mapped_column(default=1)
    active_pairs: so.Mapped[int] = so.mapped_column(default=0)
    max_km: so.Mapped[float] = so.mapped_column(default=10.0)
    cross_county: so.Mapped[bool] = so.mapped_column(default=False)
    skills: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    prefer_gender: so.Mapped[str | None] = so.mapped_column(sa.String(8))
    prefer_age_band: so.Mapped[str | None] = so.mapped_column(sa.String(8))
    availability: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="applied", index=True)
    # screening (required by law before any contact with minors)
    background_check_date: so.Mapped[date | None]
    background_check_result: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    training_completed_at: so.Mapped[date | None]
    code_of_conduct_accepted_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    # A paper-signed code of conduct recorded by a coordinator: the stored scan's file name.
    code_of_conduct_scan: so.Mapped[str | None] = so.mapped_column(sa.String(128))
    interview_notes: so.Mapped[str | None] = so.mapped_column(sa.Text)
    decided_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    decided_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    decision_reason: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    status_reason: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

    organisation: so.Mapped[Organisation] = so.relationship()
    division: so.Mapped[Division] = so.relationship()

    __table_args__ = (
        sa.CheckConstraint(kind.in_(tuple(VOLUNTEER_KINDS)), name="kind"),
        sa.CheckConstraint(status.in_(tuple(VOLUNTEER_STATUSES)), name="status"),
        sa.CheckConstraint("capacity >= 0", name="capacity_nonneg"),
        sa.CheckConstraint("active_pairs >= 0 AND active_pairs <= capacity", name="within_capacity"),
    )

    @property
    def kind_label(self) -> str:
        return VOLUNTEER_KINDS[self.kind]

    @property
    def status_label(self) -> str:
        return VOLUNTEER_STATUSES[self.status]

    @property
    def matchable(self) -> bool:
        return self.status == "approved" and self.active_pairs < self.capacity
