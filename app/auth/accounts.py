"""Managing accounts: the password policy, changing and resetting passwords, deactivating,
changing role and scope, signing out everywhere. Plain functions that take the acting user,
flush, audit and never commit (the view or the command commits)."""
from __future__ import annotations

import secrets
from datetime import timedelta

import sqlalchemy as sa
from zxcvbn.matching import RANKED_DICTIONARIES

from app.auth.models import ROLES, User, UserSession
from app.auth.passwords import hash_password, verify_password
from app.core import audit
from app.core.i18n import N_
from app.core.models import Division, Organisation, utcnow
from app.extensions import db
from app.core.errors import UserError
from app.api.models import ApiToken

MIN_PASSWORD_LENGTH = 10
#: How long an admin's one-time reset code opens the account.
RESET_CODE_LIFETIME = timedelta(hours=72)
#: Roles whose scope is a division subtree; school staff also need their school.
DIVISION_ROLES = frozenset(set(ROLES) - {"admin"})


class AccountError(UserError):
    """A refused account change; ``message`` is a catalogue msgid, ``field`` the form field."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message, field=field)


def password_problem(password: str, username: str | None = None) -> str | None:
    """Why ``password`` is refused (a msgid), or None. At least 10 characters, and not one of
    the 30,000 most common passwords of zxcvbn's list (maintained with the library, not typed
    here), nor the username."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        return N_("密码至少需要10个字符")
    lowered = password.lower()
    if lowered in RANKED_DICTIONARIES["passwords"] or len(set(lowered)) <= 2:
        return N_("这个密码太常见，很容易被猜到，请换一个")
    if username and lowered == username.strip().lower():
        return N_("密码不能与用户名相同")
    return None


def check_password(password: str, username: str | None = None, field: str = "password") -> None:
    """:raise AccountError: when the policy refuses ``password``."""
    problem = password_problem(password, username)
    if problem:
        raise AccountError(problem, field)


def revoke_sessions(user: User, keep_token: str | None = None) -> int:
    """End every live session of ``user`` (except ``keep_token``); returns how many ended."""
    stmt = sa.update(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    if keep_token:
        stmt = stmt.where(UserSession.token != keep_token)
    return db.session.execute(stmt.values(revoked_at=utcnow())).rowcount or 0


def revoke_tokens(user: User) -> int:
    return db.session.execute(sa.update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                              .values(revoked_at=utcnow())).rowcount or 0


def change_own_password(user: User, current: str, new: str, keep_token: str | None = None) -> None:
    """The user changes their password; their other sessions end.

    :raise AccountError: wrong current password, or the new one is refused.
    """
    if not verify_password(user.password_hash, current or ""):
        raise AccountError(N_("当前密码不对"), "current")
    if new == current:
        raise AccountError(N_("新密码不能与当前密码相同"), "new")
    check_password(new, user.username, "new")
    _set(user, new, force_change=False)
    ended = revoke_sessions(user, keep_token)
    audit.record("user.password_change", user, user=user, detail={"other_sessions_ended": ended})


def set_password(actor, user: User, new: str, *, force_change: bool = False, via: str = "admin") -> None:
    """An administrator (or the command line) sets ``user``'s password; every session ends.

    :raise AccountError: the policy refuses ``new``.
    """
    check_password(new, user.username)
    _set(user, new, force_change=force_change)
    ended = revoke_sessions(user)
    audit.record("user.password_set", user, user=actor,
                 detail={"via": via, "force_change": force_change, "sessions_ended": ended})


def reset_password(actor, user: User, *, via: str = "admin") -> str:
    """A one-time code that opens the account for 72 hours and must then be replaced; the
    account's sessions end. The code is returned once (only its argon2 hash is kept)."""
    code = "-".join(secrets.token_hex(3) for _ in range(3))  # 20 characters, easy to read out
    _set(user, code, force_change=True)
    user.reset_expires_at = utcnow() + RESET_CODE_LIFETIME
    user.locked_until, user.failed_logins = None, 0
    ended = revoke_sessions(user)
    audit.record("user.password_reset", user, user=actor, detail={"via": via, "sessions_ended": ended})
    return code


def _set(user: User, password: str, *, force_change: bool) -> None:
    user.password_hash = hash_password(password)
    user.password_changed_at = utcnow()
    user.must_change_password = force_change
    user.reset_expires_at = None
    db.session.flush()


def set_active(actor, user: User, active: bool, *, via: str = "admin") -> None:
    """Deactivate (sessions and API tokens end at once) or reactivate an account.

    :raise AccountError: an administrator deactivating their own account.
    """
    if not active and actor is not None and getattr(actor, "id", None) == user.id:
        raise AccountError(N_("不能停用自己的账户"))
    if user.active == active:
        return
    user.active = active
    detail = {"via": via}
    if not active:
        detail.update(sessions_ended=revoke_sessions(user), tokens_revoked=revoke_tokens(user))
    else:
        user.locked_until, user.failed_logins = None, 0
    audit.record("user.activate" if active else "user.deactivate", user, user=actor, detail=detail)
    db.session.flush()


def set_role(actor, user: User, role: str, division: Division | None, organisation: Organisation | None,
             *, via: str = "admin") -> dict:
    """Change role and scope; returns the audited changes (``{field: [before, after]}``).

    :raise AccountError: unknown role; a scoped role without a division; school staff without a
        school; an administrator removing their own admin role.
    """
    if role not in ROLES:
        raise AccountError(N_("角色无效"), "role")
    if role in DIVISION_ROLES and division is None:
        raise AccountError(N_("请选择负责的区划"), "division")
    if role == "school_staff" and (organisation is None or organisation.kind != "school"):
        raise AccountError(N_("学校工作人员需要选择所在学校"), "organisation")
    if actor is not None and getattr(actor, "id", None) == user.id and role != "admin":
        raise AccountError(N_("不能取消自己的管理员角色"), "role")
    before = {"role": user.role, "division": user.division.code if user.division else None,
              "organisation": user.organisation_id}
    user.role = role
    user.division = division if role != "admin" or division is not None else None
    user.organisation = organisation
    after = {"role": user.role, "division": user.division.code if user.division else None,
             "organisation": user.organisation_id}
    changes = {k: [before[k], after[k]] for k in before if before[k] != after[k]}
    if changes:
        audit.record("user.role_change", user, user=actor, detail={"via": via, "changes": changes})
    db.session.flush()
    return changes


def sign_out_everywhere(user: User) -> int:
    """End every session of ``user``, this one included."""
    ended = revoke_sessions(user)
    audit.record("user.sign_out_everywhere", user, user=user, detail={"sessions_ended": ended})
    return ended
