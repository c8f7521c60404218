"""The built-in to-do providers: what each role has to do, from today's data.

Each provider counts inside the user's scope with the scope clause of the page it links to.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _

from app.core.dates import CHINA
from app.extensions import db
from app.home.todo import CRITICAL, HIGH, INFO, NORMAL, TodoItem, provider

STAFF = ("village_director", "township_supervisor", "coordinator", "admin")


def _count(stmt) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())) or 0


# ----------------------------------------------------------------------------- cases

@provider(*STAFF)
def open_cases(user, today: date):
    """Escalated and unacknowledged mandatory-report cases (a child may be in danger)."""
    from app.activities import cases as case_service
    from app.activities.models import ProtectionCase

    base = sa.select(ProtectionCase.id).where(case_service.cases_scope(user), ProtectionCase.status != "closed",
                                              ProtectionCase.acknowledged_at.is_(None))
    if user.role == "township_supervisor":  # taken on at his level: nothing more for him to do
        from app.notify.escalation import stopped_case_ids

        base = base.where(ProtectionCase.id.not_in(stopped_case_ids()))
    escalated = _count(base.where(ProtectionCase.escalated_at.is_not(None)))
    waiting = _count(base.where(ProtectionCase.escalated_at.is_(None)))
    url = url_for("activities.cases")
    if escalated:
        yield TodoItem("cases.escalated", _("已升级、仍无人确认的强制报告"), url, CRITICAL, count=escalated,
                       detail=_("超过时限无人确认，请立即查看并确认"))
    if waiting:
        yield TodoItem("cases.unacknowledged", _("待确认的强制报告"), url, CRITICAL, count=waiting,
                       detail=_("确认后即停止逐级上报"))


# ----------------------------------------------------------------------------- children

@provider(*STAFF)
def priority_without_contact(user, today: date):
    from app.activities import queries

    n = queries.count_of(queries.no_contact_query(user, today))
    if n:
        yield TodoItem("children.no_contact", _("%(days)s天无人联系的重点/紧急儿童", days=queries.NO_CONTACT_DAYS),
                       url_for("activities.no_contact"), HIGH, count=n)


@provider("coordinator", "admin")
def priority_without_carer(user, today: date):
    from app.activities import queries
    from app.children.models import Child

    stmt = queries.no_carer_query(user).where(Child.tier.in_(queries.PRIORITY_TIERS))
    n = queries.count_of(stmt)
    if n:
        yield TodoItem("children.no_carer", _("没有结对关爱人的紧急/重点儿童"), url_for("activities.no_carer"),
                       HIGH, count=n)


@provider("village_director", "coordinator", "admin")
def quarterly_review(user, today: date):
    from app.children import reviews
    from app.core.dates import quarter_of

    quarter = quarter_of(today)
    missing = _count(reviews.unreviewed_query(user, quarter))
    if not missing:
        return
    deadline = reviews.quarter_deadline(today)
    done = reviews.reviewed_count(user, quarter)
    late = reviews.is_overdue(today)
    if user.role == "village_director":
        yield TodoItem("children.review", _("本季度核实：已核实 %(done)s / %(total)s", done=done, total=done + missing),
                       url_for("children.review_list"), HIGH if late else NORMAL, due=deadline, count=missing,
                       detail=_("已逾期") if late else _("截止日期 %(d)s", d=deadline.isoformat()))
        return
    yield from _late_reviews_by_village(user, quarter, deadline, late, missing)


def _late_reviews_by_village(user, quarter: str, deadline: date, late: bool, missing: int):
    """The coordinator's line per village still reviewing (late ones after the deadline)."""
    from app.children import reviews
    from app.core.models import Division

    stmt = reviews.unreviewed_query(user, quarter).order_by(None).subquery()
    rows = db.session.execute(
        sa.select(Division.id, Division.name, sa.func.count()).join(stmt, stmt.c.division_id == Division.id)
        .group_by(Division.id, Division.name).order_by(sa.func.count().desc(), Division.name).limit(5)).all()
    if not late:
        yield TodoItem("children.review", _("本季度核实未完成"), url_for("children.review_list"), NORMAL,
                       due=deadline, count=missing, detail=_("截止日期 %(d)s", d=deadline.isoformat()))
        return
    for village_id, name, n in rows:
        yield TodoItem(f"children.review.{village_id}", _("%(village)s 季度核实逾期", village=name),
                       url_for("children.review_list") + f"#village-{village_id}", HIGH, due=deadline, count=n)


