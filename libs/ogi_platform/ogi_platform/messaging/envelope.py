"""The event envelope: what every stored event looks like on the bus and in a trace."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from uuid import UUID

from ogi_platform.eventstore.aggregate import Meta, meta
from ogi_platform.ids import event_id

SERVICES = ("intake", "routing", "review", "reply", "complaint")
#: Read models fed from the bus: they consume events, publish none and keep no history.
READ_MODELS = ("report", "query")
SUBJECT_ROOT = "ogi"
DEAD_LETTER_ROOT = "ogidlq"
EVENT_STREAM = "OGI"
DEAD_LETTER_STREAM = "OGI_DLQ"

_NOT_PAYLOAD = {"originator_id", "originator_version", "timestamp", "originator_topic", "meta"}


@dataclass(frozen=True)
class EventRecord:
    """One stored event with its envelope; ``data`` is the payload as plain JSON values."""

    event_id: str
    application_id: str
    agency: str
    service: str
    type: str
    schema_version: int
    occurred_on: str
    recorded_at: datetime
    actor: str
    correlation_id: str
    causation_id: str
    to_agency: str
    position: int
    aggregate_version: int
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def subject(self) -> str:
        return event_subject(self.agency, self.service, self.type, self.to_agency)


def header_fields(record: EventRecord) -> dict[str, Any]:
    """The envelope fields the bus envelope and the history event share, as message fields."""
    return {
        "event_id": record.event_id,
        "application_id": record.application_id,
        "agency": record.agency,
        "service": record.service,
        "type": record.type,
        "schema_version": record.schema_version,
        "occurred_on": record.occurred_on,
        "actor": record.actor,
        "correlation_id": record.correlation_id,
        "causation_id": record.causation_id,
        "aggregate_version": record.aggregate_version,
    }


def event_subject(agency: str, service: str, event_type: str, to_agency: str) -> str:
    """``ogi.<from-agency>.<service>.<EventType>.<to-agency>``."""
    return f"{SUBJECT_ROOT}.{agency}.{service}.{event_type}.{to_agency}"


def covers(filters: list[str], subject: str) -> bool:
    """Whether ``filters`` match everything the filter subject ``subject`` matches."""
    return any(_covers(f.split("."), subject.split(".")) for f in filters)


def _covers(pattern: list[str], subject: list[str]) -> bool:
    for i, token in enumerate(pattern):
        if token == ">":
            return len(subject) > i
        if i >= len(subject) or subject[i] == ">":
            return False
        if token != "*" and token != subject[i]:
            return False
    return len(pattern) == len(subject)


def dead_letter_subject(agency: str, service: str) -> str:
    return f"{DEAD_LETTER_ROOT}.{agency}.{service}"


def consumer_name(agency: str, service: str) -> str:
    return f"{agency}__{service}"


def plain(value: Any) -> Any:
    """Domain values as JSON values (dates as ISO strings, UUIDs as strings, sets as lists)."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    return value


def record_of(domain_event: Any, agency: str, service: str, position: int) -> EventRecord:
    """The envelope of a stored domain event of ``agency``'s ``service`` store."""
    event_meta: Meta = domain_event.meta
    data = {k: plain(v) for k, v in vars(domain_event).items() if k not in _NOT_PAYLOAD}
    return EventRecord(
        event_id=event_id(domain_event.originator_id, domain_event.originator_version, agency),
        application_id=event_meta["application_id"],
        agency=agency,
        service=service,
        type=type(domain_event).__name__,
        schema_version=int(getattr(type(domain_event), "class_version", 1)),
        occurred_on=event_meta["occurred_on"],
        recorded_at=domain_event.timestamp,
        actor=event_meta["actor"],
        correlation_id=event_meta["correlation_id"],
        causation_id=event_meta["causation_id"],
        to_agency=event_meta.get("to_agency") or agency,
        position=position,
        aggregate_version=domain_event.originator_version,
        data=data,
    )


def caused_by(record: EventRecord, actor: str, to_agency: str = "") -> Meta:
    """Metadata for an event caused by an inbound event: same application, dated like its cause."""
    return meta(
        record.application_id,
        actor,
        date.fromisoformat(record.occurred_on),
        causation_id=record.event_id,
        to_agency=to_agency,
    )
