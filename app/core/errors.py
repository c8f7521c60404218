"""One error shape for the whole site: the JSON body of every API error (Chinese and English messages)."""
from __future__ import annotations

from flask import g, jsonify

MESSAGES = {
    400: ("请求有误", "Bad request"),
    401: ("请先登录或提供有效的令牌", "Log in or give a valid token"),
    403: ("没有权限", "Not allowed"),
    404: ("记录不存在或无权查看", "Not found, or not yours to see"),
    405: ("不支持此操作方式", "Method not allowed"),
    409: ("与已有记录冲突", "Conflicts with an existing record"),
    413: ("文件过大", "Too large"),
    422: ("内容未通过校验", "Validation failed"),
    429: ("操作过于频繁", "Too many requests"),
    500: ("服务器出错", "Server error"),
    503: ("服务器繁忙，请稍后重试", "Busy, try again shortly"),
}


def error_body(status: int, message: str | None = None, *, code: str | None = None,
               message_en: str | None = None, fields: dict | None = None) -> dict:
    """The inner ``error`` object: ``{"status", "code", "message", "message_en", "request_id", "fields"?}``.

    ``message`` is Chinese (the default for the status when omitted); ``fields`` maps input
    names to Chinese messages. The sync endpoint returns one of these per failed item.
    """
    zh, en = MESSAGES.get(status, MESSAGES[500])
    body = {"status": status, "code": code or str(status), "message": message or zh,
            "message_en": message_en or en, "request_id": g.get("request_id")}
    if fields:
        body["fields"] = fields
    return body


def error_response(status: int, message: str | None = None, *, code: str | None = None,
                   message_en: str | None = None, fields: dict | None = None):
    """``{"error": {...}}`` (see :func:`error_body`) with ``status`` as the HTTP status."""
    return jsonify(error=error_body(status, message, code=code, message_en=message_en, fields=fields)), status


def english(message: str) -> str:
    """The English translation of a Chinese message id (the message itself if untranslated)."""
    from flask_babel import force_locale, gettext

    with force_locale("en"):
        return gettext(message)


def invalid(fields: dict[str, str], message: str | None = None, *, code: str = "invalid") -> dict:
    """A 422 error body for input that failed validation; ``fields`` hold Chinese message ids."""
    first = message or next(iter(fields.values()), None) or MESSAGES[422][0]
    return error_body(422, first, code=code, message_en=english(first), fields=fields or None)
