"""Rows of the read model as the messages of proto/ogi/v1/query.proto; the days left are counted
when asked, from today's legal date and the agency's working calendar."""

from __future__ import annotations

from datetime import date
from typing import Any

from ogi.v1 import query_pb2

from query.calendars import Calendars
from query.reads import Figures

Row = dict[str, Any]


def application_summary(
    row: Row, today: date, calendars: Calendars
) -> query_pb2.ApplicationSummary:
    refs = row["consulting"].split()
    open_ = bool(row["open"])
    past_due = open_ and bool(row["due_on"]) and row["due_on"] < today.isoformat()
    summary = query_pb2.ApplicationSummary(
        application_id=row["application_id"],
        agency=row["agency"],
        number=row["number"],
        office=row["office"],
        state=row["state"],
        open=open_,
        received_on=row["received_on"],
        due_on=row["due_on"],
        provisional=bool(row["provisional"]),
        overdue=past_due or (open_ and bool(row["overdue"])),
        waiting_correction=bool(row["waiting_correction"]),
        correct_by=row["correct_by"],
        waiting_fee=bool(row["waiting_fee"]),
        pay_by=row["pay_by"],
        waiting_consultation=bool(refs),
        consultation_refs=refs,
        applicant_type=row["applicant_type"],
        applicant_name=row["applicant_name"],
        applicant_id_doc=row["applicant_id_doc"],
        description=row["description"],
        outcome=row["outcome"],
        decision=row["decision"],
        letter_number=row["letter_number"],
        delivered_on=row["delivered_on"],
        forwarded_to=row["forwarded_to"],
        forwarded_from=row["forwarded_from"],
        reopened=bool(row["reopened"]),
        updated_on=row["updated_on"],
    )
    if open_:
        left = calendars.days_left(row["agency"], today, row["due_on"])
        if left is not None:
            summary.days_left = left
    if row["reply_days"] is not None:
        summary.reply_working_days = int(row["reply_days"])
    return summary


def consultation_summary(
    row: Row, today: date, calendars: Calendars
) -> query_pb2.ConsultationSummary:
    summary = query_pb2.ConsultationSummary(
        **{field: str(row[field]) for field in _CONSULTATION_FIELDS}
    )
    if not row["answered_on"]:
        left = calendars.days_left(row["to_agency"], today, row["answer_due"])
        if left is not None:
            summary.days_left = left
    return summary


_CONSULTATION_FIELDS = (
    "application_id",
    "from_agency",
    "ref",
    "to_agency",
    "organ",
    "description",
    "asked_on",
    "answer_due",
    "answer",
    "reasons",
    "answered_on",
)

_CASE_TEXT = (
    "complaint_id",
    "bureau",
    "application_id",
    "application_number",
    "against_agency",
    "ground",
    "text",
    "complainant",
    "filed_on",
    "state",
    "acceptance_note",
    "rejection_reasons",
    "finding_reasons",
    "order_id",
    "requirements",
    "answer_due",
    "answer_text",
    "answered_on",
    "criticism",
    "accountability_body",
    "accountability_text",
    "closing_notice",
    "closed_on",
    "updated_on",
)


def complaint_case(row: Row) -> query_pb2.ComplaintCaseSummary:
    case = query_pb2.ComplaintCaseSummary(
        **{field: str(row[field]) for field in _CASE_TEXT},
        answer_overdue=bool(row["answer_overdue"]),
    )
    if row["upheld"] is not None:
        case.upheld = bool(row["upheld"])
    return case


def overdue_report(row: Row) -> query_pb2.OverdueReportEntry:
    return query_pb2.OverdueReportEntry(
        **{
            field: str(row[field])
            for field in (
                "application_id",
                "agency",
                "number",
                "office",
                "state",
                "due_on",
                "reported_on",
            )
        }
    )


def agency_figures(figures: Figures) -> query_pb2.AgencyFigures:
    message = query_pb2.AgencyFigures(
        agency=figures.agency,
        open=figures.open,
        overdue=figures.overdue,
        replied=figures.replied,
    )
    if figures.median_reply_days is not None:
        message.median_reply_working_days = figures.median_reply_days
    return message
