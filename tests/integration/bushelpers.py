"""Small helpers for the bus tests: stores, a JetStream connection, polling, counting handlers.

The tests use the real services' applications and aggregates (intake produces accepted
applications, routing consumes them), so every stored event has its protobuf message and the
relay can encode it. To see how often a handler really took effect, the routing handlers are
wrapped with two counters kept in the same store and the same transaction: ``guarded`` bumps
once per upstream event id (it asks ``has_handled``), ``unguarded`` bumps on every application
of a message. A counter is an intake ``NumberSeries`` whose ``last`` is the count.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

import psycopg
import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js import JetStreamContext

from intake.application import IntakeApplication
from intake.commands import SubmitApplication
from intake.domain import Applicant, NumberSeries, Request
from ogi_errors import IllegalStep
from ogi_law.agencies import Agency, AgencyRegistry, load_agencies
from ogi_platform.eventstore.aggregate import meta
from ogi_platform.eventstore.application import OgiApplication, UnitOfWork
from ogi_platform.eventstore.store import ensure_schema, store_location
from ogi_platform.eventstore.writer import Writer
from ogi_platform.messaging.bus import Handler, connect, ensure_streams
from ogi_platform.messaging.envelope import SUBJECT_ROOT, EventRecord, caused_by
from ogi_platform.messaging.inbox import InboxConsumer, InboxStore
from ogi_platform.messaging.outbox import OutboxRelay
from ogi_platform.service.runtime import cancelled
from routing.application import RoutingApplication
from routing.handlers import handlers as routing_handlers

AGENCY = "municipal-office"
RECEIVED_ON = date(2026, 3, 2)
YEARS = 10  # submissions are spread over yearly number series, so no series grows long
ACTOR = "test:bus"

AppT = TypeVar("AppT", bound=OgiApplication)


# -- waiting -------------------------------------------------------------------------------


async def eventually(
    predicate: Callable[[], Any],
    timeout: float = 10.0,
    interval: float = 0.05,
    what: str = "condition",
) -> Any:
    """Poll ``predicate`` (sync, run in a thread, or async) until it is truthy; return its value."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while True:
        if inspect.iscoroutinefunction(predicate):
            last = await predicate()
        else:
            last = await asyncio.to_thread(predicate)
        if last:
            return last
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not reached within {timeout}s (last value: {last!r})")
        await asyncio.sleep(interval)


@contextlib.asynccontextmanager
async def running(
    make: Callable[[], Coroutine[Any, Any, None]], name: str = "task"
) -> AsyncIterator[asyncio.Task[None]]:
    """Run a loop (a relay's or a consumer's ``run``) for the body; cancel it afterwards, as
    the service runtime does (again until it ends: a cancellation can be lost in Python 3.11's
    ``asyncio.wait_for``, and a single one left a consumer running and the test waiting for
    ever).

    If the loop died on its own with an error, the error is raised here.
    """
    task = asyncio.create_task(make(), name=name)
    try:
        yield task
    finally:
        if task.done() and not task.cancelled() and task.exception() is not None:
            raise AssertionError(f"{name} died") from task.exception()
        await cancelled(task)


# -- stores --------------------------------------------------------------------------------


def open_app(kind: type[AppT], database_url: str, agency: str = AGENCY) -> AppT:
    """The store of ``kind``'s service for ``agency``, as the service runtime opens it."""
    location = store_location(database_url, Path("unused"), agency, kind.service)
    ensure_schema(location)
    return kind(agency, env=location.env)


def statement_text(cursor: Any, query: Any) -> str:
    """What a psycopg cursor is asked to execute, as text (a string, bytes or composed SQL)."""
    if isinstance(query, bytes):
        return query.decode()
    return query if isinstance(query, str) else str(query.as_string(cursor.connection))


