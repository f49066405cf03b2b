"""The routing application: reassignment and forwarding by staff, queries (assignment on
acceptance is an inbound handler)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from ogi_errors import NotFound
from ogi_platform.eventstore.aggregate import meta
from ogi_platform.eventstore.application import OgiApplication, UnitOfWork
from ogi_platform.eventstore.commands import ApplicationCommand, handles
from ogi_platform.ids import aggregate_id
from routing.commands import ForwardApplication, ReassignApplication
from routing.domain import Routing


def routing_id(application_id: str) -> UUID:
    return aggregate_id("routing", application_id)


class RoutingApplication(OgiApplication):
    name = "routing"
    service = "routing"

    def aggregate_ids_of(self, application_id: str) -> list[UUID]:
        return [routing_id(application_id)]

    def not_handled_here(self, application_id: str) -> bool:
        found = self.find(routing_id(application_id), Routing)
        return found is not None and found.state == "forwarded"

    def routing(self, application_id: str) -> Routing:
        found = self.find(routing_id(application_id), Routing)
        if found is None:
            raise NotFound(f"application {application_id} is not routed here")
        return found

    @staticmethod
    def _routed(uow: UnitOfWork, command: ApplicationCommand[Any]) -> Routing:
        """The routing a command acts on."""
        application_id = command.application_id
        return uow.get(routing_id(application_id), Routing, f"application {application_id}")

    @handles(ForwardApplication)
    def _forward(self, uow: UnitOfWork, c: ForwardApplication) -> Routing:
        routing = self._routed(uow, c)
        m = meta(c.application_id, c.actor, c.on, to_agency=c.to_agency)
        routing.forward(c.to_agency, c.reason, m)
        return routing

    @handles(ReassignApplication)
    def _reassign(self, uow: UnitOfWork, c: ReassignApplication) -> Routing:
        routing = self._routed(uow, c)
        routing.reassign(c.office, c.offices, c.reason, meta(c.application_id, c.actor, c.on))
        return routing
