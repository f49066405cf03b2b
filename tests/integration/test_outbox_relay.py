"""The outbox relay against a real nats-server, on SQLite and on PostgreSQL stores.

Committed events reach stream OGI under ``ogi.<agency>.<service>.<Type>.<to>`` with their event
id as ``Nats-Msg-Id``; the relay's position is durable; a relay that dies between publishing and
recording its position republishes, and JetStream drops the duplicates; large backlogs go out in
several batches, in order.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar, cast
from uuid import UUID

import pytest
from bushelpers import (
    ACTOR,
    AGENCY,
    RECEIVED_ON,
    agency,
    eventually,
    jetstream,
    last_notification_id,
    opened,
    running,
    stream_count,
    stream_messages,
    submit_many,
    writer_thread,
)
from eventsourcing.persistence import OperationalError
from nats.js import JetStreamContext
from nats.js.api import PubAck

from intake.application import IntakeApplication
from intake.commands import SubmitApplication
from intake.domain import Applicant, Request
from ogi_contracts.intake import PUBLIC
from ogi_platform.eventstore.writer import Writer
from ogi_platform.ids import event_id
from ogi_platform.messaging import outbox as outbox_module
from ogi_platform.messaging.bus import HEADER_ROOM, RELAY_POSITION
from ogi_platform.messaging.envelope import DEAD_LETTER_STREAM, EVENT_STREAM, record_of
from ogi_platform.messaging.outbox import OutboxRelay, Relay
from ogi_platform.messaging.wire import decode, encode
from ogi_platform.natsserver import NatsServer

T = TypeVar("T")


@pytest.fixture
def intake(database_url: str) -> Iterator[IntakeApplication]:
    with opened(IntakeApplication, database_url) as app:
        yield app


@pytest.fixture
async def js(nats_server: NatsServer) -> AsyncIterator[JetStreamContext]:
    async with jetstream(nats_server.url) as (_, context):
        yield context


@pytest.fixture
def writer() -> Iterator[Writer]:
    with writer_thread() as w:
        yield w


class SimulatedCrash(Exception):
    """The process died: nothing after this point happened."""


class CrashBeforeRecording(Writer):
    """A store writer that dies on its first job: the relay's position is never recorded."""

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        raise SimulatedCrash(f"killed before {getattr(fn, '__name__', fn)}")


class AckSpy:
    """A JetStream context that keeps the publish acks the relay receives (and ignores)."""

    def __init__(self, js: JetStreamContext) -> None:
        self.js = js
        self.acks: list[asyncio.Future[PubAck]] = []

    async def publish_async(self, *args: Any, **kwargs: Any) -> asyncio.Future[PubAck]:
        future = await self.js.publish_async(*args, **kwargs)
        self.acks.append(future)
        return future

    def __getattr__(self, name: str) -> Any:
        return getattr(self.js, name)


async def test_committed_events_are_published_with_subject_and_msg_id(
    intake: IntakeApplication, js: JetStreamContext, writer: Writer
) -> None:
    await asyncio.to_thread(submit_many, intake, 4)
    stored = await asyncio.to_thread(intake.notifications, 0, 1000)
    kinds = Counter(n.topic.rsplit(".", 1)[-1] for n in stored)
    assert kinds["ApplicationReceived"] == kinds["ApplicationAccepted"] == 4

    relay = OutboxRelay(intake, js, writer)
    assert await relay.relay_once() == len(stored)

    messages = await stream_messages(js, EVENT_STREAM)
    assert len(messages) == len(stored)
    for message, notification in zip(messages, stored, strict=True):
        domain_event = intake.mapper.to_domain_event(notification)
        kind = type(domain_event).__name__
        expected_id = event_id(domain_event.originator_id, domain_event.originator_version, AGENCY)
        assert message.subject == f"ogi.{AGENCY}.intake.{kind}.{AGENCY}"
        assert message.headers["Nats-Msg-Id"] == expected_id
        record = decode(message.data)
        expected = record_of(domain_event, AGENCY, "intake", notification.id)
        # The payload goes through protobuf's JSON mapping (int64 comes back as a string).
        assert replace(record, data={}) == replace(expected, data={})
        assert record.data.keys() == expected.data.keys()
    assert intake.position(RELAY_POSITION) == stored[-1].id

    # The running relay is woken by each commit (it never polls) and publishes the rest.
    async with running(relay.run, "relay"):
        await asyncio.to_thread(submit_many, intake, 2, "later")
        last = last_notification_id(intake)
        await eventually(
            lambda: intake.position(RELAY_POSITION) == last, timeout=5, what="later events relayed"
        )
    assert await stream_count(js, EVENT_STREAM) == len(intake.notifications(0, 1000))


