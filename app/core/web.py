"""Request plumbing shared by every page: request ids, headers, errors, locale, filters."""
from __future__ import annotations

import logging
import uuid
from datetime import date, datetime
from typing import Any, Callable, Sequence
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import Flask, Request, g, render_template, request, session
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from app.core.dates import age_on
from app.core.errors import error_response
from app.extensions import csrf, db
from app.core.i18n import N_
from app.core.idcard import mask_id_number
from app.core.permissions import has_permission
from app.core.phone import mask_phone as _mask

log = logging.getLogger(__name__)
CHINA = ZoneInfo("Asia/Shanghai")

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
       "form-action 'self'; frame-ancestors 'none'; manifest-src 'self'; worker-src 'self'")


#: The largest id a row can have (PostgreSQL ``integer``); larger numbers in a URL or a query
#: string cannot name a row, and would overflow the database driver (a 500) if passed on.
MAX_DB_INT = 2**31 - 1


class BoundedIntConverter(IntegerConverter):
    """``<int:…>`` URL parts beyond any row id do not match the route: 404, never a 500."""

    def __init__(self, map, fixed_digits=0, min=None, max=MAX_DB_INT, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


class BoundedParameters(ImmutableMultiDict):
    """Query-string and form values: ``get(name, type=int)`` clamps numbers no column can hold
    to the largest one, so that every filter reading an id with ``type=int`` is safe at once and
    still means what was asked (an id nothing has, a page past the end)."""

    def get(self, key, default=None, type=None):  # noqa: A002 - Werkzeug's signature
        value = super().get(key, default, type)
        if type is int and isinstance(value, int) and not -MAX_DB_INT <= value <= MAX_DB_INT:
            return MAX_DB_INT if value > 0 else -MAX_DB_INT
        return value


class XiangbanRequest(Request):
    parameter_storage_class = BoundedParameters


def safe_next_url(target: str | None) -> str | None:
    """Return ``target`` only if it is a path on this site (no open redirects)."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def select_locale() -> str:
    """The user's chosen language, else Simplified Chinese (the default, whatever the browser says)."""
    choice = session.get("locale")
    if choice is None and current_user and current_user.is_authenticated:
        choice = current_user.locale
    return choice if choice in ("zh_CN", "en") else "zh_CN"


def format_date(value: date | datetime | None, with_time: bool = False) -> str:
    """2026年11月22日 in Chinese, 22 Nov 2026 in English; datetimes shown in China time."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        local = value.astimezone(CHINA) if value.tzinfo else value
        day = local.date()
    else:
        local, day = None, value
    if str(get_locale()).startswith("zh"):
        text = f"{day.year}年{day.month}月{day.day}日"
        if with_time and local is not None:
            text += f" {local:%H:%M}"
    else:
        text = day.strftime("%d %b %Y")
        if with_time and local is not None:
            text += f" {local:%H:%M}"
    return text


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json"
    )


def _error_page(status: int, title: str, message: str):
    db.session.rollback()
    if wants_json():
        return error_response(status, message)
    return render_template("errors/error.html", status=status, title=title, message=message), status


ERROR_TEXT = {
    400: (N_("请求有误"), N_("提交的内容无法处理，请检查后重试。")),
    401: (N_("请先登录"), N_("此页面需要登录后才能查看。")),
    403: (N_("没有权限"), N_("您的账户没有执行此操作的权限。")),
    404: (N_("页面不存在"), N_("您要找的页面不存在，或您无权查看。")),
    405: (N_("方法不允许"), N_("不支持此操作方式。")),
    413: (N_("文件过大"), N_("上传的文件超过了大小限制。")),
    429: (N_("操作过于频繁"), N_("请稍后再试。")),
    500: (N_("服务器出错"), N_("系统出现了问题，我们已记录。请稍后再试，或把下面的编号告诉管理员。")),
}


def register_request_hooks(app: Flask, authenticators: Sequence[Callable[[], Any]] = ()) -> None:
    """Request ids, input sanity, authentication and CSRF, the declared-policy check, headers.

    ``authenticators`` are the features' credential checks for requests that carry no cookies
    (the API's bearer token): each returns None when the request is not its kind, the user it
    authenticates (who then needs no CSRF token), or a response that refuses the request.
    """
    @app.before_request
    def assign_request_id():
        g.request_id = uuid.uuid4().hex[:16]

    @app.before_request
    def refuse_nameless_parts():
        # A multipart part without a name parses to the key None, which no form expects and
        # which breaks the CSRF check and every view that lists the fields: a malformed request.
        if request.mimetype == "multipart/form-data" and (None in request.form or None in request.files):
            return _error_page(400, _("请求有误"), _("提交的内容格式有误（有未命名的字段），请检查后重试。"))
        return None

    @app.before_request
    def refuse_nul_characters():
        # PostgreSQL cannot store NUL in text, and no honest form contains one: refuse it
        # up front with a clear message instead of failing deep in the database.
        values = [*request.args.values(), *request.form.values(), *request.args.keys(), *request.form.keys()]
        if request.is_json:
            values.extend(_strings_in(request.get_json(silent=True)))
        if any("\x00" in v for v in values if isinstance(v, str)):
            return _error_page(400, _("请求有误"), _("提交的内容包含无效字符（空字符），请检查后重试。"))
        return None

    @app.before_request
    def authenticate_token_or_check_csrf():
        # A request authenticated by its own credentials (not cookies) cannot be forged by another
        # site, so CSRF does not apply; those credentials alone decide who is calling (a session
        # cookie sent alongside is ignored).
        for authenticate in authenticators:
            outcome = authenticate()
            if outcome is None:
                continue
            if not getattr(outcome, "is_authenticated", False):
                return outcome  # the authenticator's refusal (a response)
            g._login_user = outcome
            return None
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
            csrf.protect()
        return None

    @app.before_request
    def require_declared_policy():
        # Fail closed: a view that forgot to declare a policy is never served.
        view = app.view_functions.get(request.endpoint) if request.endpoint else None
        if view is not None and request.endpoint != "static" and not hasattr(view, "policy"):
            log.error("view %s has no declared policy", request.endpoint)
            return _error_page(403, *ERROR_TEXT[403])

    @app.after_request
    def security_headers(response):
        h = response.headers
        h.setdefault("Content-Security-Policy", CSP)
        h["X-Content-Type-Options"] = "nosniff"
        h["X-Frame-Options"] = "DENY"
        h["Referrer-Policy"] = "same-origin"
        h["Permissions-Policy"] = "camera=(self), geolocation=(self), microphone=(self)"
        h["Cross-Origin-Opener-Policy"] = "same-origin"
        if app.config.get("HSTS_SECONDS"):
            h["Strict-Transport-Security"] = f"max-age={int(app.config['HSTS_SECONDS'])}; includeSubDomains"
        if request.endpoint != "static" and current_user and current_user.is_authenticated:
            h["Cache-Control"] = "no-store"
        if g.get("request_id"):
            h["X-Request-Id"] = g.request_id
        return response


def _strings_in(value, depth: int = 0):
    """Every string inside a parsed JSON value (bounded depth)."""
    if depth > 20:
        return
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _strings_in(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            yield from _strings_in(v, depth + 1)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _error_page(400, _("页面已过期"), _("表单安全校验失败（页面可能已过期），请返回刷新后重新提交。您填写的内容未丢失时可直接重新提交。"))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        title, message = ERROR_TEXT.get(error.code or 500, (error.name, error.description or ""))
        return _error_page(error.code or 500, _(title), _(message))

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        log.exception("unhandled error, request %s", g.get("request_id"))
        title, message = ERROR_TEXT[500]
        return _error_page(500, _(title), _(message))


def register_template_helpers(app: Flask) -> None:
    def mask_id(value):
        return mask_id_number(value) if value else ""

    def mask_phone(value):
        return _mask(value) if value else ""

    def audit_value(value) -> str:
        """An audit detail value as short text (lists joined, long values cut)."""
        if isinstance(value, (list, tuple)):
            value = ", ".join(str(v) for v in value)
        elif isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items())
        text = "" if value is None else str(value)
        return text if len(text) <= 200 else text[:200] + "…"

    app.jinja_env.filters["audit_value"] = audit_value
    app.jinja_env.filters["mask_id"] = mask_id
    app.jinja_env.filters["mask_phone"] = mask_phone
    app.jinja_env.filters["cndate"] = format_date
    app.jinja_env.filters["cndatetime"] = lambda v: format_date(v, with_time=True)

    @app.context_processor
    def inject_globals():
        return {
            "has_endpoint": lambda endpoint: endpoint in app.view_functions,
            "age_of": age_on,
            "can": lambda permission: has_permission(current_user, permission),
            "current_locale": str(get_locale()),
            "languages": app.config["LANGUAGES"],
        }
