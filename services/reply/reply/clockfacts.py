"""Which events move the statutory clock, and how: the one mapping every service uses."""

from __future__ import annotations

from datetime import date
from typing import Any

from reply.clock import (
    ClockFact,
    Corrected,
    CorrectionRequested,
    DeadlineSet,
    Extended,
    PauseEnded,
    PauseStarted,
    Received,
    Stopped,
)

FEE_PAUSE = "fee"

#: Events after which nobody counts the application's clock any more.
STOPPING_EVENTS = frozenset(
    {
        "ReplyDelivered",
        "ApplicationWithdrawn",
        "CorrectionLapsed",
        "FeeUnpaidClosed",
        "ApplicationForwarded",
    }
)
PAUSE_STARTS = frozenset({"ThirdPartyConsultationStarted", "OrganConsultationStarted"})
PAUSE_ENDS = frozenset({"ThirdPartyAnswered", "OrganAnswered"})

CLOCK_EVENTS = (
    STOPPING_EVENTS
    | PAUSE_STARTS
    | PAUSE_ENDS
    | {
        "ApplicationAccepted",
        "CorrectionRequested",
        "ApplicationCorrected",
        "ExtensionGranted",
        "ReplyDateSet",
        "FeeNoticeIssued",
        "FeePaid",
    }
)


def clock_fact(event_type: str, occurred_on: date, data: dict[str, Any]) -> ClockFact | None:
    """The clock fact an event states, or None when it does not touch the clock."""
    if event_type == "ApplicationAccepted":
        return Received(date.fromisoformat(data["application"]["received_on"]))
    if event_type == "CorrectionRequested":
        return CorrectionRequested(occurred_on)
    if event_type == "ApplicationCorrected":
        return Corrected(occurred_on)
    if event_type in PAUSE_STARTS:
        return PauseStarted(occurred_on, str(data["ref"]))
    if event_type in PAUSE_ENDS:
        return PauseEnded(occurred_on, str(data["ref"]))
    if event_type == "FeeNoticeIssued":
        return PauseStarted(occurred_on, FEE_PAUSE)
    if event_type == "FeePaid":
        return PauseEnded(occurred_on, FEE_PAUSE)
    if event_type == "ExtensionGranted":
        return Extended(occurred_on, int(data["working_days"]))
    if event_type == "ReplyDateSet":
        return DeadlineSet(occurred_on, date.fromisoformat(data["due_on"]))
    if event_type in STOPPING_EVENTS:
        return Stopped(occurred_on)
    return None


def fact_to_json(fact: ClockFact) -> dict[str, Any]:
    """A clock fact as stored on an event: its kind and its fields as JSON values."""
    values = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in vars(fact).items()}
    return {"kind": type(fact).__name__} | values


_KINDS: dict[str, type[ClockFact]] = {
    kind.__name__: kind
    for kind in (
        Received,
        CorrectionRequested,
        Corrected,
        PauseStarted,
        PauseEnded,
        Extended,
        DeadlineSet,
        Stopped,
    )
}


def fact_from_json(value: dict[str, Any]) -> ClockFact:
    kind = _KINDS[value["kind"]]
    fields = {k: v for k, v in value.items() if k != "kind"}
    for name in ("on", "due"):
        if name in fields:
            fields[name] = date.fromisoformat(fields[name])
    return kind(**fields)
