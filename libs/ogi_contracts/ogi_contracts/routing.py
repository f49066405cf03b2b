"""The routing service: an accepted application's office, reassignments and forwards."""

from __future__ import annotations

from ogi_contracts.contract import OWN, Contract

SERVICE = "routing"

APPLICATION_ASSIGNED = "ApplicationAssigned"
APPLICATION_REASSIGNED = "ApplicationReassigned"
APPLICATION_FORWARDED = "ApplicationForwarded"

PUBLIC = frozenset({APPLICATION_ASSIGNED, APPLICATION_REASSIGNED, APPLICATION_FORWARDED})
INTERNAL = frozenset({"RoutingClosed"})
HANDLES = {
    "ApplicationAccepted": OWN,
    "ApplicationWithdrawn": OWN,
    "CorrectionLapsed": OWN,
    "FeeUnpaidClosed": OWN,
    "ApplicationClosed": OWN,
}

CONTRACT = Contract(SERVICE, PUBLIC, INTERNAL, HANDLES)
