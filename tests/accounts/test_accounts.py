"""Accounts: password policy, own change, admin reset with forced change, deactivation, role and
scope changes, sign out everywhere, tokens seen and revoked by an admin; and the same from the CLI."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from app.api.models import ApiToken
from app.auth.accounts import password_problem
from app.auth.models import User, UserSession
from app.core.audit import AuditEntry
from tests.conftest import Browser


def _entries(db, action):
    return db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == action)).all()


def _user(db, username) -> User:
    db.session.expire_all()
    return db.session.scalar(sa.select(User).where(User.username == username))


@pytest.mark.parametrize("password, ok", [
    ("short-pw", False), ("12345678", False), ("1234567890", False), ("qwertyuiop", False),
    ("password123", False), ("aaaaaaaaaaaa", False), ("xiangban-demo", True), ("月亮-晚上-27号见", True),
])
def test_password_policy(password, ok):
    assert (password_problem(password) is None) is ok


def test_change_own_password_ends_other_sessions(app, world, db):
    phone, laptop = Browser(app.test_client()), Browser(app.test_client())
    phone.login("coord_a")
    laptop.login("coord_a")
    wrong = laptop.post("/account", {"current": "nope", "new": "a-new-long-pass", "confirm": "a-new-long-pass"},
                        token_from="/account")
    assert wrong.status_code == 422 and "当前密码不对" in wrong.get_data(as_text=True)
    common = laptop.post("/account", {"current": "secret-pass-1", "new": "1234567890", "confirm": "1234567890"},
                         token_from="/account")
    assert "这个密码太常见" in common.get_data(as_text=True)
    done = laptop.post("/account", {"current": "secret-pass-1", "new": "a-new-long-pass",
                                    "confirm": "a-new-long-pass"}, token_from="/account")
    assert done.status_code == 302
    assert laptop.get("/children/").status_code == 200  # this device stays signed in
    assert "/login" in phone.get("/children/").headers["Location"]  # the other one is signed out
    fresh = Browser(app.test_client())
    assert fresh.login("coord_a", "secret-pass-1").status_code == 401
    assert fresh.login("coord_a", "a-new-long-pass").status_code == 302
    assert len(_entries(db, "user.password_change")) == 1


def test_admin_reset_gives_a_one_time_code_and_forces_a_change(app, world, db, login):
    victim = Browser(app.test_client())
    victim.login("director_a")
    admin = login("admin")
    user_id = world.user("village_director").id
    page = admin.post(f"/admin/users/{user_id}/reset", {}, token_from=f"/admin/users/{user_id}")
    code = re.search(r'<code class="mono">([^<]+)</code>', page.get_data(as_text=True)).group(1)
    assert code not in admin.get(f"/admin/users/{user_id}").get_data(as_text=True)  # shown once
    assert "/login" in victim.get("/children/").headers["Location"]  # the reset ended their sessions
    fresh = Browser(app.test_client())
    response = fresh.login("director_a", code)
    assert response.status_code == 302 and response.headers["Location"].endswith("/account")
    assert fresh.get("/children/").headers["Location"].endswith("/account")  # nothing else until changed
    assert fresh.post("/account", {"current": code, "new": "my-own-secret-9", "confirm": "my-own-secret-9"},
                      token_from="/account").status_code == 302
    assert fresh.get("/children/").status_code == 200
    assert not _user(db, "director_a").must_change_password
    entry = _entries(db, "user.password_reset")[0]
    assert entry.username == "admin" and code not in str(entry.detail)


def test_an_unused_reset_code_expires(app, world, db, login):
    from datetime import timedelta

    from app.core.models import utcnow

    user_id = world.user("village_director").id
    page = login("admin").post(f"/admin/users/{user_id}/reset", {}, token_from=f"/admin/users/{user_id}")
    code = re.search(r'<code class="mono">([^<]+)</code>', page.get_data(as_text=True)).group(1)
    user = _user(db, "director_a")
    user.reset_expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert Browser(app.test_client()).login("director_a", code).status_code == 401


def test_teacher_import_accounts_must_change_their_password(app, world, db):
    from datetime import date

    from app.volunteers.teachers import TeacherRow, import_teachers

    row = TeacherRow(row=2, name="王老师", id_number="522626198001010014", sex="male", birth_date=date(1980, 1, 1),
                     phone="13600001111", village=world.a.village, capacity=1, max_km=5.0, reasons=[])
    (volunteer, password), = import_teachers([row], world.a.school, by=world.user("school_staff"))
    db.session.commit()
    assert _user(db, "13600001111").must_change_password
    browser = Browser(app.test_client())
    assert browser.login("13600001111", password).headers["Location"].endswith("/account")


def test_deactivation_ends_sessions_and_tokens_and_reactivation_restores_login(app, world, db, login, client):
    from tests.api.helpers import token_for

    secret = token_for("coord_a")
    victim = Browser(app.test_client())
    victim.login("coord_a")
    admin = login("admin")
    user_id = world.user("coordinator").id
    assert admin.post(f"/admin/users/{user_id}/deactivate", {}, token_from="/").status_code == 302
    assert "/login" in victim.get("/children/").headers["Location"]
    assert client.get("/api/v1/children", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert Browser(app.test_client()).login("coord_a").status_code == 401
    assert admin.post(f"/admin/users/{user_id}/activate", {}, token_from="/").status_code == 302
    assert Browser(app.test_client()).login("coord_a").status_code == 302
    assert [len(_entries(db, a)) for a in ("user.deactivate", "user.activate")] == [1, 1]
    # an admin cannot lock themselves out
    admin.post(f"/admin/users/{world.admin.id}/deactivate", {}, token_from="/")
    assert _user(db, "admin").active


def test_role_and_scope_change_is_audited_and_takes_effect(app, world, db, login):
    admin = login("admin")
    user_id = world.user("auditor").id
    form = {"role": "coordinator", "division": world.a.county.code, "organisation": "0"}
    assert admin.post(f"/admin/users/{user_id}/role", form, token_from=f"/admin/users/{user_id}").status_code == 302
    assert _user(db, "auditor_a").role == "coordinator"
    entry = _entries(db, "user.role_change")[0]
    assert entry.detail["changes"]["role"] == ["auditor", "coordinator"]
    bad = admin.post(f"/admin/users/{user_id}/role", {**form, "division": "999999999999"},
                     token_from=f"/admin/users/{user_id}")
    assert bad.status_code == 422 and "没有这个区划代码" in bad.get_data(as_text=True)
    school = admin.post(f"/admin/users/{user_id}/role", {**form, "role": "school_staff"},
                        token_from=f"/admin/users/{user_id}")
    assert school.status_code == 422 and "学校工作人员需要选择所在学校" in school.get_data(as_text=True)
    # the new role's pages open at the user's next request
    assert login("auditor").get("/children/new").status_code == 200


def test_sign_out_everywhere(app, world, db):
    one, two = Browser(app.test_client()), Browser(app.test_client())
    one.login("coord_a")
    two.login("coord_a")
    assert one.post("/account/sign-out-everywhere", {}, token_from="/account").status_code == 302
    for b in (one, two):
        assert "/login" in b.get("/children/").headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UserSession)
                             .where(UserSession.revoked_at.is_(None))) == 0


def test_admin_lists_and_revokes_anyones_tokens(app, world, db, login, client):
    from tests.api.helpers import token_for

    secret = token_for("vol_a")
    row = db.session.scalars(sa.select(ApiToken)).one()
    admin = login("admin")
    user_id = world.user("volunteer").id
    page = admin.get(f"/admin/users/{user_id}").get_data(as_text=True)
    assert row.hint in page and "到期时间" in page
    admin.post(f"/admin/users/{user_id}/tokens/revoke", {"token_id": str(row.id)}, token_from="/")
    assert client.get("/api/v1/children", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert "vol_a" in admin.get("/admin/users?q=vol").get_data(as_text=True)
    assert login("coordinator").get("/admin/users").status_code == 403


def test_registration_refuses_a_common_password(browser, world, db):
    from tests.volunteers.test_volunteers import registration

    response = browser.post("/volunteers/register", registration(world, password="12345678", password2="12345678"),
                            token_from="/volunteers/register")
    assert response.status_code == 422
    assert "密码至少需要10个字符" in response.get_data(as_text=True)
    response = browser.post("/volunteers/register", registration(world, password="1234567890",
                                                                 password2="1234567890"),
                            token_from="/volunteers/register")
    assert "这个密码太常见" in response.get_data(as_text=True)


def test_cli_manages_accounts(app, world, db):
    runner = app.test_cli_runner()
    short = runner.invoke(args=["users", "create", "newbie", "--role", "auditor", "--password", "x"])
    assert short.exit_code != 0 and "10" in short.output
    ok = runner.invoke(args=["users", "set-password", "coord_a", "--password", "cli-chosen-pass", "--force-change"])
    assert ok.exit_code == 0, ok.output
    assert _user(db, "coord_a").must_change_password
    assert runner.invoke(args=["users", "set-password", "coord_a", "--password", "123"]).exit_code != 0
    reset = runner.invoke(args=["users", "reset-password", "coord_a"])
    assert reset.exit_code == 0 and len(reset.output.strip().splitlines()[-1]) == 20
    assert runner.invoke(args=["users", "deactivate", "coord_a"]).exit_code == 0
    assert not _user(db, "coord_a").active
    assert runner.invoke(args=["users", "activate", "coord_a"]).exit_code == 0
    assert _user(db, "coord_a").active
    moved = runner.invoke(args=["users", "set-role", "coord_a", "--role", "auditor", "--division",
                                world.b.county.code])
    assert moved.exit_code == 0, moved.output
    user = _user(db, "coord_a")
    assert user.role == "auditor" and user.division_id == world.b.county.id
    assert {e.detail.get("via") for e in db.session.scalars(sa.select(AuditEntry).where(
        AuditEntry.action.startswith("user.")))} == {"cli"}


def test_header_says_the_role_once(world, browser, db):
    """A display name that already names the role ("…（鱼塘村儿童主任）") is not followed by it again;
    any other name is followed by the role."""
    director = db.session.scalar(sa.select(User).where(User.username == "director_a"))
    director.display_name = "杨秀兰（鱼塘村儿童主任）"
    db.session.commit()
    browser.login("director_a")
    header = re.search(r'<span class="who">(.*?)</span>', browser.get("/").get_data(as_text=True), re.S).group(1)
    assert header.count("儿童主任") == 1 and "·" not in header
    browser.logout()
    browser.login("coord_a")
    header = re.search(r'<span class="who">(.*?)</span>', browser.get("/").get_data(as_text=True), re.S).group(1)
    assert header.startswith("coord_a") and "·" in header
