"""`ogi case show`: the complaint service's view of a case carries everything the bureau decided
(acceptance note, finding and its reasons, the order's requirements, answer date and the
agency's answer, criticism, accountability recommendation, closing notice) and whom to tell (the
complainant's name and contact); the CLI prints it in Chinese. In memory."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from google.protobuf import json_format
from inmemory import APP_ID, InMemoryService

from complaint.api import view
from complaint.application import ComplaintApplication
from complaint.commands import (
    AcceptComplaint,
    AttachTrace,
    CloseComplaint,
    FileComplaint,
    IssueCriticism,
    OrderRectification,
    RecommendAccountability,
    RecordFinding,
    RejectComplaint,
)
from complaint.handlers import handlers
from ogi_cli.output import text

BUREAU, RESOURCES = "supervision-bureau", "natural-resources-bureau"
STAFF = f"staff:clerk@{BUREAU}"
ON = date(2026, 11, 9)


@pytest.fixture
def bureau(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemoryService[ComplaintApplication]]:
    service = InMemoryService(ComplaintApplication, handlers, monkeypatch, BUREAU)
    service.hear("ApplicationAccepted", "intake", "2026-09-28", agency=RESOURCES,
                 application={"application_number": "ZRZY-2026-00001",
                              "received_on": "2026-09-28"})  # fmt: skip
    yield service
    service.app.close()


def shown(bureau: InMemoryService[ComplaintApplication], case: str) -> dict[str, Any]:
    """The case as `ogi case show --json` prints it."""
    return json_format.MessageToDict(
        view(bureau.app.complaint(case)),
        preserving_proto_field_name=True,
        always_print_fields_with_no_presence=True,
    )


def file(bureau: InMemoryService[ComplaintApplication]) -> str:
    complaint = FileComplaint(
        actor="complainant:李四", on=ON, application_id=APP_ID, against_agency=None,
        ground="overdue", text="逾期未答复", complainant="李四",
        complainant_contact="13900139000，李四收",
    )  # fmt: skip
    return bureau.handle(complaint).complaint_id


def test_the_case_file_holds_every_decision_and_whom_to_tell(
    bureau: InMemoryService[ComplaintApplication],
) -> None:
    case = file(bureau)
    for step in (
        AcceptComplaint(actor=STAFF, on=ON, complaint_id=case, note="符合受理条件"),
        AttachTrace(actor=STAFF, on=ON, complaint_id=case, trace_json="[]", event_count=9),
        RecordFinding(actor=STAFF, on=ON, complaint_id=case, upheld=True, reasons="超过法定期限"),
        OrderRectification(actor=STAFF, on=ON, complaint_id=case, requirements="重新答复",
                           answer_days=15),
    ):  # fmt: skip
        bureau.handle(step)
    order = f"{case}-R1"
    bureau.hear("RectificationAnswered", "review", "2026-11-20", agency=RESOURCES,
                to_agency=BUREAU, order_id=order, complaint_id=case, text="已重新答复")  # fmt: skip
    for later in (
        IssueCriticism(actor=STAFF, on=ON, complaint_id=case, text="予以通报批评"),
        RecommendAccountability(actor=STAFF, on=ON, complaint_id=case, body="市监察委员会",
                                text="建议追究有关人员责任"),
        CloseComplaint(actor=STAFF, on=date(2026, 11, 23), complaint_id=case,
                       notice="经督促，被投诉机关已重新答复"),
    ):  # fmt: skip
        bureau.handle(later)

    case_file = shown(bureau, case)
    assert {k: case_file[k] for k in (
        "complainant", "complainant_contact", "acceptance_note", "finding_reasons", "criticisms",
        "recommendations", "closing_notice", "rejection_reasons",
    )} == {
        "complainant": "李四", "complainant_contact": "13900139000，李四收",
        "acceptance_note": "符合受理条件", "finding_reasons": "超过法定期限",
        "criticisms": ["予以通报批评"],
        "recommendations": [{"body": "市监察委员会", "text": "建议追究有关人员责任"}],
        "closing_notice": "经督促，被投诉机关已重新答复", "rejection_reasons": "",
    }  # fmt: skip
    [ordered] = case_file["orders"]
    assert ordered == {
        "order_id": order, "answer_due": "2026-11-30", "answer": "已重新答复",
        "answer_late": False, "requirements": "重新答复", "answered_on": "2026-11-20",
    }  # fmt: skip

    printed = text("complaint", case_file)
    for line in (
        "状态            已办结",
        "被投诉机关      市自然资源和规划局（natural-resources-bureau）",
        "投诉事由        逾期未答复",
        "投诉人          李四",
        "投诉人联系方式  13900139000，李四收",
        "受理意见        符合受理条件",
        "调查结论        投诉成立",
        "结论理由        超过法定期限",
        "通报批评        予以通报批评",
        "办结告知        经督促，被投诉机关已重新答复",
    ):
        assert line in printed.splitlines(), (line, printed)
    assert f"{order}  重新答复  2026年11月30日  已重新答复  2026年11月20日" in printed
    assert "市监察委员会    建议追究有关人员责任" in printed


def test_a_rejected_case_shows_why_and_no_finding(
    bureau: InMemoryService[ComplaintApplication],
) -> None:
    case = file(bureau)
    bureau.handle(RejectComplaint(actor=STAFF, on=ON, complaint_id=case, reasons="不属于受理范围"))
    printed = text("complaint", shown(bureau, case))
    assert "不予受理理由    不属于受理范围" in printed.splitlines()
    assert "调查结论" not in printed and "状态            不予受理" in printed.splitlines()
