"""A real routing process is killed (or NATS is stopped) mid-flow: nothing is lost or doubled.

The test process plays intake: a real IntakeApplication submits applications and a real outbox
relay publishes them. ``python -m routing.main`` consumes them. After the disruption every
accepted application must be assigned exactly once in the routing store.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from bushelpers import AGENCY, eventually, stream_messages
from flow import (
    RoutingProcess,
    assigned,
    check_all_assigned_once,
    produce,
    relaying,
)
from nats.js import JetStreamContext

from intake.application import IntakeApplication
from ogi_platform.eventstore.store import store_location
from ogi_platform.messaging.bus import INBOX_POSITION
from ogi_platform.messaging.envelope import EVENT_STREAM, consumer_name
from ogi_platform.natsserver import NatsServer
from routing.application import RoutingApplication

pytestmark = pytest.mark.long

N = 300


@contextlib.contextmanager
def routing_store_locked(database_url: str) -> Iterator[None]:
    """Hold the routing store's write lock: the service can read, but not commit."""
    location = store_location(database_url, Path("unused"), AGENCY, "routing")
    if location.postgres_dsn is None:
        db = sqlite3.connect(location.env["SQLITE_DBNAME"], isolation_level=None)
        try:
            db.execute("BEGIN IMMEDIATE")
            yield
            db.execute("ROLLBACK")
        finally:
            db.close()
        return
    with psycopg.connect(location.postgres_dsn) as pg:
        pg.execute(f"LOCK TABLE {location.postgres_schema}.routing_events IN EXCLUSIVE MODE")
        yield
        pg.rollback()


async def check_every_application_assigned_once(
    intake: IntakeApplication,
    routing: RoutingApplication,
    ids: list[str],
    js: JetStreamContext,
    service: RoutingProcess,
) -> None:
    assert len(set(ids)) == N
    await check_all_assigned_once(intake, routing, ids, js, service)
    last_accepted = max(
        m.seq
        for m in await stream_messages(js, EVENT_STREAM)
        if m.event_type == "ApplicationAccepted"
    )
    await eventually(lambda: routing.position(INBOX_POSITION) == last_accepted, timeout=5)


async def test_routing_killed_mid_flow_loses_nothing(
    database_url: str,
    intake: IntakeApplication,
    routing_process: RoutingProcess,
    routing: RoutingApplication,
    nats_server: NatsServer,
) -> None:
    ids: list[str] = []
    third = N // 3
    async with relaying(intake, nats_server.url) as js:
        # 1. Killed at some moment while messages flow.
        producer = asyncio.create_task(produce(intake, ids, 0, third))
        try:
            await eventually(
                lambda: assigned(routing) >= third // 2, interval=0.01, what="a sixth assigned"
            )
            await asyncio.to_thread(routing_process.kill)
            await asyncio.to_thread(routing_process.start)
            await producer
        finally:
            producer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await producer

        # 2. Killed for certain while it holds a batch it has not stored yet.
        with routing_store_locked(database_url):
            await produce(intake, ids, third, 2 * third)

            async def holding_a_batch() -> bool:
                info = await js.consumer_info(EVENT_STREAM, consumer_name(AGENCY, "routing"))
                return bool(info.num_ack_pending)

            await eventually(holding_a_batch, what="routing holding unstored messages")
            await asyncio.to_thread(routing_process.kill)

        # 3. More arrive while it is down; then it starts again.
        await produce(intake, ids, 2 * third, N)
        await asyncio.to_thread(routing_process.start)

        await check_every_application_assigned_once(intake, routing, ids, js, routing_process)
        info = await js.consumer_info(EVENT_STREAM, consumer_name(AGENCY, "routing"))
        assert info.num_pending == 0


async def test_nats_restarted_mid_flow_loses_nothing(
    intake: IntakeApplication,
    routing_process: RoutingProcess,
    routing: RoutingApplication,
    nats_server: NatsServer,
) -> None:
    ids: list[str] = []
    async with relaying(intake, nats_server.url) as js:
        producer = asyncio.create_task(produce(intake, ids, 0, N))
        try:
            await eventually(
                lambda: assigned(routing) >= N // 3, timeout=15, interval=0.01, what="a third"
            )
            await asyncio.to_thread(nats_server.stop)
            # Intake keeps taking applications while the bus is away.
            await eventually(lambda: len(ids) >= 2 * N // 3, timeout=15, what="two thirds")
            await asyncio.to_thread(nats_server.start)
            await producer
        finally:
            producer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await producer
        await check_every_application_assigned_once(intake, routing, ids, js, routing_process)
