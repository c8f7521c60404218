"""Behind a proxy, sessions, tokens and the production settings."""
from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import create_app
from app.api.models import ApiToken
from app.auth.models import UserSession
from app.core.audit import AuditEntry
from app.core.models import utcnow
from tests.conftest import Browser, IsolatedClient


@pytest.fixture
def proxied(app, world):
    """A second app on the same database, behind one reverse proxy, throttling after 3 failures."""
    behind = create_app({"PROFILE": "testing", "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                         "PROXY_COUNT": 1, "LOGIN_IP_MAX_FAILURES": 3})
    behind.test_client_class = IsolatedClient
    return behind


def _login_from(app, address: str, username: str, password: str):
    browser = Browser(app.test_client())
    headers = {"X-Forwarded-For": address, "X-Forwarded-Proto": "https", "Referer": "https://localhost/login"}
    token = browser.token("/login")
    return browser.client.post("/login", data={"username": username, "password": password, "csrf_token": token},
                               headers=headers)


def test_behind_a_proxy_throttling_is_per_client_address_not_global(proxied, db):
    for _ in range(3):
        assert _login_from(proxied, "203.0.113.5", "coord_a", "wrong-password").status_code == 401
    assert _login_from(proxied, "203.0.113.5", "coord_a", "secret-pass-1").status_code == 429
    # another client behind the same proxy is not locked out
    assert _login_from(proxied, "198.51.100.7", "director_a", "secret-pass-1").status_code == 302
    ips = {e.ip for e in db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action.startswith("login")))}
    assert ips == {"203.0.113.5", "198.51.100.7"}


def test_without_a_proxy_forwarded_headers_are_not_trusted(app, world, db):
    assert _login_from(app, "203.0.113.5", "coord_a", "wrong-password").status_code == 401
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "login.failed")).one()
    assert entry.ip != "203.0.113.5"


def test_a_session_ends_after_its_absolute_lifetime_however_active(app, world, db, browser):
    assert browser.login("coord_a").status_code == 302
    assert browser.get("/children/").status_code == 200
    row = db.session.scalars(sa.select(UserSession)).one()
    row.created_at = utcnow() - app.config["USER_SESSION_MAX"] - timedelta(minutes=1)
    row.last_seen_at = utcnow()
    db.session.commit()
    response = browser.get("/children/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_api_tokens_expire(app, world, db, client):
    from tests.api.helpers import token_for

    secret = token_for("coord_a")
    headers = {"Authorization": f"Bearer {secret}"}
    assert client.get("/api/v1/children", headers=headers).status_code == 200
    row = db.session.scalars(sa.select(ApiToken)).one()
    row.created_at = utcnow() - timedelta(days=181)
    db.session.commit()
    assert app.config["API_TOKEN_LIFETIME"] == timedelta(days=180)
    assert client.get("/api/v1/children", headers=headers).status_code == 401


def test_token_list_shows_expiry(world, browser):
    browser.login("coord_a")
    page = browser.post("/settings/tokens", {"action": "create", "name": "我的手机"}, token_from="/settings/tokens")
    html = page.get_data(as_text=True)
    assert "到期时间" in html and "我的手机" in html


@pytest.fixture
def production_env(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "set-in-the-environment")
    monkeypatch.setenv("DATABASE_URL", "sqlite://")


def test_production_refuses_a_short_secret_key(production_env):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"PROFILE": "production", "SECRET_KEY": "x" * 31, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_production_sends_hsts(production_env):
    prod = create_app({"PROFILE": "production", "SECRET_KEY": "k" * 32, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    response = prod.test_client().get("/healthz")
    assert "max-age=31536000" in response.headers["Strict-Transport-Security"]
    testing = create_app({"PROFILE": "testing", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert "Strict-Transport-Security" not in testing.test_client().get("/healthz").headers
