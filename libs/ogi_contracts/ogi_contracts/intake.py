"""The intake service: receipt, numbering and the applicant's steps (correction, withdrawal)."""

from __future__ import annotations

from ogi_contracts.contract import ANY, OWN, Contract

SERVICE = "intake"

APPLICATION_RECEIVED = "ApplicationReceived"
APPLICATION_ACCEPTED = "ApplicationAccepted"
CORRECTION_REQUESTED = "CorrectionRequested"
APPLICATION_CORRECTED = "ApplicationCorrected"
CORRECTION_LAPSED = "CorrectionLapsed"
APPLICATION_WITHDRAWN = "ApplicationWithdrawn"
APPLICATION_FORWARD_NOTED = "ApplicationForwardNoted"

PUBLIC = frozenset(
    {
        APPLICATION_RECEIVED,
        APPLICATION_ACCEPTED,
        CORRECTION_REQUESTED,
        APPLICATION_CORRECTED,
        CORRECTION_LAPSED,
        APPLICATION_WITHDRAWN,
        APPLICATION_FORWARD_NOTED,
    }
)
INTERNAL = frozenset(
    {
        "ApplicationClosedNoted",
        "ApplicationNumberIssued",
        "NumberSeriesStarted",
        "ApplicationCounted",
        "MonthlyCountStarted",
    }
)
HANDLES = {
    "ApplicationClosed": OWN,  # reply closed it: intake's state keeps in step
    "ApplicationForwarded": ANY,  # the forwarding agency's routing
}

CONTRACT = Contract(SERVICE, PUBLIC, INTERNAL, HANDLES)
