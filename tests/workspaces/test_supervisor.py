"""The township supervisor (儿童督导员, seed 001): their township's children, cases and overdue lists, read-only."""
import sqlalchemy as sa

from app.activities.models import ProtectionCase
from app.auth.models import ROLES
from app.core.permissions import has_permission
from app.children.scope import children_scope
from app.children.models import Child
from tests import factories
from tests.activities.helpers import make_log
from tests.conftest import Browser


def _other_township(world):
    """A second township in county A, with a child the supervisor of township A must not see."""
    township = factories.division("522626102000", "邻镇", world.a.county)
    village = factories.division("522626102201", "邻村", township)
    return factories.child(village, name="邻镇儿童")


def test_role_is_known_and_read_only(world):
    assert "township_supervisor" in ROLES
    supervisor = world.user("township_supervisor")
    for permission in ("children.view", "cases.read", "overdue.view", "volunteers.view", "reports.dashboard"):
        assert has_permission(supervisor, permission), permission
    for permission in ("children.edit", "children.reveal", "children.export", "cases.view", "events.manage",
                       "matching.run", "activities.log", "activities.rules", "audit.view"):
        assert not has_permission(supervisor, permission), permission


def test_scope_is_the_township(world, db):
    outsider = _other_township(world)
    db.session.commit()
    supervisor = world.user("township_supervisor")
    seen = set(db.session.scalars(sa.select(Child.id).where(children_scope(supervisor))))
    assert {world.a.child.id, world.a.pupil.id} <= seen
    assert outsider.id not in seen and world.b.child.id not in seen


def test_pages_in_scope_and_out(app, world, db):
    outsider = _other_township(world)
    result = make_log(world.user("volunteer"), world.a.child, "visit", concerns=["alone"], concern_note="独自在家")
    db.session.commit()
    b = Browser(app.test_client())
    assert b.login("supervisor_a").status_code == 302
    for path in ("/activities/overdue", "/activities/overdue/pairs", "/activities/overdue/no-contact",
                 "/activities/overdue/no-carer", "/activities/cases", f"/children/{world.a.child.id}"):
        assert b.get(path).status_code == 200, path
    page = b.get("/activities/overdue").get_data(as_text=True)
    assert "逾期提醒" in page and "儿童督导员" in page
    case = db.session.scalar(sa.select(ProtectionCase).where(ProtectionCase.id == result.case.id))
    detail = b.get(f"/activities/cases/{case.id}").get_data(as_text=True)
    assert "报告人已隐去" in detail or world.user("volunteer").display_name not in detail
    # read-only: acknowledging a case is the handlers' work
    assert b.post(f"/activities/cases/{case.id}/acknowledge", token_from="/").status_code == 403
    assert b.get(f"/children/{outsider.id}").status_code == 404
    assert b.get(f"/children/{world.b.child.id}").status_code == 404
