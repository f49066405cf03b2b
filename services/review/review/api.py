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
from review.commands import (
    AnswerConsultation,
    AnswerRectification,
    AssessFee,
    Consult,
    Decide,
    Extend,
    RecordConsultationAnswer,
    RecordPayment,
    ReviewSecrecy,
    SetReplyDate,
)
from review.domain import Review


def view(review: Review) -> review_pb2.ReviewView:
    decision, fee = review.decision, review.fee
    return review_pb2.ReviewView(
        application_id=review.application_id,
        agency=review.agency,
        office=review.office,
        state=review.state,
        outcome=decision.outcome if decision else "",
        grounds=decision.grounds if decision else (),
        reason=decision.reason if decision else "",
        decided_on=review.decided_on.isoformat() if review.decided_on else "",
        secrecy=review.secrecy,
        consultations=[
            review_pb2.Consultation(
                ref=ref,
                kind=c.kind,
                party=c.party,
                sent_on=c.sent_on.isoformat(),
                answer_due=c.answer_due.isoformat(),
                answer=c.answer,
                answered_on=c.answered_on.isoformat() if c.answered_on else "",
            )
            for ref, c in review.consultations.items()
        ],
        extension_days=review.extension.working_days if review.extension else 0,
        reply_due=review.reply_due.isoformat() if review.reply_due else "",
        fee_method=fee.method if fee else "",
        fee_amount_yuan=fee.amount_yuan if fee else 0,
        fee_pay_by=fee.pay_by.isoformat() if fee else "",
        fee_paid=fee.paid if fee else False,
        rectification_order=review.rectification.order_id if review.rectification else "",
    )


