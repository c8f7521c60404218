"""Accounts, server-side sessions and login throttling."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core.models import Division, Organisation, utcnow
from app.core.types import UTCDateTime
from app.core.permissions import ROLES
from app.extensions import db


class User(db.Model):
    """A person who logs in. Scope: ``division`` (subtree) and, for school staff, ``organisation``."""

    __tablename__ = "users"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    username: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    display_name: so.Mapped[str] = so.mapped_column(sa.String(64))
    password_hash: so.Mapped[str] = so.mapped_column(sa.String(256))
    role: so.Mapped[str] = so.mapped_column(sa.String(32))
    division_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("divisions.id"), index=True)
    organisation_id: so.Mapped[int | None] = so.mapped_column(sa.ForeignKey("organisations.id"), index=True)
    phone: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    locale: so.Mapped[str | None] = so.mapped_column(sa.String(8))
    active: so.Mapped[bool] = so.mapped_column(default=True)
    failed_logins: so.Mapped[int] = so.mapped_column(default=0)
    locked_until: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    # Set by an admin reset or a teacher import: the next login must choose a new password.
    must_change_password: so.Mapped[bool] = so.mapped_column(default=False, server_default=sa.false())
    password_changed_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    # An admin's one-time reset code is the password until then; afterwards it no longer opens.
    reset_expires_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())

    division: so.Mapped[Division | None] = so.relationship()
    organisation: so.Mapped[Organisation | None] = so.relationship()

    __table_args__ = (sa.CheckConstraint(role.in_(tuple(ROLES)), name="role"),)

    # Flask-Login: the id kept in the cookie is the server-side session token, not the user id,
    # so that logging out (revoking the token) really ends the session.
    session_token = None  # set per request by the session loader (not a column)

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str | None:
        return self.session_token

    @property
    def role_label(self) -> str:
        return ROLES[self.role]

    @property
    def role_in_name(self) -> bool:
        """True when the display name already says the role ("杨秀兰（鱼塘村儿童主任）"): pages that
        put the role beside the name leave it out rather than say it twice."""
        return str(ROLES[self.role]) in (self.display_name or "")

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"


class UserSession(db.Model):
    """A server-side login session; the cookie holds only its random token."""

    __tablename__ = "user_sessions"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    token: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    ip: so.Mapped[str | None] = so.mapped_column(sa.String(64))

    user: so.Mapped[User] = so.relationship()


class LoginFailure(db.Model):
    """A failed login attempt, kept to throttle by address (usernames are throttled on the user)."""

    __tablename__ = "login_failures"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    ip: so.Mapped[str] = so.mapped_column(sa.String(64), index=True)
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow, index=True)
