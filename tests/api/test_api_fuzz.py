"""Property-based run of the API from its own OpenAPI description (Schemathesis): every documented
operation, with generated parameters and bodies, as region A's volunteer and coordinator with a
personal token, and anonymously.
No answer may be a server error, and every answer must match what the description says
(status codes, content type, response schema). On SQLite, with a bounded number of examples."""
from __future__ import annotations

import shutil

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from app import create_app
from app.extensions import db

EXAMPLES = 30  # per operation and caller: about 15 s of CPU per caller
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


CALLERS = {"volunteer": "vol_a", "coordinator": "coord_a", "anonymous": None}


@pytest.fixture(params=list(CALLERS))
def fuzz_target(sqlite_template, tmp_path, request):
    """(app, headers, ids): a migrated SQLite copy with the test world, the caller's token (none
    for the anonymous run) and the ids of rows vol_a may use (her paired child, one of her logs)."""
    from tests.activities.helpers import make_log
    from tests.api.helpers import token_for
    from tests.factories import build_world

    path = tmp_path / "fuzz.db"
    shutil.copy(sqlite_template, path)
    app = create_app({"PROFILE": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
                      "UPLOAD_DIR": str(tmp_path / "uploads")})
    with app.app_context():
        world = build_world()
        log = make_log(world.a.users["volunteer"], world.a.child).log
        db.session.commit()
        ids = {"child_id": world.a.child.id, "log_id": log.id}
        username = CALLERS[request.param]
        headers = {"Authorization": f"Bearer {token_for(username)}"} if username else {}
        db.session.remove()
    yield app, headers, ids
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def api_schema(fuzz_target):
    app, _, _ = fuzz_target
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


def aim(case, ids: dict) -> None:
    """Point every other generated id at a real row of the volunteer's, so that generated bodies
    reach the activities services instead of stopping at "not found"."""
    def fix(values):
        if isinstance(values, dict):
            for name, real in ids.items():
                if isinstance(values.get(name), int) and values[name] % 2 == 0:
                    values[name] = real

    fix(case.path_parameters)
    fix(case.body)
    if isinstance(case.body, dict) and isinstance(case.body.get("items"), list):
        for item in case.body["items"]:
            fix(item)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much,
                                 HealthCheck.function_scoped_fixture])
def test_no_server_error_and_answers_match_the_description(case, fuzz_target):
    _, headers, ids = fuzz_target
    aim(case, ids)
    response = case.call(headers=headers)
    case.validate_response(response, checks=CHECKS)
