"""Dates in China time: 'today' for due dates and ages is the local calendar day."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


def today_cn() -> date:
    """Today's date in China (the server may run in UTC)."""
    return datetime.now(CHINA).date()


def age_on(birth: date | None, on: date | None = None) -> int | None:
    """Whole years of age on ``on`` (default: today in China)."""
    if birth is None:
        return None
    on = on or today_cn()
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def quarter_of(day: date) -> str:
    """'2026-Q4' for any date in October–December 2026."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
