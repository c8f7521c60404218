"""Errors the person can act on, and the one way each is shown.

:class:`UserError` is the base of every refusal a service raises for bad input: a Chinese
message (a catalogue msgid, translated when shown), the form ``field`` it concerns, a stable
``code`` for the API, and the ``values`` the message is formatted with. A form shows it under
its field (:func:`show_on_form`); the API answers with the one JSON error shape
(:func:`user_error_body`, inside :func:`error_body`'s ``{"error": {...}}``).
"""
from __future__ import annotations

from typing import Any

from flask import flash, g, jsonify
from flask_babel import force_locale, get_locale, gettext


class UserError(ValueError):
    """A refusal with a message for the person who typed the input.

    ``message`` is Chinese source text (N_-marked where it is written) whose translation the
    catalogue holds, or, for messages built from a table of their own, Chinese text with its
    English in ``message_en``. ``field`` names the form field or JSON member it concerns (None:
    the whole input); ``code`` is stable and machine-readable (``invalid`` unless a subclass or
    the raiser says otherwise); ``values`` fill the message's ``%(name)s`` placeholders.
    Subclasses keep their own constructors (and names) so that callers do not change.
    """

    code = "invalid"
    status = 422  # the API's HTTP status for it
    message_en: str | None = None

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None,
                 message_en: str | None = None, **values: Any):
        super().__init__(message)
        self.message, self.field, self.values = message, field, values
        if code is not None:
            self.code = code
        if message_en is not None:
            self.message_en = message_en

    def translated(self) -> str:
        """The message in the current language, with its values filled in."""
        if self.message_en is not None:
            return self.message_en if str(get_locale() or "zh").startswith("en") else self.message
        return gettext(self.message, **self.values)

    def chinese(self) -> str:
        """The message in Chinese, whatever the request's language (the API's ``message``)."""
        with force_locale("zh_CN"):
            return self.translated()

    def english(self) -> str:
        """The message in English (the API's ``message_en``)."""
        with force_locale("en"):
            return self.translated()


def show_on_form(form, error: UserError, default_field: str | None = None) -> None:
    """Show ``error`` under its form field (else under ``default_field``); with neither on the
    form, as a flashed message at the top of the page. What was typed stays in the form."""
    for name in (error.field, default_field):
        target = getattr(form, name, None) if name else None
        if target is not None and isinstance(getattr(target, "errors", None), (list, tuple)):
            target.errors = list(target.errors) + [error.translated()]
            return
    flash(error.translated(), "error")


def user_error_body(error: UserError) -> dict:
    """The API's ``error`` object for ``error``: its status and code, both messages, and
    ``fields`` naming the member it concerns."""
    text = error.chinese()
    fields = {error.field: text} if error.field else None
    return error_body(error.status, text, code=error.code, message_en=error.english(), fields=fields)

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
    with force_locale("en"):
        return gettext(message)


def invalid(fields: dict[str, str], message: str | None = None, *, code: str = "invalid") -> dict:
    """A 422 error body for input that failed validation; ``fields`` hold Chinese message ids."""
    first = message or next(iter(fields.values()), None) or MESSAGES[422][0]
    return error_body(422, first, code=code, message_en=english(first), fields=fields or None)
