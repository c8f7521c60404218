"""帮扶计划 pages: a child's plans, a new plan, a plan with its milestones and reviews."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.children.models import Child
from app.core.dates import today_cn
from app.children.scope import children_scope
from app.core.permissions import get_in_scope_or_404, has_permission, policy
from app.extensions import db
from app.plans import models, services
from app.plans.models import HelpMilestone, HelpPlan

bp = Blueprint("plans", __name__, url_prefix="/plans")
REVIEW_LOG_DAYS = 60  # talks and visits offered to a review: those of the last two months


@bp.context_processor
def inject_vocabulary():
    return {"pv": models}


def plan_or_404(plan_id: int) -> HelpPlan:
    """A plan of a child the user may see.

    :raise 404: when it does not exist or its child is out of scope.
    """
    plan = db.session.scalar(sa.select(HelpPlan).join(Child, HelpPlan.child_id == Child.id)
                             .where(HelpPlan.id == plan_id, children_scope(current_user)))
    if plan is None:
        abort(404)
    return plan


def _date(field: str, errors: dict) -> date | None:
    text = (request.form.get(field) or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[field] = _("日期格式应为 年-月-日")
        return None


def _pairs(child: Child):
    from app.matching.models import Pair

    return db.session.scalars(sa.select(Pair).where(Pair.child_id == child.id, Pair.status == "active")).all()


@bp.route("/children/<int:child_id>")
@policy("plans.view")
def child(child_id: int):
    kid = get_in_scope_or_404(Child, child_id, children_scope)
    plans = db.session.scalars(sa.select(HelpPlan).where(HelpPlan.child_id == kid.id)
                               .order_by(HelpPlan.status.desc(), HelpPlan.starts_on.desc())).all()
    return render_template("plans/child.html", child=kid, plans=plans, can_edit=has_permission(current_user, "plans.edit"))


@bp.route("/children/<int:child_id>/new", methods=["GET", "POST"])
@policy("plans.edit")
def new(child_id: int):
    kid = get_in_scope_or_404(Child, child_id, children_scope)
    pairs = _pairs(kid)
    values, errors = dict(request.form), {}
    if request.method == "GET":
        values = {"starts_on": today_cn().isoformat(), "pair_id": str(pairs[0].id) if pairs else ""}
    else:
        pair = next((p for p in pairs if p.id == request.form.get("pair_id", type=int)), None)
        starts = _date("starts_on", errors)
        if not errors:
            try:
                plan = services.create_plan(current_user, kid, pair, request.form.get("helper", ""),
                                            request.form.get("goals", ""), request.form.get("schedule", ""),
                                            request.form.get("content", ""), starts)
                db.session.commit()
                flash(_("已建立帮扶计划"), "success")
                return redirect(url_for("plans.detail", plan_id=plan.id))
            except services.PlanError as exc:
                db.session.rollback()
                errors[exc.field] = _(exc.message)
    return render_template("plans/new.html", child=kid, pairs=pairs, values=values, errors=errors), \
        400 if errors else 200


def _logs(plan: HelpPlan):
    """The child's talks and visits a review can be made in (recent ones, newest first)."""
    from app.activities.models import CareLog

    since = today_cn() - timedelta(days=REVIEW_LOG_DAYS)
    return db.session.scalars(sa.select(CareLog).where(
        CareLog.child_id == plan.child_id, CareLog.kind.in_(("talk", "visit")), CareLog.occurred_on >= since)
        .order_by(CareLog.occurred_on.desc(), CareLog.id.desc()).limit(30)).all()


def _detail(plan: HelpPlan, errors: dict | None = None, values: dict | None = None, status: int = 200):
    return render_template("plans/detail.html", plan=plan, logs=_logs(plan), errors=errors or {},
                           values=values or {}, today=today_cn(),
                           can_edit=has_permission(current_user, "plans.edit") and plan.status == "open"), status


@bp.route("/<int:plan_id>")
@policy("plans.view")
def detail(plan_id: int):
    return _detail(plan_or_404(plan_id))


def _act(plan: HelpPlan, action):
    """Run ``action`` (a service call); commit and go back to the plan, or show the form's error."""
    try:
        action()
        db.session.commit()
    except services.PlanError as exc:
        db.session.rollback()
        return _detail(plan_or_404(plan.id), {exc.field: _(exc.message)}, dict(request.form), 400)
    flash(_("已保存"), "success")
    return redirect(url_for("plans.detail", plan_id=plan.id))


@bp.route("/<int:plan_id>/milestones", methods=["POST"])
@policy("plans.edit")
def milestones(plan_id: int):
    """Add a milestone, or (``done`` = its id) mark one reached today."""
    plan = plan_or_404(plan_id)
    done = request.form.get("done", type=int)
    if done:
        milestone = db.session.scalar(sa.select(HelpMilestone).where(HelpMilestone.id == done,
                                                                     HelpMilestone.plan_id == plan.id))
        if milestone is None:
            abort(404)
        return _act(plan, lambda: services.complete_milestone(current_user, plan, milestone, today_cn()))
    errors: dict = {}
    due = _date("due_on", errors)
    if errors:
        return _detail(plan, errors, dict(request.form), 400)
    return _act(plan, lambda: services.add_milestone(current_user, plan, request.form.get("title", ""), due))


@bp.route("/<int:plan_id>/reviews", methods=["POST"])
@policy("plans.edit")
def reviews(plan_id: int):
    plan = plan_or_404(plan_id)
    errors: dict = {}
    log = None
    if request.form.get("log_id", type=int):
        log = next((x for x in _logs(plan) if x.id == request.form.get("log_id", type=int)), None)
        if log is None:
            errors["reviewed_on"] = _("请从列表中选择谈心或家访记录")
    day = _date("reviewed_on", errors)
    if errors:
        return _detail(plan, errors, dict(request.form), 400)
    return _act(plan, lambda: services.add_review(current_user, plan, request.form.get("progress", ""),
                                                  request.form.get("note", ""), log, day, today_cn()))


@bp.route("/<int:plan_id>/close", methods=["POST"])
@policy("plans.edit")
def close(plan_id: int):
    plan = plan_or_404(plan_id)
    return _act(plan, lambda: services.close_plan(current_user, plan, request.form.get("outcome", ""), today_cn()))
