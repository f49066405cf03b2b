"""The services' NATS dies and another nats-server (no authentication, a JetStream of its own, as
a second `ogi up` would start) takes its port. The relay and the inbox reconnect to it but mark
nothing relayed or consumed there, and routing's health is NOT_SERVING; once the real server is
back, every application reaches routing exactly once.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from bushelpers import eventually, jetstream, stream_count
from flow import RoutingProcess, assigned, check_all_assigned_once, produce, relaying, report

from govcommon.bus import INBOX_POSITION, RELAY_POSITION
from govcommon.envelope import EVENT_STREAM
from govcommon.natsserver import NatsServer
from intake.application import IntakeApplication
from routing.application import RoutingApplication

BEFORE = 150
DURING = 150


async def test_foreign_server_on_the_port_gets_nothing_marked(
    intake: IntakeApplication,
    routing_process: RoutingProcess,
    routing: RoutingApplication,
    nats_server: NatsServer,
    tmp_path: Path,
) -> None:
    ids: list[str] = []
    async with relaying(intake, nats_server.url) as js:
        await produce(intake, ids, 0, BEFORE)
        await eventually(lambda: assigned(routing) == BEFORE, timeout=15, what="the first ones")
        relayed = await asyncio.to_thread(intake.position, RELAY_POSITION)
        consumed = await asyncio.to_thread(routing.position, INBOX_POSITION)

        await asyncio.to_thread(nats_server.stop)
        foreign = NatsServer(tmp_path / "foreign", port=nats_server.port).start()
        try:
            assert foreign.port == nats_server.port
            async with jetstream(foreign.url, "ogi-foreign") as (_, foreign_js):  # its own OGI
                await produce(intake, ids, BEFORE, BEFORE + DURING)
                await eventually(
                    lambda: routing_process.health() == "NOT_SERVING", what="NOT_SERVING"
                )
                await asyncio.sleep(2.0)  # time enough for a relay or inbox to mark something
                assert await stream_count(foreign_js, EVENT_STREAM) == 0
            assert await asyncio.to_thread(intake.position, RELAY_POSITION) == relayed
            assert await asyncio.to_thread(routing.position, INBOX_POSITION) == consumed
            assert assigned(routing) == BEFORE
        finally:
            foreign.stop()

        await asyncio.to_thread(nats_server.start)
        started = time.monotonic()
        await check_all_assigned_once(intake, routing, ids, js, routing_process, timeout=30)
        recovery = time.monotonic() - started
        await eventually(lambda: routing_process.health() == "SERVING", what="SERVING")
    report("another NATS on the port", BEFORE + DURING, 0, 0, recovery)
