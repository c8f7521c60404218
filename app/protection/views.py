"""The tracked duties: the list (also the target of every bulletin figure), an item with its
history and forms, opening by hand, the mandatory report from a child's page, the roster survey,
and case measures."""
from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.children.models import Child
from app.core import audit
from app.core.dates import today_cn
from app.core.errors import show_on_form
from app.core.i18n import N_
from app.core.permissions import deny, get_in_scope_or_404, has_permission, policy
from app.children.scope import children_scope
from app.extensions import db
from app.protection import forms, queries, services, vocab
from app.protection import views_agreements, views_bulletin, views_cases  # noqa: F401 - their routes join the blueprint
from app.protection.blueprint import bp
from app.protection.models import DutyItem

#: the kinds school staff may open and update for their pupils (控辍保学, 户口登记)
SCHOOL_KINDS = ("dropout", "hukou")


def item_or_404(item_id: int) -> DutyItem:
    return get_in_scope_or_404(DutyItem, item_id, queries.items_scope)


def may_work_on(item: DutyItem) -> bool:
    """Directors and coordinators work on every item; school staff on dropout and hukou items."""
    if has_permission(current_user, "duties.manage"):
        return True
    return has_permission(current_user, "duties.track") and item.kind in SCHOOL_KINDS


@bp.route("/")
@policy("duties.view")
def items():
    f = queries.item_filters(request.args)
    page = db.paginate(queries.items_query(current_user, f), page=request.args.get("page", 1, type=int),
                       per_page=50, error_out=False)
    audit.record("duty.list", object_type="duty_items", detail={"count": page.total, **{
        k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in f.items() if v}})
    db.session.commit()
    return render_template("protection/items.html", page=page, f=f, today=today_cn())


def _item_page(item: DutyItem, status: int = 200, **form_overrides):
    from app.children import display

    context = {
        "item": item, "today": today_cn(), "cv": display, "can_work": may_work_on(item),
        "step_form": forms.StepForm(person=current_user.display_name).limit_to(item.kind),
        "close_form": (forms.CloseGapForm(formdata=None, **_gap_defaults(item)) if item.kind == "gap"
                       else forms.CloseItemForm(formdata=None, school_name=(item.detail or {}).get("school"))
                       .limit_to(item.kind)),
    }
    context.update(form_overrides)
    return render_template("protection/item.html", **context), status


def _gap_defaults(item: DutyItem) -> dict:
    """What a case's emergency measure or the query string proposes for closing the gap."""
    args = request.args
    defaults = {k: args[k] for k in ("means", "placement", "guardian_name", "guardian_relation") if args.get(k)}
    return defaults


@bp.route("/<int:item_id>")
@policy("duties.view")
def item(item_id: int):
    found = item_or_404(item_id)
    audit.record("duty.view", found)
    db.session.commit()
    return _item_page(found)


@bp.route("/<int:item_id>/steps", methods=["POST"])
@policy("duties.track")
def item_step(item_id: int):
    found = item_or_404(item_id)
    if not may_work_on(found):
        deny("duties.manage")
    form = forms.StepForm().limit_to(found.kind)
    if form.validate_on_submit():
        try:
            services.add_step(current_user, found, form.action.data, form.on_date.data, form.person.data,
                              result=form.result.data or None, notes=form.notes.data or "")
            db.session.commit()
            flash(_("已记录：%(a)s", a=_(vocab.STEP_ACTIONS[form.action.data])), "success")
            return redirect(url_for("protection.item", item_id=found.id))
        except services.ProtectionError as exc:
            db.session.rollback()
            show_on_form(form, exc, "action")
    return _item_page(item_or_404(item_id), 400, step_form=form)


