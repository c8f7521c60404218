"""Demo duties: the director checks most of the village's priority children weekly (a few are
late), holds 包组 for one village group, the school's teacher holds two 联系户 households, the
supervisor has sampled some of the township this month. Deterministic."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import sqlalchemy as sa

from app.auth.models import User
from app.children.models import Child, Household
from app.extensions import db
from app.rounds.models import Assignment, RoundCheck
from app.rounds.queries import PRIORITY, _subtree


def _user(username: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.username == username))


def seed_rounds(today: date) -> int:
    director, school, supervisor, coordinator = (_user(n) for n in ("director", "school", "supervisor", "coordinator"))
    if None in (director, school, supervisor, coordinator):
        return 0
    began = datetime.combine(today - timedelta(days=150), time(9), timezone.utc)
    for u in (director, school, supervisor):
        u.created_at = min(u.created_at, began)  # the demo's people have held their roles for months
    rows: list = []
    priority = db.session.scalars(sa.select(Child).where(Child.status == "active", PRIORITY,
                                                         Child.division_id == director.division_id)
                                  .order_by(Child.id)).all()
    for n, child in enumerate(priority):
        late = 2 + n % 3 if n % 5 == 4 else 0  # every fifth child: last checked 2–4 weeks ago
        for week in range(late, 6):
            rows.append(RoundCheck(child_id=child.id, user_id=director.id, duty="cadre",
                                   checked_on=today - timedelta(days=7 * week + n % 3),
                                   method=("home_visit", "phone")[week % 2], finding="ok"))
    group = db.session.scalar(sa.select(Child.village_group).where(
        Child.division_id == director.division_id, Child.village_group.is_not(None)).order_by(Child.id))
    if group:
        rows.append(Assignment(user_id=director.id, kind="group", division_id=director.division_id,
                               village_group=group, started_on=today - timedelta(days=90),
                               created_by_id=coordinator.id))
    houses = db.session.scalars(sa.select(Household).where(Household.division_id == director.division_id)
                                .order_by(Household.id).limit(2)).all()
    rows += [Assignment(user_id=school.id, kind="household", division_id=h.division_id, household_id=h.id,
                        started_on=today - timedelta(days=60), created_by_id=coordinator.id) for h in houses]
    for n, h in enumerate(houses):  # the teacher phones the first household's children every few weeks
        for child in (h.children if n == 0 else []):
            rows += [RoundCheck(child_id=child.id, user_id=school.id, duty="contact", method="phone", finding="ok",
                                checked_on=today - timedelta(days=days)) for days in (3, 31, 58)]
    township = db.session.scalars(sa.select(Child).where(Child.status == "active", PRIORITY,
                                                         Child.division_id.in_(_subtree(supervisor.division)))
                                  .order_by(Child.id).limit(8)).all()
    last_month = today.replace(day=1) - timedelta(days=1)
    rows += [RoundCheck(child_id=c.id, user_id=supervisor.id, duty="sample", checked_on=last_month - timedelta(days=n),
                        method="records", finding="ok") for n, c in enumerate(township[3:])]  # last month: 5
    rows += [RoundCheck(child_id=c.id, user_id=supervisor.id, duty="sample",
                        checked_on=max(today - timedelta(days=n), today.replace(day=1)), method="records",
                        finding="concern" if n == 2 else "ok", note="监护人年迈，建议增加走访" if n == 2 else None)
             for n, c in enumerate(township[:3])]  # this month: 3 so far
    db.session.add_all(rows)
    db.session.flush()
    return len(rows)

