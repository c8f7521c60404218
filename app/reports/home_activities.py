"""儿童之家活动记录: every held session of each 儿童之家 in a region for a period — date, type, theme,
organiser, children, volunteers and family members who came, length and summary — with a
summary per home (every home listed, zeros included) whose parts must add up to the totals.

"Held" is the homes' own rule (the day has come and somebody came, a guest included), so this
record and the 运营评估 count the same sessions. A home opened after the period is not listed.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from app.activities import vocab as av
from app.core.dates import CHINA
from app.core.models import Organisation
from app.extensions import db
from app.homes.models import ChildrenHome
from app.homes.services import held_sessions
from app.reports.common import Checks, Period, cn_date, duration_text, table_date
from app.reports.roster_stats import as_of_day
from app.reports.scope import Region, places, subtree_ids

COLUMNS = ("序号", "日期", "活动类型", "活动主题", "组织者", "儿童", "志愿者", "家长等", "时长", "活动内容")


@dataclass
class Session:
    number: int
    day: object  # date
    kind: str
    title: str
    organiser: str
    children: int
    volunteers: int
    guests: int
    minutes: int
    summary: str


@dataclass
class HomeRecord:
    label: str  # township + village (when the scope holds several townships) and the home's name
    sessions: list[Session] = field(default_factory=list)

    def total(self, name: str) -> int:
        return sum(getattr(s, name) for s in self.sessions)


@dataclass
class HomeActivities:
    region: str
    period: str
    as_of: str
    homes: list[HomeRecord]
    period_obj: Period | None = None
    totals: dict = field(default_factory=dict)
    checks: Checks = field(default_factory=Checks)


def _homes(region: Region, day) -> list[tuple[int, str, int]]:
    """(organisation id, name, division id) of the homes of ``region`` open on ``day``."""
    return db.session.execute(
        sa.select(Organisation.id, Organisation.name, Organisation.division_id)
        .join(ChildrenHome, ChildrenHome.organisation_id == Organisation.id)
        .where(Organisation.division_id.in_(subtree_ids(region)),
               sa.or_(ChildrenHome.opened_on.is_(None), ChildrenHome.opened_on <= day))
        .order_by(Organisation.division_id, Organisation.name)).all()


def build(region: Region, period: Period) -> HomeActivities:
    """The activity record of the homes of ``region`` for ``period`` (the caller has checked scope)."""
    day = as_of_day(period)
    labels = {p.id: p.label for p in places(region).values()}
    out, number = [], 0
    for org_id, name, division_id in _homes(region, day):
        home = HomeRecord(f"{labels.get(division_id, '')} {name}".strip())
        for event, kids, vols, guests in held_sessions(org_id, period, day):
            number += 1
            home.sessions.append(Session(number, event.starts_at.astimezone(CHINA).date(),
                                         av.EVENT_KINDS.get(event.kind, event.kind), event.title,
                                         event.organiser or "", kids, vols, guests, event.duration_minutes,
                                         event.summary or ""))
        out.append(home)
    report = HomeActivities(region.name, period.label, cn_date(day), out, period)
    report.totals = {k: sum(h.total(k) for h in out) for k in ("children", "volunteers", "guests", "minutes")}
    report.totals["sessions"] = number
    check(report)
    return report


def check(report: HomeActivities) -> Checks:
    """The homes' figures must add up to the totals."""
    checks = Checks()
    checks.add("活动场次：各儿童之家之和 = 合计", report.totals["sessions"], sum(len(h.sessions) for h in report.homes))
    checks.add("儿童人次：各儿童之家之和 = 合计", report.totals["children"],
               sum(h.total("children") for h in report.homes))
    checks.add("活动时长（分钟）：各儿童之家之和 = 合计", report.totals["minutes"],
               sum(h.total("minutes") for h in report.homes))
    report.checks = checks
    return checks


def session_cells(s: Session, period: Period | None) -> list[object]:
    return [s.number, table_date(s.day, period), s.kind, s.title, s.organiser, s.children, s.volunteers, s.guests,
            duration_text(s.minutes), s.summary]


def figures(r: HomeActivities) -> list[tuple[str, object]]:
    t = r.totals
    return [("儿童之家", len(r.homes)), ("活动场次", t["sessions"]), ("儿童人次", t["children"]),
            ("志愿者人次", t["volunteers"]), ("家长等人次", t["guests"]), ("活动时长", duration_text(t["minutes"]))]
