"""Case measures: recorded from the case page, listed for the bulletin's figures."""
from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.activities.views_cases import case_or_404
from app.core import audit
from app.core.dates import today_cn
from app.extensions import db
from app.core.permissions import policy
from app.protection import forms, measures, queries, services, vocab
from app.protection.blueprint import bp


@bp.app_context_processor
def inject_case_helpers():
    def case_measures(case):
        found = measures.measures_of(case)
        return {"measures": found, "proposal": measures.gap_proposal(case, found),
                "form": forms.MeasureForm(formdata=None)}

    return {"case_measures": case_measures}


@bp.route("/cases/<int:case_id>/measures", methods=["POST"])
@policy("cases.view")
def case_measure(case_id: int):
    case = case_or_404(case_id)
    form = forms.MeasureForm()
    if form.validate_on_submit():
        try:
            measures.add_measure(current_user, case, form.kind.data, form.on_date.data, status=form.status.data,
                                 due_on=form.due_on.data, placement=form.placement.data or None,
                                 notes=form.notes.data or "")
            db.session.commit()
            flash(_("已记录措施：%(m)s", m=_(vocab.MEASURES[form.kind.data][1])), "success")
            return redirect(url_for("activities.case_detail", case_id=case.id) + "#measures")
        except services.ProtectionError as exc:
            db.session.rollback()
            target = getattr(form, exc.field or "kind")
            target.errors = list(target.errors) + [_(exc.message)]
    case = case_or_404(case_id)
    from app.activities import cases as case_service
    from app.activities import vocab as av
    from app.activities.forms import StepForm
    from app.core.permissions import has_permission

    found = measures.measures_of(case)
    return render_template("activities/case_detail.html", case=case, vocab=av, av=av,
                           show_reporter=case_service.can_see_reporter(current_user, case),
                           handler=has_permission(current_user, "cases.view"), police=case_service.POLICE_NUMBER,
                           step_form=StepForm(formdata=None, status=case.status, person=current_user.display_name),
                           measure_state={"measures": found, "proposal": measures.gap_proposal(case, found),
                                          "form": form}), 400


@bp.route("/measures")
@policy("cases.read")
def measure_list():
    def day(name):
        try:
            return date.fromisoformat(request.args.get(name, ""))
        except ValueError:
            return None
    kind = request.args.get("kind") if request.args.get("kind") in vocab.MEASURES else None
    status = request.args.get("status") if request.args.get("status") in vocab.MEASURE_STATUSES else None
    due = request.args.get("due") == "1"
    stmt = queries.measures_query(current_user, kind, status, request.args.get("division", type=int),
                                  day("from"), day("to"), due=due)
    page = db.paginate(stmt, page=request.args.get("page", 1, type=int), per_page=50, error_out=False)
    audit.record("case.measure_list", object_type="case_measures", detail={"count": page.total, "kind": kind})
    db.session.commit()
    return render_template("protection/measures.html", page=page, kind=kind, status=status, due=due,
                           today=today_cn())
