"""花名册: the numbered roster of the children of a county, township or village on a day (the
period's last day, today while it runs), every village listed — those with no children too
(村不漏组) — with each child's category, guardian and carer. No ID or phone numbers: the roster
is for counting and checking, the files hold the details.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from types import SimpleNamespace

import sqlalchemy as sa

from app.children import vocab as cv
from app.children.models import Child
from app.children.rules import age_on
from app.extensions import db
from app.matching.models import Pair
from app.reports.common import Checks, Period, cn_date
from app.reports.history import categories_on
from app.reports.roster_stats import as_of_day, on_roster
from app.reports.scope import Region, places, subtree_ids, villages
from app.volunteers.models import Volunteer

TITLE = "农村留守儿童和困境儿童花名册"
COLUMNS = ("序号", "姓名", "性别", "年龄", "类别", "重点对象类别", "监护人（关系）", "关爱人", "登记日期")


@dataclass
class RosterVillage:
    label: str
    rows: list[list[object]]


@dataclass
class Roster:
    region: str
    period: str
    as_of: str
    villages: list[RosterVillage]
    total: int = 0
    child_ids: list[int] = field(default_factory=list)
    checks: Checks = field(default_factory=Checks)


def _category(both: bool, one: bool, orphan: bool, tagged: bool) -> str:
    kinds = []
    if both or one:
        kinds.append("留守儿童")
    if orphan:
        kinds.append("孤儿")
    if tagged or (orphan and not kinds):
        kinds.append("困境儿童")
    return "、".join(dict.fromkeys(kinds)) or "—"


def _as_of(row, facts: dict | None):
    """``row`` with the category facts of the roster's day, when they changed since."""
    if not facts:
        return row
    values = row._asdict()
    values.update(both_parents_away=facts["both_parents_away"], is_orphan=facts["is_orphan"],
                  one_parent_away_other_incapable=facts["one_parent_away_other_incapable"],
                  categories=facts["categories"], is_in_difficulty=facts["is_in_difficulty"])
    return SimpleNamespace(**values)


def build(region: Region, period: Period) -> Roster:
    day = as_of_day(period)
    _, end_utc = Period(period.start, day, "").utc_bounds()
    registered = sa.or_(Child.registered_on <= day, sa.and_(Child.registered_on.is_(None), Child.created_at < end_utc))
    rows = on_roster(db.session.execute(
        sa.select(Child.id, Child.status, Child.closed_at, Child.division_id, Child.name, Child.sex, Child.birth_date,
                  Child.both_parents_away, Child.one_parent_away_other_incapable, Child.is_orphan, Child.categories,
                  Child.guardian_name, Child.guardian_relation, Child.registered_on, Child.is_in_difficulty)
        .where(registered, Child.division_id.in_(subtree_ids(region)))
        .order_by(Child.division_id, Child.name_pinyin, Child.id)).all(), day)
    ids = sa.select(Child.id).where(registered, Child.division_id.in_(subtree_ids(region)))
    carers = dict(db.session.execute(
        sa.select(Pair.child_id, Volunteer.name).join(Volunteer, Volunteer.id == Pair.volunteer_id)
        .where(Pair.child_id.in_(ids), Pair.status != "proposed",
               sa.func.coalesce(Pair.started_at, Pair.created_at) < end_utc,
               sa.or_(Pair.ended_at.is_(None), Pair.ended_at >= end_utc))).all())
    by_village: dict[int, list] = {}
    for r in rows:
        by_village.setdefault(r.division_id, []).append(r)
    listed = villages(region)
    labels = {p.id: p.label for p in places(region).values()}
    order = [(v.id, v.label) for v in listed] + [(d, labels.get(d, "")) for d in by_village if d not in
                                                  {v.id for v in listed}]
    past = categories_on(day, [r.id for r in rows])
    number = 0
    out = []
    for division_id, label in order:
        table = []
        for row in by_village.get(division_id, []):
            r = _as_of(row, past.get(row.id))
            number += 1
            table.append([number, r.name, "男" if r.sex == "male" else "女",
                          age_on(r.birth_date, period.end) if r.birth_date else "",
                          _category(r.both_parents_away, r.one_parent_away_other_incapable, r.is_orphan,
                                    bool(r.is_in_difficulty)),
                          "、".join(cv.PRIORITY_CATEGORIES.get(c, c) for c in r.categories or []),
                          f"{r.guardian_name or ''}（{r.guardian_relation}）" if r.guardian_relation else (
                              r.guardian_name or ""),
                          carers.get(r.id, "未落实"), cn_date(r.registered_on) if r.registered_on else ""])
        out.append(RosterVillage(label, table))
    roster = Roster(region.name, period.label, cn_date(day), out, number, [r.id for r in rows])
    roster.checks.add("花名册：各村人数之和 = 合计", number, sum(len(v.rows) for v in out))
    roster.checks.add("花名册：序号连续", number, len({row[0] for v in out for row in v.rows}))
    return roster
