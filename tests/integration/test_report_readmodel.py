"""The report service's read model (its runtime, in this process) on a real nats-server: it
counts only the events its agency's own services published, and a rebuild drops its store and
its consumer and consumes the stream again from the first message, to the same table."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from harness.runtimes import running_service
from nats.js.errors import NotFoundError

from ogi_law.agencies import AgencyRegistry
from ogi_platform.messaging.bus import connect, ensure_streams
from ogi_platform.messaging.envelope import EVENT_STREAM, EventRecord
from ogi_platform.messaging.wire import encode
from ogi_platform.natsserver import NatsServer
from ogi_platform.service.runtime import ServiceRuntime
from report.api import AnnualReportServicer
from report.main import SPEC

AGENCY = "municipal-office"
OTHER = "archives-bureau"


def record(
    number: int, agency: str, service: str, event_type: str, on: str, **data: Any
) -> EventRecord:
    return EventRecord(
        event_id=f"{event_type}-{number}-{agency}",
        application_id=f"A{number:04d}",
        agency=agency,
        service=service,
        type=event_type,
        schema_version=1,
        occurred_on=on,
        recorded_at=datetime.now(UTC),
        actor="test:report",
        correlation_id="",
        causation_id="",
        to_agency=agency,
        position=number,
        aggregate_version=1,
        data=data,
    )


def year_of(agency: str, n: int) -> list[EventRecord]:
    """``n`` applications received in 2026, every second one decided; one lawsuit."""
    events = []
    for i in range(n):
        events.append(record(i, agency, "intake", "ApplicationReceived", "2026-03-02",
                             applicant={"type": "research", "name": "某"},
                             received_on="2026-03-02"))  # fmt: skip
        if i % 2:
            events.append(record(i, agency, "review", "DecisionMade", "2026-03-20",
                                 outcome="disclose", grounds=[]))  # fmt: skip
    events.append(record(1, agency, "reply", "RemedyFiled", "2026-04-01",
                         ref="R1", kind="lawsuit_direct", filed_on="2026-04-01"))  # fmt: skip
    return events


@pytest.fixture(params=["sqlite", "postgres"])
async def report(
    request: pytest.FixtureRequest, nats_server: NatsServer, tmp_path: Path
) -> AsyncIterator[ServiceRuntime[AgencyRegistry]]:
    stores = (
        f"sqlite://{tmp_path / 'stores'}"
        if request.param == "sqlite"
        else str(request.getfixturevalue("pg_url"))
    )
    async with running_service(SPEC, stores, nats_server.url, tmp_path) as runtime:
        yield runtime


async def publish(url: str, events: list[EventRecord]) -> None:
    nc = await connect(url, name="test-report")
    try:
        js = nc.jetstream()
        await ensure_streams(js)
        for event in events:
            await js.publish(event.subject, encode(event), stream=EVENT_STREAM)
    finally:
        await nc.close()


async def test_counts_its_agencys_events_from_the_bus_and_rebuilds_by_replaying(
    report: ServiceRuntime[AgencyRegistry], nats_server: NatsServer
) -> None:
    ours, theirs = year_of(AGENCY, 40), year_of(OTHER, 7)
    mixed = [e for pair in zip(ours, theirs, strict=False) for e in pair] + ours[len(theirs) :]
    await publish(nats_server.url, mixed)
    servicer = AnnualReportServicer(report)
    unit = report.units[AGENCY]
    assert report.relay is None, "the report's store is its own: nothing of it is published"

    table, read = await servicer._table(unit, 2026, rebuild=False)
    assert read == len(ours) == 61
    assert table.cell("received", "research") == 40
    assert table.cell("disclosed", "research") == 20
    assert table.cell("carried_out", "research") == 20
    assert table.remedies["lawsuit_direct", "pending"] == 1
    _, read = await servicer._table(unit, 2026, rebuild=False)
    assert read == 0, "only what the inbox stored since is read"

    await publish(nats_server.url, [ours[0], ours[1]])  # republished: counted once
    rebuilt, read = await servicer._table(unit, 2026, rebuild=True)
    assert read == 61, "the rebuild consumed the whole stream again"
    assert rebuilt.to_dict() == table.to_dict()
    assert report.nc is not None
    js = report.nc.jetstream()
    info = await js.consumer_info(EVENT_STREAM, f"{AGENCY}__report")
    assert info.delivered.stream_seq == (await js.stream_info(EVENT_STREAM)).state.last_seq
    with pytest.raises(NotFoundError):
        await js.consumer_info(EVENT_STREAM, f"{OTHER}__report")
