"""The child's timeline: one list of dated events gathered from every feature.

Each *provider* is a function ``(child, user) -> iterable of Event``. The registry's own
providers (record, pairs, reviews) are always there; features that may not be installed (care
activities, protection cases) are asked through guarded providers that return nothing when
their models cannot be imported. Another feature can add its events with :func:`provider`.
"""
from __future__ import annotations

import importlib
import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Callable, Iterable

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext

from app.children.models import Child, ChildReview
from app.core.i18n import N_
from app.core.permissions import has_permission
from app.extensions import db

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    """A dated thing that happened to the child. ``title`` is a catalogue msgid (shown with
    ``_()``), ``text`` plain detail, ``url`` an optional link."""

    at: datetime
    kind: str
    title: str
    text: str = ""
    url: str | None = None


Provider = Callable[[Child, object], Iterable[Event]]
_PROVIDERS: list[Provider] = []


def provider(fn: Provider) -> Provider:
    """Register a timeline provider (also usable as a decorator)."""
    if fn not in _PROVIDERS:
        _PROVIDERS.append(fn)
    return fn


def _aware(value: date | datetime | None) -> datetime:
    if value is None:
        return datetime.min.replace(tzinfo=timezone.utc)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    return datetime.combine(value, time(12), timezone.utc)


def _link(endpoint: str, **values) -> str | None:
    from flask import current_app

    return url_for(endpoint, **values) if endpoint in current_app.view_functions else None


def events_for(child: Child, user, limit: int = 200) -> list[Event]:
    """Every provider's events for ``child`` as ``user`` may see them, newest first."""
    found: list[Event] = []
    for fn in _PROVIDERS:
        found.extend(fn(child, user))
    found.sort(key=lambda e: e.at, reverse=True)
    return found[:limit]


@provider
def _record(child: Child, user) -> Iterable[Event]:
    yield Event(_aware(child.created_at), "record", N_("建档"))
    if child.status == "closed":
        yield Event(_aware(child.closed_at), "closed", N_("结案"), child.closed_reason or "")


@provider
def _pairs(child: Child, user) -> Iterable[Event]:
    from app.matching.models import Pair

    for pair in db.session.scalars(sa.select(Pair).where(Pair.child_id == child.id)):
        name = pair.volunteer.name if pair.volunteer else ""
        if pair.started_at:
            yield Event(_aware(pair.started_at), "pair", N_("开始结对"), name)
        if pair.ended_at:
            yield Event(_aware(pair.ended_at), "pair_end", N_("结束结对"),
                        f"{name} · {pair.end_reason or ''}".strip(" ·"))


@provider
def _reviews(child: Child, user) -> Iterable[Event]:
    from app.auth.models import User

    rows = db.session.execute(sa.select(ChildReview, User.display_name)
                              .join(User, User.id == ChildReview.reviewed_by_id)
                              .where(ChildReview.child_id == child.id))
    titles = {"confirmed": N_("季度核实：无变化"), "updated": N_("季度核实：已更新"), "closed": N_("季度核实：已结案")}
    for review, who in rows:
        yield Event(_aware(review.reviewed_at), "review", titles.get(review.outcome, N_("季度核实")),
                    f"{review.quarter} · {who}" + (f" · {review.note}" if review.note else ""))


def _optional(module: str):
    """The feature's module, or ``None`` when that feature is not installed."""
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


@provider
def _care_logs(child: Child, user) -> Iterable[Event]:
    models = _optional("app.activities.models")
    if models is None or not has_permission(user, "activities.view"):
        return
    for entry in db.session.scalars(sa.select(models.CareLog).where(models.CareLog.child_id == child.id)
                                    .order_by(models.CareLog.occurred_on.desc()).limit(200)):
        who = entry.volunteer.name if entry.volunteer is not None else ""
        if entry.concerns and _reporter_hidden(user, entry):
            who = gettext("报告人已隐去")  # a log that opened a mandatory report names its reporter
        yield Event(_aware(entry.occurred_on), "activity", entry.kind_label, who,
                    _link("activities.log_detail", log_id=entry.id))


def _reporter_hidden(user, entry) -> bool:
    from app.activities.services import author_hidden

    return author_hidden(user, entry)


@provider
def _school_events(child: Child, user) -> Iterable[Event]:
    models = _optional("app.activities.models")
    if models is None or not has_permission(user, "activities.view"):
        return
    rows = db.session.scalars(sa.select(models.SchoolEvent).join(models.EventAttendance)
                              .where(models.EventAttendance.child_id == child.id,
                                     models.EventAttendance.attended.is_(True)).limit(200))
    for event in rows:
        yield Event(_aware(event.starts_at), "event", event.kind_label, event.title)


@provider
def _protection_cases(child: Child, user) -> Iterable[Event]:
    models = _optional("app.activities.models")
    if models is None or not has_permission(user, "cases.read"):
        return
    for case in db.session.scalars(sa.select(models.ProtectionCase)
                                   .where(models.ProtectionCase.child_id == child.id)):
        yield Event(_aware(case.reported_at), "case", N_("强制报告"), f"#{case.id} · {case.status_label}",
                    _link("activities.case_detail", case_id=case.id))