# ----------------------------------------------------------------------------- pairs

@provider("coordinator", "township_supervisor", "admin")
def overdue_by_township(user, today: date):
    from app.activities import queries

    groups = queries.summarise(queries.pair_statuses(user, today))
    for group in groups["township"][:5]:
        if group.overdue_pairs:
            yield TodoItem(f"pairs.overdue.{group.id}", _("%(name)s：结对关爱逾期", name=group.name),
                           url_for("activities.overdue_list", township=group.id), HIGH, count=group.overdue_pairs)


@provider("coordinator", "admin")
def applications_waiting(user, today: date):
    from app.volunteers.scope import volunteers_scope
    from app.volunteers.models import Volunteer

    stmt = sa.select(Volunteer.id, Volunteer.created_at).where(volunteers_scope(user), Volunteer.status == "applied")
    n = _count(stmt)
    if n:
        oldest = db.session.scalar(sa.select(sa.func.min(Volunteer.created_at))
                                   .where(volunteers_scope(user), Volunteer.status == "applied"))
        waited = (datetime.now(CHINA).date() - oldest.astimezone(CHINA).date()).days if oldest else 0
        yield TodoItem("volunteers.applied", _("待审核的志愿者报名"), url_for("volunteers.applications"),
                       HIGH if waited > 14 else NORMAL, count=n,
                       detail=_("最早一份已等待 %(n)s 天", n=waited))


@provider("village_director", "volunteer", "school_staff", "coordinator")
def own_due_care(user, today: date):
    """The user's own paired children with talks or visits overdue or due this week."""
    from app.activities import queries

    for card in queries.volunteer_cards(user, today):
        top = card.top
        if top is None or top.status not in ("overdue", "due_this_week"):
            continue
        label = {"talk": _("谈心"), "visit": _("入户看望"), "first_visit": _("首次入户看望"),
                 "holiday": _("节日关爱")}.get(top.kind, top.kind)
        overdue = top.status == "overdue"
        yield TodoItem(f"care.{card.pair.id}", _("%(child)s：%(what)s", child=card.child.name, what=label),
                       url_for("activities.log_visit" if top.log_kind == "visit" else "activities.log_talk"
                               if top.log_kind == "talk" else "activities.log_holiday", child_id=card.child.id),
                       HIGH if overdue else NORMAL, due=top.due,
                       detail=_("已逾期 %(n)s 天", n=top.days_overdue) if overdue else _("本周到期"))


# ----------------------------------------------------------------------------- volunteer

@provider("volunteer")
def my_application(user, today: date):
    from app.volunteers.models import Volunteer

    volunteer = db.session.scalar(sa.select(Volunteer).where(Volunteer.user_id == user.id))
    if volunteer is None:
        return
    url = url_for("volunteers.me")
    if volunteer.status == "applied":
        if volunteer.code_of_conduct_accepted_at is None:
            yield TodoItem("application.conduct", _("请阅读并签署志愿者行为守则"), url, HIGH,
                           detail=_("签署后组织才能完成审核"))
        yield TodoItem("application.review", _("您的报名正在审核中"), url, INFO,
                       detail=_("报名于 %(d)s；审核通过后会为您结对", d=volunteer.created_at.astimezone(CHINA).date()))
    elif volunteer.status == "rejected":
        yield TodoItem("application.rejected", _("您的报名未通过审核"), url, INFO,
                       detail=volunteer.decision_reason or "")
    elif volunteer.status == "approved" and volunteer.active_pairs == 0:
        yield TodoItem("application.waiting_pair", _("报名已通过，正在为您安排结对儿童"), url, INFO)


# ----------------------------------------------------------------------------- school

@provider("school_staff")
def pupils_without_teacher(user, today: date):
    """Left-behind pupils without a teacher proxy parent (the school workspace's own count)."""
    from app.school import queries

    if not user.organisation_id:
        return
    n = _count(queries.pupils_query(user, user.organisation_id, queries.PupilFilters(no_proxy=True)))
    if n:
        yield TodoItem("school.no_teacher", _("没有教师代理家长的留守学生"), url_for("school.pupils", no_proxy=1),
                       HIGH, count=n)


