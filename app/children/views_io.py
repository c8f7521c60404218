"""Roster import (upload → preview → confirm, rejected rows) and the Excel exports."""
from __future__ import annotations

import io
from pathlib import Path

from flask import current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy.exc import IntegrityError
from wtforms import SelectField

from app.children import exports, imports, queries, roster
from app.children.blueprint import bp
from app.children.filters import filters_from_request
from app.children.models import Child
from app.core import audit
from app.core.dates import today_cn
from app.core.models import Division
from app.core.permissions import get_in_scope_or_404, has_permission, policy
from app.children.scope import children_scope
from app.core.idcard import mask_query
from app.extensions import db


class ImportForm(FlaskForm):
    file = FileField(_l("花名册文件（.xlsx）"))
    county = SelectField(_l("县（区）"), coerce=int, validate_choice=False)


def _store() -> imports.UploadStore:
    folder = current_app.config.get("IMPORT_DIR") or Path(current_app.instance_path) / "imports"
    return imports.UploadStore(folder)


def _message(exc: roster.RosterFileError) -> str:
    from app.children.display import english

    return exc.message_en if english() else exc.message


@bp.route("/import", methods=["GET", "POST"])
@policy("children.import")
def import_roster():
    counties = queries.scope_counties(current_user)
    form = ImportForm()
    form.county.choices = [(c.id, c.full_name) for c in counties]
    if form.validate_on_submit():
        only = counties[0] if len(counties) == 1 else None
        county = next((c for c in counties if c.id == form.county.data), only)
        upload = form.file.data
        data = upload.read() if upload is not None and getattr(upload, "filename", "") else b""
        error = _check_upload(data, county, counties)
        if error:
            form.file.errors.append(error)
        else:
            token = _store().put(data, current_user.id, upload.filename or "", county.id)
            return redirect(url_for("children.import_preview", token=token))
    return render_template("children/import.html", form=form)


def _check_upload(data: bytes, county: Division | None, counties: list[Division]) -> str | None:
    if county is None:
        return _("请选择县（区）") if counties else _("您的账户没有可导入的县（区）")
    if not data:
        return _("请选择要导入的 Excel 文件")
    try:
        if len(data) > roster.DEFAULT_MAX_BYTES:
            raise roster.RosterFileError("too_big", limit="20 MB")
        roster.check_workbook_bytes(data)
    except roster.RosterFileError as exc:
        return _message(exc)
    return None


def _load(token: str | None):
    """(file, metadata, scope) of the user's upload; None when it is gone (expired, not theirs)."""
    found = _store().get(token, current_user.id)
    if found is None:
        return None
    path, meta = found
    county = next((c for c in queries.scope_counties(current_user) if c.id == meta.get("county_id")), None)
    if county is None:
        return None
    return path, meta, imports.scope_for_user(current_user, county)


def _gone():
    flash(_("上传的文件已过期或不存在，请重新上传。"), "error")
    return redirect(url_for("children.import_roster"))


@bp.route("/import/preview")
@policy("children.import")
def import_preview():
    token = request.args.get("token")
    loaded = _load(token)
    if loaded is None:
        return _gone()
    path, meta, scope = loaded
    try:
        found = imports.preview(path, scope)
    except roster.RosterFileError as exc:
        _store().drop(token)
        form = ImportForm()
        form.county.choices = [(c.id, c.full_name) for c in queries.scope_counties(current_user)]
        form.file.errors = [_message(exc)]
        return render_template("children/import.html", form=form)
    db.session.rollback()  # a preview changes nothing
    return render_template("children/import_preview.html", found=found, token=token, meta=meta, scope=scope)


@bp.route("/import/confirm", methods=["POST"])
@policy("children.import")
def import_confirm():
    token = request.form.get("token")
    loaded = _load(token)
    if loaded is None:
        return _gone()
    path, meta, scope = loaded
    if request.form.get("choice") != "good":
        _store().drop(token)
        audit.record("children.import_cancel", object_type="divisions", object_id=scope.county.id,
                     detail={"source": meta.get("filename")})
        db.session.commit()
        flash(_("已取消导入，未保存任何记录。"), "info")
        return redirect(url_for("children.roster"))
    rows = {int(v) for v in request.form.getlist("update") if v.isdigit()}
    try:
        found = imports.preview(path, scope)
        saved = imports.save(found, scope, current_user, update_rows=rows, on_date=today_cn(),
                             source=meta.get("filename") or "")
        db.session.commit()
    except (roster.RosterFileError, IntegrityError):
        db.session.rollback()
        flash(_("导入失败，未保存任何记录：有记录在此期间被他人修改，请重新预览后再导入。"), "error")
        return redirect(url_for("children.import_preview", token=token))
    return render_template("children/import_done.html", found=found, saved=saved, token=token, meta=meta)


@bp.route("/import/rejections")
@policy("children.import")
def import_rejections():
    token = request.args.get("token")
    loaded = _load(token)
    if loaded is None:
        return _gone()
    path, meta, scope = loaded
    try:
        found = imports.preview(path, scope)
    except roster.RosterFileError:
        return _gone()
    db.session.rollback()
    buf = io.BytesIO()
    count = roster.write_rejections(found.result, buf)
    buf.seek(0)
    audit.record("children.import_rejections", object_type="divisions", object_id=scope.county.id,
                 detail={"source": meta.get("filename"), "count": count})
    db.session.commit()
    return send_file(buf, mimetype=exports.XLSX, as_attachment=True,
                     download_name=exports.download_name("未通过校验的行", today_cn()))


@bp.route("/export.xlsx")
@policy("children.export")
def export_roster():
    filters = filters_from_request()
    children = db.session.scalars(queries.roster_query(current_user, filters)).all()
    reveal = has_permission(current_user, "children.reveal")
    buf, count = exports.roster_file(children, unit=exports.unit_of(current_user), fill_date=today_cn(),
                                     reveal=reveal)
    filters_used = {k: v for k, v in vars(filters).items() if v}
    if "q" in filters_used:
        filters_used["q"] = mask_query(filters_used["q"])
    audit.record("child.export", object_type="children",
                 detail={"count": count, "filters": filters_used, "revealed": reveal})
    if reveal:  # full ID and phone numbers leave the site: the same audited step as "reveal"
        audit.record("child.reveal_id", object_type="children", detail={"via": "export", "count": count})
    db.session.commit()
    return send_file(buf, mimetype=exports.XLSX, as_attachment=True,
                     download_name=exports.download_name("花名册", today_cn()))


@bp.route("/<int:child_id>/form.xlsx")
@policy("children.export")
def export_form(child_id: int):
    child = get_in_scope_or_404(Child, child_id, children_scope)
    reveal = has_permission(current_user, "children.reveal")
    buf = exports.registration_form_file(child, reveal=reveal)
    audit.record("child.export_form", child, detail={"revealed": reveal})
    if reveal:
        audit.record("child.reveal_id", child, detail={"via": "export_form"})
    db.session.commit()
    return send_file(buf, mimetype=exports.XLSX, as_attachment=True,
                     download_name=exports.download_name(f"登记表-{child.name}", today_cn()))
