"""Mandatory report: the 110 alert page, the record of reports, and protection-case handling."""
from __future__ import annotations

from datetime import timezone

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.activities import cases as case_service
from app.activities import forms, vocab
from app.activities.blueprint import bp
from app.activities.models import ProtectionCase
from app.activities.errors import ActivityError
from app.core.errors import show_on_form
from app.core import audit
from app.core.dates import CHINA
from app.core.permissions import has_permission, policy
from app.extensions import db


def case_or_404(case_id: int) -> ProtectionCase:
    """A case in the user's case scope.

    :raise 404: when it does not exist or is out of scope.
    """
    case = db.session.scalar(sa.select(ProtectionCase).where(ProtectionCase.id == case_id,
                                                             case_service.cases_scope(current_user)))
    if case is None:
        abort(404)
    return case


def _context(case: ProtectionCase) -> dict:
    return {"case": case, "vocab": vocab, "show_reporter": case_service.can_see_reporter(current_user, case),
            "handler": has_permission(current_user, "cases.view"), "police": case_service.POLICE_NUMBER}


@bp.route("/cases")
@policy("cases.read")
def cases():
    show = request.args.get("show", "open")
    stmt = sa.select(ProtectionCase).where(case_service.cases_scope(current_user))
    if show != "all":
        stmt = stmt.where(ProtectionCase.status != "closed")
    page = db.paginate(stmt.order_by(*case_service.case_list_order()), page=request.args.get("page", 1, type=int),
                       per_page=50, error_out=False)
    audit.record("case.list", object_type="protection_cases", detail={"count": page.total, "show": show})
    db.session.commit()
    return render_template("activities/cases.html", page=page, show=show,
                           can_see_reporter=case_service.can_see_reporter)


@bp.route("/cases/<int:case_id>")
@policy("cases.read")
def case_detail(case_id: int):
    case = case_or_404(case_id)
    audit.record("case.view", case)
    db.session.commit()
    step_form = forms.StepForm(status=case.status, person=current_user.display_name)
    return render_template("activities/case_detail.html", step_form=step_form, **_context(case))


@bp.route("/cases/<int:case_id>/alert")
@policy("cases.report")
def case_alert(case_id: int):
    """The full-screen "call 110 now" page, rendered by the server so it works without JavaScript."""
    case = case_or_404(case_id)
    audit.record("case.view", case, detail={"page": "alert"})
    db.session.commit()
    return render_template("activities/case_alert.html", form=forms.ReportForm(), **_context(case))


@bp.route("/cases/<int:case_id>/reports", methods=["POST"])
@policy("cases.report")
def case_report(case_id: int):
    case = case_or_404(case_id)
    form = forms.ReportForm()
    if form.validate_on_submit():
        try:
            when = form.reported_at.data.replace(tzinfo=CHINA).astimezone(timezone.utc)
            case_service.record_reports(current_user, case, form.agencies.data, when, form.reference.data or "")
            db.session.commit()
            flash(_("已记录报告情况。儿童主任和协调员已能看到此案件。"), "success")
            return redirect(url_for("activities.case_alert", case_id=case.id))
        except ActivityError as exc:
            db.session.rollback()
            form.agencies.errors = list(form.agencies.errors) + [_(exc.message)]
    return render_template("activities/case_alert.html", form=form, **_context(case)), 400


@bp.route("/cases/<int:case_id>/acknowledge", methods=["POST"])
@policy("cases.view")
def case_acknowledge(case_id: int):
    case = case_or_404(case_id)
    if case_service.acknowledge_case(current_user, case):
        flash(_("已确认收到，案件不再升级提醒。"), "success")
    db.session.commit()
    return redirect(url_for("activities.case_detail", case_id=case.id))


@bp.route("/cases/<int:case_id>/steps", methods=["POST"])
@policy("cases.view")
def case_step(case_id: int):
    case = case_or_404(case_id)
    form = forms.StepForm()
    if form.validate_on_submit():
        try:
            case_service.advance_case(current_user, case, form.status.data, form.on_date.data, form.person.data,
                                      form.notes.data or "")
            db.session.commit()
            flash(_("已记录处置进展：%(s)s", s=_(vocab.CASE_STATUSES[form.status.data])), "success")
            return redirect(url_for("activities.case_detail", case_id=case.id))
        except ActivityError as exc:
            db.session.rollback()
            show_on_form(form, exc, "status")
    case = case_or_404(case_id)
    return render_template("activities/case_detail.html", step_form=form, **_context(case)), 400
