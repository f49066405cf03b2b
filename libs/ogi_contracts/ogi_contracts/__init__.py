"""Each service's contract: the event types it publishes on the bus, the ones it keeps
internal, and the ones it handles and from whom. Plain data, importable by every reader
(provisioning, the inbox's sender check, the CLI) without any server code."""

from __future__ import annotations

from ogi_contracts import complaint, intake, query, reply, report, review, routing
from ogi_contracts.contract import Contract

CONTRACTS: tuple[Contract, ...] = (
    intake.CONTRACT,
    routing.CONTRACT,
    review.CONTRACT,
    reply.CONTRACT,
    complaint.CONTRACT,
    report.CONTRACT,
    query.CONTRACT,
)


def contract_of(service: str) -> Contract:
    """The contract of the named service."""
    for contract in CONTRACTS:
        if contract.service == service:
            return contract
    raise KeyError(service)
