"""Payloads between dicts and protobuf (messaging/payloads.py) are what protobuf's own JSON
mapping makes of them, for every event type of the bus: the same fields, values and order."""

from __future__ import annotations

import random
from typing import Any

import pytest
from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message
from ogi.v1 import events_pb2

from ogi_platform.messaging.payloads import to_dict, to_message

EVENT_TYPES = [
    cls
    for name in dir(events_pb2)
    if isinstance(cls := getattr(events_pb2, name), type) and issubclass(cls, Message)
]
TEXTS = ["", "a", "政府信息公开申请", "ZRZY-2026-00001", "2026-06-01", " 带 空格 ", "\u00e9\n"]


def reference(message: Message) -> dict[str, Any]:
    return json_format.MessageToDict(
        message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
    )


def scalar(field: FieldDescriptor, rng: random.Random) -> Any:
    if field.type == FieldDescriptor.TYPE_STRING:
        return rng.choice(TEXTS)
    if field.type == FieldDescriptor.TYPE_BOOL:
        return rng.random() < 0.5
    if field.type == FieldDescriptor.TYPE_INT64:
        return rng.choice([0, 1, -7, 2**40, 2**63 - 1])
    return rng.choice([0, 1, 20, -3, 2**31 - 1])


def fill(message: Message, rng: random.Random, depth: int = 0) -> Message:
    """Some fields of ``message`` set at random (others left at their defaults)."""
    for field in message.DESCRIPTOR.fields:
        if rng.random() < 0.3:
            continue
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            if field.message_type.full_name.startswith("google.protobuf.") or depth > 2:
                continue
            if field.is_repeated:
                for _ in range(rng.randint(0, 3)):
                    fill(getattr(message, field.name).add(), rng, depth + 1)
            else:
                fill(getattr(message, field.name), rng, depth + 1)
                getattr(message, field.name).SetInParent()
        elif field.is_repeated:
            getattr(message, field.name).extend(
                scalar(field, rng) for _ in range(rng.randint(0, 3))
            )
        else:
            setattr(message, field.name, scalar(field, rng))
    return message


def int64_as_int(descriptor: Descriptor, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with its 64-bit integers as Python ints (as events hold them)."""
    plain: dict[str, Any] = {}
    for name, value in data.items():
        field = descriptor.fields_by_name[name]
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            plain[name] = (
                [int64_as_int(field.message_type, v) for v in value]
                if field.is_repeated
                else int64_as_int(field.message_type, value)
            )
        elif field.type == FieldDescriptor.TYPE_INT64:
            plain[name] = [int(v) for v in value] if field.is_repeated else int(value)
        else:
            plain[name] = value
    return plain


@pytest.mark.parametrize("cls", EVENT_TYPES, ids=lambda cls: cls.__name__)
def test_every_event_type_maps_as_protobufs_json_mapping(cls: type[Message]) -> None:
    rng = random.Random(cls.__name__)
    for _ in range(30):
        message = fill(cls(), rng)
        data = to_dict(message)
        expected = reference(message)
        assert list(data.items()) == list(expected.items())
        parsed = cls()
        json_format.ParseDict(expected, parsed)
        assert to_message(cls, data) == parsed
        if cls.DESCRIPTOR.name != "Envelope":
            assert to_message(cls, int64_as_int(cls.DESCRIPTOR, data)) == parsed


def test_what_parse_dict_refuses_is_refused_alike() -> None:
    cls = events_pb2.ApplicationAccepted
    with pytest.raises(json_format.ParseError, match="no_such_field"):
        to_message(cls, {"application_number": "X", "no_such_field": 1})
    with pytest.raises(json_format.ParseError):
        to_message(cls, {"application_number": 12})
    assert to_message(cls, {"application_number": None}) == cls()
