"""Which events move the statutory clock, and how: the one mapping every service uses."""

from __future__ import annotations

from datetime import date
from typing import Any

from ogi_contracts.intake import (
    APPLICATION_ACCEPTED,
    APPLICATION_CORRECTED,
    APPLICATION_WITHDRAWN,
    CORRECTION_LAPSED,
    CORRECTION_REQUESTED,
)
from ogi_contracts.reply import REPLY_DELIVERED
from ogi_contracts.review import (
    EXTENSION_GRANTED,
    FEE_NOTICE_ISSUED,
    FEE_PAID,
    FEE_UNPAID_CLOSED,
    ORGAN_ANSWERED,
    ORGAN_CONSULTATION_STARTED,
    REPLY_DATE_SET,
    THIRD_PARTY_ANSWERED,
    THIRD_PARTY_CONSULTATION_STARTED,
)
from ogi_contracts.routing import APPLICATION_FORWARDED
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
        REPLY_DELIVERED,
        APPLICATION_WITHDRAWN,
        CORRECTION_LAPSED,
        FEE_UNPAID_CLOSED,
        APPLICATION_FORWARDED,
    }
)
PAUSE_STARTS = frozenset({THIRD_PARTY_CONSULTATION_STARTED, ORGAN_CONSULTATION_STARTED})
PAUSE_ENDS = frozenset({THIRD_PARTY_ANSWERED, ORGAN_ANSWERED})

CLOCK_EVENTS = (
    STOPPING_EVENTS
    | PAUSE_STARTS
    | PAUSE_ENDS
    | {
        APPLICATION_ACCEPTED,
        CORRECTION_REQUESTED,
        APPLICATION_CORRECTED,
        EXTENSION_GRANTED,
        REPLY_DATE_SET,
        FEE_NOTICE_ISSUED,
        FEE_PAID,
    }
)


def clock_fact(event_type: str, occurred_on: date, data: dict[str, Any]) -> ClockFact | None:
    """The clock fact an event states, or None when it does not touch the clock."""
    if event_type == APPLICATION_ACCEPTED:
        return Received(date.fromisoformat(data["application"]["received_on"]))
    if event_type == CORRECTION_REQUESTED:
        return CorrectionRequested(occurred_on)
    if event_type == APPLICATION_CORRECTED:
        return Corrected(occurred_on)
    if event_type in PAUSE_STARTS:
        return PauseStarted(occurred_on, str(data["ref"]))
    if event_type in PAUSE_ENDS:
        return PauseEnded(occurred_on, str(data["ref"]))
    if event_type == FEE_NOTICE_ISSUED:
        return PauseStarted(occurred_on, FEE_PAUSE)
    if event_type == FEE_PAID:
        return PauseEnded(occurred_on, FEE_PAUSE)
    if event_type == EXTENSION_GRANTED:
        return Extended(occurred_on, int(data["working_days"]))
    if event_type == REPLY_DATE_SET:
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
