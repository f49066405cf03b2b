"""A real routing process is killed (or NATS is stopped) mid-flow: nothing is lost or doubled.

The test process plays intake: a real IntakeApplication submits applications and a real outbox
relay publishes them. ``python -m routing.main`` consumes them. After the disruption every
accepted application must be assigned exactly once in the routing store.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import psycopg
import pytest
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from govcommon.bus import INBOX_POSITION, RELAY_POSITION, OutboxRelay
from govcommon.envelope import EVENT_STREAM, consumer_name
from govcommon.natsserver import NatsServer, free_port
from govcommon.store import store_location
from intake.application import IntakeApplication
from routing.application import RoutingApplication, routing_id

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))

from bushelpers import (
    AGENCY,
    eventually,
    jetstream,
    last_notification_id,
    opened,
    running,
    stored_count,
    stream_messages,
    submit_many,
    writer_thread,
)

N = 300
CHUNK = 10


class RoutingProcess:
    """``python -m routing.main`` for one agency, started and ended by this test only."""

    def __init__(self, database_url: str, nats_url: str, log_dir: Path) -> None:
        self.env = os.environ | {
            "OGI_AGENCIES": AGENCY,
            "OGI_GRPC_HOST": "127.0.0.1",
            "OGI_GRPC_PORT": str(free_port()),
            "OGI_NATS_URL": nats_url,
            "OGI_DATABASE_URL": database_url,
            "OGI_DATA_DIR": str(log_dir / "data"),
            "OGI_LOG_LEVEL": "WARNING",
            "OGI_TOKEN_SECRET": "reliability-test-secret-0123456789abcdef",
            "PYTHONUNBUFFERED": "1",
        }
        self.log_dir = log_dir
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    def start(self) -> None:
        self.starts += 1
        log = self.log_dir / f"routing-{self.starts}.log"
        with open(log, "wb") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "routing.main"],
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 15
        while b"ready routing" not in log.read_bytes():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"routing did not start:\n{log.read_text()}")
            time.sleep(0.05)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()
        self.process = None

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def logs(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.log_dir.glob("routing-*.log")))


@pytest.fixture
def intake(database_url: str) -> Iterator[IntakeApplication]:
    # Opened before the service, so the PostgreSQL schema exists before two processes race for it.
    with opened(IntakeApplication, database_url) as app:
        yield app


@pytest.fixture
def routing_process(
    database_url: str, nats_server: NatsServer, tmp_path: Path, intake: IntakeApplication
) -> Iterator[RoutingProcess]:
    service = RoutingProcess(database_url, nats_server.url, tmp_path)
    service.start()
    yield service
    service.stop()


@pytest.fixture
def routing(database_url: str, routing_process: RoutingProcess) -> Iterator[RoutingApplication]:
    """The routing store, read from the test (opened after the service created its tables)."""
    with opened(RoutingApplication, database_url) as app:
        yield app


@contextlib.asynccontextmanager
async def relaying(intake: IntakeApplication, nats_url: str) -> AsyncIterator[JetStreamContext]:
    async with jetstream(nats_url, "ogi-test-intake") as (_, js):
        with writer_thread("intake-writer") as writer:
            relay = OutboxRelay(intake, js, writer)
            async with running(relay.run, "intake relay"):
                yield js


def assigned(routing: RoutingApplication) -> int:
    return len(stored_count(routing, "ApplicationAssigned"))


async def produce(intake: IntakeApplication, ids: list[str], start: int = 0, stop: int = N) -> None:
    """Submit applications ``start`` to ``stop`` in small commits, as a counter clerk would."""
    for first in range(start, stop, CHUNK):
        ids += await asyncio.to_thread(submit_many, intake, CHUNK, f"app-{first:04d}")


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


async def state(intake: IntakeApplication, js: JetStreamContext) -> str:
    """Where the flow stands: for the message of a failed wait."""
    relayed = intake.position(RELAY_POSITION)
    stored = last_notification_id(intake)
    stream = await js.stream_info(EVENT_STREAM)
    try:
        info = await js.consumer_info(EVENT_STREAM, consumer_name(AGENCY, "routing"))
        consumer = (
            f"delivered {info.delivered.stream_seq}, ack floor {info.ack_floor.stream_seq}, "
            f"pending {info.num_pending}, ack pending {info.num_ack_pending}, "
            f"redelivered {info.num_redelivered}"
        )
    except NotFoundError:
        consumer = "none"
    return (
        f"intake relayed {relayed} of {stored}; stream holds {stream.state.messages}; "
        f"consumer: {consumer}"
    )


async def check_every_application_assigned_once(
    intake: IntakeApplication,
    routing: RoutingApplication,
    ids: list[str],
    js: JetStreamContext,
    service: RoutingProcess,
) -> None:
    assert len(set(ids)) == N
    try:
        await eventually(lambda: assigned(routing) >= N, timeout=15, what=f"{N} assignments")
    except AssertionError as error:
        done = await asyncio.to_thread(assigned, routing)
        raise AssertionError(
            f"{error}: {done} of {N} assigned; {await state(intake, js)}; routing logs:\n"
            f"{service.logs()[-3000:]}"
        ) from None
    counts = stored_count(routing, "ApplicationAssigned")
    assert set(counts) == {routing_id(a) for a in ids}
    assert set(counts.values()) == {1}, "an application was assigned twice"
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
        producer = asyncio.create_task(produce(intake, ids))
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
