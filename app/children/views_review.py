"""Quarterly review (本季度核实): who is still to be checked, and confirming a child."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.children import forms, reviews
from app.children.blueprint import bp
from app.children.models import Child
from app.core.dates import quarter_of, today_cn
from app.core.permissions import get_in_scope_or_404, policy
from app.children.scope import children_scope
from app.extensions import db


@bp.route("/reviews")
@policy("children.review")
def review_list():
    today = today_cn()
    quarter = quarter_of(today)
    groups, total = reviews.unreviewed_by_village(current_user, quarter)
    return render_template(
        "children/review_list.html", groups=groups, total=total, quarter=quarter, today=today,
        done=reviews.reviewed_count(current_user, quarter), deadline=reviews.quarter_deadline(today),
        overdue=reviews.is_overdue(today), shown=sum(len(g.children) for g in groups))


@bp.route("/<int:child_id>/review", methods=["POST"])
@policy("children.review")
def review(child_id: int):
    child = get_in_scope_or_404(Child, child_id, children_scope)
    form = forms.ReviewForm()
    back = url_for("children.review_list") if request.form.get("back") == "list" else \
        url_for("children.detail", child_id=child.id)
    if not form.validate() or child.status != "active":
        flash(_("只能核实在册儿童的档案。") if child.status != "active" else _("核实说明过长"), "error")
        return redirect(back)
    try:
        reviews.review_child(current_user, child, today_cn(), "confirmed", form.note.data)
    except reviews.AlreadyReviewed:
        flash(_("%(name)s 本季度已核实。", name=child.name), "info")
        return redirect(back)
    db.session.commit()
    flash(_("已确认 %(name)s 的档案本季度无变化。", name=child.name), "success")
    return redirect(back)
