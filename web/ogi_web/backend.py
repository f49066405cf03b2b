"""The services, called over gRPC (grpc.aio) with the caller's token, as the CLI calls them.

A refused call becomes a ServiceError: its status code, the field it names (bad input), and its
message; the pages show it beside the field or as an error page, never as a stack trace.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import grpc
from google.protobuf import json_format
from google.protobuf.message import Message
from ogi.v1 import (
    complaint_pb2_grpc,
    history_pb2_grpc,
    intake_pb2_grpc,
    query_pb2_grpc,
    reply_pb2_grpc,
    report_pb2_grpc,
    review_pb2_grpc,
    routing_pb2_grpc,
)

from ogi_platform.rpc.server import field_of
from ogi_web.endpoints import ServiceMap

STUBS: dict[str, Any] = {
    "intake": intake_pb2_grpc.IntakeServiceStub,
    "routing": routing_pb2_grpc.RoutingServiceStub,
    "review": review_pb2_grpc.ReviewServiceStub,
    "reply": reply_pb2_grpc.ReplyServiceStub,
    "complaint": complaint_pb2_grpc.ComplaintServiceStub,
    "query": query_pb2_grpc.QueryServiceStub,
    "report": report_pb2_grpc.AnnualReportServiceStub,
}
TIMEOUT_SECONDS = 15.0
#: The annual report may consume its whole stream first.
REPORT_TIMEOUT_SECONDS = 120.0


@dataclass
class ServiceError(Exception):
    """A call the service refused, or could not answer."""

    code: str
    message: str
    field: str = ""

    @classmethod
    def of(cls, error: grpc.aio.AioRpcError) -> ServiceError:
        return cls(error.code().name, error.details() or error.code().name, field_of(error) or "")


def as_dict(message: Message) -> dict[str, Any]:
    """A view as the CLI's --json prints it: field names as in the proto, every field present."""
    return json_format.MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )


class Backend:
    """One channel per service address, shared by every request of this process."""

    def __init__(self, services: ServiceMap) -> None:
        self.services = services
        self._channels: dict[str, grpc.aio.Channel] = {}

    def _channel(self, service: str) -> grpc.aio.Channel:
        address = self.services.address(service)
        if address not in self._channels:
            self._channels[address] = grpc.aio.insecure_channel(address)
        return self._channels[address]

    async def call(
        self,
        service: str,
        method: str,
        request: Message,
        token: str,
        timeout: float = TIMEOUT_SECONDS,
    ) -> Any:
        """``service.method(request)`` as the holder of ``token``."""
        stub = STUBS[service](self._channel(service))
        metadata = (("authorization", f"Bearer {token}"),)
        try:
            return await getattr(stub, method)(request, metadata=metadata, timeout=timeout)
        except grpc.aio.AioRpcError as error:
            raise ServiceError.of(error) from None

    async def history(self, service: str, request: Message, token: str) -> Any:
        """One service's part of an application's history."""
        stub = history_pb2_grpc.HistoryServiceStub(self._channel(service))
        metadata = (("authorization", f"Bearer {token}"),)
        try:
            return await stub.ListEvents(request, metadata=metadata, timeout=TIMEOUT_SECONDS)
        except grpc.aio.AioRpcError as error:
            raise ServiceError.of(error) from None

    async def close(self) -> None:
        for channel in self._channels.values():
            await channel.close()
