"""The rows of the read model: their columns and the values a new row starts with.

A row is a plain dict (column -> value), as a database row reads. Dates are ISO strings ("" when
there is none), flags are 0 or 1, so that both databases store and compare them alike.
"""

from __future__ import annotations

from typing import Any

#: The states of an application at one agency. Open: the agency still has to act.
OPEN_STATES = ("received", "accepted", "awaiting_correction", "under_review", "decided")
#: Settled: replied (the letter delivered, Art. 40), closed after the reply, withdrawn by the
#: applicant, lapsed (no correction in time, Art. 30), unpaid (no fee in time, Art. 42),
#: forwarded to the agency that holds the information (Art. 36(5) handling).
SETTLED_STATES = ("replied", "closed", "withdrawn", "lapsed", "unpaid", "forwarded")
STATES = OPEN_STATES + SETTLED_STATES

#: The states of a complaint case at the supervision bureau (Art. 47, 51).
COMPLAINT_STATES = ("received", "accepted", "rejected", "found", "closed")

#: The services whose events make an application's row, each with the position (in that
#: service's store of the row's agency) of the last event applied: an event at or below it was
#: applied already (a republish after the bus's duplicate window) and changes nothing.
ROW_SERVICES = ("intake", "routing", "review", "reply")

#: Sorts after every due date: rows without one (awaiting correction) come last.
NO_DUE_DATE = "9999-12-31"

APPLICATION_DEFAULTS: dict[str, Any] = {
    "application_id": "",
    "agency": "",
    "number": "",
    "office": "",
    "state": "",
    "received_on": "",
    "due_on": "",
    "provisional": 0,
    "overdue": 0,
    "waiting_correction": 0,
    "correct_by": "",
    "waiting_fee": 0,
    "pay_by": "",
    #: The refs of the consultations (third party, Art. 32; organ, Art. 34) still unanswered,
    #: separated by spaces: the clock is paused while there is one.
    "consulting": "",
    "applicant_type": "",
    "applicant_name": "",
    "applicant_id_doc": "",
    "description": "",
    "outcome": "",
    #: The decision's reasons (searchable with the description and the applicant's name).
    "decision": "",
    "letter_number": "",
    "delivered_on": "",
    #: Working days from receipt to the reply's delivery (None: not replied).
    "reply_days": None,
    "forwarded_to": "",
    "forwarded_from": "",
    "reopened": 0,
    "updated_on": "",
    **{f"seen_{service}": 0 for service in ROW_SERVICES},
}
#: Columns the writer derives from the others (``derived``).
DERIVED_COLUMNS = ("open", "due_sort")
APPLICATION_COLUMNS = ("id", *APPLICATION_DEFAULTS, *DERIVED_COLUMNS)
#: What full-text search looks at.
SEARCHED_COLUMNS = ("description", "applicant_name", "decision")

COMPLAINT_DEFAULTS: dict[str, Any] = {
    "complaint_id": "",
    "bureau": "",
    "application_id": "",
    "against_agency": "",
    "ground": "",
    "text": "",
    "complainant": "",
    "filed_on": "",
    "state": "",
    "acceptance_note": "",
    "rejection_reasons": "",
    #: 1 upheld, 0 not upheld, None: no finding yet.
    "upheld": None,
    "finding_reasons": "",
    "order_id": "",
    "requirements": "",
    "answer_due": "",
    "answer_text": "",
    "answered_on": "",
    "answer_overdue": 0,
    "criticism": "",
    "accountability_body": "",
    "accountability_text": "",
    "closing_notice": "",
    "closed_on": "",
    "updated_on": "",
    "seen": 0,
}
COMPLAINT_COLUMNS = tuple(COMPLAINT_DEFAULTS)

CONSULTATION_DEFAULTS: dict[str, Any] = {
    "application_id": "",
    #: The agency that consults (it handles the application).
    "from_agency": "",
    "ref": "",
    #: The agency consulted, when the organ is one of them ("" for another organ).
    "to_agency": "",
    "organ": "",
    "description": "",
    "asked_on": "",
    "answer_due": "",
    "answer": "",
    "reasons": "",
    "answered_on": "",
}
CONSULTATION_COLUMNS = tuple(CONSULTATION_DEFAULTS)

OVERDUE_COLUMNS = ("application_id", "agency", "due_on", "reported_on")


def new_application(application_id: str, agency: str) -> dict[str, Any]:
    return APPLICATION_DEFAULTS | {"application_id": application_id, "agency": agency}


def new_complaint(complaint_id: str) -> dict[str, Any]:
    return COMPLAINT_DEFAULTS | {"complaint_id": complaint_id}


def new_consultation(application_id: str, from_agency: str, ref: str) -> dict[str, Any]:
    return CONSULTATION_DEFAULTS | {
        "application_id": application_id,
        "from_agency": from_agency,
        "ref": ref,
    }


def derived(row: dict[str, Any]) -> dict[str, Any]:
    """The row with the columns its indexes sort and filter by."""
    return row | {
        "open": int(row["state"] in OPEN_STATES),
        "due_sort": row["due_on"] or NO_DUE_DATE,
    }


def search_text(row: dict[str, Any]) -> str:
    """The text full-text search looks at, before segmentation."""
    return " ".join(str(row[column]) for column in SEARCHED_COLUMNS if row[column])
