"""The query service counts working days from running totals: the same counts as the law's
calendar (ogi_law.calendar) walking the days, across years and holidays; and its page tokens."""

from __future__ import annotations

import random
from datetime import date, timedelta

import pytest

from ogi_errors import InvalidInput
from ogi_law.calendar import WorkingCalendar
from query.calendars import Calendars, CountedCalendar
from query.paging import Order, key_of, page_size, token_of

CALENDAR = WorkingCalendar.load()


def test_counted_working_days_are_the_calendars() -> None:
    counted = CountedCalendar(CALENDAR)
    picks = random.Random(11)
    for _ in range(400):
        start = date(2019, 1, 1) + timedelta(days=picks.randrange(365 * 7))
        end = start + timedelta(days=picks.randrange(-30, 900))
        assert counted.between(start, end) == CALENDAR.working_days_between(start, end), (
            start,
            end,
        )


def test_days_left_are_negative_past_the_due_date() -> None:
    calendars = Calendars()
    monday = date(2026, 3, 16)
    assert calendars.days_left("municipal-office", monday, "2026-03-30") == 10
    assert calendars.days_left("municipal-office", monday, "2026-03-13") == -1  # Friday
    assert calendars.days_left("municipal-office", monday, "2026-03-16") == 0
    assert calendars.days_left("municipal-office", monday, "") is None
    assert calendars.days_left("municipal-office", monday, "1999-01-04") is None  # no data
    assert calendars.due_by("", monday, 5) == date(2026, 3, 23)


def test_page_tokens_hold_the_last_sort_key() -> None:
    order = Order(("due_sort", "application_id", "agency"))
    key = order.key({"due_sort": "2026-03-30", "application_id": "A1", "agency": "甲"})
    assert key_of(token_of(key), order) == key
    assert key_of("", order) is None
    for bad in ("not-a-token", token_of(["only", "two"]), "WzEsIDIsIDNd"):  # [1, 2, 3]
        with pytest.raises(InvalidInput, match="page_token"):
            key_of(bad, order)
    assert page_size(0) == 50
    with pytest.raises(InvalidInput, match="page_size"):
        page_size(501)
