"""Commands for the statutory lifecycle: correction, secrecy review, consultations, extension,
a set reply date, fees, the clock, the reply letter's printing, and working-day arithmetic."""

from __future__ import annotations

import argparse
import os
from datetime import date
from pathlib import Path
from typing import Any

from ogi.v1 import intake_pb2, reply_pb2, review_pb2

from ogi_cli.client import Clients
from ogi_cli.commands import as_dict, call
from ogi_law.calendar import WorkingCalendar
from ogi_law.dates import parse_date


def request_correction(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    request = intake_pb2.RequestCorrectionRequest(
        application_id=args.application_id,
        items=args.item,
        period_days=args.period or 0,
        notice_on=args.on or "",
        late_reason=args.late_reason or "",
    )
    return as_dict(call(clients, "intake", "RequestCorrection", request).application)


def record_correction(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    request = intake_pb2.RecordCorrectionRequest(
        application_id=args.application_id,
        description=args.description or "",
        corrected_on=args.on or "",
        good_reason=args.good_reason or "",
    )
    return as_dict(call(clients, "intake", "RecordCorrection", request).application)


def secrecy(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    request = review_pb2.ReviewSecrecyRequest(
        application_id=args.application_id,
        result=args.result,
        note=args.note or "",
        reviewed_on=args.on or "",
    )
    return as_dict(call(clients, "review", "ReviewSecrecy", request).review)


def consult(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    kind, party = ("organ", args.organ) if args.organ else ("third_party", args.third_party)
    request = review_pb2.ConsultRequest(
        application_id=args.application_id, kind=kind, party=party or "", sent_on=args.on or ""
    )
    reply = call(clients, "review", "Consult", request)
    return {"ref": reply.ref} | as_dict(reply.review)


def answer(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    request = review_pb2.RecordConsultationAnswerRequest(
        application_id=args.application_id,
        ref=args.ref,
        answer=args.answer,
        reasons=args.reasons or "",
        answered_on=args.on or "",
    )
    return as_dict(call(clients, "review", "RecordConsultationAnswer", request).review)


def answer_consultation(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    request = review_pb2.AnswerConsultationRequest(
        agency=args.agency,
        application_id=args.application_id,
        from_agency=args.from_agency,
        ref=args.ref,
        answer=args.answer,
        reasons=args.reasons or "",
        answered_on=args.on or "",
    )
    return as_dict(call(clients, "review", "AnswerConsultation", request))


def extend(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    request = review_pb2.ExtendRequest(
        application_id=args.application_id,
        working_days=args.days,
        approved_by=args.approved_by,
        approver_role=args.role,
        reason=args.reason,
        notified_on=args.notified_on or "",
    )
    return as_dict(call(clients, "review", "Extend", request).review)


def set_reply_date(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    request = review_pb2.SetReplyDateRequest(
        application_id=args.application_id, due_on=args.due, reason=args.reason
    )
    return as_dict(call(clients, "review", "SetReplyDate", request).review)


def fee(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    request = review_pb2.AssessFeeRequest(
        application_id=args.application_id,
        method=args.method,
        pages=args.pages or 0,
        notice_on=args.on or "",
    )
    return as_dict(call(clients, "review", "AssessFee", request).review)


def fee_paid(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    request = review_pb2.RecordFeePaymentRequest(
        application_id=args.application_id, paid_on=args.on or ""
    )
    return as_dict(call(clients, "review", "RecordFeePayment", request).review)


def reply_printed(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    request = reply_pb2.RecordPrintingRequest(
        application_id=args.application_id, copies=args.copies, printed_on=args.on or ""
    )
    return as_dict(call(clients, "reply", "RecordPrinting", request).reply)


def clock(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    request = reply_pb2.GetClockRequest(application_id=args.application_id)
    return {"application_id": args.application_id} | as_dict(
        call(clients, "reply", "GetClock", request).clock
    )


def due(args: argparse.Namespace) -> dict[str, Any]:
    """The date N working days after a receipt date (the receipt day not counted)."""
    received = parse_date("received_on", args.received_on)
    folder = os.environ.get("OGI_CALENDAR_DIR")
    calendar = WorkingCalendar.load(Path(folder) if folder else None, args.agency)
    result = calendar.add_working_days(received, args.working_days)
    return {
        "received_on": received.isoformat(),
        "working_days": args.working_days,
        "due_on": result.date.isoformat(),
        "weekday": ["一", "二", "三", "四", "五", "六", "日"][result.date.weekday()],
        "provisional": result.provisional,
        "published_years": [y for y in calendar.years_published() if y >= date.today().year - 1],
    }
