"""Who is calling the API: a personal token (no cookies, so no CSRF) or the browser session (CSRF
checked from the ``X-CSRFToken`` header, as for any form)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import g, request

from app.api.models import TOKEN_PREFIX, ApiToken, hash_token
from app.core.errors import error_response
from app.core.models import utcnow
from app.extensions import db


def authenticate_bearer():
    """The app's request authenticator for personal tokens (see ``app.core.web.register_request_hooks``).

    An /api/ call with ``Authorization: Bearer`` carries no cookies, so CSRF does not apply to
    it: the token alone decides who is calling. None for any other request; 401 ``bad_token``
    for a token that is unknown, revoked, expired or whose user is inactive.
    """
    if not (request.path.startswith("/api/") and request.headers.get("Authorization", "").startswith("Bearer ")):
        return None
    user = user_from_bearer()
    return user if user is not None else error_response(401, code="bad_token")


def user_from_bearer():
    """The user of a valid ``Authorization: Bearer`` token on an /api/ request, else None."""
    header = request.headers.get("Authorization", "")
    if not request.path.startswith("/api/") or not header.startswith("Bearer "):
        return None
    secret = header[7:].strip()
    if not secret.startswith(TOKEN_PREFIX):
        return None
    row = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_token(secret),
                                                      ApiToken.revoked_at.is_(None)))
    if row is None or not row.user.active:
        return None
    now = utcnow()
    if row.expired(now):
        return None
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 300:
        row.last_used_at = now
        db.session.commit()
    g.api_token_auth = True
    user = row.user
    user.session_token = None
    return user
