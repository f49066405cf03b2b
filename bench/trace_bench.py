"""`ogi trace` of one application at scale (issue 13): about 1,000,000 events in the five
services' stores of three agencies and a supervision bureau, then the server side of a trace,
HistoryService.ListEvents of every service, timed.

The stores are filled through their own recorders with copies of real applications: each shape
(still open; replied and closed; replied, closed and complained about) is first played through
the five real applications in memory, their inbound handlers told each other's public events as
the bus would, then its stored events are inserted again and again with the ids of a new
application (its aggregates, event ids, causations and correlation). Each service process is
opened as the runtime opens it (one store per agency, each served by the process's application
index), without NATS.

Then p50 and p99 of a trace of a random application: the five services' ListEvents in turn, each
answered by the service's HistoryServicer in this process (a token's principal set as the gRPC
server's check sets it). Three cases: the first trace of each application after the processes
started on full stores (their index knows nothing yet), the same applications again, and
applications whose events each process recorded itself (its index noted them on commit). On
SQLite and on PostgreSQL (a fresh database), as ``run.py`` calls it, or alone: ``python
bench/trace_bench.py --events 50000``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from ogi.v1 import history_pb2

from complaint.commands import FileComplaint
from complaint.domain import complaint_key
from complaint.main import SPEC as COMPLAINT
from intake.commands import SubmitApplication
from intake.domain import Applicant, Request
from intake.main import SPEC as INTAKE
from ogi_law.agencies import AgencyRegistry, load_agencies
from ogi_platform.eventstore.application import OgiApplication
from ogi_platform.eventstore.store import store_location
from ogi_platform.eventstore.writer import Writer
from ogi_platform.ids import aggregate_id, correlation_id, event_id, new_application_id
from ogi_platform.messaging.envelope import record_of
from ogi_platform.rpc.auth import Principal, acting_as
from ogi_platform.rpc.history import HistoryServicer
from ogi_platform.service.config import ServiceConfig
from ogi_platform.service.runtime import AgencyUnit, ServiceRuntime, ServiceSpec, build_app
from reply.commands import RecordDelivery
from reply.main import SPEC as REPLY
from review.commands import Decide, ReviewSecrecy
from review.main import SPEC as REVIEW
from routing.main import SPEC as ROUTING

SPECS: tuple[ServiceSpec[AgencyRegistry], ...] = (INTAKE, ROUTING, REVIEW, REPLY, COMPLAINT)
AGENCIES = ("municipal-office", "archives-bureau", "natural-resources-bureau")
BUREAU = "supervision-bureau"
#: How many of every ten applications take each shape.
SHAPES = {"open": 6, "replied": 3, "complained": 1}
#: The kinds of aggregate the services keep for an application (``ids.aggregate_id``).
KINDS = ("intake", "routing", "review", "consultation-file", "deadline", "reply", "complaint-known",
         "complaint")  # fmt: skip
#: Events inserted in one transaction of a store.
INSERT_BATCH = 5_000
SAMPLE = 200
OPERATOR = Principal("operator", "bench")


def agencies_of(spec: ServiceSpec[AgencyRegistry]) -> tuple[str, ...]:
    return (BUREAU,) if spec is COMPLAINT else AGENCIES


@contextmanager
def legal_day(on: date) -> Iterator[None]:
    """What runs inside sees ``on`` as today (``OGI_TODAY``), as the services' handlers do."""
    before = os.environ.get("OGI_TODAY")
    os.environ["OGI_TODAY"] = on.isoformat()
    try:
        yield
    finally:
        if before is None:
            del os.environ["OGI_TODAY"]
        else:
            os.environ["OGI_TODAY"] = before


