"""一人一档: a child's complete file — registration fields, family, guardianship, schooling,
health, categories, carers, every care activity, school events, protection cases and reviews.

ID numbers and phone numbers are masked unless the caller asked to reveal them (and may).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from app.activities import vocab as av
from app.activities.models import CareLog, EventAttendance, ProtectionCase, SchoolEvent
from app.children import vocab as cv
from app.children.models import Child, ChildReview
from app.children.facts import age_band
from app.children.rules import age_on, difficulty_types
from app.children.services import record_of
from app.core import audit
from app.core.dates import today_cn
from app.core.idcard import mask_id_number
from app.core.phone import mask_phone
from app.extensions import db
from app.matching.models import PAIR_STATUSES, Pair
from app.reports.common import Period, cn_date, hours_text

TITLE = "农村留守儿童一人一档"
SECTIONS = (
    ("基本信息", ("name", "sex", "ethnicity", "birth_date", "id_number", "has_hukou", "no_id_reason",
                  "registered_address", "current_address", "township", "village")),
    ("就学与健康", ("schooling", "school_name", "grade", "boarding", "health", "disability", "illness")),
    ("家庭情况", ("father_name", "father_birth_date", "father_id_number", "father_work_place", "father_phone",
                  "mother_name", "mother_birth_date", "mother_id_number", "mother_work_place", "mother_phone",
                  "both_parents_away", "one_parent_away_other_incapable", "income_sources", "assistance")),
    ("监护情况", ("guardian_name", "guardian_relation", "guardian_phone", "guardian_id_number",
                  "guardian_address", "guardianship_type", "village_contact_name", "village_contact_phone")),
)
OUTCOMES = {"confirmed": "核实无变化", "updated": "已更新", "closed": "已结案"}


@dataclass
class Fact:
    label: str
    value: str


@dataclass
class ChildFile:
    child_id: int
    name: str
    region: str
    age: int | None
    age_band: str
    tier: str
    categories: list[str]
    difficulty: list[str]
    status: str
    sections: list[tuple[str, list[Fact]]]
    pairs: list[dict] = field(default_factory=list)
    logs: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    cases: list[dict] = field(default_factory=list)
    reviews: list[dict] = field(default_factory=list)
    revealed: bool = False
    total_minutes: int = 0


def _value(child: Child, name: str, revealed: bool) -> str:
    if name == "village":
        return child.division.name if child.division else ""
    if name == "township":
        return child.division.parent.name if child.division and child.division.parent else ""
    value = getattr(child, name)
    if value is None or value == []:
        return ""
    if name in cv.ID_FIELDS:
        return value if revealed else mask_id_number(value)
    if name in cv.PHONE_FIELDS:
        return value if revealed else mask_phone(value)
    if name in cv.DATE_FIELDS:
        return cn_date(value)
    if isinstance(value, bool):
        return cv.YES_NO[value]
    if name in cv.FIELD_VOCABULARIES:
        vocabulary = cv.FIELD_VOCABULARIES[name]
        return "、".join(vocabulary.label(v) for v in value) if isinstance(value, list) else vocabulary.label(value)
    return str(value)


def build(child: Child, *, revealed: bool = False) -> ChildFile:
    """The plain-data file of ``child`` (the caller has checked scope and the right to reveal)."""
    today = today_cn()
    age = age_on(child.birth_date, today) if child.birth_date else None
    sections = [(title, [Fact(cv.FIELD_LABELS[n], _value(child, n, revealed)) for n in names])
                for title, names in SECTIONS]
    file = ChildFile(
        child_id=child.id, name=child.name, region=child.division.full_name if child.division else "",
        age=age, age_band=cv.AGE_BANDS.get(age_band(age) or "", ""), tier=cv.TIERS.get(child.tier, child.tier),
        categories=[cv.PRIORITY_CATEGORIES[c] for c in (child.categories or []) if c in cv.PRIORITY_CATEGORIES],
        difficulty=[cv.DIFFICULTY_TYPES[c] for c in difficulty_types(record_of(child))],
        status="在册" if child.status == "active" else f"已结案（{child.closed_reason or ''}）",
        sections=sections, revealed=revealed)
    _add_pairs(file, child)
    _add_logs(file, child)
    _add_events(file, child)
    _add_cases(file, child)
    file.reviews = [{"quarter": r.quarter, "outcome": OUTCOMES.get(r.outcome, r.outcome), "note": r.note or "",
                     "at": cn_date(r.reviewed_at)}
                    for r in db.session.scalars(sa.select(ChildReview).where(ChildReview.child_id == child.id)
                                                .order_by(ChildReview.reviewed_at))]
    return file


def _add_pairs(file: ChildFile, child: Child) -> None:
    pairs = db.session.scalars(sa.select(Pair).where(Pair.child_id == child.id).order_by(Pair.created_at)).all()
    file.pairs = [{"volunteer": p.volunteer.name, "kind": p.volunteer.kind_label,
                   "organisation": p.volunteer.organisation.name, "status": PAIR_STATUSES.get(p.status, p.status),
                   "started": cn_date(p.started_at or p.created_at), "ended": cn_date(p.ended_at),
                   "reason": p.end_reason or ""} for p in pairs]


def _add_logs(file: ChildFile, child: Child) -> None:
    logs = db.session.scalars(sa.select(CareLog).where(CareLog.child_id == child.id)
                              .order_by(CareLog.occurred_on, CareLog.id).limit(1000)).all()
    for log in logs:
        detail = [log.content or ""]
        if log.kind == "visit":
            detail += [f"居住条件：{log.living_conditions}" if log.living_conditions else "",
                       f"学习：{log.study}" if log.study else "", f"情绪：{log.emotions}" if log.emotions else "",
                       f"帮助：{log.help_given}" if log.help_given else ""]
        file.logs.append({
            "date": cn_date(log.occurred_on), "kind": av.LOG_KINDS.get(log.kind, log.kind),
            "mode": log.mode_label, "by": log.volunteer.name if log.volunteer else (log.author.display_name if log.author else ""),
            "hours": hours_text(log.duration_minutes), "mood": av.MOODS.get(log.mood or "", ""),
            "content": "；".join(d for d in detail if d), "follow_up": log.follow_up or ""})
        file.total_minutes += log.duration_minutes or 0


def _add_events(file: ChildFile, child: Child) -> None:
    """The school events the child was invited to that were held (their day has come and
    attendance was taken): a planned session is nobody's absence."""
    from app.reports.ledger import held_events

    held = held_events(Period(date(2000, 1, 1), today_cn(), ""))
    rows = db.session.execute(
        sa.select(SchoolEvent, EventAttendance.attended).join(EventAttendance, EventAttendance.event_id == SchoolEvent.id)
        .where(EventAttendance.child_id == child.id, *held).order_by(SchoolEvent.starts_at)).all()
    file.events = [{"date": cn_date(e.starts_at), "title": e.title, "kind": e.kind_label,
                    "organisation": e.organisation.name, "attended": "出席" if attended else "缺席"}
                   for e, attended in rows]


