"""What day it is in China: the platform's clock (token expiry, the services' daily ticks)."""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")


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
