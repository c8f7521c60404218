"""Calendar periods the cadence rules count in: weeks, months, quarters and school terms.

School terms (configurable here, one place):

* spring term: 1 March – 15 July (:data:`SPRING_TERM`)
* autumn term: 1 September – 20 January of the next year (:data:`AUTUMN_TERM`)

For a *per term* rule every day of the year belongs to a term *window*: the school holiday
before a term counts for that term (a family visit in the summer holiday counts for the autumn
term, one in the winter holiday for the spring term). So the autumn window is 16 July – 20
January and the spring window 21 January – 15 July; each window is due on its term's last day.

Working days are Monday to Friday. There is no public-holiday calendar (春节 and 国庆 weeks
count as working days); that errs on the strict side for the 5-working-day first visit.

Holiday dates: 六一 is 1 June; 中秋 and 春节 follow the lunar calendar and come from the table
below (2024–2035); years outside the table simply have no such reminder.
"""
from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from typing import NamedTuple

SPRING_TERM = ((3, 1), (7, 15))  # (month, day) of the first and last day
AUTUMN_TERM = ((9, 1), (1, 20))  # ends in January of the following year

SPRING_FESTIVAL = {
    2024: date(2024, 2, 10), 2025: date(2025, 1, 29), 2026: date(2026, 2, 17), 2027: date(2027, 2, 6),
    2028: date(2028, 1, 26), 2029: date(2029, 2, 13), 2030: date(2030, 2, 3), 2031: date(2031, 1, 23),
    2032: date(2032, 2, 11), 2033: date(2033, 1, 31), 2034: date(2034, 2, 19), 2035: date(2035, 2, 8),
}
MID_AUTUMN = {
    2024: date(2024, 9, 17), 2025: date(2025, 10, 6), 2026: date(2026, 9, 25), 2027: date(2027, 9, 15),
    2028: date(2028, 10, 3), 2029: date(2029, 9, 22), 2030: date(2030, 9, 12), 2031: date(2031, 10, 1),
    2032: date(2032, 9, 19), 2033: date(2033, 9, 8), 2034: date(2034, 9, 27), 2035: date(2035, 9, 16),
}



class Period(NamedTuple):
    """An inclusive range of days."""

    start: date
    end: date

    def __contains__(self, day: object) -> bool:  # type: ignore[override]
        return isinstance(day, date) and self.start <= day <= self.end


def _month_end(year: int, month: int) -> date:
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def _spring_end(year: int) -> date:
    return date(year, *SPRING_TERM[1])


def _autumn_end(year: int) -> date:
    """The last day of the autumn term that *starts* in ``year``."""
    (m, d) = AUTUMN_TERM[1]
    return date(year + 1 if m < AUTUMN_TERM[0][0] else year, m, d)


def term_window(day: date) -> Period:
    """The term window ``day`` counts for (see the module docstring)."""
    spring_end = _spring_end(day.year)
    prev_autumn_end = _autumn_end(day.year - 1)  # e.g. 20 January of this year
    if day <= prev_autumn_end:
        return Period(_spring_end(day.year - 1) + timedelta(days=1), prev_autumn_end)
    if day <= spring_end:
        return Period(prev_autumn_end + timedelta(days=1), spring_end)
    return Period(spring_end + timedelta(days=1), _autumn_end(day.year))


def in_term(day: date) -> bool:
    """True on a school day of the spring or the autumn term (holidays excluded)."""
    spring = Period(date(day.year, *SPRING_TERM[0]), _spring_end(day.year))
    autumn = Period(date(day.year, *AUTUMN_TERM[0]), _autumn_end(day.year))
    last_autumn = Period(date(day.year - 1, *AUTUMN_TERM[0]), _autumn_end(day.year - 1))
    return day in spring or day in autumn or day in last_autumn


@lru_cache(maxsize=8192)
def period_of(kind: str, day: date) -> Period:
    """The period of ``kind`` (week Monday–Sunday, month, quarter, term window) holding ``day``.

    :raise ValueError: for an unknown kind.
    """
    if kind == "week":
        start = day - timedelta(days=day.weekday())
        return Period(start, start + timedelta(days=6))
    if kind == "month":
        return Period(day.replace(day=1), _month_end(day.year, day.month))
    if kind == "quarter":
        first_month = (day.month - 1) // 3 * 3 + 1
        return Period(date(day.year, first_month, 1), _month_end(day.year, first_month + 2))
    if kind == "term":
        return term_window(day)
    raise ValueError(f"unknown period kind {kind!r}")


def next_period(kind: str, period: Period) -> Period:
    """The period of ``kind`` right after ``period``."""
    return period_of(kind, period.end + timedelta(days=1))


def add_working_days(start: date, n: int) -> date:
    """The ``n``-th Monday–Friday after ``start`` (``start`` itself is not counted)."""
    day = start
    while n > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def holidays_near(today: date, birth_date: date | None = None) -> list[tuple[str, date]]:
    """(occasion, date) of the holidays in the years around ``today``, birthday included."""
    found = list(_fixed_holidays(today.year))
    if birth_date is not None:
        for year in (today.year - 1, today.year, today.year + 1):
            try:
                found.append(("birthday", birth_date.replace(year=year)))
            except ValueError:  # 29 February in a common year: celebrate on 28 February
                found.append(("birthday", date(year, 2, 28)))
    return sorted(found, key=lambda item: item[1])


@lru_cache(maxsize=8)
def _fixed_holidays(year: int) -> tuple[tuple[str, date], ...]:
    found: list[tuple[str, date]] = []
    for y in (year - 1, year, year + 1):
        found.append(("childrens_day", date(y, 6, 1)))
        found.append(("summer_holiday", _spring_end(y) + timedelta(days=1)))
        found.append(("winter_holiday", _autumn_end(y - 1) + timedelta(days=1)))
        if y in MID_AUTUMN:
            found.append(("mid_autumn", MID_AUTUMN[y]))
        if y in SPRING_FESTIVAL:
            found.append(("spring_festival", SPRING_FESTIVAL[y]))
    return tuple(found)