async def test_relay_position_is_durable_across_restarts(
    database_url: str, js: JetStreamContext
) -> None:
    with opened(IntakeApplication, database_url) as intake, writer_thread() as writer:
        await asyncio.to_thread(submit_many, intake, 5)
        relay = OutboxRelay(intake, js, writer)
        total = await relay.relay_once()
        assert total == len(intake.notifications(0, 1000))
        assert await relay.relay_once() == 0

    # A new process on the same store: the position was stored, nothing is published again.
    with opened(IntakeApplication, database_url) as intake, writer_thread() as writer:
        relay = OutboxRelay(intake, js, writer)
        position = intake.position(RELAY_POSITION)
        assert position == last_notification_id(intake)
        assert await relay.relay_once() == 0
        assert relay.published == 0
        # ...and it resumes right after it: only the new application's events go out.
        await asyncio.to_thread(submit_many, intake, 1, "after-restart")
        new = len(intake.notifications(position, 1000))
        assert new > 0
        assert await relay.relay_once() == new
    assert await stream_count(js, EVENT_STREAM) == total + new


async def test_crash_after_publish_republishes_and_jetstream_drops_duplicates(
    intake: IntakeApplication, js: JetStreamContext, writer: Writer
) -> None:
    await asyncio.to_thread(submit_many, intake, 10)
    total = len(intake.notifications(0, 1000))

    crashing = OutboxRelay(intake, js, CrashBeforeRecording("crash"))
    with pytest.raises(SimulatedCrash):
        await crashing.relay_once()
    assert await stream_count(js, EVENT_STREAM) == total  # published...
    assert intake.position(RELAY_POSITION) == 0  # ...but the position was not recorded

    spy = AckSpy(js)
    restarted = OutboxRelay(intake, cast(JetStreamContext, spy), writer)
    assert await restarted.relay_once() == total  # the whole batch went out again
    acks = [future.result() for future in spy.acks]
    assert len(acks) == total
    assert all(ack.duplicate for ack in acks), "JetStream did not see the republish as duplicates"
    assert await stream_count(js, EVENT_STREAM) == total
    assert intake.position(RELAY_POSITION) == last_notification_id(intake)


async def test_backlog_goes_out_in_batches_in_store_order(
    intake: IntakeApplication, js: JetStreamContext, writer: Writer
) -> None:
    await asyncio.to_thread(submit_many, intake, 200)
    stored = await asyncio.to_thread(intake.notifications, 0, 10_000)
    assert len(stored) > 500

    relay = OutboxRelay(intake, js, writer)
    assert relay.batch_size == 500
    assert await relay.relay_once() == 500
    assert intake.position(RELAY_POSITION) == stored[499].id
    batches = [500]
    while sent := await relay.relay_once():
        batches.append(sent)
    assert sum(batches) == len(stored)
    assert all(size == 500 for size in batches[:-1])

    messages = await stream_messages(js, EVENT_STREAM)
    positions = [decode(m.data).position for m in messages]
    assert positions == [n.id for n in stored]
    ids = [m.headers["Nats-Msg-Id"] for m in messages]
    assert ids == [
        event_id(UUID(str(n.originator_id)), n.originator_version, AGENCY) for n in stored
    ], "stream order differs from store order"


