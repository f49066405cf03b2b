"""What each public event does to the read model's rows: pure functions of rows and events.

An application has one row per agency that handles it (``(application_id, agency)``): its
receipt, number, office, state and clock there. A forward settles the forwarding agency's row
(``forwarded``, with the agency it went to) and the receiving agency's intake starts a row of its
own (its receipt, its number, its clock, Art. 36(5)); so each row is made only of its agency's own
events, and a number always finds the row of the agency that gave it.

A unit keeps rows of its own agency; a supervision bureau's unit keeps every agency's (it hears
them all, ``ogi_contracts.query``). Consultations are kept wherever they are heard: the consulting
agency, the agency consulted and the bureau. An event already applied to a row (at or below the
row's position of the event's store: a republish after the bus's duplicate window) changes
nothing; consultations and overdue reports are only ever filled in, so a repeat is harmless.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ogi_contracts import complaint, intake, reply, review, routing
from ogi_platform.messaging.envelope import EventRecord
from query.rows import (
    OPEN_STATES,
    ROW_SERVICES,
    new_application,
    new_complaint,
    new_consultation,
)

Row = dict[str, Any]
AppKey = tuple[str, str]
ConsultationKey = tuple[str, str, str]
#: Working days from receipt to reply at an agency: (agency, received_on, delivered_on).
ReplyDays = Callable[[str, str, str], int | None]


@dataclass
class Rows:
    """The rows a batch of events reads and changes: loaded before the events are applied,
    written after (only those marked changed)."""

    applications: dict[AppKey, Row] = field(default_factory=dict)
    complaints: dict[str, Row] = field(default_factory=dict)
    consultations: dict[ConsultationKey, Row] = field(default_factory=dict)
    overdue_reports: list[Row] = field(default_factory=list)
    changed_applications: set[AppKey] = field(default_factory=set)
    changed_complaints: set[str] = field(default_factory=set)
    changed_consultations: set[ConsultationKey] = field(default_factory=set)

    def application(self, key: AppKey) -> Row:
        row = self.applications.get(key)
        if row is None:
            row = self.applications[key] = new_application(*key)
        self.changed_applications.add(key)
        return row

    def complaint(self, complaint_id: str) -> Row:
        row = self.complaints.get(complaint_id)
        if row is None:
            row = self.complaints[complaint_id] = new_complaint(complaint_id)
        self.changed_complaints.add(complaint_id)
        return row

    def consultation(self, key: ConsultationKey) -> Row:
        row = self.consultations.get(key)
        if row is None:
            row = self.consultations[key] = new_consultation(*key)
        self.changed_consultations.add(key)
        return row


@dataclass(frozen=True)
class Wanted:
    """The stored rows an event may change, to be loaded before it is applied."""

    application: AppKey | None = None
    complaint: str | None = None
    consultation: ConsultationKey | None = None


def consultation_key(record: EventRecord) -> ConsultationKey | None:
    """The consultation an event is about: the consulting agency's ref of it."""
    ref = str(record.data.get("ref", ""))
    if record.type == review.CONSULTATION_ANSWERED:  # sent by the agency consulted
        return (record.application_id, str(record.data.get("from_agency", "")), ref)
    if record.type in (review.ORGAN_CONSULTATION_STARTED, review.ORGAN_ANSWERED):
        return (record.application_id, record.agency, ref)
    return None


class Projection:
    """Applies the events heard by the read model of ``agency`` (``everything``: a supervision
    bureau's, which keeps every agency's rows)."""

    def __init__(self, agency: str, everything: bool, reply_days: ReplyDays) -> None:
        self.agency = agency
        self.everything = everything
        self.reply_days = reply_days

    def keeps(self, agency: str) -> bool:
        return self.everything or agency == self.agency

    def wanted(self, record: EventRecord) -> Wanted:
        if not self.keeps(record.agency):
            return Wanted(consultation=consultation_key(record))
        if record.service == complaint.SERVICE:
            return Wanted(complaint=str(record.data.get("complaint_id", "")) or None)
        return Wanted(
            application=(record.application_id, record.agency),
            consultation=consultation_key(record),
        )

    def apply(self, rows: Rows, record: EventRecord, wanted: Wanted) -> None:
        """Change ``rows`` (loaded as ``wanted`` says, ``self.wanted(record)``) as ``record``
        tells."""
        if wanted.consultation is not None:
            _consultation(rows, wanted.consultation, record)
        if wanted.complaint is not None:
            _complaint(rows, wanted.complaint, record)
        if wanted.application is not None and record.service in ROW_SERVICES:
            self._application(rows, wanted.application, record)

    def _application(self, rows: Rows, key: AppKey, record: EventRecord) -> None:
        seen = f"seen_{record.service}"
        stored = rows.applications.get(key)
        if stored is not None and record.position and record.position <= stored[seen]:
            return
        step = _STEPS.get(record.type)
        if step is None:
            return
        row = rows.application(key)
        step(self, row, record.data, record)
        row[seen] = max(row[seen], record.position)
        row["updated_on"] = max(row["updated_on"], record.occurred_on)
        if record.type == reply.APPLICATION_OVERDUE:
            rows.overdue_reports.append(
                {
                    "application_id": record.application_id,
                    "agency": record.agency,
                    "due_on": str(record.data.get("due_on", "")),
                    "reported_on": record.occurred_on,
                }
            )


