"""Every stored event type has a protobuf message of the same name with the same fields."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from ogi.v1 import events_pb2

from complaint.domain import Complaint, KnownApplication
from intake.domain import Application, MonthlyCount, NumberSeries
from ogi_platform.eventstore.aggregate import OgiAggregate, meta
from ogi_platform.messaging.envelope import EventRecord
from ogi_platform.messaging.wire import UndecodableEvent, decode, encode
from reply.deadline import Deadline
from reply.domain import Reply
from reply.remedy import RemedyCase
from review.domain import ConsultationFile, Review
from routing.domain import Routing

AGGREGATES: list[type[OgiAggregate]] = [
    Application,
    NumberSeries,
    MonthlyCount,
    Routing,
    Review,
    ConsultationFile,
    Reply,
    Deadline,
    RemedyCase,
    Complaint,
    KnownApplication,
]
BASE_FIELDS = {"originator_id", "originator_version", "timestamp", "originator_topic", "meta"}


def event_classes(aggregates: Iterable[type[OgiAggregate]] = AGGREGATES) -> list[type]:
    found = []
    for aggregate in aggregates:
        for value in vars(aggregate).values():
            if (
                isinstance(value, type)
                and issubclass(value, OgiAggregate.Event)
                and value.__name__ not in ("Event", "Created")
            ):
                found.append(value)
    return found


def stored_event_types(aggregates: Iterable[type[OgiAggregate]]) -> set[str]:
    """The event types the aggregates store (what their services' contracts must classify)."""
    return {c.__name__ for c in event_classes(aggregates)}


def test_there_are_events_to_check() -> None:
    assert len(event_classes()) >= 15


@pytest.mark.parametrize("event_class", event_classes(), ids=lambda c: c.__name__)
def test_event_has_matching_proto_message(event_class: type) -> None:
    message = getattr(events_pb2, event_class.__name__, None)
    assert message is not None, f"proto/ogi/v1/events.proto lacks {event_class.__name__}"
    payload_fields = {f.name for f in dataclasses.fields(event_class)} - BASE_FIELDS
    proto_fields = {f.name for f in message.DESCRIPTOR.fields}
    assert payload_fields == proto_fields


def test_envelope_round_trip_keeps_everything() -> None:
    record = EventRecord(
        event_id="e1",
        application_id="A0000000000AB",
        agency="municipal-office",
        service="review",
        type="DecisionMade",
        schema_version=1,
        occurred_on="2026-10-09",
        recorded_at=datetime(2026, 10, 9, 8, 30, tzinfo=UTC),
        actor="staff",
        correlation_id="c0",
        causation_id="c1",
        to_agency="municipal-office",
        position=7,
        aggregate_version=2,
        data={
            "application": {"application_id": "A0000000000AB", "applicant": {"name": "张三"}},
            "outcome": "partial",
            "grounds": ["process_info", "third_party"],
            "reason": "部分涉及第三方",
        },
    )
    back = decode(encode(record))
    assert back.data["grounds"] == ["process_info", "third_party"]
    assert back.data["application"]["applicant"]["name"] == "张三"
    assert back.recorded_at == record.recorded_at
    assert (back.event_id, back.causation_id, back.position) == ("e1", "c1", 7)
    assert back.subject == "ogi.municipal-office.review.DecisionMade.municipal-office"


def test_unknown_fields_are_refused_on_encode() -> None:
    record = EventRecord(
        "e1", "A0000000000AB", "a", "intake", "ApplicationWithdrawn", 1, "2026-01-05",
        datetime(2026, 1, 5, tzinfo=UTC), "x", "c", "", "a", 1, 1, {"reason": "r", "extra": 1},
    )  # fmt: skip
    with pytest.raises(Exception, match="extra"):
        encode(record)


@pytest.mark.parametrize("raw", [b"\xff\xfe garbage", b"", b"\x0a\x02e1"])
def test_garbage_is_undecodable(raw: bytes) -> None:
    with pytest.raises(UndecodableEvent):
        decode(raw)


def test_meta_carries_the_application_and_its_correlation() -> None:
    m = meta("A0000000000AB", "staff", date(2026, 3, 2), causation_id="x")
    assert m["occurred_on"] == "2026-03-02"
    assert m["correlation_id"] == meta("A0000000000AB", "other", date(2026, 1, 1))["correlation_id"]


def _complaint() -> Complaint:
    m = meta("", "staff", date(2026, 3, 2))  # about the agency's work, not one application
    complaint = Complaint(
        "B-C1", "supervision-bureau", "", "municipal-office",
        "overdue", "no reply", "张三", date(2026, 3, 2), m,
    )  # fmt: skip
    complaint.accept("受理", m)
    complaint.find(True, "逾期", m)
    complaint.issue_criticism("通报", m)
    complaint.close("告知", m)
    return complaint


def test_every_public_complaint_event_names_the_case_and_the_agency() -> None:
    for event in _complaint().collect_events():
        fields = vars(event)
        assert fields.get("complaint_id") == "B-C1", type(event).__name__
        assert "municipal-office" in (fields.get("against_agency"), fields.get("agency"))


def test_complaint_events_stored_before_they_named_the_case_still_replay() -> None:
    """An event stored without the fields added later decodes (as the store's mapper does:
    its stored state as the object's attributes) with the fields empty, and replays."""
    new = ("complaint_id", "against_agency")
    old_events = []
    filed, *later = _complaint().collect_events()
    for event in later:
        old = object.__new__(type(event))
        object.__setattr__(old, "__dict__", {k: v for k, v in vars(event).items() if k not in new})
        old_events.append(old)
    assert "complaint_id" not in vars(old_events[0])
    replayed: Any = None
    for old in [filed, *old_events]:
        replayed = old.mutate(replayed)
    assert replayed.state == "closed" and replayed.outcomes == ["criticism"]
