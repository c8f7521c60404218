"""The cadence engine at month, quarter, week and term boundaries (pure functions, no database)."""
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.activities.cadence import DEFAULT_RULES, Rule, due_items, holiday_items, periodic_item
from app.activities.periods import add_working_days, in_term, period_of, term_window

NO_HOLIDAYS = Rule(holiday_reminders=False)
TEACHER = Rule(talk_every="week", talk_term_only=True, visit_every="term", holiday_reminders=False)


def item(items, kind):
    return next(i for i in items if i.kind == kind)


def talk(paired, today, *logs, rule=NO_HOLIDAYS):
    return item(due_items(rule, "loving_mother", paired, False, [("talk", d) for d in logs], today), "talk")


# --- monthly talk ---------------------------------------------------------------------------

def test_child_paired_mid_month_is_due_by_the_end_of_that_month():
    i = talk(date(2026, 3, 10), date(2026, 3, 20))
    assert (i.due, i.status) == (date(2026, 3, 31), "due_later")


def test_paired_eight_days_before_month_end_is_still_due_this_month():
    # 24 March leaves 8 days (24–31): not in the last 7 days
    assert talk(date(2026, 3, 24), date(2026, 3, 24)).due == date(2026, 3, 31)


def test_paired_in_the_last_7_days_is_due_at_the_end_of_next_month():
    # 25 March leaves exactly 7 days (25–31)
    assert talk(date(2026, 3, 25), date(2026, 3, 25)).due == date(2026, 4, 30)
    assert talk(date(2026, 2, 22), date(2026, 2, 23)).due == date(2026, 3, 31)  # Feb 2026 has 28 days
    assert talk(date(2028, 2, 22), date(2028, 2, 23)).due == date(2028, 2, 29)  # leap year: 8 days left


def test_grace_pairing_logged_in_grace_days_still_needs_next_month():
    i = talk(date(2026, 3, 27), date(2026, 4, 2), date(2026, 3, 28))
    assert (i.status, i.due, i.last_on) == ("due_later", date(2026, 4, 30), date(2026, 3, 28))


def test_talk_this_month_is_done_and_the_last_day_of_month_counts():
    i = talk(date(2026, 1, 5), date(2026, 3, 31), date(2026, 3, 31))
    assert (i.status, i.last_on) == ("done", date(2026, 3, 31))


def test_month_boundary_overdue_starts_on_the_first_of_next_month():
    on_due_day = talk(date(2026, 3, 2), date(2026, 3, 31))
    assert on_due_day.status == "due_this_week"
    next_day = talk(date(2026, 3, 2), date(2026, 4, 1))
    assert (next_day.status, next_day.days_overdue, next_day.due) == ("overdue", 1, date(2026, 3, 31))


def test_talk_last_month_means_due_at_end_of_this_month():
    i = talk(date(2026, 1, 5), date(2026, 4, 10), date(2026, 3, 15))
    assert (i.status, i.due) == ("due_later", date(2026, 4, 30))


def test_overdue_counts_days_since_the_first_missed_deadline_and_one_talk_clears_it():
    gap = talk(date(2026, 1, 5), date(2026, 6, 10), date(2026, 3, 15))
    assert (gap.status, gap.due, gap.days_overdue) == ("overdue", date(2026, 4, 30), 41)
    caught_up = talk(date(2026, 1, 5), date(2026, 6, 10), date(2026, 3, 15), date(2026, 6, 9))
    assert caught_up.status == "done"


def test_due_this_week_means_within_seven_days():
    assert talk(date(2026, 3, 2), date(2026, 3, 25)).status == "due_this_week"  # 6 days left
    assert talk(date(2026, 3, 2), date(2026, 3, 24)).status == "due_later"  # 7 days left


def test_logs_before_pairing_or_in_the_future_do_not_count():
    assert talk(date(2026, 3, 10), date(2026, 3, 20), date(2026, 3, 9)).status != "done"
    assert talk(date(2026, 3, 10), date(2026, 3, 20), date(2026, 3, 21)).status != "done"


def test_a_home_visit_counts_as_the_months_talk():
    items = due_items(NO_HOLIDAYS, "loving_mother", date(2026, 1, 5), False, [("visit", date(2026, 3, 3))],
                      date(2026, 3, 20))
    assert item(items, "talk").status == "done" and item(items, "visit").status == "done"


def test_holiday_activity_does_not_count_as_talk():
    items = due_items(NO_HOLIDAYS, "loving_mother", date(2026, 1, 5), False, [("holiday", date(2026, 3, 3))],
                      date(2026, 3, 20))
    assert item(items, "talk").status != "done"


# --- quarterly visit ------------------------------------------------------------------------

def visit(paired, today, *logs, rule=NO_HOLIDAYS, priority=False):
    return item(due_items(rule, "five_elder", paired, priority, [("visit", d) for d in logs], today), "visit")


