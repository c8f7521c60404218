"""Roster list, the child's page, the child form, closing cases and the consent scan."""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.children import consent, display, facts, forms, households, queries, reviews, rules, services
from app.children import views_households, views_io, views_review  # noqa: F401 - their routes join the blueprint
from app.children.blueprint import bp
from app.children.filters import filter_args, filters_from_request
from app.children.models import Child, Household
from app.children.page import child_page_context
from app.children.queries import roster_query
from app.core import audit
from app.core.dates import today_cn
from app.core.idcard import mask_id_number, mask_query, normalize_id_number
from app.core.models import Division
from app.core.permissions import divisions_scope, get_in_scope_or_404, policy
from app.children.scope import children_scope
from app.extensions import db

__all__ = ["bp"]


@bp.route("/")
@policy("children.view")
def roster():
    filters = filters_from_request()
    page = queries.roster_page(roster_query(current_user, filters), request.args.get("page", 1, type=int))
    staff = current_user.role != "volunteer"
    villages = db.session.scalars(
        sa.select(Division).where(divisions_scope(current_user), Division.level.in_(("township", "village")))
        .order_by(Division.code)).all() if staff else []
    audit.record("child.list", object_type="children",
                 detail={"q": mask_query(filters.q), "count": page.total, "page": page.page})
    html = render_template("children/roster.html", page=page, filters=filters, villages=villages,
                           schools=queries.schools_for(current_user) if staff else [],
                           args=filter_args(filters), today=today_cn())
    db.session.commit()  # after rendering: a commit would expire every row the page shows
    return html


@bp.route("/find-id", methods=["POST"])
@policy("children.view")
def find_by_id_number():
    """Find a child by full ID number sent in a POST body, so that the number never appears in a
    URL, an access log or an audit entry (which keeps it masked)."""
    number = normalize_id_number(request.form.get("id_number", ""))[:32]
    child = db.session.scalar(sa.select(Child).where(Child.id_number == number, children_scope(current_user))) \
        if number else None
    audit.record("child.find_id", object_type="children", object_id=child.id if child else None,
                 detail={"id_number": mask_id_number(number), "found": child is not None})
    db.session.commit()
    if child is None:
        flash(_("在您负责的范围内没有找到这个身份证号码的儿童。"), "info")
        return redirect(url_for("children.roster"))
    return redirect(url_for("children.detail", child_id=child.id))


def _render_detail(child: Child, revealed: bool = False) -> str:
    """The page, then the commit of the view's audit entry (committing first would expire
    every row the page reads)."""
    context = child_page_context(child, current_user, today_cn())
    html = render_template("children/detail.html", child=child, revealed=revealed,
                           close_form=forms.CloseForm(), today=today_cn(), **context)
    db.session.commit()
    return html


@bp.route("/<int:child_id>")
@policy("children.view")
def detail(child_id: int):
    child = get_in_scope_or_404(Child, child_id, children_scope)
    audit.record("child.view", child)
    return _render_detail(child)


@bp.route("/<int:child_id>/reveal", methods=["POST"])
@policy("children.reveal")
def reveal(child_id: int):
    child = get_in_scope_or_404(Child, child_id, children_scope)
    shown = [f for f in display.SENSITIVE_FIELDS if getattr(child, f)]
    audit.record("child.reveal_id", child, detail={"fields": sorted(shown)})
    flash(_("已显示完整的证件号码和电话号码；此操作已记入审计日志。"), "warning")
    return _render_detail(child, revealed=True)


# ---------------------------------------------------------------- the child form


def _form_choices() -> dict:
    from app.volunteers.models import SKILLS

    villages = queries.scope_villages(current_user)
    return {
        "villages": villages,
        "schools": queries.schools_for(current_user),
        "households": households.in_villages(v.id for v in villages),
        "needs": [(code, _(label)) for code, label in SKILLS.items()],
    }


