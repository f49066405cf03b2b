"""The review gRPC API."""

from __future__ import annotations

import grpc
from ogi.v1 import review_pb2, review_pb2_grpc

from govcommon.dates import not_in_future, parse_date, today_in_china
from govcommon.history import history_registration
from govcommon.ids import checked_application_id
from govcommon.rpc import Registration, handles_domain_errors
from govcommon.runtime import ServiceRuntime
from review.application import ReviewApplication
from review.domain import Review


def view(review: Review) -> review_pb2.ReviewView:
    return review_pb2.ReviewView(
        application_id=review.application_id,
        agency=review.agency,
        office=review.office,
        state=review.state,
        outcome=review.decision.get("outcome", ""),
        grounds=review.decision.get("grounds", []),
        reason=review.decision.get("reason", ""),
        decided_on=review.decided_on.isoformat() if review.decided_on else "",
    )


class ReviewServicer(review_pb2_grpc.ReviewServiceServicer):
    def __init__(self, runtime: ServiceRuntime) -> None:
        self.runtime = runtime

    @handles_domain_errors
    async def GetReview(
        self, request: review_pb2.GetReviewRequest, context: grpc.aio.ServicerContext
    ) -> review_pb2.GetReviewResponse:
        unit = await self.runtime.locate(checked_application_id(request.application_id))
        app = self.runtime.app(unit, ReviewApplication)
        review = await self.runtime.read(unit, app.review, request.application_id)
        return review_pb2.GetReviewResponse(review=view(review))

    @handles_domain_errors
    async def Decide(
        self, request: review_pb2.DecideRequest, context: grpc.aio.ServicerContext
    ) -> review_pb2.DecideResponse:
        unit = await self.runtime.locate(checked_application_id(request.application_id))
        app = self.runtime.app(unit, ReviewApplication)
        decided_on = not_in_future(
            "decided_on", parse_date("decided_on", request.decided_on, today_in_china())
        )
        review = await self.runtime.write(
            unit,
            app.decide,
            request.application_id,
            request.outcome,
            list(request.grounds),
            request.reason,
            request.form_of_provision,
            request.competent_organ,
            request.competent_organ_contact,
            request.where_published,
            decided_on,
            "staff",
        )
        return review_pb2.DecideResponse(review=view(review))


def servicers(runtime: ServiceRuntime) -> list[Registration]:
    return [
        (
            review_pb2_grpc.add_ReviewServiceServicer_to_server,
            ReviewServicer(runtime),
            "ogi.v1.ReviewService",
        ),
        history_registration(runtime),
    ]
