"""The home page (``/``): the role's to-do list, then its counts; the language switch and the
health check."""
from __future__ import annotations

import sqlalchemy as sa
from flask import redirect, render_template, request, session, url_for
from flask_login import current_user

from app.core.dates import today_cn
from app.core.permissions import PUBLIC, policy
from app.core.web import safe_next_url
from app.extensions import db
from app.home import menu  # noqa: F401 - the main menu joins every page
from app.home.blueprint import bp
from app.home.counts import home_context
from app.home.todo import todo_for


@bp.route("/")
@policy("authenticated")
def index():
    return render_home(current_user)


def render_home(user):
    if user.role == "volunteer":  # a volunteer's first page is what is due today (with her to-do lines)
        return redirect(url_for("activities.today"))
    return render_template("home/home.html", todo=todo_for(user, today_cn()), **home_context(user))


@bp.route("/language", methods=["POST"])
@policy(PUBLIC)
def set_language():
    choice = request.form.get("locale")
    if choice in ("zh_CN", "en"):
        session["locale"] = choice
        if current_user.is_authenticated:
            current_user.locale = choice
            db.session.commit()
    return redirect(safe_next_url(request.form.get("next")) or url_for("home.index"))


@bp.route("/healthz")
@policy(PUBLIC)
def healthz():
    db.session.execute(sa.text("SELECT 1"))
    return {"status": "ok"}
