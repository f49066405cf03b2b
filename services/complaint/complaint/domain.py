"""A complaint to the supervision bureau about an application's handling (Art. 47, 51)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from ogi_contracts.complaint import (
    ACCOUNTABILITY_RECOMMENDED,
    COMPLAINT_ACCEPTED,
    COMPLAINT_CLOSED,
    COMPLAINT_FILED,
    COMPLAINT_REJECTED,
    CRITICISM_NOTICE_ISSUED,
    FINDING_MADE,
    RECTIFICATION_ANSWER_OVERDUE,
    RECTIFICATION_ANSWER_RECEIVED,
    RECTIFICATION_ORDERED,
)
from ogi_errors import IllegalStep, InvalidInput
from ogi_law.rules import required_text
from ogi_platform.eventstore.aggregate import Meta, OgiAggregate
from ogi_platform.eventstore.aggregate import meta as event_meta
from ogi_platform.ids import aggregate_id

#: The bureau's internal events (ogi_contracts.complaint.INTERNAL): the case file's trace and
#: what it knows of every agency's applications.
INVESTIGATION_TRACE_ATTACHED = "InvestigationTraceAttached"
APPLICATION_KNOWN = "ApplicationKnown"
APPLICATION_KNOWN_AT = "ApplicationKnownAt"
OVERDUE_REPORTED = "OverdueReported"


def complaint_key(application_id: str, number: int | str) -> str:
    return f"{application_id}-C{number}"


def complaint_aggregate_id(complaint_id: str) -> UUID:
    return aggregate_id("complaint", complaint_id)


def checked_text(text: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidInput("text", "is required: say what the complaint is about")
    if len(text) > 4000:
        raise InvalidInput("text", "is longer than 4000 characters")
    return text


class Complaint(OgiAggregate):
    @staticmethod
    def create_id(complaint_id: str) -> UUID:
        return complaint_aggregate_id(complaint_id)

    @event(COMPLAINT_FILED)
    def __init__(
        self,
        complaint_id: str,
        bureau: str,
        application_id: str,
        against_agency: str,
        ground: str,
        text: str,
        complainant: str,
        filed_on: date,
        meta: Meta,
        complainant_contact: str = "",
    ) -> None:
        self.complaint_id = complaint_id
        self.bureau = bureau
        self.application_id = application_id
        self.against_agency = against_agency
        self.ground = ground
        self.text = text
        self.complainant = complainant
        self.complainant_contact = complainant_contact
        self.filed_on = filed_on
        self.state = "received"
        self.upheld: bool | None = None
        self.orders: dict[str, dict[str, Any]] = {}
        self.outcomes: list[str] = []
        # What the bureau decided, in its own words (the case file `ogi case show` reads).
        self.acceptance_note = ""
        self.rejection_reasons = ""
        self.finding_reasons = ""
        self.criticisms: list[str] = []
        self.recommendations: list[tuple[str, str]] = []
        self.closing_notice = ""

    # The case (Art. 47, 51-53): accepted or rejected, investigated with the full trace, found
    # upheld or not, outcomes, closed with notice to the complainant. Every public event names
    # the case and the agency complained about (events stored before they did: "" on replay).

    def _require(self, *states: str) -> None:
        if self.state not in states:
            raise IllegalStep(f"complaint {self.complaint_id} is {self.state}")

    def accept(self, note: str, meta: Meta) -> None:
        self._require("received")
        self._accepted(note.strip(), meta, self.complaint_id, self.against_agency)

    @event(COMPLAINT_ACCEPTED)
    def _accepted(
        self, note: str, meta: Meta, complaint_id: str = "", against_agency: str = ""
    ) -> None:
        self.state = "accepted"
        self.acceptance_note = note

    def reject(self, reasons: str, meta: Meta) -> None:
        self._require("received")
        self._rejected(
            required_text("reasons", reasons), meta, self.complaint_id, self.against_agency
        )

    @event(COMPLAINT_REJECTED)
    def _rejected(
        self, reasons: str, meta: Meta, complaint_id: str = "", against_agency: str = ""
    ) -> None:
        self.state = "rejected"
        self.rejection_reasons = reasons

    def attach_trace(self, trace_json: str, event_count: int, meta: Meta) -> None:
        """The full cross-agency history of the application, attached to the case file."""
        self._require("accepted", "investigating")
        if not self.application_id:
            raise IllegalStep(f"complaint {self.complaint_id} names no application to trace")
        if event_count < 1:
            raise InvalidInput("trace", "the trace of the application is empty")
        self._investigated(trace_json, event_count, meta)

    @event(INVESTIGATION_TRACE_ATTACHED)
    def _investigated(self, trace: str, event_count: int, meta: Meta) -> None:
        self.state = "investigating"

    def find(self, upheld: bool, reasons: str, meta: Meta) -> None:
        # A complaint about an agency's work in general has no application trace to attach.
        self._require("investigating", *(() if self.application_id else ("accepted",)))
        self._found(
            upheld, required_text("reasons", reasons), meta, self.complaint_id, self.against_agency
        )

    @event(FINDING_MADE)
    def _found(
        self,
        upheld: bool,
        reasons: str,
        meta: Meta,
        complaint_id: str = "",
        against_agency: str = "",
    ) -> None:
        self.upheld = upheld
        self.finding_reasons = reasons
        self.state = "found"

    def _require_upheld(self) -> None:
        self._require("found")
        if not self.upheld:
            raise IllegalStep(f"complaint {self.complaint_id} was not upheld")

    def order_rectification(self, requirements: str, answer_due: date, meta: Meta) -> str:
        """督促整改: the order goes to the agency over NATS and reopens its handling."""
        self._require_upheld()
        if not self.application_id:
            raise IllegalStep(
                f"complaint {self.complaint_id} names no application to reopen: issue a notice "
                "of criticism or recommend accountability"
            )
        order_id = f"{self.complaint_id}-R{len(self.orders) + 1}"
        self._ordered(
            order_id,
            self.complaint_id,
            self.application_id,
            self.against_agency,
            required_text("requirements", requirements),
            answer_due.isoformat(),
            meta,
        )
        return order_id

    @event(RECTIFICATION_ORDERED)
    def _ordered(
        self,
        order_id: str,
        complaint_id: str,
        application_id: str,
        agency: str,
        requirements: str,
        answer_due: str,
        meta: Meta,
    ) -> None:
        self.orders[order_id] = {
            "answer_due": answer_due,
            "answer": "",
            "requirements": requirements,
        }
        self.outcomes = [*self.outcomes, "rectification_order"]

    def issue_criticism(self, text: str, meta: Meta) -> None:
        """通报批评."""
        self._require_upheld()
        self._criticised(self.against_agency, required_text("text", text), meta, self.complaint_id)

    @event(CRITICISM_NOTICE_ISSUED)
    def _criticised(self, agency: str, text: str, meta: Meta, complaint_id: str = "") -> None:
        self.outcomes = [*self.outcomes, "criticism"]
        self.criticisms = [*self.criticisms, text]

    def recommend_accountability(self, body: str, text: str, meta: Meta) -> None:
        """A handling recommendation to the body with power to act (Art. 52, 53)."""
        self._require_upheld()
        self._recommended(
            required_text("body", body),
            required_text("text", text),
            meta,
            self.complaint_id,
            self.against_agency,
        )

    @event(ACCOUNTABILITY_RECOMMENDED)
    def _recommended(
        self, body: str, text: str, meta: Meta, complaint_id: str = "", against_agency: str = ""
    ) -> None:
        self.outcomes = [*self.outcomes, "accountability"]
        self.recommendations = [*self.recommendations, (body, text)]

    def agency_answered(self, order_id: str, text: str, meta: Meta) -> None:
        order = self.orders.get(order_id)
        if order is None or order["answer"]:
            return
        self._answered(order_id, text, meta, self.complaint_id, self.against_agency)

    @event(RECTIFICATION_ANSWER_RECEIVED)
    def _answered(
        self, order_id: str, text: str, meta: Meta, complaint_id: str = "", agency: str = ""
    ) -> None:
        self.orders[order_id] = self.orders[order_id] | {
            "answer": text,
            "answered_on": meta["occurred_on"],
        }

    @staticmethod
    def answered_late(order: dict[str, Any]) -> bool:
        """No answer by the answer date, or one dated after it (an answer dated in time that
        reached the bureau after its tick noted none is not late)."""
        if order["answer"]:
            return str(order.get("answered_on", "")) > str(order["answer_due"])
        return bool(order.get("late"))

    def note_late_answers(self, today: date, actor: str) -> bool:
        """Orders whose answer date passed without an answer are recorded as such, the day
        after the answer date, addressed to the agency (once per order)."""
        late = [
            (order_id, order["answer_due"])
            for order_id, order in self.orders.items()
            if not order["answer"]
            and not order.get("late")
            and date.fromisoformat(order["answer_due"]) < today
        ]
        for order_id, answer_due in late:
            day_after = date.fromisoformat(answer_due) + timedelta(days=1)
            m = event_meta(self.application_id, actor, day_after, to_agency=self.against_agency)
            self._answer_late(order_id, self.against_agency, answer_due, m, self.complaint_id)
        return bool(late)

    @event(RECTIFICATION_ANSWER_OVERDUE)
    def _answer_late(
        self, order_id: str, agency: str, answer_due: str, meta: Meta, complaint_id: str = ""
    ) -> None:
        self.orders[order_id] = self.orders[order_id] | {"late": True}

    def close(self, notice: str, meta: Meta) -> None:
        """Closed with notice to the complainant; an order must have been answered first."""
        self._require("rejected", "found")
        pending = [o for o, v in self.orders.items() if not v["answer"]]
        if pending:
            raise IllegalStep(f"the agency has not answered {', '.join(pending)} yet")
        if self.state == "found" and self.upheld and not self.outcomes:
            raise IllegalStep("an upheld complaint needs an outcome before it is closed")
        self._closed(required_text("notice", notice), meta, self.complaint_id, self.against_agency)

    @event(COMPLAINT_CLOSED)
    def _closed(
        self, notice: str, meta: Meta, complaint_id: str = "", against_agency: str = ""
    ) -> None:
        self.state = "closed"
        self.closing_notice = notice


class KnownApplication(OgiAggregate):
    """An application of any agency, as the supervision bureau knows of it."""

    @staticmethod
    def create_id(application_id: str) -> UUID:
        return aggregate_id("complaint-known", application_id)

    @event(APPLICATION_KNOWN)
    def __init__(
        self,
        application_id: str,
        agency: str,
        application_number: str,
        received_on: str,
        meta: Meta,
    ) -> None:
        self.application_id = application_id
        self.agency = agency
        self.overdue: list[dict[str, str]] = []

    def handled_by(self, agency: str, application_number: str, meta: Meta) -> None:
        """A forward moved the application: complaints now default to the new agency."""
        if agency != self.agency:
            self._moved(agency, application_number, meta)

    @event(APPLICATION_KNOWN_AT)
    def _moved(self, agency: str, application_number: str, meta: Meta) -> None:
        self.agency = agency

    def note_overdue(self, agency: str, due_on: str, meta: Meta) -> None:
        self._overdue(agency, due_on, meta)

    @event(OVERDUE_REPORTED)
    def _overdue(self, agency: str, due_on: str, meta: Meta) -> None:
        self.overdue = [*self.overdue, {"agency": agency, "due_on": due_on}]
