"""The HistoryService every service process serves: its stored events of one application, read
from the stores the process's index says may hold them (service.locating)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import grpc
from google.protobuf import struct_pb2
from ogi.v1 import history_pb2, history_pb2_grpc

from ogi_platform.messaging.envelope import EventRecord, header_fields
from ogi_platform.rpc.auth import allowed, caller
from ogi_platform.rpc.server import Registration, handles_domain_errors

if TYPE_CHECKING:
    from ogi_platform.service.runtime import ServiceRuntime


def history_event(record: EventRecord) -> history_pb2.HistoryEvent:
    data = struct_pb2.Struct()
    data.update(record.data)
    event = history_pb2.HistoryEvent(**header_fields(record), data=data)
    event.recorded_at.FromDatetime(record.recorded_at)
    return event


class HistoryServicer(history_pb2_grpc.HistoryServiceServicer):
    def __init__(self, runtime: ServiceRuntime) -> None:
        self.runtime = runtime

    @handles_domain_errors
    async def ListEvents(
        self, request: history_pb2.ListEventsRequest, context: grpc.aio.ServicerContext
    ) -> history_pb2.ListEventsResponse:
        records: list[EventRecord] = []
        principal = caller()
        stores = self.runtime.index.stores_of(request.application_id)
        for unit in [u for u in self.runtime.units.values() if u.agency in stores]:
            if not allowed(principal, "read", unit.agency, self.runtime.supervisors):
                continue  # another agency's part of the history, not this caller's to see
            records += await self.runtime.read(unit, unit.app.history, request.application_id)
        return history_pb2.ListEventsResponse(events=[history_event(r) for r in records])


def history_registration(runtime: ServiceRuntime) -> Registration:
    return (
        history_pb2_grpc.add_HistoryServiceServicer_to_server,
        HistoryServicer(runtime),
        "ogi.v1.HistoryService",
    )
