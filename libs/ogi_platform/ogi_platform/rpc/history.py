"""The HistoryService every service process serves: its stored events of one application, read
from the stores the process's index says may hold them (service.locating), side by side (on
PostgreSQL, the process's stores of one database in one statement); the index is told what a
read of the stores it could not rule out found."""

from __future__ import annotations

from typing import TYPE_CHECKING

import grpc
from google.protobuf import struct_pb2
from ogi.v1 import history_pb2, history_pb2_grpc

from ogi_platform.eventstore.history import histories_of
from ogi_platform.messaging.envelope import EventRecord, header_fields
from ogi_platform.rpc.auth import allowed, caller
from ogi_platform.rpc.server import Registration, handles_domain_errors
from ogi_platform.service.locating import each_store

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
        """The application's events in the stores the index names that the caller may read,
        read side by side (``histories_of``). When every store the index could not rule out
        was read, the index learns which hold the application: the next trace (or locating)
        asks those only."""
        principal = caller()
        application_id = request.application_id
        known, unknown = await self.runtime.index.candidates_of(application_id)
        asked = known | unknown
        units = [
            unit
            for unit in self.runtime.units.values()
            if unit.agency in asked
            # another agency's part of the history is not this caller's to see
            and allowed(principal, "read", unit.agency, self.runtime.supervisors)
        ]
        parts = await each_store([unit.app for unit in units], histories_of, application_id)
        found = [parts[unit.agency] for unit in units]
        if unknown and unknown <= {unit.agency for unit in units}:
            holders = {unit.agency for unit, records in zip(units, found, strict=True) if records}
            # with the known ones this caller may not read (its entry may have been forgotten)
            self.runtime.index.verified(application_id, known | holders)
        return history_pb2.ListEventsResponse(
            events=[history_event(record) for records in found for record in records]
        )


def history_registration(runtime: ServiceRuntime) -> Registration:
    return (
        history_pb2_grpc.add_HistoryServiceServicer_to_server,
        HistoryServicer(runtime),
        "ogi.v1.HistoryService",
    )
