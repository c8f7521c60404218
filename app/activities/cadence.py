"""The cadence engine: what is due for a volunteer–child pair, computed from rules and logs.

Plain functions, no Flask and no database: give them the rule, the pairing date, whether the
child is a priority child, the ``(kind, date)`` logs of the pair and today's date in China, and
they return :class:`DueItem` s. Nothing about "due" or "overdue" is ever typed by a person.

Rules (defaults from the programme plans in GLOSSARY.md, per volunteer kind; coordinators can
override them for their region, see :class:`app.activities.models.CadenceRule`):

* loving mothers (爱心妈妈), five elders (五老) and youth volunteers: at least one talk per
  calendar month and one home visit per calendar quarter;
* teachers as proxy parents: a talk every week (Monday–Sunday) during term time and a family
  visit per school term (terms are defined in :mod:`app.activities.periods`);
* priority children (tier ``urgent`` or ``key``): a first home visit within 5 working days of
  pairing, until the first visit is logged.

How a periodic requirement is evaluated (one item per rule, "rolling" from the last log):

1. *First deadline.* The first period is the one holding the pairing date, **unless the pair
   was made in its last 7 days** (at most 7 days left, pairing day included): then it is the
   next period. So a child paired on 24 March must have a March talk by 31 March, one paired on
   25 March (the last 7 days of March) has until 30 April. The same 7-day grace applies to
   quarters and term windows, and means a weekly talk is first due at the end of the week after
   the pairing week.
2. *Done.* A log in the current period (the one holding today) makes the item ``done``.
3. *Otherwise* the deadline is the end of the period after the one of the last log (or the
   first deadline, if later, or if there is no log). After that day the item is ``overdue``
   by the number of days since the deadline, so one talk after a gap both ends the overdue
   state and counts for the current period. Missed periods stay visible in the logs
   themselves; this engine answers "what must I do now".
4. ``due_this_week`` when the deadline is within the next 7 days (today + 6), else
   ``due_later``.

Term-only rules (the teachers' weekly talk) ask nothing during school holidays: a week is
obligated only if its Monday is a term day, and while today is in a holiday the next deadline
is the first obligated week after it.

Only logs dated on or after the pairing date (and not after today) count. A home visit also
counts as that period's talk: the volunteer talks with the child at every visit. Holiday reminders (六一, 中秋, 春节,
the winter and summer holidays, the child's birthday) are offered from 14 days before the day
until 2 days after it; any holiday-activity log from 14 days before to 7 days after makes them
done. They are reminders and are never overdue.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from app.activities.periods import Period, add_working_days, holidays_near, in_term, next_period, period_of

GRACE_DAYS = 7  # paired in the last 7 days of a period: the first deadline is the next period's end
DUE_SOON_DAYS = 7  # "本周到期": the deadline is within today … today + 6
HOLIDAY_BEFORE, HOLIDAY_AFTER, HOLIDAY_DONE_AFTER = 14, 2, 7
STATUS_ORDER = {"overdue": 0, "due_this_week": 1, "due_later": 2, "done": 3}


@dataclass(frozen=True)
class Rule:
    """A cadence rule: how often a pair must talk and visit."""

    talk_every: str = "month"  # week | month | none
    talk_term_only: bool = False
    visit_every: str = "quarter"  # month | quarter | term | none
    first_visit_days: int = 5  # working days after pairing for priority children; 0 = off
    holiday_reminders: bool = True


DEFAULT_RULES: dict[str, Rule] = {
    "loving_mother": Rule(),
    "five_elder": Rule(),
    "youth": Rule(),
    "teacher": Rule(talk_every="week", talk_term_only=True, visit_every="term"),
}


@dataclass(frozen=True)
class DueItem:
    """One requirement and its state on ``today``."""

    kind: str  # talk | visit | first_visit | holiday
    due: date
    status: str  # done | due_this_week | due_later | overdue
    days_overdue: int = 0
    last_on: date | None = None
    occasion: str | None = None  # holiday items only

    @property
    def log_kind(self) -> str:
        """The log form that fulfils this item."""
        return "visit" if self.kind == "first_visit" else self.kind

    def sort_key(self) -> tuple:
        """Most urgent first: overdue (longest first), then by deadline."""
        return (STATUS_ORDER[self.status], -self.days_overdue, self.due)


def rule_for(rules: Mapping[str, Rule] | None, volunteer_kind: str) -> Rule:
    """The rule for ``volunteer_kind`` from ``rules``, else the built-in default."""
    if rules and volunteer_kind in rules:
        return rules[volunteer_kind]
    return DEFAULT_RULES.get(volunteer_kind, Rule())


def due_items(rules: Mapping[str, Rule] | Rule | None, volunteer_kind: str, paired_on: date, priority: bool,
              logs: Iterable[tuple[str, date]], today: date, birth_date: date | None = None,
              holidays: bool = True) -> list[DueItem]:
    """What the pair must do, most urgent first.

    ``rules`` is a single :class:`Rule` or a mapping volunteer kind → rule; ``logs`` are
    ``(kind, date)`` with kind ``talk``, ``visit`` or ``holiday``; ``priority`` is true for a
    child of tier ``urgent`` or ``key``. ``holidays=False`` leaves out the holiday reminders
    (never overdue, so overdue reports skip them). Never raises for valid dates.
    """
    rule = rules if isinstance(rules, Rule) else rule_for(rules, volunteer_kind)
    last: dict[str, date] = {}
    holiday_logs: list[date] = []
    for kind, day in logs:
        if day < paired_on or day > today:
            continue
        if kind == "holiday":
            holiday_logs.append(day)
        for counts_as in (("talk", "visit") if kind == "visit" else (kind,)):
            if counts_as not in last or day > last[counts_as]:
                last[counts_as] = day
    items: list[DueItem] = []
    if rule.talk_every != "none":
        items.append(periodic_item("talk", rule.talk_every, paired_on, last.get("talk"), today,
                                   term_only=rule.talk_term_only))
    if rule.visit_every != "none":
        items.append(periodic_item("visit", rule.visit_every, paired_on, last.get("visit"), today))
    if priority and rule.first_visit_days > 0 and "visit" not in last:
        items.append(_status("first_visit", add_working_days(paired_on, rule.first_visit_days), today))
    if holidays and rule.holiday_reminders:
        items.extend(holiday_items(today, holiday_logs, birth_date))
    return sorted(items, key=DueItem.sort_key)


def periodic_item(kind: str, every: str, paired_on: date, last: date | None, today: date,
                  term_only: bool = False) -> DueItem:
    """The item for "at least one ``kind`` per ``every``" (rules 1–4 of the module docstring)."""
    current = period_of(every, today)
    if last is not None and last in current:
        return DueItem(kind, current.end, "done", last_on=last)
    first = period_of(every, paired_on)
    if (first.end - paired_on).days + 1 <= GRACE_DAYS:
        first = next_period(every, first)
    target = first if last is None else max(first, next_period(every, period_of(every, last)))
    if term_only:
        # Holidays forgive what a term left undone: nothing is due before the current term's
        # first obligated period (or, during a holiday, before the next term's).
        floor = _term_run_start(every, current) if _obligated(current) else next_period(every, current)
        target = _next_obligated(every, max(target, floor))
    return _status(kind, target.end, today, last_on=last)


@lru_cache(maxsize=512)
def _obligated(period: Period) -> bool:
    return in_term(period.start)


@lru_cache(maxsize=64)
def _term_run_start(every: str, period: Period) -> Period:
    """The first of the consecutive obligated periods that end with ``period``."""
    for _ in range(60):
        previous = period_of(every, period.start - timedelta(days=1))
        if not _obligated(previous):
            break
        period = previous
    return period


def _next_obligated(every: str, period: Period) -> Period:
    for _ in range(60):  # a school holiday is at most a few weeks long
        if _obligated(period):
            return period
        period = next_period(every, period)
    return period


def _status(kind: str, due: date, today: date, last_on: date | None = None) -> DueItem:
    if today > due:
        return DueItem(kind, due, "overdue", days_overdue=(today - due).days, last_on=last_on)
    status = "due_this_week" if (due - today).days < DUE_SOON_DAYS else "due_later"
    return DueItem(kind, due, status, last_on=last_on)


def holiday_items(today: date, holiday_logs: Iterable[date], birth_date: date | None = None) -> list[DueItem]:
    """Reminders for holidays from 14 days before to 2 days after the day."""
    logged = sorted(holiday_logs)
    items = []
    for occasion, day in holidays_near(today, birth_date):
        if not day - timedelta(days=HOLIDAY_BEFORE) <= today <= day + timedelta(days=HOLIDAY_AFTER):
            continue
        window = Period(day - timedelta(days=HOLIDAY_BEFORE), day + timedelta(days=HOLIDAY_DONE_AFTER))
        done = next((d for d in logged if d in window), None)
        if done is not None:
            items.append(DueItem("holiday", day, "done", last_on=done, occasion=occasion))
        else:
            soon = (day - today).days < DUE_SOON_DAYS
            items.append(DueItem("holiday", day, "due_this_week" if soon else "due_later", occasion=occasion))
    return items


def worst(items: Iterable[DueItem]) -> DueItem | None:
    """The most urgent item, or None."""
    return min(items, key=DueItem.sort_key, default=None)
