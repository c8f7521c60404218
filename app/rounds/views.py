"""包保与检查 pages: my duties, recording a check, assignments, compliance, the region's rules."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.children.models import Child, Household
from app.core.dates import today_cn
from app.core.i18n import N_
from app.core.models import Division
from app.children.scope import children_scope
from app.core.permissions import divisions_scope, has_permission, policy
from app.extensions import db
from app.rounds import queries, services, vocab
from app.rounds.blueprint import bp
from app.rounds.models import Assignment


def _date(field: str, errors: dict, default: date | None = None) -> date | None:
    text = (request.form.get(field) or "").strip()
    if not text:
        return default
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[field] = _("日期格式应为 年-月-日")
        return None


@bp.route("/")
@policy("rounds.view")
def index():
    today = today_cn()
    return render_template("rounds/index.html", duties=queries.duties_of(current_user, today), today=today)


def _duty_choices() -> list[str]:
    """The duties the user can record a check under: their role's, and 包保 for everyone."""
    own = [d for d, roles in vocab.DUTY_ROLES.items() if current_user.role in roles]
    return own + ["contact"]


@bp.route("/children/<int:child_id>/check", methods=["GET", "POST"])
@policy("rounds.check")
def check(child_id: int):
    child = db.session.scalar(sa.select(Child).where(
        Child.id == child_id, sa.or_(children_scope(current_user), queries.covered_clause(current_user, today_cn()))))
    if child is None:
        abort(404)
    choices = _duty_choices()
    values, errors = dict(request.form), {}
    if request.method == "GET":
        values = {"duty": request.args.get("duty") if request.args.get("duty") in choices else choices[0],
                  "checked_on": today_cn().isoformat()}
    else:
        day = _date("checked_on", errors)
        duty = request.form.get("duty", "")
        if duty not in choices:
            errors["duty"] = _("请选择检查类型")
        if not errors:
            try:
                row = services.record_check(current_user, child, duty, day, request.form.get("method", ""),
                                            request.form.get("finding", ""), request.form.get("note", ""), today_cn())
                db.session.commit()
            except services.RoundsError as exc:
                db.session.rollback()
                errors[exc.field] = _(exc.message)
            else:
                return _after_check(child, row.finding)
    return render_template("rounds/check.html", child=child, choices=choices, values=values, errors=errors), \
        400 if errors else 200


def _after_check(child: Child, finding: str):
    if finding != "concern":
        flash(_("已记录对 %(name)s 的检查", name=child.name), "success")
        return redirect(url_for("rounds.index"))
    flash(_("已记录检查。发现的问题请接着登记为待办事项，紧急情况请立即强制报告。"), "warning")
    if has_permission(current_user, "duties.manage"):
        return redirect(url_for("protection.child_new", child_id=child.id, kind="finding"))
    return redirect(url_for("children.detail", child_id=child.id))


# ------------------------------------------------------------------------------ assignments


def _people():
    """Whom the user may assign: active cadres and staff of their region (school staff by their school)."""
    from app.auth.models import User
    from app.core.models import Organisation

    region = sa.select(Division.id).where(divisions_scope(current_user))
    schools = sa.select(Organisation.id).where(Organisation.division_id.in_(region))
    return db.session.scalars(sa.select(User).where(
        User.active.is_(True), User.role.in_(services.ASSIGNABLE_ROLES),
        sa.or_(User.division_id.in_(region), User.organisation_id.in_(schools)))
        .order_by(User.role, User.display_name).limit(500)).all()


def _divisions():
    return db.session.scalars(sa.select(Division).where(divisions_scope(current_user),
                                                        Division.level.in_(("township", "village")))
                              .order_by(Division.code).limit(2000)).all()


def _assignments():
    return db.session.scalars(sa.select(Assignment).where(
        Assignment.division_id.in_(sa.select(Division.id).where(divisions_scope(current_user))))
        .order_by(Assignment.ended_on.is_not(None), Assignment.division_id, Assignment.id).limit(1000)).all()