def submit_long(intake: IntakeApplication, characters: int) -> None:
    """An application whose request text is ``characters`` long (3 bytes each in UTF-8)."""
    intake.handle(
        SubmitApplication(
            actor=ACTOR,
            on=RECEIVED_ON,
            agency=agency(),
            applicant=Applicant.checked("张三", "natural_person", "ID-LONG", "13800000000"),
            request=Request.checked("公" * characters, "electronic", "online"),
            request_id="long",
        )
    )


@pytest.mark.parametrize("limited", ["server", "stream"])
async def test_event_the_bus_refuses_is_dead_lettered_and_the_relay_moves_on(
    intake: IntakeApplication, writer: Writer, tmp_path: Path, limited: str
) -> None:
    """The server's ``max_payload``, or the ``max_msg_size`` an operator gave the stream (which
    would refuse the message for ever, stalling the store's relay)."""
    config = tmp_path / "small.conf"
    config.write_text("max_payload: 8192\n" if limited == "server" else "")
    server = NatsServer(tmp_path / "small", config=config).start()
    try:
        async with jetstream(server.url) as (_, js):
            if limited == "stream":
                stream = await js.stream_info(EVENT_STREAM)
                await js.update_stream(replace(stream.config, max_msg_size=8192))
            await asyncio.to_thread(submit_many, intake, 2, "before")
            await asyncio.to_thread(submit_long, intake, 4000)  # 12 KB of text
            await asyncio.to_thread(submit_many, intake, 2, "after")
            stored = await asyncio.to_thread(intake.notifications, 0, 1000)
            records = [
                record_of(intake.mapper.to_domain_event(n), AGENCY, "intake", n.id) for n in stored
            ]
            too_large = [r.event_id for r in records if len(encode(r)) > 8192 - HEADER_ROOM]
            assert too_large, "no event too large for the bus: the test proves nothing"

            relay = OutboxRelay(intake, js, writer)
            while await relay.relay_once():
                pass
            assert intake.position(RELAY_POSITION) == last_notification_id(intake)
            published = [decode(m.data).event_id for m in await stream_messages(js, EVENT_STREAM)]
            assert published == [r.event_id for r in records if r.event_id not in too_large]
            letters = await stream_messages(js, DEAD_LETTER_STREAM)
            assert [letter.headers["Ogi-Event-Id"] for letter in letters] == too_large
            envelope = json.loads(letters[0].data)
            assert envelope["event_id"] == too_large[0]
            assert "exceeds" in envelope["error"]
            assert relay.dead_lettered == len(too_large)
    finally:
        server.stop()