# -- applications ------------------------------------------------------------------------------

Step = Callable[[Projection, Row, dict[str, Any], EventRecord], None]


def _snapshot(row: Row, snapshot: dict[str, Any] | None) -> None:
    """Take what an event's application snapshot says (the service's current view of it)."""
    if not snapshot:
        return
    _applicant(row, snapshot.get("applicant"))
    for source, column in (
        ("application_number", "number"),
        ("description", "description"),
        ("received_on", "received_on"),
    ):
        if snapshot.get(source):
            row[column] = snapshot[source]


def _applicant(row: Row, applicant: dict[str, Any] | None) -> None:
    for source, column in (
        ("name", "applicant_name"),
        ("type", "applicant_type"),
        ("id_doc", "applicant_id_doc"),
    ):
        if applicant and applicant.get(source):
            row[column] = applicant[source]


def _move(row: Row, state: str, *when: str) -> None:
    """Move to ``state`` if the row is in one of ``when`` ("" : a row no receipt made yet)."""
    if row["state"] in when:
        row["state"] = state


def _settle(row: Row, state: str) -> None:
    """The agency is done with it: nothing is awaited any more."""
    row.update(
        state=state, waiting_correction=0, correct_by="", waiting_fee=0, pay_by="", consulting=""
    )


def _received(p: Projection, row: Row, data: dict[str, Any], record: EventRecord) -> None:
    _applicant(row, data.get("applicant"))
    row["description"] = data.get("description") or row["description"]
    row["received_on"] = data.get("received_on") or record.occurred_on
    chain = data.get("chain") or []
    if chain:
        row["forwarded_from"] = chain[-1].get("from_agency", "")
    _move(row, "received", "")


def _accepted(p: Projection, row: Row, data: dict[str, Any], record: EventRecord) -> None:
    _snapshot(row, data.get("application"))
    row["number"] = data.get("application_number") or row["number"]
    _move(row, "accepted", "", "received")


def _correction_requested(
    p: Projection, row: Row, data: dict[str, Any], record: EventRecord
) -> None:
    row.update(waiting_correction=1, correct_by=data.get("correct_by", ""))
    _move(row, "awaiting_correction", "", *OPEN_STATES)


def _corrected(p: Projection, row: Row, data: dict[str, Any], record: EventRecord) -> None:
    row.update(waiting_correction=0, correct_by="")
    row["description"] = data.get("description") or row["description"]
    _move(row, "under_review" if row["office"] else "accepted", "awaiting_correction")


def _settled_as(state: str) -> Step:
    def settle(p: Projection, row: Row, data: dict[str, Any], record: EventRecord) -> None:
        _settle(row, state)

    return settle


def _assigned(p: Projection, row: Row, data: dict[str, Any], record: EventRecord) -> None:
    _snapshot(row, data.get("application"))
    row["office"] = data.get("office") or row["office"]
    _move(row, "under_review", "", "received", "accepted")


def _reassigned(p: Projection, row: Row, data: dict[str, Any], record: EventRecord) -> None:
    row["office"] = data.get("office") or row["office"]


def _forwarded(p: Projection, row: Row, data: dict[str, Any], record: EventRecord) -> None:
    _snapshot(row, data.get("application"))
    _settle(row, "forwarded")
    row["forwarded_to"] = data.get("to_agency", "")


