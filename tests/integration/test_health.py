"""Health tells the truth: a routing service (its runtime, in this process) on a real nats-server
is NOT_SERVING while NATS is away or its inbox makes no progress on waiting work, and SERVING
again once it is back or moving."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import grpc
import pytest
from bushelpers import AGENCY, eventually, jetstream, opened, publish_all, submit_many
from grpc_health.v1 import health_pb2, health_pb2_grpc
from harness.runtimes import running_service

from intake.application import IntakeApplication
from ogi_law.agencies import AgencyRegistry
from ogi_platform.eventstore.store import store_location
from ogi_platform.natsserver import NatsServer
from ogi_platform.service.runtime import ServiceRuntime
from routing.main import SPEC

STALL_SECONDS = 2.0


@pytest.fixture
def stores(tmp_path: Path) -> str:
    return f"sqlite://{tmp_path / 'stores'}"


@pytest.fixture
async def routing(
    stores: str, nats_server: NatsServer, tmp_path: Path
) -> AsyncIterator[ServiceRuntime[AgencyRegistry]]:
    async with running_service(
        SPEC, stores, nats_server.url, tmp_path, stall_seconds=STALL_SECONDS
    ) as runtime:
        yield runtime


async def statuses(runtime: ServiceRuntime[AgencyRegistry]) -> set[str]:
    """The overall status and the routing service's, by name."""
    async with grpc.aio.insecure_channel(f"127.0.0.1:{runtime.port}") as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        found = set()
        for service in ("", "ogi.v1.RoutingService"):
            reply = await stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=2)
            found.add(health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status))
        return found


async def becomes(
    runtime: ServiceRuntime[AgencyRegistry], status: str, timeout: float = 10
) -> None:
    async def reached() -> bool:
        return await statuses(runtime) == {status}

    await eventually(reached, timeout=timeout, what=status)


async def test_not_serving_while_nats_is_away(
    routing: ServiceRuntime[AgencyRegistry], nats_server: NatsServer
) -> None:
    await becomes(routing, "SERVING")
    await asyncio.to_thread(nats_server.stop)
    await becomes(routing, "NOT_SERVING")
    assert routing.trouble == "NATS is unreachable"
    await asyncio.to_thread(nats_server.start)
    await becomes(routing, "SERVING")


@pytest.fixture
def intake(stores: str) -> Iterator[IntakeApplication]:
    with opened(IntakeApplication, stores) as app:
        yield app


async def test_not_serving_while_the_inbox_cannot_store_waiting_events(
    routing: ServiceRuntime[AgencyRegistry],
    intake: IntakeApplication,
    nats_server: NatsServer,
    stores: str,
) -> None:
    await becomes(routing, "SERVING")
    # The relay's first look at the store (which adopts the stream, a write) is done before the
    # store is blocked: what stalls then is the inbox.
    await eventually(lambda: routing.relay is not None and routing.relay.idle, what="relay idle")
    location = store_location(stores, Path("unused"), AGENCY, "routing")
    blocker = sqlite3.connect(location.env["SQLITE_DBNAME"], isolation_level=None)
    try:
        blocker.execute("BEGIN IMMEDIATE")  # the routing store cannot commit
        await asyncio.to_thread(submit_many, intake, 5)
        async with jetstream(nats_server.url) as (_, js):
            await publish_all(intake, js)
        await becomes(routing, "NOT_SERVING", timeout=STALL_SECONDS + 10)
        assert "the inbox made no progress" in routing.trouble
        blocker.execute("ROLLBACK")
        await becomes(routing, "SERVING")
    finally:
        blocker.close()
