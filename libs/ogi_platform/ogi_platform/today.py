"""What day it is in China: the platform's clock (token expiry, the services' daily ticks)."""

from __future__ import annotations

import os
import time
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")

#: How long a reader waits for a day file caught empty (rewritten in place) to hold a day again.
_EMPTY_FILE_PATIENCE = 0.5


class TodayFileError(ValueError):
    """``OGI_TODAY_FILE`` names a file that holds no day."""


def today_in_china() -> date:
    """Today in China.

    For simulations and tests, ``OGI_TODAY`` (YYYY-MM-DD) fixes the date, and
    ``OGI_TODAY_FILE`` names a file holding it, read at every call, so that a running system
    can be moved through a timeline (``write_today_file`` moves it). A day file never yields
    the real date: one caught empty while rewritten in place is read again until it holds a day.
    """
    path = os.environ.get("OGI_TODAY_FILE")
    if path:
        return _day_in(Path(path))
    fixed = os.environ.get("OGI_TODAY")
    if fixed:
        return date.fromisoformat(fixed)
    return datetime.now(CHINA).date()


def write_today_file(path: Path, day: str | date) -> None:
    """Move a system reading ``path`` (``OGI_TODAY_FILE``) to ``day``: the file is replaced
    whole, so that no reader finds it empty."""
    text = day.isoformat() if isinstance(day, date) else date.fromisoformat(day).isoformat()
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def _day_in(path: Path) -> date:
    deadline = time.monotonic() + _EMPTY_FILE_PATIENCE
    while True:
        try:
            text = path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            text = ""
        if text:
            try:
                return date.fromisoformat(text)
            except ValueError:
                raise TodayFileError(
                    f"OGI_TODAY_FILE {path} holds {text[:40]!r}, not a day (YYYY-MM-DD)"
                ) from None
        if time.monotonic() >= deadline:
            raise TodayFileError(f"OGI_TODAY_FILE {path} holds no day (YYYY-MM-DD)")
        time.sleep(0.005)