def _decided(p: Projection, row: Row, data: dict[str, Any], record: EventRecord) -> None:
    _snapshot(row, data.get("application"))
    row.update(outcome=data.get("outcome", ""), decision=data.get("reason", ""))
    _move(row, "decided", "", *OPEN_STATES)


def _reopened(p: Projection, row: Row, data: dict[str, Any], record: EventRecord) -> None:
    """A rectification order reopened the handling (Art. 47): a new clock, a new reply."""
    row.update(state="under_review", reopened=1, overdue=0, delivered_on="", reply_days=None)


def _fee_notice(p: Projection, row: Row, data: dict[str, Any], record: EventRecord) -> None:
    row.update(waiting_fee=1, pay_by=data.get("pay_by", ""))


def _fee_paid(p: Projection, row: Row, data: dict[str, Any], record: EventRecord) -> None:
    row.update(waiting_fee=0, pay_by="")


def _consulting(p: Projection, row: Row, data: dict[str, Any], record: EventRecord) -> None:
    refs = row["consulting"].split()
    ref = str(data.get("ref", ""))
    if ref and ref not in refs:
        row["consulting"] = " ".join([*refs, ref])


def _answered(p: Projection, row: Row, data: dict[str, Any], record: EventRecord) -> None:
    ref = str(data.get("ref", ""))
    row["consulting"] = " ".join(r for r in row["consulting"].split() if r != ref)


def _reply_issued(p: Projection, row: Row, data: dict[str, Any], record: EventRecord) -> None:
    _snapshot(row, data.get("application"))
    row["letter_number"] = data.get("letter_number") or row["letter_number"]
    row["outcome"] = data.get("outcome") or row["outcome"]


def _delivered(p: Projection, row: Row, data: dict[str, Any], record: EventRecord) -> None:
    delivered_on = data.get("delivered_on") or record.occurred_on
    _settle(row, "replied")
    row["delivered_on"] = delivered_on
    if row["received_on"]:
        row["reply_days"] = p.reply_days(row["agency"], row["received_on"], delivered_on)


def _closed(p: Projection, row: Row, data: dict[str, Any], record: EventRecord) -> None:
    _move(row, "closed", "", "replied", *OPEN_STATES)


def _due_date(p: Projection, row: Row, data: dict[str, Any], record: EventRecord) -> None:
    row.update(due_on=data.get("due_on", ""), provisional=int(bool(data.get("provisional"))))


def _overdue(p: Projection, row: Row, data: dict[str, Any], record: EventRecord) -> None:
    row["overdue"] = 1


_STEPS: dict[str, Step] = {
    intake.APPLICATION_RECEIVED: _received,
    intake.APPLICATION_ACCEPTED: _accepted,
    intake.CORRECTION_REQUESTED: _correction_requested,
    intake.APPLICATION_CORRECTED: _corrected,
    intake.CORRECTION_LAPSED: _settled_as("lapsed"),
    intake.APPLICATION_WITHDRAWN: _settled_as("withdrawn"),
    routing.APPLICATION_ASSIGNED: _assigned,
    routing.APPLICATION_REASSIGNED: _reassigned,
    routing.APPLICATION_FORWARDED: _forwarded,
    review.DECISION_MADE: _decided,
    review.HANDLING_REOPENED: _reopened,
    review.FEE_NOTICE_ISSUED: _fee_notice,
    review.FEE_PAID: _fee_paid,
    review.FEE_UNPAID_CLOSED: _settled_as("unpaid"),
    review.THIRD_PARTY_CONSULTATION_STARTED: _consulting,
    review.ORGAN_CONSULTATION_STARTED: _consulting,
    review.THIRD_PARTY_ANSWERED: _answered,
    review.ORGAN_ANSWERED: _answered,
    reply.REPLY_ISSUED: _reply_issued,
    reply.REPLY_REISSUED: _reply_issued,
    reply.REPLY_DELIVERED: _delivered,
    reply.APPLICATION_CLOSED: _closed,
    reply.DUE_DATE_CHANGED: _due_date,
    reply.APPLICATION_OVERDUE: _overdue,
}


# -- consultations between agencies (Art. 34) --------------------------------------------------


