"""`make bench`: throughput of the stores, the outbox relay, the inbox and the whole path;
intake as its gRPC clients see it (intake_bench.py: locating with 5 and 101 agencies served,
submissions with 32 in flight); the annual report's and the query side's read models
(query_bench.py: 1,000,000 applications); `ogi trace` of one application among 1,000,000
stored events (trace_bench.py).

Figures are printed, not asserted. Everything runs on this machine: a nats-server from the
wheel on a free port, SQLite in a temporary folder, and the machine's PostgreSQL (a temporary
database) when it answers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path

import psycopg
from annual import bench_annual_rebuild
from intake_bench import bench_intake
from pipeline_bench import bench_pipeline
from query_bench import bench_query
from scale_bench import bench_scale
from trace_bench import bench_trace

from intake.application import IntakeApplication
from intake.commands import SubmitApplication
from intake.domain import Applicant, Request
from ogi_law.agencies import load_agencies
from ogi_platform.eventstore.application import OgiApplication
from ogi_platform.eventstore.store import creating, store_location
from ogi_platform.eventstore.writer import Writer
from ogi_platform.messaging import bus
from ogi_platform.messaging.inbox import inbox_of
from ogi_platform.messaging.outbox import OutboxRelay
from ogi_platform.natsserver import NatsServer
from routing.application import RoutingApplication
from routing.handlers import handlers as routing_handlers

AGENCY = "municipal-office"
PG_ADMIN = os.environ.get("OGI_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def make_app(
    kind: type[OgiApplication], url: str | None, folder: Path, agency: str = AGENCY
) -> OgiApplication:
    location = store_location(url, folder, agency, kind.service)
    with creating(location):
        return kind(agency, env=location.env)


def submit_many(app: IntakeApplication, n: int) -> None:
    agency = load_agencies().get(AGENCY)
    applicant = Applicant.checked("张三", "natural_person", "1101", "138")
    what = Request.checked("城市更新项目批复文件", "electronic", "online")
    command = SubmitApplication(
        actor="bench", on=date(2026, 11, 20), agency=agency, applicant=applicant, request=what
    )
    for _ in range(n):
        app.handle(command)


def timed(label: str, n: int, fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    seconds = time.perf_counter() - started
    print(f"  {label:<58} {n / seconds:>9,.0f} /s  ({n} in {seconds:.2f} s)")
    return seconds


async def relay_and_inbox(url: str | None, folder: Path, nats_url: str, n: int) -> None:
    intake = make_app(IntakeApplication, url, folder)
    routing = make_app(RoutingApplication, url, folder)
    assert isinstance(intake, IntakeApplication) and isinstance(routing, RoutingApplication)
    timed("intake commands (receipt + acceptance + number, 1 commit each)", n,
          lambda: submit_many(intake, n))  # fmt: skip
    nc = await bus.connect(nats_url, "bench")
    js = nc.jetstream()
    await bus.ensure_streams(js)
    relay = OutboxRelay(intake, js, Writer("bench-relay"))
    events = 0
    started = time.perf_counter()
    while sent := await relay.relay_once():
        events += sent
    seconds = time.perf_counter() - started
    print(f"  {'outbox relay: events published and acked (batches of 500)':<58} "
          f"{events / seconds:>9,.0f} /s  ({events} in {seconds:.2f} s)")  # fmt: skip
    registry = load_agencies()
    writer = Writer("bench-inbox")
    consumer = inbox_of(
        routing,
        js,
        writer,
        routing_handlers(routing, registry),
        [f"ogi.*.*.ApplicationAccepted.{AGENCY}"],
    )
    started = time.perf_counter()
    task = asyncio.create_task(consumer.run())
    while routing.position(bus.INBOX_POSITION) < (await js.stream_info("OGI")).state.last_seq:
        await asyncio.sleep(0.02)
    seconds = time.perf_counter() - started
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    applied = consumer.applied
    print(f"  {'inbox: accepted applications assigned (batched commits)':<58} "
          f"{n / seconds:>9,.0f} /s  ({applied} events in {seconds:.2f} s)")  # fmt: skip
    await nc.close()
    writer.shutdown()
    intake.close()
    routing.close()


def postgres_database() -> str | None:
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=3) as conn:
            name = f"ogi_bench_{uuid.uuid4().hex[:8]}"
            conn.execute(f'CREATE DATABASE "{name}"')
            return f"{PG_ADMIN.rsplit('/', 1)[0]}/{name}"
    except psycopg.OperationalError:
        return None


def drop(url: str) -> None:
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-n", type=int, default=2000, help="applications per run")
    parser.add_argument(
        "--annual-n", type=int, default=20_000, help="applications for the annual report"
    )
    parser.add_argument(
        "--query-n", type=int, default=1_000_000, help="applications in the query read model"
    )
    parser.add_argument(
        "--trace-events", type=int, default=1_000_000, help="events stored for the trace"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        nats = NatsServer(folder / "nats").start()
        try:
            targets: list[tuple[str, str | None]] = [("SQLite", None)]
            pg = postgres_database()
            if pg:
                targets.append(("PostgreSQL", pg))
            for label, url in targets:
                print(f"{label}, {args.n} applications:")
                asyncio.run(relay_and_inbox(url, folder / label, nats.url, args.n))
                asyncio.run(_purge(nats.url))
                print(f"{label}, intake over gRPC:")
                bench_intake(url, folder / label / "intake", nats.url, args.n)
                asyncio.run(_purge(nats.url))
                print(f"{label}, annual report from {args.annual_n} applications:")
                annual_folder = folder / label

                def annual_store(
                    kind: type[OgiApplication], url: str | None = url, at: Path = annual_folder
                ) -> OgiApplication:
                    return make_app(kind, url, at, "archives-bureau")

                bench_annual_rebuild(annual_store, args.annual_n, nats.url)
                asyncio.run(_purge(nats.url))
                bench_query(label, url, folder / label, args.query_n, nats.url)
                asyncio.run(_purge(nats.url))
                bench_trace(label, url, folder / label / "trace", args.trace_events)
            if pg:
                drop(pg)
        finally:
            nats.stop()
    bench_pipeline(args.n, on_postgres=pg is not None)
    bench_scale([5, 100, 300, 1000], args.n)


async def _purge(nats_url: str) -> None:
    nc = await bus.connect(nats_url, "bench")
    js = nc.jetstream()
    await js.purge_stream("OGI")
    for consumer in await js.consumers_info("OGI"):
        await js.delete_consumer("OGI", consumer.name)
    await nc.close()


if __name__ == "__main__":
    main()
