"""Where an application is handled: assignment to an office of the agency, and reassignment."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from govcommon.aggregate import Meta, OgiAggregate
from govcommon.errors import IllegalStep, InvalidInput
from govcommon.ids import aggregate_id


class Routing(OgiAggregate):
    @staticmethod
    def create_id(application: dict[str, Any]) -> UUID:
        return aggregate_id("routing", application["application_id"])

    @event("ApplicationAssigned")
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

    @event("ApplicationReassigned")
    def _reassigned(self, office: str, reason: str, meta: Meta) -> None:
        self.office = office

    def note_closed(self, reason: str, meta: Meta) -> None:
        if self.state != "closed":
            self._closed(reason, meta)

    @event("RoutingClosed")
    def _closed(self, reason: str, meta: Meta) -> None:
        self.state = "closed"
