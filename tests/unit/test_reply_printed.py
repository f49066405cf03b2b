"""Recording that the reply letter was printed: given the reply service's events, the command
makes one ReplyLetterPrinted, or is refused. In memory, through ``app.handle``, no I/O."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from ogi_errors import IllegalStep, InvalidInput
from ogi_law.agencies import load_agencies
from reply.application import ReplyApplication
from reply.commands import RecordDelivery, RecordPrinting
from reply.handlers import handlers

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))

from bushelpers import AGENCY, hand_made_event

APP_ID = "A0000000000PR"
DECIDED_ON = "2026-10-09"
APPLICATION = {
    "application_id": APP_ID,
    "agency": AGENCY,
    "application_number": "SZFB-2026-00042",
    "applicant": {"name": "张三", "type": "natural_person", "id_doc": "x", "contact": "x"},
    "description": "2026年度财政预算执行情况",
    "form": "paper",
    "channel": "online",
    "received_on": "2026-09-28",
}


@pytest.fixture
def app() -> Iterator[ReplyApplication]:
    app = ReplyApplication(AGENCY)
    yield app
    app.close()


def decided(app: ReplyApplication) -> None:
    """Given: the decision was made, so the reply letter was issued."""
    record = hand_made_event(
        "DecisionMade", "review", {"application": APPLICATION, "outcome": "disclose",
                                   "grounds": [], "form_of_provision": "paper"},
        event_id="decided", application_id=APP_ID, occurred_on=DECIDED_ON,
    )  # fmt: skip
    uow = app.unit_of_work()
    handlers(app, load_agencies())["DecisionMade"](uow, record)
    uow.commit()


def printed(on: str, copies: int = 1) -> RecordPrinting:
    return RecordPrinting(
        application_id=APP_ID, actor="staff:王五", on=date.fromisoformat(on), copies=copies
    )


def printings(app: ReplyApplication) -> list[dict[str, Any]]:
    return [e.data for e in app.history(APP_ID) if e.type == "ReplyLetterPrinted"]


def test_printing_the_issued_letter_is_recorded(app: ReplyApplication) -> None:
    decided(app)
    reply = app.handle(printed("2026-10-10", copies=2))
    expected = {
        "letter_number": "SZFB-2026-00042-答",
        "printed_by": "staff:王五",
        "copies": 2,
        "printed_on": "2026-10-10",
    }
    assert printings(app) == [expected]
    assert [vars(p) for p in reply.printings] == [expected | {"printed_on": date(2026, 10, 10)}]
    assert reply.state == "issued"  # printing is not delivery


def test_a_duplicate_may_be_printed_after_delivery(app: ReplyApplication) -> None:
    decided(app)
    app.handle(printed("2026-10-10"))
    app.handle(
        RecordDelivery(application_id=APP_ID, actor="staff", on=date(2026, 10, 12), method="post")
    )
    assert app.handle(printed("2026-11-02")).state == "closed"
    assert [p["printed_on"] for p in printings(app)] == ["2026-10-10", "2026-11-02"]


def test_there_is_nothing_to_print_before_the_reply_is_issued(app: ReplyApplication) -> None:
    with pytest.raises(IllegalStep, match="no reply"):
        app.handle(printed("2026-10-10"))
    assert printings(app) == []


@pytest.mark.parametrize(
    ("on", "copies", "field"),
    [("2026-10-08", 1, "printed_on"), ("2026-10-10", 0, "copies"), ("2026-10-10", 101, "copies")],
    ids=["before-issue", "no-copies", "too-many-copies"],
)
def test_an_impossible_printing_is_refused(
    app: ReplyApplication, on: str, copies: int, field: str
) -> None:
    decided(app)
    with pytest.raises(InvalidInput) as refused:
        app.handle(printed(on, copies))
    assert refused.value.field == field
    assert printings(app) == []
