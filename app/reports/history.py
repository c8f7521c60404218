"""Dated histories for reports that must stay true of their period.

Whenever a child's roster status or a volunteer's status changes through the ORM, a dated
event row is added in the same flush (``before_flush``), whichever service made the change —
so no service needs to remember it. Each row keeps the status before and after, which lets
:func:`status_on` answer "what was it on day D" for any D: the ``to_status`` of the last change
on or before D, else the ``from_status`` of the first change after D, else today's status.

A pair's life needs no table of its own: ``started_at`` and ``ended_at`` date it already.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy import event

from app.core.dates import today_cn
from app.extensions import db


def _changed_status(obj) -> tuple[str, str] | None:
    history = sa.inspect(obj).attrs.status.history
    if not history.has_changes() or not history.deleted:
        return None
    old, new = history.deleted[0], history.added[0] if history.added else None
    if old is None or new is None or old == new:
        return None
    return old, new


@event.listens_for(so.Session, "before_flush")
def _record_status_changes(session, flush_context, instances) -> None:
    from app.children.models import Child
    from app.reports.models import ChildStatusEvent, VolunteerStatusEvent
    from app.volunteers.models import Volunteer

    for obj in list(session.dirty):
        if isinstance(obj, Child):
            change = _changed_status(obj)
            if change:
                on = obj.closed_at if change[1] == "closed" and obj.closed_at else today_cn()
                session.add(ChildStatusEvent(child_id=obj.id, from_status=change[0], to_status=change[1], on_date=on))
        elif isinstance(obj, Volunteer):
            change = _changed_status(obj)
            if change:
                session.add(VolunteerStatusEvent(volunteer_id=obj.id, from_status=change[0], to_status=change[1],
                                                 on_date=today_cn()))


def status_on(day: date, current: dict[int, str], model) -> tuple[dict[int, str], set[int]]:
    """The status on ``day`` of each id in ``current`` (id → today's status), from ``model``'s
    dated change rows (:class:`ChildStatusEvent` or :class:`VolunteerStatusEvent`), and the ids
    that have a dated change on or before ``day`` (the others' earlier history is unknown)."""
    key = model.child_id if hasattr(model, "child_id") else model.volunteer_id
    result = dict(current)
    before: dict[int, str] = {}
    after: dict[int, str] = {}
    ids = list(current)
    for start in range(0, len(ids), 5000):
        chunk = ids[start:start + 5000]
        for subject, from_status, to_status, on in db.session.execute(
                sa.select(key, model.from_status, model.to_status, model.on_date)
                .where(key.in_(chunk)).order_by(model.on_date, model.id)):
            if on <= day:
                before[subject] = to_status
            elif subject not in after:
                after[subject] = from_status
    for subject in ids:
        if subject in before:
            result[subject] = before[subject]
        elif subject in after:
            result[subject] = after[subject]
    return result, set(before)