@pytest.fixture
def reads(intake: IntakeApplication, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The positions the intake store's notification log is read after, read by read."""
    positions: list[int] = []
    notifications = intake.notifications

    def counted(after: int, limit: int) -> Any:
        positions.append(after)
        return notifications(after, limit)

    monkeypatch.setattr(intake, "notifications", counted)
    return positions


async def test_a_listening_relay_publishes_what_commits_hand_it_without_reading_the_store(
    intake: IntakeApplication,
    js: JetStreamContext,
    reads: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The store is read once, to its end; later commits hand the relay their events, which
    go out as a read would have made them. When more wait than ``FRESH_LIMIT`` (a bus away
    for long), the relay forgets them and reads the store again; nothing is lost."""
    with writer_thread() as writer:
        relay = Relay([OutboxRelay(intake, js, writer, public=PUBLIC)])
        async with running(relay.run, "relay"):
            await eventually(lambda: len(reads) == 1, what="the first read")
            for n in range(5):
                await asyncio.to_thread(submit_many, intake, 1, f"heard-{n}")
            last = last_notification_id(intake)
            await eventually(
                lambda: relay.outboxes[0].published_position == last,
                what="every commit published",
            )
            assert len(reads) == 1, "a commit heard was read from the store"

        # What went out is what reading the store makes of the same events.
        outbox = relay.outboxes[0]
        stored = [r for r in outbox.records_after(0) if r.type in PUBLIC]
        sent = [decode(m.data) for m in await stream_messages(js, EVENT_STREAM)]
        assert sent == stored

        # Too many waiting: forgotten, and the store is read again.
        monkeypatch.setattr(outbox_module, "FRESH_LIMIT", 2)
        await asyncio.to_thread(submit_many, intake, 3, "while-away")
        assert outbox.fresh(RELAY_POSITION) is None
        reads.clear()
        assert await outbox.relay_once() > 0
        assert reads, "the store was read again"
        assert await stream_count(js, EVENT_STREAM) == len(
            [r for r in outbox.records_after(0) if r.type in PUBLIC]
        )

        # A relay listening later takes the place of the one before: each commit is heard once.
        monkeypatch.setattr(outbox_module, "FRESH_LIMIT", 2000)
        again = Relay([outbox])
        async with running(again.run, "relay again"):
            await eventually(lambda: again.idle, what="its first cycle")
            published = outbox.published
            await asyncio.to_thread(submit_many, intake, 1, "heard-once")
            last = last_notification_id(intake)
            await eventually(lambda: outbox.published_position == last, what="published")
        assert outbox.published - published == 2  # ApplicationReceived, ApplicationAccepted


async def test_a_commit_stored_as_it_failed_is_read_from_the_store_and_published(
    intake: IntakeApplication,
    js: JetStreamContext,
    reads: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A commit the server stored while its caller was told it failed (the connection lost as
    it committed) is not heard of: the relay reads the store again rather than pass it over
    when it publishes the commits heard after it."""
    with writer_thread() as writer:
        relay = Relay([OutboxRelay(intake, js, writer, public=PUBLIC)])
        async with running(relay.run, "relay"):
            await eventually(lambda: len(reads) == 1, what="the first read")
            stored_then_failed = intake._record

            def lost_connection(processing: Any) -> Any:
                stored_then_failed(processing)
                raise OperationalError("server closed the connection unexpectedly")

            monkeypatch.setattr(intake, "_record", lost_connection)
            with pytest.raises(OperationalError):
                await asyncio.to_thread(submit_many, intake, 1, "stored-unheard")
            monkeypatch.setattr(intake, "_record", stored_then_failed)
            await asyncio.to_thread(submit_many, intake, 1, "heard-after")
            last = last_notification_id(intake)
            await eventually(lambda: relay.outboxes[0].published_position == last, what="published")
        stored = [r for r in relay.outboxes[0].records_after(0) if r.type in PUBLIC]
        sent = [decode(m.data) for m in await stream_messages(js, EVENT_STREAM)]
        assert sent == stored
        assert len(reads) >= 2, "the store was read again after the unsure commit"


async def test_after_a_failed_cycle_the_relay_reads_the_store_and_publishes_everything(
    intake: IntakeApplication,
    js: JetStreamContext,
    reads: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A cycle that failed (the bus away) leaves nothing heard in memory: the commits meanwhile
    are not kept, and the store is read again once the relay looks again."""
    with writer_thread() as writer:
        outbox = OutboxRelay(intake, js, writer, public=PUBLIC)
        relay = Relay([outbox])
        async with running(relay.run, "relay"):
            await eventually(lambda: relay.idle and reads, what="the first cycle")
            publish, failing = outbox.publish, [True]

            async def refused(*args: Any, **kwargs: Any) -> Any:
                if failing:
                    failing.clear()
                    raise RuntimeError("the bus is away")
                return await publish(*args, **kwargs)

            monkeypatch.setattr(outbox, "publish", refused)
            reads.clear()
            await asyncio.to_thread(submit_many, intake, 2, "while-failing")
            last = last_notification_id(intake)
            await eventually(
                lambda: outbox.published_position == last, timeout=15.0, what="published at last"
            )
            assert not failing and reads, "the store was not read again after the failed cycle"
        stored = [r for r in outbox.records_after(0) if r.type in PUBLIC]
        assert [decode(m.data) for m in await stream_messages(js, EVENT_STREAM)] == stored
