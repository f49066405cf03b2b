"""The idempotent inbox: one durable pull consumer per service process, for all its stores.

The consumer's filter subjects are the stores' own (one store: exactly what it takes, as an
agency's NATS user may read; several: the event types they take, widened, so the filters stay few
and never overlap, whatever the number of agencies; messages are sorted out in memory by
``subjects.SubjectIndex``). A fetched batch is split by store; each store applies its part in one
transaction of its writer together with a tracking record of the batch's last stream sequence, so
a redelivered message (at or below the store's tracked position) is skipped. The batch is acked
once every store has committed its part.

A message that cannot be decoded, that its sender may not send, or whose handler keeps failing,
goes with its error to the dead-letter stream and the store moves on; one the service has no
handler for (another service's event addressed to the same agency) is only tracked. Handlers are
also idempotent per event id, for republishes older than the duplicate window.

A store that hears nothing for long has its position moved up now and then (``CHECKPOINT_GAP``,
more for an inbox of many stores: ``checkpoint_gap_of``), so that a consumer made again from the
lowest position of its stores starts near the end; a few stores at a time
(``CHECKPOINTS_PER_BATCH``), so that a thousand idle stores falling behind together do not hold
up the batch that finds them so. A consumer the process made itself is removed by the server
once unused for a day (``bus.INACTIVE_CONSUMER_SECONDS``): one left behind when the process's
set of agencies changed costs the server nothing for long.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import heapq
import json
import logging
from collections.abc import Callable, Coroutine, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any

import nats
from eventsourcing.persistence import IntegrityError, PersistenceError, Tracking
from nats.aio.msg import Msg
from nats.js import JetStreamContext, api
from nats.js.errors import NotFoundError

from ogi_errors import DomainError, IllegalStep
from ogi_platform.eventstore.application import OgiApplication, UnitOfWork
from ogi_platform.eventstore.writer import Writer
from ogi_platform.messaging.bus import (
    ACK_WAIT_SECONDS,
    CONSUMER_ACK_POLICY,
    INACTIVE_CONSUMER_SECONDS,
    INBOX_BATCH,
    INBOX_POSITION,
    REPLAY_BATCH,
    ConsumerNotProvisioned,
    Handler,
    consumer_config,
    consumer_filters,
)
from ogi_platform.messaging.envelope import (
    DEAD_LETTER_STREAM,
    EVENT_STREAM,
    EventRecord,
    consumer_name,
    covers,
    dead_letter_subject,
)
from ogi_platform.messaging.streamguard import (
    RECHECK_SECONDS,
    LastLook,
    Progress,
    StreamChanged,
    StreamGuard,
    shared_stream_info,
)
from ogi_platform.messaging.subjects import SubjectIndex, widened
from ogi_platform.messaging.wire import UndecodableEvent, decode

log = logging.getLogger(__name__)

#: How far behind the stream a store that hears nothing may fall before its position is moved
#: up: at least this, and ``CHECKPOINT_GAP_PER_STORE`` times the stores of the inbox (each store
#: moved up costs a commit: an inbox of a thousand stores moving each up every 10,000 messages
#: made a commit every ten messages, as much as the events it applied).
CHECKPOINT_GAP = 10_000
CHECKPOINT_GAP_PER_STORE = 100
#: The most stores a batch moves up (the others are moved up by the next batches).
CHECKPOINTS_PER_BATCH = 32
#: How long an idle fetch waits on the server for a message (a long poll, not a busy one).
IDLE_FETCH_SECONDS = 2.0
#: How long a fetch waits for more messages to share a batch once there are some: what a busy
#: inbox adds to an event's way at most (nats-py's fetch of n waits for all n otherwise, up to
#: its whole timeout). Little more than a round trip: the messages that came while the last
#: batch was applied are there at once, and those still to come are not worth waiting for
#: (10 ms made every hop 10 ms longer at a low rate and added nothing to the batches under
#: load). A replay, which nobody waits on, gathers its large batches longer.
GATHER_SECONDS = 0.002
REPLAY_GATHER_SECONDS = 0.5


class Skip(Enum):
    """What a sender check answers for an event that is not this service's to apply: another
    agency's event of a type the service takes from its own agency only (one addressed to another
    service of the agency, such as a forward for its intake). Acked and tracked, never applied,
    never dead-lettered."""

    SKIP = "skip"


def accept_all(record: EventRecord) -> str | Skip | None:
    return None


@dataclass(eq=False)
class InboxStore:
    """One store an inbox applies events to: its handlers and the subjects it takes."""

    app: OgiApplication
    writer: Writer
    handlers: dict[str, Handler]
    subjects: list[str]
    refuses: Callable[[EventRecord], str | Skip | None] = accept_all
    applied: int = 0
    dead_lettered: int = 0
    #: The stream sequence the store has applied up to, as last read or written.
    position: int = 0
    #: Where positions in the current stream are tracked (set by every check of the stream).
    tracking: str = INBOX_POSITION

    @property
    def agency(self) -> str:
        return self.app.agency


@dataclass
class Inbound:
    msg: Msg
    sequence: int
    record: EventRecord | None
    error: str | None


@dataclass
class Delivery:
    """A message for one store, with why the store refuses it (None: it takes it)."""

    item: Inbound
    error: str | None


class _BatchFailed(Exception):
    def __init__(self, error: str | None, sequence: int, final: bool = False) -> None:
        super().__init__(error)
        self.sequence = sequence  # the message that failed
        #: A domain refusal: the same message meets the same refusal again (no more tries).
        self.final = final


def process_consumer_name(service: str, agencies: Sequence[str]) -> str:
    """The durable consumer of a process: ``<agency>__<service>`` for one agency (the name the
    NATS admin provisions for an agency's own user); for several, named after the set."""
    if len(agencies) == 1:
        return consumer_name(agencies[0], service)
    digest = hashlib.sha256(",".join(sorted(agencies)).encode()).hexdigest()[:12]
    return f"{service}__{len(agencies)}_{digest}"


class InboxConsumer:
    """Applies the events addressed to a process's stores, exactly once in effect."""

    def __init__(
        self,
        js: JetStreamContext,
        stores: Sequence[InboxStore],
        durable: str | None = None,
        batch_size: int = INBOX_BATCH,
        replay_batch_size: int = REPLAY_BATCH,
        max_tries: int = 3,
        ack_wait_seconds: float = ACK_WAIT_SECONDS,
        may_manage: bool = True,
        checkpoint_gap: int | None = None,
        inactive_seconds: float = INACTIVE_CONSUMER_SECONDS,
        look: LastLook | None = None,
        linger_seconds: float = 0.0,
    ) -> None:
        if not stores:
            raise ValueError("an inbox needs a store")
        self.js = js
        self.stores = list(stores)
        service = self.stores[0].app.service
        self.durable = durable or process_consumer_name(service, [s.agency for s in self.stores])
        #: Each store's check that the stream is the one its positions refer to.
        self.guards = {store: StreamGuard(store.app, js, INBOX_POSITION) for store in self.stores}
        self.single = len(self.stores) == 1
        self.filter_subjects = sorted(
            self.stores[0].subjects
            if self.single
            else widened(s for store in self.stores for s in store.subjects)
        )
        self.index: SubjectIndex[InboxStore] = SubjectIndex()
        for store in self.stores:
            for subject in store.subjects:
                self.index.add(subject, store)
        self.batch_size = batch_size
        self.replay_batch_size = replay_batch_size
        #: How many messages the next fetch asks for: ``replay_batch_size`` from a replay's start
        #: until a fetch comes back short (the stream caught up), ``batch_size`` otherwise.
        self.fetch_size = batch_size
        #: How many messages the consumer had left to deliver after the last one fetched.
        self._waiting = 0
        self.max_tries = max_tries
        self.ack_wait_seconds = ack_wait_seconds
        self.may_manage = may_manage
        self.checkpoint_gap = checkpoint_gap or checkpoint_gap_of(len(self.stores))
        #: No store's position is below this (positions only grow between two readings): a
        #: batch that ends within ``checkpoint_gap`` of it looks at no store's.
        self._lowest = 0
        #: How long the consumer this inbox makes stays on the server unused (bus.py).
        self.inactive_seconds = inactive_seconds
        self.progress = Progress()
        #: The last look at the stream (shared with the process's relay, over the same client).
        self.look = look or LastLook()
        #: How long a message that comes to a quiet inbox waits for others to share its batch.
        self.linger_seconds = linger_seconds
        #: Whether the consumer takes the ack of a batch's last message for the batch's.
        self._ack_all = False
        #: A replay asked for (``replay``): what empties which store, and who waits for it.
        self._replay: tuple[InboxStore, Callable[[], None], asyncio.Future[None]] | None = None

    @property
    def applied(self) -> int:
        return sum(store.applied for store in self.stores)

    @property
    def dead_lettered(self) -> int:
        return sum(store.dead_lettered for store in self.stores)

    def store_of(self, app: OgiApplication) -> InboxStore:
        return next(store for store in self.stores if store.app is app)

    def problems(self) -> list[str]:
        return [
            f"inbox of {store.agency}: {guard.problem}"
            for store, guard in self.guards.items()
            if guard.problem
        ]

    def stalled_for(self) -> float:
        return self.progress.stalled_for()

    async def _check(
        self,
        since: int | None = None,
        stores: Iterable[InboxStore] | None = None,
        positions_read: bool = True,
    ) -> None:
        """Check the stream is each store's (all of them, or ``stores``), with one look at its
        information: a fresh one without ``since`` (binding to the consumer), else a recent one
        over the connection ``since`` (``LastLook``). A store that adopted another stream since
        its position was read (``ogi nats recover``, the consumer provisioned again on the new
        stream while this one stayed bound) has its position in the old one:
        ``StreamChanged``, and the inbox binds again, reading the positions in the new one (else
        the new stream's first messages, below that position, would be passed over)."""
        if since is None:
            guard = self.guards[self.stores[0]]  # the stores' one client
            connection = guard.connection()
            info = await shared_stream_info(self.js)
            if guard.connection() == connection:  # else the look may be the other server's
                self.look.saw(info, connection)
        else:
            info = await self.look.take(self.js, since)
        adopted = False
        for store in self.stores if stores is None else stores:
            tracking = (await self.guards[store].check(since, info)).tracking
            adopted = adopted or tracking != store.tracking
            store.tracking = tracking
        if adopted and positions_read:
            raise StreamChanged("a store adopted another stream: its position is read again")

    async def _read_positions(self) -> None:
        """Each store's position, read in its writer (after any of its jobs still under way)."""
        self._lowest = 0  # a replay's store starts again from nothing
        await asyncio.gather(
            *(store.writer.run(self._reread_position, store) for store in self.stores)
        )

    async def subscribe(self) -> JetStreamContext.PullSubscription:
        """Bind to the durable consumer, (re)creating it from the stores' own positions."""
        await self._check(positions_read=False)
        await self._read_positions()
        if not self.may_manage:
            return await self._bind_provisioned()
        lowest = min(store.position for store in self.stores)
        # A store of several may lag the stream by up to two checkpoint gaps without cause.
        slack = 0 if self.single else 2 * self.checkpoint_gap
        try:
            info = await self.js.consumer_info(EVENT_STREAM, self.durable)
            # Messages delivered beyond the stores' positions and not acked were never applied
            # (a crash, a failed batch): newer ones must not overtake them, or they would later
            # be skipped as done. Start again from the stores' positions.
            delivered = info.delivered.stream_seq if info.delivered else 0
            if (
                consumer_filters(info) != self.filter_subjects
                or info.config.inactive_threshold != self.inactive_seconds
                or info.num_ack_pending
                or info.config.ack_policy != CONSUMER_ACK_POLICY
                or (delivered or 0) > lowest + slack
            ):
                await self.js.delete_consumer(EVENT_STREAM, self.durable)
                raise NotFoundError
        except NotFoundError:
            config = consumer_config(
                self.durable,
                self.filter_subjects,
                self.ack_wait_seconds,
                self.fetch_size * 4,
                self.inactive_seconds,
            )
            if lowest:
                config.deliver_policy = api.DeliverPolicy.BY_START_SEQUENCE
                config.opt_start_seq = lowest + 1
            await self.js.add_consumer(EVENT_STREAM, config)
        self._ack_all = True  # the consumer was made, or kept, with CONSUMER_ACK_POLICY
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
        self._ack_all = info.config.ack_policy == api.AckPolicy.ALL
        return await self.js.pull_subscribe_bind(self.durable, stream=EVENT_STREAM)

    async def run(self) -> None:
        while True:
            try:
                await self._consume()
            except StreamChanged:
                await asyncio.sleep(RECHECK_SECONDS)  # the guard has said why

    async def replay(self, app: OgiApplication, drop: Callable[[], None]) -> None:
        """Consume everything again for ``app``'s store from the stream's first message: between
        two batches, ``drop`` (run in the store's writer) empties what the handlers made and the
        tracking, and the durable consumer is deleted and made again from the lowest position of
        the stores (with room for ``replay_batch_size`` unacked messages a fetch); the other
        stores pass over what they have. The stream is consumed in batches of that size until it
        has caught up. Only a user who may manage consumers can (an agency's own NATS user
        cannot delete them)."""
        if not self.may_manage:
            raise IllegalStep(f"only the NATS admin may make consumer {self.durable} again")
        if self._replay is not None:
            raise IllegalStep(f"consumer {self.durable} is being made again already: try later")
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._replay = (self.store_of(app), drop, done)
        await done

    async def _replayed(self) -> JetStreamContext.PullSubscription:
        assert self._replay is not None
        store, drop, done = self._replay
        self._replay = None
        try:
            await store.writer.run(drop)
            with contextlib.suppress(NotFoundError):
                await self.js.delete_consumer(EVENT_STREAM, self.durable)
            self.fetch_size = self.replay_batch_size
            subscription = await self.subscribe()
        except Exception as error:
            if not done.done():  # its caller may have given up waiting
                done.set_exception(error)
            raise
        if not done.done():
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
                connection = self.guards[self.stores[0]].connection()  # the stores' one client
                try:
                    messages = await self._fetch(subscription)
                except (nats.errors.TimeoutError, TimeoutError):
                    self.fetch_size = self.batch_size
                    self._waiting = 0
                    self.progress.made()  # nothing waiting
                    continue
                self._waiting = waiting_after(messages)
                if len(messages) < self.fetch_size:
                    self.fetch_size = self.batch_size  # caught up: live batches again
                try:
                    await self.process(messages, connection)
                except (asyncio.CancelledError, StreamChanged):
                    raise
                except Exception:
                    log.exception("inbox %s failed; resuming from the stores", self.durable)
                    with contextlib.suppress(Exception):
                        await subscription.unsubscribe()
                    await asyncio.sleep(1.0)
                    subscription = await self.subscribe()
        finally:
            with contextlib.suppress(Exception):
                await subscription.unsubscribe()

    async def _fetch(self, subscription: JetStreamContext.PullSubscription) -> list[Msg]:
        """The next messages, up to ``fetch_size``: as many as the last batch's last message said
        were waiting after it, gathered for at most ``GATHER_SECONDS``; if none were (or none
        came), the first to come within ``IDLE_FETCH_SECONDS`` (else ``TimeoutError``) and as
        many as it says wait behind it, or, with ``linger_seconds``, as many as came while it
        lingered. A fetch asks for no more than is waiting (but after lingering): nats-py's fetch
        of n waits for all n, up to its whole timeout, and asking a drained consumer what is
        there costs a request and the gathering time at every message of a quiet inbox."""
        gather = GATHER_SECONDS if self.fetch_size <= self.batch_size else REPLAY_GATHER_SECONDS
        if self._waiting:
            with contextlib.suppress(nats.errors.TimeoutError, TimeoutError):
                return await subscription.fetch(min(self._waiting, self.fetch_size), timeout=gather)
        first = await subscription.fetch(1, timeout=IDLE_FETCH_SECONDS)
        if self.fetch_size == 1:
            return first
        if self.linger_seconds:
            await asyncio.sleep(self.linger_seconds)  # what comes meanwhile shares the batch
            behind = self.fetch_size - 1
        else:
            behind = min(waiting_after(first), self.fetch_size - 1)
        if not behind:
            return first
        with contextlib.suppress(nats.errors.TimeoutError, TimeoutError):
            return first + await subscription.fetch(behind, timeout=gather)
        return first

    async def process(self, messages: list[Msg], connection: int | None = None) -> None:
        """Apply fetched messages (over ``connection``, if known) once the stream is checked to
        be the stores' and the connection unchanged; then ack them."""
        owners = [self.index.owners(msg.subject) for msg in messages]
        # The stores the messages are for are checked before their positions are compared (a
        # store that adopted another stream meanwhile has its position in the old one).
        addressed = {store: None for stores in owners for store in stores}
        if addressed:
            await self._check(connection, addressed)
        parts: dict[InboxStore, list[Delivery]] = {}
        for msg, owned_by in zip(messages, owners, strict=True):  # decoded if a store takes it
            sequence = msg.metadata.sequence.stream
            stores = [s for s in owned_by if sequence > s.position]
            if stores:
                item = self._decode(msg)
                for store in stores:
                    parts.setdefault(store, []).append(self._delivery(store, item))
        last = messages[-1].metadata.sequence.stream if messages else 0
        await all_or_none(self._apply_part(store, part, last) for store, part in parts.items())
        for msg in messages[-1:] if self._ack_all else messages:
            await msg.ack()
        await self._checkpoint(last, parts, connection)
        self.progress.made()

    def _decode(self, msg: Msg) -> Inbound:
        """The event, if it is one: the envelope must say what the subject says (only the
        subject's sender is proven, by the NATS permissions)."""
        sequence = msg.metadata.sequence.stream
        try:
            record = decode(msg.data)
        except UndecodableEvent as error:
            return Inbound(msg, sequence, None, str(error))
        if record.subject != msg.subject:
            return Inbound(msg, sequence, None, f"the envelope says {record.subject}")
        return Inbound(msg, sequence, record, None)

    @staticmethod
    def _delivery(store: InboxStore, item: Inbound) -> Delivery:
        """The message for ``store``, refused if its sender is not one the store accepts that
        event type from (an event the sender check skips is not refused: ``_handle`` passes
        over it)."""
        if item.record is None:
            return Delivery(item, item.error)
        refusal = store.refuses(item.record)
        return Delivery(item, refusal if isinstance(refusal, str) else None)

    async def _apply_part(self, store: InboxStore, part: list[Delivery], last: int) -> None:
        """A store's part of a batch in one transaction; if it fails, message by message."""
        try:
            await store.writer.run(self._apply, store, part, last)
        except _BatchFailed as failure:
            await store.writer.run(self._reread_position, store)
            for delivery in part:
                failed = delivery.item.sequence == failure.sequence
                await self._apply_alone(store, delivery, failure if failed else None)

    def _apply(self, store: InboxStore, part: list[Delivery], upto: int) -> None:
        """Apply a store's part of a batch in one transaction, tracked as applied ``upto`` the
        batch's last sequence (runs in the store's writer). The store's position is the one this
        inbox last read or recorded (it alone records it; after a failure it is read again).
        Handlers take an aggregate they make as new unless it is in memory
        (``UnitOfWork.find_to_create``); if one existed, the part is applied again, each
        aggregate looked up in the store."""
        try:
            self._apply_in(store.app.unit_of_work(optimistic=True), store, part, upto)
        except IntegrityError:
            self._apply_in(store.app.unit_of_work(), store, part, upto)

    def _apply_in(
        self, uow: UnitOfWork, store: InboxStore, part: list[Delivery], upto: int
    ) -> None:
        position = store.position
        fresh = [d for d in part if d.item.sequence > position]
        if not fresh:
            return
        for delivery in fresh:
            item = delivery.item
            if delivery.error is not None or item.record is None:
                raise _BatchFailed(delivery.error, item.sequence)
            try:
                self._handle(store, uow, item.record)
            except PersistenceError:
                raise  # the store itself failed: the whole batch is retried, never dead-lettered
            except DomainError as error:
                raise _BatchFailed(str(error), item.sequence, final=True) from error
            except Exception as error:  # a fault of the handler or of the message: bounded tries
                raise _BatchFailed(f"{type(error).__name__}: {error}", item.sequence) from error
        upto = max(upto, fresh[-1].item.sequence)
        try:
            store.applied += uow.commit(Tracking(store.tracking, upto))
        except DomainError as error:  # the store refused what the batch made (an event too large)
            # which message made it is known only when there is one: the others are tried alone
            alone = len(fresh) == 1
            raise _BatchFailed(str(error), fresh[-1].item.sequence, final=alone) from error
        store.position = upto

    async def _apply_alone(
        self, store: InboxStore, delivery: Delivery, failed: _BatchFailed | None = None
    ) -> None:
        """Apply one message in a transaction of its own: a fault is tried up to ``max_tries``
        times in all (the batch it ``failed`` was one try), a domain refusal once; then it is
        dead-lettered."""
        error = delivery.error or (str(failed) if failed else None)
        tried = 0 if failed is None else self.max_tries if failed.final else 1
        sequence = delivery.item.sequence
        if delivery.error is None:
            for attempt in range(tried, self.max_tries):
                try:
                    await store.writer.run(self._apply, store, [delivery], sequence)
                    return
                except _BatchFailed as failure:
                    error = str(failure)
                    if failure.final:
                        break
                    await asyncio.sleep(0.05 * (attempt + 1))
        await self._dead_letter(store, delivery.item, error or "unknown error")
        await store.writer.run(self._skip, store, sequence)

    @staticmethod
    def _reread_position(store: InboxStore) -> None:
        store.position = store.app.position(store.tracking)

    @staticmethod
    def _skip(store: InboxStore, sequence: int) -> None:
        if sequence > store.app.position(store.tracking):
            store.app.record_position(store.tracking, sequence)
        store.position = max(store.position, sequence)

    async def _checkpoint(
        self, last: int, parts: dict[InboxStore, list[Delivery]], connection: int | None
    ) -> None:
        """Move up the position of the stores that heard nothing for ``checkpoint_gap``
        messages (``CHECKPOINTS_PER_BATCH`` of them at most, the furthest behind first):
        everything up to ``last`` that was theirs has been applied (over ``connection``, in the
        stream they were checked to know)."""
        if last - self._lowest <= self.checkpoint_gap:  # none can be behind: no look at each
            return
        behind = heapq.nsmallest(
            CHECKPOINTS_PER_BATCH,
            (s for s in self.stores if s not in parts and s.position < last - self.checkpoint_gap),
            key=lambda store: store.position,
        )
        if behind:
            await self._check(connection, behind)
            await asyncio.gather(*(store.writer.run(self._skip, store, last) for store in behind))
        self._lowest = min(store.position for store in self.stores)

    async def _dead_letter(self, store: InboxStore, item: Inbound, error: str) -> None:
        letter_id = f"dlq:{self.durable}:{item.sequence}"
        headers = {
            "Nats-Msg-Id": letter_id if self.single else f"{letter_id}:{store.agency}",
            "Ogi-Error": error[:1000],
            "Ogi-Original-Subject": item.msg.subject,
            "Ogi-Original-Sequence": str(item.sequence),
            "Ogi-Consumer": self.durable,
        }
        await self.js.publish(
            dead_letter_subject(store.agency, store.app.service),
            item.msg.data,
            headers=headers,
            stream=DEAD_LETTER_STREAM,
        )
        store.dead_lettered += 1
        log.warning(
            "dead-lettered %s seq %s for %s: %s",
            item.msg.subject,
            item.sequence,
            store.agency,
            json.dumps(error, ensure_ascii=False),
        )

    @staticmethod
    def _handle(store: InboxStore, uow: UnitOfWork, record: EventRecord) -> None:
        """Apply the event with its handler. An event type without one, or an event the sender
        check skips, is passed over: tracked with its batch, never dead-lettered."""
        handler = store.handlers.get(record.type)
        if handler is not None and store.refuses(record) is None:
            handler(uow, record)


def checkpoint_gap_of(stores: int) -> int:
    """How far behind the stream a store of an inbox of ``stores`` may fall before its position
    is moved up: the commits it costs per message stay the same however many stores there are."""
    return max(CHECKPOINT_GAP, CHECKPOINT_GAP_PER_STORE * stores)


def waiting_after(messages: Sequence[Msg]) -> int:
    """How many messages the consumer had still to deliver after the last of ``messages``."""
    return int(messages[-1].metadata.num_pending or 0) if messages else 0


async def all_or_none(work: Iterable[Coroutine[Any, Any, None]]) -> None:
    """Run ``work`` side by side; if one fails, the others are cancelled and awaited before its
    error is raised, so none goes on behind the caller's back."""
    tasks = [asyncio.ensure_future(job) for job in work]
    try:
        await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise


def inbox_of(
    app: OgiApplication,
    js: JetStreamContext,
    writer: Writer,
    handlers: dict[str, Handler],
    filter_subjects: list[str],
    refuses: Callable[[EventRecord], str | Skip | None] = accept_all,
    may_manage: bool = True,
) -> InboxConsumer:
    """The inbox of a single store (one agency's service)."""
    store = InboxStore(app, writer, handlers, filter_subjects, refuses)
    return InboxConsumer(js, [store], may_manage=may_manage)
