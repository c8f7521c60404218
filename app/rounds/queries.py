"""Read side: each person's duties with their state today, and compliance per person.

A per-child duty is personal: it is fulfilled by the person's own checks (a :class:`RoundCheck`)
or by a talk or home visit they logged themselves for the child. It begins when both the child
was registered and the person's account existed (nobody is overdue for a time before they held
the role), and for an assignment not before the assignment started.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from app.activities.cadence import DueItem
from app.children.models import Child
from app.core.dates import CHINA
from app.core.models import Division
from app.extensions import db
from app.rounds import rules, vocab
from app.rounds.models import Assignment, RoundCheck, RoundRule

PRIORITY = sa.or_(Child.tier.in_(("urgent", "key")), Child.is_in_difficulty.is_(True))


@dataclass
class ChildDuty:
    duty: str
    child_id: int
    child_name: str
    village: str
    tier: str
    item: DueItem
    via: str = ""  # the assignment(s) it comes from


@dataclass
class Duties:
    """Everything one person must do now."""

    user_id: int
    name: str
    role: str
    children: list[ChildDuty] = field(default_factory=list)
    sample: rules.SampleState | None = None
    sample_every: str = ""
    suggestions: list[Child] = field(default_factory=list)  # children to sample next

    def count(self, status: str) -> int:
        n = sum(1 for d in self.children if d.item.status == status)
        return n + (1 if self.sample is not None and self.sample.status == status else 0)

    @property
    def items(self) -> int:
        return len(self.children) + (1 if self.sample is not None else 0)

    @property
    def compliance(self) -> float | None:
        """Share of the person's items not overdue today, in percent."""
        return round(100 * (self.items - self.count("overdue")) / self.items, 1) if self.items else None


def rule_for(division: Division | None, duty: str) -> tuple[str, int]:
    """(every, sample size) for ``duty`` in ``division``: the deepest region's rule, else the default."""
    if division is not None:
        chain = [int(x) for x in division.path.strip("/").split("/") if x]
        found = db.session.execute(
            sa.select(RoundRule, Division.path).join(Division, RoundRule.division_id == Division.id)
            .where(RoundRule.division_id.in_(chain), RoundRule.duty == duty)).all()
        if found:
            rule = max(found, key=lambda r: len(r[1]))[0]
            return rule.every, rule.sample_size
    return vocab.DEFAULT_EVERY[duty], vocab.DEFAULT_SAMPLE


def _subtree(division: Division | None):
    if division is None:
        return sa.select(Division.id).where(sa.false())
    return division.subtree_ids()


def assignment_clause(a: Assignment):
    """Clause on :class:`Child` rows an assignment covers."""
    if a.kind == "household":
        return Child.household_id == a.household_id
    if a.kind == "group":
        return sa.and_(Child.division_id == a.division_id, Child.village_group == a.village_group)
    return Child.division_id.in_(_subtree(a.division))


def active_assignments(user_id: int, today: date) -> list[Assignment]:
    return db.session.scalars(sa.select(Assignment).where(
        Assignment.user_id == user_id, Assignment.started_on <= today,
        sa.or_(Assignment.ended_on.is_(None), Assignment.ended_on > today)).order_by(Assignment.id)).all()


def covered_clause(user, today: date):
    """Clause on :class:`Child` rows the user's active assignments cover (a school's staff member
    holding 联系户 checks children who are not their pupils)."""
    clauses = [assignment_clause(a) for a in active_assignments(user.id, today)]
    return sa.or_(*clauses) if clauses else sa.false()


def _own_checks(user_id: int, child_ids: list[int], today: date) -> dict[int, list[date]]:
    """child id → days of the person's own checks and of the talks and visits they logged."""
    from app.activities.models import CareLog

    out: dict[int, list[date]] = defaultdict(list)
    if not child_ids:
        return out
    for child_id, day in db.session.execute(sa.select(RoundCheck.child_id, RoundCheck.checked_on).where(
            RoundCheck.user_id == user_id, RoundCheck.child_id.in_(child_ids), RoundCheck.checked_on <= today)):
        out[child_id].append(day)
    for child_id, day in db.session.execute(sa.select(CareLog.child_id, CareLog.occurred_on).where(
            CareLog.author_id == user_id, CareLog.child_id.in_(child_ids), CareLog.kind.in_(("talk", "visit")),
            CareLog.occurred_on <= today)):
        out[child_id].append(day)
    return out


def _started(user) -> date:
    return user.created_at.astimezone(CHINA).date()


def _since(child: Child, floor: date) -> date:
    return max(child.registered_on or floor, floor)


def _village_names(children) -> dict[int, str]:
    ids = {c.division_id for c in children}
    return dict(db.session.execute(sa.select(Division.id, Division.name).where(Division.id.in_(ids))).all())


