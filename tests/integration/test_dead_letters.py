"""Poison messages go to the dead-letter stream and the inbox keeps going (real nats-server).

A message that cannot be decoded, or whose handler keeps failing, is published to
``ogidlq.<agency>.<service>`` in stream OGI_DLQ with its error, original subject and sequence,
after a bounded number of tries; the following messages are applied; the bad message's
position is recorded, so a restarted consumer does not try it again.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace

import pytest
from bushelpers import (
    AGENCY,
    GUARDED,
    UNGUARDED,
    StreamMessage,
    counter,
    counting_handlers,
    eventually,
    hand_made_event,
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
from nats.js import JetStreamContext

from intake.application import IntakeApplication
from ogi_cli.provision import provisioned_filters
from ogi_law.agencies import load_agencies
from ogi_platform.eventstore.application import UnitOfWork
from ogi_platform.messaging.bus import INBOX_POSITION, Handler
from ogi_platform.messaging.envelope import (
    DEAD_LETTER_STREAM,
    EVENT_STREAM,
    EventRecord,
    consumer_name,
)
from ogi_platform.messaging.inbox import inbox_of
from ogi_platform.messaging.wire import decode, encode
from ogi_platform.natsserver import NatsServer
from ogi_platform.service.runtime import sender_policy
from review.application import ReviewApplication
from review.main import SPEC as REVIEW
from routing.application import RoutingApplication, routing_id

DURABLE = consumer_name(AGENCY, "routing")
ACCEPTED_SUBJECT = f"ogi.{AGENCY}.intake.ApplicationAccepted.{AGENCY}"
DLQ_SUBJECT = f"ogidlq.{AGENCY}.routing"
MAX_TRIES = 3
ARCHIVES = "archives-bureau"


@pytest.fixture
def intake(database_url: str) -> Iterator[IntakeApplication]:
    with opened(IntakeApplication, database_url) as app:
        yield app


@pytest.fixture
async def js(nats_server: NatsServer) -> AsyncIterator[JetStreamContext]:
    async with jetstream(nats_server.url) as (_, context):
        yield context


async def produce(
    intake: IntakeApplication, js: JetStreamContext, count: int, prefix: str
) -> list[str]:
    ids = await asyncio.to_thread(submit_many, intake, count, prefix)
    await publish_all(intake, js)
    return ids


async def publish_raw(js: JetStreamContext, data: bytes, msg_id: str) -> int:
    ack = await js.publish(
        ACCEPTED_SUBJECT, data, stream=EVENT_STREAM, headers={"Nats-Msg-Id": msg_id}
    )
    return int(ack.seq)


def malformed_acceptance() -> bytes:
    """A well-formed envelope of an ApplicationAccepted that carries no application."""
    return encode(
        hand_made_event(
            "ApplicationAccepted",
            "intake",
            {"application_number": "SZFB-2026-99999"},
            event_id="00000000-0000-4000-8000-00000000bad1",
            application_id="A0000000000BAD",
            aggregate_version=2,
        )
    )


async def dead_letters(js: JetStreamContext) -> list[StreamMessage]:
    return await stream_messages(js, DEAD_LETTER_STREAM)


def assert_dead_letter(letter: StreamMessage, data: bytes, sequence: int, error: str) -> None:
    assert letter.subject == DLQ_SUBJECT
    assert letter.data == data
    assert letter.headers["Ogi-Original-Subject"] == ACCEPTED_SUBJECT
    assert letter.headers["Ogi-Original-Sequence"] == str(sequence)
    assert error in letter.headers["Ogi-Error"]


async def test_undecodable_message_is_dead_lettered_and_not_retried(
    database_url: str, intake: IntakeApplication, js: JetStreamContext
) -> None:
    garbage = b"\xff\x00 this is not an envelope \x13\x37"
    first = await produce(intake, js, 30, "before")
    bad = await publish_raw(js, garbage, "garbage-1")
    second = await produce(intake, js, 20, "after")
    last_bad = await publish_raw(js, garbage + b"!", "garbage-2")  # nothing follows it

    with opened(RoutingApplication, database_url) as routing, writer_thread() as writer:
        consumer = routing_consumer(routing, js, writer, batch_size=25, max_tries=MAX_TRIES)
        async with running(consumer.run, "consumer"):
            await eventually(
                lambda: routing.position(INBOX_POSITION) == last_bad,
                what="position past the last bad message",
            )
        assert counter(routing, UNGUARDED) == 50  # every good message, once
        assert set(stored_count(routing, "ApplicationAssigned")) == {
            routing_id(a) for a in first + second
        }
        assert consumer.dead_lettered == 2
    letters = await dead_letters(js)
    assert len(letters) == 2
    assert_dead_letter(letters[0], garbage, bad, "envelope")
    assert_dead_letter(letters[1], garbage + b"!", last_bad, "envelope")

    # Restarted, with the durable consumer gone: it is recreated from the store's position,
    # which is past the bad message, so the bad message is not tried again.
    await js.delete_consumer(EVENT_STREAM, DURABLE)
    third = await produce(intake, js, 5, "restart")
    with opened(RoutingApplication, database_url) as routing, writer_thread() as writer:
        consumer = routing_consumer(routing, js, writer, batch_size=25, max_tries=MAX_TRIES)
        async with running(consumer.run, "restarted consumer"):
            await eventually(lambda: counter(routing, UNGUARDED) == 55, what="later messages")
        assert last_bad not in consumer.delivered
        assert consumer.dead_lettered == 0
        assert routing_id(third[-1]) in stored_count(routing, "ApplicationAssigned")
    assert len(await dead_letters(js)) == 2


async def test_failing_handler_is_dead_lettered_after_bounded_tries(
    database_url: str, intake: IntakeApplication, js: JetStreamContext
) -> None:
    ids = await produce(intake, js, 40, "poison")
    victim = ids[15]
    malformed = malformed_acceptance()
    last_bad = await publish_raw(js, malformed, "malformed-1")  # nothing follows it
    messages = {m.seq: m for m in await stream_messages(js, EVENT_STREAM)}
    victim_seq = next(
        seq
        for seq, m in messages.items()
        if m.subject == ACCEPTED_SUBJECT and victim.encode() in m.data
    )

    attempts: Counter[str] = Counter()
    with opened(RoutingApplication, database_url) as routing, writer_thread() as writer:
        handlers = counting_handlers(routing, poisoned={victim}, attempts=attempts)
        consumer = routing_consumer(
            routing, js, writer, handlers, batch_size=25, max_tries=MAX_TRIES
        )
        async with running(consumer.run, "consumer"):
            await eventually(
                lambda: routing.position(INBOX_POSITION) == last_bad,
                what="position past the last bad message",
            )
        # A domain refusal is final: the poisoned message was refused once, in its batch, and
        # dead-lettered; a fault (the malformed message's) was tried again, MAX_TRIES in all.
        assert attempts[victim] == 1
        assert attempts["A0000000000BAD"] == MAX_TRIES
        # Every other message was applied, once; the poisoned one left nothing behind.
        assert counter(routing, UNGUARDED) == counter(routing, GUARDED) == 39
        assigned = stored_count(routing, "ApplicationAssigned")
        assert set(assigned) == {routing_id(a) for a in ids if a != victim}
        assert consumer.dead_lettered == 2
    letters = await dead_letters(js)
    assert len(letters) == 2
    assert_dead_letter(letters[0], messages[victim_seq].data, victim_seq, "is poisoned")
    assert_dead_letter(letters[1], malformed, last_bad, "'application'")

    # Restarted with the durable consumer gone: neither bad message is tried again.
    await js.delete_consumer(EVENT_STREAM, DURABLE)
    tried = dict(attempts)
    more = await produce(intake, js, 3, "restart")
    with opened(RoutingApplication, database_url) as routing, writer_thread() as writer:
        handlers = counting_handlers(routing, poisoned={victim}, attempts=attempts)
        consumer = routing_consumer(
            routing, js, writer, handlers, batch_size=25, max_tries=MAX_TRIES
        )
        async with running(consumer.run, "restarted consumer"):
            await eventually(lambda: counter(routing, UNGUARDED) == 42, what="later messages")
        assert routing_id(more[-1]) in stored_count(routing, "ApplicationAssigned")
    assert attempts[victim] == tried[victim]
    assert attempts["A0000000000BAD"] == tried["A0000000000BAD"]
    assert len(await dead_letters(js)) == 2


async def test_a_handler_bug_is_dead_lettered_not_retried_forever(
    database_url: str, intake: IntakeApplication, js: JetStreamContext
) -> None:
    """A programming error in a handler (not a domain refusal, not the store failing) has its
    bounded tries like any poisoned message; the inbox moves on instead of stalling."""
    ids = await produce(intake, js, 10, "bug")
    victim = ids[4]
    tries = 0

    def bug(record: EventRecord) -> None:
        nonlocal tries
        if record.application_id == victim:
            tries += 1
            raise AttributeError("'NoneType' object has no attribute 'agency'")

    with opened(RoutingApplication, database_url) as routing, writer_thread() as writer:
        handlers = counting_handlers(routing, fail=bug)
        consumer = routing_consumer(routing, js, writer, handlers, max_tries=MAX_TRIES)
        async with running(consumer.run, "consumer"):
            await eventually(lambda: counter(routing, UNGUARDED) == 9, what="the others applied")
            await eventually(lambda: consumer.dead_lettered == 1, what="the dead letter")
        assert tries == MAX_TRIES
    [letter] = await dead_letters(js)
    assert (
        "AttributeError: 'NoneType' object has no attribute 'agency'" in letter.headers["Ogi-Error"]
    )


async def test_events_for_another_service_are_tracked_not_dead_lettered(
    database_url: str, js: JetStreamContext
) -> None:
    """Everything addressed to an agency reaches each of its services' inboxes (the consumers
    `ogi nats provision` creates): another agency's event that the review service takes from
    its own agency only (a forward for its intake) or does not handle at all is passed over and
    tracked; a rectification order from an agency that is no supervision bureau is refused and
    dead-lettered, as any event the sender may not send."""
    registry = load_agencies()
    forward = hand_made_event(
        "ApplicationForwarded", "routing", {"to_agency": AGENCY},
        event_id="fwd-1", application_id="A0000000000FW1", agency=ARCHIVES,
    )  # fmt: skip
    decided = hand_made_event(
        "DecisionMade", "review", {"outcome": "withhold"},
        event_id="dec-1", application_id="A0000000000FW1", agency=ARCHIVES,
    )  # fmt: skip
    order = hand_made_event(
        "RectificationOrdered", "complaint", {"order_id": "X-R1", "answer_due": "2026-11-30"},
        event_id="ord-1", application_id="A0000000000FW1", agency=ARCHIVES,
    )  # fmt: skip
    sequences = []
    for record in (forward, decided, order, replace(forward, event_id="fwd-2")):
        ack = await js.publish(record.subject, encode(record), stream=EVENT_STREAM)
        sequences.append(int(ack.seq))
    applied: list[str] = []

    def recorded(handler: Handler) -> Handler:
        def handle(uow: UnitOfWork, record: EventRecord) -> None:
            applied.append(record.event_id)
            handler(uow, record)

        return handle

    with opened(ReviewApplication, database_url) as review, writer_thread() as writer:
        handlers = {t: recorded(h) for t, h in REVIEW.handlers(review, registry).items()}
        consumer = inbox_of(
            review, js, writer, handlers, provisioned_filters(registry.get(AGENCY), "review"),
            refuses=sender_policy(REVIEW, registry, AGENCY),
        )  # fmt: skip
        async with running(consumer.run, "review inbox"):
            await eventually(
                lambda: review.position(INBOX_POSITION) == sequences[-1], what="all tracked"
            )
        assert applied == []
        assert consumer.dead_lettered == 1
        assert not review.notifications(0, 10)
    [letter] = await dead_letters(js)
    assert letter.headers["Ogi-Original-Sequence"] == str(sequences[2])
    assert letter.headers["Ogi-Error"] == (
        f"RectificationOrdered from {ARCHIVES} is not accepted by {AGENCY}'s review"
    )


async def test_an_event_too_large_to_store_is_dead_lettered_and_the_inbox_goes_on(
    database_url: str, intake: IntakeApplication, js: JetStreamContext
) -> None:
    """An inbound event whose handler would store an event larger than the bus carries (here a
    forged acceptance with a 600 KB description, under NATS's 1 MiB): the store refuses the
    commit, the message is dead-lettered after its tries, and the others are applied."""
    ids = await produce(intake, js, 10, "large")
    genuine = next(
        m for m in await stream_messages(js, EVENT_STREAM) if m.subject == ACCEPTED_SUBJECT
    )
    record = decode(genuine.data)
    application = dict(record.data["application"]) | {"description": "大" * 200_000}
    oversized = encode(
        replace(
            record,
            event_id="00000000-0000-4000-8000-0000000b1600",
            application_id="A00000000BIG01",
            data=record.data | {"application": application},
        )
    )
    big_seq = await publish_raw(js, oversized, "oversized-1")
    later = await produce(intake, js, 5, "after")
    with opened(RoutingApplication, database_url) as routing, writer_thread() as writer:
        consumer = routing_consumer(routing, js, writer, counting_handlers(routing))
        async with running(consumer.run, "consumer"):
            await eventually(lambda: counter(routing, UNGUARDED) == 15, what="the others applied")
            await eventually(lambda: consumer.dead_lettered == 1, what="the dead letter")
        assigned = stored_count(routing, "ApplicationAssigned")
        assert set(assigned) == {routing_id(a) for a in ids + later}
    [letter] = await dead_letters(js)
    assert letter.headers["Ogi-Original-Sequence"] == str(big_seq)
    assert "more than the 524288" in letter.headers["Ogi-Error"]