def _form_for(child: Child | None, choices: dict, fresh: bool = False) -> forms.ChildForm:
    if request.method == "POST" and not fresh:
        return forms.ChildForm(**choices)
    rows = [{"programme": r.programme, "amount": r.amount, "start_date": r.start_date, "end_date": r.end_date,
             "note": r.note} for r in child.assistance_records] if child is not None else []
    form = forms.ChildForm(formdata=None, obj=child, assistance_rows=rows, **choices)
    if child is not None:
        form.school_name.data = child.school_name
        form.household_id.data = str(child.household_id) if child.household_id else ""
        form.urban_hukou.data = not child.rural_hukou
    elif len(choices["villages"]) == 1:
        form.division_id.data = choices["villages"][0].id
    form.review.data = request.values.get("review", "")
    return form


def _mask_sensitive(form: forms.ChildForm, child: Child) -> None:
    """Show the stored ID and phone numbers masked: opening the form is not an audited reveal."""
    for name in display.SENSITIVE_FIELDS:
        stored = getattr(child, name)
        if stored and (form[name].data or "").strip() in (stored, display.mask(name, stored)):
            form[name].data = display.mask(name, stored)


def _unmask_unchanged(form: forms.ChildForm, child: Child | None) -> None:
    """A masked number sent back as it was shown means "keep the stored one"."""
    if child is None:
        return
    for name in display.SENSITIVE_FIELDS:
        stored = getattr(child, name)
        if stored and (form[name].data or "").strip() == display.mask(name, stored):
            form[name].data = stored


def _check_form(form: forms.ChildForm, choices: dict, child: Child | None = None):
    """Validate the submitted form; returns (ok, values, warnings, scan bytes)."""
    _unmask_unchanged(form, child)
    ok = form.validate()
    village = next((v for v in choices["villages"] if v.id == form.division_id.data), None)
    if form.division_id.data is not None and village is None:
        form.division_id.errors.append(_("请选择您负责范围内的村（社区）"))
        ok = False
    school = next((s for s in choices["schools"] if s.id == form.school_id.data), None)
    if form.school_id.data is not None and school is None:
        form.school_id.errors.append(_("请从列表中选择学校"))
        ok = False
    record, values = forms.record_and_values(form, village, school)
    choice = forms.household_choice(form)
    if isinstance(choice, int):
        household = db.session.get(Household, choice)
        if village is not None and household.division_id != village.id:
            form.household_id.errors.append(_("同户的儿童须在同一个村（社区）"))
            ok = False
        # a sibling shares the household's guardian and address unless typed otherwise
        for name in households.fill_from_household(values, household):
            record[name] = values[name]
        values["household_id"] = household.id
    elif choice is None:
        values["household_id"] = None
    values["_household"] = choice
    has_error, warnings = forms.attach_issues(form, rules.validate_record(record, today_cn()))
    scan = None
    upload = form.consent_file.data
    if upload is not None and getattr(upload, "filename", ""):
        scan = upload.read()
        try:
            consent.check_scan(scan)
        except consent.ScanError as exc:
            form.consent_file.errors.append(_(exc.message))
            ok = False
    return ok and not has_error, values, warnings, scan


def _save(form, child: Child | None, values: dict, scan: bytes | None):
    """Save; returns the child, or None when the ID number is taken (error put on the form)."""
    stored = None
    if scan is not None:
        stored = consent.store_scan(current_app.config["UPLOAD_DIR"], scan)
        values["consent_scan"] = stored
    new_household = values.pop("_household", None) == "new"
    try:
        child, _changes = services.save_child(current_user, child, values, on_date=today_cn())
        if new_household:
            households.create_for(current_user, child)
        if form.review.data == "1":
            try:
                reviews.review_child(current_user, child, today_cn(), outcome="updated")
            except reviews.AlreadyReviewed:
                pass
        db.session.commit()
        return child
    except (services.DuplicateIdNumber, IntegrityError):
        db.session.rollback()
        path = consent.scan_path(current_app.config["UPLOAD_DIR"], stored) if stored else None
        if path is not None:
            path.unlink(missing_ok=True)
        form.id_number.errors.append(_("该身份证号码已登记在另一名儿童的档案中，同一儿童不能重复建档"))
        return None


