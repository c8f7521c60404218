"""Issued reports (numbered, checksummed, verifiable) and background report jobs."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core.i18n import N_
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


class ChildCategoryEvent(db.Model):
    """A change of the facts that put a child in a report's categories (留守/困境, orphan, the
    priority categories and difficulty types, the tier), dated, with the facts before and after
    (:data:`app.reports.history.CATEGORY_FACTS`): a report for a past period shows the
    categories of its last day, whatever was re-registered since."""

    __tablename__ = "child_category_events"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    child_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("children.id"), index=True)
    on_date: so.Mapped[date]
    before: so.Mapped[dict] = so.mapped_column(sa.JSON)
    after: so.Mapped[dict] = so.mapped_column(sa.JSON)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)


#: how a sampled child's record was verified
CHECK_METHODS = {"call": N_("电话核实"), "visit": N_("入户核实")}
#: what a verification may find different from the record
DISCREPANCIES = {"identity": N_("身份或家庭信息不符"), "guardian": N_("监护情况不符"), "carer": N_("关爱人或结对不符"),
                 "care": N_("关爱服务记录不符"), "other": N_("其他不符")}


class VerificationSample(db.Model):
    """An assessor's random sample of a region's children for a period (抽样核查, seed 004:
    "委托有关研究机构深入各地查看核实"): up to ``per_village`` children of each village, drawn from the
    roster of the period's last day with the recorded ``seed`` — drawing again with the same seed
    gives the same children. Never deleted: its items carry the verifications."""

    __tablename__ = "verification_samples"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    division_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("divisions.id"), index=True)
    period: so.Mapped[str] = so.mapped_column(sa.String(32))  # 2026-10-01..2026-12-31
    period_label: so.Mapped[str] = so.mapped_column(sa.String(64))
    as_of: so.Mapped[date]  # the roster's day
    seed: so.Mapped[int] = so.mapped_column(sa.BigInteger)
    per_village: so.Mapped[int]
    drawn_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    drawn_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))

    items: so.Mapped[list[VerificationItem]] = so.relationship(back_populates="sample",
                                                               order_by="VerificationItem.position")


class VerificationItem(db.Model):
    """One sampled child and, once verified, how: by phone or in person, on which day, whether the
    family was reached, whether the care on record was confirmed, and what differed."""

    __tablename__ = "verification_items"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    sample_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("verification_samples.id"), index=True)
    child_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("children.id"))
    village_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("divisions.id"))
    position: so.Mapped[int]
    method: so.Mapped[str | None] = so.mapped_column(sa.String(8))
    checked_on: so.Mapped[date | None]
    reached: so.Mapped[bool | None]
    care_confirmed: so.Mapped[bool | None]
    discrepancies: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    note: so.Mapped[str | None] = so.mapped_column(sa.Text)
    checked_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))
    checked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())

    sample: so.Mapped[VerificationSample] = so.relationship(back_populates="items")
    child = so.relationship("Child")

    __table_args__ = (sa.UniqueConstraint("sample_id", "child_id", name="uq_verification_items_sample_child"),
                      sa.CheckConstraint(method.in_(tuple(CHECK_METHODS)), name="method"))


from app.reports import history  # noqa: E402,F401  (registers the status-history listener)
