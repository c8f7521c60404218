"""Care logs (talks, home visits, holiday activities), photos, cadence rules, protection cases
and school events.

Logs carry a client-generated ``client_uuid`` (unique) so that a phone that saved a form
offline can send it again without creating a duplicate. Protection cases are never deleted:
there is no route that deletes them, and database triggers refuse DELETE on the case tables.
"""
from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.activities import vocab
from app.children.models import Child
from app.core.models import Division, Organisation, utcnow
from app.core.types import UTCDateTime
from app.extensions import db


def _in(column, codes) -> sa.ColumnElement:
    return column.in_(tuple(codes))


class CareLog(db.Model):
    """One talk, home visit or holiday activity with a child (活动记录)."""

    __tablename__ = "care_logs"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    client_uuid: so.Mapped[str] = so.mapped_column(sa.String(36), unique=True)
    #: fingerprint of the content first saved under ``client_uuid`` (see services.log_fingerprint)
    request_hash: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    mode: so.Mapped[str | None] = so.mapped_column(sa.String(16))  # talk mode or holiday occasion
    child_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("children.id"), index=True)
    pair_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("pairs.id"))
    volunteer_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("volunteers.id"), index=True)
    author_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    occurred_on: so.Mapped[date] = so.mapped_column(index=True)
    start_time: so.Mapped[time | None]
    duration_minutes: so.Mapped[int | None]
    participants: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    content: so.Mapped[str | None] = so.mapped_column(sa.Text)
    mood: so.Mapped[str | None] = so.mapped_column(sa.String(16))
    needs: so.Mapped[str | None] = so.mapped_column(sa.Text)
    follow_up: so.Mapped[str | None] = so.mapped_column(sa.Text)
    # home visit
    guardian_present: so.Mapped[bool | None]
    living_conditions: so.Mapped[str | None] = so.mapped_column(sa.Text)
    safety: so.Mapped[dict | None] = so.mapped_column(sa.JSON)
    study: so.Mapped[str | None] = so.mapped_column(sa.Text)
    health: so.Mapped[str | None] = so.mapped_column(sa.Text)
    emotions: so.Mapped[str | None] = so.mapped_column(sa.Text)
    help_given: so.Mapped[str | None] = so.mapped_column(sa.Text)
    guardian_confirmed_by: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    # holiday activity
    place: so.Mapped[str | None] = so.mapped_column(sa.String(128))
    # mandatory report: the situations ticked on this form
    concerns: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    lat: so.Mapped[float | None]
    lon: so.Mapped[float | None]
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    updated_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))

    child: so.Mapped[Child] = so.relationship()
    volunteer = so.relationship("Volunteer")
    author = so.relationship("User", foreign_keys=[author_id])
    photos: so.Mapped[list[ActivityPhoto]] = so.relationship(
        back_populates="log", order_by="ActivityPhoto.id")

    __table_args__ = (
        sa.CheckConstraint(_in(kind, vocab.LOG_KINDS), name="kind"),
        sa.Index("ix_care_logs_pair_kind_day", "pair_id", "kind", "occurred_on"),
    )

    @property
    def kind_label(self) -> str:
        return vocab.LOG_KINDS[self.kind]

    @property
    def mode_label(self) -> str:
        labels = vocab.TALK_MODES if self.kind == "talk" else vocab.OCCASIONS
        return labels.get(self.mode or "", "")


class ActivityPhoto(db.Model):
    """A photo of a care log or a school event: re-encoded, shrunk, EXIF removed, random name."""

    __tablename__ = "activity_photos"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    log_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("care_logs.id"), index=True)
    event_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("school_events.id"), index=True)
    filename: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    width: so.Mapped[int]
    height: so.Mapped[int]
    size_bytes: so.Mapped[int]
    uploaded_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)  # server time
    uploaded_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    #: the phone's id for the photo (its uuid, or ``sha256:`` + a hash of the upload): the same
    #: photo sent again for the same log is stored once
    client_key: so.Mapped[str | None] = so.mapped_column(sa.String(80))

    log: so.Mapped[CareLog | None] = so.relationship(back_populates="photos")

    __table_args__ = (sa.CheckConstraint("(log_id IS NULL) <> (event_id IS NULL)", name="one_owner"),
                      sa.UniqueConstraint("log_id", "client_key", name="uq_activity_photos_log_client_key"))


class CadenceRule(db.Model):
    """A region's override of the built-in cadence for one volunteer kind (programme).

    The rule of the deepest division above a child's village wins; without one the defaults
    of :data:`app.activities.cadence.DEFAULT_RULES` apply.
    """

    __tablename__ = "cadence_rules"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    division_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("divisions.id"))
    volunteer_kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    talk_every: so.Mapped[str] = so.mapped_column(sa.String(16))
    talk_term_only: so.Mapped[bool] = so.mapped_column(default=False)
    visit_every: so.Mapped[str] = so.mapped_column(sa.String(16))
    first_visit_days: so.Mapped[int] = so.mapped_column(default=5)
    holiday_reminders: so.Mapped[bool] = so.mapped_column(default=True)
    updated_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    division: so.Mapped[Division] = so.relationship()

    __table_args__ = (
        sa.UniqueConstraint("division_id", "volunteer_kind", name="uq_cadence_rules_division_kind"),
        sa.CheckConstraint(_in(talk_every, vocab.TALK_PERIODS), name="talk_every"),
        sa.CheckConstraint(_in(visit_every, vocab.VISIT_PERIODS), name="visit_every"),
        sa.CheckConstraint("first_visit_days >= 0 AND first_visit_days <= 30", name="first_visit_days"),
    )