class ReviewServicer(review_pb2_grpc.ReviewServiceServicer):
    def __init__(self, runtime: ServiceRuntime[AgencyRegistry]) -> None:
        self.runtime = runtime

    async def _unit(self, application_id: str, access: str = "act") -> AgencyUnit:
        return await self.runtime.locate(checked_application_id(application_id), access)

    @handles_domain_errors
    async def GetReview(
        self, request: review_pb2.GetReviewRequest, context: grpc.aio.ServicerContext
    ) -> review_pb2.GetReviewResponse:
        unit = await self._unit(request.application_id, "read")
        app = self.runtime.app(unit, ReviewApplication)
        review = await self.runtime.read(unit, app.review, request.application_id)
        return review_pb2.GetReviewResponse(review=view(review))

    @handles_domain_errors
    async def ReviewSecrecy(
        self, request: review_pb2.ReviewSecrecyRequest, context: grpc.aio.ServicerContext
    ) -> review_pb2.ReviewSecrecyResponse:
        unit = await self._unit(request.application_id)
        on = day_from_input("reviewed_on", request.reviewed_on, today_in_china())
        review = await self.runtime.execute(
            unit,
            ReviewSecrecy(
                application_id=request.application_id, actor=caller().actor, on=on,
                result=request.result, note=request.note,
            ),
        )  # fmt: skip
        return review_pb2.ReviewSecrecyResponse(review=view(review))

    @handles_domain_errors
    async def Consult(
        self, request: review_pb2.ConsultRequest, context: grpc.aio.ServicerContext
    ) -> review_pb2.ConsultResponse:
        unit = await self._unit(request.application_id)
        on = day_from_input("sent_on", request.sent_on, today_in_china())
        party, organ_agency = request.party, ""
        if request.kind == "organ" and party in self.runtime.registry.codes():
            party, organ_agency = self.runtime.registry.get(party, "party").name, party
        review, ref = await self.runtime.execute(
            unit,
            Consult(
                application_id=request.application_id, actor=caller().actor, on=on,
                kind=request.kind, party=party, organ_agency=organ_agency,
            ),
        )  # fmt: skip
        return review_pb2.ConsultResponse(review=view(review), ref=ref)

    @handles_domain_errors
    async def RecordConsultationAnswer(
        self,
        request: review_pb2.RecordConsultationAnswerRequest,
        context: grpc.aio.ServicerContext,
    ) -> review_pb2.RecordConsultationAnswerResponse:
        unit = await self._unit(request.application_id)
        on = day_from_input("answered_on", request.answered_on, today_in_china())
        review = await self.runtime.execute(
            unit,
            RecordConsultationAnswer(
                application_id=request.application_id, actor=caller().actor, on=on,
                ref=request.ref, answer=request.answer, reasons=request.reasons,
            ),
        )  # fmt: skip
        return review_pb2.RecordConsultationAnswerResponse(review=view(review))

    @handles_domain_errors
    async def Extend(
        self, request: review_pb2.ExtendRequest, context: grpc.aio.ServicerContext
    ) -> review_pb2.ExtendResponse:
        unit = await self._unit(request.application_id)
        on = day_from_input("notified_on", request.notified_on, today_in_china())
        review = await self.runtime.execute(
            unit,
            Extend(
                application_id=request.application_id, actor=caller().actor, on=on,
                working_days=request.working_days, approved_by=request.approved_by,
                approver_role=request.approver_role, reason=request.reason,
            ),
        )  # fmt: skip
        return review_pb2.ExtendResponse(review=view(review))

    @handles_domain_errors
    async def SetReplyDate(
        self, request: review_pb2.SetReplyDateRequest, context: grpc.aio.ServicerContext
    ) -> review_pb2.SetReplyDateResponse:
        unit = await self._unit(request.application_id)
        due_on = parse_date("due_on", request.due_on)
        review = await self.runtime.execute(
            unit,
            SetReplyDate(
                application_id=request.application_id, actor=caller().actor,
                on=today_in_china(), due_on=due_on, reason=request.reason,
            ),
        )  # fmt: skip
        return review_pb2.SetReplyDateResponse(review=view(review))

    @handles_domain_errors
    async def AssessFee(
        self, request: review_pb2.AssessFeeRequest, context: grpc.aio.ServicerContext
    ) -> review_pb2.AssessFeeResponse:
        unit = await self._unit(request.application_id)
        on = day_from_input("notice_on", request.notice_on, today_in_china())
        review = await self.runtime.execute(
            unit,
            AssessFee(
                application_id=request.application_id, actor=caller().actor, on=on,
                method=request.method, pages=request.pages,
            ),
        )  # fmt: skip
        return review_pb2.AssessFeeResponse(review=view(review))

    @handles_domain_errors
    async def RecordFeePayment(
        self, request: review_pb2.RecordFeePaymentRequest, context: grpc.aio.ServicerContext
    ) -> review_pb2.RecordFeePaymentResponse:
        unit = await self._unit(request.application_id)
        on = day_from_input("paid_on", request.paid_on, today_in_china())
        review = await self.runtime.execute(
            unit, RecordPayment(application_id=request.application_id, actor="applicant", on=on)
        )
        return review_pb2.RecordFeePaymentResponse(review=view(review))

    @handles_domain_errors
    async def Decide(
        self, request: review_pb2.DecideRequest, context: grpc.aio.ServicerContext
    ) -> review_pb2.DecideResponse:
        unit = await self._unit(request.application_id)
        decided_on = day_from_input("decided_on", request.decided_on, today_in_china())
        organ, contact = request.competent_organ, request.competent_organ_contact
        if organ in self.runtime.registry.codes():
            competent = self.runtime.registry.get(organ, "competent_organ")
            organ, contact = competent.name, contact or competent.contact
        review = await self.runtime.execute(
            unit,
            Decide(
                application_id=request.application_id,
                actor=caller().actor,
                on=decided_on,
                outcome=request.outcome,
                grounds=tuple(request.grounds),
                reason=request.reason,
                form_of_provision=request.form_of_provision,
                competent_organ=organ,
                competent_organ_contact=contact,
                where_published=request.where_published,
                public_interest_reason=request.public_interest_reason,
            ),
        )
        return review_pb2.DecideResponse(review=view(review))

    @handles_domain_errors
    async def AnswerRectification(
        self, request: review_pb2.AnswerRectificationRequest, context: grpc.aio.ServicerContext
    ) -> review_pb2.AnswerRectificationResponse:
        unit = await self._unit(request.application_id)
        on = day_from_input("answered_on", request.answered_on, today_in_china())
        review = await self.runtime.execute(
            unit,
            AnswerRectification(
                application_id=request.application_id, actor=caller().actor, on=on,
                order_id=request.order_id, text=request.text,
            ),
        )  # fmt: skip
        return review_pb2.AnswerRectificationResponse(review=view(review))

    @handles_domain_errors
    async def AnswerConsultation(
        self, request: review_pb2.AnswerConsultationRequest, context: grpc.aio.ServicerContext
    ) -> review_pb2.AnswerConsultationResponse:
        unit = self.runtime.unit(request.agency, "act")
        application_id = checked_application_id(request.application_id)
        self.runtime.registry.get(request.from_agency, "from_agency")
        on = day_from_input("answered_on", request.answered_on, today_in_china())
        await self.runtime.execute(
            unit,
            AnswerConsultation(
                application_id=application_id, actor=caller().actor, on=on,
                from_agency=request.from_agency, ref=request.ref, answer=request.answer,
                reasons=request.reasons,
            ),
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
