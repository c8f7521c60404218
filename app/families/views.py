"""Families pages: children whose parents have gone silent, family-education reach per village,
the silence rule, and each child's record of calls, video chats and visits."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.children.models import Child
from app.core import audit
from app.core.dates import today_cn
from app.core.i18n import N_
from app.core.models import Division
from app.core.permissions import divisions_scope, get_in_scope_or_404, has_permission, policy
from app.children.scope import children_scope
from app.extensions import db
from app.families import models, services
from app.families.blueprint import bp


@bp.route("/")
@policy("families.view")
def index():
    today = today_cn()
    silent = services.silent_children(current_user, today)
    reach = services.family_education_reach(current_user, today) if current_user.role != "volunteer" else []
    region = current_user.division
    return render_template("families/index.html", silent=silent[:300], silent_total=len(silent), reach=reach,
                           today=today, target=services.REACH_TARGET, region=region,
                           rule=services.rule_days(region.path) if region else models.DEFAULT_CONTACT_DAYS,
                           errors={})


@bp.route("/rule", methods=["POST"])
@policy("families.rules")
def rule():
    region = current_user.division
    wanted = request.form.get("division", type=int)
    if wanted is not None:
        region = db.session.scalar(sa.select(Division).where(Division.id == wanted, divisions_scope(current_user)))
        if region is None:
            abort(404)
    try:
        if region is None:  # an administrator without a region must name one
            raise services.FamilyError("every_days", N_("请先选择地区"))
        services.save_rule(current_user, region, request.form.get("every_days", type=int))
    except services.FamilyError as exc:
        db.session.rollback()
        today = today_cn()
        return render_template("families/index.html", silent=[], silent_total=0, reach=[], today=today,
                               target=services.REACH_TARGET, region=region, rule=request.form.get("every_days", ""),
                               errors={exc.field: _(exc.message)}), 400
    db.session.commit()
    flash(_("已保存：父母超过 %(n)s 天没有联系孩子时提醒", n=request.form.get("every_days", type=int)), "success")
    return redirect(url_for("families.index"))


def _child_page(child: Child, values: dict | None = None, errors: dict | None = None, status: int = 200):
    rows = db.session.scalars(sa.select(models.ParentContact).where(models.ParentContact.child_id == child.id)
                              .order_by(models.ParentContact.occurred_on.desc(), models.ParentContact.id.desc())
                              .limit(200)).all()
    division = db.session.get(Division, child.division_id)
    return render_template("families/child.html", child=child, rows=rows, values=values or {}, errors=errors or {},
                           today=today_cn(), rule=services.rule_days(division.path),
                           can_log=has_permission(current_user, "families.log")), status


@bp.route("/children/<int:child_id>")
@policy("families.view")
def child(child_id: int):
    found = get_in_scope_or_404(Child, child_id, children_scope)
    audit.record("family.view", found)
    html = _child_page(found)
    db.session.commit()
    return html


@bp.route("/children/<int:child_id>/contacts", methods=["POST"])
@policy("families.log")
def add_contact(child_id: int):
    found = get_in_scope_or_404(Child, child_id, children_scope)
    values = dict(request.form)
    try:
        occurred = date.fromisoformat(values.get("occurred_on", "")) if values.get("occurred_on") else None
    except ValueError:
        return _child_page(found, values, {"occurred_on": _("日期格式应为 年-月-日")}, 400)
    days = request.form.get("days", type=int) if values.get("days") else None
    if values.get("days") and days is None:
        return _child_page(found, values, {"days": _("天数应在1到366之间")}, 400)
    try:
        services.add_contact(current_user, found, occurred, values.get("kind", ""), values.get("parent", ""),
                             values.get("arranged_by", ""), values.get("note", ""), days)
    except services.FamilyError as exc:
        db.session.rollback()
        return _child_page(found, values, {exc.field: _(exc.message)}, 400)
    db.session.commit()
    flash(_("已记录亲情联系"), "success")
    return redirect(url_for("families.child", child_id=found.id))
