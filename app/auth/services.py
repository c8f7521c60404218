"""Login, logout and throttling as plain functions the views call."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from app.auth.models import LoginFailure, User, UserSession
from app.auth.passwords import verify_password
from app.core import audit
from app.core.models import utcnow
from app.extensions import db


@dataclass
class LoginOutcome:
    user: User | None
    error: str | None = None  # one of: invalid, locked, throttled


def _ip_failures_recent(ip: str, now: datetime) -> int:
    since = now - current_app.config["LOGIN_LOCKOUT"]
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(LoginFailure).where(LoginFailure.ip == ip, LoginFailure.at >= since)
    ) or 0


def authenticate(username: str, password: str, ip: str) -> LoginOutcome:
    """Check credentials with lockout per account and throttling per address.

    The answer never says whether the username exists: unknown users, wrong passwords and
    locked accounts all cost one hash verification and give the same message to the user.
    """
    now = utcnow()
    cfg = current_app.config
    if _ip_failures_recent(ip, now) >= cfg["LOGIN_IP_MAX_FAILURES"]:
        audit.record_now("login.throttled", username=username[:64])
        return LoginOutcome(None, "throttled")
    user = db.session.scalar(sa.select(User).where(User.username == username.strip()))
    if user is not None and user.locked_until is not None and user.locked_until > now:
        verify_password(None, password)
        _fail(user, ip, "login.locked")
        return LoginOutcome(None, "invalid")
    ok = verify_password(user.password_hash if user else None, password)
    if ok and user is not None and user.reset_expires_at is not None and user.reset_expires_at < now:
        ok = False  # an admin's one-time reset code that was never used has expired
    if not ok or user is None or not user.active:
        _fail(user, ip, "login.failed", username=username)
        return LoginOutcome(None, "invalid")
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    audit.record("login.success", user, user=user)
    db.session.commit()
    return LoginOutcome(user)


def _fail(user: User | None, ip: str, action: str, username: str | None = None) -> None:
    cfg = current_app.config
    db.session.add(LoginFailure(ip=ip))
    if user is not None and action == "login.failed":
        user.failed_logins += 1
        if user.failed_logins >= cfg["LOGIN_MAX_FAILURES"]:
            user.locked_until = utcnow() + cfg["LOGIN_LOCKOUT"]
            user.failed_logins = 0
            action = "login.lockout"
    audit.record(action, object_type="users", object_id=getattr(user, "id", None),
                 detail={"username": (username or getattr(user, "username", ""))[:64]}, user=False)
    db.session.commit()


def start_session(user: User, ip: str) -> UserSession:
    """Create a fresh server-side session (a new token: session fixation is impossible)."""
    row = UserSession(token=secrets.token_urlsafe(32), user_id=user.id, ip=ip)
    db.session.add(row)
    db.session.commit()
    user.session_token = row.token
    return row


def load_session_user(token: str) -> User | None:
    """The user of a live session token, or None when revoked, idle too long or inactive."""
    row = db.session.scalar(sa.select(UserSession).where(UserSession.token == token))
    if row is None or row.revoked_at is not None:
        return None
    now = utcnow()
    if now - row.last_seen_at > current_app.config["USER_SESSION_IDLE"]:
        return None
    if now - row.created_at > current_app.config["USER_SESSION_MAX"]:
        return None  # absolute lifetime: activity does not keep a session alive for ever
    user = row.user
    if not user.active:
        return None
    if (now - row.last_seen_at).total_seconds() > 60:
        row.last_seen_at = now
        db.session.commit()
    user.session_token = token
    return user


def end_session(token: str | None) -> None:
    """Revoke a session token so the cookie that carries it is worthless."""
    if token:
        db.session.execute(
            sa.update(UserSession).where(UserSession.token == token, UserSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )
        db.session.commit()
