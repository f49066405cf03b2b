"""One relay and one inbox for all the stores of a process, against a real nats-server, on
SQLite and PostgreSQL: each store gets exactly what is addressed to it, the consumer's filters
stay few, a store that hears nothing has its position moved up, a restart resumes, and an idle
relay asks nothing of the server."""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, cast

import nats.errors
import pytest
from bushelpers import (
    UNGUARDED,
    counter,
    counting_handlers,
    eventually,
    filter_subjects,
    jetstream,
    opened,
    running,
    submissions,
    submit_many,
    writer_thread,
)
from nats.js import JetStreamContext
from nats.js.api import ConsumerInfo
from nats.js.errors import NotFoundError

from intake.application import IntakeApplication
from ogi_platform.eventstore.application import OgiApplication
from ogi_platform.eventstore.writer import Writer
from ogi_platform.messaging import inbox as inbox_module
from ogi_platform.messaging import outbox as outbox_module
from ogi_platform.messaging import streamguard as streamguard_module
from ogi_platform.messaging.bus import (
    INACTIVE_CONSUMER_SECONDS,
    INBOX_POSITION,
    RELAY_POSITION,
    ensure_streams,
)
from ogi_platform.messaging.envelope import EVENT_STREAM
from ogi_platform.messaging.inbox import (
    GATHER_SECONDS,
    IDLE_FETCH_SECONDS,
    InboxConsumer,
    InboxStore,
    process_consumer_name,
)
from ogi_platform.messaging.outbox import OutboxRelay, Relay
from ogi_platform.natsserver import NatsServer
from routing.application import RoutingApplication

SENDERS = ("municipal-office", "archives-bureau")
#: Served by the routing process, but nothing is addressed to it.
QUIET = "natural-resources-bureau"


@pytest.fixture
async def js(nats_server: NatsServer) -> AsyncIterator[JetStreamContext]:
    async with jetstream(nats_server.url) as (_, context):
        yield context


@contextlib.contextmanager
def stores(kind: type[OgiApplication], database_url: str, codes: tuple[str, ...]) -> Iterator[Any]:
    with contextlib.ExitStack() as stack:
        yield {code: stack.enter_context(opened(kind, database_url, code)) for code in codes}


def routing_inbox_stores(
    routings: dict[str, RoutingApplication], writers: dict[str, Writer]
) -> list[InboxStore]:
    """What the inbox applies to each routing store: routing's handlers, counted, on what is
    addressed to the store's agency."""
    return [
        InboxStore(app, writers[code], handlers, filter_subjects(handlers, code))
        for code, app in routings.items()
        for handlers in [counting_handlers(app)]
    ]


def relayed_all(intake: IntakeApplication) -> Callable[[], bool]:
    last = intake.recorder.max_notification_id()
    return lambda: intake.position(RELAY_POSITION) == last


class CountingStreamInfo:
    """A JetStream context that counts the stream information asked for."""

    def __init__(self, js: JetStreamContext) -> None:
        self.js = js
        self.asked = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.js, name)

    async def stream_info(self, *args: Any, **kwargs: Any) -> Any:
        self.asked += 1
        return await self.js.stream_info(*args, **kwargs)