class Chain:
    """The five services of one agency (complaint: the bureau's) in memory, each told the public
    events the others store, as the bus would tell them."""

    def __init__(self, agency: str, registry: AgencyRegistry) -> None:
        self.registry = registry
        self.agency = agency
        self.apps: dict[str, OgiApplication] = {}
        self.handlers: dict[str, dict[str, Any]] = {}
        self.told: dict[str, int] = {}
        for spec in SPECS:
            app = spec.app_class(BUREAU if spec is COMPLAINT else agency)
            self.apps[spec.name] = app
            self.handlers[spec.name] = dict(spec.handlers(app, registry))
            self.told[spec.name] = 0

    def settle(self) -> None:
        """Tell every service the public events stored since, until none is left."""
        public = {spec.name: spec.contract.public for spec in SPECS}
        moved = True
        while moved:
            moved = False
            for name, app in self.apps.items():
                for notification in app.notifications(self.told[name], 1_000):
                    self.told[name] = notification.id
                    record = record_of(
                        app.mapper.to_domain_event(notification), app.agency, name, notification.id
                    )
                    if record.type not in public[name]:
                        continue
                    for other, handlers in self.handlers.items():
                        if record.type in handlers:
                            work = self.apps[other].unit_of_work()
                            handlers[record.type](work, record)
                            work.commit()
                            moved = True

    def play(self, shape: str) -> str:
        """One application of ``shape`` played through the services; its id."""
        on = date(2026, 3, 2)
        with legal_day(on):
            submitted = self.apps["intake"].handle(
                SubmitApplication(
                    actor="bench", on=on, agency=self.registry.get(self.agency),
                    applicant=Applicant.checked("张三", "natural_person", "1101", "138"),
                    request=Request.checked("城市更新项目批复文件", "electronic", "online"),
                )
            )  # fmt: skip
            self.settle()
        x = submitted.application_id
        if shape == "open":
            return x
        steps: list[tuple[str, Any]] = [
            ("review", ReviewSecrecy(actor="bench", on=date(2026, 3, 9), application_id=x,
                                     result="cleared")),
            ("review", Decide(actor="bench", on=date(2026, 3, 9), application_id=x,
                              outcome="disclose", form_of_provision="electronic")),
            ("reply", RecordDelivery(actor="bench", on=date(2026, 3, 10), application_id=x,
                                     method="email")),
        ]  # fmt: skip
        if shape == "complained":
            steps.append(("complaint", FileComplaint(
                actor="complainant:张三", on=date(2026, 3, 20), application_id=x,
                against_agency=None, ground="reply_unsatisfactory", text="答复不全",
                complainant="complainant:张三",
            )))  # fmt: skip
        for service, command in steps:
            with legal_day(command.on):
                self.apps[service].handle(command)
                self.settle()
        return x


@dataclass
class Template:
    """The stored events of one played application, by store (agency, service), and how to
    give them the ids of another application."""

    application_id: str
    stored: dict[tuple[str, str], list[tuple[tuple[str, str], StoredEvent]]]
    #: Every (agency, aggregate, version) of its events, for their event ids.
    events: list[tuple[str, UUID, int, tuple[str, str]]]

    def copy_for(self, x: str) -> Iterator[tuple[tuple[str, str], StoredEvent]]:
        """The template's stored events with the ids of application ``x``, with their stores."""
        t = self.application_id
        pairs = [(t, x), (correlation_id(t), correlation_id(x))]
        ids: dict[tuple[str, str], UUID] = {}
        for agency, old, version, (kind, key) in self.events:
            new = ids.setdefault((kind, key), aggregate_id(kind, key.replace(t, x)))
            pairs.append((event_id(old, version, agency), event_id(new, version, agency)))
            pairs += [(str(old), str(new)), (old.hex, new.hex)]
        encoded = [(a.encode(), b.encode()) for a, b in pairs]
        for store, events in self.stored.items():
            for (kind, key), stored in events:
                state = stored.state
                for a, b in encoded:
                    if a in state:
                        state = state.replace(a, b)
                new = ids[kind, key]
                yield store, StoredEvent(new, stored.originator_version, stored.topic, state)


def template(chain: Chain, shape: str) -> Template:
    x = chain.play(shape)
    keys = (x, complaint_key(x, 1))
    named = {aggregate_id(kind, key): (kind, key) for kind in KINDS for key in keys}
    stored: dict[tuple[str, str], list[tuple[tuple[str, str], StoredEvent]]] = {}
    events = []
    for service, app in chain.apps.items():
        for aggregate in app.aggregate_ids_of(x):
            for event in app.recorder.select_events(aggregate):
                stored.setdefault((app.agency, service), []).append((named[aggregate], event))
                events.append((app.agency, aggregate, event.originator_version, named[aggregate]))
    return Template(x, stored, events)


def templates(registry: AgencyRegistry) -> dict[str, list[Template]]:
    """Each shape played once in each agency."""
    made: dict[str, list[Template]] = defaultdict(list)
    for agency in AGENCIES:
        chain = Chain(agency, registry)
        for shape in SHAPES:
            made[shape].append(template(chain, shape))
    return made


def config(spec: ServiceSpec[AgencyRegistry], url: str | None, folder: Path) -> ServiceConfig:
    return ServiceConfig(
        service=spec.name, agencies=agencies_of(spec), grpc_host="127.0.0.1", grpc_port=0,
        database_url=url, data_dir=folder, nats_url="", nats_user=None, nats_password=None,
        agency_file=None,
    )  # fmt: skip


def opened(spec: ServiceSpec[AgencyRegistry], url: str | None, folder: Path) -> ServiceRuntime[Any]:
    """``spec``'s process with its stores open and indexed as ``ServiceRuntime.start`` does,
    without NATS (no relay, inbox or ticker: nothing but the traces reads the stores)."""
    runtime = ServiceRuntime(spec, config(spec, url, folder))
    for agency in runtime.config.agencies:
        location = store_location(url, folder, agency, spec.name)
        app = build_app(spec, runtime.config, agency, location)
        runtime.index.serve(app)
        runtime.units[agency] = AgencyUnit(agency, app, Writer(f"{spec.name}-{agency}"))
        runtime.apps[agency] = app
    return runtime


