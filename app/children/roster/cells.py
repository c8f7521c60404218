"""Parsing one cell: text, placeholders, dates in every form, ID and phone numbers, codes,
yes/no; formula neutralisation (OWASP) and its undoing."""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl.utils.datetime import from_excel

from app.children import vocab
from app.children.vocab import FIELD_VOCABULARIES, fold
from app.core import idcard
from app.core.phone import PhoneError, normalize_phone


# ---------------------------------------------------------------- cell parsing

_PLACEHOLDERS = frozenset({"/", "-", "--", "---", "—", "——", "\\", "n/a", "na", "#n/a", "空", "."})
_NONE_WORDS = frozenset({"无", "暂无", "没有", "不详"})
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

_FULL_DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\.?(?:\s*\d{1,2}:\d{2}(?::\d{2})?)?"
)
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_YEAR_MONTH = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\.?|(\d{4})(\d{2})")


@dataclass(frozen=True)
class _YearMonth:
    """A date cell with only year and month (出生年月)."""

    year: int
    month: int
    raw: str


def _needs_prefix(text: str) -> bool:
    """Whether text, after any leading apostrophes, starts like a formula."""
    return text.lstrip("'").startswith(_FORMULA_TRIGGERS)


def neutralize(value: Any) -> Any:
    """Prefix formula-like text (starting with = + - @ tab CR) with ``'`` (OWASP guidance).

    Text that already starts with ``'`` before such a character gets one more, so that
    :func:`unneutralize` restores every value exactly. Non-text values pass unchanged.
    """
    return "'" + value if isinstance(value, str) and _needs_prefix(value) else value


def unneutralize(text: str) -> str:
    """Undo :func:`neutralize` on text read back from a cell."""
    return text[1:] if text.startswith("'") and _needs_prefix(text[1:]) else text


def _text(value: object) -> str | None:
    """Cell → stripped text; blanks and placeholders (``/``, ``—``) → ``None``."""
    if value is None:
        return None
    if type(value) is str:  # most cells: no conversions to try
        text = value.strip()
        text = unneutralize(text).strip() if text.startswith("'") else text
    else:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, datetime):
            value = value.date()
        text = unneutralize(str(value).strip()) if isinstance(value, str) else str(value)
        text = text.strip()
    text = text.strip("\u200b\ufeff")
    if not text or (len(text) <= 4 and fold(text) in _PLACEHOLDERS):
        return None
    return text


@functools.lru_cache(maxsize=256)
def _is_date_format(number_format: str) -> bool:
    """Whether a date number format shows the day (``yyyy-mm`` does not)."""
    fmt = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", number_format.lower())
    return "d" in fmt


def _parse_date_value(
    value: object, number_format: str, epoch: datetime | None
) -> date | _YearMonth | str | None:
    """Parse a date cell: date/datetime, Excel serial, yyyymmdd number, or text.

    Returns a :class:`date`, a :class:`_YearMonth` for year-month only values, ``None`` for
    blanks, or the original text when unparseable (reported later by the rules).
    """
    if isinstance(value, date):  # datetime included
        day = value.date() if isinstance(value, datetime) else value
        if not _is_date_format(number_format or "yyyy-mm-dd"):
            return _YearMonth(day.year, day.month, f"{day.year}-{day.month:02d}")
        return day
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _parse_date_number(value, epoch)
    text = _text(value)
    if text is None or fold(text) in _NONE_WORDS:
        return None
    return _parse_date_text(text)


def _parse_date_number(value: float, epoch: datetime | None) -> date | str:
    if float(value).is_integer() and 19000101 <= value <= 21001231:
        return _parse_date_text(str(int(value)))
    if 1 <= value < 100_000:
        kwargs = {"epoch": epoch} if epoch else {}
        converted = from_excel(value, **kwargs)
        if isinstance(converted, datetime):
            return converted.date()
    return str(value)


