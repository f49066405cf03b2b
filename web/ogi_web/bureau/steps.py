"""Every step of a complaint case the CLI has (`ogi case …`), as forms of the case file, each
building the request the CLI builds. Investigating attaches the application's whole trace, as
`ogi case investigate` does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from google.protobuf.message import Message
from ogi.v1 import complaint_pb2

from ogi_law.labels import FINDINGS
from ogi_web.forms import Input, Posted

Case = dict[str, Any]


@dataclass(frozen=True)
class Step:
    name: str
    title: str
    method: str
    inputs: tuple[Input, ...]
    build: Callable[[str, Posted], Message]
    shown: Callable[[Case], bool] = lambda case: True


def _on() -> Input:
    return Input("on", "日期", "date", hint="默认今天")


def _open(case: Case) -> bool:
    return case["state"] not in ("rejected", "closed")


def steps() -> tuple[Step, ...]:
    return (
        Step(
            "accept", "受理投诉", "AcceptComplaint", (Input("note", "受理意见", "textarea"), _on()),
            lambda cid, f: complaint_pb2.AcceptComplaintRequest(
                complaint_id=cid, note=f.text("note"), on=f.text("on")
            ),
            lambda case: case["state"] == "received",
        ),
        Step(
            "reject", "不予受理", "RejectComplaint",
            (Input("reasons", "不予受理的理由", "textarea", required=True), _on()),
            lambda cid, f: complaint_pb2.RejectComplaintRequest(
                complaint_id=cid, reasons=f.text("reasons"), on=f.text("on")
            ),
            lambda case: case["state"] == "received",
        ),
        Step(
            "investigate", "调取申请在各机关的全部办理记录，附入案卷", "AttachTrace", (_on(),),
            lambda cid, f: complaint_pb2.AttachTraceRequest(
                complaint_id=cid, trace_json=f.text("trace_json"), on=f.text("on")
            ),
            lambda case: _open(case) and bool(case["application_id"]),
        ),
        Step(
            "find", "作出调查结论", "RecordFinding",
            (
                Input("upheld", "投诉是否成立", "radio",
                      {"yes": FINDINGS["upheld"], "no": FINDINGS["not_upheld"]}, required=True),
                Input("reasons", "结论理由", "textarea", required=True),
                _on(),
            ),
            lambda cid, f: complaint_pb2.RecordFindingRequest(
                complaint_id=cid, upheld=f.text("upheld") == "yes", reasons=f.text("reasons"),
                on=f.text("on"),
            ),
            _open,
        ),
        Step(
            "order", "督促整改（第四十七条）", "OrderRectification",
            (
                Input("requirements", "整改要求", "textarea", required=True),
                Input("answer_days", "报告整改情况的期限（工作日，默认 15）", "number"),
                _on(),
            ),
            lambda cid, f: complaint_pb2.OrderRectificationRequest(
                complaint_id=cid, requirements=f.text("requirements"),
                answer_days=f.number("answer_days"), on=f.text("on"),
            ),
            _open,
        ),
        Step(
            "criticise", "通报批评（第四十七条）", "IssueCriticism",
            (Input("text", "通报批评的内容", "textarea", required=True), _on()),
            lambda cid, f: complaint_pb2.IssueCriticismRequest(
                complaint_id=cid, text=f.text("text"), on=f.text("on")
            ),
            _open,
        ),
        Step(
            "recommend", "建议追究责任（第五十二条、第五十三条）", "RecommendAccountability",
            (
                Input("body", "有权处理的机关", required=True),
                Input("text", "处理建议", "textarea", required=True),
                _on(),
            ),
            lambda cid, f: complaint_pb2.RecommendAccountabilityRequest(
                complaint_id=cid, body=f.text("body"), text=f.text("text"), on=f.text("on")
            ),
            _open,
        ),
        Step(
            "close", "办结投诉，告知投诉人", "CloseComplaint",
            (Input("notice", "告知投诉人的处理结果", "textarea", required=True), _on()),
            lambda cid, f: complaint_pb2.CloseComplaintRequest(
                complaint_id=cid, notice=f.text("notice"), on=f.text("on")
            ),
            _open,
        ),
    )  # fmt: skip


def step(name: str) -> Step | None:
    return next((s for s in steps() if s.name == name), None)
