"""The annual report's read model: it counts its own agency's events and publishes nothing."""

from __future__ import annotations

from ogi_contracts.contract import OWN, Contract

SERVICE = "report"

PUBLIC: frozenset[str] = frozenset()
#: The events the annual table counts (ogi_report.projection.EVENT_TYPES).
HANDLES = dict.fromkeys(
    (
        "ApplicationReceived",
        "ApplicationForwardNoted",
        "CorrectionLapsed",
        "ApplicationWithdrawn",
        "DecisionMade",
        "FeeUnpaidClosed",
        "RemedyFiled",
        "RemedyConcluded",
    ),
    OWN,
)

CONTRACT = Contract(SERVICE, PUBLIC, handles=HANDLES)
