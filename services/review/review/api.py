"""The review gRPC API: a thin turn from requests into the review's commands."""

from __future__ import annotations

import grpc
from ogi.v1 import review_pb2, review_pb2_grpc

from ogi_law.agencies import AgencyRegistry
from ogi_law.dates import day_from_input, parse_date
from ogi_platform.ids import checked_application_id
from ogi_platform.rpc.auth import caller
from ogi_platform.rpc.history import history_registration
from ogi_platform.rpc.server import Registration, handles_domain_errors
from ogi_platform.service.runtime import AgencyUnit, ServiceRuntime
from ogi_platform.today import today_in_china
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
        secrecy=review.secrecy,
        consultations=[
            review_pb2.Consultation(
                ref=ref,
                kind=c["kind"],
                party=c["party"],
                sent_on=c["sent_on"],
                answer_due=c["answer_due"],
                answer=c["answer"],
                answered_on=c.get("answered_on", ""),
            )
            for ref, c in review.consultations.items()
        ],
        extension_days=review.extension.get("working_days", 0),
        reply_due=review.reply_due.isoformat() if review.reply_due else "",
        fee_method=review.fee.get("method", ""),
        fee_amount_yuan=review.fee.get("amount_yuan", 0),
        fee_pay_by=review.fee.get("pay_by", ""),
        fee_paid=review.fee.get("paid", False),
        rectification_order=review.rectification.get("order_id", ""),
    )


