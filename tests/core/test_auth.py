"""Login, logout, lockout, throttling, sessions and password hashing."""
import re
from datetime import timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher

from app.auth.models import User, UserSession
from app.config import ProductionConfig
from app.core.audit import AuditEntry
from tests.factories import PASSWORD


def test_login_page_is_chinese_and_has_csrf(browser, world):
    html = browser.get("/login").get_data(as_text=True)
    assert "登录相伴" in html and 'name="csrf_token"' in html


def test_login_and_logout(browser, world, db):
    response = browser.login("coord_a")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert "您好" in browser.get("/").get_data(as_text=True)
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "login.success"))
    response = browser.logout()
    assert response.status_code == 302
    assert browser.get("/").status_code == 302  # back to the login page


def test_logout_is_post_only(browser, world):
    browser.login("coord_a")
    assert browser.get("/logout").status_code == 405


def test_wrong_password_and_unknown_user_look_the_same(browser, world):
    wrong = browser.login("coord_a", "nope-nope")
    unknown = browser.login("nobody_at_all", "nope-nope")
    assert wrong.status_code == unknown.status_code == 401
    strip = lambda r: re.sub(r'value="[^"]+"|content="[^"]+"|nobody_at_all|coord_a', "", r.get_data(as_text=True))  # noqa: E731
    assert strip(wrong) == strip(unknown)
    assert "用户名或密码错误" in wrong.get_data(as_text=True)


def test_lockout_after_repeated_failures(browser, world, db, app):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        browser.login("coord_a", "bad-password")
    user = db.session.scalar(sa.select(User).where(User.username == "coord_a"))
    db.session.refresh(user)
    assert user.locked_until is not None
    # even the right password is refused while locked, with the same message
    response = browser.login("coord_a", PASSWORD)
    assert response.status_code == 401
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "login.lockout"))
    # after the lockout window it works again
    user.locked_until = user.locked_until - app.config["LOGIN_LOCKOUT"] - timedelta(seconds=1)
    db.session.commit()
    assert browser.login("coord_a", PASSWORD).status_code == 302


def test_throttling_by_address(browser, world, app):
    app.config["LOGIN_IP_MAX_FAILURES"] = 3
    for i in range(3):
        browser.login(f"someone{i}", "x-bad-pass")
    response = browser.login("coord_a", PASSWORD)
    assert response.status_code == 429
    assert "尝试次数过多" in response.get_data(as_text=True)


def test_session_rotates_at_login_and_dies_at_logout(browser, world, client, db):
    browser.get("/login")
    with client.session_transaction() as sess:
        sess["planted"] = "attacker"
    browser.login("coord_a")
    with client.session_transaction() as sess:
        assert "planted" not in sess
        first_token = sess["_user_id"]
    old_cookie = client.get_cookie("xiangban_session").value
    browser.logout()
    row = db.session.scalar(sa.select(UserSession).where(UserSession.token == first_token))
    assert row.revoked_at is not None
    # replaying the old cookie after logout does not log anyone in
    client.set_cookie("xiangban_session", old_cookie)
    assert client.get("/").status_code == 302
    browser.login("coord_a")
    with client.session_transaction() as sess:
        assert sess["_user_id"] != first_token


def test_cookie_flags(browser, world):
    response = browser.login("coord_a")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_production_hashing_parameters_are_strong():
    params = ProductionConfig.PASSWORD_HASH
    assert params["memory_cost"] >= 65536 and params["time_cost"] >= 3
    ph = PasswordHasher(**params)
    assert ph.hash("x").startswith("$argon2id$v=19$m=65536,t=3")
    assert ProductionConfig.SESSION_COOKIE_SECURE is True


def test_stored_hash_is_argon2id(world, db):
    user = db.session.scalar(sa.select(User).where(User.username == "coord_a"))
    assert user.password_hash.startswith("$argon2id$")


def test_open_redirect_refused(browser, world):
    response = browser.post("/login?next=https://evil.example/", {"username": "coord_a", "password": PASSWORD})
    assert response.headers["Location"] == "/"
    response = browser.post("/login?next=//evil.example/", {"username": "coord_a", "password": PASSWORD})
    assert response.headers["Location"] == "/"
