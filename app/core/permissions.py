"""The one place that says who may do what (role) and on which records (scope).

Every view declares a policy with :func:`policy`; a view without one is refused at run time
and fails the route-walk test. Role checks answer 403; objects out of the user's scope are
reported as 404 so that their existence does not leak.
"""
from __future__ import annotations

from functools import wraps
from typing import Callable

import sqlalchemy as sa
from flask import abort, request
from flask_login import current_user

from app.core.i18n import N_
from app.core.audit import record_now
from app.core.models import Division
from app.extensions import db

#: every role (code → label, Chinese source text, translated where shown): the one list, which the
#: users table's CHECK constraint, the account forms and the ``users`` commands all read
ROLES = {
    "volunteer": N_("志愿者"),
    "school_staff": N_("学校工作人员"),
    "coordinator": N_("协调员"),
    "village_director": N_("儿童主任"),
    "township_supervisor": N_("儿童督导员"),
    "auditor": N_("审核评估人员"),
    "admin": N_("系统管理员"),
}
ALL_ROLES = frozenset(ROLES)
#: roles whose scope is their division's subtree (a county, a township or a village).
#: The township supervisor (儿童督导员, seed 001) oversees the villages of one township, read-only.
REGION_ROLES = ("coordinator", "village_director", "township_supervisor", "auditor")
PUBLIC = "public"

#: permission name → roles that hold it. ``public`` needs no login.
PERMISSIONS: dict[str, frozenset[str]] = {
    PUBLIC: frozenset(),
    "authenticated": ALL_ROLES,
    "children.view": ALL_ROLES,
    "children.edit": frozenset({"coordinator", "village_director", "admin"}),
    "children.import": frozenset({"coordinator", "village_director", "admin"}),
    "children.export": frozenset({"coordinator", "village_director", "auditor", "admin"}),
    "children.reveal": frozenset({"coordinator", "village_director", "admin"}),
    "children.review": frozenset({"village_director", "coordinator", "admin"}),
    "children.consent": frozenset({"coordinator", "village_director", "auditor", "admin"}),
    "volunteers.view": frozenset({"coordinator", "school_staff", "township_supervisor", "auditor", "admin"}),
    "volunteers.review": frozenset({"coordinator", "admin"}),
    "volunteers.import": frozenset({"school_staff", "coordinator", "admin"}),
    "volunteers.self": frozenset({"volunteer"}),
    "matching.run": frozenset({"coordinator", "admin"}),
    "activities.log": frozenset({"volunteer", "school_staff", "village_director", "coordinator"}),
    "activities.view": ALL_ROLES,
    "events.manage": frozenset({"school_staff", "coordinator", "village_director", "admin"}),
    "homes.view": frozenset({"coordinator", "village_director", "township_supervisor", "auditor", "admin"}),
    "homes.manage": frozenset({"coordinator", "village_director", "admin"}),
    "families.view": ALL_ROLES,  # each inside their own scope of children
    "families.log": frozenset({"volunteer", "school_staff", "village_director", "coordinator", "admin"}),
    "families.rules": frozenset({"coordinator", "admin"}),
    "cases.view": frozenset({"village_director", "coordinator", "admin"}),
    # overdue talks and visits, children without contact or carer: read-only lists
    "overdue.view": frozenset({"village_director", "coordinator", "township_supervisor", "school_staff", "admin"}),
    "school.workspace": frozenset({"school_staff"}),  # the staff member's own school only
    "cases.read": frozenset({"school_staff", "auditor", "village_director", "township_supervisor", "coordinator",
                            "admin"}),
    "cases.report": frozenset({"volunteer", "school_staff", "village_director", "coordinator", "admin"}),
    "activities.rules": frozenset({"coordinator", "admin"}),
    "reports.view": frozenset({"coordinator", "village_director", "school_staff", "township_supervisor", "auditor",
                              "admin"}),
    "reports.assess": frozenset({"coordinator", "village_director", "auditor", "admin"}),
    "reports.dashboard": frozenset({"coordinator", "township_supervisor", "auditor", "admin"}),
    # the assessor's sample (抽样核查): draw it and record each verification call or visit
    "reports.verify": frozenset({"coordinator", "auditor", "admin"}),
    "reports.certificate": ALL_ROLES,
    "duties.view": frozenset({"school_staff", "village_director", "coordinator", "township_supervisor", "auditor",
                              "admin"}),
    "duties.manage": frozenset({"village_director", "coordinator", "admin"}),
    "duties.track": frozenset({"school_staff", "village_director", "coordinator", "admin"}),
    # duties by role (包保与检查): own list and checks; assignments; compliance; the region's rules
    "rounds.view": frozenset({"village_director", "township_supervisor", "coordinator", "school_staff", "admin"}),
    "rounds.check": frozenset({"village_director", "township_supervisor", "coordinator", "school_staff", "admin"}),
    "rounds.manage": frozenset({"village_director", "coordinator", "admin"}),
    "rounds.compliance": frozenset({"village_director", "township_supervisor", "coordinator", "auditor", "admin"}),
    "rounds.rules": frozenset({"coordinator", "admin"}),
    # organisations of one's region (schools, 关工委, 妇联, social organisations, …)
    "orgs.view": frozenset({"coordinator", "village_director", "township_supervisor", "auditor", "admin"}),
    "orgs.manage": frozenset({"coordinator", "admin"}),
    # 帮扶计划: a child's study help plan, inside one's scope of children
    "plans.view": ALL_ROLES,
    "plans.edit": frozenset({"volunteer", "school_staff", "village_director", "coordinator", "admin"}),
    "audit.view": frozenset({"auditor", "admin"}),
    "admin": frozenset({"admin"}),
}


