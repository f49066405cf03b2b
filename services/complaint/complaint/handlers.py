"""Inbound events for the complaint service of a supervision bureau.

The bureau learns of every agency's accepted applications, so that a complaint names a real
application and the agency handling it.
"""

from __future__ import annotations

from complaint.domain import Complaint, KnownApplication, complaint_aggregate_id
from ogi_law.agencies import AgencyRegistry
from ogi_platform.eventstore.application import OgiApplication, UnitOfWork
from ogi_platform.messaging.bus import Handler
from ogi_platform.messaging.envelope import SUBJECT_ROOT, EventRecord, caused_by
from ogi_platform.service.agencies import Agency
from ogi_platform.service.runtime import addressed_to

SYSTEM = "system:complaint"


def on_accepted(uow: UnitOfWork, record: EventRecord) -> None:
    application = record.data["application"]
    known = uow.find(KnownApplication.create_id(record.application_id), KnownApplication)
    if known is not None:
        if not known.has_handled(record.event_id):
            known.handled_by(
                record.agency, application["application_number"], caused_by(record, SYSTEM)
            )
        return
    uow.add(
        KnownApplication(
            application_id=record.application_id,
            agency=record.agency,
            application_number=application["application_number"],
            received_on=application["received_on"],
            meta=caused_by(record, SYSTEM),
        )
    )


def on_overdue(uow: UnitOfWork, record: EventRecord) -> None:
    known = uow.find(KnownApplication.create_id(record.application_id), KnownApplication)
    if known is not None and not known.has_handled(record.event_id):
        known.note_overdue(record.agency, record.data["due_on"], caused_by(record, SYSTEM))


def on_rectification_answered(uow: UnitOfWork, record: EventRecord) -> None:
    complaint = uow.find(complaint_aggregate_id(record.data["complaint_id"]), Complaint)
    if complaint is not None and not complaint.has_handled(record.event_id):
        complaint.agency_answered(
            record.data["order_id"], record.data["text"], caused_by(record, SYSTEM)
        )


def handlers(app: OgiApplication, registry: AgencyRegistry) -> dict[str, Handler]:
    if registry.get(app.agency).kind != "supervision_bureau":
        return {}
    return {
        "ApplicationAccepted": on_accepted,
        "ApplicationOverdue": on_overdue,
        "RectificationAnswered": on_rectification_answered,
    }


def subjects(agency: Agency, event_types: list[str]) -> list[str]:
    """A bureau hears of accepted applications of every agency, not only its own."""
    wide = {
        "ApplicationAccepted": f"{SUBJECT_ROOT}.*.intake.ApplicationAccepted.*",
        "ApplicationOverdue": f"{SUBJECT_ROOT}.*.reply.ApplicationOverdue.*",
    }
    narrow = [t for t in event_types if t not in wide]
    return [wide[t] for t in event_types if t in wide] + addressed_to(agency, narrow)