class ProtectionCase(db.Model):
    """A mandatory report (强制报告) and its handling: reported → emergency handling →
    assessment → intervention → closed. Never deleted."""

    __tablename__ = "protection_cases"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    child_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("children.id"), index=True)
    division_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("divisions.id"), index=True)
    log_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("care_logs.id"), index=True)
    concerns: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    description: so.Mapped[str | None] = so.mapped_column(sa.Text)
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="reported", index=True)
    reporter_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    reported_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    acknowledged_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    acknowledged_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    escalated_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    closed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    child: so.Mapped[Child] = so.relationship()
    division: so.Mapped[Division] = so.relationship()
    log: so.Mapped[CareLog | None] = so.relationship()
    reporter = so.relationship("User", foreign_keys=[reporter_id])
    acknowledged_by = so.relationship("User", foreign_keys=[acknowledged_by_id])
    steps: so.Mapped[list[CaseStep]] = so.relationship(back_populates="case", order_by="CaseStep.id")
    reports: so.Mapped[list[CaseReport]] = so.relationship(back_populates="case", order_by="CaseReport.id")

    __table_args__ = (sa.CheckConstraint(_in(status, vocab.CASE_STATUSES), name="status"),)

    @property
    def status_label(self) -> str:
        return vocab.CASE_STATUSES[self.status]

    @property
    def is_open(self) -> bool:
        return self.status != "closed"


class CaseStep(db.Model):
    """One step of a case's handling: the stage reached, when, by whom, and notes."""

    __tablename__ = "protection_case_steps"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("protection_cases.id"), index=True)
    status: so.Mapped[str] = so.mapped_column(sa.String(16))
    on_date: so.Mapped[date]
    person: so.Mapped[str] = so.mapped_column(sa.String(64))
    notes: so.Mapped[str | None] = so.mapped_column(sa.Text)
    actor_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

    case: so.Mapped[ProtectionCase] = so.relationship(back_populates="steps")
    actor = so.relationship("User")

    __table_args__ = (sa.CheckConstraint(_in(status, vocab.CASE_STATUSES), name="status"),)


class CaseReport(db.Model):
    """When and to whom a case was reported (police 110, civil affairs, education)."""

    __tablename__ = "protection_case_reports"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("protection_cases.id"), index=True)
    agency: so.Mapped[str] = so.mapped_column(sa.String(16))
    reported_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime())
    reference: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

    case: so.Mapped[ProtectionCase] = so.relationship(back_populates="reports")
    by = so.relationship("User")

    __table_args__ = (sa.CheckConstraint(_in(agency, vocab.AGENCIES), name="agency"),)


class SchoolEvent(db.Model):
    """A school event session (四点半课堂, class meeting, holiday activity, …). A recurring
    event is a series of sessions sharing ``series_key``."""

    __tablename__ = "school_events"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    series_key: so.Mapped[str | None] = so.mapped_column(sa.String(36), index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(16))
    title: so.Mapped[str] = so.mapped_column(sa.String(128))
    organisation_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("organisations.id"), index=True)
    division_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("divisions.id"), index=True)
    starts_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), index=True)
    duration_minutes: so.Mapped[int] = so.mapped_column(default=90)
    place: so.Mapped[str | None] = so.mapped_column(sa.String(128))
    organiser: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    # the class (班级) a school event is for, e.g. a class meeting; None: the whole school or a home
    class_name: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    checkin_code: so.Mapped[str] = so.mapped_column(sa.String(8), unique=True)
    summary: so.Mapped[str | None] = so.mapped_column(sa.Text)
    created_by_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    organisation: so.Mapped[Organisation] = so.relationship()
    attendance: so.Mapped[list[EventAttendance]] = so.relationship(back_populates="event",
                                                                   order_by="EventAttendance.id")
    photos: so.Mapped[list[ActivityPhoto]] = so.relationship(order_by="ActivityPhoto.id")

    __table_args__ = (sa.CheckConstraint(_in(kind, vocab.EVENT_KINDS), name="kind"),)

    @property
    def kind_label(self) -> str:
        return vocab.EVENT_KINDS[self.kind]


class EventAttendance(db.Model):
    """An invited child or volunteer of an event session, and whether they came."""

    __tablename__ = "event_attendance"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    event_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("school_events.id"))
    child_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("children.id"), index=True)
    volunteer_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("volunteers.id"), index=True)
    attended: so.Mapped[bool] = so.mapped_column(default=False)
    method: so.Mapped[str | None] = so.mapped_column(sa.String(8))
    checked_in_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())

    event: so.Mapped[SchoolEvent] = so.relationship(back_populates="attendance")
    child: so.Mapped[Child | None] = so.relationship()
    volunteer = so.relationship("Volunteer")

    __table_args__ = (
        sa.UniqueConstraint("event_id", "child_id", name="uq_event_attendance_event_child"),
        sa.UniqueConstraint("event_id", "volunteer_id", name="uq_event_attendance_event_volunteer"),
        sa.CheckConstraint("(child_id IS NULL) <> (volunteer_id IS NULL)", name="one_person"),
        sa.CheckConstraint(_in(method, vocab.ATTENDANCE_METHODS), name="method"),
    )