async def test_one_relay_and_one_inbox_serve_every_store_of_a_process(
    database_url: str, js: JetStreamContext
) -> None:
    codes = (*SENDERS, QUIET)
    with (
        stores(IntakeApplication, database_url, SENDERS) as intakes,
        stores(RoutingApplication, database_url, codes) as routings,
    ):
        spy = CountingStreamInfo(js)
        writers = {code: Writer(f"test-{code}") for code in codes}
        relay = Relay(
            OutboxRelay(intakes[c], cast(JetStreamContext, spy), writers[c]) for c in SENDERS
        )
        inbox_stores = routing_inbox_stores(routings, writers)
        consumer = InboxConsumer(js, inbox_stores, checkpoint_gap=5)
        assert consumer.durable == process_consumer_name("routing", codes)
        assert consumer.filter_subjects == sorted(
            {f"ogi.*.*.{t}.*" for t in counting_handlers(routings[QUIET])}
        ), "one filter per event type, not per agency"

        async with running(relay.run, "relay"), running(consumer.run, "inbox"):
            await asyncio.to_thread(submit_many, intakes[SENDERS[0]], 12, "first")
            await asyncio.to_thread(submit_many, intakes[SENDERS[1]], 7, "second")
            await eventually(
                lambda: [counter(routings[c], UNGUARDED) for c in SENDERS] == [12, 7],
                what="each routing store applied what is addressed to it",
            )
            for intake in (intakes[code] for code in SENDERS):
                await eventually(relayed_all(intake), what=f"{intake.agency}'s events relayed")
            last_seq = (await js.stream_info(EVENT_STREAM)).state.last_seq
            await eventually(
                lambda: routings[QUIET].position(INBOX_POSITION) >= last_seq - 5,
                what="the quiet store's position moved up",
            )
            assert counter(routings[QUIET], UNGUARDED) == 0
            asked = spy.asked
            await asyncio.sleep(1.5)
            assert spy.asked == asked, "the idle relay looked at the stream"

        # Restarted over the same stores: it resumes; nothing is applied twice.
        consumer = InboxConsumer(js, inbox_stores, checkpoint_gap=5)
        async with running(relay.run, "relay again"), running(consumer.run, "inbox again"):
            await asyncio.to_thread(submit_many, intakes[SENDERS[1]], 3, "third")
            await eventually(
                lambda: counter(routings[SENDERS[1]], UNGUARDED) == 10,
                what="the later applications applied",
            )
        assert counter(routings[SENDERS[0]], UNGUARDED) == 12
        assert consumer.applied > 0
        for writer in writers.values():
            writer.shutdown()


