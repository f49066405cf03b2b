"""Inbound events for intake: the reply service's closing keeps intake's state in step."""

from __future__ import annotations

from datetime import date

from intake.application import accept_numbered
from intake.domain import Applicant, Application, Request
from ogi_contracts.reply import APPLICATION_CLOSED
from ogi_contracts.routing import APPLICATION_FORWARDED
from ogi_law.agencies import AgencyRegistry
from ogi_platform.eventstore.application import OgiApplication, UnitOfWork
from ogi_platform.messaging.bus import Handler
from ogi_platform.messaging.envelope import EventRecord, caused_by

SYSTEM = "system:intake"


def on_application_closed(uow: UnitOfWork, record: EventRecord) -> None:
    application = uow.find(Application.create_id(record.application_id), Application)
    if application is None or application.has_handled(record.event_id):
        return
    application.note_closed(
        str(record.data.get("reason", "")),
        caused_by(record, SYSTEM),
    )


def handlers(app: OgiApplication, registry: AgencyRegistry) -> dict[str, Handler]:
    agency = registry.get(app.agency)

    def on_forwarded(uow: UnitOfWork, record: EventRecord) -> None:
        """Sent by this agency: noted. Addressed to it: its own receipt, number and clock."""
        existing = uow.find(Application.create_id(record.application_id), Application)
        if record.agency == agency.code:
            if existing is not None and not existing.has_handled(record.event_id):
                existing.note_forwarded(
                    record.data["to_agency"], record.data["reason"], caused_by(record, SYSTEM)
                )
            return
        if existing is not None:
            return
        snapshot = record.data["application"]
        m = caused_by(record, SYSTEM)
        application = Application.receive(
            record.application_id,
            agency.code,
            Applicant(**snapshot["applicant"]),
            Request(snapshot["description"], snapshot["form"], snapshot["channel"]),
            date.fromisoformat(record.occurred_on),
            m,
            chain=snapshot.get("chain", []),
        )
        accept_numbered(uow, agency, application, m)

    return {APPLICATION_CLOSED: on_application_closed, APPLICATION_FORWARDED: on_forwarded}
