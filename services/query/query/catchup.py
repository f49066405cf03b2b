"""Waiting for a read model to apply what the bus holds for it, and rebuilding it by replay."""

from __future__ import annotations

import asyncio

from nats.js.errors import NotFoundError

from ogi_errors import IllegalStep
from ogi_platform.messaging.envelope import EVENT_STREAM
from ogi_platform.service.runtime import AgencyUnit, ServiceRuntime
from query.application import QueryApplication

#: How long an up-to-date answer waits for the inbox, and a rebuild for the replay.
CATCH_UP_SECONDS = 30.0
REBUILD_SECONDS = 540.0
POLL_SECONDS = 0.05


async def caught_up(runtime: ServiceRuntime, unit: AgencyUnit, seconds: float) -> None:
    """Wait until the inbox has applied every message the bus holds for it now (its consumer
    may not be there yet: the inbox makes it when the process starts)."""
    assert unit.consumer is not None and runtime.nc is not None
    js = runtime.nc.jetstream()
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        try:
            info = await js.consumer_info(EVENT_STREAM, unit.consumer.durable)
            behind = (info.num_pending or 0) + (info.num_ack_pending or 0)
        except NotFoundError:
            behind = -1
        if not behind:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise IllegalStep(
                f"the read model of {unit.agency} is not up to date with the bus "
                f"({f'{behind} events behind' if behind > 0 else 'no consumer yet'}): try again"
            )
        await asyncio.sleep(POLL_SECONDS)


async def rebuild(runtime: ServiceRuntime, unit: AgencyUnit, app: QueryApplication) -> int:
    """Drop the read model (in the writer, between two batches), consume the stream again from
    its first message, wait for the replay and tidy the tables; returns the events applied.
    On PostgreSQL the tidying (VACUUM) runs beside the writer, over a connection for reads: it
    holds up no write of the stores that share the writer's connection; SQLite's runs in the
    writer (one writer per file)."""
    assert unit.consumer is not None
    store = unit.consumer.store_of(app)
    before = store.applied
    await unit.consumer.replay(app, app.drop)
    await caught_up(runtime, unit, REBUILD_SECONDS)
    await (asyncio.to_thread(app.tidy) if app.dialect.postgres else unit.writer.run(app.tidy))
    return store.applied - before
