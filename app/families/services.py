"""Parent contact records, the silence rule, and the family-education reach; flush and audit, never commit."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from app.core import audit
from app.core.dates import CHINA
from app.core.i18n import N_
from app.core.models import Division
from app.extensions import db
from app.families.models import ARRANGERS, CONTACT_KINDS, DEFAULT_CONTACT_DAYS, PARENTS, ContactRule, ParentContact
from app.core.errors import UserError

#: events whose parents and guardians count as reached by family education
FAMILY_EVENT_KINDS = ("family_education", "parents_meeting")
REACH_TARGET = 85  # per cent, seed 002 篇8: "農村留守兒童家長家教知識普及率達85%"
REACH_DAYS = 365


class FamilyError(UserError):
    """Bad input, with a message (Chinese source text) for the form field ``field``."""

    def __init__(self, field: str, message: str):
        super().__init__(message, field=field)


def add_contact(actor, child, occurred_on: date | None, kind: str, parent: str, arranged_by: str,
                note: str = "", days: int | None = None, today: date | None = None) -> ParentContact:
    """Record a contact between ``child`` and their parents.

    :raise FamilyError: a missing or future date, an unknown kind, parent or arranger, a bad length.
    """
    from app.core.dates import today_cn

    today = today or today_cn()
    if occurred_on is None:
        raise FamilyError("occurred_on", N_("请填写日期"))
    if occurred_on > today:
        raise FamilyError("occurred_on", N_("日期不能晚于今天"))
    if occurred_on < today - timedelta(days=366):
        raise FamilyError("occurred_on", N_("只能登记一年以内的联系"))
    if kind not in CONTACT_KINDS:
        raise FamilyError("kind", N_("请选择联系方式"))
    if parent not in PARENTS:
        raise FamilyError("parent", N_("请选择是父亲还是母亲"))
    if arranged_by not in ARRANGERS:
        raise FamilyError("arranged_by", N_("请选择由谁安排"))
    if days is not None and not 1 <= days <= 366:
        raise FamilyError("days", N_("天数应在1到366之间"))
    row = ParentContact(child_id=child.id, occurred_on=occurred_on, kind=kind, parent=parent,
                        arranged_by=arranged_by, note=(note or "").strip()[:255] or None,
                        days=days if kind in ("home_visit", "child_visit") else None, recorded_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    audit.record("family.contact", row, user=actor, detail={"child_id": child.id, "kind": kind})
    return row


def rule_days(path: str) -> int:
    """The silence rule for a division path: the nearest region's rule, else weekly."""
    ids = [int(p) for p in path.strip("/").split("/") if p]
    rules = dict(db.session.execute(sa.select(ContactRule.division_id, ContactRule.every_days)
                                    .where(ContactRule.division_id.in_(ids))).all())
    for division_id in reversed(ids):
        if division_id in rules:
            return rules[division_id]
    return DEFAULT_CONTACT_DAYS


def save_rule(actor, region: Division, every_days: int) -> ContactRule:
    if not 1 <= (every_days or 0) <= 366:
        raise FamilyError("every_days", N_("天数应在1到366之间"))
    rule = db.session.scalar(sa.select(ContactRule).where(ContactRule.division_id == region.id))
    if rule is None:
        rule = ContactRule(division_id=region.id, every_days=every_days, updated_by_id=actor.id)
        db.session.add(rule)
    else:
        rule.every_days, rule.updated_by_id = every_days, actor.id
    db.session.flush()
    audit.record("family.rule", rule, user=actor, detail={"division_id": region.id, "every_days": every_days})
    return rule


@dataclass
class Silent:
    """A child whose parents have gone silent: the last contact (None: never) and the rule in days."""

    child: object
    last: date | None
    rule: int
    days: int | None = None  # days since the last contact


def silent_children(user, today: date, limit: int = 2000) -> list[Silent]:
    """Left-behind children in ``user``'s scope whose parents have not called, video-chatted or
    visited within their region's rule (never, or longer ago), longest silence first."""
    from app.children.models import Child
    from app.children.scope import children_scope

    last = (sa.select(ParentContact.child_id, sa.func.max(ParentContact.occurred_on).label("last"))
            .where(ParentContact.occurred_on <= today).group_by(ParentContact.child_id).subquery())
    rows = db.session.execute(
        sa.select(Child, last.c.last, Division.path).outerjoin(last, last.c.child_id == Child.id)
        .join(Division, Child.division_id == Division.id)
        .where(children_scope(user), Child.status == "active", Child.is_left_behind.is_(True))
        .order_by(last.c.last.is_not(None), last.c.last, Child.name_pinyin).limit(limit)).all()
    rules: dict[str, int] = {}
    out = []
    for child, last_on, path in rows:
        days = rules.setdefault(path, rule_days(path))
        if last_on is None or (today - last_on).days > days:
            out.append(Silent(child, last_on, days, (today - last_on).days if last_on else None))
    return out


@dataclass
class Reach:
    """A village's left-behind children and how many families a family-education event reached."""

    village: Division
    children: int = 0
    reached: int = 0

    @property
    def percent(self) -> float:
        return round(100 * self.reached / self.children, 1) if self.children else 0.0

    @property
    def on_target(self) -> bool:
        return self.children > 0 and self.percent >= REACH_TARGET


def family_education_reach(user, today: date, days: int = REACH_DAYS) -> list[Reach]:
    """家教知识普及率 per village: active left-behind children in scope whose parent or guardian came
    to a held 家庭教育讲座 or 返乡家长会 in the last ``days`` days."""
    from app.activities.models import SchoolEvent
    from app.children.models import Child
    from app.children.scope import children_scope
    from app.homes.models import EventGuest

    since = datetime.combine(today - timedelta(days=days), time(0), CHINA)
    until = datetime.combine(today, time(23, 59, 59), CHINA)
    reached = (sa.select(EventGuest.child_id).join(SchoolEvent, EventGuest.event_id == SchoolEvent.id)
               .where(SchoolEvent.kind.in_(FAMILY_EVENT_KINDS), SchoolEvent.starts_at >= since,
                      SchoolEvent.starts_at <= until, EventGuest.child_id.is_not(None)))
    rows = db.session.execute(
        sa.select(Child.division_id, sa.func.count(), sa.func.count().filter(Child.id.in_(reached)))
        .where(children_scope(user), Child.status == "active", Child.is_left_behind.is_(True))
        .group_by(Child.division_id)).all()
    villages = {d.id: d for d in db.session.scalars(sa.select(Division).where(Division.id.in_([r[0] for r in rows])))}
    out = [Reach(villages[v], n, k) for v, n, k in rows]
    return sorted(out, key=lambda r: (r.percent, r.village.code))