def _consultation(rows: Rows, key: ConsultationKey, record: EventRecord) -> None:
    data = record.data
    if record.type == review.ORGAN_CONSULTATION_STARTED:
        row = rows.consultation(key)
        row.update(
            to_agency=data.get("organ_agency", ""),
            organ=data.get("organ", ""),
            description=data.get("description", ""),
            asked_on=record.occurred_on,
            answer_due=data.get("answer_due", ""),
        )
        return
    stored = rows.consultations.get(key)
    if stored is not None and stored["answer"]:
        return  # answered already: the consulted agency's answer and its record agree
    row = rows.consultation(key)
    row.update(
        answer=data.get("answer", ""),
        reasons=data.get("reasons", ""),
        answered_on=record.occurred_on,
    )


# -- complaint cases at the supervision bureau (Art. 47, 51-53) -------------------------------


def _complaint(rows: Rows, complaint_id: str, record: EventRecord) -> None:
    stored = rows.complaints.get(complaint_id)
    if stored is not None and record.position and record.position <= stored["seen"]:
        return
    step = _CASE_STEPS.get(record.type)
    if step is None:
        return
    row = rows.complaint(complaint_id)
    data = record.data
    row["against_agency"] = data.get("against_agency") or row["against_agency"]
    step(row, data, record)
    row["seen"] = max(row["seen"], record.position)
    row["updated_on"] = max(row["updated_on"], record.occurred_on)


CaseStep = Callable[[Row, dict[str, Any], EventRecord], None]


def _filed(row: Row, data: dict[str, Any], record: EventRecord) -> None:
    row.update(
        bureau=data.get("bureau") or record.agency,
        application_id=data.get("application_id", ""),
        ground=data.get("ground", ""),
        text=data.get("text", ""),
        complainant=data.get("complainant", ""),
        filed_on=data.get("filed_on") or record.occurred_on,
    )
    _move(row, "received", "")


def _case_accepted(row: Row, data: dict[str, Any], record: EventRecord) -> None:
    row["acceptance_note"] = data.get("note", "")
    _move(row, "accepted", "", "received")


def _case_rejected(row: Row, data: dict[str, Any], record: EventRecord) -> None:
    row["rejection_reasons"] = data.get("reasons", "")
    _move(row, "rejected", "", "received")


def _found(row: Row, data: dict[str, Any], record: EventRecord) -> None:
    row.update(upheld=int(bool(data.get("upheld"))), finding_reasons=data.get("reasons", ""))
    _move(row, "found", "", "received", "accepted")


def _ordered(row: Row, data: dict[str, Any], record: EventRecord) -> None:
    row.update(
        order_id=data.get("order_id", ""),
        requirements=data.get("requirements", ""),
        answer_due=data.get("answer_due", ""),
        answer_text="",
        answered_on="",
        answer_overdue=0,
    )


def _criticised(row: Row, data: dict[str, Any], record: EventRecord) -> None:
    row["criticism"] = data.get("text", "")


def _recommended(row: Row, data: dict[str, Any], record: EventRecord) -> None:
    row.update(accountability_body=data.get("body", ""), accountability_text=data.get("text", ""))


def _order_answered(row: Row, data: dict[str, Any], record: EventRecord) -> None:
    if data.get("order_id", "") == row["order_id"]:
        row.update(answer_text=data.get("text", ""), answered_on=record.occurred_on)


def _answer_late(row: Row, data: dict[str, Any], record: EventRecord) -> None:
    if data.get("order_id", "") == row["order_id"]:
        row["answer_overdue"] = 1


def _case_closed(row: Row, data: dict[str, Any], record: EventRecord) -> None:
    row.update(state="closed", closing_notice=data.get("notice", ""), closed_on=record.occurred_on)


_CASE_STEPS: dict[str, CaseStep] = {
    complaint.COMPLAINT_FILED: _filed,
    complaint.COMPLAINT_ACCEPTED: _case_accepted,
    complaint.COMPLAINT_REJECTED: _case_rejected,
    complaint.FINDING_MADE: _found,
    complaint.RECTIFICATION_ORDERED: _ordered,
    complaint.CRITICISM_NOTICE_ISSUED: _criticised,
    complaint.ACCOUNTABILITY_RECOMMENDED: _recommended,
    complaint.RECTIFICATION_ANSWER_RECEIVED: _order_answered,
    complaint.RECTIFICATION_ANSWER_OVERDUE: _answer_late,
    complaint.COMPLAINT_CLOSED: _case_closed,
}

#: Every event type the projection acts on (the query contract handles exactly these).
EVENT_TYPES = frozenset(_STEPS) | frozenset(_CASE_STEPS) | {review.CONSULTATION_ANSWERED}
