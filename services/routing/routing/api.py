"""The routing gRPC API."""

from __future__ import annotations

import grpc
from ogi.v1 import common_pb2, routing_pb2, routing_pb2_grpc

from ogi_law.agencies import AgencyRegistry
from ogi_law.dates import day_from_input
from ogi_platform.ids import checked_application_id
from ogi_platform.rpc.auth import caller
from ogi_platform.rpc.history import history_registration
from ogi_platform.rpc.server import Registration, handles_domain_errors
from ogi_platform.service.runtime import ServiceRuntime
from ogi_platform.today import today_in_china
from routing.application import RoutingApplication
from routing.catalogue import suggest_agency
from routing.commands import ForwardApplication, ReassignApplication
from routing.domain import Routing


def view(routing: Routing, registry: AgencyRegistry | None = None) -> routing_pb2.RoutingView:
    suggestion = suggest_agency(routing.application["description"], registry) if registry else None
    return routing_pb2.RoutingView(
        suggested_agency=suggestion.agency.code if suggestion else "",
        suggested_subject=suggestion.entry.subject if suggestion else "",
        suggestion_note=suggestion.note if suggestion else "",
        archives_law=bool(suggestion and suggestion.entry.archives_law),
        application_id=routing.application_id,
        agency=routing.agency,
        office=routing.office,
        state=routing.state,
        forwarded_to=routing.forwarded_to,
        chain=[common_pb2.ForwardHop(**hop) for hop in routing.chain],
    )


class RoutingServicer(routing_pb2_grpc.RoutingServiceServicer):
    def __init__(self, runtime: ServiceRuntime[AgencyRegistry]) -> None:
        self.runtime = runtime

    @handles_domain_errors
    async def GetRouting(
        self, request: routing_pb2.GetRoutingRequest, context: grpc.aio.ServicerContext
    ) -> routing_pb2.GetRoutingResponse:
        unit = await self.runtime.locate(checked_application_id(request.application_id), "read")
        app = self.runtime.app(unit, RoutingApplication)
        routing = await self.runtime.read(unit, app.routing, request.application_id)
        return routing_pb2.GetRoutingResponse(routing=view(routing, self.runtime.registry))

    @handles_domain_errors
    async def ReassignApplication(
        self, request: routing_pb2.ReassignApplicationRequest, context: grpc.aio.ServicerContext
    ) -> routing_pb2.ReassignApplicationResponse:
        unit = await self.runtime.locate(checked_application_id(request.application_id))
        routing = await self.runtime.execute(
            unit,
            ReassignApplication(
                application_id=request.application_id, actor=caller().actor, on=today_in_china(),
                office=request.office, offices=self.runtime.registry.get(unit.agency).offices,
                reason=request.reason,
            ),
        )  # fmt: skip
        return routing_pb2.ReassignApplicationResponse(routing=view(routing))

    @handles_domain_errors
    async def ForwardApplication(
        self, request: routing_pb2.ForwardApplicationRequest, context: grpc.aio.ServicerContext
    ) -> routing_pb2.ForwardApplicationResponse:
        unit = await self.runtime.locate(checked_application_id(request.application_id))
        to = self.runtime.registry.get(request.to_agency, "to_agency")
        on = day_from_input("forwarded_on", request.forwarded_on, today_in_china())
        routing = await self.runtime.execute(
            unit,
            ForwardApplication(
                application_id=request.application_id, actor=caller().actor, on=on,
                to_agency=to.code, reason=request.reason,
            ),
        )  # fmt: skip
        return routing_pb2.ForwardApplicationResponse(routing=view(routing))


def servicers(runtime: ServiceRuntime[AgencyRegistry]) -> list[Registration]:
    return [
        (
            routing_pb2_grpc.add_RoutingServiceServicer_to_server,
            RoutingServicer(runtime),
            "ogi.v1.RoutingService",
        ),
        history_registration(runtime),
    ]
