"""The review application: staff commands of the review, the decision, time passing, queries."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from ogi_contracts.review import (
    DECISION_MADE,
    FEE_NOTICE_ISSUED,
    FEE_UNPAID_CLOSED,
    ORGAN_CONSULTATION_STARTED,
    THIRD_PARTY_CONSULTATION_STARTED,
)
from ogi_contracts.routing import APPLICATION_FORWARDED
from ogi_errors import InvalidInput, NotFound
from ogi_law.calendar import WorkingCalendar
from ogi_platform.eventstore.aggregate import Meta, meta
from ogi_platform.eventstore.application import OgiApplication, UnitOfWork
from ogi_platform.eventstore.commands import ApplicationCommand, handles
from ogi_platform.eventstore.readmodel import OpenSet
from ogi_platform.ids import aggregate_id
from ogi_platform.service.config import ServiceConfig
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
from review.decision import Decision
from review.domain import REVIEW_CLOSED, ConsultationFile, Review

SYSTEM = "system:review"


def review_id(application_id: str) -> UUID:
    return aggregate_id("review", application_id)


class ReviewApplication(OgiApplication):
    name = "review"
    service = "review"
    _waiting: OpenSet | None = None

    calendar: WorkingCalendar

    def configure(self, config: ServiceConfig | None) -> None:
        self.calendar = WorkingCalendar.load(config.calendar_dir if config else None, self.agency)

    def aggregate_ids_of(self, application_id: str) -> list[UUID]:
        return [review_id(application_id), ConsultationFile.create_id(application_id)]

    def not_handled_here(self, application_id: str) -> bool:
        found = self.find(review_id(application_id), Review)
        return found is None or found.closed_because == APPLICATION_FORWARDED

    def review(self, application_id: str) -> Review:
        found = self.find(review_id(application_id), Review)
        if found is None:
            raise NotFound(f"application {application_id} is not under review here")
        return found

    @staticmethod
    def _under_review(uow: UnitOfWork, command: ApplicationCommand[Any]) -> tuple[Review, Meta]:
        """The review a command acts on, and the metadata of the events it makes."""
        review = uow.get(
            review_id(command.application_id), Review, f"application {command.application_id}"
        )
        return review, meta(command.application_id, command.actor, command.on)

    @handles(ReviewSecrecy)
    def _review_secrecy(self, uow: UnitOfWork, c: ReviewSecrecy) -> Review:
        review, m = self._under_review(uow, c)
        review.review_secrecy(c.result, c.note, c.on, m)
        return review

    @handles(Consult)
    def _consult(self, uow: UnitOfWork, c: Consult) -> tuple[Review, str]:
        review, _ = self._under_review(uow, c)
        m = meta(c.application_id, c.actor, c.on, to_agency=c.organ_agency)
        if c.kind == "third_party":
            ref = review.consult_third_party(c.party, c.on, self.calendar, m)
        elif c.kind == "organ":
            ref = review.consult_organ(c.party, c.on, self.calendar, m, c.organ_agency)
        else:
            raise InvalidInput("kind", f"{c.kind!r} is not one of third_party, organ")
        return review, ref

    @handles(AnswerConsultation)
    def _answer_consultation(self, uow: UnitOfWork, c: AnswerConsultation) -> ConsultationFile:
        file_id = ConsultationFile.create_id(c.application_id)
        file = uow.get(file_id, ConsultationFile, "consultation")
        m = meta(c.application_id, c.actor, c.on, to_agency=c.from_agency)
        file.answer(c.from_agency, c.ref, c.answer, c.reasons, m)
        return file

    @handles(RecordConsultationAnswer)
    def _record_answer(self, uow: UnitOfWork, c: RecordConsultationAnswer) -> Review:
        review, m = self._under_review(uow, c)
        review.record_answer(c.ref, c.answer, c.reasons, c.on, m)
        return review

    @handles(Extend)
    def _extend(self, uow: UnitOfWork, c: Extend) -> Review:
        review, m = self._under_review(uow, c)
        review.extend(c.working_days, c.approved_by, c.approver_role, c.reason, c.on, m)
        return review

    @handles(SetReplyDate)
    def _set_reply_date(self, uow: UnitOfWork, c: SetReplyDate) -> Review:
        review, m = self._under_review(uow, c)
        review.set_reply_date(c.due_on, c.reason, c.on, m)
        return review

    @handles(AssessFee)
    def _assess_fee(self, uow: UnitOfWork, c: AssessFee) -> Review:
        review, m = self._under_review(uow, c)
        review.assess_fee(c.method, c.pages, c.on, self.calendar, m)
        return review

    @handles(RecordPayment)
    def _record_payment(self, uow: UnitOfWork, c: RecordPayment) -> Review:
        review, m = self._under_review(uow, c)
        review.record_payment(c.on, m)
        return review

    @handles(Decide)
    def _decide(self, uow: UnitOfWork, c: Decide) -> Review:
        review, m = self._under_review(uow, c)
        decision = Decision.checked(
            c.outcome,
            list(c.grounds),
            c.reason,
            c.form_of_provision,
            review.application["form"],
            c.competent_organ,
            c.competent_organ_contact,
            c.where_published,
        )
        review.decide(decision, c.on, c.public_interest_reason, m)
        return review

    @handles(AnswerRectification)
    def _answer_rectification(self, uow: UnitOfWork, c: AnswerRectification) -> Review:
        review, _ = self._under_review(uow, c)
        bureau = review.rectification.bureau if review.rectification else ""
        m = meta(c.application_id, c.actor, c.on, to_agency=bureau)
        review.answer_rectification(c.order_id, c.text, m)
        return review

    def tick(self, today: date) -> int:
        """Unanswered consultations end at their due date; unpaid fees close the application."""
        if self._waiting is None:
            self._waiting = OpenSet(
                self,
                opens={
                    THIRD_PARTY_CONSULTATION_STARTED,
                    ORGAN_CONSULTATION_STARTED,
                    FEE_NOTICE_ISSUED,
                },
                closes={DECISION_MADE, REVIEW_CLOSED, FEE_UNPAID_CLOSED},
            )
        return self._waiting.act_on_each(Review, lambda r: r.act_on_time(today, SYSTEM))
