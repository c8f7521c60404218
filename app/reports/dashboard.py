"""Dashboards for coordinators and auditors: coverage and overdue care, over time and by
township, as SVG charts whose every bar and point links to the list behind it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from app.activities.models import CareLog
from app.activities.queries import pair_statuses
from app.children.models import Child
from app.core.dates import CHINA, today_cn
from app.core.models import Division
from app.extensions import db
from app.matching.models import Pair
from app.reports import charts
from app.reports.common import pct
from app.reports.scope import Region, subtree_ids

MONTHS = 6


@dataclass
class ChildRow:
    id: int
    division_id: int
    created: date
    status: str
    closed: date | None


def _month_ends(today: date, n: int = MONTHS) -> list[date]:
    """The last day of each of the ``n`` months up to this one (this month: today)."""
    ends, first = [], today.replace(day=1)
    for _ in range(n):
        ends.append(min(today, (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)))
        first = (first - timedelta(days=1)).replace(day=1)
    return list(reversed(ends))


def _children(region: Region) -> list[ChildRow]:
    rows = db.session.execute(sa.select(Child.id, Child.division_id, Child.created_at, Child.status, Child.closed_at)
                              .where(Child.division_id.in_(subtree_ids(region)))).all()
    return [ChildRow(i, d, c.astimezone(CHINA).date(), s, cl) for i, d, c, s, cl in rows]


def _pairs(region: Region) -> dict[int, list[tuple[date, date | None]]]:
    out: dict[int, list[tuple[date, date | None]]] = {}
    for child_id, start, end in db.session.execute(
            sa.select(Pair.child_id, sa.func.coalesce(Pair.started_at, Pair.created_at), Pair.ended_at)
            .join(Child, Child.id == Pair.child_id)
            .where(Pair.status != "proposed", Child.division_id.in_(subtree_ids(region)))):
        out.setdefault(child_id, []).append((start.astimezone(CHINA).date(),
                                             end.astimezone(CHINA).date() if end else None))
    return out


def _on_roster(c: ChildRow, day: date) -> bool:
    return c.created <= day and (c.status == "active" or (c.closed is not None and c.closed > day))


def _covered(spans, day: date) -> bool:
    return any(s <= day and (e is None or e > day) for s, e in spans)


def uncovered_ids(region: Region, today: date) -> list[int]:
    pairs = _pairs(region)
    return [c.id for c in _children(region) if _on_roster(c, today) and not _covered(pairs.get(c.id, []), today)]


def no_talk_pairs(region: Region, month: date) -> list[int]:
    """Ids of pairs active for the whole month of ``month`` with no talk or visit in it."""
    first = month.replace(day=1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    start, after = datetime.combine(first, time(0), CHINA), datetime.combine(last + timedelta(days=1), time(0), CHINA)
    active = (sa.select(Pair.id).join(Child, Child.id == Pair.child_id)
              .where(Pair.status != "proposed", Child.division_id.in_(subtree_ids(region)),
                     sa.func.coalesce(Pair.started_at, Pair.created_at) < start,
                     sa.or_(Pair.ended_at.is_(None), Pair.ended_at >= after)))
    talked = (sa.select(CareLog.pair_id).where(CareLog.kind.in_(("talk", "visit")), CareLog.occurred_on >= first,
                                               CareLog.occurred_on <= last))
    return list(db.session.scalars(active.where(Pair.id.not_in(talked)).order_by(Pair.id)))


def _talk_rate(region: Region, month: date) -> float | None:
    first = month.replace(day=1)
    start = datetime.combine(first, time(0), CHINA)
    last = (first + timedelta(days=32)).replace(day=1)
    after = datetime.combine(last, time(0), CHINA)
    active = db.session.scalar(
        sa.select(sa.func.count()).select_from(Pair).join(Child, Child.id == Pair.child_id)
        .where(Pair.status != "proposed", Child.division_id.in_(subtree_ids(region)),
               sa.func.coalesce(Pair.started_at, Pair.created_at) < start,
               sa.or_(Pair.ended_at.is_(None), Pair.ended_at >= after))) or 0
    missed = len(no_talk_pairs(region, month))
    return pct(active - missed, active)


def _effective_rate(region: Region) -> float | None:
    """有效监护率 today: active children with a capable guardian ÷ active children on the roster."""
    from app.protection.services import effective_guardianship_clause

    active = sa.select(sa.func.count()).select_from(Child).where(Child.status == "active",
                                                                  Child.division_id.in_(subtree_ids(region)))
    total = db.session.scalar(active) or 0
    return pct(db.session.scalar(active.where(effective_guardianship_clause())) or 0, total)


def build(region: Region, user, list_url) -> dict:
    """The dashboard of ``region``; ``list_url(metric, division_id, month)`` builds the links."""
    today = today_cn()
    children, pairs = _children(region), _pairs(region)
    ends = _month_ends(today)
    labels = [f"{d.month}月" for d in ends]
    coverage = []
    for day in ends:
        roster = [c for c in children if _on_roster(c, day)]
        coverage.append(pct(sum(_covered(pairs.get(c.id, []), day) for c in roster), len(roster)))
    talk = [_talk_rate(region, d) if d < today.replace(day=1) else None for d in ends]  # finished months
    # by township (or village, below a township)
    level_children = db.session.execute(sa.select(Division.id, Division.name, Division.path)
                                        .where(Division.parent_id == region.division_id).order_by(Division.code)).all()
    statuses = pair_statuses(user, today, extra=(Child.division_id.in_(subtree_ids(region)),)) if user else []
    village_path = dict(db.session.execute(sa.select(Division.id, Division.path)
                                           .where(Division.id.in_(subtree_ids(region)))).all())
    cover_bars, overdue_bars = [], []
    for div_id, name, path in level_children:
        inside = [c for c in children if village_path.get(c.division_id, "").startswith(path)]
        roster = [c for c in inside if _on_roster(c, today)]
        covered = sum(_covered(pairs.get(c.id, []), today) for c in roster)
        cover_bars.append(charts.Bar(name, pct(covered, len(roster)) or 0, list_url("uncovered", div_id, None),
                                     note=f"({covered}/{len(roster)})"))
        late = sum(1 for s in statuses if s.overdue and village_path.get(s.village_id, "").startswith(path))
        overdue_bars.append(charts.Bar(name, late, list_url("overdue", div_id, None)))
    month_links = [list_url("no_talk", region.division_id, d.strftime("%Y-%m")) for d in ends]
    return {
        "effective_now": _effective_rate(region),
        "coverage_now": coverage[-1], "overdue_now": sum(1 for s in statuses if s.overdue),
        "pairs_now": len(statuses),
        "trend": charts.line_chart(labels, [
            charts.Series("结对覆盖率", coverage, [list_url("uncovered", region.division_id, None)] * len(ends)),
            charts.Series("每月谈心达标率", talk, month_links)], title="覆盖率与谈心达标率（近6个月）", unit="%",
            max_value=100, width=360, height=230, fluid=True),
        "coverage": charts.bar_chart(cover_bars, title="各地结对覆盖率", unit="%", max_value=100, width=360,
                                     label_width=84, fluid=True),
        "overdue": charts.bar_chart(overdue_bars, title="各地逾期结对数", color=charts.PALETTE[3], width=360,
                                    label_width=84, fluid=True),
    }




def list_rows(metric: str, region: Region, user, month: str) -> list[dict] | None:
    """The rows behind a figure; None for an unknown metric or month."""
    from app.children.vocab import TIERS
    from app.volunteers.models import Volunteer

    today = today_cn()
    if metric == "uncovered":
        ids = uncovered_ids(region, today)
        rows = db.session.execute(sa.select(Child.id, Child.name, Child.tier, Division.name)
                                  .join(Division, Division.id == Child.division_id)
                                  .where(Child.id.in_(ids)).order_by(Child.tier, Division.code, Child.id)).all()
        return [{"child_id": i, "child": n, "tier": TIERS.get(t, t), "village": v, "volunteer": "", "detail": ""}
                for i, n, t, v in rows]
    if metric == "overdue":
        village_names = dict(db.session.execute(sa.select(Division.id, Division.name)
                                                .where(Division.id.in_(subtree_ids(region)))).all())
        statuses = pair_statuses(user, today, extra=(Child.division_id.in_(subtree_ids(region)),))
        return [{"child_id": s.child_id, "child": s.child_name, "tier": TIERS.get(s.tier, s.tier),
                 "village": village_names.get(s.village_id, ""), "volunteer": s.volunteer_name,
                 "detail": "、".join(f"{ {'talk': '谈心', 'visit': '入户看望', 'first_visit': '首次看望'}.get(i.kind, i.kind)}"
                                    f"逾期{i.days_overdue}天" for i in s.overdue)}
                for s in sorted(statuses, key=lambda s: -max((i.days_overdue for i in s.overdue), default=0))
                if s.overdue]
    if metric == "no_talk":
        try:
            day = date.fromisoformat(month + "-01")
        except ValueError:
            return None
        ids = no_talk_pairs(region, day)
        rows = db.session.execute(sa.select(Child.id, Child.name, Child.tier, Division.name, Volunteer.name)
                                  .join(Pair, Pair.child_id == Child.id).join(Volunteer, Volunteer.id == Pair.volunteer_id)
                                  .join(Division, Division.id == Child.division_id)
                                  .where(Pair.id.in_(ids)).order_by(Division.code, Child.id)).all()
        return [{"child_id": i, "child": n, "tier": TIERS.get(t, t), "village": v, "volunteer": vol,
                 "detail": f"{day.year}年{day.month}月无谈心或入户记录"} for i, n, t, v, vol in rows]
    return None