def has_permission(user, permission: str) -> bool:
    """True when ``user`` (possibly anonymous) holds ``permission``."""
    if permission == PUBLIC:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    return user.role in PERMISSIONS[permission]


def policy(permission: str) -> Callable:
    """Declare the permission a view needs; enforce login and role.

    :raise KeyError: at import time, for a permission that is not defined above.
    """
    PERMISSIONS[permission]  # fail fast on typos

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if permission != PUBLIC:
                if not current_user.is_authenticated:
                    from app.extensions import login_manager

                    return login_manager.unauthorized()
                if current_user.role not in PERMISSIONS[permission]:
                    deny(permission)
            return view(*args, **kwargs)

        wrapped.policy = permission
        return wrapped

    return decorator


def deny(reason: str, status: int = 403):
    """Audit a refused request and abort with ``status``."""

    record_now("access.denied", detail={"reason": reason, "path": request.path, "method": request.method})
    abort(status)


# ---------------------------------------------------------------------------------------------
# Scope: which rows a user may see. Each returns a SQL boolean clause for a select().
# ---------------------------------------------------------------------------------------------

def user_subtree_ids(user) -> sa.Select:
    """Select the ids of the divisions in ``user``'s subtree (none for a user without a division)."""

    if user.division is None:
        return sa.select(Division.id).where(sa.false())
    return user.division.subtree_ids()


def divisions_scope(user):
    """Clause on :class:`Division` rows inside the user's subtree.

    The scope of each feature's rows sits with the feature that owns the model (e.g.
    :func:`app.children.scope.children_scope`); core knows only divisions.
    """

    if user.role == "admin":
        return sa.true()
    return Division.id.in_(user_subtree_ids(user))


def get_in_scope_or_404(model, object_id, scope: Callable):
    """Load ``model`` ``object_id`` if the current user's ``scope`` allows it.

    :raise 404: when the row does not exist or is out of scope (no existence leak).
    """

    row = db.session.scalar(sa.select(model).where(model.id == object_id, scope(current_user)))
    if row is None:
        abort(404)
    return row
