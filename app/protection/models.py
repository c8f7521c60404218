"""Tracked duty items (guardianship gaps, dropout and hukou trackers, findings from visits) with
their history, and the structured measures of protection cases. Never deleted: an item ends by
being closed with an outcome."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.children.models import Child
from app.core.models import Division, utcnow
from app.core.types import UTCDateTime
from app.extensions import db
from app.protection import vocab


def _in(column, codes) -> sa.ColumnElement:
    return column.in_(tuple(codes))


class DutyItem(db.Model):
    """One piece of work about one child: opened, owned, due, closed with an outcome."""

    __tablename__ = "duty_items"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(16), index=True)
    child_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("children.id"), index=True)
    division_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("divisions.id"), index=True)
    #: why it was opened: a gap reason, a finding kind, or the flag (dropped_out, no_hukou)
    reason: so.Mapped[str] = so.mapped_column(sa.String(32))
    summary: so.Mapped[str | None] = so.mapped_column(sa.Text)
    owner_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    opened_on: so.Mapped[date]
    deadline: so.Mapped[date]
    status: so.Mapped[str] = so.mapped_column(sa.String(8), default="open", index=True)
    #: kind-specific facts: school, police station, the visit it came from, ...
    detail: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    log_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("care_logs.id"), index=True)
    outcome: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    placement: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    outcome_on: so.Mapped[date | None] = so.mapped_column(index=True)
    outcome_note: so.Mapped[str | None] = so.mapped_column(sa.Text)
    closed_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    child: so.Mapped[Child] = so.relationship()
    division: so.Mapped[Division] = so.relationship()
    owner = so.relationship("User", foreign_keys=[owner_id])
    closed_by = so.relationship("User", foreign_keys=[closed_by_id])
    steps: so.Mapped[list[DutyStep]] = so.relationship(back_populates="item", order_by="DutyStep.id")

    __table_args__ = (
        sa.CheckConstraint(_in(kind, vocab.KINDS), name="kind"),
        sa.CheckConstraint(_in(status, ("open", "closed")), name="status"),
        sa.Index("ix_duty_items_kind_status_division", "kind", "status", "division_id"),
    )

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def kind_label(self) -> str:
        return vocab.KINDS[self.kind]

    @property
    def reason_label(self) -> str:
        labels = {**vocab.GAP_REASONS, **vocab.FINDING_KINDS,
                  "dropped_out": "辍学", "no_hukou": "无户籍"}
        return labels.get(self.reason, self.reason)

    @property
    def outcome_label(self) -> str | None:
        return vocab.OUTCOMES[self.kind].get(self.outcome) if self.outcome else None


class DutyStep(db.Model):
    """One entry of an item's history: what was done, when, by whom, with what result."""

    __tablename__ = "duty_steps"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    item_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("duty_items.id"), index=True)
    action: so.Mapped[str] = so.mapped_column(sa.String(16))
    on_date: so.Mapped[date]
    person: so.Mapped[str] = so.mapped_column(sa.String(64))
    result: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    notes: so.Mapped[str | None] = so.mapped_column(sa.Text)
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

    item: so.Mapped[DutyItem] = so.relationship(back_populates="steps")

    __table_args__ = (sa.CheckConstraint(_in(action, vocab.STEP_ACTIONS), name="action"),)


class CaseMeasure(db.Model):
    """One measure taken on a protection case: emergency handling, assessment and referrals,
    guardianship intervention (告诫书, 保护令, revocation) or the accountability of parents."""

    __tablename__ = "case_measures"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("protection_cases.id"), index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(32), index=True)
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="done")
    on_date: so.Mapped[date] = so.mapped_column(index=True)
    due_on: so.Mapped[date | None]
    placement: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    notes: so.Mapped[str | None] = so.mapped_column(sa.Text)
    actor_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    case = so.relationship("ProtectionCase")

    __table_args__ = (
        sa.CheckConstraint(_in(kind, vocab.MEASURES), name="kind"),
        sa.CheckConstraint(_in(status, vocab.MEASURE_STATUSES), name="status"),
    )

    @property
    def stage(self) -> str:
        return vocab.MEASURES[self.kind][0]

    @property
    def label(self) -> str:
        return vocab.MEASURES[self.kind][1]


class GuardianshipAgreement(db.Model):
    """A signed 委托监护责任确认书: the parents who leave (``entrusted_by``) entrust the child to a
    guardian and both sign. Dated so that a past day's signing rate can be counted: it covers the
    days from ``signed_on`` until it ends (``ended_on``, the day a renewal or another reason
    replaced it) or lapses (after ``valid_until``). Never deleted: a renewal ends the old one."""

    __tablename__ = "guardianship_agreements"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    child_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("children.id"), index=True)
    #: who entrusted: the father, the mother, or both parents
    entrusted_by: so.Mapped[str] = so.mapped_column(sa.String(8))
    parent_names: so.Mapped[str] = so.mapped_column(sa.String(128))
    guardian_name: so.Mapped[str] = so.mapped_column(sa.String(64))
    guardian_relation: so.Mapped[str] = so.mapped_column(sa.String(32))
    guardian_phone: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    signed_on: so.Mapped[date] = so.mapped_column(index=True)
    valid_until: so.Mapped[date | None]
    #: stored name of the scan or photo (the consent-scan storage), optional
    scan: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    note: so.Mapped[str | None] = so.mapped_column(sa.Text)
    ended_on: so.Mapped[date | None] = so.mapped_column(index=True)
    end_reason: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    renewal_of_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("guardianship_agreements.id"))
    created_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    ended_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

    child: so.Mapped[Child] = so.relationship()

    __table_args__ = (
        sa.CheckConstraint(_in(entrusted_by, vocab.ENTRUSTED_BY), name="entrusted_by"),
        sa.CheckConstraint(sa.or_(end_reason.is_(None), _in(end_reason, vocab.AGREEMENT_END_REASONS)),
                           name="end_reason"),
        sa.CheckConstraint(sa.or_(ended_on.is_(None), ended_on >= signed_on), name="ended_after_signed"),
        sa.Index("ix_guardianship_agreements_child_dates", "child_id", "signed_on", "ended_on"),
    )

    def covers(self, day: date) -> bool:
        """In force on ``day`` (signed by then, not ended, not lapsed)."""
        return (self.signed_on <= day and (self.ended_on is None or self.ended_on > day)
                and (self.valid_until is None or self.valid_until >= day))

    @property
    def entrusted_by_label(self) -> str:
        return vocab.ENTRUSTED_BY[self.entrusted_by]

    @property
    def end_reason_label(self) -> str | None:
        return vocab.AGREEMENT_END_REASONS.get(self.end_reason) if self.end_reason else None
