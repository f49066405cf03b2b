"""The OGI stream is lost and recreated (a lost volume) after a few hundred applications: the
relay and the inbox refuse the new stream (nothing is marked relayed or consumed, routing's
health is NOT_SERVING) until the operator runs `ogi nats recover`; then every old and new
application reaches routing exactly once.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bushelpers import AGENCY, eventually, last_notification_id
from flow import RoutingProcess, flowing, report

from intake.application import IntakeApplication
from ogi_platform.messaging.bus import INBOX_POSITION, RELAY_POSITION, ensure_streams
from ogi_platform.messaging.envelope import EVENT_STREAM
from ogi_platform.natsserver import NatsServer
from routing.application import RoutingApplication

pytestmark = pytest.mark.long

BEFORE = 200
AFTER = 100
OGI = Path(sys.executable).parent / "ogi"


async def test_recreated_stream_is_refused_until_recovered(
    database_url: str,
    intake: IntakeApplication,
    routing_process: RoutingProcess,
    routing: RoutingApplication,
    nats_server: NatsServer,
    tmp_path: Path,
) -> None:
    async with flowing(intake, routing, routing_process, nats_server.url, BEFORE) as flow:
        await flow.js.delete_stream(EVENT_STREAM)
        await ensure_streams(flow.js)
        # A batch the relay sent just as the stream was recreated may have landed in the new one;
        # what matters is that nothing was marked relayed or consumed.
        await flow.marks_nothing_while_submitting(AFTER)
        assert "is not OGI@" in routing_process.logs()

        started = time.monotonic()
        recovered = await asyncio.to_thread(recover, nats_server.url, database_url, tmp_path)
        adopted = {(a["service"], a["upstream"]) for a in recovered["adopted"]}
        assert adopted == {
            ("intake", RELAY_POSITION),
            ("routing", RELAY_POSITION),
            ("routing", INBOX_POSITION),
        }
        await flow.all_assigned_once()
        recovery = time.monotonic() - started
        await eventually(lambda: routing_process.health() == "SERVING", what="SERVING")
        # Intake's whole store went out again into the new stream, tracked under its epoch.
        last = await asyncio.to_thread(last_notification_id, intake)
        await eventually(lambda: intake.position(f"{RELAY_POSITION}#2") == last, timeout=5)
    report("OGI stream lost and recreated", BEFORE + AFTER, 0, 0, recovery)


def recover(nats_url: str, database_url: str, tmp_path: Path) -> dict[str, list[dict[str, str]]]:
    """`ogi nats recover`, as the operator runs it."""
    done = subprocess.run(
        [str(OGI), "nats", "recover", "--url", nats_url, "--database-url", database_url,
         "--agency", AGENCY, "--json"],
        capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
        env=os.environ | {"OGI_HOME": str(tmp_path / "home")},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result: dict[str, list[dict[str, str]]] = json.loads(done.stdout)
    return result
