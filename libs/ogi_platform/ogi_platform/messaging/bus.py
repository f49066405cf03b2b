"""NATS JetStream: the connection, the streams, consumers' settings and message ids.

The outbox relay (``outbox``) and the idempotent inbox (``inbox``) build on these.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext, api
from nats.js.errors import NotFoundError

from ogi_platform.eventstore.application import UnitOfWork
from ogi_platform.messaging.envelope import (
    DEAD_LETTER_ROOT,
    DEAD_LETTER_STREAM,
    EVENT_STREAM,
    SUBJECT_ROOT,
    EventRecord,
)

log = logging.getLogger(__name__)

#: What the inbox hands an inbound event to, with the unit of work of its batch.
Handler = Callable[[UnitOfWork, EventRecord], None]

RELAY_POSITION = "outbox:nats"
INBOX_POSITION = f"jetstream:{EVENT_STREAM}"
DUPLICATE_WINDOW_SECONDS = 3600.0
INBOX_BATCH = 200
#: A replay's fetch and transaction size: nobody waits on a rebuild's single events, so it takes
#: the stream in larger batches (fewer statements and commits per event) until it has caught up.
REPLAY_BATCH = 1000
ACK_WAIT_SECONDS = 60.0
MAX_ACK_PENDING = INBOX_BATCH * 4
#: How long a consumer a service made for itself stays on the server once nobody fetches from it:
#: a process whose set of agencies changed, or that went for good, leaves none behind (each
#: consumer costs the server work for every message stored); a process away for longer makes it
#: again from its stores' positions. Consumers the NATS admin provisions stay.
INACTIVE_CONSUMER_SECONDS = 24 * 3600.0
#: How the inboxes' consumers take acks: the ack of a batch's last message acks the batch
#: (one ack per batch, not one per message). A consumer made before with explicit acks is
#: acked message by message if provisioned (``ogi nats provision`` keeps it), and made again
#: by a service that manages its own.
CONSUMER_ACK_POLICY = api.AckPolicy.ALL
#: Room left in a message for its headers when the relay checks it against ``max_payload``.
HEADER_ROOM = 1024


def consumer_config(
    durable: str,
    subjects: list[str],
    ack_wait: float = ACK_WAIT_SECONDS,
    max_ack_pending: int = MAX_ACK_PENDING,
    inactive_threshold: float | None = None,
) -> api.ConsumerConfig:
    """The durable pull consumer of an inbox, whether its service or the NATS admin makes it
    (only a service's own is removed when unused for ``inactive_threshold`` seconds)."""
    return api.ConsumerConfig(
        name=durable,
        durable_name=durable,
        ack_policy=CONSUMER_ACK_POLICY,
        ack_wait=ack_wait,
        max_ack_pending=max_ack_pending,
        filter_subjects=subjects,
        inactive_threshold=inactive_threshold,
    )


def consumer_filters(info: api.ConsumerInfo) -> list[str]:
    """A consumer's filter subjects, sorted, whether it has one or several."""
    return sorted(info.config.filter_subjects or [info.config.filter_subject or ""])


class ConsumerNotProvisioned(RuntimeError):
    """An agency user's service found no consumer to bind to: the NATS admin creates it."""


def agency_user(user: str | None) -> bool:
    """Whether a NATS user is an agency's own (deploy/nats), not the admin or anonymous."""
    return bool(user) and user != "admin"


def inbox_prefix(user: str | None) -> str:
    """Where an agency user's replies arrive: ``_INBOX_<code>``, which only it may read (the
    server configuration in deploy/nats allows each agency its own prefix); others ``_INBOX``."""
    return f"_INBOX_{user}" if agency_user(user) else "_INBOX"


def message_id(event_id: str, key: bytes) -> str:
    """The ``Nats-Msg-Id`` of an event: with a key (the publisher's NATS password), an HMAC of
    the event id that no other agency can predict, so none can have the event dropped as a
    duplicate by publishing that id first; stable across republishing, as deduplication needs."""
    if not key:
        return event_id
    return hmac.new(key, event_id.encode(), hashlib.sha256).hexdigest()[:40]


async def connect(
    url: str, name: str, user: str | None = None, password: str | None = None
) -> Client:
    """Connect to NATS, retrying forever while the server is away."""
    return await nats.connect(
        url,
        name=name,
        user=user or None,
        password=password or None,
        inbox_prefix=inbox_prefix(user),
        max_reconnect_attempts=-1,
        reconnect_time_wait=0.5,
        connect_timeout=5,
        allow_reconnect=True,
    )


async def ensure_streams(js: JetStreamContext) -> None:
    """Create the event stream and the dead-letter stream if they are missing."""
    for name, subjects in (
        (EVENT_STREAM, [f"{SUBJECT_ROOT}.>"]),
        (DEAD_LETTER_STREAM, [f"{DEAD_LETTER_ROOT}.>"]),
    ):
        try:
            await js.stream_info(name)
        except NotFoundError:
            await js.add_stream(
                name=name,
                subjects=subjects,
                storage=api.StorageType.FILE,
                duplicate_window=DUPLICATE_WINDOW_SECONDS,
            )
