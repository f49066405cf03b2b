"""A deadline reopened by a rectification order is watched again: given the reply service's
inbound events and days passing (its tick), the overdue notices it records. In memory, no I/O."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from ogi_law.agencies import load_agencies
from reply.application import ReplyApplication
from reply.handlers import handlers

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))

from bushelpers import AGENCY, hand_made_event

APP_ID = "A0000000000RO"


class Reply:
    """The reply service of one agency, told events and days."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.app = ReplyApplication(AGENCY)
        self.handlers = handlers(self.app, load_agencies())
        self.told = 0

    def hear(self, event_type: str, service: str, on: str, **data: object) -> None:
        self.told += 1
        self.monkeypatch.setenv("OGI_TODAY", on)
        record = hand_made_event(
            event_type, service, dict(data), event_id=f"upstream-{self.told}",
            application_id=APP_ID, occurred_on=on,
        )  # fmt: skip
        uow = self.app.unit_of_work()
        self.handlers[event_type](uow, record)
        uow.commit()

    def tick(self, on: str) -> None:
        self.monkeypatch.setenv("OGI_TODAY", on)
        self.app.tick(date.fromisoformat(on))

    def recorded(self, event_type: str) -> list[str]:
        """The dates of the events of this type recorded about the application."""
        return [e.occurred_on for e in self.app.history(APP_ID) if e.type == event_type]


@pytest.fixture
def reply(monkeypatch: pytest.MonkeyPatch) -> Iterator[Reply]:
    service = Reply(monkeypatch)
    yield service
    service.app.close()


def lapsed_then_reopened(reply: Reply) -> None:
    """Received 2026-09-25 (due 2026-10-29), lapsed 2026-10-09; the bureau's order reopens the
    handling on 2026-11-02: a new clock of 20 working days, due 2026-11-30."""
    reply.hear("ApplicationAccepted", "intake", "2026-09-25",
               application={"received_on": "2026-09-25"})  # fmt: skip
    reply.hear("CorrectionLapsed", "intake", "2026-10-09", correct_by="2026-10-08")
    reply.tick("2026-11-01")
    assert reply.recorded("ApplicationOverdue") == []  # a stopped clock is never overdue
    reply.hear("HandlingReopened", "review", "2026-11-02", order_id="RO-1")


def test_a_reopened_deadline_is_declared_overdue_once(reply: Reply) -> None:
    lapsed_then_reopened(reply)
    assert reply.recorded("ClockReopened") == ["2026-11-02"]
    reply.tick("2026-11-30")
    assert reply.recorded("ApplicationOverdue") == []  # the due day itself is in time
    reply.tick("2026-12-01")
    reply.tick("2026-12-02")
    assert reply.recorded("ApplicationOverdue") == ["2026-12-01"]  # the day after the due date


def test_a_deadline_reopened_is_watched_after_a_restart(reply: Reply) -> None:
    """A new watch (a restarted service) reads the log in order: stopped, then reopened."""
    lapsed_then_reopened(reply)
    reply.app._open_deadlines = None
    reply.tick("2026-12-01")
    assert reply.recorded("ApplicationOverdue") == ["2026-12-01"]


def test_overdue_once_per_opening(reply: Reply) -> None:
    """Overdue in its first clock, answered late, reopened, overdue again: two notices."""
    reply.hear("ApplicationAccepted", "intake", "2026-09-25",
               application={"received_on": "2026-09-25"})  # fmt: skip
    reply.tick("2026-10-30")
    reply.tick("2026-10-31")
    assert reply.recorded("ApplicationOverdue") == ["2026-10-30"]
    reply.hear("ApplicationWithdrawn", "intake", "2026-10-31", reason="不再需要")
    reply.hear("HandlingReopened", "review", "2026-11-02", order_id="RO-1")
    for day in ("2026-11-30", "2026-12-01", "2026-12-02"):
        reply.tick(day)
    assert reply.recorded("ApplicationOverdue") == ["2026-10-30", "2026-12-01"]


def test_a_reopened_deadline_stopped_again_is_no_longer_watched(reply: Reply) -> None:
    lapsed_then_reopened(reply)
    reply.hear("ApplicationWithdrawn", "intake", "2026-11-10", reason="不再需要")
    reply.tick("2026-12-01")
    reply.app._open_deadlines = None
    reply.tick("2026-12-02")
    assert reply.recorded("ApplicationOverdue") == []
