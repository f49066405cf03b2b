"""Working days as each agency counts them (``ogi_law.calendar``: the State Council's
arrangements, the operator's directory ``OGI_CALENDAR_DIR`` and the agency's local days)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from ogi_law.calendar import CalendarError, WorkingCalendar


class Calendars:
    """Each agency's working calendar, loaded once when first asked for."""

    def __init__(self, calendar_dir: Path | None = None) -> None:
        self.calendar_dir = calendar_dir
        self._loaded: dict[str, WorkingCalendar] = {}

    def of(self, agency: str) -> WorkingCalendar:
        """The calendar of ``agency`` ("" : the national one, without local days)."""
        calendar = self._loaded.get(agency)
        if calendar is None:
            calendar = WorkingCalendar.load(self.calendar_dir, agency or None)
            self._loaded[agency] = calendar
        return calendar

    def between(self, agency: str, start: str, end: str) -> int | None:
        """Working days d with start < d <= end (ISO dates); None outside the calendar."""
        try:
            return self.of(agency).working_days_between(
                date.fromisoformat(start), date.fromisoformat(end)
            )
        except (CalendarError, ValueError):
            return None

    def days_left(self, agency: str, today: date, due_on: str) -> int | None:
        """Working days from ``today`` to the due date, negative past it (as the reply clock's
        ``left_days``, Art. 33); None without a due date or outside the calendar."""
        if not due_on:
            return None
        due = date.fromisoformat(due_on)
        try:
            calendar = self.of(agency)
            if due >= today:
                return calendar.working_days_between(today, due)
            return -calendar.working_days_between(due, today)
        except CalendarError:
            return None

    def due_by(self, agency: str, today: date, working_days: int) -> date:
        """The last due date of what is due within ``working_days`` working days of today."""
        return self.of(agency).add_working_days(today, working_days).date
