"""Creating notifications and their deliveries (inside the caller's transaction; never commits).

Who gets which channel:

- ordinary notifications go to the channels the person chose (all they have, until they choose),
  at most ``NOTIFY_RATE_PER_HOUR`` outbound messages per person per hour — beyond that the
  delivery is recorded as skipped, and the notification still waits in the app;
- a mandatory-report case (``mandatory=True``) goes on every channel the person has, whatever
  they chose, and is never rate-limited.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from app.core import audit
from app.core.models import utcnow
from app.core.phone import normalize_phone
from app.extensions import db
from app.notify import channels as ch
from app.notify.models import CHANNELS, Delivery, Notification, NotifySettings, PushSubscription

PENDING_KEY = "notify_pending_deliveries"


@dataclass(frozen=True)
class Address:
    channel: str
    address: str


def settings_of(user_id: int) -> NotifySettings | None:
    return db.session.get(NotifySettings, user_id)


def phone_of(user) -> str | None:
    """The person's mobile number: the account's, else her volunteer record's."""
    phone = user.phone
    if not phone and user.role == "volunteer":
        from app.volunteers.models import Volunteer

        phone = db.session.scalar(sa.select(Volunteer.phone).where(Volunteer.user_id == user.id))
    try:
        return normalize_phone(phone) if phone else None
    except ValueError:
        return None


def addresses_of(user) -> list[Address]:
    """Every outbound address the person has on the channels this deployment offers."""
    config = current_app.config
    settings = settings_of(user.id)
    found: list[Address] = []
    if ch.configured(config, "email") and settings and settings.email:
        found.append(Address("email", settings.email))
    if ch.configured(config, "sms") and (phone := phone_of(user)):
        found.append(Address("sms", phone))
    if ch.configured(config, "push"):
        for endpoint in db.session.scalars(sa.select(PushSubscription.endpoint)
                                           .where(PushSubscription.user_id == user.id)
                                           .order_by(PushSubscription.id)):
            found.append(Address("push", endpoint))
    return found


def chosen_channels(user) -> set[str]:
    settings = settings_of(user.id)
    if settings is None or settings.channels is None:
        return set(CHANNELS)
    return set(settings.channels)


def recent_outbound(user_id: int, now) -> int:
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(Delivery).join(Notification)
        .where(Delivery.user_id == user_id, Delivery.created_at > now - timedelta(hours=1),
               Delivery.status != "skipped", Notification.mandatory.is_(False))) or 0


def _texts(title, body) -> tuple[str, str | None, dict | None]:
    """(stored title, stored body, message) for plain strings or :mod:`app.notify.texts` specs:
    a spec is kept as the message (translated for each reader) and stored in the default language."""
    from app.notify.texts import default_text

    message = {}
    if isinstance(title, dict):
        message["title"], title = title, default_text(title)
    if isinstance(body, (dict, list)):
        message["body"], body = body, default_text(body)
    return title, body, message or None


def notify(users, kind: str, title, url: str | None = None, body=None, *, obj=None,
           mandatory: bool = False, now=None) -> list[Notification]:
    """Tell each of ``users``: an in-app notification and its outbound deliveries (queued; sent
    once the caller's transaction commits). Returns the notifications, flushed.

    ``title`` and ``body`` are plain text, or message keys with parameters
    (:func:`app.notify.texts.text`; a body may be a list of lines) shown in each reader's language.
    """
    now = now or utcnow()
    title, body, message = _texts(title, body)
    rows = []
    for user in dict.fromkeys(u for u in users if u is not None and u.active):
        note = Notification(user_id=user.id, kind=kind, title=title[:160], body=body, url=url, mandatory=mandatory,
                            message=message,
                            object_type=getattr(obj, "__tablename__", None) if obj is not None else None,
                            object_id=str(obj.id) if obj is not None else None, created_at=now)
        db.session.add(note)
        db.session.flush()
        _add_deliveries(user, note, now)
        rows.append(note)
    if rows:
        audit.record("notify.create", object_type="notifications", object_id=rows[0].id,
                     detail={"kind": kind, "users": [n.user_id for n in rows], "mandatory": mandatory,
                             "object": f"{note.object_type}:{note.object_id}" if obj is not None else None})
    return rows


def _add_deliveries(user, note: Notification, now) -> None:
    wanted = None if note.mandatory else chosen_channels(user)
    budget = None if note.mandatory else current_app.config["NOTIFY_RATE_PER_HOUR"] - recent_outbound(user.id, now)
    for address in addresses_of(user):
        if wanted is not None and address.channel not in wanted:
            continue
        delivery = Delivery(notification_id=note.id, user_id=user.id, channel=address.channel,
                            address=address.address, status="queued", created_at=now, next_attempt_at=None)
        if budget is not None:
            if budget <= 0:
                delivery.status, delivery.last_error, delivery.next_attempt_at = "skipped", "rate limited", None
            budget -= 1
        db.session.add(delivery)
        db.session.flush()
        if delivery.status == "queued":
            db.session.info.setdefault(PENDING_KEY, []).append(delivery.id)


def unread_count(user) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Notification)
                             .where(Notification.user_id == user.id, Notification.read_at.is_(None))) or 0


def mark_read(user, notification_ids=None) -> int:
    """Mark the user's notifications (all when ``notification_ids`` is None) as read."""
    stmt = (sa.update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
            .values(read_at=utcnow()))
    if notification_ids is not None:
        stmt = stmt.where(Notification.id.in_(list(notification_ids)))
    return db.session.execute(stmt).rowcount or 0


def mark_read_for_object(user, obj) -> int:
    """Reading the case (or whatever the notification is about) reads its notifications."""
    return db.session.execute(
        sa.update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None),
                                      Notification.object_type == obj.__tablename__,
                                      Notification.object_id == str(obj.id)).values(read_at=utcnow())).rowcount or 0
