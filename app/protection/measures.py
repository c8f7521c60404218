"""Structured measures of a protection case (G4-G6, D6, accountability). Flush and audit, never commit.

A 告诫书 or 人身安全保护令 obliges the village to follow up at home (G6): recording one schedules
the visit as an item for the village director with its date as the deadline. A measure that
settles the child's guardianship (parents ordered home, entrusted guardian, placement) proposes
closing the child's guardianship gap with the same means (:func:`gap_proposal`).
"""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from app.core import audit
from app.core.dates import today_cn
from app.core.i18n import N_
from app.extensions import db
from app.protection import vocab
from app.protection.models import CaseMeasure, DutyItem
from app.protection.services import ProtectionError, open_item, open_item_of

#: measure → the gap-closing means it proposes
MEANS_OF = {"parents_ordered_home": "parent_returned", "entrusted_guardian": "entrusted", "placement": "temporary"}


def add_measure(actor, case, kind: str, on_date: date | None, *, status: str = "done", due_on: date | None = None,
                placement: str | None = None, notes: str = "") -> CaseMeasure:
    """Record a measure on ``case``.

    :raise ProtectionError: closed case, unknown measure or status, a court outcome on another
        measure, a placement without its kind, a future date for a done measure, a due date
        before the measure.
    """
    if case.status == "closed":
        raise ProtectionError("kind", N_("案件已结案，不能再变更"))
    if kind not in vocab.MEASURES:
        raise ProtectionError("kind", N_("措施无效"))
    if status not in vocab.MEASURE_STATUSES:
        raise ProtectionError("status", N_("状态无效"))
    if status in ("granted", "rejected") and kind != "revocation":
        raise ProtectionError("status", N_("法院判决结果只适用于申请撤销监护人资格"))
    if kind == "placement" and placement not in vocab.PLACEMENTS:
        raise ProtectionError("placement", N_("请选择临时监护照料的机构或亲属"))
    if on_date is None:
        raise ProtectionError("on_date", N_("请填写日期"))
    if status != "planned" and on_date > today_cn():
        raise ProtectionError("on_date", N_("日期不能晚于今天"))
    if due_on is not None and due_on < on_date:
        raise ProtectionError("due_on", N_("计划日期不能早于措施日期"))
    measure = CaseMeasure(case_id=case.id, kind=kind, status=status, on_date=on_date, due_on=due_on,
                          placement=placement if kind == "placement" else None,
                          notes=(notes or "").strip() or None, actor_id=getattr(actor, "id", None))
    db.session.add(measure)
    db.session.flush()
    audit.record("case.measure", case, user=actor, detail={"measure_id": measure.id, "kind": kind, "status": status,
                                                            "on_date": on_date.isoformat()})
    if kind in vocab.FOLLOW_UP_AFTER and status == "done":
        _schedule_follow_up(actor, case, measure)
    return measure


def _schedule_follow_up(actor, case, measure: CaseMeasure) -> DutyItem:
    """The home follow-up visit the village owes after a 告诫书 or 保护令, as the director's item."""
    due = measure.due_on or measure.on_date + timedelta(days=vocab.FOLLOW_UP_DAYS)
    label = vocab.MEASURES[measure.kind][1]
    return open_item(actor, case.child, "finding", "follow_up", on_date=min(measure.on_date, today_cn()),
                     summary=f"{label}送达后入户跟踪查访（强制报告案件 #{case.id}）",
                     detail={"case_id": case.id, "measure_id": measure.id}, deadline=max(due, measure.on_date))


def measures_of(case) -> list[CaseMeasure]:
    return list(db.session.scalars(sa.select(CaseMeasure).where(CaseMeasure.case_id == case.id)
                                   .order_by(CaseMeasure.on_date, CaseMeasure.id)))


def gap_proposal(case, measures: list[CaseMeasure]) -> dict | None:
    """The change a measure proposes to the child's record: close the open guardianship gap with
    the measure's means (and placement). None when there is no open gap or no such measure."""
    gap = open_item_of(case.child_id, "gap")
    if gap is None:
        return None
    for measure in reversed(measures):
        if measure.kind in MEANS_OF and measure.status == "done":
            proposal = {"item_id": gap.id, "means": MEANS_OF[measure.kind]}
            if measure.placement:
                proposal["placement"] = measure.placement
            return proposal
    return None
