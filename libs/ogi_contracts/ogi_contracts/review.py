"""The review service: the handling of an application up to its decision (Art. 30-42)."""

from __future__ import annotations

from ogi_contracts.complaint import RECTIFICATION_ORDERED
from ogi_contracts.contract import ANY, BUREAU, OWN, Contract
from ogi_contracts.intake import APPLICATION_CORRECTED, APPLICATION_WITHDRAWN, CORRECTION_LAPSED
from ogi_contracts.reply import APPLICATION_CLOSED
from ogi_contracts.routing import (
    APPLICATION_ASSIGNED,
    APPLICATION_FORWARDED,
    APPLICATION_REASSIGNED,
)

SERVICE = "review"

DECISION_MADE = "DecisionMade"
HANDLING_REOPENED = "HandlingReopened"
EXTENSION_GRANTED = "ExtensionGranted"
REPLY_DATE_SET = "ReplyDateSet"
FEE_NOTICE_ISSUED = "FeeNoticeIssued"
FEE_PAID = "FeePaid"
FEE_UNPAID_CLOSED = "FeeUnpaidClosed"
THIRD_PARTY_CONSULTATION_STARTED = "ThirdPartyConsultationStarted"
THIRD_PARTY_ANSWERED = "ThirdPartyAnswered"
ORGAN_CONSULTATION_STARTED = "OrganConsultationStarted"
ORGAN_ANSWERED = "OrganAnswered"
CONSULTATION_ANSWERED = "ConsultationAnswered"
RECTIFICATION_ANSWERED = "RectificationAnswered"

PUBLIC = frozenset(
    {
        DECISION_MADE,
        HANDLING_REOPENED,
        EXTENSION_GRANTED,
        REPLY_DATE_SET,
        FEE_NOTICE_ISSUED,
        FEE_PAID,
        FEE_UNPAID_CLOSED,
        THIRD_PARTY_CONSULTATION_STARTED,
        THIRD_PARTY_ANSWERED,
        ORGAN_CONSULTATION_STARTED,
        ORGAN_ANSWERED,
        CONSULTATION_ANSWERED,
        RECTIFICATION_ANSWERED,
    }
)
INTERNAL = frozenset(
    {
        "ReviewOpened",
        "ReviewMovedToOffice",
        "ReviewApplicationCorrected",
        "ReviewClosed",
        "ConfidentialityReviewed",
        "ThirdPartyNotifiedOfDisclosure",
        "ConsultationFileOpened",
        "ConsultationRequestReceived",
    }
)
HANDLES = {
    APPLICATION_ASSIGNED: OWN,
    APPLICATION_REASSIGNED: OWN,
    APPLICATION_FORWARDED: OWN,
    APPLICATION_WITHDRAWN: OWN,
    CORRECTION_LAPSED: OWN,
    APPLICATION_CORRECTED: OWN,
    APPLICATION_CLOSED: OWN,
    RECTIFICATION_ORDERED: BUREAU,
    ORGAN_CONSULTATION_STARTED: ANY,  # another agency consults this one (Art. 34)
    CONSULTATION_ANSWERED: ANY,  # the agency this one consulted answers
}

CONTRACT = Contract(SERVICE, PUBLIC, INTERNAL, HANDLES)
