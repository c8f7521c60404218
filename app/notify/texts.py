"""Notification texts stored as a message key and its parameters, translated when shown or sent.

A notification is written once (often by cron, outside any request) but read in the recipient's
language: the in-app centre in the language of the page, an e-mail, SMS or push in the one the
recipient chose (``User.locale``). So :class:`Notification` keeps ``message``::

    {"title": {"key": "新的强制报告 #%(id)s（%(place)s），请立即查看并确认", "params": {...}},
     "body": [{"key": ..., "params": {...}}, ...]}   # body: lines, may be absent

A key is the Chinese source text, marked with ``N_`` so that it is in the catalogue. A parameter
is a plain value (a name, a number: shown as is), ``{"t": msgid}`` (a label, translated), or
``{"list": [...]}`` (parameters joined with the language's separator). Rows written before keys
existed have no ``message``: their stored ``title``/``body`` are shown unchanged.
"""
from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import force_locale, gettext

LOCALES = ("zh_CN", "en")
SEPARATORS = {"en": ", "}


def text(key: str, **params: Any) -> dict:
    """One stored text: ``key`` (an N_-marked msgid) with ``params``."""
    return {"key": key, "params": params}


def label(msgid: str) -> dict:
    """A parameter translated with the rest (e.g. a concern's label)."""
    return {"t": msgid}


def labels(msgids) -> dict:
    return {"list": [label(m) for m in msgids]}


def locale_of(user) -> str:
    """The language ``user`` reads notifications in (their choice, else the deployment's default)."""
    chosen = getattr(user, "locale", None)
    return chosen if chosen in LOCALES else current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN")


def _param(value: Any, locale: str) -> Any:
    if isinstance(value, dict) and "t" in value:
        return gettext(value["t"])
    if isinstance(value, dict) and "list" in value:
        return SEPARATORS.get(locale, "、").join(str(_param(v, locale)) for v in value["list"])
    return value


def _one(spec: dict, locale: str) -> str:
    params = {k: _param(v, locale) for k, v in (spec.get("params") or {}).items()}
    # gettext formats with the params (and leaves a text without placeholders alone)
    return gettext(spec["key"], **params)


def render(spec, locale: str | None = None) -> str:
    """``spec`` (one text, or a list of lines) in ``locale`` (the current one when None)."""
    if locale is None:
        return _render(spec, None)
    with force_locale(locale):
        return _render(spec, locale)


def _render(spec, locale: str | None) -> str:
    from flask_babel import get_locale

    locale = locale or str(get_locale() or "zh_CN")
    if isinstance(spec, list):
        return "\n".join(_one(line, locale) for line in spec)
    return _one(spec, locale)


def default_text(spec) -> str:
    """The stored fallback columns: the text in the deployment's default language."""
    return render(spec, current_app.config.get("BABEL_DEFAULT_LOCALE", "zh_CN"))
