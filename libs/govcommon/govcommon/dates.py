"""Dates as the law counts them: calendar days in China."""

from __future__ import annotations

import os
import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from govcommon.errors import InvalidInput

CHINA = ZoneInfo("Asia/Shanghai")
_YYYY_MM_DD = re.compile(r"\d{4}-\d{2}-\d{2}")


def today_in_china() -> date:
    """Today in China.

    For simulations and tests, ``OGI_TODAY`` (YYYY-MM-DD) fixes the date, and
    ``OGI_TODAY_FILE`` names a file holding it, read at every call, so that a running system
    can be moved through a timeline.
    """
    path = os.environ.get("OGI_TODAY_FILE")
    fixed = Path(path).read_text(encoding="utf-8").strip() if path else os.environ.get("OGI_TODAY")
    if fixed:
        return date.fromisoformat(fixed)
    return datetime.now(CHINA).date()


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


def not_in_future(field: str, value: date) -> date:
    if value > today_in_china():
        raise InvalidInput(field, f"{value.isoformat()} is in the future")
    return value


def day_from_input(field: str, value: str) -> date:
    """The date of a legal fact from a request: today when empty, never in the future."""
    return not_in_future(field, parse_date(field, value, today_in_china()))
