"""The township supervisor (儿童督导员) on every duties page: he sees his township's items, 确认书
and measures read-only (no form that writes, no link to one), is refused every write (403), and
an item outside his township answers 404."""
import re

import pytest

from app.activities.models import ProtectionCase
from app.core.dates import today_cn
from app.core.permissions import PERMISSIONS
from app.extensions import db as _db
from app.protection import measures
from tests.activities.helpers import activity_objects
from tests.protection.helpers import protection_objects

#: the write pages a read-only user must not be offered
WRITE_LINKS = ("/agreement\"", "/new\"", "/report\"", "/steps\"", "/close\"", "/end\"", "/measures\" method")


def objects(world, region):
    values = {"child_id": getattr(world, region).child.id, **protection_objects(world, region),
              "case_id": activity_objects(world, region)["case_id"]}
    return values


@pytest.fixture
def supervisor(world, db, login):
    for region in ("a", "b"):
        objects(world, region)
    case = _db.session.get(ProtectionCase, objects(world, "a")["case_id"])
    measures.add_measure(world.user("village_director"), case, "assessment_safety", today_cn())
    _db.session.commit()
    return login("township_supervisor")


def posts_forms(html: str) -> list[str]:
    """Actions of the page's POST forms, but the header's own (log out, language)."""
    actions = re.findall(r'<form[^>]*method="post"[^>]*action="([^"]+)"|<form[^>]*action="([^"]+)"[^>]*method="post"',
                         html)
    return [a or b for a, b in actions if "/duties" in (a or b)]


def test_supervisor_on_every_duties_route(app, world, supervisor):
    seen = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("protection."):
            continue
        permission = app.view_functions[rule.endpoint].policy
        allowed = "township_supervisor" in PERMISSIONS[permission]
        for region in (("a", "b") if rule.arguments else ("a",)):
            path = rule.build({k: objects(world, region)[k] for k in rule.arguments})[1]
            if "GET" in rule.methods:
                response = supervisor.get(path)
            else:
                response = supervisor.post(path, {}, token_from="/")
            want = 403 if not allowed else 404 if region == "b" else 200
            assert response.status_code == want, (rule.rule, region, response.status_code)
            if want == 200:
                html = response.get_data(as_text=True)
                assert posts_forms(html) == [], rule.rule
                assert not [w for w in WRITE_LINKS if w in html], rule.rule
            seen.append((rule.endpoint, region, response.status_code))
    reads = {e for e, region, status in seen if status == 200}
    assert {"protection.items", "protection.item", "protection.agreements_list", "protection.measure_list"} <= reads
    assert ("protection.item", "b", 404) in seen and ("protection.item_close", "a", 403) in seen


def test_supervisor_sees_the_panels_read_only(world, supervisor):
    child = supervisor.get(f"/children/{world.a.child.id}").get_data(as_text=True)
    assert "六项责任事项" in child and "委托监护责任确认书" in child and "已签订" in child
    assert posts_forms(child) == [] and "续签或更换受委托监护人" not in child and f"/duties/children/{world.a.child.id}/report" not in child
    case_id = objects(world, "a")["case_id"]
    case = supervisor.get(f"/activities/cases/{case_id}").get_data(as_text=True)
    assert "安全处境评估" in case and "/duties/cases/" not in case  # the measures, without their form
    assert supervisor.get(f"/children/{world.b.child.id}").status_code == 404
