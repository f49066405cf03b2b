"""Dates as the law counts them: calendar days in China."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from govcommon.errors import InvalidInput

CHINA = ZoneInfo("Asia/Shanghai")


def today_in_china() -> date:
    return datetime.now(CHINA).date()


def parse_date(field: str, value: str, default: date | None = None) -> date:
    """A YYYY-MM-DD date from input; the default when empty; InvalidInput naming the field."""
    if not value:
        if default is None:
            raise InvalidInput(field, "is required (YYYY-MM-DD)")
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(field, f"{value!r} is not a date (YYYY-MM-DD)") from None


def not_in_future(field: str, value: date) -> date:
    if value > today_in_china():
        raise InvalidInput(field, f"{value.isoformat()} is in the future")
    return value
