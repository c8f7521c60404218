"""Changing duties: assignments, checks and rules. Functions flush and audit, never commit."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from app.core import audit
from app.core.errors import UserError
from app.core.i18n import N_
from app.core.models import Division
from app.extensions import db
from app.rounds import vocab
from app.rounds.models import Assignment, RoundCheck, RoundRule

NOTE_MAX = 500
#: who may hold an assignment: cadres and staff (volunteers have their pairs, auditors only read)
ASSIGNABLE_ROLES = ("village_director", "coordinator", "school_staff", "township_supervisor")


class RoundsError(UserError):
    """Bad input, with a message (Chinese source text) for the form field ``field``."""

    def __init__(self, field: str, message: str):
        super().__init__(message, field=field)


def create_assignment(actor, assignee, kind: str, division: Division, *, village_group: str = "",
                      household=None, started_on: date) -> Assignment:
    """Make ``assignee`` responsible for an area, a village group or a household.

    The caller has checked that the assignee, the division and the household are in the actor's scope.

    :raise RoundsError: an unknown kind, a role that cannot hold one, a group or household that
        does not belong to a village, or the same assignment already held.
    """
    if kind not in vocab.ASSIGNMENT_KINDS:
        raise RoundsError("kind", N_("请选择包保方式"))
    if assignee.role not in ASSIGNABLE_ROLES:
        raise RoundsError("user_id", N_("只能指派给村干部、儿童督导员、协调员或学校教职工"))
    group = " ".join((village_group or "").split())
    if kind in ("group", "household") and division.level != "village":
        raise RoundsError("division_id", N_("包组和联系户须选择村（社区）"))
    if kind == "group" and not group:
        raise RoundsError("village_group", N_("请填写村民小组，例如“3组”"))
    if len(group) > 32:
        raise RoundsError("village_group", N_("村民小组最多32个字"))
    if kind == "household" and (household is None or household.division_id != division.id):
        raise RoundsError("household_id", N_("请选择这个村的一户"))
    same = sa.select(Assignment.id).where(
        Assignment.user_id == assignee.id, Assignment.kind == kind, Assignment.division_id == division.id,
        Assignment.ended_on.is_(None))
    if kind == "group":
        same = same.where(Assignment.village_group == group)
    if kind == "household":
        same = same.where(Assignment.household_id == household.id)
    if db.session.scalar(same):
        raise RoundsError("user_id", N_("此人已负责这一片区、小组或农户"))
    row = Assignment(user_id=assignee.id, kind=kind, division_id=division.id,
                     village_group=group if kind == "group" else None,
                     household_id=household.id if kind == "household" else None, started_on=started_on,
                     created_by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    audit.record("rounds.assign", row, user=actor,
                 detail={"user_id": assignee.id, "kind": kind, "division_id": division.id, "group": row.village_group,
                         "household_id": row.household_id, "started_on": started_on.isoformat()})
    return row


def end_assignment(actor, row: Assignment, on: date) -> None:
    """End an assignment (kept for the record: past compliance refers to it).

    :raise RoundsError: already ended.
    """
    if row.ended_on is not None:
        raise RoundsError("ended_on", N_("这项包保已经结束"))
    row.ended_on = max(on, row.started_on)
    db.session.flush()
    audit.record("rounds.unassign", row, user=actor, detail={"ended_on": row.ended_on.isoformat()})


def record_check(actor, child, duty: str, checked_on: date | None, method: str, finding: str, note: str,
                 today: date) -> RoundCheck:
    """Record a check of ``child``'s care by ``actor``.

    :raise RoundsError: a missing or future date, an unknown duty, method or finding, a note
        too long, or a concern with no note saying what it is.
    """
    if duty not in vocab.DUTIES:
        raise RoundsError("duty", N_("请选择检查类型"))
    if checked_on is None:
        raise RoundsError("checked_on", N_("请填写检查日期"))
    if checked_on > today:
        raise RoundsError("checked_on", N_("检查日期不能晚于今天"))
    if method not in vocab.METHODS:
        raise RoundsError("method", N_("请选择检查方式"))
    if finding not in vocab.FINDINGS:
        raise RoundsError("finding", N_("请选择检查结果"))
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise RoundsError("note", N_("情况说明最多500个字"))
    if finding == "concern" and not note:
        raise RoundsError("note", N_("发现问题时请写明是什么问题"))
    row = RoundCheck(child_id=child.id, user_id=actor.id, duty=duty, checked_on=checked_on, method=method,
                     finding=finding, note=note or None)
    db.session.add(row)
    db.session.flush()
    audit.record("rounds.check", row, user=actor,
                 detail={"child_id": child.id, "duty": duty, "finding": finding, "on": checked_on.isoformat()})
    return row


def save_rule(actor, division: Division, duty: str, every: str, sample_size: int | None) -> RoundRule:
    """Set ``division``'s own cadence for ``duty``.

    :raise RoundsError: an unknown duty or period, or a sample size outside 1–100.
    """
    if duty not in vocab.DUTIES:
        raise RoundsError("duty", N_("请选择检查类型"))
    if every not in vocab.EVERY:
        raise RoundsError("every", N_("请选择频次"))
    size = sample_size if sample_size is not None else vocab.DEFAULT_SAMPLE
    if not 1 <= size <= 100:
        raise RoundsError("sample_size", N_("每期抽查人数应在1到100之间"))
    rule = db.session.scalar(sa.select(RoundRule).where(RoundRule.division_id == division.id, RoundRule.duty == duty))
    before = {"every": rule.every, "sample_size": rule.sample_size} if rule else None
    if rule is None:
        rule = RoundRule(division_id=division.id, duty=duty)
        db.session.add(rule)
    rule.every, rule.sample_size, rule.updated_by_id = every, size, actor.id
    db.session.flush()
    audit.record("rounds.rule", rule, user=actor,
                 detail={"division_id": division.id, "duty": duty, "every": every, "sample_size": size,
                         "before": before})
    return rule