class ReviewServicer(review_pb2_grpc.ReviewServiceServicer):
    def __init__(self, runtime: ServiceRuntime[AgencyRegistry]) -> None:
        self.runtime = runtime

    async def _unit(
        self, application_id: str, access: str = "act"
    ) -> tuple[AgencyUnit, ReviewApplication]:
        unit = await self.runtime.locate(checked_application_id(application_id), access)
        return unit, self.runtime.app(unit, ReviewApplication)

    @handles_domain_errors
    async def GetReview(
        self, request: review_pb2.GetReviewRequest, context: grpc.aio.ServicerContext
    ) -> review_pb2.GetReviewResponse:
        unit, app = await self._unit(request.application_id, "read")
        review = await self.runtime.read(unit, app.review, request.application_id)
        return review_pb2.GetReviewResponse(review=view(review))

    @handles_domain_errors
    async def ReviewSecrecy(
        self, request: review_pb2.ReviewSecrecyRequest, context: grpc.aio.ServicerContext
    ) -> review_pb2.ReviewSecrecyResponse:
        unit, app = await self._unit(request.application_id)
        on = day_from_input("reviewed_on", request.reviewed_on, today_in_china())
        review = await self.runtime.write(
            unit, app.review_secrecy, request.application_id, request.result, request.note, on,
            caller().actor,
        )  # fmt: skip
        return review_pb2.ReviewSecrecyResponse(review=view(review))

    @handles_domain_errors
    async def Consult(
        self, request: review_pb2.ConsultRequest, context: grpc.aio.ServicerContext
    ) -> review_pb2.ConsultResponse:
        unit, app = await self._unit(request.application_id)
        on = day_from_input("sent_on", request.sent_on, today_in_china())
        party, organ_agency = request.party, ""
        if request.kind == "organ" and party in self.runtime.registry.codes():
            party, organ_agency = self.runtime.registry.get(party, "party").name, party
        review, ref = await self.runtime.write(
            unit, app.consult, request.application_id, request.kind, party, on, caller().actor,
            organ_agency,
        )  # fmt: skip
        return review_pb2.ConsultResponse(review=view(review), ref=ref)

    @handles_domain_errors
    async def RecordConsultationAnswer(
        self,
        request: review_pb2.RecordConsultationAnswerRequest,
        context: grpc.aio.ServicerContext,
    ) -> review_pb2.RecordConsultationAnswerResponse:
        unit, app = await self._unit(request.application_id)
        on = day_from_input("answered_on", request.answered_on, today_in_china())
        review = await self.runtime.write(
            unit, app.record_answer, request.application_id, request.ref, request.answer,
            request.reasons, on, caller().actor,
        )  # fmt: skip
        return review_pb2.RecordConsultationAnswerResponse(review=view(review))

    @handles_domain_errors
    async def Extend(
        self, request: review_pb2.ExtendRequest, context: grpc.aio.ServicerContext
    ) -> review_pb2.ExtendResponse:
        unit, app = await self._unit(request.application_id)
        on = day_from_input("notified_on", request.notified_on, today_in_china())
        review = await self.runtime.write(
            unit, app.extend, request.application_id, request.working_days, request.approved_by,
            request.approver_role, request.reason, on, caller().actor,
        )  # fmt: skip
        return review_pb2.ExtendResponse(review=view(review))

    @handles_domain_errors
    async def SetReplyDate(
        self, request: review_pb2.SetReplyDateRequest, context: grpc.aio.ServicerContext
    ) -> review_pb2.SetReplyDateResponse:
        unit, app = await self._unit(request.application_id)
        due_on = parse_date("due_on", request.due_on)
        review = await self.runtime.write(
            unit, app.set_reply_date, request.application_id, due_on, request.reason,
            today_in_china(), caller().actor,
        )  # fmt: skip
        return review_pb2.SetReplyDateResponse(review=view(review))

    @handles_domain_errors
    async def AssessFee(
        self, request: review_pb2.AssessFeeRequest, context: grpc.aio.ServicerContext
    ) -> review_pb2.AssessFeeResponse:
        unit, app = await self._unit(request.application_id)
        on = day_from_input("notice_on", request.notice_on, today_in_china())
        review = await self.runtime.write(
            unit,
            app.assess_fee,
            request.application_id,
            request.method,
            request.pages,
            on,
            caller().actor,
        )
        return review_pb2.AssessFeeResponse(review=view(review))

    @handles_domain_errors
    async def RecordFeePayment(
        self, request: review_pb2.RecordFeePaymentRequest, context: grpc.aio.ServicerContext
    ) -> review_pb2.RecordFeePaymentResponse:
        unit, app = await self._unit(request.application_id)
        on = day_from_input("paid_on", request.paid_on, today_in_china())
        review = await self.runtime.write(
            unit, app.record_payment, request.application_id, on, "applicant"
        )
        return review_pb2.RecordFeePaymentResponse(review=view(review))

    @handles_domain_errors
    async def Decide(
        self, request: review_pb2.DecideRequest, context: grpc.aio.ServicerContext
    ) -> review_pb2.DecideResponse:
        unit, app = await self._unit(request.application_id)
        decided_on = day_from_input("decided_on", request.decided_on, today_in_china())
        organ, contact = request.competent_organ, request.competent_organ_contact
        if organ in self.runtime.registry.codes():
            competent = self.runtime.registry.get(organ, "competent_organ")
            organ, contact = competent.name, contact or competent.contact
        review = await self.runtime.write(
            unit,
            app.decide,
            request.application_id,
            request.outcome,
            list(request.grounds),
            request.reason,
            request.form_of_provision,
            organ,
            contact,
            request.where_published,
            request.public_interest_reason,
            decided_on,
            caller().actor,
        )
        return review_pb2.DecideResponse(review=view(review))

    @handles_domain_errors
    async def AnswerRectification(
        self, request: review_pb2.AnswerRectificationRequest, context: grpc.aio.ServicerContext
    ) -> review_pb2.AnswerRectificationResponse:
        unit, app = await self._unit(request.application_id)
        on = day_from_input("answered_on", request.answered_on, today_in_china())
        review = await self.runtime.write(
            unit, app.answer_rectification, request.application_id, request.order_id,
            request.text, on, caller().actor,
        )  # fmt: skip
        return review_pb2.AnswerRectificationResponse(review=view(review))

    @handles_domain_errors
    async def AnswerConsultation(
        self, request: review_pb2.AnswerConsultationRequest, context: grpc.aio.ServicerContext
    ) -> review_pb2.AnswerConsultationResponse:
        unit = self.runtime.unit(request.agency, "act")
        app = self.runtime.app(unit, ReviewApplication)
        application_id = checked_application_id(request.application_id)
        self.runtime.registry.get(request.from_agency, "from_agency")
        on = day_from_input("answered_on", request.answered_on, today_in_china())
        await self.runtime.write(
            unit, app.answer_consultation, application_id, request.from_agency, request.ref,
            request.answer, request.reasons, on, caller().actor,
        )  # fmt: skip
        return review_pb2.AnswerConsultationResponse(
            application_id=application_id,
            from_agency=request.from_agency,
            ref=request.ref,
            answer=request.answer,
        )


def servicers(runtime: ServiceRuntime[AgencyRegistry]) -> list[Registration]:
    return [
        (
            review_pb2_grpc.add_ReviewServiceServicer_to_server,
            ReviewServicer(runtime),
            "ogi.v1.ReviewService",
        ),
        history_registration(runtime),
    ]
