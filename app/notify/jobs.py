"""Sending deliveries: RQ when ``REDIS_URL`` is set, else a small in-process thread pool (or in
the committing thread with ``NOTIFY_INLINE``, as in tests). A failed attempt is retried after
``NOTIFY_RETRY_MINUTES`` (1, 5, 30 by default) up to ``NOTIFY_MAX_ATTEMPTS``; the retries are
picked up by :func:`retry_due`, which ``flask notify retry`` and ``flask cases escalate`` run
from cron. Each attempt is claimed with a conditional UPDATE, so two workers never send the
same delivery twice.
"""
from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import Flask, current_app, has_app_context
from flask_babel import force_locale

from app.core.models import utcnow
from app.extensions import db
from app.notify import channels as ch
from app.notify import texts
from app.notify.models import Delivery, Notification, PushSubscription

log = logging.getLogger(__name__)
QUEUE = "notify"
_executor: ThreadPoolExecutor | None = None


_hook_installed = False


def install_commit_hook() -> None:
    """After a commit, hand the deliveries queued in that transaction to the job queue (once per
    process, whatever the number of apps built)."""
    global _hook_installed
    if _hook_installed:
        return
    _hook_installed = True

    @sa.event.listens_for(so.Session, "after_commit")
    def _after_commit(session):
        pending = session.info.pop("notify_pending_deliveries", None)
        if pending and has_app_context():
            dispatch(pending)

    @sa.event.listens_for(so.Session, "after_rollback")
    def _after_rollback(session):
        session.info.pop("notify_pending_deliveries", None)


def dispatch(delivery_ids) -> None:
    ids = list(delivery_ids)
    app = current_app._get_current_object()
    if app.config.get("NOTIFY_INLINE"):
        for delivery_id in ids:
            deliver(delivery_id)
    elif app.config.get("REDIS_URL"):
        from redis import Redis
        from rq import Queue

        queue = Queue(QUEUE, connection=Redis.from_url(app.config["REDIS_URL"]))
        for delivery_id in ids:
            queue.enqueue("app.notify.worker.deliver", delivery_id, job_timeout=120, result_ttl=3600)
    else:
        for delivery_id in ids:
            _thread_pool().submit(_run_in_app, app, delivery_id)


def _thread_pool() -> ThreadPoolExecutor:
    global _executor
    if _executor is None:
        _executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="notify")
    return _executor


def _run_in_app(app: Flask, delivery_id: int) -> None:
    with app.app_context():
        deliver(delivery_id)


def deliver(delivery_id: int, now: datetime | None = None) -> str | None:
    """Attempt one delivery (the RQ task through :mod:`app.notify.worker`, the thread pool and
    inline sending all call this, inside an app). Uses its own database session, so it works
    inside another session's commit. Never raises; returns the new status."""
    now = now or utcnow()
    with so.Session(db.engine) as session:
        claimed = session.execute(
            sa.update(Delivery).where(Delivery.id == delivery_id, Delivery.status == "queued",
                                      sa.or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now))
            .values(status="sending", attempts=Delivery.attempts + 1)).rowcount
        session.commit()
        if not claimed:
            return None
        delivery = session.get(Delivery, delivery_id)
        note = session.get(Notification, delivery.notification_id)
        try:
            ref = _send(session, delivery, note)
        except ch.DeliveryError as exc:
            _failed(delivery, exc, now)
        except Exception as exc:  # noqa: BLE001 - a bug in a channel must not lose the message
            log.exception("delivery %s crashed", delivery_id)
            _failed(delivery, ch.DeliveryError(f"{type(exc).__name__}: {exc}"), now)
        else:
            delivery.status, delivery.sent_at, delivery.provider_ref, delivery.next_attempt_at = "sent", utcnow(), ref, None
            delivery.last_error = None
        session.commit()
        return delivery.status


def _send(session, delivery: Delivery, note: Notification) -> str:
    from app.auth.models import User

    config = current_app.config
    if not ch.configured(config, delivery.channel):
        raise ch.DeliveryError(f"channel {delivery.channel} not configured", permanent=True)
    site = config.get("SITE_URL") or "http://localhost:5000"  # the reports' setting; local fallback
    locale = texts.locale_of(session.get(User, delivery.user_id))
    with force_locale(locale):  # the recipient's language, for the title and the channel's own words
        return _send_in(session, delivery, ch.Message(note.title_in(locale), site + (note.url or "/notifications")))


def _send_in(session, delivery: Delivery, message: ch.Message) -> str:
    config = current_app.config
    if delivery.channel == "email":
        return ch.send_email(config, delivery.address, message)
    if delivery.channel == "sms":
        return ch.send_sms(config, delivery.address, message)
    sub = session.scalar(sa.select(PushSubscription).where(PushSubscription.endpoint == delivery.address))
    if sub is None:
        raise ch.DeliveryError("push subscription removed", permanent=True)
    try:
        return ch.send_push(config, {"endpoint": sub.endpoint, "keys": {"p256dh": sub.p256dh, "auth": sub.auth}},
                            message)
    except ch.DeliveryError as exc:
        if exc.permanent:  # the browser dropped the subscription: forget it
            session.delete(sub)
        raise


def _failed(delivery: Delivery, exc: ch.DeliveryError, now: datetime) -> None:
    config = current_app.config
    delivery.last_error = exc.reason
    waits = config["NOTIFY_RETRY_MINUTES"]
    if exc.permanent or delivery.attempts >= config["NOTIFY_MAX_ATTEMPTS"]:
        delivery.status, delivery.next_attempt_at = "failed", None
    else:
        wait = waits[min(delivery.attempts - 1, len(waits) - 1)]
        delivery.status, delivery.next_attempt_at = "queued", now + timedelta(minutes=wait)
    log.warning("delivery %s (%s) attempt %s failed: %s", delivery.id, delivery.channel, delivery.attempts,
                exc.reason)


STALE_SENDING = timedelta(minutes=15)


def retry_due(now: datetime | None = None) -> int:
    """Hand every delivery whose retry time has come to the queue; deliveries stuck in "sending"
    (a worker died) are put back first. Returns how many were handed over."""
    now = now or utcnow()
    with so.Session(db.engine) as session:
        session.execute(sa.update(Delivery).where(Delivery.status == "sending", Delivery.created_at < now - STALE_SENDING)
                        .values(status="queued", next_attempt_at=now, last_error="worker lost; retried"))
        session.commit()
        due = session.scalars(sa.select(Delivery.id).where(Delivery.status == "queued",
                                                           sa.or_(Delivery.next_attempt_at.is_(None),
                                                                  Delivery.next_attempt_at <= now))
                              .order_by(Delivery.id)).all()
    if current_app.config.get("NOTIFY_INLINE"):
        for delivery_id in due:
            deliver(delivery_id, now)
    else:
        dispatch(due)
    return len(due)


def run_worker(burst: bool = False) -> None:
    from redis import Redis
    from rq import SimpleWorker

    SimpleWorker([QUEUE], connection=Redis.from_url(current_app.config["REDIS_URL"])).work(burst=burst)
