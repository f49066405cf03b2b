"""The supervision bureau's case, through the real services: a forwarded application answered
late, a complaint, the investigation with the full trace, a rectification order that reopens the
agency's handling with a new clock, the agency's answer, and the closing notice."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import OgiSystem


@pytest.fixture(scope="module")
def bureau(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[OgiSystem, Path]]:
    base = tmp_path_factory.mktemp("bureau")
    today = base / "today"
    today.write_text("2026-09-25", encoding="utf-8")
    system = OgiSystem(
        base / "home",
        base / "data",
        env={"OGI_TODAY_FILE": str(today), "OGI_TICK_SECONDS": "0.3"},
    )
    try:
        system.start()
        yield system, today
    finally:
        system.stop()
    assert not system.leftovers, system.leftovers


def test_late_reply_complaint_rectification_and_closing(bureau: tuple[OgiSystem, Path]) -> None:
    system, today = bureau

    def on(day: str) -> OgiSystem:
        today.write_text(day, encoding="utf-8")
        return system

    def events() -> list[dict[str, Any]]:
        return list(system.trace(application_id)["events"])

    application_id = system.under_review(received_on="2026-09-25")
    on("2026-09-28").ogi_json("forward", application_id, "--to", "natural-resources-bureau",
                              "--reason", "规划许可由该局制作保存")  # fmt: skip
    system.wait_until(
        lambda: system.status(application_id),
        lambda s: s["agency"] == "natural-resources-bureau" and s["state"] == "under_review",
        "the forward to arrive",
    )
    # The bureau's receipt is 9/28: due 20 working days later, 10/30 (National Day in between).
    assert system.status(application_id)["clock"]["due_on"] == "2026-10-30"
    on("2026-11-03")
    overdue = system.wait_until(
        events,
        lambda es: any(e["type"] == "OverdueReported" for e in es),
        "the bureau to hear of the overdue application",
    )
    reported = next(e for e in overdue if e["type"] == "OverdueReported")
    assert reported["agency"] == "supervision-bureau"
    assert reported["data"] == {"agency": "natural-resources-bureau", "due_on": "2026-10-30"}

    on("2026-11-04")
    system.decide(
        application_id, "withhold", "--ground", "internal_affairs", "--reason", "内部流程"
    )
    system.wait_state(application_id, "replied")
    system.ogi_json("deliver", application_id, "--method", "post")
    system.wait_closed(application_id)

    complaint = system.ogi_json("complain", application_id, "--ground", "overdue", "--text",
                                "逾期答复，且不予公开理由不当")  # fmt: skip
    case = complaint["complaint_id"]
    assert complaint["against_agency"] == "natural-resources-bureau"

    on("2026-11-05")
    assert system.refused("case", "close", case, "--notice", "x")  # not yet found
    system.ogi_json("case", "accept", case)
    attached = system.ogi_json("case", "investigate", case)
    assert attached["state"] == "investigating" and attached["trace_events"] >= 20
    system.ogi_json("case", "find", case, "--upheld", "yes", "--reasons", "超过法定答复期限")
    ordered = system.ogi_json("case", "order", case, "--requirements", "重新审查并重新答复")
    order_id = ordered["order_id"]
    # 15 working days after 11/5: 11/6, 11/9-13, 11/16-20, 11/23-26 -> 11/26.
    assert ordered["orders"][0]["answer_due"] == "2026-11-26"

    reopened = system.wait_state(application_id, "reopened")
    assert reopened["services"]["review"]["rectification_order"] == order_id
    clock = system.wait_until(
        lambda: system.status(application_id)["clock"],
        lambda c: c["status"] == "running" and c["started_on"] == "2026-11-05",
        "a new clock from the order",
    )
    assert clock["due_on"] == "2026-12-03"
    assert "has not answered" in system.refused("case", "close", case, "--notice", "已整改")

    on("2026-11-10")
    system.ogi_json("secrecy", application_id, "--result", "cleared")
    system.decide(application_id, "disclose")
    reissued = system.wait_until(
        lambda: system.ogi_json("letter", application_id),
        lambda r: r["state"] == "issued" and r["letter_number"].endswith("-2"),
        "the second letter",
    )
    assert reissued["outcome"] == "disclose"
    system.ogi_json("deliver", application_id, "--method", "post")
    system.ogi_json("rectify", application_id, "--order", order_id, "--text", "已重新审查并公开")
    system.wait_until(
        lambda: system.ogi_json("case", "show", case),
        lambda c: c["orders"][0]["answer"] == "已重新审查并公开",
        "the agency's answer to reach the bureau",
    )
    system.ogi_json("case", "criticise", case, "--text", "对逾期答复予以通报批评")
    closed = system.ogi_json("case", "close", case, "--notice", "经督促，被投诉机关已重新答复")
    assert closed["state"] == "closed"
    assert closed["outcomes"] == ["rectification_order", "criticism"]

    trace = events()
    order = [e["type"] for e in trace]
    for earlier, later in [
        ("ApplicationForwarded", "OverdueReported"),
        ("ComplaintFiled", "InvestigationTraceAttached"),
        ("RectificationOrdered", "HandlingReopened"),
        ("HandlingReopened", "ClockReopened"),
        ("RectificationAnswered", "RectificationAnswerReceived"),
        ("RectificationAnswerReceived", "ComplaintClosed"),
    ]:
        assert order.index(earlier) < order.index(later), (earlier, later)
    agencies = {e["agency"] for e in trace}
    assert agencies == {"municipal-office", "natural-resources-bureau", "supervision-bureau"}
