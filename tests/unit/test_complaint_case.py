"""A supervision bureau's complaint cases through its complaint service (Art. 47, 51-53): a case
about an application, ordered to be rectified, with the agency's answer late and then received;
a case about an agency's work in general, which has no application to trace or reopen. Given the
events the agencies publish and the bureau's commands, the events the case records. In memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
from inmemory import APP_ID, InMemoryService

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
)
from complaint.domain import complaint_aggregate_id
from complaint.handlers import handlers
from ogi_errors import IllegalStep, InvalidInput
from ogi_platform.eventstore.application import history_of
from ogi_platform.messaging.envelope import EventRecord

BUREAU, RESOURCES, ARCHIVES = "supervision-bureau", "natural-resources-bureau", "archives-bureau"
STAFF = f"staff:clerk@{BUREAU}"


@pytest.fixture
def bureau(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemoryService[ComplaintApplication]]:
    service = InMemoryService(ComplaintApplication, handlers, monkeypatch, BUREAU)
    yield service
    service.app.close()


def case_events(bureau: InMemoryService[ComplaintApplication], case: str) -> list[EventRecord]:
    return history_of(bureau.app, [complaint_aggregate_id(case)])


def file(
    bureau: InMemoryService[ComplaintApplication],
    on: date,
    application_id: str = "",
    against: str | None = None,
) -> str:
    """A complaint filed on ``on`` (about the application, or against the agency); its id."""
    complaint = FileComplaint(
        actor="complainant:李四", on=on, application_id=application_id, against_agency=against,
        ground="overdue", text="逾期答复", complainant="李四",
    )  # fmt: skip
    return bureau.handle(complaint).complaint_id


def test_a_rectification_order_is_answered_before_the_case_closes(
    bureau: InMemoryService[ComplaintApplication],
) -> None:
    bureau.hear("ApplicationAccepted", "intake", "2026-09-28", agency=RESOURCES,
                application={"application_number": "ZRZY-2026-00001",
                             "received_on": "2026-09-28"})  # fmt: skip
    bureau.hear("ApplicationOverdue", "reply", "2026-11-05", agency=RESOURCES, due_on="2026-11-04")
    [reported] = bureau.recorded("OverdueReported")
    assert reported.data == {"agency": RESOURCES, "due_on": "2026-11-04"}

    case = file(bureau, date(2026, 11, 6), APP_ID)  # against the agency handling it
    for step in (
        AcceptComplaint(actor=STAFF, on=date(2026, 11, 9), complaint_id=case),
        AttachTrace(actor=STAFF, on=date(2026, 11, 9), complaint_id=case, trace_json="[]",
                    event_count=31),
        RecordFinding(actor=STAFF, on=date(2026, 11, 9), complaint_id=case, upheld=True,
                      reasons="超过法定答复期限"),
        OrderRectification(actor=STAFF, on=date(2026, 11, 9), complaint_id=case,
                           requirements="重新审查并重新答复", answer_days=15),
    ):  # fmt: skip
        bureau.handle(step)
    [order] = bureau.recorded("RectificationOrdered")
    assert order.to_agency == RESOURCES
    assert order.data["answer_due"] == "2026-11-30"  # 15 working days after 11/9
    close = CloseComplaint(actor=STAFF, on=date(2026, 11, 20), complaint_id=case, notice="x")
    with pytest.raises(IllegalStep, match="has not answered"):
        bureau.handle(close)

    bureau.tick("2026-11-30")
    assert bureau.recorded("RectificationAnswerOverdue") == []
    bureau.tick("2026-12-01")
    bureau.tick("2026-12-02")
    [late] = bureau.recorded("RectificationAnswerOverdue")
    assert (late.occurred_on, late.to_agency) == ("2026-12-01", RESOURCES)

    bureau.hear("RectificationAnswered", "review", "2026-12-01", agency=RESOURCES,
                to_agency=BUREAU, order_id=order.data["order_id"], complaint_id=case,
                text="已重新审查并全部公开")  # fmt: skip
    [answer] = bureau.recorded("RectificationAnswerReceived")
    assert answer.data["text"] == "已重新审查并全部公开"
    bureau.handle(IssueCriticism(actor=STAFF, on=date(2026, 12, 1), complaint_id=case,
                                 text="对逾期答复予以通报批评"))  # fmt: skip
    bureau.handle(CloseComplaint(actor=STAFF, on=date(2026, 12, 1), complaint_id=case,
                                 notice="经督促，被投诉机关已重新答复"))  # fmt: skip
    assert bureau.types()[-2:] == ["CriticismNoticeIssued", "ComplaintClosed"]


def test_a_complaint_about_an_agencys_work_has_no_application_to_trace_or_reopen(
    bureau: InMemoryService[ComplaintApplication],
) -> None:
    with pytest.raises(InvalidInput) as unnamed:
        file(bureau, date(2026, 12, 2))
    assert unnamed.value.field == "application_id"
    case = file(bureau, date(2026, 12, 2), against=ARCHIVES)
    assert re.fullmatch(f"{ARCHIVES}-C[0-9A-Z]{{12}}", case), case  # not enumerable
    [filed] = case_events(bureau, case)
    assert (filed.data["application_id"], filed.data["against_agency"]) == ("", ARCHIVES)

    bureau.handle(AcceptComplaint(actor=STAFF, on=date(2026, 12, 2), complaint_id=case))
    with pytest.raises(IllegalStep, match="no application"):
        bureau.handle(AttachTrace(actor=STAFF, on=date(2026, 12, 2), complaint_id=case,
                                  trace_json="[]", event_count=1))  # fmt: skip
    bureau.handle(RecordFinding(actor=STAFF, on=date(2026, 12, 2), complaint_id=case,
                                upheld=True, reasons="目录未公开"))  # fmt: skip
    with pytest.raises(IllegalStep, match="names no application"):
        bureau.handle(OrderRectification(actor=STAFF, on=date(2026, 12, 2), complaint_id=case,
                                         requirements="公开目录", answer_days=15))  # fmt: skip
    bureau.handle(RecommendAccountability(actor=STAFF, on=date(2026, 12, 2), complaint_id=case,
                                          body="市档案局党组", text="建议追责"))  # fmt: skip
    bureau.handle(CloseComplaint(actor=STAFF, on=date(2026, 12, 2), complaint_id=case,
                                 notice="已建议有权机关处理"))  # fmt: skip
    assert [e.type for e in case_events(bureau, case)] == [
        "ComplaintFiled",
        "ComplaintAccepted",
        "FindingMade",
        "AccountabilityRecommended",
        "ComplaintClosed",
    ]
    again = file(bureau, date(2026, 12, 3), against=ARCHIVES)
    assert again != case and again.startswith(f"{ARCHIVES}-C")
