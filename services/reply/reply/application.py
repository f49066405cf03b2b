"""The reply application: delivery (which stops the clock), remedies, deadlines, queries."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from ogi_contracts.reply import REPLY_DELIVERED
from ogi_contracts.routing import APPLICATION_FORWARDED
from ogi_errors import IllegalStep, NotFound
from ogi_law.calendar import WorkingCalendar
from ogi_platform.eventstore.aggregate import meta
from ogi_platform.eventstore.application import OgiApplication, UnitOfWork
from ogi_platform.eventstore.commands import handles
from ogi_platform.eventstore.history import Numbered
from ogi_platform.eventstore.readmodel import OpenSet
from ogi_platform.ids import aggregate_id
from ogi_platform.service.config import ServiceConfig
from reply.clock import ClockState, Stopped
from reply.commands import ConcludeRemedy, FileRemedy, RecordDelivery, RecordPrinting
from reply.deadline import (
    CLOCK_REOPENED,
    CLOCK_STOPPED,
    DEADLINE_OPENED,
    Deadline,
    deadline_id,
)
from reply.domain import Reply
from reply.remedy import RemedyCase, numbered_remedies, remedy_id

SYSTEM = "system:reply"


def reply_id(application_id: str) -> UUID:
    return aggregate_id("reply", application_id)


class ReplyApplication(OgiApplication):
    name = "reply"
    service = "reply"
    _open_deadlines: OpenSet | None = None

    calendar: WorkingCalendar
    due_soon_days: int

    def configure(self, config: ServiceConfig | None) -> None:
        self.calendar = WorkingCalendar.load(config.calendar_dir if config else None, self.agency)
        self.due_soon_days = config.due_soon_days if config else ServiceConfig.due_soon_days

    def aggregate_ids_of(self, application_id: str) -> list[UUID]:
        return [deadline_id(application_id), reply_id(application_id)]

    def history_ids(self, application_id: str) -> tuple[list[UUID], list[Numbered]]:
        """With the reconsiderations and lawsuits R1, R2, ..., which locating an application (on
        every request) need not read: read with the rest in one statement."""
        return self.aggregate_ids_of(application_id), [
            lambda number: remedy_id(application_id, f"R{number}")
        ]

    def remedies(self, application_id: str) -> list[RemedyCase]:
        """The reconsiderations and lawsuits recorded about the application, R1, R2, ..."""
        return numbered_remedies(self.find, application_id)

    @handles(FileRemedy)
    def _file_remedy(self, uow: UnitOfWork, c: FileRemedy) -> list[RemedyCase]:
        """Record a reconsideration application or lawsuit about this agency's handling."""
        known = uow.find(deadline_id(c.application_id), Deadline) or uow.find(
            reply_id(c.application_id), Reply
        )
        if known is None:
            raise NotFound(f"application {c.application_id} is not handled here")
        ref = f"R{len(numbered_remedies(uow.find, c.application_id)) + 1}"
        uow.add(
            RemedyCase.file(
                c.application_id, self.agency, ref, c.kind, c.body, c.case_number, c.on,
                meta(c.application_id, c.actor, c.on),
            )
        )  # fmt: skip
        return numbered_remedies(uow.find, c.application_id)

    @handles(ConcludeRemedy)
    def _conclude_remedy(self, uow: UnitOfWork, c: ConcludeRemedy) -> list[RemedyCase]:
        case_id = remedy_id(c.application_id, c.ref)
        case = uow.get(case_id, RemedyCase, f"{c.ref} of {c.application_id}")
        case.conclude(c.result, c.on, meta(c.application_id, c.actor, c.on))
        return numbered_remedies(uow.find, c.application_id)

    def not_handled_here(self, application_id: str) -> bool:
        found = self.find(deadline_id(application_id), Deadline)
        return found is not None and found.stopped_because == APPLICATION_FORWARDED

    def reply(self, application_id: str) -> Reply:
        found = self.find(reply_id(application_id), Reply)
        if found is None:
            raise NotFound(f"no reply to application {application_id} here")
        return found

    def clock(self, application_id: str, today: date) -> ClockState:
        deadline = self.find(deadline_id(application_id), Deadline)
        if deadline is None:
            raise NotFound(f"no clock for application {application_id} here")
        return deadline.clock(self.calendar, today)

    @handles(RecordDelivery)
    def _record_delivery(self, uow: UnitOfWork, c: RecordDelivery) -> Reply:
        """Delivery with its legal date closes the application and stops its clock."""
        reply = uow.get(reply_id(c.application_id), Reply, f"reply to {c.application_id}")
        m = meta(c.application_id, c.actor, c.on)
        reply.deliver(c.method, c.on, m)
        deadline = uow.find(deadline_id(c.application_id), Deadline)
        if deadline is not None:
            deadline.note(Stopped(c.on), REPLY_DELIVERED, m)
        return reply

    @handles(RecordPrinting)
    def _record_printing(self, uow: UnitOfWork, c: RecordPrinting) -> Reply:
        """Printing is recorded once the decision's reply letter exists, never before."""
        reply = uow.find(reply_id(c.application_id), Reply)
        if reply is None:
            raise IllegalStep(f"there is no reply to {c.application_id} to print yet")
        reply.record_printing(c.actor, c.copies, c.on, meta(c.application_id, c.actor, c.on))
        return reply

    def tick(self, today: date) -> int:
        """Open deadlines: due dates recomputed (new calendar data), warnings, overdue notices.

        A deadline is open from its opening, or its reopening by a rectification order, until
        its clock stops."""
        if self._open_deadlines is None:
            self._open_deadlines = OpenSet(
                self, opens={DEADLINE_OPENED, CLOCK_REOPENED}, closes={CLOCK_STOPPED}
            )
        return self._open_deadlines.act_on_each(
            Deadline, lambda d: d.watch(self.calendar, today, self.due_soon_days, SYSTEM)
        )
