"""NATS JetStream: connection, streams, the outbox relay and the idempotent inbox.

Outbox: events are committed to the store first; the relay reads the store's notification log
and publishes each event with a stable ``Nats-Msg-Id`` (its event id, keyed with the publisher's
NATS password when it has one: see ``message_id``), awaiting the acks of a whole
batch together, then records its position in the store. A crash in between republishes the
batch and JetStream drops the duplicates.

Inbox: a durable pull consumer per agency and service. A batch of messages is applied in one
store transaction together with a tracking record of the batch's last stream sequence, so a
redelivered message (at or below the tracked position) is skipped. A message that cannot be
decoded, that its sender may not send, or whose handler keeps failing, goes with its error to
the dead-letter stream and the consumer moves on; one the service has no handler for (another
service's event addressed to the same agency) is only tracked. Handlers are also idempotent per
event id, for republishes older than the duplicate window.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import json
import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass
from enum import Enum

import nats
from eventsourcing.persistence import PersistenceError, Tracking
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext, api
from nats.js.errors import NotFoundError

from ogi_errors import DomainError, IllegalStep
from ogi_platform.eventstore.application import OgiApplication, UnitOfWork
from ogi_platform.eventstore.writer import Writer
from ogi_platform.messaging.envelope import (
    DEAD_LETTER_ROOT,
    DEAD_LETTER_STREAM,
    EVENT_STREAM,
    SUBJECT_ROOT,
    EventRecord,
    consumer_name,
    covers,
    dead_letter_subject,
    record_of,
)
from ogi_platform.messaging.streamguard import RECHECK_SECONDS, Progress, StreamChanged, StreamGuard
from ogi_platform.messaging.wire import UndecodableEvent, decode, encode

log = logging.getLogger(__name__)

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
#: Room left in a message for its headers when the relay checks it against ``max_payload``.
HEADER_ROOM = 1024


def consumer_config(
    durable: str,
    subjects: list[str],
    ack_wait: float = ACK_WAIT_SECONDS,
    max_ack_pending: int = MAX_ACK_PENDING,
) -> api.ConsumerConfig:
    """The durable pull consumer of an inbox, whether its service or the NATS admin makes it."""
    return api.ConsumerConfig(
        name=durable,
        durable_name=durable,
        ack_policy=api.AckPolicy.EXPLICIT,
        ack_wait=ack_wait,
        max_ack_pending=max_ack_pending,
        filter_subjects=subjects,
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


class OutboxRelay:
    """Publishes one store's committed events to JetStream, in order, at least once: those of
    the ``public`` types (the service's contract; None: every event). Internal events stay in
    the store; the relay's position passes over them."""

    def __init__(
        self,
        app: OgiApplication,
        js: JetStreamContext,
        writer: Writer,
        batch_size: int = 500,
        idle_poll_seconds: float = 1.0,
        ack_timeout_seconds: float = 5.0,
        id_key: bytes = b"",
        public: Collection[str] | None = None,
    ) -> None:
        self.app = app
        self.js = js
        self.public = public
        self.writer = writer
        self.id_key = id_key
        self.batch_size = batch_size
        self.idle_poll_seconds = idle_poll_seconds
        self.ack_timeout_seconds = ack_timeout_seconds
        self._wake = asyncio.Event()
        self.published = 0
        self.dead_lettered = 0
        self.guard = StreamGuard(app, js, RELAY_POSITION)
        self.progress = Progress()

    def wake_threadsafe(self, loop: asyncio.AbstractEventLoop) -> Callable[[], None]:
        def wake() -> None:
            loop.call_soon_threadsafe(self._wake.set)

        return wake

    async def run(self) -> None:
        self.app.on_commit(self.wake_threadsafe(asyncio.get_running_loop()))
        while True:
            # Cleared before reading the store, so a commit made meanwhile is not slept through.
            self._wake.clear()
            try:
                sent = await self.relay_once()
            except asyncio.CancelledError:
                raise
            except StreamChanged:
                await asyncio.sleep(RECHECK_SECONDS)  # the guard has said why
                continue
            except Exception:
                log.exception(
                    "outbox relay of %s/%s failed; retrying", self.app.agency, self.app.service
                )
                await asyncio.sleep(1.0)
                continue
            if sent < self.batch_size:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.idle_poll_seconds)

    async def relay_once(self) -> int:
        """Publish the next batch after the recorded position; returns how many stored events
        it went past (published, or internal and passed over).

        The stream is checked to be the store's before and after (``StreamGuard``), so a
        position is never recorded for events that went to another stream or server."""
        checked = await self.guard.check()
        position = await asyncio.to_thread(self.app.position, checked.tracking)
        records = await asyncio.to_thread(self._records_after, position)
        if not records:
            self.progress.made()
            return 0
        sent = [
            (record, await self._publish(record))
            for record in records
            if self.public is None or record.type in self.public
        ]
        futures = [outcome for _, outcome in sent if isinstance(outcome, asyncio.Future)]
        # An ack lost with the connection (a NATS restart) never comes: give up and republish.
        # (So does an ack refusing the message: nats-py raises it in its reply handler.)
        await asyncio.wait_for(asyncio.gather(*futures), self.ack_timeout_seconds)
        for record, outcome in sent:
            if isinstance(outcome, str):
                await self._dead_letter(record, outcome)
        await self.guard.check(since=checked.connection)
        await self.writer.run(self.app.record_position, checked.tracking, records[-1].position)
        self.published += len(sent)
        self.progress.made()
        return len(records)

    async def _publish(self, record: EventRecord) -> asyncio.Future[api.PubAck] | str:
        """Publish one event; what NATS will never take (larger than the server's
        ``max_payload``) is not sent, and the reason is returned instead."""
        data = encode(record)
        limit = self.guard.nc.max_payload
        if len(data) + HEADER_ROOM > limit:
            return f"the event's message of {len(data)} bytes exceeds the bus's {limit}"
        return await self.js.publish_async(
            record.subject,
            data,
            headers={"Nats-Msg-Id": message_id(record.event_id, self.id_key)},
            stream=EVENT_STREAM,
        )

    async def _dead_letter(self, record: EventRecord, error: str) -> None:
        """An event the bus refuses for good must not stop every later one: its envelope,
        without the payload, goes with the error to the dead-letter stream."""
        envelope = {
            "event_id": record.event_id,
            "application_id": record.application_id,
            "subject": record.subject,
            "type": record.type,
            "position": record.position,
            "error": error,
        }
        await self.js.publish(
            dead_letter_subject(self.app.agency, self.app.service),
            json.dumps(envelope, ensure_ascii=False).encode(),
            headers={
                "Nats-Msg-Id": f"dlq:outbox:{message_id(record.event_id, self.id_key)}",
                "Ogi-Error": error[:1000],
                "Ogi-Original-Subject": record.subject,
                "Ogi-Event-Id": record.event_id,
                "Ogi-Publisher": f"{self.app.agency}/{self.app.service}",
            },
            stream=DEAD_LETTER_STREAM,
        )
        self.dead_lettered += 1
        log.error(
            "outbox of %s/%s: event %s (%s, store position %s) cannot be published and went to "
            "the dead letters without its payload: %s",
            self.app.agency, self.app.service, record.event_id, record.type, record.position,
            error,
        )  # fmt: skip

    def _records_after(self, position: int) -> list[EventRecord]:
        notifications = self.app.notifications(position, self.batch_size)
        return [
            record_of(self.app.mapper.to_domain_event(n), self.app.agency, self.app.service, n.id)
            for n in notifications
        ]


