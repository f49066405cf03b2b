"""The query service: the read side (work queues, lookup by number, full-text search, the
bureau's boards), kept from the public events of every service. It publishes nothing.

An agency's query hears its own events and those addressed to it (a forward, a consultation);
a supervision bureau's hears every agency's, as it supervises them all (Art. 47, 51).
"""

from __future__ import annotations

from ogi_contracts import complaint, intake, reply, review, routing
from ogi_contracts.contract import ANY, BUREAU, Contract

SERVICE = "query"

PUBLIC: frozenset[str] = frozenset()

#: What each publishing service tells the read model, by event type.
HEARD: dict[str, str] = {
    **dict.fromkeys(
        (
            intake.APPLICATION_RECEIVED,
            intake.APPLICATION_ACCEPTED,
            intake.CORRECTION_REQUESTED,
            intake.APPLICATION_CORRECTED,
            intake.CORRECTION_LAPSED,
            intake.APPLICATION_WITHDRAWN,
        ),
        intake.SERVICE,
    ),
    **dict.fromkeys(
        (
            routing.APPLICATION_ASSIGNED,
            routing.APPLICATION_REASSIGNED,
            routing.APPLICATION_FORWARDED,
        ),
        routing.SERVICE,
    ),
    **dict.fromkeys(
        (
            review.DECISION_MADE,
            review.HANDLING_REOPENED,
            review.FEE_NOTICE_ISSUED,
            review.FEE_PAID,
            review.FEE_UNPAID_CLOSED,
            review.THIRD_PARTY_CONSULTATION_STARTED,
            review.THIRD_PARTY_ANSWERED,
            review.ORGAN_CONSULTATION_STARTED,
            review.ORGAN_ANSWERED,
            review.CONSULTATION_ANSWERED,
        ),
        review.SERVICE,
    ),
    **dict.fromkeys(
        (
            reply.REPLY_ISSUED,
            reply.REPLY_REISSUED,
            reply.REPLY_DELIVERED,
            reply.APPLICATION_CLOSED,
            reply.APPLICATION_OVERDUE,
            reply.DUE_DATE_CHANGED,
        ),
        reply.SERVICE,
    ),
    **dict.fromkeys(
        (
            complaint.COMPLAINT_FILED,
            complaint.COMPLAINT_ACCEPTED,
            complaint.COMPLAINT_REJECTED,
            complaint.FINDING_MADE,
            complaint.RECTIFICATION_ORDERED,
            complaint.CRITICISM_NOTICE_ISSUED,
            complaint.ACCOUNTABILITY_RECOMMENDED,
            complaint.RECTIFICATION_ANSWER_RECEIVED,
            complaint.RECTIFICATION_ANSWER_OVERDUE,
            complaint.COMPLAINT_CLOSED,
        ),
        complaint.SERVICE,
    ),
}

#: Any agency may send each: the inbox's filter subjects decide what reaches an agency.
HANDLES = dict.fromkeys(HEARD, ANY)

CONTRACT = Contract(
    SERVICE, PUBLIC, handles=HANDLES, heard_everywhere=HEARD, everywhere_kind=BUREAU
)
