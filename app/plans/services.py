"""Making and following a study help plan. Functions flush and audit, never commit."""
from __future__ import annotations

from datetime import date

from app.core import audit
from app.core.errors import UserError
from app.core.i18n import N_
from app.extensions import db
from app.plans.models import PROGRESS, HelpMilestone, HelpPlan, HelpReview

LIMITS = {"helper": 64, "goals": 1000, "schedule": 200, "content": 2000, "title": 128, "note": 1000, "outcome": 1000}
MESSAGES = {"helper": N_("帮扶人最多64个字"), "goals": N_("帮扶目标最多1000个字"), "schedule": N_("帮扶时间最多200个字"),
            "content": N_("帮扶内容最多2000个字"), "title": N_("阶段目标最多128个字"), "note": N_("评估情况最多1000个字"),
            "outcome": N_("结束说明最多1000个字")}


class PlanError(UserError):
    """Bad input, with a message (Chinese source text) for the form field ``field``."""

    def __init__(self, field: str, message: str):
        super().__init__(message, field=field)


def _text(field: str, value: str | None, required: str | None = None) -> str:
    value = (value or "").strip()
    if required and not value:
        raise PlanError(field, required)
    if len(value) > LIMITS[field]:
        raise PlanError(field, MESSAGES[field])
    return value


def _open(plan: HelpPlan) -> None:
    if plan.status != "open":
        raise PlanError("plan", N_("这个帮扶计划已经结束"))


def create_plan(actor, child, pair, helper: str, goals: str, schedule: str, content: str,
                starts_on: date | None) -> HelpPlan:
    """A plan for ``child``; ``pair`` (one of the child's active pairs, or None) names the helper.

    :raise PlanError: a missing goal, time, content, helper or start date, or text too long.
    """
    helper = _text("helper", helper or (pair.volunteer.name if pair is not None else ""), N_("请填写帮扶人"))
    goals = _text("goals", goals, N_("请填写帮扶目标，例如“期末数学达到及格”"))
    schedule = _text("schedule", schedule, N_("请填写帮扶时间，例如“每周三16:30–17:30”"))
    content = _text("content", content, N_("请填写帮扶内容"))
    if starts_on is None:
        raise PlanError("starts_on", N_("请填写开始日期"))
    plan = HelpPlan(child_id=child.id, pair_id=pair.id if pair is not None else None, helper=helper, goals=goals,
                    schedule=schedule, content=content, starts_on=starts_on, created_by_id=actor.id)
    db.session.add(plan)
    db.session.flush()
    audit.record("plan.create", plan, user=actor, detail={"child_id": child.id, "pair_id": plan.pair_id})
    return plan


def add_milestone(actor, plan: HelpPlan, title: str, due_on: date | None) -> HelpMilestone:
    """:raise PlanError: a closed plan, no title or date, or a date before the plan starts."""
    _open(plan)
    title = _text("title", title, N_("请填写阶段目标"))
    if due_on is None:
        raise PlanError("due_on", N_("请填写完成期限"))
    if due_on < plan.starts_on:
        raise PlanError("due_on", N_("完成期限不能早于计划开始日期"))
    row = HelpMilestone(plan_id=plan.id, title=title, due_on=due_on)
    db.session.add(row)
    db.session.flush()
    audit.record("plan.milestone", plan, user=actor, detail={"milestone_id": row.id, "due_on": due_on.isoformat()})
    return row


def complete_milestone(actor, plan: HelpPlan, milestone: HelpMilestone, on: date) -> None:
    """:raise PlanError: a closed plan, or a milestone already reached."""
    _open(plan)
    if milestone.done_on is not None:
        raise PlanError("milestone", N_("这个阶段目标已经完成"))
    milestone.done_on = on
    db.session.flush()
    audit.record("plan.milestone_done", plan, user=actor, detail={"milestone_id": milestone.id})


def add_review(actor, plan: HelpPlan, progress: str, note: str, log=None, reviewed_on: date | None = None,
               today: date | None = None) -> HelpReview:
    """Review the plan in a talk or visit (``log``: its date is the review's) or on ``reviewed_on``.

    :raise PlanError: a closed plan, an unknown progress, no note, or a date missing or in the future.
    """
    _open(plan)
    if progress not in PROGRESS:
        raise PlanError("progress", N_("请选择进展情况"))
    note = _text("note", note, N_("请写明这次评估的情况，例如作业完成和成绩变化"))
    day = log.occurred_on if log is not None else reviewed_on
    if day is None:
        raise PlanError("reviewed_on", N_("请选择在哪次谈心中评估，或填写评估日期"))
    if today is not None and day > today:
        raise PlanError("reviewed_on", N_("评估日期不能晚于今天"))
    row = HelpReview(plan_id=plan.id, log_id=log.id if log is not None else None, reviewed_on=day,
                     progress=progress, note=note, by_id=actor.id)
    db.session.add(row)
    db.session.flush()
    audit.record("plan.review", plan, user=actor, detail={"review_id": row.id, "log_id": row.log_id,
                                                          "progress": progress})
    return row


def close_plan(actor, plan: HelpPlan, outcome: str, on: date) -> None:
    """:raise PlanError: already closed, or no outcome written."""
    _open(plan)
    plan.outcome = _text("outcome", outcome, N_("请写明计划结束时的帮扶效果"))
    plan.status, plan.closed_on = "closed", on
    db.session.flush()
    audit.record("plan.close", plan, user=actor, detail={"closed_on": on.isoformat()})
