"""Home page, language switch, health check and the audit log."""
import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.core.audit import AuditEntry
from app.core.permissions import PUBLIC, policy
from app.core.web import safe_next_url
from app.extensions import db

bp = Blueprint("core", __name__)


@bp.route("/")
@policy("authenticated")
def home():
    from app.home.views import render_home

    return render_home(current_user)


@bp.route("/language", methods=["POST"])
@policy(PUBLIC)
def set_language():
    choice = request.form.get("locale")
    if choice in ("zh_CN", "en"):
        session["locale"] = choice
        if current_user.is_authenticated:
            current_user.locale = choice
            db.session.commit()
    return redirect(safe_next_url(request.form.get("next")) or url_for("core.home"))


@bp.route("/healthz")
@policy(PUBLIC)
def healthz():
    db.session.execute(sa.text("SELECT 1"))
    return {"status": "ok"}


@bp.route("/audit")
@policy("audit.view")
def audit_log():
    from app.core.permissions import _subtree_ids

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
        from app.auth.models import User

        stmt = stmt.where(AuditEntry.user_id.in_(
            sa.select(User.id).where(User.division_id.in_(_subtree_ids(current_user)))))
    entries = db.paginate(stmt, page=page, per_page=50, error_out=False)
    return render_template("core/audit.html", entries=entries, action=action, username=username)
