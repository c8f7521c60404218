"""Personal API tokens (``Authorization: Bearer xb_…``). Only a hash is stored."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.core.models import utcnow
from app.core.types import UTCDateTime
from app.extensions import db

TOKEN_PREFIX = "xb_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    user_id: so.Mapped[int] = so.mapped_column(sa.ForeignKey("users.id"), index=True)
    name: so.Mapped[str] = so.mapped_column(sa.String(64))
    token_hash: so.Mapped[str] = so.mapped_column(sa.String(64), unique=True)
    hint: so.Mapped[str] = so.mapped_column(sa.String(16))  # first characters, to recognise it
    created_at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())
    revoked_at: so.Mapped[datetime | None] = so.mapped_column(UTCDateTime())

    user = so.relationship("User")

    @property
    def expires_at(self) -> datetime:
        """When the token stops working: ``API_TOKEN_LIFETIME`` after it was issued."""
        from flask import current_app

        return self.created_at + current_app.config["API_TOKEN_LIFETIME"]

    def expired(self, now: datetime | None = None) -> bool:
        return (now or utcnow()) >= self.expires_at

    @staticmethod
    def issue(user, name: str) -> tuple["ApiToken", str]:
        """Create a token for ``user``; returns the row and the secret (shown once, never stored)."""
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        row = ApiToken(user_id=user.id, name=name[:64] or "token", token_hash=hash_token(secret), hint=secret[:10],
                       created_at=utcnow())
        db.session.add(row)
        return row, secret
