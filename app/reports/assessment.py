"""考核汇总: the assessment summary of a county or township for a quarter.

Sections: the roster by age band and category; coverage (children with an active carer,
priority children covered); cadence compliance (share of pairs with the monthly talk in each
window of their own rule); school events
held; mandatory reports and how fast each step was taken; volunteers and hours. Every table's
parts are cross-checked against its totals.

Cadence compliance follows the platform's own rules per pair (see :mod:`app.reports.compliance`).
"""
from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa

from app.activities import vocab as av
from app.activities.models import CareLog, EventAttendance, ProtectionCase, SchoolEvent
from app.children import vocab as cv
from app.core.dates import CHINA
from app.extensions import db
from app.reports import charts
from app.reports.common import Checks, Period, hours_text, pct, pct_text
from app.reports.roster_stats import RosterChild, as_of_day, roster_children
from app.reports.scope import Region, subtree_ids
from app.volunteers.models import VOLUNTEER_KINDS, Volunteer

TITLE = "关爱服务工作考核汇总表"
BANDS = ("0-5", "6-13", "14-16", "16-17", "18+")


@dataclass
class Assessment:
    region: str
    period: str
    roster: list[dict]  # per band + total: total, male, female, left_behind, difficulty, orphan, priority
    priority: list[dict]  # per priority category: label, count, covered
    coverage: dict
    cadence: list[dict]  # per month: label, pairs, talked, pct; plus the quarterly visit
    events: list[dict]
    events_total: dict
    cases: list[dict]
    case_summary: dict
    volunteers: list[dict]
    volunteers_total: dict
    compliance: object = None  # app.reports.compliance.Compliance
    charts: dict = field(default_factory=dict)
    checks: Checks = field(default_factory=Checks)


def _roster_table(children: list[RosterChild]) -> list[dict]:
    rows = []
    for band in BANDS + (None,):
        kids = [c for c in children if band is None or c.band == band]
        rows.append({"band": cv.AGE_BANDS[band] if band else "合计", "total": len(kids),
                     "male": sum(c.sex == "male" for c in kids), "female": sum(c.sex == "female" for c in kids),
                     "left_behind": sum(c.left_behind for c in kids),
                     "difficulty": sum(c.difficulty for c in kids), "orphan": sum(c.orphan for c in kids),
                     "priority": sum(c.tier != "normal" for c in kids)})
    return rows


def _cadence_rows(comp) -> list[dict]:
    """The compliance summary as the report's cadence table: each obligation (windows due and
    met, by every pair's own rule), then the pairs that met all of theirs."""
    rows = [{"label": f"{o['label']}（应达次数）", "pairs": o["due"], "done": o["met"], "pct": o["pct"],
             "pct_text": o["pct_text"]} for o in comp.obligations]
    t = comp.total
    rows.append({"label": "结对全部达标", "pairs": t["pairs"], "done": t["compliant"], "pct": t["pct"],
                 "pct_text": t["pct_text"]})
    return rows


def _events(region: Region, period: Period) -> tuple[list[dict], dict]:
    """School events held (day come, attendance taken) in the period, by kind."""
    from app.reports.ledger import held_events

    where = (SchoolEvent.division_id.in_(subtree_ids(region)), *held_events(period))
    held = dict(db.session.execute(sa.select(SchoolEvent.kind, sa.func.count()).where(*where)
                                   .group_by(SchoolEvent.kind)).all())
    present: dict[tuple[str, bool], int] = {}
    for kind, is_child, n in db.session.execute(
            sa.select(SchoolEvent.kind, EventAttendance.child_id.is_not(None), sa.func.count())
            .join(EventAttendance, EventAttendance.event_id == SchoolEvent.id)
            .where(*where, EventAttendance.attended.is_(True))
            .group_by(SchoolEvent.kind, EventAttendance.child_id.is_not(None))):
        present[(kind, bool(is_child))] = n
    rows = [{"kind": label, "sessions": held.get(code, 0), "children": present.get((code, True), 0),
             "volunteers": present.get((code, False), 0)} for code, label in av.EVENT_KINDS.items()]
    total = {"sessions": sum(held.values()), "children": sum(v for (k, c), v in present.items() if c),
             "volunteers": sum(v for (k, c), v in present.items() if not c)}
    return rows, total


def _hours(since: datetime, until: datetime) -> float | None:
    return round((until - since).total_seconds() / 3600, 1)