class Skip(Enum):
    """What a sender check answers for an event that is not this service's to apply: another
    agency's event of a type the service takes from its own agency only (one addressed to another
    service of the agency, such as a forward for its intake). Acked and tracked, never applied,
    never dead-lettered."""

    SKIP = "skip"


@dataclass
class Inbound:
    msg: Msg
    sequence: int
    record: EventRecord | None
    error: str | None


class _BatchFailed(Exception):
    def __init__(self, error: str | None, sequence: int) -> None:
        super().__init__(error)
        self.sequence = sequence  # the message that failed


class InboxConsumer:
    """Applies events addressed to one agency's service, exactly once in effect."""

    def __init__(
        self,
        app: OgiApplication,
        js: JetStreamContext,
        writer: Writer,
        handlers: dict[str, Handler],
        filter_subjects: list[str],
        batch_size: int = INBOX_BATCH,
        replay_batch_size: int = REPLAY_BATCH,
        max_tries: int = 3,
        ack_wait_seconds: float = ACK_WAIT_SECONDS,
        may_manage: bool = True,
        refuses: Callable[[EventRecord], str | Skip | None] = lambda record: None,
    ) -> None:
        self.app = app
        self.js = js
        self.writer = writer
        self.handlers = handlers
        self.filter_subjects = filter_subjects
        self.batch_size = batch_size
        self.replay_batch_size = replay_batch_size
        #: How many messages the next fetch asks for: ``replay_batch_size`` from a replay's start
        #: until a fetch comes back short (the stream caught up), ``batch_size`` otherwise.
        self.fetch_size = batch_size
        self.max_tries = max_tries
        self.ack_wait_seconds = ack_wait_seconds
        self.may_manage = may_manage
        self.refuses = refuses
        self.durable = consumer_name(app.agency, app.service)
        self.applied = 0
        self.dead_lettered = 0
        self.guard = StreamGuard(app, js, INBOX_POSITION)
        #: Where positions in the current stream are tracked (set by every check of the stream).
        self.tracking = INBOX_POSITION
        self.progress = Progress()
        #: A replay asked for (``replay``): what empties the store, and who waits for it.
        self._replay: tuple[Callable[[], None], asyncio.Future[None]] | None = None

    async def _check(self, since: int | None = None) -> None:
        self.tracking = (await self.guard.check(since)).tracking

    async def subscribe(self) -> JetStreamContext.PullSubscription:
        """Bind to the durable consumer, (re)creating it from the store's own position."""
        await self._check()
        if not self.may_manage:
            return await self._bind_provisioned()
        wanted = sorted(self.filter_subjects)
        try:
            info = await self.js.consumer_info(EVENT_STREAM, self.durable)
            current = consumer_filters(info)
            position = await asyncio.to_thread(self.app.position, self.tracking)
            # Messages delivered beyond the store's position were never applied (a crash, a
            # failed batch): newer ones must not overtake them, or they would later be skipped
            # as done. Start again from the store's position.
            if current != wanted or (info.delivered and info.delivered.stream_seq > position):
                await self.js.delete_consumer(EVENT_STREAM, self.durable)
                raise NotFoundError
        except NotFoundError:
            position = await asyncio.to_thread(self.app.position, self.tracking)
            config = consumer_config(
                self.durable, wanted, self.ack_wait_seconds, self.fetch_size * 4
            )
            if position:
                config.deliver_policy = api.DeliverPolicy.BY_START_SEQUENCE
                config.opt_start_seq = position + 1
            await self.js.add_consumer(EVENT_STREAM, config)
        return await self.js.pull_subscribe_bind(self.durable, stream=EVENT_STREAM)

    async def _bind_provisioned(self) -> JetStreamContext.PullSubscription:
        """Bind to the consumer the NATS admin created (`ogi nats provision`), which this user
        may not change. Messages delivered but never acked (a crash mid-batch) come back once
        their ack wait is over, ahead of new ones: wait for that, so none is overtaken."""
        try:
            info = await self.js.consumer_info(EVENT_STREAM, self.durable)
        except NotFoundError:
            raise ConsumerNotProvisioned(
                f"consumer {self.durable} does not exist: the NATS admin runs `ogi nats provision`"
            ) from None
        current = consumer_filters(info)
        missing = [s for s in self.filter_subjects if not covers(current, s)]
        if missing:
            log.warning(
                "consumer %s does not deliver %s: the NATS admin runs `ogi nats provision`",
                self.durable, missing,
            )  # fmt: skip
        if info.num_ack_pending:
            await asyncio.sleep(float(info.config.ack_wait or self.ack_wait_seconds))
        return await self.js.pull_subscribe_bind(self.durable, stream=EVENT_STREAM)

    async def run(self) -> None:
        while True:
            try:
                await self._consume()
            except StreamChanged:
                await asyncio.sleep(RECHECK_SECONDS)  # the guard has said why

    async def replay(self, drop: Callable[[], None]) -> None:
        """Consume everything again from the stream's first message: between two batches,
        ``drop`` (run in the writer) empties what the handlers made and the tracking, and the
        durable consumer is deleted and made again from sequence 1 (with room for
        ``replay_batch_size`` unacked messages a fetch), and the stream is consumed in batches
        of that size until it has caught up. Only a user who may manage consumers can (an
        agency's own NATS user cannot delete them)."""
        if not self.may_manage:
            raise IllegalStep(f"only the NATS admin may make consumer {self.durable} again")
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._replay = (drop, done)
        await done

    async def _replayed(self) -> JetStreamContext.PullSubscription:
        assert self._replay is not None
        drop, done = self._replay
        self._replay = None
        try:
            await self.writer.run(drop)
            with contextlib.suppress(NotFoundError):
                await self.js.delete_consumer(EVENT_STREAM, self.durable)
            self.fetch_size = self.replay_batch_size
            subscription = await self.subscribe()
        except Exception as error:
            done.set_exception(error)
            raise
        done.set_result(None)
        return subscription

    async def _consume(self) -> None:
        subscription = await self.subscribe()
        try:
            while True:
                if self._replay is not None:
                    with contextlib.suppress(Exception):
                        await subscription.unsubscribe()
                    subscription = await self._replayed()
                connection = self.guard.connection()
                try:
                    messages = await subscription.fetch(self.fetch_size, timeout=1.0)
                except (nats.errors.TimeoutError, TimeoutError):
                    self.fetch_size = self.batch_size
                    self.progress.made()  # nothing waiting
                    continue
                if len(messages) < self.fetch_size:
                    self.fetch_size = self.batch_size  # caught up: live batches again
                try:
                    await self.process(messages, connection)
                except (asyncio.CancelledError, StreamChanged):
                    raise
                except Exception:
                    log.exception("inbox of %s failed; resuming from the store", self.durable)
                    with contextlib.suppress(Exception):
                        await subscription.unsubscribe()
                    await asyncio.sleep(1.0)
                    subscription = await self.subscribe()
        finally:
            with contextlib.suppress(Exception):
                await subscription.unsubscribe()

    async def process(self, messages: list[Msg], connection: int | None = None) -> None:
        """Apply fetched messages (over ``connection``, if known) once the stream is checked to
        be the store's and the connection unchanged; then ack them."""
        await self._check(connection)
        inbound = [self._decode(msg) for msg in messages]
        try:
            await self.writer.run(self._apply, inbound)
        except _BatchFailed as failure:
            for item in inbound:
                # The message that failed the batch has had one of its tries.
                await self._apply_alone(item, tried=int(item.sequence == failure.sequence))
        for msg in messages:
            await msg.ack()
        self.progress.made()

    def _decode(self, msg: Msg) -> Inbound:
        """The event, if it is one and its sender may send it: the envelope must say what the
        subject says (only the subject's sender is proven, by the NATS permissions), and the
        sender must be one this service accepts that event type from (an event the sender check
        skips is not refused: ``_handle`` passes over it)."""
        sequence = msg.metadata.sequence.stream
        try:
            record = decode(msg.data)
        except UndecodableEvent as error:
            return Inbound(msg, sequence, None, str(error))
        if record.subject != msg.subject:
            return Inbound(msg, sequence, None, f"the envelope says {record.subject}")
        refusal = self.refuses(record)
        if isinstance(refusal, str):
            return Inbound(msg, sequence, None, refusal)
        return Inbound(msg, sequence, record, None)

    def _apply(self, batch: list[Inbound]) -> None:
        """Apply a batch in one transaction, tracked by its last sequence (runs in the writer)."""
        position = self.app.position(self.tracking)
        fresh = [item for item in batch if item.sequence > position]
        if not fresh:
            return
        uow = self.app.unit_of_work()
        for item in fresh:
            if item.record is None:
                raise _BatchFailed(item.error, item.sequence)
            try:
                self._handle(uow, item.record)
            except PersistenceError:
                raise  # the store itself failed: the whole batch is retried, never dead-lettered
            except DomainError as error:
                raise _BatchFailed(str(error), item.sequence) from error
            except Exception as error:  # a fault of the handler or of the message: bounded tries
                raise _BatchFailed(f"{type(error).__name__}: {error}", item.sequence) from error
        try:
            self.applied += uow.commit(Tracking(self.tracking, fresh[-1].sequence))
        except DomainError as error:  # the store refused what the batch made (an event too large)
            raise _BatchFailed(str(error), fresh[-1].sequence) from error

    async def _apply_alone(self, item: Inbound, tried: int = 0) -> None:
        error = item.error
        if item.record is not None:
            for attempt in range(tried, self.max_tries):
                try:
                    await self.writer.run(self._apply, [item])
                    return
                except _BatchFailed as failure:
                    error = str(failure)
                    await asyncio.sleep(0.05 * (attempt + 1))
        await self._dead_letter(item, error or "unknown error")
        await self.writer.run(self._skip, item.sequence)

    def _skip(self, sequence: int) -> None:
        if sequence > self.app.position(self.tracking):
            self.app.record_position(self.tracking, sequence)

    async def _dead_letter(self, item: Inbound, error: str) -> None:
        headers = {
            "Nats-Msg-Id": f"dlq:{self.durable}:{item.sequence}",
            "Ogi-Error": error[:1000],
            "Ogi-Original-Subject": item.msg.subject,
            "Ogi-Original-Sequence": str(item.sequence),
            "Ogi-Consumer": self.durable,
        }
        await self.js.publish(
            dead_letter_subject(self.app.agency, self.app.service),
            item.msg.data,
            headers=headers,
            stream=DEAD_LETTER_STREAM,
        )
        self.dead_lettered += 1
        log.warning(
            "dead-lettered %s seq %s: %s",
            item.msg.subject,
            item.sequence,
            json.dumps(error, ensure_ascii=False),
        )

    def _handle(self, uow: UnitOfWork, record: EventRecord) -> None:
        """Apply the event with its handler. An event type without one, or an event the sender
        check skips, is passed over: tracked with its batch, never dead-lettered."""
        handler = self.handlers.get(record.type)
        if handler is not None and self.refuses(record) is None:
            handler(uow, record)
