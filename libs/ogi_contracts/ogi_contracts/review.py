"""The review service: the handling of an application up to its decision (Art. 30-42)."""

from __future__ import annotations

from ogi_contracts.contract import ANY, BUREAU, OWN, Contract

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
    "ApplicationAssigned": OWN,
    "ApplicationReassigned": OWN,
    "ApplicationForwarded": OWN,
    "ApplicationWithdrawn": OWN,
    "CorrectionLapsed": OWN,
    "ApplicationCorrected": OWN,
    "ApplicationClosed": OWN,
    "RectificationOrdered": BUREAU,
    ORGAN_CONSULTATION_STARTED: ANY,  # another agency consults this one (Art. 34)
    CONSULTATION_ANSWERED: ANY,  # the agency this one consulted answers
}

CONTRACT = Contract(SERVICE, PUBLIC, INTERNAL, HANDLES)
