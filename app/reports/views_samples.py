"""The assessor's sample pages: draw a sample for a county or township and a period, then record
the verification call or visit of each sampled child. The results are issued as the report kind
``sample_check`` (抽样核查结果) like every other report."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.dates import today_cn
from app.core.i18n import N_
from app.core.models import Division
from app.core.permissions import divisions_scope, policy
from app.extensions import db
from app.reports.blueprint import bp
from app.reports.common import ParameterError, current_quarter, parse_period, recent_quarters, recent_years
from app.reports.models import CHECK_METHODS, DISCREPANCIES, VerificationItem, VerificationSample
from app.reports.sampling import CheckInput, SampleError, draw, record_check
from app.reports.scope import OutOfScope, resolve_region

LEVELS = ("county", "township")


def _divisions() -> list[Division]:
    return db.session.scalars(sa.select(Division).where(divisions_scope(current_user), Division.level.in_(LEVELS))
                              .order_by(Division.code).limit(2000)).all()


def _samples() -> list[VerificationSample]:
    ids = sa.select(Division.id).where(divisions_scope(current_user))
    return db.session.scalars(sa.select(VerificationSample).where(VerificationSample.division_id.in_(ids))
                              .order_by(VerificationSample.id.desc()).limit(50)).all()


def _list_page(status: int = 200, error_field: str | None = None):
    names = dict(db.session.execute(sa.select(Division.id, Division.name).where(
        Division.id.in_({s.division_id for s in _samples()}))).all())
    return render_template("reports/samples.html", samples=_samples(), names=names, divisions=_divisions(),
                           quarters=recent_quarters(today_cn()), years=recent_years(today_cn()),
                           current=request.form.get("period") or current_quarter(today_cn()),
                           form=request.form, error_field=error_field), status


@bp.route("/samples", methods=["GET", "POST"])
@policy("reports.verify")
def samples():
    if request.method == "GET":
        return _list_page()
    form = request.form
    try:
        region = resolve_region(current_user, division_id=form.get("division", type=int), levels=LEVELS)
        seed_text = (form.get("seed") or "").strip()
        if seed_text and not seed_text.isdigit():
            raise SampleError("seed", N_("随机种子应为0到999999999999之间的整数"))
        sample = draw(current_user, region, parse_period(form.get("period")),
                      form.get("per_village", type=int) or 0, int(seed_text) if seed_text else None)
    except OutOfScope:
        abort(404)
    except ParameterError as exc:
        db.session.rollback()
        flash(_(exc.message), "error")
        return _list_page(400, getattr(exc, "field", None))
    db.session.commit()
    flash(_("已抽取 %(n)s 名儿童，随机种子 %(seed)s", n=len(sample.items), seed=sample.seed), "success")
    return redirect(url_for("reports.sample", sample_id=sample.id))


def _sample_or_404(sample_id: int) -> VerificationSample:
    """The sample, if its region is inside the user's scope (else 404, as if it did not exist)."""
    sample = db.session.get(VerificationSample, sample_id)
    if sample is None:
        abort(404)
    try:
        resolve_region(current_user, division_id=sample.division_id, levels=LEVELS)
    except OutOfScope:
        abort(404)
    return sample


def _sample_page(sample: VerificationSample, status: int = 200, error_item: int | None = None,
                 error_field: str | None = None):
    villages = dict(db.session.execute(sa.select(Division.id, Division.name).where(
        Division.id.in_({i.village_id for i in sample.items} | {sample.division_id}))).all())
    return render_template("reports/sample.html", sample=sample, villages=villages, methods=CHECK_METHODS,
                           findings=DISCREPANCIES, today=today_cn(), form=request.form, error_item=error_item,
                           error_field=error_field), status


@bp.route("/samples/<int:sample_id>")
@policy("reports.verify")
def sample(sample_id: int):
    return _sample_page(_sample_or_404(sample_id))


def _check_input(form) -> CheckInput:
    try:
        day = date.fromisoformat(form.get("checked_on") or "")
    except ValueError:
        day = None
    return CheckInput(method=form.get("method") or "", checked_on=day, reached=form.get("reached") == "1",
                      care_confirmed=form.get("care_confirmed") == "1", discrepancies=form.getlist("discrepancies"),
                      note=form.get("note") or "")


@bp.route("/samples/<int:sample_id>/check", methods=["POST"])
@policy("reports.verify")
def sample_record(sample_id: int):
    sample = _sample_or_404(sample_id)
    item = db.session.scalar(sa.select(VerificationItem).where(
        VerificationItem.sample_id == sample.id, VerificationItem.id == request.form.get("item", type=int)))
    if item is None:
        flash(_("请选择要登记的抽样记录"), "error")
        return _sample_page(sample, 400)
    try:
        record_check(current_user, item, _check_input(request.form))
    except SampleError as exc:
        db.session.rollback()
        flash(_(exc.message), "error")
        return _sample_page(sample, 400, item.id, exc.field)
    db.session.commit()
    flash(_("已登记第 %(n)s 号的核实情况", n=item.position), "success")
    return redirect(url_for("reports.sample", sample_id=sample.id, _anchor=f"item-{item.id}"))
