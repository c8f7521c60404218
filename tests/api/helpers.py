"""Helpers for the API tests: tokens, bodies and a client that speaks JSON with a token."""
from __future__ import annotations

import uuid

import sqlalchemy as sa

from app.api.models import ApiToken
from app.auth.models import User
from app.core.dates import today_cn
from app.extensions import db


def token_for(username: str) -> str:
    user = db.session.scalar(sa.select(User).where(User.username == username))
    _, secret = ApiToken.issue(user, "test")
    db.session.commit()
    return secret


class Api:
    """A test client authenticated by a personal token (no cookies, no CSRF)."""

    def __init__(self, client, username: str):
        self.client, self.headers = client, {"Authorization": f"Bearer {token_for(username)}"}

    def get(self, path, **kw):
        return self.client.get(path, headers=self.headers, **kw)

    def post(self, path, json=None, **kw):
        return self.client.post(path, json=json, headers=self.headers, **kw)


def log_body(child_id: int, kind: str = "talk", **fields) -> dict:
    body = {"client_uuid": str(uuid.uuid4()), "child_id": child_id, "kind": kind,
            "occurred_on": today_cn().isoformat(), "participants": ["child"], "duration_minutes": 30}
    body.update({"talk": {"mode": "phone", "content": "问了期中考试"},
                 "visit": {"guardian_present": True, "living_conditions": "整洁",
                           "safety": {"wiring": "ok", "doors": "problem", "water": "ok", "food": "ok"}},
                 "holiday": {"mode": "mid_autumn", "content": "一起做月饼"}}.get(kind, {}))
    body.update(fields)
    return body
