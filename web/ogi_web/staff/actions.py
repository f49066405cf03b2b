"""Every action on an application the CLI has, as forms of the case file: each names the
service and method it calls and builds the same request the CLI builds, so it meets the same
validation and errors (shown beside the field the service names). ``shown`` says when the case
file offers it; the service decides whether it may be done."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from google.protobuf.message import Message
from ogi.v1 import intake_pb2, reply_pb2, review_pb2, routing_pb2

from ogi_cli.registry import registry
from ogi_law.labels import (
    CONSULTATION_KINDS,
    DELIVERY_METHODS,
    EXTENSION_APPROVER_ROLES,
    FEE_METHODS,
    FORMS,
    GROUNDS,
    ORGAN_ANSWERS,
    OUTCOME_LABELS,
    SECRECY_RESULTS,
    THIRD_PARTY_ANSWERS,
    ground_label,
    outcome_label,
)
from ogi_web.forms import Input, Posted

CaseFile = dict[str, Any]
Build = Callable[[str, Posted], Message]

ANSWERS = {
    **{f"{code}": f"第三方：{text}" for code, text in THIRD_PARTY_ANSWERS.items()},
    **{code: f"其他机关：{text}" for code, text in ORGAN_ANSWERS.items() if code != "consent"},
}
ANSWERS["consent"] = "同意公开"


@dataclass(frozen=True)
class Action:
    name: str
    title: str
    service: str
    method: str
    inputs: tuple[Input, ...]
    build: Build
    shown: Callable[[CaseFile], bool] = lambda case: True


def _on(name: str, label: str) -> Input:
    return Input(name, label, "date", hint="默认今天")


def _review_open(case: CaseFile) -> bool:
    return bool(case.get("review")) and case["review"]["state"] == "open"


def _no_reply(case: CaseFile) -> bool:
    return case["intake"]["state"] != "withdrawn" and not case.get("reply")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _agencies() -> dict[str, str]:
    return {a.code: a.name for a in registry().all()}


def actions() -> tuple[Action, ...]:
    """The actions, in the order the case file lists them."""
    outcomes = {code: outcome_label(code) for code in OUTCOME_LABELS}
    grounds = {code: ground_label(code) for code in GROUNDS}
    return (
        Action(
            "correction", "一次性告知补正（第三十条）", "intake", "RequestCorrection",
            (
                Input("items", "需要补正的事项（每行一项）", "textarea", required=True),
                Input("period_days", "补正期限（工作日）", "number", default="15"),
                _on("notice_on", "告知日期"),
                Input("late_reason", "收到申请 7 个工作日后才告知的理由"),
            ),
            lambda app, f: intake_pb2.RequestCorrectionRequest(
                application_id=app, items=_lines(f.text("items")),
                period_days=f.number("period_days"), notice_on=f.text("notice_on"),
                late_reason=f.text("late_reason"),
            ),
            lambda case: _no_reply(case) and not case["intake"]["correction_items"],
        ),
        Action(
            "corrected", "收到补正（第三十条）", "intake", "RecordCorrection",
            (
                Input("description", "补正后的内容描述（不填则不变）", "textarea"),
                _on("corrected_on", "收到补正的日期"),
                Input("good_reason", "超过补正期限仍予受理的正当理由"),
            ),
            lambda app, f: intake_pb2.RecordCorrectionRequest(
                application_id=app, description=f.text("description"),
                corrected_on=f.text("corrected_on"), good_reason=f.text("good_reason"),
            ),
            lambda case: bool(case["intake"]["correction_items"]) and _no_reply(case),
        ),
        Action(
            "secrecy", "保密审查（第十七条）", "review", "ReviewSecrecy",
            (
                Input("result", "审查结果", "radio", SECRECY_RESULTS, required=True),
                Input("note", "说明"),
                _on("reviewed_on", "审查日期"),
            ),
            lambda app, f: review_pb2.ReviewSecrecyRequest(
                application_id=app, result=f.text("result"), note=f.text("note"),
                reviewed_on=f.text("reviewed_on"),
            ),
            _review_open,
        ),
        Action(
            "consult", "征求第三方或者其他机关的意见（第三十二条、第三十四条）", "review",
            "Consult",
            (
                Input("kind", "类型", "radio", CONSULTATION_KINDS, required=True),
                Input("party", "征求对象", required=True,
                      hint="第三方的名称；其他机关填机关代码（如 natural-resources-bureau）"),
                _on("sent_on", "发出日期"),
            ),
            lambda app, f: review_pb2.ConsultRequest(
                application_id=app, kind=f.text("kind"), party=f.text("party"),
                sent_on=f.text("sent_on"),
            ),
            _review_open,
        ),
        Action(
            "answer", "记录征求意见的答复", "review", "RecordConsultationAnswer",
            (
                Input("ref", "征求意见编号", required=True),
                Input("answer", "意见", "select", ANSWERS, required=True),
                Input("reasons", "理由（不同意公开的须说明）", "textarea"),
                _on("answered_on", "答复日期"),
            ),
            lambda app, f: review_pb2.RecordConsultationAnswerRequest(
                application_id=app, ref=f.text("ref"), answer=f.text("answer"),
                reasons=f.text("reasons"), answered_on=f.text("answered_on"),
            ),
            lambda case: _review_open(case)
            and any(not c["answer"] for c in case["review"]["consultations"]),
        ),
        Action(
            "extend", "延长答复期限（第三十三条，仅限一次，最长 20 个工作日）", "review", "Extend",
            (
                Input("working_days", "延长的工作日数", "number", required=True),
                Input("approved_by", "批准人", required=True),
                Input("approver_role", "批准人的职务", "select", EXTENSION_APPROVER_ROLES,
                      required=True, default="head_of_ogi_office"),
                Input("reason", "延长理由", "textarea", required=True),
                _on("notified_on", "告知申请人的日期"),
            ),
            lambda app, f: review_pb2.ExtendRequest(
                application_id=app, working_days=f.number("working_days"),
                approved_by=f.text("approved_by"), approver_role=f.text("approver_role"),
                reason=f.text("reason"), notified_on=f.text("notified_on"),
            ),
            lambda case: _review_open(case) and not case["review"]["extension_days"],
        ),
        Action(
            "reply_date", "确定较晚的答复日期（第三十五条）", "review", "SetReplyDate",
            (
                Input("due_on", "答复日期", "date", required=True),
                Input("reason", "理由", "textarea", required=True),
            ),
            lambda app, f: review_pb2.SetReplyDateRequest(
                application_id=app, due_on=f.text("due_on"), reason=f.text("reason")
            ),
            _review_open,
        ),
        Action(
            "fee", "发出收费通知（第四十二条）", "review", "AssessFee",
            (
                Input("method", "收费方式", "select", FEE_METHODS, required=True),
                Input("pages", "页数（按量计收时）", "number"),
                _on("notice_on", "通知日期"),
            ),
            lambda app, f: review_pb2.AssessFeeRequest(
                application_id=app, method=f.text("method"), pages=f.number("pages"),
                notice_on=f.text("notice_on"),
            ),
            lambda case: _review_open(case) and not case["review"]["fee_method"],
        ),
        Action(
            "fee_paid", "申请人已缴费（第四十二条）", "review", "RecordFeePayment",
            (_on("paid_on", "缴费日期"),),
            lambda app, f: review_pb2.RecordFeePaymentRequest(
                application_id=app, paid_on=f.text("paid_on")
            ),
            lambda case: _review_open(case)
            and bool(case["review"]["fee_method"])
            and not case["review"]["fee_paid"],
        ),
        Action(
            "decide", "作出答复决定（第三十六条至第三十九条）", "review", "Decide",
            (
                Input("outcome", "办理结果", "select", outcomes, required=True),
                Input("grounds", "不予公开的理由（不予公开、部分公开时必选）", "checks", grounds),
                Input("reason", "说明理由", "textarea"),
                Input("form_of_provision", "提供信息的形式（第四十条，默认按申请）", "select",
                      FORMS),
                Input("competent_organ", "负责公开该信息的机关（第三十六条第（五）项）"),
                Input("competent_organ_contact", "该机关的联系方式"),
                Input("where_published", "获取途径（已主动公开时）"),
                _on("decided_on", "决定日期"),
                Input("public_interest_reason",
                      "第三方不同意公开而决定公开的理由（第三十二条）", "textarea"),
            ),
            lambda app, f: review_pb2.DecideRequest(
                application_id=app, outcome=f.text("outcome"), grounds=f.many("grounds"),
                reason=f.text("reason"), form_of_provision=f.text("form_of_provision"),
                competent_organ=f.text("competent_organ"),
                competent_organ_contact=f.text("competent_organ_contact"),
                where_published=f.text("where_published"), decided_on=f.text("decided_on"),
                public_interest_reason=f.text("public_interest_reason"),
            ),
            _review_open,
        ),
        Action(
            "print", "打印答复书", "reply", "RecordPrinting",
            (
                Input("copies", "份数（1 至 100）", "number", required=True, default="1"),
                _on("printed_on", "打印日期"),
            ),
            lambda app, f: reply_pb2.RecordPrintingRequest(
                application_id=app, copies=f.number("copies"), printed_on=f.text("printed_on")
            ),
            lambda case: bool(case.get("reply")),
        ),
        Action(
            "deliver", "记录答复书送达（第四十条）", "reply", "RecordDelivery",
            (
                Input("method", "送达方式", "select", DELIVERY_METHODS, required=True,
                      default="online"),
                _on("delivered_on", "法定送达日期"),
            ),
            lambda app, f: reply_pb2.RecordDeliveryRequest(
                application_id=app, method=f.text("method"), delivered_on=f.text("delivered_on")
            ),
            lambda case: bool(case.get("reply")) and not case["reply"]["delivered_on"],
        ),
        Action(
            "forward", "转送掌握该信息的机关", "routing", "ForwardApplication",
            (
                Input("to_agency", "转送至", "select", _agencies(), required=True),
                Input("reason", "转送理由", "textarea", required=True),
                _on("forwarded_on", "转送日期"),
            ),
            lambda app, f: routing_pb2.ForwardApplicationRequest(
                application_id=app, to_agency=f.text("to_agency"), reason=f.text("reason"),
                forwarded_on=f.text("forwarded_on"),
            ),
            _no_reply,
        ),
        Action(
            "reassign", "改派承办科室", "routing", "ReassignApplication",
            (Input("office", "承办科室", required=True), Input("reason", "改派理由")),
            lambda app, f: routing_pb2.ReassignApplicationRequest(
                application_id=app, office=f.text("office"), reason=f.text("reason")
            ),
            _no_reply,
        ),
        Action(
            "withdraw", "申请人撤回申请", "intake", "WithdrawApplication",
            (Input("reason", "撤回理由"), _on("withdrawn_on", "撤回日期")),
            lambda app, f: intake_pb2.WithdrawApplicationRequest(
                application_id=app, reason=f.text("reason"), withdrawn_on=f.text("withdrawn_on")
            ),
            _no_reply,
        ),
        Action(
            "rectify", "答复督促整改通知（第四十七条）", "review", "AnswerRectification",
            (
                Input("order_id", "整改通知编号", required=True),
                Input("text", "整改情况", "textarea", required=True),
                _on("answered_on", "答复日期"),
            ),
            lambda app, f: review_pb2.AnswerRectificationRequest(
                application_id=app, order_id=f.text("order_id"), text=f.text("text"),
                answered_on=f.text("answered_on"),
            ),
            lambda case: bool((case.get("review") or {}).get("rectification_order")),
        ),
    )  # fmt: skip


def action(name: str) -> Action | None:
    return next((a for a in actions() if a.name == name), None)