def duties_of(user, today: date) -> Duties:
    """The person's duties: by role (cadre, supervisor) and by their active assignments."""
    out = Duties(user.id, user.display_name, user.role)
    per_child: list[tuple[str, Child, date, str, str]] = []  # duty, child, since, every, via
    if user.role in vocab.DUTY_ROLES["cadre"]:
        every, _n = rule_for(user.division, "cadre")
        for child in db.session.scalars(sa.select(Child).where(
                Child.status == "active", PRIORITY, Child.division_id.in_(_subtree(user.division)))):
            per_child.append(("cadre", child, _since(child, _started(user)), every, ""))
    seen: dict[int, int] = {}
    for a in active_assignments(user.id, today):
        every, _n = rule_for(a.division, "contact")
        for child in db.session.scalars(sa.select(Child).where(Child.status == "active", assignment_clause(a))):
            since = _since(child, max(a.started_on, _started(user)))
            label = f"{a.kind_label}·{a.target_label}"
            if child.id in seen:  # one item per child: the earliest start, every assignment named
                i = seen[child.id]
                duty, c, s, e, via = per_child[i]
                per_child[i] = (duty, c, min(s, since), e, f"{via}、{label}" if label not in via else via)
                continue
            seen[child.id] = len(per_child)
            per_child.append(("contact", child, since, every, label))
    checks = _own_checks(user.id, [c.id for _d, c, *_r in per_child], today)
    villages = _village_names([c for _d, c, *_r in per_child])
    for duty, child, since, every, via in per_child:
        item = rules.child_item(every, since, checks.get(child.id, []), today)
        out.children.append(ChildDuty(duty, child.id, child.name, villages.get(child.division_id, ""), child.tier,
                                      item, via))
    out.children.sort(key=lambda d: (d.item.sort_key(), d.child_name))
    if user.role in vocab.DUTY_ROLES["sample"]:
        _sample(user, today, out)
    return out


def _sample(user, today: date, out: Duties) -> None:
    every, size = rule_for(user.division, "sample")
    pool = sa.select(Child.id).where(Child.status == "active", PRIORITY, Child.division_id.in_(_subtree(user.division)))
    pool_size = db.session.scalar(sa.select(sa.func.count()).select_from(pool.subquery())) or 0
    checks = db.session.execute(sa.select(RoundCheck.child_id, RoundCheck.checked_on).where(
        RoundCheck.user_id == user.id, RoundCheck.duty == "sample", RoundCheck.child_id.in_(pool))).all()
    out.sample = rules.sample_item(every, size, pool_size, _started(user), [(c, d) for c, d in checks], today)
    out.sample_every = every
    # the next children to look at: never checked by anyone first, then the longest since a check
    last = sa.select(sa.func.max(RoundCheck.checked_on)).where(RoundCheck.child_id == Child.id).scalar_subquery()
    done_now = {c for c, d in checks if d >= rules.period_of(every, today).start}
    rows = db.session.scalars(sa.select(Child).where(Child.id.in_(pool)).order_by(
        last.is_not(None), last, Child.id).limit(20 + len(done_now))).all()
    out.suggestions = [c for c in rows if c.id not in done_now][:20]


def people_with_duties(viewer) -> list:
    """The people in ``viewer``'s scope who carry duties: cadres and supervisors of its divisions,
    and everyone holding an assignment there."""
    from app.auth.models import User
    from app.core.permissions import divisions_scope

    region = sa.select(Division.id).where(divisions_scope(viewer))
    by_role = sa.select(User.id).where(User.active.is_(True), User.division_id.in_(region),
                                       User.role.in_(vocab.DUTY_ROLES["cadre"] + vocab.DUTY_ROLES["sample"]))
    assigned = sa.select(Assignment.user_id).where(Assignment.division_id.in_(region), Assignment.ended_on.is_(None))
    return db.session.scalars(sa.select(User).where(sa.or_(User.id.in_(by_role), User.id.in_(assigned)))
                              .order_by(User.role, User.display_name)).all()


@dataclass
class ComplianceRow:
    duties: Duties
    checks_30d: int


def compliance(viewer, today: date) -> tuple[list[ComplianceRow], dict[str, int]]:
    """Per person: items, done, overdue and checks in the last 30 days; totals are the sums of the rows."""
    from datetime import timedelta

    rows = []
    for person in people_with_duties(viewer):
        recent = db.session.scalar(sa.select(sa.func.count()).select_from(RoundCheck).where(
            RoundCheck.user_id == person.id, RoundCheck.checked_on > today - timedelta(days=30),
            RoundCheck.checked_on <= today)) or 0
        rows.append(ComplianceRow(duties_of(person, today), recent))
    total = {"items": sum(r.duties.items for r in rows), "done": sum(r.duties.count("done") for r in rows),
             "overdue": sum(r.duties.count("overdue") for r in rows), "checks": sum(r.checks_30d for r in rows)}
    return rows, total
