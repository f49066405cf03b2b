"""The reply clock as one Chinese sentence, from what the reply service answers (`ogi clock`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from google.protobuf import json_format

from ogi_cli.clocktext import clock_sentence
from ogi_law.calendar import WorkingCalendar
from reply.api import clock_view
from reply.clock import ClockFact, CorrectionRequested, PauseStarted, Received, compute_clock

CALENDAR = WorkingCalendar.load(None)


def answered(facts: list[ClockFact], today: date) -> dict[str, Any]:
    """The clock as the CLI receives it: the service's view, as --json prints it."""
    view = clock_view(compute_clock(facts, CALENDAR, today), today)
    return json_format.MessageToDict(
        view, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )


def clock(**fields: Any) -> dict[str, Any]:
    base = {
        "status": "running", "due_on": "2026-12-18", "used_days": 12, "left_days": 8,
        "overdue": False, "extension_days": 0, "provisional": False, "stopped_on": "",
    }  # fmt: skip
    return base | fields


def test_a_running_clock() -> None:
    assert clock_sentence(clock()) == "已用 12 个工作日，剩余 8 个，2026年12月18日到期"


def test_an_extension_and_a_provisional_due_date_are_said() -> None:
    sentence = clock_sentence(clock(extension_days=10, provisional=True))
    assert sentence.startswith("已用 12 个工作日，剩余 8 个，2026年12月18日到期；")
    assert "含延长 10 个工作日（第三十三条）" in sentence and "到期日暂定" in sentence


def test_an_overdue_clock_counts_the_days_late() -> None:
    sentence = clock_sentence(clock(status="overdue", overdue=True, used_days=23, left_days=-3))
    assert sentence == "已逾期 3 个工作日（2026年12月18日到期，已用 23 个工作日）"


def test_a_paused_clock_says_why_and_the_due_date_if_counting_resumed_today() -> None:
    sentence = clock_sentence(clock(status="paused"))
    assert sentence.startswith("征求意见期间暂停计时（第三十二条、第三十四条）：")
    assert "剩余 8 个，如今日恢复计时，2026年12月18日到期" in sentence


def test_a_stopped_clock() -> None:
    sentence = clock_sentence(clock(status="stopped", stopped_on="2026-12-10", overdue=True))
    assert (
        sentence == "已停止计时（2026年12月10日）：共用 12 个工作日，2026年12月18日到期，逾期答复"
    )


def test_awaiting_correction_is_a_suspension_never_zero_days_left() -> None:
    """The service answers no due date and 0 days left (the field's default) while a
    correction is awaited (Art. 30): the sentence says the clock is suspended, and why."""
    received = date(2026, 3, 2)
    served = answered([Received(received), CorrectionRequested(date(2026, 3, 4))], date(2026, 3, 9))
    assert (served["status"], served["due_on"], served["left_days"]) == (
        "awaiting_correction",
        "",
        0,
    )
    sentence = clock_sentence(served)
    assert sentence == "中止计时：等待申请人补正（第三十条），收到补正之日起重新计算答复期限"
    assert "剩余" not in sentence and "到期" not in sentence.replace("重新计算答复期限", "")
    with_deadline = clock_sentence(served, correct_by="2026-03-25")
    assert "等待申请人于2026年3月25日前补正（第三十条）" in with_deadline


def test_the_sentence_of_a_served_running_and_paused_clock() -> None:
    received = date(2026, 3, 2)  # a Monday; the receipt day is not counted (Art. 31)
    running = answered([Received(received)], date(2026, 3, 6))
    assert clock_sentence(running) == "已用 4 个工作日，剩余 16 个，2026年3月30日到期"
    paused = answered(
        [Received(received), PauseStarted(date(2026, 3, 4), "ORG-1")], date(2026, 3, 6)
    )
    assert clock_sentence(paused).startswith("征求意见期间暂停计时")


def test_a_clock_not_started() -> None:
    assert clock_sentence(clock(status="not_started", due_on="")) == "尚未起算"
