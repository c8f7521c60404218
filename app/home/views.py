"""The home page (served at ``/`` by ``core.home``): the role's to-do list, then its counts."""
from __future__ import annotations

from flask import redirect, render_template, url_for

from app.core.dates import today_cn
from app.home.counts import home_context
from app.home.todo import todo_for


def render_home(user):
    if user.role == "volunteer":  # a volunteer's first page is what is due today (with her to-do lines)
        return redirect(url_for("activities.today"))
    return render_template("home/home.html", todo=todo_for(user, today_cn()), **home_context(user))