def closed(runtimes: list[ServiceRuntime[Any]]) -> None:
    for runtime in runtimes:
        for unit in runtime.units.values():
            unit.app.close()


def load(
    runtimes: list[ServiceRuntime[Any]], made: dict[str, list[Template]], events: int
) -> dict[str, dict[tuple[str, str], int]]:
    """Copies of the templates until about ``events`` are stored; each application's events by
    store (agency, service)."""
    recorders = {
        (agency, runtime.spec.name): unit.app.recorder
        for runtime in runtimes
        for agency, unit in runtime.units.items()
    }
    pending: dict[tuple[str, str], list[StoredEvent]] = defaultdict(list)
    kept: dict[str, dict[tuple[str, str], int]] = {}
    shapes = [shape for shape, weight in SHAPES.items() for _ in range(weight)]
    stored = 0
    while stored < events:
        i = len(kept)
        x = new_application_id(f"trace-bench-{i}")
        counts: dict[tuple[str, str], int] = defaultdict(int)
        for store, event in made[shapes[i % len(shapes)]][i % len(AGENCIES)].copy_for(x):
            pending[store].append(event)
            counts[store] += 1
            if len(pending[store]) >= INSERT_BATCH:
                recorders[store].insert_events(pending.pop(store))
        kept[x] = counts
        stored += sum(counts.values())
    for store, left in pending.items():
        recorders[store].insert_events(left)
    return kept


async def trace(servicers: list[HistoryServicer], application_id: str) -> int:
    """The server side of one trace: every service's ListEvents; the events answered."""
    request = history_pb2.ListEventsRequest(application_id=application_id)
    answered = 0
    with acting_as(OPERATOR):
        for servicer in servicers:
            reply = await servicer.ListEvents(request, None)
            answered += len(reply.events)
    return answered


async def timed(
    servicers: list[HistoryServicer], applications: list[str], expected: Callable[[str], int]
) -> tuple[float, float]:
    """p50 and p99 in milliseconds of a trace of each application (once each)."""
    spent = []
    for x in applications:
        started = time.perf_counter()
        answered = await trace(servicers, x)
        spent.append((time.perf_counter() - started) * 1000)
        assert answered == expected(x), (x, answered, expected(x))
    cuts = statistics.quantiles(spent, n=100)
    return cuts[49], cuts[98]


def report(what: str, p50: float, p99: float) -> None:
    print(f"  {what:<58} p50 {p50:6.2f} ms  p99 {p99:6.2f} ms")


def bench_trace(label: str, url: str | None, folder: Path, events: int) -> None:
    registry = load_agencies()
    made = templates(registry)
    print(f"{label}, ogi trace (ListEvents of the five services) at {events:,} events:")
    runtimes = [opened(spec, url, folder) for spec in SPECS]
    started = time.perf_counter()
    kept = load(runtimes, made, events)
    seconds = time.perf_counter() - started
    total = sum(sum(counts.values()) for counts in kept.values())
    what = f"stores filled: {len(kept):,} applications, {total / len(kept):.1f} events each"
    print(f"  {what:<58} {total / seconds:>9,.0f} /s  ({total:,} events in {seconds:.1f} s)")
    closed(runtimes)

    def expected(x: str) -> int:
        return sum(kept[x].values())

    picks = random.Random(13).sample(sorted(kept), 2 * SAMPLE)
    first, noted = picks[:SAMPLE], picks[SAMPLE:]
    runtimes = [opened(spec, url, folder) for spec in SPECS]  # started on full stores
    servicers = [HistoryServicer(runtime) for runtime in runtimes]
    try:
        report("first trace of each after the processes started", *asyncio.run(
            timed(servicers, first, expected)))  # fmt: skip
        report("the same applications again", *asyncio.run(timed(servicers, first, expected)))
        for runtime in runtimes:  # what the processes' commits would have noted
            for x in noted:
                for agency, service in kept[x]:
                    if service == runtime.spec.name:
                        runtime.index.note(agency, [x])
        report("applications the processes recorded themselves", *asyncio.run(
            timed(servicers, noted, expected)))  # fmt: skip
    finally:
        closed(runtimes)


def main() -> None:
    from run import drop, postgres_database

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000, help="events stored")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        bench_trace("SQLite", None, Path(tmp), args.events)
        pg = postgres_database()
        if pg:
            try:
                bench_trace("PostgreSQL", pg, Path(tmp), args.events)
            finally:
                drop(pg)


if __name__ == "__main__":
    main()
