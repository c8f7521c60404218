"""Every state-changing route refuses a request without a CSRF token, and nothing changes."""
import sqlalchemy as sa

from app.extensions import db
from tests.core.test_policies import _object_for


def _row_counts():
    return {t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t)) for t in db.metadata.sorted_tables}


def test_every_post_route_needs_csrf(app, world, browser):
    browser.login("admin")
    objects = _object_for(world, None, "a")  # may create the rows the routes address
    db.session.commit()
    before = _row_counts()
    checked = []
    for rule in app.url_map.iter_rules():
        if not ({"POST", "PUT", "PATCH", "DELETE"} & rule.methods):
            continue
        path = rule.build({a: objects[a] for a in rule.arguments})[1]
        for method in {"POST", "PUT", "PATCH", "DELETE"} & rule.methods:
            response = browser.client.open(path, method=method, data={"reason": "x", "action": "exit"})
            assert response.status_code == 400, (rule.rule, method, response.status_code)
            checked.append(rule.rule)
    db.session.expire_all()
    assert _row_counts() == before
    print(f"state-changing routes checked without a CSRF token: {len(checked)}")
    assert len(checked) >= 20
