"""Issued reports (numbered, checksummed, verifiable) and background report jobs."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core.models import utcnow
from app.core.types import UTCDateTime
from app.extensions import db

JOB_STATUSES = ("queued", "running", "done", "failed")


class IssuedReport(db.Model):
    """One issued report file. The number and the verification code are printed on every page;
    ``sha256`` is the checksum of the exact bytes handed out, so any change to the file shows."""

    __tablename__ = "issued_reports"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    number: so.Mapped[str | None] = so.mapped_column(sa.String(24), unique=True)
    verification_code: so.Mapped[str] = so.mapped_column(sa.String(16), unique=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(32), index=True)
    file_format: so.Mapped[str] = so.mapped_column(sa.String(8), default="pdf")
    title: so.Mapped[str] = so.mapped_column(sa.String(128))
    parameters: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    organisation: so.Mapped[str] = so.mapped_column(sa.String(128))
    division_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("divisions.id"), index=True)
    issued_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    issued_by_name: so.Mapped[str] = so.mapped_column(sa.String(64))
    issued_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    sha256: so.Mapped[str | None] = so.mapped_column(sa.String(64), index=True)
    page_count: so.Mapped[int | None]
    size_bytes: so.Mapped[int | None]
    filename: so.Mapped[str | None] = so.mapped_column(sa.String(128))
    #: the report's key totals, shown on the public verification page so paper can be compared
    figures: so.Mapped[dict | None] = so.mapped_column(sa.JSON)

    __table_args__ = (sa.CheckConstraint(file_format.in_(("pdf", "xlsx")), name="file_format"),)


class ReportJob(db.Model):
    """A report rendered in the background: queued → running → done | failed, with progress."""

    __tablename__ = "report_jobs"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    token: so.Mapped[str] = so.mapped_column(sa.String(32), unique=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(32))
    file_format: so.Mapped[str] = so.mapped_column(sa.String(8), default="pdf")
    parameters: so.Mapped[dict] = so.mapped_column(sa.JSON, default=dict)
    requested_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    status: so.Mapped[str] = so.mapped_column(sa.String(16), default="queued")
    progress: so.Mapped[int] = so.mapped_column(default=0)
    message: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    backend: so.Mapped[str] = so.mapped_column(sa.String(16), default="thread")
    issued_report_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("issued_reports.id"))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    started_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    finished_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())

    issued_report: so.Mapped[IssuedReport | None] = so.relationship()

    __table_args__ = (
        sa.CheckConstraint(status.in_(JOB_STATUSES), name="status"),
        sa.CheckConstraint("progress >= 0 AND progress <= 100", name="progress"),
    )


class ChildStatusEvent(db.Model):
    """A change of a child's roster status (在册 → 已结案 or back), dated: a report for a past
    period reads what was true on its last day from these, whatever changed since.

    Written by :mod:`app.reports.history` whenever a child's status changes (any code path that
    goes through the ORM); the migration records the closings made before it existed.
    """

    __tablename__ = "child_status_events"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    child_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("children.id"), index=True)
    from_status: so.Mapped[str] = so.mapped_column(sa.String(16))
    to_status: so.Mapped[str] = so.mapped_column(sa.String(16))
    on_date: so.Mapped[date]
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)


class VolunteerStatusEvent(db.Model):
    """A change of a volunteer's status (applied → approved → paused/exited …), dated."""

    __tablename__ = "volunteer_status_events"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    volunteer_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("volunteers.id"), index=True)
    from_status: so.Mapped[str] = so.mapped_column(sa.String(16))
    to_status: so.Mapped[str] = so.mapped_column(sa.String(16))
    on_date: so.Mapped[date]
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)

from app.reports import history  # noqa: E402,F401  (registers the status-history listener)