def _cases(region: Region, period: Period) -> tuple[list[dict], dict]:
    start, end = period.utc_bounds()
    cases = db.session.scalars(
        sa.select(ProtectionCase).where(ProtectionCase.division_id.in_(subtree_ids(region)),
                                        ProtectionCase.reported_at >= start, ProtectionCase.reported_at < end)
        .order_by(ProtectionCase.reported_at)).all()
    rows = []
    to_police = []
    for case in cases:
        police = [r.reported_at for r in case.reports if r.agency == "police"]
        first_step = {}
        for step in case.steps:
            first_step.setdefault(step.status, step.on_date)
        reported_day = case.reported_at.astimezone(CHINA).date()
        h_police = _hours(case.reported_at, min(police)) if police else None
        if h_police is not None:
            to_police.append(max(0.0, h_police))
        rows.append({
            "number": f"#{case.id}", "village": case.division.name, "reported": case.reported_at,
            "status": case.status_label,
            "police_h": "—" if h_police is None else f"{max(0.0, h_police):g}",
            "ack_h": "—" if case.acknowledged_at is None else f"{_hours(case.reported_at, case.acknowledged_at):g}",
            **{f"{s}_d": ("—" if s not in first_step else str((first_step[s] - reported_day).days))
               for s in ("emergency", "assessment", "intervention", "closed")}})
    summary = {"count": len(cases), "open": sum(c.status != "closed" for c in cases),
               "reported_police": len(to_police),
               "median_police_h": f"{statistics.median(to_police):g}" if to_police else "—",
               "acknowledged": sum(c.acknowledged_at is not None for c in cases),
               "escalated": sum(c.escalated_at is not None for c in cases)}
    return rows, summary


def _volunteers(region: Region, period: Period) -> tuple[list[dict], dict]:
    from app.reports.ledger import held_events

    in_region = Volunteer.division_id.in_(subtree_ids(region))
    approved = approved_on(region, as_of_day(period))
    log_stats = {k: (n, a, m or 0) for k, n, a, m in db.session.execute(
        sa.select(Volunteer.kind, sa.func.count(CareLog.id), sa.func.count(sa.distinct(CareLog.volunteer_id)),
                  sa.func.sum(CareLog.duration_minutes))
        .join(CareLog, CareLog.volunteer_id == Volunteer.id)
        .where(in_region, CareLog.occurred_on >= period.start, CareLog.occurred_on <= period.end)
        .group_by(Volunteer.kind))}
    event_minutes = dict(db.session.execute(
        sa.select(Volunteer.kind, sa.func.sum(SchoolEvent.duration_minutes))
        .join(EventAttendance, EventAttendance.volunteer_id == Volunteer.id)
        .join(SchoolEvent, SchoolEvent.id == EventAttendance.event_id)
        .where(in_region, EventAttendance.attended.is_(True), *held_events(period)).group_by(Volunteer.kind)).all())
    rows = []
    for code, label in VOLUNTEER_KINDS.items():
        logs, active, minutes = log_stats.get(code, (0, 0, 0))
        minutes += event_minutes.get(code) or 0
        rows.append({"kind": label, "approved": approved.get(code, 0), "active": active, "logs": logs,
                     "minutes": minutes, "hours": hours_text(minutes)})
    total_minutes = (db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(CareLog.duration_minutes), 0))
                                       .join(Volunteer, Volunteer.id == CareLog.volunteer_id)
                                       .where(in_region, CareLog.occurred_on >= period.start,
                                              CareLog.occurred_on <= period.end)) or 0) + sum(
        v or 0 for v in event_minutes.values())
    total = {"approved": sum(approved.values()),
             "logs": sum(r["logs"] for r in rows), "minutes": total_minutes, "hours": hours_text(total_minutes)}
    return rows, total


def approved_on(region: Region, day: date) -> dict[str, int]:
    """Approved volunteers of ``region`` on ``day``, by kind: by their dated status history; one
    with no dated change before ``day`` counts from its approval (or record) date."""
    from app.reports.history import status_on
    from app.reports.models import VolunteerStatusEvent

    rows = db.session.execute(sa.select(Volunteer.id, Volunteer.kind, Volunteer.status, Volunteer.decided_at,
                                        Volunteer.created_at)
                              .where(Volunteer.division_id.in_(subtree_ids(region)))).all()
    statuses, dated = status_on(day, {r.id: r.status for r in rows}, VolunteerStatusEvent)
    out: dict[str, int] = defaultdict(int)
    for r in rows:
        since = (r.decided_at or r.created_at).astimezone(CHINA).date()
        if statuses[r.id] == "approved" and (r.id in dated or since <= day):
            out[r.kind] += 1
    return dict(out)


