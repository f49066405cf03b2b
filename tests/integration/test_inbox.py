"""The idempotent inbox against a real nats-server, on SQLite and on PostgreSQL stores.

Intake's store produces accepted applications (published by the real outbox relay); routing's
store consumes them with routing's real handlers, wrapped with two counters (see bushelpers):
``unguarded`` counts every time a message took effect, so it shows what the tracking record
prevents; ``guarded`` asks the aggregate's ``has_handled``, so it shows what that check prevents.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from bushelpers import (
    AGENCY,
    GUARDED,
    UNGUARDED,
    RecordingConsumer,
    counter,
    counting_handlers,
    eventually,
    jetstream,
    opened,
    publish_all,
    routing_consumer,
    running,
    stored_count,
    stream_messages,
    submit_many,
    writer_thread,
)
from eventsourcing.persistence import OperationalError
from nats.aio.msg import Msg
from nats.js import JetStreamContext, api

from intake.application import IntakeApplication
from ogi_platform.eventstore.store import store_location
from ogi_platform.eventstore.writer import Writer
from ogi_platform.messaging import streamguard
from ogi_platform.messaging.bus import (
    INACTIVE_CONSUMER_SECONDS,
    INBOX_POSITION,
    consumer_config,
    ensure_streams,
)
from ogi_platform.messaging.envelope import EVENT_STREAM, EventRecord, consumer_name
from ogi_platform.messaging.streamguard import StreamChanged, identities_of, stream_identity
from ogi_platform.natsserver import NatsServer
from routing.application import RoutingApplication, routing_id

pytestmark = pytest.mark.long

DURABLE = consumer_name(AGENCY, "routing")
BATCH = 50


@pytest.fixture
def intake(database_url: str) -> Iterator[IntakeApplication]:
    with opened(IntakeApplication, database_url) as app:
        yield app


@pytest.fixture
def routing(database_url: str) -> Iterator[RoutingApplication]:
    with opened(RoutingApplication, database_url) as app:
        yield app


@pytest.fixture
async def js(nats_server: NatsServer) -> AsyncIterator[JetStreamContext]:
    async with jetstream(nats_server.url) as (_, context):
        yield context


@pytest.fixture
def writer() -> Iterator[Writer]:
    with writer_thread("routing-writer") as w:
        yield w


async def accepted_sequences(js: JetStreamContext) -> list[int]:
    """Stream sequences of the ApplicationAccepted messages (what routing's consumer applies)."""
    return [
        m.seq
        for m in await stream_messages(js, EVENT_STREAM)
        if m.event_type == "ApplicationAccepted"
    ]


async def produce(
    intake: IntakeApplication, js: JetStreamContext, count: int, prefix: str
) -> list[str]:
    ids = await asyncio.to_thread(submit_many, intake, count, prefix)
    await publish_all(intake, js)
    return ids


async def applied(routing: RoutingApplication, consumer_seq: int) -> None:
    """Wait until the consumer has tracked everything up to ``consumer_seq``."""
    await eventually(
        lambda: routing.position(INBOX_POSITION) >= consumer_seq,
        what=f"inbox position {consumer_seq}",
    )


def assert_assigned_once(routing: RoutingApplication, application_ids: list[str]) -> None:
    assigned = stored_count(routing, "ApplicationAssigned")
    assert {routing_id(a) for a in application_ids} == set(assigned), "lost or extra assignments"
    assert set(assigned.values()) == {1}


def arm_commit_failure(database_url: str) -> Callable[[], None]:
    """Make the routing store refuse to record the inbox position until disarmed.

    The refusal comes from the database (a trigger on the tracking table), so it aborts the
    whole transaction the tracking record is written in, whatever else is in it.
    """
    location = store_location(database_url, Path("unused"), AGENCY, "routing")
    if location.postgres_dsn is None:
        dbname = location.env["SQLITE_DBNAME"]
        with contextlib.closing(sqlite3.connect(dbname)) as db, db:
            db.executescript(
                f"""
                CREATE TABLE armed (armed INTEGER);
                INSERT INTO armed VALUES (1);
                CREATE TRIGGER refuse_tracking BEFORE INSERT ON tracking
                WHEN NEW.application_name = '{INBOX_POSITION}' AND EXISTS (SELECT 1 FROM armed)
                BEGIN SELECT RAISE(ABORT, 'injected failure at commit'); END;
                """
            )

        def disarm() -> None:
            with contextlib.closing(sqlite3.connect(dbname)) as db, db:
                db.execute("DELETE FROM armed")

        return disarm

    schema = location.postgres_schema
    dsn = location.postgres_dsn
    with psycopg.connect(dsn, autocommit=True) as pg:
        pg.execute(f"CREATE TABLE {schema}.armed (armed INTEGER)")
        pg.execute(f"INSERT INTO {schema}.armed VALUES (1)")
        pg.execute(
            f"""
            CREATE FUNCTION {schema}.refuse_tracking() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF NEW.application_name = '{INBOX_POSITION}'
                 AND EXISTS (SELECT 1 FROM {schema}.armed) THEN
                RAISE EXCEPTION 'injected failure at commit';
              END IF;
              RETURN NEW;
            END $$
            """
        )
        pg.execute(
            f"CREATE TRIGGER refuse_tracking BEFORE INSERT ON {schema}.routing_tracking "
            f"FOR EACH ROW EXECUTE FUNCTION {schema}.refuse_tracking()"
        )

    def disarm_pg() -> None:
        with psycopg.connect(dsn, autocommit=True) as pg:
            pg.execute(f"DELETE FROM {schema}.armed")

    return disarm_pg


async def test_events_and_tracking_commit_together(
    database_url: str,
    intake: IntakeApplication,
    routing: RoutingApplication,
    js: JetStreamContext,
    writer: Writer,
) -> None:
    """When the tracking record cannot be written, the events of its batch are not stored."""
    ids = await produce(intake, js, 60, "atomic")
    sequences = await accepted_sequences(js)
    disarm = await asyncio.to_thread(arm_commit_failure, database_url)
    consumer = routing_consumer(routing, js, writer, batch_size=BATCH)
    async with running(consumer.run, "consumer"):
        await eventually(
            lambda: consumer.delivered.count(sequences[0]) >= 2,
            what="a second try of the refused batch",
        )
        assert counter(routing, UNGUARDED) == 0, "events were stored without their tracking"
        assert not stored_count(routing, "ApplicationAssigned")
        assert routing.position(INBOX_POSITION) == 0
        await asyncio.to_thread(disarm)
        await applied(routing, sequences[-1])
    assert counter(routing, UNGUARDED) == 60
    assert counter(routing, GUARDED) == 60
    assert_assigned_once(routing, ids)


async def test_batch_failing_half_way_is_retried_in_order_and_applied_once(
    intake: IntakeApplication, routing: RoutingApplication, js: JetStreamContext, writer: Writer
) -> None:
    """A batch whose handling breaks off (the store fails) is retried before what follows."""
    ids = await produce(intake, js, 120, "tx")
    victim = ids[70]  # in the middle of the second batch of 50
    failures = 0

    def fail_once(record: EventRecord) -> None:
        nonlocal failures
        if record.application_id == victim and failures == 0:
            failures += 1
            raise OperationalError("store went away in the middle of a batch")

    consumer = routing_consumer(
        routing, js, writer, counting_handlers(routing, fail=fail_once), batch_size=BATCH
    )
    sequences = await accepted_sequences(js)
    async with running(consumer.run, "consumer"):
        await applied(routing, sequences[-1])

    assert failures == 1
    assert consumer.delivered.count(sequences[70]) == 2, "the failed batch was not redelivered"
    # Had newer messages overtaken the failed batch, its messages would now be below the
    # tracked position and skipped: lost.
    assert counter(routing, UNGUARDED) == 120
    assert counter(routing, GUARDED) == 120
    assert routing.position(INBOX_POSITION) == sequences[-1]
    assert_assigned_once(routing, ids)


class AckLostConsumer(RecordingConsumer):
    """Commits each batch, then 'dies' before acking: each message's first delivery is nak'ed."""

    async def process(self, messages: list[Msg], connection: int | None = None) -> None:
        self.delivered.extend(m.metadata.sequence.stream for m in messages)
        store = self.stores[0]
        part = [self._delivery(store, self._decode(m)) for m in messages]
        await store.writer.run(self._apply, store, part, part[-1].item.sequence)
        for msg in messages:
            if msg.metadata.num_delivered == 1:
                await msg.nak()
            else:
                await msg.ack()


async def test_redelivery_after_commit_changes_nothing(
    intake: IntakeApplication, routing: RoutingApplication, js: JetStreamContext, writer: Writer
) -> None:
    ids = await produce(intake, js, 100, "nak")
    sequences = await accepted_sequences(js)
    consumer = routing_consumer(routing, js, writer, kind=AckLostConsumer, batch_size=BATCH)
    async with running(consumer.run, "consumer"):
        await applied(routing, sequences[-1])
        await eventually(
            lambda: all(consumer.delivered.count(s) == 2 for s in sequences),
            what="every message delivered twice",
        )
        await eventually(
            lambda: sorted(consumer.delivered) == sorted(sequences * 2), what="no third delivery"
        )
    assert counter(routing, UNGUARDED) == 100
    assert counter(routing, GUARDED) == 100
    assert_assigned_once(routing, ids)


async def test_consumer_replayed_from_the_start_changes_nothing(
    intake: IntakeApplication, routing: RoutingApplication, js: JetStreamContext, writer: Writer
) -> None:
    """The durable consumer is lost and recreated to deliver the whole stream again."""
    ids = await produce(intake, js, 80, "replay")
    sequences = await accepted_sequences(js)
    first = routing_consumer(routing, js, writer, batch_size=BATCH)
    async with running(first.run, "first consumer"):
        await applied(routing, sequences[-1])

    await js.delete_consumer(EVENT_STREAM, DURABLE)
    await js.add_consumer(
        EVENT_STREAM,
        api.ConsumerConfig(
            durable_name=DURABLE,
            ack_policy=api.AckPolicy.ALL,
            deliver_policy=api.DeliverPolicy.ALL,
            filter_subjects=sorted(first.filter_subjects),
            inactive_threshold=INACTIVE_CONSUMER_SECONDS,  # as the inbox makes it: kept
        ),
    )
    more = await produce(intake, js, 20, "replay-more")
    sequences = await accepted_sequences(js)
    second = routing_consumer(routing, js, writer, batch_size=BATCH)
    async with running(second.run, "second consumer"):
        await applied(routing, sequences[-1])
    assert sorted(second.delivered) == sequences, "the whole stream was not delivered again"
    assert counter(routing, UNGUARDED) == 100
    assert counter(routing, GUARDED) == 100
    assert_assigned_once(routing, ids + more)


async def test_a_batch_is_acked_by_its_last_message(
    intake: IntakeApplication,
    routing: RoutingApplication,
    js: JetStreamContext,
    writer: Writer,
    nats_server: NatsServer,
) -> None:
    """The inbox's consumer takes the ack of a batch's last message for the whole batch (one
    ack a batch, not one a message); one made before with explicit acks is made again so, from
    the store's position."""
    consumer = routing_consumer(routing, js, writer, batch_size=8)
    await js.add_consumer(
        EVENT_STREAM,
        api.ConsumerConfig(
            durable_name=DURABLE,
            ack_policy=api.AckPolicy.EXPLICIT,
            filter_subjects=sorted(consumer.filter_subjects),
            inactive_threshold=INACTIVE_CONSUMER_SECONDS,
        ),
    )
    ids = await produce(intake, js, 30, "acks")
    sequences = await accepted_sequences(js)
    async with jetstream(nats_server.url, "ack-counter") as (nc, _):
        acks: list[str] = []

        async def heard(msg: Msg) -> None:
            acks.append(msg.subject)

        await nc.subscribe(f"$JS.ACK.{EVENT_STREAM}.{DURABLE}.>", cb=heard)
        await nc.flush()
        async with running(consumer.run, "consumer"):
            await applied(routing, sequences[-1])
            await eventually(lambda: len(acks) == len(consumer.batches), what="each batch acked")

            async def settled() -> api.ConsumerInfo | None:
                # a batch is acked after its commit: the server may not have had the last ack
                info = await js.consumer_info(EVENT_STREAM, DURABLE)
                return info if (info.num_pending, info.num_ack_pending) == (0, 0) else None

            info = await eventually(settled, what="the last ack taken by the server")
    assert info.config.ack_policy == api.AckPolicy.ALL
    assert (info.num_pending, info.num_ack_pending) == (0, 0)
    assert info.ack_floor is not None and info.ack_floor.stream_seq == sequences[-1]
    assert sorted(consumer.delivered) == sequences
    assert 1 < len(consumer.batches) < len(sequences), consumer.batches
    assert_assigned_once(routing, ids)


@pytest.mark.parametrize("memory", ["kept", "emptied"])
async def test_republish_under_a_new_sequence_is_a_no_op(
    memory: str,
    intake: IntakeApplication,
    routing: RoutingApplication,
    js: JetStreamContext,
    writer: Writer,
) -> None:
    """The same bytes again with a new Nats-Msg-Id (as after the duplicate window). With the
    store's memory emptied (a restart), the handler takes the routings as new, their commit
    fails on their first version, and the batch is applied again, looking each one up: nothing
    is made twice and nothing is dead-lettered."""
    ids = await produce(intake, js, 60, "again")
    sequences = await accepted_sequences(js)
    consumer = routing_consumer(routing, js, writer, batch_size=BATCH)
    async with running(consumer.run, "consumer"):
        await applied(routing, sequences[-1])
        if memory == "emptied":
            await writer.run(routing.cache.forget, [routing_id(a) for a in ids])
        originals = [m for m in await stream_messages(js, EVENT_STREAM) if m.seq in sequences]
        for message in originals:
            await js.publish(
                message.subject,
                message.data,
                stream=EVENT_STREAM,
                headers={"Nats-Msg-Id": f"republished:{message.seq}"},
            )
        republished = (await accepted_sequences(js))[len(sequences) :]
        assert len(republished) == 60 and min(republished) > max(sequences)
        await applied(routing, republished[-1])

    # The republished messages did reach the handlers (the tracking record could not stop
    # them); the aggregates' has_handled did.
    assert counter(routing, UNGUARDED) == 120
    assert counter(routing, GUARDED) == 60
    assert_assigned_once(routing, ids)
    assert consumer.dead_lettered == 0


@pytest.mark.parametrize("durable", ["kept", "deleted"])
async def test_restart_resumes_from_the_tracked_position(
    durable: str,
    database_url: str,
    intake: IntakeApplication,
    js: JetStreamContext,
) -> None:
    ids = await produce(intake, js, 70, "before")
    before = await accepted_sequences(js)
    with opened(RoutingApplication, database_url) as routing, writer_thread() as writer:
        consumer = routing_consumer(routing, js, writer, batch_size=BATCH)
        async with running(consumer.run, "consumer"):
            await applied(routing, before[-1])
        stopped_at = routing.position(INBOX_POSITION)
    assert stopped_at == before[-1]

    if durable == "deleted":
        await js.delete_consumer(EVENT_STREAM, DURABLE)
    more = await produce(intake, js, 30, "after")
    after = (await accepted_sequences(js))[len(before) :]

    with opened(RoutingApplication, database_url) as routing, writer_thread() as writer:
        assert routing.position("jetstream:OGI") == stopped_at
        consumer = routing_consumer(routing, js, writer, batch_size=BATCH)
        async with running(consumer.run, "restarted consumer"):
            await applied(routing, after[-1])
        assert sorted(consumer.delivered) == after, "the restarted consumer did not resume"
        assert counter(routing, UNGUARDED) == 100
        assert_assigned_once(routing, ids + more)


async def test_a_stream_adopted_while_the_inbox_stays_bound_is_read_from_its_beginning(
    intake: IntakeApplication,
    routing: RoutingApplication,
    js: JetStreamContext,
    writer: Writer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The stream recreated and adopted (`ogi nats recover`), and its consumer made again under
    the same name while the inbox stayed bound to it: the new stream's messages come at
    sequences the store's position in the old one is past. None is passed over: the inbox
    reads its positions in the new stream and applies them (the handlers pass over what they
    handled already), as after a restart."""
    monkeypatch.setattr(streamguard, "LOOK_SECONDS", 0.0)  # each check looks at the stream
    await produce(intake, js, 3, "old")
    consumer = routing_consumer(routing, js, writer, batch_size=BATCH)
    connection = consumer.guards[consumer.stores[0]].connection()
    subscription = await consumer.subscribe()
    await consumer.process(await subscription.fetch(BATCH, timeout=5), connection)
    assert counter(routing, UNGUARDED) == counter(routing, GUARDED) == 3
    old = await stream_messages(js, EVENT_STREAM)

    await js.delete_stream(EVENT_STREAM)
    await ensure_streams(js)
    identity = stream_identity(await js.stream_info(EVENT_STREAM))
    await asyncio.to_thread(identities_of(routing).adopt, INBOX_POSITION, identity)
    await js.add_consumer(EVENT_STREAM, consumer_config(consumer.durable, consumer.filter_subjects))
    for message in old:  # the relay publishes its store again into the new stream
        await js.publish(message.subject, message.data, headers=message.headers)

    with pytest.raises(StreamChanged):
        await consumer.process(await subscription.fetch(BATCH, timeout=5), connection)
    await subscription.unsubscribe()
    subscription = await consumer.subscribe()
    await consumer.process(await subscription.fetch(BATCH, timeout=5), connection)
    assert counter(routing, UNGUARDED) == 6, "the new stream's messages were applied"
    assert counter(routing, GUARDED) == 3
    await subscription.unsubscribe()
