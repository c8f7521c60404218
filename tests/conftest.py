"""Test fixtures: every database test runs on SQLite and on PostgreSQL, with CSRF on.

PostgreSQL comes from ``TEST_DATABASE_URL`` (default: the local server on 127.0.0.1:5432, database
``test``). Where it cannot be reached the PostgreSQL variants are skipped with a message — except
with ``CI=true``, where a missing PostgreSQL fails the run.
"""
from __future__ import annotations

import contextvars
import os
import re
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from app import create_app
from app.extensions import db as _db

PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() == "true"
ROOT = Path(__file__).resolve().parent.parent


def pg_available(url: str = PG_URL) -> str | None:
    """None if PostgreSQL answers at ``url``, else the reason."""
    try:
        engine = sa.create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        engine.dispose()
        return None
    except Exception as exc:  # noqa: BLE001 - any failure means "not available"
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"


def upgrade_database(url: str, revision: str = "head") -> None:
    """Run the Alembic migrations against ``url``."""
    from flask_migrate import upgrade

    app = create_app({"PROFILE": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade(revision=revision)
        _db.engine.dispose()


def downgrade_database(url: str, revision: str = "base") -> None:
    from flask_migrate import downgrade

    app = create_app({"PROFILE": "testing", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        downgrade(revision=revision)
        _db.engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file, copied for each test (fast, and a real migration)."""
    path = tmp_path_factory.mktemp("sqlite") / "template.db"
    upgrade_database(f"sqlite:///{path}")
    return path


def create_scratch_database(suffix: str) -> str | None:
    """Create an empty database beside ``PG_URL`` for this test process (so that concurrent runs
    never share one); returns its URL, or None when the server refuses CREATE DATABASE."""
    name = f"xiangban_{suffix}_{os.getpid()}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.DBAPIError:
        return None
    finally:
        admin.dispose()
    return PG_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_scratch_database(url: str) -> None:
    name = url.rsplit("/", 1)[-1]
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def pg_database() -> str:
    reason = pg_available()
    if reason:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI but not reachable at {PG_URL}: {reason}")
        pytest.skip(f"PostgreSQL not reachable at {PG_URL} ({reason}); PostgreSQL variants skipped")
    url = create_scratch_database("test")
    if url is None:  # no right to create databases: use the given one, emptied first
        url = PG_URL
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE; CREATE SCHEMA public;"))
        engine.dispose()
    upgrade_database(url)
    yield url
    if url != PG_URL:
        drop_scratch_database(url)


def _truncate_pg(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        tables = [t for t in _db.metadata.sorted_tables]
        names = ", ".join(f'"{t.name}"' for t in tables)
        # replica mode skips the audit log's append-only triggers (superuser only; tests only)
        conn.execute(sa.text("SET LOCAL session_replication_role = replica"))
        conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """The URL of a migrated, empty database of each kind."""
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("pg_database")
        yield url
        _truncate_pg(url)


class IsolatedClient(FlaskClient):
    """A test client whose requests run outside the test's app context.

    Tests hold an app context for database access; without this, every request would share
    its ``g`` (the logged-in user, the CSRF token) like no real request ever does.
    """

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def app(database_url, tmp_path):
    application = create_app({"PROFILE": "testing", "SQLALCHEMY_DATABASE_URI": database_url,
                              "UPLOAD_DIR": str(tmp_path / "uploads")})
    application.test_client_class = IsolatedClient
    with application.app_context():
        yield application
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


CSRF_RE = re.compile(r'name="csrf-token" content="([^"]+)"|name="csrf_token" type="hidden" value="([^"]+)"'
                     r'|type="hidden" name="csrf_token" value="([^"]+)"|id="csrf_token" name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_from(html: str) -> str:
    """The CSRF token of a rendered page."""
    match = CSRF_RE.search(html)
    assert match, "no CSRF token on the page"
    return next(g for g in match.groups() if g)


class Browser:
    """A test client that behaves like a user: it reads the CSRF token from pages."""

    def __init__(self, client):
        self.client = client

    def get(self, path, **kw):
        return self.client.get(path, **kw)

    def token(self, path: str = "/login") -> str:
        response = self.client.get(path)
        if response.status_code in (301, 302):
            response = self.client.get("/", follow_redirects=True)
        return csrf_from(response.get_data(as_text=True))

    def post(self, path, data=None, token_from: str | None = None, **kw):
        data = dict(data or {})
        data.setdefault("csrf_token", self.token(token_from or "/login"))
        return self.client.post(path, data=data, **kw)

    def login(self, username: str, password: str = "secret-pass-1"):
        return self.post("/login", {"username": username, "password": password})

    def logout(self):
        return self.post("/logout", token_from="/")


@pytest.fixture
def browser(client):
    return Browser(client)


@pytest.fixture
def world(db):
    """Two regions (A and B) with one user per role and records in each; see tests/factories.py."""
    from tests.factories import build_world

    return build_world()
