"""The statutory clock as the reply service keeps it: given the events other services publish
and days passing (its tick), the events it records and the clock it shows (Art. 30-35).

Real 2026 dates across the Spring Festival, Qingming and National Day holidays. In memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from inmemory import APP_ID, InMemoryService

from reply.application import ReplyApplication
from reply.deadline import deadline_id
from reply.handlers import handlers


@pytest.fixture
def reply(monkeypatch: pytest.MonkeyPatch) -> Iterator[InMemoryService[ReplyApplication]]:
    service = InMemoryService(ReplyApplication, handlers, monkeypatch)
    yield service
    service.app.close()


def accepted(reply: InMemoryService[ReplyApplication], received_on: str) -> None:
    reply.hear("ApplicationAccepted", "intake", received_on,
               application={"application_id": APP_ID, "received_on": received_on})  # fmt: skip


def clock(reply: InMemoryService[ReplyApplication], on: str) -> dict[str, Any]:
    """The clock as `ogi clock` shows it on ``on``."""
    return reply.app.clock(APP_ID, date.fromisoformat(on)).to_dict()


def test_warned_five_working_days_before_and_overdue_the_day_after_the_due_date(
    reply: InMemoryService[ReplyApplication],
) -> None:
    # Received in the Spring Festival run-up: 2/15-2/23 are off, 2/14 and 2/28 make-up days.
    # 20 working days after Tue 2/10: 2/11-13 (3), 2/14 (4), 2/24-27 (8), 2/28 (9),
    # 3/2-6 (14), 3/9-13 (19), 3/16 (20).
    accepted(reply, "2026-02-10")
    [due] = reply.recorded("DueDateChanged")
    assert due.data["due_on"] == "2026-03-16" and due.data["provisional"] is False
    reply.tick("2026-03-06")  # 6 working days left: no warning yet
    assert clock(reply, "2026-03-06")["left_days"] == 6
    assert reply.recorded("ApplicationDueSoon") == []
    reply.tick("2026-03-09")  # 5 left: the warning (OGI_DUE_SOON_DAYS=5)
    [warning] = reply.recorded("ApplicationDueSoon")
    assert warning.data == {"due_on": "2026-03-16", "left_days": 5}
    reply.tick("2026-03-16")  # the due day itself is in time
    assert reply.recorded("ApplicationOverdue") == []
    reply.tick("2026-03-17")
    reply.tick("2026-03-18")
    [overdue] = reply.recorded("ApplicationOverdue")
    assert overdue.occurred_on == "2026-03-17" and overdue.data["due_on"] == "2026-03-16"
    assert clock(reply, "2026-03-18")["overdue"] is True
    assert len(reply.recorded("ApplicationDueSoon")) == 1


def test_a_correction_suspends_the_clock_and_its_lapse_stops_it(
    reply: InMemoryService[ReplyApplication],
) -> None:
    accepted(reply, "2026-09-25")
    reply.hear("CorrectionRequested", "intake", "2026-10-13", correct_by="2026-10-20")
    assert clock(reply, "2026-10-14")["status"] == "awaiting_correction"
    reply.hear("CorrectionLapsed", "intake", "2026-10-21", correct_by="2026-10-20")
    [stopped] = reply.recorded("ClockStopped")
    assert stopped.occurred_on == "2026-10-21"
    shown = clock(reply, "2026-10-30")
    assert (shown["status"], shown["stopped_on"]) == ("stopped", "2026-10-21")
    reply.tick("2026-12-01")
    assert reply.recorded("ApplicationOverdue") == []  # a stopped clock is never overdue


def test_a_fee_notice_pauses_the_clock_until_paid_and_an_unpaid_fee_stops_it(
    reply: InMemoryService[ReplyApplication],
) -> None:
    accepted(reply, "2026-03-02")
    reply.hear("FeeNoticeIssued", "review", "2026-03-03", method="per_page", units=120,
               amount_yuan=1100, pay_by="2026-03-31")  # fmt: skip
    assert clock(reply, "2026-03-05")["status"] == "paused"
    reply.hear("FeePaid", "review", "2026-03-10", amount_yuan=1100)
    # 20 working days after 3/2 is 3/30; paused 3/4-3/10 (5 working days): 3/31, 4/1, 4/2,
    # 4/3 and, Qingming's days off (4/4-4/6) passed, 4/7.
    shown = clock(reply, "2026-03-11")
    assert (shown["status"], shown["due_on"], shown["paused_days"]) == ("running", "2026-04-07", 5)
    assert reply.recorded("DueDateChanged")[-1].data["due_on"] == "2026-04-07"

    unpaid = "A0000000000UP"
    reply.hear("ApplicationAccepted", "intake", "2026-03-02", application_id=unpaid,
               application={"application_id": unpaid, "received_on": "2026-03-02"})  # fmt: skip
    reply.hear("FeeNoticeIssued", "review", "2026-03-03", application_id=unpaid,
               method="per_page", units=40, amount_yuan=10, pay_by="2026-03-31")  # fmt: skip
    reply.hear("FeeUnpaidClosed", "review", "2026-04-01", application_id=unpaid,
               pay_by="2026-03-31")  # fmt: skip
    shown = reply.app.clock(unpaid, date(2026, 4, 2)).to_dict()
    assert (shown["status"], shown["stopped_on"]) == ("stopped", "2026-04-01")


def test_a_consultation_pauses_the_clock_and_its_answer_ends_the_pause_that_day(
    reply: InMemoryService[ReplyApplication],
) -> None:
    """Art. 34 between agencies: the answer the consulted agency sends back ends the pause."""
    accepted(reply, "2026-09-25")
    reply.hear("OrganConsultationStarted", "review", "2026-10-12", ref="ORG-1",
               organ="市档案局", answer_due="2026-11-02", organ_agency="archives-bureau",
               description="文件", to_agency="archives-bureau")  # fmt: skip
    assert clock(reply, "2026-10-14")["status"] == "paused"
    reply.hear("OrganAnswered", "review", "2026-10-15", ref="ORG-1", answer="consent",
               reasons="")  # fmt: skip
    shown = clock(reply, "2026-10-16")
    assert shown["status"] == "running"
    assert shown["paused_periods"] == [["2026-10-12", "2026-10-15"]]
    # Paused 10/13-10/15 (3 working days): due 10/29 + 3 working days.
    assert (shown["paused_days"], shown["due_on"]) == (3, "2026-11-03")


def test_an_acceptance_opens_the_deadline_without_asking_the_store_and_again_changes_nothing(
    reply: InMemoryService[ReplyApplication], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The deadline an acceptance opens is nearly always new: it is made without looking it up.
    The same acceptance heard again once the service's memory is empty (after a restart) fails
    on the deadline's first version, and is applied again looking it up: nothing recorded twice.
    """
    recorder = reply.app.events.recorder
    select = recorder.select_events
    reads: list[object] = []

    def counted(*args: Any, **kwargs: Any) -> Any:
        reads.append(args)
        return select(*args, **kwargs)

    monkeypatch.setattr(recorder, "select_events", counted)
    accepted(reply, "2026-02-10")
    assert reads == []
    reply.app.cache.forget([deadline_id(APP_ID)])
    assert reply.last_told is not None
    reply.tell(reply.last_told)  # delivered again
    assert reads, "heard again, the deadline was looked up"
    assert reply.types().count("DeadlineOpened") == 1
    assert len(reply.recorded("DueDateChanged")) == 1