def _assignments_page(values: dict, errors: dict, status: int = 200):
    from app.rounds.models import household_label

    households = db.session.scalars(sa.select(Household).where(
        Household.division_id.in_(sa.select(Division.id).where(divisions_scope(current_user))))
        .order_by(Household.division_id, Household.village_group, Household.id).limit(2000)).all()
    return render_template("rounds/assignments.html", rows=_assignments(), people=_people(), divisions=_divisions(),
                           households=households, household_label=household_label, values=values,
                           errors=errors, today=today_cn()), status


@bp.route("/assignments", methods=["GET", "POST"])
@policy("rounds.manage")
def assignments():
    if request.method == "GET":
        return _assignments_page({"started_on": today_cn().isoformat()}, {})
    errors: dict = {}
    person = next((p for p in _people() if p.id == request.form.get("user_id", type=int)), None)
    division = next((d for d in _divisions() if d.id == request.form.get("division_id", type=int)), None)
    household = None
    if request.form.get("household_id", type=int):
        household = db.session.scalar(sa.select(Household).where(
            Household.id == request.form.get("household_id", type=int),
            Household.division_id.in_(sa.select(Division.id).where(divisions_scope(current_user)))))
    if person is None:
        errors["user_id"] = _("请选择您负责范围内的人员")
    if division is None:
        errors["division_id"] = _("请选择您负责范围内的镇或村")
    started = _date("started_on", errors, today_cn())
    if not errors:
        try:
            services.create_assignment(current_user, person, request.form.get("kind", ""), division,
                                       village_group=request.form.get("village_group", ""), household=household,
                                       started_on=started)
            db.session.commit()
            flash(_("已指派：%(name)s", name=person.display_name), "success")
            return redirect(url_for("rounds.assignments"))
        except services.RoundsError as exc:
            db.session.rollback()
            errors[exc.field] = _(exc.message)
    return _assignments_page(dict(request.form), errors, 400)


@bp.route("/assignments/<int:assignment_id>/end", methods=["POST"])
@policy("rounds.manage")
def assignment_end(assignment_id: int):
    row = db.session.scalar(sa.select(Assignment).where(
        Assignment.id == assignment_id,
        Assignment.division_id.in_(sa.select(Division.id).where(divisions_scope(current_user)))))
    if row is None:
        abort(404)
    try:
        services.end_assignment(current_user, row, today_cn())
    except services.RoundsError as exc:
        db.session.rollback()
        return _assignments_page({}, {"ended_on": _(exc.message)}, 400)
    db.session.commit()
    flash(_("已结束这项包保"), "success")
    return redirect(url_for("rounds.assignments"))


# ------------------------------------------------------------------------------ compliance and rules


@bp.route("/compliance")
@policy("rounds.compliance")
def compliance():
    today = today_cn()
    from app.auth.models import ROLES

    rows, total = queries.compliance(current_user, today)
    return render_template("rounds/compliance.html", rows=rows, total=total, today=today, roles=ROLES)


def _rules_page(errors: dict, status: int = 200):
    region = current_user.division
    current = {d: queries.rule_for(region, d) for d in vocab.DUTIES}
    return render_template("rounds/rules.html", region=region, current=current, errors=errors,
                           values=dict(request.form)), status


@bp.route("/rules", methods=["GET", "POST"])
@policy("rounds.rules")
def rules():
    if request.method == "GET":
        return _rules_page({})
    region = current_user.division
    try:
        if region is None:  # an administrator without a region
            raise services.RoundsError("every", N_("请先选择地区"))
        for duty in vocab.DUTIES:
            services.save_rule(current_user, region, duty, request.form.get(f"every_{duty}", ""),
                               request.form.get(f"sample_{duty}", type=int))
        db.session.commit()
    except services.RoundsError as exc:
        db.session.rollback()
        return _rules_page({exc.field: _(exc.message)}, 400)
    flash(_("已保存%(region)s的检查频次", region=region.full_name), "success")
    return redirect(url_for("rounds.rules"))
