"""Protection cases opened by the mandatory report (强制报告), and their handling.

A case moves forward only: reported → emergency handling → assessment → intervention →
closed (stages may be skipped, never undone; a closed case is final). Every step has a date, a
person and notes, and is audited. A case nobody has acknowledged within
``CASE_ESCALATE_HOURS`` (default 4) is escalated by ``flask --app wsgi cases escalate`` (run it
from cron every few minutes). Cases are never deleted.

Functions here flush and audit but never commit; the caller commits.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from app.activities import vocab
from app.activities.models import CaseReport, CaseStep, ProtectionCase
from app.activities.errors import ActivityError
from app.core import audit
from app.core.dates import today_cn
from app.core.i18n import N_
from app.core.models import utcnow
from app.extensions import db
from app.children.models import Child
from app.core.permissions import REGION_ROLES, user_subtree_ids
from app.notify.escalation import advance
from app.notify.escalation import case_opened
from app.notify.services import mark_read_for_object

DEFAULT_ESCALATE_HOURS = 4
HANDLER_ROLES = frozenset({"village_director", "coordinator", "admin"})
POLICE_NUMBER = "110"


def cases_scope(user):
    """Clause on :class:`ProtectionCase` rows ``user`` may see.

    Directors, supervisors, coordinators and auditors: their division subtree; school staff: cases of their
    pupils and those they reported; volunteers: those they reported.
    """

    if user.role == "admin":
        return sa.true()
    if user.role in REGION_ROLES:
        return ProtectionCase.division_id.in_(user_subtree_ids(user))
    mine = ProtectionCase.reporter_id == user.id
    if user.role == "school_staff" and user.organisation_id:
        pupils = sa.select(Child.id).where(Child.school_id == user.organisation_id)
        return sa.or_(mine, ProtectionCase.child_id.in_(pupils))
    return mine


def can_see_reporter(user, case: ProtectionCase) -> bool:
    """Only those who handle the case (and the reporter) learn who reported it."""
    return user.role in HANDLER_ROLES or user.id == case.reporter_id


def open_case(actor, child, log, concerns: Iterable[str], note: str = "") -> ProtectionCase:
    """Open a case for the ticked ``concerns``, with its first step ("reported").

    :raise ActivityError: for an unknown situation code.
    """
    concerns = list(concerns)
    if not concerns or not set(concerns) <= set(vocab.CONCERNS):
        raise ActivityError("concerns", N_("强制报告情形无效"))
    case = ProtectionCase(child_id=child.id, division_id=child.division_id, log_id=log.id if log else None,
                          concerns=concerns, description=(note or "").strip() or None, status="reported",
                          reporter_id=actor.id, reported_at=utcnow())
    db.session.add(case)
    db.session.flush()
    db.session.add(CaseStep(case_id=case.id, status="reported", on_date=today_cn(), person=actor.display_name,
                            notes=case.description, actor_id=actor.id))
    db.session.flush()
    audit.record("case.open", case, user=actor,
                 detail={"child_id": child.id, "log_id": case.log_id, "concerns": concerns})

    case_opened(case)  # the village director and the coordinator are told (sent once this commits)
    return case


def record_reports(actor, case: ProtectionCase, agencies: Iterable[str], reported_at: datetime,
                   reference: str = "") -> list[CaseReport]:
    """Record that the case was reported to ``agencies`` at ``reported_at``.

    :raise ActivityError: no or unknown agency, or a time in the future.
    """
    agencies = list(dict.fromkeys(agencies))
    if not agencies or not set(agencies) <= set(vocab.AGENCIES):
        raise ActivityError("agencies", N_("请选择报告给了哪个部门"))
    if reported_at > utcnow() + timedelta(minutes=5):
        raise ActivityError("reported_at", N_("报告时间不能晚于现在"))
    rows = [CaseReport(case_id=case.id, agency=a, reported_at=reported_at, reference=(reference or "").strip()[:64]
                       or None, by_id=actor.id) for a in agencies]
    db.session.add_all(rows)
    db.session.flush()
    audit.record("case.report", case, user=actor,
                 detail={"agencies": agencies, "reported_at": reported_at.isoformat(), "reference": rows[0].reference})
    return rows


def acknowledge_case(actor, case: ProtectionCase) -> bool:
    """Mark the case as seen by a handler (stops escalation). False if it already was."""
    if case.acknowledged_at is not None:
        return False

    case.acknowledged_at, case.acknowledged_by_id = utcnow(), actor.id
    audit.record("case.acknowledge", case, user=actor)
    mark_read_for_object(actor, case)
    return True


def advance_case(actor, case: ProtectionCase, status: str, on_date: date, person: str, notes: str = "") -> CaseStep:
    """Add a step: the case reaches ``status`` (or gets a further note at its current stage).

    :raise ActivityError: unknown or earlier stage, closed case, future date, no person.
    """
    if status not in vocab.CASE_STATUSES:
        raise ActivityError("status", N_("阶段无效"))
    if case.status == "closed":
        raise ActivityError("status", N_("案件已结案，不能再变更"))
    if vocab.CASE_ORDER.index(status) < vocab.CASE_ORDER.index(case.status):
        raise ActivityError("status", N_("案件只能向后推进，不能退回之前的阶段"))
    if on_date > today_cn():
        raise ActivityError("on_date", N_("日期不能晚于今天"))
    if not (person or "").strip():
        raise ActivityError("person", N_("请填写经办人"))
    step = CaseStep(case_id=case.id, status=status, on_date=on_date, person=person.strip()[:64],
                    notes=(notes or "").strip() or None, actor_id=actor.id)
    db.session.add(step)
    before = case.status
    case.status = status
    if status == "closed":
        case.closed_at = utcnow()
    acknowledge_case(actor, case)
    db.session.flush()
    audit.record("case.step", case, user=actor,
                 detail={"from": before, "to": status, "on_date": on_date.isoformat(), "step_id": step.id})
    return step


def escalate_cases(now: datetime | None = None, hours: float = DEFAULT_ESCALATE_HOURS) -> list[ProtectionCase]:
    """Escalate open cases reported more than ``hours`` ago that nobody has acknowledged, and
    take every due step of the escalation chain (:mod:`app.notify.escalation`).

    Each escalation is audited (by the system). Returns the cases escalated now (first step).
    """

    now = now or utcnow()
    cutoff = now - timedelta(hours=hours)
    cases = db.session.scalars(
        sa.select(ProtectionCase).where(ProtectionCase.acknowledged_at.is_(None),
                                        ProtectionCase.escalated_at.is_(None),
                                        ProtectionCase.status != "closed",
                                        ProtectionCase.reported_at <= cutoff)
        .order_by(ProtectionCase.id)).all()
    for case in cases:
        case.escalated_at = now
        audit.record("case.escalate", case, detail={"hours": hours, "reported_at": case.reported_at.isoformat()})
    db.session.flush()
    advance(now, first_hours=hours)
    return cases


def case_list_order():
    """Escalated unacknowledged cases first, then unacknowledged, then open, newest first."""
    unacknowledged = ProtectionCase.acknowledged_at.is_(None)
    return (
        sa.case((ProtectionCase.status == "closed", 3),
                (sa.and_(unacknowledged, ProtectionCase.escalated_at.is_not(None)), 0),
                (unacknowledged, 1), else_=2),
        ProtectionCase.reported_at.desc(),
    )
