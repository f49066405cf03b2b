"""Inbound events for intake: reply's closing and routing's forwards keep intake's state in step."""

from __future__ import annotations

from datetime import date

from intake.application import accept_numbered
from intake.domain import Applicant, Application, Request
from ogi_contracts.reply import APPLICATION_CLOSED
from ogi_contracts.routing import APPLICATION_FORWARDED
from ogi_law.agencies import Agency, AgencyRegistry
from ogi_platform.eventstore.application import OgiApplication, UnitOfWork
from ogi_platform.messaging.bus import Handler
from ogi_platform.messaging.envelope import EventRecord, caused_by

SYSTEM = "system:intake"


def on_application_closed(uow: UnitOfWork, record: EventRecord) -> None:
    application = uow.unhandled(Application.create_id(record.application_id), Application, record)
    if application is not None:
        application.note_closed(str(record.data.get("reason", "")), caused_by(record, SYSTEM))


def on_forwarded_away(uow: UnitOfWork, record: EventRecord) -> None:
    """This agency forwarded the application (Art. 36(5)): it is handled elsewhere from now on."""
    application = uow.unhandled(Application.create_id(record.application_id), Application, record)
    if application is not None:
        application.note_forwarded(
            record.data["to_agency"], record.data["reason"], caused_by(record, SYSTEM)
        )


def receive_forwarded(uow: UnitOfWork, agency: Agency, record: EventRecord) -> None:
    """Another agency forwarded the application here: its receipt, number and clock in this
    agency, made once (a redelivery finds the application already received)."""
    if uow.find_to_create(Application.create_id(record.application_id), Application) is not None:
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


def handlers(app: OgiApplication, registry: AgencyRegistry) -> dict[str, Handler]:
    agency = registry.get(app.agency)

    def on_forwarded(uow: UnitOfWork, record: EventRecord) -> None:
        """Sent by this agency: noted. Addressed to it: its own receipt, number and clock."""
        if record.agency == agency.code:
            on_forwarded_away(uow, record)
        else:
            receive_forwarded(uow, agency, record)

    return {APPLICATION_CLOSED: on_application_closed, APPLICATION_FORWARDED: on_forwarded}
