"""Where an application is handled: assignment to an office of the agency, and reassignment."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from ogi_contracts.routing import (
    APPLICATION_ASSIGNED,
    APPLICATION_FORWARDED,
    APPLICATION_REASSIGNED,
)
from ogi_errors import IllegalStep, InvalidInput
from ogi_platform.eventstore.aggregate import Meta, OgiAggregate
from ogi_platform.ids import aggregate_id

# The name of routing's internal event (its public ones are in ogi_contracts.routing).
ROUTING_CLOSED = "RoutingClosed"


class Routing(OgiAggregate):
    @staticmethod
    def create_id(application: dict[str, Any]) -> UUID:
        return aggregate_id("routing", application["application_id"])

    @event(APPLICATION_ASSIGNED)
    def __init__(self, application: dict[str, Any], office: str, meta: Meta) -> None:
        self.application_id: str = application["application_id"]
        self.agency: str = application["agency"]
        self.application = application
        self.office = office
        self.state = "assigned"

    def reassign(self, office: str, offices: tuple[str, ...], reason: str, meta: Meta) -> None:
        if self.state != "assigned":
            raise IllegalStep(f"application {self.application_id} is {self.state}")
        if office not in offices:
            raise InvalidInput("office", f"{office!r} is not an office of {self.agency}")
        if office == self.office:
            raise IllegalStep(f"application {self.application_id} is already with {office}")
        self._reassigned(office, reason.strip(), meta)

    @event(APPLICATION_REASSIGNED)
    def _reassigned(self, office: str, reason: str, meta: Meta) -> None:
        self.office = office

    @property
    def chain(self) -> list[dict[str, str]]:
        return list(self.application.get("chain", []))

    def forward(self, to_agency: str, reason: str, meta: Meta) -> None:
        """Forward to another agency (36.5): refused to itself, or back into its own chain."""
        if self.state != "assigned":
            raise IllegalStep(f"application {self.application_id} is {self.state}")
        if to_agency == self.agency:
            raise InvalidInput("to_agency", "is the agency handling it now")
        visited = {self.agency} | {h["from_agency"] for h in self.chain}
        if to_agency in visited:
            path = " -> ".join([*(h["from_agency"] for h in self.chain), self.agency, to_agency])
            raise IllegalStep(f"forwarding would loop: {path}")
        reason = reason.strip()
        if not reason:
            raise InvalidInput("reason", "say why the application is forwarded")
        hop = {
            "from_agency": self.agency,
            "to_agency": to_agency,
            "reason": reason,
            "forwarded_on": meta["occurred_on"],
            "actor": meta["actor"],
        }
        self._forwarded(self.application | {"chain": [*self.chain, hop]}, to_agency, reason, meta)

    @event(APPLICATION_FORWARDED)
    def _forwarded(
        self, application: dict[str, Any], to_agency: str, reason: str, meta: Meta
    ) -> None:
        self.application = application
        self.forwarded_to = to_agency
        self.state = "forwarded"

    forwarded_to = ""

    def note_closed(self, reason: str, meta: Meta) -> None:
        if self.state not in ("closed", "forwarded"):
            self._closed(reason, meta)

    @event(ROUTING_CLOSED)
    def _closed(self, reason: str, meta: Meta) -> None:
        self.state = "closed"