def test_quarter_boundaries():
    assert period_of("quarter", date(2026, 3, 31)) == (date(2026, 1, 1), date(2026, 3, 31))
    assert period_of("quarter", date(2026, 4, 1)) == (date(2026, 4, 1), date(2026, 6, 30))
    assert period_of("quarter", date(2026, 12, 31)) == (date(2026, 10, 1), date(2026, 12, 31))


def test_quarterly_visit_due_at_quarter_end_and_overdue_the_day_after():
    assert visit(date(2026, 1, 10), date(2026, 3, 31)).status == "due_this_week"
    late = visit(date(2026, 1, 10), date(2026, 4, 1))
    assert (late.status, late.days_overdue) == ("overdue", 1)


def test_pairing_in_the_last_week_of_a_quarter_gives_the_next_quarter():
    assert visit(date(2026, 3, 25), date(2026, 3, 26)).due == date(2026, 6, 30)
    assert visit(date(2026, 3, 24), date(2026, 3, 26)).due == date(2026, 3, 31)


def test_visit_last_quarter_due_end_of_this_quarter_across_the_year():
    i = visit(date(2026, 1, 10), date(2027, 1, 5), date(2026, 12, 31))
    assert (i.status, i.due) == ("due_later", date(2027, 3, 31))
    done = visit(date(2026, 1, 10), date(2027, 1, 5), date(2027, 1, 1))
    assert done.status == "done"


# --- first visit for priority children ------------------------------------------------------

def test_working_days_skip_weekends():
    assert add_working_days(date(2026, 11, 23), 5) == date(2026, 11, 30)  # Monday → next Monday
    assert add_working_days(date(2026, 11, 27), 5) == date(2026, 12, 4)  # Friday → next Friday
    assert add_working_days(date(2026, 11, 28), 5) == date(2026, 12, 4)  # Saturday → next Friday


def test_priority_child_first_visit_within_five_working_days():
    items = due_items(NO_HOLIDAYS, "loving_mother", date(2026, 11, 27), True, [], date(2026, 12, 4))
    first = item(items, "first_visit")
    assert (first.due, first.status) == (date(2026, 12, 4), "due_this_week")
    late = item(due_items(NO_HOLIDAYS, "loving_mother", date(2026, 11, 27), True, [], date(2026, 12, 7)),
                "first_visit")
    assert (late.status, late.days_overdue) == ("overdue", 3)
    assert items[0].kind == "first_visit"  # the most urgent comes first


def test_first_visit_disappears_once_visited_and_is_not_asked_for_normal_children():
    visited = due_items(NO_HOLIDAYS, "loving_mother", date(2026, 11, 27), True,
                        [("visit", date(2026, 12, 1))], date(2026, 12, 7))
    assert "first_visit" not in {i.kind for i in visited}
    normal = due_items(NO_HOLIDAYS, "loving_mother", date(2026, 11, 27), False, [], date(2026, 12, 7))
    assert "first_visit" not in {i.kind for i in normal}
    off = due_items(Rule(first_visit_days=0, holiday_reminders=False), "loving_mother", date(2026, 11, 27), True,
                    [], date(2026, 12, 7))
    assert "first_visit" not in {i.kind for i in off}


# --- teachers: weekly talk in term time, a family visit per term ----------------------------

def test_term_windows_and_term_days():
    assert term_window(date(2026, 1, 20)) == (date(2025, 7, 16), date(2026, 1, 20))
    assert term_window(date(2026, 1, 21)) == (date(2026, 1, 21), date(2026, 7, 15))
    assert term_window(date(2026, 7, 15)) == (date(2026, 1, 21), date(2026, 7, 15))
    assert term_window(date(2026, 7, 16)) == (date(2026, 7, 16), date(2027, 1, 20))
    assert in_term(date(2026, 3, 1)) and in_term(date(2026, 7, 15)) and in_term(date(2027, 1, 20))
    assert not in_term(date(2026, 7, 16)) and not in_term(date(2026, 8, 31)) and not in_term(date(2027, 1, 21))


def teacher(paired, today, *logs):
    return due_items(TEACHER, "teacher", paired, False, list(logs), today)


def test_teacher_visit_per_term_at_the_term_boundary():
    on_last_day = item(teacher(date(2026, 3, 2), date(2026, 7, 15)), "visit")
    assert (on_last_day.due, on_last_day.status) == (date(2026, 7, 15), "due_this_week")
    after = item(teacher(date(2026, 3, 2), date(2026, 7, 16)), "visit")
    assert (after.status, after.days_overdue) == ("overdue", 1)


def test_summer_holiday_visit_counts_for_the_autumn_term():
    items = teacher(date(2026, 3, 2), date(2026, 9, 10), ("visit", date(2026, 8, 20)))
    assert item(items, "visit").status == "done"
    december = item(teacher(date(2026, 3, 2), date(2026, 12, 1), ("visit", date(2026, 8, 20))), "visit")
    assert december.status == "done"
    next_term = item(teacher(date(2026, 3, 2), date(2027, 1, 21), ("visit", date(2026, 8, 20))), "visit")
    assert (next_term.status, next_term.due) == ("due_later", date(2027, 7, 15))


