"""The main menu on every page: the features' entry pages the user may open."""
from __future__ import annotations

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.core.i18n import N_
from app.core.permissions import has_permission
from app.home.blueprint import bp

#: main menu: endpoint, label, permission (entries whose feature is not installed are skipped)
NAV = [
    ("activities.today", N_("今日待办"), "volunteers.self"),
    ("volunteers.me", N_("我的服务"), "volunteers.self"),
    ("school.index", N_("学校工作台"), "school.workspace"),
    ("children.roster", N_("儿童花名册"), "children.view"),
    ("volunteers.roster", N_("志愿者"), "volunteers.view"),
    ("matching.index", N_("结对匹配"), "matching.run"),
    ("activities.overdue", N_("逾期提醒"), "overdue.view"),
    ("activities.events", N_("活动"), "events.manage"),
    ("homes.index", N_("儿童之家"), "homes.view"),
    ("families.index", N_("亲情联系"), "families.view"),
    ("rounds.index", N_("包保检查"), "rounds.view"),
    ("orgs.index", N_("机构"), "orgs.view"),
    ("activities.cases", N_("强制报告"), "cases.read"),
    ("protection.items", N_("六项责任"), "duties.view"),
    ("reports.index", N_("报表"), "reports.view"),
]


def nav_items() -> list[dict]:
    """The menu entries for the current user, in menu order."""
    return [{"url": url_for(endpoint), "label": _(label)} for endpoint, label, permission in NAV
            if endpoint in current_app.view_functions and has_permission(current_user, permission)]


@bp.app_context_processor
def inject_menu():
    return {"nav_items": nav_items}
