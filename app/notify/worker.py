"""The queued delivery's entry point, as the RQ queue names it (``app.notify.worker.deliver``).

A plain ``rq worker`` process has no Flask app, so the task builds one. It sits in a module of
its own, which nothing in the app imports, so that the factory's import chain (factory →
``notify.jobs``) never leads back to the ``app`` package.
"""
from __future__ import annotations

from datetime import datetime

from flask import has_app_context

from app import create_app
from app.notify import jobs


def deliver(delivery_id: int, now: datetime | None = None) -> str | None:
    """:func:`app.notify.jobs.deliver`, inside an app built from the environment unless one is
    active (``flask notify worker`` runs the queue inside its own app)."""
    if has_app_context():
        return jobs.deliver(delivery_id, now)
    with create_app().app_context():
        return jobs.deliver(delivery_id, now)
