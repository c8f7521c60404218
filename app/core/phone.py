"""Mainland China phone numbers: validation, normalisation and masking.

Accepted forms:

* mobile ``1[3-9]`` + 9 digits, optionally prefixed ``+86``/``86``/``0086``, with spaces or
  dashes anywhere (``+86 138-1234-5678``) → normalised to 11 digits;
* landline with area code, ``0`` + 2-3 digits, then a 7-8 digit local number, optionally an
  extension (``0855-3571234``, ``(0855)3571234``, ``010 87654321 转 801``) → normalised to
  ``AREA-LOCAL`` or ``AREA-LOCAL-EXT``. Area codes 010 and 02X have 3 digits, all others 4.
"""

from __future__ import annotations

import re
import unicodedata

from app.core.errors import UserError

MESSAGE = "联系电话格式错误"
MESSAGE_EN = "Invalid phone number"

_MOBILE = re.compile(r"1[3-9]\d{9}")
_MOBILE_PREFIX = re.compile(r"^(?:\+86|0086|86)(?=1[3-9]\d{9}$)")
_LANDLINE = re.compile(
    r"\(?(?P<area>0\d{2,3})\)?-?(?P<local>\d{7,8})(?:(?:-|转|ext\.?|#|x)(?P<ext>\d{1,6}))?",
    re.IGNORECASE,
)
_SPACES = re.compile(r"[\s\u200b\ufeff]+")


class PhoneError(UserError):
    """An invalid phone number (code ``bad_phone``)."""

    code = "bad_phone"

    def __init__(self, value: object) -> None:
        super().__init__(MESSAGE, message_en=MESSAGE_EN)
        self.value = value


def _clean(value: object) -> str:
    """Return ``value`` as NFKC text without spaces; integral numbers keep their digits."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().lstrip("'")
    return _SPACES.sub("", text)


def _landline(text: str) -> str | None:
    """Return the normalised landline ``AREA-LOCAL[-EXT]`` or ``None`` if ``text`` is not one."""
    match = _LANDLINE.fullmatch(text)
    if not match:
        return None
    area, local, ext = match["area"], match["local"], match["ext"]
    digits = area + local
    # A run of digits without separators is split by the real rule: 010/02X are 3-digit codes.
    if "-" not in text and "(" not in text:
        area_len = 3 if digits.startswith(("010", "02")) else 4
        area, local = digits[:area_len], digits[area_len:]
        if not 7 <= len(local) <= 8:
            return None
    elif area.startswith(("010", "02")) != (len(area) == 3):
        return None
    return f"{area}-{local}" + (f"-{ext}" if ext else "")


def normalize_phone(value: object) -> str:
    """Return the normalised phone number (see the module docstring).

    :raise PhoneError: if ``value`` is blank or not a mainland mobile or landline number.
    """
    if value is None or isinstance(value, bool):
        raise PhoneError(value)
    text = _clean(value)
    mobile = _MOBILE_PREFIX.sub("", text.replace("-", ""), count=1)
    if _MOBILE.fullmatch(mobile):
        return mobile
    landline = _landline(text)
    if landline is None:
        raise PhoneError(value)
    return landline


def is_valid_phone(value: object) -> bool:
    """Return whether ``value`` is a valid mainland phone number. Never raises."""
    try:
        normalize_phone(value)
    except PhoneError:
        return False
    return True


def mask_phone(value: object) -> str:
    """Mask a phone number for display: ``'13812345678'`` → ``'138****5678'``.

    Landlines keep the area code and the last 4 digits (``'0855-***1234'``); anything that is
    not a valid number keeps only its last 4 characters. ``None`` gives ``''``. Never raises.
    """
    if value is None:
        return ""
    try:
        number = normalize_phone(value)
    except PhoneError:
        text = _clean(value)
        return "*" * len(text) if len(text) <= 4 else "*" * (len(text) - 4) + text[-4:]
    if "-" not in number:
        return number[:3] + "****" + number[-4:]
    area, local = number.split("-")[:2]
    return f"{area}-" + "*" * (len(local) - 4) + local[-4:]
