"""The statutory lifecycle through the real services, on PostgreSQL and a real nats-server.

The system runs with ``OGI_TODAY_FILE``: each step writes the day it happens on, so a timeline
across the 2026 National Day holiday and into 2027 is walked for real, with the services' ticks
acting on time limits as they pass. The rules of each service on their own (the correction's
lapse, fees, warnings and overdue notices, silences, `ogi due`) are proven in memory by the unit
tests (test_clock_from_events, test_correction_lapse, test_review_through_events,
test_cli_due); here, the clock the reply service keeps from the other services' events.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from harness.ogisystem import OgiSystem
from harness.servers import dated_system

from ogi_platform.today import write_today_file


class Timeline:
    def __init__(self, system: OgiSystem, today_file: Path, calendar_dir: Path) -> None:
        self.system = system.cli()  # the CLI in this process (the `ogi` program: test_walk)
        self.today_file = today_file
        self.calendar_dir = calendar_dir

    def on(self, day: str) -> Timeline:
        write_today_file(self.today_file, day)
        return self

    def json(self, *args: str) -> Any:
        return self.system.ogi_json(*args)

    def clock(self, application_id: str) -> dict[str, Any]:
        result = self.json("clock", application_id)
        assert isinstance(result, dict)
        return result

    def wait_clock(self, application_id: str, **expected: Any) -> dict[str, Any]:
        return self.system.wait_until(
            lambda: self.clock(application_id),
            lambda c: all(c.get(k) == v for k, v in expected.items()),
            f"clock of {application_id} to show {expected}",
        )

    def types(self, application_id: str) -> list[str]:
        return [e["type"] for e in self.system.trace(application_id)["events"]]

    def wait_event(self, application_id: str, event_type: str) -> dict[str, Any]:
        events = self.system.wait_until(
            lambda: self.system.trace(application_id)["events"],
            lambda events: any(e["type"] == event_type for e in events),
            f"{event_type} in the trace of {application_id}",
        )
        return next(e for e in events if e["type"] == event_type)

    def received(self, day: str, **fields: str) -> str:
        self.on(day)
        application_id = self.system.under_review(received_on=day, **fields)
        self.wait_clock(application_id, status="running")
        return application_id


@pytest.fixture(scope="module")
def timeline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Timeline]:
    base = tmp_path_factory.mktemp("lifecycle")
    calendar_dir = base / "calendar"
    calendar_dir.mkdir()
    env = {"OGI_CALENDAR_DIR": str(calendar_dir)}
    with dated_system(base, "2026-01-05", env) as (system, today_file):
        yield Timeline(system, today_file, calendar_dir)


def test_correction_consultation_extension_partial_disclosure(timeline: Timeline) -> None:
    t = timeline
    app = t.received("2026-09-25")  # a Friday before the National Day holiday
    # 20 working days after 9/25: 9/28-30 (3), 10/8-10 (6, 10/10 a make-up Saturday),
    # 10/12-16 (11), 10/19-23 (16), 10/26-29 (20).
    assert t.clock(app)["due_on"] == "2026-10-29"

    t.on("2026-09-28").json("correction", app, "--item", "写明文件标题或文号", "--item",
                            "说明所需年份", "--period", "10")  # fmt: skip
    t.wait_clock(app, status="awaiting_correction")
    t.on("2026-10-09").json("corrected", app, "--description", "2026年城市更新项目批复（文号X）")
    # Restarted from 10/9: 10/10 (1), 10/12-16 (6), 10/19-23 (11), 10/26-30 (16), 11/2-5 (20).
    t.wait_clock(app, status="running", started_on="2026-10-09", due_on="2026-11-05")

    consulted = t.on("2026-10-12").json("consult", app, "--third-party", "某某建设有限公司")
    ref = consulted["ref"]
    t.wait_clock(app, status="paused")
    t.on("2026-10-20").json("answer", app, "--ref", ref, "--answer", "refusal", "--reasons",
                            "涉及本公司商业秘密")  # fmt: skip
    # Paused 10/13-10/20: 6 working days; due 11/5 + 6 = 11/13.
    t.wait_clock(app, status="running", due_on="2026-11-13", paused_days=6)

    t.on("2026-10-21").json("extend", app, "--days", "10", "--approved-by", "王主任",
                            "--reason", "涉及第三方，需进一步核实")  # fmt: skip
    t.wait_clock(app, due_on="2026-11-27", extension_days=10, allowed_days=30)

    t.on("2026-11-20")
    t.wait_event(app, "ApplicationDueSoon")
    t.system.decide(app, "partial", "--ground", "third_party", "--reason",
                    "涉及第三方商业秘密的部分不予公开")  # fmt: skip
    t.system.wait_state(app, "replied")
    t.on("2026-11-23").json("deliver", app, "--method", "post")
    t.system.wait_closed(app)
    final = t.wait_clock(app, status="stopped", stopped_on="2026-11-23")
    assert final["overdue"] is False and final["left_days"] == 4

    events = t.system.trace(app)["events"]
    legal = {(e["service"], e["type"]): e["occurred_at"] for e in events}
    assert legal[("intake", "ApplicationReceived")] == "2026-09-25"
    assert legal[("intake", "CorrectionRequested")] == "2026-09-28"
    assert legal[("intake", "ApplicationCorrected")] == "2026-10-09"
    assert legal[("review", "ThirdPartyConsultationStarted")] == "2026-10-12"
    assert legal[("review", "ThirdPartyAnswered")] == "2026-10-20"
    assert legal[("review", "ExtensionGranted")] == "2026-10-21"
    assert legal[("review", "ConfidentialityReviewed")] == "2026-11-20"
    assert legal[("review", "DecisionMade")] == "2026-11-20"
    assert legal[("reply", "ReplyDelivered")] == "2026-11-23"
    assert "ApplicationOverdue" not in [e["type"] for e in events], [
        (e["service"], e["type"], e["occurred_at"], e.get("recorded_at"), e.get("data"))
        for e in events
    ]


def test_deadlines_into_2027_are_provisional_until_2027_is_published(timeline: Timeline) -> None:
    """The running services read the calendar folder again before each tick: a year's
    arrangement published there moves the due dates that reach into it."""
    t = timeline
    app = t.received("2026-12-15")
    clock = t.clock(app)
    # Weekends and 1/1 only: 12/16-18 (3), 12/21-25 (8), 12/28-31 (12), 1/4-8 (17), 1/11-13 (20).
    assert (clock["due_on"], clock["provisional"]) == ("2027-01-13", True)
    # The arrangement for 2027 is published, with 1/4 also off (an example, not the real one).
    (t.calendar_dir / "2027.toml").write_text(
        'year = 2027\nsource = "示例"\n[[holidays]]\nname = "元旦"\n'
        'days = ["2027-01-01..2027-01-04"]\n',
        encoding="utf-8",
    )
    t.wait_clock(app, due_on="2027-01-14", provisional=False)
    changes = [e for e in t.system.trace(app)["events"] if e["type"] == "DueDateChanged"]
    assert [(c["data"]["due_on"], c["data"]["provisional"]) for c in changes][-2:] == [
        ("2027-01-13", True),
        ("2027-01-14", False),
    ]
    (t.calendar_dir / "2027.toml").unlink()
