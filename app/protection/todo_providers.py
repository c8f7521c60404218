"""The six responsibilities' lines on the home page (found by :mod:`app.home.todo`): open
guardianship gaps, dropouts to bring back to school, hukou to register, findings from visits (the
hazards first), children lacking a 委托监护责任确认书 and those to renew, case measures due.

Every count uses the scope clause of the page the line links to (``items_scope`` for the duty
list, ``children_scope`` for the 确认书 list, ``cases_scope`` for measures), so a line never
counts what its page would not show.
"""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask import url_for
from flask_babel import gettext as _

from app.extensions import db
from app.home.todo import HIGH, NORMAL, TodoItem, provider
from app.protection import agreements, queries
from app.protection.models import CaseMeasure, DutyItem

#: who works on the items or oversees them (the supervisor read-only: his lines link to lists)
REGION_STAFF = ("village_director", "township_supervisor", "coordinator", "admin")
#: the kinds school staff follow for their pupils
SCHOOL_KINDS = ("dropout", "hukou")
SOON_DAYS = 7


def _open_counts(user, today: date, *where) -> tuple[int, int, date | None]:
    """(open, overdue, earliest deadline) of the user's open items matching ``where``."""
    row = db.session.execute(
        sa.select(sa.func.count(), sa.func.sum(sa.case((DutyItem.deadline < today, 1), else_=0)),
                  sa.func.min(DutyItem.deadline))
        .where(queries.items_scope(user), DutyItem.status == "open", *where)).one()
    return row[0] or 0, int(row[1] or 0), row[2]


def _items_line(user, today: date, key: str, title: str, url: str, *where):
    n, late, first = _open_counts(user, today, *where)
    if not n:
        return
    urgent = late or (first is not None and first <= today + timedelta(days=SOON_DAYS))
    detail = (_("其中 %(n)s 项已逾期", n=late) if late
              else _("最早期限 %(d)s", d=first.isoformat()) if first else "")
    yield TodoItem(key, title, url, HIGH if urgent else NORMAL, due=first, count=n, detail=detail)


@provider(*REGION_STAFF)
def guardianship_gaps(user, today: date):
    """监护待落实: children without effective guardianship (无人监护 first: a week's deadline)."""
    yield from _items_line(user, today, "duties.gaps.none", _("无人监护儿童，须7天内落实监护"),
                           url_for("protection.items", kind="gap", reason="none"),
                           DutyItem.kind == "gap", DutyItem.reason == "none")
    yield from _items_line(user, today, "duties.gaps", _("监护待落实：监护人无监护能力或监护差"),
                           url_for("protection.items", kind="gap"),
                           DutyItem.kind == "gap", DutyItem.reason != "none")


@provider(*REGION_STAFF, "school_staff")
def dropouts_and_hukou(user, today: date):
    """控辍保学 (劝返 to follow) and 户口登记 items; school staff see their pupils'."""
    yield from _items_line(user, today, "duties.dropout", _("辍学儿童待劝返复学"),
                           url_for("protection.items", kind="dropout"), DutyItem.kind == "dropout")
    yield from _items_line(user, today, "duties.hukou", _("无户籍儿童待登记户口"),
                           url_for("protection.items", kind="hukou"), DutyItem.kind == "hukou")


@provider(*REGION_STAFF)
def findings(user, today: date):
    """Findings from visits: the 隐患台账 (限期整改) apart from needs and follow-ups."""
    yield from _items_line(user, today, "duties.hazards", _("走访发现的安全隐患待整改"),
                           url_for("protection.items", kind="finding", reason="hazard"),
                           DutyItem.kind == "finding", DutyItem.reason == "hazard")
    yield from _items_line(user, today, "duties.findings", _("走访发现的需求和跟进事项"),
                           url_for("protection.items", kind="finding"),
                           DutyItem.kind == "finding", DutyItem.reason != "hazard")


@provider(*REGION_STAFF)
def agreements_missing(user, today: date):
    """Children needing a 委托监护责任确认书 without one in force, and those lapsing soon."""
    ids = agreements.needing_ids(user, today)
    missing = _count(agreements.lacking_query(ids, today))
    if missing:
        yield TodoItem("duties.agreements.missing", _("未签订委托监护责任确认书的儿童"),
                       url_for("protection.agreements_list", show="missing"), NORMAL, count=missing)
    lapsing = db.session.scalars(agreements.expiring_query(ids, today)).all()
    if lapsing:
        first = min(a.valid_until for a in lapsing)
        yield TodoItem("duties.agreements.renew", _("即将到期、须续签的委托监护责任确认书"),
                       url_for("protection.agreements_list", show="expiring"), HIGH if first <= today else NORMAL,
                       due=first, count=len(lapsing), detail=_("最早 %(d)s 到期", d=first.isoformat()))


@provider(*REGION_STAFF)
def measures_due(user, today: date):
    """Case measures planned or under way whose planned day is within a week or past."""
    from app.activities.cases import cases_scope
    from app.activities.models import ProtectionCase

    row = db.session.execute(
        sa.select(sa.func.count(), sa.func.min(CaseMeasure.due_on))
        .join(ProtectionCase, CaseMeasure.case_id == ProtectionCase.id)
        .where(cases_scope(user), ProtectionCase.status != "closed",
               CaseMeasure.status.in_(("planned", "in_progress")), CaseMeasure.due_on.is_not(None),
               CaseMeasure.due_on <= today + timedelta(days=SOON_DAYS))).one()
    n, first = row
    if n:
        yield TodoItem("duties.measures", _("强制报告案件的帮扶、干预措施待完成"),
                       url_for("protection.measure_list", due=1), HIGH if first < today else NORMAL,
                       due=first, count=n, detail=_("计划 %(d)s 完成", d=first.isoformat()))


def _count(stmt) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())) or 0

