"""The statutory reply clock of an OGI application: one pure function from clock facts to state.

Services translate their own events into the neutral facts below and call ``compute_clock``.

Semantics (Regulations Art. 30-35; "counted day" = a working day not excluded by a pause):

* Facts are taken in date order, facts of the same date in list order. Facts dated after
  ``today`` have not happened yet and are ignored, so the result never depends on them.
* ``Received`` starts the clock: the receipt day is not counted, 20 counted days are allowed and
  ``due_on`` is the day the 20th falls on (Art. 31, 33). A fact other than ``Received`` before the
  first ``Received``, or a second ``Received``, raises ``ClockError``.
* ``CorrectionRequested`` suspends the clock (Art. 30): status ``awaiting_correction``, no
  ``due_on``; ``used_days`` stays as on the day of the request. Only one request per application.
* ``Corrected`` restarts the clock as if the application had been received that day: the counting
  starts afresh from it, ``used_days`` from 0, 20 days allowed; an extension or a set reply date
  from before is dropped, and the one-extension limit stays spent. ``Corrected`` without a pending
  request raises. Extending or setting a date while awaiting correction raises.
* ``PauseStarted``/``PauseEnded`` with the same ``ref`` bound a consultation (Art. 32, 34): the
  days d with start < d <= end are not counted (the start day still counts, the end day does not).
  Pauses may overlap: their union is excluded. A pause still open pauses the clock up to
  ``today`` (status ``paused``); ``due_on`` is then computed as if it ended today, so it moves
  later each working day it stays open. A pause only moves ``due_on`` when it starts before it.
* ``Extended`` adds 1-20 working days to the allowance, once per application (Art. 33);
  otherwise ``ClockError``. An extension granted late is not rejected here.
* ``DeadlineSet`` (Art. 35) makes ``due`` the due date; later pauses do not move it, and
  ``allowed_days`` becomes the counted days from the start to it.
* ``Stopped`` stops the clock (reply delivered, forwarded, withdrawn, closed). Facts dated after
  it are ignored: late events such as a third party's answer are normal and change nothing.
* ``used_days`` counts the counted days from the start to the end of counting (``today``, the
  stop, or the correction request); ``left_days`` counts them from there to ``due_on`` (negative
  past it), so ``used_days + left_days == allowed_days`` whenever there is a due date.
* ``overdue`` when the end of counting is after ``due_on`` (on a rest day right after the due date
  this holds with ``left_days == 0``); a stopped clock keeps the flag (a late reply).
* ``provisional`` when any year from the start's to the later of ``due_on`` and the end of
  counting has no published State Council arrangement.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ogi_law.calendar import WorkingCalendar, days_after

BASE_DAYS = 20
MAX_EXTENSION_DAYS = 20


class ClockError(ValueError):
    """The facts contradict the rules of the clock."""


@dataclass(frozen=True)
class ClockFact:
    """Something that happened to the application on a date."""

    on: dt.date


@dataclass(frozen=True)
class Received(ClockFact):
    """Art. 31 date of receipt: the clock starts."""


@dataclass(frozen=True)
class CorrectionRequested(ClockFact):
    """Art. 30 notice to correct: the clock is suspended."""


@dataclass(frozen=True)
class Corrected(ClockFact):
    """Receipt of the corrected application: the clock restarts."""


@dataclass(frozen=True)
class PauseStarted(ClockFact):
    """A consultation (Art. 32 third party, Art. 34 organs) identified by ``ref`` began."""

    ref: str


@dataclass(frozen=True)
class PauseEnded(ClockFact):
    """The consultation ``ref`` ended."""

    ref: str


@dataclass(frozen=True)
class Extended(ClockFact):
    """Art. 33 extension by ``working_days`` (1-20, once)."""

    working_days: int


@dataclass(frozen=True)
class DeadlineSet(ClockFact):
    """Art. 35: the organ set ``due`` as the reply date."""

    due: dt.date


@dataclass(frozen=True)
class Stopped(ClockFact):
    """Reply delivered, forwarded, withdrawn or closed: the clock stops."""


class ClockStatus(StrEnum):
    NOT_STARTED = "not_started"
    RUNNING = "running"
    PAUSED = "paused"
    AWAITING_CORRECTION = "awaiting_correction"
    STOPPED = "stopped"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class ClockState:
    """The clock as of a date; see the module docstring for the meaning of each field."""

    status: ClockStatus
    received_on: dt.date | None
    started_on: dt.date | None
    due_on: dt.date | None
    allowed_days: int
    used_days: int
    left_days: int | None
    paused_days: int
    paused_periods: list[tuple[dt.date, dt.date | None]]
    extension_days: int
    overdue: bool
    provisional: bool
    stopped_on: dt.date | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-friendly values: ISO dates, the status as its string."""
        return {
            "status": self.status.value,
            "received_on": _iso(self.received_on),
            "started_on": _iso(self.started_on),
            "due_on": _iso(self.due_on),
            "allowed_days": self.allowed_days,
            "used_days": self.used_days,
            "left_days": self.left_days,
            "paused_days": self.paused_days,
            "paused_periods": [
                [start.isoformat(), _iso(end)] for start, end in self.paused_periods
            ],
            "extension_days": self.extension_days,
            "overdue": self.overdue,
            "provisional": self.provisional,
            "stopped_on": _iso(self.stopped_on),
        }


