"""The escalation chain of a mandatory-report case, with names.

Step 0, when the case is opened: the village director(s) of the child's village (and, as the
report form promises, the coordinator(s) over it). Step 1, after ``CASE_ESCALATE_HOURS`` without
an acknowledgement: the township supervisor(s) of the village's township. Step 2, after
``CASE_ESCALATE_COUNTY_HOURS``: the coordinator(s) of the nearest division above the village that
has one (the county). A step whose post is empty is recorded as skipped and the chain goes on at
the next step's time. Acknowledging or closing the case stops the chain. Every step is a
:class:`CaseEscalation` row and an audit entry (``case.escalate.step``); every notification about
a case is mandatory, so it goes on every channel the person has.
"""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from app.core import audit
from app.extensions import db
from app.core.i18n import N_
from app.notify import texts
from app.notify.models import CaseEscalation
from app.notify.services import notify

STEPS = ((1, "township_supervisor", "CASE_ESCALATE_HOURS"), (2, "coordinator", "CASE_ESCALATE_COUNTY_HOURS"))


def _users(role: str, division_ids) -> list:
    from app.auth.models import User

    return db.session.scalars(sa.select(User).where(User.role == role, User.active.is_(True),
                                                    User.division_id.in_(list(division_ids)))
                              .order_by(User.id)).all()


def _ancestor_ids(village) -> list[int]:
    """Ids above the village, nearest first."""
    ids = [int(part) for part in village.path.strip("/").split("/") if part]
    return [i for i in reversed(ids) if i != village.id]


def recipients(case, role: str) -> tuple[list, object]:
    """(users, division) holding ``role`` for the case's village."""
    from app.core.models import Division

    village = db.session.get(Division, case.division_id)
    if role == "village_director":
        return _users(role, [village.id]), village
    if role == "township_supervisor":
        return (_users(role, [village.parent_id]) if village.parent_id else []), village.parent
    for division_id in _ancestor_ids(village):  # the nearest level that has a coordinator
        found = _users(role, [division_id])
        if found:
            return found, db.session.get(Division, division_id)
    return [], None


def _case_url(case) -> str:
    # a plain path: the chain runs from cron, outside any request (checked against the route in tests)
    return f"/activities/cases/{case.id}"


def _body(case) -> dict:
    from app.activities import vocab

    # a message key: written by cron, outside any request, and read in each recipient's language
    return texts.text(N_("%(child)s（%(place)s）：%(concerns)s"), child=case.child.name,
                      place=case.division.full_name,
                      concerns=texts.labels(str(vocab.CONCERNS[c]) for c in case.concerns if c in vocab.CONCERNS))


def _record(case, step: int, role: str, division, users, now: datetime) -> CaseEscalation:
    row = CaseEscalation(case_id=case.id, step=step, role=role, division_id=getattr(division, "id", None),
                         user_ids=[u.id for u in users], skipped=not users, at=now)
    db.session.add(row)
    db.session.flush()
    audit.record("case.escalate.step", case, detail={"step": step, "role": role, "users": row.user_ids,
                                                     "skipped": row.skipped, "division_id": row.division_id})
    return row


def case_opened(case, now: datetime | None = None) -> None:
    """Step 0: tell the village director(s) (and the coordinators, as promised on the form)."""
    now = now or case.reported_at
    directors, village = recipients(case, "village_director")
    title = texts.text(N_("新的强制报告 #%(id)s（%(place)s），请立即查看并确认"), id=case.id, place=village.full_name)
    notify(directors, "case.open", title, _case_url(case), _body(case), obj=case, mandatory=True, now=now)
    _record(case, 0, "village_director", village, directors, now)
    if current_app.config.get("CASE_NOTIFY_COORDINATOR_ON_OPEN", True):
        coordinators, _division = recipients(case, "coordinator")
        notify(coordinators, "case.open", title, _case_url(case), _body(case), obj=case, mandatory=True, now=now)


def advance(now: datetime, first_hours: float | None = None) -> list[CaseEscalation]:
    """Take every open, unacknowledged case whose next step is due to that step (catching up
    on several if the cron job was down). Returns the steps taken."""
    from app.activities.models import ProtectionCase

    config = current_app.config
    hours = {1: first_hours if first_hours is not None else config["CASE_ESCALATE_HOURS"]}
    hours[2] = max(config["CASE_ESCALATE_COUNTY_HOURS"], hours[1])
    oldest_due = now - timedelta(hours=hours[1])
    cases = db.session.scalars(sa.select(ProtectionCase).where(
        ProtectionCase.acknowledged_at.is_(None), ProtectionCase.status != "closed",
        ProtectionCase.reported_at <= oldest_due, ProtectionCase.id.not_in(stopped_case_ids()))
        .order_by(ProtectionCase.id)).all()
    done = {(c, s) for c, s in db.session.execute(
        sa.select(CaseEscalation.case_id, CaseEscalation.step)
        .where(CaseEscalation.case_id.in_([c.id for c in cases])))} if cases else set()
    taken = []
    for case in cases:
        for step, role, _key in STEPS:
            if (case.id, step) in done or case.reported_at > now - timedelta(hours=hours[step]):
                continue
            taken.append(_step(case, step, role, hours[step], now))
    db.session.flush()
    return taken


def _step(case, step: int, role: str, hours: float, now: datetime) -> CaseEscalation:
    users, division = recipients(case, role)
    place = case.division.full_name
    title = texts.text(N_("强制报告 #%(id)s（%(place)s）已超过%(hours)s小时无人确认，请立即处理"), id=case.id,
                       place=place, hours=f"{hours:g}")
    notify(users, "case.escalate", title, _case_url(case), _body(case), obj=case, mandatory=True, now=now)
    return _record(case, step, role, division, users, now)


def chain_of(case) -> list[CaseEscalation]:
    return db.session.scalars(sa.select(CaseEscalation).where(CaseEscalation.case_id == case.id)
                              .order_by(CaseEscalation.step)).all()


# --------------------------------------------------------------------------------------------
# acknowledgement by a level of the chain (the township supervisor)
# --------------------------------------------------------------------------------------------

def stopped_case_ids():
    """Select of the cases whose chain someone it reached has taken on (it goes no further)."""
    return sa.select(CaseEscalation.case_id).where(CaseEscalation.acknowledged_at.is_not(None))


def open_step_for(user, case) -> CaseEscalation | None:
    """The step beyond the village that told ``user`` about ``case`` and that nobody has taken on,
    while the case is open and unacknowledged (the director acknowledges the case itself)."""
    if case.status == "closed" or case.acknowledged_at is not None:
        return None
    for row in chain_of(case):
        if row.step >= 1 and row.acknowledged_at is None and user.id in (row.user_ids or []):
            return row
    return None


def acknowledge_step(actor, case, row: CaseEscalation, now: datetime | None = None) -> CaseEscalation:
    """``actor`` (told at ``row``'s step) takes the case on at his level: the chain stops there, his
    notifications about it are read. Nothing else changes: the case still waits for its handler's
    acknowledgement, and he gains no right to handle it."""
    from app.core.models import utcnow
    from app.notify.services import mark_read_for_object

    row.acknowledged_at, row.acknowledged_by_id = now or utcnow(), actor.id
    db.session.flush()
    audit.record("case.escalate.acknowledge", case, user=actor, detail={"step": row.step, "role": row.role})
    mark_read_for_object(actor, case)
    return row
