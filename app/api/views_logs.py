"""Care logs over the API: create (idempotent on ``client_uuid``), read, and add photos.

The activities services do the work and the checks, exactly as for the HTML forms; this module
only converts JSON, scopes the child and turns service errors into the JSON error shape.
"""
from __future__ import annotations

import hashlib
import re

import sqlalchemy as sa
from flask import abort, current_app, jsonify, request
from flask_login import current_user
from sqlalchemy.exc import IntegrityError, OperationalError

from app.activities import services
from app.activities.models import ActivityPhoto
from app.api.blueprint import bp
from app.core.errors import error_body, error_response, invalid, user_error_body
from app.api.inputs import MAX_ID, BadRequest, InputError, json_object
from app.api.openapi import id_parameter, operation, ref
from app.api.schemas import log_input, log_json, photo_json, saved_json
from app.children.models import Child
from app.core import audit
from app.core.i18n import N_
from app.core.permissions import policy
from app.children.scope import children_scope
from app.extensions import db

PHOTO_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")
NOT_JSON = N_("请求内容应为 JSON 对象")


def not_json():
    return error_response(400, NOT_JSON, code="bad_json", message_en="The body must be a JSON object")


def activity_error(exc: services.ActivityError) -> tuple[int, dict]:
    """(status, error body) for a refusal of the activities services."""
    if exc.code == "not_allowed":
        return 403, error_body(403, exc.message, code=exc.code)
    return 422, user_error_body(exc)


def _busy(exc: OperationalError) -> bool:
    return "locked" in str(exc.orig).lower()  # SQLite: another writer held the lock too long


def save_log_item(body: dict) -> tuple[int, dict]:
    """Save one LogCreate body in its own transaction; returns (HTTP status, JSON body).

    201 created, 200 the same log was already saved (also when it arrives twice at the same
    moment: the unique ``client_uuid`` keeps the first and the second finds it), 404 child
    not in scope, 422 invalid or ``uuid_conflict``, 503 busy (retry).
    """
    actor = current_user._get_current_object()
    try:
        child_id, data = log_input(body)
    except InputError as exc:
        return 422, invalid(exc.fields)
    child = db.session.scalar(sa.select(Child).where(Child.id == child_id, children_scope(actor)))
    if child is None:
        return 404, error_body(404)
    try:
        result = services.create_log(actor, child, data, upload_dir=current_app.config["UPLOAD_DIR"])
        db.session.commit()
    except services.ActivityError as exc:
        db.session.rollback()
        return activity_error(exc)
    except IntegrityError:
        db.session.rollback()
        try:
            result = services.find_sent_log(actor, child, data)
        except services.ActivityError as exc:
            return activity_error(exc)
        if result is None:
            raise
    except OperationalError as exc:
        db.session.rollback()
        if not _busy(exc):
            raise
        return 503, error_body(503)
    return (201 if result.created else 200), saved_json(result.log, result.case, result.created)


@bp.route("/logs", methods=["POST"])
@policy("activities.log")
def create_log():
    try:
        body = json_object()
    except BadRequest:
        return not_json()
    status, payload = save_log_item(body)
    return jsonify(payload if status < 400 else {"error": payload}), status


operation("/api/v1/logs", "post", summary="新建谈心、电话、视频、入户看望或节日活动记录（按 client_uuid 幂等）",
          request=ref("LogCreate"), response=ref("LogSaved"), status="201",
          also={"200": ("同一 client_uuid、同一内容已保存过：返回原记录", ref("LogSaved"))},
          errors=("400", "401", "403", "404", "422", "503"))


def visible_log_or_404(log_id: int):
    """:raise 404: when the log does not exist or is neither in scope nor the user's own."""
    log = services.visible_log(current_user, log_id) if log_id <= MAX_ID else None
    if log is None:
        abort(404)
    return log


@bp.route("/logs/<int:log_id>")
@policy("activities.view")
def get_log(log_id: int):
    log = visible_log_or_404(log_id)
    audit.record("log.view", log, detail={"via": "api"})
    db.session.commit()
    return jsonify(log_json(log, services.author_hidden(current_user, log)))


LOG_ID = [id_parameter("log_id", "记录编号")]
operation("/api/v1/logs/{log_id}", "get", summary="查看一条记录", parameters=LOG_ID, response=ref("Log"),
          errors=("401", "403", "404"))


@bp.route("/logs/<int:log_id>/photos", methods=["POST"])
@policy("activities.log")
def add_photo(log_id: int):
    """One photo per request (weak networks): idempotent on ``client_key`` or the photo's bytes."""
    log = visible_log_or_404(log_id)
    upload = request.files.get("photo")
    raw = upload.read() if upload else b""
    if not raw:
        return error_response(400, "请附上照片（表单字段 photo）", code="no_photo", message_en="Attach a photo")
    key = request.form.get("client_key") or ""
    if key and not PHOTO_KEY.fullmatch(key):
        return jsonify(error=invalid({"client_key": N_("照片编号格式无效")})), 422
    key = key or "sha256:" + hashlib.sha256(raw).hexdigest()
    try:
        photo, created = services.add_log_photo(current_user._get_current_object(), log, raw, key,
                                                upload_dir=current_app.config["UPLOAD_DIR"])
        db.session.commit()
    except services.ActivityError as exc:
        db.session.rollback()
        status, body = activity_error(exc)
        return jsonify(error=body), status
    except IntegrityError:  # the same photo arrived twice at once: keep the first
        db.session.rollback()
        photo, created = db.session.scalar(sa.select(ActivityPhoto).where(
            ActivityPhoto.log_id == log_id, ActivityPhoto.client_key == key)), False
        if photo is None:
            raise
    return jsonify(log_id=log_id, photo=photo_json(photo), created=created), 201 if created else 200


PHOTO_FORM = {"type": "object", "required": ["photo"],
              "properties": {"photo": {"type": "string", "format": "binary",
                                       "description": "JPEG、PNG 或 WebP；服务器压缩到1600像素并去掉拍摄信息"},
                             "client_key": {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,64}$",
                                            "description": "手机生成的照片编号；重发同一编号不会重复保存"}}}
PHOTO_SAVED = {"type": "object", "required": ["log_id", "photo", "created"],
               "properties": {"log_id": {"type": "integer"}, "photo": ref("Photo"), "created": {"type": "boolean"}}}
operation("/api/v1/logs/{log_id}/photos", "post", summary="给记录添加一张照片（按 client_key 幂等）",
          parameters=LOG_ID, request=PHOTO_FORM, request_type="multipart/form-data", response=PHOTO_SAVED,
          status="201", also={"200": ("这张照片已保存过", PHOTO_SAVED)},
          errors=("400", "401", "403", "404", "413", "422"))
