"""Read side of the tracked duties: scope, filters, and the figures the reports count."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.core.dates import today_cn
from app.extensions import db
from app.protection.models import CaseMeasure, DutyItem


def items_scope(user):
    """Clause on :class:`DutyItem` rows ``user`` may see: directors, coordinators and auditors
    their division subtree; school staff the items of their pupils; nobody else any."""
    from app.children.models import Child
    from app.core.permissions import user_subtree_ids

    if user.role == "admin":
        return sa.true()
    if user.role in ("coordinator", "village_director", "auditor", "township_supervisor"):
        return DutyItem.division_id.in_(user_subtree_ids(user))
    if user.role == "school_staff" and user.organisation_id:
        return DutyItem.child_id.in_(sa.select(Child.id).where(Child.school_id == user.organisation_id))
    return sa.false()


def in_division(column, division_id: int | None):
    """``column`` (a division id) lies in the subtree of ``division_id`` (no filter for None)."""
    from app.core.models import Division

    if not division_id:
        return sa.true()
    root = db.session.get(Division, division_id)
    if root is None:
        return sa.false()
    return column.in_(root.subtree_ids())


def item_filters(args) -> dict:
    """The list's filters from the query string (unknown values are ignored)."""
    def day(name):
        try:
            return date.fromisoformat(args.get(name, ""))
        except ValueError:
            return None
    return {"kind": args.get("kind") or None, "status": args.get("status") or "open",
            "outcome": args.get("outcome") or None, "placement": args.get("placement") or None,
            "reason": args.get("reason") or None, "division": args.get("division", type=int),
            "start": day("from"), "end": day("to")}


def items_query(user, f: dict):
    stmt = sa.select(DutyItem).where(items_scope(user), in_division(DutyItem.division_id, f.get("division")))
    if f.get("kind"):
        stmt = stmt.where(DutyItem.kind == f["kind"])
    if f.get("reason"):
        stmt = stmt.where(DutyItem.reason == f["reason"])
    status = f.get("status")
    if status == "open":
        stmt = stmt.where(DutyItem.status == "open")
    elif status == "overdue":
        stmt = stmt.where(DutyItem.status == "open", DutyItem.deadline < today_cn())
    elif status == "closed":
        stmt = stmt.where(DutyItem.status == "closed")
        if f.get("start"):
            stmt = stmt.where(DutyItem.outcome_on >= f["start"])
        if f.get("end"):
            stmt = stmt.where(DutyItem.outcome_on <= f["end"])
    if f.get("outcome"):
        stmt = stmt.where(DutyItem.outcome == f["outcome"])
    if f.get("placement"):
        stmt = stmt.where(DutyItem.placement == f["placement"])
    order = (DutyItem.outcome_on.desc(),) if status == "closed" else (DutyItem.deadline, DutyItem.id)
    return stmt.order_by(*order, DutyItem.id)


def measures_query(user, kind: str | None, status: str | None, division: int | None,
                   start: date | None, end: date | None, *, due: bool = False):
    """Case measures in the user's case scope (the bulletin's accountability figures link here);
    ``due``: those planned or under way with a planned day, of open cases, soonest first (the
    home page's line links here)."""
    from app.activities.cases import cases_scope
    from app.activities.models import ProtectionCase

    stmt = (sa.select(CaseMeasure).join(ProtectionCase, CaseMeasure.case_id == ProtectionCase.id)
            .where(cases_scope(user), in_division(ProtectionCase.division_id, division)))
    if kind:
        stmt = stmt.where(CaseMeasure.kind == kind)
    if status:
        stmt = stmt.where(CaseMeasure.status == status)
    if start:
        stmt = stmt.where(CaseMeasure.on_date >= start)
    if end:
        stmt = stmt.where(CaseMeasure.on_date <= end)
    if due:
        return stmt.where(ProtectionCase.status != "closed", CaseMeasure.status.in_(("planned", "in_progress")),
                          CaseMeasure.due_on.is_not(None)).order_by(CaseMeasure.due_on, CaseMeasure.id)
    return stmt.order_by(CaseMeasure.on_date.desc(), CaseMeasure.id.desc())


def open_items_of_child(child_id: int) -> list[DutyItem]:
    return list(db.session.scalars(sa.select(DutyItem).where(DutyItem.child_id == child_id)
                                   .order_by(DutyItem.status.desc(), DutyItem.id)))
