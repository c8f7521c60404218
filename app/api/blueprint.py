"""The ``api`` blueprint (/api/v1) and what every API module shares: the JSON error for a failed
CSRF check (code ``csrf_failed``, so that a phone knows to fetch a fresh token and retry)."""
from __future__ import annotations

from flask import Blueprint
from flask_wtf.csrf import CSRFError

from app.core.errors import english, error_response
from app.core.i18n import N_
from app.extensions import db

bp = Blueprint("api", __name__, url_prefix="/api/v1")

CSRF_MESSAGE = N_("页面已过期（安全校验码失效），请获取新的校验码后重试")


@bp.errorhandler(CSRFError)
def csrf_failed(_error):
    db.session.rollback()
    return error_response(400, CSRF_MESSAGE, code="csrf_failed", message_en=english(CSRF_MESSAGE))
