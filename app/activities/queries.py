"""Read side of care activities, always inside the user's scope.

:func:`pair_statuses` is the set-based query behind the coordinator and director views: one
query for the pairs in scope, one for the latest log of each kind of each pair, then the
cadence engine in Python (no query per pair). ``bench/activities`` measures it on 10,000 pairs.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from app.activities.cadence import DueItem, due_items, worst
from app.activities.models import CareLog
from app.activities.services import RuleBook
from app.core.dates import CHINA
from app.children.scope import children_scope
from app.extensions import db
from app.activities.events import events_scope
from app.activities.models import SchoolEvent
from app.children.models import Child
from app.core.models import Division
from app.matching.models import Pair
from app.volunteers.models import Volunteer

NO_CONTACT_DAYS = 30
PRIORITY_TIERS = ("urgent", "key")


def paired_on(started_at: datetime | None, created_at: datetime | None) -> date:
    """The pairing day in China."""
    moment = started_at or created_at
    return moment.astimezone(CHINA).date()


@dataclass
class PairStatus:
    """A pair and its due items on a day (one row of the coordinator's lists)."""

    pair_id: int
    child_id: int
    child_name: str
    tier: str
    village_id: int
    volunteer_id: int
    volunteer_name: str
    volunteer_kind: str
    items: list[DueItem] = field(default_factory=list)

    @property
    def overdue(self) -> list[DueItem]:
        return [i for i in self.items if i.status == "overdue"]


def _pair_rows(user, extra=()):
    return db.session.execute(
        sa.select(Pair.id, Pair.started_at, Pair.created_at, Child.id, Child.name, Child.tier, Child.birth_date,
                  Child.division_id, Division.path, Volunteer.id, Volunteer.name, Volunteer.kind)
        .join(Child, Pair.child_id == Child.id).join(Volunteer, Pair.volunteer_id == Volunteer.id)
        .join(Division, Child.division_id == Division.id)
        .where(Pair.status == "active", Child.status == "active", children_scope(user), *extra)).all()


def latest_logs(pair_ids_select, today: date) -> dict[int, list[tuple[str, date]]]:
    """pair id → [(kind, latest date)] in one grouped query."""
    rows = db.session.execute(
        sa.select(CareLog.pair_id, CareLog.kind, sa.func.max(CareLog.occurred_on))
        .where(CareLog.pair_id.in_(pair_ids_select), CareLog.occurred_on <= today)
        .group_by(CareLog.pair_id, CareLog.kind)).all()
    logs: dict[int, list[tuple[str, date]]] = defaultdict(list)
    for pair_id, kind, day in rows:
        logs[pair_id].append((kind, day))
    return logs


def pair_statuses(user, today: date, extra=()) -> list[PairStatus]:
    """Every active pair in ``user``'s scope with its due items, holiday reminders left out
    (three queries in all: pairs, latest logs, regional rules), in no particular order."""

    rows = _pair_rows(user, extra)
    scoped_ids = (sa.select(Pair.id).join(Child, Pair.child_id == Child.id)
                  .where(Pair.status == "active", Child.status == "active", children_scope(user), *extra))
    logs = latest_logs(scoped_ids, today)
    book = RuleBook()
    out = []
    for (pair_id, started, created, child_id, name, tier, birth, village_id, path,
         volunteer_id, volunteer_name, kind) in rows:
        items = due_items(book.for_path(path), kind, paired_on(started, created), tier in PRIORITY_TIERS,
                          logs.get(pair_id, ()), today, birth, holidays=False)
        out.append(PairStatus(pair_id, child_id, name, tier, village_id, volunteer_id, volunteer_name, kind, items))
    return out


@dataclass
class Card:
    """A child on the volunteer's 今日待办 page."""

    child: object
    pair: object
    items: list[DueItem]

    @property
    def top(self) -> DueItem | None:
        return worst(self.items)

    def sort_key(self) -> tuple:
        top = self.top
        return top.sort_key() if top else (9, 0, date.max)


def volunteer_cards(user, today: date) -> list[Card]:
    """The volunteer's paired children, most urgent first."""

    pairs = db.session.scalars(
        sa.select(Pair).join(Volunteer, Pair.volunteer_id == Volunteer.id).join(Child, Pair.child_id == Child.id)
        .where(Volunteer.user_id == user.id, Pair.status == "active", Child.status == "active")).all()
    rows = db.session.execute(
        sa.select(CareLog.pair_id, CareLog.kind, CareLog.occurred_on)
        .where(CareLog.pair_id.in_([p.id for p in pairs]), CareLog.occurred_on <= today)).all()
    logs: dict[int, list[tuple[str, date]]] = defaultdict(list)
    for pair_id, kind, day in rows:
        logs[pair_id].append((kind, day))
    book = RuleBook()
    cards = []
    for pair in pairs:
        child = pair.child
        items = due_items(book.for_path(child.division.path), pair.volunteer.kind,
                          paired_on(pair.started_at, pair.created_at), child.tier in PRIORITY_TIERS,
                          logs.get(pair.id, ()), today, child.birth_date)
        cards.append(Card(child, pair, items))
    return sorted(cards, key=Card.sort_key)


def _last_contact():
    return (sa.select(CareLog.child_id, sa.func.max(CareLog.occurred_on).label("last"))
            .where(CareLog.kind.in_(("talk", "visit"))).group_by(CareLog.child_id).subquery())


def no_contact_query(user, today: date, days: int = NO_CONTACT_DAYS) -> sa.Select:
    """Priority children in scope with no talk or visit (by anyone) in the last ``days`` days."""

    last = _last_contact()
    return (sa.select(Child).outerjoin(last, last.c.child_id == Child.id)
            .where(children_scope(user), Child.status == "active", Child.tier.in_(PRIORITY_TIERS),
                   sa.or_(last.c.last.is_(None), last.c.last < today - timedelta(days=days)))
            .order_by(last.c.last.is_not(None), last.c.last, Child.name_pinyin))


def last_contacts(child_ids) -> dict[int, date]:
    """child id → date of the latest talk or visit, for the given children."""
    return dict(db.session.execute(
        sa.select(CareLog.child_id, sa.func.max(CareLog.occurred_on))
        .where(CareLog.child_id.in_(list(child_ids)), CareLog.kind.in_(("talk", "visit")))
        .group_by(CareLog.child_id)).all())


def no_carer_query(user) -> sa.Select:
    """Active children in scope with no active pair (no carer)."""

    paired = sa.select(Pair.id).where(Pair.child_id == Child.id, Pair.status == "active")
    return (sa.select(Child).where(children_scope(user), Child.status == "active", ~paired.exists())
            .order_by(sa.case((Child.tier == "urgent", 0), (Child.tier == "key", 1), else_=2),
                      Child.division_id, Child.name_pinyin))


def count_of(stmt: sa.Select) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())) or 0


