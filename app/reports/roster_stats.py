"""Quarterly roster statistics (花名册季度统计) in the official age bands, per township or
village of the region, with the cross-sum checks: 男 + 女 = 总数, the three age bands add up to
the total, and every column of the total row is the sum of the rows above it.

A child is on the quarter's roster when registered by the quarter's last day and not closed
before it; ages are taken on that day.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from app.children.models import Child, ChildReview
from app.children.facts import age_band, in_registry_age, left_behind_on
from app.children.rules import age_on
from app.extensions import db
from app.matching.models import Pair
from app.reports.common import Checks, Period
from app.reports.scope import Region, places, subtree_ids, villages

TITLE = "农村留守儿童花名册季度统计表"
#: (key, header) in the official column order
COLUMNS = (
    ("total", "儿童总数"), ("male", "男"), ("female", "女"),
    ("left_behind", "留守儿童"), ("difficulty", "困境儿童"), ("both", "留守且困境"), ("households", "户数"),
    ("0-5", "0-5岁"), ("6-13", "6-13岁"), ("14-16", "14-16岁"), ("16-17", "16-17岁"), ("18+", "18岁以上在读孤儿"),
    ("both_away", "父母双方外出"), ("one_incapable", "一方外出另一方无监护能力"),
    ("orphan", "孤儿"),
    ("no_guardian", "无人监护"), ("dropout", "失学辍学"), ("no_hukou", "无户籍"), ("ill", "患病"),
    ("disabled", "残疾"), ("effective", "有效监护"), ("with_carer", "有结对关爱人"), ("reviewed", "本季度已核实"),
)
KEYS = tuple(k for k, _ in COLUMNS)
BANDS = ("0-5", "6-13", "14-16", "16-17", "18+")


@dataclass
class RosterChild:
    """The facts of one child the statistics count (also used by the assessment summary)."""

    id: int
    division_id: int
    sex: str
    age: int | None
    band: str | None
    both_away: bool
    one_incapable: bool
    orphan: bool
    difficulty: bool
    categories: list[str]
    tier: str
    with_carer: bool
    reviewed: bool
    #: a capable guardian recorded (有效监护); a volunteer pair is care, not guardianship
    effective: bool = False
    left_behind: bool = False  # on the period's last day: under 16, parents away half a year
    household: int | None = None  # household id; a child without one is a household alone


@dataclass
class RosterStats:
    region: str
    period: str
    group_label: str
    rows: list[dict]  # {"name": ..., key: count ...}
    total: dict
    checks: Checks = field(default_factory=Checks)


def as_of_day(period: Period) -> date:
    """The day a period's figures describe: its last day, or today while it is not over."""
    from app.core.dates import today_cn

    return min(period.end, today_cn())


def on_roster(rows, day: date) -> list:
    """The children of ``rows`` (id, status, closed_at first) on the roster on ``day``: by their
    dated status history; a child with no dated change is judged by its closing date."""
    from app.reports.history import status_on
    from app.reports.models import ChildStatusEvent

    statuses, dated = status_on(day, {r[0]: r[1] for r in rows}, ChildStatusEvent)
    out = []
    for r in rows:
        status, closed_at = statuses[r[0]], r[2]
        if status == "active" or (r[0] not in dated and closed_at is not None and closed_at > day):
            out.append(r)
    return out


def roster_children(region: Region, period: Period) -> list[RosterChild]:
    """Every child on ``region``'s roster on the period's last day (today while it runs):
    registered by then (登记日期) and not closed then, whatever happened since."""
    end = period.end
    day = as_of_day(period)
    _, end_utc = Period(period.start, day, "").utc_bounds()
    registered = sa.or_(Child.registered_on <= day, sa.and_(Child.registered_on.is_(None), Child.created_at < end_utc))
    scope = Child.school_id == region.id if region.is_school else Child.division_id.in_(subtree_ids(region))
    rows = on_roster(db.session.execute(
        sa.select(Child.id, Child.status, Child.closed_at, Child.division_id, Child.sex, Child.birth_date,
                  Child.both_parents_away, Child.one_parent_away_other_incapable, Child.is_orphan, Child.categories,
                  Child.tier, Child.is_in_difficulty, Child.rural_hukou, Child.parents_away_since, Child.schooling,
                  Child.household_id).where(registered, scope).order_by(Child.id)).all(), day)
    rows = [r[:1] + r[3:] for r in rows]
    ids = sa.select(Child.id).where(registered, scope)  # a superset: the sets below are looked up by id

    def id_filter(column):
        return column.in_(ids)

    carers = set(db.session.scalars(sa.select(Pair.child_id).where(
        id_filter(Pair.child_id), Pair.status != "proposed",
        sa.func.coalesce(Pair.started_at, Pair.created_at) < end_utc,
        sa.or_(Pair.ended_at.is_(None), Pair.ended_at >= end_utc))))
    quarter = f"{end.year}-Q{(end.month - 1) // 3 + 1}"
    reviewed = set(db.session.scalars(sa.select(ChildReview.child_id).where(
        id_filter(ChildReview.child_id), ChildReview.quarter == quarter)))
    effective = effective_ids(id_filter, end)
    out = []
    for (cid, division_id, sex, birth, both, one, orphan, categories, tier, difficult, rural, since, schooling,
         household) in rows:
        age = age_on(birth, end) if birth else None
        # the categories as of the period's last day: 16 ends the left-behind status, 18 the 困境
        facts = {"both_parents_away": both, "one_parent_away_other_incapable": one, "rural_hukou": rural,
                 "parents_away_since": since, "is_orphan": orphan, "schooling": schooling}
        out.append(RosterChild(cid, division_id, sex, age, age_band(age), bool(both), bool(one), bool(orphan),
                               bool(difficult) and in_registry_age(facts, age), list(categories or []), tier,
                               cid in carers, cid in reviewed, cid in effective, left_behind_on(facts, age, end),
                               household))
    return out


