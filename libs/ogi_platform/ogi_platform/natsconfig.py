"""The NATS users of deploy/nats (admin, and one user per agency confined to its own subjects),
rendered as a nats-server configuration for a list of agency codes and their passwords.

`ogi up` runs its nats-server with this configuration; deploy/nats/nats-server.conf is the same
model written out for the four default agencies (a unit test compares them).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from ogi_platform.messaging.envelope import (
    DEAD_LETTER_ROOT,
    DEAD_LETTER_STREAM,
    EVENT_STREAM,
    READ_MODELS,
    SERVICES,
    SUBJECT_ROOT,
    consumer_name,
)

ADMIN = "admin"

Permissions = dict[str, dict[str, list[str]]]


def admin_permissions() -> Permissions:
    """The JetStream API, the events and dead letters of every agency; read anything."""
    return {
        "publish": {"allow": ["$JS.>", f"{SUBJECT_ROOT}.>", f"{DEAD_LETTER_ROOT}.>"]},
        "subscribe": {"allow": [">"]},
    }


def agency_permissions(code: str) -> Permissions:
    """Its own events and dead letters; stream info, its own consumers' info, pulls and acks;
    its own reply inbox only."""
    consumers = [consumer_name(code, service) for service in (*SERVICES, *READ_MODELS)]
    return {
        "publish": {
            "allow": [
                f"{SUBJECT_ROOT}.{code}.>",
                f"{DEAD_LETTER_ROOT}.{code}.>",
                f"$JS.API.STREAM.INFO.{EVENT_STREAM}",
                f"$JS.API.STREAM.INFO.{DEAD_LETTER_STREAM}",
                *(f"$JS.API.CONSUMER.INFO.{EVENT_STREAM}.{c}" for c in consumers),
                *(f"$JS.API.CONSUMER.MSG.NEXT.{EVENT_STREAM}.{c}" for c in consumers),
                *(f"$JS.ACK.{EVENT_STREAM}.{c}.>" for c in consumers),
            ]
        },
        "subscribe": {"allow": [f"_INBOX_{code}.>"]},
    }


def users(agencies: Iterable[str]) -> dict[str, Permissions]:
    """Every NATS user (admin first) with its permissions."""
    return {ADMIN: admin_permissions()} | {code: agency_permissions(code) for code in agencies}


def render(passwords: Mapping[str, str]) -> str:
    """A nats-server configuration: JetStream, and the users of ``passwords`` (admin and agency
    codes) with their passwords and permissions. Strings are quoted (JSON), so a password is
    never read as a number or a variable."""
    permissions = users(name for name in passwords if name != ADMIN)
    entries: list[dict[str, Any]] = [
        {"user": name, "password": passwords[name], "permissions": permissions[name]}
        for name in permissions
    ]
    return "jetstream: enabled\nauthorization " + json.dumps({"users": entries}, indent=2) + "\n"