async def test_idle_stores_fallen_behind_together_are_moved_up_a_few_per_batch(
    database_url: str, js: JetStreamContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two routing stores hear nothing while a third takes its applications; one is moved up
    per batch (``CHECKPOINTS_PER_BATCH`` set to 1), and in time both are."""
    monkeypatch.setattr(inbox_module, "CHECKPOINTS_PER_BATCH", 1)
    quiet = (QUIET, "supervision-bureau")
    codes = (SENDERS[0], *quiet)
    moved: list[int] = []
    checkpoint = InboxConsumer._checkpoint

    async def counted(consumer: InboxConsumer, *args: Any) -> None:
        before = [s.position for s in consumer.stores]
        await checkpoint(consumer, *args)
        moved.append(sum(s.position != p for s, p in zip(consumer.stores, before, strict=True)))

    monkeypatch.setattr(InboxConsumer, "_checkpoint", counted)
    with (
        stores(IntakeApplication, database_url, SENDERS[:1]) as intakes,
        stores(RoutingApplication, database_url, codes) as routings,
    ):
        writers = {code: Writer(f"test-{code}") for code in codes}
        relay = Relay([OutboxRelay(intakes[SENDERS[0]], js, writers[SENDERS[0]])])
        inbox_stores = routing_inbox_stores(routings, writers)
        consumer = InboxConsumer(js, inbox_stores, checkpoint_gap=3)
        async with running(relay.run, "relay"), running(consumer.run, "inbox"):
            taker = routings[SENDERS[0]]
            for batch in range(1, 9):  # batches apart: each its own fetch
                await asyncio.to_thread(submit_many, intakes[SENDERS[0]], 1, f"b{batch}")
                await eventually(
                    functools.partial(lambda n: counter(taker, UNGUARDED) == n, batch),
                    what="the application applied",
                )
        positions = [routings[code].position(INBOX_POSITION) for code in quiet]
        assert all(positions), f"each quiet store moved up in time: {positions}"
        assert max(moved) == 1
        for writer in writers.values():
            writer.shutdown()


async def test_cycles_soon_after_another_ask_the_server_nothing_and_one_look_proves_them(
    database_url: str, js: JetStreamContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A relay publishing commit after commit checks each cycle's stores against the last look
    at the stream while it is recent, and looks once more, before recording, for all the cycles
    since (a look after each cycle's acks was a request on every event's way)."""
    monkeypatch.setattr(streamguard_module, "LOOK_SECONDS", 5.0)
    monkeypatch.setattr(outbox_module, "RECORD_SECONDS", 60.0)
    with opened(IntakeApplication, database_url, SENDERS[0]) as intake:
        spy = CountingStreamInfo(js)
        writer = Writer("test-look")
        relay = Relay([OutboxRelay(intake, cast(JetStreamContext, spy), writer)])
        async with running(relay.run, "relay"):
            await eventually(lambda: spy.asked >= 1, what="the first cycle")
            before = spy.asked
            for n in range(10):
                await asyncio.to_thread(submit_many, intake, 1, f"look-{n}")
                await eventually(relayed_in_memory(relay), what="published")
            assert spy.asked == before, f"{spy.asked - before} looks at the stream for 10 cycles"
            assert not relayed_all(intake)(), "recorded before the stream was looked at again"
        await relay.record()
        assert spy.asked == before + 1
        assert relayed_all(intake)()
        writer.shutdown()


async def test_what_no_look_can_prove_is_published_again_not_recorded(
    database_url: str, js: JetStreamContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Published, then the connection changed (a reconnection, perhaps to another server)
    before the look that proves the cycles: nothing is recorded, and the relay publishes again
    from the store's position (the stream drops what it holds as duplicates). Published, then
    the stream was replaced: nothing is recorded."""
    monkeypatch.setattr(outbox_module, "RECORD_SECONDS", 60.0)
    reconnections = [0]
    monkeypatch.setattr(streamguard_module.StreamGuard, "connection", lambda _: reconnections[0])
    with one_agency(database_url, js) as (intake, _, relay, _):
        outbox = relay.outboxes[0]
        async with running(relay.run, "relay"):
            await asyncio.to_thread(submit_many, intake, 3, "unproven")
            await eventually(relayed_in_memory(relay), what="published")
        in_stream = await stream_size(js)
        reconnections[0] += 1
        await relay.record()
        assert intake.position(RELAY_POSITION) == 0, "recorded what no look proved"
        assert outbox.published_position == 0 and outbox.unverified_over is None
        async with running(relay.run, "relay again"):
            await eventually(relayed_in_memory(relay), what="published again")
        await relay.record()
        assert relayed_all(intake)()
        assert await stream_size(js) == in_stream, "published twice into the stream"

        monkeypatch.setattr(outbox_module, "RECORD_SECONDS", 60.0)
        recorded = intake.position(RELAY_POSITION)
        async with running(relay.run, "relay, before the stream is replaced"):
            await asyncio.to_thread(submit_many, intake, 2, "then-replaced")
            await eventually(relayed_in_memory(relay), what="published")
        await js.delete_stream(EVENT_STREAM)
        await ensure_streams(js)
        await relay.record()
        assert intake.position(RELAY_POSITION) == recorded, "recorded for another stream"
        assert outbox.published_position == recorded
        assert outbox.guard.problem is not None and "is not" in outbox.guard.problem


def relayed_in_memory(relay: Relay) -> Callable[[], bool]:
    """Whether the relay's one store is published up to its last event now (recorded or
    not)."""
    outbox = relay.outboxes[0]
    last = outbox.app.recorder.max_notification_id()
    return lambda: outbox.published_position == last


class CountingFetches(CountingStreamInfo):
    """A JetStream context that also notes each fetch of the inbox's subscription: how many
    messages it asked for, within how long, and how many it got (None: it timed out)."""

    def __init__(self, js: JetStreamContext) -> None:
        super().__init__(js)
        self.fetches: list[tuple[int, float, int | None]] = []

    async def pull_subscribe_bind(self, *args: Any, **kwargs: Any) -> Any:
        subscription = await self.js.pull_subscribe_bind(*args, **kwargs)
        fetch, fetches = subscription.fetch, self.fetches

        async def noted(batch: int = 1, timeout: float | None = 5, **more: Any) -> Any:
            try:
                messages = await fetch(batch, timeout, **more)
            except (TimeoutError, nats.errors.TimeoutError):
                fetches.append((batch, timeout or 0.0, None))
                raise
            fetches.append((batch, timeout or 0.0, len(messages)))
            return messages

        subscription.fetch = noted  # type: ignore[method-assign,assignment]
        return subscription


def routing_inbox(
    js: Any, app: RoutingApplication, writer: Writer, code: str = SENDERS[0], linger: float = 0.0
) -> InboxConsumer:
    handlers = counting_handlers(app)
    store = InboxStore(app, writer, handlers, filter_subjects(handlers, code))
    return InboxConsumer(js, [store], linger_seconds=linger)


@contextlib.contextmanager
def one_agency(
    database_url: str, js: JetStreamContext
) -> Iterator[tuple[IntakeApplication, RoutingApplication, Relay, Writer]]:
    """Intake and routing of one agency, intake's relay (not running) and routing's writer."""
    with (
        opened(IntakeApplication, database_url, SENDERS[0]) as intake,
        opened(RoutingApplication, database_url, SENDERS[0]) as routing,
        writer_thread("test-intake") as intake_writer,
        writer_thread("test-routing") as routing_writer,
    ):
        yield intake, routing, Relay([OutboxRelay(intake, js, intake_writer)]), routing_writer


def applied_up_to(routing: RoutingApplication, count: int) -> Callable[[], bool]:
    return lambda: counter(routing, UNGUARDED) == count


async def test_an_inbox_checks_batch_after_batch_against_one_recent_look_at_the_stream(
    database_url: str, js: JetStreamContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stream's information is asked for when the inbox binds to its consumer, not again
    for each batch while that look is recent (it was a request on every event's way)."""
    monkeypatch.setattr(streamguard_module, "LOOK_SECONDS", 5.0)
    with one_agency(database_url, js) as (intake, routing, relay, routing_writer):
        spy = CountingStreamInfo(js)
        consumer = routing_inbox(spy, routing, routing_writer)
        async with running(relay.run, "relay"), running(consumer.run, "inbox"):
            await eventually(lambda: spy.asked >= 1, what="the inbox bound")
            for n in range(1, 11):
                await asyncio.to_thread(submit_many, intake, 1, f"look-{n}")
                await eventually(applied_up_to(routing, n), what=f"application {n} applied")
        assert spy.asked == 1, f"{spy.asked} looks at the stream for 10 batches"


async def test_an_inbox_asks_for_as_many_messages_as_are_waiting(
    database_url: str, js: JetStreamContext
) -> None:
    """A backlog is fetched as the first message says how many wait behind it; a message to a
    quiet inbox is fetched alone, without asking for more that are not there (a fetch of n
    waits for all n: a request and a wait on the way of every message)."""
    with one_agency(database_url, js) as (intake, routing, relay, routing_writer):
        spy = CountingFetches(js)
        async with running(relay.run, "relay"):
            await asyncio.to_thread(submit_many, intake, 30, "backlog")
            await eventually(relayed_all(intake), what="the backlog published")
            consumer = routing_inbox(spy, routing, routing_writer)
            async with running(consumer.run, "inbox"):
                await eventually(applied_up_to(routing, 30), what="the backlog")
                assert spy.fetches[0] == (1, IDLE_FETCH_SECONDS, 1)
                waiting = 29
                for asked, _, got in spy.fetches[1:]:
                    assert asked <= waiting, f"asked for {asked} of {waiting}: {spy.fetches}"
                    waiting -= got or 0
                assert waiting == 0 and spy.fetches[1][:2] == (29, GATHER_SECONDS), spy.fetches
                spy.fetches.clear()
                for n in range(31, 34):
                    await asyncio.to_thread(submit_many, intake, 1, f"alone-{n}")
                    await eventually(applied_up_to(routing, n), what=f"application {n} applied")
        assert {f[:2] for f in spy.fetches} == {(1, IDLE_FETCH_SECONDS)}, spy.fetches


async def test_a_lingering_inbox_gathers_what_follows_a_message_into_its_batch(
    database_url: str, js: JetStreamContext
) -> None:
    """An inbox off an application's way (``linger_seconds``) lets the first message to come
    after a quiet spell wait for those that follow it within the linger: one batch, one
    transaction, where a quiet inbox that does not linger applies each alone."""
    with one_agency(database_url, js) as (intake, routing, relay, routing_writer):
        spy = CountingFetches(js)
        consumer = routing_inbox(spy, routing, routing_writer, linger=3.0)
        async with running(relay.run, "relay"), running(consumer.run, "inbox"):
            await eventually(lambda: spy.asked >= 1, what="the inbox bound")
            await asyncio.to_thread(submit_many, intake, 1, "linger-first")
            # The inbox took the first one and lingers: what comes meanwhile shares its batch.
            await eventually(lambda: any(f[2] for f in spy.fetches), what="the first fetched")
            # The three in one commit: they reach the stream together, however loaded the
            # machine (three commits one after the other each waited for the disk).
            await asyncio.to_thread(intake.handle_all, submissions(intake, 3, "linger-next"))
            await eventually(applied_up_to(routing, 4), what="the four applied")
        # Each message that came after a quiet spell was followed, once the inbox had lingered,
        # by a fetch of whatever came meanwhile (under load the three may not all come within
        # one linger: then a later first message lingers for the rest).
        lingered = (consumer.batch_size - 1, GATHER_SECONDS)
        firsts = [i for i, f in enumerate(spy.fetches) if f == (1, IDLE_FETCH_SECONDS, 1)]
        assert firsts and firsts[0] == min(i for i, f in enumerate(spy.fetches) if f[2]), (
            spy.fetches
        )
        assert all(spy.fetches[i + 1][:2] == lingered for i in firsts), spy.fetches
        # What came meanwhile was fetched once the linger ended, not waited for as a first
        # message of its own (under load the fetch's short gathering may get part of it, the
        # rest then fetched at once as waiting: ``_fetch``).
        gathered = [f[2] or 0 for f in spy.fetches if f[:2] == lingered]
        assert max(gathered) >= 1, (
            f"what followed a first message never shared a batch: {spy.fetches}"
        )


async def test_a_consumer_nobody_fetches_from_is_removed_and_made_again_from_the_stores(
    database_url: str, js: JetStreamContext
) -> None:
    """A process's own consumer carries an inactivity limit: one left behind (the process's set
    of agencies changed, or it went) is removed by the server; a process coming back makes it
    again from its stores' positions, and applies nothing twice."""
    with (
        stores(IntakeApplication, database_url, SENDERS[:1]) as intakes,
        stores(RoutingApplication, database_url, SENDERS) as routings,
    ):
        writers = {code: Writer(f"test-{code}") for code in SENDERS}
        relay = Relay([OutboxRelay(intakes[SENDERS[0]], js, writers[SENDERS[0]])])
        inbox_stores = routing_inbox_stores(routings, writers)
        assert InboxConsumer(js, inbox_stores).inactive_seconds == INACTIVE_CONSUMER_SECONDS
        consumer = InboxConsumer(js, inbox_stores, inactive_seconds=1.0)
        routing = routings[SENDERS[0]]

        async def on_server() -> ConsumerInfo | None:
            try:
                return await js.consumer_info(EVENT_STREAM, consumer.durable)
            except NotFoundError:
                return None

        async with running(relay.run, "relay"), running(consumer.run, "inbox"):
            info = await eventually(on_server, what="the consumer made")
            assert info.config.inactive_threshold == 1.0
            await asyncio.to_thread(submit_many, intakes[SENDERS[0]], 4, "before")
            await eventually(lambda: counter(routing, UNGUARDED) == 4, what="applied")

        async def removed() -> bool:
            return await on_server() is None

        await eventually(removed, what="the unused consumer removed", timeout=15.0)
        consumer = InboxConsumer(js, inbox_stores, inactive_seconds=1.0)
        async with running(relay.run, "relay again"), running(consumer.run, "inbox again"):
            await asyncio.to_thread(submit_many, intakes[SENDERS[0]], 2, "after")
            await eventually(lambda: counter(routing, UNGUARDED) == 6, what="applied again")
            await asyncio.sleep(0.5)
        assert counter(routing, UNGUARDED) == 6, "an event applied twice"
        for writer in writers.values():
            writer.shutdown()


async def stream_size(js: JetStreamContext) -> int:
    return int((await js.stream_info(EVENT_STREAM)).state.messages)


async def test_the_relay_records_how_far_it_published_when_quiet_not_every_cycle(
    database_url: str, js: JetStreamContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cycle does not wait for a write to the store: the position published up to is
    recorded once the relay is quiet, and while it keeps publishing at most once per
    ``RECORD_MAX_SECONDS``, whatever the cycles meanwhile. A relay stopped before it recorded
    publishes the last events again, and JetStream drops them as duplicates."""
    monkeypatch.setattr(outbox_module, "RECORD_SECONDS", 0.5)
    monkeypatch.setattr(outbox_module, "RECORD_MAX_SECONDS", 1.0)
    with opened(IntakeApplication, database_url, SENDERS[0]) as intake:
        recorded: list[int] = []
        record_position = intake.record_position

        def counted(upstream: str, position: int) -> None:
            recorded.append(position)
            record_position(upstream, position)

        monkeypatch.setattr(intake, "record_position", counted)
        writer = Writer("test-lazy")
        relay = Relay([OutboxRelay(intake, js, writer)])
        cycles = 20
        async with running(relay.run, "relay"):
            started = asyncio.get_running_loop().time()
            for n in range(cycles):  # one commit at a time, each published before the next
                await asyncio.to_thread(submit_many, intake, 1, f"one-{n}")
                last = intake.recorder.max_notification_id() or 0

                async def published(last: int = last) -> bool:
                    return await stream_size(js) >= last

                await eventually(published, what="the commit in the stream")
                await asyncio.sleep(0.1)  # never quiet for 0.5 s
            took = asyncio.get_running_loop().time() - started
            while_publishing = len(recorded)
            await eventually(relayed_all(intake), what="the position recorded once quiet")
        assert recorded[-1] == intake.recorder.max_notification_id()
        assert took > 2.0
        assert 1 <= while_publishing <= took / 1.0 + 1 < cycles

        # Stopped between publishing and recording: published again, dropped as duplicates.
        monkeypatch.setattr(outbox_module, "RECORD_SECONDS", 60.0)  # not before the stop
        monkeypatch.setattr(outbox_module, "RECORD_MAX_SECONDS", 60.0)
        relay = Relay([OutboxRelay(intake, js, writer)])
        async with running(relay.run, "relay again"):
            await asyncio.to_thread(submit_many, intake, 1, "unrecorded")
            await eventually(
                lambda: relay.outboxes[0].unrecorded, what="published, not yet recorded"
            )
        in_stream = await stream_size(js)
        assert not relayed_all(intake)()
        monkeypatch.setattr(outbox_module, "RECORD_SECONDS", 0.5)
        relay = Relay([OutboxRelay(intake, js, writer)])
        async with running(relay.run, "relay restarted"):
            await eventually(relayed_all(intake), what="the position recorded at last")
        assert await stream_size(js) == in_stream
        writer.shutdown()
