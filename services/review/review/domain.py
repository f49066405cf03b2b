"""The review of an application: confidentiality review, consultations (Art. 32, 34),
extension (Art. 33), a set reply date (Art. 35), fees (Art. 42), and the decision (Art. 36-39).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from ogi_contracts.review import (
    CONSULTATION_ANSWERED,
    DECISION_MADE,
    EXTENSION_GRANTED,
    FEE_NOTICE_ISSUED,
    FEE_PAID,
    FEE_UNPAID_CLOSED,
    HANDLING_REOPENED,
    ORGAN_ANSWERED,
    ORGAN_CONSULTATION_STARTED,
    RECTIFICATION_ANSWERED,
    REPLY_DATE_SET,
    THIRD_PARTY_ANSWERED,
    THIRD_PARTY_CONSULTATION_STARTED,
)
from ogi_errors import IllegalStep, InvalidInput
from ogi_law.calendar import WorkingCalendar
from ogi_law.labels import ORGAN_ANSWERS, SECRECY_RESULTS, THIRD_PARTY_ANSWERS
from ogi_law.rules import choose, required_text
from ogi_platform.eventstore.aggregate import Meta, OgiAggregate
from ogi_platform.eventstore.aggregate import meta as event_meta
from ogi_platform.ids import aggregate_id
from review.decision import DISCLOSING, Decision
from review.fees import FEE_METHODS, PAYMENT_PERIOD_DAYS, fee_for
from review.records import (
    Consultation,
    ConsultationRequest,
    Extension,
    FeeNotice,
    RectificationOrder,
)

#: The review's internal event types (ogi_contracts.review.INTERNAL): they stay in its store.
REVIEW_OPENED = "ReviewOpened"
CONFIDENTIALITY_REVIEWED = "ConfidentialityReviewed"
THIRD_PARTY_NOTIFIED_OF_DISCLOSURE = "ThirdPartyNotifiedOfDisclosure"
REVIEW_APPLICATION_CORRECTED = "ReviewApplicationCorrected"
REVIEW_MOVED_TO_OFFICE = "ReviewMovedToOffice"
REVIEW_CLOSED = "ReviewClosed"
CONSULTATION_FILE_OPENED = "ConsultationFileOpened"
CONSULTATION_REQUEST_RECEIVED = "ConsultationRequestReceived"

CONSULTATION_DAYS = 15  # Art. 32 (third party) and Art. 34 (co-producing organs)
MAX_EXTENSION_DAYS = 20  # Art. 33
EXTENSION_APPROVER_ROLE = "head_of_ogi_office"


class Review(OgiAggregate):
    @staticmethod
    def create_id(application: dict[str, Any]) -> UUID:
        return aggregate_id("review", application["application_id"])

    @event(REVIEW_OPENED)
    def __init__(self, application: dict[str, Any], office: str, meta: Meta) -> None:
        self.application_id: str = application["application_id"]
        self.agency: str = application["agency"]
        self.application = application
        self.office = office
        self.state = "open"
        self.decision: Decision | None = None
        self.decided_on: date | None = None
        self.secrecy = ""
        self.consultations: dict[str, Consultation] = {}
        self.extension: Extension | None = None
        self.reply_due: date | None = None
        self.fee: FeeNotice | None = None
        self.rectification: RectificationOrder | None = None

    @property
    def received_on(self) -> date:
        return date.fromisoformat(self.application["received_on"])

    def _must_be_open(self) -> None:
        if self.state != "open":
            raise IllegalStep(f"application {self.application_id} is {self.state}")

    def _not_before_receipt(self, field: str, on: date) -> None:
        if on < self.received_on:
            raise InvalidInput(field, "is before the application was received")

    # -- confidentiality review (Art. 17; State Secrets Law Art. 35) ---------------------------

    def review_secrecy(self, result: str, note: str, on: date, meta: Meta) -> None:
        self._must_be_open()
        self._not_before_receipt("reviewed_on", on)
        self._secrecy_reviewed(choose("result", result, SECRECY_RESULTS), note.strip(), meta)

    @event(CONFIDENTIALITY_REVIEWED)
    def _secrecy_reviewed(self, result: str, note: str, meta: Meta) -> None:
        self.secrecy = result

    # -- consultations (Art. 32, 34): the clock pauses ------------------------------------------

    def _next_ref(self, prefix: str) -> str:
        return f"{prefix}-{len(self.consultations) + 1}"

    def _pending(self) -> list[str]:
        return [r for r, c in self.consultations.items() if c.pending]

    def consult_third_party(
        self, third_party: str, sent_on: date, calendar: WorkingCalendar, meta: Meta
    ) -> str:
        """Art. 32: ask the third party in writing; it answers within 15 working days."""
        self._must_be_open()
        self._not_before_receipt("sent_on", sent_on)
        ref = self._next_ref("TP")
        due = calendar.add_working_days(sent_on, CONSULTATION_DAYS).date
        self._third_party_consulted(
            ref, required_text("third_party", third_party), due.isoformat(), meta
        )
        return ref

    @event(THIRD_PARTY_CONSULTATION_STARTED)
    def _third_party_consulted(
        self, ref: str, third_party: str, answer_due: str, meta: Meta
    ) -> None:
        self.consultations[ref] = Consultation(
            kind="third_party",
            party=third_party,
            sent_on=date.fromisoformat(meta["occurred_on"]),
            answer_due=date.fromisoformat(answer_due),
        )

    def consult_organ(
        self,
        organ: str,
        sent_on: date,
        calendar: WorkingCalendar,
        meta: Meta,
        organ_agency: str = "",
    ) -> str:
        """Art. 34: consult a co-producing organ; silence for 15 working days is consent.

        When the organ is one of the agencies (``organ_agency``), the request reaches it over
        NATS (``meta`` addresses it) and its answer comes back the same way.
        """
        self._must_be_open()
        self._not_before_receipt("sent_on", sent_on)
        if organ_agency == self.agency:
            raise InvalidInput("party", "an agency does not consult itself")
        ref = self._next_ref("ORG")
        due = calendar.add_working_days(sent_on, CONSULTATION_DAYS).date
        self._organ_consulted(
            ref,
            required_text("organ", organ),
            due.isoformat(),
            organ_agency,
            self.application["description"],
            meta,
        )
        return ref

    @event(ORGAN_CONSULTATION_STARTED)
    def _organ_consulted(
        self,
        ref: str,
        organ: str,
        answer_due: str,
        organ_agency: str,
        description: str,
        meta: Meta,
    ) -> None:
        self.consultations[ref] = Consultation(
            kind="organ",
            party=organ,
            sent_on=date.fromisoformat(meta["occurred_on"]),
            answer_due=date.fromisoformat(answer_due),
            organ_agency=organ_agency,
        )

    def record_answer(self, ref: str, answer: str, reasons: str, on: date, meta: Meta) -> None:
        consultation = self.consultations.get(ref)
        if consultation is None:
            raise InvalidInput("ref", f"no consultation {ref!r} on {self.application_id}")
        if not consultation.pending:
            raise IllegalStep(f"consultation {ref} was already answered")
        if on < consultation.sent_on:
            raise InvalidInput("answered_on", "is before the consultation was sent")
        if consultation.kind == "third_party":
            answer = choose("answer", answer, THIRD_PARTY_ANSWERS)
            if answer == "refusal" and not reasons.strip():
                raise InvalidInput("reasons", "a refusal must give its reasons (Art. 32)")
            self._third_party_answered(ref, answer, reasons.strip(), meta)
        else:
            answer = choose("answer", answer, ORGAN_ANSWERS)
            self._organ_answered(ref, answer, reasons.strip(), meta)

    @event(THIRD_PARTY_ANSWERED)
    def _third_party_answered(self, ref: str, answer: str, reasons: str, meta: Meta) -> None:
        self._end_consultation(ref, answer, meta)

    @event(ORGAN_ANSWERED)
    def _organ_answered(self, ref: str, answer: str, reasons: str, meta: Meta) -> None:
        self._end_consultation(ref, answer, meta)

    def _end_consultation(self, ref: str, answer: str, meta: Meta) -> None:
        """The consultation ``ref`` ends with ``answer`` on the event's day."""
        self.consultations[ref] = replace(
            self.consultations[ref],
            answer=answer,
            answered_on=date.fromisoformat(meta["occurred_on"]),
        )

    def third_party_refused(self) -> list[str]:
        return [
            c.party
            for c in self.consultations.values()
            if c.kind == "third_party" and c.answer == "refusal"
        ]

    # -- extension (Art. 33) and a later reply date (Art. 35) ----------------------------------

    def extend(
        self,
        working_days: int,
        approved_by: str,
        approver_role: str,
        reason: str,
        notified_on: date,
        meta: Meta,
    ) -> None:
        """At most once, at most 20 working days, approved by the head of the OGI office."""
        self._must_be_open()
        if self.extension is not None:
            raise IllegalStep("the reply period was already extended once (Art. 33)")
        if not 1 <= working_days <= MAX_EXTENSION_DAYS:
            raise InvalidInput("working_days", f"must be 1 to {MAX_EXTENSION_DAYS} (Art. 33)")
        if approver_role != EXTENSION_APPROVER_ROLE:
            raise InvalidInput(
                "approver_role",
                f"an extension is approved by the {EXTENSION_APPROVER_ROLE} (Art. 33)",
            )
        self._not_before_receipt("notified_on", notified_on)
        self._extended(
            working_days,
            required_text("approved_by", approved_by),
            approver_role,
            required_text("reason", reason),
            notified_on.isoformat(),
            meta,
        )

    @event(EXTENSION_GRANTED)
    def _extended(
        self,
        working_days: int,
        approved_by: str,
        approver_role: str,
        reason: str,
        applicant_notified_on: str,
        meta: Meta,
    ) -> None:
        self.extension = Extension(working_days, approved_by)

    def set_reply_date(self, due_on: date, reason: str, on: date, meta: Meta) -> None:
        """Art. 35: a reasonable but large request gets a later reply date (applicant told)."""
        self._must_be_open()
        if due_on <= on:
            raise InvalidInput("due_on", "must be after the day it is set")
        self._reply_date_set(due_on.isoformat(), required_text("reason", reason), meta)

    @event(REPLY_DATE_SET)
    def _reply_date_set(self, due_on: str, reason: str, meta: Meta) -> None:
        self.reply_due = date.fromisoformat(due_on)

    # -- fees (Art. 42) ------------------------------------------------------------------------

    def assess_fee(
        self, method: str, pages: int, notice_on: date, calendar: WorkingCalendar, meta: Meta
    ) -> None:
        """One fee notice, one method; the applicant has 20 working days to pay."""
        self._must_be_open()
        if self.fee is not None:
            raise IllegalStep("a fee notice was already issued: one method per application")
        method = choose("method", method, FEE_METHODS)
        units = pages if method == "per_page" else int(self.application.get("monthly_count", 1))
        amount = fee_for(method, units, pages)
        if amount == 0:
            raise IllegalStep(f"nothing to charge: {method} for {units} is free")
        self._not_before_receipt("notice_on", notice_on)
        pay_by = calendar.add_working_days(notice_on, PAYMENT_PERIOD_DAYS).date
        self._fee_noticed(method, units, amount, pay_by.isoformat(), meta)

    @event(FEE_NOTICE_ISSUED)
    def _fee_noticed(
        self, method: str, units: int, amount_yuan: int, pay_by: str, meta: Meta
    ) -> None:
        self.fee = FeeNotice(method, amount_yuan, date.fromisoformat(pay_by))

    def record_payment(self, on: date, meta: Meta) -> None:
        self._must_be_open()
        if self.fee is None:
            raise IllegalStep("no fee notice was issued")
        if self.fee.paid:
            raise IllegalStep("the fee was already paid")
        self._fee_paid(self.fee.amount_yuan, meta)

    @event(FEE_PAID)
    def _fee_paid(self, amount_yuan: int, meta: Meta) -> None:
        assert self.fee is not None  # FeePaid follows FeeNoticeIssued
        self.fee = replace(self.fee, paid=True)

    # -- time passing ---------------------------------------------------------------------------

    def act_on_time(self, today: date, actor: str) -> bool:
        """Silences end consultations; an unpaid fee closes the application. True if changed."""
        if self.state != "open":
            return False
        changed = False
        for ref in self._pending():
            due = self.consultations[ref].answer_due
            if today > due:
                m = event_meta(self.application_id, actor, due)
                if self.consultations[ref].kind == "third_party":
                    self._third_party_answered(ref, "none", "", m)
                else:
                    self._organ_answered(ref, "consent_by_silence", "", m)
                changed = True
        if self.fee is not None and not self.fee.paid:
            pay_by = self.fee.pay_by
            if today > pay_by:
                m = event_meta(self.application_id, actor, pay_by + timedelta(days=1))
                self._fee_unpaid(pay_by.isoformat(), m)
                changed = True
        return changed

    @event(FEE_UNPAID_CLOSED)
    def _fee_unpaid(self, pay_by: str, meta: Meta) -> None:
        self.state = "closed"

    # -- the decision ---------------------------------------------------------------------------

    def decide(
        self,
        decision: Decision,
        decided_on: date,
        public_interest_reason: str,
        meta: Meta,
    ) -> None:
        self._must_be_open()
        self._not_before_receipt("decided_on", decided_on)
        pending = self._pending()
        if pending:
            raise IllegalStep(f"consultation {', '.join(pending)} is still open")
        if decision.outcome == "unclear_after_correction" and not self.corrected:
            raise IllegalStep(
                "the application was never corrected: ask for a correction first (Art. 30)"
            )
        if decision.outcome in DISCLOSING:
            if self.secrecy != "cleared":
                raise IllegalStep(
                    "a confidentiality review clearing the information must come before any "
                    "disclosure (Art. 17; State Secrets Law Art. 35)"
                )
            if self.fee is not None and not self.fee.paid:
                raise IllegalStep("the fee notice is unpaid")
        refused = self.third_party_refused()
        override = ""
        if refused and decision.outcome == "disclose":
            if not public_interest_reason.strip():
                raise IllegalStep(
                    f"{', '.join(refused)} refused consent: withhold that part, or give a "
                    "public_interest_reason to disclose anyway (Art. 32)"
                )
            override = public_interest_reason.strip()
        self._decided(
            application=self.application,
            outcome=decision.outcome,
            grounds=list(decision.grounds),
            reason=decision.reason,
            form_of_provision=decision.form_of_provision,
            competent_organ=decision.competent_organ,
            competent_organ_contact=decision.competent_organ_contact,
            where_published=decision.where_published,
            public_interest_override=override,
            meta=meta,
        )
        for party in refused if override else []:
            self._override_notified(party, override, meta)

    @event(DECISION_MADE)
    def _decided(
        self,
        application: dict[str, Any],
        outcome: str,
        grounds: list[str],
        reason: str,
        form_of_provision: str,
        competent_organ: str,
        competent_organ_contact: str,
        where_published: str,
        public_interest_override: str,
        meta: Meta,
    ) -> None:
        self.state = "decided"
        self.decided_on = date.fromisoformat(meta["occurred_on"])
        self.decision = Decision(
            outcome=outcome,
            grounds=tuple(grounds),
            reason=reason,
            form_of_provision=form_of_provision,
            competent_organ=competent_organ,
            competent_organ_contact=competent_organ_contact,
            where_published=where_published,
        )

    @event(THIRD_PARTY_NOTIFIED_OF_DISCLOSURE)
    def _override_notified(self, third_party: str, reason: str, meta: Meta) -> None:
        pass

    # -- rectification (Art. 47): the bureau's order reopens the handling ----------------------

    def reopen(
        self,
        order_id: str,
        complaint_id: str,
        bureau: str,
        requirements: str,
        answer_due: str,
        meta: Meta,
    ) -> None:
        if self.rectification is not None and self.rectification.order_id == order_id:
            return
        self._reopened(order_id, complaint_id, bureau, requirements, answer_due, meta)

    @event(HANDLING_REOPENED)
    def _reopened(
        self,
        order_id: str,
        complaint_id: str,
        bureau: str,
        requirements: str,
        answer_due: str,
        meta: Meta,
    ) -> None:
        self.rectification = RectificationOrder(order_id, complaint_id, bureau)
        self.state = "open"

    def answer_rectification(self, order_id: str, text: str, meta: Meta) -> None:
        """The agency's answer to the bureau, addressed to it over NATS."""
        order = self.rectification
        if order is None or order.order_id != order_id:
            raise InvalidInput("order_id", f"no rectification order {order_id!r} here")
        if order.answer:
            raise IllegalStep(f"rectification order {order_id} was already answered")
        self._rectification_answered(
            order_id, order.complaint_id, required_text("text", text), meta
        )

    @event(RECTIFICATION_ANSWERED)
    def _rectification_answered(
        self, order_id: str, complaint_id: str, text: str, meta: Meta
    ) -> None:
        assert self.rectification is not None  # RectificationAnswered follows HandlingReopened
        self.rectification = replace(self.rectification, answer=text)

    # -- changes from elsewhere -----------------------------------------------------------------

    #: The applicant corrected the application (Art. 30): the condition of the reply type
    #: "still unclear after correction".
    corrected = False

    def note_correction(self, description: str, meta: Meta) -> None:
        self._application_corrected(description or self.application["description"], meta)

    @event(REVIEW_APPLICATION_CORRECTED)
    def _application_corrected(self, description: str, meta: Meta) -> None:
        self.application = self.application | {"description": description}
        self.corrected = True

    def move_to(self, office: str, meta: Meta) -> None:
        if office != self.office:
            self._moved(office, meta)

    @event(REVIEW_MOVED_TO_OFFICE)
    def _moved(self, office: str, meta: Meta) -> None:
        self.office = office

    def close(self, reason: str, meta: Meta) -> None:
        if self.state != "closed":
            self._closed(reason, meta)

    @event(REVIEW_CLOSED)
    def _closed(self, reason: str, meta: Meta) -> None:
        self.state = "closed"
        self.closed_because = reason

    closed_because = ""


