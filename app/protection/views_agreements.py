"""委托监护责任确认书 pages: the signing rate with the children lacking one (未签订), recording or
renewing one from the child's page, ending one, and its scan (served like the consent scan)."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.children import consent
from app.children.models import Child
from app.core import audit
from app.core.dates import today_cn
from app.core.i18n import N_
from app.core.errors import show_on_form
from app.core.permissions import get_in_scope_or_404, policy
from app.children.scope import children_scope
from app.extensions import db
from app.protection import agreements, forms, services
from app.protection.models import GuardianshipAgreement
from app.protection.blueprint import bp

#: the consent storage's messages name the consent form; these name the 确认书 instead
SCAN_MESSAGES = {
    "同意书扫描件不能超过 8 MB": N_("确认书扫描件不能超过 8 MB"),
    "同意书扫描件只能是 PDF、JPEG 或 PNG 文件": N_("确认书扫描件或照片只能是 PDF、JPEG 或 PNG 文件"),
}
SHOWS = ("missing", "expiring", "signed")


def _day(text: str | None) -> date:
    try:
        day = date.fromisoformat(text or "")
    except ValueError:
        return today_cn()
    return min(day, today_cn())


def _date_arg(name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


@bp.route("/agreements")
@policy("duties.view")
def agreements_list():
    """The signing rate as of a day, and the children lacking a 确认书 (or those due for renewal)."""
    day = _day(request.args.get("day"))
    show = request.args.get("show") if request.args.get("show") in SHOWS else "missing"
    division = request.args.get("division", type=int)
    ids = agreements.needing_ids(current_user, day, division)
    rate = agreements.rate_of(ids, day)
    span = (_date_arg("from"), _date_arg("to"))
    if show == "signed" and any(span):  # those signed in a period (a bulletin's figure), in force or not
        from app.children.models import Child
        from app.children.scope import children_scope
        from app.protection.queries import in_division

        stmt = agreements.signed_between_query(
            sa.and_(children_scope(current_user), in_division(Child.division_id, division)), *span)
    else:
        query = {"missing": agreements.lacking_query, "expiring": agreements.expiring_query,
                 "signed": agreements.signed_query}[show]
        stmt = query(ids, day)
    page = db.paginate(stmt, page=request.args.get("page", 1, type=int), per_page=50, error_out=False)
    audit.record("agreement.list", object_type="guardianship_agreements",
                 detail={"show": show, "day": day.isoformat(), "count": page.total, "division": division})
    db.session.commit()
    return render_template("protection/agreements.html", rate=rate, page=page, show=show, day=day, today=today_cn(),
                           division=division, span=span)


def _scan_from(form) -> tuple[bytes | None, bool]:
    """The uploaded scan's bytes (None when none was chosen) and whether it is acceptable."""
    upload = form.scan.data
    if not upload or not getattr(upload, "filename", ""):
        return None, True
    data = upload.read()
    try:
        consent.check_scan(data)
    except consent.ScanError as exc:
        form.scan.errors = list(form.scan.errors) + [_(SCAN_MESSAGES.get(exc.message, exc.message))]
        return data, False
    return data, True


def _input(form) -> agreements.AgreementInput:
    return agreements.AgreementInput(form.entrusted_by.data, form.parent_names.data or "",
                                     form.guardian_name.data or "", form.guardian_relation.data or "",
                                     form.signed_on.data, form.guardian_phone.data or "", form.valid_until.data,
                                     form.note.data or "")


def _prefill(form, child: Child, current) -> None:
    """A renewal starts from the one in force; a first one from the roster's guardian and parents."""
    source = current or child
    form.guardian_name.data = source.guardian_name
    form.guardian_relation.data = source.guardian_relation
    if current is not None:
        form.entrusted_by.data, form.parent_names.data = current.entrusted_by, current.parent_names
        return
    parents = [n for n in (child.father_name, child.mother_name) if n]
    form.parent_names.data = "、".join(parents)
    if child.both_parents_away:
        form.entrusted_by.data = "both"


@bp.route("/children/<int:child_id>/agreement", methods=["GET", "POST"])
@policy("duties.manage")
def agreement_new(child_id: int):
    child = get_in_scope_or_404(Child, child_id, children_scope)
    current = agreements.current_of(child.id)
    form = forms.AgreementForm()
    if request.method == "GET":
        _prefill(form, child, current)
    elif form.validate_on_submit():
        data, scan_ok = _scan_from(form)
        if scan_ok:
            stored = consent.store_scan(current_app.config["UPLOAD_DIR"], data) if data else None
            try:
                agreements.record(current_user, child, _input(form), scan=stored)
                db.session.commit()
                flash(_("已登记委托监护责任确认书。"), "success")
                return redirect(url_for("children.detail", child_id=child.id) + "#agreement")
            except services.ProtectionError as exc:
                db.session.rollback()
                _drop_scan(stored)
                show_on_form(form, exc, "entrusted_by")
    status = 400 if request.method == "POST" else 200
    return render_template("protection/agreement_form.html", form=form, child=child, current=current,
                           needs=agreements.needs_agreement(child),
                           gap=services.open_item_of(child.id, "gap")), status


def _drop_scan(stored: str | None) -> None:
    path = consent.scan_path(current_app.config["UPLOAD_DIR"], stored) if stored else None
    if path is not None:
        path.unlink(missing_ok=True)


def agreement_or_404(agreement_id: int) -> GuardianshipAgreement:
    return get_in_scope_or_404(GuardianshipAgreement, agreement_id, agreements.agreements_scope)


@bp.route("/agreements/<int:agreement_id>/end", methods=["POST"])
@policy("duties.manage")
def agreement_end(agreement_id: int):
    found = agreement_or_404(agreement_id)
    form = forms.AgreementEndForm()
    if form.validate_on_submit():
        try:
            agreements.end(current_user, found, form.on_date.data, form.reason.data)
            db.session.commit()
            flash(_("确认书已终止。"), "success")
            return redirect(url_for("children.detail", child_id=found.child_id) + "#agreement")
        except services.ProtectionError as exc:
            db.session.rollback()
            show_on_form(form, exc, "reason")
    for errors in form.errors.values():
        for error in errors:
            flash(error, "error")
    return redirect(url_for("children.detail", child_id=found.child_id) + "#agreement")


@bp.route("/agreements/<int:agreement_id>/scan")
@policy("children.consent")
def agreement_scan(agreement_id: int):
    found = agreement_or_404(agreement_id)
    path = consent.scan_path(current_app.config["UPLOAD_DIR"], found.scan or "")
    if path is None:
        flash(_("这份确认书没有上传扫描件。"), "info")
        return redirect(url_for("children.detail", child_id=found.child_id) + "#agreement")
    audit.record("agreement.scan_view", found)
    db.session.commit()
    return send_file(path, mimetype=consent.mimetype(path.name), as_attachment=True,
                     download_name=f"agreement-{found.id}{path.suffix}", max_age=0)
