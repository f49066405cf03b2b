"""Working days as each agency counts them (``ogi_law.calendar``: the State Council's
arrangements, the operator's directory ``OGI_CALENDAR_DIR`` and the agency's local days).

A list shows the days left of every row it gives, so counting must not walk the days between:
each year of an agency's calendar is counted once into running totals, and the working days
between two dates are the difference of two totals (per year crossed).
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

from ogi_law.calendar import CalendarError, WorkingCalendar


class CountedCalendar:
    """A working calendar with each year's running count of working days."""

    def __init__(self, calendar: WorkingCalendar) -> None:
        self.calendar = calendar
        self._years: dict[int, list[int]] = {}

    def _through(self, year: int) -> list[int]:
        """The working days of ``year`` from 1 January through each day (index: day - 1)."""
        counts = self._years.get(year)
        if counts is None:
            first = date(year, 1, 1)
            days = (date(year + 1, 1, 1) - first).days
            is_working = self.calendar.is_working_day  # CalendarError outside the data
            counts = list(accumulate(int(is_working(first + timedelta(d))) for d in range(days)))
            self._years[year] = counts
        return counts

    def between(self, start: date, end: date) -> int:
        """Working days d with start < d <= end (0 when end <= start), as
        ``WorkingCalendar.working_days_between`` counts them."""
        if end <= start:
            return 0
        total = 0
        for year in range(start.year, end.year + 1):
            counts = self._through(year)
            before = counts[start.timetuple().tm_yday - 1] if year == start.year else 0
            upto = counts[end.timetuple().tm_yday - 1] if year == end.year else counts[-1]
            total += upto - before
        return total


class Calendars:
    """Each agency's working calendar, loaded once when first asked for."""

    def __init__(self, calendar_dir: Path | None = None) -> None:
        self.calendar_dir = calendar_dir
        self._loaded: dict[str, CountedCalendar] = {}

    def of(self, agency: str) -> CountedCalendar:
        """The calendar of ``agency`` ("" : the national one, without local days)."""
        counted = self._loaded.get(agency)
        if counted is None:
            counted = CountedCalendar(WorkingCalendar.load(self.calendar_dir, agency or None))
            self._loaded[agency] = counted
        return counted

    def between(self, agency: str, start: str, end: str) -> int | None:
        """Working days d with start < d <= end (ISO dates); None outside the calendar."""
        try:
            return self.of(agency).between(date.fromisoformat(start), date.fromisoformat(end))
        except (CalendarError, ValueError):
            return None

    def days_left(self, agency: str, today: date, due_on: str) -> int | None:
        """Working days from ``today`` to the due date, negative past it (as the reply clock's
        ``left_days``, Art. 33); None without a due date or outside the calendar."""
        if not due_on:
            return None
        due = date.fromisoformat(due_on)
        try:
            counted = self.of(agency)
            if due >= today:
                return counted.between(today, due)
            return -counted.between(due, today)
        except CalendarError:
            return None

    def due_by(self, agency: str, today: date, working_days: int) -> date:
        """The last due date of what is due within ``working_days`` working days of today."""
        return self.of(agency).calendar.add_working_days(today, working_days).date
