"""Two live instances of one service on one store (a rolling update, ``replicas: 2``): one
writes, the other waits as a standby and takes over when the first is killed.

Two ``python -m routing.main`` processes share the routing store; 500 applications flow through;
the active one is killed half-way. Every application must be assigned exactly once.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from bushelpers import eventually, opened
from flow import RoutingProcess, assigned, check_all_assigned_once, produce, relaying, report

from intake.application import IntakeApplication
from ogi_platform.natsserver import NatsServer
from routing.application import RoutingApplication

N = 500


async def test_second_instance_waits_as_standby_and_takes_over(
    database_url: str,
    intake: IntakeApplication,
    routing_process: RoutingProcess,
    nats_server: NatsServer,
    tmp_path: Path,
) -> None:
    standby = RoutingProcess(database_url, nats_server.url, tmp_path, name="standby")
    standby.start(ready=False)
    try:
        assert standby.health() == "NOT_SERVING"
        await eventually(lambda: "is a standby" in standby.logs(), what="the standby's log line")
        with opened(RoutingApplication, database_url) as routing:
            ids: list[str] = []
            async with relaying(intake, nats_server.url) as js:
                await produce(intake, ids, 0, N // 2)
                await eventually(lambda: assigned(routing) >= N // 4, what="a quarter assigned")
                assert not standby.ready()
                await asyncio.to_thread(routing_process.kill)
                killed = time.monotonic()
                await eventually(standby.ready, timeout=10, what="the standby taking over")
                takeover = time.monotonic() - killed
                await eventually(lambda: standby.health() == "SERVING", what="SERVING")
                await produce(intake, ids, N // 2, N)
                await check_all_assigned_once(intake, routing, ids, js, standby, timeout=30)
                recovered = time.monotonic() - killed
    finally:
        standby.stop()
    assert takeover < 5
    # Checked above: every one assigned, none twice.
    report(f"two instances of routing (takeover {takeover:.1f}s)", N, 0, 0, recovered)
