"""The reply service: reply letters, delivery, the statutory clock and remedies."""

from __future__ import annotations

from ogi_contracts.contract import OWN, Contract

SERVICE = "reply"

REPLY_ISSUED = "ReplyIssued"
REPLY_REISSUED = "ReplyReissued"
REPLY_DELIVERED = "ReplyDelivered"
APPLICATION_CLOSED = "ApplicationClosed"
APPLICATION_DUE_SOON = "ApplicationDueSoon"
APPLICATION_OVERDUE = "ApplicationOverdue"
DUE_DATE_CHANGED = "DueDateChanged"
REMEDY_FILED = "RemedyFiled"
REMEDY_CONCLUDED = "RemedyConcluded"

PUBLIC = frozenset(
    {
        REPLY_ISSUED,
        REPLY_REISSUED,
        REPLY_DELIVERED,
        APPLICATION_CLOSED,
        APPLICATION_DUE_SOON,
        APPLICATION_OVERDUE,
        DUE_DATE_CHANGED,
        REMEDY_FILED,
        REMEDY_CONCLUDED,
    }
)
#: The clock's bookkeeping and the printing of letters stay in the store; the due date is public
#: (work queues sort by it).
INTERNAL = frozenset(
    {"DeadlineOpened", "ClockFactNoted", "ClockReopened", "ClockStopped", "ReplyLetterPrinted"}
)
#: The events that move the statutory clock (reply.clockfacts), the decisions that become
#: letters, and reopened handling.
HANDLES = dict.fromkeys(
    (
        "ApplicationAccepted",
        "CorrectionRequested",
        "ApplicationCorrected",
        "CorrectionLapsed",
        "ApplicationWithdrawn",
        "ApplicationForwarded",
        "ThirdPartyConsultationStarted",
        "ThirdPartyAnswered",
        "OrganConsultationStarted",
        "OrganAnswered",
        "ExtensionGranted",
        "ReplyDateSet",
        "FeeNoticeIssued",
        "FeePaid",
        "FeeUnpaidClosed",
        "DecisionMade",
        "HandlingReopened",
    ),
    OWN,
)

CONTRACT = Contract(SERVICE, PUBLIC, INTERNAL, HANDLES)
