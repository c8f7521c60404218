"""Coordinator and director views: overdue by township, village and volunteer; priority children
without contact; children without a carer; the region's cadence rules."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.activities import cases as case_service
from app.activities import forms, queries, services, vocab
from app.activities.blueprint import bp
from app.activities.cadence import DEFAULT_RULES, Rule
from app.activities.models import ProtectionCase
from app.core.dates import today_cn
from app.core.models import Division
from app.core.permissions import divisions_scope, policy
from app.extensions import db
from app.children.models import Child
from app.matching.models import Pair
from app.volunteers.models import VOLUNTEER_KINDS


def _case_counts() -> dict[str, int]:
    scope = case_service.cases_scope(current_user)
    row = db.session.execute(sa.select(
        sa.func.count(),
        sa.func.count().filter(ProtectionCase.acknowledged_at.is_(None)),
        sa.func.count().filter(ProtectionCase.acknowledged_at.is_(None), ProtectionCase.escalated_at.is_not(None)),
    ).where(scope, ProtectionCase.status != "closed")).one()
    return {"open": row[0], "unacknowledged": row[1], "escalated": row[2]}


@bp.route("/overdue")
@policy("overdue.view")
def overdue():
    day = today_cn()
    statuses = queries.pair_statuses(current_user, day)
    groups = queries.summarise(statuses)
    return render_template(
        "activities/overdue.html", today=day, groups=groups, pairs=len(statuses),
        overdue_pairs=sum(1 for s in statuses if s.overdue),
        no_contact=queries.count_of(queries.no_contact_query(current_user, day)),
        no_carer=queries.count_of(queries.no_carer_query(current_user)), case_counts=_case_counts(),
        no_contact_days=queries.NO_CONTACT_DAYS)


def _filters():
    extra, label = [], ""
    if (village := request.args.get("village", type=int)) is not None:
        extra.append(Child.division_id == village)
        label = db.session.scalar(sa.select(Division.name).where(Division.id == village)) or ""
    if (township := request.args.get("township", type=int)) is not None:
        extra.append(Child.division_id.in_(sa.select(Division.id).where(Division.parent_id == township)))
        label = db.session.scalar(sa.select(Division.name).where(Division.id == township)) or ""
    if (volunteer := request.args.get("volunteer", type=int)) is not None:
        extra.append(Pair.volunteer_id == volunteer)
    return extra, label


@bp.route("/overdue/pairs")
@policy("overdue.view")
def overdue_list():
    day = today_cn()
    extra, label = _filters()
    kind = request.args.get("kind", "")
    rows = []
    villages = {}
    for status in queries.pair_statuses(current_user, day, extra):
        for item in status.overdue:
            if not kind or item.kind == kind:
                rows.append((status, item))
    if rows:
        villages = {d.id: d for d in db.session.scalars(
            sa.select(Division).where(Division.id.in_({s.village_id for s, _ in rows})))}
    rows.sort(key=lambda r: (-r[1].days_overdue, r[0].child_name))
    return render_template("activities/overdue_list.html", rows=rows, villages=villages, label=label,
                           kind=kind, vocab=vocab, today=day)


@bp.route("/overdue/no-contact")
@policy("overdue.view")
def no_contact():
    day = today_cn()
    page = db.paginate(queries.no_contact_query(current_user, day), page=request.args.get("page", 1, type=int),
                       per_page=50, error_out=False)
    return render_template("activities/child_list.html", page=page, mode="no_contact", today=day,
                           days=queries.NO_CONTACT_DAYS, lasts=queries.last_contacts(c.id for c in page.items))


@bp.route("/overdue/no-carer")
@policy("overdue.view")
def no_carer():
    page = db.paginate(queries.no_carer_query(current_user), page=request.args.get("page", 1, type=int),
                       per_page=50, error_out=False)
    return render_template("activities/child_list.html", page=page, mode="no_carer", today=today_cn(),
                           days=queries.NO_CONTACT_DAYS, lasts={})


def _region() -> Division | None:
    wanted = request.values.get("division", type=int)
    if wanted is not None:
        region = db.session.scalar(sa.select(Division).where(Division.id == wanted, divisions_scope(current_user)))
        if region is None:
            abort(404)
        return region
    return current_user.division


@bp.route("/rules", methods=["GET", "POST"])
@policy("activities.rules")
def rules():
    region = _region()
    if region is None:  # an administrator picks a county first
        counties = db.session.scalars(sa.select(Division).where(Division.level == "county")
                                      .order_by(Division.code)).all()
        return render_template("activities/rules_region.html", counties=counties)
    effective = services.RuleBook().for_path(region.path)
    posted_kind = request.form.get("volunteer_kind") if request.method == "POST" else None
    if posted_kind is not None and posted_kind not in VOLUNTEER_KINDS:
        abort(400)
    rule_forms = []
    for kind, label in VOLUNTEER_KINDS.items():
        if kind == posted_kind:
            form = forms.RuleForm(prefix=kind)
        else:
            form = forms.RuleForm(formdata=None, obj=effective[kind], prefix=kind)
        rule_forms.append((kind, label, form, effective[kind] == DEFAULT_RULES[kind]))
    if posted_kind is None:
        return render_template("activities/rules.html", region=region, rule_forms=rule_forms)
    form = next(f for k, _label, f, _d in rule_forms if k == posted_kind)
    if form.validate_on_submit():
        rule = Rule(talk_every=form.talk_every.data, talk_term_only=form.talk_term_only.data,
                    visit_every=form.visit_every.data, first_visit_days=form.first_visit_days.data,
                    holiday_reminders=form.holiday_reminders.data)
        try:
            services.save_rule(current_user, region, posted_kind, rule)
            db.session.commit()
            flash(_("已保存%(kind)s的关爱频次规则", kind=_(VOLUNTEER_KINDS[posted_kind])), "success")
            return redirect(url_for("activities.rules", division=region.id))
        except services.ActivityError as exc:
            db.session.rollback()
            form.talk_every.errors = list(form.talk_every.errors) + [_(exc.message)]
    return render_template("activities/rules.html", region=region, rule_forms=rule_forms), 400