def effective_ids(id_filter, end: date) -> set[int]:
    """The children with a capable guardian on ``end``: recorded now, less those whose gap was
    closed only after ``end`` (they were still without one then)."""
    from app.protection.models import DutyItem
    from app.protection.services import effective_guardianship_clause

    now = set(db.session.scalars(sa.select(Child.id).where(id_filter(Child.id), effective_guardianship_clause())))
    later = set(db.session.scalars(sa.select(DutyItem.child_id).where(
        id_filter(DutyItem.child_id), DutyItem.kind == "gap", DutyItem.outcome_on > end)))
    return now - later


def count(children: list[RosterChild]) -> dict:
    """The statistics columns for a group of children."""
    c = dict.fromkeys(KEYS, 0)
    c["households"] = len({("h", ch.household) if ch.household else ("c", ch.id) for ch in children})
    for ch in children:
        c["total"] += 1
        c["male" if ch.sex == "male" else "female"] += 1
        if ch.band:
            c[ch.band] += 1
        c["left_behind"] += ch.left_behind
        c["both"] += ch.left_behind and ch.difficulty
        c["both_away"] += ch.both_away
        c["one_incapable"] += ch.one_incapable
        c["orphan"] += ch.orphan
        c["difficulty"] += ch.difficulty
        for cat in ("no_guardian", "dropout", "no_hukou", "ill", "disabled"):
            c[cat] += cat in ch.categories
        c["effective"] += ch.effective
        c["with_carer"] += ch.with_carer
        c["reviewed"] += ch.reviewed
    return c


def build(region: Region, period: Period) -> RosterStats:
    """One row per village of the region — every village, those with no children too (村不漏组),
    printed with its township when the region holds several — and the total."""
    children = roster_children(region, period)
    by_village: dict[int, list[RosterChild]] = {}
    for ch in children:
        by_village.setdefault(ch.division_id, []).append(ch)
    listed = villages(region)
    known = {v.id for v in listed}
    labels = {p.id: p.label for p in places(region).values()}
    rows = [{"name": v.label, "township": v.township, **count(by_village.get(v.id, []))} for v in listed]
    # children filed directly under a township (no village) still count, on a row of their own
    for division_id in sorted(set(by_village) - known, key=lambda d: labels.get(d, "")):
        rows.append({"name": labels.get(division_id, ""), "township": "", **count(by_village[division_id])})
    stats = RosterStats(region.name, period.label, "村(社区)", rows, {"name": "合计", **count(children)})
    check(stats)
    return stats


def check(stats: RosterStats) -> Checks:
    """Row and column cross-sums (a stale record, e.g. a child over 16, shows up here)."""
    checks = Checks()
    for row in stats.rows + [stats.total]:
        checks.add(f"{row['name']}：男 + 女 = 总数", row["total"], row["male"] + row["female"])
        checks.add(f"{row['name']}：各年龄段之和 = 总数", row["total"], sum(row[b] for b in BANDS))
    for key, header in COLUMNS:
        checks.add(f"合计行「{header}」= 各行之和", stats.total[key], sum(r[key] for r in stats.rows))
    stats.checks = checks
    return checks


def table_rows(stats: RosterStats):
    for i, row in enumerate(stats.rows, start=1):
        yield [i, row["name"]] + [row[k] for k in KEYS]
    yield ["", "合计"] + [stats.total[k] for k in KEYS]


def quarter_end(period: Period) -> date:
    return period.end
