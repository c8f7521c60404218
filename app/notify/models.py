"""Notification rows: what a person was told, each outbound delivery, and their choices."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core.i18n import N_
from app.core.models import utcnow
from app.core.types import UTCDateTime
from app.extensions import db

CHANNELS = {"email": N_("电子邮件"), "sms": N_("短信"), "push": N_("手机推送")}
DELIVERY_STATUSES = {
    "queued": N_("排队中"),
    "sending": N_("发送中"),
    "sent": N_("已发送"),
    "failed": N_("发送失败"),
    "skipped": N_("未发送"),
}


class Notification(db.Model):
    """One message to one person, shown in the notification centre.

    ``title`` may leave the system (SMS, e-mail, push): it never carries a child's name, a
    concern or the reporter. ``body`` is shown only inside the app, to its recipient.
    """

    __tablename__ = "notifications"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    kind: so.Mapped[str] = so.mapped_column(sa.String(32), index=True)
    title: so.Mapped[str] = so.mapped_column(sa.String(160))
    body: so.Mapped[str | None] = so.mapped_column(sa.Text)
    url: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    object_type: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    object_id: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    mandatory: so.Mapped[bool] = so.mapped_column(default=False)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow, index=True)
    read_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    #: the texts as message keys and parameters, translated when shown or sent (app.notify.texts);
    #: None on rows written before, whose ``title`` and ``body`` are shown as stored
    message: so.Mapped[dict | None] = so.mapped_column(sa.JSON)

    deliveries: so.Mapped[list["Delivery"]] = so.relationship(back_populates="notification",
                                                               order_by="Delivery.id")

    __table_args__ = (sa.Index("ix_notifications_user_unread", "user_id", "read_at"),)

    def title_in(self, locale: str | None = None) -> str:
        """The title in ``locale`` (the page's when None); old rows: as stored."""
        from app.notify.texts import render

        spec = (self.message or {}).get("title")
        return render(spec, locale) if spec else self.title

    def body_in(self, locale: str | None = None) -> str | None:
        from app.notify.texts import render

        spec = (self.message or {}).get("body")
        return render(spec, locale) if spec else self.body


class Delivery(db.Model):
    """One attempt-tracked outbound copy of a notification on one channel."""

    __tablename__ = "notification_deliveries"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    notification_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("notifications.id"), index=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    channel: so.Mapped[str] = so.mapped_column(sa.String(8))
    address: so.Mapped[str | None] = so.mapped_column(sa.String(512))  # e-mail, phone or push endpoint
    status: so.Mapped[str] = so.mapped_column(sa.String(8), default="queued", index=True)
    attempts: so.Mapped[int] = so.mapped_column(default=0)
    last_error: so.Mapped[str | None] = so.mapped_column(sa.String(255))
    provider_ref: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow, index=True)
    next_attempt_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime(), index=True)
    sent_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())

    notification: so.Mapped[Notification] = so.relationship(back_populates="deliveries")

    __table_args__ = (sa.CheckConstraint("channel IN ('email', 'sms', 'push')", name="channel"),
                      sa.CheckConstraint("status IN ('queued', 'sending', 'sent', 'failed', 'skipped')",
                                         name="status"))


class NotifySettings(db.Model):
    """A person's choices: the channels for ordinary notifications, an e-mail address, the digest."""

    __tablename__ = "notify_settings"

    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    email: so.Mapped[str | None] = so.mapped_column(sa.String(254))
    channels: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    weekly_digest: so.Mapped[bool] = so.mapped_column(default=False)
    last_digest_week: so.Mapped[str | None] = so.mapped_column(sa.String(8))  # e.g. 2026-W49
    updated_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class PushSubscription(db.Model):
    """A browser's Web Push subscription (the installed app on a phone)."""

    __tablename__ = "push_subscriptions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    endpoint: so.Mapped[str] = so.mapped_column(sa.String(512), unique=True)
    p256dh: so.Mapped[str] = so.mapped_column(sa.String(128))
    auth: so.Mapped[str] = so.mapped_column(sa.String(64))
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)


class CaseEscalation(db.Model):
    """One step of a case's escalation chain: who was told (or that nobody holds the post)."""

    __tablename__ = "case_escalations"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    case_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("protection_cases.id"), index=True)
    step: so.Mapped[int] = so.mapped_column()
    role: so.Mapped[str] = so.mapped_column(sa.String(32))
    division_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("divisions.id"))
    user_ids: so.Mapped[list] = so.mapped_column(sa.JSON, default=list)
    skipped: so.Mapped[bool] = so.mapped_column(default=False)
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    #: one of those told at this step took it on: the chain goes no further than this level
    #: (the case itself still waits for its handler's acknowledgement)
    acknowledged_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    acknowledged_by_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("users.id"))

    __table_args__ = (sa.UniqueConstraint("case_id", "step", name="uq_case_escalations_case_step"),)