@bp.route("/<int:item_id>/close", methods=["POST"])
@policy("duties.track")
def item_close(item_id: int):
    found = item_or_404(item_id)
    if not may_work_on(found):
        deny("duties.manage")
    if found.kind == "gap":
        form = forms.CloseGapForm()
        ok = form.validate_on_submit()
        if ok:
            try:
                guardian = services.GuardianInput(form.guardian_name.data, form.guardian_relation.data,
                                                  form.guardian_phone.data or "", form.guardianship_type.data,
                                                  bool(form.confirmed.data))
                services.close_gap(current_user, found, form.means.data, form.outcome_on.data, guardian,
                                   placement=form.placement.data or None, note=form.note.data or "")
                db.session.commit()
                flash(_("已落实有效监护，儿童档案的监护人信息已更新。"), "success")
                return redirect(url_for("protection.item", item_id=found.id))
            except services.ProtectionError as exc:
                db.session.rollback()
                show_on_form(form, exc, "means")
    else:
        form = forms.CloseItemForm().limit_to(found.kind)
        if form.validate_on_submit():
            try:
                schooling = services.Schooling(form.schooling.data or None, form.school_name.data or "",
                                               form.grade.data or "")
                services.close_item(current_user, found, form.outcome.data, form.outcome_on.data,
                                    form.note.data or "", schooling=schooling)
                db.session.commit()
                flash(_("事项已办结。"), "success")
                return redirect(url_for("protection.item", item_id=found.id))
            except services.ProtectionError as exc:
                db.session.rollback()
                show_on_form(form, exc, "outcome")
    return _item_page(item_or_404(item_id), 400, close_form=form)


def _openable_kinds() -> tuple[str, ...]:
    if has_permission(current_user, "duties.manage"):
        return ("dropout", "hukou", "finding")
    return SCHOOL_KINDS


@bp.route("/children/<int:child_id>/new", methods=["GET", "POST"])
@policy("duties.track")
def child_new(child_id: int):
    child = get_in_scope_or_404(Child, child_id, children_scope)
    form = forms.OpenItemForm().limit_to(_openable_kinds())
    if request.method == "GET" and request.args.get("kind") in _openable_kinds():
        form.kind.data = request.args["kind"]
    if form.validate_on_submit():
        kind = form.kind.data
        reason = {"dropout": "dropped_out", "hukou": "no_hukou"}.get(kind) or form.reason.data
        try:
            if kind == "finding" and reason not in vocab.FINDING_KINDS:
                raise services.ProtectionError("reason", N_("请选择发现的情况（安全隐患、需求或需跟进事项）"))
            if kind != "finding" and services.open_item_of(child.id, kind):
                raise services.ProtectionError("kind", N_("该儿童已有未办结的同类事项"))
            detail = {"school": child.school_name or (child.school.name if child.school else None)} \
                if kind == "dropout" else {}
            created = services.open_item(current_user, child, kind, reason, summary=form.summary.data,
                                         detail=detail, deadline=form.deadline.data)
            db.session.commit()
            flash(_("已登记：%(k)s", k=_(vocab.KINDS[kind])), "success")
            return redirect(url_for("protection.item", item_id=created.id))
        except services.ProtectionError as exc:
            db.session.rollback()
            show_on_form(form, exc, "kind")
    status = 400 if request.method == "POST" else 200
    return render_template("protection/new.html", form=form, child=child), status


@bp.route("/children/<int:child_id>/report", methods=["GET", "POST"])
@policy("cases.report")
def child_report(child_id: int):
    """强制报告 from the child's page: the case opens (with the existing escalation) and the
    110 alert page follows."""
    from app.activities import cases as case_service
    from app.activities.errors import ActivityError

    child = get_in_scope_or_404(Child, child_id, children_scope)
    form = forms.ReportForm()
    if request.method == "GET" and request.args.get("concern") in dict(form.concerns.choices):
        form.concerns.data = [request.args["concern"]]
    if form.validate_on_submit():
        try:
            case = case_service.open_case(current_user, child, None, form.concerns.data or [], form.note.data or "")
            db.session.commit()
            return redirect(url_for("activities.case_alert", case_id=case.id))
        except ActivityError as exc:
            db.session.rollback()
            form.concerns.errors = list(form.concerns.errors) + [_(exc.message)]
    status = 400 if request.method == "POST" else 200
    return render_template("protection/report.html", form=form, child=child), status


@bp.route("/survey")
@policy("duties.manage")
def survey():
    """边排查、边发现、边报告: every 无人监护 child on the roster, and whether a report is open."""
    from app.activities.models import ProtectionCase

    children = list(db.session.scalars(
        sa.select(Child).where(children_scope(current_user), Child.status == "active",
                               Child.guardianship_type == "none").order_by(Child.division_id, Child.id)))
    open_cases = {row.child_id: row for row in db.session.scalars(
        sa.select(ProtectionCase).where(ProtectionCase.child_id.in_([c.id for c in children]),
                                        ProtectionCase.status != "closed"))}
    audit.record("duty.survey", object_type="children", detail={"count": len(children)})
    db.session.commit()
    return render_template("protection/survey.html", children=children, open_cases=open_cases)
