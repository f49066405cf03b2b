"""The reply application: letters, delivery (which stops the clock), deadlines, queries."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from govcommon.aggregate import meta
from govcommon.application import OgiApplication
from govcommon.clock import ClockState, Stopped
from govcommon.errors import NotFound
from govcommon.ids import aggregate_id
from govcommon.readmodel import OpenSet
from reply.deadline import Deadline, deadline_id
from reply.domain import Reply

SYSTEM = "system:reply"


def reply_id(application_id: str) -> UUID:
    return aggregate_id("reply", application_id)


class ReplyApplication(OgiApplication):
    name = "reply"
    service = "reply"
    _open_deadlines: OpenSet | None = None

    def aggregate_ids_of(self, application_id: str) -> list[UUID]:
        return [deadline_id(application_id), reply_id(application_id)]

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
        """Open deadlines: due dates recomputed (new calendar data), warnings, overdue notices."""
        if self._open_deadlines is None:
            self._open_deadlines = OpenSet(self, opens={"DeadlineOpened"}, closes={"ClockStopped"})
        return self._open_deadlines.act_on_each(
            Deadline, lambda d: d.watch(self.calendar, today, self.due_soon_days, SYSTEM)
        )