@dataclass
class _Facts:
    """The facts folded in date order."""

    received_on: dt.date | None = None
    started_on: dt.date | None = None
    awaiting_since: dt.date | None = None
    correction_requested: bool = False
    extension_granted: bool = False
    extension_days: int = 0
    set_due: dt.date | None = None
    stopped_on: dt.date | None = None
    pauses: list[tuple[dt.date, dt.date | None]] = field(default_factory=list)
    open_pauses: dict[str, int] = field(default_factory=dict)

    def apply(self, fact: ClockFact) -> None:
        if self.received_on is None and not isinstance(fact, Received):
            raise ClockError(f"{type(fact).__name__} on {fact.on} before the application's receipt")
        match fact:
            case Received():
                self._receive(fact.on)
            case CorrectionRequested():
                self._request_correction(fact.on)
            case Corrected():
                self._corrected(fact.on)
            case PauseStarted():
                self._start_pause(fact.on, fact.ref)
            case PauseEnded():
                self._end_pause(fact.on, fact.ref)
            case Extended():
                self._extend(fact.on, fact.working_days)
            case DeadlineSet():
                self._set_deadline(fact.on, fact.due)
            case Stopped():
                self.stopped_on = fact.on
            case _:
                raise TypeError(f"not a clock fact: {fact!r}")

    def _receive(self, on: dt.date) -> None:
        if self.received_on is not None:
            raise ClockError(f"received on {on} but already received on {self.received_on}")
        self.received_on = self.started_on = on

    def _request_correction(self, on: dt.date) -> None:
        if self.correction_requested:
            raise ClockError(f"correction requested again on {on}: only once (Art. 30)")
        self.correction_requested = True
        self.awaiting_since = on

    def _corrected(self, on: dt.date) -> None:
        if self.awaiting_since is None:
            raise ClockError(f"corrected on {on} but no correction was pending")
        self.awaiting_since = None
        self.started_on = on
        self.extension_days = 0
        self.set_due = None

    def _start_pause(self, on: dt.date, ref: str) -> None:
        if ref in self.open_pauses:
            raise ClockError(f"pause {ref!r} started on {on} but is already open")
        self.open_pauses[ref] = len(self.pauses)
        self.pauses.append((on, None))

    def _end_pause(self, on: dt.date, ref: str) -> None:
        if ref not in self.open_pauses:
            raise ClockError(f"pause {ref!r} ended on {on} but is not open")
        index = self.open_pauses.pop(ref)
        self.pauses[index] = (self.pauses[index][0], on)

    def _extend(self, on: dt.date, working_days: int) -> None:
        self._require_not_awaiting("extended", on)
        if self.extension_granted:
            raise ClockError(f"extended again on {on}: at most one extension (Art. 33)")
        if not 1 <= working_days <= MAX_EXTENSION_DAYS:
            raise ClockError(
                f"extension of {working_days} working days on {on}: "
                f"must be 1 to {MAX_EXTENSION_DAYS} (Art. 33)"
            )
        self.extension_granted = True
        self.extension_days = working_days

    def _set_deadline(self, on: dt.date, due: dt.date) -> None:
        self._require_not_awaiting("reply date set", on)
        if due < on:
            raise ClockError(f"reply date {due} set on {on} lies before it")
        self.set_due = due

    def _require_not_awaiting(self, what: str, on: dt.date) -> None:
        if self.awaiting_since is not None:
            raise ClockError(
                f"{what} on {on} while awaiting correction since {self.awaiting_since}"
            )


