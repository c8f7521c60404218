"""The village's household-by-household check (逐户核查): the villages, one village's households
by 村民小组, ticking a household as checked, and the Excel export."""
from __future__ import annotations

import io
from datetime import date

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from app.children import village_check
from app.children.blueprint import bp
from app.children.models import Household
from app.core import audit
from app.core.dates import today_cn
from app.core.models import Division
from app.core.permissions import divisions_scope, get_in_scope_or_404, policy
from app.extensions import db


def _since() -> date:
    """The start of the period checked: this quarter, or a past one asked for (?since=)."""
    today = today_cn()
    try:
        asked = date.fromisoformat(request.args.get("since", ""))
    except ValueError:
        asked = None
    return village_check.quarter_start(asked if asked and asked <= today else today)


def _village(village_id: int) -> Division:
    """A village in the user's area; 404 for anything else (no existence leak)."""
    village = get_in_scope_or_404(Division, village_id, divisions_scope)
    if village.level != "village":
        abort(404)
    return village


@bp.route("/households")
@policy("children.edit")
def household_villages():
    since = _since()
    villages = village_check.villages_in(divisions_scope(current_user))
    if len(villages) == 1:
        return redirect(url_for("children.village_households", village_id=villages[0].id))
    counts = village_check.village_counts(villages, since)
    return render_template("children/household_villages.html", villages=villages, counts=counts, since=since)


@bp.route("/households/village/<int:village_id>")
@policy("children.edit")
def village_households(village_id: int):
    village = _village(village_id)
    found = village_check.village_check(village, _since())
    audit.record("household.list", village, detail=found.counts())
    html = render_template("children/households.html", found=found, counts=found.counts(),
                           form=FlaskForm(), today=today_cn())
    db.session.commit()
    return html


@bp.route("/households/<int:household_id>/check", methods=["POST"])
@policy("children.edit")
def check_household(household_id: int):
    household = db.session.get(Household, household_id)
    if household is None:
        abort(404)
    village = _village(household.division_id)
    back = url_for("children.village_households", village_id=village.id) + f"#h{household.id}"
    if not FlaskForm().validate_on_submit():
        flash(_("页面已过期，请刷新后再点“核查无误”。"), "error")
        return redirect(back)
    try:
        new = village_check.check_household(current_user, household, today_cn())[1]
    except village_check.NothingToCheck:
        flash(_("这一户没有在册儿童，无需核查。"), "info")
        return redirect(back)
    db.session.commit()
    name = household.head_name or household.guardian_name or ""
    flash(_("已记录：%(name)s 户本季度核查无误。", name=name) if new else
          _("%(name)s 户本季度已核查过。", name=name), "success" if new else "info")
    return redirect(back)


@bp.route("/households/village/<int:village_id>.xlsx")
@policy("children.export")
def village_households_xlsx(village_id: int):
    village = _village(village_id)
    found = village_check.village_check(village, _since())
    labels = {
        "sheet": _("逐户核查"), "title": _("{village} 逐户核查（{since} 起）"), "group": _("村民小组"),
        "household": _("户主"), "guardian": _("监护人"), "address": _("住址"), "child": _("儿童姓名"),
        "sex": _("性别"), "born": _("出生日期"), "status": _("类别"), "checked_on": _("核查日期"),
        "checked_by": _("核查人"), "no_group": _("未填小组"), "no_household": _("未建户"), "male": _("男"),
        "female": _("女"), "left_behind": _("留守"), "difficulty": _("困境")}
    buf = io.BytesIO()
    village_check.write_xlsx(found, buf, labels)
    audit.record("household.export", village, detail=found.counts())
    db.session.commit()
    buf.seek(0)
    return send_file(buf, as_attachment=True, download_name=f"households-{village.code}-{found.since}.xlsx",
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
