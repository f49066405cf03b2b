"""The review application: staff commands of the review, the decision, time passing, queries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from uuid import UUID

from ogi_errors import InvalidInput, NotFound
from ogi_law.calendar import WorkingCalendar
from ogi_platform.eventstore.aggregate import Meta, meta
from ogi_platform.eventstore.application import OgiApplication
from ogi_platform.eventstore.readmodel import OpenSet
from ogi_platform.ids import aggregate_id
from ogi_platform.service.config import ServiceConfig
from review.decision import Decision
from review.domain import ConsultationFile, Review

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
        return found is None or found.closed_because == "ApplicationForwarded"

    def review(self, application_id: str) -> Review:
        found = self.find(review_id(application_id), Review)
        if found is None:
            raise NotFound(f"application {application_id} is not under review here")
        return found

    def _change(
        self, application_id: str, on: date, actor: str, step: Callable[[Review, Meta], object]
    ) -> Review:
        """Load the review, apply one step dated ``on``, commit."""
        uow = self.unit_of_work()
        review = uow.get(review_id(application_id), Review, f"application {application_id}")
        step(review, meta(application_id, actor, on))
        uow.commit()
        return review

    def review_secrecy(
        self, application_id: str, result: str, note: str, on: date, actor: str
    ) -> Review:
        return self._change(
            application_id, on, actor, lambda r, m: r.review_secrecy(result, note, on, m)
        )

    def consult(
        self,
        application_id: str,
        kind: str,
        party: str,
        sent_on: date,
        actor: str,
        organ_agency: str = "",
    ) -> tuple[Review, str]:
        """Consult a third party or an organ; an organ that is an agency hears of it over NATS."""
        uow = self.unit_of_work()
        review = uow.get(review_id(application_id), Review, f"application {application_id}")
        m = meta(application_id, actor, sent_on, to_agency=organ_agency)
        if kind == "third_party":
            ref = review.consult_third_party(party, sent_on, self.calendar, m)
        elif kind == "organ":
            ref = review.consult_organ(party, sent_on, self.calendar, m, organ_agency)
        else:
            raise InvalidInput("kind", f"{kind!r} is not one of third_party, organ")
        uow.commit()
        return review, ref

    def answer_consultation(
        self,
        application_id: str,
        from_agency: str,
        ref: str,
        answer: str,
        reasons: str,
        on: date,
        actor: str,
    ) -> ConsultationFile:
        """This agency's answer to another agency's consultation, sent back to it."""
        uow = self.unit_of_work()
        file = uow.get(ConsultationFile.create_id(application_id), ConsultationFile, "consultation")
        file.answer(
            from_agency,
            ref,
            answer,
            reasons,
            meta(application_id, actor, on, to_agency=from_agency),
        )
        uow.commit()
        return file

    def record_answer(
        self, application_id: str, ref: str, answer: str, reasons: str, on: date, actor: str
    ) -> Review:
        return self._change(
            application_id, on, actor, lambda r, m: r.record_answer(ref, answer, reasons, on, m)
        )

    def extend(
        self,
        application_id: str,
        working_days: int,
        approved_by: str,
        approver_role: str,
        reason: str,
        notified_on: date,
        actor: str,
    ) -> Review:
        return self._change(
            application_id,
            notified_on,
            actor,
            lambda r, m: r.extend(working_days, approved_by, approver_role, reason, notified_on, m),
        )

    def set_reply_date(
        self, application_id: str, due_on: date, reason: str, on: date, actor: str
    ) -> Review:
        return self._change(
            application_id, on, actor, lambda r, m: r.set_reply_date(due_on, reason, on, m)
        )

    def assess_fee(
        self, application_id: str, method: str, pages: int, on: date, actor: str
    ) -> Review:
        return self._change(
            application_id,
            on,
            actor,
            lambda r, m: r.assess_fee(method, pages, on, self.calendar, m),
        )

    def record_payment(self, application_id: str, on: date, actor: str) -> Review:
        return self._change(application_id, on, actor, lambda r, m: r.record_payment(on, m))

    def decide(
        self,
        application_id: str,
        outcome: str,
        grounds: list[str],
        reason: str,
        form_of_provision: str,
        competent_organ: str,
        competent_organ_contact: str,
        where_published: str,
        public_interest_reason: str,
        decided_on: date,
        actor: str,
    ) -> Review:
        def make(review: Review, m: Meta) -> None:
            decision = Decision.checked(
                outcome,
                grounds,
                reason,
                form_of_provision,
                review.application["form"],
                competent_organ,
                competent_organ_contact,
                where_published,
            )
            review.decide(decision, decided_on, public_interest_reason, m)

        return self._change(application_id, decided_on, actor, make)

    def answer_rectification(
        self, application_id: str, order_id: str, text: str, on: date, actor: str
    ) -> Review:
        uow = self.unit_of_work()
        review = uow.get(review_id(application_id), Review, f"application {application_id}")
        bureau = review.rectification.get("bureau", "")
        m = meta(application_id, actor, on, to_agency=bureau)
        review.answer_rectification(order_id, text, m)
        uow.commit()
        return review

    def tick(self, today: date) -> int:
        """Unanswered consultations end at their due date; unpaid fees close the application."""
        if self._waiting is None:
            self._waiting = OpenSet(
                self,
                opens={
                    "ThirdPartyConsultationStarted",
                    "OrganConsultationStarted",
                    "FeeNoticeIssued",
                },
                closes={"DecisionMade", "ReviewClosed", "FeeUnpaidClosed"},
            )
        return self._waiting.act_on_each(Review, lambda r: r.act_on_time(today, SYSTEM))