@dataclass(frozen=True)
class _Counter:
    """Counts working days not excluded by a pause."""

    calendar: WorkingCalendar
    paused: frozenset[dt.date]

    def counts(self, day: dt.date) -> bool:
        return day not in self.paused and self.calendar.is_working_day(day)

    def between(self, start: dt.date, end: dt.date) -> int:
        """Counted days d with start < d <= end."""
        return sum(self.counts(d) for d in days_after(start, end))

    def signed_between(self, start: dt.date, end: dt.date) -> int:
        """``between(start, end)``, negated when end comes before start."""
        return self.between(start, end) if end >= start else -self.between(end, start)

    def nth_after(self, start: dt.date, n: int) -> dt.date:
        """The day on which the n-th counted day after ``start`` falls."""
        day = start
        while n:
            day += dt.timedelta(days=1)
            if self.counts(day):
                n -= 1
        return day


def compute_clock(
    facts: Sequence[ClockFact], calendar: WorkingCalendar, today: dt.date
) -> ClockState:
    """The state of the clock as of ``today``. Raises ``ClockError`` if the facts break its
    rules, ``CalendarError`` if counting reaches a year the calendar has no data for."""
    folded = _fold(facts, today)
    if folded.received_on is None or folded.started_on is None:
        return _not_started()
    start = folded.started_on
    end = folded.awaiting_since or folded.stopped_on or today
    counter = _Counter(calendar, _paused_days(folded.pauses, start, end))
    used = counter.between(start, end)
    allowed = BASE_DAYS + folded.extension_days
    due = left = None
    if folded.awaiting_since is None:
        due = folded.set_due or counter.nth_after(start, allowed)
        allowed = counter.between(start, due) if folded.set_due else allowed
        left = counter.signed_between(end, due)
    overdue = due is not None and end > due
    return ClockState(
        status=_status(folded, overdue),
        received_on=folded.received_on,
        started_on=start,
        due_on=due,
        allowed_days=allowed,
        used_days=used,
        left_days=left,
        paused_days=sum(calendar.is_working_day(d) for d in counter.paused),
        paused_periods=list(folded.pauses),
        extension_days=folded.extension_days,
        overdue=overdue,
        provisional=calendar.provisional_between(start, max(end, due or end)),
        stopped_on=folded.stopped_on,
    )


def _fold(facts: Sequence[ClockFact], today: dt.date) -> _Facts:
    folded = _Facts()
    for fact in sorted((f for f in facts if f.on <= today), key=lambda f: f.on):
        if folded.stopped_on is not None:
            break
        folded.apply(fact)
    return folded


def _paused_days(
    pauses: list[tuple[dt.date, dt.date | None]], start: dt.date, end: dt.date
) -> frozenset[dt.date]:
    """All days d with pause start < d <= pause end (open pauses: ``end``), within (start, end]."""
    return frozenset(
        day
        for pause_start, pause_end in pauses
        for day in days_after(max(pause_start, start), min(pause_end or end, end))
    )


def _status(folded: _Facts, overdue: bool) -> ClockStatus:
    if folded.stopped_on is not None:
        return ClockStatus.STOPPED
    if folded.awaiting_since is not None:
        return ClockStatus.AWAITING_CORRECTION
    if overdue:
        return ClockStatus.OVERDUE
    if folded.open_pauses:
        return ClockStatus.PAUSED
    return ClockStatus.RUNNING


def _not_started() -> ClockState:
    return ClockState(
        status=ClockStatus.NOT_STARTED,
        received_on=None,
        started_on=None,
        due_on=None,
        allowed_days=BASE_DAYS,
        used_days=0,
        left_days=None,
        paused_days=0,
        paused_periods=[],
        extension_days=0,
        overdue=False,
        provisional=False,
        stopped_on=None,
    )


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()
