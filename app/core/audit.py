"""The append-only audit log: who did what to which record, when and from where."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import g, has_request_context, request
from flask_login import current_user

from app.core.models import utcnow
from app.core.types import UTCDateTime
from app.extensions import db


class AuditEntry(db.Model):
    """One audited event. Rows are never updated or deleted (database triggers refuse it)."""

    __tablename__ = "audit_log"

    id: so.Mapped[int] = so.mapped_column(primary_key=True)
    at: so.Mapped[datetime] = so.mapped_column(UTCDateTime(), default=utcnow, index=True)
    user_id: so.Mapped[int | None] = so.mapped_column(index=True)
    username: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    role: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    action: so.Mapped[str] = so.mapped_column(sa.String(64), index=True)
    object_type: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    object_id: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    ip: so.Mapped[str | None] = so.mapped_column(sa.String(64))
    user_agent: so.Mapped[str | None] = so.mapped_column(sa.String(256))
    request_id: so.Mapped[str | None] = so.mapped_column(sa.String(32))
    detail: so.Mapped[dict | None] = so.mapped_column(sa.JSON)

    __table_args__ = (sa.Index("ix_audit_log_object", "object_type", "object_id"),)


def record(action: str, obj: Any = None, *, object_type: str | None = None,
           object_id: Any = None, detail: dict | None = None, user: Any = None) -> AuditEntry:
    """Add an audit entry to the session (the caller's transaction commits it).

    ``obj`` may be a model instance; its table name and id are recorded.
    """
    if obj is not None:
        object_type = object_type or getattr(obj, "__tablename__", type(obj).__name__)
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    if user is None and has_request_context() and current_user and current_user.is_authenticated:
        user = current_user
    entry = AuditEntry(
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        detail=detail,
        user_id=getattr(user, "id", None),
        username=getattr(user, "username", None),
        role=getattr(user, "role", None),
    )
    if has_request_context():
        entry.ip = request.remote_addr
        entry.user_agent = (request.user_agent.string or "")[:256]
        entry.request_id = g.get("request_id")
    db.session.add(entry)
    return entry


def record_now(action: str, **kwargs: Any) -> None:
    """Write an audit entry in its own transaction (for denials and failed logins).

    Used where the surrounding request will not commit, so the entry must not depend on it.
    """
    with db.engine.begin() as conn:
        values = {
            "action": action,
            "at": utcnow(),
            "object_type": kwargs.get("object_type"),
            "object_id": None if kwargs.get("object_id") is None else str(kwargs["object_id"]),
            "detail": kwargs.get("detail"),
            "username": kwargs.get("username"),
            "user_id": kwargs.get("user_id"),
            "role": kwargs.get("role"),
        }
        if has_request_context():
            values.update(ip=request.remote_addr, user_agent=(request.user_agent.string or "")[:256],
                          request_id=g.get("request_id"))
            if current_user and current_user.is_authenticated and not values["user_id"]:
                values.update(user_id=current_user.id, username=current_user.username,
                              role=current_user.role)
        conn.execute(sa.insert(AuditEntry).values(**values))
