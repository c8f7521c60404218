"""Administrators' account pages: list, role and scope, one-time reset code, deactivation and
API tokens of any user. Every change is audited by :mod:`app.auth.accounts`."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth import accounts
from app.auth.forms import RoleForm
from app.auth.models import ROLES, User, UserSession
from app.auth.blueprint import bp
from app.core.errors import show_on_form
from app.core import audit
from app.core.models import Division, Organisation, utcnow
from app.core.audit import AuditEntry
from app.core.permissions import policy, user_subtree_ids
from app.extensions import db
from app.api.models import ApiToken


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/admin/users")
@policy("admin")
def users():
    q = (request.args.get("q") or "").strip()[:64]
    role = request.args.get("role", "")
    stmt = sa.select(User).order_by(User.active.desc(), User.role, User.username)
    if q:
        stmt = stmt.where(sa.or_(User.username.contains(q, autoescape=True),
                                 User.display_name.contains(q, autoescape=True)))
    if role in ROLES:
        stmt = stmt.where(User.role == role)
    page = db.paginate(stmt, page=request.args.get("page", 1, type=int), per_page=50, error_out=False)
    audit.record("user.list", object_type="users", detail={"q": q, "role": role, "count": page.total})
    html = render_template("auth/users.html", page=page, q=q, role=role, roles=ROLES)
    db.session.commit()
    return html


def _role_form(user: User) -> RoleForm:
    form = RoleForm(formdata=request.form if request.method == "POST" else None,
                    role=user.role, division=user.division.code if user.division else "",
                    organisation=user.organisation_id or 0)
    form.role.choices = [(code, _(label)) for code, label in ROLES.items()]
    orgs = db.session.scalars(sa.select(Organisation).order_by(Organisation.kind, Organisation.name)).all()
    form.organisation.choices = [(0, _("（无）"))] + [(o.id, o.name) for o in orgs]
    return form


def _detail(user: User, form: RoleForm | None = None, code: str | None = None, status: int = 200):
    tokens = db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id)
                                .order_by(ApiToken.id.desc())).all()
    live = db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)
                             .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))) or 0
    html = render_template("auth/user_detail.html", user=user, form=form or _role_form(user), code=code,
                           tokens=tokens, live_sessions=live)
    db.session.commit()
    return html, status


@bp.route("/admin/users/<int:user_id>")
@policy("admin")
def user_detail(user_id: int):
    user = _user_or_404(user_id)
    audit.record("user.view", user)
    return _detail(user)


@bp.route("/admin/users/<int:user_id>/role", methods=["POST"])
@policy("admin")
def user_role(user_id: int):
    user = _user_or_404(user_id)
    form = _role_form(user)
    if not form.validate():
        return _detail(user, form, status=400)
    code = (form.division.data or "").strip()
    division = db.session.scalar(sa.select(Division).where(Division.code == code)) if code else None
    if code and division is None:
        form.division.errors.append(_("没有这个区划代码"))
        return _detail(user, form, status=422)
    organisation = db.session.get(Organisation, form.organisation.data) if form.organisation.data else None
    try:
        changes = accounts.set_role(current_user, user, form.role.data, division, organisation)
    except accounts.AccountError as exc:
        db.session.rollback()
        show_on_form(form, exc, "role")
        return _detail(user, form, status=422)
    db.session.commit()
    flash(_("已更新角色和负责范围。") if changes else _("没有改动。"), "success")
    return redirect(url_for("auth.user_detail", user_id=user.id))


@bp.route("/admin/users/<int:user_id>/reset", methods=["POST"])
@policy("admin")
def user_reset(user_id: int):
    """A one-time code, shown on this page once (never in a URL, a flash or a log)."""
    user = _user_or_404(user_id)
    code = accounts.reset_password(current_user, user)
    return _detail(user, code=code)


@bp.route("/admin/users/<int:user_id>/deactivate", methods=["POST"])
@policy("admin")
def user_deactivate(user_id: int):
    return _set_active(_user_or_404(user_id), False)


@bp.route("/admin/users/<int:user_id>/activate", methods=["POST"])
@policy("admin")
def user_activate(user_id: int):
    return _set_active(_user_or_404(user_id), True)


def _set_active(user: User, active: bool):
    try:
        accounts.set_active(current_user, user, active)
        db.session.commit()
        flash(_("账户已启用。") if active else _("账户已停用，其登录和接口令牌已全部失效。"), "success")
    except accounts.AccountError as exc:
        db.session.rollback()
        flash(exc.translated(), "error")
    return redirect(url_for("auth.user_detail", user_id=user.id))


@bp.route("/admin/users/<int:user_id>/tokens/revoke", methods=["POST"])
@policy("admin")
def user_token_revoke(user_id: int):
    user = _user_or_404(user_id)
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.id == request.form.get("token_id", type=int),
                                                      ApiToken.user_id == user.id))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        audit.record("api_token.revoke", row, detail={"owner": user.username, "by_admin": True})
        db.session.commit()
        flash(_("令牌已作废。"), "info")
    return redirect(url_for("auth.user_detail", user_id=user.id))


@bp.route("/audit")
@policy("audit.view")
def audit_log():
    page = request.args.get("page", 1, type=int)
    stmt = sa.select(AuditEntry).order_by(AuditEntry.id.desc())
    action = (request.args.get("action") or "").strip()
    if action:
        stmt = stmt.where(AuditEntry.action.startswith(action, autoescape=True))
    username = (request.args.get("user") or "").strip()
    if username:
        stmt = stmt.where(AuditEntry.username == username)
    if current_user.role == "auditor":
        # auditors see what was done inside their subtree: by users scoped there
        stmt = stmt.where(AuditEntry.user_id.in_(
            sa.select(User.id).where(User.division_id.in_(user_subtree_ids(current_user)))))
    entries = db.paginate(stmt, page=page, per_page=50, error_out=False)
    return render_template("auth/audit.html", entries=entries, action=action, username=username)
