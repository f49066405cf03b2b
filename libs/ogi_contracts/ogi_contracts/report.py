"""The annual report's read model: it counts its own agency's events and publishes nothing."""

from __future__ import annotations

from ogi_contracts.contract import OWN, Contract
from ogi_contracts.intake import (
    APPLICATION_FORWARD_NOTED,
    APPLICATION_RECEIVED,
    APPLICATION_WITHDRAWN,
    CORRECTION_LAPSED,
)
from ogi_contracts.reply import REMEDY_CONCLUDED, REMEDY_FILED
from ogi_contracts.review import DECISION_MADE, FEE_UNPAID_CLOSED

SERVICE = "report"

PUBLIC: frozenset[str] = frozenset()
#: The events the annual table counts (ogi_report.projection.EVENT_TYPES).
HANDLES = dict.fromkeys(
    (
        APPLICATION_RECEIVED,
        APPLICATION_FORWARD_NOTED,
        CORRECTION_LAPSED,
        APPLICATION_WITHDRAWN,
        DECISION_MADE,
        FEE_UNPAID_CLOSED,
        REMEDY_FILED,
        REMEDY_CONCLUDED,
    ),
    OWN,
)

CONTRACT = Contract(SERVICE, PUBLIC, handles=HANDLES)
