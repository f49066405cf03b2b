"""Inbound events for review: routed applications open a review; endings close it."""

from __future__ import annotations

from govcommon.agencies import AgencyRegistry
from govcommon.application import OgiApplication, UnitOfWork
from govcommon.bus import Handler
from govcommon.envelope import EventRecord, caused_by
from review.application import review_id
from review.domain import Review

SYSTEM = "system:review"


def on_assigned(uow: UnitOfWork, record: EventRecord) -> None:
    if uow.find(review_id(record.application_id), Review) is not None:
        return
    uow.add(
        Review(
            application=record.data["application"],
            office=record.data["office"],
            meta=caused_by(record, SYSTEM),
        )
    )


def on_reassigned(uow: UnitOfWork, record: EventRecord) -> None:
    review = uow.find(review_id(record.application_id), Review)
    if review is not None and not review.has_handled(record.event_id):
        review.move_to(record.data["office"], caused_by(record, SYSTEM))


def on_ended(uow: UnitOfWork, record: EventRecord) -> None:
    review = uow.find(review_id(record.application_id), Review)
    if review is not None and not review.has_handled(record.event_id):
        review.close(record.type, caused_by(record, SYSTEM))


def on_corrected(uow: UnitOfWork, record: EventRecord) -> None:
    review = uow.find(review_id(record.application_id), Review)
    if review is not None and not review.has_handled(record.event_id):
        review.note_correction(str(record.data.get("description", "")), caused_by(record, SYSTEM))


def on_rectification_ordered(uow: UnitOfWork, record: EventRecord) -> None:
    review = uow.find(review_id(record.application_id), Review)
    if review is None or review.has_handled(record.event_id):
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
    return {
        "ApplicationAssigned": on_assigned,
        "ApplicationReassigned": on_reassigned,
        "ApplicationWithdrawn": on_ended,
        "CorrectionLapsed": on_ended,
        "ApplicationForwarded": on_ended,
        "ApplicationCorrected": on_corrected,
        "RectificationOrdered": on_rectification_ordered,
        "ApplicationClosed": on_ended,
    }
