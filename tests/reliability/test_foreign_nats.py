"""The services' NATS dies and another nats-server (no authentication; an empty JetStream, or
one with an OGI stream of its own, as a second `ogi up` would make) takes its port. The relay and
the inbox reconnect to it but mark nothing relayed or consumed there, and routing's health is
NOT_SERVING; once the real server is back, every application reaches routing exactly once.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from bushelpers import eventually, stream_count
from flow import RoutingProcess, assigned, flowing, report
from nats.js import JetStreamContext

from intake.application import IntakeApplication
from ogi_platform.messaging.bus import connect, ensure_streams
from ogi_platform.messaging.envelope import EVENT_STREAM
from ogi_platform.natsserver import NatsServer
from routing.application import RoutingApplication

pytestmark = pytest.mark.long

BEFORE = 150
DURING = 150


@pytest.mark.parametrize("its_own_stream", [False, True], ids=["empty", "own-stream"])
async def test_foreign_server_on_the_port_gets_nothing_marked(
    its_own_stream: bool,
    intake: IntakeApplication,
    routing_process: RoutingProcess,
    routing: RoutingApplication,
    nats_server: NatsServer,
    tmp_path: Path,
) -> None:
    async with flowing(intake, routing, routing_process, nats_server.url, BEFORE) as flow:
        await asyncio.to_thread(nats_server.stop)
        foreign = NatsServer(tmp_path / "foreign", port=nats_server.port).start()
        try:
            assert foreign.port == nats_server.port
            async with foreign_jetstream(foreign.url, its_own_stream) as foreign_js:
                await flow.marks_nothing_while_submitting(DURING)
                if its_own_stream:
                    assert await stream_count(foreign_js, EVENT_STREAM) == 0
                else:
                    assert (await foreign_js.account_info()).streams == 0
            assert assigned(routing) == BEFORE
        finally:
            foreign.stop()

        await asyncio.to_thread(nats_server.start)
        started = time.monotonic()
        await flow.all_assigned_once()
        recovery = time.monotonic() - started
        await eventually(lambda: routing_process.health() == "SERVING", what="SERVING")
    what = "with its own OGI stream" if its_own_stream else "with an empty JetStream"
    report(f"another NATS on the port, {what}", BEFORE + DURING, 0, 0, recovery)


@contextlib.asynccontextmanager
async def foreign_jetstream(url: str, its_own_stream: bool) -> AsyncIterator[JetStreamContext]:
    """A connection to the foreign server, which gets the OGI streams first if it has its own."""
    nc = await connect(url, "ogi-foreign")
    try:
        js = nc.jetstream()
        if its_own_stream:
            await ensure_streams(js)
        yield js
    finally:
        await nc.close()
