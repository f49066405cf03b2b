"""The supervision bureau's complaint cases, and an agency's answer to a rectification order."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ogi.v1 import complaint_pb2, review_pb2

from ogi_cli.arguments import whole_number
from ogi_cli.client import Clients
from ogi_cli.commands import as_dict, call, trace
from ogi_errors import InvalidInput


def _case(clients: Clients, method: str, request: Any) -> dict[str, Any]:
    return as_dict(call(clients, "complaint", method, request).complaint)


def show(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    request = complaint_pb2.GetComplaintRequest(complaint_id=args.complaint_id)
    return _case(clients, "GetComplaint", request)


def accept(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    request = complaint_pb2.AcceptComplaintRequest(
        complaint_id=args.complaint_id, note=args.note or "", on=args.on or ""
    )
    return _case(clients, "AcceptComplaint", request)


def reject(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    request = complaint_pb2.RejectComplaintRequest(
        complaint_id=args.complaint_id, reasons=args.reasons, on=args.on or ""
    )
    return _case(clients, "RejectComplaint", request)


def investigate(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    """Attach the application's full cross-agency trace to the case file."""
    case = show(clients, args)
    if not case["application_id"]:
        raise InvalidInput(
            "complaint_id", "names no application: there is no trace; record the finding"
        )
    history = trace(clients, argparse.Namespace(application_id=case["application_id"]))
    request = complaint_pb2.AttachTraceRequest(
        complaint_id=args.complaint_id,
        trace_json=json.dumps(history, ensure_ascii=False),
        on=args.on or "",
    )
    return _case(clients, "AttachTrace", request) | {"trace_events": len(history["events"])}


def find(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    request = complaint_pb2.RecordFindingRequest(
        complaint_id=args.complaint_id,
        upheld=args.upheld == "yes",
        reasons=args.reasons,
        on=args.on or "",
    )
    return _case(clients, "RecordFinding", request)


def order(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    request = complaint_pb2.OrderRectificationRequest(
        complaint_id=args.complaint_id,
        requirements=args.requirements,
        answer_days=args.days or 0,
        on=args.on or "",
    )
    reply = call(clients, "complaint", "OrderRectification", request)
    return {"order_id": reply.order_id} | as_dict(reply.complaint)


def criticise(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    request = complaint_pb2.IssueCriticismRequest(
        complaint_id=args.complaint_id, text=args.text, on=args.on or ""
    )
    return _case(clients, "IssueCriticism", request)


def recommend(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    request = complaint_pb2.RecommendAccountabilityRequest(
        complaint_id=args.complaint_id, body=args.body, text=args.text, on=args.on or ""
    )
    return _case(clients, "RecommendAccountability", request)


def close(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    request = complaint_pb2.CloseComplaintRequest(
        complaint_id=args.complaint_id, notice=args.notice, on=args.on or ""
    )
    return _case(clients, "CloseComplaint", request)


def rectify(clients: Clients, args: argparse.Namespace) -> dict[str, Any]:
    """The agency's answer to the bureau's rectification order."""
    request = review_pb2.AnswerRectificationRequest(
        application_id=args.application_id,
        order_id=args.order,
        text=args.text,
        answered_on=args.on or "",
    )
    return as_dict(call(clients, "review", "AnswerRectification", request).review)


def add_parsers(sub: Any, common: argparse.ArgumentParser) -> None:
    """`ogi case STEP COMPLAINT …` for the bureau; `ogi rectify APP` for the agency."""
    case = sub.add_parser("case", parents=[common], help="the bureau's complaint cases")
    steps = case.add_subparsers(dest="step", required=True, parser_class=type(case))

    def step(name: str, run: Any, help_text: str) -> argparse.ArgumentParser:
        parser: argparse.ArgumentParser = steps.add_parser(name, parents=[common], help=help_text)
        parser.add_argument("complaint_id")
        parser.add_argument("--on", help="date of the step (default today)")
        parser.set_defaults(run=run)
        return parser

    step("show", show, "the case")
    step("accept", accept, "accept the complaint").add_argument("--note")
    step("reject", reject, "reject it, with reasons").add_argument("--reasons", required=True)
    step("investigate", investigate, "attach the application's full trace")
    found = step("find", find, "the finding")
    found.add_argument("--upheld", required=True, choices=["yes", "no"])
    found.add_argument("--reasons", required=True)
    ordered = step("order", order, "order the agency to rectify (督促整改)")
    ordered.add_argument("--requirements", required=True)
    ordered.add_argument("--days", type=whole_number, help="working days to answer (default 15)")
    step("criticise", criticise, "notice of criticism (通报批评)").add_argument(
        "--text", required=True
    )
    recommended = step("recommend", recommend, "recommend accountability")
    recommended.add_argument("--body", required=True, help="the body with power to act")
    recommended.add_argument("--text", required=True)
    step("close", close, "close, with notice to the complainant").add_argument(
        "--notice", required=True
    )

    answer = sub.add_parser("rectify", parents=[common], help="answer a rectification order")
    answer.add_argument("application_id")
    answer.add_argument("--order", required=True)
    answer.add_argument("--text", required=True)
    answer.add_argument("--on")
    answer.set_defaults(run=rectify)