def _parse_date_text(text: str) -> date | _YearMonth | str:
    folded = unicodedata.normalize("NFKC", text).strip()
    match = _FULL_DATE.fullmatch(folded) or _COMPACT_DATE.fullmatch(folded)
    if match:
        try:
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return text
    match = _YEAR_MONTH.fullmatch(folded)
    if match:
        year, month = (match[1], match[2]) if match[1] else (match[3], match[4])
        if 1 <= int(month) <= 12:
            return _YearMonth(int(year), int(month), text)
    return text


def _parse_id_cell(value: object) -> tuple[str | None, bool]:
    """Return (normalised ID text or None, whether a numeric cell lost digits)."""
    if value is None or isinstance(value, bool):
        return (None if value is None else str(value)), False
    if isinstance(value, int) or (isinstance(value, float) and math.isfinite(value)):
        digits = str(int(value)) if float(value).is_integer() else str(value)
        lost = len(digits) >= 16 and (
            isinstance(value, float) or not idcard.is_valid_id_number(digits, check_future=False)
        )
        return digits, lost
    text = _text(value)
    if text is None or fold(text) in _NONE_WORDS:
        return None, False
    return idcard.normalize_id_number(text), False


#: A mobile number already in normal form: what most phone cells hold.
_PLAIN_MOBILE = re.compile(r"1[3-9]\d{9}")


def _parse_phone_cell(value: object) -> str | None:
    if value.__class__ is str and _PLAIN_MOBILE.fullmatch(value):
        return value  # what the steps below give for it, without them
    text = _text(value)
    if text is None or fold(text) in _NONE_WORDS:
        return None
    try:
        return normalize_phone(text)
    except PhoneError:
        return text


def _parse_enum_cell(value: object, vocabulary: vocab.Vocabulary) -> str | None:
    text = _text(value)
    if text is None:
        return None
    return vocabulary.lookup(text) or text


def _parse_multi_cell(value: object, vocabulary: vocab.Vocabulary) -> list[str]:
    text = _text(value)
    if text is None:
        return []
    codes: list[str] = []
    for part in vocab.split_multi(text):
        code = vocabulary.lookup(part) or part
        if code not in codes:
            codes.append(code)
    return codes


def _parse_yes_no_cell(value: object) -> bool | str | None:
    try:
        return vocab.parse_yes_no(
            _text(value) if not isinstance(value, (bool, int, float)) else value
        )
    except ValueError:
        return _text(value)


def _parse_seq(value: object) -> int | str | None:
    if (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and float(value).is_integer()
    ):
        return int(value)
    text = _text(value)
    return int(text) if text and text.isdigit() else text


class _LostDigits(str):
    """An ID read from a numeric cell that lost digits (Excel keeps 15 significant digits)."""


Parser = Callable[[object, str, Any], Any]


def _parser(name: str) -> Parser:
    """The cell parser of a record field: ``(value, number_format, epoch) -> parsed value``."""
    if name == "seq":
        return lambda v, f, e: _parse_seq(v)
    if name in vocab.DATE_FIELDS:
        return _parse_date_value
    if name in vocab.ID_FIELDS:
        return lambda v, f, e: _parse_id_value(v)
    if name in vocab.PHONE_FIELDS:
        return lambda v, f, e: _parse_phone_cell(v)
    if name in vocab.YES_NO_FIELDS:
        return lambda v, f, e: _parse_yes_no_cell(v)
    vocabulary = FIELD_VOCABULARIES.get(name)
    if vocabulary is not None and vocabulary.multi:
        return lambda v, f, e: _parse_multi_cell(v, vocabulary)
    if vocabulary is not None:
        return lambda v, f, e: _parse_enum_cell(v, vocabulary)
    return lambda v, f, e: _text(v)


def _parse_id_value(value: object) -> str | None:
    number, lost = _parse_id_cell(value)
    return _LostDigits(number) if lost and number else number
