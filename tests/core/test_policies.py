"""Every route declares a policy; every role × route × in/out-of-scope object gives the expected answer."""

from app.core.permissions import PERMISSIONS, PUBLIC
from tests.accounts.helpers import account_objects
from tests.activities.helpers import activity_objects
from tests.children.helpers import registry_objects
from tests.notify.helpers import notify_objects, notify_who_sees
from tests.protection.helpers import protection_objects
from tests.reports.helpers import report_objects, report_who_sees
from tests.workspaces.helpers import workspace_objects

ROLES = ["volunteer", "school_staff", "coordinator", "village_director", "township_supervisor", "auditor", "admin"]


def test_every_route_declares_a_policy(app):
    missing = [rule.endpoint for rule in app.url_map.iter_rules()
               if rule.endpoint != "static" and not hasattr(app.view_functions[rule.endpoint], "policy")]
    assert missing == []


def test_no_route_changes_state_on_get(app):
    """Routes that change state accept POST only (GET must be safe)."""
    unsafe_words = ("reveal", "logout", "language", "approve", "reject", "delete", "close", "import", "confirm")
    offenders = [str(rule) for rule in app.url_map.iter_rules()
                 if any(w in rule.endpoint.split(".")[-1] for w in unsafe_words)
                 and "GET" in rule.methods and not rule.endpoint.endswith(("_form", "_preview", "import_roster", "import_rejections"))]
    assert offenders == []


def _object_for(world, endpoint: str, region: str):
    """URL values for an object of ``region`` that the route addresses, or None."""
    r = getattr(world, region)
    return {
        "child_id": r.child.id,
        "volunteer_id": r.volunteer.id,
        "pair_id": r.pair.id,
        "proposal_id": r.proposal.id,
        **activity_objects(world, region),  # log_id, photo_id, case_id, event_id
        **report_objects(world, region),  # report_id, token, code
        **account_objects(world, region),  # user_id
        **workspace_objects(world, region),  # home_id, evidence_id, assignment_id, org_id, plan_id
        **notify_objects(world, region),  # notification_id
        **protection_objects(world, region),  # item_id
        **registry_objects(world, region),  # village_id, household_id
    }


def _who_sees(world, endpoint, arg, role):
    """Expected visibility of region A's object to a region-A user of ``role``."""
    if report_who_sees(arg, role) is not None:
        return report_who_sees(arg, role)
    if notify_who_sees(arg, role) is not None:
        return notify_who_sees(arg, role)
    if role == "volunteer" and arg == "child_id":
        return True  # region A's child is paired with vol_a
    if arg == "event_id":
        # school_a's event: its staff, the coordinator and admin manage it; it is held at the
        # township's school, outside the village director's village
        return role != "village_director"
    if endpoint == "activities.log_edit" and role == "village_director":
        return 403  # visible, but only its author (7 days) or a coordinator may edit it
    if role == "school_staff":
        return False  # region A's paired child is not a pupil of school_a, its volunteer not a teacher there
    return True


def build_cases(app, world):
    cases = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        permission = view.policy
        method = "GET" if "GET" in rule.methods else "POST"
        args = [a for a in rule.arguments]
        for role in ROLES + ["anonymous"]:
            for scope in (["in", "out"] if args else ["none"]):
                cases.append((rule, method, permission, role, scope))
    return cases


def expected_status(world, permission, role, scope, args, method, endpoint=None):
    if permission == PUBLIC:
        return None  # public routes: anything but a server error
    if role == "anonymous":
        return "login"
    if role not in PERMISSIONS[permission]:
        return 403
    if scope == "out" and (role != "admin" or "notification_id" in args):
        return 404  # a notification is its recipient's only, not even an administrator's
    seen = [_who_sees(world, endpoint, a, role) for a in args] if scope == "in" else []
    if 403 in seen:
        return 403
    if not all(seen):
        return 404
    return "ok"


def test_role_route_scope_matrix(app, world, client):
    from tests.conftest import Browser

    results, leaks = [], []
    browsers = {}
    for role in ROLES:
        b = Browser(app.test_client())
        username = "admin" if role == "admin" else world.user(role).username
        assert b.login(username).status_code == 302
        browsers[role] = b
    browsers["anonymous"] = Browser(app.test_client())
    for rule, method, permission, role, scope in build_cases(app, world):
        b = browsers[role]
        values = {}
        if scope != "none":
            region = "a" if scope == "in" else "b"
            objs = _object_for(world, rule.endpoint, region)
            values = {a: objs[a] for a in rule.arguments}
        path = rule.build(values)[1]
        if method == "GET":
            response = b.get(path)
        else:
            response = b.post(path, {}, token_from="/" if role != "anonymous" else "/login")
        if rule.endpoint in ("auth.logout", "auth.sign_out_everywhere") and role != "anonymous":
            b.login("admin" if role == "admin" else world.user(role).username)  # log back in
        want = expected_status(world, permission, role, scope, list(rule.arguments), method, rule.endpoint)
        if want == "login" and rule.rule.startswith("/api/"):
            want = 401  # the JSON API answers 401 instead of redirecting to the login page
        got = response.status_code
        if want is None:
            ok = got < 500
        elif want == "login":
            ok = got == 302 and "/login" in response.headers.get("Location", "")
        elif want == "ok":
            ok = got in (200, 302, 400, 422)  # 400/422: a POST with an empty form is refused, but allowed
        else:
            ok = got == want
        if not ok:
            leaks.append((rule.rule, method, role, scope, want, got))
        results.append(ok)
    print(f"role × route × scope cases run: {len(results)}; leaks: {leaks}")
    assert leaks == []
    assert len(results) >= 50
