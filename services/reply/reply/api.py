"""The reply gRPC API."""

from __future__ import annotations

from datetime import date

import grpc
from ogi.v1 import reply_pb2, reply_pb2_grpc

from ogi_errors import InvalidInput
from ogi_law.agencies import AgencyRegistry
from ogi_law.dates import day_from_input
from ogi_platform.ids import checked_application_id
from ogi_platform.rpc.auth import caller
from ogi_platform.rpc.history import history_registration
from ogi_platform.rpc.server import Registration, handles_domain_errors
from ogi_platform.service.runtime import ServiceRuntime
from ogi_platform.today import today_in_china
from reply.application import ReplyApplication
from reply.clock import ClockState
from reply.commands import ConcludeRemedy, FileRemedy, RecordDelivery, RecordPrinting
from reply.domain import Reply
from reply.letter import letter_html
from reply.remedy import RemedyCase


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
        letter_html=letter_html(reply.letter_text),
        printings=[
            reply_pb2.PrintingView(
                letter_number=p.letter_number,
                printed_by=p.printed_by,
                copies=p.copies,
                printed_on=p.printed_on.isoformat(),
            )
            for p in reply.printings
        ],
    )


def clock_view(state: ClockState, today: date) -> reply_pb2.ClockView:
    values = state.to_dict()
    return reply_pb2.ClockView(
        status=values["status"],
        received_on=values["received_on"] or "",
        started_on=values["started_on"] or "",
        due_on=values["due_on"] or "",
        allowed_days=values["allowed_days"],
        used_days=values["used_days"],
        left_days=values["left_days"] or 0,
        paused_days=values["paused_days"],
        paused_periods=[
            reply_pb2.Period(start=start, end=end or "") for start, end in values["paused_periods"]
        ],
        extension_days=values["extension_days"],
        overdue=values["overdue"],
        provisional=values["provisional"],
        stopped_on=values["stopped_on"] or "",
        as_of=today.isoformat(),
    )


class ReplyServicer(reply_pb2_grpc.ReplyServiceServicer):
    def __init__(self, runtime: ServiceRuntime[AgencyRegistry]) -> None:
        self.runtime = runtime

    @handles_domain_errors
    async def GetReply(
        self, request: reply_pb2.GetReplyRequest, context: grpc.aio.ServicerContext
    ) -> reply_pb2.GetReplyResponse:
        unit = await self.runtime.locate(checked_application_id(request.application_id), "read")
        app = self.runtime.app(unit, ReplyApplication)
        reply = await self.runtime.read(unit, app.reply, request.application_id)
        return reply_pb2.GetReplyResponse(reply=view(reply))

    @handles_domain_errors
    async def RecordDelivery(
        self, request: reply_pb2.RecordDeliveryRequest, context: grpc.aio.ServicerContext
    ) -> reply_pb2.RecordDeliveryResponse:
        unit = await self.runtime.locate(checked_application_id(request.application_id))
        delivered_on = day_from_input("delivered_on", request.delivered_on, today_in_china())
        reply = await self.runtime.execute(
            unit,
            RecordDelivery(
                application_id=request.application_id, actor=caller().actor, on=delivered_on,
                method=request.method,
            ),
        )  # fmt: skip
        return reply_pb2.RecordDeliveryResponse(reply=view(reply))

    @handles_domain_errors
    async def RecordPrinting(
        self, request: reply_pb2.RecordPrintingRequest, context: grpc.aio.ServicerContext
    ) -> reply_pb2.RecordPrintingResponse:
        unit = await self.runtime.locate(checked_application_id(request.application_id))
        printed_on = day_from_input("printed_on", request.printed_on, today_in_china())
        reply = await self.runtime.execute(
            unit,
            RecordPrinting(
                application_id=request.application_id, actor=caller().actor, on=printed_on,
                copies=request.copies,
            ),
        )  # fmt: skip
        return reply_pb2.RecordPrintingResponse(reply=view(reply))

    @handles_domain_errors
    async def GetClock(
        self, request: reply_pb2.GetClockRequest, context: grpc.aio.ServicerContext
    ) -> reply_pb2.GetClockResponse:
        unit = await self.runtime.locate(checked_application_id(request.application_id), "read")
        app = self.runtime.app(unit, ReplyApplication)
        today = today_in_china()
        state = await self.runtime.read(unit, app.clock, request.application_id, today)
        return reply_pb2.GetClockResponse(clock=clock_view(state, today))

    @handles_domain_errors
    async def FileRemedy(
        self, request: reply_pb2.FileRemedyRequest, context: grpc.aio.ServicerContext
    ) -> reply_pb2.FileRemedyResponse:
        unit = await self.runtime.locate(checked_application_id(request.application_id))
        filed_on = day_from_input("filed_on", request.filed_on, today_in_china())
        cases = await self.runtime.execute(
            unit,
            FileRemedy(
                application_id=request.application_id, actor=caller().actor, on=filed_on,
                kind=request.kind, body=request.body, case_number=request.case_number,
            ),
        )  # fmt: skip
        return reply_pb2.FileRemedyResponse(remedies=remedy_views(cases))

    @handles_domain_errors
    async def ConcludeRemedy(
        self, request: reply_pb2.ConcludeRemedyRequest, context: grpc.aio.ServicerContext
    ) -> reply_pb2.ConcludeRemedyResponse:
        unit = await self.runtime.locate(checked_application_id(request.application_id))
        if not request.ref:
            raise InvalidInput("ref", "is required (R1, R2, ... as filed)")
        concluded_on = day_from_input("concluded_on", request.concluded_on, today_in_china())
        cases = await self.runtime.execute(
            unit,
            ConcludeRemedy(
                application_id=request.application_id, actor=caller().actor, on=concluded_on,
                ref=request.ref, result=request.result,
            ),
        )  # fmt: skip
        return reply_pb2.ConcludeRemedyResponse(remedies=remedy_views(cases))


def remedy_views(cases: list[RemedyCase]) -> list[reply_pb2.RemedyView]:
    return [
        reply_pb2.RemedyView(
            ref=c.ref,
            kind=c.kind,
            body=c.body,
            case_number=c.case_number,
            filed_on=c.filed_on.isoformat(),
            result=c.result,
            concluded_on=c.concluded_on.isoformat() if c.concluded_on else "",
        )
        for c in cases
    ]


def servicers(runtime: ServiceRuntime[AgencyRegistry]) -> list[Registration]:
    return [
        (
            reply_pb2_grpc.add_ReplyServiceServicer_to_server,
            ReplyServicer(runtime),
            "ogi.v1.ReplyService",
        ),
        history_registration(runtime),
    ]
