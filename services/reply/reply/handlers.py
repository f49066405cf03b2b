"""Inbound events for reply: a decision becomes a reply letter."""

from __future__ import annotations

from datetime import date

from govcommon.agencies import AgencyRegistry
from govcommon.application import OgiApplication, UnitOfWork
from govcommon.bus import Handler
from govcommon.envelope import EventRecord, caused_by
from reply.application import reply_id
from reply.domain import Reply
from reply.letter import compose_letter

SYSTEM = "system:reply"


def handlers(app: OgiApplication, registry: AgencyRegistry) -> dict[str, Handler]:
    agency = registry.get(app.agency)

    def on_decided(uow: UnitOfWork, record: EventRecord) -> None:
        if uow.find(reply_id(record.application_id), Reply) is not None:
            return
        application = record.data["application"]
        letter_number = f"{application['application_number']}-答"
        letter = compose_letter(
            agency, application, record.data, letter_number, date.fromisoformat(record.occurred_on)
        )
        uow.add(
            Reply(
                application=application,
                letter_number=letter_number,
                outcome=record.data["outcome"],
                letter_text=letter,
                meta=caused_by(record, SYSTEM),
            )
        )

    return {"DecisionMade": on_decided}
