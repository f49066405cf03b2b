"""The outbox relay: committed events go from the stores to JetStream, at least once, in order.

Events are committed to a store first; the relay reads the store's notification log and
publishes each event with a stable ``Nats-Msg-Id`` (its event id, keyed with the publisher's NATS
password when it has one: see ``bus.message_id``), awaiting the acks of a whole batch together,
then records its position in the store. A crash in between republishes the batch and JetStream
drops the duplicates (its window is an hour: ``bus.DUPLICATE_WINDOW_SECONDS``).

The process's ``Relay`` keeps the position it published up to in memory and records it in the
stores once it has published nothing for ``RECORD_SECONDS``, or, while it keeps publishing, every
``RECORD_MAX_SECONDS`` (longer for a process of many stores: ``longest_unrecorded``): in one
write per store for all that the store published meanwhile. A
cycle does not wait behind the store's other writes (a busy intake's group commits), and a store
of a thousand that publishes an event now and then does not commit twice per event. A crash
republishes at most what was published since (JetStream drops it as duplicates: its window is
an hour); a service that stops records first.

One ``Relay`` serves every store of a process: a commit marks its store as having something to
publish, and the relay takes the marked stores' events in cycles, publishing all of them before
awaiting the acks together, each cycle checked against a recent look at the stream's identity
(one for all the stores; ``LastLook``). What a cycle published is proven to be in the store's
stream by a look taken after its acks: one look, when the relay records, for all the cycles since
the last, over the connection they all went over; what it cannot prove (the connection changed,
or the stream is another) is published again from the last proven position, never recorded. A
process serving a thousand agencies does nothing while nothing is committed, and as much as one
serving one agency per event otherwise.

A commit hands the relay what it stored (each event and its position), so the relay publishes
it without reading the store again, as long as it knows it has heard of every commit since it
last read the store to its end (``OutboxRelay.fresh``); otherwise (at the start, after a batch
that failed to publish, or once ``FRESH_LIMIT`` events waited) it reads the store.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any

from eventsourcing.persistence import Recording
from nats.js import JetStreamContext, api

from ogi_platform.eventstore.application import OgiApplication
from ogi_platform.eventstore.writer import Writer
from ogi_platform.messaging.bus import HEADER_ROOM, RELAY_POSITION, message_id
from ogi_platform.messaging.envelope import (
    DEAD_LETTER_STREAM,
    EVENT_STREAM,
    EventRecord,
    dead_letter_subject,
    record_of,
)
from ogi_platform.messaging.streamguard import (
    RECHECK_SECONDS,
    Checked,
    LastLook,
    Progress,
    StreamChanged,
    StreamGuard,
    shared_stream_info,
)
from ogi_platform.messaging.wire import encode

log = logging.getLogger(__name__)

#: The most stores one cycle of the relay publishes from (the others wait for the next cycle).
STORES_PER_CYCLE = 64
#: How long the process's relay must have published nothing before it records how far each
#: store was published...
RECORD_SECONDS = 1.0
#: ...and the longest it leaves a published position unrecorded while it keeps publishing: this,
#: or ``RECORD_SECONDS_PER_STORE`` per store of the process (under steady load a thousand stores
#: recorded every minute were a commit for every few events published), up to
#: ``RECORD_LONGEST`` (a crash republishes what was published since: JetStream drops it as
#: duplicates within its hour).
RECORD_MAX_SECONDS = 60.0
RECORD_SECONDS_PER_STORE = 0.3
RECORD_LONGEST = 600.0
#: The most events committed and not yet published the relay of a store keeps in memory; beyond
#: them it forgets them and reads the store again (a bus that stays away for long).
FRESH_LIMIT = 2000


#: What a commit stored, as a relay keeps it: each event's position, and its record if it is one
#: to publish (handed over as None for a commit that failed and may have been stored).
Heard = list[tuple[int, EventRecord | None]]


def longest_unrecorded(stores: int) -> float:
    """The longest a relay of ``stores`` stores leaves a published position unrecorded while it
    keeps publishing: the commits recording positions cost about the same per event published
    however many stores publish."""
    return min(RECORD_LONGEST, max(RECORD_MAX_SECONDS, RECORD_SECONDS_PER_STORE * stores))


class OutboxRelay:
    """The outbox of one store: publishes its committed events of the ``public`` types (the
    service's contract; None: every event). Internal events stay in the store; the relay's
    position passes over them. A process's ``Relay`` drives the outboxes of all its stores."""

    def __init__(
        self,
        app: OgiApplication,
        js: JetStreamContext,
        writer: Writer,
        batch_size: int = 500,
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
        self.ack_timeout_seconds = ack_timeout_seconds
        self.published = 0
        self.dead_lettered = 0
        self.guard = StreamGuard(app, js, RELAY_POSITION)
        #: The position published up to (its acks in), under which tracking name (read from the
        #: store first); how far a look at the stream after the acks proved it went to the
        #: store's stream; the one the store holds; over which connection what is published
        #: beyond the proven position went (None: nothing is).
        self._published: tuple[str, int] | None = None
        self._verified: tuple[str, int] | None = None
        self._recorded: tuple[str, int] | None = None
        self._unverified_over: int | None = None
        #: The events committed since the store was last read (position, and record if public),
        #: heard from the commits while ``_hearing``; every event after position ``_heard_from``
        #: is among them (None: not known to be so).
        self._heard: Heard = []
        self._hearing = False
        self._heard_from: int | None = None
        #: Whether a relay hears the store's commits (``listen``), and what it hands them to.
        self._listened = False
        self._hand_to: Callable[[Heard | None], None] = _nowhere
        #: A commit failed and may have been stored: what is heard next is read from the store.
        self._unsure = False

    @property
    def what(self) -> str:
        return f"outbox relay of {self.app.agency}/{self.app.service}"

    async def relay_once(self) -> int:
        """Publish the next batch after the recorded position; returns how many stored events
        it went past (published, or internal and passed over)."""
        [(_, outcome)] = await publish_cycle([self])
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    async def run(self) -> None:
        """Relay this store alone (a process relays all its stores with one ``Relay``)."""
        await Relay([self]).run()

    def unpublished(self, tracking: str) -> list[EventRecord]:
        """The next batch after the position published up to under ``tracking``."""
        if self._published is None or self._published[0] != tracking:
            self._published = self._verified = self._recorded = (
                tracking,
                self.app.position(tracking),
            )
            self._unverified_over = None
        return self.records_after(self._published[1])

    def published_up_to(self, tracking: str, position: int, over: int | None = None) -> None:
        """The stream took the events up to ``position``: checked after the acks to be the
        store's stream, or (``over``: the connection they went over) to be proven by a later
        look (``proven``, from ``Relay.record``)."""
        self._published = (tracking, position)
        if over is None:
            self._verified, self._unverified_over = self._published, None
        elif self._unverified_over is None:
            self._unverified_over = over

    @property
    def unverified_over(self) -> int | None:
        """The connection over which events beyond the proven position went (None: none did)."""
        return self._unverified_over

    def proven(self) -> None:
        """A look at the stream after the acks proved that what was published went to the
        store's stream, over the connection it went over (no cycle runs meanwhile)."""
        self._verified, self._unverified_over = self._published, None

    def roll_back(self) -> None:
        """What was published beyond the proven position is not known to be in the store's
        stream (the connection changed, or the stream is another): publish it again (the
        stream drops what it holds already as duplicates), from a read of the store."""
        self._published, self._unverified_over = self._verified, None
        self.forget_heard()

    @property
    def published_position(self) -> int:
        """How far the store was published, in the stream of the last check (0 before one)."""
        return self._published[1] if self._published is not None else 0

    @property
    def unrecorded(self) -> bool:
        """Published further than the store says."""
        return self._published != self._recorded

    def record(self) -> None:
        """Record the position proven published up to (in the store's writer)."""
        verified = self._verified
        if verified is not None and verified != self._recorded:
            self.app.record_position(*verified)
            self._recorded = verified

    def records_after(self, position: int) -> list[EventRecord]:
        notifications = self.app.notifications(position, self.batch_size)
        return [
            record_of(self.app.mapper.to_domain_event(n), self.app.agency, self.app.service, n.id)
            for n in notifications
        ]

    def listen(self, committed: Callable[[Heard | None], None]) -> None:
        """Have ``committed`` called with what each commit of the store stored (``heard``;
        None for a commit that failed and may have been stored),
        from the committing thread (the relay's loop then hands it to ``committed`` here); a
        relay that listens later takes the place of the one before."""
        self._hand_to = committed
        if not self._listened:
            self.app.on_commit(lambda recordings: self._hand_to(self.heard(recordings)))
            # a commit that failed may have been stored, unheard: the store is read again
            self.app.on_unsure(lambda _: self._hand_to(None))
            self._listened = True

    def heard(self, recordings: Sequence[Recording[Any]]) -> Heard:
        """What a commit stored, as the relay keeps it: each event's position, and its record
        if it is one to publish (runs in the committing thread)."""
        app = self.app
        return [
            (
                r.notification.id,
                record_of(r.domain_event, app.agency, app.service, r.notification.id)
                if self.public is None or type(r.domain_event).__name__ in self.public
                else None,
            )
            for r in recordings
        ]

    def committed(self, heard: Heard | None) -> None:
        """Keep what a commit stored, while hearing (in the relay's loop); after a commit that
        may have been stored unheard (None), the next batch is read from the store."""
        if heard is None or self._unsure:
            # the failed commit may land after a read made at once (the server finishing it):
            # read again after the next commit too, which the store orders after it
            self._unsure = heard is None
            self.forget_heard()
            return
        if not self._hearing:
            return
        self._heard.extend(heard)
        if len(self._heard) > FRESH_LIMIT:
            self.forget_heard()

    def forget_heard(self) -> None:
        """Keep no more of what commits hand over: the next batch is read from the store."""
        self._heard, self._hearing, self._heard_from = [], False, None

    def fresh(self, tracking: str) -> tuple[list[EventRecord], int, int] | None:
        """The next batch from the commits heard, if they hold every event after the position
        published up to (under ``tracking``): the records to publish, the position of the last
        event, and how many events the batch goes past; None if the store is to be read."""
        published = self._published
        if self._heard_from is None or published is None or published[0] != tracking:
            return None
        if published[1] < self._heard_from:  # what the last read found is still to publish
            return None
        position = published[1]
        skip = 0
        while skip < len(self._heard) and self._heard[skip][0] <= position:
            skip += 1
        if skip:
            del self._heard[:skip]
        batch = self._heard[: self.batch_size]
        records = [record for _, record in batch if record is not None]
        return records, batch[-1][0] if batch else position, len(batch)

    async def read(self, tracking: str) -> tuple[list[EventRecord], int, int]:
        """The next batch, read from the store; the commits heard from now on are kept, and,
        if the read reached the store's end, a later batch comes from them."""
        self._heard, self._hearing, self._heard_from = [], self._listened, None
        try:
            records = await asyncio.to_thread(self.unpublished, tracking)
        except BaseException:
            self.forget_heard()
            raise
        assert self._published is not None
        last = records[-1].position if records else self._published[1]
        if self._hearing and len(records) < self.batch_size:
            self._heard_from = last
        public = [r for r in records if self.public is None or r.type in self.public]
        return public, last, len(records)

    async def publish(
        self, record: EventRecord, stream_limit: int = -1
    ) -> asyncio.Future[api.PubAck] | str:
        """Publish one event; what NATS will never take (larger than the server's
        ``max_payload``, or than the stream's ``max_msg_size``, ``stream_limit``, when the
        operator's stream has one) is not sent, and the reason is returned instead."""
        data = encode(record)
        limit = self.guard.nc.max_payload
        if stream_limit > 0:
            limit = min(limit, stream_limit)
        if len(data) + HEADER_ROOM > limit:
            return f"the event's message of {len(data)} bytes exceeds the bus's {limit}"
        return await self.js.publish_async(
            record.subject,
            data,
            # Past nats-py's limit of acks pending (a lost connection answers none), a publish
            # waits this long for room and then fails the cycle, instead of waiting for ever.
            wait_stall=self.ack_timeout_seconds,
            headers={"Nats-Msg-Id": message_id(record.event_id, self.id_key)},
            stream=EVENT_STREAM,
        )

    async def dead_letter(self, record: EventRecord, error: str) -> None:
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


def _nowhere(heard: Heard | None) -> None:
    """Where commits go before a relay listens."""


class _Batch:
    """What one cycle publishes of one store: ``records`` (the public events of the batch),
    up to the event at position ``last``, ``count`` stored events in all."""

    def __init__(
        self, outbox: OutboxRelay, checked: Checked, batch: tuple[list[EventRecord], int, int]
    ):
        self.outbox = outbox
        self.checked = checked
        self.records, self.last, self.count = batch
        self.sent: list[tuple[EventRecord, asyncio.Future[api.PubAck] | str]] = []

    @property
    def unproven(self) -> bool:
        """Whether the position it reaches wants a look at the stream after the acks to be
        proven: it sent something, or follows what was sent and not yet proven."""
        return bool(self.sent) or self.outbox.unverified_over is not None


async def publish_cycle(
    outboxes: Iterable[OutboxRelay], record_positions: bool = True, look: LastLook | None = None
) -> list[tuple[OutboxRelay, int | BaseException]]:
    """Publish the next batch of each store; answer, per store, how many stored events it went
    past, or why it could not (``StreamChanged`` when its stream is not the one it knows).

    The stream is checked to be each store's before (``StreamGuard``, one look at the stream's
    information for all: the ``look`` of the last cycle if recent) and after the acks, so that a
    position is never recorded for events that went to another stream or server. With
    ``record_positions``, the look after is taken at once and the positions recorded in the
    stores; without, the caller (``Relay``) takes one look later for all the cycles in between,
    and records then what it proved (``Relay.record``). The acks of all the stores' messages
    are awaited together."""
    outboxes = list(outboxes)
    if not outboxes:
        return []
    js = outboxes[0].js
    outcomes: dict[OutboxRelay, int | BaseException] = {}
    connection = outboxes[0].guard.connection()
    info = await look.take(js, connection) if look else await shared_stream_info(js)

    async def prepare(outbox: OutboxRelay) -> _Batch | None:
        try:
            checked = await outbox.guard.check(info=info)
        except StreamChanged as error:
            outcomes[outbox] = error
            return None
        if outbox.unverified_over not in (None, checked.connection):
            outbox.roll_back()  # went over a connection no later look can speak for
        batch = outbox.fresh(checked.tracking) or await outbox.read(checked.tracking)
        if not batch[2]:
            outcomes[outbox] = 0
            return None
        return _Batch(outbox, checked, batch)

    prepared = await asyncio.gather(*(prepare(outbox) for outbox in outboxes))
    batches = [batch for batch in prepared if batch is not None]
    stream_limit = (info.config.max_msg_size or -1) if info is not None else -1
    # Nothing is handed to a client that is not connected over the connection checked: while
    # it reconnects, nats-py keeps what is published and sends it to whichever server it
    # reaches next (the look the check used may be from before the connection dropped).
    guard = outboxes[0].guard
    if batches and (not guard.nc.is_connected or guard.connection() != connection):
        for batch in batches:
            outcomes[batch.outbox] = StreamChanged("not connected to NATS as checked")
        batches = []
    for batch in batches:
        batch.sent = [
            (record, await batch.outbox.publish(record, stream_limit)) for record in batch.records
        ]
    acks = [
        asyncio.gather(*(o for _, o in batch.sent if isinstance(o, asyncio.Future)))
        for batch in batches
    ]
    # An ack lost with the connection (a NATS restart) never comes: give up and republish.
    # A store whose message the server refused (nats-py raises it in its reply handler) is
    # published again later; the other stores of the cycle go on.
    timeout = max((b.outbox.ack_timeout_seconds for b in batches), default=5.0)
    answered = await asyncio.wait_for(asyncio.gather(*acks, return_exceptions=True), timeout)
    # Only what was sent needs the look after (whose stream took it): a batch of internal
    # events alone (a bureau's ApplicationKnown) passes over them without asking the server.
    sending = record_positions and any(batch.unproven for batch in batches)
    after = await shared_stream_info(js) if sending else None
    if look is not None and sending:
        look.saw(after, connection)
    recorded = []
    for batch, answer in zip(batches, answered, strict=True):
        if isinstance(answer, BaseException):
            log.error("%s: the bus refused a message; trying again: %s", batch.outbox.what, answer)
            outcomes[batch.outbox] = answer
            continue
        for record, outcome in batch.sent:
            if isinstance(outcome, str):
                await batch.outbox.dead_letter(record, outcome)
        try:
            if batch.unproven and record_positions:
                await batch.outbox.guard.check(since=batch.checked.connection, info=after)
        except StreamChanged as error:
            outcomes[batch.outbox] = error
            continue
        recorded.append(batch)
    for batch in recorded:
        over = batch.checked.connection if batch.unproven and not record_positions else None
        batch.outbox.published_up_to(batch.checked.tracking, batch.last, over)
    if record_positions:
        await asyncio.gather(*(b.outbox.writer.run(b.outbox.record) for b in recorded))
    for batch in recorded:
        batch.outbox.published += len(batch.sent)
        outcomes[batch.outbox] = batch.count
    return [(outbox, outcomes[outbox]) for outbox in outboxes]


class Relay:
    """The one relay of a process: publishes from the stores that committed something."""

    def __init__(
        self,
        outboxes: Iterable[OutboxRelay],
        stores_per_cycle: int = STORES_PER_CYCLE,
        look: LastLook | None = None,
    ):
        self.outboxes = list(outboxes)
        self.stores_per_cycle = stores_per_cycle
        self.record_max_seconds = longest_unrecorded(len(self.outboxes))
        self.progress = Progress()
        #: Stores with events (perhaps) not yet published: all of them at the start, since
        #: events committed before it (a crash before their relay) are to be published.
        self._marked: dict[OutboxRelay, None] = dict.fromkeys(self.outboxes)
        #: The last look at the stream (shared with the process's inbox, over the same client).
        self._look = look or LastLook()
        self._wake = asyncio.Event()
        self._listening = False
        self._busy = False
        #: Stores published further than they record; when they will record; the recording.
        self._unrecorded: dict[OutboxRelay, None] = {}
        #: When the oldest unrecorded publish and the last publish happened (loop time).
        self._unrecorded_since = 0.0
        self._published_at = 0.0
        self._record_timer: asyncio.TimerHandle | None = None
        #: No recording before this (loop time): one that failed is tried again a while later.
        self._retry_at = 0.0
        self._record_wanted = False
        self._recording: asyncio.Task[None] | None = None

    @property
    def idle(self) -> bool:
        return not self._marked and not self._busy

    def stalled_for(self) -> float:
        """How long the relay has had work without getting any done (0 when it has none)."""
        return 0.0 if self.idle else self.progress.stalled_for()

    def problems(self) -> list[str]:
        return [f"{o.what}: {o.guard.problem}" for o in self.outboxes if o.guard.problem]

    def _mark(self, outbox: OutboxRelay) -> None:
        if self.idle:
            self.progress.made()  # work arrives: the stall is counted from now
        self._marked[outbox] = None
        self._wake.set()

    def _committed(self, outbox: OutboxRelay, heard: Heard | None) -> None:
        outbox.committed(heard)
        self._mark(outbox)

    def _listen(self) -> None:
        if self._listening:
            return
        loop = asyncio.get_running_loop()
        for outbox in self.outboxes:

            def committed(heard: Heard | None, outbox: OutboxRelay = outbox) -> None:
                with contextlib.suppress(RuntimeError):  # the loop is closed: the process ends
                    loop.call_soon_threadsafe(self._committed, outbox, heard)

            outbox.listen(committed)
        self._listening = True

    @property
    def _record_due(self) -> float:
        """When the positions are to be recorded (loop time): once quiet long enough, or once
        the oldest unrecorded one waited the longest."""
        due = min(
            self._published_at + RECORD_SECONDS, self._unrecorded_since + self.record_max_seconds
        )
        return max(due, self._retry_at)

    def _record_soon(self) -> None:
        if self._record_timer is None and self._unrecorded:
            loop = asyncio.get_running_loop()
            self._record_timer = loop.call_at(self._record_due, self._record_when_due)

    def _record_when_due(self) -> None:
        """Have the cycles record (``_record_between_cycles``) if the relay has been quiet long
        enough, or the oldest position waited the longest; else look again when one of them
        will be so."""
        self._record_timer = None
        if asyncio.get_running_loop().time() < self._record_due:
            self._record_soon()
        elif self._recording is None or self._recording.done():  # else it asks again, done
            self._record_wanted = True
            self._wake.set()

    async def _record_between_cycles(self) -> None:
        """Prove the positions published up to (no cycle runs meanwhile), and record them in
        the background: publishing goes on while the stores' writers get to it."""
        self._record_wanted = False
        outboxes, self._unrecorded = list(self._unrecorded), {}
        self._recording = asyncio.create_task(self._write(await self._prove(outboxes)))

    async def record(self) -> None:
        """Prove and record in each store how far it was published (the relay does so when
        quiet, and every ``record_max_seconds`` while it publishes; the service runtime when it
        stops, with no cycle running)."""
        if self._record_timer is not None:
            self._record_timer.cancel()
            self._record_timer = None
        self._unrecorded = {}
        await self._write(await self._prove([o for o in self.outboxes if o.unrecorded]))

    async def _prove(self, outboxes: list[OutboxRelay]) -> list[OutboxRelay]:
        """One look at the stream for all the cycles since the last: the stores whose events
        went, over the connection the look is made over, to the stream their positions refer
        to have their positions proven (``OutboxRelay.proven``) and are returned; the others
        publish again from their proven positions (``OutboxRelay.roll_back``). If no look can be
        had, nothing is proven, and the stores wait for the next recording."""
        if not outboxes:
            return []
        guard = outboxes[0].guard  # the stores' one client
        connection = guard.connection()
        try:
            info = await shared_stream_info(outboxes[0].js)
        except Exception as error:  # the server away (a timeout): try again later
            log.warning("the relay cannot look at the stream to record positions: %s", error)
            self._unrecord(outboxes)
            return []
        if guard.connection() == connection:
            self._look.saw(info, connection)
        proven = []
        for outbox in outboxes:
            try:
                if outbox.unverified_over not in (None, connection):
                    raise StreamChanged("the connection to NATS changed since it published")
                await outbox.guard.check(since=connection, info=info)
            except StreamChanged as error:
                log.warning("%s publishes again what it cannot prove: %s", outbox.what, error)
                outbox.roll_back()
                self._mark(outbox)
                continue
            except Exception as error:  # the server or the store away: proven later
                log.warning("%s: position not proven; trying again: %s", outbox.what, error)
                self._unrecord([outbox])
                continue
            outbox.proven()
            proven.append(outbox)
        return proven

    async def _write(self, outboxes: list[OutboxRelay]) -> None:
        answers = await asyncio.gather(
            *(outbox.writer.run(outbox.record) for outbox in outboxes), return_exceptions=True
        )
        for outbox, answer in zip(outboxes, answers, strict=True):
            if isinstance(answer, BaseException):
                log.error("%s: position not recorded; trying again: %s", outbox.what, answer)
                self._unrecord([outbox])
        self._record_soon()

    def _unrecord(self, outboxes: list[OutboxRelay]) -> None:
        """Record these stores' positions at a recording ``RECHECK_SECONDS`` from now at the
        earliest (their recording failed: not again at once, in a loop)."""
        now = asyncio.get_running_loop().time()
        if outboxes and not self._unrecorded:
            self._unrecorded_since = now
        self._unrecorded.update(dict.fromkeys(outboxes))
        self._retry_at = now + RECHECK_SECONDS

    async def run(self) -> None:
        self._listen()
        try:
            await self._cycles()
        finally:
            if self._record_timer is not None:
                self._record_timer.cancel()
                self._record_timer = None
            if self._recording is not None:
                self._recording.cancel()

    async def _cycles(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            if self._record_wanted:
                await self._record_between_cycles()
            if not self._marked:
                self._wake.clear()
                if not self._record_wanted:
                    await self._wake.wait()
                continue
            taken = list(self._marked)[: self.stores_per_cycle]
            for outbox in taken:
                del self._marked[outbox]
            self._busy = True
            try:
                outcomes = await publish_cycle(taken, record_positions=False, look=self._look)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("the outbox relay failed; retrying")
                outcomes = [(outbox, RuntimeError("retry")) for outbox in taken]
                await asyncio.sleep(1.0)
            finally:
                self._busy = False
            self.progress.made()
            for outbox, outcome in outcomes:
                if isinstance(outcome, BaseException):
                    # The guard has said why; the store is looked at again a little later, and
                    # read then: what its commits hand over meanwhile is not kept (a bus away
                    # for long costs no memory).
                    outbox.forget_heard()
                    loop.call_later(RECHECK_SECONDS, self._mark, outbox)
                elif outcome >= outbox.batch_size:
                    self._mark(outbox)  # there is more
            published = [outbox for outbox in taken if outbox.unrecorded]
            if published:
                self._published_at = loop.time()
                if not self._unrecorded:
                    self._unrecorded_since = self._published_at
                self._unrecorded.update((outbox, None) for outbox in published)
            self._record_soon()
