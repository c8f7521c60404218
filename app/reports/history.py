"""Dated histories for reports that must stay true of their period.

Whenever a child's roster status or a volunteer's status changes through the ORM, a dated
event row is added in the same flush (``before_flush``), whichever service made the change —
so no service needs to remember it. Each row keeps the status before and after, which lets
:func:`status_on` answer "what was it on day D" for any D: the ``to_status`` of the last change
on or before D, else the ``from_status`` of the first change after D, else today's status.

The facts that put a child in a report's categories (:data:`CATEGORY_FACTS`: 留守/困境, orphan,
priority categories, difficulty types, tier) are dated the same way, before and after each
change, and :func:`categories_on` gives them as of any day.

A pair's life needs no table of its own: ``started_at`` and ``ended_at`` date it already.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Iterable

import sqlalchemy as sa
import sqlalchemy.orm as so
from sqlalchemy import event

from app.core.dates import today_cn
from app.extensions import db


#: the child's facts a report's categories are read from (columns of :class:`Child`)
CATEGORY_FACTS = ("both_parents_away", "one_parent_away_other_incapable", "is_orphan", "is_left_behind",
                  "is_in_difficulty", "categories", "difficulty_types", "tier", "rural_hukou", "parents_away_since",
                  "schooling")


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else list(value) if isinstance(value, (list, tuple)) else value


def _changed_categories(session, obj) -> tuple[dict, dict] | None:
    """(before, after) of the category facts of a persistent child, when any changed. The values
    before are read from the database (an expired attribute set anew keeps no old value)."""
    state = sa.inspect(obj)
    if not any(state.attrs[name].history.added for name in CATEGORY_FACTS):
        return None
    table = type(obj).__table__
    stored = session.connection().execute(  # Core, on the flush's connection: no autoflush
        sa.select(*(table.c[name] for name in CATEGORY_FACTS)).where(table.c.id == obj.id)).one()
    before = {name: _json(value) for name, value in zip(CATEGORY_FACTS, stored)}
    after = {name: _json(getattr(obj, name)) for name in CATEGORY_FACTS}
    return (before, after) if before != after else None


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
    from app.reports.models import ChildCategoryEvent, ChildStatusEvent, VolunteerStatusEvent
    from app.volunteers.models import Volunteer

    for obj in list(session.dirty):
        if isinstance(obj, Child):
            change = _changed_status(obj)
            if change:
                on = obj.closed_at if change[1] == "closed" and obj.closed_at else today_cn()
                session.add(ChildStatusEvent(child_id=obj.id, from_status=change[0], to_status=change[1], on_date=on))
            categories = _changed_categories(session, obj)
            if categories:
                session.add(ChildCategoryEvent(child_id=obj.id, on_date=today_cn(), before=categories[0],
                                               after=categories[1]))
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


def categories_on(day: date, ids: Iterable[int]) -> dict[int, dict]:
    """The category facts on ``day`` of the children ``ids`` that have a dated change (the others'
    facts are today's): the ``after`` of the last change on or before ``day``, else the ``before``
    of the first change after it. ``parents_away_since`` comes back as a date."""
    from app.reports.models import ChildCategoryEvent as E

    found: dict[int, dict] = {}
    settled: set[int] = set()
    ids = list(ids)
    for start in range(0, len(ids), 5000):
        for child_id, on, before, after in db.session.execute(
                sa.select(E.child_id, E.on_date, E.before, E.after).where(E.child_id.in_(ids[start:start + 5000]))
                .order_by(E.on_date, E.id)):
            if on <= day:
                found[child_id] = after
                settled.add(child_id)
            elif child_id not in settled and child_id not in found:
                found[child_id] = before
    for facts in found.values():
        since = facts.get("parents_away_since")
        if isinstance(since, str):
            facts["parents_away_since"] = date.fromisoformat(since)
    return found