def test_teacher_weekly_talk_week_boundary():
    # pairing week is Monday 2 March 2026: the first talk is due at the end of the following week
    first = item(teacher(date(2026, 3, 2), date(2026, 3, 4)), "talk")
    assert first.due == date(2026, 3, 15)
    sunday = item(teacher(date(2026, 3, 2), date(2026, 3, 22), ("talk", date(2026, 3, 16))), "talk")
    assert sunday.status == "done"
    monday = item(teacher(date(2026, 3, 2), date(2026, 3, 23), ("talk", date(2026, 3, 16))), "talk")
    assert (monday.status, monday.due) == ("due_this_week", date(2026, 3, 29))  # a new week: due Sunday
    late = item(teacher(date(2026, 3, 2), date(2026, 3, 31), ("talk", date(2026, 3, 16))), "talk")
    assert (late.status, late.days_overdue) == ("overdue", 2)


def test_teacher_weekly_talk_asks_nothing_in_holidays_and_restarts_with_the_term():
    summer = item(teacher(date(2026, 3, 2), date(2026, 8, 10), ("talk", date(2026, 7, 1))), "talk")
    assert summer.status == "due_later" and summer.due == date(2026, 9, 13)  # first week whose Monday is a term day
    first_week = item(teacher(date(2026, 3, 2), date(2026, 9, 8), ("talk", date(2026, 7, 1))), "talk")
    assert (first_week.status, first_week.due) == ("due_this_week", date(2026, 9, 13))
    second_week = item(teacher(date(2026, 3, 2), date(2026, 9, 15), ("talk", date(2026, 7, 1))), "talk")
    assert (second_week.status, second_week.days_overdue) == ("overdue", 2)


def test_teacher_defaults_come_from_the_glossary():
    assert DEFAULT_RULES["teacher"].talk_every == "week" and DEFAULT_RULES["teacher"].visit_every == "term"
    assert DEFAULT_RULES["loving_mother"].talk_every == "month"
    assert DEFAULT_RULES["five_elder"].visit_every == "quarter"


def test_rules_mapping_is_used_per_volunteer_kind():
    rules = {"loving_mother": Rule(talk_every="week", holiday_reminders=False)}
    i = item(due_items(rules, "loving_mother", date(2026, 3, 2), False, [], date(2026, 3, 4)), "talk")
    assert i.due == date(2026, 3, 15)
    none = due_items({"youth": Rule(talk_every="none", visit_every="none", holiday_reminders=False)}, "youth",
                     date(2026, 3, 2), False, [], date(2026, 3, 4))
    assert none == []


# --- holidays -------------------------------------------------------------------------------

def test_holiday_reminders_around_mid_autumn_and_birthday():
    items = holiday_items(date(2026, 9, 20), [], birth_date=date(2017, 9, 30))
    assert [(i.occasion, i.status) for i in items] == [("mid_autumn", "due_this_week"), ("birthday", "due_later")]
    done = holiday_items(date(2026, 9, 26), [date(2026, 9, 25)])
    assert [(i.occasion, i.status) for i in done] == [("mid_autumn", "done")]
    assert holiday_items(date(2026, 9, 28), []) == []  # more than 2 days after: gone, never overdue


def test_holiday_reminders_can_be_switched_off():
    items = due_items(Rule(holiday_reminders=False), "loving_mother", date(2026, 1, 5), False, [],
                      date(2026, 5, 28))
    assert "holiday" not in {i.kind for i in items}
    on = due_items(Rule(), "loving_mother", date(2026, 1, 5), False, [], date(2026, 5, 28))
    assert any(i.occasion == "childrens_day" for i in on)


# --- properties -----------------------------------------------------------------------------

days = st.dates(min_value=date(2025, 1, 1), max_value=date(2034, 12, 31))


@given(paired=days, offset=st.integers(0, 400), every=st.sampled_from(["week", "month", "quarter", "term"]))
def test_a_log_today_always_makes_the_item_done(paired, offset, every):
    today = paired + timedelta(days=offset)
    assert periodic_item("talk", every, paired, today, today).status == "done"


@given(paired=days, offset=st.integers(0, 400), every=st.sampled_from(["month", "quarter", "term"]))
def test_deadline_never_before_the_pairing_period_and_overdue_days_consistent(paired, offset, every):
    today = paired + timedelta(days=offset)
    i = periodic_item("visit", every, paired, None, today)
    assert i.due >= paired + timedelta(days=6)  # at least a week to do it
    assert i.due <= period_of(every, paired).end + timedelta(days=200)
    assert (i.status == "overdue") == (today > i.due)
    if i.status == "overdue":
        assert i.days_overdue == (today - i.due).days


@pytest.mark.parametrize("day", [date(2026, 1, 1), date(2026, 6, 30), date(2026, 12, 31), date(2028, 2, 29)])
def test_periods_contain_their_day(day):
    for kind in ("week", "month", "quarter", "term"):
        p = period_of(kind, day)
        assert p.start <= day <= p.end
