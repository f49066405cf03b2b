"""Limits of every request field, checked once at the gRPC boundary (``ogi_platform.rpc.server``).

Every string field of a request has a length limit in characters, looked up by the field's name
(the default for any name not in the table), and no control characters but tab, line feed and
carriage return; every repeated field has a limit on its number of items. The first violation
raises ``InvalidInput`` naming the field by its path (``applicant.name``, ``items[3]``), so a
request over a limit is INVALID_ARGUMENT and reaches no servicer. README.md lists the limits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from ogi_errors import InvalidInput

#: Identifiers, codes and dates (``application_id``, ``agency``, ``outcome``, ``received_on``).
CODE = 64
#: Names, contacts, identity documents, offices: any string field not named in ``TEXT_LIMITS``.
DEFAULT_TEXT = 200
#: One correction item (a thing the applicant must supply).
ITEM = 500
#: Free text: descriptions, reasons, notes, complaints.
FREE_TEXT = 4000
#: A trace attached to a complaint, as ``ogi trace --json`` prints it.
TRACE = 150_000
#: The default number of items of a repeated field.
DEFAULT_ITEMS = 50

TEXT_LIMITS: Mapping[str, int] = {
    **dict.fromkeys(
        (
            "application_id",
            "complaint_id",
            "order_id",
            "ref",
            "request_id",
            "agency",
            "against_agency",
            "bureau",
            "from_agency",
            "to_agency",
            "type",
            "form",
            "channel",
            "outcome",
            "method",
            "kind",
            "result",
            "answer",
            "approver_role",
            "grounds",
            "on",
            "received_on",
            "withdrawn_on",
            "notice_on",
            "corrected_on",
            "forwarded_on",
            "decided_on",
            "reviewed_on",
            "sent_on",
            "answered_on",
            "notified_on",
            "due_on",
            "paid_on",
            "delivered_on",
            "filed_on",
            "concluded_on",
        ),
        CODE,
    ),
    **dict.fromkeys(
        (
            "description",
            "reason",
            "reasons",
            "late_reason",
            "good_reason",
            "public_interest_reason",
            "text",
            "note",
            "notice",
            "requirements",
        ),
        FREE_TEXT,
    ),
    "items": ITEM,
    "trace_json": TRACE,
}

ITEM_LIMITS: Mapping[str, int] = {"items": 30, "grounds": 20}

#: Control characters (Unicode category Cc) but tab, line feed and carriage return.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def text_limit(name: str) -> int:
    """The most characters a string field of this name may hold."""
    return TEXT_LIMITS.get(name, DEFAULT_TEXT)


def item_limit(name: str) -> int:
    """The most items a repeated field of this name may hold."""
    return ITEM_LIMITS.get(name, DEFAULT_ITEMS)


def check_request(message: Message, prefix: str = "") -> None:
    """Raise ``InvalidInput`` at the first field of ``message`` (nested messages and repeated
    fields included) that is over its limit or holds a control character."""
    for field, value in message.ListFields():
        path = prefix + field.name
        if field.is_repeated:
            if len(value) > item_limit(field.name):
                raise InvalidInput(path, f"has more than {item_limit(field.name)} items")
            for index, item in enumerate(value):
                _check_value(field, item, f"{path}[{index}]")
        else:
            _check_value(field, value, path)


def _check_value(field: FieldDescriptor, value: object, path: str) -> None:
    if field.type == FieldDescriptor.TYPE_MESSAGE:
        assert isinstance(value, Message)
        check_request(value, path + ".")
    elif field.type == FieldDescriptor.TYPE_STRING:
        assert isinstance(value, str)
        _check_text(field.name, value, path)


def _check_text(name: str, value: str, path: str) -> None:
    limit = text_limit(name)
    if len(value) > limit:
        raise InvalidInput(path, f"is longer than {limit} characters")
    if control := _CONTROL.search(value):
        raise InvalidInput(path, f"holds the control character U+{ord(control.group()):04X}")
