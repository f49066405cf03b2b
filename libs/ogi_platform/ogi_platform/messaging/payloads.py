"""Event payloads between dicts and protobuf messages, as protobuf's JSON mapping makes them.

``json_format`` walks every field through its general machinery (a third of a service's work
of encoding and decoding events). The payloads of the bus use few field kinds: strings, 32-bit
integers, booleans, 64-bit integers (strings in the JSON mapping), messages and repeated ones,
none with presence of its own. For a message made of those only, ``to_dict`` and ``to_message``
answer what ``json_format.MessageToDict(preserving_proto_field_name=True,
always_print_fields_with_no_presence=True)`` and ``json_format.ParseDict`` answer, field for
field (tests/unit/test_payloads.py compares them for every event type); any other message goes
through ``json_format``.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from google.protobuf import json_format
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

_INT64 = frozenset(
    {
        FieldDescriptor.TYPE_INT64,
        FieldDescriptor.TYPE_UINT64,
        FieldDescriptor.TYPE_FIXED64,
        FieldDescriptor.TYPE_SFIXED64,
        FieldDescriptor.TYPE_SINT64,
    }
)
_AS_IS = frozenset(
    {
        FieldDescriptor.TYPE_STRING,
        FieldDescriptor.TYPE_BOOL,
        FieldDescriptor.TYPE_INT32,
        FieldDescriptor.TYPE_UINT32,
        FieldDescriptor.TYPE_SINT32,
        FieldDescriptor.TYPE_FIXED32,
        FieldDescriptor.TYPE_SFIXED32,
    }
)


@cache
def _simple(descriptor: Descriptor) -> bool:
    """Whether a message has only fields of the kinds above (and messages of such fields)."""
    if descriptor.full_name.startswith("google.protobuf.") or descriptor.GetOptions().map_entry:
        return False
    for field in descriptor.fields:
        if field.containing_oneof is not None:
            return False
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            if not _simple(field.message_type):
                return False
        elif field.has_presence or field.type not in _INT64 | _AS_IS:
            return False
    return True


@cache
def _fields(descriptor: Descriptor) -> tuple[tuple[FieldDescriptor, ...], bool]:
    """The message's fields as declared, and whether that is also the order of their numbers."""
    fields = tuple(descriptor.fields)
    numbers = [field.number for field in fields]
    return fields, numbers == sorted(numbers)


def to_dict(message: Message) -> dict[str, Any]:
    """The message as ``MessageToDict`` makes it (field names as in the schema, every field)."""
    if not _simple(message.DESCRIPTOR):
        return json_format.MessageToDict(
            message,
            preserving_proto_field_name=True,
            always_print_fields_with_no_presence=True,
        )
    return _to_dict(message)


def _to_dict(message: Message) -> dict[str, Any]:
    # MessageToDict puts the fields that are set first (by number), then the others.
    given: dict[str, Any] = {}
    defaults: dict[str, Any] = {}
    fields, by_number = _fields(message.DESCRIPTOR)
    for field in fields:
        name = field.name
        value = getattr(message, name)
        if field.is_repeated:
            if field.type == FieldDescriptor.TYPE_MESSAGE:
                value = [_to_dict(item) for item in value]
            elif field.type in _INT64:
                value = [str(item) for item in value]
            else:
                value = list(value)
            (given if value else defaults)[name] = value
        elif field.type == FieldDescriptor.TYPE_MESSAGE:
            if message.HasField(name):
                given[name] = _to_dict(value)
        else:
            is_set = value != field.default_value
            (given if is_set else defaults)[name] = str(value) if field.type in _INT64 else value
    if not by_number:
        numbers = {field.name: field.number for field in fields}
        given = dict(sorted(given.items(), key=lambda item: numbers[item[0]]))
    return given | defaults


def to_message(message_class: type[Message], data: dict[str, Any]) -> Message:
    """The message of ``data`` as ``ParseDict`` makes it; a field the schema lacks, or a value
    of another kind, raises ``json_format.ParseError`` as ``ParseDict`` does."""
    if _simple(message_class.DESCRIPTOR) and _plain(message_class.DESCRIPTOR, data):
        try:
            return message_class(**data)
        except (ValueError, TypeError):
            pass  # ParseDict says what is wrong
    message = message_class()
    json_format.ParseDict(data, message)
    return message


def _plain(descriptor: Descriptor, data: dict[str, Any]) -> bool:
    """Whether every value of ``data`` is of the Python kind its field takes as it is (64-bit
    integers given as strings, for instance, are left to ``ParseDict``)."""
    fields = descriptor.fields_by_name
    for name, value in data.items():
        field = fields.get(name)
        if field is None or value is None:
            return False
        if field.is_repeated:
            if not isinstance(value, list) or not all(_plain_value(field, v) for v in value):
                return False
        elif not _plain_value(field, value):
            return False
    return True


def _plain_value(field: FieldDescriptor, value: Any) -> bool:
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        return isinstance(value, dict) and _plain(field.message_type, value)
    if field.type == FieldDescriptor.TYPE_STRING:
        return isinstance(value, str)
    if field.type == FieldDescriptor.TYPE_BOOL:
        return isinstance(value, bool)
    return isinstance(value, int) and not isinstance(value, bool)
