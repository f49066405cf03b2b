"""Inbound events for review: routed applications open a review; endings close it."""

from __future__ import annotations

from datetime import date

from ogi_contracts.complaint import RECTIFICATION_ORDERED
from ogi_contracts.intake import APPLICATION_CORRECTED, APPLICATION_WITHDRAWN, CORRECTION_LAPSED
from ogi_contracts.reply import APPLICATION_CLOSED
from ogi_contracts.review import CONSULTATION_ANSWERED, ORGAN_CONSULTATION_STARTED
from ogi_contracts.routing import (
    APPLICATION_ASSIGNED,
    APPLICATION_FORWARDED,
    APPLICATION_REASSIGNED,
)
from ogi_errors import IllegalStep
from ogi_law.agencies import AgencyRegistry
from ogi_platform.eventstore.application import OgiApplication, UnitOfWork
from ogi_platform.messaging.bus import Handler
from ogi_platform.messaging.envelope import EventRecord, caused_by
from review.application import review_id
from review.domain import ConsultationFile, Review

SYSTEM = "system:review"


def on_assigned(uow: UnitOfWork, record: EventRecord) -> None:
    if uow.find_to_create(review_id(record.application_id), Review) is not None:
        return
    uow.add(
        Review(
            application=record.data["application"],
            office=record.data["office"],
            meta=caused_by(record, SYSTEM),
        )
    )


def on_reassigned(uow: UnitOfWork, record: EventRecord) -> None:
    review = uow.unhandled(review_id(record.application_id), Review, record)
    if review is not None:
        review.move_to(record.data["office"], caused_by(record, SYSTEM))


def on_ended(uow: UnitOfWork, record: EventRecord) -> None:
    review = uow.unhandled(review_id(record.application_id), Review, record)
    if review is not None:
        review.close(record.type, caused_by(record, SYSTEM))


def on_corrected(uow: UnitOfWork, record: EventRecord) -> None:
    review = uow.unhandled(review_id(record.application_id), Review, record)
    if review is not None:
        review.note_correction(str(record.data.get("description", "")), caused_by(record, SYSTEM))


def on_rectification_ordered(uow: UnitOfWork, record: EventRecord) -> None:
    review = uow.unhandled(review_id(record.application_id), Review, record)
    if review is None:
        return
    review.reopen(
        record.data["order_id"],
        record.data["complaint_id"],
        record.agency,
        record.data["requirements"],
        record.data["answer_due"],
        caused_by(record, SYSTEM),
    )


def handlers(app: OgiApplication, registry: AgencyRegistry) -> dict[str, Handler]:
    def on_consulted(uow: UnitOfWork, record: EventRecord) -> None:
        """Another agency consults this one (Art. 34): the request goes into its file."""
        if record.data.get("organ_agency") != app.agency or record.agency == app.agency:
            return
        file_id = ConsultationFile.create_id(record.application_id)
        file = uow.find(file_id, ConsultationFile)
        if file is None:
            file = ConsultationFile(
                application_id=record.application_id, meta=caused_by(record, SYSTEM)
            )
            uow.add(file)
        elif file.has_handled(record.event_id):
            return
        file.receive(
            record.agency,
            record.data["ref"],
            record.data["description"],
            record.data["answer_due"],
            caused_by(record, SYSTEM),
        )

    def on_consultation_answered(uow: UnitOfWork, record: EventRecord) -> None:
        """The consulted agency answered: the consultation ends and the clock runs again."""
        if record.to_agency != app.agency or record.agency == app.agency:
            return
        review = uow.unhandled(review_id(record.application_id), Review, record)
        if review is None:
            return
        consultation = review.consultations.get(record.data["ref"])
        if consultation is None or not consultation.pending:
            return
        if consultation.organ_agency != record.agency:
            raise IllegalStep(f"{record.agency} was not consulted under {record.data['ref']}")
        review.record_answer(
            record.data["ref"],
            record.data["answer"],
            record.data["reasons"],
            date.fromisoformat(record.occurred_on),
            caused_by(record, SYSTEM),
        )

    return {
        APPLICATION_ASSIGNED: on_assigned,
        APPLICATION_REASSIGNED: on_reassigned,
        APPLICATION_WITHDRAWN: on_ended,
        CORRECTION_LAPSED: on_ended,
        APPLICATION_FORWARDED: on_ended,
        APPLICATION_CORRECTED: on_corrected,
        RECTIFICATION_ORDERED: on_rectification_ordered,
        ORGAN_CONSULTATION_STARTED: on_consulted,
        CONSULTATION_ANSWERED: on_consultation_answered,
        APPLICATION_CLOSED: on_ended,
    }
