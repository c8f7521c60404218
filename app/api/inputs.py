"""Reading JSON request bodies: types checked field by field, every problem reported at once with
a Chinese message (the business rules themselves stay in the activities services)."""
from __future__ import annotations

import uuid
from datetime import date, time
from typing import Any

from flask import request

from app.core.i18n import N_
from app.core.errors import MESSAGES, UserError

MAX_ID = 2**31 - 1


class BadRequest(Exception):
    """The body is not a JSON object at all (HTTP 400)."""


class InputError(UserError):
    """Fields of the right body with wrong types (HTTP 422); ``fields`` maps names to messages
    (the first is the error's own message and field)."""

    def __init__(self, fields: dict[str, str]):
        field, message = next(iter(fields.items()), (None, MESSAGES[422][0]))
        super().__init__(message, field=field)
        self.fields = fields


def json_object() -> dict:
    """The request body as a JSON object.

    :raise BadRequest: when it is missing, not JSON or not an object.
    """
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest()
    return body


def valid_id(value: Any) -> bool:
    return type(value) is int and 1 <= value <= MAX_ID


class Reader:
    """Typed access to one JSON object; problems are collected in ``errors``."""

    def __init__(self, body: dict):
        self.body, self.errors = body, {}

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def check(self) -> None:
        """:raise InputError: if any field was wrong."""
        if self.errors:
            raise InputError(self.errors)

    def id(self, name: str) -> int | None:
        value = self.body.get(name)
        if not valid_id(value):
            self.fail(name, N_("请给出有效的编号") if name in self.body else N_("缺少此项"))
            return None
        return value

    def text(self, name: str, limit: int, required: bool = False) -> str | None:
        value = self.body.get(name)
        if value is None:
            if required:
                self.fail(name, N_("缺少此项"))
            return None
        if not isinstance(value, str):
            self.fail(name, N_("应为文字"))
            return None
        if "\x00" in value or not _encodable(value):
            self.fail(name, N_("包含无效字符"))
            return None
        if len(value) > limit:
            self.fail(name, N_("内容过长"))
            return None
        return value

    def uuid(self, name: str) -> str | None:
        value = self.text(name, 36, required=True)
        if value is None:
            return None
        try:
            return str(uuid.UUID(value))
        except ValueError:
            self.fail(name, N_("记录编号应为 UUID"))
            return None

    def day(self, name: str, required: bool = False) -> date | None:
        value = self.text(name, 10, required)
        if value is None:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            self.fail(name, N_("日期格式应为 YYYY-MM-DD"))
            return None

    def clock(self, name: str) -> time | None:
        value = self.text(name, 8)
        if not value:
            return None
        try:
            return time.fromisoformat(value).replace(tzinfo=None)
        except ValueError:
            self.fail(name, N_("时间格式应为 HH:MM"))
            return None

    def integer(self, name: str) -> int | None:
        value = self.body.get(name)
        if value is None:
            return None
        if type(value) is not int or abs(value) > MAX_ID:
            self.fail(name, N_("应为整数"))
            return None
        return value

    def number(self, name: str) -> float | None:
        value = self.body.get(name)
        if value is None:
            return None
        if type(value) not in (int, float) or abs(value) > 1e9:
            self.fail(name, N_("应为数字"))
            return None
        return float(value)

    def flag(self, name: str) -> bool | None:
        value = self.body.get(name)
        if value is None or isinstance(value, bool):
            return value
        self.fail(name, N_("应为 true 或 false"))
        return None

    def strings(self, name: str, limit: int = 20) -> list[str]:
        value = self.body.get(name)
        if value is None:
            return []
        if not isinstance(value, list) or len(value) > limit or not all(isinstance(v, str) and len(v) <= 64
                                                                          and _encodable(v) for v in value):
            self.fail(name, N_("应为选项列表"))
            return []
        return list(dict.fromkeys(value))

    def ids(self, name: str, limit: int = 2000, required: bool = False) -> list[int]:
        value = self.body.get(name)
        if value is None and not required:
            return []
        if not isinstance(value, list) or len(value) > limit or not all(valid_id(v) for v in value):
            self.fail(name, N_("应为编号列表") if value is not None else N_("缺少此项"))
            return []
        return list(dict.fromkeys(value))

    def mapping(self, name: str) -> dict[str, str] | None:
        value = self.body.get(name)
        if value is None:
            return None
        if not isinstance(value, dict) or len(value) > 20 or not all(
                isinstance(v, str) and len(k) <= 32 and len(v) <= 32 for k, v in value.items()):
            self.fail(name, N_("应为选项对照"))
            return None
        return dict(value)


def _encodable(value: str) -> bool:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates from a hostile "\ud800"
        return False
    return True
