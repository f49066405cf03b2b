"""The supervision bureau's complaint cases, and an agency's answer to a rectification order."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ogi.v1 import complaint_pb2, review_pb2

from ogi_cli.arguments import whole_number
from ogi_cli.client import Clients
from ogi_cli.commands import as_dict, call, trace
from ogi_cli.helptext import listed
from ogi_cli.parser import APPLICATION_HELP, APPLICATION_ID, GROUPS, Commands
from ogi_cli.queryparser import add_case_list
from ogi_errors import InvalidInput
from ogi_law.labels import FINDINGS


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


def add_parsers(add: Commands) -> None:
    """`ogi case STEP COMPLAINT …` for the bureau; `ogi rectify APP` for the agency."""
    steps = Commands(add("case", GROUPS["case"][1]), "step")

    def step(name: str, run: Any, help_text: str) -> argparse.ArgumentParser:
        parser = steps(name, help_text, "complaint")
        parser.add_argument(
            "complaint_id", metavar="投诉编号", help="投诉编号（ogi complain 给出）"
        )
        parser.add_argument("--on", help="该步骤的日期（YYYY-MM-DD，默认今天）")
        parser.set_defaults(run=run)
        return parser

    add_case_list(steps)
    step("show", show, "投诉案件的全部情况：投诉人、监督机构的各项决定、被投诉机关的答复")
    step("accept", accept, "受理投诉").add_argument("--note", help="受理意见")
    step("reject", reject, "不予受理投诉，说明理由").add_argument(
        "--reasons", required=True, help="不予受理的理由"
    )
    step("investigate", investigate, "调取申请在各机关的全部办理记录，附入案卷")
    found = step("find", find, "作出调查结论")
    found.add_argument(
        "--upheld",
        required=True,
        choices=["yes", "no"],
        help=listed("投诉是否成立", {"yes": FINDINGS["upheld"], "no": FINDINGS["not_upheld"]}),
    )
    found.add_argument("--reasons", required=True, help="结论理由")
    ordered = step("order", order, "督促被投诉机关整改（第四十七条）")
    ordered.add_argument("--requirements", required=True, help="整改要求")
    ordered.add_argument(
        "--days", type=whole_number, help="机关报告整改情况的期限，工作日（默认 15）"
    )
    step("criticise", criticise, "通报批评（第四十七条）").add_argument(
        "--text", required=True, help="通报批评的内容"
    )
    recommended = step("recommend", recommend, "建议追究责任（第五十二条、第五十三条）")
    recommended.add_argument("--body", required=True, help="有权处理的机关")
    recommended.add_argument("--text", required=True, help="处理建议")
    step("close", close, "办结投诉，告知投诉人").add_argument(
        "--notice", required=True, help="告知投诉人的处理结果"
    )

    answer = add("rectify", GROUPS["rectify"][1], "review")
    answer.add_argument("application_id", metavar=APPLICATION_ID, help=APPLICATION_HELP)
    answer.add_argument("--order", required=True, help="整改通知编号")
    answer.add_argument("--text", required=True, help="整改情况")
    answer.add_argument("--on", help="答复日期（YYYY-MM-DD，默认今天）")
    answer.set_defaults(run=rectify)
