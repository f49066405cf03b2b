"""Forwarding across agencies through the real services: A -> B -> C, with every clock.

A consultation between agencies (Art. 34) crosses processes in the bureau's story
(test_bureau); each review's part of it is proven in memory (tests/unit/
test_review_through_events.py), the clock's pause in tests/unit/test_clock_from_events.py. The
catalogue's suggestions are proven by tests/unit/test_domain_rules.py; here, `ogi suggest` and
the forward it suggests.
"""

from __future__ import annotations

from typing import Any

from harness.ogisystem import OgiSystem


def hops(status: dict[str, Any]) -> list[tuple[str, str]]:
    return [(h["from_agency"], h["to_agency"]) for h in status["services"]["intake"]["chain"]]


def test_forward_chain_clocks_and_trace(cli: OgiSystem) -> None:
    application_id = cli.under_review(received_on="2026-11-20")
    first = cli.status(application_id)
    assert first["agency"] == "municipal-office"

    cli.ogi_json("forward", application_id, "--to", "natural-resources-bureau", "--reason",
                    "该信息由市自然资源和规划局制作")  # fmt: skip
    at_b = cli.wait_until(
        lambda: cli.status(application_id),
        lambda s: s["agency"] == "natural-resources-bureau" and s["state"] == "under_review",
        "the natural resources bureau to take the application",
    )
    assert at_b["application_number"].startswith("ZRZY-")
    assert at_b["received_on"] == cli.today().isoformat()
    assert hops(at_b) == [("municipal-office", "natural-resources-bureau")]

    loop = cli.refused("forward", application_id, "--to", "municipal-office", "--reason", "退回")
    assert "转送将形成循环" in loop, loop
    assert cli.refused("forward", application_id, "--to", "nowhere", "--reason", "x")

    cli.ogi_json("forward", application_id, "--to", "archives-bureau", "--reason",
                    "该信息已移交市档案馆")  # fmt: skip
    at_c = cli.wait_until(
        lambda: cli.status(application_id),
        lambda s: (
            s["agency"] == "archives-bureau"
            and s["state"] == "under_review"
            and (s["clock"] or {}).get("status") == "running"
        ),
        "the archives bureau to take the application, with its own clock",
    )
    assert hops(at_c) == [
        ("municipal-office", "natural-resources-bureau"),
        ("natural-resources-bureau", "archives-bureau"),
    ]
    assert at_c["clock"]["received_on"] == cli.today().isoformat()

    # Reply is off the way (it gathers what comes within its linger): the clocks of the agencies
    # that forwarded the application stop soon after, not before the archives bureau has it.
    events = cli.wait_until(
        lambda: cli.trace(application_id)["events"],
        lambda events: len([e for e in events if e["type"] == "ClockStopped"]) == 2,
        "reply to stop the clocks of the two agencies that forwarded the application",
    )
    by_id = {e["event_id"]: e for e in events}
    forwards = [e for e in events if e["type"] == "ApplicationForwarded"]
    assert [(f["agency"], f["data"]["to_agency"]) for f in forwards] == [
        ("municipal-office", "natural-resources-bureau"),
        ("natural-resources-bureau", "archives-bureau"),
    ]
    receipts = [e for e in events if e["type"] == "ApplicationReceived"]
    assert [r["agency"] for r in receipts] == [
        "municipal-office",
        "natural-resources-bureau",
        "archives-bureau",
    ]
    for receipt in receipts[1:]:
        assert by_id[receipt["causation_id"]]["type"] == "ApplicationForwarded"
    stops = [e for e in events if e["type"] == "ClockStopped"]
    assert sorted(s["agency"] for s in stops) == ["municipal-office", "natural-resources-bureau"]
    assert len({e["correlation_id"] for e in events}) == 1
    position = {e["event_id"]: i for i, e in enumerate(events)}
    for event in events:
        if event["causation_id"] in position:
            assert position[event["causation_id"]] < position[event["event_id"]]

    cli.decide(application_id, "disclose")
    cli.wait_state(application_id, "replied")
    letter = cli.ogi_json("letter", application_id)
    assert letter["agency"] == "archives-bureau" and "市档案局" in letter["letter_text"]


def test_routing_suggests_from_the_catalogues_and_staff_confirm(cli: OgiSystem) -> None:
    application_id = cli.under_review(description="城北A-3地块的建设用地规划许可及附图")
    suggestion = cli.ogi_json("suggest", application_id)
    assert suggestion["handled_by"] == "municipal-office"
    assert suggestion["suggested_agency"] == "natural-resources-bureau"
    assert suggestion["archives_law"] is False
    cli.ogi_json("forward", application_id, "--to", suggestion["suggested_agency"],
                 "--reason", suggestion["note"])  # fmt: skip
    cli.wait_until(
        lambda: cli.status(application_id)["agency"],
        lambda agency: agency == "natural-resources-bureau",
        "the confirmed forward",
    )


def test_referral_names_the_competent_agency(cli: OgiSystem) -> None:
    """The review's API names the agency given by its code, with its contact, in the decision."""
    application_id = cli.under_review()
    cli.decide(application_id, "not_ours", "--competent-organ", "natural-resources-bureau")
    cli.wait_state(application_id, "replied")
    letter = cli.ogi_json("letter", application_id)["letter_text"]
    assert "市自然资源和规划局" in letter and "0000-12345680" in letter
