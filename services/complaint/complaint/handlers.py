"""Inbound events for the complaint service of a supervision bureau.

The bureau learns of every agency's accepted applications, so that a complaint names a real
application and the agency handling it.
"""

from __future__ import annotations

from complaint.domain import Complaint, KnownApplication, complaint_aggregate_id
from ogi_contracts.contract import BUREAU
from ogi_contracts.intake import APPLICATION_ACCEPTED
from ogi_contracts.reply import APPLICATION_OVERDUE
from ogi_contracts.review import RECTIFICATION_ANSWERED
from ogi_law.agencies import AgencyRegistry
from ogi_platform.eventstore.application import OgiApplication, UnitOfWork
from ogi_platform.messaging.bus import Handler
from ogi_platform.messaging.envelope import EventRecord, caused_by

SYSTEM = "system:complaint"


def on_accepted(uow: UnitOfWork, record: EventRecord) -> None:
    """The first acceptance makes the application known to the bureau; a later one, by the
    agency it was forwarded to, moves it there."""
    application = record.data["application"]
    key = KnownApplication.create_id(record.application_id)
    if uow.find_to_create(key, KnownApplication) is None:
        uow.add(
            KnownApplication(
                application_id=record.application_id,
                agency=record.agency,
                application_number=application["application_number"],
                received_on=application["received_on"],
                meta=caused_by(record, SYSTEM),
            )
        )
        return
    known = uow.unhandled(key, KnownApplication, record)
    if known is not None:
        known.handled_by(
            record.agency, application["application_number"], caused_by(record, SYSTEM)
        )


def on_overdue(uow: UnitOfWork, record: EventRecord) -> None:
    known = uow.unhandled(
        KnownApplication.create_id(record.application_id), KnownApplication, record
    )
    if known is not None:
        known.note_overdue(record.agency, record.data["due_on"], caused_by(record, SYSTEM))


def on_rectification_answered(uow: UnitOfWork, record: EventRecord) -> None:
    complaint = uow.unhandled(
        complaint_aggregate_id(record.data["complaint_id"]), Complaint, record
    )
    if complaint is not None:
        complaint.agency_answered(
            record.data["order_id"], record.data["text"], caused_by(record, SYSTEM)
        )


def handlers(app: OgiApplication, registry: AgencyRegistry) -> dict[str, Handler]:
    if registry.get(app.agency).kind != BUREAU:
        return {}
    return {
        APPLICATION_ACCEPTED: on_accepted,
        APPLICATION_OVERDUE: on_overdue,
        RECTIFICATION_ANSWERED: on_rectification_answered,
    }