def upcoming_events(user, day: date, limit: int = 5) -> list:
    """The next school events ``user`` is invited to (or manages), from the start of ``day``."""

    start = datetime.combine(day, time(0), CHINA)
    return db.session.scalars(sa.select(SchoolEvent).where(events_scope(user), SchoolEvent.starts_at >= start)
                              .order_by(SchoolEvent.starts_at).limit(limit)).all()


def child_logs(child_id: int, limit: int = 200) -> list[CareLog]:
    """A child's care logs, newest first."""
    return db.session.scalars(sa.select(CareLog).where(CareLog.child_id == child_id)
                              .order_by(CareLog.occurred_on.desc(), CareLog.id.desc()).limit(limit)).all()


@dataclass
class Group:
    """A township, village or volunteer with its pair counts (a row of the overview)."""

    id: int
    name: str
    pairs: int = 0
    overdue_pairs: int = 0
    overdue_items: int = 0


def summarise(statuses: list[PairStatus]) -> dict[str, list[Group]]:
    """Pair and overdue counts by township, village and volunteer (worst first)."""

    village_ids = {s.village_id for s in statuses}
    villages = {d.id: d for d in db.session.scalars(sa.select(Division).where(Division.id.in_(village_ids)))}
    parent_ids = {d.parent_id for d in villages.values() if d.parent_id}
    townships = {d.id: d for d in db.session.scalars(sa.select(Division).where(Division.id.in_(parent_ids)))}
    groups: dict[str, dict[int, Group]] = {"township": {}, "village": {}, "volunteer": {}}
    for s in statuses:
        village = villages[s.village_id]
        township = townships.get(village.parent_id, village)
        keys = (("township", township.id, township.name), ("village", village.id, f"{township.name}{village.name}"
                if township is not village else village.name), ("volunteer", s.volunteer_id, s.volunteer_name))
        for level, key, name in keys:
            group = groups[level].setdefault(key, Group(key, name))
            group.pairs += 1
            if s.overdue:
                group.overdue_pairs += 1
                group.overdue_items += len(s.overdue)
    return {level: sorted(found.values(), key=lambda g: (-g.overdue_pairs, -g.pairs, g.name))
            for level, found in groups.items()}
