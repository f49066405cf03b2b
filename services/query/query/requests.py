"""Requests checked and turned into the read model's filters: bad input is ``InvalidInput``
naming the field (INVALID_ARGUMENT), as everywhere at the gRPC boundary."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from ogi.v1 import query_pb2

from ogi_errors import InvalidInput
from ogi_law.calendar import CalendarError
from ogi_law.dates import parse_date
from ogi_law.rules import APPLICANT_TYPES, OUTCOMES, choose
from query.calendars import Calendars
from query.paging import Order
from query.reads import BY_DUE_DATE, BY_RECEIPT, ApplicationFilter
from query.rows import COMPLAINT_STATES, OPEN_STATES, STATES

SORTS = {"due": BY_DUE_DATE, "received": BY_RECEIPT}
#: The most working days ahead a list may look for due dates (a year's).
MAX_DUE_WITHIN = 250


def states_of(field: str, states: Sequence[str], allowed: Sequence[str]) -> tuple[str, ...]:
    for index, state in enumerate(states):
        if state not in allowed:
            raise InvalidInput(f"{field}[{index}]", f"{state!r} is not one of {', '.join(allowed)}")
    return tuple(dict.fromkeys(states))


def complaint_states(states: Sequence[str]) -> tuple[str, ...]:
    return states_of("states", states, COMPLAINT_STATES)


def optional_date(field: str, value: str) -> str:
    return parse_date(field, value).isoformat() if value else ""


def sort_of(sort: str) -> Order:
    return SORTS[choose("sort", sort, SORTS, default="due")]


def application_filter(
    request: query_pb2.ListApplicationsRequest,
    agencies: tuple[str, ...],
    today: date,
    calendars: Calendars,
) -> ApplicationFilter:
    """What ``ListApplications`` lists, of the given agencies (empty: every agency)."""
    states: tuple[str, ...] = ()
    if not request.all_states:
        states = states_of("states", request.states, STATES) or OPEN_STATES
    received_from = optional_date("received_from", request.received_from)
    received_to = optional_date("received_to", request.received_to)
    if received_from and received_to and received_from > received_to:
        raise InvalidInput("received_to", "is before received_from")
    return ApplicationFilter(
        agencies=agencies,
        states=states,
        office=request.office,
        overdue=request.overdue,
        today=today.isoformat(),
        due_by=_due_by(request, agencies, today, calendars),
        waiting_correction=request.waiting_correction,
        waiting_fee=request.waiting_fee,
        waiting_consultation=request.waiting_consultation,
        received_from=received_from,
        received_to=received_to,
        applicant_type=(
            choose("applicant_type", request.applicant_type, APPLICANT_TYPES)
            if request.applicant_type
            else ""
        ),
        applicant_id_doc=request.applicant_id_doc.strip(),
        outcome=choose("outcome", request.outcome, OUTCOMES) if request.outcome else "",
    )


def _due_by(
    request: query_pb2.ListApplicationsRequest,
    agencies: tuple[str, ...],
    today: date,
    calendars: Calendars,
) -> str:
    """The last due date within ``due_within_days`` working days of today, by the calendar of
    the agency listed (of the whole country, for a list of several)."""
    if not request.HasField("due_within_days"):
        return ""
    days = request.due_within_days
    if not 0 <= days <= MAX_DUE_WITHIN:
        raise InvalidInput("due_within_days", f"must be from 0 to {MAX_DUE_WITHIN} working days")
    try:
        return calendars.due_by(agencies[0] if len(agencies) == 1 else "", today, days).isoformat()
    except CalendarError as error:
        raise InvalidInput("due_within_days", str(error)) from None
