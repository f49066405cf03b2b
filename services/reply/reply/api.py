"""The reply gRPC API."""

from __future__ import annotations

import grpc
from ogi.v1 import reply_pb2, reply_pb2_grpc

from govcommon.dates import not_in_future, parse_date, today_in_china
from govcommon.history import history_registration
from govcommon.ids import checked_application_id
from govcommon.rpc import Registration, handles_domain_errors
from govcommon.runtime import ServiceRuntime
from reply.application import ReplyApplication
from reply.domain import Reply


def view(reply: Reply) -> reply_pb2.ReplyView:
    return reply_pb2.ReplyView(
        application_id=reply.application_id,
        agency=reply.agency,
        state=reply.state,
        letter_number=reply.letter_number,
        outcome=reply.outcome,
        letter_text=reply.letter_text,
        delivered_on=reply.delivered_on.isoformat() if reply.delivered_on else "",
        delivery_method=reply.delivery_method,
    )


class ReplyServicer(reply_pb2_grpc.ReplyServiceServicer):
    def __init__(self, runtime: ServiceRuntime) -> None:
        self.runtime = runtime

    @handles_domain_errors
    async def GetReply(
        self, request: reply_pb2.GetReplyRequest, context: grpc.aio.ServicerContext
    ) -> reply_pb2.GetReplyResponse:
        unit = await self.runtime.locate(checked_application_id(request.application_id))
        app = self.runtime.app(unit, ReplyApplication)
        reply = await self.runtime.read(unit, app.reply, request.application_id)
        return reply_pb2.GetReplyResponse(reply=view(reply))

    @handles_domain_errors
    async def RecordDelivery(
        self, request: reply_pb2.RecordDeliveryRequest, context: grpc.aio.ServicerContext
    ) -> reply_pb2.RecordDeliveryResponse:
        unit = await self.runtime.locate(checked_application_id(request.application_id))
        app = self.runtime.app(unit, ReplyApplication)
        delivered_on = not_in_future(
            "delivered_on", parse_date("delivered_on", request.delivered_on, today_in_china())
        )
        reply = await self.runtime.write(
            unit, app.record_delivery, request.application_id, request.method, delivered_on, "staff"
        )
        return reply_pb2.RecordDeliveryResponse(reply=view(reply))


def servicers(runtime: ServiceRuntime) -> list[Registration]:
    return [
        (
            reply_pb2_grpc.add_ReplyServiceServicer_to_server,
            ReplyServicer(runtime),
            "ogi.v1.ReplyService",
        ),
        history_registration(runtime),
    ]
