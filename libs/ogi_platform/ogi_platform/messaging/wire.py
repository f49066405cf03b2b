"""Envelopes to and from protobuf bytes: the schema on the bus is the one in proto/."""

from __future__ import annotations

from datetime import UTC

from google.protobuf.message import DecodeError, Message
from ogi.v1 import events_pb2

from ogi_platform.messaging.envelope import EventRecord, header_fields
from ogi_platform.messaging.payloads import to_dict, to_message

_TYPE_PREFIX = "type.googleapis.com/ogi.v1."


class UndecodableEvent(ValueError):
    """A message on the bus that is not a valid envelope of a known event type."""


def payload_message(event_type: str) -> type[Message]:
    message_class = getattr(events_pb2, event_type, None)
    if message_class is None or not isinstance(message_class, type):
        raise UndecodableEvent(f"unknown event type {event_type!r}")
    return message_class


def encode(record: EventRecord) -> bytes:
    envelope = events_pb2.Envelope(
        **header_fields(record), to_agency=record.to_agency, position=record.position
    )
    envelope.recorded_at.FromDatetime(record.recorded_at)
    # every field of the event must exist in the schema (to_message refuses others)
    envelope.payload.Pack(to_message(payload_message(record.type), record.data))
    return bytes(envelope.SerializeToString())


def decode(raw: bytes) -> EventRecord:
    envelope = events_pb2.Envelope()
    try:
        envelope.ParseFromString(raw)
    except DecodeError as error:
        raise UndecodableEvent(f"not an envelope: {error}") from error
    if not envelope.event_id or not envelope.type:
        raise UndecodableEvent("envelope without event_id or type")
    if envelope.payload.type_url != _TYPE_PREFIX + envelope.type:
        raise UndecodableEvent(f"payload {envelope.payload.type_url!r} is not {envelope.type}")
    message = payload_message(envelope.type)()
    if not envelope.payload.Unpack(message):
        raise UndecodableEvent(f"payload does not unpack as {envelope.type}")
    return EventRecord(
        event_id=envelope.event_id,
        application_id=envelope.application_id,
        agency=envelope.agency,
        service=envelope.service,
        type=envelope.type,
        schema_version=envelope.schema_version,
        occurred_on=envelope.occurred_on,
        recorded_at=envelope.recorded_at.ToDatetime().replace(tzinfo=UTC),
        actor=envelope.actor,
        correlation_id=envelope.correlation_id,
        causation_id=envelope.causation_id,
        to_agency=envelope.to_agency,
        position=envelope.position,
        aggregate_version=envelope.aggregate_version,
        data=to_dict(message),
    )