def _add_cases(file: ChildFile, child: Child) -> None:
    cases = db.session.scalars(sa.select(ProtectionCase).where(ProtectionCase.child_id == child.id)
                               .order_by(ProtectionCase.reported_at)).all()
    for case in cases:
        file.cases.append({
            "number": f"#{case.id}", "reported": cn_date(case.reported_at), "status": case.status_label,
            "concerns": "、".join(av.CONCERNS.get(c, c) for c in case.concerns or []),
            "reports": "、".join(f"{av.AGENCIES.get(r.agency, r.agency)} {cn_date(r.reported_at)}" for r in case.reports),
            "steps": [{"date": cn_date(s.on_date), "status": av.CASE_STATUSES.get(s.status, s.status),
                       "person": s.person, "notes": s.notes or ""} for s in case.steps]})


def audit_issue(prepared, row, context, user) -> None:
    """A child's file is an export of that child (and a reveal when full numbers are printed)."""
    audit.record("child.export", prepared.subject, user=user,
                 detail={"report": row.number, "format": row.file_format, "revealed": prepared.request.reveal})
    if prepared.request.reveal:
        audit.record("child.reveal_id", prepared.subject, user=user,
                     detail={"fields": ["id_number", "phones"], "report": row.number})


def audit_download(row) -> None:
    """Downloading a stored child's file again exports the child again."""
    audit.record("child.export", object_type="children", object_id=row.parameters.get("child_id"),
                 detail={"report": row.number, "download": True})
