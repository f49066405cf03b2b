"""The routing application: assignment on acceptance, reassignment by staff, queries."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from ogi_errors import NotFound
from ogi_law.agencies import Agency
from ogi_platform.eventstore.aggregate import meta
from ogi_platform.eventstore.application import OgiApplication
from ogi_platform.ids import aggregate_id
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

    def forward(
        self, application_id: str, to_agency: str, reason: str, on: date, actor: str
    ) -> Routing:
        uow = self.unit_of_work()
        routing = uow.get(routing_id(application_id), Routing, f"application {application_id}")
        routing.forward(to_agency, reason, meta(application_id, actor, on, to_agency=to_agency))
        uow.commit()
        return routing

    def reassign(
        self, agency: Agency, application_id: str, office: str, reason: str, on: date, actor: str
    ) -> Routing:
        uow = self.unit_of_work()
        routing = uow.get(routing_id(application_id), Routing, f"application {application_id}")
        routing.reassign(office, agency.offices, reason, meta(application_id, actor, on))
        uow.commit()
        return routing
