"""Organisation pages: the organisations of one's region by kind; create and edit (scoped)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.models import ORGANISATION_KINDS, Division, Organisation
from app.core.permissions import divisions_scope, has_permission, policy
from app.extensions import db
from app.orgs import services

bp = Blueprint("orgs", __name__, url_prefix="/orgs")


def _in_scope():
    return Organisation.division_id.in_(sa.select(Division.id).where(divisions_scope(current_user)))


def org_or_404(org_id: int) -> Organisation:
    """An organisation of the user's region.

    :raise 404: when it does not exist or is out of scope.
    """
    org = db.session.scalar(sa.select(Organisation).where(Organisation.id == org_id, _in_scope()))
    if org is None:
        abort(404)
    return org


def _divisions():
    return db.session.scalars(sa.select(Division).where(divisions_scope(current_user),
                                                        Division.level.in_(("county", "township", "village")))
                              .order_by(Division.code).limit(2000)).all()


@bp.route("/")
@policy("orgs.view")
def index():
    kind = request.args.get("kind") if request.args.get("kind") in ORGANISATION_KINDS else None
    stmt = (sa.select(Organisation).join(Division, Organisation.division_id == Division.id).where(_in_scope())
            .order_by(Division.path, Organisation.kind, Organisation.name))
    if kind:
        stmt = stmt.where(Organisation.kind == kind)
    counts = dict(db.session.execute(sa.select(Organisation.kind, sa.func.count()).where(_in_scope())
                                     .group_by(Organisation.kind)).all())
    return render_template("orgs/index.html", rows=db.session.scalars(stmt.limit(1000)).all(), kind=kind,
                           counts=counts, kinds=ORGANISATION_KINDS, can_manage=has_permission(current_user, "orgs.manage"))


def _form(org: Organisation | None, values: dict, errors: dict, status: int = 200):
    return render_template("orgs/form.html", org=org, values=values, errors=errors, divisions=_divisions(),
                           kinds={k: ORGANISATION_KINDS[k] for k in services.EDITABLE_KINDS}), status


def _save(org: Organisation | None):
    values, errors = dict(request.form), {}
    division = next((d for d in _divisions() if d.id == request.form.get("division_id", type=int)), None)
    if division is None:
        errors["division_id"] = _("请选择您负责范围内的地区")
        return _form(org, values, errors, 400)
    try:
        saved = services.save_organisation(current_user, org, request.form.get("name", ""),
                                           request.form.get("kind", ""), division,
                                           request.form.get("contact_person", ""),
                                           request.form.get("contact_phone", ""),
                                           request.form.get("person_in_charge", ""))
        db.session.commit()
    except services.OrgError as exc:
        db.session.rollback()
        errors[exc.field] = _(exc.message)
        return _form(org, values, errors, 400)
    flash(_("已保存：%(name)s", name=saved.name), "success")
    return redirect(url_for("orgs.index", kind=saved.kind))


@bp.route("/new", methods=["GET", "POST"])
@policy("orgs.manage")
def new():
    if request.method == "POST":
        return _save(None)
    kind = request.args.get("kind") if request.args.get("kind") in services.EDITABLE_KINDS else ""
    return _form(None, {"kind": kind, "division_id": str(current_user.division_id or "")}, {})


@bp.route("/<int:org_id>/edit", methods=["GET", "POST"])
@policy("orgs.manage")
def edit(org_id: int):
    org = org_or_404(org_id)
    if org.kind == "children_home":
        return redirect(url_for("homes.index"))  # a 儿童之家 is kept on its own pages
    if request.method == "POST":
        return _save(org)
    return _form(org, {"name": org.name, "kind": org.kind, "division_id": str(org.division_id),
                       "contact_person": org.contact_person or "", "person_in_charge": org.person_in_charge or ""}, {})
