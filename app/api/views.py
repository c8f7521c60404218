"""API v1: identity, a fresh CSRF token and the OpenAPI description. Feature endpoints live in
``views_<topic>.py`` (children, events, logs, sync), imported here so that importing this module
registers every route on the blueprint of :mod:`app.api.blueprint`."""
import sqlalchemy as sa
from flask import jsonify
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from app.api import views_children, views_events, views_logs, views_sync  # noqa: F401 - their routes join the blueprint
from app.api.blueprint import bp
from app.api.openapi import SCHEMAS, document, operation, ref
from app.core.permissions import PUBLIC, policy
from app.extensions import db
from app.volunteers.models import Volunteer

SCHEMAS["Me"] = {
    "type": "object", "required": ["id", "username", "role"],
    "properties": {"id": {"type": "integer"}, "username": {"type": "string"}, "display_name": {"type": "string"},
                   "role": {"type": "string"}, "division": {"type": ["string", "null"]},
                   "volunteer_id": {"type": ["integer", "null"]}},
}


@bp.route("/me")
@policy("authenticated")
def me():
    volunteer_id = db.session.scalar(sa.select(Volunteer.id).where(Volunteer.user_id == current_user.id))
    return jsonify(id=current_user.id, username=current_user.username, display_name=current_user.display_name,
                   role=current_user.role, division=current_user.division.full_name if current_user.division else None,
                   volunteer_id=volunteer_id)


operation("/api/v1/me", "get", summary="我是谁", response=ref("Me"), tag="account", errors=("401",))


@bp.route("/csrf")
@policy("authenticated")
def csrf_token():
    """A CSRF token for the current browser session (a phone whose cached page holds an expired
    one fetches a fresh token here and retries; 401 means: log in again first)."""
    token = generate_csrf()
    response = jsonify(csrf_token=token)
    response.headers["X-CSRFToken"] = token
    return response


operation("/api/v1/csrf", "get", summary="获取当前会话的表单安全校验码（X-CSRFToken）", tag="account",
          response={"type": "object", "required": ["csrf_token"], "properties": {"csrf_token": {"type": "string"}}},
          errors=("401",))


@bp.route("/openapi.json")
@policy(PUBLIC)
def openapi():
    return jsonify(document())