def _edit(child: Child | None, revealed: bool = False):
    choices = _form_choices()
    form = _form_for(child, choices, fresh=revealed)
    warnings: dict = {}
    if form.is_submitted() and not revealed:
        ok, values, warnings, scan = _check_form(form, choices, child)
        saved = _save(form, child, values, scan) if ok else None
        if saved is not None:
            flash(_("已保存 %(name)s 的档案。", name=saved.name), "success")
            for texts in warnings.values():
                for text in texts:
                    flash(_("请注意：%(text)s", text=text), "warning")
            return redirect(url_for("children.detail", child_id=saved.id))
    if child is not None and not revealed:
        _mask_sensitive(form, child)
    html = render_template("children/form.html", form=form, child=child, warnings=warnings, revealed=revealed)
    db.session.commit()  # the reveal's audit entry (after rendering: a commit expires the rows)
    return html


@bp.route("/new", methods=["GET", "POST"])
@policy("children.edit")
def create():
    return _edit(None)


@bp.route("/<int:child_id>/edit", methods=["GET", "POST"])
@policy("children.edit")
def edit(child_id: int):
    return _edit(get_in_scope_or_404(Child, child_id, children_scope))


@bp.route("/<int:child_id>/edit/reveal", methods=["POST"])
@policy("children.reveal")
def edit_reveal(child_id: int):
    """The form with the full ID and phone numbers, as an audited reveal (like the child's page)."""
    child = get_in_scope_or_404(Child, child_id, children_scope)
    shown = [f for f in display.SENSITIVE_FIELDS if getattr(child, f)]
    audit.record("child.reveal_id", child, detail={"fields": sorted(shown), "via": "edit"})
    flash(_("已显示完整的证件号码和电话号码；此操作已记入审计日志。"), "warning")
    return _edit(child, revealed=True)


# ---------------------------------------------------------------- closing cases


@bp.route("/<int:child_id>/close", methods=["POST"])
@policy("children.edit")
def close(child_id: int):
    child = get_in_scope_or_404(Child, child_id, children_scope)
    form = forms.CloseForm()
    reason = (form.reason.data or "").strip()
    if not form.validate() or not reason:
        flash(_("请填写结案原因"), "error")
        return redirect(url_for("children.detail", child_id=child.id))
    code = request.form.get("code") if request.form.get("code") in facts.REASONS else None
    if services.close_child(current_user, child, reason, today_cn(), code=code):
        db.session.commit()
        flash(_("已为 %(name)s 结案。", name=child.name), "success")
    back = request.form.get("back")
    return redirect(url_for("children.ineligible") if back == "ineligible"
                    else url_for("children.detail", child_id=child.id))


@bp.route("/ineligible")
@policy("children.edit")
def ineligible():
    today = today_cn()
    candidates = db.session.scalars(queries.ineligible_candidates(current_user, today).limit(2000)).all()
    found = services.ineligible(candidates, today)
    return render_template("children/ineligible.html", found=found, close_form=forms.CloseForm(), today=today)


# ---------------------------------------------------------------- consent scan


@bp.route("/<int:child_id>/consent")
@policy("children.consent")
def consent_scan(child_id: int):
    child = get_in_scope_or_404(Child, child_id, children_scope)
    path = consent.scan_path(current_app.config["UPLOAD_DIR"], child.consent_scan or "")
    if path is None:
        flash(_("尚未上传同意书扫描件。"), "info")
        return redirect(url_for("children.detail", child_id=child.id))
    audit.record("child.consent_view", child)
    db.session.commit()
    return send_file(path, mimetype=consent.mimetype(path.name), as_attachment=True,
                     download_name=f"consent-{child.id}{path.suffix}", max_age=0)
