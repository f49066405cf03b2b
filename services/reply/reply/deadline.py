"""The statutory clock of one application at one agency, kept by the reply service.

It records the clock facts that other services' events state (receipt, correction,
consultations, extension, a set date, delivery…), and the events the law cares about when time
passes: the due date changing (including when a year's holiday arrangement is published), the
warning before it, and the overdue notice.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from ogi_contracts.reply import APPLICATION_DUE_SOON, APPLICATION_OVERDUE, DUE_DATE_CHANGED
from ogi_law.calendar import WorkingCalendar
from ogi_platform.eventstore.aggregate import Meta, OgiAggregate
from ogi_platform.eventstore.aggregate import meta as event_meta
from ogi_platform.ids import aggregate_id
from reply.clock import ClockFact, ClockState, Received, Stopped, compute_clock
from reply.clockfacts import fact_from_json, fact_to_json

#: The deadline's internal events (ogi_contracts.reply.INTERNAL): a deadline is open from its
#: opening or reopening until its clock stops.
DEADLINE_OPENED = "DeadlineOpened"
CLOCK_FACT_NOTED = "ClockFactNoted"
CLOCK_STOPPED = "ClockStopped"
CLOCK_REOPENED = "ClockReopened"


def deadline_id(application_id: str) -> UUID:
    return aggregate_id("deadline", application_id)


class Deadline(OgiAggregate):
    @staticmethod
    def create_id(application_id: str) -> UUID:
        return deadline_id(application_id)

    @event(DEADLINE_OPENED)
    def __init__(self, application_id: str, agency: str, received_on: str, meta: Meta) -> None:
        self.application_id = application_id
        self.agency = agency
        self.facts: list[dict[str, Any]] = [fact_to_json(Received(date.fromisoformat(received_on)))]
        self.due_on = ""
        self.provisional = False
        self.stopped = False
        self.warned = False
        self.overdue_declared = False

    def clock_facts(self) -> list[ClockFact]:
        return [fact_from_json(f) for f in self.facts]

    def clock(self, calendar: WorkingCalendar, today: date) -> ClockState:
        return compute_clock(self.clock_facts(), calendar, today)

    def note(self, fact: ClockFact, reason: str, meta: Meta) -> None:
        """Record a clock fact stated by an event (a stop closes the deadline)."""
        if self.stopped:
            return
        if isinstance(fact, Stopped):
            self._stopped(fact.on.isoformat(), reason, meta)
        else:
            self._noted(fact_to_json(fact), reason, meta)

    @event(CLOCK_FACT_NOTED)
    def _noted(self, fact: dict[str, Any], reason: str, meta: Meta) -> None:
        self.facts = [*self.facts, fact]

    @event(CLOCK_STOPPED)
    def _stopped(self, stopped_on: str, reason: str, meta: Meta) -> None:
        self.facts = [*self.facts, fact_to_json(Stopped(date.fromisoformat(stopped_on)))]
        self.stopped = True
        self.stopped_because = reason

    stopped_because = ""

    def reopen(self, on: date, reason: str, meta: Meta) -> None:
        """The handling was reopened (a rectification order): a new clock from ``on``."""
        self._reopened(on.isoformat(), reason, meta)

    @event(CLOCK_REOPENED)
    def _reopened(self, reopened_on: str, reason: str, meta: Meta) -> None:
        self.facts = [fact_to_json(Received(date.fromisoformat(reopened_on)))]
        self.stopped = False
        self.stopped_because = ""
        self.warned = False
        self.overdue_declared = False

    def watch(self, calendar: WorkingCalendar, today: date, due_soon_days: int, actor: str) -> bool:
        """Record what time has brought: a changed due date, the warning, the overdue notice."""
        state = self.clock(calendar, today)
        changed = False
        due = state.due_on.isoformat() if state.due_on else ""
        if (due, state.provisional) != (self.due_on, self.provisional):
            m = event_meta(self.application_id, actor, today)
            self._due_changed(due, state.provisional, state.allowed_days, m)
            changed = True
        if self.stopped or state.due_on is None:
            return changed
        left = state.left_days if state.left_days is not None else 0
        if not self.warned and not state.overdue and left <= due_soon_days:
            m = event_meta(self.application_id, actor, today)
            self._due_soon(due, left, m)
            changed = True
        if state.overdue and not self.overdue_declared:
            m = event_meta(self.application_id, actor, state.due_on + timedelta(days=1))
            self._overdue(due, m)
            changed = True
        return changed

    @event(DUE_DATE_CHANGED)
    def _due_changed(self, due_on: str, provisional: bool, allowed_days: int, meta: Meta) -> None:
        self.due_on = due_on
        self.provisional = provisional

    @event(APPLICATION_DUE_SOON)
    def _due_soon(self, due_on: str, left_days: int, meta: Meta) -> None:
        self.warned = True

    @event(APPLICATION_OVERDUE)
    def _overdue(self, due_on: str, meta: Meta) -> None:
        self.overdue_declared = True
