"""The flow the reliability tests disturb: the test process plays intake (a real IntakeApplication
whose real outbox relay publishes), ``python -m routing.main`` processes consume; every accepted
application must end up assigned exactly once in the routing store.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError

from intake.application import IntakeApplication
from ogi_platform.messaging.bus import INBOX_POSITION, RELAY_POSITION
from ogi_platform.messaging.envelope import EVENT_STREAM, consumer_name
from ogi_platform.messaging.outbox import OutboxRelay
from ogi_platform.natsserver import free_port
from routing.application import RoutingApplication, routing_id

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))

from bushelpers import (
    AGENCY,
    eventually,
    jetstream,
    last_notification_id,
    running,
    stored_count,
    submit_many,
    writer_thread,
)

CHUNK = 10


class RoutingProcess:
    """``python -m routing.main`` for one agency, started and ended by this test only."""

    def __init__(
        self, database_url: str, nats_url: str, log_dir: Path, name: str = "routing"
    ) -> None:
        self.port = free_port()
        self.env = os.environ | {
            "OGI_AGENCIES": AGENCY,
            "OGI_GRPC_HOST": "127.0.0.1",
            "OGI_GRPC_PORT": str(self.port),
            "OGI_NATS_URL": nats_url,
            "OGI_DATABASE_URL": database_url,
            "OGI_DATA_DIR": str(log_dir / "data"),
            "OGI_LOG_LEVEL": "WARNING",
            "OGI_TOKEN_SECRET": "reliability-test-secret-0123456789abcdef",
            "PYTHONUNBUFFERED": "1",
        }
        self.log_dir = log_dir
        self.name = name
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def log(self) -> Path:
        return self.log_dir / f"{self.name}-{self.starts}.log"

    def start(self, ready: bool = True) -> None:
        """Start; wait until it serves (``ready``), or only until it answers health checks."""
        self.starts += 1
        with open(self.log, "wb") as output:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "routing.main"],
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 15
        while not (b"ready routing" in self.log.read_bytes() if ready else self.health()):
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{self.name} did not start:\n{self.log.read_text()}")
            time.sleep(0.05)

    def ready(self) -> bool:
        return b"ready routing" in self.log.read_bytes()

    def health(self) -> str:
        """The overall health status, or "" while the gRPC server does not answer."""
        with grpc.insecure_channel(f"127.0.0.1:{self.port}") as channel:
            try:
                reply = health_pb2_grpc.HealthStub(channel).Check(
                    health_pb2.HealthCheckRequest(), timeout=1.0
                )
            except grpc.RpcError:
                return ""
        return str(health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status))

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
        return "\n".join(p.read_text() for p in sorted(self.log_dir.glob(f"{self.name}-*.log")))


@contextlib.asynccontextmanager
async def relaying(intake: IntakeApplication, nats_url: str) -> AsyncIterator[JetStreamContext]:
    async with jetstream(nats_url, "ogi-test-intake") as (_, js):
        with writer_thread("intake-writer") as writer:
            relay = OutboxRelay(intake, js, writer)
            async with running(relay.run, "intake relay"):
                yield js


def assigned(routing: RoutingApplication) -> int:
    return len(stored_count(routing, "ApplicationAssigned"))


async def produce(intake: IntakeApplication, ids: list[str], start: int, stop: int) -> None:
    """Submit applications ``start`` to ``stop`` in small commits, as a counter clerk would."""
    for first in range(start, stop, CHUNK):
        ids += await asyncio.to_thread(submit_many, intake, CHUNK, f"app-{first:04d}")


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


async def check_all_assigned_once(
    intake: IntakeApplication,
    routing: RoutingApplication,
    ids: list[str],
    js: JetStreamContext,
    service: RoutingProcess,
    timeout: float = 15,
) -> None:
    """Every accepted application is assigned, none twice (else a message with the state)."""
    try:
        await eventually(lambda: assigned(routing) >= len(ids), timeout=timeout, what="all")
    except AssertionError as error:
        done = await asyncio.to_thread(assigned, routing)
        raise AssertionError(
            f"{error}: {done} of {len(ids)} assigned; {await state(intake, js)}; routing logs:\n"
            f"{service.logs()[-3000:]}"
        ) from None
    counts = stored_count(routing, "ApplicationAssigned")
    assert set(counts) == {routing_id(a) for a in ids}
    assert set(counts.values()) == {1}, "an application was assigned twice"


@dataclass
class Flow:
    """The flow running (intake relaying, routing consuming), and where intake's relay and
    routing's inbox stood once the applications submitted first were all assigned."""

    intake: IntakeApplication
    routing: RoutingApplication
    service: RoutingProcess
    js: JetStreamContext
    ids: list[str]
    relayed: int
    consumed: int

    async def submit(self, count: int) -> None:
        """``count`` more applications, numbered on from the ones before."""
        await produce(self.intake, self.ids, len(self.ids), len(self.ids) + count)

    async def marks_nothing_while_submitting(self, count: int) -> None:
        """Submit ``count`` more while the bus is not the one the flow knows: routing goes
        NOT_SERVING, and neither the relay nor the inbox marks anything relayed or consumed
        (given 2 s to do so)."""
        await self.submit(count)
        await eventually(lambda: self.service.health() == "NOT_SERVING", what="NOT_SERVING")
        await asyncio.sleep(2.0)  # time enough for a relay or inbox that would mark something
        assert await asyncio.to_thread(self.intake.position, RELAY_POSITION) == self.relayed
        assert await asyncio.to_thread(self.routing.position, INBOX_POSITION) == self.consumed

    async def all_assigned_once(self, timeout: float = 30) -> None:
        await check_all_assigned_once(
            self.intake, self.routing, self.ids, self.js, self.service, timeout=timeout
        )


@contextlib.asynccontextmanager
async def flowing(
    intake: IntakeApplication,
    routing: RoutingApplication,
    service: RoutingProcess,
    nats_url: str,
    first: int,
) -> AsyncIterator[Flow]:
    """Intake relays to ``nats_url`` for the body; ``first`` applications are submitted, all
    assigned by routing and everything intake stored relayed before it starts (the relay may
    still be sending events routing does not take when the last one is assigned)."""
    ids: list[str] = []
    async with relaying(intake, nats_url) as js:
        await produce(intake, ids, 0, first)
        await eventually(lambda: assigned(routing) == first, timeout=15, what="the first ones")
        stored = await asyncio.to_thread(last_notification_id, intake)
        await eventually(
            lambda: intake.position(RELAY_POSITION) == stored, timeout=15, what="all relayed"
        )
        relayed = await asyncio.to_thread(intake.position, RELAY_POSITION)
        consumed = await asyncio.to_thread(routing.position, INBOX_POSITION)
        yield Flow(intake, routing, service, js, ids, relayed, consumed)


def report(fault: str, sent: int, lost: int, doubled: int, recovery_seconds: float) -> None:
    """The figures of a fault test, for the closing note's table (shown with ``pytest -s``)."""
    print(
        f"\nFAULT {fault}: applications {sent}, lost {lost}, doubled {doubled}, "
        f"recovery {recovery_seconds:.1f}s"
    )
