"""Dates as the law counts them: calendar days in China, never after today."""

from __future__ import annotations

import re
from datetime import date

from ogi_errors import InvalidInput

_YYYY_MM_DD = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_date(field: str, value: str, default: date | None = None) -> date:
    """A YYYY-MM-DD date from input; the default when empty; InvalidInput naming the field."""
    if not value:
        if default is None:
            raise InvalidInput(field, "is required (YYYY-MM-DD)")
        return default
    try:
        if not _YYYY_MM_DD.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(field, f"{value!r} is not a date (YYYY-MM-DD)") from None


def chinese_date(day: date | str) -> str:
    """A date as letters and notices write it: ``2026年12月18日`` (an ISO string is read first;
    an empty one stays empty)."""
    if isinstance(day, str):
        if not day:
            return ""
        day = date.fromisoformat(day)
    return f"{day.year}年{day.month}月{day.day}日"


def not_in_future(field: str, value: date, today: date) -> date:
    if value > today:
        raise InvalidInput(field, f"{value.isoformat()} is in the future")
    return value


def day_from_input(field: str, value: str, today: date) -> date:
    """The date of a legal fact from a request: ``today`` when empty, never after it."""
    return not_in_future(field, parse_date(field, value, today), today)