def build(region: Region, period: Period) -> Assessment:
    """The summary of ``region`` (a county or township) for ``period`` (a quarter)."""
    children = roster_children(region, period)
    roster = _roster_table(children)
    priority = [{"label": label, "count": sum(code in c.categories for c in children),
                 "effective": sum(code in c.categories and c.effective for c in children),
                 "covered": sum(code in c.categories and c.with_carer for c in children)}
                for code, label in cv.PRIORITY_CATEGORIES.items()]
    prio = [c for c in children if c.tier != "normal"]
    # 有效监护 (a capable guardian) is reported apart from pairing coverage: a volunteer pair is
    # care, not guardianship
    coverage = {"children": len(children), "with_carer": sum(c.with_carer for c in children),
                "effective": sum(c.effective for c in children),
                "priority": len(prio), "priority_covered": sum(c.with_carer for c in prio),
                "priority_effective": sum(c.effective for c in prio)}
    coverage["pct"] = pct_text(pct(coverage["with_carer"], coverage["children"]))
    coverage["effective_pct"] = pct_text(pct(coverage["effective"], coverage["children"]))
    coverage["priority_pct"] = pct_text(pct(coverage["priority_covered"], coverage["priority"]))
    coverage["priority_effective_pct"] = pct_text(pct(coverage["priority_effective"], coverage["priority"]))
    events, events_total = _events(region, period)
    cases, case_summary = _cases(region, period)
    volunteers, volunteers_total = _volunteers(region, period)
    from app.reports import compliance as cadence_compliance

    comp = cadence_compliance.evaluate(region, period, as_of_day(period))
    result = Assessment(region.name, period.label, roster, priority, coverage, _cadence_rows(comp), events,
                        events_total, cases, case_summary, volunteers, volunteers_total, comp)
    result.charts = _charts(result)
    check(result)
    return result


def _charts(a: Assessment) -> dict:
    return {
        "bands": charts.bar_chart([charts.Bar(r["band"], r["total"]) for r in a.roster[:-1]],
                                  title="在册儿童年龄段分布（人）", width=560),
        "cadence": charts.bar_chart([charts.Bar(r["label"], r["pct"] or 0, note=f"({r['done']}/{r['pairs']})")
                                     for r in a.cadence], title="关爱频次达标率", unit="%", max_value=100,
                                    width=560, label_width=220, color=charts.PALETTE[1]),
        "hours": charts.bar_chart([charts.Bar(r["kind"], float(r["hours"])) for r in a.volunteers],
                                  title="志愿服务时长（小时）", width=560, color=charts.PALETTE[2]),
    }


def check(a: Assessment) -> Checks:
    """Cross-sums: bands and sexes add up to the roster total, coverage within the roster, the
    kinds of volunteers and events add up to their totals."""
    checks = Checks()
    total = a.roster[-1]
    checks.add("在册儿童：各年龄段之和 = 合计", total["total"], sum(r["total"] for r in a.roster[:-1]))
    checks.add("在册儿童：男 + 女 = 合计", total["total"], total["male"] + total["female"])
    for key, label in (("left_behind", "留守儿童"), ("difficulty", "困境儿童"), ("orphan", "孤儿"),
                       ("priority", "重点对象")):
        checks.add(f"{label}：各年龄段之和 = 合计", total[key], sum(r[key] for r in a.roster[:-1]))
    checks.add("覆盖：在册儿童 = 合计人数", total["total"], a.coverage["children"])
    checks.add("学校活动：各类之和 = 合计", a.events_total["sessions"], sum(r["sessions"] for r in a.events))
    checks.add("学校活动出席：各类之和 = 合计", a.events_total["children"] + a.events_total["volunteers"],
               sum(r["children"] + r["volunteers"] for r in a.events))
    checks.add("志愿服务时长（分钟）：各类之和 = 合计", a.volunteers_total["minutes"], sum(r["minutes"] for r in a.volunteers))
    checks.add("在册志愿者：各类之和 = 合计", a.volunteers_total["approved"], sum(r["approved"] for r in a.volunteers))
    checks.add("强制报告：案件数 = 明细行数", a.case_summary["count"], len(a.cases))
    a.checks = checks
    return checks
