"""Blocking gRPC stubs for the CLI, one channel per service."""

from __future__ import annotations

from typing import Any

import grpc
from ogi.v1 import (
    complaint_pb2_grpc,
    history_pb2_grpc,
    intake_pb2_grpc,
    reply_pb2_grpc,
    review_pb2_grpc,
    routing_pb2_grpc,
)

STUBS: dict[str, Any] = {
    "intake": intake_pb2_grpc.IntakeServiceStub,
    "routing": routing_pb2_grpc.RoutingServiceStub,
    "review": review_pb2_grpc.ReviewServiceStub,
    "reply": reply_pb2_grpc.ReplyServiceStub,
    "complaint": complaint_pb2_grpc.ComplaintServiceStub,
}

TIMEOUT_SECONDS = 15.0


class Clients:
    def __init__(self, endpoints: dict[str, str]) -> None:
        self.endpoints = endpoints
        self._channels: dict[str, grpc.Channel] = {}

    def channel(self, service: str) -> grpc.Channel:
        if service not in self._channels:
            self._channels[service] = grpc.insecure_channel(self.endpoints[service])
        return self._channels[service]

    def api(self, service: str) -> Any:
        return STUBS[service](self.channel(service))

    def history(self, service: str) -> history_pb2_grpc.HistoryServiceStub:
        return history_pb2_grpc.HistoryServiceStub(self.channel(service))

    def close(self) -> None:
        for channel in self._channels.values():
            channel.close()
