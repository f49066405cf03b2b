"""Identifiers: application ids, aggregate ids and stable event ids."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from ogi_errors import InvalidInput

# A fixed namespace so that every service derives the same ids from the same keys.
OGI_NAMESPACE = uuid.UUID("5b0e8f1c-3f6e-4f4e-9a57-0d1b2c7a9e11")

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_ID_CHARS = 12  # 60 bits of randomness


def _base32(n: int, width: int) -> str:
    chars = []
    for _ in range(width):
        chars.append(_CROCKFORD[n & 31])
        n >>= 5
    return "".join(reversed(chars))


def new_application_id(idempotency_key: str | None = None) -> str:
    """A global application id such as ``A7K3M9QXW2PZR``, typeable and never reused.

    With an idempotency key the id is derived from it, so a retried submission
    names the same application instead of creating a second one.
    """
    if idempotency_key:
        digest = hashlib.sha256(idempotency_key.encode()).digest()
        n = int.from_bytes(digest[:8], "big")
    else:
        n = secrets.randbits(64)
    return "A" + _base32(n, _ID_CHARS)


def is_application_id(value: str) -> bool:
    return (
        len(value) == _ID_CHARS + 1 and value[0] == "A" and all(c in _CROCKFORD for c in value[1:])
    )


def aggregate_id(kind: str, key: str) -> uuid.UUID:
    """The id of the aggregate of a given kind kept for a key (usually an application id)."""
    return uuid.uuid5(OGI_NAMESPACE, f"{kind}:{key}")


def event_id(originator_id: uuid.UUID, version: int, agency: str) -> str:
    """A stable id of a stored event: the same on every republish, used as Nats-Msg-Id.

    The agency is part of it: a forwarded application has aggregates of the same id in the
    stores of every agency it passed through.
    """
    return str(uuid.uuid5(originator_id, f"{agency}/{version}"))


def correlation_id(application_id: str) -> str:
    """The id that ties together every event of one application, in every agency."""
    return str(uuid.uuid5(OGI_NAMESPACE, f"application:{application_id}"))


def checked_application_id(value: str, field: str = "application_id") -> str:
    """The application id from input, or InvalidInput naming the field."""
    if not value:
        raise InvalidInput(field, "is required")
    if not is_application_id(value):
        raise InvalidInput(field, f"{value!r} is not an application id")
    return value
