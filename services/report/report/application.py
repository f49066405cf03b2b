"""The report's own store: each counted event as it came from the bus, kept by its event id.

Only what the projection reads is kept (no names, contacts or descriptions). The store is
never published (the report service has no outbox relay): its events are its own tables.
"""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import NAMESPACE_URL, UUID, uuid5

from ogi_platform.eventstore.aggregate import OgiAggregate
from ogi_platform.eventstore.application import OgiApplication
from ogi_platform.messaging.envelope import EventRecord

#: The payload fields the projection (ogi_report.projection) reads.
KEPT = ("received_on", "outcome", "grounds", "ref", "kind", "filed_on", "concluded_on", "result")


def counted_id(event_id: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"ogi:report:{event_id}")


def facts_of(record: EventRecord) -> dict[str, Any]:
    """The part of a bus event the projection takes, in the shape of a stored event's state."""
    data = {key: record.data[key] for key in KEPT if key in record.data}
    if "applicant" in record.data:
        data["applicant"] = {"type": record.data["applicant"]["type"]}
    data["meta"] = {"application_id": record.application_id, "occurred_on": record.occurred_on}
    return data


class Counted(OgiAggregate):
    """One event the report counts (created once per event id: a republish changes nothing)."""

    def __init__(self, source_event_id: str, event_type: str, data: dict[str, Any]) -> None:
        self.source_event_id = source_event_id
        self.event_type = event_type
        self.data = data

    @staticmethod
    def create_id(source_event_id: str) -> UUID:
        return counted_id(source_event_id)


class ReportApplication(OgiApplication):
    name = "report"
    service = "report"
    # No aggregate cache: a rebuild empties the tables, and a cache would still hold the events.
    env: ClassVar[dict[str, str]] = {}
