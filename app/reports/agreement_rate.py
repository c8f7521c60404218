"""委托监护签订率: of the left-behind children on a region's roster on the period's last day (today
while it runs) — both parents away, or one away and the other unable — how many had a
委托监护责任确认书 in force that day, village by village (every village listed), and who had none.

True for its period: roster membership by registration date and dated status history, the
agreements by their signing, validity and end dates (a renewal or an ending since changes
nothing for a past day).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from app.children.models import Child
from app.extensions import db
from app.protection.agreements import covered_ids
from app.reports.common import Checks, Period, cn_date, pct, pct_text
from app.reports.history import categories_on
from app.reports.roster_stats import as_of_day, on_roster
from app.reports.scope import Region, places, subtree_ids, villages


@dataclass
class VillageRate:
    label: str
    needing: int = 0
    signed: int = 0

    @property
    def missing(self) -> int:
        return self.needing - self.signed

    @property
    def percent(self) -> float | None:
        return pct(self.signed, self.needing)

    @property
    def rate_text(self) -> str:
        return pct_text(self.percent)


@dataclass
class AgreementRate:
    region: str
    period: str
    as_of: str
    villages: list[VillageRate]
    missing: list[list[object]] = field(default_factory=list)  # 序号, 村, 姓名, 监护人
    total: VillageRate = field(default_factory=lambda: VillageRate("合计"))
    checks: Checks = field(default_factory=Checks)


def _left_behind_on(rows, day) -> list:
    """The rows whose parents were away on ``day`` (both, or one with the other unable), by the
    dated category history where the facts changed since."""
    past = categories_on(day, [r.id for r in rows])
    out = []
    for r in rows:
        facts = past.get(r.id) or {"both_parents_away": r.both_parents_away,
                                   "one_parent_away_other_incapable": r.one_parent_away_other_incapable}
        if facts["both_parents_away"] or facts["one_parent_away_other_incapable"]:
            out.append(r)
    return out


def build(region: Region, period: Period) -> AgreementRate:
    """The signing rate of ``region`` on ``period``'s last day (the caller has checked scope)."""
    day = as_of_day(period)
    _, end_utc = Period(period.start, day, "").utc_bounds()
    registered = sa.or_(Child.registered_on <= day, sa.and_(Child.registered_on.is_(None), Child.created_at < end_utc))
    rows = on_roster(db.session.execute(
        sa.select(Child.id, Child.status, Child.closed_at, Child.division_id, Child.name, Child.guardian_name,
                  Child.both_parents_away, Child.one_parent_away_other_incapable)
        .where(registered, Child.division_id.in_(subtree_ids(region)))
        .order_by(Child.division_id, Child.name_pinyin, Child.id)).all(), day)
    rows = _left_behind_on(rows, day)
    signed = covered_ids([r.id for r in rows], day) if rows else set()
    labels = {p.id: p.label for p in places(region).values()}
    by_id = {v.id: VillageRate(v.label) for v in villages(region)}
    report = AgreementRate(region.name, period.label, cn_date(day), [])
    for r in rows:
        village = by_id.setdefault(r.division_id, VillageRate(labels.get(r.division_id, "")))
        village.needing += 1
        if r.id in signed:
            village.signed += 1
        else:
            report.missing.append([len(report.missing) + 1, village.label, r.name, r.guardian_name or ""])
    report.villages = list(by_id.values())
    report.total.needing = sum(v.needing for v in report.villages)
    report.total.signed = sum(v.signed for v in report.villages)
    check(report, len(rows), len(signed))
    return report


def check(report: AgreementRate, needing: int, signed: int) -> Checks:
    checks = Checks()
    checks.add("应签儿童：各村之和 = 合计", needing, report.total.needing)
    checks.add("已签儿童：各村之和 = 合计", signed, report.total.signed)
    checks.add("未签儿童：名单人数 = 合计", report.total.missing, len(report.missing))
    report.checks = checks
    return checks


def figures(r: AgreementRate) -> list[tuple[str, object]]:
    return [("村(社区)", len(r.villages)), ("应签儿童", r.total.needing), ("已签", r.total.signed),
            ("未签", r.total.missing), ("签订率", r.total.rate_text), ("截至", r.as_of)]