def statements_sent(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The statements sent from now on (the list fills as they are)."""
    sent: list[str] = []
    execute = psycopg.Cursor.execute

    def counted(cursor: Any, query: Any, *args: Any, **kwargs: Any) -> Any:
        sent.append(statement_text(cursor, query))
        return execute(cursor, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", counted)
    return sent


@contextlib.contextmanager
def opened(kind: type[AppT], database_url: str, agency: str = AGENCY) -> Iterator[AppT]:
    app = open_app(kind, database_url, agency)
    try:
        yield app
    finally:
        app.close()


@contextlib.contextmanager
def writer_thread(name: str = "test-writer") -> Iterator[Writer]:
    writer = Writer(name)
    try:
        yield writer
    finally:
        writer.shutdown()


def registry() -> AgencyRegistry:
    return load_agencies()


def agency(code: str = AGENCY) -> Agency:
    return registry().get(code)


def submit_many(intake: IntakeApplication, count: int, prefix: str = "app") -> list[str]:
    """Submit ``count`` applications, each in a transaction of its own (each is received and
    accepted); returns their ids."""
    return [intake.handle(c).application_id for c in submissions(intake, count, prefix)]


def submissions(intake: IntakeApplication, count: int, prefix: str) -> list[SubmitApplication]:
    """The commands submitting ``count`` applications to ``intake``'s agency."""
    who = agency(intake.agency)
    return [
        SubmitApplication(
            actor=ACTOR,
            on=RECEIVED_ON.replace(year=RECEIVED_ON.year - i % YEARS),
            agency=who,
            applicant=Applicant.checked("张三", "natural_person", f"ID{i:06d}", "13800000000"),
            request=Request.checked(f"请公开第 {i} 号文件", "electronic", "online"),
            request_id=f"{prefix}-{i}",
        )
        for i in range(count)
    ]


def stored_count(app: OgiApplication, event_type: str) -> Counter[UUID]:
    """How many events of ``event_type`` each aggregate of the store has."""
    counts: Counter[UUID] = Counter()
    after = 0
    while True:
        page = app.notifications(after, 1000)
        if not page:
            return counts
        for notification in page:
            if notification.topic.rsplit(".", 1)[-1] == event_type:
                counts[UUID(str(notification.originator_id))] += 1
        after = page[-1].id


def last_notification_id(app: OgiApplication) -> int:
    return app.recorder.max_notification_id() or 0


# -- counting handlers ---------------------------------------------------------------------

GUARDED = "guarded"
UNGUARDED = "unguarded"


def counter_id(name: str) -> UUID:
    return NumberSeries.create_id(name, 0)


def counter(app: OgiApplication, name: str) -> int:
    series = app.find(counter_id(name), NumberSeries)
    return 0 if series is None else series.last


def _bump(uow: UnitOfWork, name: str, record: EventRecord, guarded: bool) -> None:
    series = uow.find(counter_id(name), NumberSeries)
    if series is None:
        # Started without a causation id: starting the counter does not mark the event handled.
        started = meta(record.application_id, ACTOR, RECEIVED_ON)
        series = NumberSeries(agency=name, year=0, series=name, meta=started)
        uow.add(series)
    if guarded and series.has_handled(record.event_id):
        return
    series.next_number(caused_by(record, ACTOR))


def counting_handlers(
    app: OgiApplication,
    poisoned: set[str] | None = None,
    attempts: Counter[str] | None = None,
    fail: Callable[[EventRecord], None] | None = None,
) -> dict[str, Handler]:
    """Routing's real handlers, with the two counters bumped on every ApplicationAccepted.

    ``poisoned`` application ids make the handler raise a DomainError (counted in ``attempts``);
    ``fail`` is called first and may raise anything.
    """
    real = routing_handlers(app, registry())
    on_accepted = real["ApplicationAccepted"]

    def counted(uow: UnitOfWork, record: EventRecord) -> None:
        if attempts is not None:
            attempts[record.application_id] += 1
        if fail is not None:
            fail(record)
        if poisoned and record.application_id in poisoned:
            raise IllegalStep(f"application {record.application_id} is poisoned")
        on_accepted(uow, record)
        _bump(uow, GUARDED, record, guarded=True)
        _bump(uow, UNGUARDED, record, guarded=False)

    return {**real, "ApplicationAccepted": counted}


def filter_subjects(handlers: dict[str, Handler], to_agency: str = AGENCY) -> list[str]:
    """The subjects the runtime lets a consumer filter on: its handled types addressed to it."""
    return [f"{SUBJECT_ROOT}.*.*.{t}.{to_agency}" for t in sorted(handlers)]


class RecordingConsumer(InboxConsumer):
    """An inbox consumer that remembers the stream sequence of every message delivered to it,
    and the size of each batch."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.delivered: list[int] = []
        self.batches: list[int] = []

    async def process(self, messages: list[Msg], connection: int | None = None) -> None:
        self.delivered.extend(m.metadata.sequence.stream for m in messages)
        self.batches.append(len(messages))
        await super().process(messages, connection)


def routing_consumer(
    app: RoutingApplication,
    js: JetStreamContext,
    writer: Writer,
    handlers: dict[str, Handler] | None = None,
    kind: type[RecordingConsumer] = RecordingConsumer,
    **kwargs: Any,
) -> RecordingConsumer:
    handlers = handlers if handlers is not None else counting_handlers(app)
    store = InboxStore(app, writer, handlers, filter_subjects(handlers))
    return kind(js, [store], **kwargs)


# -- NATS ----------------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def jetstream(
    url: str, name: str = "ogi-test"
) -> AsyncIterator[tuple[Client, JetStreamContext]]:
    nc = await connect(url, name)
    try:
        js = nc.jetstream()
        await ensure_streams(js)
        yield nc, js
    finally:
        await nc.close()


@dataclass(frozen=True)
class StreamMessage:
    seq: int
    subject: str
    data: bytes
    headers: dict[str, str]

    @property
    def event_type(self) -> str:
        """The event type of an ``ogi.<agency>.<service>.<Type>.<to>`` subject."""
        return self.subject.split(".")[3]


async def stream_messages(js: JetStreamContext, stream: str) -> list[StreamMessage]:
    """Every message the stream holds, in stream order."""
    info = await js.stream_info(stream)
    state = info.state
    messages = []
    for seq in range(state.first_seq, state.last_seq + 1) if state.messages else ():
        raw = await js.get_msg(stream, seq)
        assert raw.seq is not None and raw.subject is not None
        messages.append(StreamMessage(raw.seq, raw.subject, raw.data or b"", raw.headers or {}))
    return messages


async def stream_count(js: JetStreamContext, stream: str) -> int:
    info = await js.stream_info(stream)
    return int(info.state.messages)


async def last_sequence(js: JetStreamContext, stream: str) -> int:
    info = await js.stream_info(stream)
    return int(info.state.last_seq)


async def publish_all(app: OgiApplication, js: JetStreamContext) -> int:
    """Relay everything the store holds now, with a relay of its own; returns how many."""
    with writer_thread("relay-once") as writer:
        relay = OutboxRelay(app, js, writer)
        total = 0
        while sent := await relay.relay_once():
            total += sent
        return total


def hand_made_event(
    event_type: str,
    service: str,
    data: dict[str, Any],
    *,
    event_id: str,
    application_id: str,
    agency: str = AGENCY,
    to_agency: str = AGENCY,
    occurred_on: str = "2026-03-02",
    aggregate_version: int = 1,
) -> EventRecord:
    """An envelope no service stored: malformed or forged events, as a test needs them."""
    return EventRecord(
        event_id=event_id,
        application_id=application_id,
        agency=agency,
        service=service,
        type=event_type,
        schema_version=1,
        occurred_on=occurred_on,
        recorded_at=datetime.fromisoformat(occurred_on).replace(tzinfo=UTC),
        actor="test",
        correlation_id="",
        causation_id="",
        to_agency=to_agency,
        position=0,
        aggregate_version=aggregate_version,
        data=data,
    )