@provider("school_staff")
def teachers_overdue(user, today: date):
    from app.school import queries

    if not user.organisation_id:
        return
    late = [r for r in queries.teacher_rows(user, user.organisation_id, today) if r.overdue]
    if late:
        yield TodoItem("school.teachers_overdue", _("谈心或家访逾期的教师"), url_for("school.teachers"), HIGH,
                       count=len(late), detail="、".join(r.name for r in late[:3]) + ("…" if len(late) > 3 else ""))


@provider("school_staff")
def school_cadence(user, today: date):
    """The school's own termly care activity and monthly class meetings not held in time."""
    from app.school import cadence, queries as school

    if not user.organisation_id or user.organisation is None or user.organisation.kind != "school":
        return
    classes = [c for c, _n in school.classes(user, user.organisation_id) if c != school.NO_CLASS]
    items = cadence.school_cadence(user.organisation_id, classes, today)
    late = [i for i in items if i.status == "overdue"]
    soon = [i for i in items if i.status == "due_this_week"]
    if late:
        yield TodoItem("school.cadence_overdue", _("未按期开展的主题关爱活动或班会"), url_for("school.index"), HIGH,
                       count=len(late))
    if soon:
        yield TodoItem("school.cadence_due", _("本周内要开展的主题关爱活动或班会"), url_for("school.index"), NORMAL,
                       count=len(soon), due=min(i.due for i in soon))


@provider("village_director", "township_supervisor", "coordinator", "school_staff")
def round_checks(user, today: date):
    """Checks by role and assignment (包保与检查) that are overdue or due this week."""
    from app.rounds import queries as rounds

    duties = rounds.duties_of(user, today)
    late, soon = duties.count("overdue"), duties.count("due_this_week")
    if late:
        yield TodoItem("rounds.overdue", _("逾期未做的检查"), url_for("rounds.index"), HIGH, count=late)
    if soon:
        yield TodoItem("rounds.due", _("本周要做的检查"), url_for("rounds.index"), NORMAL, count=soon)


@provider("school_staff", "coordinator", "village_director", "volunteer")
def todays_events(user, today: date):
    from app.activities.events import events_scope
    from app.activities.models import SchoolEvent

    start = datetime.combine(today, time(0), CHINA)
    events = db.session.scalars(sa.select(SchoolEvent).where(
        events_scope(user), SchoolEvent.starts_at >= start, SchoolEvent.starts_at < start + timedelta(days=1))
        .order_by(SchoolEvent.starts_at).limit(5)).all()
    for event in events:
        url = (url_for("activities.event_detail", event_id=event.id) if user.role != "volunteer"
               else url_for("activities.today"))
        yield TodoItem(f"event.{event.id}", _("今天 %(t)s：%(title)s", t=event.starts_at.astimezone(CHINA)
                                              .strftime("%H:%M"), title=event.title), url, NORMAL, due=today,
                       detail=event.place or "")


# ----------------------------------------------------------------------------- auditor

@provider("auditor", "admin")
def recent_reports(user, today: date):
    from app.core.permissions import user_subtree_ids
    from app.reports.models import IssuedReport

    since = datetime.combine(today - timedelta(days=30), time(0), CHINA)
    scope = sa.true() if user.role == "admin" else IssuedReport.division_id.in_(user_subtree_ids(user))
    rows = db.session.scalars(sa.select(IssuedReport).where(scope, IssuedReport.issued_at >= since)
                              .order_by(IssuedReport.issued_at.desc()).limit(5)).all()
    for row in rows:
        yield TodoItem(f"report.{row.id}", _("可核验：%(title)s", title=row.title),
                       url_for("reports.verify", code=row.verification_code), INFO,
                       detail=_("%(who)s 于 %(d)s 签发，编号 %(no)s", who=row.issued_by_name,
                                d=row.issued_at.astimezone(CHINA).date().isoformat(), no=row.number or "—"))
    if user.role == "auditor":
        n = _count(sa.select(IssuedReport.id).where(scope, IssuedReport.issued_at >= since))
        if n:
            yield TodoItem("audit.issued", _("近30天签发报告的审计记录"), url_for("auth.audit_log", action="report.issue"),
                           INFO, count=n)
        else:  # nothing to verify yet: say so, and where the record is (a line "0" reads as an error)
            yield TodoItem("audit.issued", _("近30天没有签发的报告"), url_for("auth.audit_log", action="report.issue"),
                           INFO, detail=_("报告签发后会列在这里，可逐份核验；审计日志记录全部操作"))
