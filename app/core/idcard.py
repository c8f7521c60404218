"""Chinese resident identity card numbers (居民身份证号码, GB 11643-1999).

An ID number has 18 characters: a 6-digit administrative division code, the 8-digit birth
date (YYYYMMDD), a 3-digit sequence number (odd for men, even for women) and a check
character computed with ISO 7064 MOD 11-2 (``0``-``9`` or ``X``).

ID numbers are sensitive personal information: show them through :func:`mask_id_number`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from operator import mul
from datetime import date

from app.core.errors import UserError

#: ISO 7064 MOD 11-2 weights of the first 17 digits: 2**(17 - i) mod 11.
WEIGHTS: tuple[int, ...] = tuple(pow(2, 17 - i, 11) for i in range(17))
#: Check character indexed by the weighted sum mod 11.
_CHECK_CHARS = "10X98765432"

#: First two digits of the division code → province-level division (GB/T 2260).
PROVINCES: dict[str, str] = {
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
    "71": "台湾省",
    "81": "香港特别行政区",
    "82": "澳门特别行政区",
}

MESSAGES: dict[str, tuple[str, str]] = {
    "empty": ("公民身份证号码为空", "The ID number is empty"),
    "bad_length": ("公民身份证号码应为18位", "An ID number has 18 characters"),
    "bad_chars": (
        "公民身份证号码只能由数字组成,最后一位可以是X",
        "An ID number has 17 digits followed by a digit or X",
    ),
    "bad_birth_date": ("身份证号码中的出生日期无效", "The birth date in the ID number is invalid"),
    "bad_check_digit": ("公民身份证号码校验位错误", "The ID number's check character is wrong"),
}

#: Warning (not an error) for a division code whose province is unknown.
UNKNOWN_DIVISION_MESSAGE = (
    "身份证号码前6位不是已知的行政区划代码",
    "The ID number's division code is unknown",
)

#: Text that normalisation leaves as it is (but for upper-casing).
_PLAIN = re.compile(r"[0-9A-Za-z]+")
_ZERO_WIDTH = {"\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"}


class IdNumberError(UserError):
    """An invalid ID number, with a stable ``code`` and Chinese/English messages."""

    def __init__(self, code: str) -> None:
        zh, en = MESSAGES[code]
        super().__init__(zh, code=code, message_en=en)


@dataclass(frozen=True)
class IdNumberInfo:
    """What a valid ID number tells: the normalised number, birth date, sex and division."""

    number: str
    division: str
    birth_date: date
    sex: str  # "male" | "female"

    @property
    def province(self) -> str | None:
        """Name of the province-level division, or ``None`` when unknown."""
        return PROVINCES.get(self.division[:2])

    @property
    def division_known(self) -> bool:
        """Whether the first two digits are a known province code (unknown → warn only)."""
        return self.division[:2] in PROVINCES


def normalize_id_number(value: object) -> str:
    """Return ``value`` as an ID string: no spaces, ASCII digits, upper-case ``X``.

    Integers (from numeric spreadsheet cells) become their digits; ``None`` becomes ``""``.
    A leading apostrophe (Excel's text marker, when pasted) is dropped. Never raises.
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if value.__class__ is str and _PLAIN.fullmatch(value):
        return value.upper()  # most cells: NFKC, spaces and apostrophes change nothing
    text = unicodedata.normalize("NFKC", str(value))
    text = "".join(ch for ch in text if not ch.isspace() and ch not in _ZERO_WIDTH)
    return text.lstrip("'").upper()


def check_character(first17: str) -> str:
    """Return the ISO 7064 MOD 11-2 check character of 17 digits.

    :raise ValueError: if ``first17`` is not exactly 17 ASCII digits.
    """
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("need exactly 17 digits")
    total = sum(map(mul, map(int, first17), WEIGHTS))
    return _CHECK_CHARS[total % 11]


def _birth_date(number: str) -> date:
    """Return the birth date at positions 7-14.

    :raise IdNumberError: ``bad_birth_date`` if it is not a real calendar date after 1800.
    """
    year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    if year < 1800:
        raise IdNumberError("bad_birth_date")
    try:
        return date(year, month, day)
    except ValueError:
        raise IdNumberError("bad_birth_date") from None


def parse_id_number(
    value: object, *, today: date | None = None, check_future: bool = True
) -> IdNumberInfo:
    """Normalise and validate an ID number, and return what it encodes.

    Checks, in order: length 18, 17 digits then a digit or X, a real birth date (not after
    ``today`` — default: the current date — unless ``check_future`` is false), check character.

    :raise IdNumberError: ``empty``, ``bad_length``, ``bad_chars``, ``bad_birth_date`` or
        ``bad_check_digit``.
    """
    found = _parse_normalized(normalize_id_number(value))
    fault, born = (None, found.birth_date) if isinstance(found, IdNumberInfo) else found
    if check_future and born is not None and born > (today or date.today()):
        raise IdNumberError("bad_birth_date")  # before the check character, as documented
    if fault is not None:
        raise IdNumberError(fault)
    return found


@lru_cache(maxsize=4096)
def _parse_normalized(number: str) -> IdNumberInfo | tuple[str, date | None]:
    """What a normalised number encodes, or the code of its first fault with the birth date
    when it has one (the future check is the caller's). Cached: one import row asks about
    the same numbers several times."""
    if not number:
        return "empty", None
    if len(number) != 18:
        return "bad_length", None
    if not (number[:17].isascii() and number[:17].isdigit() and number[17] in "0123456789X"):
        return "bad_chars", None
    try:
        born = _birth_date(number)
    except IdNumberError as exc:
        return exc.code, None
    if check_character(number[:17]) != number[17]:
        return "bad_check_digit", born
    sex = "male" if int(number[16]) % 2 else "female"
    return IdNumberInfo(number=number, division=number[:6], birth_date=born, sex=sex)


def is_valid_id_number(
    value: object, *, today: date | None = None, check_future: bool = True
) -> bool:
    """Return whether ``value`` is a valid ID number (see :func:`parse_id_number`). Never raises."""
    try:
        parse_id_number(value, today=today, check_future=check_future)
    except IdNumberError:
        return False
    return True


def mask_id_number(value: object) -> str:
    """Mask an ID number for display: first 4 and last 4 characters kept.

    ``'522626201404039405'`` → ``'5226**********9405'``. Values of 8 characters or fewer are
    masked entirely; ``None`` and blanks give ``''``. Never raises.
    """
    number = normalize_id_number(value)
    if len(number) <= 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def make_id_number(division6: str, birth_date: date, seq3_or_sex: int | str = "male") -> str:
    """Build a valid ID number, for tests and demo data.

    ``seq3_or_sex`` is either the 3-digit sequence number (0-999, or a 3-digit string) or a
    sex (``"male"``/``"female"``/``"男"``/``"女"``), which picks sequence 001 or 002.

    :raise ValueError: if the division is not 6 digits or the sequence/sex is invalid.
    """
    if len(division6) != 6 or not division6.isascii() or not division6.isdigit():
        raise ValueError("division6 must be 6 digits")
    if isinstance(seq3_or_sex, str) and not seq3_or_sex.isdigit():
        seq = {"male": 1, "男": 1, "female": 2, "女": 2}.get(seq3_or_sex)
        if seq is None:
            raise ValueError(f"unknown sex: {seq3_or_sex!r}")
    else:
        seq = int(seq3_or_sex)
    if not 0 <= seq <= 999:
        raise ValueError("sequence must be 0-999")
    first17 = f"{division6}{birth_date:%Y%m%d}{seq:03d}"
    return first17 + check_character(first17)


def mask_query(query: str) -> str:
    """A search text with any full ID number in it masked (for audit details and logs).

    Names and the last four characters stay as typed: they identify no one by themselves.
    """
    text = (query or "").strip()
    if len(text) > 8 and (text.isdigit() or text[-1:] in "Xx" and text[:-1].isdigit()):
        return mask_id_number(text)
    return text
