"""Blocking gRPC stubs for the CLI, one channel per service."""

from __future__ import annotations

from typing import Any

import grpc
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

STUBS: dict[str, Any] = {
    "intake": intake_pb2_grpc.IntakeServiceStub,
    "routing": routing_pb2_grpc.RoutingServiceStub,
    "review": review_pb2_grpc.ReviewServiceStub,
    "reply": reply_pb2_grpc.ReplyServiceStub,
    "complaint": complaint_pb2_grpc.ComplaintServiceStub,
    "query": query_pb2_grpc.QueryServiceStub,
}

TIMEOUT_SECONDS = 15.0


class BearerToken(grpc.UnaryUnaryClientInterceptor):
    """Sends ``authorization: Bearer <token>`` with every call."""

    def __init__(self, token: str) -> None:
        self.metadata = ("authorization", f"Bearer {token}")

    def intercept_unary_unary(self, continuation: Any, details: Any, request: Any) -> Any:
        details = details._replace(metadata=[*(details.metadata or ()), self.metadata])
        return continuation(details, request)


class Clients:
    def __init__(self, endpoints: dict[str, str], token: str = "") -> None:
        self.endpoints = endpoints
        self.token = token
        self._channels: dict[str, grpc.Channel] = {}

    def channel(self, service: str) -> grpc.Channel:
        if service not in self._channels:
            channel = grpc.insecure_channel(self.endpoints[service])
            if self.token:
                channel = grpc.intercept_channel(channel, BearerToken(self.token))
            self._channels[service] = channel
        return self._channels[service]

    def api(self, service: str) -> Any:
        return STUBS[service](self.channel(service))

    def report(self) -> report_pb2_grpc.AnnualReportServiceStub:
        """The annual report, served by the report process."""
        return report_pb2_grpc.AnnualReportServiceStub(self.channel("report"))

    def history(self, service: str) -> history_pb2_grpc.HistoryServiceStub:
        return history_pb2_grpc.HistoryServiceStub(self.channel(service))

    def close(self) -> None:
        for channel in self._channels.values():
            channel.close()
