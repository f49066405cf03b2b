"""Rebuilding the annual report's read model of one agency from the bus.

The stream is filled with the events a year of applications publishes that the report counts
(receipt and, for nine in ten, the decision), then the report's inbox consumes them from the
first message into its own store (as ``ogi report annual --rebuild`` does after dropping it),
and the 2026 table is computed and checked.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from nats.js import JetStreamContext

from ogi_law.agencies import load_agencies
from ogi_law.rules import APPLICANT_TYPES, EXEMPTION_GROUNDS, OUTCOMES
from ogi_platform.eventstore.application import OgiApplication
from ogi_platform.eventstore.writer import Writer
from ogi_platform.messaging import bus
from ogi_platform.messaging.envelope import EVENT_STREAM, EventRecord
from ogi_platform.messaging.inbox import inbox_of
from ogi_platform.messaging.wire import encode
from report.application import ReportApplication
from report.handlers import handlers
from report.readmodel import AnnualReadModel

PUBLISH_BATCH = 2000
OUTCOME_CODES = list(OUTCOMES)
GROUNDS = list(EXEMPTION_GROUNDS)
TYPES = list(APPLICANT_TYPES)


def _record(number: int, agency: str, service: str, event_type: str, on: date,
            data: dict[str, Any]) -> EventRecord:  # fmt: skip
    return EventRecord(
        event_id=f"{event_type}-{number}", application_id=f"A{number:012d}", agency=agency,
        service=service, type=event_type, schema_version=1, occurred_on=on.isoformat(),
        recorded_at=datetime.now(UTC), actor="bench", correlation_id="", causation_id="",
        to_agency=agency, position=number, aggregate_version=1, data=data,
    )  # fmt: skip


def events_of(number: int, agency: str) -> Iterator[EventRecord]:
    received = date(2025, 12, 1) + timedelta(days=number % 390)
    outcome = OUTCOME_CODES[number % len(OUTCOME_CODES)]
    grounds = [GROUNDS[number % len(GROUNDS)]] if OUTCOMES[outcome].needs_grounds else []
    applicant = {"name": "x", "type": TYPES[number % len(TYPES)], "id_doc": "x", "contact": "x"}
    yield _record(number, agency, "intake", "ApplicationReceived", received,
                  {"application_id": f"A{number:012d}", "agency": agency,
                   "applicant": applicant, "received_on": received.isoformat()})  # fmt: skip
    if number % 10:  # one in ten is still open
        yield _record(number, agency, "review", "DecisionMade", received + timedelta(days=15),
                      {"outcome": outcome, "grounds": grounds})  # fmt: skip


async def fill(js: JetStreamContext, n: int, agency: str) -> int:
    await bus.ensure_streams(js)
    pending = []
    written = 0
    for number in range(n):
        for record in events_of(number, agency):
            pending.append(await js.publish_async(record.subject, encode(record)))
            written += 1
            if len(pending) >= PUBLISH_BATCH:
                await asyncio.gather(*pending)
                pending = []
    await asyncio.gather(*pending)
    return written


async def _replay(nats_url: str, report: ReportApplication, n: int) -> tuple[int, float]:
    nc = await bus.connect(nats_url, "bench-annual")
    js = nc.jetstream()
    started = time.perf_counter()
    written = await fill(js, n, report.agency)
    print(f"  {'annual report: counted events published (events)':<58} "
          f"{written / (time.perf_counter() - started):>9,.0f} /s  ({written} events)")  # fmt: skip
    registry = load_agencies()
    writer = Writer("bench-report")
    subjects = [f"ogi.{report.agency}.*.{t}.*" for t in ("ApplicationReceived", "DecisionMade")]
    consumer = inbox_of(report, js, writer, handlers(report, registry), subjects)
    started = time.perf_counter()
    task = asyncio.create_task(consumer.run())
    last = (await js.stream_info(EVENT_STREAM)).state.last_seq
    while report.position(consumer.stores[0].tracking) < last:
        await asyncio.sleep(0.02)
    seconds = time.perf_counter() - started
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    writer.shutdown()
    await nc.close()
    return written, seconds


def bench_annual_rebuild(
    make_app: Callable[[type[OgiApplication]], OgiApplication], n: int, nats_url: str
) -> None:
    report = make_app(ReportApplication)
    assert isinstance(report, ReportApplication)
    written, consumed = asyncio.run(_replay(nats_url, report, n))
    model = AnnualReadModel(report)
    started = time.perf_counter()
    table = model.table(2026)
    seconds = consumed + time.perf_counter() - started
    counted = table.cell("received", "total") + table.cell("carried_in", "total")
    print(f"  {'annual report: stream replayed + 2026 table (applications)':<58} "
          f"{n / seconds:>9,.0f} /s  ({n} applications, {written} events in {seconds:.2f} s: "
          f"{consumed:.2f} s consuming; 2026: {counted} counted)")  # fmt: skip
    report.close()
