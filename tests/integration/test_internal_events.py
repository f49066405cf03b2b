"""Internal bookkeeping events stay in the store: the relay publishes only the service's public
event types (its contract), and its position still passes over the internal ones."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from bushelpers import (
    jetstream,
    last_notification_id,
    opened,
    stream_messages,
    submit_many,
    writer_thread,
)

from intake.application import IntakeApplication
from ogi_contracts import intake as contract
from ogi_platform.messaging.bus import RELAY_POSITION
from ogi_platform.messaging.envelope import EVENT_STREAM
from ogi_platform.messaging.outbox import OutboxRelay
from ogi_platform.natsserver import NatsServer


async def test_the_relay_publishes_public_events_only(
    nats_server: NatsServer, tmp_path: Path
) -> None:
    with (
        opened(IntakeApplication, f"sqlite://{tmp_path / 'stores'}") as intake,
        writer_thread() as writer,
    ):
        await asyncio.to_thread(submit_many, intake, 2)
        stored = {n.topic.rsplit(".", 1)[-1] for n in intake.notifications(0, 1000)}
        assert {"NumberSeriesStarted", "MonthlyCountStarted"} <= stored
        async with jetstream(nats_server.url) as (_, js):
            relay = OutboxRelay(intake, js, writer, public=contract.PUBLIC)
            assert await relay.relay_once() == last_notification_id(intake)
            published = [m.event_type for m in await stream_messages(js, EVENT_STREAM)]
        assert published.count(contract.APPLICATION_ACCEPTED) == 2
        assert set(published) == stored & contract.PUBLIC
        assert relay.published == len(published)
        assert intake.position(RELAY_POSITION) == last_notification_id(intake)


async def test_a_batch_of_internal_events_alone_asks_the_server_nothing_after(
    nats_server: NatsServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing of the batch is published (here the relay's contract makes every event internal):
    its position passes over the events, and the only look at the stream is the one before."""
    with (
        opened(IntakeApplication, f"sqlite://{tmp_path / 'stores'}") as intake,
        writer_thread() as writer,
    ):
        await asyncio.to_thread(submit_many, intake, 2)
        async with jetstream(nats_server.url) as (_, js):
            looks: list[str] = []
            stream_info = js.stream_info

            async def counted(name: str, *args: Any, **kwargs: Any) -> Any:
                looks.append(name)
                return await stream_info(name, *args, **kwargs)

            monkeypatch.setattr(js, "stream_info", counted)
            relay = OutboxRelay(intake, js, writer, public=frozenset())
            assert await relay.relay_once() == last_notification_id(intake)
            assert looks == [EVENT_STREAM]
            assert await stream_messages(js, EVENT_STREAM) == []
        assert relay.published == 0
        assert intake.position(RELAY_POSITION) == last_notification_id(intake)
