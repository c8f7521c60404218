"""Shared pieces of every report: the period, the region, the header/footer data and checks."""
from __future__ import annotations

from app.core.i18n import N_

import re
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta

from app.core.dates import CHINA
from app.core.errors import UserError

QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$")
YEAR_RE = re.compile(r"^(\d{4})$")
#: signature lines at the foot of every report (单位负责人 / 复核人 / 填表人)
SIGNATURES = ("单位负责人", "复核人", "填表人")


class ParameterError(UserError):
    """A report parameter that cannot be used; ``message`` is Chinese and says why."""

    def __init__(self, message: str):
        super().__init__(message)


def cn_date(day: date | datetime | None) -> str:
    """2026年11月22日 (datetimes in China time); the empty string for None."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = day.astimezone(CHINA).date() if day.tzinfo else day.date()
    return f"{day.year}年{day.month}月{day.day}日"


def cn_short(day: date | None) -> str:
    """10月3日 — for dense tables inside a report whose period names the year."""
    return f"{day.month}月{day.day}日" if day else ""


def table_date(day: date | None, period: Period | None) -> str:
    """A date in a dense table: 10月3日 when the period lies within one year, 2026.12.31 when it
    spans two (a short date would then be ambiguous)."""
    if day is None:
        return ""
    if period is not None and period.start.year == period.end.year:
        return cn_short(day)
    return f"{day.year}.{day.month}.{day.day}"


@dataclass(frozen=True)
class Period:
    """An inclusive range of days, with the label printed on the report."""

    start: date
    end: date
    label: str

    @property
    def months(self) -> list[tuple[int, int]]:
        """(year, month) of every month the period touches, in order."""
        out, y, m = [], self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            out.append((y, m))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as aware datetimes (China days), for timestamp columns."""
        return (datetime.combine(self.start, time(0), CHINA),
                datetime.combine(self.end + timedelta(days=1), time(0), CHINA))

    def as_param(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"


def quarter_period(text: str) -> Period:
    """The period of ``2026-Q4``.

    :raise ParameterError: when ``text`` is not a quarter.
    """
    match = QUARTER_RE.match((text or "").strip())
    if not match:
        raise ParameterError(N_("季度格式应为 2026-Q4"))
    year, q = int(match[1]), int(match[2])
    start = date(year, 3 * q - 2, 1)
    end = (date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1)) - timedelta(days=1)
    return Period(start, end, f"{year}年第{q}季度")


def parse_period(text: str | None, default_quarter: str | None = None) -> Period:
    """A period from ``2026-Q4``, ``2026`` (the year) or ``2026-10-01..2026-12-31`` (at most 400 days).

    :raise ParameterError: on anything else, an inverted range or a range too long.
    """
    text = (text or default_quarter or "").strip()
    if QUARTER_RE.match(text):
        return quarter_period(text)
    if YEAR_RE.match(text):
        year = int(text)
        if not 2000 <= year <= 2100:
            raise ParameterError(N_("年份应在2000到2100之间"))
        return Period(date(year, 1, 1), date(year, 12, 31), f"{year}年度")
    try:
        first, last = (date.fromisoformat(part.strip()) for part in text.split("..", 1))
    except ValueError:
        raise ParameterError(N_("期间应为季度（2026-Q4）、年度（2026）或日期范围（2026-10-01..2026-12-31）")) from None
    if last < first:
        raise ParameterError(N_("结束日期不能早于开始日期"))
    if (last - first).days > 400:
        raise ParameterError(N_("期间不能超过400天"))
    return Period(first, last, f"{cn_date(first)}至{cn_date(last)}")


def current_quarter(today: date) -> str:
    return f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def recent_years(today: date, n: int = 2) -> list[str]:
    """This year and the ``n - 1`` before it, newest first."""
    return [str(today.year - k) for k in range(n)]


def recent_quarters(today: date, n: int = 6) -> list[str]:
    """The current quarter and the ``n - 1`` before it, newest first."""
    y, q = today.year, (today.month - 1) // 3 + 1
    out = []
    for _ in range(n):
        out.append(f"{y}-Q{q}")
        y, q = (y - 1, 4) if q == 1 else (y, q - 1)
    return out


@dataclass
class ReportMeta:
    """What every page shows: title, issuer, date, number, verification code and URL path."""

    title: str
    subtitle: str = ""
    organisation: str = ""
    issued_on: str = ""
    issued_by: str = ""
    number: str = ""
    code: str = ""
    verify_path: str = ""
    landscape: bool = False
    signatures: tuple[str, ...] = SIGNATURES
    verify_url: str = ""  # absolute, from SITE_URL; printed and encoded in the QR code
    qr: str = ""  # data: URL of the QR code image of verify_url
    as_of: str = ""  # 数据截至 <date> when the period is not over yet

    @property
    def running_header(self) -> str:
        """The header on every page: the title, the scope and the period (the subtitle)."""
        return " · ".join(x for x in (self.title, self.subtitle) if x)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Check:
    """A cross-sum check: ``parts`` should add up to ``total``."""

    name: str
    total: int
    parts: int

    @property
    def ok(self) -> bool:
        return self.total == self.parts


@dataclass
class Checks:
    items: list[Check] = field(default_factory=list)

    def add(self, name: str, total: int, parts: int) -> None:
        self.items.append(Check(name, int(total), int(parts)))

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.items)

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.items if not c.ok]


def pct(part: int, whole: int) -> float | None:
    """``part / whole`` in percent, one decimal; None when ``whole`` is 0."""
    return round(100.0 * part / whole, 1) if whole else None


def pct_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def hours_text(minutes: int | float | None) -> str:
    """Minutes as hours with one decimal (``90`` → ``1.5``) — display only: sums are always
    taken over exact minutes, never over these rounded figures."""
    return f"{(minutes or 0) / 60:.1f}"


def duration_text(minutes: int | None) -> str:
    """Exact minutes as 小时/分 (``90`` → ``1小时30分``, ``45`` → ``45分``, ``0`` → ``0分``): rows
    printed this way add up exactly to a total printed the same way."""
    minutes = int(minutes or 0)
    h, m = divmod(minutes, 60)
    if not h:
        return f"{m}分"
    return f"{h}小时" + (f"{m:02d}分" if m else "")


def exact_hours(minutes: int | None) -> float:
    """Minutes as an exact-as-possible number of hours (for Excel cells formatted 0.0)."""
    return (minutes or 0) / 60
