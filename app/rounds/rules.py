"""What a person's duties ask of them now: the per-child check and the supervisor's sample.

Plain functions (no Flask, no database). A per-child duty (the cadre's weekly check, an
assignee's monthly contact) is "at least one check per period", evaluated by the same engine as
the volunteers' talks (:func:`app.activities.cadence.periodic_item`): the first period is the
one the duty began in (with the 7-day grace), a check in the current period makes it done, else
it is due at the end of the period after the last check and overdue after that day.

The supervisor's sample is "at least ``n`` different children checked per period" (``n`` capped at
the size of the pool, a township with 3 priority children asks for 3): done once the current
period has enough; otherwise overdue when the previous period (begun after the duty did) fell
short, else due at the current period's end.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from app.activities.cadence import DUE_SOON_DAYS, DueItem, periodic_item
from app.activities.periods import period_of


def child_item(every: str, since: date, checks: Iterable[date], today: date) -> DueItem:
    """The state of "one check per ``every``" for one child, the duty having begun on ``since``."""
    days = [d for d in checks if since <= d <= today]
    return periodic_item("check", every, since, max(days) if days else None, today)


@dataclass(frozen=True)
class SampleState:
    """The supervisor's sample in the current period."""

    needed: int
    checked: int  # distinct children checked in the current period
    due: date  # the deadline that sets the status: the previous period's end when it fell short
    status: str  # done | due_this_week | due_later | overdue
    period_end: date  # the current period's last day
    days_overdue: int = 0
    last_period_checked: int = 0


def sample_item(every: str, size: int, pool: int, since: date, checks: Iterable[tuple[int, date]],
                today: date) -> SampleState:
    """``checks`` are (child id, day) of the supervisor's checks; ``pool`` the children they may sample."""
    needed = min(size, pool)
    current = period_of(every, today)
    previous = period_of(every, current.start - timedelta(days=1))
    now = {c for c, d in checks if d in current and d <= today}
    before = {c for c, d in checks if d in previous}
    if len(now) >= needed:
        return SampleState(needed, len(now), current.end, "done", current.end, last_period_checked=len(before))
    if previous.start >= since and len(before) < needed:
        return SampleState(needed, len(now), previous.end, "overdue", current.end, (today - previous.end).days,
                           len(before))
    status = "due_this_week" if (current.end - today).days < DUE_SOON_DAYS else "due_later"
    return SampleState(needed, len(now), current.end, status, current.end, last_period_checked=len(before))
