"""One application as every service knows it, gathered at once with one token: intake's
application, routing, review, the reply and its clock (each absent until that service has it),
and the complaints about it. The portal and the staff console read it alike; the services
decide what each caller may see."""

from __future__ import annotations

import asyncio
from typing import Any

from google.protobuf.message import Message
from ogi.v1 import complaint_pb2, intake_pb2, reply_pb2, review_pb2, routing_pb2

from ogi_cli.status import overall_state
from ogi_web.backend import Backend, ServiceError, as_dict


async def _optional(
    backend: Backend, service: str, method: str, request: Message, field: str, token: str
) -> dict[str, Any] | None:
    try:
        return as_dict(getattr(await backend.call(service, method, request, token), field))
    except ServiceError as error:
        if error.code == "NOT_FOUND":
            return None
        raise


async def case_file(backend: Backend, application_id: str, token: str) -> dict[str, Any]:
    """``{"intake", "routing", "review", "reply", "clock", "complaints", "state"}``; intake's
    refusal (NOT_FOUND for one who may not read it) is raised."""
    asked = {"application_id": application_id}
    intake, routing, review, reply, clock, complaints = await asyncio.gather(
        backend.call("intake", "GetApplication", intake_pb2.GetApplicationRequest(**asked), token),
        _optional(backend, "routing", "GetRouting", routing_pb2.GetRoutingRequest(**asked),
                  "routing", token),
        _optional(backend, "review", "GetReview", review_pb2.GetReviewRequest(**asked),
                  "review", token),
        _optional(backend, "reply", "GetReply", reply_pb2.GetReplyRequest(**asked), "reply", token),
        _optional(backend, "reply", "GetClock", reply_pb2.GetClockRequest(**asked), "clock", token),
        backend.call("complaint", "ListComplaints",
                     complaint_pb2.ListComplaintsRequest(**asked), token),
    )  # fmt: skip
    views = {"intake": as_dict(intake.application), "routing": routing, "review": review}
    views["reply"] = reply
    return views | {
        "clock": clock,
        "complaints": [as_dict(c) for c in complaints.complaints],
        "state": overall_state(views),
    }