class ConsultationFile(OgiAggregate):
    """Consultations an agency received from other agencies about one application (Art. 34)."""

    @staticmethod
    def create_id(application_id: str) -> UUID:
        return aggregate_id("consultation-file", application_id)

    @event(CONSULTATION_FILE_OPENED)
    def __init__(self, application_id: str, meta: Meta) -> None:
        self.application_id = application_id
        self.requests: dict[str, ConsultationRequest] = {}

    @staticmethod
    def key(from_agency: str, ref: str) -> str:
        return f"{from_agency}/{ref}"

    def receive(
        self, from_agency: str, ref: str, description: str, answer_due: str, meta: Meta
    ) -> None:
        if self.key(from_agency, ref) not in self.requests:
            self._received(from_agency, ref, description, answer_due, meta)

    @event(CONSULTATION_REQUEST_RECEIVED)
    def _received(
        self, from_agency: str, ref: str, description: str, answer_due: str, meta: Meta
    ) -> None:
        self.requests = self.requests | {
            self.key(from_agency, ref): ConsultationRequest(answer_due)
        }

    def answer(self, from_agency: str, ref: str, answer: str, reasons: str, meta: Meta) -> None:
        """The answer goes back to the consulting agency (``meta`` addresses it)."""
        request = self.requests.get(self.key(from_agency, ref))
        if request is None:
            raise InvalidInput("ref", f"no consultation {ref!r} from {from_agency!r}")
        if request.answer:
            raise IllegalStep(f"consultation {ref} from {from_agency} was already answered")
        answer = choose("answer", answer, {"consent": "", "objection": ""})
        if answer == "objection" and not reasons.strip():
            raise InvalidInput("reasons", "an objection must give its reasons")
        self._answered(from_agency, ref, answer, reasons.strip(), meta)

    @event(CONSULTATION_ANSWERED)
    def _answered(self, from_agency: str, ref: str, answer: str, reasons: str, meta: Meta) -> None:
        key = self.key(from_agency, ref)
        self.requests = self.requests | {key: replace(self.requests[key], answer=answer)}
