"""走访记录: the home visits (入户看望) of a village or of one volunteer for a period, each as a
record card — living conditions, the safety check, study, health, emotions, help and follow-up."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from app.activities import vocab as av
from app.activities.models import CareLog
from app.children.models import Child
from app.extensions import db
from app.reports.common import Checks, Period, cn_date, exact_hours, hours_text
from app.reports.scope import Region, subtree_ids

TITLE = "入户走访记录"
COLUMNS = ("序号", "走访日期", "儿童姓名", "村(社区)", "走访人", "监护人是否在场", "居住条件", "安全检查",
           "学习情况", "身体情况", "情绪状况", "帮扶措施", "需求", "后续跟进", "监护人确认", "时长（小时）", "照片（张）")


@dataclass
class Visit:
    date: str
    child: str
    village: str
    visitor: str
    guardian_present: str
    living: str
    safety: list[tuple[str, str]]
    study: str
    health: str
    emotions: str
    help_given: str
    needs: str
    follow_up: str
    confirmed_by: str
    hours: str
    photos: list[str]
    content: str = ""
    minutes: int = 0
    day: date | None = None


@dataclass
class VisitReport:
    subject: str  # the village, or the volunteer
    period: str
    visits: list[Visit]
    children: int = 0
    child_ids: list[int] = field(default_factory=list)
    total_minutes: int = 0
    checks: Checks = field(default_factory=Checks)


def build(period: Period, *, region: Region | None = None, volunteer=None) -> VisitReport:
    """Visits in ``region`` or by ``volunteer`` during ``period`` (the caller checked scope)."""
    stmt = (sa.select(CareLog).join(Child, Child.id == CareLog.child_id)
            .where(CareLog.kind == "visit", CareLog.occurred_on >= period.start, CareLog.occurred_on <= period.end)
            .options(sa.orm.selectinload(CareLog.photos), sa.orm.joinedload(CareLog.child).joinedload(Child.division),
                     sa.orm.joinedload(CareLog.volunteer), sa.orm.joinedload(CareLog.author)))
    if volunteer is not None:
        stmt = stmt.where(CareLog.volunteer_id == volunteer.id)
        subject = f"{volunteer.name}（{volunteer.kind_label}，{volunteer.organisation.name}）"
    else:
        stmt = stmt.where(Child.division_id.in_(subtree_ids(region)))
        subject = region.name
    logs = db.session.scalars(stmt.order_by(CareLog.occurred_on, CareLog.id)).unique().all()
    visits = [_visit(log) for log in logs]
    report = VisitReport(subject, period.label, visits, children=len({log.child_id for log in logs}),
                         child_ids=sorted({log.child_id for log in logs}),
                         total_minutes=sum(v.minutes for v in visits))
    report.checks.add("走访次数 = 记录条数", len(logs), len(visits))
    return report


def _visit(log: CareLog) -> Visit:
    safety = [(av.SAFETY_ITEMS.get(k, k), av.SAFETY_RESULTS.get(v, v)) for k, v in (log.safety or {}).items()]
    present = {True: "在场", False: "不在场"}.get(log.guardian_present, "")
    visitor = log.volunteer.name if log.volunteer else (log.author.display_name if log.author else "")
    return Visit(date=cn_date(log.occurred_on), child=log.child.name, village=log.child.division.name,
                 visitor=visitor, guardian_present=present, living=log.living_conditions or "", safety=safety,
                 study=log.study or "", health=log.health or "", emotions=log.emotions or "",
                 help_given=log.help_given or "", needs=log.needs or "", follow_up=log.follow_up or "",
                 confirmed_by=log.guardian_confirmed_by or "", hours=hours_text(log.duration_minutes),
                 photos=[p.filename for p in log.photos], content=log.content or "",
                 minutes=log.duration_minutes or 0, day=log.occurred_on)


def table_rows(report: VisitReport):
    for i, v in enumerate(report.visits, start=1):
        yield [i, v.day, v.child, v.village, v.visitor, v.guardian_present, v.living,
               "；".join(f"{k}：{r}" for k, r in v.safety), v.study, v.health, v.emotions, v.help_given, v.needs,
               v.follow_up, v.confirmed_by, exact_hours(v.minutes), len(v.photos)]


def total_row(report: VisitReport) -> list[object]:
    return ["", "合计", f"{report.children}人", "", f"{len(report.visits)}次"] + [""] * 10 + [
        exact_hours(report.total_minutes), sum(len(v.photos) for v in report.visits)]
