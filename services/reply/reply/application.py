"""The reply application: letters, delivery (which stops the clock), deadlines, queries."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from ogi_errors import NotFound
from ogi_law.calendar import WorkingCalendar
from ogi_platform.eventstore.aggregate import meta
from ogi_platform.eventstore.application import OgiApplication, history_of
from ogi_platform.eventstore.readmodel import OpenSet
from ogi_platform.ids import aggregate_id
from ogi_platform.messaging.envelope import EventRecord
from ogi_platform.service.config import ServiceConfig
from reply.clock import ClockState, Stopped
from reply.deadline import Deadline, deadline_id
from reply.domain import Reply
from reply.remedy import RemedyCase, remedy_id

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

    def history(self, application_id: str) -> list[EventRecord]:
        """With the reconsiderations and lawsuits, which locating an application (on every
        request) need not read."""
        remedies = [r.id for r in self.remedies(application_id)]
        return history_of(self, [*self.aggregate_ids_of(application_id), *remedies])

    def remedies(self, application_id: str) -> list[RemedyCase]:
        """The reconsiderations and lawsuits recorded about the application, R1, R2, ..."""
        found: list[RemedyCase] = []
        while case := self.find(remedy_id(application_id, f"R{len(found) + 1}"), RemedyCase):
            found.append(case)
        return found

    def file_remedy(
        self,
        application_id: str,
        kind: str,
        body: str,
        case_number: str,
        filed_on: date,
        actor: str,
    ) -> list[RemedyCase]:
        """Record a reconsideration application or lawsuit about this agency's handling."""
        known = self.find(deadline_id(application_id), Deadline) or self.find(
            reply_id(application_id), Reply
        )
        if known is None:
            raise NotFound(f"application {application_id} is not handled here")
        ref = f"R{len(self.remedies(application_id)) + 1}"
        uow = self.unit_of_work()
        uow.add(
            RemedyCase.file(
                application_id, self.agency, ref, kind, body, case_number, filed_on,
                meta(application_id, actor, filed_on),
            )
        )  # fmt: skip
        uow.commit()
        return self.remedies(application_id)

    def conclude_remedy(
        self, application_id: str, ref: str, result: str, concluded_on: date, actor: str
    ) -> list[RemedyCase]:
        uow = self.unit_of_work()
        case = uow.get(remedy_id(application_id, ref), RemedyCase, f"{ref} of {application_id}")
        case.conclude(result, concluded_on, meta(application_id, actor, concluded_on))
        uow.commit()
        return self.remedies(application_id)

    def not_handled_here(self, application_id: str) -> bool:
        found = self.find(deadline_id(application_id), Deadline)
        return found is not None and found.stopped_because == "ApplicationForwarded"

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

    def record_delivery(
        self, application_id: str, method: str, delivered_on: date, actor: str
    ) -> Reply:
        """Delivery with its legal date closes the application and stops its clock."""
        uow = self.unit_of_work()
        reply = uow.get(reply_id(application_id), Reply, f"reply to {application_id}")
        m = meta(application_id, actor, delivered_on)
        reply.deliver(method, delivered_on, m)
        deadline = uow.find(deadline_id(application_id), Deadline)
        if deadline is not None:
            deadline.note(Stopped(delivered_on), "ReplyDelivered", m)
        uow.commit()
        return reply

    def tick(self, today: date) -> int:
        """Open deadlines: due dates recomputed (new calendar data), warnings, overdue notices.

        A deadline is open from its opening, or its reopening by a rectification order, until
        its clock stops."""
        if self._open_deadlines is None:
            self._open_deadlines = OpenSet(
                self, opens={"DeadlineOpened", "ClockReopened"}, closes={"ClockStopped"}
            )
        return self._open_deadlines.act_on_each(
            Deadline, lambda d: d.watch(self.calendar, today, self.due_soon_days, SYSTEM)
        )
