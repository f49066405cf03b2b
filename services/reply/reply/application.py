"""The reply application: issuing letters from decisions, recording delivery, queries."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from govcommon.aggregate import meta
from govcommon.application import OgiApplication
from govcommon.errors import NotFound
from govcommon.ids import aggregate_id
from reply.domain import Reply


def reply_id(application_id: str) -> UUID:
    return aggregate_id("reply", application_id)


class ReplyApplication(OgiApplication):
    name = "reply"
    service = "reply"

    def aggregate_ids_of(self, application_id: str) -> list[UUID]:
        return [reply_id(application_id)]

    def reply(self, application_id: str) -> Reply:
        found = self.find(reply_id(application_id), Reply)
        if found is None:
            raise NotFound(f"no reply to application {application_id} here")
        return found

    def record_delivery(
        self, application_id: str, method: str, delivered_on: date, actor: str
    ) -> Reply:
        uow = self.unit_of_work()
        reply = uow.get(reply_id(application_id), Reply, f"reply to {application_id}")
        reply.deliver(method, delivered_on, meta(application_id, actor, delivered_on))
        uow.commit()
        return reply
